// Error at line 2: element name '12' has an all-digit component.
12 :: Counter;
Idle -> 12 -> Discard;
