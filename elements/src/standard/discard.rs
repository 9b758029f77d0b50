//! # Discard — drops all packets
//!
//! ```click
//! Discard([KEYWORDS])
//! ```
//!
//! Ports: 1 input, no outputs (`1/0`). Processing: agnostic (`a/a`).
//!
//! Drops every packet it receives, and counts them. Connected to a pull
//! output, it runs a task that pulls up to BURST packets at a time, while
//! ACTIVE is true.
//!
//! ## Keywords
//! - `ACTIVE` *boolean* — whether the pull task pulls; default true (no
//!   effect in push context).
//! - `BURST` *unsigned* — packets pulled per task run; default 1.
//!
//! ## Handlers
//! - `count` (read) — packets dropped so far.
//! - `reset_counts` (write) — zero `count`.
//! - `active` (read/write) — the ACTIVE setting.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Counter -> Discard;
//! ```
//!
//! ## Differences from Click
//! - A task run pulls at most one batch (32 packets), even when BURST is
//!   larger.
//! - ACTIVE false in push context is accepted (Click rejects it, knowing
//!   the input's processing); it has no effect there.
//! - `active` is always there; Click has it only in pull context.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::batch::{Batch, BURST};
use nfc_dataplane::element::{Context, Element, HandlerError, Out, TaskResult};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Discard's configuration and its count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discard {
    /// Whether the pull task runs.
    pub active: bool,
    /// Packets pulled per task run (at least 1).
    pub burst: u32,
    /// Packets dropped.
    count: u64,
}

/// Reads a boolean handler value (`active`), as Click's `BoolArg`.
pub(crate) fn bool_value(value: &str) -> Result<bool, HandlerError> {
    parse::boolean(value.trim()).map_err(|e| HandlerError::Invalid(e.message))
}

impl Discard {
    /// Parses Discard's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let active = args.read("ACTIVE", parse::boolean).unwrap_or(true);
        let burst = args.read("BURST", parse::unsigned::<u32>).unwrap_or(1);
        if burst == 0 {
            let span = args.span_of("BURST");
            args.error(ConfigError::new(span, "BURST must be at least 1"));
        }
        args.complete()?;
        Ok(Discard {
            active,
            burst,
            count: 0,
        })
    }

    /// Packets dropped so far.
    pub fn count(&self) -> u64 {
        self.count
    }
}

impl Element for Discard {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, _p: &mut Packet) -> Out {
        self.count += 1;
        Out::Drop
    }

    #[inline]
    fn push(&mut self, _cx: &Context, _input: usize, batch: &mut Batch, _others: &mut [Batch]) {
        self.count += batch.len() as u64;
        batch.clear();
    }

    fn has_task(&self) -> bool {
        true
    }

    /// In pull context: up to BURST packets per run while active. (In push
    /// context nothing is pulled and the task stays idle.)
    fn task_wants(&self) -> usize {
        if self.active {
            (self.burst as usize).min(BURST)
        } else {
            0
        }
    }

    fn run_task(&mut self, _cx: &Context, pulled: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        if pulled.is_empty() {
            return TaskResult::Idle;
        }
        self.count += pulled.len() as u64;
        pulled.clear();
        TaskResult::Busy
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "count" => Ok(self.count.to_string()),
            "active" => Ok(self.active.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "reset_counts" => self.count = 0,
            "active" => self.active = bool_value(value)?,
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// Discard's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Discard",
    port_count: "1/0",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["ACTIVE", "BURST"],
    handlers: &[
        "count (read)",
        "reset_counts (write)",
        "active (read/write)",
    ],
    summary: "drops all packets",
    source: include_str!("discard.rs"),
    check: |c| Discard::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn defaults_and_keywords() {
        let d = Discard::configure("").unwrap();
        assert_eq!((d.active, d.burst), (true, 1));
        let d = Discard::configure("ACTIVE false, BURST 8").unwrap();
        assert_eq!((d.active, d.burst), (false, 8));
    }

    #[test]
    fn bad_values() {
        let cfg = "ACTIVE maybe, BURST 0";
        let errs = errors(cfg, Discard::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "", "maybe"), "{errs:?}");
        assert!(has(&errs, "at least 1", "0"), "{errs:?}");
    }

    use crate::harness::{self, check_batch_path, run_push};

    #[test]
    fn drops_and_counts() {
        let mut d = Discard::configure("").unwrap();
        let pool = harness::pool();
        let packets = (0..40)
            .map(|i| pool.alloc_with(&[i as u8]).unwrap())
            .collect();
        assert!(run_push(&mut d, &harness::cx(pool), 0, packets, 0).is_empty());
        assert_eq!(pool.available(), pool.capacity());
        assert_eq!(d.read_handler("count"), Ok("40".into()));
        d.write_handler("reset_counts", "").unwrap();
        assert_eq!(d.count(), 0);
    }

    #[test]
    fn pull_task() {
        let mut d = Discard::configure("BURST 50").unwrap();
        assert_eq!(d.task_wants(), BURST);
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut pulled = Batch::new();
        for i in 0..3 {
            pulled.push(pool.alloc_with(&[i]).unwrap()).unwrap();
        }
        assert!(d.has_task());
        assert_eq!(
            harness::task(&mut d, &cx, pulled, &mut []),
            TaskResult::Busy
        );
        assert_eq!(
            harness::task(&mut d, &cx, Batch::new(), &mut []),
            TaskResult::Idle
        );
        assert_eq!(d.count(), 3);
        assert_eq!(pool.available(), pool.capacity());
        d.write_handler("active", "false").unwrap();
        assert_eq!(d.read_handler("active"), Ok("false".into()));
        assert_eq!(d.task_wants(), 0);
        assert!(d.write_handler("active", "maybe").is_err());
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&Discard::configure("").unwrap(), 0, 0, |i, pool| {
            pool.alloc_with(&[0u8; 8][..i % 8]).unwrap()
        });
    }
}
