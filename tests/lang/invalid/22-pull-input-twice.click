// Error at line 6: pull input 0 of 'out' is connected twice (first on line 5); a pull input has one source.
out :: ToDevice(eth0);
FromDevice(eth0) -> q1 :: Queue;
FromDevice(eth1) -> q2 :: Queue;
q1 -> out;
q2 -> out;
