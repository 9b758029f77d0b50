//! # AverageCounter — measures historical packet count and rate
//!
//! ```click
//! AverageCounter([IGNORE])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Passes packets unchanged and counts them and their bytes. Its rates are
//! strict averages: the count divided by the time between the first and
//! the latest packet (unlike Counter's moving average). Packets in the
//! first IGNORE seconds after the first packet are not counted, and that
//! time is left out of the rates.
//!
//! ## Keywords
//! - `IGNORE` *time* — seconds at the start not counted; default 0.
//!
//! ## Handlers
//! - `count` (read) — packets counted since the last reset.
//! - `byte_count` (read) — bytes counted since the last reset.
//! - `rate` (read) — packets per second, averaged since the first packet.
//! - `byte_rate` (read) — bytes per second, likewise.
//! - `reset` (write) — zero the counts and forget the first packet.
//!
//! ## Examples
//! ```click
//! InfiniteSource(LIMIT 100000) -> ac :: AverageCounter -> Discard;
//! ```
//!
//! ## Differences from Click
//! - IGNORE is a time (`1.5`, `500ms`); Click takes whole seconds.
//! - Times are the poll loop's clock, in nanoseconds, where Click counts
//!   jiffies; the rates print with up to three decimals.

use alloc::string::{String, ToString};
use core::fmt::Write;
use core::time::Duration;
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// The shortest time a rate is divided by: Click's user-level jiffy.
const MIN_SPAN: u64 = 1_000_000;

/// AverageCounter's configuration and its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AverageCounter {
    /// Time at the start that is not counted.
    pub ignore: Duration,
    count: u64,
    byte_count: u64,
    /// When the first packet (since the last reset) came, ns.
    first: Option<u64>,
    /// When the latest packet came, ns.
    last: u64,
}

/// `num / den` per second (`den` in ns) with up to three decimals:
/// `1000`, `333.333`.
fn per_second(num: u64, den: u64) -> String {
    let milli = u128::from(num) * 1_000_000_000_000 / u128::from(den.max(1));
    let mut s = (milli / 1000).to_string();
    let frac = milli % 1000;
    if frac != 0 {
        // Writing to a String cannot fail.
        let _ = write!(s, ".{frac:03}");
        let keep = s.trim_end_matches('0').len();
        s.truncate(keep);
    }
    s
}

impl AverageCounter {
    /// Parses AverageCounter's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let ignore = args.read_p("IGNORE", parse::duration).unwrap_or_default();
        args.complete()?;
        Ok(AverageCounter {
            ignore,
            count: 0,
            byte_count: 0,
            first: None,
            last: 0,
        })
    }

    /// Packets counted since the last reset.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Bytes counted since the last reset.
    pub fn byte_count(&self) -> u64 {
        self.byte_count
    }

    fn ignore_ns(&self) -> u64 {
        u64::try_from(self.ignore.as_nanos()).unwrap_or(u64::MAX)
    }

    /// Counts `packets` packets of `bytes` bytes arriving at `now`.
    #[inline]
    fn add(&mut self, now: u64, packets: u64, bytes: u64) {
        let first = *self.first.get_or_insert(now);
        if now.saturating_sub(first) >= self.ignore_ns() {
            self.count += packets;
            self.byte_count += bytes;
        }
        self.last = now;
    }

    /// The time the rates are averaged over, ns.
    fn span(&self) -> u64 {
        let first = self.first.unwrap_or(self.last);
        (self.last.saturating_sub(first))
            .saturating_sub(self.ignore_ns())
            .max(MIN_SPAN)
    }
}

