// Error at line 2: push output 0 of 'FromDevice@1' connected to pull input 0 of 'ToDevice@2'; hint: insert a Queue.
FromDevice(eth0) -> ToDevice(eth1);
