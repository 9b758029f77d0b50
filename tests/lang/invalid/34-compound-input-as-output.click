// Error (compound 'Bad', line 2): pseudoelement 'input' may only be used as an output -- line 3 connects into it.
elementclass Bad {
  input -> Counter -> input;
}
Idle -> Bad -> Discard;
