//! # Meter — classifies packet stream by rate (pkt/s)
//!
//! ```click
//! Meter(RATE1, RATE2, ..., RATEn)
//! ```
//!
//! Ports: 1 input, 2 or more outputs (`1/2-`). Processing: push (`h/h`).
//!
//! Measures the packet arrival rate with an exponentially weighted moving
//! average and sorts packets by it: while the rate is below RATE1 packets
//! go out output 0, between RATE1 and RATE2 out output 1, and so on; above
//! RATEn they go out output n. With n rates the element has n+1 outputs.
//!
//! The average is Click's: packets are counted per millisecond (Click's
//! user-level jiffy), and each finished millisecond moves the average 1/16
//! of the way toward its count; the average covers finished milliseconds
//! only.
//!
//! ## Keywords
//! - `RATE1` … `RATEn` *unsigned* — thresholds in packets per second, at
//!   least one, strictly increasing.
//!
//! ## Handlers
//! - `rate` (read) — the measured rate.
//!
//! ## Examples
//! ```click
//! m :: Meter(1000, 5000); m[0] -> ...; m[1] -> ...; m[2] -> Discard;
//! ```
//!
//! ## Differences from Click
//! - nfc does not yet check that the element has one output more than rates.
//! - Packets of one batch arrive, for the meter, at the same time (the time
//!   the poll loop read at the start of the round).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::error;
use crate::{ElementSpec, Ports};

/// Nanoseconds in an epoch: Click's user-level jiffy, a millisecond.
const EPOCH: u64 = 1_000_000;
/// Epochs in a second.
const EPOCHS_PER_SECOND: u64 = 1000;
/// The average is kept times 2^SCALE.
const SCALE: u32 = 10;
/// Each epoch moves the average 1/2^STABILITY of the way.
const STABILITY: u32 = 4;
/// After this many empty epochs the average is zero (Click's shortcut).
const FORGET: u64 = 100;

/// Click's RateEWMA: packets per epoch, averaged over finished epochs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct RateEwma {
    /// The epoch being counted.
    epoch: u64,
    /// Packets in that epoch so far.
    count: u64,
    /// Average packets per epoch, times 2^SCALE.
    average: u64,
}

impl RateEwma {
    /// One step of the average toward `count` packets per epoch.
    fn step(average: u64, count: u64) -> u64 {
        let target = count << SCALE;
        if target >= average {
            average + ((target - average) >> STABILITY)
        } else {
            // Round the decrease up, as Click's signed shift does, so
            // that the average reaches its target.
            average - ((average - target).div_ceil(1 << STABILITY))
        }
    }

    /// Counts `n` packets at time `now`, first closing the epochs that
    /// ended.
    #[inline]
    fn update(&mut self, now: u64, n: u64) {
        let epoch = now / EPOCH;
        if epoch > self.epoch {
            self.average = Self::step(self.average, self.count);
            let empty = epoch - self.epoch - 1;
            if empty >= FORGET {
                self.average = 0;
            } else {
                for _ in 0..empty {
                    self.average = Self::step(self.average, 0);
                }
            }
            self.epoch = epoch;
            self.count = 0;
        }
        self.count += n;
    }

    /// The average in packets per second.
    fn per_second(&self) -> u64 {
        (self.average * EPOCHS_PER_SECOND) >> SCALE
    }
}

/// Meter's configuration and its rate estimate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meter {
    /// Rate thresholds, packets per second, strictly increasing.
    pub rates: Vec<u32>,
    /// The thresholds in the average's unit (packets per epoch, scaled).
    thresholds: Vec<u64>,
    rate: RateEwma,
}

