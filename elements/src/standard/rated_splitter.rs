//! # RatedSplitter — splits flow of packets at specified rate
//!
//! ```click
//! RatedSplitter(RATE)
//! ```
//!
//! Ports: 1 input, 2 outputs (`1/2`). Processing: push (`h/h`).
//!
//! Sends up to RATE packets per second out output 0 and every packet above
//! that rate out output 1. Unlike Meter, output 0 keeps receiving RATE
//! packets per second even when the input rate is higher. The rate is
//! enforced by a token bucket, as in Click: it holds 20 ms worth of tokens
//! (at least one) and starts full. RATE 0 means no limit.
//!
//! ## Keywords
//! - `RATE` *unsigned* — packets per second allowed on output 0; mandatory.
//!
//! ## Handlers
//! - `rate` (read/write) — the rate.
//!
//! ## Examples
//! ```click
//! rs :: RatedSplitter(2000); rs[0] -> Queue -> ToDevice(eth0); rs[1] -> Discard;
//! ```
//!
//! ## Differences from Click
//! - Click's BURST_DURATION and BURST_SIZE keywords are not supported.
//! - The bucket refills from the time the poll loop read at the start of
//!   the round, so a batch is split as if its packets arrived together.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Output for packets within the rate.
pub const WITHIN: usize = 0;
/// Output for packets above it (dropped when unconnected).
pub const ABOVE: usize = 1;

/// Nanoseconds in a second: a token's worth of credit at one token a
/// second.
const NS: u128 = 1_000_000_000;

/// A token bucket, as Click's TokenBucket: `rate` tokens a second
/// accumulate up to `capacity`. Rate 0 is unlimited. Time is the poll
/// loop's monotonic clock, in nanoseconds; fractions of a token are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenBucket {
    rate: u64,
    capacity: u64,
    /// Tokens times 10⁹ (token-nanoseconds at one token a second).
    credit: u128,
    /// When the bucket was last refilled.
    last: Option<u64>,
}

impl TokenBucket {
    /// A bucket of `rate` tokens a second holding at most `capacity` (at
    /// least 1), starting with `tokens`.
    pub(crate) fn new(rate: u64, capacity: u64, tokens: u64) -> TokenBucket {
        let capacity = capacity.max(1);
        TokenBucket {
            rate,
            capacity,
            credit: u128::from(tokens.min(capacity)) * NS,
            last: None,
        }
    }

    /// The rate, tokens a second (0: unlimited).
    pub(crate) fn rate(&self) -> u64 {
        self.rate
    }

    /// This bucket, refilled from where `old` was last refilled (for a
    /// bucket replacing `old` after a change of rate).
    pub(crate) fn with_clock(self, old: &TokenBucket) -> TokenBucket {
        TokenBucket {
            last: old.last,
            ..self
        }
    }

    /// Adds the tokens earned since the last refill.
    #[inline]
    pub(crate) fn refill(&mut self, now: u64) {
        if let Some(last) = self.last {
            if now <= last {
                return;
            }
            let earned = u128::from(now - last) * u128::from(self.rate);
            self.credit = (self.credit + earned).min(u128::from(self.capacity) * NS);
        }
        self.last = Some(now);
    }

    /// Whole tokens in the bucket (all of them when unlimited).
    #[inline]
    pub(crate) fn tokens(&self) -> u64 {
        if self.rate == 0 {
            u64::MAX
        } else {
            u64::try_from(self.credit / NS).unwrap_or(u64::MAX)
        }
    }

    /// Takes `n` tokens if the bucket holds them.
    #[inline]
    pub(crate) fn remove_if(&mut self, n: u64) -> bool {
        if self.rate == 0 {
            return true;
        }
        let need = u128::from(n) * NS;
        if self.credit < need {
            return false;
        }
        self.credit -= need;
        true
    }
}

/// The bucket capacity Click gives a rate limiter: 20 ms of tokens.
fn capacity_for(rate: u32) -> u64 {
    u64::from(rate) / 50
}

/// RatedSplitter's configuration and its token bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatedSplitter {
    /// Packets per second sent out output 0.
    pub rate: u32,
    bucket: TokenBucket,
}

