// A source-only compound (no input) and a sink-only compound (no output).
elementclass Source { FromDevice(eth0) -> Counter -> output }
elementclass Sink   { input -> Queue -> ToDevice(eth1) }
Source -> Sink;
