// Error (compound 'Bad', line 2): pseudoelement 'output' may only be used as an input -- line 4 takes packets from it.
elementclass Bad {
  input -> output;
  output -> Discard;
}
Idle -> Bad -> Discard;
