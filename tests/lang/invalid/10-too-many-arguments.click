// Error at line 3: too many arguments to Strip (takes one, got two).
// Error at line 4: too many arguments to DecIPTTL (takes no positional argument).
FromDevice(eth0) -> Strip(14, 2) -> Discard;
FromDevice(eth1) -> DecIPTTL(5) -> Discard;
