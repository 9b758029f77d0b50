// Ports on both sides of an arrow: `a [1] -> [1] b`; a missing port means [0].
c :: Classifier(12/0806 20/0002, 12/0800, -);
arpq :: ARPQuerier(10.0.0.1, 02:00:00:00:00:01);
FromDevice(eth0) -> c;
c [0] -> [1] arpq;
c [1] -> Strip(14) -> CheckIPHeader -> GetIPAddress(16) -> [0] arpq;
c [2] -> Discard;
arpq [0] -> Queue -> ToDevice(eth0);
