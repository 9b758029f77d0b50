// Push -> Queue -> pull, then Unqueue pulls and pushes again; Discard then runs in push mode.
FromDevice(eth0) -> Queue(64) -> Counter -> Unqueue -> Counter -> Discard;
