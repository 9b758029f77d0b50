//! Oracle: nfc's IPFilter against libpcap's BPF, through tcpdump.
//!
//! 2,400 IPv4 packets, generated from a fixed seed (valid TCP, UDP, ICMP
//! and DCCP; odd protocols; IP options; first and later fragments;
//! malformed header lengths; packets cut inside the IP or the transport
//! header), go into a pcap with link type RAW (101). More than 300 patterns
//! in Click's language (a hand-written list that covers every form of
//! Click's IPClassifier/IPFilter manual, plus seeded random combinations)
//! are each parsed by nfc, translated to pcap's language from nfc's syntax
//! tree, and run by `tcpdump -r FILE -w - EXPR`; every packet's verdict
//! (recovered from its timestamp, which is its index) must equal both
//! `IPFilter::classify` (the compiled program) and `Expr::matches` (the
//! reference interpreter). A second pcap, with link type EN10MB, checks
//! `ether host` the same way, and groups of ten patterns checked as one
//! ten-rule IPFilter check first-match-wins against pcap's verdicts.
//!
//! # Deliberate differences (what the translator bridges)
//!
//! 1. **Out-of-bounds reads.** BPF rejects the whole packet when any load
//!    falls past the end of the capture; Click fails only the primitive
//!    that needs the missing bytes (so `not tcp[20] = 0` matches a cut TCP
//!    packet in nfc, never in pcap). The translator records every load its
//!    pcap text makes, with the protocol and first-fragment guard under
//!    which pcap performs it; a (pattern, packet) pair in which a load
//!    whose guard holds reaches past the packet is left out of the
//!    comparison, and counted. Cut packets still take part in every pattern
//!    whose loads they can serve. (nfc's own semantics for missing bytes are
//!    tested by the unit tests of `ip_classifier_eval`.)
//! 2. **The IP version.** pcap's `ip …` primitives on link type RAW first
//!    check that the version nibble is 4; Click checks nothing (CheckIPHeader
//!    ran before). Every packet is version 4, so both agree; pcap's check
//!    loads byte 0, which the translator records.
//! 3. **`port` without a protocol** is TCP or UDP in Click, TCP, UDP or
//!    SCTP in pcap: the translator adds `(ip proto 6 or ip proto 17)`.
//!    `tcpudp`, `dccp` and `transp[…]`/`payload[…]` have no pcap keyword:
//!    they become the protocol test plus loads at `(ip[0] & 0xf) << 2`.
//! 4. **Click-only forms.** `icmp type echo` → `icmp[icmptype] =
//!    icmp-echo`; `ip frag` → `ip[6:2] & 0x3fff != 0`; `ip unfrag` → `= 0`;
//!    `tcp opt syn` → `tcp[tcpflags] & tcp-syn != 0` (with several bits,
//!    Click wants all of them: `tcp[13] & F = F`); `ip ect`, `ip ce`,
//!    `ip dscp`, `ip hl`, `ip vers` → shifts and masks of `ip[0]`/`ip[1]`;
//!    `src host & M A` and `net A mask M` → `net (A & M) mask M` or a
//!    masked load when M is not a prefix; `true`/`false` → `len >= 0` /
//!    `len < 0` (no load).
//! 5. **Relations.** Click's `field & M == V` compares with `V & M`; pcap
//!    compares with `V`: the translator writes `V & M`. Click's `!=`, `<`
//!    and `<=` on two addresses (`port != 80`, `port < 1024`) negate the
//!    whole `src or dst` test ("neither port is 80", "both ports are below
//!    1024"); pcap has no such operator: the translator writes
//!    `not (src … or dst …)` with `==` or `>`/`>=`.
//! 6. **`?:`** has no pcap form: `c ? a : b` → `(c and a) or (not c and b)`.
//! 7. **`ether host`** cannot be tested on link type RAW (there is no link
//!    header); the EN10MB pcap tests it, with the same IP packets behind
//!    14-byte Ethernet headers.
//!
//! The IP-version-6 paths of pcap's `tcp`/`udp` keywords are never taken
//! (every packet is version 4). If tcpdump is missing the test fails and
//! names the Debian package `tcpdump`; it never skips.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use nfc_elements::ip::ip_classifier_eval::Headers;
use nfc_elements::ip::ip_classifier_expr::{Dir, Expr, Field, Primitive, ProtoSel, RelOp, Test};
use nfc_elements::ip::ip_filter::IPFilter;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapReader, PcapWriter};
use pcap_file::{DataLink, Endianness, TsResolution};

const PACKETS: usize = 2_400;
const ETHER_PACKETS: usize = 600;
const RANDOM_PATTERNS: usize = 220;

// ---------------------------------------------------------------------------
// Deterministic randomness

/// SplitMix64: small, seedable, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }

    /// One of `xs`, or (as often as any one of them) a value of `other`.
    fn pick_or<T: Copy>(&mut self, xs: &[T], other: impl FnOnce(&mut Rng) -> T) -> T {
        match xs.get(self.below(xs.len() as u64 + 1) as usize) {
            Some(&x) => x,
            None => other(self),
        }
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

// ---------------------------------------------------------------------------
// Packets

const ADDRS: [[u8; 4]; 8] = [
    [10, 0, 0, 1],
    [10, 0, 0, 2],
    [10, 1, 2, 3],
    [192, 168, 1, 2],
    [192, 168, 1, 77],
    [198, 51, 100, 7],
    [203, 0, 113, 5],
    [10, 9, 9, 1],
];
const PORTS: [u16; 15] = [
    20, 21, 22, 23, 25, 53, 80, 443, 1023, 1024, 1234, 8000, 8080, 40000, 65535,
];
const MACS: [[u8; 6]; 4] = [
    [2, 0, 0, 0, 0, 1],
    [2, 0, 0, 0, 0, 2],
    [0x33, 0x33, 0, 0, 0, 1],
    [2, 0, 0, 0x99, 0x99, 0x99],
];

/// One generated packet and what kind it is.
struct Packet {
    ip: Vec<u8>,
    cut: bool,
    first_fragment: bool,
    later_fragment: bool,
    options: bool,
    odd_protocol: bool,
}

fn port(r: &mut Rng) -> u16 {
    if r.chance(85) {
        r.pick(&PORTS)
    } else {
        r.next() as u16
    }
}

fn tcp(r: &mut Rng) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(&port(r).to_be_bytes());
    t.extend_from_slice(&port(r).to_be_bytes());
    t.extend_from_slice(&r.bytes(8)); // sequence and acknowledgment numbers
    let opt_words = if r.chance(20) {
        1 + r.below(3) as usize
    } else {
        0
    };
    t.push(((5 + opt_words) << 4) as u8);
    let flags = r.pick(&[0x02, 0x12, 0x10, 0x11, 0x04, 0x18, 0x20, 0x29, 0x01, 0x00]);
    t.push(if r.chance(10) { r.next() as u8 } else { flags });
    let win: u16 = r.pick(&[0, 512, 1024, 8192, 29200, 65535, 0x7210]);
    t.extend_from_slice(&win.to_be_bytes());
    t.extend_from_slice(&r.bytes(4)); // checksum, urgent pointer
    t.extend_from_slice(&r.bytes(4 * opt_words));
    let payload = r.below(40) as usize;
    t.extend_from_slice(&r.bytes(payload));
    t
}

