//! # RatedSource — generates packets at specified rate
//!
//! ```click
//! RatedSource([DATA, RATE, LIMIT, ACTIVE, KEYWORDS])
//! ```
//!
//! Ports: no inputs, 1 output (`0/1`). Processing: agnostic (`a/a`).
//!
//! Emits packets holding DATA at RATE packets per second (or at BANDWIDTH
//! bytes per second, that is BANDWIDTH divided by the packet length
//! packets per second), stopping after LIMIT packets when LIMIT is not
//! negative; then it can stop the router (STOP) or call a write handler
//! (END_CALL), once. The rate is kept by Click's token bucket (see
//! RatedSplitter), refilled once a millisecond with Click's rounding: it
//! holds two tokens (RATE below 200) or 10 ms worth, is set to one token
//! at the start (and on `reset` and activation) but refills from jiffy 0,
//! so on a real clock it is full at the first run, as Click's. RATE 0
//! means as fast as possible. Each packet's timestamp annotation is set to
//! the time it was made.
//!
//! ## Keywords
//! - `DATA` *data* — packet contents; default: Click's 69 bytes of filler
//!   text.
//! - `RATE` *unsigned* — packets per second; default 10.
//! - `LIMIT` *integer* — packets to send; default -1 (no limit).
//! - `ACTIVE` *boolean* — whether packets are sent; default true.
//! - `BANDWIDTH` *bandwidth* — a byte rate (`10Mbps`) instead of RATE.
//! - `LENGTH` *integer* — pad (by repeating DATA) or cut DATA to this
//!   many bytes; default -1. `DATASIZE` is the same (Click's deprecated
//!   name).
//! - `STOP` *boolean* — stop the router after LIMIT packets; default false.
//! - `END_CALL` *handler [value]* — write handler called after LIMIT packets.
//!
//! ## Handlers
//! - `count` (read) — packets sent.
//! - `reset` (write) — zero `count` and start sending again.
//! - `rate` (read/write) — packets per second (writing sets a packet rate).
//! - `data`, `datasize`, `limit`, `active` (read/write) — the settings, as
//!   for every source; `-1` reads as "none".
//!
//! ## Examples
//! ```click
//! RatedSource(\<0800>, 1000, 5000) -> Queue -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - giving both RATE and BANDWIDTH is an error (Click lets BANDWIDTH win).
//! - RATE 0 sends as fast as possible; Click's bucket of rate 0 is idle and
//!   sends nothing.
//! - END_CALL is nfc's (InfiniteSource's); STOP and END_CALL are mutually
//!   exclusive.
//! - Packets are at most 1920 bytes: longer DATA or DATASIZE is a
//!   configuration error.
//! - A task run emits every packet that is due (up to a batch of 32), where
//!   Click emits one per run.
//! - The packet length handler is `datasize` (Click's deprecated name);
//!   Click's `length` is not provided.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::batch::{Batch, BURST};
use nfc_dataplane::element::{Context, Element, HandlerError, TaskResult};
use nfc_dataplane::parse;

use super::infinite_source::Source;
use super::rated_splitter::TokenBucket;
use crate::{ElementSpec, Ports};

/// How fast RatedSource sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// Packets per second.
    Packets(u32),
    /// Bytes per second.
    Bandwidth(u64),
}

/// RatedSource's configuration and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedSource {
    /// DATA, DATASIZE, LIMIT, ACTIVE, STOP, END_CALL and the count.
    pub source: Source,
    /// The sending rate.
    pub rate: Rate,
    bucket: TokenBucket,
}

/// The token bucket Click's RatedSource uses for `rate` with packets of
/// `source`'s length: two tokens (RATE below 200) or 10 ms worth, at
/// least two packets' worth of LENGTH bytes for a BANDWIDTH. RATE 0 is
/// nfc's "as fast as possible" (an unlimited bucket).
fn bucket(rate: Rate, source: &Source) -> TokenBucket {
    let (pps, burst) = match rate {
        Rate::Packets(r) => (r, 0),
        Rate::Bandwidth(b) => {
            let len = source.packet_len().max(1) as u64;
            let pps = u32::try_from(b / len).unwrap_or(u32::MAX);
            (pps, source.datasize.map_or(0, |d| d.saturating_mul(2)))
        }
    };
    if pps == 0 {
        return TokenBucket::unlimited();
    }
    let capacity = if pps < 200 { 2 } else { pps / 100 }.max(burst);
    TokenBucket::new(pps, capacity)
}

