//! # RatedUnqueue — pull-to-push converter
//!
//! ```click
//! RatedUnqueue(RATE, [KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: pull input, push output (`l/h`).
//!
//! Pulls packets from its input at RATE packets per second and pushes them
//! out its output. The rate is kept by Click's token bucket (see
//! RatedSplitter): it holds 20 ms worth of tokens (at least one) unless
//! BURST_DURATION or BURST_SIZE says otherwise, refills once a
//! millisecond, and is full at the first run, so a burst of up to its
//! capacity leaves at once.
//!
//! ## Keywords
//! - `RATE` *unsigned* — packets per second; mandatory. RATE 0 pulls
//!   nothing (Click's idle bucket).
//! - `BURST_DURATION` *duration* — the bucket holds RATE × this many tokens.
//! - `BURST_SIZE` *unsigned* — the bucket holds this many tokens. Giving
//!   both is an error.
//!
//! ## Handlers
//! - `rate` (read/write) — the rate; writing keeps the burst settings.
//! - `config` (read) — the rate, as Click.
//! - `active` (read/write) — whether the task pulls packets.
//!
//! ## Examples
//! ```click
//! InfiniteSource -> Queue(10) -> RatedUnqueue(100, BURST_SIZE 1) -> Counter -> Discard;
//! ```
//!
//! ## Differences from Click
//! - A task run moves every packet the bucket allows (at most a batch),
//!   where Click moves one per run; the counts are the same.
//! - When its bucket refills, the task takes one empty run before it
//!   pulls (a task learns the time only when it runs); on simulated time
//!   both happen at the same instant.
//! - nfc has no empty notifier here: with tokens to spend the task polls
//!   its queue. Click's `calls` statistics handler is not provided.

use alloc::string::String;
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::{Batch, BURST};
use nfc_dataplane::element::{Context, Element, HandlerError, TaskResult};

use super::discard::bool_value;
use super::rated_splitter::{RateSpec, TokenBucket, BANDWIDTH_THRESHOLD};
use crate::{ElementSpec, Ports};

/// RatedUnqueue's configuration and its token bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatedUnqueue {
    spec: RateSpec,
    bucket: TokenBucket,
    /// Whether the task pulls.
    pub active: bool,
    /// Packets the next run may pull: what the bucket allowed when the
    /// task last ran.
    ready: usize,
}

impl RatedUnqueue {
    /// Parses RatedUnqueue's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Self::configure_as(config, false)
    }

    /// Parses the configuration of RatedUnqueue, or of
    /// BandwidthRatedUnqueue with `bandwidth`.
    pub(crate) fn configure_as(config: &str, bandwidth: bool) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let spec = RateSpec::read(&mut args, bandwidth);
        args.complete()?;
        Ok(RatedUnqueue {
            bucket: spec.bucket(),
            spec,
            active: true,
            ready: 0,
        })
    }

    /// The rate: packets (or bytes) a second, as Click reports it.
    pub fn rate(&self) -> u32 {
        self.bucket.rate()
    }

    /// The tokens a packet needs before it may be pulled.
    fn need(&self) -> u32 {
        if self.spec.bandwidth {
            BANDWIDTH_THRESHOLD
        } else {
            1
        }
    }
}

impl Element for RatedUnqueue {
    fn has_task(&self) -> bool {
        true
    }

    fn task_wants(&self) -> usize {
        if self.active {
            self.ready
        } else {
            0
        }
    }

    /// Pays for the packets pulled (one token each, or their bytes) and
    /// pushes them on; then works out how many the next run may pull.
    fn run_task(&mut self, cx: &Context, batch: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        if !self.active && batch.is_empty() {
            return TaskResult::Idle;
        }
        self.bucket.refill(cx.now);
        let moved = batch.len();
        if self.spec.bandwidth {
            for p in batch.iter() {
                self.bucket
                    .remove(u32::try_from(p.len()).unwrap_or(u32::MAX));
            }
        } else {
            self.bucket.remove(u32::try_from(moved).unwrap_or(u32::MAX));
        }
        let was_ready = self.ready > 0;
        self.ready = if !self.bucket.contains(self.need()) {
            0
        } else if self.spec.bandwidth {
            // Each packet's length decides whether another may follow.
            1
        } else {
            (self.bucket.size() as usize).min(BURST)
        };
        if moved > 0 || (!was_ready && self.ready > 0) {
            TaskResult::Busy
        } else {
            TaskResult::Idle
        }
    }

