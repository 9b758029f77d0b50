//! # IPFlowTable — lets the replies of recorded flows through
//!
//! ```click
//! IPFlowTable([KEYWORDS])
//! ```
//!
//! Ports: 2 inputs, 2 or 3 outputs (`2/2-3`). Processing: push (`h/h`).
//!
//! The connection state of a stateful firewall. Input 0 takes the packets
//! of flows that policy lets one side open (a firewall's outbound traffic,
//! after its allow-list); IPFlowTable records each flow and passes the
//! packet on output 0. Input 1 takes the packets from the other side:
//!
//! - a packet of a recorded flow's reverse direction (the reply to it)
//!   leaves on output 1, and keeps the flow alive;
//! - so does an ICMP error (unreachable, source quench, time exceeded,
//!   parameter problem) that quotes a packet of a recorded flow and is
//!   addressed to that packet's sender: path MTU discovery and traceroute
//!   work through the firewall;
//! - everything else leaves on output 2 — for the policy to decide, or
//!   dropped when output 2 is not connected.
//!
//! A flow is an IP protocol and two address/port pairs, the first those
//! of the side that opened it. TCP and UDP flows have ports; an ICMP echo
//! request opens a flow named by its identifier, which echo replies
//! match; other protocols are flows between two addresses. On input 0,
//! packets that cannot open a flow pass unrecorded: later fragments (they
//! have no ports), ICMP other than echo requests, and TCP resets of no
//! recorded flow. On input 1, later fragments leave on output 2: put an
//! IPReassembler first where fragments must pass.
//!
//! Each flow times out after it has been idle for its protocol's timeout.
//! A TCP flow that has seen FIN or RST, either way, is closing: it times
//! out after `TCP_DONE_TIMEOUT`, unless a SYN on input 0 opens it again.
//!
//! The table holds at most `CAPACITY` flows in memory allocated at
//! configure time (open addressing and per-protocol age lists), so
//! recording a flow allocates nothing. When it is full a new flow takes
//! the place of an expired one; failing that (with `EVICT true`) of the
//! closing TCP flow idle longest, or else of the flow idle longest,
//! counted as evicted. With `EVICT false` the packet that would open the
//! flow is dropped instead, counted as refused.
//!
//! Packets must have their IP header annotation set (CheckIPHeader).
//! Malformed packets — no IP header annotation, not IPv4, a total length
//! shorter than the header, or a first fragment whose transport header is
//! shorter than its protocol's (TCP 20 bytes, UDP 8, ICMP 8) — are dropped
//! and counted.
//!
//! ## Keywords
//! - `CAPACITY` *N* — the most flows held (1 to 16,777,216). Default 4096.
//! - `TCP_TIMEOUT` *TIME* — idle timeout of open TCP flows. Default 24
//!   hours (IPRewriter's).
//! - `TCP_DONE_TIMEOUT` *TIME* — idle timeout of TCP flows after FIN or
//!   RST. Default 4 minutes (IPRewriter's).
//! - `UDP_TIMEOUT` *TIME* — idle timeout of UDP flows, and of flows of
//!   protocols other than TCP, UDP and ICMP. Default 5 minutes
//!   (IPRewriter's).
//! - `ICMP_TIMEOUT` *TIME* — idle timeout of ICMP echo flows. Default 30
//!   seconds.
//! - `EVICT` *BOOL* — when the table is full, evict the flow idle longest
//!   for a new one (true) or refuse the new flow (false). Default true.
//!
//! ## Handlers
//! - `count` (read) — flows in the table that have not timed out (as of
//!   the last packet).
//! - `capacity` (read) — `CAPACITY`.
//! - `inserted` (read) — flows recorded.
//! - `matched` (read) — packets sent on output 1.
//! - `evicted` (read) — flows removed before their time to make room.
//! - `refused` (read) — packets dropped because the table was full
//!   (`EVICT false`).
//! - `malformed` (read) — malformed packets dropped.
//! - `flows` (read) — one line per flow, by protocol, longest idle first:
//!   `tcp 198.51.100.10:40000 > 203.0.113.1:443 idle 3s` (`closing` after
//!   FIN or RST); `icmp 198.51.100.10 > 203.0.113.1 id 7 idle 0s`.
//! - `clear` (write) — forget every flow (after the policy changed, say).
//!
//! ## Examples
//! A firewall lets inside hosts open web connections and lets their
//! replies back in; nothing else comes in.
//! ```click
//! flows :: IPFlowTable(CAPACITY 65536, UDP_TIMEOUT 1min);
//! from_inside -> IPFilter(allow dst tcp port 80 or 443, deny all)
//!             -> [0]flows[0] -> to_outside;
//! from_outside -> [1]flows[1] -> to_inside;
//! flows[2] -> denied :: Counter -> Discard;
//! ```
//!
//! ## Differences from Click
//! - Click has no such element: its stateful idiom is IPRewriter with
//!   `pass` input specs (or `keep`), whose flows also let replies through.
//!   IPFlowTable is nfc's, named after what it keeps; its keywords follow
//!   IPRewriter's where they mean the same.
//! - Unlike IPRewriter, it rewrites nothing, tracks ICMP echo and other
//!   protocols too, lets ICMP errors of its flows through, and never
//!   grows past `CAPACITY`.

