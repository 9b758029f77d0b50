// Error at end of file (group opened at line 2): expected ')'.
Idle -> ( input -> Counter -> output
  -> Discard;
