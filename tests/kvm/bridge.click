// Two NICs joined: every frame that arrives on one leaves on the other,
// counted on the way. The virtio-net driver's test (tests/tests/kvm_net.rs),
// which also names the NICs by MAC address with -D A=… -D B=….
define($A eth0, $B eth1);
FromDevice($A) -> in0 :: Counter -> Queue(256) -> ToDevice($B);
FromDevice($B) -> in1 :: Counter -> Queue(256) -> ToDevice($A);
