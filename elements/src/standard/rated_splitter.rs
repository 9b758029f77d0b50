//! # RatedSplitter — splits flow of packets at specified rate
//!
//! ```click
//! RatedSplitter(RATE, [KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: push (`h/h`).
//!
//! Sends up to RATE packets per second out output 0 and every packet above
//! that rate out output 1 (dropped when it has no output 1). Unlike Meter,
//! output 0 keeps receiving RATE packets per second even when the input
//! rate is higher. The rate is
//! enforced by Click's token bucket: it holds 20 ms worth of tokens (at
//! least one) unless BURST_DURATION or BURST_SIZE says otherwise, is
//! refilled once a millisecond (Click's jiffy) with Click's fixed-point
//! rounding, and is full when the first packet arrives.
//!
//! ## Keywords
//! - `RATE` *unsigned* — packets per second allowed on output 0; mandatory.
//!   RATE 0 lets no packet through output 0 (Click's idle bucket).
//! - `BURST_DURATION` *duration* — the bucket holds RATE × this many tokens.
//! - `BURST_SIZE` *unsigned* — the bucket holds this many tokens. Giving
//!   both BURST_DURATION and BURST_SIZE is an error.
//!
//! ## Handlers
//! - `rate` (read/write) — the rate; writing reconfigures it (keeping the
//!   burst settings, and the bucket's fill level as a fraction).
//! - `config` (read) — the rate, as Click.
//!
//! ## Examples
//! ```click
//! rs :: RatedSplitter(2000); rs[0] -> Queue -> ToDevice(eth0); rs[1] -> Discard;
//! ```
//!
//! ## Differences from Click
//! - The bucket refills from the time the poll loop read at the start of
//!   the round, so a batch is split as if its packets arrived together.
//! - Jiffies are 64-bit milliseconds of the monotonic clock; Click's
//!   32-bit jiffies wrap after 49 days.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Output for packets within the rate.
pub const WITHIN: usize = 0;
/// Output for packets above it (dropped when unconnected).
pub const ABOVE: usize = 1;

/// Nanoseconds in a jiffy: Click's userlevel clock ticks 1000 times a
/// second (`CLICK_HZ`), and its token buckets refill once a tick.
const JIFFY: u64 = 1_000_000;
/// Jiffies in a second.
const HZ: u64 = 1_000;
/// A full bucket, in the fixed-point fractions Click counts tokens in.
const FULL: u32 = u32::MAX;

/// Click's TokenBucket (`include/click/tokenbucket.hh`), to the bit: the
/// fill level is a 32-bit fraction of the capacity (`scale` fractions a
/// token), refilled by a whole number of fractions per jiffy, so the
/// effective rate and burst are Click's, rounding included. A rate of 0
/// (or a capacity of 0) makes an idle bucket that never refills; an
/// unlimited bucket ([`TokenBucket::unlimited`]) is always full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenBucket {
    /// Fractions added per jiffy (0: idle).
    per_tick: u32,
    /// Fractions per token.
    scale: u32,
    /// Jiffies from empty to full (0: unlimited; `u64::MAX`: idle).
    until_full: u64,
    /// The fill level, in fractions.
    tokens: u32,
    /// The jiffy of the last refill (Click starts at 0, so the first
    /// refill at a real clock fills the bucket).
    tick: u64,
    /// The monotonic time of the last refill, nanoseconds: Click's timers
    /// count jiffies from the exact time, not from the jiffy.
    at: u64,
}

impl TokenBucket {
    /// An empty bucket of `rate` tokens a second holding at most
    /// `capacity` tokens (Click's `assign`; `TokenBucket()` starts empty).
    pub(crate) fn new(rate: u32, capacity: u32) -> TokenBucket {
        let mut b = TokenBucket {
            per_tick: 0,
            scale: 1,
            until_full: u64::MAX,
            tokens: 0,
            tick: 0,
            at: 0,
        };
        b.assign(rate, capacity);
        b
    }

    /// A bucket that is always full, whatever is taken out.
    pub(crate) fn unlimited() -> TokenBucket {
        TokenBucket {
            per_tick: FULL,
            scale: 1,
            until_full: 0,
            tokens: FULL,
            tick: 0,
            at: 0,
        }
    }