fn udp(r: &mut Rng) -> Vec<u8> {
    let payload = r.below(40) as usize;
    let mut t = Vec::new();
    t.extend_from_slice(&port(r).to_be_bytes());
    t.extend_from_slice(&port(r).to_be_bytes());
    t.extend_from_slice(&((8 + payload) as u16).to_be_bytes());
    t.extend_from_slice(&r.bytes(2 + payload));
    t
}

fn icmp(r: &mut Rng) -> Vec<u8> {
    let ty = if r.chance(90) {
        r.pick(&[0u8, 3, 4, 5, 8, 11, 12, 13, 14, 17])
    } else {
        r.next() as u8
    };
    let mut t = vec![ty, r.below(16) as u8];
    let payload = 6 + r.below(40) as usize;
    t.extend_from_slice(&r.bytes(payload));
    t
}

fn packet(r: &mut Rng) -> Packet {
    let proto: u8 = match r.below(100) {
        0..=29 => 6,
        30..=54 => 17,
        55..=72 => 1,
        73..=77 => 33,
        78..=81 => 132,
        82..=85 => 47,
        _ => r.pick_or(&[0, 2, 4, 41, 50, 103, 255], |r| r.next() as u8),
    };
    let transport = match proto {
        6 => tcp(r),
        17 | 33 => udp(r),
        1 => icmp(r),
        _ => {
            let n = r.below(40) as usize;
            r.bytes(n)
        }
    };
    let options = if r.chance(20) {
        let words = 1 + r.below(10) as usize;
        let mut o = vec![r.pick(&[0x94u8, 0x01, 0x07, 0x44, 0x83, 0x00])];
        o.extend_from_slice(&r.bytes(4 * words - 1));
        o
    } else {
        Vec::new()
    };
    let frag: u16 = match r.below(100) {
        0..=54 => 0x4000,
        55..=69 => 0,
        70..=79 => 0x2000,
        80..=91 => (if r.chance(50) { 0x2000 } else { 0 }) | (1 + r.below(0x1FFF) as u16),
        _ => r.next() as u16,
    };
    let hl = 20 + options.len();
    let mut ip = Vec::new();
    ip.push(0x40 | (hl / 4) as u8);
    ip.push(r.pick_or(&[0u8, 0, 0, 0x10, 0xB8, 0x01, 0x02, 0x03], |r| {
        r.next() as u8
    }));
    ip.extend_from_slice(&((hl + transport.len()) as u16).to_be_bytes());
    ip.extend_from_slice(&(r.next() as u16).to_be_bytes());
    ip.extend_from_slice(&frag.to_be_bytes());
    ip.push(r.pick_or(&[1u8, 2, 5, 64, 128, 255], |r| r.next() as u8));
    ip.push(proto);
    ip.extend_from_slice(&r.bytes(2)); // checksum
    let src = if r.chance(85) {
        r.pick(&ADDRS)
    } else {
        r.next().to_be_bytes()[..4].try_into().unwrap()
    };
    let dst = if r.chance(85) {
        r.pick(&ADDRS)
    } else {
        r.next().to_be_bytes()[..4].try_into().unwrap()
    };
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&dst);
    ip.extend_from_slice(&options);
    ip.extend_from_slice(&transport);
    if r.chance(1) {
        ip[0] = 0x40 | r.below(5) as u8; // a header length below 5
    }
    let cut = r.chance(14);
    if cut {
        let at = if r.chance(20) {
            1 + r.below(hl as u64) as usize
        } else {
            hl + r.below(24) as usize
        };
        ip.truncate(at.max(1));
    }
    let offset = frag & 0x1FFF;
    Packet {
        cut: cut && ip.len() < hl + transport.len(),
        first_fragment: offset == 0 && frag & 0x2000 != 0,
        later_fragment: offset != 0,
        options: !options.is_empty(),
        odd_protocol: ![1, 6, 17].contains(&proto),
        ip,
    }
}

fn ether_header(r: &mut Rng) -> Vec<u8> {
    let mut e = Vec::new();
    e.extend_from_slice(&r.pick(&MACS));
    e.extend_from_slice(&r.pick(&MACS));
    e.extend_from_slice(&[8, 0]);
    e
}

// ---------------------------------------------------------------------------
// Patterns

