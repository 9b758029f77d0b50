//! # RandomSample — samples packets with some probability
//!
//! ```click
//! RandomSample([P, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic input
//! and output 0, push output 1 (`a/ah`).
//!
//! Passes each packet to output 0 with probability P; the others go to
//! output 1 if it is connected, and are dropped otherwise. When inactive,
//! every packet passes.
//!
//! ## Keywords
//! - `P`, `SAMPLE` *0–1* — the sampling probability. Default 1.
//! - `DROP` *0–1* — the drop probability (1 − P); give at most one of
//!   SAMPLE and DROP.
//! - `ACTIVE` *boolean* — sample at all. Default true.
//!
//! ## Handlers
//! - `sampling_prob` (read/write), `drop_prob` (read/write) — the
//!   probabilities.
//! - `active` (read/write) — the ACTIVE setting.
//! - `drops` (read) — packets not sampled.
//! - `config` (read) — `SAMPLE p, ACTIVE b`.
//!
//! ## Examples
//! ```click
//! ... -> RandomSample(0.01) -> ToDump(sample.pcap);
//! ```
//!
//! ## Differences from Click
//! - Probabilities read back with up to eight decimals; Click prints the
//!   28-bit fixed-point value exactly.

use alloc::string::{String, ToString};

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::discard::bool_value;
use crate::devices::from_dump::probability;
use crate::{ElementSpec, Ports};

/// Bits of the fixed-point probabilities (Click's `SAMPLING_SHIFT`).
const SHIFT: u32 = 28;
/// Probability 1.
const ONE: u32 = 1 << SHIFT;

/// RandomSample's configuration and state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomSample {
    /// Sampling probability, fixed point with [`SHIFT`] bits.
    pub sampling: u32,
    /// Sample at all.
    pub active: bool,
    /// Packets not sampled.
    drops: u64,
    /// xorshift32 state; 0 until seeded from the platform's entropy.
    rng: u32,
}

fn fixed(s: &str) -> Result<u32, parse::ParseError> {
    probability(s).map(|p| (p * f64::from(ONE) + 0.5) as u32)
}

fn unparse(v: u32) -> String {
    let s = alloc::format!("{:.8}", f64::from(v) / f64::from(ONE));
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

impl RandomSample {
    /// Parses `RandomSample([P, KEYWORDS])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let p = args.read_p("P", fixed);
        let sample = args.read("SAMPLE", fixed);
        let drop = args.read("DROP", fixed);
        let active = args.read("ACTIVE", parse::boolean).unwrap_or(true);
        if sample.is_some() && drop.is_some() {
            let span = args.span_of("DROP");
            args.error(ConfigError::new(
                span,
                "give at most one of SAMPLE and DROP",
            ));
        }
        args.complete()?;
        let sampling = match (sample.or(p), drop) {
            (_, Some(d)) => ONE - d,
            (Some(s), None) => s,
            (None, None) => ONE,
        };
        Ok(RandomSample {
            sampling,
            active,
            drops: 0,
            rng: 0,
        })
    }

    /// The next random 28-bit number.
    fn random(&mut self, cx: &Context) -> u32 {
        if self.rng == 0 {
            self.rng = (cx.seed ^ cx.seed >> 32) as u32 | 1;
        }
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 17;
        self.rng ^= self.rng << 5;
        self.rng & (ONE - 1)
    }
}

impl Element for RandomSample {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, _p: &mut Packet) -> Out {
        if !self.active || self.random(cx) < self.sampling {
            Out::Port(0)
        } else {
            self.drops += 1;
            Out::Port(1)
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "sampling_prob" => unparse(self.sampling),
            "drop_prob" => unparse(ONE - self.sampling),
            "active" => self.active.to_string(),
            "drops" => self.drops.to_string(),
            "config" => alloc::format!("SAMPLE {}, ACTIVE {}", unparse(self.sampling), self.active),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        let prob = || {
            fixed(value.trim()).map_err(|_| {
                HandlerError::Invalid("Must be given a number between 0.0 and 1.0".into())
            })
        };
        match name {
            "sampling_prob" => self.sampling = prob()?,
            "drop_prob" => self.sampling = ONE - prob()?,
            "active" => self.active = bool_value(value)?,
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// RandomSample's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "RandomSample",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["P", "SAMPLE", "DROP", "ACTIVE"],
    handlers: &[
        "sampling_prob (read/write)",
        "drop_prob (read/write)",
        "active (read/write)",
        "drops (read)",
        "config (read)",
    ],
    summary: "samples packets with some probability",
    source: include_str!("random_sample.rs"),
    check: |c| RandomSample::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, on_port, run_push};

    #[test]
    fn configure() {
        assert_eq!(RandomSample::configure("").unwrap().sampling, ONE);
        assert_eq!(RandomSample::configure("0.5").unwrap().sampling, ONE / 2);
        assert_eq!(RandomSample::configure("DROP 0").unwrap().sampling, ONE);
        assert_eq!(
            RandomSample::configure("DROP 0.25").unwrap().sampling,
            ONE / 4 * 3
        );
        for bad in ["1.5", "SAMPLE 0.1, DROP 0.1", "ACTIVE maybe", "x"] {
            assert!(RandomSample::configure(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn samples_about_p_of_the_packets() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut s = RandomSample::configure("0.25").unwrap();
        let mut kept = 0;
        for _ in 0..10_000 {
            let mut p = pool.alloc_with(&[0]).unwrap();
            if s.process(&cx, 0, &mut p) == Out::Port(0) {
                kept += 1;
            }
        }
        assert!((2_200..2_800).contains(&kept), "{kept}");
        assert_eq!(
            s.read_handler("drops").unwrap(),
            (10_000 - kept).to_string()
        );
        s.write_handler("active", "false").unwrap();
        let sent = run_push(
            &mut s,
            &cx,
            0,
            (0..33).map(|_| pool.alloc().unwrap()).collect(),
            2,
        );
        assert_eq!(on_port(&sent, 0).len(), 33, "inactive: everything passes");
    }

    #[test]
    fn handlers() {
        let mut s = RandomSample::configure("SAMPLE 0.75").unwrap();
        assert_eq!(s.read_handler("sampling_prob").unwrap(), "0.75");
        assert_eq!(s.read_handler("drop_prob").unwrap(), "0.25");
        assert_eq!(
            s.read_handler("config").unwrap(),
            "SAMPLE 0.75, ACTIVE true"
        );
        s.write_handler("drop_prob", "1").unwrap();
        assert_eq!(s.read_handler("sampling_prob").unwrap(), "0");
        assert!(s.write_handler("sampling_prob", "2").is_err());
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let s = RandomSample::configure("0.5").unwrap();
        check_batch_path(&s, 0, 2, |i, pool| pool.alloc_with(&[i as u8]).unwrap());
    }
}
