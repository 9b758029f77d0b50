// Error at line 2: '$CAPACITY' is not defined, so Queue receives the literal text '$CAPACITY'
// (Click leaves unknown variables unexpanded) and rejects it; nfc should name the undefined variable.
FromDevice(eth0) -> Queue($CAPACITY) -> ToDevice(eth0);
