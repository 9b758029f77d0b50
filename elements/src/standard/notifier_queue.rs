//! # NotifierQueue — stores packets in a FIFO queue
//!
//! ```click
//! NotifierQueue([CAPACITY])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: push input, pull
//! output 0, push output 1 (`h/lh`).
//!
//! A first-in first-out buffer of at most CAPACITY packets that tells its
//! puller when it becomes non-empty (Click's empty notifier) but, unlike
//! Queue (FullNoteQueue), does not tell the sources upstream when it is
//! full: they keep pushing, and packets that find the queue full are
//! dropped, or pushed out output 1 when that output exists.
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
//! InfiniteSource(LIMIT 15) -> NotifierQueue(5) -> Unqueue -> Discard;
//! ```
//!
//! ## Differences from Click
//! - nfc's pullers poll rather than sleep on the empty notifier; the
//!   notifier answers their `scheduled` handler. Packets are handled by
//!   SimpleQueue's code.

use crate::{ElementSpec, Ports};

/// NotifierQueue: a queue with an empty notifier and no full notifier.
pub type NotifierQueue = super::queue::NotifyingQueue<false>;

/// NotifierQueue's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "NotifierQueue",
    port_count: "1/1-2",
    processing: "h/lh",
    flow_code: "x/x",
    keywords: &["CAPACITY"],
    handlers: super::simple_queue::SPEC.handlers,
    summary: "stores packets in a FIFO queue",
    source: include_str!("notifier_queue.rs"),
    check: |c| NotifierQueue::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use nfc_dataplane::element::Element;

    #[test]
    fn has_no_full_notifier() {
        let q = NotifierQueue::configure("5").unwrap();
        assert_eq!(q.full(), None, "sources upstream never sleep for it");
        assert_eq!(q.empty_signal(), Some(false), "its pullers see it empty");
        assert_eq!(q.read_handler("config").unwrap(), "5");
    }
}
