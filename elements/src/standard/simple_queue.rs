//! # SimpleQueue — stores packets in a FIFO queue
//!
//! ```click
//! SimpleQueue([CAPACITY])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: push input, pull
//! output 0, push output 1 (`h/lh`).
//!
//! The plain push-to-pull FIFO: packets pushed in are stored, at most
//! CAPACITY of them, until pulled from output 0; a packet arriving while the
//! queue is full is dropped, or pushed out output 1 when that output exists.
//! Unlike Queue it does not notify its neighbours when it empties or fills,
//! so a puller polls it.
//!
//! ## Keywords
//! - `CAPACITY` *unsigned* — the most packets the queue holds; default 1000.
//!
//! ## Handlers
//! - `length` (read) — packets in the queue now.
//! - `highwater_length` (read) — the most packets the queue has held.
//! - `drops` (read) — packets dropped because the queue was full.
//! - `capacity` (read/write) — the capacity.
//! - `config` (read) — the configuration (`CAPACITY n` once `capacity`
//!   was written).
//! - `reset_counts` (write) — zero `drops` and `highwater_length`.
//! - `reset` (write) — drop every queued packet.
//!
//! ## Examples
//! ```click
//! InfiniteSource -> SimpleQueue(10) -> Unqueue -> Discard;
//! ```
//!
//! ## Differences from Click
//! - Click prints "overflow" at the first drop; nfc only counts (`drops`).
//! - The batch path (`push`) stores packets as they are. The per-packet
//!   path (`process`), which only lends the element a packet, stores a copy
//!   and lets the original go; it is there for completeness, and generated
//!   pipelines do not use it.

use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::{Batch, BURST};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Output for packets that found the queue full (dropped when unconnected).
pub const OVERFLOW: usize = 1;

/// The packets a queue holds and its counters: what Queue and SimpleQueue
/// share.
#[derive(Debug, Default)]
pub(crate) struct Fifo {
    /// The most packets held at once.
    capacity: usize,
    packets: VecDeque<Packet>,
    highwater: usize,
    drops: u64,
    /// The configuration string, as Click's `config` handler shows it
    /// (a `capacity` write makes it `CAPACITY n`).
    config: String,
    /// Which packets a smaller capacity keeps: the oldest (Click's
    /// SimpleQueue) or the newest (FrontDropQueue).
    keep_newest: bool,
}

impl Fifo {
    /// An empty queue of `capacity` packets. Nothing is allocated until
    /// the first packet arrives.
    pub(crate) fn new(capacity: u32, config: &str) -> Fifo {
        Fifo {
            capacity: capacity as usize,
            config: config.trim().into(),
            ..Fifo::default()
        }
    }

    /// Makes room for one more packet, once, so that later packets never
    /// allocate: as many as the queue or the pool can hold.
    fn reserve(&mut self, p: &Packet) {
        let len = self.packets.len();
        if self.packets.capacity() == len {
            // The first packet (or a packet from a second pool).
            let room = self.capacity.min(p.pool().capacity()).max(len + 1);
            self.packets.reserve_exact(room - len);
        }
    }

    /// Counts the packets held as the high-water mark needs.
    fn note_length(&mut self) {
        self.highwater = self.highwater.max(self.packets.len());
    }

    /// Appends `p`; when the queue is full, first drops (counts and gives
    /// back) the packet at the front, as FrontDropQueue does. With a
    /// capacity of 0, `p` itself is given back.
    pub(crate) fn enqueue_drop_front(&mut self, p: Packet) -> Option<Packet> {
        if self.capacity == 0 {
            self.drops += 1;
            return Some(p);
        }
        let dropped = if self.packets.len() >= self.capacity {
            self.drops += 1;
            self.packets.pop_front()
        } else {
            None
        };
        self.reserve(&p);
        self.packets.push_back(p);
        self.note_length();
        dropped
    }

    /// Puts `p` at the front (MixedQueue's LIFO input); when the queue is
    /// full, first drops (counts and gives back) the packet at the back.
    /// With a capacity of 0, `p` itself is given back.
    pub(crate) fn enqueue_front(&mut self, p: Packet) -> Option<Packet> {
        if self.capacity == 0 {
            self.drops += 1;
            return Some(p);
        }
        let dropped = if self.packets.len() >= self.capacity {
            self.drops += 1;
            self.packets.pop_back()
        } else {
            None
        };
        self.reserve(&p);
        self.packets.push_front(p);
        self.note_length();
        dropped
    }

