// Error at line 8: no overload of 'Q' takes 3 arguments; candidates: Q (0 arguments, line 4)
// and Q($cap) (1 argument, line 6).
elementclass Q {
  input -> Queue -> output
||
  $cap | input -> Queue($cap) -> output
}
FromDevice(eth0) -> Q(1, 2, 3) -> ToDevice(eth0);