impl Meter {
    /// Parses Meter's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let list = args.rest();
        let mut rates = Vec::new();
        let mut last: Option<u32> = None;
        for arg in &list {
            match parse::unsigned::<u32>(&arg.text) {
                Ok(r) => {
                    if last.is_some_and(|l| r <= l) {
                        args.error(error(
                            arg.span.clone(),
                            format!("rate {r} is not above the rate before it"),
                        ));
                    }
                    last = Some(r);
                    rates.push(r);
                }
                Err(e) => args.error(nfc_dataplane::args::ConfigError {
                    span: Some(arg.span.clone()),
                    message: e.message,
                    hint: e.hint,
                }),
            }
        }
        if list.is_empty() {
            args.error(nfc_dataplane::args::ConfigError {
                span: None,
                message: "Meter needs at least one rate".into(),
                hint: Some("for example `Meter(1000)`".into()),
            });
        }
        args.complete()?;
        let thresholds = rates
            .iter()
            .map(|&r| (u64::from(r) << SCALE) / EPOCHS_PER_SECOND)
            .collect();
        Ok(Meter {
            rates,
            thresholds,
            rate: RateEwma::default(),
        })
    }
}

impl Element for Meter {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, _p: &mut Packet) -> Out {
        self.rate.update(cx.now, 1);
        let r = self.rate.average;
        Out::Port(
            self.thresholds
                .iter()
                .position(|&t| r < t)
                .unwrap_or(self.thresholds.len()),
        )
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "rate" => Ok(self.rate.per_second().to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// Meter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Meter",
    port_count: "1/2-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["rate (read)"],
    summary: "classifies packet stream by rate (pkt/s)",
    source: include_str!("meter.rs"),
    check: |c| {
        Meter::configure(c).map(|m| Ports::outputs(m.rates.len() + 1, "one per rate, plus one"))
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        assert_eq!(Meter::configure("1000, 5000").unwrap().rates, [1000, 5000]);
    }

    #[test]
    fn bad_values() {
        let cfg = "500, 100, x";
        let errs = errors(cfg, Meter::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "not above", "100"), "{errs:?}");
        assert!(has(&errs, "", "x"), "{errs:?}");
        let errs = errors("", Meter::configure(""));
        assert!(errs[0].0.contains("at least one"), "{errs:?}");
    }

    use crate::harness::{self, check_batch_path, on_port, run_push};

    const MS: u64 = 1_000_000;

    /// Offers `per_ms` packets every millisecond for `ms` milliseconds
    /// from `start`; returns how many left on each of `outputs` outputs in
    /// the last 10 ms.
    fn offer(m: &mut Meter, start: u64, ms: u64, per_ms: usize, outputs: usize) -> Vec<usize> {
        let pool = harness::pool();
        let mut last = alloc::vec![0; outputs];
        for t in start..start + ms {
            let cx = Context::at(pool, t * MS);
            let packets = (0..per_ms)
                .map(|_| pool.alloc_with(&[0]).unwrap())
                .collect();
            let sent = run_push(m, &cx, 0, packets, outputs);
            if t >= start + ms - 10 {
                for (k, n) in last.iter_mut().enumerate() {
                    *n += on_port(&sent, k).len();
                }
            }
        }
        last
    }

    #[test]
    fn sorts_by_rate() {
        let mut m = Meter::configure("2000, 10000").unwrap();
        // 1 packet a millisecond: 1000/s, under RATE1.
        assert_eq!(offer(&mut m, 1, 300, 1, 3), [10, 0, 0]);
        let rate: u64 = m.read_handler("rate").unwrap().parse().unwrap();
        // Rising steps round down: the average stops 15/1024 short.
        assert!((980..=1000).contains(&rate), "{rate}");
        // 5 a millisecond: 5000/s, between the rates.
        assert_eq!(offer(&mut m, 301, 300, 5, 3), [0, 50, 0]);
        // 20 a millisecond: above RATE2.
        assert_eq!(offer(&mut m, 601, 300, 20, 3), [0, 0, 200]);
        // A long silence forgets everything.
        assert_eq!(offer(&mut m, 5000, 2, 1, 3)[0], 2);
        let rate: u64 = m.read_handler("rate").unwrap().parse().unwrap();
        assert!(rate < 100, "{rate}");
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&Meter::configure("1, 5").unwrap(), 0, 3, |i, pool| {
            pool.alloc_with(&[i as u8; 4][..i % 4]).unwrap()
        });
        // A meter with a measured rate already.
        let mut m = Meter::configure("500").unwrap();
        offer(&mut m, 1, 50, 3, 2);
        check_batch_path(&m, 0, 2, |i, pool| pool.alloc_with(&[i as u8]).unwrap());
    }
}
