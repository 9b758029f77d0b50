// Error at line 3: agnostic 'c' is pushed to by FromDevice and pulled from by ToDevice -- push/pull
// conflict at 'c' (push output of FromDevice reaches a pull input without a Queue); hint: insert a Queue.
FromDevice(eth0) -> c :: Counter -> ToDevice(eth1);
