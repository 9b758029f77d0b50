//! # ARPQuerier — encapsulates IP packets in Ethernet headers found via ARP
//!
//! ```click
//! ARPQuerier(IP, ETH [, KEYWORDS])
//! ```
//!
//! Ports: 2 inputs, 1 or 2 outputs (`2/1-2`). Processing: push (`h/h`).
//!
//! Does the sending half of ARP for a host with address IP and Ethernet
//! address ETH. IP packets arrive on input 0 with their destination IP
//! annotation set (by a route lookup). When the annotation's Ethernet
//! address is known, the packet leaves output 0 with an Ethernet header.
//! Otherwise it is held (up to CAPACITY packets overall) and an ARP query
//! is sent — out output 1 when it exists, else out output 0. ARP replies,
//! with Ethernet header, arrive on input 1; they fill the table and release
//! the packets waiting for that address.
//!
//! Packets for 0.0.0.0 are dropped (with a warning, once). Packets for
//! 255.255.255.255 or the BROADCAST address go to ff:ff:ff:ff:ff:ff and IP
//! multicast packets to their multicast Ethernet address (01:00:5e and the
//! low 23 bits), without a query. Queries go to the broadcast address and
//! carry the timestamp of the packet that caused them.
//!
//! Entries expire TIMEOUT after the last reply. An expired entry is not
//! used: the next packet for it waits and a query goes out — which, as in
//! Click, keeps the entry just short of expiring, so that later packets use
//! the old address until a reply renews the entry or the sweep removes it.
//! The element's task sweeps expired entries, with their waiting packets,
//! TIMEOUT after start and every TIMEOUT + 1 s after that. An entry in use is refreshed by a
//! query sent to its known address (or broadcast, with BROADCAST_POLL) once
//! it is older than POLL_TIMEOUT. At most 10 queries a second go out for
//! one address, and one every 2 seconds after 10 unanswered ones. When
//! holding a packet would pass CAPACITY, the oldest entries' packets are
//! dropped down to CAPACITY × (CAPACITY_SLIM_FACTOR−1)/CAPACITY_SLIM_FACTOR;
//! a new entry beyond ENTRY_CAPACITY evicts the oldest entry.
//!
//! IP may be given as a prefix (`10.0.0.1/24`) to supply the network from
//! which the default BROADCAST address is computed. IP and ETH may also be
//! given together in one argument: `ARPQuerier(10.0.0.1 00:11:22:33:44:55)`.
//!
//! ## Keywords
//! - `IP` *IP address or prefix* — this host's address; mandatory.
//! - `ETH` *Ethernet address* — this host's Ethernet address; mandatory.
//! - `CAPACITY` *unsigned* — packets held waiting for replies; default 2048
//!   (0 = no limit).
//! - `ENTRY_CAPACITY` *unsigned* — ARP entries kept; default 0 (no limit).
//! - `ENTRY_PACKET_CAPACITY` *unsigned* — packets held per entry; default 0
//!   (no limit).
//! - `CAPACITY_SLIM_FACTOR` *unsigned ≥ 1* — when full, drop down to
//!   capacity × (factor−1)/factor; default 2.
//! - `TIMEOUT` *duration* — entry lifetime; default 5min (0 = forever).
//! - `POLL_TIMEOUT` *duration* — re-query entries older than this; default
//!   1min (0 = never).
//! - `BROADCAST` *IP address* — the local broadcast address; default: IP
//!   with its host bits set, or 255.255.255.255.
//! - `BROADCAST_POLL` *boolean* — send refresh queries to the broadcast
//!   address instead of the known host; default false.
//!
//! ## Handlers
//! - `table` (read) — the ARP table, oldest entry first, one line each:
//!   `IP OK ETH AGE` (OK is 1 when the address is known and fresh, AGE the
//!   seconds since the last reply).
//! - `stats` (read) — `N packets killed` (by the element and its table) and
//!   `N ARP queries sent`.
//! - `count` (read), `length` (read) — entries and held packets.
//! - `queries` (read) — queries sent; `responses` (read) — packets on
//!   input 1 long enough to be replies; `drops` (read) — IP packets the
//!   element dropped (0.0.0.0, no IP address, no room for the header), not
//!   counting those its table dropped.
//! - `ipaddr` (read/write), `broadcast` (read/write) — the addresses.
//! - `insert` (write) — add an entry (`IP ETH`); `delete` (write) — remove one.
//! - `clear` (write) — empty the table and zero the counters.
//!
//! ## Examples
//! ```click
//! c :: Classifier(12/0806 20/0002, 12/0800, -);
//! arpq :: ARPQuerier(10.0.0.1/24, 00:11:22:33:44:55);
//! c[0] -> [1] arpq;
//! ... -> GetIPAddress(16) -> [0] arpq;
//! arpq -> Queue -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - `ARPQuerier(NAME)` with an AddressInfo name is not supported yet:
//!   give the IP and Ethernet addresses.
//! - `TABLE` (a shared ARPTable element) is not supported: nfc has no
//!   ARPTable, so each ARPQuerier keeps its own table.
//! - Held packets get their Ethernet header when they leave, not when they
//!   arrive. A reply that releases more packets than one batch holds (32)
//!   sends the rest, in order, on the element's next push or task run.
//! - `insert` also sends the packets waiting for that address (Click keeps
//!   them until they expire); `delete` removes the entry and drops its
//!   packets (Click keeps it as an unknown entry).
//! - Queries carry no VLAN annotation (nfc has none); when the packet pool
//!   is empty no query is sent. `table` prints ages with microseconds and
//!   Ethernet addresses with colons.

use alloc::format;
use alloc::string::{String, ToString};
use core::fmt::Write;
use core::net::Ipv4Addr;
use core::time::Duration;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Out, Outputs, TaskResult};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, EtherAddress, IpPrefix};

use super::arp_table::{ArpTable, Limits, PacketQueue, SECOND};
use super::handler_value;
use super::headers::{
    is_group, multicast_ether, ArpFrame, ArpOp, EtherHeader, ETHERTYPE_ARP, ETHERTYPE_IP,
    ETHER_ARP_LEN,
};
use crate::standard::words;
use crate::{ElementSpec, Ports};

