// Optional second outputs (1/1-2 ports) may be left unconnected or connected; both forms are valid.
FromDevice(eth0) -> Strip(14) -> a :: CheckIPHeader -> b :: CheckIPHeader -> Discard;
a[1] -> Counter -> Discard;
