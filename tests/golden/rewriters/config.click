// The IPRewriter family on raw IP, packet by packet (a Queue and
// Unqueue(BURST 1) in front, so that each reply comes after its flow's
// first packet). Each rewriter takes packets from inside on input 0 and
// replies on input 1; its output 0 (forward) and 1 (replies) are written
// to a port each: IPRewriter 0/1, ICMPPingRewriter 2/3, IPAddrRewriter
// 4/5, IPAddrPairRewriter 6/7, TCPRewriter 8/9, UDPRewriter 10/11.
src :: FromDump($IN, STOP true) -> q :: Queue -> Unqueue(BURST 1) -> CheckIPHeader
  -> cls :: IPClassifier(src net 10.0.0.0/24 and (tcp or udp),
                         dst host 192.0.2.1 and (tcp or udp),
                         src net 10.0.0.0/24 and icmp,
                         dst host 192.0.2.1 and icmp,
                         src net 10.0.1.0/24, dst net 192.0.2.16/31,
                         src net 10.0.2.0/24, dst host 192.0.2.32,
                         src net 10.0.3.0/24, dst host 192.0.2.48,
                         src net 10.0.4.0/24, dst host 192.0.2.64);
rw   :: IPRewriter(pattern 192.0.2.1 1024-1025# - - 0 1, drop);
ping :: ICMPPingRewriter(pattern 192.0.2.1 - - - 0 1, drop);
addr :: IPAddrRewriter(pattern 192.0.2.16-192.0.2.17# - 0 1, drop);
pair :: IPAddrPairRewriter(pattern 192.0.2.32 - 0 1, drop);
trw  :: TCPRewriter(pattern 192.0.2.48 - - - 0 1, drop);
urw  :: UDPRewriter(pattern 192.0.2.64 5000-5001# - - 0 1, drop);
cls[0] -> [0]rw;    cls[1] -> [1]rw;
cls[2] -> [0]ping;  cls[3] -> [1]ping;
cls[4] -> [0]addr;  cls[5] -> [1]addr;
cls[6] -> [0]pair;  cls[7] -> [1]pair;
cls[8] -> [0]trw;   cls[9] -> [1]trw;
cls[10] -> [0]urw;  cls[11] -> [1]urw;
rw[0] -> ToDump($OUT/port0.pcap, ENCAP IP);    rw[1] -> ToDump($OUT/port1.pcap, ENCAP IP);
ping[0] -> ToDump($OUT/port2.pcap, ENCAP IP);  ping[1] -> ToDump($OUT/port3.pcap, ENCAP IP);
addr[0] -> ToDump($OUT/port4.pcap, ENCAP IP);  addr[1] -> ToDump($OUT/port5.pcap, ENCAP IP);
pair[0] -> ToDump($OUT/port6.pcap, ENCAP IP);  pair[1] -> ToDump($OUT/port7.pcap, ENCAP IP);
trw[0] -> ToDump($OUT/port8.pcap, ENCAP IP);   trw[1] -> ToDump($OUT/port9.pcap, ENCAP IP);
urw[0] -> ToDump($OUT/port10.pcap, ENCAP IP);  urw[1] -> ToDump($OUT/port11.pcap, ENCAP IP);
DriverManager(wait_stop, label drain, wait 1ms, goto drain $(gt $(q.length) 0),
              print "rw: $(rw.nmappings) mappings, $(rw.mapping_failures) failures",
              print "ping: $(ping.nmappings), addr: $(addr.nmappings), pair: $(pair.nmappings), tcp: $(trw.nmappings), udp: $(urw.nmappings)",
              stop);
