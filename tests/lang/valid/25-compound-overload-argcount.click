// Overloads separated by `||`, chosen by argument count: Q -> Queue, Q(5) -> Queue(5).
elementclass Q {
  input -> Queue -> output
||
  $cap | input -> Queue($cap) -> output
}
FromDevice(eth0) -> Q -> ToDevice(eth0);
FromDevice(eth1) -> Q(5) -> ToDevice(eth1);
