// Route lookups on raw IP, packet by packet (a Queue and Unqueue(BURST 1)
// in front keep the input order where RadixIPLookup's outputs meet), by
// the destination annotation GetIPAddress(16) sets. StaticIPLookup's outputs are ports 0-3. RadixIPLookup's outputs
// feed an ARPQuerier whose queries (port 4) name each packet's next hop:
// the gateway of its route, or its own destination; SetIPAddress makes
// default-route packets ask for 192.168.0.77 instead. LookupIPRoute, with
// no default route, sends to ports 5 and 6 and drops the rest.
src :: FromDump($IN, STOP true) -> q :: Queue -> Unqueue(BURST 1)
  -> CheckIPHeader -> GetIPAddress(16) -> t :: Tee(3);
t[0] -> st :: StaticIPLookup(10.0.0.0/8 0, 10.1.0.0/16 10.1.0.254 1, 10.1.2.0/24 2,
                             0.0.0.0/0 192.168.0.1 3);
st[0] -> ToDump($OUT/port0.pcap, ENCAP IP);
st[1] -> ToDump($OUT/port1.pcap, ENCAP IP);
st[2] -> ToDump($OUT/port2.pcap, ENCAP IP);
st[3] -> ToDump($OUT/port3.pcap, ENCAP IP);
t[1] -> rx :: RadixIPLookup(10.0.0.0/8 0, 10.1.0.0/16 10.1.0.254 1, 10.1.2.0/24 2,
                            0.0.0.0/0 192.168.0.1 3);
aq :: ARPQuerier(10.0.0.1, 02:00:00:00:00:01);
rx[0] -> aq; rx[1] -> aq; rx[2] -> aq;
rx[3] -> SetIPAddress(192.168.0.77) -> aq;
Idle -> [1] aq;
aq[0] -> ToDump($OUT/port7.pcap);
aq[1] -> ToDump($OUT/port4.pcap);
t[2] -> lr :: LookupIPRoute(10.1.2.0/24 0, 10.0.0.0/8 1);
lr[0] -> ToDump($OUT/port5.pcap, ENCAP IP);
lr[1] -> ToDump($OUT/port6.pcap, ENCAP IP);

DriverManager(wait_stop, label drain, wait 1ms, goto drain $(gt $(q.length) 0), stop);
