// Error at line 2, EtherEncap's config: ETHERTYPE 0x10000 does not fit in 16 bits.
FromDevice(eth0) -> EtherEncap(0x10000, 02:00:00:00:00:01, 02:00:00:00:00:02) -> Queue -> ToDevice(eth1);
