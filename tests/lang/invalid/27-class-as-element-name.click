// Error at line 2: class 'Counter' used as element name. (A follow-on "not connected" error for the rejected declaration is acceptable.)
Counter :: Queue;
FromDevice(eth0) -> Queue -> ToDevice(eth0);
