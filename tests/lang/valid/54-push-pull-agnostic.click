// Agnostic Counters take the mode of their neighbours: `in` becomes push, `out` becomes pull.
FromDevice(eth0) -> in :: Counter -> Queue -> out :: Counter -> ToDevice(eth1);
