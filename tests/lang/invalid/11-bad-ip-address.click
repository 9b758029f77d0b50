// Error at line 2, ARPResponder's config: '10.0.0.300' is not an IP address.
FromDevice(eth0) -> ARPResponder(10.0.0.300 02:00:00:00:00:01) -> Queue -> ToDevice(eth0);
