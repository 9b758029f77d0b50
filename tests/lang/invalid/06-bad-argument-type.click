// Error at line 2, Queue's config: argument CAPACITY expects an unsigned integer, got 'lots'.
FromDevice(eth0) -> Queue(lots) -> ToDevice(eth0);
