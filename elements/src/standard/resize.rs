//! # Resize — adjust packet length
//!
//! ```click
//! Resize(HEAD, TAIL)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Adds HEAD bytes in front of each packet and TAIL bytes at its end. A
//! negative number removes bytes instead (at most the whole packet). Bytes
//! added in front are whatever the headroom held — normally what an
//! earlier Strip or Resize removed; bytes added at the end are zero. A
//! packet whose buffer cannot take the added bytes is dropped and counted.
//!
//! ## Keywords
//! - `HEAD` *integer* — bytes added (or, negative, removed) in front.
//!   Default 0.
//! - `TAIL` *integer* — bytes added (or removed) at the end. Default 0.
//!
//! ## Handlers
//! - `head` (read/write), `tail` (read/write) — the HEAD and TAIL settings.
//! - `drops` (read) — packets dropped because their buffer was too small.
//!
//! ## Examples
//! ```click
//! ... -> Resize(HEAD -14) -> ...     // as Strip(14)
//! ... -> Resize(TAIL 4) -> ...       // room for a trailer
//! ```
//!
//! ## Differences from Click
//! - Click's buffers grow and leave added tail bytes uninitialised; nfc's
//!   are fixed at 2048 bytes (so `drops` is nfc's) and zero the tail bytes.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Resize's configuration and its drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Resize {
    /// Bytes added (negative: removed) in front.
    pub head: i32,
    /// Bytes added (negative: removed) at the end.
    pub tail: i32,
    /// Packets whose buffer could not take the added bytes.
    drops: u64,
}

impl Resize {
    /// Parses `Resize([HEAD, TAIL])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let head = args.read_p("HEAD", parse::integer::<i32>).unwrap_or(0);
        let tail = args.read_p("TAIL", parse::integer::<i32>).unwrap_or(0);
        args.complete()?;
        Ok(Resize {
            head,
            tail,
            drops: 0,
        })
    }

    /// Resizes `p`; false when its buffer is too small.
    fn resize(&self, p: &mut Packet) -> bool {
        let (head, tail) = (
            self.head.unsigned_abs() as usize,
            self.tail.unsigned_abs() as usize,
        );
        if self.head > 0 && p.push(head).is_none() {
            return false;
        }
        if self.head < 0 {
            p.pull(head);
        }
        if self.tail > 0 && p.put(tail).is_none() {
            return false;
        }
        if self.tail < 0 {
            p.take(tail);
        }
        true
    }
}

impl Element for Resize {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if self.resize(p) {
            Out::Port(0)
        } else {
            self.drops += 1;
            Out::Drop
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "head" => Ok(self.head.to_string()),
            "tail" => Ok(self.tail.to_string()),
            "drops" => Ok(self.drops.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        let slot = match name {
            "head" => &mut self.head,
            "tail" => &mut self.tail,
            _ => return Err(HandlerError::NoSuchHandler),
        };
        *slot =
            parse::integer::<i32>(value.trim()).map_err(|e| HandlerError::Invalid(e.message))?;
        Ok(())
    }
}

/// Resize's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Resize",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["HEAD", "TAIL"],
    handlers: &["head (read/write)", "tail (read/write)", "drops (read)"],
    summary: "adjust packet length",
    source: include_str!("resize.rs"),
    check: |c| Resize::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path};
    use crate::standard::testing::errors;
    use nfc_dataplane::packet::{BUF_SIZE, HEADROOM};

    #[test]
    fn configure() {
        assert_eq!(Resize::configure("").unwrap(), Resize::default());
        let r = Resize::configure("+4, -2").unwrap();
        assert_eq!((r.head, r.tail), (4, -2));
        let r = Resize::configure("HEAD -8").unwrap();
        assert_eq!((r.head, r.tail), (-8, 0));
        let cfg = "x, TAIL 1.5";
        let errs = errors(cfg, Resize::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    #[test]
    fn clicks_test_file() {
        // Click's test/standard/Resize-01, step by step.
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut p = pool.alloc_with(b"ABCD").unwrap();
        let step = |cfg: &str, p: &mut Packet| {
            assert_eq!(
                Resize::configure(cfg).unwrap().process(&cx, 0, p),
                Out::Port(0)
            );
        };
        step("HEAD -2", &mut p);
        assert_eq!(p.data(), b"CD");
        step("+4, -2", &mut p);
        assert_eq!(&p.data()[2..], b"AB", "the stripped bytes come back");
        assert_eq!(p.len(), 4);
        step("", &mut p);
        assert_eq!(p.len(), 4);
        step("HEAD -8", &mut p);
        assert_eq!(p.len(), 0);
        step("TAIL 3", &mut p);
        assert_eq!(p.data(), &[0, 0, 0]);
    }

    #[test]
    fn too_big_is_dropped_and_counted() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut r = Resize::configure(&alloc::format!("0, {}", BUF_SIZE)).unwrap();
        let mut p = pool.alloc_with(&[1; 10]).unwrap();
        assert_eq!(r.process(&cx, 0, &mut p), Out::Drop);
        let mut r2 = Resize::configure(&alloc::format!("{}", BUF_SIZE - 10 + 1)).unwrap();
        let mut p = pool.alloc_with(&[1; 10]).unwrap();
        assert_eq!(r2.process(&cx, 0, &mut p), Out::Drop);
        assert_eq!(r.read_handler("drops").unwrap(), "1");
        let mut r3 = Resize::configure(&alloc::format!("{}", HEADROOM + 5)).unwrap();
        let mut p = pool.alloc_with(&[1; 10]).unwrap();
        assert_eq!(r3.process(&cx, 0, &mut p), Out::Port(0), "data moves back");
        assert_eq!(&p.data()[HEADROOM + 5..], &[1; 10]);
    }

    #[test]
    fn handlers() {
        let mut r = Resize::configure("1, 2").unwrap();
        r.write_handler("head", " -3 ").unwrap();
        assert_eq!(r.read_handler("head").unwrap(), "-3");
        assert_eq!(r.read_handler("tail").unwrap(), "2");
        assert!(r.write_handler("tail", "x").is_err());
        assert_eq!(r.read_handler("x"), Err(HandlerError::NoSuchHandler));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let r = Resize::configure("-3, 2").unwrap();
        check_batch_path(&r, 0, 1, |i, pool| {
            pool.alloc_with(&[i as u8; 8][..i % 8]).unwrap()
        });
    }
}
