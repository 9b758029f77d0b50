// Lower-case `counter` is an element name, not the class `Counter` (names are case-sensitive).
counter :: Counter;
queue :: Queue;
FromDevice(eth0) -> counter -> queue -> ToDevice(eth0);
