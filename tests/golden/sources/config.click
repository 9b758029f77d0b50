// Sources: InfiniteSource (BURST 2), RatedSource and TimedSource each
// send their LIMIT of packets; Counter and AverageCounter count them on
// the way, Null passes them, Discard takes a fourth source's. The
// DriverManager waits until every source is done, prints the counts and
// stops.
inf :: InfiniteSource(DATA \<02000000000102000000000208004500002400010000401166c60a0000020a0000010bb907d00010259c696e66696e697465>,
                      LIMIT 3, BURST 2)
  -> c :: Counter -> ToDump($OUT/port0.pcap);
rated :: RatedSource(DATA \<02000000000102000000000208004500002100020000401166c80a0000020a0000010bba07d0000d8d807261746564>,
                     RATE 1000, LIMIT 2)
  -> ac :: AverageCounter -> Null -> ToDump($OUT/port1.pcap);
timed :: TimedSource(INTERVAL 0.002, DATA \<02000000000102000000000208004500002100030000401166c70a0000020a0000010bbb07d0000d927774696d6564>,
                     LIMIT 2)
  -> ToDump($OUT/port2.pcap);
sink :: InfiniteSource(LIMIT 5, BURST 5) -> dc :: Counter -> d :: Discard;

DriverManager(label wait, wait 1ms,
              goto wait $(lt $(add $(c.count) $(ac.count) $(timed.count) $(d.count)) 12),
              print "c: $(c.count) packets, $(c.byte_count) bytes",
              print "ac: $(ac.count) packets, $(ac.byte_count) bytes",
              print "timed: $(timed.count) packets",
              print "d: $(d.count) packets, dc: $(dc.byte_count) bytes",
              stop);
