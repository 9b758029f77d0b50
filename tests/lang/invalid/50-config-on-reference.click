// Error at line 3: configuration string ignored on element reference -- 'c' is already declared.
c :: Counter;
Idle -> c(5) -> Discard;