    fn next_event(&self) -> Option<u64> {
        if self.active && self.ready == 0 {
            self.bucket.time_until_contains(self.need())
        } else {
            None
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "rate" | "config" => Ok(self.spec.rate_text(&self.bucket)),
            "active" => Ok(String::from(if self.active { "true" } else { "false" })),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "rate" => {
                self.spec = self.spec.with_rate(value)?;
                self.bucket.assign(self.spec.rate, self.spec.capacity());
                self.ready = 0;
            }
            "active" => self.active = bool_value(value)?,
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// RatedUnqueue's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "RatedUnqueue",
    port_count: "1/1",
    processing: "l/h",
    flow_code: "x/x",
    keywords: &["RATE", "BURST_DURATION", "BURST_SIZE"],
    handlers: &["rate (read/write)", "config (read)", "active (read/write)"],
    summary: "pull-to-push converter",
    source: include_str!("rated_unqueue.rs"),
    check: |c| RatedUnqueue::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::testing::errors;

    /// Click's `--simtime` start: 1,000,000,000 s.
    pub(crate) const START: u64 = 1_000_000_000 * 1_000_000_000;

    /// Runs `e` on simulated time for `seconds` from [`START`] with an
    /// endless supply of `len`-byte packets, jumping to its next event
    /// whenever a run does nothing, as `nfc click --simtime` does; hands
    /// each batch pushed, with its context, to `downstream`.
    pub(crate) fn simulate_into<E: Element>(
        e: &mut E,
        len: usize,
        seconds: u64,
        mut downstream: impl FnMut(&Context, &mut Batch),
    ) {
        let pool = harness::pool();
        let end = START + seconds * 1_000_000_000;
        let mut now = START;
        while now < end {
            let cx = Context::at(pool, now);
            let mut batch = Batch::new();
            for _ in 0..e.task_wants() {
                batch
                    .push(pool.alloc_with(&alloc::vec![0u8; len]).unwrap())
                    .unwrap();
            }
            let r = e.run_task(&cx, &mut batch, &mut []);
            downstream(&cx, &mut batch);
            if r == TaskResult::Idle {
                match e.next_event() {
                    Some(at) => now = at.max(now + 1),
                    None => break,
                }
            }
        }
    }

    /// [`simulate_into`] that counts the packets pushed.
    pub(crate) fn simulate<E: Element>(e: &mut E, len: usize, seconds: u64) -> usize {
        let mut pushed = 0;
        simulate_into(e, len, seconds, |_, b| pushed += b.len());
        pushed
    }

    fn count(config: &str) -> usize {
        simulate(&mut RatedUnqueue::configure(config).unwrap(), 64, 10)
    }

    #[test]
    fn click_test_counts() {
        // Click's test/standard/RatedUnqueue-01: 20, 69, 69 and 909|910
        // packets in 10 simulated seconds.
        assert_eq!(count("RATE 2"), 20);
        assert_eq!(count("RATE 2, BURST_SIZE 50"), 69);
        assert_eq!(count("RATE 2, BURST_DURATION 25"), 69);
        assert_eq!(count("RATE 100, BURST_SIZE 1"), 910);
        assert_eq!(count("RATE 0"), 0);
    }

    #[test]
    fn values_and_errors() {
        let u = RatedUnqueue::configure("1000").unwrap();
        assert_eq!(u.read_handler("rate"), Ok("1000".into()));
        let cfg = "10, BURST_SIZE 5, BURST_DURATION 1s";
        let errs = errors(cfg, RatedUnqueue::configure(cfg));
        assert!(errs[0].0.contains("not both"), "{errs:?}");
        let errs = errors("", RatedUnqueue::configure(""));
        assert!(errs[0].0.contains("RATE"), "{errs:?}");
        let cfg = "BURST_BYTES 3, 1";
        assert!(RatedUnqueue::configure(cfg).is_err(), "a bandwidth keyword");
    }

    #[test]
    fn handlers() {
        let mut u = RatedUnqueue::configure("RATE 2, BURST_SIZE 50").unwrap();
        u.write_handler("rate", "100").unwrap();
        assert_eq!(u.read_handler("rate"), Ok("100".into()));
        assert!(u.write_handler("rate", "fast").is_err());
        u.write_handler("active", "false").unwrap();
        assert_eq!(u.read_handler("active"), Ok("false".into()));
        assert_eq!(simulate(&mut u, 64, 1), 0, "inactive pulls nothing");
        u.write_handler("active", "true").unwrap();
        // 50 at once, then 100 a second.
        let n = simulate(&mut u, 64, 1);
        assert!((140..=152).contains(&n), "{n}");
    }
}
