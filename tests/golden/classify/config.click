// Classification: Classifier on Ethernet types (IPv4, ARP requests, ARP
// replies, the rest); IPClassifier on the IP packets (ports 3-8); IPFilter
// on a copy of them, with allow, an output number and deny (ports 9-10).
src :: FromDump($IN, STOP true)
  -> c :: Classifier(12/0800, 12/0806 20/0001, 12/0806 20/0002, -);
c[1] -> ToDump($OUT/port0.pcap);
c[2] -> ToDump($OUT/port1.pcap);
c[3] -> ToDump($OUT/port2.pcap);
c[0] -> Strip(14) -> CheckIPHeader -> t :: Tee(2);
t[0] -> ipc :: IPClassifier(tcp dst port 80 and tcp opt syn,
                            src net 10.0.5.0/24 and tcp,
                            udp port 53,
                            icmp type echo-reply or ip frag,
                            icmp,
                            -);
ipc[0] -> ToDump($OUT/port3.pcap, ENCAP IP);
ipc[1] -> ToDump($OUT/port4.pcap, ENCAP IP);
ipc[2] -> ToDump($OUT/port5.pcap, ENCAP IP);
ipc[3] -> ToDump($OUT/port6.pcap, ENCAP IP);
ipc[4] -> ToDump($OUT/port7.pcap, ENCAP IP);
ipc[5] -> ToDump($OUT/port8.pcap, ENCAP IP);
t[1] -> ipf :: IPFilter(deny udp dst port 9,
                        allow src host 10.0.0.2,
                        1 icmp or tcp port 22,
                        deny all);
ipf[0] -> ToDump($OUT/port9.pcap, ENCAP IP);
ipf[1] -> ToDump($OUT/port10.pcap, ENCAP IP);