/// Input for IP packets; any other input takes ARP replies.
const IN_IP: usize = 0;

/// What ARPQuerier sends: Ethernet frames leave output 0, queries the last
/// output (output 1 when there are two).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stream {
    Frames = 0,
    Queries = 1,
}

impl Stream {
    /// The output this stream leaves on when the element has `noutputs`.
    fn port(self, noutputs: usize) -> usize {
        match self {
            Stream::Frames => 0,
            Stream::Queries => noutputs.saturating_sub(1),
        }
    }
}

/// How an IP packet's destination resolves.
enum Resolve {
    /// Send to this Ethernet address, after a refresh query when `poll`.
    Send(EtherAddress, bool),
    /// 0.0.0.0: drop.
    Zero,
    /// Unknown: hold the packet and maybe query.
    Hold,
}

/// A duration in nanoseconds, saturated.
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// ARPQuerier: its configuration, its ARP table and its counters.
///
/// Its packet path is [`Element::push`]: one packet can make several (a
/// reply releases the packets that waited for it; a packet for a known but
/// aging address is sent along with a refresh query), and queries leave
/// the last output, which only `push` knows (from its output batches). More packets
/// than fit in the output batches wait, in order, for the next `push` or
/// task run. [`Element::process`] pushes a batch of one packet as if the
/// element had two outputs and returns the first packet out; any other
/// waits likewise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ARPQuerier {
    /// This host's IP address, with its network (a bare address is /32).
    pub ip: IpPrefix,
    /// This host's Ethernet address.
    pub eth: EtherAddress,
    /// The local broadcast address.
    pub broadcast: Ipv4Addr,
    /// Packets held waiting for replies; 0 = no limit.
    pub capacity: u32,
    /// ARP entries kept; 0 = no limit.
    pub entry_capacity: u32,
    /// Packets held per entry; 0 = no limit.
    pub entry_packet_capacity: u32,
    /// How far a full table is slimmed (at least 1).
    pub capacity_slim_factor: u32,
    /// Entry lifetime; `None` keeps entries forever.
    pub timeout: Option<Duration>,
    /// Age after which an entry in use is re-queried.
    pub poll_timeout: Duration,
    /// Send refresh queries to the broadcast address.
    pub broadcast_poll: bool,
    table: ArpTable,
    /// Queries sent.
    queries: u64,
    /// Packets on input 1 long enough to be replies.
    responses: u64,
    /// IP packets dropped here (0.0.0.0, no room for the header); the
    /// table counts its own drops.
    drops: u64,
    /// The 0.0.0.0 warning was printed.
    zero_warned: bool,
    /// Packets waiting for room in the output batches, per [`Stream`].
    backlog: [PacketQueue; 2],
    /// Packets a reply just released (kept to reuse its capacity).
    released: PacketQueue,
    /// The latest time seen, ns (handlers have no context).
    now: u64,
    /// When the table is next swept of expired entries.
    next_sweep: Option<u64>,
}

const FORM_HINT: &str = "write `ARPQuerier(10.0.0.1, 00:11:22:33:44:55)` or put both in one \
                         argument: `ARPQuerier(10.0.0.1 00:11:22:33:44:55)`";

/// The default broadcast address for `ip`: its host bits set, or the
/// all-ones address when that gives `ip` itself.
fn default_broadcast(ip: IpPrefix) -> Ipv4Addr {
    let b = Ipv4Addr::from(u32::from(ip.addr) | !u32::from(ip.mask()));
    if b == ip.addr {
        Ipv4Addr::BROADCAST
    } else {
        b
    }
}