impl Element for AverageCounter {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        self.add(cx.now, 1, p.len() as u64);
        Out::Port(0)
    }

    #[inline]
    fn push(&mut self, cx: &Context, _input: usize, batch: &mut Batch, _others: &mut [Batch]) {
        if batch.is_empty() {
            return;
        }
        // One time for the whole batch: counting it at once is exact. The
        // batch stays as it is: output 0.
        let bytes = batch.iter().map(|p| p.len() as u64).sum();
        self.add(cx.now, batch.len() as u64, bytes);
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "count" => self.count.to_string(),
            "byte_count" => self.byte_count.to_string(),
            "rate" => per_second(self.count, self.span()),
            "byte_rate" => per_second(self.byte_count, self.span()),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    fn write_handler(&mut self, name: &str, _value: &str) -> Result<(), HandlerError> {
        match name {
            "reset" => {
                self.count = 0;
                self.byte_count = 0;
                self.first = None;
                self.last = 0;
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// AverageCounter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "AverageCounter",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["IGNORE"],
    handlers: &[
        "count (read)",
        "byte_count (read)",
        "rate (read)",
        "byte_rate (read)",
        "reset (write)",
    ],
    summary: "measures historical packet count and rate",
    source: include_str!("average_counter.rs"),
    check: |c| AverageCounter::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, run_push};
    use crate::standard::testing::errors;

    const MS: u64 = 1_000_000;

    #[test]
    fn values() {
        assert_eq!(
            AverageCounter::configure("").unwrap().ignore,
            Duration::ZERO
        );
        assert_eq!(
            AverageCounter::configure("2").unwrap().ignore,
            Duration::from_secs(2)
        );
        assert_eq!(
            AverageCounter::configure("IGNORE 500ms").unwrap().ignore,
            Duration::from_millis(500)
        );
        let cfg = "soon, 3";
        assert_eq!(errors(cfg, AverageCounter::configure(cfg)).len(), 2);
    }

    #[test]
    fn strict_average() {
        let mut ac = AverageCounter::configure("").unwrap();
        let pool = harness::pool();
        // 3 packets of 100 bytes every millisecond, from 5 ms to 1005 ms.
        for ms in 5..=1005 {
            let cx = Context::at(pool, ms * MS);
            let packets = (0..3)
                .map(|_| pool.alloc_with(&[0; 100]).unwrap())
                .collect();
            assert_eq!(run_push(&mut ac, &cx, 0, packets, 1).len(), 3);
        }
        assert_eq!(ac.read_handler("count"), Ok("3003".into()));
        assert_eq!(ac.read_handler("byte_count"), Ok("300300".into()));
        assert_eq!(ac.read_handler("rate"), Ok("3003".into()));
        assert_eq!(ac.read_handler("byte_rate"), Ok("300300".into()));
        ac.write_handler("reset", "").unwrap();
        assert_eq!(ac.read_handler("count"), Ok("0".into()));
        assert_eq!(ac.read_handler("rate"), Ok("0".into()));
    }

    #[test]
    fn ignore_and_fractions() {
        let mut ac = AverageCounter::configure("IGNORE 1").unwrap();
        let cx = |ms: u64| Context::at(harness::pool(), ms * MS);
        for ms in [1000, 1500, 1999, 2000, 2500, 4000] {
            let c = cx(ms);
            let mut p = c.pool.alloc_with(&[0; 10]).unwrap();
            assert_eq!(ac.process(&c, 0, &mut p), Out::Port(0));
        }
        // Counted from 2000 ms; 3 packets over 4000 - 1000 - 1000 ms.
        assert_eq!(ac.count(), 3);
        assert_eq!(ac.byte_count(), 30);
        assert_eq!(ac.read_handler("rate"), Ok("1.5".into()));
        assert_eq!(per_second(1, 3_000_000_000), "0.333");
        assert_eq!(per_second(2, MIN_SPAN), "2000");
        assert_eq!(
            ac.write_handler("count", ""),
            Err(HandlerError::NoSuchHandler)
        );
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["", "IGNORE 0.000000001"] {
            check_batch_path(&AverageCounter::configure(cfg).unwrap(), 0, 1, |i, pool| {
                pool.alloc_with(&[i as u8; 30][..i % 30]).unwrap()
            });
        }
    }
}
