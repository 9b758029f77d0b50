//! # FullNoteQueue — stores packets in a FIFO queue
//!
//! ```click
//! FullNoteQueue([CAPACITY])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: push input, pull
//! output 0, push output 1 (`h/lh`).
//!
//! The queue Click's Queue is: a first-in first-out buffer of at most
//! CAPACITY packets with both notifiers. It tells its puller when it
//! becomes non-empty and the sources upstream when it is full, so a source
//! such as InfiniteSource sleeps while the queue has no room instead of
//! making packets only for them to be dropped. A packet arriving while the
//! queue is full is dropped, or pushed out output 1 when that output
//! exists.
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
//! InfiniteSource(LIMIT 2) -> FullNoteQueue(1) -> Unqueue -> Discard;
//! ```
//!
//! ## Differences from Click
//! - FullNoteQueue is Queue under its other name: the same element (see
//!   Queue's differences: pullers poll rather than sleep on the empty
//!   notifier).

use crate::{ElementSpec, Ports};

/// FullNoteQueue: Click's Queue is a FullNoteQueue, so nfc's Queue is this
/// element too.
pub type FullNoteQueue = super::queue::Queue;

/// FullNoteQueue's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "FullNoteQueue",
    port_count: "1/1-2",
    processing: "h/lh",
    flow_code: "x/x",
    keywords: &["CAPACITY"],
    handlers: super::queue::SPEC.handlers,
    summary: "stores packets in a FIFO queue",
    source: include_str!("full_note_queue.rs"),
    check: |c| FullNoteQueue::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use nfc_dataplane::element::Element;

    #[test]
    fn is_a_queue_with_the_full_notifier() {
        let q = FullNoteQueue::configure("CAPACITY 3").unwrap();
        assert_eq!(q.read_handler("capacity").unwrap(), "3");
        assert_eq!(q.full(), Some(false));
        assert!(FullNoteQueue::configure("3, 4").is_err());
    }
}
