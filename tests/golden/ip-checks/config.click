// CheckIPHeader(14) on Ethernet frames: valid headers to port 0 (with
// Ethernet padding trimmed), invalid ones to port 1; without INTERFACES
// or BADSRC no source address is bad. With INTERFACES 10.0.0.1/24 the
// sources 0.0.0.0, 255.255.255.255 and 10.0.0.255 are bad too (port 4),
// the others pass (port 3). MarkIPHeader(14) marks without checking:
// every frame to port 2 unchanged.
src :: FromDump($IN, STOP true) -> t :: Tee(3);
t[0] -> chk :: CheckIPHeader(14) -> ToDump($OUT/port0.pcap);
chk[1] -> ToDump($OUT/port1.pcap);
t[1] -> MarkIPHeader(14) -> ToDump($OUT/port2.pcap);
t[2] -> ifs :: CheckIPHeader(OFFSET 14, INTERFACES 10.0.0.1/24) -> ToDump($OUT/port3.pcap);
ifs[1] -> ToDump($OUT/port4.pcap);
DriverManager(wait_stop,
              print "chk: $(chk.count) passed, $(chk.drops) dropped",
              print "ifs: $(ifs.count) passed, $(ifs.drops) dropped",
              stop);
