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

use alloc::format;
use alloc::vec::Vec;
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use super::error;
use crate::{ElementSpec, Ports};

/// Meter's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meter {
    /// Rate thresholds, packets per second, strictly increasing.
    pub rates: Vec<u32>,
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
        Ok(Meter { rates })
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
}