/// Every form of Click's IPClassifier/IPFilter manual, and then some.
const HAND_PATTERNS: &[&str] = &[
    // ip proto
    "ip proto tcp",
    "ip proto udp",
    "ip proto icmp",
    "ip proto 47",
    "ip proto != 6",
    "ip proto < 17",
    "ip proto >= 17",
    "ip proto > 50",
    "ip proto <= 1",
    "ip proto & 0xf0 == 0x10",
    "ip proto tcpudp",
    "ip proto != tcp",
    "ip proto transp",
    "tcp",
    "udp",
    "icmp",
    "igmp",
    "ipip",
    "gre",
    "sctp",
    "dccp",
    // host, net
    "host 10.0.0.1",
    "src host 10.0.0.1",
    "dst host 192.168.1.2",
    "src or dst host 10.0.0.2",
    "src and dst host 10.0.0.1",
    "src host != 10.0.0.1",
    "dst host != 192.168.1.2",
    "host != 10.0.0.1",
    "src and dst host != 10.0.0.1",
    "src or dst host != 10.0.0.2",
    "10.0.0.1",
    "src 192.168.1.77",
    "dst 10.0.0.2",
    "net 10.0.0.0/8",
    "src net 192.168.0.0/16",
    "dst net 192.168.1.0/24",
    "dst net 192.168.1.0 mask 255.255.255.0",
    "src net 10.0.0.0 mask 255.0.255.0",
    "net 198.51.100.0/24",
    "10.0.0.0/8",
    "src net != 10.0.0.0/8",
    "src host & 255.0.0.255 10.9.9.1",
    "dst net 192.168.1.77/24",
    "src host 10.0.0.1 or 10.0.0.2",
    "net 0.0.0.0/0",
    "src and dst net 10.0.0.0/8",
    // port
    "port 80",
    "tcp port 80",
    "udp port 53",
    "src port 1234",
    "dst port 22",
    "src tcp port 80",
    "dst udp port 53",
    "src or dst port 443",
    "src and dst port 1024",
    "dst tcp port 8000 or 8080",
    "dst tcp port > 1023",
    "src udp port < 1024",
    "dst port >= 1024",
    "src port <= 1023",
    "port != 80",
    "port < 1024",
    "port > 1023",
    "port >= 8000",
    "port <= 53",
    "tcp port != 22",
    "src and dst port < 1024",
    "src and dst port != 53",
    "src tcp port & 10 == 8",
    "src tcp port & 0xff00 == 0x0400",
    "dst port & 0xfff0 > 0x50",
    "www",
    "port www",
    "port dns",
    "ssh",
    "https",
    "tcp port ftp-data",
    "dccp port 80",
    "src dccp port > 1023",
    "udp port != domain",
    "src port 80 or 443",
    "tcpudp port 53",
    // ip fields
    "ip vers 4",
    "ip vers != 4",
    "ip hl 5",
    "ip hl > 5",
    "ip hl < 6",
    "ip id 0",
    "ip id > 32768",
    "ip tos 0",
    "ip tos != 0",
    "ip tos & 0xfc == 0xb8",
    "ip dscp 46",
    "ip dscp 0",
    "ip dscp > 10",
    "ip ect",
    "ip ce",
    "ip ect 1",
    "ip ect 2",
    "ip ttl 64",
    "ip ttl < 5",
    "ip ttl >= 128",
    "ip ttl <= 2",
    "ip ttl != 64",
    "ip ttl & 0x0f == 0x13",
    "ip ttl 1 or 2 or 5",
    "ip len > 100",
    "ip len <= 40",
    "ip len 40",
    "ip frag",
    "ip unfrag",
    "unfrag",
    "not ip frag",
    // transport fields
    "tcp opt syn",
    "tcp opt ack",
    "tcp opt fin",
    "tcp opt rst",
    "tcp opt psh",
    "tcp opt urg",
    "syn",
    "fin ack",
    "syn and not ack",
    "rst or urg or psh",
    "tcp opt syn and tcp opt ack",
    "tcp win 0",
    "tcp win > 8192",
    "tcp win < 1024",
    "tcp win & 0xff00 == 0x7200",
    "icmp type echo",
    "icmp type echo-reply",
    "icmp type unreachable",
    "icmp type timeexceeded",
    "icmp type 3",
    "icmp type != 8",
    "icmp type > 10",
    "icmp type <= 4",
    "echo-reply",
    "unreachable",
    "redirect",
    "sourcequench",
    "parameterproblem",
    "timestamp",
    "timestamp-reply",
    "maskreq",
    "icmp type 13",
    // ip[…], transp[…]
    "ip[9] 6",
    "ip[9] == 17",
    "ip[0] & 0xf0 = 0x40",
    "ip[0] & 0x0f > 5",
    "ip[12:4] 0x0a000001",
    "ip[16:4] & 0xffffff00 == 0xc0a80100",
    "ip[6:2] & 0x1fff != 0",
    "ip[2:2] > 100",
    "ip[1:3] == 0",
    "ip[4,5] > 1000",
    "ip[20] 0x94",
    "ip[8:2] > 0x4000",
    "ip[10:2] < 0x8000",
    "transp[0:2] 80",
    "transp[2:2] == 53",
    "transp[13] & 2 != 0",
    "transp[0] > 100",
    "tcp[13] & 0x12 == 0x12",
    "tcp[12] & 0xf0 > 0x50",
    "tcp[14:2] > 1000",
    "udp[4:2] > 20",
    "udp[0:4] & 0xffff == 53",
    "icmp[0] == 0",
    "icmp[1] > 0",
    "tcp[0:4] == 0x04d20050",
    "tcp[20] != 0",
    "not tcp[20] != 0",
    // connectives, constants
    "true",
    "false",
    "-",
    "any",
    "all",
    "not true",
    "not false",
    "(dst port www or dst port ssh) and tcp opt syn",
    "not tcp",
    "! udp",
    "tcp && syn",
    "udp || icmp",
    "tcp and not syn",
    "tcp ? dst port 80 : udp",
    "icmp ? icmp type echo : ip ttl < 64",
    "10.0.0.0/8 and syn",
    "10.0.0.0/8 syn",
    "src 10.0.0.1 and dst port 80",
    "not (udp or icmp)",
    "not not tcp",
    "(tcp or udp) and not port 53",
    "ip frag or tcp port 80",
    "src net 10.0.0.0/8 && tcp && dst port > 1023 && ack",
    "(src host 10.0.0.1 or dst host 10.0.0.1) and icmp",
    "udp ? false : ip unfrag",
];

/// Patterns with `ether host`, for the EN10MB pcap.
const ETHER_PATTERNS: &[&str] = &[
    "ether host 02:00:00:00:00:01",
    "src ether host 02:00:00:00:00:02",
    "dst ether host 02:00:00:00:00:01",
    "ether host != 02:00:00:00:00:01",
    "src and dst ether host 02:00:00:00:00:01",
    "src or dst ether host 02:00:00:00:00:02",
    "src ether host & ff:ff:ff:00:00:00 02:00:00:12:34:56",
    "dst ether host != 33:33:00:00:00:01",
    "ether host 02:00:00:00:00:01 and tcp port 80",
    "dst ether host 33:33:00:00:00:01 or icmp",
    "tcp port 80",
    "ip ttl < 64 and udp",
];