impl ARPQuerier {
    /// Parses ARPQuerier's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let first = args.read_mp("IP", parse::any);
        let eth = args.read_p("ETH", parse::ether);
        let capacity = args
            .read("CAPACITY", parse::unsigned::<u32>)
            .unwrap_or(2048);
        let entry_capacity = args
            .read("ENTRY_CAPACITY", parse::unsigned::<u32>)
            .unwrap_or(0);
        let entry_packet_capacity = args
            .read("ENTRY_PACKET_CAPACITY", parse::unsigned::<u32>)
            .unwrap_or(0);
        let capacity_slim_factor = args
            .read("CAPACITY_SLIM_FACTOR", parse::unsigned::<u32>)
            .unwrap_or(2);
        let timeout = args.read("TIMEOUT", parse::duration);
        let poll_timeout = args
            .read("POLL_TIMEOUT", parse::duration)
            .unwrap_or(Duration::from_secs(60));
        let broadcast = args.read("BROADCAST", parse::ipv4);
        let broadcast_poll = args.read("BROADCAST_POLL", parse::boolean).unwrap_or(false);
        if args.read("TABLE", parse::any).is_some() {
            let span = args.span_of("TABLE");
            args.error(
                ConfigError::new(span, "TABLE is not supported: nfc has no ARPTable element")
                    .with_hint("remove TABLE; each ARPQuerier keeps its own table"),
            );
        }
        if capacity_slim_factor == 0 {
            let span = args.span_of("CAPACITY_SLIM_FACTOR");
            args.error(ConfigError::new(
                span,
                "CAPACITY_SLIM_FACTOR must be at least 1",
            ));
        }
        let ip_span = args.span_of("IP");
        let mut ip = None;
        let mut eth = eth;
        if let Some(text) = first {
            let w = words(&text);
            let ip_text = match (eth, w.as_slice()) {
                // `IP ETH` in one argument.
                (None, [(_, a), (_, b)]) => {
                    match parse::ether(b) {
                        Ok(e) => eth = Some(e),
                        Err(e) => args.error(ConfigError {
                            span: ip_span.clone(),
                            message: format!("ETH: {}", e.message),
                            hint: e.hint,
                        }),
                    }
                    Some(*a)
                }
                (_, [(_, a)]) => Some(*a),
                _ => {
                    args.error(
                        ConfigError::new(
                            ip_span.clone(),
                            format!("expected IP address, found \"{text}\""),
                        )
                        .with_hint(FORM_HINT),
                    );
                    None
                }
            };
            if let Some(t) = ip_text {
                match parse::ip_prefix(t) {
                    Ok(p) => ip = Some(p),
                    Err(e) => args.error(ConfigError {
                        span: ip_span.clone(),
                        message: format!("IP: {}", e.message),
                        hint: e.hint,
                    }),
                }
            }
            if eth.is_none() && args.span_of("ETH").is_none() && w.len() == 1 {
                args.error(
                    ConfigError::new(ip_span, "ETH: missing mandatory argument")
                        .with_hint(FORM_HINT),
                );
            }
        }
        args.complete()?;
        let ip = ip.unwrap_or(IpPrefix {
            addr: Ipv4Addr::UNSPECIFIED,
            len: 32,
        });
        Ok(ARPQuerier {
            ip,
            eth: eth.unwrap_or_default(),
            broadcast: broadcast.unwrap_or_else(|| default_broadcast(ip)),
            capacity,
            entry_capacity,
            entry_packet_capacity,
            capacity_slim_factor,
            timeout: match timeout {
                Some(Duration::ZERO) => None,
                Some(t) => Some(t),
                None => Some(Duration::from_secs(300)),
            },
            poll_timeout,
            broadcast_poll,
            table: ArpTable::default(),
            queries: 0,
            responses: 0,
            drops: 0,
            zero_warned: false,
            backlog: Default::default(),
            released: PacketQueue::default(),
            now: 0,
            next_sweep: None,
        })
    }

    fn limits(&self) -> Limits {
        Limits {
            timeout: self.timeout.map(nanos),
            capacity: self.capacity,
            entry_capacity: self.entry_capacity,
            entry_packet_capacity: self.entry_packet_capacity,
            slim_factor: self.capacity_slim_factor,
        }
    }

    /// Notes the time and sweeps expired entries when due: TIMEOUT after
    /// the first packet or task run, then every TIMEOUT + 1 s (Click's
    /// ARPTable timer).
    fn tick(&mut self, now: u64) {
        self.now = self.now.max(now);
        let Some(t) = self.timeout.map(nanos) else {
            return;
        };
        match self.next_sweep {
            None => self.next_sweep = Some(now.saturating_add(t)),
            Some(at) if now >= at => {
                let lim = self.limits();
                self.table.slim(now, lim, 0);
                self.next_sweep = Some(now.saturating_add(t).saturating_add(SECOND));
            }
            Some(_) => {}
        }
    }

    /// Sends `p` on `stream`: into its output batch, or behind the packets
    /// already waiting for room.
    fn emit(&mut self, outs: &mut Outputs, stream: Stream, p: Packet) {
        let waiting = &mut self.backlog[stream as usize].0;
        let p = match outs.get_mut(stream.port(outs.count())) {
            Some(out) if waiting.is_empty() => match out.push(p) {
                Ok(()) => return,
                Err(p) => p,
            },
            _ => p,
        };
        waiting.push_back(p);
    }

    /// Moves waiting packets into the output batches while they have room.
    fn flush(&mut self, outs: &mut Outputs) {
        for stream in [Stream::Frames, Stream::Queries] {
            let Some(out) = outs.get_mut(stream.port(outs.count())) else {
                continue;
            };
            let waiting = &mut self.backlog[stream as usize].0;
            while !out.is_full() {
                match waiting.pop_front() {
                    Some(p) => {
                        let _ = out.push(p);
                    }
                    None => break,
                }
            }
        }
    }

    fn waiting(&self) -> usize {
        self.backlog.iter().map(|q| q.0.len()).sum()
    }

    /// Where a packet for `dst` goes (Click's table lookup, then the
    /// broadcast, multicast and zero cases).
    #[inline]
    fn resolve(&mut self, dst: Ipv4Addr) -> Resolve {
        let (now, timeout) = (self.now, self.timeout.map(nanos));
        let poll_after = nanos(self.poll_timeout);
        if let Some(e) = self.table.get_mut(dst) {
            if e.known(now, timeout) {
                let poll = poll_after > 0
                    && now >= e.live_at.saturating_add(poll_after)
                    && e.allow_poll(now);
                if poll {
                    e.mark_poll(now);
                }
                return Resolve::Send(e.eth, poll);
            }
        }
        if dst == Ipv4Addr::BROADCAST || dst == self.broadcast {
            Resolve::Send(EtherAddress::BROADCAST, false)
        } else if dst.is_multicast() {
            Resolve::Send(multicast_ether(dst), false)
        } else if dst.is_unspecified() {
            Resolve::Zero
        } else {
            Resolve::Hold
        }
    }

    /// Puts the Ethernet header on `p` and sends it out output 0.
    #[inline]
    fn send(&mut self, mut p: Packet, dst: EtherAddress, outs: &mut Outputs) {
        let h = EtherHeader {
            dst,
            src: self.eth,
            ethertype: ETHERTYPE_IP,
        };
        if h.push_onto(&mut p) {
            self.emit(outs, Stream::Frames, p);
        } else {
            self.drops += 1;
        }
    }

    /// Sends a query for `tpa`: to `known` (a refresh) unless BROADCAST_POLL,
    /// else to the broadcast address. No query when the pool is empty.
    fn query(
        &mut self,
        cx: &Context,
        tpa: Ipv4Addr,
        known: Option<EtherAddress>,
        timestamp: u64,
        outs: &mut Outputs,
    ) {
        let dst = match known {
            Some(e) if !self.broadcast_poll => e,
            _ => EtherAddress::BROADCAST,
        };
        let frame = ArpFrame {
            ether: EtherHeader {
                dst,
                src: self.eth,
                ethertype: ETHERTYPE_ARP,
            },
            op: ArpOp::Request,
            sha: self.eth,
            spa: self.ip.addr,
            tha: EtherAddress::default(),
            tpa,
        };
        if let Some(mut q) = cx.pool.alloc_with(&frame.bytes()) {
            q.set_timestamp(timestamp);
            self.queries += 1;
            self.emit(outs, Stream::Queries, q);
        }
    }

    /// An IP packet on input 0.
    #[inline]
    fn handle_ip(&mut self, cx: &Context, p: Packet, outs: &mut Outputs) {
        if self.ip.addr.is_unspecified() {
            self.drops += 1;
            return;
        }
        let dst = p.dst_ip();
        match self.resolve(dst) {
            Resolve::Send(eth, poll) => {
                if poll {
                    self.query(cx, dst, Some(eth), p.timestamp(), outs);
                }
                self.send(p, eth, outs);
            }
            Resolve::Zero => {
                if !self.zero_warned {
                    self.zero_warned = true;
                    cx.console.line(
                        "ARPQuerier: would query for 0.0.0.0; missing destination IP annotation?",
                    );
                }
                self.drops += 1;
            }
            Resolve::Hold => {
                let timestamp = p.timestamp();
                let lim = self.limits();
                if self.table.append(self.now, dst, p, lim) {
                    self.query(cx, dst, None, timestamp, outs);
                }
            }
        }
    }

    /// Records that `ip` is at `eth` and sends the packets that waited.
    fn learn(&mut self, ip: Ipv4Addr, eth: EtherAddress, outs: &mut Outputs) {
        let lim = self.limits();
        self.table
            .insert(self.now, ip, eth, lim, &mut self.released);
        while let Some(p) = self.released.0.pop_front() {
            self.send(p, eth, outs);
        }
    }

    /// A packet on input 1: an ARP reply, with its Ethernet header.
    fn handle_reply(&mut self, p: &Packet, outs: &mut Outputs) {
        if p.len() < ETHER_ARP_LEN {
            return;
        }
        self.responses += 1;
        if let Some(a) = ArpFrame::parse(p.data()) {
            if a.op == ArpOp::Reply && !is_group(a.sha) {
                self.learn(a.spa, a.sha, outs);
            }
        }
    }
}

