//! # IPReassembler — reassembles fragmented IP packets
//!
//! ```click
//! IPReassembler([KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Expects IP packets with their IP header annotation set. Packets that are
//! not fragments pass straight through on output 0. Fragments are held,
//! grouped by source, destination, IP ID and protocol, until every byte of
//! their datagram has arrived; the whole datagram then leaves on output 0,
//! with the IP header, link header and annotations of the fragment at
//! offset 0, the timestamp of the fragment that completed it, a fresh total
//! length and checksum, and no fragment bits but DF. Where fragments
//! overlap, the one that arrived last wins, as in Click.
//!
//! A datagram still incomplete 30 seconds after its first fragment arrived
//! is given up. So, when the fragments held take more than HIMEM bytes
//! (40 bytes per datagram plus its data so far, Click's count), are the
//! oldest datagrams, until at most 3/4 of HIMEM is held. A datagram given
//! up leaves on output 1, if there is one, as a single packet holding the
//! fragments received at their offsets (its total length and checksum made
//! to match); otherwise it is dropped. Output 1 usually leads to
//! `ICMPError(ADDR, timeexceeded, reassembly)`.
//!
//! Bad fragments are dropped and counted: no IP header annotation, a total
//! length shorter than the header or longer than the packet, an end past
//! 65535 bytes, a fragment other than the last whose length is not a
//! multiple of 8, a fragment past the end that a last fragment set, or a
//! last fragment that disagrees with the end known or ends before data
//! already received.
//!
//! Each datagram being reassembled lives in one packet buffer: the buffer
//! of its first fragment to arrive, whose place in the input batch a fresh
//! buffer from the pool takes; later fragments are copied into it and
//! freed. Nothing is allocated per packet. Which 8-byte blocks have
//! arrived is a bitmap of the datagram; a datagram whose reassembly does
//! not fit in one buffer is dropped and counted, with every later fragment
//! of it, until its 30 seconds are over.
//!
//! ## Keywords
//! - `HIMEM` *N* — bytes of fragments held before old datagrams are given
//!   up. Default 262144.
//! - `MAX_MTU_ANNO` *OFFSET* — a 2-byte annotation (native byte order) in
//!   which each reassembled datagram records the size (IP header and data)
//!   of its largest fragment. Packets that were not fragments keep theirs.
//!
//! ## Handlers
//! - `stats` (read) — fragments seen, datagrams reassembled, datagrams
//!   given up (expired or evicted), bad fragments, datagrams too big for a
//!   buffer, fragments lost for want of a buffer, datagrams and bytes held.
//!
//! ## Examples
//! ```click
//! ... -> CheckIPHeader -> r :: IPReassembler -> ...;
//! r[1] -> ICMPError(10.0.0.1, timeexceeded, reassembly) -> ...;
//! ```
//!
//! ## Differences from Click
//! - Click gives up datagrams only when a fragment arrives (every 10 s);
//!   nfc's task gives them up when their 30 s are over, and the element's
//!   next event is that time, so a simulated clock (`--simtime`) sees it.
//!   Time is the monotonic clock, not the fragments' timestamps, and a
//!   datagram's age counts from its first fragment's arrival (Click counts
//!   from the offset-0 fragment's timestamp, or from 0 when that fragment
//!   has not come).
//! - HIMEM eviction is strictly oldest first (Click first gives up those
//!   older than 10 s, then 5 s, then any, in hash-bucket order), and
//!   evicted and expired datagrams alike count as failures.
//! - At most 1024 datagrams are held (fewer with a small HIMEM: one per 48
//!   bytes), each in a buffer of its own; a new one past that gives up the
//!   oldest. A datagram longer than a buffer is dropped (Click has no such
//!   limit); a fragment that starts a datagram when the pool is empty is
//!   lost.
//! - Bad fragments are counted and dropped as in Click; nfc also refuses
//!   last fragments that contradict what arrived before. A packet given up
//!   on output 1 has a consistent total length and checksum; its header is
//!   the offset-0 fragment's, or the first arrival's without options.
//! - MAX_MTU_ANNO takes a byte offset (0–46), not an annotation name; a
//!   datagram's value is the largest fragment seen (Click starts from the
//!   first arrival's place in the datagram when it is not at offset 0).
//! - The `dump` handler is `stats`, without the list of datagrams held.

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Out, TaskResult};
use nfc_dataplane::packet::{Packet, ANNO_SIZE, BUF_SIZE};
use nfc_dataplane::parse::{self, ParseError};

use super::flow_table::{FlowTable, Key};
use super::ip_header::{self, field, get16, put16, MF, MIN_LEN, OFFSET_MASK};

use crate::{ElementSpec, Ports};

/// Where datagrams given up go.
const FAILED: usize = 1;

/// How long a datagram waits for its missing fragments, from its first
/// fragment's arrival, in nanoseconds (Click's 30-second timeout).
pub const EXPIRE_TIMEOUT: u64 = 30_000_000_000;

/// What a datagram costs beyond its data in the HIMEM count (Click's
/// `IPH_MEM_USED`).
const DATAGRAM_COST: u32 = 40;

/// The most datagrams held at once.
pub const MAX_DATAGRAMS: u32 = 1024;

/// The most datagrams given up that wait for room in output 1.
const OUTBOX: usize = 256;

/// 8-byte blocks in a buffer: the most a datagram held can have.
const BLOCKS: usize = BUF_SIZE / 8;

/// Which 8-byte blocks of a datagram's data have arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Blocks([u64; BLOCKS / 64]);

