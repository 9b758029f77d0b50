// In the style of mazu-nat.click: IPRewriterPatterns names a pattern, IPRewriter uses it per input.
IPRewriterPatterns(to_world 198.51.100.1 50000-65535 - -);
rw :: IPRewriter(pattern to_world 0 1,   // input 0: from inside
                 drop);                  // input 1: from outside, existing flows only
FromDevice(eth0) -> Strip(14) -> CheckIPHeader -> IPClassifier(tcp or udp) -> [0]rw;
FromDevice(eth1) -> Strip(14) -> CheckIPHeader -> IPClassifier(tcp or udp) -> [1]rw;
rw[0] -> EtherEncap(0x0800, 02:00:00:00:00:02, 02:00:00:00:00:fe) -> Queue -> ToDevice(eth1);
rw[1] -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:10) -> Queue -> ToDevice(eth0);
