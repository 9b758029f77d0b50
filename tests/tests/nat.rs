//! `configs/nat.click` as it ships, driven frame by frame
//! ([`nfc_tests::unplugged`]): its devices idle, built for dataplane's
//! generic runner on `--plat linux` and linked (ICMPRewriter reads the
//! rewriters' tables); the test pushes crafted Ethernet frames into each
//! side's Classifier and takes what each side's Queue holds for its
//! device. ARP requests the NAT sends are answered as the hosts would; the
//! clock is the test's, so that flows time out.
//!
//! What it shows: ARP and pings to the NAT are answered on both sides;
//! TCP, UDP and ping flows from inside leave with the public address only
//! (a free port or identifier, the host's own when free), every checksum
//! correct, and their replies come back to the right host and port; ICMP
//! errors about them (time exceeded, fragmentation needed) reach the
//! inside host quoting its own packet; nothing opens a flow from outside;
//! a thousand concurrent connections all get their replies; flows live
//! until their timeout and are gone after it; the handlers list the
//! mappings and count them.

use std::ops::{Deref, DerefMut};

use nfc_dataplane::checksum;
use nfc_dataplane::pipeline::Pipeline;
use nfc_tests::frames::{arp, arp_request_for, dst, ping, sender_ip, src, tcp, udp, ACK, SYN};
use nfc_tests::golden::ether;
use nfc_tests::nat_scenario::{dport, sport, verify};
use nfc_tests::unplugged::{Unplugged, SECOND};

/// nat.click's defaults.
const NAT_IN_MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];
const NAT_OUT_MAC: [u8; 6] = [2, 0, 0, 0, 0, 2];
const NAT_IN_IP: [u8; 4] = [10, 0, 0, 1];
const PUBLIC_IP: [u8; 4] = [198, 51, 100, 1];
const GATEWAY: [u8; 4] = [198, 51, 100, 254];
const GATEWAY_MAC: [u8; 6] = [2, 0, 0, 0, 0, 0xfe];

/// Inside hosts, and hosts on the Internet.
const HOST: [u8; 4] = [10, 0, 0, 20];
const HOST2: [u8; 4] = [10, 0, 0, 21];
const WEB: [u8; 4] = [192, 0, 2, 80];
const DNS: [u8; 4] = [192, 0, 2, 53];
const ROUTER: [u8; 4] = [192, 0, 2, 1];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Inside = 0,
    Outside = 1,
}

impl Side {
    fn nat_mac(self) -> [u8; 6] {
        [NAT_IN_MAC, NAT_OUT_MAC][self as usize]
    }

    /// The MAC of the host on this side that owns `ip` (outside: the
    /// gateway, for every address).
    fn host_mac(self, ip: [u8; 4]) -> [u8; 6] {
        match self {
            Side::Inside => [2, 0, 0, 0, 0x10, ip[3]],
            Side::Outside => GATEWAY_MAC,
        }
    }
}

/// The NAT under test, with the elements the wires attach to.
struct Nat {
    u: Unplugged,
    /// Per side: the Classifier frames come in by, the Queue they leave
    /// from.
    ports: [(usize, usize); 2],
}

impl Deref for Nat {
    type Target = Unplugged;
    fn deref(&self) -> &Unplugged {
        &self.u
    }
}

impl DerefMut for Nat {
    fn deref_mut(&mut self) -> &mut Unplugged {
        &mut self.u
    }
}

impl Nat {
    fn new() -> Nat {
        let u = Unplugged::config("nat");
        let ports = [
            (u.find("in_cls", "Classifier"), u.find("inside/", "Queue")),
            (u.find("out_cls", "Classifier"), u.find("outside/", "Queue")),
        ];
        Nat { u, ports }
    }

    /// Sends `frame` in from `side`; returns what leaves each side once
    /// the NAT's ARP requests are answered (outside, only the gateway is
    /// asked).
    fn send(&mut self, side: Side, frame: &[u8]) -> [Vec<Vec<u8>>; 2] {
        let ports = self.ports;
        self.u.exchange(&ports, side as usize, frame, |s, f| {
            let ip = arp_request_for(f)?;
            let s = [Side::Inside, Side::Outside][s];
            if s == Side::Outside {
                assert_eq!(ip, GATEWAY, "outside, only the gateway is asked");
            }
            Some(arp(2, s.host_mac(ip), ip, s.nat_mac(), sender_ip(f)))
        })
    }

