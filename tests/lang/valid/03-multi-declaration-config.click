// `q1, q2 :: Queue(20);` gives both names the same class AND the same config string.
q1, q2 :: Queue(20);
FromDevice(eth0) -> q1 -> ToDevice(eth0);
FromDevice(eth1) -> q2 -> ToDevice(eth1);
