// firewall.click -- a two-interface, stateful IPv4 firewall.
//
//   inside hosts ---- eth0 [ firewall ] eth1 ---- upstream router ---- Internet
//
// The firewall is a routed hop between an inside network (eth0) and an
// upstream link (eth1). It answers ARP and pings for its own addresses,
// finds inside hosts and the upstream router ($GATEWAY) with ARP, and
// filters transit traffic with an allow-list in each direction, default
// deny:
//
//   outbound (eth0 -> eth1): sources in the inside prefix only; web,
//            DNS, NTP, SSH and ping to anywhere.
//   inbound  (eth1 -> eth0): SSH, HTTP, HTTPS, DNS and ping to the
//            published server $SERVER; nothing else opens a connection.
//
// Replies need no rules: two flow tables (IPFlowTable) remember the flows
// each allow-list let through -- `conns` the ones opened from inside,
// `served` the ones opened to the published server -- and let their
// return traffic (and the ICMP errors about them) through. An answer
// that belongs to no flow, such as a TCP SYN-ACK nobody asked for, meets
// the other direction's allow-list and is denied.
//
// Handlers to read (`READ name` on the ControlSocket, or --write/--control
// on `nfc run`; the counters are also printed when the firewall stops):
//   allowed_in.count, denied_in.count     packets from outside let in / denied
//   allowed_out.count, denied_out.count   packets from inside let out / denied
//   bad_ip.count                          failed CheckIPHeader, both sides
//   ttl_expired.count                     TTL ran out in transit
//   inbound.rules, outbound.rules         every rule with the packets it matched
//   conns.count, conns.flows              flows opened from inside
//   served.count, served.flows            flows opened to the published server
//
// Changing the rules while it runs: READ inbound.config (outbound.config)
// shows the rule list in force; write a whole new list to the same
// handler and it replaces the old one at once (and zeroes the per-rule
// counts), or, if a rule is wrong, is refused with the reason and
// changes nothing. For example, to publish nothing but SSH and a web
// server on port 8080:
//
//   WRITE inbound.config 1 src net 198.51.100.0/24, allow dst host 198.51.100.10 and (dst tcp port 22 or 8080), 1 all
//
// (Mind the parentheses: `and` binds tighter than `or`.) Actions:
// `allow` lets a packet through (output 0); `1` denies it
// (output 1, where denied_in/denied_out count it). `deny` also works but
// drops the packet before the denied_* counters see it. Every packet from
// the side that opened a flow meets the rules, so a change applies to
// existing flows at once; the other side's packets keep passing until
// their flow times out, or WRITE conns.clear (served.clear) forgets it.
//
// Per-customer settings are the defines below; override any of them
// without editing this file, e.g.
//   nfc check firewall.click -D SERVER=198.51.100.20 -D GATEWAY=203.0.113.254

