//! The NAT's frame-level scenario, one function for every platform that
//! boots `configs/nat.click` as an image: QEMU's machines
//! (`tests/tests/kvm_nat.rs`, NICs on UDP sockets) and Xen (the dom0
//! probe `xen-probe`, vifs through AF_PACKET sockets on the backend
//! interfaces). The test plays the customer's hosts on eth0 and the
//! provider's gateway, with the Internet behind it, on eth1; it sends
//! real Ethernet frames in, answers the NAT's ARP requests
//! ([`answer_arp`]), and checks what comes out of each NIC, every
//! checksum computed anew ([`verify`]):
//!
//! - ARP requests for the NAT's two addresses are answered, and so are
//!   pings to them;
//! - a TCP SYN and a UDP datagram from inside hosts leave with the public
//!   address and a source port of the NAT's range (another port for a
//!   second host with the same port), and their replies come back to the
//!   inside host and port;
//! - a ping's echo identifier is mapped, and the reply mapped back;
//! - ICMP errors from outside about translated packets (time exceeded,
//!   fragmentation needed) reach the inside host quoting its own packet;
//! - nothing from outside opens a flow;
//! - malformed frames (broken IP headers, a runt, a later fragment, a TCP
//!   header cut short) are dropped and counted, and the NAT goes on;
//! - the handlers read over the console (`rw.nmappings`, `rw.udp_table`,
//!   `rw.tcp_table`, the counters) list and count what was sent;
//! - `WRITE stop` stops it cleanly.
//!
//! The addresses are nat.click's defaults, and none of them is one of
//! dom0's on the Xen test's bridges (198.51.100.20, 203.0.113.1), so that
//! dom0's own stack answers no ARP request the NAT sends.

use std::fmt::Display;

use etherparse::icmpv4::{DestUnreachableHeader, TimeExceededCode};
use etherparse::Icmpv4Type;
use nfc_dataplane::checksum;

use crate::frames::*;
use crate::golden::ether;

/// nat.click's $INSIDE_MAC (the firewall's too: [`Side::fw_mac`]).
pub const NAT_IN_MAC: [u8; 6] = FW_IN_MAC;
/// nat.click's $PUBLIC_MAC (the firewall's outside MAC too).
pub const NAT_OUT_MAC: [u8; 6] = FW_OUT_MAC;
/// The NAT's address on the customer LAN ($INSIDE_IP).
pub const NAT_IN_IP: [u8; 4] = [10, 0, 0, 1];
/// The customer's public address ($PUBLIC_IP).
pub const PUBLIC_IP: [u8; 4] = [198, 51, 100, 1];
/// The provider's gateway ($GATEWAY), at [`GATEWAY_MAC`].
pub const NAT_GATEWAY: [u8; 4] = [198, 51, 100, 254];
/// A host on the customer LAN ($INSIDE_NET), at [`inside_mac`].
pub const INSIDE_HOST: [u8; 4] = [10, 0, 0, 20];
/// Another one.
pub const INSIDE_HOST2: [u8; 4] = [10, 0, 0, 21];
/// A DNS server on the Internet.
pub const DNS: [u8; 4] = [192, 0, 2, 53];
/// The lowest source port the NAT hands out ($NAT_PORTS).
pub const FIRST_PORT: u16 = 1024;

/// The answer the hosts on `side` give to frame `f` when it is an ARP
/// request from the NAT: inside the host asked for, outside only the
/// gateway is asked.
pub fn answer_arp(side: Side, f: &[u8]) -> Option<Vec<u8>> {
    side.answer_arp_via(NAT_GATEWAY, f)
}

/// A TCP or UDP packet's source port.
pub fn sport(ip: &[u8]) -> u16 {
    u16::from_be_bytes([ip[20], ip[21]])
}

/// A TCP or UDP packet's destination port.
pub fn dport(ip: &[u8]) -> u16 {
    u16::from_be_bytes([ip[22], ip[23]])
}