    /// Sets the rate and capacity, keeping the fill level as a fraction
    /// and the clock (Click's `assign`).
    pub(crate) fn assign(&mut self, rate: u32, capacity: u32) {
        let (mut rate, mut capacity) = (rate, capacity);
        if capacity == 0 {
            rate = 0;
            capacity = FULL;
        }
        if rate != 0 {
            // The per-tick fraction must fit 32 bits.
            capacity = capacity.max((rate - 1) / HZ as u32 + 1);
        }
        self.scale = FULL / capacity;
        let per_tick = u64::from(rate) * u64::from(self.scale) / HZ;
        if rate == 0 {
            self.per_tick = 0;
            self.until_full = u64::MAX;
        } else {
            self.per_tick = u32::try_from(per_tick).unwrap_or(FULL).max(1);
            self.until_full = u64::from(FULL - 1) / u64::from(self.per_tick) + 1;
        }
    }

    /// Takes `old`'s clock and its number of tokens, as far as they fit
    /// (a bucket replacing `old` after a change of rate, as Click's
    /// `assign_adjust` keeps them).
    pub(crate) fn take_clock(&mut self, old: &TokenBucket) {
        self.tick = old.tick;
        self.at = old.at;
        self.set(old.size());
    }

    /// The rate, tokens a second, as Click computes it back from the
    /// fixed-point state (0 when idle): Click adds half a jiffy's fraction
    /// before dividing, so some rates read one more than configured
    /// (2000 with a 40-token bucket reads 2001).
    pub(crate) fn rate(&self) -> u32 {
        let r =
            (u64::from(self.per_tick / 2) + u64::from(self.per_tick) * HZ) / u64::from(self.scale);
        u32::try_from(r).unwrap_or(FULL)
    }

    /// Whole tokens in the bucket.
    pub(crate) fn size(&self) -> u32 {
        self.tokens / self.scale
    }

    /// `t` tokens in fractions; `None` when more than the capacity.
    fn fractions(&self, t: u32) -> Option<u32> {
        t.checked_mul(self.scale)
    }

    /// Sets the bucket to `t` tokens (full when more than it holds).
    pub(crate) fn set(&mut self, t: u32) {
        self.tokens = self.fractions(t).unwrap_or(FULL);
    }

    /// Adds the tokens earned up to monotonic time `now` (nanoseconds).
    #[inline]
    pub(crate) fn refill(&mut self, now: u64) {
        let tick = now / JIFFY;
        let diff = tick.saturating_sub(self.tick);
        if diff >= self.until_full {
            self.tokens = FULL;
        } else if diff > 0 {
            let earned = diff * u64::from(self.per_tick);
            self.tokens = u32::try_from(u64::from(self.tokens) + earned).unwrap_or(FULL);
        }
        self.tick = tick;
        self.at = now;
    }

    /// True when the bucket holds `t` tokens (never when `t` is more than
    /// its capacity).
    #[inline]
    pub(crate) fn contains(&self, t: u32) -> bool {
        self.fractions(t).is_some_and(|f| f <= self.tokens)
    }

    /// Takes `t` tokens, or all there are.
    #[inline]
    pub(crate) fn remove(&mut self, t: u32) {
        let f = self.fractions(t).unwrap_or(FULL);
        self.tokens = self.tokens.saturating_sub(f);
    }

    /// Takes `t` tokens if the bucket holds them.
    #[inline]
    pub(crate) fn remove_if(&mut self, t: u32) -> bool {
        let ok = self.contains(t);
        if ok {
            self.remove(t);
        }
        ok
    }

    /// The monotonic time (nanoseconds) at which the bucket will hold `t`
    /// tokens, counted as Click's timers count it (whole jiffies from the
    /// last refill); `None` when it never will.
    pub(crate) fn time_until_contains(&self, t: u32) -> Option<u64> {
        let f = self.fractions(t)?;
        let ticks = if f <= self.tokens || self.until_full == 0 {
            0
        } else if self.per_tick == 0 {
            return None;
        } else {
            u64::from(f - self.tokens - 1) / u64::from(self.per_tick) + 1
        };
        Some(self.at.saturating_add(ticks * JIFFY))
    }
}

