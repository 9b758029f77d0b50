//! The runtime the IPRewriter family shares — Click's IPRewriterBase, its
//! flows and its patterns: IPRewriter, TCPRewriter, UDPRewriter,
//! ICMPPingRewriter, IPAddrRewriter and IPAddrPairRewriter are each a
//! [`Rewriter`] in one [`Mode`]; ICMPRewriter reads their [`Mappings`].
//!
//! A flow is one entry of a [`FlowTable`] under two keys: the flow as it
//! arrived (direction 0, "forward") and the reverse of the flow as it was
//! rewritten (direction 1, "reply"). A packet of either direction is
//! rewritten to the reverse of the other key, as Click does, with its IP
//! and transport checksums updated by deltas computed once, when the flow
//! is made (RFC 1624). Nothing is allocated per packet: the table is
//! allocated at configure time; a full table makes room by the rules of
//! [`Mappings::make_room`].
//!
//! Timeouts are per class of flow (TCP without data both ways, with data
//! both ways, closed; UDP, streaming UDP; or one class for ping and address
//! flows). A flow expires once it has been idle for its class's timeout
//! (or its guarantee, if longer); a packet never matches an expired flow.
//! Within its guarantee after each packet a flow is never evicted.

use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::fmt::Write as _;
use core::net::Ipv4Addr;
use core::time::Duration;

use nfc_dataplane::args::Arg;
use nfc_dataplane::batch::Batch;
use nfc_dataplane::checksum;
use nfc_dataplane::element::{Context, Element, HandlerError, Out, Shared, TaskResult};
use nfc_dataplane::packet::Packet;

use super::rewriter_input_spec::{
    parse_input_spec, AddrSpec, Choice, InputSpec, Pattern, PatternRef, PortSpec, RewriterBase,
    TcpTimeouts,
};
use crate::ip::flow_table::{FlowTable, Key};
use crate::ip::ip_header::{field, get16, put16, OFFSET_MASK, PROTO_ICMP, PROTO_TCP, PROTO_UDP};

/// What a rewriter class keys its flows by and what it rewrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Addresses and ports of TCP and/or UDP (IPRewriter: both,
    /// TCPRewriter: TCP, UDPRewriter: UDP), keyed by the 5-tuple.
    Napt {
        /// Handles TCP.
        tcp: bool,
        /// Handles UDP.
        udp: bool,
    },
    /// Addresses and identifier of ICMP echo requests and replies
    /// (ICMPPingRewriter).
    Ping,
    /// The source address of any IP packet, keyed by that address alone;
    /// replies by their destination address (IPAddrRewriter).
    Addr,
    /// Both addresses of any IP packet, keyed by the address pair
    /// (IPAddrPairRewriter).
    AddrPair,
}

/// TCP flows without data both ways.
const TCP_NODATA: u8 = 0;
/// TCP flows with data both ways.
const TCP_DATA: u8 = 1;
/// TCP flows closed both ways, or reset.
const TCP_DONE: u8 = 2;
/// UDP flows.
const UDP: u8 = 3;
/// UDP flows with at least three packets, both ways.
const UDP_STREAMING: u8 = 4;
/// The classes of flows.
pub const NCLASSES: usize = 5;
/// The class of ping and address flows.
const ONLY: u8 = 0;

/// TCP state bits of [`Flow::state`] (Click's `TCPFlow` flags): FIN seen
/// forward / reply, data seen forward / reply.
const FORWARD_DONE: u8 = 1;
const BOTH_DONE: u8 = 3;
const FORWARD_DATA: u8 = 4;
const BOTH_DATA: u8 = 12;
/// UDP state: a packet seen forward / reply, and the packet count (to 3)
/// in the high bits.
const SEEN_FORWARD: u8 = 1;
const SEEN_BOTH: u8 = 3;
const COUNT_ONE: u8 = 4;
const COUNT_MASK: u8 = 12;

/// TCP flags.
const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;

/// ICMP echo types.
const ECHO_REPLY: u8 = 0;
const ECHO: u8 = 8;

/// The most candidates a new flow's pattern tries before the flow fails:
/// a range nearly full for one destination costs each new flow at most
/// this many lookups.
const MAX_PROBES: u64 = 4096;

/// A duration in nanoseconds, saturated.
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Timeouts and guarantees by class, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timeouts {
    /// Idle time after which a flow of each class expires.
    pub timeout: [Duration; NCLASSES],
    /// Time after each packet during which a flow of each class is never
    /// evicted (and does not expire).
    pub guarantee: [Duration; NCLASSES],
}

impl Timeouts {
    /// One class (ping and address rewriters).
    pub fn one(timeout: Duration, guarantee: Duration) -> Timeouts {
        let mut t = Timeouts::default();
        (t.timeout[0], t.guarantee[0]) = (timeout, guarantee);
        t
    }

    /// TCP and UDP classes (IPRewriter, TCPRewriter, UDPRewriter).
    pub fn napt(tcp: &TcpTimeouts, udp: Duration, streaming: Duration, udp_g: Duration) -> Self {
        Timeouts {
            timeout: [tcp.nodata, tcp.timeout, tcp.done, udp, streaming],
            guarantee: [tcp.guarantee, tcp.guarantee, tcp.guarantee, udp_g, udp_g],
        }
    }
}

/// Reads the configuration of a rewriter with one class of flows
/// (ICMPPingRewriter, IPAddrRewriter, IPAddrPairRewriter): the base, with
/// `timeout` as TIMEOUT's default, and, for an address rewriter (`class`
/// given), patterns that change addresses only.
pub fn one_class_settings(
    config: &str,
    timeout: Duration,
    addresses_of: Option<&str>,
) -> Result<(RewriterBase, Timeouts), nfc_dataplane::args::ConfigErrors> {
    let mut args = nfc_dataplane::args::Args::new(config);
    let base = RewriterBase::read(&mut args, timeout);
    if let Some(class) = addresses_of {
        base.addresses_only(&mut args, class);
    }
    args.complete()?;
    let t = Timeouts::one(base.timeout, base.guarantee);
    Ok((base, t))
}

/// What the table keeps about a flow besides its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flow {
    /// Output of forward packets, of reply packets.
    outputs: [u16; 2],
    /// IP header checksum change, by direction.
    ip_delta: [u16; 2],
    /// Transport checksum change (TCP/UDP with the pseudo-header, or the
    /// ICMP identifier), by direction.
    l4_delta: [u16; 2],
    /// TCP or UDP state bits.
    state: u8,
    /// The REPLY_ANNO value of the packet that made the flow.
    reply_anno: u8,
    /// The input whose spec made the flow.
    input: u8,
}

/// The packet an ICMP error quotes, as ICMPRewriter reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quoted {
    /// Its protocol.
    pub proto: u8,
    /// Its source address.
    pub src: [u8; 4],
    /// Its destination address.
    pub dst: [u8; 4],
    /// TCP/UDP source and destination ports; for an echo request, its
    /// identifier twice; `None` when not there (a later fragment, cut).
    pub ports: Option<(u16, u16)>,
}

