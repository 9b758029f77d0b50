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
//! packets per second even when the input rate is higher.
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
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// RatedSplitter's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatedSplitter {
    /// Packets per second sent out output 0.
    pub rate: u32,
}

impl RatedSplitter {
    /// Parses RatedSplitter's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let rate = args.read_mp("RATE", parse::unsigned::<u32>);
        args.complete()?;
        Ok(RatedSplitter {
            rate: rate.unwrap_or_default(),
        })
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
}