/// Click's bandwidth buckets send while they hold this many bytes, so a
/// packet may take more tokens than are left (`tb_bandwidth_thresh`).
pub(crate) const BANDWIDTH_THRESHOLD: u32 = 131_072;

/// A rate limiter's settings, as Click's `RatedUnqueue::configure_helper`
/// reads them for RatedSplitter, RatedUnqueue and their bandwidth
/// variants: RATE (packets, or bytes with `bandwidth`), BURST_DURATION
/// and BURST_SIZE (BURST_BYTES with `bandwidth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateSpec {
    /// Packets (or bytes) a second.
    pub(crate) rate: u32,
    /// BURST_DURATION in milliseconds (20 when neither is given).
    burst_ms: u32,
    /// BURST_SIZE or BURST_BYTES, when given.
    burst_size: Option<u32>,
    /// Counts bytes rather than packets.
    pub(crate) bandwidth: bool,
}

impl RateSpec {
    /// Reads the settings from `args`.
    pub(crate) fn read(args: &mut Args, bandwidth: bool) -> RateSpec {
        let rate = if bandwidth {
            args.read_mp("RATE", bandwidth_u32)
        } else {
            args.read_mp("RATE", parse::unsigned::<u32>)
        };
        let duration = args.read("BURST_DURATION", parse::duration);
        let size_kw = if bandwidth {
            "BURST_BYTES"
        } else {
            "BURST_SIZE"
        };
        let burst_size = args.read(size_kw, parse::unsigned::<u32>);
        if duration.is_some() && burst_size.is_some() {
            let span = args.span_of(size_kw);
            args.error(ConfigError::new(
                span,
                alloc::format!("give BURST_DURATION or {size_kw}, not both"),
            ));
        }
        RateSpec {
            rate: rate.unwrap_or_default(),
            // Click reads the duration in whole milliseconds.
            burst_ms: duration.map_or(20, |d| u32::try_from(d.as_millis()).unwrap_or(u32::MAX)),
            burst_size,
            bandwidth,
        }
    }

    /// The same settings at another rate (the `rate` write handler,
    /// Click's `reconfigure_keyword_handler`).
    pub(crate) fn with_rate(self, value: &str) -> Result<RateSpec, HandlerError> {
        let value = value.trim();
        let rate = if self.bandwidth {
            bandwidth_u32(value)
        } else {
            parse::unsigned::<u32>(value)
        }
        .map_err(|e| HandlerError::Invalid(e.message))?;
        Ok(RateSpec { rate, ..self })
    }

    /// The bucket capacity: BURST_SIZE, or RATE × BURST_DURATION rounded
    /// down; a bandwidth bucket holds [`BANDWIDTH_THRESHOLD`] more bytes.
    pub(crate) fn capacity(&self) -> u32 {
        let tokens = self.burst_size.unwrap_or_else(|| {
            u32::try_from(u64::from(self.rate) * u64::from(self.burst_ms) / 1000).unwrap_or(FULL)
        });
        let tokens = if self.bandwidth {
            tokens.saturating_add(BANDWIDTH_THRESHOLD)
        } else {
            tokens
        };
        tokens.max(1)
    }

    /// An empty bucket with these settings.
    pub(crate) fn bucket(&self) -> TokenBucket {
        TokenBucket::new(self.rate, self.capacity())
    }

    /// The rate as Click's `rate` handler reads it back from `bucket`.
    pub(crate) fn rate_text(&self, bucket: &TokenBucket) -> String {
        if self.bandwidth {
            bandwidth_text(bucket.rate())
        } else {
            bucket.rate().to_string()
        }
    }
}

/// A byte rate that fits 32 bits (Click's `BandwidthArg`).
pub(crate) fn bandwidth_u32(s: &str) -> Result<u32, parse::ParseError> {
    let b = parse::bandwidth(s)?;
    u32::try_from(b)
        .map_err(|_| parse::ParseError::new(alloc::format!("bandwidth {s} is out of range")))
}