impl Blocks {
    /// Marks the blocks of data bytes `from..to` as arrived.
    fn set(&mut self, from: usize, to: usize) {
        for b in from / 8..to.div_ceil(8) {
            if let Some(w) = self.0.get_mut(b / 64) {
                *w |= 1 << (b % 64);
            }
        }
    }

    /// True when every block of data bytes `0..end` has arrived.
    fn all(&self, end: usize) -> bool {
        (0..end.div_ceil(8)).all(|b| self.0.get(b / 64).is_some_and(|w| w >> (b % 64) & 1 != 0))
    }
}

/// What the element keeps about a datagram it reassembles (its buffer is
/// kept beside it, at the same index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Datagram {
    blocks: Blocks,
    /// Data bytes the buffer holds: the end of the furthest fragment.
    extent: u16,
    /// The data's length, once a last fragment has said it.
    end: Option<u16>,
    /// Bytes in front of the IP header (the link header).
    pre: u16,
    /// The IP header's length.
    hl: u8,
    /// The largest fragment seen, IP header and data.
    mtu: u16,
    /// Too big for a buffer: its fragments are dropped until it expires.
    doomed: bool,
}

impl Datagram {
    /// Its share of the HIMEM count.
    fn cost(&self) -> u32 {
        DATAGRAM_COST + u32::from(self.extent)
    }
}

/// One fragment's place: where its data goes in the datagram, and where
/// its headers are in its packet.
#[derive(Debug, Clone, Copy)]
struct Fragment {
    /// The data's offset in the datagram.
    off: usize,
    /// The data's end in the datagram.
    last: usize,
    /// More Fragments set.
    more: bool,
    /// Bytes in front of the IP header.
    pre: usize,
    /// The IP header's length.
    hl: usize,
}

/// What the `stats` handler reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Stats {
    fragments: u64,
    reassembled: u64,
    failed: u64,
    bad: u64,
    too_big: u64,
    lost: u64,
}

/// IPReassembler's configuration and state.
#[derive(Debug)]
pub struct IPReassembler {
    /// Memory limit for held fragments, in bytes (Click's count).
    pub himem: u32,
    /// Byte offset of the 2-byte annotation recording the largest
    /// fragment, if any.
    pub max_mtu_anno: Option<usize>,
    /// What eviction brings the count down to: 3/4 of HIMEM.
    low: u32,
    /// The datagrams held, oldest first on their one age list.
    table: FlowTable<Datagram, 1>,
    /// Each datagram's buffer, at its table index (none when doomed).
    buffers: Vec<Option<Packet>>,
    /// Click's memory count of what is held.
    mem_used: u32,
    /// Datagrams given up, waiting for room in output 1. Its capacity is
    /// reserved once.
    outbox: VecDeque<Packet>,
    noutputs: usize,
    stats: Stats,
}

/// A 2-byte annotation: a byte offset whose two bytes fit in the area.
fn u16_anno(s: &str) -> Result<usize, ParseError> {
    match parse::unsigned::<usize>(s) {
        Ok(at) if at + 2 <= ANNO_SIZE => Ok(at),
        _ => Err(ParseError::expected("2-byte annotation offset", s)
            .with_hint(format!("a byte offset from 0 to {}", ANNO_SIZE - 2))),
    }
}

/// Moves the data of fragment `f`, alone in `q`, to its offset after a
/// 20-byte copy of its IP header (later fragments' options are not the
/// datagram's), zeroing the gap in front; false when the buffer is too
/// small.
fn place_later_fragment(q: &mut Packet, f: Fragment) -> bool {
    let (from, to, dlen) = (f.pre + f.hl, f.pre + MIN_LEN + f.off, f.last - f.off);
    if to > from && q.put(to - from).is_none() {
        return false;
    }
    let d = q.data_mut();
    d.copy_within(from..from + dlen, to);
    d[f.pre + MIN_LEN..to].fill(0);
    d[f.pre] = (d[f.pre] & 0xf0) | (MIN_LEN / 4) as u8;
    if from > to {
        q.take(from - to);
    }
    q.set_network_header(f.pre, MIN_LEN);
    true
}

