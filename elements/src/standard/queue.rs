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
//! - `reset_counts` (write) — zero `drops` and `highwater_length`.
//! - `reset` (write) — drop every queued packet.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Queue(2048) -> ToDevice(eth1);
//! ```
//!
//! ## Differences from Click
//! - nfc has no notifiers: pullers poll, so Queue works exactly as
//!   SimpleQueue does (the same code).
//! - Click prints "overflow" at the first drop; nfc only counts (`drops`).
//! - As for SimpleQueue, the per-packet path (`process`) stores a copy.

use super::simple_queue::SimpleQueue;
use crate::{ElementSpec, Ports};

/// Queue: nfc has no notifiers, so a Queue is a SimpleQueue under Click's
/// other name (see "Differences from Click").
pub type Queue = SimpleQueue;

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
        assert_eq!(Queue::configure("").unwrap().capacity, 1000);
        assert_eq!(Queue::configure("20").unwrap().capacity, 20);
        assert_eq!(Queue::configure("CAPACITY 0x10").unwrap().capacity, 16);
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