/// Formats a byte rate as Click's `BandwidthArg::unparse` does: `kbps`,
/// `Mbps` or `Gbps` with up to 3, 6 or 9 decimals of the bit rate
/// shifted, trailing zeros dropped (`200Bps` is `1.6kbps`).
pub(crate) fn bandwidth_text(bytes: u32) -> String {
    let x = u64::from(bytes);
    let (value, digits, unit) = if bytes >= 0x2000_0000 {
        (x, 6, "MBps")
    } else if bytes >= 125_000_000 {
        (x * 8, 9, "Gbps")
    } else if bytes >= 125_000 {
        (x * 8, 6, "Mbps")
    } else {
        (x * 8, 3, "kbps")
    };
    let div = 10u64.pow(digits);
    let mut s = (value / div).to_string();
    let frac = value % div;
    if frac != 0 {
        let f = alloc::format!("{frac:0width$}", width = digits as usize);
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s.push_str(unit);
    s
}

/// RatedSplitter's configuration and its token bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatedSplitter {
    spec: RateSpec,
    bucket: TokenBucket,
}

impl RatedSplitter {
    /// Parses RatedSplitter's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Self::configure_as(config, false)
    }

    /// Parses the configuration of RatedSplitter, or of
    /// BandwidthRatedSplitter with `bandwidth`.
    pub(crate) fn configure_as(config: &str, bandwidth: bool) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let spec = RateSpec::read(&mut args, bandwidth);
        args.complete()?;
        Ok(RatedSplitter {
            bucket: spec.bucket(),
            spec,
        })
    }

    /// The rate: packets (or bytes) a second, as Click reports it.
    pub fn rate(&self) -> u32 {
        self.bucket.rate()
    }
}

impl Element for RatedSplitter {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        self.bucket.refill(cx.now);
        let within = if self.spec.bandwidth {
            // Click sends while the bucket holds the threshold, then takes
            // the packet's bytes (all there are, if fewer).
            let ok = self.bucket.contains(BANDWIDTH_THRESHOLD);
            if ok {
                self.bucket.remove(u32::try_from(p.len()).unwrap_or(FULL));
            }
            ok
        } else {
            self.bucket.remove_if(1)
        };
        Out::Port(if within { WITHIN } else { ABOVE })
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "rate" | "config" => Ok(self.spec.rate_text(&self.bucket)),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "rate" => {
                self.spec = self.spec.with_rate(value)?;
                self.bucket.assign(self.spec.rate, self.spec.capacity());
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// RatedSplitter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "RatedSplitter",
    port_count: "1/1-2",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["RATE", "BURST_DURATION", "BURST_SIZE"],
    handlers: &["rate (read/write)", "config (read)"],
    summary: "splits flow of packets at specified rate",
    source: include_str!("rated_splitter.rs"),
    check: |c| RatedSplitter::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, on_port, run_push};
    use crate::standard::rated_unqueue::tests::simulate_into;
    use crate::standard::rated_unqueue::RatedUnqueue;
    use crate::standard::testing::errors;
    use nfc_dataplane::batch::Batch;

    /// Feeds `splitter` from `unqueue` for 10 simulated seconds of
    /// `len`-byte packets; returns the packets sent out output 0.
    pub(crate) fn split_after<U: Element, S: Element>(
        unqueue: &mut U,
        splitter: &mut S,
        len: usize,
    ) -> usize {
        let mut within = 0;
        simulate_into(unqueue, len, 10, |cx, batch| {
            let mut others = [Batch::new()];
            splitter.push(cx, 0, batch, &mut others);
            within += batch.len();
        });
        within
    }

    #[test]
    fn click_test_counts() {
        // Click's test/standard/RatedSplitter-01.
        let run = |unqueue: &str, splitter: &str| {
            split_after(
                &mut RatedUnqueue::configure(unqueue).unwrap(),
                &mut RatedSplitter::configure(splitter).unwrap(),
                64,
            )
        };
        assert_eq!(run("10", "RATE 2"), 20);
        assert_eq!(run("10", "RATE 2, BURST_SIZE 50"), 69);
        assert_eq!(run("10", "RATE 2, BURST_DURATION 25"), 69);
        assert_eq!(run("200", "RATE 100, BURST_SIZE 2"), 1001);
    }

