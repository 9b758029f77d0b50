// IPFilter actions: `allow` (output 0), numbered outputs, `deny`/`drop`; outputs 0..2 connected.
FromDevice(eth0) -> Strip(14) -> CheckIPHeader
  -> f :: IPFilter(allow dst tcp port 22,
                   1 udp,
                   2 icmp type echo,
                   drop src net 127.0.0.0/8,
                   deny -);
f[0] -> Discard;
f[1] -> Discard;
f[2] -> ICMPPingResponder -> Discard;
