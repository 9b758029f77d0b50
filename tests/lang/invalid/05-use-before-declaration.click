// Error at line 3: undeclared element 'c' -- an element must be declared before its first use;
// the declaration on line 4 does not reach back. (Line 5 connects c properly, so no other error.)
Idle -> c;
c :: Counter -> Discard;
Idle -> c;