/// How ICMPRewriter translates an ICMP error about a flow back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Translation {
    /// The quoted packet's new source and destination.
    pub src: [u8; 4],
    /// See `src`.
    pub dst: [u8; 4],
    /// Its new ports (for an echo request: the identifier, twice).
    pub ports: Option<(u16, u16)>,
    /// The error's own destination: if it is the first address, it
    /// becomes the second.
    pub outer: Option<([u8; 4], [u8; 4])>,
    /// The output the flow's direction uses.
    pub output: u16,
    /// The REPLY_ANNO value of the flow, when the error travels its reply
    /// direction.
    pub reply_anno: Option<u8>,
}

/// A rewriter's flows: the table, the time limits of its classes, and
/// what made room. ICMPRewriter reads it through [`Mappings::translate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mappings {
    mode: Mode,
    table: FlowTable<Flow, 2>,
    /// Idle time after which a flow of each class expires (the longer of
    /// its timeout and its guarantee), ns.
    expire: [u64; NCLASSES],
    /// Each class's timeout, ns (what `table` shows).
    timeout: [u64; NCLASSES],
    /// Each class's guarantee, ns.
    guarantee: [u64; NCLASSES],
    /// The most flows held (the `capacity` handler; at most the table's).
    limit: usize,
    /// Flows removed before their time to make room.
    evicted: u64,
}

/// A rewriter's mappings as it lends them to ICMPRewriter.
pub type SharedMappings = Rc<RefCell<Mappings>>;

impl Mappings {
    fn new(mode: Mode, capacity: u32, t: &Timeouts) -> Mappings {
        let timeout = t.timeout.map(nanos);
        let guarantee = t.guarantee.map(nanos);
        let classes = match mode {
            Mode::Napt { .. } => NCLASSES,
            _ => 1,
        };
        let table = FlowTable::new(capacity, classes);
        Mappings {
            mode,
            limit: table.capacity(),
            table,
            expire: core::array::from_fn(|c| timeout[c].max(guarantee[c])),
            timeout,
            guarantee,
            evicted: 0,
        }
    }

    #[inline]
    fn expired(&self, i: u32, now: u64) -> bool {
        let e = self.table.get(i);
        now.saturating_sub(e.last()) >= self.expire[usize::from(e.class())]
    }

    /// The live flow under `key`, and the direction `key` is.
    #[inline]
    pub fn live(&self, key: &Key, now: u64) -> Option<(u32, usize)> {
        self.table.find(key).filter(|&(i, _)| !self.expired(i, now))
    }

    /// Makes room for one more flow at `now`, if the table is full: the
    /// oldest expired flow goes; failing that, of the flows past their
    /// guarantee, the one that would expire first (counted as evicted).
    /// False when every flow is within its guarantee: the new flow is
    /// refused (Click's admission control).
    fn make_room(&mut self, now: u64) -> bool {
        if self.table.len() < self.limit {
            return true;
        }
        let mut victim: Option<(u64, u32)> = None;
        for c in 0..self.table.classes() {
            let Some(i) = self.table.head(c) else {
                continue;
            };
            let last = self.table.get(i).last();
            if self.expired(i, now) {
                self.table.remove(i);
                return true;
            }
            let class = usize::from(c);
            if now.saturating_sub(last) >= self.guarantee[class] {
                let expiry = last.saturating_add(self.expire[class]);
                if victim.is_none_or(|(e, _)| expiry < e) {
                    victim = Some((expiry, i));
                }
            }
        }
        let Some((_, i)) = victim else {
            return false;
        };
        self.table.remove(i);
        self.evicted += 1;
        true
    }

    /// Removes every expired flow.
    fn reap(&mut self, now: u64) {
        for c in 0..self.table.classes() {
            while let Some(i) = self.table.head(c).filter(|&i| self.expired(i, now)) {
                self.table.remove(i);
            }
        }
    }

    /// Removes flows, those expiring first first, until at most `limit`
    /// remain.
    fn shrink(&mut self, now: u64) {
        self.reap(now);
        while self.table.len() > self.limit {
            let first = (0..self.table.classes())
                .filter_map(|c| self.table.head(c))
                .min_by_key(|&i| {
                    let e = self.table.get(i);
                    e.last().saturating_add(self.expire[usize::from(e.class())])
                });
            let Some(i) = first else { break };
            self.table.remove(i);
            self.evicted += 1;
        }
    }

    /// The live flows, as entry indices.
    fn live_flows(&self, now: u64) -> impl Iterator<Item = u32> + '_ {
        self.table.iter().filter(move |&i| !self.expired(i, now))
    }

    /// How to translate back an ICMP error that quotes packet `q`, when
    /// `q` belongs to a live flow (Click's ICMPRewriter): the flow is found
    /// by the reverse of the quoted packet, the way the error travels.
    pub fn translate(&self, q: &Quoted, now: u64) -> Option<Translation> {
        let (d, rev) = match self.mode {
            Mode::Napt { tcp, udp } => {
                let (sport, dport) = q.ports?;
                let ok = (tcp && q.proto == PROTO_TCP) || (udp && q.proto == PROTO_UDP);
                if !ok {
                    return None;
                }
                let (i, d) = self.live(&Key::new(q.proto, q.dst, q.src, dport, sport), now)?;
                (d, (i, self.table.get(i).keys()[1 - d]))
            }
            Mode::Ping => {
                let (id, _) = q.ports.filter(|_| q.proto == PROTO_ICMP)?;
                let key = Key::new(PROTO_ICMP, q.dst, q.src, id.wrapping_add(1), id);
                let (i, d) = self.live(&key, now)?;
                (d, (i, self.table.get(i).keys()[1 - d]))
            }
            Mode::AddrPair => {
                let (i, d) = self.live(&Key::new(0, q.dst, q.src, 0, 0), now)?;
                (d, (i, self.table.get(i).keys()[1 - d]))
            }
            Mode::Addr => {
                // A quoted packet that went out (its source translated),
                // or one that came in (its destination translated back).
                let out = Key::new(0, [0; 4], q.src, 0, 0);
                let (i, d) = self
                    .live(&out, now)
                    .or_else(|| self.live(&Key::new(0, q.dst, [0; 4], 0, 0), now))?;
                let other = self.table.get(i).keys()[1 - d];
                let output = self.table.get(i).value.outputs[d];
                let reply_anno = (d == 1).then_some(self.table.get(i).value.reply_anno);
                return Some(if d == 1 {
                    let orig = other.a().octets();
                    Translation {
                        src: orig,
                        dst: q.dst,
                        ports: q.ports,
                        outer: Some((q.src, orig)),
                        output,
                        reply_anno,
                    }
                } else {
                    Translation {
                        src: q.src,
                        dst: other.b().octets(),
                        ports: q.ports,
                        outer: None,
                        output,
                        reply_anno,
                    }
                });
            }
        };
        let (i, other) = rev;
        let ports = match self.mode {
            Mode::Napt { .. } => Some((other.pa(), other.pb())),
            Mode::Ping => {
                let id = if d == 1 { other.pa() } else { other.pb() };
                Some((id, id))
            }
            _ => q.ports,
        };
        Some(Translation {
            src: other.a().octets(),
            dst: other.b().octets(),
            ports,
            outer: Some((q.src, other.a().octets())),
            output: self.table.get(i).value.outputs[d],
            reply_anno: (d == 1).then_some(self.table.get(i).value.reply_anno),
        })
    }
}

