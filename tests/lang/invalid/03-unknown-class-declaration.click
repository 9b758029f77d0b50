// Error at line 2: unknown element class 'ARPResponse' in a declaration; hint: did you mean 'ARPResponder'.
ar :: ARPResponse(10.0.0.1 02:00:00:00:00:01);
FromDevice(eth0) -> ar -> Queue -> ToDevice(eth0);
