// error: line 3: `rt` output 1 is not connected — a route sends to output 2, so outputs 0 to 2 exist.
Idle
  -> rt :: RadixIPLookup(10.0.0.0/8 0, 0.0.0.0/0 2);
rt [0] -> Discard;
rt [2] -> Discard;
