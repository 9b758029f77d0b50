// Error at line 2: variable '$X' defined twice in the same define (parameter '$X' multiply defined).
define($X 1, $X 2);
Idle -> Paint($X) -> Discard;
