//! # Pad — extends packet length
//!
//! ```click
//! Pad([LENGTH, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Lengthens packets. Without LENGTH (or with LENGTH 0) it appends as many
//! bytes as the packet's extra-length annotation (see Truncate) says were
//! cut off; with LENGTH it instead lengthens every packet shorter than
//! LENGTH bytes to LENGTH bytes. Either way it then clears the
//! extra-length annotation. Added bytes are zero. A packet whose buffer
//! cannot hold the added bytes is dropped and counted.
//!
//! ## Keywords
//! - `LENGTH` *unsigned* — the minimum packet length; default 0.
//! - `ZERO` *boolean* — whether added bytes are zeroed; default true (nfc
//!   zeroes them either way).
//!
//! ## Handlers
//! - `drops` (read) — packets dropped because their buffer was too small.
//!
//! ## Examples
//! ```click
//! FromDump(trace.pcap) -> Pad -> ...;   // restore truncated lengths
//! ... -> Pad(60) -> ToDevice(eth0);     // Ethernet minimum frame size
//! ```
//!
//! ## Differences from Click
//! - `ZERO false` still zeroes the added bytes (they would otherwise hold
//!   an earlier packet's data).
//! - `drops` is nfc's: Click's buffers grow, nfc's are fixed at 2048 bytes.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::truncate::{extra_length, set_extra_length};
use crate::{ElementSpec, Ports};

/// Pad's configuration and its drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pad {
    /// Minimum packet length; 0 pads by the extra-length annotation only.
    pub length: u32,
    /// Whether added bytes are zeroed.
    pub zero: bool,
    /// Packets whose buffer could not take the added bytes.
    drops: u64,
}

impl Pad {
    /// Parses Pad's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let length = args.read_p("LENGTH", parse::unsigned::<u32>).unwrap_or(0);
        let zero = args.read("ZERO", parse::boolean).unwrap_or(true);
        args.complete()?;
        Ok(Pad {
            length,
            zero,
            drops: 0,
        })
    }
}

impl Element for Pad {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let add = if self.length > 0 {
            (self.length as usize).saturating_sub(p.len())
        } else {
            extra_length(p) as usize
        };
        // `put` zeroes what it adds, which covers ZERO true and false alike.
        if add > 0 && p.put(add).is_none() {
            self.drops += 1;
            return Out::Drop;
        }
        set_extra_length(p, 0);
        Out::Port(0)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "drops" => Ok(self.drops.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// Pad's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Pad",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["LENGTH", "ZERO"],
    handlers: &["drops (read)"],
    summary: "extends packet length",
    source: include_str!("pad.rs"),
    check: |c| Pad::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn values() {
        let p = Pad::configure("").unwrap();
        assert_eq!((p.length, p.zero), (0, true));
        let p = Pad::configure("60, ZERO false").unwrap();
        assert_eq!((p.length, p.zero), (60, false));
    }

    #[test]
    fn bad_values() {
        let cfg = "sixty, ZER true";
        let errs = errors(cfg, Pad::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].1, "sixty");
    }

    use crate::harness::{self, check_batch_path, run_push};
    use nfc_dataplane::packet::{BUF_SIZE, HEADROOM};

    #[test]
    fn pads_to_length_or_by_extra_length() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut pad = Pad::configure("6").unwrap();
        let mut p = pool.alloc_with(&[1, 2]).unwrap();
        set_extra_length(&mut p, 100);
        let long = pool.alloc_with(&[3; 8]).unwrap();
        let sent = run_push(&mut pad, &cx, 0, alloc::vec![p, long], 1);
        assert_eq!(
            sent[0].data,
            [1, 2, 0, 0, 0, 0],
            "LENGTH ignores the annotation"
        );
        assert_eq!(sent[1].data, [3; 8]);
        let mut pad = Pad::configure("").unwrap();
        let mut p = pool.alloc_with(&[1, 2]).unwrap();
        set_extra_length(&mut p, 3);
        assert_eq!(pad.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!((p.data(), extra_length(&p)), (&[1u8, 2, 0, 0, 0][..], 0));
    }

    #[test]
    fn drops_what_does_not_fit() {
        let cx = harness::cx(harness::pool());
        let mut pad = Pad::configure("").unwrap();
        let mut p = cx.pool.alloc_with(&[0; 10]).unwrap();
        set_extra_length(&mut p, BUF_SIZE as u32);
        assert_eq!(pad.process(&cx, 0, &mut p), Out::Drop);
        assert_eq!(pad.read_handler("drops"), Ok("1".into()));
        let mut pad = Pad::configure("LENGTH 100000").unwrap();
        let mut p = cx.pool.alloc_with(&[0; 10]).unwrap();
        assert_eq!(pad.process(&cx, 0, &mut p), Out::Drop);
        let mut pad = Pad::configure(&alloc::format!("{}", BUF_SIZE - HEADROOM)).unwrap();
        let mut p = cx.pool.alloc_with(&[0; 10]).unwrap();
        assert_eq!(pad.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.len(), BUF_SIZE - HEADROOM);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["", "9"] {
            check_batch_path(&Pad::configure(cfg).unwrap(), 0, 1, |i, pool| {
                let mut p = pool.alloc_with(&[i as u8; 12][..i % 12]).unwrap();
                let extra = if i % 7 == 6 {
                    BUF_SIZE as u32
                } else {
                    (i % 5) as u32
                };
                set_extra_length(&mut p, extra);
                p
            });
        }
    }
}
