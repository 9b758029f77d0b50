//! # PaintSwitch — sends packet stream to output chosen per-packet
//!
//! ```click
//! PaintSwitch([ANNO])
//! ```
//!
//! Ports: 1 input, any number of outputs (`1/-`). Processing: push (`h/h`).
//!
//! Pushes each packet out the output whose number is its paint annotation:
//! paint 0 to output 0, paint 1 to output 1, and so on. A packet whose paint
//! names an output that does not exist is dropped.
//!
//! ## Keywords
//! - `ANNO` *annotation* — `PAINT` (default) or a byte offset (0–47).
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ps :: PaintSwitch; ps[0] -> ToDevice(eth0); ps[1] -> ToDevice(eth1);
//! ```
//!
//! ## Differences from Click
//! - ANNO accepts only `PAINT` or a byte offset; Click also allows a
//!   two-byte annotation.

use nfc_dataplane::args::{Args, ConfigErrors};

use super::paint::{annotation, Annotation};
use crate::{ElementSpec, Ports};

/// PaintSwitch's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PaintSwitch {
    /// The annotation read.
    pub anno: Annotation,
}

impl PaintSwitch {
    /// Parses PaintSwitch's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let anno = args.read_p("ANNO", annotation).unwrap_or_default();
        args.complete()?;
        Ok(PaintSwitch { anno })
    }
}

/// PaintSwitch's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "PaintSwitch",
    port_count: "1/-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["ANNO"],
    handlers: &[],
    summary: "sends packet stream to output chosen per-packet",
    source: include_str!("paint_switch.rs"),
    check: |c| PaintSwitch::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn values() {
        assert_eq!(PaintSwitch::configure("").unwrap().anno, Annotation::Paint);
        assert_eq!(
            PaintSwitch::configure("ANNO 4").unwrap().anno,
            Annotation::Offset(4)
        );
    }

    #[test]
    fn bad_values() {
        let cfg = "ANNO 99, 1";
        let errs = errors(cfg, PaintSwitch::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].1, "99");
    }
}