fn random_primitive(r: &mut Rng) -> String {
    let addr = |r: &mut Rng| Ipv4Addr::from(r.pick(&ADDRS));
    let dir = |r: &mut Rng| r.pick(&["", "src ", "dst ", "src or dst ", "src and dst "]);
    let op = |r: &mut Rng| r.pick(&["", "== ", "!= ", "< ", "> ", "<= ", ">= "]);
    let eq = |r: &mut Rng| r.pick(&["", "== ", "!= "]);
    match r.below(19) {
        0 => format!("{}host {}{}", dir(r), eq(r), addr(r)),
        1 => {
            let len = r.pick_or(&[8, 16, 24, 30, 32], |r| r.below(33));
            format!("{}net {}{}/{len}", dir(r), eq(r), addr(r))
        }
        2 => {
            let m = Ipv4Addr::from(r.pick_or(&[0xFF00_00FFu32, 0xFFFF_0000, 0xFF00_FF00], |r| {
                r.next() as u32 | 1
            }));
            format!("{}host & {m} {}", dir(r), addr(r))
        }
        3 | 4 => {
            let proto = r.pick(&["", "tcp ", "udp ", "tcpudp ", "dccp "]);
            let p = if r.chance(80) {
                u32::from(r.pick(&PORTS))
            } else {
                r.below(65536) as u32
            };
            format!("{}{proto}port {}{p}", dir(r), op(r))
        }
        5 => {
            let m = r.pick(&[0xFF00u32, 0x00FF, 0xFFF0, 0x8000]);
            format!(
                "{}tcp port & {m:#x} {}{}",
                dir(r),
                op(r),
                r.below(0x10000) & u64::from(m)
            )
        }
        6 => {
            if r.chance(50) {
                r.pick(&[
                    "tcp",
                    "udp",
                    "icmp",
                    "gre",
                    "sctp",
                    "dccp",
                    "ip proto tcpudp",
                ])
                .to_string()
            } else {
                format!(
                    "ip proto {}{}",
                    op(r),
                    r.pick_or(&[1, 6, 17, 33, 47, 132], |r| r.below(256))
                )
            }
        }
        7 => {
            let (name, max) = r.pick(&[
                ("vers", 15u64),
                ("hl", 15),
                ("id", 65535),
                ("tos", 255),
                ("dscp", 63),
                ("ttl", 255),
                ("len", 65535),
            ]);
            let v = if r.chance(50) {
                r.pick(&[0, 1, 2, 4, 5, 6, 40, 64, 128]).min(max)
            } else {
                r.below(max + 1)
            };
            format!("ip {name} {}{v}", op(r))
        }
        8 => r
            .pick(&[
                "ip ect",
                "ip ce",
                "ip frag",
                "ip unfrag",
                "ip ect 1",
                "ip ect 3",
            ])
            .to_string(),
        9 => r
            .pick(&[
                "syn",
                "ack",
                "fin",
                "rst",
                "psh",
                "urg",
                "tcp opt syn",
                "tcp opt ack",
            ])
            .to_string(),
        10 => format!(
            "tcp win {}{}",
            op(r),
            r.pick_or(&[0, 512, 1024, 8192, 29200, 65535], |r| r.below(65536))
        ),
        11 => {
            let t = r.pick(&[
                "echo",
                "echo-reply",
                "unreachable",
                "3",
                "8",
                "11",
                "13",
                "200",
            ]);
            format!(
                "icmp type {}{t}",
                if t.parse::<u32>().is_ok() {
                    op(r)
                } else {
                    eq(r)
                }
            )
        }
        12..=14 => {
            let base = r.pick(&["ip", "ip", "transp", "tcp", "udp", "icmp"]);
            let at = r.below(4);
            let len = 1 + r.below(4 - at);
            let word = r.below(if base == "ip" { 7 } else { 5 }) * 4;
            let full = if len == 4 {
                u64::from(u32::MAX)
            } else {
                (1u64 << (8 * len)) - 1
            };
            let mask = if r.chance(50) {
                String::new()
            } else {
                format!("& {:#x} ", (r.next() & full).max(1))
            };
            let v = if r.chance(40) { 0 } else { r.next() & full };
            format!("{base}[{}:{len}] {mask}{}{v:#x}", word + at, op(r))
        }
        // (a bare port name would take the protocol of the primitive before)
        15 => r
            .pick(&[
                "port www",
                "tcp port ssh",
                "udp port dns",
                "echo-reply",
                "redirect",
            ])
            .to_string(),
        16 => format!("{}/{}", addr(r), r.pick(&[8, 16, 24])),
        17 => r.pick(&["true", "false"]).to_string(),
        _ => format!("{}port {}", dir(r), r.pick(&PORTS)),
    }
}

fn random_pattern(r: &mut Rng, depth: u32) -> String {
    if depth == 0 || r.chance(35) {
        return random_primitive(r);
    }
    match r.below(6) {
        0 => format!("not ({})", random_pattern(r, depth - 1)),
        1 => format!("! {}", random_primitive(r)),
        2 => format!(
            "({} and {})",
            random_pattern(r, depth - 1),
            random_pattern(r, depth - 1)
        ),
        3 => format!(
            "({} || {})",
            random_pattern(r, depth - 1),
            random_pattern(r, depth - 1)
        ),
        4 => format!(
            "({} ? {} : {})",
            random_pattern(r, depth - 1),
            random_pattern(r, depth - 1),
            random_pattern(r, depth - 1)
        ),
        _ => format!("({} && {})", random_primitive(r), random_primitive(r)),
    }
}

/// One IPFilter argument: quoted when the pattern holds a comma
/// (`ip[4,5]`), as a Click configuration must.
fn rule(action: &str, pattern: &str) -> String {
    if pattern.contains(',') {
        format!("\"{action} {pattern}\"")
    } else {
        format!("{action} {pattern}")
    }
}

/// The pattern as nfc parses it (as the one rule of an IPFilter).
fn parse(pattern: &str) -> (IPFilter, Expr) {
    let f = IPFilter::configure(&rule("allow", pattern))
        .unwrap_or_else(|e| panic!("nfc rejects {pattern:?}: {e:?}"));
    let e = f.rules()[0].1.clone();
    (f, e)
}

// ---------------------------------------------------------------------------
// Translation to pcap's language

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hdr {
    Ether,
    Ip,
    Transport,
}

/// Under what a load happens: a primitive's protocol test and first-fragment
/// test come before its other loads.
#[derive(Clone, Copy, Debug, Default)]
struct Guard {
    proto: Option<ProtoSel>,
    first_fragment: bool,
}

/// One load of the pcap text: header, end offset, and its guard.
#[derive(Clone, Copy, Debug)]
struct Load {
    hdr: Hdr,
    end: usize,
    guard: Guard,
}

#[derive(Default)]
struct Translator {
    loads: Vec<Load>,
    guard: Guard,
}