impl RatedSource {
    /// Parses RatedSource's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let data = args.read_p("DATA", parse::data);
        let rate = args.read_p("RATE", parse::unsigned::<u32>);
        let limit = args.read_p("LIMIT", parse::integer::<i64>).unwrap_or(-1);
        let active = args.read_p("ACTIVE", parse::boolean).unwrap_or(true);
        let bandwidth = args.read("BANDWIDTH", parse::bandwidth);
        // LENGTH is Click's name, DATASIZE its deprecated one.
        let length = args.read("LENGTH", parse::integer::<i64>);
        let datasize = args
            .read("DATASIZE", parse::integer::<i64>)
            .or(length)
            .unwrap_or(-1);
        let stop = args.read("STOP", parse::boolean).unwrap_or(false);
        let end_call = args.read("END_CALL", parse::any);
        let rate = match (rate, bandwidth) {
            (Some(_), Some(b)) => {
                let span = args.span_of("BANDWIDTH");
                args.error(ConfigError::new(span, "give RATE or BANDWIDTH, not both"));
                Rate::Bandwidth(b)
            }
            (None, Some(b)) => Rate::Bandwidth(b),
            (Some(r), None) => Rate::Packets(r),
            (None, None) => Rate::Packets(10),
        };
        let source = Source::new(&mut args, data, limit, active, datasize, stop, end_call);
        args.complete()?;
        // Click starts with one token (and refills from jiffy 0, so the
        // first refill on a real clock fills the bucket).
        let mut bucket = bucket(rate, &source);
        bucket.set(1);
        Ok(RatedSource {
            bucket,
            source,
            rate,
        })
    }

    /// The packets due now, at most `max` (and a batch), within LIMIT.
    fn due(&mut self, now: u64, max: usize) -> usize {
        self.bucket.refill(now);
        let n = self.source.allowed(max);
        n.min(usize::try_from(self.bucket.size()).unwrap_or(n))
    }
}

impl Element for RatedSource {
    fn has_task(&self) -> bool {
        true
    }

    /// Emits the packets due (at most a batch) to output 0; once LIMIT
    /// packets are out, returns Stop with STOP, or has END_CALL made.
    fn run_task(&mut self, cx: &Context, out: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        if self.source.allowed(BURST) == 0 {
            return self.source.task_end();
        }
        let n = self.due(cx.now, BURST);
        let before = self.source.count();
        let result = self.source.emit_to(cx, n, out);
        self.bucket.remove(sent(self.source.count() - before));
        result
    }

    /// When the next token comes, while packets wait for one.
    fn next_event(&self) -> Option<u64> {
        if self.source.allowed(1) == 0 || self.bucket.contains(1) {
            return None;
        }
        self.bucket.time_until_contains(1)
    }

    fn pull(&mut self, cx: &Context, _output: usize, max: usize, out: &mut Batch) {
        let n = self.due(cx.now, max);
        if n == 0 && self.source.allowed(max) > 0 {
            // Not due yet. (With nothing allowed, `Source::pull` handles
            // the end of LIMIT.)
            return;
        }
        let before = out.len();
        self.source.pull(cx, n, out);
        self.bucket.remove(sent((out.len() - before) as u64));
    }

    fn take_call(&mut self) -> Option<(String, String)> {
        self.source.take_call()
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "rate" => Ok(self.bucket.rate().to_string()),
            _ => self.source.read_handler(name),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "rate" => {
                let r = parse::unsigned::<u32>(value.trim())
                    .map_err(|e| HandlerError::Invalid(e.message))?;
                self.rate = Rate::Packets(r);
            }
            _ => self.source.write_handler(name, value)?,
        }
        // DATA and DATASIZE change the packet rate of a BANDWIDTH; the
        // bucket keeps its tokens and its clock (Click's `assign_adjust`).
        let mut new = bucket(self.rate, &self.source);
        new.take_clock(&self.bucket);
        self.bucket = new;
        // Click restarts with one token on reset and on activation.
        if matches!(name, "reset" | "active") {
            self.bucket.set(1);
        }
        Ok(())
    }
}

