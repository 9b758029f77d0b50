// Transport checks on raw IP: IPClassifier sorts TCP, UDP, ICMP and the
// rest; CheckTCPHeader, CheckUDPHeader and CheckICMPHeader pass good
// packets to an even port and bad ones to the odd port after it.
src :: FromDump($IN, STOP true) -> CheckIPHeader
  -> ipc :: IPClassifier(tcp, udp, icmp, -);
ipc[0] -> ct :: CheckTCPHeader -> ToDump($OUT/port0.pcap, ENCAP IP);
ct[1] -> ToDump($OUT/port1.pcap, ENCAP IP);
ipc[1] -> cu :: CheckUDPHeader -> ToDump($OUT/port2.pcap, ENCAP IP);
cu[1] -> ToDump($OUT/port3.pcap, ENCAP IP);
ipc[2] -> ci :: CheckICMPHeader -> ToDump($OUT/port4.pcap, ENCAP IP);
ci[1] -> ToDump($OUT/port5.pcap, ENCAP IP);
ipc[3] -> ToDump($OUT/port6.pcap, ENCAP IP);
