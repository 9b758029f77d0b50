//! # Paint — sets packet paint annotations
//!
//! ```click
//! Paint(COLOR [, ANNO])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Writes COLOR, a byte, into each packet's paint annotation and passes the
//! packet on. Later elements (PaintSwitch, CheckPaint, ICMP error generators
//! that want to know which interface a packet came in on) read it back.
//!
//! ## Keywords
//! - `COLOR` *0–255* — the paint value; mandatory.
//! - `ANNO` *annotation* — which annotation byte to write: `PAINT` (the
//!   default) or a byte offset into the annotation area (0–47).
//!
//! ## Handlers
//! - `color` (read/write) — the paint value.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Paint(1) -> ...;
//! ```
//!
//! ## Differences from Click
//! - ANNO accepts only `PAINT` or a byte offset, not Click's other
//!   annotation names.

use alloc::format;
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse::{self, ParseError};

use crate::{ElementSpec, Ports};

/// Size of the per-packet annotation area Click elements address by offset.
pub const ANNO_AREA_SIZE: u8 = 48;

/// An annotation byte named in a configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Annotation {
    /// The paint annotation.
    #[default]
    Paint,
    /// A byte offset into the annotation area.
    Offset(u8),
}

/// Parses an annotation: `PAINT` or a byte offset below [`ANNO_AREA_SIZE`].
pub fn annotation(text: &str) -> Result<Annotation, ParseError> {
    if text == "PAINT" {
        return Ok(Annotation::Paint);
    }
    let hint = Some(format!(
        "an annotation is PAINT or a byte offset from 0 to {}",
        ANNO_AREA_SIZE - 1
    ));
    match parse::unsigned::<u8>(text) {
        Ok(n) if n < ANNO_AREA_SIZE => Ok(Annotation::Offset(n)),
        Ok(n) => Err(ParseError {
            message: format!("annotation offset {n} is past the annotation area"),
            hint,
        }),
        Err(_) => Err(ParseError {
            message: format!("expected annotation, found \"{text}\""),
            hint,
        }),
    }
}

/// Paint's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    /// The paint value written.
    pub color: u8,
    /// The annotation written.
    pub anno: Annotation,
}

impl Paint {
    /// Parses Paint's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let color = args.read_mp("COLOR", parse::unsigned::<u8>);
        let anno = args.read_p("ANNO", annotation).unwrap_or_default();
        args.complete()?;
        Ok(Paint {
            color: color.unwrap_or_default(),
            anno,
        })
    }
}

/// Paint's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Paint",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["COLOR", "ANNO"],
    handlers: &["color (read/write)"],
    summary: "sets packet paint annotations",
    source: include_str!("paint.rs"),
    check: |c| Paint::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        assert_eq!(
            Paint::configure("2").unwrap(),
            Paint {
                color: 2,
                anno: Annotation::Paint
            }
        );
        assert_eq!(
            Paint::configure("COLOR 7, ANNO 20").unwrap().anno,
            Annotation::Offset(20)
        );
        assert_eq!(
            Paint::configure("7, PAINT").unwrap().anno,
            Annotation::Paint
        );
    }

    #[test]
    fn bad_values() {
        let cfg = "256, 48";
        let errs = errors(cfg, Paint::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "", "256"), "{errs:?}");
        assert!(has(&errs, "annotation area", "48"), "{errs:?}");
        let errs = errors("", Paint::configure(""));
        assert!(errs[0].0.contains("COLOR"), "{errs:?}");
    }
}
