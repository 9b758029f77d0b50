// A fake-iprouter-style forwarding path: lookup, DropBroadcasts, CheckPaint, IPGWOptions, FixIPSrc,
// DecIPTTL, IPFragmenter, with ICMPError outputs fed back into the routing table (a cycle).
rt :: RadixIPLookup(192.0.2.1/32 0, 192.0.2.0/24 1, 0.0.0.0/0 192.0.2.254 1);
FromDevice(eth0) -> Strip(14) -> Paint(1) -> CheckIPHeader -> GetIPAddress(16) -> rt;
rt[0] -> Discard;
rt[1] -> DropBroadcasts
      -> cp :: CheckPaint(1)
      -> gio :: IPGWOptions(192.0.2.1)
      -> FixIPSrc(192.0.2.1)
      -> dt :: DecIPTTL
      -> fr :: IPFragmenter(576)
      -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02)
      -> Queue -> ToDevice(eth0);
cp[1]  -> ICMPError(192.0.2.1, redirect, host) -> rt;
gio[1] -> ICMPError(192.0.2.1, parameterproblem) -> rt;
dt[1]  -> ICMPError(192.0.2.1, timeexceeded) -> rt;
fr[1]  -> ICMPError(192.0.2.1, unreachable, needfrag) -> rt;