fn hex(v: u32) -> String {
    format!("{v:#x}")
}

/// A transport-header load of `size` bytes at `off` for protocol `proto`.
fn transport_load(proto: Option<ProtoSel>, off: usize, size: usize) -> String {
    match proto {
        Some(ProtoSel::Num(6)) => format!("tcp[{off}:{size}]"),
        Some(ProtoSel::Num(17)) => format!("udp[{off}:{size}]"),
        Some(ProtoSel::Num(1)) => format!("icmp[{off}:{size}]"),
        _ => format!("ip[((ip[0] & 0xf) << 2) + {off}:{size}]"),
    }
}

/// `(pos, negated)`: Click reads `!=`, `<`, `<=` on two addresses as the
/// negation of `==`, `>=`, `>` over both.
fn click_split(op: RelOp) -> (&'static str, bool) {
    match op {
        RelOp::Eq => ("=", false),
        RelOp::Ne => ("=", true),
        RelOp::Gt => (">", false),
        RelOp::Le => (">", true),
        RelOp::Ge => (">=", false),
        RelOp::Lt => (">=", true),
    }
}

/// `value & mask` against `value` by Click's rule: `==`/`!=` compare with
/// the masked value, the others with the value itself.
fn relation(value_expr: &str, mask: u32, full: u32, op: RelOp, value: u32) -> String {
    let lhs = if mask & full == full {
        value_expr.to_string()
    } else {
        format!("({value_expr} & {})", hex(mask & full))
    };
    let (sym, v) = match op {
        RelOp::Eq => ("=", value & mask),
        RelOp::Ne => ("!=", value & mask),
        RelOp::Lt => ("<", value),
        RelOp::Gt => (">", value),
        RelOp::Le => ("<=", value),
        RelOp::Ge => (">=", value),
    };
    format!("{lhs} {sym} {}", hex(v))
}

/// Whether a test in direction `dir` reads the source and the destination.
fn reads(dir: Dir) -> (bool, bool) {
    match dir {
        Dir::Src => (true, false),
        Dir::Dst => (false, true),
        Dir::SrcOrDst | Dir::SrcAndDst => (true, true),
    }
}

fn combine(dir: Dir, one: &dyn Fn(bool) -> String) -> String {
    match dir {
        Dir::Src => one(true),
        Dir::Dst => one(false),
        Dir::SrcOrDst => format!("({} or {})", one(true), one(false)),
        Dir::SrcAndDst => format!("({} and {})", one(true), one(false)),
    }
}

impl Translator {
    fn load(&mut self, hdr: Hdr, end: usize) {
        self.loads.push(Load {
            hdr,
            end,
            guard: self.guard,
        });
    }

    fn expr(&mut self, e: &Expr) -> String {
        match e {
            Expr::True => "len >= 0".into(),
            Expr::False => "len < 0".into(),
            Expr::Test(p) => self.primitive(p),
            Expr::Not(e) => format!("not ({})", self.expr(e)),
            Expr::And(v) | Expr::Or(v) => {
                let sep = if matches!(e, Expr::And(_)) {
                    " and "
                } else {
                    " or "
                };
                let parts: Vec<String> = v.iter().map(|e| self.expr(e)).collect();
                format!("({})", parts.join(sep))
            }
            Expr::Cond(c, a, b) => {
                let (c1, a) = (self.expr(c), self.expr(a));
                let (c2, b) = (self.expr(c), self.expr(b));
                // pcap's `and` and `or` bind alike, left to right: parenthesize
                format!("((({c1}) and ({a})) or (not ({c2}) and ({b})))")
            }
        }
    }

    fn primitive(&mut self, p: &Primitive) -> String {
        let transport = matches!(
            p.test,
            Test::Port { .. }
                | Test::TcpOpt { .. }
                | Test::Field {
                    field: Field::TcpWin
                        | Field::IcmpType
                        | Field::Raw {
                            transport: Some(_),
                            ..
                        },
                    ..
                }
        );
        self.guard = Guard::default();
        self.load(Hdr::Ip, 1); // pcap's IPv4 check
        let mut parts = Vec::new();
        match p.proto {
            Some(ProtoSel::Num(n)) => {
                self.load(Hdr::Ip, 10);
                parts.push(format!("ip proto {n}"));
            }
            Some(ProtoSel::TcpOrUdp) => {
                self.load(Hdr::Ip, 10);
                parts.push("(ip proto 6 or ip proto 17)".into());
            }
            Some(ProtoSel::Transp | ProtoSel::Payload) | None => {}
        }
        if transport {
            self.load(Hdr::Ip, 8);
            parts.push("(ip[6:2] & 0x1fff) = 0".into());
        }
        self.guard = Guard {
            proto: p.proto,
            first_fragment: transport,
        };
        parts.push(self.test(p));
        self.guard = Guard::default();
        format!("({})", parts.join(" and "))
    }