    #[test]
    fn the_bucket_rounds_as_clicks() {
        // RATE 2, capacity 1: a token is 2^32 - 1 fractions, 8589934 come
        // a jiffy, so the next token takes 501 jiffies, not 500.
        let mut b = TokenBucket::new(2, 1);
        assert_eq!(b.rate(), 2);
        b.refill(1_000_000 * JIFFY);
        assert!(b.remove_if(1));
        assert!(!b.contains(1));
        assert_eq!(b.time_until_contains(1), Some(1_000_501 * JIFFY));
        b.refill(1_000_500 * JIFFY);
        assert!(!b.contains(1));
        b.refill(1_000_501 * JIFFY);
        assert!(b.contains(1));
        // Idle: rate 0 never fills; unlimited is always full.
        let mut idle = TokenBucket::new(0, 5);
        idle.refill(u64::MAX / 2);
        assert_eq!(
            (idle.contains(1), idle.time_until_contains(1)),
            (false, None)
        );
        let mut all = TokenBucket::unlimited();
        all.remove(1000);
        assert!(all.contains(1));
        // More than the capacity is never contained.
        let mut small = TokenBucket::new(1000, 20);
        small.refill(1_000_000 * JIFFY);
        assert_eq!(small.size(), 20);
        assert!(!small.contains(21));
        small.set(3);
        assert_eq!(small.size(), 3);
        let mut bigger = TokenBucket::new(1000, 40);
        bigger.take_clock(&small);
        assert_eq!(bigger.size(), 3, "tokens kept across a new capacity");
    }

    #[test]
    fn values() {
        // Click reads the rate back from the per-jiffy fraction, adding
        // half a jiffy's worth: 2000 a second reads 2001.
        assert_eq!(RatedSplitter::configure("2000").unwrap().rate(), 2001);
        assert_eq!(RatedSplitter::configure("RATE 5").unwrap().rate(), 5);
        assert_eq!(bandwidth_text(200), "1.6kbps");
        assert_eq!(bandwidth_text(125_000), "1Mbps");
        assert_eq!(bandwidth_text(125_000_000), "1Gbps");
        assert_eq!(bandwidth_text(0x2000_0000), "536.870912MBps");
    }

    #[test]
    fn bad_values() {
        let errs = errors("", RatedSplitter::configure(""));
        assert!(errs[0].0.contains("RATE"), "{errs:?}");
        let cfg = "fast";
        let errs = errors(cfg, RatedSplitter::configure(cfg));
        assert_eq!(errs[0].1, "fast");
        let cfg = "5, BURST_SIZE 2, BURST_DURATION 1";
        let errs = errors(cfg, RatedSplitter::configure(cfg));
        assert!(errs[0].0.contains("not both"), "{errs:?}");
    }

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
            let cx = Context::at(pool, ms * MS);
            let packets = (0..5).map(|_| pool.alloc_with(&[0]).unwrap()).collect();
            let sent = run_push(&mut rs, &cx, 0, packets, 2);
            within += on_port(&sent, WITHIN).len();
            total += sent.len();
        }
        assert_eq!(total, 5000);
        assert!((1000..=1025).contains(&within), "{within}");
    }

    #[test]
    fn zero_is_idle_and_rate_handler() {
        // Click's bucket with rate 0 is idle: nothing goes out output 0.
        let mut rs = RatedSplitter::configure("0").unwrap();
        let cx = Context::at(harness::pool(), 5_000 * MS);
        let mut p = cx.pool.alloc_with(&[0]).unwrap();
        assert_eq!(rs.process(&cx, 0, &mut p), Out::Port(ABOVE));
        rs.write_handler("rate", "100").unwrap();
        assert_eq!(rs.read_handler("rate"), Ok("100".into()));
        // 100/s holds 2 tokens (20 ms worth), full after 20 jiffies.
        let cx = Context::at(cx.pool, 5_100 * MS);
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
