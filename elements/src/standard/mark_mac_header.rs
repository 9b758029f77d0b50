//! # MarkMACHeader — sets MAC header annotation
//!
//! ```click
//! MarkMACHeader([OFFSET, LENGTH])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Marks each packet as having a link-level (MAC) header of LENGTH bytes
//! starting OFFSET bytes into the packet. As in Click, a nonzero LENGTH
//! also marks the network header as starting right after it (OFFSET +
//! LENGTH); the transport header stays where it was when it lies at or
//! after that point.
//!
//! ## Keywords
//! - `OFFSET` *unsigned* — where the MAC header starts. Default 0.
//! - `LENGTH` *unsigned* — its length. Default 0 (unknown).
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> EtherEncap(0x0800, 1:1:1:1:1:1, 2:2:2:2:2:2) -> MarkMACHeader(0, 14) -> ...
//! ```
//!
//! ## Differences from Click
//! - nfc keeps no MAC-header pointer: no nfc element reads one (Ethernet
//!   elements read the frame from the start of the data). What
//!   MarkMACHeader changes is the network header, as Click's does when
//!   LENGTH is given; with LENGTH 0 packets pass unchanged.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// MarkMACHeader's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MarkMACHeader {
    /// Where the MAC header starts.
    pub offset: u32,
    /// Its length (0: unknown).
    pub length: u32,
}

/// Marks a MAC header of `len` bytes at data offset `offset` the way
/// Click's `set_mac_header(p, len)` does: the network header starts right
/// after it; the transport header keeps its place when it is not in front
/// of the new network header. VLANEncap and VLANDecap call it too.
pub(crate) fn set_mac_header(p: &mut Packet, offset: usize, len: usize) {
    let net = offset + len;
    let trans = p.transport().map(|t| p.len() - t.len());
    let hlen = trans.filter(|&t| t >= net).map_or(0, |t| t - net);
    p.set_network_header(net, hlen);
}

impl MarkMACHeader {
    /// Parses `MarkMACHeader([OFFSET, LENGTH])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let offset = args.read_p("OFFSET", parse::unsigned::<u32>).unwrap_or(0);
        let length = args.read_p("LENGTH", parse::unsigned::<u32>).unwrap_or(0);
        args.complete()?;
        Ok(MarkMACHeader { offset, length })
    }
}

impl Element for MarkMACHeader {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if self.length != 0 {
            set_mac_header(p, self.offset as usize, self.length as usize);
        }
        Out::Port(0)
    }
}

/// MarkMACHeader's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "MarkMACHeader",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["OFFSET", "LENGTH"],
    handlers: &[],
    summary: "sets MAC header annotation",
    source: include_str!("mark_mac_header.rs"),
    check: |c| MarkMACHeader::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path};

    #[test]
    fn configure() {
        assert_eq!(
            MarkMACHeader::configure("").unwrap(),
            MarkMACHeader::default()
        );
        let m = MarkMACHeader::configure("2, 14").unwrap();
        assert_eq!((m.offset, m.length), (2, 14));
        assert!(MarkMACHeader::configure("-1").is_err());
    }

    #[test]
    fn marks_the_network_header_after_it() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut p = pool.alloc_with(&[0; 60]).unwrap();
        p.set_network_header(10, 24);
        MarkMACHeader::configure("0, 14")
            .unwrap()
            .process(&cx, 0, &mut p);
        assert_eq!(p.network_offset(), Some(14));
        assert_eq!(p.network_header_len(), Some(20), "transport kept at 34");
        MarkMACHeader::configure("20, 18")
            .unwrap()
            .process(&cx, 0, &mut p);
        assert_eq!(p.network_offset(), Some(38));
        assert_eq!(p.network_header_len(), Some(0));
        let mut q = pool.alloc_with(&[0; 20]).unwrap();
        MarkMACHeader::configure("4")
            .unwrap()
            .process(&cx, 0, &mut q);
        assert_eq!(q.network_offset(), None, "no length: nothing to mark");
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let m = MarkMACHeader::configure("0, 14").unwrap();
        check_batch_path(&m, 0, 1, |i, pool| {
            pool.alloc_with(&[0; 40][..i % 40]).unwrap()
        });
    }
}
