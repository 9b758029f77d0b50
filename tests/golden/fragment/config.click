// IPFragmenter(100) on raw IP, packet by packet (a Queue and
// Unqueue(BURST 1) in front, so each packet's fragments leave together):
// packets up to 100 bytes pass, longer ones leave as fragments (port 0);
// DF packets go to ICMPError (needfrag, PMTU 100) and FixIPSrc (port 1).
// CheckLength(100) then confirms every piece fits: port 2 holds what does
// not (nothing).
src :: FromDump($IN, STOP true) -> q :: Queue -> Unqueue(BURST 1) -> frag :: IPFragmenter(100)
  -> cl :: CheckLength(100) -> ToDump($OUT/port0.pcap, ENCAP IP);
frag[1] -> ICMPError(10.0.0.1, unreachable, needfrag, PMTU 100) -> FixIPSrc(10.0.0.1)
        -> ToDump($OUT/port1.pcap, ENCAP IP);
cl[1] -> ToDump($OUT/port2.pcap, ENCAP IP);
DriverManager(wait_stop, label drain, wait 1ms, goto drain $(gt $(q.length) 0),
              print "frag: $(frag.fragments) fragments, $(frag.drops) drops", stop);
