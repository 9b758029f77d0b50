// Error at line 4: undeclared element 'shared' -- a compound opens a new scope for element names,
// so the top-level 'shared' (line 3) is not visible inside 'C'.
shared :: Counter;
elementclass C { input -> shared -> output }
Idle -> C -> Discard;
Idle -> shared -> Discard;
