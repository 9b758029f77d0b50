// Error at line 6: no match for 'P' with 1 argument, 1 input, 1 output; the only candidate
// (line 3) takes 2 arguments.
elementclass P {
  $a, $b | input -> Paint($a) -> Paint($b) -> output
}
Idle -> P(1) -> Discard;