/// A pattern and where its sequential allocation stands (shared by the
/// rewriters that name the same IPRewriterPatterns pattern or mapper).
#[derive(Debug, PartialEq, Eq)]
pub struct Alloc {
    /// The pattern.
    pub pattern: Pattern,
    /// The next variation `#` allocation tries.
    pub cursor: Rc<Cell<u32>>,
}

impl Alloc {
    /// A pattern with a cursor of its own.
    pub fn new(pattern: Pattern) -> Alloc {
        Alloc {
            pattern,
            cursor: Rc::new(Cell::new(0)),
        }
    }

    /// A copy that shares nothing with this one.
    fn detached(&self) -> Alloc {
        Alloc {
            pattern: self.pattern,
            cursor: Rc::new(Cell::new(self.cursor.get())),
        }
    }
}

/// What IPRewriterPatterns lends: its named patterns.
#[derive(Debug, PartialEq, Eq)]
pub struct PatternSet {
    /// `(name, pattern)`, in configuration order.
    pub patterns: Vec<(String, Alloc)>,
}

/// What RoundRobinIPMapper lends: its patterns, taken in turn.
#[derive(Debug, PartialEq, Eq)]
pub struct MapperShare {
    /// `(pattern, its cursor, forward output, reply output)`.
    pub patterns: Vec<(PatternRef, Rc<Cell<u32>>, u32, u32)>,
    /// The pattern the next flow tries first.
    pub next: Rc<Cell<usize>>,
}

/// What other elements lend a rewriter, kept so that a `patternN` write
/// can name them too.
#[derive(Debug, Default, PartialEq, Eq)]
struct Lenders {
    patterns: Vec<Rc<PatternSet>>,
    mappers: Vec<(String, Rc<MapperShare>)>,
}

impl Lenders {
    /// Resolves `r`: an inline pattern gets a cursor of its own, a named
    /// one shares its IPRewriterPatterns cursor.
    fn pattern(&self, r: &PatternRef) -> Result<Alloc, String> {
        match r {
            PatternRef::Inline(p) => Ok(Alloc::new(*p)),
            PatternRef::Named(name) => self
                .patterns
                .iter()
                .flat_map(|set| set.patterns.iter())
                .find(|(n, _)| n == name)
                .map(|(_, a)| Alloc {
                    pattern: a.pattern,
                    cursor: a.cursor.clone(),
                })
                .ok_or_else(|| alloc::format!("no IPRewriterPatterns defines pattern '{name}'")),
        }
    }
}

/// How one input's new flows are made.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Drop,
    Pass(u16),
    Keep(u16, u16),
    Pattern(Alloc, u16, u16),
    /// A mapper's patterns (each with its outputs) and its turn.
    Mapper(Vec<(Alloc, u16, u16)>, Rc<Cell<usize>>),
    /// A pattern or mapper not linked yet: new flows fail.
    Unlinked,
}

impl Kind {
    fn detached(&self) -> Kind {
        match self {
            Kind::Drop => Kind::Drop,
            Kind::Pass(o) => Kind::Pass(*o),
            Kind::Keep(f, r) => Kind::Keep(*f, *r),
            Kind::Pattern(a, f, r) => Kind::Pattern(a.detached(), *f, *r),
            Kind::Mapper(ps, next) => Kind::Mapper(
                ps.iter().map(|(a, f, r)| (a.detached(), *f, *r)).collect(),
                Rc::new(Cell::new(next.get())),
            ),
            Kind::Unlinked => Kind::Unlinked,
        }
    }
}

/// One input: its spec as written, and how it makes flows.
#[derive(Debug, PartialEq, Eq)]
struct Input {
    spec: InputSpec,
    kind: Kind,
    /// New flows the spec could not map (no free port or address, or a
    /// full table).
    failures: u64,
}

fn out(n: u32) -> u16 {
    n.min(u32::from(u16::MAX)) as u16
}

/// The kind of `spec`, resolved against `lenders`.
fn kind(spec: &InputSpec, lenders: &Lenders) -> Result<Kind, String> {
    Ok(match spec {
        InputSpec::Drop => Kind::Drop,
        InputSpec::Pass(o) => Kind::Pass(out(*o)),
        InputSpec::Keep { foutput, routput } => Kind::Keep(out(*foutput), out(*routput)),
        InputSpec::Pattern {
            pattern,
            foutput,
            routput,
        } => Kind::Pattern(lenders.pattern(pattern)?, out(*foutput), out(*routput)),
        InputSpec::Mapper(name) => {
            let (_, m) = lenders
                .mappers
                .iter()
                .find(|(n, _)| n == name)
                .ok_or_else(|| alloc::format!("no mapper element named '{name}'"))?;
            let mut patterns = Vec::with_capacity(m.patterns.len());
            for (r, cursor, f, rr) in &m.patterns {
                let alloc = match r {
                    PatternRef::Inline(p) => Alloc {
                        pattern: *p,
                        cursor: cursor.clone(),
                    },
                    named => lenders.pattern(named)?,
                };
                patterns.push((alloc, out(*f), out(*rr)));
            }
            Kind::Mapper(patterns, m.next.clone())
        }
    })
}

/// What a rewriter reads of a packet.
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// The forward key a new flow gets.
    key: Key,
    /// Another key a reply may match (IPAddrRewriter's by destination).
    alt: Option<Key>,
    proto: u8,
    /// The IP header length, and where the transport header's data ends.
    hlen: usize,
    end: usize,
    /// A first fragment (or no fragment): the transport header is there.
    first: bool,
    /// May open a flow (ping: an echo request).
    opens: bool,
}

/// Why a packet is not looked up.
enum Skip {
    /// No whole IPv4 header, or a total length shorter than it: dropped
    /// and counted.
    Malformed,
    /// Not this rewriter's traffic (another protocol, a later fragment, a
    /// transport header cut short): passed by a `pass` input, else dropped.
    Other,
}

/// Reads `ip` (network header to end) for `mode`.
#[inline]
fn inspect(mode: Mode, ip: &[u8]) -> Result<Seen, Skip> {
    let h: &[u8; 20] = ip.first_chunk().ok_or(Skip::Malformed)?;
    let hlen = usize::from(h[field::VER_IHL] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([h[field::LEN], h[field::LEN + 1]]));
    if h[field::VER_IHL] >> 4 != 4 || hlen < 20 || total < hlen || ip.len() < hlen {
        return Err(Skip::Malformed);
    }
    let end = total.min(ip.len());
    let first = get16(h, field::FRAG) & OFFSET_MASK == 0;
    let proto = h[field::PROTO];
    let addr = |at: usize| [h[at], h[at + 1], h[at + 2], h[at + 3]];
    let (src, dst) = (addr(field::SRC), addr(field::DST));
    let l4 = &ip[hlen..end];
    let seen = |key, alt, opens| Seen {
        key,
        alt,
        proto,
        hlen,
        end,
        first,
        opens,
    };
    match mode {
        Mode::Napt { tcp, udp } => {
            let min = match proto {
                PROTO_TCP if tcp => 20,
                PROTO_UDP if udp => 8,
                _ => return Err(Skip::Other),
            };
            if !first || l4.len() < min {
                return Err(Skip::Other);
            }
            let key = Key::new(proto, src, dst, get16(l4, 0), get16(l4, 2));
            Ok(seen(key, None, true))
        }
        Mode::Ping => {
            if proto != PROTO_ICMP || !first || l4.len() < 8 {
                return Err(Skip::Other);
            }
            let id = get16(l4, 4);
            let (one, more) = (id, id.wrapping_add(1));
            match l4[0] {
                ECHO => Ok(seen(Key::new(proto, src, dst, one, more), None, true)),
                ECHO_REPLY => Ok(seen(Key::new(proto, src, dst, more, one), None, false)),
                _ => Err(Skip::Other),
            }
        }
        Mode::Addr => Ok(seen(
            Key::new(0, src, [0; 4], 0, 0),
            Some(Key::new(0, [0; 4], dst, 0, 0)),
            true,
        )),
        Mode::AddrPair => Ok(seen(Key::new(0, src, dst, 0, 0), None, true)),
    }
}

