//! # Queue — stores packets in a FIFO queue
//!
//! ```click
//! Queue([CAPACITY])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: push input, pull
//! output 0, push output 1 (`h/lh`).
//!
//! The boundary between push and pull: packets pushed into the input are
//! stored in a first-in first-out buffer of at most CAPACITY packets, and
//! leave when the element downstream pulls from output 0. A packet arriving
//! while the queue is full is dropped, or pushed out output 1 when that
//! output exists. Queue tells its puller when it becomes non-empty and its
//! pusher when it becomes full (Click's notifiers), so the tasks around it
//! sleep while there is nothing to do.
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
//! FromDevice(eth0) -> Queue(2048) -> ToDevice(eth1);
//! ```
//!
//! ## Differences from Click
//! - Pullers poll rather than sleep on the empty notifier (which answers
//!   their `scheduled` handler: active while the queue holds packets;
//!   Click's stays active for a few failed pulls more); the full
//!   notifier is kept: sources that wait for room (InfiniteSource,
//!   RatedSource) sleep while every Queue they feed is full.
//! - Click prints "overflow" at the first drop; nfc only counts (`drops`).
//! - As for SimpleQueue, the per-packet path (`process`) stores a copy.

use alloc::string::String;
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;

use super::simple_queue::SimpleQueue;
use crate::{ElementSpec, Ports};

/// A SimpleQueue with Click's notifiers: the empty notifier its pullers
/// see (`scheduled`), and with `FULL` the full notifier sources upstream
/// sleep on.
#[derive(Debug)]
pub struct NotifyingQueue<const FULL: bool>(SimpleQueue);

/// Queue: both notifiers (Click's FullNoteQueue).
pub type Queue = NotifyingQueue<true>;

impl<const FULL: bool> NotifyingQueue<FULL> {
    /// Parses the queue's configuration string (SimpleQueue's).
    pub fn configure(config: &str) -> Result<Self, nfc_dataplane::args::ConfigErrors> {
        SimpleQueue::configure(config).map(NotifyingQueue)
    }

    /// Packets in the queue now.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the queue holds no packet.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<const FULL: bool> Element for NotifyingQueue<FULL> {
    #[inline]
    fn process(&mut self, cx: &Context, input: usize, p: &mut Packet) -> Out {
        self.0.process(cx, input, p)
    }

    #[inline]
    fn push(&mut self, cx: &Context, input: usize, batch: &mut Batch, others: &mut [Batch]) {
        self.0.push(cx, input, batch, others);
    }

    #[inline]
    fn pull(&mut self, cx: &Context, output: usize, max: usize, batch: &mut Batch) {
        self.0.pull(cx, output, max, batch);
    }

    fn full(&self) -> Option<bool> {
        FULL.then(|| self.0.is_full())
    }

    fn empty_signal(&self) -> Option<bool> {
        Some(!self.0.is_empty())
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        self.0.read_handler(name)
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        self.0.write_handler(name, value)
    }
}

/// Queue's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Queue",
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
    source: include_str!("queue.rs"),
    check: |c| Queue::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn capacity() {
        let capacity = |c| {
            Queue::configure(c)
                .unwrap()
                .read_handler("capacity")
                .unwrap()
        };
        assert_eq!(capacity(""), "1000");
        assert_eq!(capacity("20"), "20");
        assert_eq!(capacity("CAPACITY 0x10"), "16");
    }

    #[test]
    fn writing_the_capacity_rewrites_the_configuration() {
        let mut q = Queue::configure("5").unwrap();
        assert_eq!(q.read_handler("config").unwrap(), "5");
        q.write_handler("capacity", "10").unwrap();
        assert_eq!(q.read_handler("config").unwrap(), "CAPACITY 10");
        q.write_handler("capacity", "1000").unwrap();
        assert_eq!(q.read_handler("config").unwrap(), "CAPACITY 1000");
        assert!(q.write_handler("capacity", "x").is_err());
        assert_eq!(q.read_handler("config").unwrap(), "CAPACITY 1000");
    }

    #[test]
    fn full_tells_sources_when_no_packet_fits() {
        let pool = nfc_dataplane::packet::PacketPool::new(8);
        let cx = Context::at(pool, 0);
        let mut q = Queue::configure("2").unwrap();
        assert_eq!(q.full(), Some(false));
        let mut batch = Batch::new();
        for _ in 0..2 {
            batch.push(pool.alloc_with(&[0; 60]).unwrap()).unwrap();
        }
        q.push(&cx, 0, &mut batch, &mut []);
        assert_eq!(q.full(), Some(true));
        q.pull(&cx, 0, 1, &mut batch);
        assert_eq!(q.full(), Some(false), "room again after a pull");
        let simple = crate::standard::simple_queue::SimpleQueue::configure("2").unwrap();
        assert_eq!(simple.full(), None, "SimpleQueue has no full notifier");
    }

    #[test]
    fn empty_signal_is_active_while_packets_wait() {
        let pool = nfc_dataplane::packet::PacketPool::new(8);
        let cx = Context::at(pool, 0);
        let mut q = Queue::configure("2").unwrap();
        assert_eq!(q.empty_signal(), Some(false));
        let mut batch = Batch::new();
        batch.push(pool.alloc_with(&[0; 60]).unwrap()).unwrap();
        q.push(&cx, 0, &mut batch, &mut []);
        assert_eq!(q.empty_signal(), Some(true));
        q.pull(&cx, 0, 2, &mut batch);
        assert_eq!(batch.len(), 1);
        assert_eq!(q.empty_signal(), Some(false), "off once emptied");
        let simple = crate::standard::simple_queue::SimpleQueue::configure("2").unwrap();
        assert_eq!(simple.empty_signal(), None, "SimpleQueue has no notifier");
    }

    #[test]
    fn bad_capacity() {
        let cfg = "-5";
        let errs = errors(cfg, Queue::configure(cfg));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].1, "-5");
        let cfg = "10, 20, BURST 3";
        let errs = errors(cfg, Queue::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            has(&errs, "", "20") || has(&errs, "", "BURST 3"),
            "{errs:?}"
        );
    }

    use crate::standard::simple_queue::tests::shared;

    fn five() -> Queue {
        Queue::configure("5").unwrap()
    }

    #[test]
    fn fifo_and_counters() {
        shared::fifo_and_counters(five);
        assert!(five().is_empty());
    }

    #[test]
    fn batch_path_equals_packet_path() {
        shared::batch_path_equals_packet_path(five);
        shared::process_without_buffers(five);
    }
}