    /// Makes a smaller capacity keep the newest packets rather than the
    /// oldest (FrontDropQueue).
    pub(crate) fn keep_newest(&mut self) {
        self.keep_newest = true;
    }

    /// Appends `p`, or gives it back, counted as a drop, when the queue is
    /// full.
    #[inline]
    pub(crate) fn enqueue(&mut self, p: Packet) -> Result<(), Packet> {
        if self.packets.len() >= self.capacity {
            self.drops += 1;
            return Err(p);
        }
        self.reserve(&p);
        self.packets.push_back(p);
        self.note_length();
        Ok(())
    }

    /// The batch path: stores the packets of `batch` and sends those that
    /// do not fit out [`OVERFLOW`].
    #[inline]
    pub(crate) fn push(&mut self, batch: &mut Batch, others: &mut [Batch]) {
        let mut overflow = others.get_mut(OVERFLOW - 1);
        for p in batch.drain() {
            if let Err(p) = self.enqueue(p) {
                if let Some(out) = overflow.as_deref_mut() {
                    // At most one packet per input packet: no overflow.
                    let _ = out.push(p);
                }
            }
        }
    }

    /// The per-packet path: stores a copy of `p`; the original is freed
    /// (or goes out [`OVERFLOW`] when the queue is full or no buffer is
    /// left for the copy).
    pub(crate) fn process(&mut self, cx: &Context, p: &Packet) -> Out {
        let copy = if self.packets.len() < self.capacity {
            cx.pool.clone_packet(p)
        } else {
            None
        };
        match copy.map(|c| self.enqueue(c)) {
            Some(Ok(())) => Out::Drop,
            // `enqueue` counted the drop.
            Some(Err(_)) => Out::Port(OVERFLOW),
            None => {
                self.drops += 1;
                Out::Port(OVERFLOW)
            }
        }
    }

    /// Moves up to `max` packets from the front to `out`, as many as fit.
    #[inline]
    pub(crate) fn pull(&mut self, max: usize, out: &mut Batch) {
        for _ in 0..max.min(BURST - out.len()) {
            let Some(p) = self.packets.pop_front() else {
                break;
            };
            // Within the batch's room: it cannot fail.
            let _ = out.push(p);
        }
    }

    /// Packets held now.
    pub(crate) fn len(&self) -> usize {
        self.packets.len()
    }

    /// The queue's handlers (see SimpleQueue's manual).
    pub(crate) fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "length" => self.packets.len().to_string(),
            "highwater_length" => self.highwater.to_string(),
            "drops" => self.drops.to_string(),
            "capacity" => self.capacity.to_string(),
            "config" => self.config.clone(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    /// The queue's write handlers; a smaller `capacity` frees the packets
    /// that no longer fit (the newest, as Click's SimpleQueue does, or the
    /// oldest for FrontDropQueue) and, as Click's keyword handler does,
    /// makes the configuration `CAPACITY n`.
    pub(crate) fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "capacity" => {
                let c = parse::unsigned::<u32>(value.trim())
                    .map_err(|e| HandlerError::Invalid(e.message))?;
                self.capacity = c as usize;
                let extra = self.packets.len().saturating_sub(self.capacity);
                if self.keep_newest {
                    self.packets.drain(..extra);
                } else {
                    self.packets.truncate(self.capacity);
                }
                self.config = alloc::format!("CAPACITY {}", value.trim());
            }
            "reset_counts" => {
                self.drops = 0;
                self.highwater = 0;
            }
            "reset" => self.packets.clear(),
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// The capacity Click's queues have when none is given.
pub const DEFAULT_CAPACITY: u32 = 1000;

/// SimpleQueue's configuration and the packets it holds (also Queue's).
#[derive(Debug)]
pub struct SimpleQueue {
    /// Maximum number of packets held, as configured (the `capacity`
    /// handler changes the queue's).
    pub capacity: u32,
    fifo: Fifo,
}

impl SimpleQueue {
    /// Parses SimpleQueue's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let capacity = args.read_p("CAPACITY", parse::unsigned::<u32>);
        args.complete()?;
        let capacity = capacity.unwrap_or(DEFAULT_CAPACITY);
        Ok(SimpleQueue {
            capacity,
            fifo: Fifo::new(capacity, config),
        })
    }

    /// Packets in the queue now.
    pub fn len(&self) -> usize {
        self.fifo.len()
    }

    /// True when the queue holds no packet.
    pub fn is_empty(&self) -> bool {
        self.fifo.len() == 0
    }

    /// True when the queue holds as many packets as its capacity.
    pub fn is_full(&self) -> bool {
        self.fifo.len() >= self.fifo.capacity
    }

    /// The packets and counters, for the queues built on SimpleQueue
    /// (FrontDropQueue, MixedQueue).
    pub(crate) fn fifo(&mut self) -> &mut Fifo {
        &mut self.fifo
    }
}

impl Element for SimpleQueue {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        self.fifo.process(cx, p)
    }

