//! # Truncate — limits packet length
//!
//! ```click
//! Truncate(LENGTH [, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Cuts every packet longer than LENGTH bytes down to LENGTH bytes; shorter
//! packets pass unchanged. When EXTRA_LENGTH is true the bytes removed are
//! added to the packet's extra-length annotation, so that ToDump still
//! records the original length.
//!
//! ## Keywords
//! - `LENGTH` *unsigned* — the most bytes a packet keeps; mandatory.
//! - `EXTRA_LENGTH` *boolean* — record removed bytes as extra length; default true.
//!
//! ## Handlers
//! - `length` (read/write) — LENGTH.
//! - `nbytes` (read/write) — LENGTH, under Click's name.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Truncate(96) -> ToDump(heads.pcap);
//! ```
//!
//! ## Differences from Click
//! - none. The extra-length annotation is Click's: four bytes at offset 28
//!   of the annotation area, in host byte order.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

pub use nfc_dataplane::packet::EXTRA_LENGTH_ANNO;

/// The extra-length annotation of `p`.
#[inline]
pub fn extra_length(p: &Packet) -> u32 {
    let a = p.anno();
    u32::from_ne_bytes([
        a[EXTRA_LENGTH_ANNO],
        a[EXTRA_LENGTH_ANNO + 1],
        a[EXTRA_LENGTH_ANNO + 2],
        a[EXTRA_LENGTH_ANNO + 3],
    ])
}

/// Sets the extra-length annotation of `p`.
#[inline]
pub fn set_extra_length(p: &mut Packet, n: u32) {
    p.anno_mut()[EXTRA_LENGTH_ANNO..EXTRA_LENGTH_ANNO + 4].copy_from_slice(&n.to_ne_bytes());
}

/// Truncate's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truncate {
    /// The most bytes a packet keeps.
    pub length: u32,
    /// Whether removed bytes are added to the extra-length annotation.
    pub extra_length: bool,
}

impl Truncate {
    /// Parses Truncate's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let length = args.read_mp("LENGTH", parse::unsigned::<u32>);
        let extra_length = args.read("EXTRA_LENGTH", parse::boolean).unwrap_or(true);
        args.complete()?;
        Ok(Truncate {
            length: length.unwrap_or_default(),
            extra_length,
        })
    }
}

impl Element for Truncate {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let extra = p.len().saturating_sub(self.length as usize);
        if extra > 0 {
            if self.extra_length {
                let n = extra_length(p).saturating_add(u32::try_from(extra).unwrap_or(u32::MAX));
                set_extra_length(p, n);
            }
            p.take(extra);
        }
        Out::Port(0)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "length" | "nbytes" => Ok(self.length.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "length" | "nbytes" => {
                self.length = parse::unsigned::<u32>(value.trim())
                    .map_err(|e| HandlerError::Invalid(e.message))?;
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// Truncate's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Truncate",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["LENGTH", "EXTRA_LENGTH"],
    handlers: &["length (read/write)", "nbytes (read/write)"],
    summary: "limits packet length",
    source: include_str!("truncate.rs"),
    check: |c| Truncate::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let t = Truncate::configure("96, EXTRA_LENGTH false").unwrap();
        assert_eq!((t.length, t.extra_length), (96, false));
        assert!(Truncate::configure("LENGTH 60").unwrap().extra_length);
    }

    #[test]
    fn bad_values() {
        let cfg = "-1, EXTRA_LENGTH perhaps";
        let errs = errors(cfg, Truncate::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "", "-1"), "{errs:?}");
        assert!(has(&errs, "", "perhaps"), "{errs:?}");
    }

    use crate::harness::{self, check_batch_path, run_push};

    #[test]
    fn cuts_long_packets_and_records_the_rest() {
        let mut t = Truncate::configure("4").unwrap();
        let pool = harness::pool();
        let mut p = pool.alloc_with(&[1, 2, 3, 4, 5, 6]).unwrap();
        set_extra_length(&mut p, 10);
        let short = pool.alloc_with(&[9, 9]).unwrap();
        let cx = harness::cx(pool);
        let mut got = alloc::vec::Vec::new();
        for mut q in [p, short] {
            assert_eq!(t.process(&cx, 0, &mut q), Out::Port(0));
            got.push((q.data().to_vec(), extra_length(&q)));
        }
        assert_eq!(got[0], (alloc::vec![1, 2, 3, 4], 12));
        assert_eq!(got[1], (alloc::vec![9, 9], 0));
        let mut t = Truncate::configure("1, EXTRA_LENGTH false").unwrap();
        let mut q = pool.alloc_with(&[1, 2, 3]).unwrap();
        t.process(&cx, 0, &mut q);
        assert_eq!((q.len(), extra_length(&q)), (1, 0));
        let sent = run_push(&mut t, &cx, 0, alloc::vec![q], 1);
        assert_eq!(sent[0].data, [1]);
    }

    #[test]
    fn length_handler() {
        let mut t = Truncate::configure("4").unwrap();
        t.write_handler("nbytes", "60").unwrap();
        assert_eq!(t.read_handler("length"), Ok("60".into()));
        assert!(t.write_handler("length", "-1").is_err());
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&Truncate::configure("5").unwrap(), 0, 1, |i, pool| {
            let mut p = pool.alloc_with(&[i as u8; 12][..i % 12]).unwrap();
            set_extra_length(&mut p, i as u32);
            p
        });
    }
}
