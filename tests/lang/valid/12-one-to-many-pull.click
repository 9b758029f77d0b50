// One-to-many: `q -> a, b` connects q[0] to both. Legal because q's output is pull (a pull output may feed many pull inputs).
FromDevice(eth0) -> q :: Queue(100);
q -> ToDevice(eth1), ToDevice(eth2);
