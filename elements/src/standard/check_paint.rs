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

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::paint::{annotation, color_value, Annotation};
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

/// Output for packets with the right paint.
pub const MATCH: usize = 0;
/// Output for the others (dropped when unconnected).
pub const OTHER: usize = 1;

impl Element for CheckPaint {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if self.anno.get(p) == self.color {
            Out::Port(MATCH)
        } else {
            Out::Port(OTHER)
        }
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

    use crate::harness::{self, check_batch_path, on_port, run_push};

    fn painted(i: usize, pool: &'static nfc_dataplane::packet::PacketPool) -> Packet {
        let mut p = pool.alloc_with(&[i as u8; 20][..i % 20]).unwrap();
        p.set_paint((i % 3) as u8);
        p.anno_mut()[12] = (i % 2) as u8;
        p
    }

    #[test]
    fn sorts_by_paint() {
        let mut c = CheckPaint::configure("1").unwrap();
        let pool = harness::pool();
        let sent = run_push(
            &mut c,
            &harness::cx(pool),
            0,
            (0..9).map(|i| painted(i, pool)).collect(),
            2,
        );
        assert_eq!(on_port(&sent, MATCH).len(), 3);
        assert!(on_port(&sent, MATCH).iter().all(|s| s.paint == 1));
        assert_eq!(on_port(&sent, OTHER).len(), 6);
        // With one output the others are dropped, and their buffers freed.
        let sent = run_push(
            &mut c,
            &harness::cx(pool),
            0,
            (0..9).map(|i| painted(i, pool)).collect(),
            1,
        );
        assert_eq!(sent.len(), 3);
        drop(sent);
        assert_eq!(pool.available(), pool.capacity());
    }

    #[test]
    fn color_handler_and_other_annotations() {
        let mut c = CheckPaint::configure("0, 12").unwrap();
        assert_eq!(c.read_handler("color"), Ok("0".into()));
        c.write_handler("color", "1").unwrap();
        assert!(c.write_handler("color", "x").is_err());
        let cx = harness::cx(harness::pool());
        let mut p = painted(1, cx.pool);
        assert_eq!(c.process(&cx, 0, &mut p), Out::Port(MATCH));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["2", "1, ANNO 12"] {
            let c = CheckPaint::configure(cfg).unwrap();
            check_batch_path(&c, 0, 2, painted);
            check_batch_path(&c, 0, 1, painted);
        }
    }
}
