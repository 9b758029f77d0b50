// Error at line 2: input port 1 of 'Counter@2' (Counter, 1 input) is out of range.
Idle -> [1] Counter -> Discard;