    /// Sends IP packet `ip` from the host that owns its source on `side`;
    /// returns the IP packets that leave the other side (their Ethernet
    /// headers checked) and checks that nothing goes back.
    fn forward(&mut self, side: Side, ip: &[u8]) -> Vec<Vec<u8>> {
        let frame = ether(side.nat_mac(), side.host_mac(src(ip)), 0x0800, ip);
        let mut out = self.send(side, &frame);
        assert!(out[side as usize].is_empty(), "nothing goes back");
        let other = if side == Side::Inside {
            Side::Outside
        } else {
            Side::Inside
        };
        std::mem::take(&mut out[other as usize])
            .into_iter()
            .map(|f| {
                assert_eq!(&f[12..14], &[8, 0]);
                assert_eq!(&f[6..12], &other.nat_mac(), "from the NAT");
                let ip = f[14..].to_vec();
                assert_eq!(&f[..6], &other.host_mac(dst(&ip)), "to the next hop");
                verify(&ip);
                ip
            })
            .collect()
    }

    /// [`Nat::forward`] of one packet that must cross.
    fn cross(&mut self, side: Side, ip: &[u8]) -> Vec<u8> {
        let mut out = self.forward(side, ip);
        assert_eq!(out.len(), 1, "one packet crosses: {out:02x?}");
        out.remove(0)
    }
}

