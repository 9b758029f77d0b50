// Error at line 3: syntax error: port number should be an integer (`[x]`).
c :: Classifier(12/0800, -);
Idle -> c; c [x] -> Discard;
c [0] -> Discard;
