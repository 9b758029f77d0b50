//! # Unstrip — unstrips bytes from front of packets
//!
//! ```click
//! Unstrip(LENGTH)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Puts back LENGTH bytes in front of every packet, the reverse of Strip: the
//! packet's data starts LENGTH bytes earlier in its buffer. The bytes are
//! whatever the headroom held (normally the header Strip removed). When the
//! headroom is smaller than LENGTH the data moves back to make room; a
//! packet whose buffer cannot hold LENGTH more bytes is dropped and counted.
//!
//! ## Keywords
//! - `LENGTH` *unsigned* — the number of bytes; mandatory.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped because their buffer was too small.
//!
//! ## Examples
//! ```click
//! ... -> Strip(14) -> CheckIPHeader -> Unstrip(14) -> ...;
//! ```
//!
//! ## Differences from Click
//! - `drops` is nfc's: Click's buffers grow, nfc's are fixed at 2048 bytes.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Unstrip's configuration and its drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unstrip {
    /// Number of bytes.
    pub length: u32,
    /// Packets whose buffer could not take LENGTH more bytes.
    drops: u64,
}

impl Unstrip {
    /// Parses Unstrip's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let length = args.read_mp("LENGTH", parse::unsigned::<u32>);
        args.complete()?;
        // complete() fails when the mandatory LENGTH is missing or bad.
        Ok(Unstrip {
            length: length.unwrap_or_default(),
            drops: 0,
        })
    }
}

impl Element for Unstrip {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if p.push(self.length as usize).is_some() {
            Out::Port(0)
        } else {
            self.drops += 1;
            Out::Drop
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "drops" => Ok(self.drops.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// Unstrip's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Unstrip",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["LENGTH"],
    handlers: &["drops (read)"],
    summary: "unstrips bytes from front of packets",
    source: include_str!("unstrip.rs"),
    check: |c| Unstrip::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn length() {
        assert_eq!(Unstrip::configure("14").unwrap().length, 14);
        assert_eq!(Unstrip::configure("LENGTH 4").unwrap().length, 4);
    }

    #[test]
    fn bad_length() {
        let errs = errors("", Unstrip::configure(""));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].0.contains("LENGTH"), "{errs:?}");
        let cfg = "14x, 3";
        let errs = errors(cfg, Unstrip::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].1, "14x");
    }

    use crate::harness::{self, check_batch_path, run_push};
    use nfc_dataplane::packet::{BUF_SIZE, HEADROOM};

    #[test]
    fn restores_stripped_bytes() {
        let mut u = Unstrip::configure("14").unwrap();
        let pool = harness::pool();
        let frame = harness::udp_frame([1, 2, 3, 4], [5, 6, 7, 8], 1, 2, 3);
        let mut p = pool.alloc_with(&frame).unwrap();
        p.pull(14);
        let sent = run_push(&mut u, &harness::cx(pool), 0, alloc::vec![p], 1);
        assert_eq!(sent[0].data, frame);
    }

    #[test]
    fn moves_data_when_the_headroom_is_short_and_drops_when_full() {
        let cx = harness::cx(harness::pool());
        let mut u = Unstrip::configure("LENGTH 200").unwrap();
        let mut p = cx.pool.alloc_with(&[7; 10]).unwrap();
        assert_eq!(u.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!((p.len(), &p.data()[200..]), (210, &[7u8; 10][..]));
        let mut big = cx.pool.alloc_with(&[0; BUF_SIZE - HEADROOM]).unwrap();
        assert_eq!(u.process(&cx, 0, &mut big), Out::Drop);
        assert_eq!(u.read_handler("drops"), Ok("1".into()));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&Unstrip::configure("6").unwrap(), 0, 1, |i, pool| {
            let mut p = pool.alloc_with(&[i as u8; 40][..20 + i % 20]).unwrap();
            p.pull(6 + i % 9);
            p
        });
        // Some packets too big for the bytes put back. (The others had
        // those bytes stripped: bytes Unstrip exposes beyond what was
        // stripped are stale, different from run to run.)
        check_batch_path(&Unstrip::configure("300").unwrap(), 0, 1, |i, pool| {
            if i % 3 == 0 {
                return pool.alloc_with(&[1; BUF_SIZE - HEADROOM]).unwrap();
            }
            let mut p = pool.alloc_with(&[i as u8; 400]).unwrap();
            p.pull(300 + i % 50);
            p
        });
    }
}
