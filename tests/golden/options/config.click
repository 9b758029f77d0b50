// IPGWOptions(10.0.0.254) on raw IP: Record Route and Timestamp options
// are updated (port 0); malformed options go to ICMPError's parameter
// problem, whose pointer IPGWOptions set (port 1).
src :: FromDump($IN, STOP true) -> CheckIPHeader
  -> gw :: IPGWOptions(10.0.0.254, 10.0.0.253) -> ToDump($OUT/port0.pcap, ENCAP IP);
gw[1] -> ICMPError(10.0.0.254, parameterproblem) -> ToDump($OUT/port1.pcap, ENCAP IP);
