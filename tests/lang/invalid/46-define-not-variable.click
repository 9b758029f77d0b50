// Error at line 2: bad 'define' declaration: 'X' is not a variable (missing '$').
define(X 10);
FromDevice(eth0) -> Queue -> ToDevice(eth0);
