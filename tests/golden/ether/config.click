// Ethernet: HostEtherFilter for 02:00:00:00:00:01 (DROP_OWN) passes
// frames for this host, broadcast and multicast, and sends frames for
// others, our own looping back and the runt to port 1; DropBroadcasts
// then passes only the unicast ones (port 0) and sends broadcast and
// multicast to port 2. EtherMirror swaps addresses (port 3); EtherRewrite
// sets both (port 4); Strip(14) and EtherEncap(0x88b5, ...) replace the
// whole header (port 5).
src :: FromDump($IN, STOP true) -> t :: Tee(4);
t[0] -> hf :: HostEtherFilter(02:00:00:00:00:01, DROP_OWN true)
     -> db :: DropBroadcasts -> ToDump($OUT/port0.pcap);
hf[1] -> ToDump($OUT/port1.pcap);
db[1] -> ToDump($OUT/port2.pcap);
t[1] -> EtherMirror -> ToDump($OUT/port3.pcap);
t[2] -> EtherRewrite(0a:00:00:00:00:0a, 0b:00:00:00:00:0b) -> ToDump($OUT/port4.pcap);
t[3] -> Strip(14) -> EtherEncap(0x88b5, 0c:00:00:00:00:0c, 0d:00:00:00:00:0d)
     -> ToDump($OUT/port5.pcap);
