// Error at line 3: Strip is missing its mandatory argument LENGTH.
// Error at line 4: EtherEncap is missing mandatory arguments SRC and DST.
FromDevice(eth0) -> Strip -> Discard;
FromDevice(eth1) -> EtherEncap(0x0800) -> Discard;
