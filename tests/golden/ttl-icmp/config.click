// A router's TTL and ICMP handling on raw IP. Echo requests for 10.0.0.1
// are answered by ICMPPingResponder (port 0). Everything else has its TTL
// decremented by DecIPTTL (port 2); expired packets get an ICMP time
// exceeded from ICMPError, whose source FixIPSrc sets (port 3), unless no
// error may be sent about them. IPPrint shows the replies and errors.
src :: FromDump($IN, STOP true) -> CheckIPHeader
  -> ipc :: IPClassifier(dst host 10.0.0.1 and icmp type echo, -);
ipc[0] -> pr :: ICMPPingResponder -> IPPrint(reply, TIMESTAMP false, TTL true)
       -> ToDump($OUT/port0.pcap, ENCAP IP);
pr[1] -> ToDump($OUT/port1.pcap, ENCAP IP);
ipc[1] -> dt :: DecIPTTL -> ToDump($OUT/port2.pcap, ENCAP IP);
dt[1] -> ICMPError(192.168.9.9, timeexceeded) -> FixIPSrc(10.0.0.1)
      -> IPPrint(error, TIMESTAMP false, ID true, TTL true)
      -> ToDump($OUT/port3.pcap, ENCAP IP);
