// Language-only check: LookupIPRoute (an undeclared class in Click 2.1's tree) in an old-style router path.
rt :: LookupIPRoute(10.0.0.0/8 0, 0.0.0.0/0 10.0.0.1 1);
FromDevice(eth0) -> Strip(14) -> CheckIPHeader -> GetIPAddress(16) -> rt;
rt[0] -> Discard;
rt[1] -> Discard;
