//! # Clipboard — copies data from one packet to another
//!
//! ```click
//! Clipboard(RANGE_1, ..., RANGE_N)
//! ```
//!
//! Ports: 2 inputs, 2 outputs (`2/2`). Processing: agnostic (`a/a`).
//! Packets on input 0 leave on output 0, packets on input 1 on output 1.
//!
//! Each RANGE is `OFFSET/LENGTH`: LENGTH bytes starting OFFSET bytes into
//! the packet. A packet arriving on input 0 has the bytes of every range
//! copied to the clipboard and leaves unchanged on output 0. A packet
//! arriving on input 1 has the clipboard's bytes written over the same
//! ranges and leaves on output 1 — unless it is too short to hold every
//! range, in which case it leaves unchanged. So the data of one packet can
//! be copied into any number of later ones.
//!
//! The clipboard starts out zero. A range that lies (partly) past the end
//! of a packet on input 0 keeps its previous clipboard bytes there.
//!
//! ## Keywords
//! None; the ranges are positional.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! // Copy the source MAC address of ARP requests into later frames.
//! cb :: Clipboard(6/6);
//! arp -> [0]cb[0] -> Discard;
//! frames -> [1]cb[1] -> out;
//! ```
//!
//! ## Differences from Click
//! - Click copies from past the end of a short input-0 packet (undefined
//!   bytes); nfc leaves those clipboard bytes as they were.

use alloc::vec::Vec;

use nfc_dataplane::args::{split, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// One byte range: LENGTH bytes at OFFSET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// Offset of the first byte.
    pub offset: u32,
    /// Number of bytes.
    pub length: u32,
}

/// Clipboard's ranges and the bytes they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clipboard {
    /// The ranges, in order.
    pub ranges: Vec<Range>,
    /// Their bytes, range after range.
    clip: Vec<u8>,
    /// The shortest packet that holds every range.
    min_len: usize,
}

/// Input and output of the packets copied from.
const COPY: usize = 0;
/// Input and output of the packets pasted into.
const PASTE: usize = 1;

impl Clipboard {
    /// Parses `Clipboard(OFFSET/LENGTH, ...)`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut ranges = Vec::new();
        let mut errors = Vec::new();
        for (n, arg) in split(config).iter().enumerate() {
            let text = arg.text.as_str();
            let slash = text.find('/').filter(|&i| i > 0 && i + 1 < text.len());
            let Some(i) = slash else {
                errors.push(
                    ConfigError::new(
                        Some(arg.span.clone()),
                        alloc::format!("range {n}: expected '/' between offset and length"),
                    )
                    .with_hint("a range looks like 14/6: 6 bytes at offset 14"),
                );
                continue;
            };
            match (
                parse::unsigned::<u32>(&text[..i]),
                parse::unsigned::<u32>(&text[i + 1..]),
            ) {
                (Ok(offset), Ok(length)) => ranges.push(Range { offset, length }),
                _ => errors.push(ConfigError::new(
                    Some(arg.span.clone()),
                    alloc::format!("range {n}: invalid offset or length"),
                )),
            }
        }
        if !errors.is_empty() {
            return Err(ConfigErrors(errors));
        }
        let size = ranges.iter().map(|r| r.length as usize).sum();
        let min_len = ranges
            .iter()
            .map(|r| r.offset as usize + r.length as usize)
            .max()
            .unwrap_or(0);
        Ok(Clipboard {
            ranges,
            clip: alloc::vec![0; size],
            min_len,
        })
    }

    /// The ranges, each with where its bytes sit in the clipboard.
    fn spans(&self) -> impl Iterator<Item = (core::ops::Range<usize>, usize)> + '_ {
        self.ranges.iter().scan(0usize, |at, r| {
            let (off, len) = (r.offset as usize, r.length as usize);
            let clip_at = *at;
            *at += len;
            Some((off..off + len, clip_at))
        })
    }

    fn copy(&mut self, data: &[u8]) {
        let spans: Vec<_> = self.spans().collect();
        for (range, at) in spans {
            let start = range.start.min(data.len());
            let end = range.end.min(data.len());
            let n = end - start;
            self.clip[at..at + n].copy_from_slice(&data[start..end]);
        }
    }

    fn paste(&self, data: &mut [u8]) {
        if data.len() < self.min_len {
            return;
        }
        for (range, at) in self.spans() {
            let n = range.len();
            data[range].copy_from_slice(&self.clip[at..at + n]);
        }
    }
}