impl IPReassembler {
    /// Parses `IPReassembler([HIMEM, MAX_MTU_ANNO])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let himem = args
            .read("HIMEM", parse::unsigned::<u32>)
            .unwrap_or(256 * 1024);
        let max_mtu_anno = args.read("MAX_MTU_ANNO", u16_anno);
        args.complete()?;
        let capacity = (himem / (DATAGRAM_COST + 8)).clamp(1, MAX_DATAGRAMS);
        Ok(IPReassembler {
            himem,
            max_mtu_anno,
            low: (himem >> 2) * 3,
            table: FlowTable::new(capacity, 1),
            buffers: (0..capacity).map(|_| None).collect(),
            mem_used: 0,
            outbox: VecDeque::with_capacity(OUTBOX),
            noutputs: 1,
            stats: Stats::default(),
        })
    }

    /// Takes datagram `i` out of the table; its buffer, if it has one.
    fn remove(&mut self, i: u32) -> Option<(Packet, Datagram)> {
        let d = self.table.get(i).value;
        self.table.remove(i);
        self.mem_used = self.mem_used.saturating_sub(d.cost());
        let q = self.buffers.get_mut(i as usize)?.take()?;
        Some((q, d))
    }

    /// Gives up datagram `i`: it leaves on output 1, if there is one.
    fn give_up(&mut self, i: u32) {
        let Some((mut q, d)) = self.remove(i) else {
            return;
        };
        self.stats.failed += 1;
        if self.noutputs > FAILED && self.outbox.len() < OUTBOX {
            self.finish(&mut q, &d);
            self.outbox.push_back(q);
        }
    }

    /// Gives up the datagrams whose time is over at `now`; true if any.
    fn expire(&mut self, now: u64) -> bool {
        let mut any = false;
        while let Some(i) = self.table.head(0) {
            if self.table.get(i).last().saturating_add(EXPIRE_TIMEOUT) > now {
                break;
            }
            self.give_up(i);
            any = true;
        }
        any
    }

    /// Gives up the oldest datagrams until at most 3/4 of HIMEM is held.
    fn evict(&mut self) {
        while self.mem_used > self.low {
            let Some(i) = self.table.head(0) else {
                break;
            };
            self.give_up(i);
        }
    }

    /// Sets the total length and checksum of datagram `d` in `q` to what
    /// it holds, and its largest-fragment annotation.
    fn finish(&self, q: &mut Packet, d: &Datagram) {
        let (pre, hl) = (usize::from(d.pre), usize::from(d.hl));
        if let Some(ip) = q.data_mut().get_mut(pre..).filter(|ip| ip.len() >= hl) {
            put16(ip, field::LEN, (hl + usize::from(d.extent)) as u16);
            ip_header::set_checksum(ip, hl);
        }
        if let Some(at) = self.max_mtu_anno {
            if let Some(a) = q.anno_mut().get_mut(at..at + 2) {
                a.copy_from_slice(&d.mtu.to_ne_bytes());
            }
        }
    }

    /// Moves datagrams given up to `out` while it has room; true if any
    /// moved.
    fn flush(&mut self, out: &mut Batch) -> bool {
        let mut moved = false;
        while !out.is_full() {
            let Some(q) = self.outbox.pop_front() else {
                break;
            };
            let _ = out.push(q);
            moved = true;
        }
        moved
    }

    /// Records datagram `d` under `key`, held in `q`.
    fn insert(&mut self, now: u64, key: Key, d: Datagram, q: Option<Packet>) {
        if self.table.is_full() {
            if let Some(oldest) = self.table.head(0) {
                self.give_up(oldest);
            }
        }
        if let Some(i) = self.table.insert([key], 0, now, d) {
            self.mem_used += d.cost();
            if let Some(slot) = self.buffers.get_mut(i as usize) {
                *slot = q;
            }
        }
    }

    /// Starts a datagram with fragment `p`, whose buffer it keeps (a fresh
    /// one from the pool takes its place in `p`).
    fn start(&mut self, cx: &Context, key: Key, p: &mut Packet, f: Fragment) -> Out {
        let mut d = Datagram {
            extent: f.last as u16,
            end: (!f.more).then_some(f.last as u16),
            pre: f.pre as u16,
            hl: f.hl as u8,
            mtu: (f.hl + f.last - f.off) as u16,
            ..Datagram::default()
        };
        if f.off > 0 && (MIN_LEN + f.off).saturating_sub(f.hl) > p.tailroom() {
            self.stats.too_big += 1;
            let doomed = Datagram {
                doomed: true,
                ..Datagram::default()
            };
            self.insert(cx.now, key, doomed, None);
            return Out::Drop;
        }
        let Some(fresh) = p.pool().alloc() else {
            self.stats.lost += 1;
            return Out::Drop;
        };
        let mut q = core::mem::replace(p, fresh);
        if f.off > 0 {
            // Room checked above.
            place_later_fragment(&mut q, f);
            d.hl = MIN_LEN as u8;
        }
        if let Some(ip) = q.network_mut() {
            // The offset goes; MF, DF and the reserved bit stay.
            let frag = get16(ip, field::FRAG) & !OFFSET_MASK;
            put16(ip, field::FRAG, frag);
        }
        d.blocks.set(f.off, f.last);
        self.insert(cx.now, key, d, Some(q));
        Out::Drop
    }

    /// Gives up the buffer of datagram `i` (`d`), too big for it: its
    /// fragments are dropped until it expires.
    fn doom(&mut self, i: u32, d: &Datagram) {
        self.stats.too_big += 1;
        self.mem_used = self.mem_used.saturating_sub(u32::from(d.extent));
        *self.table.value_mut(i) = Datagram {
            doomed: true,
            ..Datagram::default()
        };
    }

    /// Puts the link and IP headers of offset-0 fragment `p` on `q`,
    /// keeping `q`'s fragment field, and takes `p`'s annotations; false
    /// when the buffer cannot hold them.
    fn take_header(q: &mut Packet, d: &mut Datagram, p: &Packet, f: Fragment) -> bool {
        let old = usize::from(d.pre) + usize::from(d.hl);
        let new = f.pre + f.hl;
        let frag = get16(q.data(), usize::from(d.pre) + field::FRAG);
        if new > old {
            if q.push(new - old).is_none() {
                return false;
            }
        } else {
            q.pull(old - new);
        }
        q.data_mut()[..new].copy_from_slice(&p.data()[..new]);
        put16(q.data_mut(), f.pre + field::FRAG, frag);
        q.set_network_header(f.pre, f.hl);
        *q.anno_mut() = *p.anno();
        q.set_timestamp(p.timestamp());
        q.set_packet_type(p.packet_type());
        q.set_device(p.device());
        (d.pre, d.hl) = (f.pre as u16, f.hl as u8);
        true
    }

    /// Adds fragment `p` to datagram `i`; the datagram, when that
    /// completes it, takes `p`'s place.
    fn add(&mut self, i: u32, p: &mut Packet, f: Fragment) -> Out {
        let mut d = self.table.get(i).value;
        if d.doomed {
            return Out::Drop;
        }
        let extent = usize::from(d.extent);
        let consistent = match d.end.map(usize::from) {
            Some(end) => f.last <= end && (f.more || f.last == end),
            None => f.more || f.last >= extent,
        };
        if !consistent {
            self.stats.bad += 1;
            return Out::Drop;
        }
        let Some(mut q) = self.buffers.get_mut(i as usize).and_then(Option::take) else {
            return Out::Drop;
        };
        if f.last > extent {
            if q.put(f.last - extent).is_none() {
                self.doom(i, &d);
                return Out::Drop;
            }
            self.mem_used += (f.last - extent) as u32;
            d.extent = f.last as u16;
        }
        let base = usize::from(d.pre) + usize::from(d.hl);
        let from = f.pre + f.hl;
        q.data_mut()[base + f.off..base + f.last]
            .copy_from_slice(&p.data()[from..from + f.last - f.off]);
        d.blocks.set(f.off, f.last);
        d.mtu = d.mtu.max((f.hl + f.last - f.off) as u16);
        if f.off == 0 && !Self::take_header(&mut q, &mut d, p, f) {
            self.doom(i, &d);
            return Out::Drop;
        }
        if !f.more {
            d.end = Some(f.last as u16);
            let at = usize::from(d.pre) + field::FRAG;
            let frag = get16(q.data(), at) & !MF;
            put16(q.data_mut(), at, frag);
        }
        if d.end.is_some_and(|end| d.blocks.all(usize::from(end))) {
            self.table.remove(i);
            self.mem_used = self.mem_used.saturating_sub(d.cost());
            self.finish(&mut q, &d);
            q.set_timestamp(p.timestamp());
            self.stats.reassembled += 1;
            // The completing fragment is freed.
            *p = q;
            return Out::Port(0);
        }
        *self.table.value_mut(i) = d;
        if let Some(slot) = self.buffers.get_mut(i as usize) {
            *slot = Some(q);
        }
        Out::Drop
    }

    /// Datagrams held (tests).
    #[cfg(test)]
    fn held(&self) -> usize {
        self.table.len()
    }

    /// Checks that the memory count is the sum of what is held (tests).
    #[cfg(test)]
    fn check_invariants(&self) {
        self.table.check_invariants();
        let sum: u32 = self
            .table
            .walk(0)
            .map(|i| self.table.get(i).value.cost())
            .sum();
        assert_eq!(sum, self.mem_used);
        for i in self.table.walk(0) {
            let d = self.table.get(i).value;
            assert_eq!(d.doomed, self.buffers[i as usize].is_none());
            if let Some(q) = &self.buffers[i as usize] {
                let len = usize::from(d.pre) + usize::from(d.hl) + usize::from(d.extent);
                assert_eq!(q.len(), len, "the buffer holds the datagram");
                assert_eq!(q.network_offset(), Some(usize::from(d.pre)));
            }
        }
    }
}

