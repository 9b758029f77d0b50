// Error (compound 'Gap', line 2): input 1 unused -- the body uses input 0 and input 2 but not input 1.
elementclass Gap {
  input [0] -> Discard;
  input [2] -> Discard;
}
g :: Gap;
Idle -> [0] g;
Idle -> [2] g;
