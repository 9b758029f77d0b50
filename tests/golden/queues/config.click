// Queues: RoundRobinSwitch deals ten datagrams (source ports 1001-1010)
// to a Queue of 3 and a SimpleQueue of 2 whose Unqueues are inactive
// until FromDump is done, so each queue sees every packet before any is
// pulled. What does not fit leaves the queue's output 1. Then the
// DriverManager starts both Unqueues and stops once the queues are empty.
// A third Queue is emptied by a pulling Discard; Idle sends nothing.
src :: FromDump($IN, STOP true) -> t :: Tee(2);
t[0] -> rr :: RoundRobinSwitch;
rr[0] -> q :: Queue(CAPACITY 3) -> u :: Unqueue(BURST 2, ACTIVE false) -> ToDump($OUT/port0.pcap);
q[1] -> ToDump($OUT/port1.pcap);
rr[1] -> sq :: SimpleQueue(2) -> su :: Unqueue(ACTIVE false) -> ToDump($OUT/port2.pcap);
sq[1] -> ToDump($OUT/port3.pcap);
t[1] -> dq :: Queue -> d :: Discard(BURST 4);
Idle -> ToDump($OUT/port4.pcap);

DriverManager(wait_stop,
              write u.active true, write su.active true,
              label drain, wait 1ms,
              goto drain $(gt $(add $(q.length) $(sq.length) $(dq.length)) 0),
              print "u: $(u.count), su: $(su.count), d: $(d.count)",
              print "q: drops $(q.drops) highwater $(q.highwater_length)",
              print "sq: drops $(sq.drops) highwater $(sq.highwater_length)",
              stop);