impl Element for IPReassembler {
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let Some((ip, hl)) = ip_header::ip(p) else {
            self.stats.bad += 1;
            return Out::Drop;
        };
        if !ip_header::is_fragment(ip) {
            return Out::Port(0);
        }
        self.stats.fragments += 1;
        let frag = get16(ip, field::FRAG);
        let (total, have) = (ip_header::total_len(ip), ip.len());
        let key = Key::new(
            ip[field::PROTO],
            ip_header::get_addr(ip, field::SRC),
            ip_header::get_addr(ip, field::DST),
            get16(ip, field::ID),
            0,
        );
        let more = frag & MF != 0;
        let off = usize::from(frag & OFFSET_MASK) * 8;
        let last = (off + total).saturating_sub(hl);
        if last <= off || last > 0xFFFF || (more && last % 8 != 0) || total > have {
            self.stats.bad += 1;
            return Out::Drop;
        }
        p.take(have - total);
        if p.timestamp() == 0 {
            p.set_timestamp(cx.wall);
        }
        self.expire(cx.now);
        if self.mem_used > self.himem {
            self.evict();
        }
        self.table.seed_if_empty(cx.seed);
        let f = Fragment {
            off,
            last,
            more,
            pre: p.network_offset().unwrap_or(0),
            hl,
        };
        match self.table.find(&key) {
            None => self.start(cx, key, p, f),
            Some((i, _)) => self.add(i, p, f),
        }
    }

    fn push(&mut self, cx: &Context, input: usize, batch: &mut Batch, others: &mut [Batch]) {
        batch.route(others, |p| self.process(cx, input, p));
        if let Some(out) = others.get_mut(FAILED - 1) {
            self.flush(out);
        }
    }

    fn has_task(&self) -> bool {
        true
    }

    fn run_task(&mut self, cx: &Context, _batch: &mut Batch, others: &mut [Batch]) -> TaskResult {
        let expired = self.expire(cx.now);
        let moved = match others.get_mut(FAILED - 1) {
            Some(out) => self.flush(out),
            None => false,
        };
        if expired || moved {
            TaskResult::Busy
        } else {
            TaskResult::Idle
        }
    }

    fn next_event(&self) -> Option<u64> {
        let i = self.table.head(0)?;
        Some(self.table.get(i).last().saturating_add(EXPIRE_TIMEOUT))
    }

    fn set_ports(&mut self, _ninputs: usize, noutputs: usize) {
        self.noutputs = noutputs;
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "stats" => {
                let s = &self.stats;
                let mut out = String::new();
                let _ = write!(
                    out,
                    "frags seen total:    {}\n\
                     good reassemblies:   {}\n\
                     failed reassemblies: {}\n\
                     bad fragments seen:  {}\n\
                     too big for buffer:  {}\n\
                     lost, no buffer:     {}\n\
                     datagrams held:      {}\n\
                     memory held:         {}\n",
                    s.fragments,
                    s.reassembled,
                    s.failed,
                    s.bad,
                    s.too_big,
                    s.lost,
                    self.table.len(),
                    self.mem_used
                );
                Ok(out)
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// IPReassembler's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPReassembler",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["HIMEM", "MAX_MTU_ANNO"],
    handlers: &["stats (read)"],
    summary: "reassembles fragmented IP packets",
    source: include_str!("ip_reassembler.rs"),
    check: |c| IPReassembler::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    use alloc::string::ToString;
    use alloc::vec;
    use nfc_dataplane::packet::PacketPool;
    use proptest::prelude::*;

    use crate::harness::{self, ip_checksum, on_port, run_push, Sent};
    use crate::ip::ip_fragmenter::IPFragmenter;
    use crate::ip::ip_header::testing::{marked, udp};
    use crate::ip::ip_header::DF;

    const A: [u8; 4] = [10, 0, 0, 1];
    const B: [u8; 4] = [10, 0, 0, 2];
    const SEC: u64 = 1_000_000_000;

    #[test]
    fn configure() {
        let r = IPReassembler::configure("").unwrap();
        assert_eq!((r.himem, r.low, r.max_mtu_anno), (262144, 196608, None));
        assert_eq!(r.table.capacity(), MAX_DATAGRAMS as usize);
        let r = IPReassembler::configure("HIMEM 1000, MAX_MTU_ANNO 20").unwrap();
        assert_eq!((r.himem, r.max_mtu_anno), (1000, Some(20)));
        assert_eq!(r.table.capacity(), 20, "one datagram per 48 bytes");
        let cfg = "HIMEM lots, MAX_MTU_ANNO 47, 5";
        let e = IPReassembler::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 3);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "lots");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "47");
    }

    /// A UDP datagram with IP ID `id` and `n` bytes of varied payload.
    fn datagram(id: u16, n: usize) -> Vec<u8> {
        let payload: Vec<u8> = (0..n).map(|i| (i * 7 + usize::from(id)) as u8).collect();
        let mut d = udp(A, B, 1000, 2000, &payload);
        put16(&mut d, field::ID, id);
        ip_header::set_checksum(&mut d, 20);
        d
    }

    /// The fragment of the 20-byte-header datagram `d` holding data bytes
    /// `from..to`, MF set unless `to` is the end.
    fn piece(d: &[u8], from: usize, to: usize) -> Vec<u8> {
        let data = &d[20..];
        let mut f = d[..20].to_vec();
        f.extend_from_slice(&data[from..to]);
        let len = f.len() as u16;
        put16(&mut f, field::LEN, len);
        let mut frag = get16(d, field::FRAG) | (from / 8) as u16;
        if to < data.len() {
            frag |= MF;
        }
        put16(&mut f, field::FRAG, frag);
        ip_header::set_checksum(&mut f, 20);
        f
    }

    /// A reassembler with both outputs.
    fn two_outputs(config: &str) -> IPReassembler {
        let mut r = IPReassembler::configure(config).unwrap();
        r.set_ports(1, 2);
        r
    }

    /// Pushes the IP packets `ps` (network header at 0) at time `now`.
    fn send(
        r: &mut IPReassembler,
        pool: &'static PacketPool,
        now: u64,
        ps: &[Vec<u8>],
    ) -> Vec<Sent> {
        let cx = Context::at(pool, now);
        let packets = ps.iter().map(|b| marked(pool, b, 0)).collect();
        let out = run_push(r, &cx, 0, packets, 2);
        r.check_invariants();
        out
    }

    #[test]
    fn passes_packets_that_are_not_fragments() {
        let pool = harness::pool();
        let mut r = two_outputs("");
        let d = datagram(1, 100);
        let out = send(&mut r, pool, 0, core::slice::from_ref(&d));
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].port, &out[0].data), (0, &d));
        let mut bare = pool.alloc_with(&d).unwrap();
        assert_eq!(
            r.process(&harness::cx(pool), 0, &mut bare),
            Out::Drop,
            "no IP header annotation"
        );
        assert!(r
            .read_handler("stats")
            .unwrap()
            .contains("bad fragments seen:  1\n"));
        assert_eq!(r.read_handler("dump"), Err(HandlerError::NoSuchHandler));
    }

    #[test]
    fn reassembles_in_order_keeping_the_link_header() {
        let pool = harness::pool();
        let mut r = two_outputs("");
        let d = datagram(7, 1400);
        let mut first = vec![0xee; 14];
        first.extend_from_slice(&piece(&d, 0, 480));
        let cx = harness::cx(pool);
        let mut p = marked(pool, &first, 14);
        p.set_paint(3);
        let mut ps = vec![p];
        ps.push(marked(pool, &piece(&d, 480, 960), 0));
        ps.push(marked(pool, &piece(&d, 960, 1408), 0));
        let out = run_push(&mut r, &cx, 0, ps, 2);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].port, 0);
        assert_eq!(out[0].data[..14], [0xee; 14]);
        assert_eq!(out[0].network, Some(14));
        assert_eq!(out[0].data[14..], d, "the very datagram");
        assert_eq!(out[0].paint, 3);
        assert_eq!(ip_checksum(&out[0].data[14..34]), 0);
        let stats = r.read_handler("stats").unwrap();
        assert!(
            stats.starts_with("frags seen total:    3\ngood reassemblies:   1\n"),
            "{stats}"
        );
        assert_eq!((r.held(), r.mem_used), (0, 0));
        assert_eq!(r.next_event(), None);
        drop(out);
        assert_eq!(
            pool.available(),
            pool.capacity(),
            "nothing held, nothing leaked"
        );
    }

    #[test]
    fn reassembles_out_of_order_with_the_first_fragments_annotations() {
        let pool = harness::pool();
        let mut r = two_outputs("MAX_MTU_ANNO 24");
        let mut d = datagram(9, 1000);
        // DF stays; a header with options on the first fragment only.
        put16(&mut d, field::FRAG, 0);
        let pieces = [piece(&d, 0, 400), piece(&d, 400, 800), piece(&d, 800, 1008)];
        for order in [[2, 1, 0], [1, 0, 2], [2, 0, 1], [0, 2, 1]] {
            let mut batch = Vec::new();
            for (n, &k) in order.iter().enumerate() {
                let mut p = marked(pool, &pieces[k], 0);
                p.set_paint(10 + k as u8);
                p.set_timestamp(100 + n as u64);
                batch.push(p);
            }
            let out = run_push(&mut r, &harness::cx(pool), 0, batch, 2);
            r.check_invariants();
            assert_eq!(out.len(), 1, "{order:?}");
            assert_eq!(out[0].data, d, "{order:?}");
            assert_eq!(out[0].paint, 10, "the offset-0 fragment's annotations");
            assert_eq!(r.held(), 0);
        }
        // Timestamp of the completing fragment, the largest fragment's size.
        let cx = harness::cx(pool);
        let mut b = Batch::new();
        for (n, k) in [1usize, 0, 2].into_iter().enumerate() {
            let mut p = marked(pool, &pieces[k], 0);
            p.set_timestamp(100 + n as u64);
            let _ = b.push(p);
        }
        let mut outs = [Batch::new(), Batch::new()];
        harness::push(&mut r, &cx, 0, b, &mut outs);
        let q = outs[0].pop().unwrap();
        assert_eq!(q.timestamp(), 102);
        assert_eq!(u16::from_ne_bytes([q.anno()[24], q.anno()[25]]), 420);
    }

    #[test]
    fn keeps_df_and_clears_the_rest() {
        let pool = harness::pool();
        let mut r = two_outputs("");
        let mut d = datagram(3, 100);
        put16(&mut d, field::FRAG, DF);
        ip_header::set_checksum(&mut d, 20);
        let out = send(&mut r, pool, 0, &[piece(&d, 48, 108), piece(&d, 0, 48)]);
        assert_eq!(out.len(), 1);
        assert_eq!(get16(&out[0].data, field::FRAG), DF);
        assert_eq!(out[0].data, d);
    }

    #[test]
    fn duplicates_and_overlaps_later_wins() {
        let pool = harness::pool();
        let mut r = two_outputs("");
        let d = datagram(5, 300);
        // Duplicates change nothing.
        let out = send(
            &mut r,
            pool,
            0,
            &[
                piece(&d, 0, 160),
                piece(&d, 0, 160),
                piece(&d, 160, 240),
                piece(&d, 160, 240),
                piece(&d, 240, 308),
            ],
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].data, d);
        // An overlapping fragment that arrives later overwrites, as in Click.
        let mut other = d.clone();
        for b in &mut other[20 + 80..20 + 200] {
            *b = 0xab;
        }
        let out = send(
            &mut r,
            pool,
            0,
            &[
                piece(&d, 0, 160),
                piece(&other, 80, 200),
                piece(&d, 240, 308),
            ],
        );
        assert!(out.is_empty(), "200..240 still missing");
        let out = send(&mut r, pool, 0, &[piece(&d, 160, 240)]);
        let mut want = d.clone();
        want[20 + 80..20 + 160].fill(0xab);
        want[20 + 160..20 + 200].copy_from_slice(&d[20 + 160..20 + 200]);
        assert_eq!(out.len(), 1);
        // Payload bytes 80..160 come from `other`; 160..240 arrived last.
        assert_eq!(out[0].data[20..], want[20..]);
        assert_eq!(ip_checksum(&out[0].data[..20]), 0);
    }

    #[test]
    fn a_missing_fragment_expires_to_output_1() {
        let pool = harness::pool();
        let mut r = two_outputs("");
        let d = datagram(11, 200);
        let out = send(
            &mut r,
            pool,
            5 * SEC,
            &[piece(&d, 104, 208), piece(&d, 0, 48)],
        );
        assert!(out.is_empty());
        assert_eq!(
            r.next_event(),
            Some(35 * SEC),
            "30 s after the first arrival"
        );
        let mut outs = [Batch::new(), Batch::new()];
        let early = Context::at(pool, 35 * SEC - 1);
        assert_eq!(
            harness::task(&mut r, &early, Batch::new(), &mut outs),
            TaskResult::Idle
        );
        assert!(outs[1].is_empty());
        let cx = Context::at(pool, 35 * SEC);
        assert_eq!(
            harness::task(&mut r, &cx, Batch::new(), &mut outs),
            TaskResult::Busy
        );
        assert!(outs[0].is_empty());
        let q = outs[1].pop().unwrap();
        let ip = q.network().unwrap();
        assert_eq!(ip.len(), 20 + 208, "the fragments at their offsets");
        assert_eq!(usize::from(get16(ip, field::LEN)), ip.len());
        assert_eq!(ip_checksum(&ip[..20]), 0);
        assert_eq!(get16(ip, field::FRAG), 0, "the last fragment came");
        assert_eq!(ip[20..68], d[20..68]);
        assert_eq!(ip[68..124], [0; 56], "the hole");
        assert_eq!(ip[124..], d[124..]);
        assert_eq!(r.next_event(), None);
        assert!(r
            .read_handler("stats")
            .unwrap()
            .contains("failed reassemblies: 1\n"));
        assert_eq!(
            harness::task(&mut r, &cx, Batch::new(), &mut outs),
            TaskResult::Idle
        );
        // A fragment arriving late finds its datagram gone, and gives up
        // other old ones on its way.
        send(&mut r, pool, 40 * SEC, &[piece(&d, 0, 48)]);
        let out = send(&mut r, pool, 71 * SEC, &[piece(&datagram(12, 200), 0, 48)]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].port, 1);
        assert_eq!(r.held(), 1);
        // With one output, given-up datagrams are dropped.
        let mut r = IPReassembler::configure("").unwrap();
        send(&mut r, pool, 0, &[piece(&d, 0, 48)]);
        let mut one = [Batch::new()];
        assert_eq!(
            harness::task(&mut r, &Context::at(pool, 30 * SEC), Batch::new(), &mut one),
            TaskResult::Busy
        );
        assert!(one[0].is_empty());
        drop((out, outs, r));
    }

    #[test]
    fn himem_evicts_the_oldest_first() {
        let pool = harness::pool();
        // Each datagram below costs 40 + 480 bytes.
        let mut r = two_outputs("HIMEM 1100");
        let ds: Vec<Vec<u8>> = (1..=4).map(|id| datagram(id, 1000)).collect();
        send(&mut r, pool, 0, &[piece(&ds[0], 0, 480)]);
        send(&mut r, pool, SEC, &[piece(&ds[1], 0, 480)]);
        assert_eq!(r.mem_used, 1040);
        let out = send(&mut r, pool, 2 * SEC, &[piece(&ds[2], 0, 480)]);
        assert!(out.is_empty(), "1040 is within HIMEM");
        let out = send(&mut r, pool, 3 * SEC, &[piece(&ds[3], 0, 480)]);
        // 1560 > 1100: the two oldest go, down to 520 <= 825.
        let ids: Vec<u16> = on_port(&out, 1)
            .iter()
            .map(|s| get16(&s.data, field::ID))
            .collect();
        assert_eq!(ids, [1, 2]);
        assert_eq!((r.held(), r.mem_used), (2, 1040));
        // The table holds 1100 / 48 = 22 datagrams; the 23rd pushes out the
        // oldest.
        let mut r = two_outputs("HIMEM 1100");
        let firsts: Vec<Vec<u8>> = (0..23)
            .map(|id| piece(&datagram(100 + id, 100), 0, 8))
            .collect();
        let out = send(&mut r, pool, 0, &firsts[..22]);
        assert!(out.is_empty());
        let out = send(&mut r, pool, 0, &firsts[22..]);
        assert_eq!(out.len(), 1);
        assert_eq!(get16(&out[0].data, field::ID), 100);
        assert_eq!(r.held(), 22);
    }

    #[test]
    fn malformed_fragments_are_dropped_and_counted() {
        let pool = harness::pool();
        let mut r = two_outputs("");
        let d = datagram(21, 200);
        let mut bad = Vec::new();
        // An offset that puts the end past 65535.
        let mut far = piece(&d, 0, 48);
        put16(&mut far, field::FRAG, MF | 8190);
        bad.push(far);
        // A middle fragment whose length is not a multiple of 8.
        let mut odd = piece(&d, 0, 48);
        put16(&mut odd, field::LEN, 20 + 45);
        bad.push(odd);
        // A total length shorter than the header, and longer than the packet.
        let mut short = piece(&d, 8, 48);
        put16(&mut short, field::LEN, 12);
        bad.push(short);
        let mut long = piece(&d, 8, 48);
        put16(&mut long, field::LEN, 200);
        bad.push(long);
        let out = send(&mut r, pool, 0, &bad);
        assert!(out.is_empty());
        assert_eq!(r.held(), 0);
        // The last fragment sets the end; what disagrees with it is bad.
        let mut past = piece(&d, 0, 48);
        put16(&mut past, field::FRAG, MF | (200 / 8));
        let out = send(&mut r, pool, 0, &[piece(&d, 160, 208), past]);
        assert!(out.is_empty());
        let mut short_last = piece(&d, 0, 100);
        put16(&mut short_last, field::FRAG, 0x0c); // ends at 196, no MF
        let out = send(&mut r, pool, 0, &[short_last]);
        assert!(out.is_empty());
        let stats = r.read_handler("stats").unwrap();
        assert!(stats.contains("bad fragments seen:  6\n"), "{stats}");
        // Trailing bytes beyond the total length are trimmed.
        let d2 = datagram(22, 200);
        let mut padded = piece(&d2, 0, 160);
        padded.extend_from_slice(&[0xff; 10]);
        let out = send(&mut r, pool, 0, &[padded]);
        assert!(out.is_empty());
        let out = send(&mut r, pool, 0, &[piece(&d2, 160, 208)]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].data, d2);
    }

    #[test]
    fn datagrams_longer_than_a_buffer_are_dropped_and_counted() {
        let pool = harness::pool();
        let mut r = two_outputs("");
        let d = datagram(31, 2600);
        let pieces = [
            piece(&d, 0, 1200),
            piece(&d, 1200, 2400),
            piece(&d, 2400, 2608),
        ];
        let out = send(&mut r, pool, 0, &pieces);
        assert!(out.is_empty());
        // Starting with a far fragment fails at once.
        let d2 = datagram(32, 2600);
        let out = send(
            &mut r,
            pool,
            0,
            &[piece(&d2, 2400, 2608), piece(&d2, 0, 1200)],
        );
        assert!(out.is_empty());
        let stats = r.read_handler("stats").unwrap();
        assert!(stats.contains("too big for buffer:  2\n"), "{stats}");
        assert_eq!(r.held(), 2, "both remembered, holding no buffer");
        assert_eq!(r.mem_used, 80);
        let mut outs = [Batch::new(), Batch::new()];
        harness::task(
            &mut r,
            &Context::at(pool, 30 * SEC),
            Batch::new(),
            &mut outs,
        );
        assert!(outs[1].is_empty(), "nothing to give up");
        assert_eq!(r.held(), 0);
        assert_eq!(pool.available(), pool.capacity());
    }

    extern crate std;

    std::thread_local! {
        /// One pool for every property case (pools live for the program).
        static POOL: &'static PacketPool = PacketPool::new(512);
    }

    /// What a property case sends: a datagram's fragments (by IPFragmenter
    /// at `mtu`), some dropped, some repeated, shuffled, among random
    /// fragments.
    #[derive(Debug, Clone)]
    struct Case {
        sizes: Vec<usize>,
        mtu: usize,
        drop: Vec<bool>,
        dup: Vec<bool>,
        junk: Vec<(u16, u16, u16, bool, u8)>,
        shuffle: Vec<usize>,
        himem: u32,
    }

    fn case() -> impl Strategy<Value = Case> {
        (
            prop::collection::vec(1usize..1880, 1..5),
            96usize..1500,
            prop::collection::vec(any::<bool>(), 64),
            prop::collection::vec(any::<bool>(), 64),
            prop::collection::vec(
                (0u16..8, any::<u16>(), 0u16..1600, any::<bool>(), 0u8..3),
                0..12,
            ),
            prop::collection::vec(any::<usize>(), 128),
            prop_oneof![Just(262144u32), 100u32..4000],
        )
            .prop_map(|(sizes, mtu, drop, dup, junk, shuffle, himem)| Case {
                sizes,
                mtu,
                drop,
                dup,
                junk,
                shuffle,
                himem,
            })
    }

    fn run_case(c: &Case) -> Result<(), TestCaseError> {
        let pool = POOL.with(|p| *p);
        let cx = Context::at(pool, 0);
        let mut originals = Vec::new();
        let mut packets: Vec<(Vec<u8>, bool)> = Vec::new();
        let mut whole = Vec::new();
        let mut k = 0;
        for (n, &size) in c.sizes.iter().enumerate() {
            let d = datagram(n as u16 + 1, size);
            let mut f = IPFragmenter::configure(&c.mtu.to_string()).unwrap();
            let frags = run_push(&mut f, &cx, 0, vec![marked(pool, &d, 0)], 1);
            let mut all = true;
            for s in &frags {
                let gone = c.drop[k % 64] && c.drop[(k + 7) % 64];
                all &= !gone;
                if !gone {
                    packets.push((s.data.clone(), true));
                }
                if c.dup[k % 64] {
                    packets.push((s.data.clone(), true));
                }
                k += 1;
            }
            whole.push(all && frags.len() > 1);
            originals.push(d);
        }
        for &(id, frag, len, more, proto) in &c.junk {
            let mut j = datagram(1000 + id, usize::from(len));
            j[field::PROTO] = [17, 6, 1][usize::from(proto)];
            put16(&mut j, field::FRAG, frag | if more { MF } else { 0 });
            ip_header::set_checksum(&mut j, 20);
            packets.push((j, false));
        }
        for i in (1..packets.len()).rev() {
            packets.swap(i, c.shuffle[i % 128] % (i + 1));
        }
        let mut r = IPReassembler::configure(&format!("HIMEM {}", c.himem)).unwrap();
        r.set_ports(1, 2);
        let mut done = vec![false; originals.len()];
        for (n, chunk) in packets.chunks(33).enumerate() {
            let cx = Context::at(pool, n as u64 * 4 * SEC);
            let batch = chunk.iter().map(|(b, _)| marked(pool, b, 0)).collect();
            for s in run_push(&mut r, &cx, 0, batch, 2) {
                let ip = &s.data;
                prop_assert!(ip_checksum(&ip[..20]) == 0 || s.port == 1);
                let id = usize::from(get16(ip, field::ID));
                if s.port == 0 && (1..=originals.len()).contains(&id) {
                    prop_assert_eq!(ip, &originals[id - 1], "datagram {}", id);
                    done[id - 1] = true;
                }
            }
            r.check_invariants();
        }
        if c.himem == 262144 {
            for (id, (&w, &d)) in whole.iter().zip(&done).enumerate() {
                prop_assert!(!w || d, "datagram {} came whole and left whole", id + 1);
            }
        }
        // Everything held expires; nothing is leaked.
        let mut outs = [Batch::new(), Batch::new()];
        while harness::task(
            &mut r,
            &Context::at(pool, 1000 * SEC),
            Batch::new(),
            &mut outs,
        ) == TaskResult::Busy
        {
            outs[1].clear();
        }
        prop_assert_eq!(r.held(), 0);
        prop_assert_eq!(r.next_event(), None);
        drop(r);
        prop_assert_eq!(pool.available(), pool.capacity());
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Random fragment sets never panic or leak, and every datagram
        /// whose fragments all came (and fits a buffer) leaves whole.
        #[test]
        fn random_fragment_sets(c in case()) {
            run_case(&c)?;
        }
    }
}
