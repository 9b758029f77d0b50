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
use nfc_tests::filter_gen::{
    ether_header, packet, random_pattern, rule, Packet, Rng, ETHER_PATTERNS, HAND_PATTERNS,
};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapReader, PcapWriter};
use pcap_file::{DataLink, Endianness, TsResolution};

const PACKETS: usize = 2_400;
const ETHER_PACKETS: usize = 600;
const RANDOM_PATTERNS: usize = 220;

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