use alloc::string::{String, ToString};
use core::fmt::Write as _;
use core::net::Ipv4Addr;
use core::time::Duration;

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::flow_table::{FlowTable, Key, MAX_CAPACITY};
use super::ip_header::{field, OFFSET_MASK, PROTO_ICMP, PROTO_TCP, PROTO_UDP};
use crate::ElementSpec;

/// Input of the packets that open flows.
pub const IN_OPEN: usize = 0;
/// Input of the packets from the other side.
pub const IN_REPLY: usize = 1;
/// Output of input 0's packets.
pub const OUT_OPENED: usize = 0;
/// Output of input 1's packets that belong to a recorded flow.
pub const OUT_MATCHED: usize = 1;
/// Output of input 1's other packets.
pub const OUT_UNMATCHED: usize = 2;

/// TCP flags.
const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const ACK: u8 = 0x10;

/// ICMP types.
const ECHO_REPLY: u8 = 0;
const UNREACHABLE: u8 = 3;
const SOURCE_QUENCH: u8 = 4;
const ECHO: u8 = 8;
const TIME_EXCEEDED: u8 = 11;
const PARAMETER_PROBLEM: u8 = 12;

/// The timeout classes of flows, each with an age list of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Class {
    /// Open TCP flows.
    Tcp,
    /// TCP flows that have seen FIN or RST.
    TcpDone,
    /// UDP flows, and other protocols'.
    Udp,
    /// ICMP echo flows.
    Icmp,
}

const CLASSES: [Class; 4] = [Class::Tcp, Class::TcpDone, Class::Udp, Class::Icmp];

/// What a packet is to the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// A packet of flow `key` (oriented as the packet travels).
    Flow(Key, Kind),
    /// An ICMP error quoting a packet of flow `key` (oriented as the
    /// quoted packet travelled), sent to `to`.
    Error { key: Key, to: Ipv4Addr },
    /// Nothing the table tracks.
    Untracked,
}

/// What kind of flow packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// TCP, with its flags.
    Tcp(u8),
    /// UDP or another protocol.
    Plain,
    /// An ICMP echo request.
    EchoRequest,
    /// An ICMP echo reply.
    EchoReply,
}

/// IPFlowTable's settings, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Settings {
    capacity: u32,
    /// Idle timeouts in ns, by [`Class`].
    timeouts: [u64; 4],
    evict: bool,
}

impl Settings {
    fn parse(config: &str) -> Result<Settings, ConfigErrors> {
        let mut args = Args::new(config);
        let capacity = args.read("CAPACITY", parse::unsigned::<u32>);
        let timeout = |args: &mut Args, keyword: &'static str, default: u64| {
            nanos(
                args.read(keyword, parse::duration)
                    .unwrap_or(Duration::from_secs(default)),
            )
        };
        let tcp = timeout(&mut args, "TCP_TIMEOUT", 24 * 3600);
        let tcp_done = timeout(&mut args, "TCP_DONE_TIMEOUT", 240);
        let udp = timeout(&mut args, "UDP_TIMEOUT", 300);
        let icmp = timeout(&mut args, "ICMP_TIMEOUT", 30);
        let evict = args.read("EVICT", parse::boolean).unwrap_or(true);
        if capacity.is_some_and(|c| c == 0 || c > MAX_CAPACITY) {
            let span = args.span_of("CAPACITY");
            args.error(
                ConfigError::new(span, "CAPACITY must be between 1 and 16777216")
                    .with_hint("each flow takes about 48 bytes"),
            );
        }
        args.complete()?;
        Ok(Settings {
            capacity: capacity.unwrap_or(4096),
            timeouts: [tcp, tcp_done, udp, icmp],
            evict,
        })
    }
}

/// A duration in nanoseconds, saturated.
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// IPFlowTable: its settings, its flows and its counters.
///
/// A flow is keyed once, by the side that opened it (`a`): an ICMP echo
/// flow carries the identifier as both ports, so that a reply's reversed
/// key is the request's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPFlowTable {
    settings: Settings,
    /// The flows, on one age list per [`Class`].
    table: FlowTable<(), 1>,
    /// The time of the last packet, ns (for the handlers).
    now: u64,
    inserted: u64,
    matched: u64,
    evicted: u64,
    refused: u64,
    malformed: u64,
}

