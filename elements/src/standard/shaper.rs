//! # Shaper — shapes traffic to maximum rate (pkt/s)
//!
//! ```click
//! Shaper(RATE)
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: pull (`l/l`).
//!
//! Hands out at most RATE packets a second on output 0: a pull there
//! pulls a packet from the input only when the rate allows one now, and
//! gets nothing otherwise. Output 1, when connected, gets the packets the
//! rate does not allow: a pull there pulls from the input only when a
//! pull on output 0 would get nothing. Shaper has no timer: it is only as
//! smooth as the pulls it gets (a TimedSink or a ToDevice downstream).
//!
//! The rate is kept as Click's GapRate keeps it: a count of packets sent
//! in the current second, compared with how many the fraction of the
//! second gone by allows (in units of 2⁻¹² of a packet gap), and lowered
//! by RATE at each new second. After a reset, a packet may go at once
//! unless RATE is 0.
//!
//! ## Keywords
//! - `RATE` *unsigned* — packets per second (at most 4096000000); mandatory.
//!
//! ## Handlers
//! - `rate` (read/write) — the rate; writing also resets the count.
//! - `config` (read) — the rate, as Click.
//! - `reset` (write) — start counting afresh, as after configuration.
//!
//! ## Examples
//! ```click
//! q :: Queue -> Shaper(1000) -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - A pull of many packets hands out every packet the rate allows (up to
//!   what was asked), where Click's hands out one per pull; with time
//!   standing still between them the count is the same.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Inputs};
use nfc_dataplane::parse;

use super::rated_splitter::{bandwidth_text, bandwidth_u32};
use crate::{ElementSpec, Ports};

/// Output for the packets the rate allows.
pub const SHAPED: usize = 0;
/// Output for the packets it does not (pulled only when connected).
pub const UNSHAPED: usize = 1;

/// Click's GapRate (`include/click/gaprate.hh`), to the bit: whether a
/// packet may go now at `rate` a second, from the microseconds of the
/// current second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GapRate {
    rate: u32,
    /// The gap between packets, in 2⁻¹² microseconds.
    ugap: u32,
    /// Packets counted in the current second.
    sec_count: i64,
    /// The current second; `None` after a reset.
    sec: Option<u64>,
}

/// GapRate's fixed-point shift.
const UGAP_SHIFT: u32 = 12;
/// The highest rate: a million packets a second, shifted.
const MAX_RATE: u32 = 1_000_000 << UGAP_SHIFT;

impl GapRate {
    /// A gap rate of `rate` a second (at most [`MAX_RATE`]), reset.
    pub(crate) fn new(rate: u32) -> GapRate {
        let rate = rate.min(MAX_RATE);
        GapRate {
            rate,
            // Rate 0: a gap longer than a second.
            ugap: MAX_RATE.checked_div(rate).unwrap_or(MAX_RATE + 1),
            sec_count: 0,
            sec: None,
        }
    }

    /// The rate, a second.
    pub(crate) fn rate(&self) -> u32 {
        self.rate
    }

    /// Starts counting afresh at the next check.
    pub(crate) fn reset(&mut self) {
        self.sec = None;
    }

    /// Whether a packet may go at wall-clock time `wall` (nanoseconds):
    /// Click's `need_update`.
    pub(crate) fn need_update(&mut self, wall: u64) -> bool {
        let (sec, usec) = (wall / 1_000_000_000, (wall % 1_000_000_000 / 1_000) as u32);
        let shifted = usec << UGAP_SHIFT;
        let need = shifted / self.ugap;
        match self.sec {
            None => {
                self.sec = Some(sec);
                let round_up = shifted - need * self.ugap > self.ugap / 2;
                self.sec_count = i64::from(need) + i64::from(round_up);
            }
            Some(s) if sec > s => {
                self.sec = Some(sec);
                if self.sec_count > 0 {
                    self.sec_count -= i64::from(self.rate);
                }
            }
            Some(_) => {}
        }
        i64::from(need) >= self.sec_count
    }

