//! # TimedSink — periodically pulls and drops a packet
//!
//! ```click
//! TimedSink([INTERVAL])
//! ```
//!
//! Ports: 1 input, no outputs (`1/0`). Processing: pull (`l`).
//!
//! Pulls one packet from its input every INTERVAL and drops it. The first
//! pull is INTERVAL after the configuration starts; each next one
//! INTERVAL after the one before, whether or not a packet came.
//!
//! ## Keywords
//! - `INTERVAL` *duration* — time between pulls; default 0.5 s.
//!
//! ## Handlers
//! - `interval` (read/write) — INTERVAL, in seconds; it must not be zero.
//!
//! ## Examples
//! ```click
//! InfiniteSource -> Queue -> Shaper(1000) -> TimedSink(1ms);
//! ```
//!
//! ## Differences from Click
//! - When a pull is due the task takes one empty run before it pulls (a
//!   task learns the time only when it runs); on simulated time both
//!   happen at the same instant.

use alloc::string::String;
use core::time::Duration;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, TaskResult};
use nfc_dataplane::parse;

use super::link_unqueue::nanos;
use super::timed_source::seconds;
use crate::{ElementSpec, Ports};

/// TimedSink's configuration and its timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedSink {
    /// Time between pulls, nanoseconds.
    interval: u64,
    /// When the next pull is due (monotonic ns); `None` before the first
    /// run.
    next: Option<u64>,
    /// The pull is due: the next run pulls.
    due: bool,
}

impl TimedSink {
    /// Parses TimedSink's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let interval = args.read_p("INTERVAL", parse::duration);
        if interval.is_some_and(|d| d.is_zero()) {
            let span = args.span_of("INTERVAL");
            args.error(ConfigError::new(span, "INTERVAL must not be zero"));
        }
        args.complete()?;
        let interval = interval.unwrap_or(Duration::from_millis(500));
        Ok(TimedSink {
            interval: nanos(interval),
            next: None,
            due: false,
        })
    }
}

impl Element for TimedSink {
    fn has_task(&self) -> bool {
        true
    }

    fn task_wants(&self) -> usize {
        usize::from(self.due)
    }

    /// Drops what was pulled and sets the next pull; notices when a pull
    /// is due.
    fn run_task(&mut self, cx: &Context, batch: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        let pulled = !batch.is_empty();
        batch.clear();
        let next = *self
            .next
            .get_or_insert(cx.now.saturating_add(self.interval));
        if self.due {
            // This run pulled (or found nothing): the timer fired.
            self.due = false;
            self.next = Some(next.saturating_add(self.interval));
            return if pulled {
                TaskResult::Busy
            } else {
                TaskResult::Idle
            };
        }
        if cx.now >= next {
            self.due = true;
            return TaskResult::Busy;
        }
        TaskResult::Idle
    }

    fn next_event(&self) -> Option<u64> {
        self.next.filter(|_| !self.due)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "interval" => Ok(seconds(Duration::from_nanos(self.interval))),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "interval" => match parse::duration(value.trim()) {
                Ok(d) if !d.is_zero() => {
                    self.interval = nanos(d);
                    Ok(())
                }
                _ => Err(HandlerError::Invalid("bad interval".into())),
            },
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// TimedSink's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "TimedSink",
    port_count: "1/0",
    processing: "l",
    flow_code: "x/x",
    keywords: &["INTERVAL"],
    handlers: &["interval (read/write)"],
    summary: "periodically pulls and drops a packet",
    source: include_str!("timed_sink.rs"),
    check: |c| TimedSink::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::testing::errors;

    const MS: u64 = 1_000_000;

    #[test]
    fn pulls_one_packet_per_interval() {
        let mut s = TimedSink::configure("1ms").unwrap();
        let pool = harness::pool();
        let mut now = 0;
        let mut pulls = alloc::vec::Vec::new();
        for _ in 0..100 {
            let mut b = Batch::new();
            if s.task_wants() == 1 {
                b.push(pool.alloc_with(&[0]).unwrap()).unwrap();
                pulls.push(now);
            }
            let r = s.run_task(&Context::at(pool, now), &mut b, &mut []);
            assert!(b.is_empty(), "dropped");
            if r == TaskResult::Idle {
                now = s.next_event().unwrap();
                if now > 5 * MS {
                    break;
                }
            }
        }
        assert_eq!(pulls, [MS, 2 * MS, 3 * MS, 4 * MS, 5 * MS]);
        assert_eq!(pool.available(), pool.capacity(), "every packet freed");
    }

    #[test]
    fn handlers_and_errors() {
        let mut s = TimedSink::configure("").unwrap();
        assert_eq!(s.read_handler("interval"), Ok("0.5".into()));
        s.write_handler("interval", "2ms").unwrap();
        assert_eq!(s.read_handler("interval"), Ok("0.002".into()));
        assert!(s.write_handler("interval", "0").is_err());
        let errs = errors("0s", TimedSink::configure("0s"));
        assert!(errs[0].0.contains("zero"), "{errs:?}");
    }
}