impl Element for ARPQuerier {
    fn process(&mut self, cx: &Context, input: usize, p: &mut Packet) -> Out {
        // Take the packet out of `p`, leaving an empty one to be dropped
        // if nothing comes back.
        let Some(empty) = cx.pool.alloc() else {
            self.drops += 1;
            return Out::Drop;
        };
        let mut batch = Batch::new();
        let _ = batch.push(core::mem::replace(p, empty));
        let mut others = [Batch::new()];
        self.push(cx, input, &mut batch, &mut others);
        let [queries] = others;
        let mut outs = [batch, queries];
        // The first packet out comes back in `p`; the others go back to
        // the front of the backlog, in order.
        let mut result = Out::Drop;
        for (port, out) in outs.iter_mut().enumerate() {
            let first = result == Out::Drop && !out.is_empty();
            while out.len() > usize::from(first) {
                if let Some(q) = out.pop() {
                    self.backlog[port].0.push_front(q);
                }
            }
            if let Some(q) = out.pop() {
                *p = q;
                result = Out::Port(port);
            }
        }
        result
    }

    fn push(&mut self, cx: &Context, input: usize, batch: &mut Batch, others: &mut [Batch]) {
        if batch.is_empty() {
            return;
        }
        self.tick(cx.now);
        let input_batch = core::mem::take(batch);
        let outs = &mut Outputs::new(batch, others);
        self.flush(outs);
        if input == IN_IP {
            for p in input_batch {
                self.handle_ip(cx, p, outs);
            }
        } else {
            for p in input_batch {
                self.handle_reply(&p, outs);
            }
        }
        self.flush(outs);
    }

    fn has_task(&self) -> bool {
        true
    }

