//! # PaintTee — duplicates packets with given paint annotation
//!
//! ```click
//! PaintTee(COLOR [, ANNO])
//! ```
//!
//! Ports: 1 input, 2 outputs (`1/2`). Processing: agnostic input and output
//! 0, push output 1 (`a/ah`).
//!
//! Sends every packet out output 0. When the packet's paint annotation
//! equals COLOR, a copy also goes out output 1. A router uses it to send
//! ICMP redirects for packets that leave through the interface they came in
//! on, while still forwarding them.
//!
//! ## Keywords
//! - `COLOR` *0–255* — the paint value that is copied; mandatory.
//! - `ANNO` *annotation* — `PAINT` (default) or a byte offset (0–47).
//!
//! ## Handlers
//! - `color` (read/write) — the paint value copied.
//!
//! ## Examples
//! ```click
//! FromDevice(eth7) -> Paint(7) -> ...;
//! rt[7] -> pt :: PaintTee(7) -> ... -> ToDevice(eth7);
//! pt[1] -> ICMPError(18.26.4.24, redirect, host) -> [0]rt;
//! ```
//!
//! ## Differences from Click
//! - ANNO accepts only `PAINT` or a byte offset.
//! - Copies are made only on the batch path (`push`); the per-packet path
//!   (`process`) sends the packet out output 0 and makes no copy. When the
//!   pool is exhausted the copy is missing (the pool counts it).

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::paint::{annotation, color_value, Annotation};
use super::tee::copy_to;
use crate::{ElementSpec, Ports};

/// Output every packet takes.
pub const ALL: usize = 0;
/// Output the copies of packets with the right paint take.
pub const COPIES: usize = 1;

/// PaintTee's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaintTee {
    /// The paint value whose packets are copied.
    pub color: u8,
    /// The annotation read.
    pub anno: Annotation,
}

impl PaintTee {
    /// Parses PaintTee's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let color = args.read_mp("COLOR", parse::unsigned::<u8>);
        let anno = args.read_p("ANNO", annotation).unwrap_or_default();
        args.complete()?;
        Ok(PaintTee {
            color: color.unwrap_or_default(),
            anno,
        })
    }
}

impl Element for PaintTee {
    /// Output 0; only `push` makes the copy for output 1.
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, _p: &mut Packet) -> Out {
        Out::Port(ALL)
    }

    #[inline]
    fn push(&mut self, cx: &Context, _input: usize, batch: &mut Batch, others: &mut [Batch]) {
        // Every packet stays in `batch`, output ALL (0); copies of the
        // painted ones go to COPIES (1).
        let Some(copies) = others.get_mut(COPIES - 1) else {
            return;
        };
        for p in batch.iter() {
            if self.anno.get(p) == self.color {
                copy_to(cx, p, copies);
            }
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

/// PaintTee's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "PaintTee",
    port_count: "1/2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["COLOR", "ANNO"],
    handlers: &["color (read/write)"],
    summary: "duplicates packets with given paint annotation",
    source: include_str!("paint_tee.rs"),
    check: |c| PaintTee::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, on_port, run_push};
    use crate::standard::testing::{errors, has};
    use nfc_dataplane::packet::PacketPool;

    #[test]
    fn values() {
        let t = PaintTee::configure("7").unwrap();
        assert_eq!((t.color, t.anno), (7, Annotation::Paint));
        let t = PaintTee::configure("COLOR 2, ANNO 30").unwrap();
        assert_eq!((t.color, t.anno), (2, Annotation::Offset(30)));
    }

    #[test]
    fn bad_values() {
        let errs = errors("", PaintTee::configure(""));
        assert!(errs[0].0.contains("COLOR"), "{errs:?}");
        let cfg = "300, ANNO 50";
        let errs = errors(cfg, PaintTee::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "", "300"), "{errs:?}");
    }

    fn painted(i: usize, pool: &'static PacketPool) -> Packet {
        let mut p = pool.alloc_with(&[i as u8; 6][..i % 6]).unwrap();
        p.set_paint((i % 3) as u8);
        p
    }

    #[test]
    fn copies_matching_packets() {
        let mut t = PaintTee::configure("1").unwrap();
        let pool = harness::pool();
        let sent = run_push(
            &mut t,
            &harness::cx(pool),
            0,
            (0..33).map(|i| painted(i, pool)).collect(),
            2,
        );
        assert_eq!(on_port(&sent, ALL).len(), 33);
        let copies = on_port(&sent, COPIES);
        assert_eq!(copies.len(), 11);
        for (k, c) in copies.iter().enumerate() {
            let i = 3 * k + 1;
            assert_eq!((c.paint, c.data.len()), (1, i % 6));
        }
        drop(sent);
        assert_eq!(pool.available(), pool.capacity());
    }

    #[test]
    fn color_handler() {
        let mut t = PaintTee::configure("1").unwrap();
        t.write_handler("color", "2").unwrap();
        assert_eq!(t.read_handler("color"), Ok("2".into()));
        assert!(t.write_handler("color", "-2").is_err());
        assert_eq!(t.read_handler("anno"), Err(HandlerError::NoSuchHandler));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        // Output 0 alone: what `process` does too.
        check_batch_path(&PaintTee::configure("1").unwrap(), 0, 1, painted);
    }
}