    fn test(&mut self, p: &Primitive) -> String {
        let (pos, negated) = click_split(p.op);
        let not = |s: String| if negated { format!("not {s}") } else { s };
        match p.test {
            Test::Host { dir, addr, mask } => {
                let (m, a) = (u32::from(mask), u32::from(addr) & u32::from(mask));
                let (reads_src, reads_dst) = reads(dir);
                if reads_src {
                    self.load(Hdr::Ip, 16);
                }
                if reads_dst {
                    self.load(Hdr::Ip, 20);
                }
                let prefix = m.leading_ones() + m.trailing_zeros() == 32;
                let one = |src: bool| {
                    let sd = if src { "src" } else { "dst" };
                    if m == u32::MAX {
                        format!("{sd} host {}", Ipv4Addr::from(a))
                    } else if prefix && m != 0 {
                        format!("{sd} net {}/{}", Ipv4Addr::from(a), m.leading_ones())
                    } else if m != 0 {
                        format!("{sd} net {} mask {}", Ipv4Addr::from(a), Ipv4Addr::from(m))
                    } else {
                        format!("(ip[{}:4] & 0) = 0", if src { 12 } else { 16 })
                    }
                };
                not(if dir == Dir::SrcOrDst && m == u32::MAX {
                    format!("host {}", Ipv4Addr::from(a))
                } else {
                    combine(dir, &one)
                })
            }
            Test::Ether { dir, addr, mask } => {
                self.load(Hdr::Ether, 12);
                let mac = |b: [u8; 6]| b.map(|x| format!("{x:02x}")).join(":");
                let one = |src: bool| {
                    let sd = if src { "src" } else { "dst" };
                    if mask == [0xFF; 6] {
                        format!("ether {sd} {}", mac(addr))
                    } else {
                        let at = if src { 6 } else { 0 };
                        let word = |i: usize, n: usize| {
                            let f = |b: [u8; 6]| {
                                b[i..i + n].iter().fold(0u32, |x, &y| x << 8 | u32::from(y))
                            };
                            format!(
                                "(ether[{}:{n}] & {}) = {}",
                                at + i,
                                hex(f(mask)),
                                hex(f(addr) & f(mask))
                            )
                        };
                        format!("({} and {})", word(0, 4), word(4, 2))
                    }
                };
                not(combine(dir, &one))
            }
            Test::Port { dir, port, mask } => {
                let (_, reads_dst) = reads(dir);
                self.load(Hdr::Transport, if reads_dst { 4 } else { 2 });
                let native = p.op == RelOp::Eq
                    && mask == 0xFFFF
                    && matches!(p.proto, Some(ProtoSel::Num(6 | 17) | ProtoSel::TcpOrUdp));
                if native {
                    let proto = match p.proto {
                        Some(ProtoSel::Num(6)) => "tcp ",
                        Some(ProtoSel::Num(17)) => "udp ",
                        _ => "",
                    };
                    return match dir {
                        Dir::Src => format!("{proto}src port {port}"),
                        Dir::Dst => format!("{proto}dst port {port}"),
                        Dir::SrcOrDst => format!("{proto}port {port}"),
                        Dir::SrcAndDst => {
                            format!("({proto}src port {port} and {proto}dst port {port})")
                        }
                    };
                }
                let m = u32::from(mask);
                let one = |src: bool| {
                    let l = transport_load(p.proto, if src { 0 } else { 2 }, 2);
                    let lhs = if m == 0xFFFF {
                        l
                    } else {
                        format!("({l} & {})", hex(m))
                    };
                    let v = if pos == "=" { port & m } else { port };
                    format!("{lhs} {pos} {}", hex(v))
                };
                not(combine(dir, &one))
            }
            Test::Proto { proto, mask } => {
                self.load(Hdr::Ip, 10);
                match proto {
                    ProtoSel::Num(n) if mask == 0xFF && matches!(p.op, RelOp::Eq | RelOp::Ne) => {
                        not(format!("ip proto {n}"))
                    }
                    ProtoSel::Num(n) => relation("ip[9]", mask.into(), 0xFF, p.op, n.into()),
                    ProtoSel::TcpOrUdp => not("(ip proto 6 or ip proto 17)".into()),
                    ProtoSel::Transp | ProtoSel::Payload => {
                        if negated {
                            "len < 0".into()
                        } else {
                            "len >= 0".into()
                        }
                    }
                }
            }
            Test::TcpOpt { flags } => {
                self.load(Hdr::Transport, 14);
                let names = [
                    (1, "fin"),
                    (2, "syn"),
                    (4, "rst"),
                    (8, "push"),
                    (0x10, "ack"),
                    (0x20, "urg"),
                ];
                match names.iter().find(|(b, _)| *b == flags) {
                    Some((_, n)) => format!("tcp[tcpflags] & tcp-{n} != 0"),
                    None => format!("(tcp[13] & {0}) = {0}", hex(flags.into())),
                }
            }
            Test::Field { field, value, mask } => self.field(p, field, value, mask),
            Test::Frag => {
                self.load(Hdr::Ip, 8);
                let is = if p.op == RelOp::Ne { "=" } else { "!=" };
                format!("(ip[6:2] & 0x3fff) {is} 0")
            }
        }
    }

    fn field(&mut self, p: &Primitive, field: Field, value: u32, mask: u32) -> String {
        // (header, first byte, bytes, bits below the field in them, width)
        let (hdr, off, nbytes, shift, width) = match field {
            Field::Vers => (Hdr::Ip, 0, 1, 4, 4),
            Field::Hl => (Hdr::Ip, 0, 1, 0, 4),
            Field::Tos => (Hdr::Ip, 1, 1, 0, 8),
            Field::Dscp => (Hdr::Ip, 1, 1, 2, 6),
            Field::Len => (Hdr::Ip, 2, 2, 0, 16),
            Field::Id => (Hdr::Ip, 4, 2, 0, 16),
            Field::Ttl => (Hdr::Ip, 8, 1, 0, 8),
            Field::TcpWin => (Hdr::Transport, 14, 2, 0, 16),
            Field::IcmpType => (Hdr::Transport, 0, 1, 0, 8),
            Field::Raw {
                transport,
                offset,
                len,
            } => {
                let hdr = if transport.is_some() {
                    Hdr::Transport
                } else {
                    Hdr::Ip
                };
                (
                    hdr,
                    usize::from(offset),
                    usize::from(len),
                    0,
                    u32::from(len) * 8,
                )
            }
        };
        // pcap loads 1, 2 or 4 bytes; 3 bytes are the top of a 4-byte load
        let size = if nbytes == 3 { 4 } else { nbytes };
        let shift = shift + 8 * (size - nbytes) as u32;
        self.load(hdr, off + size);
        let load = match hdr {
            Hdr::Transport => transport_load(p.proto, off, size),
            _ => format!("ip[{off}:{size}]"),
        };
        let full = if width == 32 {
            u32::MAX
        } else {
            (1 << width) - 1
        };
        let v = if shift == 0 && width == 8 * size as u32 {
            load
        } else if shift == 0 {
            format!("({load} & {})", hex(full))
        } else {
            format!("(({load} >> {shift}) & {})", hex(full))
        };
        if field == Field::IcmpType && p.op == RelOp::Eq && mask & full == full {
            let named = [
                (0, "icmp-echoreply"),
                (3, "icmp-unreach"),
                (8, "icmp-echo"),
                (11, "icmp-timxceed"),
            ];
            if let Some((_, n)) = named.iter().find(|(t, _)| *t == value) {
                return format!("icmp[icmptype] = {n}");
            }
        }
        relation(&v, mask, full, p.op, value)
    }
}

