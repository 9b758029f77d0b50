//! # MixedQueue — stores packets in a FIFO/LIFO queue
//!
//! ```click
//! MixedQueue([CAPACITY])
//! ```
//!
//! Ports: 2 inputs, 1 or 2 outputs (`2/1-2`). Processing: push inputs,
//! pull output 0, push output 1 (`h/lh`).
//!
//! A queue of at most CAPACITY packets with a first-in first-out input and
//! a last-in first-out one. A packet pushed on input 0 joins the back of
//! the queue, or is dropped when the queue is full. A packet pushed on
//! input 1 goes to the front, so it is the next to leave; when the queue is
//! full, the packet at the back is dropped to make room. Dropped packets
//! are pushed out output 1 when that output exists. Packets leave from the
//! front when the element downstream pulls output 0.
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
//! c :: Classifier(...); c[0] -> m :: MixedQueue -> Unqueue -> Discard;
//! c[1] -> [1]m;
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

use super::simple_queue::{SimpleQueue, OVERFLOW};
use crate::{ElementSpec, Ports};

/// The input whose packets join the front of the queue.
pub const LIFO: usize = 1;

/// MixedQueue: SimpleQueue's storage with a second, LIFO, input.
#[derive(Debug)]
pub struct MixedQueue(SimpleQueue);

impl MixedQueue {
    /// Parses MixedQueue's configuration string (SimpleQueue's).
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        SimpleQueue::configure(config).map(MixedQueue)
    }

    /// Stores `p` arriving on `input`; returns the packet dropped, if any.
    fn store(&mut self, input: usize, p: Packet) -> Option<Packet> {
        let fifo = self.0.fifo();
        if input == LIFO {
            fifo.enqueue_front(p)
        } else {
            fifo.enqueue(p).err()
        }
    }
}

impl Element for MixedQueue {
    fn process(&mut self, cx: &Context, input: usize, p: &mut Packet) -> Out {
        // As SimpleQueue's: the queue keeps a copy, the original is freed
        // (or leaves on the overflow output when no copy can be made).
        let Some(copy) = cx.pool.clone_packet(p) else {
            return Out::Port(OVERFLOW);
        };
        match self.store(input, copy) {
            // The dropped packet is freed: it is not the one lent here.
            Some(_) if input == LIFO => Out::Drop,
            Some(_) => Out::Port(OVERFLOW),
            None => Out::Drop,
        }
    }

    fn push(&mut self, _cx: &Context, input: usize, batch: &mut Batch, others: &mut [Batch]) {
        let mut overflow = others.get_mut(OVERFLOW - 1);
        for p in batch.drain() {
            if let Some(dropped) = self.store(input, p) {
                if let Some(out) = overflow.as_deref_mut() {
                    // At most one packet per input packet: room enough.
                    let _ = out.push(dropped);
                }
            }
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

/// MixedQueue's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "MixedQueue",
    port_count: "2/1-2",
    processing: "h/lh",
    flow_code: "x/x",
    keywords: &["CAPACITY"],
    handlers: super::simple_queue::SPEC.handlers,
    summary: "stores packets in a FIFO/LIFO queue",
    source: include_str!("mixed_queue.rs"),
    check: |c| MixedQueue::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::pull_testing::firsts;

    fn batch(bytes: &[u8]) -> Batch {
        let pool = harness::pool();
        let mut b = Batch::new();
        for &x in bytes {
            b.push(pool.alloc_with(&[x]).unwrap()).unwrap();
        }
        b
    }

    /// Click's MixedQueue-02: FIFO packets 1 2 4 6, LIFO packets 3 5 7,
    /// capacity 5.
    #[test]
    fn fifo_and_lifo_inputs_drop_as_clicks() {
        let cx = harness::cx(harness::pool());
        let mut q = MixedQueue::configure("5").unwrap();
        let mut over = [Batch::new()];
        q.push(&cx, 0, &mut batch(&[1, 2, 4, 6]), &mut over);
        assert!(over[0].is_empty());
        q.push(&cx, LIFO, &mut batch(&[3, 5, 7]), &mut over);
        // 3 fits; 5 drops 6 from the back, 7 drops 4.
        assert_eq!(firsts(&over[0]), [6, 4]);
        q.push(&cx, 0, &mut batch(&[8]), &mut over);
        assert_eq!(
            firsts(&over[0]),
            [6, 4, 8],
            "a full FIFO input drops the new packet"
        );
        assert_eq!(firsts(&harness::pull(&mut q, &cx, 0, 32)), [7, 5, 3, 1, 2]);
        assert_eq!(q.read_handler("drops").unwrap(), "3");
    }

    #[test]
    fn the_packet_path_stores_as_the_batch_path() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut q = MixedQueue::configure("2").unwrap();
        for (input, x) in [(0, 1u8), (LIFO, 2), (LIFO, 3), (0, 4)] {
            let mut p = pool.alloc_with(&[x]).unwrap();
            let out = q.process(&cx, input, &mut p);
            let want = if x == 4 {
                Out::Port(OVERFLOW)
            } else {
                Out::Drop
            };
            assert_eq!(out, want, "packet {x}");
        }
        assert_eq!(firsts(&harness::pull(&mut q, &cx, 0, 32)), [3, 2]);
        assert!(MixedQueue::configure("1, 2").is_err());
    }
}
