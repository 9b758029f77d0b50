// Error at line 5: class 'Loop' used inside its own definition. Under Click's lexical scoping a class
// is visible only after its closing brace, so Click reports "undeclared element 'Loop'"; an
// implementation that resolves classes later must report the recursion instead. Either way: error, line 5.
elementclass Loop {
  input -> Counter -> Loop -> output;
}
Idle -> Loop -> Discard;