/// A small xorshift generator for `?` and default-choice patterns.
pub(crate) fn next_random(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// The flow key a rewritten packet carries: for ping, the identifier and
/// one more (so that requests and replies differ).
fn flow_key(mode: Mode, proto: u8, a: [u8; 4], b: [u8; 4], pa: u16, pb: u16) -> Key {
    match mode {
        Mode::Ping => Key::new(proto, a, b, pa, pa.wrapping_add(1)),
        Mode::Napt { .. } => Key::new(proto, a, b, pa, pb),
        Mode::Addr => Key::new(0, a, [0; 4], 0, 0),
        Mode::AddrPair => Key::new(0, a, b, 0, 0),
    }
}

/// Rewrites `orig` by `alloc`'s pattern, choosing a source address and
/// port whose reply key no live flow holds (Click's
/// `IPRewriterPattern::rewrite_flowid`); `None` when every candidate is
/// taken (counted by the caller).
fn rewrite(
    mode: Mode,
    alloc: &Alloc,
    orig: Key,
    m: &mut Mappings,
    now: u64,
    rng: &mut u64,
) -> Option<Key> {
    let p = &alloc.pattern;
    let proto = orig.proto();
    let b = p.daddr.map_or(orig.b(), |a| a).octets();
    let pb = p.dport.unwrap_or(orig.pb());
    let ports = !matches!(mode, Mode::Addr | Mode::AddrPair);
    let (alow, acount, achoice) = match p.saddr {
        AddrSpec::Keep => (u32::from(orig.a()), 1u64, Choice::PreferSame),
        AddrSpec::Fixed(a) => (u32::from(a), 1, Choice::PreferSame),
        AddrSpec::Range { low, high, choice } => (
            u32::from(low),
            u64::from(u32::from(high) - u32::from(low)) + 1,
            choice,
        ),
    };
    let (plow, pcount, pchoice) = match p.sport {
        PortSpec::Range { low, high, choice } if ports => (low, u64::from(high - low) + 1, choice),
        PortSpec::Fixed(port) if ports => (port, 1, Choice::PreferSame),
        _ => (orig.pa(), 1, Choice::PreferSame),
    };
    let total = acount * pcount;
    let candidate = |v: u64| {
        let a = (alow.wrapping_add((v / pcount) as u32)).to_be_bytes();
        let pa = plow.wrapping_add((v % pcount) as u16);
        flow_key(mode, proto, a, b, pa, pb)
    };
    if total == 1 {
        // No choice: as in Click, the new flow replaces one holding the
        // same reply (the caller removes it).
        return Some(candidate(0));
    }
    let free = |m: &mut Mappings, k: &Key| match m.table.find(&k.reversed()) {
        None => true,
        Some((i, _)) if m.expired(i, now) => {
            m.table.remove(i);
            true
        }
        Some(_) => false,
    };
    let choice = if pcount > 1 { pchoice } else { achoice };
    if choice == Choice::PreferSame {
        // The packet's own port (or address) first, if in range.
        let same = if pcount > 1 {
            u64::from(orig.pa().wrapping_sub(plow))
        } else {
            u64::from(u32::from(orig.a()).wrapping_sub(alow))
        };
        if same < pcount.min(total) {
            let k = candidate(same);
            if free(m, &k) {
                return Some(k);
            }
        }
    }
    let start = match choice {
        Choice::Sequential => u64::from(alloc.cursor.get()) % total,
        _ => next_random(rng) % total,
    };
    for n in 0..total.min(MAX_PROBES) {
        let v = (start + n) % total;
        let k = candidate(v);
        if free(m, &k) {
            alloc.cursor.set((v + 1) as u32);
            return Some(k);
        }
    }
    None
}

/// The checksum changes of a flow keyed `[forward, reply]`, by direction.
fn deltas(mode: Mode, keys: &[Key; 2]) -> ([u16; 2], [u16; 2]) {
    let mut ip = [0u16; 2];
    let mut l4 = [0u16; 2];
    for d in 0..2 {
        let (old, rev) = (keys[d], keys[1 - d]);
        let addrs = |a: Ipv4Addr, b: Ipv4Addr| {
            let mut x = [0u8; 8];
            x[..4].copy_from_slice(&a.octets());
            x[4..].copy_from_slice(&b.octets());
            x
        };
        match mode {
            Mode::Napt { .. } | Mode::AddrPair => {
                ip[d] = checksum::delta(&addrs(old.a(), old.b()), &addrs(rev.b(), rev.a()));
                l4[d] = ip[d];
                if let Mode::Napt { .. } = mode {
                    let mut o = [0u8; 4];
                    o[..2].copy_from_slice(&old.pa().to_be_bytes());
                    o[2..].copy_from_slice(&old.pb().to_be_bytes());
                    let mut n = [0u8; 4];
                    n[..2].copy_from_slice(&rev.pb().to_be_bytes());
                    n[2..].copy_from_slice(&rev.pa().to_be_bytes());
                    l4[d] = checksum::combine(ip[d], checksum::delta(&o, &n));
                }
            }
            Mode::Ping => {
                ip[d] = checksum::delta(&addrs(old.a(), old.b()), &addrs(rev.b(), rev.a()));
                let (id, new) = if d == 0 {
                    (old.pa(), rev.pb())
                } else {
                    (old.pb(), rev.pa())
                };
                l4[d] = checksum::delta(&id.to_be_bytes(), &new.to_be_bytes());
            }
            Mode::Addr => {
                let (o, n) = if d == 0 {
                    (old.a(), rev.b())
                } else {
                    (old.b(), rev.a())
                };
                ip[d] = checksum::delta(&o.octets(), &n.octets());
                l4[d] = ip[d];
            }
        }
    }
    (ip, l4)
}

/// A rewriter: its mode, inputs, mappings and counters (Click's
/// IPRewriterBase with the class's flow type).
#[derive(Debug, PartialEq, Eq)]
pub struct Rewriter {
    mode: Mode,
    inputs: Vec<Input>,
    mappings: SharedMappings,
    dst_anno: bool,
    reply_anno: Option<usize>,
    /// REAP_INTERVAL, ns, and when the next reaping is due.
    reap_interval: u64,
    next_reap: u64,
    /// The time of the last packet or task run, ns (for the handlers).
    now: u64,
    /// The random generator's state (0 until the first use).
    rng: u64,
    malformed: u64,
    lenders: Lenders,
}

/// A copy with mappings and allocation cursors of its own (for tests that
/// run two copies side by side).
impl Clone for Rewriter {
    fn clone(&self) -> Rewriter {
        Rewriter {
            mode: self.mode,
            inputs: self
                .inputs
                .iter()
                .map(|i| Input {
                    spec: i.spec.clone(),
                    kind: i.kind.detached(),
                    failures: i.failures,
                })
                .collect(),
            mappings: Rc::new(RefCell::new(self.mappings.borrow().clone())),
            dst_anno: self.dst_anno,
            reply_anno: self.reply_anno,
            reap_interval: self.reap_interval,
            next_reap: self.next_reap,
            now: self.now,
            rng: self.rng,
            malformed: self.malformed,
            lenders: Lenders::default(),
        }
    }
}

impl Rewriter {
    /// A rewriter in `mode` with the configuration `base` and the class's
    /// `timeouts`; inline patterns are resolved now, named ones and
    /// mappers when the configuration is linked.
    pub fn new(mode: Mode, base: RewriterBase, timeouts: &Timeouts) -> Rewriter {
        let none = Lenders::default();
        let inputs = base
            .inputs
            .into_iter()
            .map(|spec| Input {
                kind: kind(&spec, &none).unwrap_or(Kind::Unlinked),
                spec,
                failures: 0,
            })
            .collect();
        Rewriter {
            mode,
            inputs,
            mappings: Rc::new(RefCell::new(Mappings::new(mode, base.capacity, timeouts))),
            dst_anno: base.dst_anno,
            reply_anno: base.reply_anno,
            reap_interval: nanos(base.reap_interval).max(1),
            next_reap: 0,
            now: 0,
            rng: 0,
            malformed: 0,
            lenders: none,
        }
    }

    /// The rewriter's mappings (what it lends ICMPRewriter).
    pub fn mappings(&self) -> &SharedMappings {
        &self.mappings
    }

    /// Makes a new flow for the packet seen as `s` on input `input`;
    /// `None` when the input's spec maps nothing (counted as a failure
    /// when it tried).
    fn create(&mut self, cx: &Context, input: usize, s: &Seen, p: &Packet) -> Option<(u32, usize)> {
        let now = cx.now;
        let mode = self.mode;
        let rng = &mut self.rng;
        if *rng == 0 {
            *rng = cx.seed | 1;
        }
        let inp = &mut self.inputs[input];
        let mut m = self.mappings.borrow_mut();
        let made = match &inp.kind {
            Kind::Drop | Kind::Pass(_) => return None,
            Kind::Unlinked => None,
            Kind::Keep(f, r) => Some((s.key, *f, *r)),
            Kind::Pattern(a, f, r) => {
                rewrite(mode, a, s.key, &mut m, now, rng).map(|k| (k, *f, *r))
            }
            Kind::Mapper(patterns, next) => {
                let n = patterns.len();
                let first = next.get() % n.max(1);
                (0..n).find_map(|t| {
                    let (a, f, r) = &patterns[(first + t) % n];
                    next.set((first + t + 1) % n);
                    rewrite(mode, a, s.key, &mut m, now, rng).map(|k| (k, *f, *r))
                })
            }
        };
        let Some((rewritten, f, r)) = made else {
            inp.failures += 1;
            return None;
        };
        m.table.seed_if_empty(cx.seed ^ now.rotate_left(32));
        if !m.make_room(now) {
            inp.failures += 1;
            return None;
        }
        let keys = [s.key, rewritten.reversed()];
        // An expired flow may still hold a key; a flow holding the reply
        // of a pattern without choice is replaced, as in Click.
        for k in &keys {
            if let Some((j, _)) = m.table.find(k) {
                m.table.remove(j);
            }
        }
        let (ip_delta, l4_delta) = deltas(mode, &keys);
        let flow = Flow {
            outputs: [f, r],
            ip_delta,
            l4_delta,
            state: 0,
            reply_anno: self.reply_anno.map_or(0, |at| p.anno()[at]),
            input: input.min(255) as u8,
        };
        let class = match (mode, s.proto) {
            (Mode::Napt { .. }, PROTO_TCP) => TCP_NODATA,
            (Mode::Napt { .. }, _) => UDP,
            _ => ONLY,
        };
        m.table.insert(keys, class, now, flow).map(|i| (i, 0))
    }

    /// What a packet that makes no flow on `input` gets: a `pass` input
    /// passes it unchanged, others drop it.
    fn unmapped(&self, input: usize) -> Out {
        match self.inputs[input].kind {
            Kind::Pass(o) => Out::Port(usize::from(o)),
            _ => Out::Drop,
        }
    }

    /// Live flows made by input `input` (all inputs: `None`).
    fn count(&self, input: Option<u8>) -> usize {
        let m = self.mappings.borrow();
        m.live_flows(self.now)
            .filter(|&i| input.is_none_or(|n| m.table.get(i).value.input == n))
            .count()
    }

    /// Click's unparse of input `n`'s spec, with its live flows.
    fn pattern_line(&self, n: usize) -> String {
        let inp = &self.inputs[n];
        let mut s = match (&inp.spec, &inp.kind) {
            (InputSpec::Drop, _) => "<drop>".into(),
            (InputSpec::Pass(_), _) => "<nochange>".into(),
            (InputSpec::Keep { .. }, _) => "<keep>".into(),
            (_, Kind::Pattern(a, _, _)) => a.pattern.to_string(),
            (InputSpec::Pattern { pattern: r, .. }, _) => match r {
                PatternRef::Inline(p) => p.to_string(),
                PatternRef::Named(name) => name.clone(),
            },
            (InputSpec::Mapper(_), _) => "<mapper>".into(),
        };
        let count = self.count(Some(n.min(255) as u8));
        if count > 0 {
            let _ = write!(s, " [{count}]");
        }
        s
    }

    /// The `table` lines of the live flows of protocol `proto` (any: 0):
    /// each direction as Click shows it, `FLOW => REWRITTEN [F R] iN
    /// expS`, the direction's own output starred.
    fn table(&self, proto: u8) -> String {
        let m = self.mappings.borrow();
        let mut s = String::new();
        for i in m.live_flows(self.now) {
            let e = m.table.get(i);
            let keys = e.keys();
            if proto != 0 && keys[0].proto() != proto {
                continue;
            }
            let class = usize::from(e.class());
            let exp = (e.last().saturating_add(m.timeout[class]) + 500_000_000)
                .saturating_sub(self.now)
                / 1_000_000_000;
            for d in 0..2 {
                let (k, r) = (keys[d], keys[1 - d].reversed());
                let _ = match self.mode {
                    Mode::Napt { .. } => write!(
                        s,
                        "({}, {}, {}, {}) => ({}, {}, {}, {})",
                        k.a(),
                        k.pa(),
                        k.b(),
                        k.pb(),
                        r.a(),
                        r.pa(),
                        r.b(),
                        r.pb()
                    ),
                    Mode::Ping => {
                        let (id, new) = if d == 0 {
                            (k.pa(), r.pa())
                        } else {
                            (k.pb(), r.pb())
                        };
                        write!(
                            s,
                            "({}, {}, {id}) => ({}, {}, {new})",
                            k.a(),
                            k.b(),
                            r.a(),
                            r.b()
                        )
                    }
                    Mode::Addr if d == 0 => write!(s, "{} => {}", k.a(), r.a()),
                    Mode::Addr => write!(s, "{} => {}", k.b(), r.b()),
                    Mode::AddrPair => {
                        write!(s, "({}, {}) => ({}, {})", k.a(), k.b(), r.a(), r.b())
                    }
                };
                let [f, rr] = e.value.outputs;
                let (fs, rs) = if d == 0 { ("*", "") } else { ("", "*") };
                let _ = writeln!(s, " [{fs}{f} {rs}{rr}] i{} exp{exp}", e.value.input);
            }
        }
        s
    }

    /// Removes the flows input `n` made.
    fn forget_input(&mut self, n: usize) {
        let mut m = self.mappings.borrow_mut();
        let mine: Vec<u32> = m
            .table
            .iter()
            .filter(|&i| usize::from(m.table.get(i).value.input) == n)
            .collect();
        for i in mine {
            m.table.remove(i);
        }
    }
}

impl Element for Rewriter {
    #[inline]
    fn process(&mut self, cx: &Context, input: usize, p: &mut Packet) -> Out {
        self.now = cx.now;
        if input >= self.inputs.len() {
            return Out::Drop;
        }
        let seen = match p.network().map(|ip| inspect(self.mode, ip)) {
            Some(Ok(s)) => s,
            Some(Err(Skip::Other)) => {
                let o = self.unmapped(input);
                if o == Out::Drop {
                    self.malformed += 1;
                }
                return o;
            }
            None | Some(Err(Skip::Malformed)) => {
                self.malformed += 1;
                return Out::Drop;
            }
        };
        let found = {
            let m = self.mappings.borrow();
            m.live(&seen.key, cx.now)
                .or_else(|| seen.alt.and_then(|k| m.live(&k, cx.now)))
        };
        let found = match found {
            Some(f) => f,
            None if !seen.opens => return self.unmapped(input),
            None => match self.create(cx, input, &seen, p) {
                Some(f) => f,
                None => return self.unmapped(input),
            },
        };
        let mut m = self.mappings.borrow_mut();
        let (out, class) = apply(
            self.mode,
            &mut m,
            found,
            &seen,
            p,
            self.dst_anno,
            self.reply_anno,
        );
        m.table.touch(found.0, class, cx.now);
        Out::Port(out)
    }

    fn has_task(&self) -> bool {
        true
    }

    /// Keeps the handlers' clock, and every REAP_INTERVAL frees the room
    /// of expired flows.
    fn run_task(&mut self, cx: &Context, _batch: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        self.now = cx.now;
        if cx.now >= self.next_reap {
            self.mappings.borrow_mut().reap(cx.now);
            self.next_reap = cx.now.saturating_add(self.reap_interval);
        }
        TaskResult::Idle
    }

    fn shared(&self) -> Option<Shared> {
        Some(Rc::new(self.mappings.clone()))
    }

    fn link(&mut self, lent: &[(&str, Shared)]) -> Result<(), String> {
        let mut lenders = Lenders::default();
        for (name, s) in lent {
            if let Some(set) = s.downcast_ref::<Rc<PatternSet>>() {
                lenders.patterns.push(set.clone());
            } else if let Some(m) = s.downcast_ref::<Rc<MapperShare>>() {
                lenders.mappers.push(((*name).into(), m.clone()));
            }
        }
        let mut errors = Vec::new();
        for (n, inp) in self.inputs.iter_mut().enumerate() {
            if let InputSpec::Pattern { .. } | InputSpec::Mapper(_) = inp.spec {
                match kind(&inp.spec, &lenders) {
                    Ok(k) => inp.kind = k,
                    Err(e) => errors.push(alloc::format!("input spec {n}: {e}")),
                }
            }
        }
        self.lenders = lenders;
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        let both = matches!(
            self.mode,
            Mode::Napt {
                tcp: true,
                udp: true
            }
        );
        let m = || self.mappings.borrow();
        Ok(match name {
            "table" | "mappings" if !both => self.table(0),
            "tcp_table" | "tcp_mappings" if both => self.table(PROTO_TCP),
            "udp_table" | "udp_mappings" if both => self.table(PROTO_UDP),
            "nmappings" => self.count(None).to_string(),
            "mapping_failures" => self
                .inputs
                .iter()
                .map(|i| i.failures)
                .sum::<u64>()
                .to_string(),
            "size" => m().table.len().to_string(),
            "capacity" => m().limit.to_string(),
            "evicted" => m().evicted.to_string(),
            "malformed" => self.malformed.to_string(),
            "patterns" => {
                let mut s = String::new();
                for n in 0..self.inputs.len() {
                    let _ = writeln!(s, "{}", self.pattern_line(n));
                }
                s
            }
            _ => match pattern_index(name, self.inputs.len()) {
                Some(n) => alloc::format!("{}\n", self.pattern_line(n)),
                None => return Err(HandlerError::NoSuchHandler),
            },
        })
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "clear" => {
                self.mappings.borrow_mut().table.clear();
                Ok(())
            }
            "capacity" => {
                let mut m = self.mappings.borrow_mut();
                let most = m.table.capacity();
                let n = nfc_dataplane::parse::unsigned::<usize>(value.trim())
                    .ok()
                    .filter(|n| (1..=most).contains(n))
                    .ok_or_else(|| {
                        HandlerError::Invalid(alloc::format!(
                            "capacity must be between 1 and {most}, the room allocated at configure time"
                        ))
                    })?;
                m.limit = n;
                m.shrink(self.now);
                Ok(())
            }
            _ => {
                let n =
                    pattern_index(name, self.inputs.len()).ok_or(HandlerError::NoSuchHandler)?;
                let arg = Arg {
                    text: value.trim().into(),
                    span: 0..value.trim().len(),
                };
                let spec = parse_input_spec(&arg, value.trim())
                    .map_err(|e| HandlerError::Invalid(e.message))?;
                let k = kind(&spec, &self.lenders).map_err(HandlerError::Invalid)?;
                self.forget_input(n);
                self.inputs[n] = Input {
                    spec,
                    kind: k,
                    failures: 0,
                };
                Ok(())
            }
        }
    }
}

