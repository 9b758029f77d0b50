// Language-only check: Shaper, RatedUnqueue, PrioSched (pull elements nfc lacks) with port lists.
q0, q1 :: Queue(100);
FromDevice(eth0) -> q0;
FromDevice(eth1) -> q1;
q0 -> Shaper(1000) -> [0] ps :: PrioSched;
q1 -> [1] ps;
ps -> RatedUnqueue(500) -> Queue -> ToDevice(eth2);