/// Packets sent, as tokens.
fn sent(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// RatedSource's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "RatedSource",
    port_count: "0/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "DATA",
        "RATE",
        "LIMIT",
        "ACTIVE",
        "BANDWIDTH",
        "LENGTH",
        "DATASIZE",
        "STOP",
        "END_CALL",
    ],
    handlers: &[
        "count (read)",
        "reset (write)",
        "data (read/write)",
        "datasize (read/write)",
        "rate (read/write)",
        "limit (read/write)",
        "active (read/write)",
    ],
    summary: "generates packets at specified rate",
    source: include_str!("rated_source.rs"),
    check: |c| RatedSource::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let s = RatedSource::configure("").unwrap();
        assert_eq!((s.rate, s.source.limit), (Rate::Packets(10), None));
        let s = RatedSource::configure("\\<0800>, 1000, 5000").unwrap();
        assert_eq!((s.rate, s.source.limit), (Rate::Packets(1000), Some(5000)));
        let s = RatedSource::configure("BANDWIDTH 8kbps").unwrap();
        assert_eq!(s.rate, Rate::Bandwidth(1000));
        assert_eq!(s.read_handler("rate"), Ok((1000 / 69).to_string()));
    }

    #[test]
    fn bad_values() {
        let cfg = "RATE 10, BANDWIDTH 1Mbps, ACTIVE x";
        let errs = errors(cfg, RatedSource::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "not both", "1Mbps"), "{errs:?}");
        assert!(has(&errs, "", "x"), "{errs:?}");
        let cfg = "DATASIZE 2000, STOP true, END_CALL a.b";
        let errs = errors(cfg, RatedSource::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "do not fit", "2000"), "{errs:?}");
    }

    const MS: u64 = 1_000_000;

    /// Runs the task every millisecond for `ms` milliseconds; returns the
    /// packets made and the last result.
    fn run_for(s: &mut RatedSource, ms: u64) -> (usize, TaskResult) {
        let pool = harness::pool();
        let mut made = 0;
        let mut last = TaskResult::Idle;
        for t in 0..ms {
            let cx = Context::at(pool, t * MS);
            let mut outs = [Batch::new()];
            last = harness::task(s, &cx, Batch::new(), &mut outs);
            made += outs[0].len();
        }
        (made, last)
    }

    #[test]
    fn keeps_the_rate() {
        let mut s = RatedSource::configure("RATE 1000").unwrap();
        let (made, _) = run_for(&mut s, 1000);
        assert!((995..=1001).contains(&made), "{made}");
        let mut s = RatedSource::configure("RATE 100").unwrap();
        assert!((99..=101).contains(&run_for(&mut s, 1000).0));
        // Bandwidth: 69-byte packets at 69 kB/s are 1000 packets a second.
        let mut s = RatedSource::configure("BANDWIDTH 69000Bps").unwrap();
        assert!((995..=1001).contains(&run_for(&mut s, 1000).0));
        // RATE 0: a batch every run.
        let mut s = RatedSource::configure("RATE 0").unwrap();
        assert_eq!(run_for(&mut s, 3).0, 3 * BURST);
    }

    #[test]
    fn limit_stop_and_end_call() {
        let mut s = RatedSource::configure("RATE 1000, LIMIT 10, STOP true").unwrap();
        assert_eq!(run_for(&mut s, 11), (10, TaskResult::Stop));
        assert_eq!(run_for(&mut s, 5), (0, TaskResult::Idle), "asked once");
        let mut s = RatedSource::configure("RATE 1000, LIMIT 10, END_CALL x.y z").unwrap();
        assert_eq!(run_for(&mut s, 30), (10, TaskResult::Idle));
        assert_eq!(s.take_call(), Some(("x.y".into(), "z".into())));
        assert_eq!(s.read_handler("count"), Ok("10".into()));
        s.write_handler("reset", "").unwrap();
        assert_eq!(s.source.count(), 0);
    }

    #[test]
    fn pulled_at_the_rate() {
        let mut s = RatedSource::configure("RATE 1000, LIMIT 500, STOP true").unwrap();
        let pool = harness::pool();
        let mut made = 0;
        for t in 0..1000 {
            made += harness::pull(&mut s, &Context::at(pool, t * MS), 0, 32).len();
        }
        assert_eq!(made, 500);
        assert_eq!(s.take_call(), Some(("stop".into(), String::new())));
    }

    #[test]
    fn handlers() {
        let mut s = RatedSource::configure("RATE 5").unwrap();
        s.write_handler("rate", "2000").unwrap();
        // Click's bucket reads 2000 a second back as 2001 (see
        // TokenBucket::rate).
        assert_eq!(s.read_handler("rate"), Ok("2001".into()));
        assert!(s.write_handler("rate", "fast").is_err());
        s.write_handler("limit", "3").unwrap();
        assert_eq!(s.read_handler("limit"), Ok("3".into()));
        s.write_handler("active", "false").unwrap();
        assert_eq!(run_for(&mut s, 10).0, 0);
        s.write_handler("data", "xy").unwrap();
        assert_eq!(s.read_handler("data"), Ok("xy".into()));
        assert_eq!(s.read_handler("burst"), Err(HandlerError::NoSuchHandler));
    }
}
