// nat.click -- source NAT (NAPT) for one customer.
//
// Hosts on the customer's private prefix (eth0) reach the Internet through
// one public address on the provider link (eth1). TCP and UDP flows opened
// from the inside are rewritten to $PUBLIC_IP with a source port taken from
// $NAT_PORTS; replies are mapped back by IPRewriter's flow table. Nothing can
// open a flow from the outside. The NAT answers ARP on both sides and ping on
// both of its addresses; it resolves inside hosts and the provider gateway
// with ARP.
//
//   customer LAN ---- eth0 [ NAT ] eth1 ---- provider gateway ---- Internet
//
// Not translated (counted in `untranslated` and dropped): ICMP and other
// protocols from the inside. Ping NAT needs ICMPPingRewriter, and ICMP
// errors for translated flows need ICMPRewriter; add them if required.
//
// Per-customer settings are the defines below; override them without editing
// this file, e.g.
//   nfc check nat.click -D PUBLIC_IP=198.51.100.77 -D INSIDE_NET=10.1.0.0/16

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
// The translator.
//   input 0: TCP/UDP from the customer; a new flow gets a mapping from the
//            pattern: source $PUBLIC_IP, a free port in $NAT_PORTS,
//            destination unchanged. Rewritten packets leave on output 0,
//            replies to them on output 1.
//   input 1: TCP/UDP to $PUBLIC_IP from outside; packets of a known flow are
//            mapped back (to output 1), everything else is dropped.

rw :: IPRewriter(pattern $PUBLIC_IP $NAT_PORTS - - 0 1,
                 drop);

rw[0] -> dt_out :: DecIPTTL -> to_outside;
rw[1] -> dt_in  :: DecIPTTL -> to_inside;
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
                 -);
in_chk[1] -> bad_ip;
in_ip[0]  -> ICMPPingResponder -> to_inside;
in_ip[1]  -> Discard;
in_ip[2]  -> [0]rw;
in_ip[3]  -> untranslated;


// ---------------------------------------------------------------------------
// From the provider.

out_cls[2] -> Strip(14)
           -> out_chk :: CheckIPHeader
           -> out_ip :: IPClassifier(
                  dst host $PUBLIC_IP and icmp type echo,
                  dst host $PUBLIC_IP and (tcp or udp),
                  -);
out_chk[1] -> bad_ip;
out_ip[0]  -> ICMPPingResponder -> to_outside;
out_ip[1]  -> [1]rw;
out_ip[2]  -> Discard;
