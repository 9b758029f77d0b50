// The rewriter elements that name others, on raw IP, packet by packet (a
// Queue and Unqueue(BURST 1) in front, so that each reply and each ICMP
// error comes after the packet it answers).
//
// IPRewriterPatterns names two patterns. IPRewriter `rw` (TCP) and
// UDPRewriter `urw` (UDP) both use `out`, so they share its in-order
// allocation of ports 1024-1025; ICMPPingRewriter `ping` uses `ping`.
// RoundRobinIPMapper `rr` balances connections to 192.0.2.80:80 over two
// patterns in turn, each with its own outputs: 10.0.9.1 (ports 0/1 of
// `lb`) and 10.0.9.2:8080 from 192.0.2.99:2000-2001 (ports 2/3).
// ICMPRewriter `errors` translates ICMP errors by the flows of rw, urw and
// ping (output 0) and of lb (outputs 2 + lb's output for the direction);
// what it does not translate leaves on output 1.
//
// Ports: rw 0/1, urw 2/3, ping 4/5, lb 6-9, errors 10-15.
IPRewriterPatterns(out 192.0.2.1 1024-1025# - -,
                   ping 192.0.2.1 7000-7009# - -);
rr :: RoundRobinIPMapper(- - 10.0.9.1 - 0 1,
                         192.0.2.99 2000-2001# 10.0.9.2 8080 2 3);

src :: FromDump($IN, STOP true) -> q :: Queue -> Unqueue(BURST 1) -> CheckIPHeader
  -> cls :: IPClassifier(src net 10.0.0.0/24 and icmp type echo,
                         dst host 192.0.2.1 and icmp type echo-reply,
                         icmp,
                         src net 10.0.0.0/24 and tcp,
                         src net 10.0.0.0/24 and udp,
                         dst host 192.0.2.1 and tcp,
                         dst host 192.0.2.1 and udp,
                         dst host 192.0.2.80,
                         src net 10.0.9.0/24);
rw     :: IPRewriter(pattern out 0 1, drop);
urw    :: UDPRewriter(pattern out 0 1, drop);
ping   :: ICMPPingRewriter(pattern ping 0 1, drop);
lb     :: IPRewriter(rr, drop);
errors :: ICMPRewriter(rw urw ping lb:2);
cls[0] -> [0]ping;  cls[1] -> [1]ping;  cls[2] -> errors;
cls[3] -> [0]rw;    cls[4] -> [0]urw;
cls[5] -> [1]rw;    cls[6] -> [1]urw;
cls[7] -> [0]lb;    cls[8] -> [1]lb;
rw[0] -> ToDump($OUT/port0.pcap, ENCAP IP);     rw[1] -> ToDump($OUT/port1.pcap, ENCAP IP);
urw[0] -> ToDump($OUT/port2.pcap, ENCAP IP);    urw[1] -> ToDump($OUT/port3.pcap, ENCAP IP);
ping[0] -> ToDump($OUT/port4.pcap, ENCAP IP);   ping[1] -> ToDump($OUT/port5.pcap, ENCAP IP);
lb[0] -> ToDump($OUT/port6.pcap, ENCAP IP);     lb[1] -> ToDump($OUT/port7.pcap, ENCAP IP);
lb[2] -> ToDump($OUT/port8.pcap, ENCAP IP);     lb[3] -> ToDump($OUT/port9.pcap, ENCAP IP);
errors[0] -> ToDump($OUT/port10.pcap, ENCAP IP);
errors[1] -> ToDump($OUT/port11.pcap, ENCAP IP);
errors[2] -> ToDump($OUT/port12.pcap, ENCAP IP);
errors[3] -> ToDump($OUT/port13.pcap, ENCAP IP);
errors[4] -> ToDump($OUT/port14.pcap, ENCAP IP);
errors[5] -> ToDump($OUT/port15.pcap, ENCAP IP);
DriverManager(wait_stop, label drain, wait 1ms, goto drain $(gt $(q.length) 0),
              print "rw: $(rw.nmappings) mappings, $(rw.mapping_failures) failures; urw: $(urw.nmappings); ping: $(ping.nmappings)",
              print "lb: $(lb.nmappings) mappings, $(lb.mapping_failures) failures",
              print "errors: $(errors.translated) translated, $(errors.unmapped) unmapped",
              stop);
