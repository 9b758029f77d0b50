//! # MarkIPHeader — sets IP header annotation
//!
//! ```click
//! MarkIPHeader([OFFSET])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Marks each packet as having an IP header starting OFFSET bytes into the
//! packet, without checking it, and sets the transport header annotation just
//! after it (using the header length field).
//!
//! ## Keywords
//! - `OFFSET` *N* — byte offset of the IP header. Default 0.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> MarkIPHeader(14) -> IPClassifier(...)
//! ```
//!
//! ## Differences from Click
//! - A packet shorter than OFFSET + 1 bytes (no header-length byte) is
//!   marked with an empty IP header at the end of its data instead of
//!   reading past it.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// MarkIPHeader's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkIPHeader {
    /// Byte offset of the IP header.
    pub offset: u32,
}

impl MarkIPHeader {
    /// Parses `MarkIPHeader([OFFSET])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let offset = args.read_p("OFFSET", parse::unsigned::<u32>).unwrap_or(0);
        args.complete()?;
        Ok(MarkIPHeader { offset })
    }
}

impl Element for MarkIPHeader {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let offset = self.offset as usize;
        let hlen = p
            .data()
            .get(offset)
            .map_or(0, |&b| usize::from(b & 0x0f) * 4);
        p.set_network_header(offset, hlen);
        Out::Port(0)
    }
}

/// MarkIPHeader's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "MarkIPHeader",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["OFFSET"],
    handlers: &[],
    summary: "sets IP header annotation",
    source: include_str!("mark_ip_header.rs"),
    check: |c| MarkIPHeader::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert_eq!(MarkIPHeader::configure("").unwrap().offset, 0);
        assert_eq!(MarkIPHeader::configure("14").unwrap().offset, 14);
        assert_eq!(MarkIPHeader::configure("OFFSET 2").unwrap().offset, 2);
        let cfg = "x, 3";
        let e = MarkIPHeader::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "x");
        assert_eq!(e[1].message, "too many arguments");
    }

    use crate::harness::{self, check_batch_path, run_push};
    use crate::ip::ip_header::testing::ipv4;

    /// Packets with 0-3 bytes of link header, some with options, some cut
    /// short before the header.
    fn frame(i: usize) -> alloc::vec::Vec<u8> {
        let opts: &[u8] = if i % 2 == 0 { &[] } else { &[1, 1, 1, 0] };
        let mut f = alloc::vec![0xee; i % 4];
        f.extend(ipv4(17, [1, 1, 1, 1], [2, 2, 2, i as u8], opts, &[9; 3]));
        if i % 5 == 4 {
            f.truncate(2);
        }
        f
    }

    #[test]
    fn marks_the_header_and_the_transport_header() {
        let mut m = MarkIPHeader::configure("2").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let with_link = |opts: &[u8]| {
            let mut f = alloc::vec![0xee; 2];
            f.extend(ipv4(17, [1, 1, 1, 1], [2, 2, 2, 2], opts, &[9; 3]));
            f
        };
        let mut p = pool.alloc_with(&with_link(&[])).unwrap();
        assert_eq!(m.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(
            (p.network_offset(), p.network_header_len()),
            (Some(2), Some(20))
        );
        let mut p = pool.alloc_with(&with_link(&[1, 1, 1, 0])).unwrap();
        m.process(&cx, 0, &mut p);
        assert_eq!(p.network_header_len(), Some(24));
        let mut p = pool.alloc_with(&[0xee; 2]).unwrap();
        assert_eq!(
            m.process(&cx, 0, &mut p),
            Out::Port(0),
            "too short: no panic"
        );
        assert_eq!(
            (p.network_offset(), p.network_header_len()),
            (Some(2), Some(0))
        );
        let sent = run_push(
            &mut m,
            &cx,
            0,
            (0..40)
                .map(|i| pool.alloc_with(&frame(i)).unwrap())
                .collect(),
            1,
        );
        assert_eq!(sent.len(), 40);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["", "1", "3"] {
            let m = MarkIPHeader::configure(cfg).unwrap();
            check_batch_path(&m, 0, 1, |i, pool| pool.alloc_with(&frame(i)).unwrap());
        }
    }
}
