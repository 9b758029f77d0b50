//! # FrontDropQueue — stores packets in a drop-from-front queue
//!
//! ```click
//! FrontDropQueue([CAPACITY])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: push input, pull output
//! (`h/l`).
//!
//! A first-in first-out queue of at most CAPACITY packets that, when a
//! packet arrives while it is full, drops the packet at its front (the
//! oldest) to make room, rather than the one arriving. Packets leave when
//! the element downstream pulls. Like NotifierQueue, it tells its puller
//! when it becomes non-empty but does not tell sources when it is full.
//!
//! ## Keywords
//! - `CAPACITY` *unsigned* — the most packets the queue holds; default 1000.
//!
//! ## Handlers
//! - `length` (read) — packets in the queue now.
//! - `highwater_length` (read) — the most packets the queue has held.
//! - `drops` (read) — packets dropped from the front.
//! - `capacity` (read/write) — the capacity; a smaller one drops the
//!   oldest packets that no longer fit.
//! - `config` (read) — the configuration (`CAPACITY n` once `capacity`
//!   was written).
//! - `reset_counts` (write) — zero `drops` and `highwater_length`.
//! - `reset` (write) — drop every queued packet.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> FrontDropQueue(100) -> ToDevice(eth1);
//! ```
//!
//! ## Differences from Click
//! - Click prints "overflow" at the first drop; nfc only counts (`drops`).
//! - Pullers poll rather than sleep on the empty notifier (which answers
//!   their `scheduled` handler).
//! - The per-packet path (`process`) stores a copy, as SimpleQueue's does.

use alloc::string::String;
use nfc_dataplane::args::ConfigErrors;
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;

use super::simple_queue::SimpleQueue;
use crate::{ElementSpec, Ports};

/// FrontDropQueue: SimpleQueue's storage, dropping from the front.
#[derive(Debug)]
pub struct FrontDropQueue(SimpleQueue);

impl FrontDropQueue {
    /// Parses FrontDropQueue's configuration string (SimpleQueue's).
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut q = SimpleQueue::configure(config)?;
        q.fifo().keep_newest();
        Ok(FrontDropQueue(q))
    }
}

impl Element for FrontDropQueue {
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        // As SimpleQueue's: the queue keeps a copy, the original is freed.
        if let Some(copy) = cx.pool.clone_packet(p) {
            drop(self.0.fifo().enqueue_drop_front(copy));
        }
        Out::Drop
    }

    fn push(&mut self, _cx: &Context, _input: usize, batch: &mut Batch, _others: &mut [Batch]) {
        let fifo = self.0.fifo();
        for p in batch.drain() {
            // The dropped front packet (if any) is freed here.
            drop(fifo.enqueue_drop_front(p));
        }
    }

    fn pull(&mut self, cx: &Context, output: usize, max: usize, batch: &mut Batch) {
        self.0.pull(cx, output, max, batch);
    }

    /// Click's empty notifier: on while packets wait (a puller's
    /// `scheduled`).
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

/// FrontDropQueue's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "FrontDropQueue",
    port_count: "1/1",
    processing: "h/l",
    flow_code: "x/x",
    keywords: &["CAPACITY"],
    handlers: super::simple_queue::SPEC.handlers,
    summary: "stores packets in a drop-from-front queue",
    source: include_str!("front_drop_queue.rs"),
    check: |c| FrontDropQueue::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::pull_testing::firsts;

    #[test]
    fn a_full_queue_drops_its_oldest_packet() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut q = FrontDropQueue::configure("3").unwrap();
        for n in [0usize, 1, 5, 33] {
            let mut b = Batch::new();
            for i in 0..n.min(32) {
                b.push(pool.alloc_with(&[i as u8]).unwrap()).unwrap();
            }
            q.push(&cx, 0, &mut b, &mut []);
        }
        assert_eq!(q.empty_signal(), Some(true), "packets wait");
        // 0 + 1 + 5 + 32 packets through a queue of 3: the last three stay.
        assert_eq!(firsts(&harness::pull(&mut q, &cx, 0, 32)), [29, 30, 31]);
        assert_eq!(q.empty_signal(), Some(false));
        assert_eq!(q.read_handler("drops").unwrap(), "35");
        assert_eq!(q.read_handler("highwater_length").unwrap(), "3");
        assert_eq!(pool.available(), pool.capacity(), "dropped packets freed");
    }

    #[test]
    fn a_smaller_capacity_keeps_the_newest() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut q = FrontDropQueue::configure("").unwrap();
        let mut b = Batch::new();
        for i in 0..5u8 {
            b.push(pool.alloc_with(&[i]).unwrap()).unwrap();
        }
        q.push(&cx, 0, &mut b, &mut []);
        q.write_handler("capacity", "2").unwrap();
        assert_eq!(q.read_handler("config").unwrap(), "CAPACITY 2");
        assert_eq!(firsts(&harness::pull(&mut q, &cx, 0, 32)), [3, 4]);
        let mut p = pool.alloc_with(&[9]).unwrap();
        assert_eq!(q.process(&cx, 0, &mut p), Out::Drop);
        assert_eq!(q.read_handler("length").unwrap(), "1");
    }

    #[test]
    fn capacity_zero_keeps_nothing() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut q = FrontDropQueue::configure("0").unwrap();
        let mut b = Batch::new();
        b.push(pool.alloc_with(&[1]).unwrap()).unwrap();
        q.push(&cx, 0, &mut b, &mut []);
        assert_eq!(q.read_handler("length").unwrap(), "0");
        assert_eq!(q.read_handler("drops").unwrap(), "1");
        assert!(FrontDropQueue::configure("many").is_err());
    }
}
