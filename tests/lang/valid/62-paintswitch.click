// PaintSwitch sends each packet to the output numbered by its paint; all three outputs connected.
ps :: PaintSwitch;
FromDevice(eth0) -> Paint(0) -> ps;
FromDevice(eth1) -> Paint(1) -> ps;
FromDevice(eth2) -> Paint(2) -> ps;
ps[0] -> Discard;
ps[1] -> Counter -> Discard;
ps[2] -> Queue -> ToDevice(eth0);
