// Four errors, all must be reported (not just the first):
//   line 6: unknown element class 'Coutner' (did you mean 'Counter');
//   line 7: undeclared element 'sink';
//   line 8: Strip: LENGTH expects an unsigned integer, got 'x';
//   line 9: Counter has no output 1 (port out of range).
Idle -> Coutner() -> Discard;
Idle -> sink;
Idle -> Strip(x) -> Discard;
Idle -> c :: Counter -> Discard; c [1] -> Discard;
