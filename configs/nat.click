// nat.click -- source NAT (NAPT) for one customer.
//
//   customer LAN ---- eth0 [ NAT ] eth1 ---- provider gateway ---- Internet
//
// Hosts on the customer's private prefix (eth0) reach the Internet through
// one public address on the provider link (eth1):
//
//   TCP, UDP  IPRewriter `rw`: a flow opened from inside gets source
//             $PUBLIC_IP and a free source port from $NAT_PORTS (the
//             host's own port when free); replies are mapped back.
//   ping      ICMPPingRewriter `ping_rw`: echo requests get source
//             $PUBLIC_IP and a free identifier; echo replies come back.
//   errors    ICMPRewriter `errors`: an ICMP error from outside about a
//             translated packet (unreachable, time exceeded, fragmentation
//             needed, ...) is translated back to the inside host, so
//             traceroute and path MTU discovery work through the NAT.
//
// Nothing opens a flow from outside. Fragments other than the first carry
// no ports and are dropped (counted in rw.malformed). The NAT answers ARP
// on both sides and ping on both of its addresses, and finds inside hosts
// and the provider gateway with ARP. A flow is forgotten once idle for its
// timeout: TCP $TCP_TIMEOUT with data both ways, $TCP_NODATA_TIMEOUT
// without, $TCP_DONE_TIMEOUT once closed; UDP $UDP_TIMEOUT; ping
// $PING_TIMEOUT (IPRewriter's and ICMPPingRewriter's defaults: 24 h,
// 5 min, 4 min, 5 min, 5 min). The tables hold $FLOWS and $PING_FLOWS
// flows, evicting the flow closest to its timeout once full; a flow within
// its guarantee ($TCP_GUARANTEE, $UDP_GUARANTEE, $PING_GUARANTEE after
// each packet, 5 s) is neither evicted nor expired, so a table full of
// those refuses new flows, and a timeout shorter than the guarantee acts
// as the guarantee.
//
// Handlers to read (`READ name` on the ControlSocket, or --write/--control
// on `nfc run`):
//   rw.tcp_table, rw.udp_table     the active TCP / UDP mappings, one line
//                                  per direction:
//                                  (10.0.0.2, 40000, 192.0.2.80, 443) =>
//                                  (198.51.100.1, 40000, 192.0.2.80, 443)
//                                  [*0 1] i0 exp86400
//   rw.nmappings                   how many TCP and UDP mappings are active
//   ping_rw.table, ping_rw.nmappings   the same for pings
//   rw.mapping_failures            new flows refused (ports exhausted,
//                                  table full of guaranteed flows)
//   rw.evicted, ping_rw.evicted    flows evicted to make room
//   rw.malformed                   packets dropped as malformed (or
//                                  later fragments)
//   errors.translated              ICMP errors translated back inside
//   untranslated.count             traffic the NAT does not translate
//   bad_ip.count                   failed CheckIPHeader, both sides
// Writing `rw.clear` forgets every mapping.
//
// Per-customer settings are the defines below; override them without
// editing this file, e.g.
//   nfc check nat.click -D PUBLIC_IP=198.51.100.77 -D INSIDE_NET=10.1.0.0/16
//   nfc run nat.click -D UDP_TIMEOUT=30s -D UDP_GUARANTEE=0s

define(
  $INSIDE_DEV   eth0,                // NIC facing the customer
  $OUTSIDE_DEV  eth1,                // NIC facing the provider
  $INSIDE_IP    10.0.0.1,            // NAT address on the customer LAN
  $INSIDE_NET   10.0.0.0/24,         // customer prefix (translated)
  $INSIDE_MAC   02:00:00:00:00:01,
  $PUBLIC_IP    198.51.100.1,        // the customer's public address
  $PUBLIC_NET   198.51.100.0/24,     // provider link prefix
  $PUBLIC_MAC   02:00:00:00:00:02,
  $GATEWAY      198.51.100.254,      // provider gateway (default route)
  $NAT_PORTS    1024-65535,          // source ports handed out
  $FLOWS        16384,               // TCP and UDP mappings held
  $PING_FLOWS   1024,                // ping mappings held
  $TCP_TIMEOUT         24h,          // idle TCP flow, data seen both ways
  $TCP_NODATA_TIMEOUT  5min,         // idle TCP flow, no data both ways
  $TCP_DONE_TIMEOUT    4min,         // TCP flow closed (FIN both ways, RST)
  $TCP_GUARANTEE       5s,           // TCP flow kept after each packet
  $UDP_TIMEOUT         5min,         // idle UDP flow
  $UDP_GUARANTEE       5s,           // UDP flow kept after each packet
  $PING_TIMEOUT        5min,         // idle ping flow
  $PING_GUARANTEE      5s,           // ping flow kept after each packet
  $QUEUE_LEN    1024                 // packets buffered per output NIC
);


// ---------------------------------------------------------------------------
// Devices: frames in on output 0, frames out on input 0 (through a Queue,
// because ToDevice pulls).