define(
  $INSIDE_DEV    eth0,               // NIC facing the protected network
  $OUTSIDE_DEV   eth1,               // NIC facing the upstream router
  $INSIDE_IP     198.51.100.1,       // firewall address on the inside
  $INSIDE_NET    198.51.100.0/24,    // protected prefix
  $INSIDE_MAC    02:00:00:00:00:01,
  $OUTSIDE_IP    203.0.113.2,        // firewall address on the upstream link
  $OUTSIDE_MAC   02:00:00:00:00:02,
  $GATEWAY       203.0.113.1,        // the upstream router (found with ARP)
  $SERVER        198.51.100.10,      // the published server
  $FLOWS         4096,               // flows each flow table holds
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
// ARP on both sides: a responder for the firewall's own address, and a
// querier that finds the next hop's Ethernet address. Inside, the next
// hop is the packet's destination; outside, always the upstream router.

in_arpq  :: ARPQuerier($INSIDE_IP, $INSIDE_MAC) -> inside;
out_arpq :: ARPQuerier($OUTSIDE_IP, $OUTSIDE_MAC) -> outside;

in_cls[0]  -> ARPResponder($INSIDE_IP $INSIDE_MAC) -> inside;
in_cls[1]  -> [1]in_arpq;
in_cls[3]  -> Discard;

out_cls[0] -> ARPResponder($OUTSIDE_IP $OUTSIDE_MAC) -> outside;
out_cls[1] -> [1]out_arpq;
out_cls[3] -> Discard;

to_inside  :: GetIPAddress(16) -> [0]in_arpq;
to_outside :: SetIPAddress($GATEWAY) -> [0]out_arpq;

bad_ip      :: Counter -> Discard;   // failed CheckIPHeader
ttl_expired :: Counter -> Discard;   // TTL reached zero in transit

// Everything let through, and everything denied, each way.
allowed_out :: Counter -> dt_out :: DecIPTTL -> to_outside;
allowed_in  :: Counter -> dt_in  :: DecIPTTL -> to_inside;
dt_out[1] -> ttl_expired;
dt_in[1]  -> ttl_expired;
denied_out  :: Counter -> Discard;
denied_in   :: Counter -> Discard;

// The state: flows opened from inside (input 0: their packets going out,
// input 1: packets coming in), and flows opened to the published server
// (input 0: their packets coming in, input 1: packets going out).
// Output 1 is return traffic; output 2 what is not, for the allow-lists.
conns  :: IPFlowTable(CAPACITY $FLOWS);
served :: IPFlowTable(CAPACITY $FLOWS);


// ---------------------------------------------------------------------------
// Traffic from the inside: pings to the firewall are answered, anything
// else addressed to it is denied; transit traffic is either a reply of a
// flow to the published server or must pass the outbound allow-list.

in_cls[2] -> Strip(14)
          -> in_chk :: CheckIPHeader
          -> in_local :: IPClassifier(
                 (dst host $INSIDE_IP or dst host $OUTSIDE_IP) and icmp type echo,
                 dst host $INSIDE_IP or dst host $OUTSIDE_IP,
                 -);
in_chk[1]   -> bad_ip;
in_local[0] -> ICMPPingResponder -> to_inside;
in_local[1] -> denied_out;
in_local[2] -> [1]served;

served[1] -> allowed_out;
served[2] -> outbound :: IPFilter(
                 // Only our own prefix may leave (anti-spoofing).
                 1 not src net $INSIDE_NET,
                 allow dst tcp port 80 or 443,     // web
                 allow dst port 53,                // DNS, UDP and TCP
                 allow dst udp port 123,           // NTP
                 allow dst tcp port 22,            // SSH
                 allow icmp type echo,             // ping
                 // Default deny (output 1: counted).
                 1 all);
outbound[0] -> [0]conns;
outbound[1] -> denied_out;
conns[0]    -> allowed_out;


// ---------------------------------------------------------------------------
// Traffic from the outside: the same for the firewall itself; transit
// traffic is either return traffic of a flow opened from inside or must
// pass the inbound allow-list.

out_cls[2] -> Strip(14)
           -> out_chk :: CheckIPHeader
           -> out_local :: IPClassifier(
                  (dst host $INSIDE_IP or dst host $OUTSIDE_IP) and icmp type echo,
                  dst host $INSIDE_IP or dst host $OUTSIDE_IP,
                  -);
out_chk[1]   -> bad_ip;
out_local[0] -> ICMPPingResponder -> to_outside;
out_local[1] -> denied_in;
out_local[2] -> [1]conns;

conns[1]  -> allowed_in;
conns[2]  -> inbound :: IPFilter(
                 // Our own prefix never arrives from outside: spoofed.
                 1 src net $INSIDE_NET,
                 // Neither do these sources.
                 1 src net 0.0.0.0/8 or src net 127.0.0.0/8 or src net 224.0.0.0/3,
                 // Services published on $SERVER.
                 allow dst host $SERVER and (dst tcp port 22 or 80 or 443),  // SSH, web
                 allow dst host $SERVER and dst port 53,                   // DNS
                 allow dst host $SERVER and icmp type echo,                // ping
                 // Path MTU discovery and traceroute for what the server sends.
                 allow dst host $SERVER and (icmp type unreachable or icmp type timeexceeded),
                 // Default deny (output 1: counted).
                 1 all);
inbound[0] -> [0]served;
inbound[1] -> denied_in;
served[0]  -> allowed_in;