impl IPFlowTable {
    /// Parses the keywords and allocates the table.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let settings = Settings::parse(config)?;
        Ok(IPFlowTable {
            table: FlowTable::new(settings.capacity, CLASSES.len()),
            settings,
            now: 0,
            inserted: 0,
            matched: 0,
            evicted: 0,
            refused: 0,
            malformed: 0,
        })
    }

    /// Flows held that have not timed out, as of the last packet.
    pub fn count(&self) -> usize {
        let expired: usize = CLASSES
            .iter()
            .map(|&c| {
                self.table
                    .walk(c as u8)
                    .take_while(|&i| self.expired(i))
                    .count()
            })
            .sum();
        self.table.len() - expired
    }

    /// Forgets every flow.
    pub fn clear(&mut self) {
        self.table.clear();
    }

    #[inline]
    fn expired(&self, i: u32) -> bool {
        let e = self.table.get(i);
        self.now.saturating_sub(e.last()) >= self.settings.timeouts[usize::from(e.class())]
    }

    /// The live flow under `key`.
    #[inline]
    fn live(&self, key: &Key) -> Option<u32> {
        self.table
            .find(key)
            .map(|(i, _)| i)
            .filter(|&i| !self.expired(i))
    }

    /// Makes room for a flow when the table is full: the oldest expired
    /// flow goes, else (with EVICT) the closing TCP flow idle longest,
    /// else the flow idle longest. False when the table is full and may
    /// not evict.
    fn make_room(&mut self) -> bool {
        if !self.table.is_full() {
            return true;
        }
        let heads = CLASSES.map(|c| self.table.head(c as u8));
        let victim = if let Some(i) = heads.iter().flatten().copied().find(|&i| self.expired(i)) {
            i
        } else if !self.settings.evict {
            return false;
        } else {
            let oldest = heads
                .iter()
                .flatten()
                .copied()
                .min_by_key(|&i| self.table.get(i).last());
            let Some(victim) = heads[Class::TcpDone as usize].or(oldest) else {
                return false;
            };
            self.evicted += 1;
            victim
        };
        self.table.remove(victim);
        true
    }

    /// Records a new flow `key` of `class`; false when the table is full
    /// and may not evict.
    fn insert(&mut self, key: Key, class: Class, cx: &Context) -> bool {
        self.table.seed_if_empty(cx.seed ^ cx.now.rotate_left(32));
        if !self.make_room() {
            return false;
        }
        self.table.insert([key], class as u8, cx.now, ()).is_some() && {
            self.inserted += 1;
            true
        }
    }

    // -- packets --------------------------------------------------------

    /// A packet on input 0: records or refreshes its flow.
    fn open(&mut self, cx: &Context, seen: Seen) -> Out {
        let Seen::Flow(key, kind) = seen else {
            return Out::Port(OUT_OPENED);
        };
        let (class, flags) = match kind {
            Kind::EchoReply => return Out::Port(OUT_OPENED),
            Kind::EchoRequest => (Class::Icmp, 0),
            Kind::Plain => (Class::Udp, 0),
            Kind::Tcp(f) if f & (FIN | RST) != 0 => (Class::TcpDone, f),
            Kind::Tcp(f) => (Class::Tcp, f),
        };
        match self.table.find(&key).map(|(i, _)| i) {
            Some(i) if !self.expired(i) => {
                // A closing flow stays closing until a SYN opens it again.
                let reopened = flags & (SYN | ACK) == SYN;
                let done = self.table.get(i).class() == Class::TcpDone as u8;
                let class = if done && class == Class::Tcp && !reopened {
                    Class::TcpDone
                } else {
                    class
                };
                self.table.touch(i, class as u8, cx.now);
            }
            found => {
                if let Some(i) = found {
                    self.table.remove(i);
                }
                if flags & RST != 0 {
                    return Out::Port(OUT_OPENED);
                }
                if !self.insert(key, class, cx) {
                    self.refused += 1;
                    return Out::Drop;
                }
            }
        }
        Out::Port(OUT_OPENED)
    }

    /// A packet on input 1: does it belong to a recorded flow?
    fn reply(&mut self, cx: &Context, seen: Seen) -> Out {
        match seen {
            Seen::Flow(key, kind) if kind != Kind::EchoRequest => {
                let Some(i) = self.live(&key.reversed()) else {
                    return Out::Port(OUT_UNMATCHED);
                };
                let class = match kind {
                    Kind::Tcp(f) if f & (FIN | RST) != 0 => Class::TcpDone as u8,
                    _ => self.table.get(i).class(),
                };
                self.table.touch(i, class, cx.now);
            }
            Seen::Error { key, to } if to == key.a() && self.live(&key).is_some() => {}
            _ => return Out::Port(OUT_UNMATCHED),
        }
        self.matched += 1;
        Out::Port(OUT_MATCHED)
    }

    /// The `flows` handler.
    fn listing(&self) -> String {
        let mut s = String::new();
        for class in CLASSES {
            for i in self.table.walk(class as u8).filter(|&i| !self.expired(i)) {
                let e = self.table.get(i);
                let k = e.keys()[0];
                let (a, b) = (k.a(), k.b());
                let _ = match k.proto() {
                    PROTO_TCP | PROTO_UDP => {
                        let name = if k.proto() == PROTO_TCP { "tcp" } else { "udp" };
                        write!(s, "{name} {a}:{} > {b}:{}", k.pa(), k.pb())
                    }
                    PROTO_ICMP => write!(s, "icmp {a} > {b} id {}", k.pa()),
                    p => write!(s, "proto {p} {a} > {b}"),
                };
                let idle = self.now.saturating_sub(e.last()) / 1_000_000_000;
                let closing = if class == Class::TcpDone {
                    " closing"
                } else {
                    ""
                };
                let _ = writeln!(s, " idle {idle}s{closing}");
            }
        }
        s
    }
}

