//! # Unqueue — pull-to-push converter
//!
//! ```click
//! Unqueue([BURST, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: pull input, push output (`l/h`).
//!
//! Runs a task that pulls packets from its input and pushes them out its
//! output, at most BURST per task run. When LIMIT is set it stops after
//! LIMIT packets, until `reset` or a larger `limit` lets it go on.
//!
//! ## Keywords
//! - `BURST` *integer* — packets moved per task run; default 1; a negative
//!   value means no bound. Zero is an error.
//! - `ACTIVE` *boolean* — whether the task runs; default true.
//! - `LIMIT` *integer* — stop after this many packets; default -1 (never stop).
//!
//! ## Handlers
//! - `count` (read) — packets moved so far.
//! - `reset` (write) — zero `count` (and restart a stopped LIMIT).
//! - `active` (read/write), `limit` (read/write), `burst` (read/write) — the settings.
//!
//! ## Examples
//! ```click
//! InfiniteSource -> Queue -> Unqueue(BURST 32) -> Counter -> Discard;
//! ```
//!
//! ## Differences from Click
//! - A task run moves at most one batch (32 packets), even when BURST is
//!   larger or unbounded.
//! - nfc has no notifiers: the task polls the queue upstream instead of
//!   sleeping while it is empty.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::batch::{Batch, BURST};
use nfc_dataplane::element::{Context, Element, HandlerError, TaskResult};
use nfc_dataplane::parse;

use super::discard::bool_value;
use crate::{ElementSpec, Ports};

/// Unqueue's configuration and its count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unqueue {
    /// Packets moved per task run; `None` means no bound.
    pub burst: Option<u32>,
    /// Whether the task runs.
    pub active: bool,
    /// Total packets to move before stopping; `None` means no limit.
    pub limit: Option<u64>,
    /// Packets moved.
    count: u64,
}

/// Reads a signed integer handler value where a negative number means
/// "none" (Unqueue's `burst` and `limit`, the sources' `limit`).
pub(crate) fn optional_count<T: TryFrom<i64>>(value: &str) -> Result<Option<T>, HandlerError> {
    let v = parse::integer::<i64>(value.trim()).map_err(|e| HandlerError::Invalid(e.message))?;
    Ok(T::try_from(v).ok().filter(|_| v >= 0))
}

/// Writes an optional count the way Click prints it: -1 for none.
pub(crate) fn count_text<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-1".into(), |v| v.to_string())
}

impl Unqueue {
    /// Parses Unqueue's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let burst = args.read_p("BURST", parse::integer::<i64>).unwrap_or(1);
        let active = args.read("ACTIVE", parse::boolean).unwrap_or(true);
        let limit = args.read("LIMIT", parse::integer::<i64>).unwrap_or(-1);
        if burst == 0 {
            let span = args.span_of("BURST");
            args.error(ConfigError::new(span, "BURST 0 would never pull a packet"));
        }
        args.complete()?;
        Ok(Unqueue {
            burst: u32::try_from(burst).ok().filter(|_| burst > 0),
            active,
            limit: u64::try_from(limit).ok(),
            count: 0,
        })
    }

    /// Packets moved so far.
    pub fn count(&self) -> u64 {
        self.count
    }
}

impl Element for Unqueue {
    fn has_task(&self) -> bool {
        true
    }

    /// BURST packets (at most a batch), fewer when LIMIT is near; none
    /// while inactive.
    fn task_wants(&self) -> usize {
        if !self.active {
            return 0;
        }
        let burst = self.burst.map_or(BURST, |b| (b as usize).min(BURST));
        match self.limit {
            Some(limit) => {
                let left = limit.saturating_sub(self.count);
                burst.min(usize::try_from(left).unwrap_or(usize::MAX))
            }
            None => burst,
        }
    }

