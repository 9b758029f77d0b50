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
use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::{Packet, PAINT_ANNO};
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

impl Annotation {
    /// The annotation byte's offset in the packet's annotation area.
    #[inline]
    pub fn offset(self) -> usize {
        match self {
            Annotation::Paint => PAINT_ANNO,
            Annotation::Offset(n) => usize::from(n),
        }
    }

    /// The annotation's value in `p`.
    #[inline]
    pub fn get(self, p: &Packet) -> u8 {
        // Offsets are below ANNO_AREA_SIZE, the size of the area.
        p.anno().get(self.offset()).copied().unwrap_or(0)
    }

    /// Sets the annotation in `p` to `value`.
    #[inline]
    pub fn set(self, p: &mut Packet, value: u8) {
        if let Some(b) = p.anno_mut().get_mut(self.offset()) {
            *b = value;
        }
    }
}

/// Reads a `color` handler value: a number from 0 to 255.
pub(crate) fn color_value(value: &str) -> Result<u8, HandlerError> {
    parse::unsigned::<u8>(value.trim()).map_err(|e| HandlerError::Invalid(e.message))
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

impl Element for Paint {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        self.anno.set(p, self.color);
        Out::Port(0)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "color" => Ok(self.color.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "color" => self.color = color_value(value)?,
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
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

    use crate::harness::{self, check_batch_path, run_push};

    #[test]
    fn paints_every_packet() {
        let mut p = Paint::configure("7").unwrap();
        let pool = harness::pool();
        let packets = (0..3)
            .map(|i| {
                let mut q = pool.alloc_with(&[i as u8; 10]).unwrap();
                q.set_paint(i as u8);
                q
            })
            .collect();
        let sent = run_push(&mut p, &harness::cx(pool), 0, packets, 1);
        assert_eq!(sent.len(), 3);
        assert!(sent.iter().all(|s| s.paint == 7));
        assert_eq!(sent[2].data, [2; 10]);
    }

    #[test]
    fn writes_other_annotation_bytes() {
        let mut p = Paint::configure("9, ANNO 20").unwrap();
        let cx = harness::cx(harness::pool());
        let mut q = cx.pool.alloc_with(&[1]).unwrap();
        q.set_paint(3);
        assert_eq!(p.process(&cx, 0, &mut q), Out::Port(0));
        assert_eq!((q.anno()[20], q.paint()), (9, 3));
    }

    #[test]
    fn color_handler() {
        let mut p = Paint::configure("1").unwrap();
        p.write_handler("color", " 200\n").unwrap();
        assert_eq!(p.read_handler("color"), Ok("200".into()));
        assert!(p.write_handler("color", "300").is_err());
        assert_eq!(p.read_handler("colour"), Err(HandlerError::NoSuchHandler));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let p = Paint::configure("COLOR 5").unwrap();
        check_batch_path(&p, 0, 1, |i, pool| {
            let mut q = pool.alloc_with(&[0u8; 40][..i % 40]).unwrap();
            q.set_paint(i as u8);
            q
        });
    }
}
