// Discard is agnostic: behind a Queue it becomes a pulling sink.
FromDevice(eth0) -> Queue -> Discard;
