// Error at line 3: redeclaration of element 'a' (previously declared at line 2).
a :: Counter;
a :: Queue;
Idle -> a -> Discard;