impl Element for Clipboard {
    #[inline]
    fn process(&mut self, _cx: &Context, input: usize, p: &mut Packet) -> Out {
        if input == COPY {
            self.copy(p.data());
            Out::Port(COPY)
        } else {
            self.paste(p.data_mut());
            Out::Port(PASTE)
        }
    }
}

/// Clipboard's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Clipboard",
    port_count: "2/2",
    processing: "a/a",
    flow_code: "#/#",
    keywords: &[],
    handlers: &[],
    summary: "copies data from one packet to another",
    source: include_str!("clipboard.rs"),
    check: |c| Clipboard::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, run_push};

    #[test]
    fn configure() {
        let c = Clipboard::configure("0/1, 2/1, 9/1").unwrap();
        assert_eq!(c.ranges.len(), 3);
        assert_eq!(c.min_len, 10);
        assert_eq!(c.clip, [0, 0, 0]);
        for bad in ["5", "/5", "5/", "a/1", "1/b", "1/2, 3"] {
            assert!(Clipboard::configure(bad).is_err(), "{bad:?}");
        }
        let cfg = "1/2, 7";
        let e = Clipboard::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "7");
    }

    #[test]
    fn clicks_test_file() {
        // Click's test/standard/Clipboard-01: names pasted into a sentence.
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut c = Clipboard::configure("0/1, 2/1, 9/1").unwrap();
        let sentence = || pool.alloc_with(b".a. is a .at,").unwrap();
        let mut out = Vec::new();
        for word in [&b"Simplistic"[..], b"Dance tour", b"Ionize tub"] {
            let mut s = sentence();
            assert_eq!(c.process(&cx, PASTE, &mut s), Out::Port(PASTE));
            out.push(s.data().to_vec());
            let mut w = pool.alloc_with(word).unwrap();
            assert_eq!(c.process(&cx, COPY, &mut w), Out::Port(COPY));
            assert_eq!(w.data(), word, "copied from, not changed");
        }
        let mut s = sentence();
        c.process(&cx, PASTE, &mut s);
        out.push(s.data().to_vec());
        assert_eq!(out[0], b"\0a\0 is a \0at,");
        assert_eq!(out[1], b"Sam is a cat,");
        assert_eq!(out[2], b"Dan is a rat,");
        assert_eq!(out[3], b"Ian is a bat,");
        // Too short for the 9/1 range: unchanged.
        let mut short = pool.alloc_with(b"xxxx").unwrap();
        c.process(&cx, PASTE, &mut short);
        assert_eq!(short.data(), b"xxxx");
        // A short packet copies what it has.
        let mut w = pool.alloc_with(b"Zo").unwrap();
        c.process(&cx, COPY, &mut w);
        assert_eq!(c.clip, *b"Znb");
    }

    #[test]
    fn batches_go_to_their_outputs() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut c = Clipboard::configure("0/2").unwrap();
        let sent = run_push(
            &mut c,
            &cx,
            COPY,
            alloc::vec![pool.alloc_with(b"hi!").unwrap()],
            2,
        );
        assert_eq!(sent[0].port, COPY);
        let sent = run_push(
            &mut c,
            &cx,
            PASTE,
            (0..33).map(|_| pool.alloc_with(b"....").unwrap()).collect(),
            2,
        );
        assert_eq!(sent.len(), 33);
        assert!(sent.iter().all(|s| s.port == PASTE && s.data == b"hi.."));
        check_batch_path(&c, PASTE, 2, |i, pool| {
            pool.alloc_with(&[i as u8; 5][..i % 5]).unwrap()
        });
    }
}
