// Error at line 6: 'b' (compound Box, 1 input) has no input 1.
elementclass Box {
  input -> Counter -> output
}
Idle -> b :: Box -> Discard;
Idle -> [1] b;
