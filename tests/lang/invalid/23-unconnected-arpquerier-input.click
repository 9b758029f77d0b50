// Error at line 2: 'arpq' (ARPQuerier, 2 inputs) input 1 (ARP replies) is not connected.
arpq :: ARPQuerier(10.0.0.1, 02:00:00:00:00:01);
FromDevice(eth0) -> Strip(14) -> CheckIPHeader -> GetIPAddress(16) -> arpq -> Queue -> ToDevice(eth0);
