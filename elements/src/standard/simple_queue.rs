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
//! - `reset_counts` (write) — zero `drops` and `highwater_length`.
//! - `reset` (write) — drop every queued packet.
//!
//! ## Examples
//! ```click
//! InfiniteSource -> SimpleQueue(10) -> Unqueue -> Discard;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use super::queue::DEFAULT_CAPACITY;
use crate::{ElementSpec, Ports};

/// SimpleQueue's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimpleQueue {
    /// Maximum number of packets held.
    pub capacity: u32,
}

impl SimpleQueue {
    /// Parses SimpleQueue's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let capacity = args.read_p("CAPACITY", parse::unsigned::<u32>);
        args.complete()?;
        Ok(SimpleQueue {
            capacity: capacity.unwrap_or(DEFAULT_CAPACITY),
        })
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
        "reset_counts (write)",
        "reset (write)",
    ],
    summary: "stores packets in a FIFO queue",
    source: include_str!("simple_queue.rs"),
    check: |c| SimpleQueue::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
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
}