/// `N` of a `patternN` handler, if below `inputs`.
fn pattern_index(name: &str, inputs: usize) -> Option<usize> {
    name.strip_prefix("pattern")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n < inputs)
}

/// Rewrites `p` as flow `found` says and updates the flow's state; returns
/// the output and the flow's class now.
#[inline]
fn apply(
    mode: Mode,
    m: &mut Mappings,
    (i, d): (u32, usize),
    s: &Seen,
    p: &mut Packet,
    dst_anno: bool,
    reply_anno: Option<usize>,
) -> (usize, u8) {
    let e = m.table.get(i);
    let rev = e.keys()[1 - d];
    let flow = e.value;
    let (new_src, new_dst) = (rev.b().octets(), rev.a().octets());
    let mut class = e.class();
    let mut state = flow.state;
    if let Some(ip) = p.network_mut() {
        match mode {
            Mode::Addr if d == 0 => ip[field::SRC..field::SRC + 4].copy_from_slice(&new_src),
            Mode::Addr => ip[field::DST..field::DST + 4].copy_from_slice(&new_dst),
            _ => {
                ip[field::SRC..field::SRC + 4].copy_from_slice(&new_src);
                ip[field::DST..field::DST + 4].copy_from_slice(&new_dst);
            }
        }
        let sum = checksum::apply(get16(ip, field::CHECKSUM), flow.ip_delta[d]);
        put16(ip, field::CHECKSUM, sum);
        let l4 = &mut ip[s.hlen..s.end];
        let delta = flow.l4_delta[d];
        match (mode, s.proto) {
            _ if !s.first => {}
            (Mode::Napt { .. }, PROTO_TCP) => {
                put16(l4, 0, rev.pb());
                put16(l4, 2, rev.pa());
                put16(l4, 16, checksum::apply(get16(l4, 16), delta));
                let flags = l4[13];
                let payload = s.hlen + usize::from(l4[12] >> 4) * 4 < s.end;
                if flags & RST != 0 {
                    state |= BOTH_DONE;
                } else if flags & FIN != 0 {
                    state |= FORWARD_DONE << d;
                } else if flags & SYN != 0 || payload {
                    state &= !(FORWARD_DONE << d);
                }
                if payload {
                    state |= FORWARD_DATA << d;
                }
                class = if state & BOTH_DONE == BOTH_DONE {
                    TCP_DONE
                } else if state & BOTH_DATA == BOTH_DATA {
                    TCP_DATA
                } else {
                    TCP_NODATA
                };
            }
            (Mode::Napt { .. }, _) => {
                put16(l4, 0, rev.pb());
                put16(l4, 2, rev.pa());
                put16(l4, 6, checksum::apply_udp(get16(l4, 6), delta));
                state |= SEEN_FORWARD << d;
                if state & COUNT_MASK != COUNT_MASK {
                    state += COUNT_ONE;
                }
                let streaming = state & SEEN_BOTH == SEEN_BOTH && state & COUNT_MASK == COUNT_MASK;
                class = if streaming { UDP_STREAMING } else { UDP };
            }
            (Mode::Ping, _) => {
                put16(l4, 4, if d == 0 { rev.pb() } else { rev.pa() });
                put16(l4, 2, checksum::apply(get16(l4, 2), delta));
            }
            (_, PROTO_TCP) if l4.len() >= 18 => {
                put16(l4, 16, checksum::apply(get16(l4, 16), delta));
            }
            (_, PROTO_UDP) if l4.len() >= 8 => {
                put16(l4, 6, checksum::apply_udp(get16(l4, 6), delta));
            }
            _ => {}
        }
    }
    if dst_anno && (mode != Mode::Addr || d == 1) {
        p.set_dst_ip(Ipv4Addr::from(new_dst));
    }
    if let (Some(at), 1) = (reply_anno, d) {
        p.anno_mut()[at] = flow.reply_anno;
    }
    m.table.value_mut(i).state = state;
    (usize::from(flow.outputs[d]), class)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Packets, a bench and checks for the rewriters' tests.

    use alloc::vec::Vec;

    use nfc_dataplane::element::{Context, Element, Out};
    use nfc_dataplane::packet::PacketPool;

    use crate::harness;
    pub(crate) use crate::ip::ip_header::testing::icmp;
    use crate::ip::ip_header::testing::ipv4;
    use crate::ip::ip_header::{
        get16, put16, transport_checksum, PROTO_ICMP, PROTO_TCP, PROTO_UDP,
    };

    /// One second, ns.
    pub const SECOND: u64 = 1_000_000_000;
    /// An inside host, another, a server, and a NAT's public address.
    pub const HOST: [u8; 4] = [10, 0, 0, 2];
    /// See [`HOST`].
    pub const HOST2: [u8; 4] = [10, 0, 0, 3];
    /// See [`HOST`].
    pub const SERVER: [u8; 4] = [198, 51, 100, 7];
    /// See [`HOST`].
    pub const PUBLIC: [u8; 4] = [192, 0, 2, 1];

    /// A TCP segment from `s:sp` to `d:dp` with `flags` and `data`, every
    /// checksum correct.
    pub fn tcp(s: [u8; 4], sp: u16, d: [u8; 4], dp: u16, flags: u8, data: &[u8]) -> Vec<u8> {
        let mut t = alloc::vec![0u8; 20];
        put16(&mut t, 0, sp);
        put16(&mut t, 2, dp);
        t[4..8].copy_from_slice(&1000u32.to_be_bytes());
        t[12] = 5 << 4;
        t[13] = flags;
        put16(&mut t, 14, 8192);
        t.extend_from_slice(data);
        let mut v = ipv4(PROTO_TCP, s, d, &[], &t);
        let sum = transport_checksum(&v, &v[20..]);
        put16(&mut v, 36, sum);
        v
    }

    /// A UDP datagram from `s:sp` to `d:dp` carrying `data`, with a
    /// correct checksum (or none: `sum` false).
    pub fn udp(s: [u8; 4], sp: u16, d: [u8; 4], dp: u16, data: &[u8], sum: bool) -> Vec<u8> {
        let mut t = Vec::new();
        t.extend_from_slice(&sp.to_be_bytes());
        t.extend_from_slice(&dp.to_be_bytes());
        t.extend_from_slice(&((8 + data.len()) as u16).to_be_bytes());
        t.extend_from_slice(&[0, 0]);
        t.extend_from_slice(data);
        let mut v = ipv4(PROTO_UDP, s, d, &[], &t);
        if sum {
            let c = match transport_checksum(&v, &v[20..]) {
                0 => 0xffff,
                c => c,
            };
            put16(&mut v, 26, c);
        }
        v
    }

    /// An echo request (or reply) with identifier `id`.
    pub fn echo(s: [u8; 4], d: [u8; 4], request: bool, id: u16) -> Vec<u8> {
        let mut rest = id.to_be_bytes().to_vec();
        rest.extend_from_slice(&[0, 7, b'p', b'i', b'n', b'g']);
        icmp(s, d, if request { 8 } else { 0 }, 0, &rest)
    }

    /// An ICMP error of type `ty` quoting the IP header and first 8 bytes
    /// of `quoted`.
    pub fn error(s: [u8; 4], d: [u8; 4], ty: u8, code: u8, quoted: &[u8]) -> Vec<u8> {
        let mut rest = alloc::vec![0, 0, 0, 0];
        rest.extend_from_slice(&quoted[..28.min(quoted.len())]);
        icmp(s, d, ty, code, &rest)
    }

    /// Source, source port, destination, destination port of a TCP or UDP
    /// packet (for ICMP, the identifier as both ports).
    pub fn ends(ip: &[u8]) -> ([u8; 4], u16, [u8; 4], u16) {
        let a = |at: usize| [ip[at], ip[at + 1], ip[at + 2], ip[at + 3]];
        let (sp, dp) = if ip[9] == PROTO_ICMP {
            (get16(ip, 24), get16(ip, 24))
        } else {
            (get16(ip, 20), get16(ip, 22))
        };
        (a(12), sp, a(16), dp)
    }

    /// Checks every checksum of IP packet `ip` by computing it anew: the
    /// IP header's, and the TCP, UDP (unless 0: none) or ICMP one; for an
    /// ICMP error, those of the quoted packet's IP header too.
    pub fn verify(ip: &[u8]) {
        assert_eq!(harness::ip_checksum(&ip[..20]), 0, "IP checksum: {ip:02x?}");
        let l4 = &ip[20..];
        match ip[9] {
            PROTO_TCP => assert_eq!(transport_checksum(ip, l4), 0, "TCP checksum: {ip:02x?}"),
            PROTO_UDP if get16(l4, 6) != 0 => {
                assert_eq!(transport_checksum(ip, l4), 0, "UDP checksum: {ip:02x?}")
            }
            PROTO_ICMP => {
                assert_eq!(harness::ip_checksum(l4), 0, "ICMP checksum: {ip:02x?}");
                if matches!(l4[0], 3 | 4 | 5 | 11 | 12) && l4.len() >= 28 {
                    assert_eq!(harness::ip_checksum(&l4[8..28]), 0, "quoted IP checksum");
                }
            }
            _ => {}
        }
    }

    /// An element and a pool, fed packets at chosen times.
    pub struct Bench<E> {
        /// The element.
        pub e: E,
        /// The pool its packets come from.
        pub pool: &'static PacketPool,
    }

    impl<E: Element> Bench<E> {
        /// A bench around `e`.
        pub fn new(e: E) -> Bench<E> {
            Bench {
                e,
                pool: harness::pool(),
            }
        }

        /// A context at `ns` nanoseconds.
        pub fn cx(&self, ns: u64) -> Context {
            Context::at(self.pool, ns)
        }

        /// Sends IP packet `bytes` to `input` at `secs` seconds; what left,
        /// and on which output.
        pub fn send(&mut self, secs: u64, input: usize, bytes: &[u8]) -> Option<(usize, Vec<u8>)> {
            self.send_ns(secs * SECOND, input, bytes)
        }

        /// [`Bench::send`] at `ns` nanoseconds.
        pub fn send_ns(&mut self, ns: u64, input: usize, bytes: &[u8]) -> Option<(usize, Vec<u8>)> {
            let mut p = self.pool.alloc_with(bytes).unwrap();
            p.set_network_header(0, 20);
            match self.e.process(&self.cx(ns), input, &mut p) {
                Out::Port(k) => Some((k, p.data().to_vec())),
                Out::Drop => None,
            }
        }

        /// Runs the element's task at `secs` seconds.
        pub fn tick(&mut self, secs: u64) {
            let cx = self.cx(secs * SECOND);
            harness::task(&mut self.e, &cx, Default::default(), &mut []);
        }

        /// Reads handler `h`.
        pub fn read(&self, h: &str) -> alloc::string::String {
            self.e
                .read_handler(h)
                .unwrap_or_else(|e| panic!("{h}: {e:?}"))
        }

        /// Reads a numeric handler.
        pub fn num(&self, h: &str) -> u64 {
            self.read(h).trim().parse().unwrap()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use crate::tcpudp::ip_rewriter::IPRewriter;
    use crate::tcpudp::ip_rewriter_patterns::IPRewriterPatterns;
    use crate::tcpudp::round_robin_ip_mapper::RoundRobinIPMapper;
    use crate::tcpudp::udp_rewriter::UDPRewriter;
    use nfc_dataplane::element::link_all;

    fn port_of(out: Option<(usize, Vec<u8>)>) -> u16 {
        ends(&out.expect("mapped").1).1
    }

    #[test]
    fn named_patterns_are_shared_between_rewriters() {
        let mut pats = IPRewriterPatterns::configure("out 192.0.2.1 7000-7009# - -").unwrap();
        let mut a = IPRewriter::configure("pattern out 0 1, drop").unwrap();
        let mut b = UDPRewriter::configure("pattern out 0 1").unwrap();
        link_all(&mut [("p", &mut pats), ("a", &mut a), ("b", &mut b)]).unwrap();
        let (mut a, mut b) = (Bench::new(a), Bench::new(b));
        let u = |n| udp(HOST, n, SERVER, 53, b"", true);
        assert_eq!(port_of(a.send(0, 0, &u(1))), 7000);
        assert_eq!(port_of(b.send(0, 0, &u(2))), 7001, "one cursor for both");
        assert_eq!(port_of(a.send(0, 0, &u(3))), 7002);
        assert_eq!(a.read("pattern0"), "192.0.2.1 7000-7009 - - [2]\n");
    }

    #[test]
    fn a_mapper_deals_flows_in_turn() {
        let mut rr = RoundRobinIPMapper::configure(
            "- - 10.1.0.1 - 0 1, - - 10.1.0.2 - 0 1, - - 10.1.0.3 8080 0 1",
        )
        .unwrap();
        let mut rw = IPRewriter::configure("rr, drop").unwrap();
        link_all(&mut [("rr", &mut rr), ("rw", &mut rw)]).unwrap();
        let mut rw = Bench::new(rw);
        let dsts: Vec<([u8; 4], u16)> = (0..4)
            .map(|n| {
                let (_, out) = rw
                    .send(0, 0, &tcp(HOST, 100 + n, SERVER, 80, 2, b""))
                    .unwrap();
                verify(&out);
                let (_, _, d, dp) = ends(&out);
                (d, dp)
            })
            .collect();
        assert_eq!(
            dsts,
            [
                ([10, 1, 0, 1], 80),
                ([10, 1, 0, 2], 80),
                ([10, 1, 0, 3], 8080),
                ([10, 1, 0, 1], 80)
            ]
        );
        // the server's reply comes back from the address the client used
        let (_, back) = rw
            .send(0, 1, &tcp([10, 1, 0, 3], 8080, HOST, 102, 0x12, b""))
            .unwrap();
        assert_eq!(ends(&back), (SERVER, 80, HOST, 102));
        assert_eq!(rw.read("pattern0"), "<mapper> [4]\n");
    }

    #[test]
    fn unlinked_names_fail_flows_and_links_report_them() {
        let mut rw = IPRewriter::configure("pattern nope 0 1, missing_mapper").unwrap();
        let mut b = Bench::new(rw.clone());
        assert_eq!(b.send(0, 0, &udp(HOST, 1, SERVER, 53, b"", true)), None);
        assert_eq!(b.num("mapping_failures"), 1);
        let err = link_all(&mut [("rw", &mut rw)]).unwrap_err();
        assert_eq!(
            err,
            [
                "rw: input spec 0: no IPRewriterPatterns defines pattern 'nope'; \
              input spec 1: no mapper element named 'missing_mapper'"
            ]
        );
    }

    #[test]
    fn deltas_of_every_mode_match_a_rewrite() {
        // A flow's reply delta undoes its forward delta.
        let fwd = Key::new(PROTO_TCP, HOST, SERVER, 1000, 80);
        let rewritten = Key::new(PROTO_TCP, [192, 0, 2, 1], SERVER, 2000, 80);
        for mode in [
            Mode::Napt {
                tcp: true,
                udp: true,
            },
            Mode::Ping,
            Mode::Addr,
            Mode::AddrPair,
        ] {
            let keys = [fwd, rewritten.reversed()];
            let (ip, l4) = deltas(mode, &keys);
            for sum in [0x1234u16, 0xfffe, 1] {
                let there = checksum::apply(sum, ip[0]);
                let back = checksum::apply(there, ip[1]);
                assert!(
                    back == sum || (back | sum == 0xffff && back & sum == 0),
                    "{mode:?}"
                );
                let there = checksum::apply(sum, l4[0]);
                let back = checksum::apply(there, l4[1]);
                assert!(
                    back == sum || (back | sum == 0xffff && back & sum == 0),
                    "{mode:?}"
                );
            }
        }
    }
}
