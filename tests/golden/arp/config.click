// ARP, packet by packet (a Queue and Unqueue(BURST 1) in front keep the
// input order across Classifier's outputs): ARPResponder answers requests
// for 10.0.0.1 (port 0) and sends the others to port 1; ARP replies teach
// ARPQuerier, which puts Ethernet headers on IP packets (port 2) or holds
// them and sends queries (port 3). Everything else goes to port 4.
src :: FromDump($IN, STOP true) -> q :: Queue -> Unqueue(BURST 1)
  -> c :: Classifier(12/0806 20/0001, 12/0806 20/0002, 12/0800, -);
c[0] -> ar :: ARPResponder(10.0.0.1/32 02:00:00:00:00:01) -> ToDump($OUT/port0.pcap);
ar[1] -> ToDump($OUT/port1.pcap);
c[1] -> [1] aq :: ARPQuerier(10.0.0.1, 02:00:00:00:00:01);
c[2] -> Strip(14) -> CheckIPHeader -> GetIPAddress(16) -> [0] aq;
aq[0] -> ToDump($OUT/port2.pcap);
aq[1] -> ToDump($OUT/port3.pcap);
c[3] -> ToDump($OUT/port4.pcap);

DriverManager(wait_stop, label drain, wait 1ms, goto drain $(gt $(q.length) 0),
              print "aq: $(aq.stats)", stop);
