// Error at line 2 `Queu(10)`: unknown element class 'Queu', with a did-you-mean hint for 'Queue'.
FromDevice(eth0) -> Queu(10) -> ToDevice(eth0);