    fn run_task(&mut self, _cx: &Context, pulled: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        if pulled.is_empty() {
            return TaskResult::Idle;
        }
        // What was pulled goes out output 0 as it is.
        self.count += pulled.len() as u64;
        TaskResult::Busy
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "count" => self.count.to_string(),
            "active" => self.active.to_string(),
            "limit" => count_text(self.limit),
            "burst" => count_text(self.burst),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "reset" => self.count = 0,
            "active" => self.active = bool_value(value)?,
            "limit" => self.limit = optional_count(value)?,
            "burst" => match optional_count::<u32>(value)? {
                Some(0) => {
                    return Err(HandlerError::Invalid(
                        "BURST 0 would never pull a packet".into(),
                    ))
                }
                b => self.burst = b,
            },
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// Unqueue's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Unqueue",
    port_count: "1/1",
    processing: "l/h",
    flow_code: "x/x",
    keywords: &["BURST", "ACTIVE", "LIMIT"],
    handlers: &[
        "count (read)",
        "reset (write)",
        "active (read/write)",
        "limit (read/write)",
        "burst (read/write)",
    ],
    summary: "pull-to-push converter",
    source: include_str!("unqueue.rs"),
    check: |c| Unqueue::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let u = Unqueue::configure("").unwrap();
        assert_eq!((u.burst, u.active, u.limit), (Some(1), true, None));
        let u = Unqueue::configure("-1, LIMIT 100, ACTIVE no").unwrap();
        assert_eq!((u.burst, u.active, u.limit), (None, false, Some(100)));
        assert_eq!(Unqueue::configure("BURST 32").unwrap().burst, Some(32));
    }

    #[test]
    fn bad_values() {
        let cfg = "0, LIMIT x";
        let errs = errors(cfg, Unqueue::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "BURST 0", "0"), "{errs:?}");
        assert!(has(&errs, "", "x"), "{errs:?}");
    }

    use crate::harness;

    fn batch_of(pool: &'static nfc_dataplane::packet::PacketPool, n: usize) -> Batch {
        let mut b = Batch::new();
        for i in 0..n {
            b.push(pool.alloc_with(&[i as u8; 3][..i % 3]).unwrap())
                .unwrap();
        }
        b
    }

    #[test]
    fn moves_pulled_packets_out() {
        let mut u = Unqueue::configure("BURST 8").unwrap();
        assert!(u.has_task());
        assert_eq!(u.task_wants(), 8);
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut outs = [Batch::new()];
        assert_eq!(
            harness::task(&mut u, &cx, batch_of(pool, 5), &mut outs),
            TaskResult::Busy
        );
        assert_eq!(outs[0].len(), 5);
        let lens: alloc::vec::Vec<usize> = outs[0].iter().map(|p| p.len()).collect();
        assert_eq!(lens, [0, 1, 2, 0, 1], "in order");
        let mut outs = [Batch::new()];
        assert_eq!(
            harness::task(&mut u, &cx, Batch::new(), &mut outs),
            TaskResult::Idle
        );
        assert_eq!(u.read_handler("count"), Ok("5".into()));
        assert_eq!(Unqueue::configure("-1").unwrap().task_wants(), BURST);
        assert_eq!(Unqueue::configure("100").unwrap().task_wants(), BURST);
    }

    #[test]
    fn limit_and_handlers() {
        let mut u = Unqueue::configure("BURST 4, LIMIT 6").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut outs = [Batch::new()];
        harness::task(&mut u, &cx, batch_of(pool, 4), &mut outs);
        assert_eq!(u.task_wants(), 2, "two left before LIMIT");
        let mut outs = [Batch::new()];
        harness::task(&mut u, &cx, batch_of(pool, 2), &mut outs);
        assert_eq!(u.task_wants(), 0, "LIMIT reached");
        u.write_handler("reset", "").unwrap();
        assert_eq!((u.count(), u.task_wants()), (0, 4));
        u.write_handler("limit", "-1").unwrap();
        assert_eq!(u.read_handler("limit"), Ok("-1".into()));
        u.write_handler("burst", "16").unwrap();
        assert_eq!(u.read_handler("burst"), Ok("16".into()));
        assert!(u.write_handler("burst", "0").is_err());
        u.write_handler("burst", "-5").unwrap();
        assert_eq!(u.read_handler("burst"), Ok("-1".into()));
        u.write_handler("active", "no").unwrap();
        assert_eq!(
            (u.read_handler("active"), u.task_wants()),
            (Ok("false".into()), 0)
        );
        assert!(u.write_handler("active", "sometimes").is_err());
        assert!(u.write_handler("limit", "many").is_err());
    }
}
