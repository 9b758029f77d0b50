// An agnostic source may be pulled: InfiniteSource and Counter resolve to pull because ToDevice pulls.
InfiniteSource(LIMIT 5, STOP true) -> Counter -> ToDevice(eth0);