/// An ICMP echo's identifier.
pub fn echo_id(ip: &[u8]) -> u16 {
    u16::from_be_bytes([ip[24], ip[25]])
}

/// Checks every checksum of IPv4 packet `ip` by computing it anew: the
/// IP header's; TCP's, UDP's (unless 0: none) or ICMP's; and an ICMP
/// error's quoted IP header's.
pub fn verify(ip: &[u8]) {
    assert_eq!(checksum::checksum(&ip[..20]), 0, "IP checksum");
    let l4 = &ip[20..];
    let pseudo = || checksum::pseudo_header(src(ip), dst(ip), ip[9], l4.len() as u16);
    match ip[9] {
        6 => assert_eq!(
            checksum::finish(checksum::add(pseudo(), l4)),
            0,
            "TCP checksum"
        ),
        17 if l4[6..8] != [0, 0] => assert_eq!(
            checksum::finish(checksum::add(pseudo(), l4)),
            0,
            "UDP checksum"
        ),
        1 => {
            assert_eq!(checksum::checksum(l4), 0, "ICMP checksum");
            if matches!(l4[0], 3 | 11) {
                assert_eq!(checksum::checksum(&l4[8..28]), 0, "quoted IP checksum");
            }
        }
        _ => {}
    }
}

/// Sends IP packet `ip` in from `side` ([`Wires::forward`]) and returns
/// the one packet that leaves the other side, its checksums verified.
pub fn cross(nat: &mut impl Wires, side: Side, ip: &[u8], what: &dyn Display) -> Vec<u8> {
    let mut out = nat.forward(side, ip);
    assert_eq!(out.len(), 1, "{what}: one packet crosses: {out:02x?}");
    let out = out.remove(0);
    verify(&out);
    out
}