/// What pcap would have to load past the end of the packet, if anything.
fn out_of_bounds(loads: &[Load], ether_len: usize, ip: &[u8]) -> bool {
    let transport = ip.first().map_or(0, |b| usize::from(b & 0xF) * 4);
    let admits = |sel: ProtoSel| match (sel, ip.get(9)) {
        (_, None) => true, // the protocol load itself is out of bounds
        (ProtoSel::Num(n), Some(&p)) => p == n,
        (ProtoSel::TcpOrUdp, Some(&p)) => p == 6 || p == 17,
        (ProtoSel::Transp | ProtoSel::Payload, _) => true,
    };
    let first = || {
        ip.get(6..8)
            .is_none_or(|b| u16::from_be_bytes([b[0], b[1]]) & 0x1FFF == 0)
    };
    loads.iter().any(|l| {
        let guarded =
            l.guard.proto.is_some_and(|s| !admits(s)) || (l.guard.first_fragment && !first());
        let short = match l.hdr {
            Hdr::Ether => l.end > ether_len,
            Hdr::Ip => l.end > ip.len(),
            Hdr::Transport => transport + l.end > ip.len(),
        };
        short && !guarded
    })
}

// ---------------------------------------------------------------------------
// tcpdump

fn tcpdump() -> PathBuf {
    for cand in [
        "tcpdump",
        "/usr/sbin/tcpdump",
        "/usr/bin/tcpdump",
        "/sbin/tcpdump",
    ] {
        if Command::new(cand)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return PathBuf::from(cand);
        }
    }
    panic!(
        "tcpdump is not installed, and the filter oracle needs it: install the Debian \
         package `tcpdump` (scripts/setup.sh does)"
    );
}

fn write_pcap(path: &Path, link: DataLink, frames: &[Vec<u8>]) {
    let header = PcapHeader {
        datalink: link,
        snaplen: 65535,
        ts_resolution: TsResolution::MicroSecond,
        endianness: Endianness::Little,
        ..Default::default()
    };
    let file = std::fs::File::create(path).expect("create pcap");
    let mut w = PcapWriter::with_header(file, header).expect("pcap header");
    for (i, f) in frames.iter().enumerate() {
        let ts = Duration::from_secs(i as u64 + 1);
        w.write_packet(&PcapPacket::new(ts, f.len() as u32, f))
            .expect("write packet");
    }
}

