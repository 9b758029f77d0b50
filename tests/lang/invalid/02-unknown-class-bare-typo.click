// Error at line 2 `Countr`: not a class and not a declared element ('undeclared element' in Click); hint: did you mean class 'Counter'.
Idle -> Countr -> Discard;