/// An ICMP error from `s` to `d`, of type `ty` and code `code`, quoting
/// the header and first 8 bytes of `quoted` (`mtu` in the second word).
fn icmp_error(s: [u8; 4], d: [u8; 4], ty: u8, code: u8, mtu: u16, quoted: &[u8]) -> Vec<u8> {
    let mut t = vec![ty, code, 0, 0, 0, 0];
    t.extend_from_slice(&mtu.to_be_bytes());
    t.extend_from_slice(&quoted[..28]);
    let sum = checksum::checksum(&t);
    t[2..4].copy_from_slice(&sum.to_be_bytes());
    let mut ip = vec![0x45, 0, 0, 0, 0, 1, 0, 0, 64, 1, 0, 0];
    ip[2..4].copy_from_slice(&((20 + t.len()) as u16).to_be_bytes());
    ip.extend_from_slice(&s);
    ip.extend_from_slice(&d);
    let sum = checksum::checksum(&ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    ip.extend_from_slice(&t);
    ip
}

#[test]
fn answers_arp_and_pings_on_both_sides() {
    let mut nat = Nat::new();
    let host_mac = Side::Inside.host_mac(HOST);
    let [inside, outside] = nat.send(Side::Inside, &arp(1, host_mac, HOST, [0; 6], NAT_IN_IP));
    assert_eq!(inside, [arp(2, NAT_IN_MAC, NAT_IN_IP, host_mac, HOST)]);
    assert!(outside.is_empty());
    let [inside, outside] = nat.send(
        Side::Outside,
        &arp(1, GATEWAY_MAC, GATEWAY, [0; 6], PUBLIC_IP),
    );
    assert_eq!(
        outside,
        [arp(2, NAT_OUT_MAC, PUBLIC_IP, GATEWAY_MAC, GATEWAY)]
    );
    assert!(inside.is_empty());
    for (side, from) in [(Side::Inside, HOST), (Side::Outside, WEB)] {
        let to = if side == Side::Inside {
            NAT_IN_IP
        } else {
            PUBLIC_IP
        };
        let req = ping(from, to, true, 9);
        let frame = ether(side.nat_mac(), side.host_mac(from), 0x0800, &req);
        let out = nat.send(side, &frame);
        let replies = &out[side as usize];
        assert_eq!(replies.len(), 1, "{side:?}: {out:02x?}");
        let r = &replies[0][14..];
        assert_eq!((src(r), dst(r), r[20]), (to, from, 0), "an echo reply");
    }
    assert_eq!(
        nat.num("rw", "nmappings") + nat.num("ping_rw", "nmappings"),
        0
    );
}

#[test]
fn flows_from_inside_leave_with_the_public_address_and_their_replies_return() {
    let mut nat = Nat::new();
    // TCP: the host's own port is kept while free
    let syn = tcp(HOST, 40000, WEB, 443, SYN);
    let out = nat.cross(Side::Inside, &syn);
    assert_eq!(
        (src(&out), sport(&out), dst(&out), dport(&out)),
        (PUBLIC_IP, 40000, WEB, 443)
    );
    assert_eq!(out[8], syn[8] - 1, "TTL decremented");
    let back = nat.cross(Side::Outside, &tcp(WEB, 443, PUBLIC_IP, 40000, SYN | ACK));
    assert_eq!((src(&back), dst(&back), dport(&back)), (WEB, HOST, 40000));
    assert_eq!(
        nat.cross(Side::Inside, &tcp(HOST, 40000, WEB, 443, ACK))[12..16],
        PUBLIC_IP
    );

    // another host with the same port to the same server: another port
    let out2 = nat.cross(Side::Inside, &tcp(HOST2, 40000, WEB, 443, SYN));
    assert_eq!(src(&out2), PUBLIC_IP);
    assert_ne!(sport(&out2), 40000);
    assert!(sport(&out2) >= 1024);
    let back2 = nat.cross(
        Side::Outside,
        &tcp(WEB, 443, PUBLIC_IP, sport(&out2), SYN | ACK),
    );
    assert_eq!((dst(&back2), dport(&back2)), (HOST2, 40000));

    // UDP
    let q = nat.cross(Side::Inside, &udp(HOST, 5353, DNS, 53));
    assert_eq!((src(&q), sport(&q)), (PUBLIC_IP, 5353));
    let a = nat.cross(Side::Outside, &udp(DNS, 53, PUBLIC_IP, 5353));
    assert_eq!((dst(&a), dport(&a)), (HOST, 5353));

    // ping
    let req = nat.cross(Side::Inside, &ping(HOST, WEB, true, 77));
    assert_eq!(src(&req), PUBLIC_IP);
    let id = u16::from_be_bytes([req[24], req[25]]);
    let rep = nat.cross(Side::Outside, &ping(WEB, PUBLIC_IP, false, id));
    assert_eq!(
        (dst(&rep), u16::from_be_bytes([rep[24], rep[25]])),
        (HOST, 77)
    );

    // the handlers list and count the mappings
    assert_eq!(nat.num("rw", "nmappings"), 3);
    assert_eq!(nat.num("ping_rw", "nmappings"), 1);
    let tcp_table = nat.read("rw", "tcp_table");
    assert!(
        tcp_table.contains("(10.0.0.20, 40000, 192.0.2.80, 443) => (198.51.100.1, 40000, 192.0.2.80, 443) [*0 1] i0"),
        "{tcp_table}"
    );
    assert_eq!(
        tcp_table.lines().count(),
        4,
        "two flows, two directions each"
    );
    assert_eq!(nat.read("rw", "udp_table").lines().count(), 2);
    assert!(nat
        .read("ping_rw", "table")
        .contains("(10.0.0.20, 192.0.2.80, 77) => (198.51.100.1, 192.0.2.80,"));
}

#[test]
fn nothing_opens_a_flow_from_outside() {
    let mut nat = Nat::new();
    for ip in [
        tcp(WEB, 443, PUBLIC_IP, 40000, SYN),
        tcp(WEB, 443, PUBLIC_IP, 40000, SYN | ACK),
        udp(DNS, 53, PUBLIC_IP, 5353),
        ping(WEB, PUBLIC_IP, false, 5),
        tcp(WEB, 443, HOST, 40000, SYN),
    ] {
        assert!(nat.forward(Side::Outside, &ip).is_empty(), "{ip:02x?}");
    }
    // an ICMP error about no flow is not translated
    let stray = tcp(PUBLIC_IP, 40000, WEB, 443, SYN);
    let e = icmp_error(ROUTER, PUBLIC_IP, 3, 1, 0, &stray);
    assert!(nat.forward(Side::Outside, &e).is_empty());
    assert_eq!(nat.num("untranslated", "count"), 1);
    assert_eq!(nat.num("rw", "nmappings"), 0);
    // and the inside does not reach out with someone else's source
    assert!(nat
        .forward(Side::Inside, &tcp([172, 16, 0, 9], 1, WEB, 80, SYN))
        .is_empty());
    assert_eq!(nat.num("untranslated", "count"), 2);
}

#[test]
fn icmp_errors_about_flows_reach_the_inside_host() {
    let mut nat = Nat::new();
    // traceroute (UDP probes and ICMP echo) and a TCP connection whose
    // path has a smaller MTU
    let probe = udp(HOST, 33434, WEB, 33435);
    let sent = nat.cross(Side::Inside, &probe);
    let syn = tcp(HOST, 40000, WEB, 443, SYN);
    let sent_syn = nat.cross(Side::Inside, &syn);
    let echo = ping(HOST, WEB, true, 4242);
    let sent_echo = nat.cross(Side::Inside, &echo);
    for (original, as_sent, ty, code, mtu) in [
        (&probe, &sent, 11, 0, 0),
        (&syn, &sent_syn, 3, 4, 1400),
        (&echo, &sent_echo, 11, 0, 0),
    ] {
        let e = icmp_error(ROUTER, PUBLIC_IP, ty, code, mtu, as_sent);
        let back = nat.cross(Side::Outside, &e);
        assert_eq!((src(&back), dst(&back)), (ROUTER, HOST));
        assert_eq!((back[20], back[21]), (ty, code));
        assert_eq!(
            u16::from_be_bytes([back[26], back[27]]),
            mtu,
            "next-hop MTU kept"
        );
        // the quoted packet is the host's own, as it sent it but for the
        // TTL the NAT took off (and the IP checksum that goes with it)
        let quoted = &back[28..56];
        assert_eq!(&quoted[12..20], &original[12..20]);
        assert_eq!(
            &quoted[20..],
            &original[20..28],
            "ports, transport checksum"
        );
        assert_eq!(quoted[8] + 1, original[8]);
    }
    assert_eq!(nat.num("errors", "translated"), 3);
}

#[test]
fn a_thousand_concurrent_connections_all_get_their_replies() {
    let mut nat = Nat::new();
    let mut public = Vec::new();
    for n in 0..1000u16 {
        let host = [10, 0, 0, 100 + (n % 100) as u8];
        let out = nat.cross(Side::Inside, &tcp(host, 30000 + n, WEB, 80, SYN));
        assert_eq!(src(&out), PUBLIC_IP, "only the public address leaves");
        public.push((host, 30000 + n, sport(&out)));
    }
    let distinct: std::collections::HashSet<u16> = public.iter().map(|p| p.2).collect();
    assert_eq!(distinct.len(), 1000, "a port each");
    for &(host, port, p) in &public {
        let back = nat.cross(Side::Outside, &tcp(WEB, 80, PUBLIC_IP, p, SYN | ACK));
        assert_eq!((dst(&back), dport(&back)), (host, port));
    }
    assert_eq!(nat.num("rw", "nmappings"), 1000);
    assert_eq!(nat.num("rw", "mapping_failures"), 0);
}

#[test]
fn flows_live_until_their_timeout_and_are_gone_after_it() {
    let mut nat = Nat::new();
    nat.cross(Side::Inside, &udp(HOST, 5353, DNS, 53));
    nat.now += 299 * SECOND;
    nat.cross(Side::Outside, &udp(DNS, 53, PUBLIC_IP, 5353));
    nat.now += 300 * SECOND;
    assert!(
        nat.forward(Side::Outside, &udp(DNS, 53, PUBLIC_IP, 5353))
            .is_empty(),
        "idle for UDP_TIMEOUT (5 minutes)"
    );
    assert_eq!(nat.num("rw", "nmappings"), 0);
    assert_eq!(nat.read("rw", "udp_table"), "");
    // a TCP connection that carried data both ways lives long; one that
    // never did goes after 5 minutes
    nat.cross(Side::Inside, &tcp(HOST, 40000, WEB, 443, SYN));
    nat.cross(
        Side::Inside,
        &with_payload(tcp(HOST, 40001, WEB, 443, ACK), b"hello"),
    );
    nat.cross(
        Side::Outside,
        &with_payload(tcp(WEB, 443, PUBLIC_IP, 40001, ACK), b"hi"),
    );
    nat.now += 301 * SECOND;
    assert!(nat
        .forward(Side::Outside, &tcp(WEB, 443, PUBLIC_IP, 40000, ACK))
        .is_empty());
    nat.cross(Side::Outside, &tcp(WEB, 443, PUBLIC_IP, 40001, ACK));
    assert_eq!(nat.num("rw", "nmappings"), 1);
    nat.g.router.write("rw", "clear", "").unwrap();
    assert_eq!(nat.num("rw", "nmappings"), 0);
}

/// TCP segment `ip` with `data` after its header, lengths and checksums
/// set anew.
fn with_payload(mut ip: Vec<u8>, data: &[u8]) -> Vec<u8> {
    ip.extend_from_slice(data);
    let len = ip.len() as u16;
    ip[2..4].copy_from_slice(&len.to_be_bytes());
    ip[10..12].copy_from_slice(&[0, 0]);
    let sum = checksum::checksum(&ip[..20]);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    ip[36..38].copy_from_slice(&[0, 0]);
    let pseudo = checksum::pseudo_header(src(&ip), dst(&ip), 6, len - 20);
    let sum = checksum::finish(checksum::add(pseudo, &ip[20..]));
    ip[36..38].copy_from_slice(&sum.to_be_bytes());
    ip
}