/// The indices of the packets of `file` that pcap's `filter` accepts.
fn pcap_matches(tcpdump: &Path, file: &Path, filter: &str) -> BTreeSet<usize> {
    let out = Command::new(tcpdump)
        .arg("-r")
        .arg(file)
        .args(["-w", "-", filter])
        .output()
        .expect("run tcpdump");
    if String::from_utf8_lossy(&out.stderr).contains("expression rejects all packets") {
        return BTreeSet::new(); // libpcap's optimizer proved it
    }
    assert!(
        out.status.success(),
        "tcpdump rejects {filter:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = PcapReader::new(&out.stdout[..]).expect("tcpdump writes a pcap");
    let mut hits = BTreeSet::new();
    while let Some(p) = r.next_packet() {
        hits.insert(p.expect("a packet").timestamp.as_secs() as usize - 1);
    }
    hits
}

// ---------------------------------------------------------------------------
// The comparison

struct Case {
    click: String,
    pcap: String,
    filter: IPFilter,
    expr: Expr,
    loads: Vec<Load>,
}

fn case(click: &str) -> Case {
    let (filter, expr) = parse(click);
    let mut t = Translator::default();
    let pcap = t.expr(&expr);
    Case {
        click: click.into(),
        pcap,
        filter,
        expr,
        loads: t.loads,
    }
}

/// pcap's verdicts for every case, `workers` tcpdumps at a time.
fn run_all(tcpdump: &Path, file: &Path, cases: &[Case]) -> Vec<BTreeSet<usize>> {
    let mut out = vec![BTreeSet::new(); cases.len()];
    let workers = 4;
    std::thread::scope(|s| {
        let chunks: Vec<_> = out.chunks_mut(cases.len().div_ceil(workers)).collect();
        for (k, chunk) in chunks.into_iter().enumerate() {
            let base = k * cases.len().div_ceil(workers);
            s.spawn(move || {
                for (j, slot) in chunk.iter_mut().enumerate() {
                    *slot = pcap_matches(tcpdump, file, &cases[base + j].pcap);
                }
            });
        }
    });
    out
}

#[derive(Default)]
struct Tally {
    compared: usize,
    matched: usize,
    excluded: usize,
    cut_compared: usize,
    cut_matched: usize,
    later_fragment_compared: usize,
    first_fragment_compared: usize,
    options_compared: usize,
    odd_protocol_compared: usize,
    mismatches: Vec<String>,
}

fn compare(
    cases: &[Case],
    pcap: &[BTreeSet<usize>],
    packets: &[Packet],
    ether: &[Vec<u8>],
    t: &mut Tally,
) {
    for (c, hits) in cases.iter().zip(pcap) {
        for (i, p) in packets.iter().enumerate() {
            let eth: &[u8] = ether.get(i).map_or(&[], |e| e.as_slice());
            let nfc = c.filter.classify_ether(eth, &p.ip) == Some(0);
            let naive = c.expr.matches(&Headers::new(eth, &p.ip));
            assert_eq!(
                nfc, naive,
                "compiled and interpreted disagree: {:?} on {:02x?}",
                c.click, p.ip
            );
            if out_of_bounds(&c.loads, if ether.is_empty() { 0 } else { 14 }, &p.ip) {
                t.excluded += 1;
                continue;
            }
            let want = hits.contains(&i);
            t.compared += 1;
            t.matched += usize::from(want);
            if p.cut {
                t.cut_compared += 1;
                t.cut_matched += usize::from(want);
            }
            t.later_fragment_compared += usize::from(p.later_fragment);
            t.first_fragment_compared += usize::from(p.first_fragment);
            t.options_compared += usize::from(p.options);
            t.odd_protocol_compared += usize::from(p.odd_protocol);
            if nfc != want && t.mismatches.len() < 25 {
                t.mismatches.push(format!(
                    "  {:?}\n    pcap: {}\n    packet {i} {:02x?}{}\n    nfc {nfc}, pcap {want}",
                    c.click,
                    c.pcap,
                    p.ip,
                    if eth.is_empty() {
                        String::new()
                    } else {
                        format!(" ether {eth:02x?}")
                    },
                ));
            }
        }
    }
}

/// Every form of the manual appears among `patterns`.
fn assert_forms_covered(patterns: &[&str]) {
    let forms = [
        "ip proto",
        "src host",
        "dst host",
        "src or dst host",
        "src and dst host",
        "net ",
        " mask ",
        "/",
        "port",
        "tcp port",
        "udp port",
        "ip vers",
        "ip hl",
        "ip id",
        "ip tos",
        "ip dscp",
        "ip ect",
        "ip ce",
        "ip ttl",
        "ip len",
        "ip frag",
        "ip unfrag",
        "tcp opt",
        "tcp win",
        "icmp type",
        "ip[",
        "transp[",
        "tcp[",
        "true",
        "false",
        " and ",
        " or ",
        "not ",
        "&&",
        "||",
        "! ",
        " ? ",
        "(",
        " == ",
        " != ",
        " < ",
        " > ",
        " <= ",
        " >= ",
        " & ",
        "www",
        "syn",
        "echo-reply",
        "unfrag",
    ];
    for form in forms {
        assert!(
            patterns.iter().any(|p| p.contains(form)),
            "no pattern uses {form:?}"
        );
    }
    for whole in ["-", "any", "all", "tcp", "udp", "icmp", "10.0.0.0/8 syn"] {
        assert!(patterns.contains(&whole), "no pattern is {whole:?}");
    }
}

#[test]
fn ipfilter_agrees_with_libpcap() {
    let start = Instant::now();
    let tcpdump = tcpdump();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("filter_oracle");
    std::fs::create_dir_all(&dir).expect("scratch directory");

    let mut r = Rng(0x6E66_635F_6F72_6163);
    let packets: Vec<Packet> = (0..PACKETS).map(|_| packet(&mut r)).collect();
    let mut patterns: Vec<String> = HAND_PATTERNS.iter().map(|s| s.to_string()).collect();
    patterns.extend((0..RANDOM_PATTERNS).map(|_| random_pattern(&mut r, 3)));
    assert!(packets.len() >= 2_000 && patterns.len() >= 300);
    assert_forms_covered(&patterns.iter().map(String::as_str).collect::<Vec<_>>());

    // link type RAW: every pattern
    let raw = dir.join("raw.pcap");
    write_pcap(
        &raw,
        DataLink::RAW,
        &packets.iter().map(|p| p.ip.clone()).collect::<Vec<_>>(),
    );
    let cases: Vec<Case> = patterns.iter().map(|p| case(p)).collect();
    let verdicts = run_all(&tcpdump, &raw, &cases);
    let mut t = Tally::default();
    compare(&cases, &verdicts, &packets, &[], &mut t);

    // link type EN10MB: Ethernet addresses
    let ether: Vec<Vec<u8>> = (0..ETHER_PACKETS).map(|_| ether_header(&mut r)).collect();
    let frames: Vec<Vec<u8>> = ether
        .iter()
        .zip(&packets)
        .map(|(e, p)| [&e[..], &p.ip[..]].concat())
        .collect();
    let en10mb = dir.join("ethernet.pcap");
    write_pcap(&en10mb, DataLink::ETHERNET, &frames);
    let ether_cases: Vec<Case> = ETHER_PATTERNS.iter().map(|p| case(p)).collect();
    let ether_verdicts = run_all(&tcpdump, &en10mb, &ether_cases);
    compare(
        &ether_cases,
        &ether_verdicts,
        &packets[..ETHER_PACKETS],
        &ether,
        &mut t,
    );

    // ten patterns as one ten-rule IPFilter: the first match decides
    let mut rules_checked = 0;
    let actions = ["allow", "deny", "1", "2", "drop", "3"];
    for (g, group) in cases.chunks(10).zip(verdicts.chunks(10)).enumerate() {
        let (group, hits) = group;
        let acts: Vec<&str> = (0..group.len())
            .map(|k| actions[(g + k) % actions.len()])
            .collect();
        let config: Vec<String> = group
            .iter()
            .zip(&acts)
            .map(|(c, a)| rule(a, &c.click))
            .collect();
        let f = IPFilter::configure(&config.join(", ")).expect("a group of valid patterns");
        for (i, p) in packets.iter().enumerate() {
            if group.iter().any(|c| out_of_bounds(&c.loads, 0, &p.ip)) {
                continue;
            }
            let want = hits
                .iter()
                .zip(&acts)
                .find(|(h, _)| h.contains(&i))
                .and_then(|(_, a)| match *a {
                    "allow" => Some(0),
                    "deny" | "drop" => None,
                    n => n.parse().ok(),
                });
            rules_checked += 1;
            let got = f.classify(&p.ip);
            if got != want && t.mismatches.len() < 25 {
                t.mismatches.push(format!(
                    "  IPFilter({})\n    packet {i} {:02x?}\n    nfc {got:?}, pcap {want:?}",
                    config.join(", "),
                    p.ip
                ));
            }
        }
    }

    let total = t.compared + t.excluded;
    println!(
        "filter oracle: {} patterns × {} packets (+{} × {} on Ethernet): {} pairs compared \
         ({} matching), {} left out for out-of-bounds loads ({:.1}%); cut packets: {} compared \
         ({} matching); later fragments {}, first fragments {}, IP options {}, odd protocols {}; \
         {} ten-rule verdicts; {:.1} s",
        cases.len(),
        packets.len(),
        ether_cases.len(),
        ETHER_PACKETS,
        t.compared,
        t.matched,
        t.excluded,
        100.0 * t.excluded as f64 / total as f64,
        t.cut_compared,
        t.cut_matched,
        t.later_fragment_compared,
        t.first_fragment_compared,
        t.options_compared,
        t.odd_protocol_compared,
        rules_checked,
        start.elapsed().as_secs_f64(),
    );
    let mut report = String::new();
    for m in &t.mismatches {
        writeln!(report, "{m}").unwrap();
    }
    assert!(
        t.mismatches.is_empty(),
        "nfc and libpcap disagree:\n{report}"
    );
    // the comparison means something
    assert!(t.compared >= 700_000, "only {} pairs compared", t.compared);
    assert!(
        t.excluded * 10 < total,
        "too many pairs left out: {}",
        t.excluded
    );
    assert!(
        t.matched * 10 > t.compared,
        "too few matches: {}",
        t.matched
    );
    assert!(
        t.cut_compared > 20_000 && t.cut_matched > 1_000,
        "cut packets barely compared"
    );
    assert!(t.later_fragment_compared > 10_000 && t.first_fragment_compared > 10_000);
    assert!(t.options_compared > 20_000 && t.odd_protocol_compared > 20_000);
    assert!(
        rules_checked > 50_000,
        "only {rules_checked} ten-rule verdicts"
    );
}
