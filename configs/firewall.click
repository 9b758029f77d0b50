// firewall.click -- a two-interface, L2-aware, stateless IPv4 firewall.
//
// The firewall is a routed hop between an inside network (eth0) and an
// upstream link (eth1). It answers ARP for its own addresses, resolves inside
// hosts with ARP, sends everything bound outside to one upstream router
// (static next-hop MAC address), answers pings addressed to itself, and
// filters transit traffic with two IPFilter rule sets:
//
//   outbound (eth0 -> eth1): anything sourced from the inside prefix;
//   inbound  (eth1 -> eth0): return traffic that a stateless filter can
//            recognise (TCP with ACK set, DNS answers, ICMP replies and
//            errors), plus SSH, HTTP, HTTPS, DNS and ping to one server.
//
// Everything else is counted and dropped. Counters (read them as handlers,
// e.g. `allowed_in.count`): allowed_in, denied_in, allowed_out, denied_out,
// bad_ip, ttl_expired.
//
//   inside hosts ---- eth0 [ firewall ] eth1 ---- upstream router ---- Internet
//
// Per-customer settings are the defines below; override any of them without
// editing this file, e.g.
//   nfc check firewall.click -D SERVER=198.51.100.20 -D OUTSIDE_DEV=eth2

define(
  $INSIDE_DEV    eth0,               // NIC facing the protected network
  $OUTSIDE_DEV   eth1,               // NIC facing the upstream router
  $INSIDE_IP     198.51.100.1,       // firewall address on the inside
  $INSIDE_NET    198.51.100.0/24,    // protected prefix
  $INSIDE_MAC    02:00:00:00:00:01,
  $OUTSIDE_IP    203.0.113.2,        // firewall address on the upstream link
  $OUTSIDE_MAC   02:00:00:00:00:02,
  $UPSTREAM_MAC  02:00:00:00:00:fe,  // MAC address of the upstream router
  $SERVER        198.51.100.10,      // the published server
  $QUEUE_LEN     1024                // packets buffered per output NIC
);


// ---------------------------------------------------------------------------
// Devices. One compound per NIC: frames in (only those addressed to us,
// broadcast or multicast pass HostEtherFilter) on output 0; frames to send
// on input 0, buffered by a Queue because ToDevice pulls.

elementclass Nic {
  $dev, $mac, $qlen |
  FromDevice($dev) -> HostEtherFilter($mac) -> output;
  input -> Queue($qlen) -> ToDevice($dev);
}

inside  :: Nic($INSIDE_DEV, $INSIDE_MAC, $QUEUE_LEN);
outside :: Nic($OUTSIDE_DEV, $OUTSIDE_MAC, $QUEUE_LEN);


// ---------------------------------------------------------------------------
// Ethernet demultiplexing, one classifier per side:
//   [0] ARP requests, [1] ARP replies, [2] IPv4, [3] anything else.

in_cls, out_cls :: Classifier(12/0806 20/0001, 12/0806 20/0002, 12/0800, -);
inside  -> in_cls;
outside -> out_cls;


// ---------------------------------------------------------------------------
// ARP. Inside hosts are resolved by an ARPQuerier; the upstream router has a
// fixed MAC address ($UPSTREAM_MAC), so the outside path uses EtherEncap and
// ignores ARP replies.

in_arpq :: ARPQuerier($INSIDE_IP, $INSIDE_MAC) -> inside;

in_cls[0]  -> ARPResponder($INSIDE_IP $INSIDE_MAC) -> inside;
in_cls[1]  -> [1]in_arpq;
in_cls[3]  -> Discard;

out_cls[0] -> ARPResponder($OUTSIDE_IP $OUTSIDE_MAC) -> outside;
out_cls[1] -> Discard;
out_cls[3] -> Discard;

// The two ways out. to_inside takes the next hop (the packet's destination)
// from the IP header; to_outside always goes to the upstream router.
to_inside  :: GetIPAddress(16) -> [0]in_arpq;
to_outside :: EtherEncap(0x0800, $OUTSIDE_MAC, $UPSTREAM_MAC) -> outside;

bad_ip      :: Counter -> Discard;   // failed CheckIPHeader
ttl_expired :: Counter -> Discard;   // TTL reached zero in transit


// ---------------------------------------------------------------------------
// Traffic from the inside.

in_cls[2] -> Strip(14)
          -> in_chk :: CheckIPHeader
          -> in_local :: IPClassifier(
                 (dst host $INSIDE_IP or dst host $OUTSIDE_IP) and icmp type echo,
                 dst host $INSIDE_IP or dst host $OUTSIDE_IP,
                 -);
in_chk[1]   -> bad_ip;
in_local[0] -> ICMPPingResponder -> to_inside;   // ping to the firewall itself
in_local[1] -> Discard;                          // no other local services
in_local[2] -> outbound :: IPFilter(
                 // only our own prefix may leave (anti-spoofing)
                 allow src net $INSIDE_NET,
                 // everything else: output 1, counted as denied
                 1 -);

outbound[0] -> allowed_out :: Counter
            -> dt_out :: DecIPTTL
            -> to_outside;
outbound[1] -> denied_out :: Counter -> Discard;
dt_out[1]   -> ttl_expired;


// ---------------------------------------------------------------------------
// Traffic from the outside.

out_cls[2] -> Strip(14)
           -> out_chk :: CheckIPHeader
           -> out_local :: IPClassifier(
                  (dst host $INSIDE_IP or dst host $OUTSIDE_IP) and icmp type echo,
                  dst host $INSIDE_IP or dst host $OUTSIDE_IP,
                  -);
out_chk[1]   -> bad_ip;
out_local[0] -> ICMPPingResponder -> to_outside;
out_local[1] -> Discard;
out_local[2] -> inbound :: IPFilter(
                  // Our own prefix never arrives from outside: spoofed.
                  1 src net $INSIDE_NET,
                  // Loopback and multicast sources are never legitimate here.
                  deny src net 127.0.0.0/8 or src net 224.0.0.0/4,

                  // Return traffic. Without connection state the best a
                  // filter can do: TCP segments with ACK set (a connection
                  // cannot be opened with one), answers from DNS servers,
                  // ICMP echo replies and the errors path-MTU discovery and
                  // traceroute need.
                  allow dst net $INSIDE_NET and tcp opt ack,
                  allow dst net $INSIDE_NET and src udp port 53,
                  allow dst net $INSIDE_NET and icmp type echo-reply,
                  allow dst net $INSIDE_NET and icmp type unreachable,
                  allow dst net $INSIDE_NET and icmp type timeexceeded,

                  // Services published on $SERVER.
                  allow dst host $SERVER and dst tcp port 22,     // SSH
                  allow dst host $SERVER and dst tcp port 80,     // HTTP
                  allow dst host $SERVER and dst tcp port 443,    // HTTPS
                  allow dst host $SERVER and dst udp port 53,     // DNS
                  allow dst host $SERVER and dst tcp port 53,     // DNS over TCP
                  allow dst host $SERVER and icmp type echo,      // ping

                  // Deny the rest (counted on output 1).
                  1 -);

inbound[0] -> allowed_in :: Counter
           -> dt_in :: DecIPTTL
           -> to_inside;
inbound[1] -> denied_in :: Counter -> Discard;
dt_in[1]   -> ttl_expired;
