// Strip and friends: Strip(14) leaves the IP packet, and a frame shorter
// than 14 bytes empty (port 0, raw IP). Only IPv4 frames take the next
// paths: Unstrip(14) puts the Ethernet header back (port 1);
// MarkIPHeader(14) then StripToNetworkHeader strips to the IP header
// (port 2, raw IP). StripToNetworkHeader leaves the other frames, which
// have no network header, as they are (port 5). CheckLength(60) sends
// frames of at most 60 bytes to port 3, longer ones to port 4. Print
// shows each frame's first 20 bytes.
src :: FromDump($IN, STOP true) -> Print(in, 20) -> t :: Tee(3);
t[0] -> Strip(14) -> ToDump($OUT/port0.pcap, ENCAP IP);
t[1] -> ip :: Classifier(12/0800, -) -> it :: Tee(2);
it[0] -> Strip(14) -> Unstrip(14) -> ToDump($OUT/port1.pcap);
it[1] -> MarkIPHeader(14) -> StripToNetworkHeader -> ToDump($OUT/port2.pcap, ENCAP IP);
ip[1] -> StripToNetworkHeader -> ToDump($OUT/port5.pcap);
t[2] -> cl :: CheckLength(60) -> ToDump($OUT/port3.pcap);
cl[1] -> ToDump($OUT/port4.pcap);