impl RatedSplitter {
    /// Parses RatedSplitter's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let rate = args.read_mp("RATE", parse::unsigned::<u32>);
        args.complete()?;
        let rate = rate.unwrap_or_default();
        let capacity = capacity_for(rate);
        Ok(RatedSplitter {
            rate,
            bucket: TokenBucket::new(u64::from(rate), capacity, capacity),
        })
    }
}

impl Element for RatedSplitter {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, _p: &mut Packet) -> Out {
        self.bucket.refill(cx.now);
        if self.bucket.remove_if(1) {
            Out::Port(WITHIN)
        } else {
            Out::Port(ABOVE)
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "rate" => Ok(self.bucket.rate().to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "rate" => {
                let rate = parse::unsigned::<u32>(value.trim())
                    .map_err(|e| HandlerError::Invalid(e.message))?;
                self.rate = rate;
                let tokens = self.bucket.tokens();
                self.bucket = TokenBucket::new(u64::from(rate), capacity_for(rate), tokens)
                    .with_clock(&self.bucket);
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// RatedSplitter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "RatedSplitter",
    port_count: "1/2",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["RATE"],
    handlers: &["rate (read/write)"],
    summary: "splits flow of packets at specified rate",
    source: include_str!("rated_splitter.rs"),
    check: |c| RatedSplitter::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn values() {
        assert_eq!(RatedSplitter::configure("2000").unwrap().rate, 2000);
        assert_eq!(RatedSplitter::configure("RATE 5").unwrap().rate, 5);
    }

    #[test]
    fn bad_values() {
        let errs = errors("", RatedSplitter::configure(""));
        assert!(errs[0].0.contains("RATE"), "{errs:?}");
        let cfg = "fast";
        let errs = errors(cfg, RatedSplitter::configure(cfg));
        assert_eq!(errs[0].1, "fast");
    }

    use crate::harness::{self, check_batch_path, on_port, run_push};

    const MS: u64 = 1_000_000;

    #[test]
    fn splits_at_the_rate() {
        // 1000 packets a second: a bucket of 20 tokens, refilled by one
        // token a millisecond. Offer 5 packets every millisecond.
        let mut rs = RatedSplitter::configure("1000").unwrap();
        let pool = harness::pool();
        let mut within = 0;
        let mut total = 0;
        for ms in 1..=1000u64 {
            let cx = nfc_dataplane::element::Context::at(pool, ms * MS);
            let packets = (0..5).map(|_| pool.alloc_with(&[0]).unwrap()).collect();
            let sent = run_push(&mut rs, &cx, 0, packets, 2);
            within += on_port(&sent, WITHIN).len();
            total += sent.len();
        }
        assert_eq!(total, 5000);
        assert!((1000..=1025).contains(&within), "{within}");
    }

    #[test]
    fn zero_is_unlimited_and_rate_handler() {
        let mut rs = RatedSplitter::configure("0").unwrap();
        let cx = harness::cx(harness::pool());
        for _ in 0..100 {
            let mut p = cx.pool.alloc_with(&[0]).unwrap();
            assert_eq!(rs.process(&cx, 0, &mut p), Out::Port(WITHIN));
        }
        rs.write_handler("rate", "100").unwrap();
        assert_eq!(rs.read_handler("rate"), Ok("100".into()));
        let mut p = cx.pool.alloc_with(&[0]).unwrap();
        // 100/s holds 2 tokens (20 ms worth); the unlimited bucket's
        // tokens were clamped to that.
        assert_eq!(rs.process(&cx, 0, &mut p), Out::Port(WITHIN));
        assert_eq!(rs.process(&cx, 0, &mut p), Out::Port(WITHIN));
        assert_eq!(rs.process(&cx, 0, &mut p), Out::Port(ABOVE));
        assert!(rs.write_handler("rate", "-3").is_err());
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["5", "2000", "0"] {
            check_batch_path(&RatedSplitter::configure(cfg).unwrap(), 0, 2, |i, pool| {
                pool.alloc_with(&[i as u8; 4][..i % 4]).unwrap()
            });
        }
    }
}
