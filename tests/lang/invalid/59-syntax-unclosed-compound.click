// Error at end of file (compound opened at line 2): expected '}'.
elementclass Open {
  input -> Counter -> output;
Idle -> Discard;