/// Reads what the table needs from `p`'s headers; `None` when `p` is
/// malformed.
#[inline]
fn inspect(p: &Packet) -> Option<Seen> {
    let ip = p.network()?;
    let h: &[u8; 20] = ip.first_chunk()?;
    let hlen = usize::from(h[field::VER_IHL] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([h[field::LEN], h[field::LEN + 1]]));
    if h[field::VER_IHL] >> 4 != 4 || hlen < 20 || total < hlen || ip.len() < hlen {
        return None;
    }
    if u16::from_be_bytes([h[field::FRAG], h[field::FRAG + 1]]) & OFFSET_MASK != 0 {
        return Some(Seen::Untracked);
    }
    let (proto, src, dst) = (h[field::PROTO], addr(h, field::SRC), addr(h, field::DST));
    let l4 = &ip[hlen..total.min(ip.len())];
    let key = |pa, pb| Key::new(proto, src, dst, pa, pb);
    let ports = |t: &[u8]| {
        (
            u16::from_be_bytes([t[0], t[1]]),
            u16::from_be_bytes([t[2], t[3]]),
        )
    };
    Some(match proto {
        PROTO_TCP => {
            let t: &[u8; 20] = l4.first_chunk()?;
            let (sport, dport) = ports(t);
            Seen::Flow(key(sport, dport), Kind::Tcp(t[13]))
        }
        PROTO_UDP => {
            let (sport, dport) = ports(l4.first_chunk::<8>()?);
            Seen::Flow(key(sport, dport), Kind::Plain)
        }
        PROTO_ICMP => {
            let t: &[u8; 8] = l4.first_chunk()?;
            let id = u16::from_be_bytes([t[4], t[5]]);
            match t[0] {
                ECHO => Seen::Flow(key(id, id), Kind::EchoRequest),
                ECHO_REPLY => Seen::Flow(key(id, id), Kind::EchoReply),
                UNREACHABLE | SOURCE_QUENCH | TIME_EXCEEDED | PARAMETER_PROBLEM => quoted(&l4[8..])
                    .map_or(Seen::Untracked, |key| Seen::Error {
                        key,
                        to: Ipv4Addr::from(dst),
                    }),
                _ => Seen::Untracked,
            }
        }
        _ => Seen::Flow(key(0, 0), Kind::Plain),
    })
}

/// The address at `at` of the IPv4 header `h`.
#[inline]
fn addr(h: &[u8; 20], at: usize) -> [u8; 4] {
    [h[at], h[at + 1], h[at + 2], h[at + 3]]
}

/// The flow of the packet an ICMP error quotes (its IP header and at
/// least the first 8 bytes after it), if that packet could open a flow.
fn quoted(ip: &[u8]) -> Option<Key> {
    let h: &[u8; 20] = ip.first_chunk()?;
    let hlen = usize::from(h[field::VER_IHL] & 0x0f) * 4;
    let frag = u16::from_be_bytes([h[field::FRAG], h[field::FRAG + 1]]);
    if h[field::VER_IHL] >> 4 != 4 || hlen < 20 || frag & OFFSET_MASK != 0 {
        return None;
    }
    let proto = h[field::PROTO];
    let l4 = ip.get(hlen..)?;
    let word = |at: usize| Some(u16::from_be_bytes([*l4.get(at)?, *l4.get(at + 1)?]));
    let (pa, pb) = match proto {
        PROTO_TCP | PROTO_UDP => (word(0)?, word(2)?),
        PROTO_ICMP if l4.first() == Some(&ECHO) => (word(4)?, word(4)?),
        PROTO_ICMP => return None,
        _ => (0, 0),
    };
    Some(Key::new(
        proto,
        addr(h, field::SRC),
        addr(h, field::DST),
        pa,
        pb,
    ))
}

