// A compound whose formals feed several element classes of the VNF set (IP, MAC, ethertype).
elementclass Encap {
  $type, $src, $dst |
  input -> EtherEncap($type, $src, $dst) -> output;
}
FromDevice(eth0) -> Strip(14) -> Encap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> Queue -> ToDevice(eth1);