    #[inline]
    fn push(&mut self, _cx: &Context, _input: usize, batch: &mut Batch, others: &mut [Batch]) {
        self.fifo.push(batch, others);
    }

    #[inline]
    fn pull(&mut self, _cx: &Context, _output: usize, max: usize, batch: &mut Batch) {
        self.fifo.pull(max, batch);
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        self.fifo.read_handler(name)
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        self.fifo.write_handler(name, value)
    }
}

/// SimpleQueue's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "SimpleQueue",
    port_count: "1/1-2",
    processing: "h/lh",
    flow_code: "x/x",
    keywords: &["CAPACITY"],
    handlers: &[
        "length (read)",
        "highwater_length (read)",
        "drops (read)",
        "capacity (read/write)",
        "config (read)",
        "reset_counts (write)",
        "reset (write)",
    ],
    summary: "stores packets in a FIFO queue",
    source: include_str!("simple_queue.rs"),
    check: |c| SimpleQueue::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn capacity() {
        assert_eq!(SimpleQueue::configure("").unwrap().capacity, 1000);
        assert_eq!(SimpleQueue::configure("CAPACITY 5").unwrap().capacity, 5);
    }

    #[test]
    fn bad_capacity() {
        let cfg = "CAPACITY 99999999999";
        let errs = errors(cfg, SimpleQueue::configure(cfg));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].1, "99999999999");
    }

    /// Tests Queue and SimpleQueue share.
    pub(crate) mod shared {
        use alloc::vec::Vec;
        use nfc_dataplane::batch::Batch;
        use nfc_dataplane::element::{Context, Element, HandlerError, Out};
        use nfc_dataplane::packet::{Packet, PacketPool};

        use super::super::OVERFLOW;
        use crate::harness::{self, on_port, run_process, run_push};

        fn bytes(b: &Batch) -> Vec<u8> {
            b.iter()
                .map(|p| p.data().first().copied().unwrap_or(0))
                .collect()
        }

        fn make(pool: &'static PacketPool, from: u8, n: u8) -> Vec<Packet> {
            (from..from + n)
                .map(|i| pool.alloc_with(&[i; 4][..usize::from(i % 4) + 1]).unwrap())
                .collect()
        }

        /// A queue of capacity 5 (`make_queue`) stores, overflows, hands
        /// out in order and keeps Click's counters.
        pub(crate) fn fifo_and_counters<Q: Element>(make_queue: impl Fn() -> Q) {
            let pool = harness::pool();
            let cx = harness::cx(pool);
            let mut q = make_queue();
            let sent = run_push(&mut q, &cx, 0, make(pool, 0, 8), 2);
            assert_eq!(
                on_port(&sent, OVERFLOW).len(),
                3,
                "the full queue overflows"
            );
            assert!(on_port(&sent, 0).is_empty(), "output 0 is pull");
            assert_eq!(q.read_handler("length"), Ok("5".into()));
            assert_eq!(q.read_handler("drops"), Ok("3".into()));
            assert_eq!(bytes(&harness::pull(&mut q, &cx, 0, 2)), [0, 1]);
            assert_eq!(bytes(&harness::pull(&mut q, &cx, 0, 40)), [2, 3, 4]);
            assert!(harness::pull(&mut q, &cx, 0, 1).is_empty());
            assert_eq!(q.read_handler("highwater_length"), Ok("5".into()));
            // With one output, overflow is freed.
            run_push(&mut q, &cx, 0, make(pool, 10, 7), 1);
            assert_eq!(q.read_handler("drops"), Ok("5".into()));
            q.write_handler("reset_counts", "").unwrap();
            assert_eq!(q.read_handler("drops"), Ok("0".into()));
            assert_eq!(q.read_handler("highwater_length"), Ok("0".into()));
            // A smaller capacity frees the newest packets.
            q.write_handler("capacity", "2").unwrap();
            assert_eq!(q.read_handler("capacity"), Ok("2".into()));
            assert_eq!(bytes(&harness::pull(&mut q, &cx, 0, 32)), [10, 11]);
            run_push(&mut q, &cx, 0, make(pool, 20, 2), 1);
            q.write_handler("reset", "").unwrap();
            assert_eq!(q.read_handler("length"), Ok("0".into()));
            assert!(q.write_handler("capacity", "lots").is_err());
            assert_eq!(q.read_handler("nope"), Err(HandlerError::NoSuchHandler));
            drop(q);
            assert_eq!(pool.available(), pool.capacity(), "no buffer leaked");
        }

        /// Pushing by batches and packet by packet store the same packets
        /// and count the same, for 0, 1, 31, 32 and 33 packets of varying
        /// length, paint and network header.
        pub(crate) fn batch_path_equals_packet_path<Q: Element>(make_queue: impl Fn() -> Q) {
            for n in [0u8, 1, 31, 32, 33] {
                let pool = harness::pool();
                let cx = harness::cx(pool);
                let packets = |pool: &'static PacketPool| {
                    make(pool, 0, n)
                        .into_iter()
                        .map(|mut p| {
                            let b = p.data()[0];
                            p.set_paint(b);
                            p.set_network_header(usize::from(b % 3), 1);
                            p
                        })
                        .collect::<Vec<_>>()
                };
                let (mut a, mut b) = (make_queue(), make_queue());
                let one = run_process(&mut a, &cx, 0, packets(pool), 2);
                let many = run_push(&mut b, &cx, 0, packets(pool), 2);
                assert_eq!(one, many, "{n} packets: what went out");
                for h in ["length", "drops", "highwater_length"] {
                    assert_eq!(a.read_handler(h), b.read_handler(h), "{n} packets: {h}");
                }
                let drain = |q: &mut Q, cx: &Context| {
                    let mut all = Vec::new();
                    loop {
                        let got = harness::pull(q, cx, 0, 32);
                        if got.is_empty() {
                            return all;
                        }
                        all.extend(
                            got.iter()
                                .map(|p| (p.data().to_vec(), p.paint(), p.network_offset())),
                        );
                    }
                };
                assert_eq!(
                    drain(&mut a, &cx),
                    drain(&mut b, &cx),
                    "{n} packets: stored"
                );
            }
        }

        /// `process` with no buffer left for the copy sends the packet out
        /// the overflow output and counts a drop.
        pub(crate) fn process_without_buffers<Q: Element>(make_queue: impl Fn() -> Q) {
            let pool = PacketPool::new(1);
            let cx = harness::cx(pool);
            let mut q = make_queue();
            let mut p = pool.alloc_with(&[1]).unwrap();
            assert_eq!(q.process(&cx, 0, &mut p), Out::Port(OVERFLOW));
            assert_eq!(q.read_handler("drops"), Ok("1".into()));
        }
    }

    fn five() -> SimpleQueue {
        SimpleQueue::configure("5").unwrap()
    }

    #[test]
    fn fifo_and_counters() {
        shared::fifo_and_counters(five);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        shared::batch_path_equals_packet_path(five);
        shared::process_without_buffers(five);
    }

    #[test]
    fn allocation_is_bounded_by_the_pool() {
        let mut q = SimpleQueue::configure("CAPACITY 4000000000").unwrap();
        let pool = crate::harness::pool();
        let cx = crate::harness::cx(pool);
        let mut b = Batch::new();
        b.push(pool.alloc_with(&[1]).unwrap()).unwrap();
        crate::harness::push(&mut q, &cx, 0, b, &mut []);
        assert_eq!(q.len(), 1);
        assert!(q.fifo.packets.capacity() <= 2 * pool.capacity());
    }
}
