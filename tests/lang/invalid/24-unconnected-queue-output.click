// Error at line 2: output 0 of 'q' (Queue) is not connected.
FromDevice(eth0) -> q :: Queue;
