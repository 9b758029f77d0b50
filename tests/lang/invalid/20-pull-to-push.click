// Error at line 3: pull output 0 of 'q' (Queue) connected to push input 0 of 't' (Tee); hint: use Unqueue.
t :: Tee(2);
FromDevice(eth0) -> q :: Queue -> t;
t [0], t [1] -> Discard;
