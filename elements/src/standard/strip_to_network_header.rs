//! # StripToNetworkHeader — strips everything preceding network header
//!
//! ```click
//! StripToNetworkHeader
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Removes every byte in front of the packet's network header, as marked by
//! the network-header annotation (set by CheckIPHeader, MarkIPHeader and
//! friends). A packet without that annotation passes unchanged. The bytes
//! stay in the buffer's headroom, so Unstrip can bring them back. When the
//! network header lies in front of the data (an earlier Strip went past
//! it), the data is extended back to start at the header, as Click does.
//!
//! ## Keywords
//! None; StripToNetworkHeader takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> CheckIPHeader(14) -> StripToNetworkHeader -> ...;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;

use crate::{ElementSpec, Ports};

/// StripToNetworkHeader's configuration: it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StripToNetworkHeader;

impl StripToNetworkHeader {
    /// Checks that StripToNetworkHeader's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(StripToNetworkHeader)
    }
}

impl Element for StripToNetworkHeader {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if let Some(offset) = p.network_offset() {
            p.pull(offset);
        } else {
            // The header is unset, or in front of the data. Packet reports
            // the offset only when it is not negative: take the whole
            // headroom back, look again, and keep from the header on (or
            // give the headroom back when there is no header at all).
            let room = p.headroom();
            if p.unpull(room) {
                p.pull(p.network_offset().unwrap_or(room));
            }
        }
        Out::Port(0)
    }
}

/// StripToNetworkHeader's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "StripToNetworkHeader",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "strips everything preceding network header",
    source: include_str!("strip_to_network_header.rs"),
    check: |c| StripToNetworkHeader::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        assert_eq!(
            StripToNetworkHeader::configure("").unwrap(),
            StripToNetworkHeader
        );
        assert_eq!(
            StripToNetworkHeader::configure("  // nothing\n").unwrap(),
            StripToNetworkHeader
        );
        let cfg = "1, FOO 2";
        let errs = errors(cfg, StripToNetworkHeader::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    use crate::harness::{self, check_batch_path, run_push};

    #[test]
    fn strips_to_the_header_either_way() {
        let pool = harness::pool();
        let frame = harness::udp_frame([1, 2, 3, 4], [5, 6, 7, 8], 1, 2, 3);
        let mut ahead = pool.alloc_with(&frame).unwrap();
        ahead.set_network_header(14, 20);
        let mut behind = pool.alloc_with(&frame).unwrap();
        behind.set_network_header(14, 20);
        behind.pull(20);
        let unset = pool.alloc_with(&frame).unwrap();
        let sent = run_push(
            &mut StripToNetworkHeader,
            &harness::cx(pool),
            0,
            alloc::vec![ahead, behind, unset],
            1,
        );
        assert_eq!(sent[0].data, frame[14..]);
        assert_eq!(sent[0].network, Some(0));
        assert_eq!(sent[1].data, frame[14..], "pushed back to the header");
        assert_eq!(sent[1].network, Some(0));
        assert_eq!(sent[2].data, frame, "no header: unchanged");
        assert_eq!(sent[2].network, None);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&StripToNetworkHeader, 0, 1, |i, pool| {
            let mut p = pool.alloc_with(&[i as u8; 40][..10 + i % 30]).unwrap();
            match i % 3 {
                0 => p.set_network_header(i % 10, 4),
                1 => {
                    p.set_network_header(2, 4);
                    p.pull(3 + i % 5);
                }
                _ => {}
            }
            p
        });
    }
}
