// Error at line 2: expected element type name after 'elementclass'.
elementclass { input -> Counter -> output }
Idle -> Discard;
