// Error at line 2: input 0 of 'c' (Counter) is not connected.
c :: Counter;
c -> Discard;
