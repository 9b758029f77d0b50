// Error at line 3, EtherEncap's config: DST '02:00:00:00:zz:02' is not an Ethernet address.
FromDevice(eth0) -> Strip(14)
  -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:zz:02)
  -> Queue -> ToDevice(eth1);
