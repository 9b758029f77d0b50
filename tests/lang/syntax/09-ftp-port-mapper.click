// Language-only check: FTPPortMapper and ICMPRewriter from mazu-nat / thomer-nat.
IPRewriterPatterns(to_world 198.51.100.1 50000-65535 - -);
rw :: IPRewriter(pattern to_world 0 1, drop);
tcp_rw :: TCPRewriter(pattern to_world 0 1, drop);
FromDevice(eth0) -> Strip(14) -> CheckIPHeader -> c :: IPClassifier(dst tcp port ftp, -);
c[0] -> FTPPortMapper(tcp_rw, rw, 0) -> [0]tcp_rw;
c[1] -> [0]rw;
FromDevice(eth1) -> Strip(14) -> CheckIPHeader -> [1]rw;
ierw :: ICMPRewriter(rw);
Idle -> ierw;
rw[0], rw[1], tcp_rw[0], tcp_rw[1], ierw[0], ierw[1] -> Discard;