elementclass Nic {
  $dev, $qlen |
  FromDevice($dev) -> output;
  input -> Queue($qlen) -> ToDevice($dev);
}

inside  :: Nic($INSIDE_DEV, $QUEUE_LEN);
outside :: Nic($OUTSIDE_DEV, $QUEUE_LEN);

// [0] ARP requests, [1] ARP replies, [2] IPv4, [3] other
in_cls, out_cls :: Classifier(12/0806 20/0001, 12/0806 20/0002, 12/0800, -);
inside  -> in_cls;
outside -> out_cls;


// ---------------------------------------------------------------------------
// ARP on both sides: answer for our own address, resolve next hops.

in_arpq  :: ARPQuerier($INSIDE_IP, $INSIDE_MAC) -> inside;
out_arpq :: ARPQuerier($PUBLIC_IP, $PUBLIC_MAC) -> outside;

in_cls[0]  -> ARPResponder($INSIDE_IP $INSIDE_MAC) -> inside;
in_cls[1]  -> [1]in_arpq;
in_cls[3]  -> Discard;

out_cls[0] -> ARPResponder($PUBLIC_IP $PUBLIC_MAC) -> outside;
out_cls[1] -> [1]out_arpq;
out_cls[3] -> Discard;

// Next hops. Inside: the destination itself. Outside: on-link addresses
// directly, everything else through the provider gateway.
to_inside  :: GetIPAddress(16) -> [0]in_arpq;
to_outside :: RadixIPLookup($PUBLIC_NET 0,
                            0.0.0.0/0 $GATEWAY 0)
           -> [0]out_arpq;

bad_ip       :: Counter -> Discard;   // failed CheckIPHeader
untranslated :: Counter -> Discard;   // traffic the NAT does not handle


// ---------------------------------------------------------------------------
// The translators. Each takes packets from inside on input 0 (a new flow
// gets a mapping from the pattern: source $PUBLIC_IP, a free port or
// identifier, destination unchanged) and packets from outside on input 1
// (only those of a known flow pass). Packets leaving by the public side
// come out of output 0, packets going inside out of output 1.

rw      :: IPRewriter(pattern $PUBLIC_IP $NAT_PORTS - - 0 1, drop,
                      MAPPING_CAPACITY $FLOWS,
                      TCP_TIMEOUT $TCP_TIMEOUT,
                      TCP_NODATA_TIMEOUT $TCP_NODATA_TIMEOUT,
                      TCP_DONE_TIMEOUT $TCP_DONE_TIMEOUT,
                      TCP_GUARANTEE $TCP_GUARANTEE,
                      UDP_TIMEOUT $UDP_TIMEOUT,
                      UDP_GUARANTEE $UDP_GUARANTEE);
ping_rw :: ICMPPingRewriter(pattern $PUBLIC_IP 0-65535 - - 0 1, drop,
                            MAPPING_CAPACITY $PING_FLOWS,
                            TIMEOUT $PING_TIMEOUT,
                            GUARANTEE $PING_GUARANTEE);
errors  :: ICMPRewriter(rw ping_rw);

dt_out :: DecIPTTL -> to_outside;
dt_in  :: DecIPTTL -> to_inside;
rw[0], ping_rw[0] -> dt_out;
rw[1], ping_rw[1], errors[0] -> dt_in;
errors[1] -> untranslated;
dt_out[1] -> untranslated;
dt_in[1]  -> untranslated;


// ---------------------------------------------------------------------------
// From the customer.

in_cls[2] -> Strip(14)
          -> in_chk :: CheckIPHeader
          -> in_ip :: IPClassifier(
                 // ping to either NAT address
                 (dst host $INSIDE_IP or dst host $PUBLIC_IP) and icmp type echo,
                 // anything else for the NAT itself
                 dst host $INSIDE_IP or dst host $PUBLIC_IP,
                 // translatable traffic from the customer prefix
                 src net $INSIDE_NET and (tcp or udp),
                 src net $INSIDE_NET and icmp type echo,
                 -);
in_chk[1] -> bad_ip;
in_ip[0]  -> ICMPPingResponder -> to_inside;
in_ip[1]  -> Discard;
in_ip[2]  -> [0]rw;
in_ip[3]  -> [0]ping_rw;
in_ip[4]  -> untranslated;


// ---------------------------------------------------------------------------
// From the provider.

out_cls[2] -> Strip(14)
           -> out_chk :: CheckIPHeader
           -> out_ip :: IPClassifier(
                  dst host $PUBLIC_IP and icmp type echo,
                  dst host $PUBLIC_IP and (tcp or udp),
                  dst host $PUBLIC_IP and icmp type echo-reply,
                  dst host $PUBLIC_IP and icmp,
                  -);
out_chk[1] -> bad_ip;
out_ip[0]  -> ICMPPingResponder -> to_outside;
out_ip[1]  -> [1]rw;
out_ip[2]  -> [1]ping_rw;
out_ip[3]  -> errors;
out_ip[4]  -> Discard;