    /// Counts `n` units sent (packets, or bytes for BandwidthShaper).
    pub(crate) fn update_with(&mut self, n: u32) {
        self.sec_count += i64::from(n);
    }
}

/// Shaper's configuration and its gap rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shaper {
    /// Counts bytes (BandwidthShaper) rather than packets.
    bandwidth: bool,
    rate: GapRate,
}

impl Shaper {
    /// Parses Shaper's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Self::configure_as(config, false)
    }

    /// Parses the configuration of Shaper, or of BandwidthShaper with
    /// `bandwidth`.
    pub(crate) fn configure_as(config: &str, bandwidth: bool) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let rate = args.read_mp("RATE", |s| rate_value(s, bandwidth));
        args.complete()?;
        Ok(Shaper {
            bandwidth,
            rate: GapRate::new(rate.unwrap_or_default()),
        })
    }

    /// The rate, packets (or bytes) a second.
    pub fn rate(&self) -> u32 {
        self.rate.rate()
    }
}

/// RATE: packets a second, or a bandwidth in bytes a second.
fn rate_value(s: &str, bandwidth: bool) -> Result<u32, parse::ParseError> {
    if bandwidth {
        bandwidth_u32(s)
    } else {
        parse::unsigned::<u32>(s)
    }
}

impl Element for Shaper {
    fn pull_inputs(
        &mut self,
        cx: &Context,
        output: usize,
        max: usize,
        batch: &mut Batch,
        inputs: &mut dyn Inputs,
    ) {
        for _ in 0..max {
            if batch.is_full() {
                break;
            }
            let allowed = self.rate.need_update(cx.wall);
            if (output == SHAPED) != allowed {
                break;
            }
            let before = batch.len();
            inputs.pull(cx, 0, 1, batch);
            let Some(p) = batch.iter().nth(before) else {
                break;
            };
            if output == SHAPED {
                let n = if self.bandwidth {
                    u32::try_from(p.len()).unwrap_or(u32::MAX)
                } else {
                    1
                };
                self.rate.update_with(n);
            }
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "rate" | "config" if self.bandwidth => Ok(bandwidth_text(self.rate())),
            "rate" | "config" => Ok(self.rate().to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "rate" => {
                let r = rate_value(value.trim(), self.bandwidth)
                    .map_err(|e| HandlerError::Invalid(e.message))?;
                self.rate = GapRate::new(r);
            }
            "reset" => self.rate.reset(),
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// Shaper's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Shaper",
    port_count: "1/1-2",
    processing: "l/l",
    flow_code: "x/x",
    keywords: &["RATE"],
    handlers: &["rate (read/write)", "config (read)", "reset (write)"],
    summary: "shapes traffic to maximum rate (pkt/s)",
    source: include_str!("shaper.rs"),
    check: |c| Shaper::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::testing::errors;

    /// An endless input of `len`-byte packets.
    pub(crate) struct Endless(pub(crate) usize);

    impl Inputs for Endless {
        fn pull(&mut self, cx: &Context, _input: usize, max: usize, batch: &mut Batch) {
            for _ in 0..max {
                let _ = batch.push(cx.pool.alloc_with(&alloc::vec![0u8; self.0]).unwrap());
            }
        }
    }

    const MS: u64 = 1_000_000;
    /// A second boundary, as Click's `--simtime` starts on one.
    const T0: u64 = 1_000_000_000 * 1_000_000_000;

    /// Pulls one packet from output 0, then (if none) one from output 1,
    /// every millisecond for `ms` milliseconds (a RoundRobinSched under a
    /// TimedSink(1ms) sees the same); returns the packets from each.
    pub(crate) fn pull_every_ms<E: Element>(e: &mut E, ms: u64, len: usize) -> (usize, usize) {
        let pool = harness::pool();
        let (mut shaped, mut other) = (0, 0);
        for t in 0..ms {
            let cx = Context::at(pool, T0 + t * MS);
            let mut b = Batch::new();
            e.pull_inputs(&cx, SHAPED, 1, &mut b, &mut Endless(len));
            shaped += b.len();
            if b.is_empty() {
                e.pull_inputs(&cx, UNSHAPED, 1, &mut b, &mut Endless(len));
                other += b.len();
            }
        }
        (shaped, other)
    }

    #[test]
    fn shapes_to_the_rate() {
        for (rate, want) in [(1000, 1000), (500, 500), (250, 250), (100, 100)] {
            let mut s = Shaper::configure(&rate.to_string()).unwrap();
            let (shaped, other) = pull_every_ms(&mut s, 1000, 64);
            assert!(shaped.abs_diff(want) <= 1, "rate {rate}: {shaped}");
            assert_eq!(shaped + other, 1000, "output 1 takes the rest");
        }
        // Rate 0 lets at most one through after a reset.
        let mut s = Shaper::configure("0").unwrap();
        assert!(pull_every_ms(&mut s, 1000, 64).0 <= 1);
    }

    /// Shaper-01 of Click's test suite, one period: 100 packets pulled
    /// through a RoundRobinSched (output 0 on input 0, output 1 on input 1)
    /// by a TimedSink every millisecond, starting at `start`; returns the
    /// packets from output 0.
    fn round_robin_period<E: Element>(e: &mut E, start: u64) -> usize {
        let pool = harness::pool();
        let (mut next, mut left, mut shaped) = (SHAPED, 100, 0);
        for t in 0..150 {
            let cx = Context::at(pool, start + t * MS);
            for output in [next, 1 - next] {
                if left == 0 {
                    break;
                }
                let mut b = Batch::new();
                e.pull_inputs(&cx, output, 1, &mut b, &mut Endless(64));
                if !b.is_empty() {
                    left -= 1;
                    shaped += usize::from(output == SHAPED);
                    next = 1 - output;
                    break;
                }
            }
        }
        assert_eq!(left, 0, "every packet leaves on one output or the other");
        shaped
    }

    #[test]
    fn rate_writes_between_periods() {
        // Click's expected counts for each period's rate.
        let mut s = Shaper::configure("1000").unwrap();
        assert!((98..=100).contains(&round_robin_period(&mut s, T0)));
        for (i, (rate, want)) in [("500", 48..=52), ("250", 23..=27), ("0", 0..=2)]
            .into_iter()
            .enumerate()
        {
            s.write_handler("rate", rate).unwrap();
            s.write_handler("reset", "").unwrap();
            let start = T0 + (i as u64 + 1) * 150 * MS;
            let shaped = round_robin_period(&mut s, start);
            assert!(want.contains(&shaped), "rate {rate}: {shaped}");
        }
    }

    #[test]
    fn gap_rate_counts_per_second() {
        let mut g = GapRate::new(2);
        assert!(g.need_update(T0), "a packet may go after a reset");
        g.update_with(1);
        assert!(!g.need_update(T0 + 100 * MS));
        assert!(
            g.need_update(T0 + 500 * MS),
            "half a second: the second one"
        );
        g.update_with(1);
        assert!(!g.need_update(T0 + 999 * MS));
        assert!(g.need_update(T0 + 1_000 * MS), "a new second");
        g.update_with(1);
        g.reset();
        assert!(g.need_update(T0 + 1_000 * MS));
    }

    #[test]
    fn handlers_and_errors() {
        let mut s = Shaper::configure("RATE 10").unwrap();
        assert_eq!(s.read_handler("rate"), Ok("10".into()));
        s.write_handler("rate", "500").unwrap();
        assert_eq!(s.read_handler("config"), Ok("500".into()));
        s.write_handler("reset", "").unwrap();
        assert!(s.write_handler("rate", "fast").is_err());
        let errs = errors("", Shaper::configure(""));
        assert!(errs[0].0.contains("RATE"), "{errs:?}");
    }
}
