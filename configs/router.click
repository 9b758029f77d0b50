// router.click -- a two-interface IPv4 router, in the spirit of Click's
// fake-iprouter.click (the SOSP router), with real devices and ARP.
//
//   192.0.2.0/24 ---- eth0 [ router ] eth1 ---- 198.51.100.0/24 (default route)
//
// What it does, per RFC 1812 as Click's IP router does:
//   - ARP: answers for its own address on each interface, resolves next hops;
//   - validates IPv4 headers (CheckIPHeader), drops link-level broadcasts
//     that would be forwarded (DropBroadcasts), processes IP options
//     (IPGWOptions), fixes the source of its own ICMP errors (FixIPSrc),
//     decrements TTL (DecIPTTL) and fragments to the link MTU (IPFragmenter);
//   - sends ICMP errors: time exceeded, fragmentation needed, parameter
//     problem, redirect (a packet leaves on the interface it arrived on) and
//     net unreachable for prefixes that must not be routed ($UNROUTED);
//   - answers ping on its own addresses.
//
// Routing table (RadixIPLookup) outputs:
//   0 the router itself, 1 out eth0, 2 out eth1, 3 unroutable (ICMP error).
//
// Per-site settings are the defines below; override them without editing
// this file, e.g.
//   nfc check router.click -D GATEWAY=198.51.100.1 -D MTU=9000

define(
  $DEV0      eth0,
  $IP0       192.0.2.1,
  $NET0      192.0.2.0,
  $PREFIX0   24,
  $MAC0      02:00:00:00:00:01,

  $DEV1      eth1,
  $IP1       198.51.100.1,
  $NET1      198.51.100.0,
  $PREFIX1   24,
  $MAC1      02:00:00:00:00:02,

  $GATEWAY   198.51.100.254,    // default route, reached through eth1
  $UNROUTED  10.0.0.0/8,        // answered with ICMP net unreachable
  $MTU       1500,
  $QUEUE_LEN 1024
);


// ---------------------------------------------------------------------------
// One router interface: device I/O, ARP, and the forwarding output path.
//
//   input 0   routed IPv4 packets to send on this interface; the destination
//             IP annotation holds the next hop (set by the routing table)
//   output 0  IPv4 packets received on this interface, Ethernet header
//             stripped, painted $color (the interface number + 1)
//   output 1  ICMP errors generated on the output path, to be routed

elementclass RouterPort {
  $dev, $ip, $mac, $color, $mtu, $qlen |

  // Device and ARP.
  out :: Queue($qlen) -> tx :: ToDevice($dev);
  arpq :: ARPQuerier($ip, $mac) -> out;

  rx :: FromDevice($dev)
    -> HostEtherFilter($mac)          // drop unicast frames for other hosts
    -> cls :: Classifier(12/0806 20/0001,   // [0] ARP requests
                         12/0806 20/0002,   // [1] ARP replies
                         12/0800,           // [2] IPv4
                         -);                // [3] other
  cls[0] -> ARPResponder($ip $mac) -> out;
  cls[1] -> [1]arpq;
  cls[2] -> Strip(14) -> Paint($color) -> [0]output;
  cls[3] -> Discard;

  // Output path.
  gio :: IPGWOptions($ip);
  dt  :: DecIPTTL;
  fr  :: IPFragmenter($mtu);

  input -> DropBroadcasts
        -> cp :: CheckPaint($color);
  // A packet leaving on the interface it arrived on is still forwarded, and
  // its sender is told about the better next hop.
  cp[0] -> redirect :: Tee(2) -> gio;
  cp[1] -> gio;
  redirect[1] -> ICMPError($ip, redirect, host) -> [1]output;

  gio -> FixIPSrc($ip) -> dt -> fr -> [0]arpq;

  gio[1] -> ICMPError($ip, parameterproblem) -> [1]output;
  dt[1]  -> ICMPError($ip, timeexceeded) -> [1]output;
  fr[1]  -> ICMPError($ip, unreachable, needfrag, PMTU $mtu) -> [1]output;
}

p0 :: RouterPort($DEV0, $IP0, $MAC0, 1, $MTU, $QUEUE_LEN);
p1 :: RouterPort($DEV1, $IP1, $MAC1, 2, $MTU, $QUEUE_LEN);


// ---------------------------------------------------------------------------
// Routing.

rt :: RadixIPLookup(${IP0}/32 0,
                    ${IP1}/32 0,
                    $NET0/$PREFIX0 1,
                    $NET1/$PREFIX1 2,
                    $UNROUTED 3,
                    0.0.0.0/0 $GATEWAY 2);

// Everything that is routed enters here: the lookup needs the destination
// address in the annotation.
rt_in :: GetIPAddress(16) -> rt;

p0[0], p1[0] -> ip :: CheckIPHeader(INTERFACES ${IP0}/${PREFIX0} ${IP1}/${PREFIX1})
             -> rt_in;
ip[1] -> Counter -> Discard;            // malformed IPv4 headers

p0[1], p1[1] -> rt_in;                  // ICMP errors from the output paths

rt[1] -> [0]p0;
rt[2] -> [0]p1;
rt[3] -> ICMPError($IP0, unreachable, net) -> rt_in;

// Packets for the router itself: answer pings, drop the rest.
rt[0] -> local :: IPClassifier(icmp type echo, -);
local[0] -> ICMPPingResponder -> rt_in;
local[1] -> Discard;
