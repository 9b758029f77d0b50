//! # Strip — strips bytes from front of packets
//!
//! ```click
//! Strip(LENGTH)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Removes the first LENGTH bytes of every packet (all of it, when the packet
//! is shorter). The bytes stay in the buffer's headroom, so Unstrip can put
//! them back.
//!
//! ## Keywords
//! - `LENGTH` *unsigned* — the number of bytes; mandatory.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Strip(14) -> CheckIPHeader -> ...;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Strip's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Strip {
    /// Number of bytes.
    pub length: u32,
}

impl Strip {
    /// Parses Strip's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let length = args.read_mp("LENGTH", parse::unsigned::<u32>);
        args.complete()?;
        // complete() fails when the mandatory LENGTH is missing or bad.
        Ok(Strip {
            length: length.unwrap_or_default(),
        })
    }
}

impl Element for Strip {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        p.pull(self.length as usize);
        Out::Port(0)
    }
}

/// Strip's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Strip",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["LENGTH"],
    handlers: &[],
    summary: "strips bytes from front of packets",
    source: include_str!("strip.rs"),
    check: |c| Strip::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn length() {
        assert_eq!(Strip::configure("14").unwrap().length, 14);
        assert_eq!(Strip::configure("LENGTH 4").unwrap().length, 4);
    }

    #[test]
    fn bad_length() {
        let errs = errors("", Strip::configure(""));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].0.contains("LENGTH"), "{errs:?}");
        let cfg = "14x, 3";
        let errs = errors(cfg, Strip::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].1, "14x");
    }

    use crate::harness::{self, check_batch_path, run_push};

    #[test]
    fn strips_and_keeps_the_bytes_in_the_headroom() {
        let mut s = Strip::configure("14").unwrap();
        let pool = harness::pool();
        let frame = crate::harness::udp_frame([1, 2, 3, 4], [5, 6, 7, 8], 1, 2, 3);
        let packets = alloc::vec![
            pool.alloc_with(&frame).unwrap(),
            pool.alloc_with(&frame[..10]).unwrap(),
        ];
        let sent = run_push(&mut s, &harness::cx(pool), 0, packets, 1);
        assert_eq!(sent[0].data, frame[14..]);
        assert!(sent[1].data.is_empty(), "a short packet loses everything");
        let cx = harness::cx(pool);
        let mut p = pool.alloc_with(&frame).unwrap();
        s.process(&cx, 0, &mut p);
        assert!(p.unpull(14));
        assert_eq!(p.data(), &frame[..]);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&Strip::configure("4").unwrap(), 0, 1, |i, pool| {
            pool.alloc_with(&[i as u8; 9][..i % 9]).unwrap()
        });
    }
}