    fn run_task(&mut self, cx: &Context, out: &mut Batch, others: &mut [Batch]) -> TaskResult {
        self.tick(cx.now);
        let before = self.waiting();
        self.flush(&mut Outputs::new(out, others));
        if self.waiting() < before {
            TaskResult::Busy
        } else {
            TaskResult::Idle
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "table" => {
                let timeout = self.timeout.map(nanos);
                let mut s = String::new();
                for (ip, e) in self.table.by_age() {
                    let age = self.now.saturating_sub(e.live_at);
                    let _ = writeln!(
                        s,
                        "{ip} {} {} {}.{:06}",
                        u8::from(e.known(self.now, timeout)),
                        e.eth,
                        age / SECOND,
                        age % SECOND / 1000
                    );
                }
                s
            }
            "stats" => format!(
                "{} packets killed\n{} ARP queries sent\n",
                self.drops + self.table.drops(),
                self.queries
            ),
            "count" => self.table.count().to_string(),
            "length" => self.table.length().to_string(),
            "queries" => self.queries.to_string(),
            "responses" => self.responses.to_string(),
            "drops" => self.drops.to_string(),
            "ipaddr" => self.ip.addr.to_string(),
            "broadcast" => self.broadcast.to_string(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "ipaddr" => self.ip.addr = handler_value(value, parse::ipv4)?,
            "broadcast" => self.broadcast = handler_value(value, parse::ipv4)?,
            "insert" => {
                let w = words(value);
                let [(_, ip), (_, eth)] = w.as_slice() else {
                    return Err(HandlerError::Invalid(
                        "expected `IP ETH`, e.g. `10.0.0.2 00:11:22:33:44:55`".into(),
                    ));
                };
                let ip = handler_value(ip, parse::ipv4)?;
                let eth = handler_value(eth, parse::ether)?;
                // Packets released here (frames only) leave first at the
                // next push or task run.
                let mut held = Batch::new();
                self.learn(ip, eth, &mut Outputs::new(&mut held, &mut []));
                while let Some(p) = held.pop() {
                    self.backlog[Stream::Frames as usize].0.push_front(p);
                }
            }
            "delete" => {
                let ip = handler_value(value, parse::ipv4)?;
                self.table.remove(ip);
            }
            "clear" => {
                self.queries = 0;
                self.drops = 0;
                self.responses = 0;
                self.table.clear();
            }
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// ARPQuerier's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ARPQuerier",
    port_count: "2/1-2",
    processing: "h/h",
    flow_code: "xy/x",
    keywords: &[
        "IP",
        "ETH",
        "CAPACITY",
        "ENTRY_CAPACITY",
        "ENTRY_PACKET_CAPACITY",
        "CAPACITY_SLIM_FACTOR",
        "TIMEOUT",
        "POLL_TIMEOUT",
        "BROADCAST",
        "BROADCAST_POLL",
    ],
    handlers: &[
        "table (read)",
        "stats (read)",
        "count (read)",
        "length (read)",
        "queries (read)",
        "responses (read)",
        "drops (read)",
        "ipaddr (read/write)",
        "broadcast (read/write)",
        "insert (write)",
        "delete (write)",
        "clear (write)",
    ],
    summary: "encapsulates IP packets in Ethernet headers found via ARP",
    source: include_str!("arp_querier.rs"),
    check: |c| ARPQuerier::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, on_port, run_push, udp_frame, Sent};
    use crate::standard::testing::{errors, has};
    use alloc::vec::Vec;
    use nfc_dataplane::element::Captured;
    use nfc_dataplane::packet::PacketPool;

    const MAC: EtherAddress = EtherAddress([0, 0x11, 0x22, 0x33, 0x44, 0x55]);
    const HOST: EtherAddress = EtherAddress([2, 0, 0, 0, 0, 2]);
    const CONFIG: &str = "10.0.0.1/24, 00:11:22:33:44:55";

    fn cx_at(pool: &'static PacketPool, secs: f64) -> Context {
        Context::at(pool, (secs * 1e9) as u64)
    }

    /// An IP packet (no Ethernet header) for `dst`, annotated with it, whose
    /// payload starts with `tag`.
    fn ip_packet(pool: &'static PacketPool, dst: [u8; 4], tag: u8) -> Packet {
        let mut f = udp_frame([10, 0, 0, 1], dst, 1000, 2000, 4);
        f[42] = tag;
        let mut p = pool.alloc_with(&f[14..]).unwrap();
        p.set_dst_ip(Ipv4Addr::from(dst));
        p.set_timestamp(u64::from(tag) + 1);
        p
    }

    /// An ARP frame from `spa` at `sha`, with operation `op`.
    fn arp(op: ArpOp, spa: [u8; 4], sha: EtherAddress) -> Vec<u8> {
        ArpFrame {
            ether: EtherHeader {
                dst: MAC,
                src: sha,
                ethertype: ETHERTYPE_ARP,
            },
            op,
            sha,
            spa: Ipv4Addr::from(spa),
            tha: MAC,
            tpa: Ipv4Addr::new(10, 0, 0, 1),
        }
        .bytes()
        .to_vec()
    }

    fn reply(pool: &'static PacketPool, spa: [u8; 4], sha: EtherAddress) -> Packet {
        pool.alloc_with(&arp(ArpOp::Reply, spa, sha)).unwrap()
    }

    /// The tags of IP frames sent, after checking their Ethernet header.
    fn frames_to(sent: &[&Sent], dst: EtherAddress) -> Vec<u8> {
        sent.iter()
            .map(|s| {
                let h = EtherHeader::parse(&s.data).unwrap();
                assert_eq!((h.dst, h.src, h.ethertype), (dst, MAC, ETHERTYPE_IP));
                s.data[14 + 28]
            })
            .collect()
    }

    /// Checks that `s` is a query for `tpa` sent to `dst`.
    fn is_query(s: &Sent, tpa: [u8; 4], dst: EtherAddress) {
        let q = ArpFrame::parse(&s.data).unwrap();
        assert_eq!(q.ether.dst, dst);
        assert_eq!((q.ether.src, q.op), (MAC, ArpOp::Request));
        assert_eq!((q.sha, q.spa), (MAC, Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(
            (q.tha, q.tpa),
            (EtherAddress::default(), Ipv4Addr::from(tpa))
        );
    }

    fn read(a: &ARPQuerier, h: &str) -> String {
        a.read_handler(h).unwrap()
    }

    #[test]
    fn forms() {
        let a = ARPQuerier::configure("10.0.0.1, 00:11:22:33:44:55").unwrap();
        assert_eq!(a.ip.addr, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(a.eth, MAC);
        assert_eq!(a.broadcast, Ipv4Addr::BROADCAST);
        assert_eq!(a.capacity, 2048);
        assert_eq!(a.timeout, Some(Duration::from_secs(300)));
        let b = ARPQuerier::configure("10.0.0.1/24 00:11:22:33:44:55").unwrap();
        assert_eq!(b.eth, MAC);
        assert_eq!(b.ip.len, 24);
        assert_eq!(b.broadcast, Ipv4Addr::new(10, 0, 0, 255));
        let c = ARPQuerier::configure(
            "IP 10.0.0.1, ETH 00:11:22:33:44:55, TIMEOUT 0, POLL_TIMEOUT 10s, \
             BROADCAST 10.255.255.255, CAPACITY 16, BROADCAST_POLL true",
        )
        .unwrap();
        assert_eq!(c.timeout, None);
        assert_eq!(c.poll_timeout, Duration::from_secs(10));
        assert_eq!(c.broadcast, Ipv4Addr::new(10, 255, 255, 255));
        assert_eq!(c.capacity, 16);
        assert!(c.broadcast_poll);
    }

    #[test]
    fn bad_configs() {
        let cfg = "10.0.0.300, 00:11:22:33:44, TIMEOUT soon, TABLE t";
        let errs = errors(cfg, ARPQuerier::configure(cfg));
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(has(&errs, "IP:", "10.0.0.300"), "{errs:?}");
        assert!(has(&errs, "ETH:", "00:11:22:33:44"), "{errs:?}");
        assert!(has(&errs, "", "soon"), "{errs:?}");
        assert!(has(&errs, "ARPTable", "t"), "{errs:?}");
        let cfg = "myaddr";
        let errs = errors(cfg, ARPQuerier::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "ETH: missing", "myaddr"), "{errs:?}");
        let cfg = "10.0.0.1 zz";
        let errs = errors(cfg, ARPQuerier::configure(cfg));
        assert!(has(&errs, "ETH:", "10.0.0.1 zz"), "{errs:?}");
    }

    #[test]
    fn holds_queries_and_releases_in_order() {
        let mut a = ARPQuerier::configure(CONFIG).unwrap();
        let pool = harness::pool();
        let cx = cx_at(pool, 0.0);
        let packets = (0..3).map(|i| ip_packet(pool, [10, 0, 0, 2], i)).collect();
        let sent = run_push(&mut a, &cx, 0, packets, 2);
        assert!(on_port(&sent, 0).is_empty());
        let queries = on_port(&sent, 1);
        assert_eq!(queries.len(), 1, "one query per 100 ms");
        is_query(queries[0], [10, 0, 0, 2], EtherAddress::BROADCAST);
        assert_eq!(
            (read(&a, "queries"), read(&a, "length"), read(&a, "count")),
            ("1".into(), "3".into(), "1".into())
        );
        let sent = run_push(
            &mut a,
            &cx,
            1,
            alloc::vec![reply(pool, [10, 0, 0, 2], HOST)],
            2,
        );
        assert_eq!(frames_to(&on_port(&sent, 0), HOST), [0, 1, 2]);
        assert_eq!(on_port(&sent, 0)[0].data.len(), 14 + 32);
        assert_eq!(
            (read(&a, "responses"), read(&a, "length")),
            ("1".into(), "0".into())
        );
        let sent = run_push(
            &mut a,
            &cx,
            0,
            alloc::vec![ip_packet(pool, [10, 0, 0, 2], 7)],
            2,
        );
        assert_eq!(frames_to(&on_port(&sent, 0), HOST), [7]);
        assert_eq!(sent.len(), 1);
        drop(a);
        assert_eq!(
            pool.available(),
            harness::pool().available(),
            "no packet leaked"
        );
    }

    #[test]
    fn queries_share_output_0_when_alone() {
        let mut a = ARPQuerier::configure(CONFIG).unwrap();
        let pool = harness::pool();
        let sent = run_push(
            &mut a,
            &cx_at(pool, 0.0),
            0,
            alloc::vec![ip_packet(pool, [10, 0, 0, 3], 0)],
            1,
        );
        assert_eq!(sent.len(), 1);
        is_query(&sent[0], [10, 0, 0, 3], EtherAddress::BROADCAST);
        assert_eq!(sent[0].port, 0);
    }

    #[test]
    fn broadcast_multicast_and_zero() {
        let mut a = ARPQuerier::configure(CONFIG).unwrap();
        let pool = harness::pool();
        let console = Captured::leak();
        let cx = Context {
            console,
            ..cx_at(pool, 0.0)
        };
        let packets = alloc::vec![
            ip_packet(pool, [10, 0, 0, 255], 1),
            ip_packet(pool, [255, 255, 255, 255], 2),
            ip_packet(pool, [224, 129, 2, 3], 3),
            ip_packet(pool, [0, 0, 0, 0], 4),
            ip_packet(pool, [0, 0, 0, 0], 5),
        ];
        let sent = run_push(&mut a, &cx, 0, packets, 2);
        let out = on_port(&sent, 0);
        assert_eq!(frames_to(&out[..2], EtherAddress::BROADCAST), [1, 2]);
        assert_eq!(
            frames_to(&out[2..], EtherAddress([1, 0, 0x5e, 1, 2, 3])),
            [3]
        );
        assert_eq!(sent.len(), 3);
        assert_eq!(read(&a, "drops"), "2");
        assert_eq!(console.take().len(), 1, "warned once");
        // Without an IP address, everything is dropped.
        a.write_handler("ipaddr", "0.0.0.0").unwrap();
        let sent = run_push(
            &mut a,
            &cx,
            0,
            alloc::vec![ip_packet(pool, [10, 0, 0, 255], 1)],
            2,
        );
        assert!(sent.is_empty());
        assert_eq!(read(&a, "drops"), "3");
        assert_eq!(read(&a, "stats"), "3 packets killed\n0 ARP queries sent\n");
    }

    #[test]
    fn old_entries_are_polled() {
        let pool = harness::pool();
        for (config, poll_to) in [
            (CONFIG, HOST),
            (
                "10.0.0.1/24, 00:11:22:33:44:55, BROADCAST_POLL true",
                EtherAddress::BROADCAST,
            ),
        ] {
            let mut a = ARPQuerier::configure(config).unwrap();
            a.write_handler("insert", "10.0.0.2 02:00:00:00:00:02")
                .unwrap();
            let at = |a: &mut ARPQuerier, secs| {
                run_push(
                    a,
                    &cx_at(pool, secs),
                    0,
                    alloc::vec![ip_packet(pool, [10, 0, 0, 2], 1)],
                    2,
                )
            };
            assert_eq!(at(&mut a, 59.0).len(), 1, "young: no poll");
            let sent = at(&mut a, 61.0);
            assert_eq!(frames_to(&on_port(&sent, 0), HOST), [1]);
            is_query(on_port(&sent, 1)[0], [10, 0, 0, 2], poll_to);
            assert_eq!(at(&mut a, 61.05).len(), 1, "rate-limited");
            assert_eq!(at(&mut a, 61.2).len(), 2);
            // A reply renews the entry: no more polls.
            run_push(
                &mut a,
                &cx_at(pool, 62.0),
                1,
                alloc::vec![reply(pool, [10, 0, 0, 2], HOST)],
                2,
            );
            assert_eq!(at(&mut a, 63.0).len(), 1);
        }
        let mut never = ARPQuerier::configure("10.0.0.1, 0:1:2:3:4:5, POLL_TIMEOUT 0").unwrap();
        never
            .write_handler("insert", "10.0.0.2 02:00:00:00:00:02")
            .unwrap();
        let sent = run_push(
            &mut never,
            &cx_at(pool, 200.0),
            0,
            alloc::vec![ip_packet(pool, [10, 0, 0, 2], 1)],
            2,
        );
        assert_eq!(sent.len(), 1);
    }

    #[test]
    fn entries_expire_lazily_and_in_the_task() {
        let pool = harness::pool();
        let mut a = ARPQuerier::configure("10.0.0.1, 0:11:22:33:44:55, TIMEOUT 10s").unwrap();
        let mut outs = [Batch::new(), Batch::new()];
        assert!(a.has_task());
        a.write_handler("insert", "10.0.0.2 02:00:00:00:00:02")
            .unwrap();
        a.write_handler("insert", "10.0.0.3 02:00:00:00:00:03")
            .unwrap();
        assert_eq!(
            harness::task(&mut a, &cx_at(pool, 1.0), Batch::new(), &mut outs),
            TaskResult::Idle
        );
        // Expired but not yet swept: the packet waits and a query goes out.
        let sent = run_push(
            &mut a,
            &cx_at(pool, 10.5),
            0,
            alloc::vec![ip_packet(pool, [10, 0, 0, 2], 1)],
            2,
        );
        assert_eq!(sent.len(), 1);
        is_query(&sent[0], [10, 0, 0, 2], EtherAddress::BROADCAST);
        assert_eq!(read(&a, "length"), "1");
        // As in Click, the entry is kept just short of expiring: the old
        // address is used again.
        let sent = run_push(
            &mut a,
            &cx_at(pool, 10.5),
            0,
            alloc::vec![ip_packet(pool, [10, 0, 0, 2], 2)],
            2,
        );
        assert_eq!(
            frames_to(&on_port(&sent, 0), EtherAddress([2, 0, 0, 0, 0, 2])),
            [2]
        );
        // The sweep due at 11 s (TIMEOUT after the first run) removes both
        // entries and the held packet.
        harness::task(&mut a, &cx_at(pool, 11.6), Batch::new(), &mut outs);
        assert_eq!(
            (read(&a, "count"), read(&a, "length")),
            ("0".into(), "0".into())
        );
        assert_eq!(read(&a, "stats"), "1 packets killed\n1 ARP queries sent\n");
        // The next sweep is 11 s later.
        a.write_handler("insert", "10.0.0.3 02:00:00:00:00:03")
            .unwrap();
        harness::task(&mut a, &cx_at(pool, 22.5), Batch::new(), &mut outs);
        assert_eq!(read(&a, "count"), "1");
        harness::task(&mut a, &cx_at(pool, 22.7), Batch::new(), &mut outs);
        assert_eq!(read(&a, "count"), "0");
        let mut forever = ARPQuerier::configure("10.0.0.1, 0:1:2:3:4:5, TIMEOUT 0").unwrap();
        forever
            .write_handler("insert", "10.0.0.2 02:00:00:00:00:02")
            .unwrap();
        harness::task(&mut forever, &cx_at(pool, 1e6), Batch::new(), &mut outs);
        harness::task(&mut forever, &cx_at(pool, 2e6), Batch::new(), &mut outs);
        assert!(read(&forever, "table").starts_with("10.0.0.2 1 02:00:00:00:00:02 2000000.000000"));
    }

    #[test]
    fn capacities() {
        let pool = harness::pool();
        let mut a = ARPQuerier::configure(
            "10.0.0.1, 0:11:22:33:44:55, CAPACITY 4, ENTRY_PACKET_CAPACITY 2",
        )
        .unwrap();
        let packets = [(2, 0), (3, 1), (2, 2), (3, 3), (2, 4), (2, 9), (4, 5)]
            .into_iter()
            .map(|(host, tag)| ip_packet(pool, [10, 0, 0, host], tag))
            .collect();
        run_push(&mut a, &cx_at(pool, 0.0), 0, packets, 2);
        // 4 and 9 find .2 full (ENTRY_PACKET_CAPACITY); 5 overflows CAPACITY,
        // which slims the table to 2 packets, dropping the oldest entries'
        // oldest packets: 0, 2, then 1.
        assert_eq!(read(&a, "length"), "2");
        assert_eq!(read(&a, "stats"), "5 packets killed\n3 ARP queries sent\n");
        let replies = (2..5).map(|h| reply(pool, [10, 0, 0, h], HOST)).collect();
        let sent = run_push(&mut a, &cx_at(pool, 0.0), 1, replies, 2);
        assert_eq!(frames_to(&on_port(&sent, 0), HOST), [3, 5]);
        let mut few =
            ARPQuerier::configure("10.0.0.1, 0:11:22:33:44:55, ENTRY_CAPACITY 2").unwrap();
        for i in 2..6 {
            few.write_handler("insert", &alloc::format!("10.0.0.{i} 2:0:0:0:0:{i}"))
                .unwrap();
        }
        assert_eq!(read(&few, "count"), "2");
        assert!(read(&few, "table").starts_with("10.0.0.4 "));
    }

    #[test]
    fn releases_more_than_a_batch_over_several_runs() {
        let pool = PacketPool::new(120);
        let mut a = ARPQuerier::configure(CONFIG).unwrap();
        let cx = cx_at(pool, 0.0);
        let packets = (0..40).map(|i| ip_packet(pool, [10, 0, 0, 9], i)).collect();
        run_push(&mut a, &cx, 0, packets, 2);
        let sent = run_push(
            &mut a,
            &cx,
            1,
            alloc::vec![reply(pool, [10, 0, 0, 9], HOST)],
            2,
        );
        let host = EtherAddress([2, 0, 0, 0, 0, 2]);
        assert_eq!(
            frames_to(&on_port(&sent, 0), host),
            (0..32).collect::<Vec<_>>()
        );
        let mut outs = [Batch::new(), Batch::new()];
        assert_eq!(
            harness::task(&mut a, &cx, Batch::new(), &mut outs),
            TaskResult::Busy
        );
        let rest: Vec<u8> = outs[0].iter().map(|p| p.data()[14 + 28]).collect();
        assert_eq!(rest, (32..40).collect::<Vec<_>>());
        let mut outs = [Batch::new(), Batch::new()];
        assert_eq!(
            harness::task(&mut a, &cx, Batch::new(), &mut outs),
            TaskResult::Idle
        );
    }

    #[test]
    fn replies_are_checked() {
        let pool = harness::pool();
        let mut a = ARPQuerier::configure(CONFIG).unwrap();
        let mut not_arp = arp(ArpOp::Reply, [10, 0, 0, 4], HOST);
        not_arp[13] = 0;
        let packets = alloc::vec![
            pool.alloc_with(&arp(ArpOp::Reply, [10, 0, 0, 2], HOST)[..41])
                .unwrap(),
            pool.alloc_with(&arp(ArpOp::Request, [10, 0, 0, 3], HOST))
                .unwrap(),
            pool.alloc_with(&not_arp).unwrap(),
            reply(pool, [10, 0, 0, 5], EtherAddress([1, 0, 0x5e, 0, 0, 1])),
            reply(pool, [10, 0, 0, 6], HOST),
        ];
        let sent = run_push(&mut a, &cx_at(pool, 0.0), 1, packets, 2);
        assert!(sent.is_empty());
        assert_eq!(read(&a, "responses"), "4");
        assert_eq!(read(&a, "count"), "1");
        assert!(read(&a, "table").starts_with("10.0.0.6 1 02:00:00:00:00:02 0.000000\n"));
    }

    #[test]
    fn handlers() {
        let pool = harness::pool();
        let mut a = ARPQuerier::configure(CONFIG).unwrap();
        run_push(
            &mut a,
            &cx_at(pool, 0.0),
            0,
            alloc::vec![ip_packet(pool, [10, 0, 0, 7], 1)],
            2,
        );
        a.write_handler("insert", " 10.0.0.2   02:00:00:00:00:02 ")
            .unwrap();
        let mut outs = [Batch::new(), Batch::new()];
        harness::task(&mut a, &cx_at(pool, 1.5), Batch::new(), &mut outs);
        assert_eq!(
            read(&a, "table"),
            "10.0.0.7 0 ff:ff:ff:ff:ff:ff 1.500000\n10.0.0.2 1 02:00:00:00:00:02 1.500000\n"
        );
        // Inserting an address sends its packets on the next run.
        a.write_handler("insert", "10.0.0.7 02:00:00:00:00:07")
            .unwrap();
        assert_eq!(
            harness::task(&mut a, &cx_at(pool, 1.5), Batch::new(), &mut outs),
            TaskResult::Busy
        );
        assert_eq!(outs[0].len(), 1);
        for bad in [
            "10.0.0.2",
            "10.0.0.2 1 2",
            "x 02:00:00:00:00:02",
            "10.0.0.2 y",
        ] {
            assert!(
                matches!(
                    a.write_handler("insert", bad),
                    Err(HandlerError::Invalid(_))
                ),
                "{bad}"
            );
        }
        a.write_handler("delete", "10.0.0.2").unwrap();
        a.write_handler("delete", "10.0.0.99").unwrap();
        assert_eq!(read(&a, "count"), "1");
        assert!(a.write_handler("delete", "nope").is_err());
        assert_eq!(
            (read(&a, "ipaddr"), read(&a, "broadcast")),
            ("10.0.0.1".into(), "10.0.0.255".into())
        );
        a.write_handler("broadcast", "10.255.255.255").unwrap();
        a.write_handler("ipaddr", "10.0.0.9").unwrap();
        assert_eq!(
            (read(&a, "ipaddr"), read(&a, "broadcast")),
            ("10.0.0.9".into(), "10.255.255.255".into())
        );
        assert!(a.write_handler("ipaddr", "10.0.0").is_err());
        assert_eq!(
            (read(&a, "queries"), read(&a, "responses")),
            ("1".into(), "0".into())
        );
        a.write_handler("clear", "").unwrap();
        assert_eq!(
            (read(&a, "count"), read(&a, "queries"), read(&a, "drops")),
            ("0".into(), "0".into(), "0".into())
        );
        assert_eq!(a.read_handler("nope"), Err(HandlerError::NoSuchHandler));
        assert_eq!(
            a.write_handler("table", ""),
            Err(HandlerError::NoSuchHandler)
        );
    }

    #[test]
    fn process_returns_the_first_packet_and_keeps_the_rest() {
        let pool = harness::pool();
        let cx = cx_at(pool, 0.0);
        let mut a = ARPQuerier::configure(CONFIG).unwrap();
        for i in 0..3 {
            let mut p = ip_packet(pool, [10, 0, 0, 2], i);
            let out = a.process(&cx, 0, &mut p);
            assert_eq!(out, if i == 0 { Out::Port(1) } else { Out::Drop });
        }
        let mut r = reply(pool, [10, 0, 0, 2], HOST);
        assert_eq!(a.process(&cx, 1, &mut r), Out::Port(0));
        assert_eq!(r.data()[14 + 28], 0);
        let mut outs = [Batch::new(), Batch::new()];
        harness::task(&mut a, &cx, Batch::new(), &mut outs);
        let rest: Vec<u8> = outs[0].iter().map(|p| p.data()[14 + 28]).collect();
        assert_eq!(rest, [1, 2]);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let mut a = ARPQuerier::configure(CONFIG).unwrap();
        a.write_handler("insert", "10.0.0.2 02:00:00:00:00:02")
            .unwrap();
        a.write_handler("insert", "10.0.0.3 02:00:00:00:00:03")
            .unwrap();
        let dsts: [[u8; 4]; 8] = [
            [10, 0, 0, 2],
            [10, 0, 0, 9],
            [10, 0, 0, 3],
            [10, 0, 0, 255],
            [10, 0, 0, 10],
            [239, 1, 2, 3],
            [0, 0, 0, 0],
            [10, 0, 0, 9],
        ];
        check_batch_path(&a, 0, 2, |i, pool| {
            let mut p = ip_packet(pool, dsts[i % dsts.len()], i as u8);
            p.set_paint(i as u8);
            if i % 5 == 4 {
                p.take(i % 20);
            }
            p
        });
        check_batch_path(&a, 1, 2, |i, pool| {
            let op = if i % 3 == 2 {
                ArpOp::Request
            } else {
                ArpOp::Reply
            };
            let mut f = arp(
                op,
                [10, 0, 1, i as u8],
                EtherAddress([2, 0, 0, 1, 0, i as u8]),
            );
            f.truncate(f.len() - i % 4);
            pool.alloc_with(&f).unwrap()
        });
    }
}
