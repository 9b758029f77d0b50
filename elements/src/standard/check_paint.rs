//! # CheckPaint — checks packets' paint annotation
//!
//! ```click
//! CheckPaint(COLOR [, ANNO])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic input and
//! output 0, push output 1 (`a/ah`).
//!
//! Packets whose paint annotation equals COLOR go to output 0. The others
//! are dropped, or pushed out output 1 when it exists. A router uses it to
//! spot packets about to leave through the interface they came in on.
//!
//! ## Keywords
//! - `COLOR` *0–255* — the paint value to match; mandatory.
//! - `ANNO` *annotation* — `PAINT` (default) or a byte offset (0–47).
//!
//! ## Handlers
//! - `color` (read/write) — the paint value matched.
//!
//! ## Examples
//! ```click
//! ... -> cp :: CheckPaint(1) -> ...; cp[1] -> ICMPError(10.0.0.1, redirect, host) -> ...;
//! ```
//!
//! ## Differences from Click
//! - ANNO accepts only `PAINT` or a byte offset.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use super::paint::{annotation, Annotation};
use crate::{ElementSpec, Ports};

/// CheckPaint's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckPaint {
    /// The paint value packets must carry to reach output 0.
    pub color: u8,
    /// The annotation read.
    pub anno: Annotation,
}

impl CheckPaint {
    /// Parses CheckPaint's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let color = args.read_mp("COLOR", parse::unsigned::<u8>);
        let anno = args.read_p("ANNO", annotation).unwrap_or_default();
        args.complete()?;
        Ok(CheckPaint {
            color: color.unwrap_or_default(),
            anno,
        })
    }
}

/// CheckPaint's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "CheckPaint",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["COLOR", "ANNO"],
    handlers: &["color (read/write)"],
    summary: "checks packets' paint annotation",
    source: include_str!("check_paint.rs"),
    check: |c| CheckPaint::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let c = CheckPaint::configure("3, 12").unwrap();
        assert_eq!((c.color, c.anno), (3, Annotation::Offset(12)));
    }

    #[test]
    fn bad_values() {
        let cfg = "red, ANNO foo";
        let errs = errors(cfg, CheckPaint::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "", "red"), "{errs:?}");
        assert!(has(&errs, "annotation", "foo"), "{errs:?}");
    }
}
