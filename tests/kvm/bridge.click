// Two NICs joined: every frame that arrives on one leaves on the other,
// counted on the way. The virtio-net driver's test (tests/tests/kvm_net.rs).
FromDevice(eth0) -> in0 :: Counter -> Queue(256) -> ToDevice(eth1);
FromDevice(eth1) -> in1 :: Counter -> Queue(256) -> ToDevice(eth0);
