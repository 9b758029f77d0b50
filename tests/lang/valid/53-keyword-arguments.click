// Keyword arguments: `Queue(CAPACITY 100)`, `InfiniteSource(LIMIT 10, STOP true)`, mixed with positional ones.
InfiniteSource(LIMIT 10, STOP true, BURST 2)
  -> CheckIPHeader(OFFSET 14, VERBOSE true)
  -> q :: Queue(CAPACITY 100)
  -> ToDevice(eth0);
