// Checksums on raw IP: SetIPChecksum fixes every IP header; then
// SetTCPChecksum fixes TCP (port 0) and SetUDPChecksum UDP (port 1; a
// fragment or a bad length to port 2); anything else to port 3.
src :: FromDump($IN, STOP true) -> SetIPChecksum
  -> ipc :: IPClassifier(tcp, udp, -);
ipc[0] -> SetTCPChecksum -> ToDump($OUT/port0.pcap, ENCAP IP);
ipc[1] -> su :: SetUDPChecksum -> ToDump($OUT/port1.pcap, ENCAP IP);
su[1] -> ToDump($OUT/port2.pcap, ENCAP IP);
ipc[2] -> ToDump($OUT/port3.pcap, ENCAP IP);
