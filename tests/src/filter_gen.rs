//! What the filter tests generate, from fixed seeds: IPv4 packets of every
//! kind a filter must handle ([`packet`]) and patterns in Click's
//! IPFilter/IPClassifier language (every form of the manual in
//! [`HAND_PATTERNS`], random combinations from [`random_pattern`]). The
//! libpcap oracle (`tests/filter_oracle.rs`) uses them, and so does the
//! build script, which compiles patterns to Rust the way generated
//! pipelines do (`tests/compiled_filters.rs`); hence std only.

// ---------------------------------------------------------------------------
// Deterministic randomness

use std::net::Ipv4Addr;

/// SplitMix64: small, seedable, the same on every machine.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `xs`.
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }

    /// One of `xs`, or (as often as any one of them) a value of `other`.
    pub fn pick_or<T: Copy>(&mut self, xs: &[T], other: impl FnOnce(&mut Rng) -> T) -> T {
        match xs.get(self.below(xs.len() as u64 + 1) as usize) {
            Some(&x) => x,
            None => other(self),
        }
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

// ---------------------------------------------------------------------------
// Packets

/// The addresses packets mostly use.
pub const ADDRS: [[u8; 4]; 8] = [
    [10, 0, 0, 1],
    [10, 0, 0, 2],
    [10, 1, 2, 3],
    [192, 168, 1, 2],
    [192, 168, 1, 77],
    [198, 51, 100, 7],
    [203, 0, 113, 5],
    [10, 9, 9, 1],
];
/// The ports packets and patterns mostly use.
pub const PORTS: [u16; 15] = [
    20, 21, 22, 23, 25, 53, 80, 443, 1023, 1024, 1234, 8000, 8080, 40000, 65535,
];
/// The Ethernet addresses of [`ether_header`].
pub const MACS: [[u8; 6]; 4] = [
    [2, 0, 0, 0, 0, 1],
    [2, 0, 0, 0, 0, 2],
    [0x33, 0x33, 0, 0, 0, 1],
    [2, 0, 0, 0x99, 0x99, 0x99],
];

/// One generated packet and what kind it is.
pub struct Packet {
    /// The packet, from its IPv4 header on.
    pub ip: Vec<u8>,
    /// Cut short of its transport header's end.
    pub cut: bool,
    /// The first fragment of a fragmented datagram.
    pub first_fragment: bool,
    /// A fragment other than the first.
    pub later_fragment: bool,
    /// Its IP header has options.
    pub options: bool,
    /// Neither TCP, UDP nor ICMP.
    pub odd_protocol: bool,
}

/// A port, mostly from [`PORTS`].
pub fn port(r: &mut Rng) -> u16 {
    if r.chance(85) {
        r.pick(&PORTS)
    } else {
        r.next_u64() as u16
    }
}

/// A TCP header and some payload.
pub fn tcp(r: &mut Rng) -> Vec<u8> {
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
    t.push(if r.chance(10) {
        r.next_u64() as u8
    } else {
        flags
    });
    let win: u16 = r.pick(&[0, 512, 1024, 8192, 29200, 65535, 0x7210]);
    t.extend_from_slice(&win.to_be_bytes());
    t.extend_from_slice(&r.bytes(4)); // checksum, urgent pointer
    t.extend_from_slice(&r.bytes(4 * opt_words));
    let payload = r.below(40) as usize;
    t.extend_from_slice(&r.bytes(payload));
    t
}

/// A UDP header and some payload.
pub fn udp(r: &mut Rng) -> Vec<u8> {
    let payload = r.below(40) as usize;
    let mut t = Vec::new();
    t.extend_from_slice(&port(r).to_be_bytes());
    t.extend_from_slice(&port(r).to_be_bytes());
    t.extend_from_slice(&((8 + payload) as u16).to_be_bytes());
    t.extend_from_slice(&r.bytes(2 + payload));
    t
}

/// An ICMP header and some payload.
pub fn icmp(r: &mut Rng) -> Vec<u8> {
    let ty = if r.chance(90) {
        r.pick(&[0u8, 3, 4, 5, 8, 11, 12, 13, 14, 17])
    } else {
        r.next_u64() as u8
    };
    let mut t = vec![ty, r.below(16) as u8];
    let payload = 6 + r.below(40) as usize;
    t.extend_from_slice(&r.bytes(payload));
    t
}

/// One IPv4 packet: valid or not, whole or cut, fragmented or not.
pub fn packet(r: &mut Rng) -> Packet {
    let proto: u8 = match r.below(100) {
        0..=29 => 6,
        30..=54 => 17,
        55..=72 => 1,
        73..=77 => 33,
        78..=81 => 132,
        82..=85 => 47,
        _ => r.pick_or(&[0, 2, 4, 41, 50, 103, 255], |r| r.next_u64() as u8),
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
        _ => r.next_u64() as u16,
    };
    let hl = 20 + options.len();
    let mut ip = Vec::new();
    ip.push(0x40 | (hl / 4) as u8);
    ip.push(r.pick_or(&[0u8, 0, 0, 0x10, 0xB8, 0x01, 0x02, 0x03], |r| {
        r.next_u64() as u8
    }));
    ip.extend_from_slice(&((hl + transport.len()) as u16).to_be_bytes());
    ip.extend_from_slice(&(r.next_u64() as u16).to_be_bytes());
    ip.extend_from_slice(&frag.to_be_bytes());
    ip.push(r.pick_or(&[1u8, 2, 5, 64, 128, 255], |r| r.next_u64() as u8));
    ip.push(proto);
    ip.extend_from_slice(&r.bytes(2)); // checksum
    let src = if r.chance(85) {
        r.pick(&ADDRS)
    } else {
        r.next_u64().to_be_bytes()[..4].try_into().unwrap()
    };
    let dst = if r.chance(85) {
        r.pick(&ADDRS)
    } else {
        r.next_u64().to_be_bytes()[..4].try_into().unwrap()
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

/// A 14-byte Ethernet header for an IPv4 packet.
pub fn ether_header(r: &mut Rng) -> Vec<u8> {
    let mut e = Vec::new();
    e.extend_from_slice(&r.pick(&MACS));
    e.extend_from_slice(&r.pick(&MACS));
    e.extend_from_slice(&[8, 0]);
    e
}

// ---------------------------------------------------------------------------
// Patterns

/// Every form of Click's IPClassifier/IPFilter manual, and then some.
pub const HAND_PATTERNS: &[&str] = &[
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
pub const ETHER_PATTERNS: &[&str] = &[
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

/// One random primitive of Click's pattern language.
pub fn random_primitive(r: &mut Rng) -> String {
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
                r.next_u64() as u32 | 1
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
                format!("& {:#x} ", (r.next_u64() & full).max(1))
            };
            let v = if r.chance(40) { 0 } else { r.next_u64() & full };
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

/// A random pattern, primitives combined up to `depth` deep.
pub fn random_pattern(r: &mut Rng, depth: u32) -> String {
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
pub fn rule(action: &str, pattern: &str) -> String {
    if pattern.contains(',') {
        format!("\"{action} {pattern}\"")
    } else {
        format!("{action} {pattern}")
    }
}
