// Error at line 4: output port 1 of 'c' (Counter, 1 output) is out of range.
c :: Counter;
Idle -> c -> Discard;
c [1] -> Discard;
