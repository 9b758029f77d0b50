// Error at line 3: undeclared element 'cnt' (only 'cnt1' exists); hint: did you mean 'cnt1'.
cnt1 :: Counter;
Idle -> cnt -> Discard;
Idle -> cnt1 -> Discard;