/// Runs the scenario on `nat`, a NAT just booted (ready); `what` names
/// the machine in messages. Ends with `nat` stopped.
pub fn run(mut nat: impl Vnf, what: &dyn Display) {
    // ARP and pings to the NAT itself, on both sides.
    nat.answers(Side::Inside, INSIDE_HOST, NAT_IN_IP, what);
    nat.answers(Side::Outside, NAT_GATEWAY, PUBLIC_IP, what);

    // TCP: the SYN leaves with the public address and a port of the
    // range; the SYN-ACK comes back to the host's own address and port.
    let syn = tcp(INSIDE_HOST, 40000, WEB, 443, SYN);
    let out = cross(&mut nat, Side::Inside, &syn, what);
    let port = sport(&out);
    assert_eq!(
        (src(&out), dst(&out), dport(&out)),
        (PUBLIC_IP, WEB, 443),
        "{what}: the SYN as it leaves"
    );
    assert!(port >= FIRST_PORT, "{what}: source port {port}");
    assert_eq!(out[8] + 1, syn[8], "{what}: TTL decremented");
    let back = cross(
        &mut nat,
        Side::Outside,
        &tcp(WEB, 443, PUBLIC_IP, port, SYN | ACK),
        what,
    );
    assert_eq!(
        (src(&back), sport(&back), dst(&back), dport(&back)),
        (WEB, 443, INSIDE_HOST, 40000),
        "{what}: the SYN-ACK as it comes in"
    );
    // Another host with the same port to the same server: another port.
    let out2 = cross(
        &mut nat,
        Side::Inside,
        &tcp(INSIDE_HOST2, 40000, WEB, 443, SYN),
        what,
    );
    let port2 = sport(&out2);
    assert_eq!(src(&out2), PUBLIC_IP, "{what}");
    assert!(
        port2 != port && port2 >= FIRST_PORT,
        "{what}: a second flow from port 40000 leaves from {port2}, the first from {port}"
    );
    let back2 = cross(
        &mut nat,
        Side::Outside,
        &tcp(WEB, 443, PUBLIC_IP, port2, SYN | ACK),
        what,
    );
    assert_eq!(
        (dst(&back2), dport(&back2)),
        (INSIDE_HOST2, 40000),
        "{what}: the second SYN-ACK"
    );

    // UDP, and its answer.
    let query = udp(INSIDE_HOST, 5353, DNS, 53);
    let sent_query = cross(&mut nat, Side::Inside, &query, what);
    let udp_port = sport(&sent_query);
    assert_eq!(
        (src(&sent_query), dst(&sent_query), dport(&sent_query)),
        (PUBLIC_IP, DNS, 53),
        "{what}: the query as it leaves"
    );
    assert!(udp_port >= FIRST_PORT, "{what}: source port {udp_port}");
    let answer = cross(
        &mut nat,
        Side::Outside,
        &udp(DNS, 53, PUBLIC_IP, udp_port),
        what,
    );
    assert_eq!(
        (src(&answer), dst(&answer), dport(&answer)),
        (DNS, INSIDE_HOST, 5353),
        "{what}: the answer as it comes in"
    );

    // Ping: the identifier is mapped, and mapped back.
    let echo = cross(
        &mut nat,
        Side::Inside,
        &ping(INSIDE_HOST, WEB, true, 77),
        what,
    );
    let id = echo_id(&echo);
    assert_eq!(
        (src(&echo), dst(&echo), echo[20]),
        (PUBLIC_IP, WEB, 8),
        "{what}: the echo request as it leaves"
    );
    let reply = cross(
        &mut nat,
        Side::Outside,
        &ping(WEB, PUBLIC_IP, false, id),
        what,
    );
    assert_eq!(
        (src(&reply), dst(&reply), reply[20], echo_id(&reply)),
        (WEB, INSIDE_HOST, 0, 77),
        "{what}: the echo reply as it comes in"
    );

    // ICMP errors about translated packets, as a router on the way sends
    // them, reach the inside host quoting its packet as it sent it (but
    // for the TTL the NAT took off).
    let errors = [
        (
            "time exceeded",
            &query,
            &sent_query,
            Icmpv4Type::TimeExceeded(TimeExceededCode::TtlExceededInTransit),
        ),
        (
            "fragmentation needed",
            &syn,
            &out,
            Icmpv4Type::DestinationUnreachable(DestUnreachableHeader::FragmentationNeeded {
                next_hop_mtu: 1400,
            }),
        ),
    ];
    for (name, original, as_sent, kind) in errors {
        let error = icmp_error(ROUTER, PUBLIC_IP, kind, as_sent);
        let back = cross(&mut nat, Side::Outside, &error, what);
        assert_eq!(
            (src(&back), dst(&back)),
            (ROUTER, INSIDE_HOST),
            "{what}: {name}"
        );
        assert_eq!(&back[20..22], &error[20..22], "{what}: {name}: type, code");
        assert_eq!(
            &back[24..28],
            &error[24..28],
            "{what}: {name}: its second word (the next-hop MTU)"
        );
        let quoted = &back[28..56];
        assert_eq!(
            &quoted[12..20],
            &original[12..20],
            "{what}: {name}: quoted addresses"
        );
        assert_eq!(
            &quoted[20..],
            &original[20..28],
            "{what}: {name}: quoted ports and transport checksum"
        );
        assert_eq!(quoted[8] + 1, original[8], "{what}: {name}: quoted TTL");
    }

    // Nothing from outside opens a flow: not a SYN, a datagram or an echo
    // reply to an unmapped port or identifier, not traffic to an inside
    // address, not an ICMP error about no flow. And malformed frames are
    // dropped and counted: broken IP headers (either side, counted in
    // bad_ip), a runt, and from inside a later fragment and a TCP header
    // cut short (counted in rw.malformed). Nothing of these leaves either
    // side (sent together, to wait for quiet once).
    let unmapped = (40001..)
        .find(|p| ![port, port2, udp_port].contains(p))
        .unwrap();
    let stray = tcp(PUBLIC_IP, unmapped, WEB, 443, SYN);
    let mut dropped = Vec::new();
    for (unsolicited, ip) in [
        ("a SYN", tcp(WEB, 443, PUBLIC_IP, unmapped, SYN)),
        ("a datagram", udp(DNS, 53, PUBLIC_IP, unmapped)),
        ("an echo reply", ping(WEB, PUBLIC_IP, false, id ^ 1)),
        (
            "a SYN to an inside host",
            tcp(WEB, 443, INSIDE_HOST, 40000, SYN),
        ),
        (
            "an ICMP error about no flow",
            unreachable(ROUTER, PUBLIC_IP, &stray),
        ),
    ] {
        dropped.push((unsolicited, Side::Outside, Side::Outside.frame(&ip)));
    }
    for (i, (broken, ip)) in broken_ip(&query).into_iter().enumerate() {
        let side = [Side::Inside, Side::Outside][i % 2];
        let frame = ether(side.fw_mac(), side.host_mac(INSIDE_HOST), 0x0800, &ip);
        dropped.push((broken, side, frame));
    }
    let runt = vec![0xff; nat.shortest_frame().max(10)];
    dropped.push(("a runt", Side::Outside, runt));
    let mut fragment = udp(INSIDE_HOST, 5353, DNS, 53);
    fragment[6..8].copy_from_slice(&3u16.to_be_bytes());
    set_ip_checksum(&mut fragment);
    let mut cut = tcp(INSIDE_HOST, 40000, WEB, 443, SYN);
    cut.truncate(30);
    cut[2..4].copy_from_slice(&30u16.to_be_bytes());
    set_ip_checksum(&mut cut);
    for (malformed, ip) in [
        ("a later fragment", fragment),
        ("a TCP header cut short", cut),
    ] {
        dropped.push((malformed, Side::Inside, Side::Inside.frame(&ip)));
    }
    let frames: Vec<(Side, &[u8])> = dropped.iter().map(|(_, s, f)| (*s, &f[..])).collect();
    let out = nat.send_all(&frames);
    let names: Vec<&str> = dropped.iter().map(|(name, _, _)| *name).collect();
    assert!(
        out[0].is_empty() && out[1].is_empty(),
        "{what}: something of {names:?} left: {out:02x?}"
    );
    let again = cross(&mut nat, Side::Inside, &query, what);
    assert_eq!(
        sport(&again),
        udp_port,
        "{what}: the query after the bad frames, in its flow"
    );

    // The handlers, over the console.
    assert_eq!(nat.num("rw.nmappings"), 3, "{what}: two TCP flows, one UDP");
    assert_eq!(nat.num("ping_rw.nmappings"), 1, "{what}");
    let udp_table = nat.read("rw.udp_table");
    let flow =
        format!("(10.0.0.20, 5353, 192.0.2.53, 53) => (198.51.100.1, {udp_port}, 192.0.2.53, 53)");
    assert!(
        udp_table.contains(&flow) && udp_table.lines().count() == 2,
        "{what}: rw.udp_table lists the flow, one line each way:\n{udp_table}"
    );
    let tcp_table = nat.read("rw.tcp_table");
    let flow =
        format!("(10.0.0.21, 40000, 192.0.2.80, 443) => (198.51.100.1, {port2}, 192.0.2.80, 443)");
    assert!(
        tcp_table.contains(&flow) && tcp_table.lines().count() == 4,
        "{what}: rw.tcp_table lists both flows, one line each way:\n{tcp_table}"
    );
    for (handler, want) in [
        ("errors.translated", 2),
        ("untranslated.count", 1),
        ("bad_ip.count", 3),
        ("rw.malformed", 2),
        ("rw.mapping_failures", 0),
    ] {
        assert_eq!(nat.num(handler), want, "{what}: {handler}");
    }

    nat.stop_cleanly(what);
}