impl Element for IPFlowTable {
    #[inline]
    fn process(&mut self, cx: &Context, input: usize, p: &mut Packet) -> Out {
        self.now = cx.now;
        let Some(seen) = inspect(p) else {
            self.malformed += 1;
            return Out::Drop;
        };
        match input {
            IN_OPEN => self.open(cx, seen),
            _ => self.reply(cx, seen),
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "count" => self.count().to_string(),
            "capacity" => self.settings.capacity.to_string(),
            "inserted" => self.inserted.to_string(),
            "matched" => self.matched.to_string(),
            "evicted" => self.evicted.to_string(),
            "refused" => self.refused.to_string(),
            "malformed" => self.malformed.to_string(),
            "flows" => self.listing(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    fn write_handler(&mut self, name: &str, _value: &str) -> Result<(), HandlerError> {
        match name {
            "clear" => self.clear(),
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// IPFlowTable's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPFlowTable",
    port_count: "2/2-3",
    processing: "h/h",
    flow_code: "xy/xyy",
    keywords: &[
        "CAPACITY",
        "TCP_TIMEOUT",
        "TCP_DONE_TIMEOUT",
        "UDP_TIMEOUT",
        "ICMP_TIMEOUT",
        "EVICT",
    ],
    handlers: &[
        "count (read)",
        "capacity (read)",
        "inserted (read)",
        "matched (read)",
        "evicted (read)",
        "refused (read)",
        "malformed (read)",
        "flows (read)",
        "clear (write)",
    ],
    summary: "lets the replies of recorded flows through (a stateful firewall's state)",
    source: include_str!("ip_flow_table.rs"),
    check: |c| Settings::parse(c).map(|_| crate::Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path};
    use crate::ip::ip_classifier_eval::packets::Pkt;
    use alloc::vec;
    use alloc::vec::Vec;
    use nfc_dataplane::packet::PacketPool;

    const IN: [u8; 4] = [198, 51, 100, 10];
    const OUT: [u8; 4] = [203, 0, 113, 1];
    const ROUTER: [u8; 4] = [192, 0, 2, 254];
    const SECOND: u64 = 1_000_000_000;

    /// `p` from `src` to `dst`, as bytes.
    fn ip(src: [u8; 4], dst: [u8; 4], p: Pkt) -> Vec<u8> {
        Pkt { src, dst, ..p }.bytes()
    }

    fn tcp(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, flags: u8) -> Vec<u8> {
        ip(src, dst, Pkt::tcp(sport, dport, flags))
    }

    fn udp(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16) -> Vec<u8> {
        ip(src, dst, Pkt::udp(sport, dport))
    }

    /// An ICMP echo request (`ty` 8) or reply (0) with identifier `id`.
    fn echo(src: [u8; 4], dst: [u8; 4], ty: u8, id: u16) -> Vec<u8> {
        let [hi, lo] = id.to_be_bytes();
        ip(
            src,
            dst,
            Pkt::ip(PROTO_ICMP, &[ty, 0, 0, 0, hi, lo, 0, 1, 0xAA]),
        )
    }

    /// An ICMP error of type `ty` from `src` to `dst` quoting the header
    /// and first 8 bytes of `quoted`.
    fn error(src: [u8; 4], dst: [u8; 4], ty: u8, quoted: &[u8]) -> Vec<u8> {
        let mut t = vec![ty, 0, 0, 0, 0, 0, 0, 0];
        t.extend_from_slice(&quoted[..28.min(quoted.len())]);
        ip(src, dst, Pkt::ip(PROTO_ICMP, &t))
    }

    /// A table and a pool, sending packets at chosen times.
    struct Bench {
        t: IPFlowTable,
        pool: &'static PacketPool,
    }

    impl Bench {
        fn new(config: &str) -> Bench {
            Bench {
                t: IPFlowTable::configure(config).unwrap(),
                pool: harness::pool(),
            }
        }

        /// Sends IP packet `bytes` (network header set) to `input` at
        /// `secs` seconds.
        fn send(&mut self, secs: u64, input: usize, bytes: &[u8]) -> Out {
            let mut p = self.pool.alloc_with(bytes).unwrap();
            p.set_network_header(0, 20);
            let out = self
                .t
                .process(&Context::at(self.pool, secs * SECOND), input, &mut p);
            check_invariants(&self.t);
            out
        }

        fn read(&self, h: &str) -> String {
            self.t.read_handler(h).unwrap()
        }
    }

    /// The hash table, the age lists and the free list agree.
    fn check_invariants(t: &IPFlowTable) {
        t.table.check_invariants();
    }

    #[test]
    fn replies_of_recorded_flows_pass() {
        let mut b = Bench::new("");
        let port = |p: usize| Out::Port(p);
        assert_eq!(b.send(0, 0, &tcp(IN, OUT, 40000, 443, SYN)), port(0));
        assert_eq!(b.send(0, 1, &tcp(OUT, IN, 443, 40000, SYN | ACK)), port(1));
        assert_eq!(
            b.send(0, 1, &tcp(OUT, IN, 443, 40001, SYN | ACK)),
            port(2),
            "a SYN-ACK of no flow"
        );
        assert_eq!(
            b.send(0, 1, &tcp(OUT, IN, 40000, 443, SYN)),
            port(2),
            "the recorded direction, from the other side"
        );
        assert_eq!(b.send(1, 0, &udp(IN, OUT, 5353, 53)), port(0));
        assert_eq!(b.send(1, 1, &udp(OUT, IN, 53, 5353)), port(1));
        assert_eq!(b.send(1, 1, &udp(OUT, IN, 54, 5353)), port(2));
        assert_eq!(
            b.send(1, 1, &tcp(OUT, IN, 53, 5353, ACK)),
            port(2),
            "TCP is not UDP"
        );
        assert_eq!(b.send(2, 0, &echo(IN, OUT, ECHO, 7)), port(0));
        assert_eq!(b.send(2, 1, &echo(OUT, IN, ECHO_REPLY, 7)), port(1));
        assert_eq!(b.send(2, 1, &echo(OUT, IN, ECHO_REPLY, 8)), port(2));
        assert_eq!(
            b.send(2, 1, &echo(OUT, IN, ECHO, 7)),
            port(2),
            "a request is no reply"
        );
        assert_eq!(b.send(3, 0, &ip(IN, OUT, Pkt::ip(47, b"gre"))), port(0));
        assert_eq!(b.send(3, 1, &ip(OUT, IN, Pkt::ip(47, b"gre"))), port(1));
        // echo replies and other ICMP do not open flows
        assert_eq!(b.send(3, 0, &echo(IN, OUT, ECHO_REPLY, 9)), port(0));
        assert_eq!(b.send(3, 0, &ip(IN, OUT, Pkt::icmp(13, 0))), port(0));
        assert_eq!(b.send(3, 1, &echo(OUT, IN, ECHO, 9)), port(2));
        assert_eq!(b.read("count"), "4");
        assert_eq!(b.read("inserted"), "4");
        assert_eq!(b.read("matched"), "4");
        assert_eq!(
            b.read("flows"),
            "tcp 198.51.100.10:40000 > 203.0.113.1:443 idle 3s\n\
             udp 198.51.100.10:5353 > 203.0.113.1:53 idle 2s\n\
             proto 47 198.51.100.10 > 203.0.113.1 idle 0s\n\
             icmp 198.51.100.10 > 203.0.113.1 id 7 idle 1s\n"
        );
    }

    #[test]
    fn icmp_errors_of_recorded_flows_pass() {
        let mut b = Bench::new("");
        let syn = tcp(IN, OUT, 40000, 443, SYN);
        let ping = echo(IN, OUT, ECHO, 7);
        b.send(0, 0, &syn);
        b.send(0, 0, &ping);
        for ty in [UNREACHABLE, SOURCE_QUENCH, TIME_EXCEEDED, PARAMETER_PROBLEM] {
            assert_eq!(
                b.send(1, 1, &error(ROUTER, IN, ty, &syn)),
                Out::Port(1),
                "{ty}"
            );
        }
        assert_eq!(
            b.send(1, 1, &error(ROUTER, IN, TIME_EXCEEDED, &ping)),
            Out::Port(1)
        );
        let other = tcp(IN, OUT, 40001, 443, SYN);
        assert_eq!(
            b.send(1, 1, &error(ROUTER, IN, UNREACHABLE, &other)),
            Out::Port(2)
        );
        assert_eq!(
            b.send(1, 1, &error(ROUTER, [198, 51, 100, 11], UNREACHABLE, &syn)),
            Out::Port(2),
            "sent to another host than the quoted sender"
        );
        assert_eq!(
            b.send(1, 1, &error(ROUTER, IN, 5, &syn)),
            Out::Port(2),
            "redirect"
        );
        assert_eq!(
            b.send(1, 1, &error(ROUTER, IN, UNREACHABLE, &syn[..22])),
            Out::Port(2),
            "quoted ports cut off"
        );
        // an error quoting the reply direction is not the sender's
        let reply = tcp(OUT, IN, 443, 40000, SYN | ACK);
        assert_eq!(
            b.send(1, 1, &error(ROUTER, OUT, UNREACHABLE, &reply)),
            Out::Port(2)
        );
        assert_eq!(b.read("matched"), "5");
        assert_eq!(b.read("malformed"), "0");
        // errors do not keep a flow alive; on input 0 they pass unrecorded
        assert_eq!(
            b.send(2, 0, &error(IN, OUT, UNREACHABLE, &reply)),
            Out::Port(0)
        );
        assert_eq!(b.read("inserted"), "2");
    }

    #[test]
    fn flows_time_out_with_the_clock() {
        let mut b =
            Bench::new("UDP_TIMEOUT 10s, ICMP_TIMEOUT 3s, TCP_TIMEOUT 100s, TCP_DONE_TIMEOUT 5s");
        let (out, back) = (udp(IN, OUT, 5353, 53), udp(OUT, IN, 53, 5353));
        b.send(0, 0, &out);
        assert_eq!(b.send(9, 1, &back), Out::Port(1));
        assert_eq!(
            b.send(18, 1, &back),
            Out::Port(1),
            "each reply refreshes it"
        );
        assert_eq!(b.read("count"), "1");
        assert_eq!(b.send(28, 1, &back), Out::Port(2), "idle for 10 s");
        assert_eq!(b.read("count"), "0");
        assert_eq!(b.read("flows"), "");
        b.send(30, 0, &out);
        assert_eq!(b.read("inserted"), "2", "an expired flow is recorded anew");
        assert_eq!(b.send(31, 1, &back), Out::Port(1));

        b.send(40, 0, &echo(IN, OUT, ECHO, 1));
        assert_eq!(b.send(42, 1, &echo(OUT, IN, ECHO_REPLY, 1)), Out::Port(1));
        assert_eq!(b.send(45, 1, &echo(OUT, IN, ECHO_REPLY, 1)), Out::Port(2));

        // TCP: open for 100 s, 5 s once FIN or RST is seen
        let syn_ack = tcp(OUT, IN, 443, 40000, SYN | ACK);
        b.send(100, 0, &tcp(IN, OUT, 40000, 443, SYN));
        assert_eq!(b.send(190, 1, &syn_ack), Out::Port(1));
        b.send(200, 0, &tcp(IN, OUT, 40000, 443, FIN | ACK));
        assert!(b.read("flows").contains("idle 0s closing"));
        assert_eq!(b.send(204, 1, &tcp(OUT, IN, 443, 40000, ACK)), Out::Port(1));
        b.send(204, 0, &tcp(IN, OUT, 40000, 443, ACK));
        assert!(
            b.read("flows").contains("closing"),
            "an ACK does not reopen it"
        );
        assert_eq!(b.send(209, 1, &syn_ack), Out::Port(2), "closed 5 s ago");
        // a SYN opens it again; a RST from the other side closes it
        b.send(300, 0, &tcp(IN, OUT, 40000, 443, SYN));
        b.send(301, 0, &tcp(IN, OUT, 40000, 443, FIN));
        b.send(302, 0, &tcp(IN, OUT, 40000, 443, SYN));
        assert_eq!(b.send(350, 1, &syn_ack), Out::Port(1));
        assert_eq!(b.send(351, 1, &tcp(OUT, IN, 443, 40000, RST)), Out::Port(1));
        assert_eq!(b.send(357, 1, &syn_ack), Out::Port(2));
        // a RST of no flow opens none
        b.send(400, 0, &tcp(IN, OUT, 40002, 443, RST));
        assert_eq!(b.send(400, 1, &tcp(OUT, IN, 443, 40002, ACK)), Out::Port(2));
    }

    #[test]
    fn a_full_table_evicts_the_longest_idle_flow() {
        let mut b = Bench::new("CAPACITY 2, UDP_TIMEOUT 1min, TCP_TIMEOUT 1h");
        let flow = |n: u16| (udp(IN, OUT, n, 53), udp(OUT, IN, 53, n));
        let (f1, f2, f3) = (flow(1), flow(2), flow(3));
        b.send(0, 0, &f1.0);
        b.send(1, 0, &f2.0);
        assert_eq!(
            b.send(2, 1, &f1.1),
            Out::Port(1),
            "f1 refreshed: f2 idles longest"
        );
        b.send(3, 0, &f3.0);
        assert_eq!(b.read("evicted"), "1");
        assert_eq!(b.send(4, 1, &f2.1), Out::Port(2));
        assert_eq!(b.send(4, 1, &f1.1), Out::Port(1));
        assert_eq!(b.send(4, 1, &f3.1), Out::Port(1));
        assert_eq!(b.read("count"), "2");
        // an expired flow makes room without an eviction
        b.send(100, 0, &f2.0);
        assert_eq!(b.read("evicted"), "1");
        assert_eq!(b.read("count"), "1");
        // a closing TCP flow goes before an older open one
        b.send(101, 0, &tcp(IN, OUT, 1, 80, SYN)); // takes expired f3's place
        b.send(102, 0, &tcp(IN, OUT, 2, 80, FIN)); // evicts f2, idle longest
        assert_eq!(b.read("evicted"), "2");
        assert_eq!(b.send(102, 1, &f2.1), Out::Port(2));
        b.send(103, 0, &tcp(IN, OUT, 3, 80, SYN));
        assert_eq!(b.read("evicted"), "3");
        assert_eq!(b.send(104, 1, &tcp(OUT, IN, 80, 1, ACK)), Out::Port(1));
        assert_eq!(b.send(104, 1, &tcp(OUT, IN, 80, 2, ACK)), Out::Port(2));
        assert_eq!(b.send(104, 1, &tcp(OUT, IN, 80, 3, ACK)), Out::Port(1));
        assert_eq!(b.read("inserted"), "7");
    }

    #[test]
    fn a_full_table_refuses_new_flows_without_evict() {
        let mut b = Bench::new("CAPACITY 1, EVICT false");
        b.send(0, 0, &udp(IN, OUT, 1, 53));
        assert_eq!(b.send(1, 0, &udp(IN, OUT, 2, 53)), Out::Drop);
        assert_eq!(
            b.send(1, 0, &udp(IN, OUT, 1, 53)),
            Out::Port(0),
            "a known flow"
        );
        assert_eq!(b.send(1, 1, &udp(OUT, IN, 53, 1)), Out::Port(1));
        assert_eq!(b.send(1, 1, &udp(OUT, IN, 53, 2)), Out::Port(2));
        assert_eq!(
            (b.read("refused"), b.read("evicted"), b.read("capacity")),
            ("1".into(), "0".into(), "1".into())
        );
        b.t.write_handler("clear", "").unwrap();
        check_invariants(&b.t);
        assert_eq!(b.read("count"), "0");
        assert_eq!(b.send(2, 0, &udp(IN, OUT, 2, 53)), Out::Port(0));
    }

    #[test]
    fn malformed_packets_are_dropped_and_counted() {
        let mut b = Bench::new("");
        let syn = tcp(IN, OUT, 40000, 443, SYN);
        let mut v6 = syn.clone();
        v6[0] = 0x65;
        let mut short_len = syn.clone();
        short_len[2..4].copy_from_slice(&16u16.to_be_bytes());
        let bad = [
            syn[..30].to_vec(),                    // TCP header cut short
            udp(IN, OUT, 1, 2)[..25].to_vec(),     // UDP too
            echo(IN, OUT, ECHO, 1)[..26].to_vec(), // ICMP too
            syn[..12].to_vec(),                    // no whole IP header
            v6,
            short_len,
        ];
        for input in [0, 1] {
            for p in &bad {
                assert_eq!(b.send(0, input, p), Out::Drop, "{p:02x?}");
            }
            let mut p = b.pool.alloc_with(&syn).unwrap();
            let cx = Context::at(b.pool, 0);
            assert_eq!(
                b.t.process(&cx, input, &mut p),
                Out::Drop,
                "no IP header annotation"
            );
        }
        assert_eq!(b.read("malformed"), "14");
        assert_eq!(b.read("inserted"), "0");
        // later fragments are not malformed: they pass unrecorded, or unmatched
        let later = ip(
            IN,
            OUT,
            Pkt {
                frag: 0x0010,
                ..Pkt::tcp(1, 2, SYN)
            },
        );
        assert_eq!(b.send(0, 0, &later[..24]), Out::Port(0));
        assert_eq!(b.send(0, 1, &later[..24]), Out::Port(2));
        assert_eq!(b.read("malformed"), "14");
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let t = IPFlowTable::configure("CAPACITY 8").unwrap();
        let make = |i: usize, pool: &'static PacketPool| {
            let n = (i % 11) as u16;
            let bytes = match i % 4 {
                0 => udp(IN, OUT, n, 53),
                1 => udp(OUT, IN, 53, n),
                2 => tcp(IN, OUT, n, 80, if i % 3 == 0 { SYN } else { FIN }),
                _ => tcp(OUT, IN, 80, n, ACK)[..if i % 7 == 0 { 30 } else { 44 }].to_vec(),
            };
            let mut p = pool.alloc_with(&bytes).unwrap();
            p.set_network_header(0, 20);
            p
        };
        check_batch_path(&t, 0, 1, make);
        check_batch_path(&t, 1, 3, make);
    }

    /// Random flows through a small table: the hash table, the lists and
    /// the counts stay consistent, and every live flow's reply passes.
    #[test]
    fn many_flows_keep_the_table_consistent() {
        let mut b = Bench::new("CAPACITY 13, UDP_TIMEOUT 20s, TCP_TIMEOUT 40s");
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for step in 0..4000u64 {
            let r = next();
            let n = (r % 40) as u16;
            let secs = step / 10;
            let (open, reply) = if r & 0x100 == 0 {
                (udp(IN, OUT, n, 53), udp(OUT, IN, 53, n))
            } else {
                let flags = [SYN, ACK, FIN | ACK, RST][(r >> 9) as usize % 4];
                (tcp(IN, OUT, n, 80, flags), tcp(OUT, IN, 80, n, ACK))
            };
            let input = (r >> 12) as usize % 2;
            b.send(secs, input, if input == 0 { &open } else { &reply });
            assert!(b.read("count").parse::<usize>().unwrap() <= 13);
        }
        let listed = b.read("flows").lines().count();
        assert_eq!(listed.to_string(), b.read("count"));
        let evicted: u64 = b.read("evicted").parse().unwrap();
        assert!(evicted > 100, "the table was full often: {evicted}");
    }

    #[test]
    fn configuration() {
        let t = IPFlowTable::configure("").unwrap();
        assert_eq!(t.settings.capacity, 4096);
        assert_eq!(t.table.capacity(), 4096);
        assert_eq!(
            t.settings.timeouts,
            [86_400 * SECOND, 240 * SECOND, 300 * SECOND, 30 * SECOND]
        );
        assert!(t.settings.evict);
        let t = IPFlowTable::configure("CAPACITY 3, ICMP_TIMEOUT 1min, EVICT false").unwrap();
        assert_eq!(t.table.capacity(), 3);
        assert_eq!(t.settings.timeouts[Class::Icmp as usize], 60 * SECOND);
        for bad in [
            "CAPACITY 0",
            "CAPACITY 16777217",
            "CAPACITY lots",
            "UDP_TIMEOUT x",
            "TIMEOUT 1",
            "5",
        ] {
            assert!(IPFlowTable::configure(bad).is_err(), "{bad}");
            assert!((SPEC.check)(bad).is_err(), "{bad}");
        }
        let e = IPFlowTable::configure("CAPACITY 0").unwrap_err();
        assert_eq!(e.0[0].message, "CAPACITY must be between 1 and 16777216");
        let mut t = t;
        assert_eq!(t.read_handler("nope"), Err(HandlerError::NoSuchHandler));
        assert_eq!(
            t.write_handler("count", ""),
            Err(HandlerError::NoSuchHandler)
        );
        assert_eq!(t.read_handler("clear"), Err(HandlerError::NoSuchHandler));
    }
}
