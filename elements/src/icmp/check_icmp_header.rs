//! # CheckICMPHeader — checks ICMP header on ICMP packets
//!
//! ```click
//! CheckICMPHeader([KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Checks the ICMP header: the IP protocol is ICMP, the packet holds a full
//! 8-byte ICMP header, the lengths fit the type (an error message quotes at
//! least an IP header and 8 bytes; timestamp messages are 20 bytes, address
//! requests 8), and the ICMP checksum over the rest of the packet is
//! correct. Good packets go to output 0; bad ones to output 1 if it exists,
//! and are dropped otherwise. The IP header annotation must be set; a
//! packet without a whole IP header there counts as not ICMP.
//!
//! ## Keywords
//! - `VERBOSE` *BOOL* — report every bad packet on the console (the first
//!   is always reported). Default false.
//! - `DETAILS` *BOOL* — count drops by reason. Default false.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped.
//! - `drop_details` (read) — drops by reason (`not ICMP`, `bad packet
//!   length`, `bad ICMP checksum`), one `COUNT<TAB>REASON` line each, when
//!   DETAILS is true.
//!
//! ## Examples
//! ```click
//! ... -> CheckIPHeader -> CheckICMPHeader(VERBOSE true) -> ...
//! ```
//!
//! ## Differences from Click
//! - A packet whose IP header is cut short counts as not ICMP instead of
//!   being read past its end.

use crate::ip::ip_header::{field, CheckHeader, HeaderKind, PROTO_ICMP};
use crate::{ElementSpec, Ports};

/// CheckICMPHeader: the shared header check, for ICMP.
pub type CheckICMPHeader = CheckHeader<Icmp>;

/// What CheckICMPHeader checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Icmp;

const NOT_ICMP: usize = 0;
const BAD_LENGTH: usize = 1;
const BAD_CHECKSUM: usize = 2;

/// Length of the ICMP header.
const HEADER: usize = 8;

impl HeaderKind for Icmp {
    const REASONS: [&'static str; 3] = ["not ICMP", "bad packet length", "bad ICMP checksum"];
    const MESSAGES: [&'static str; 3] = [
        "CheckICMPHeader: ICMP header check failed: not ICMP",
        "CheckICMPHeader: ICMP header check failed: bad packet length",
        "CheckICMPHeader: ICMP header check failed: bad ICMP checksum",
    ];

    /// Checks the ICMP/IP packet `ip` (network header to end); the reason it
    /// fails, if it does.
    fn check(ip: Option<(&[u8], usize)>) -> Result<(), usize> {
        let (ip, hlen) = ip.ok_or(NOT_ICMP)?;
        if ip[field::PROTO] != PROTO_ICMP {
            return Err(NOT_ICMP);
        }
        let icmp = &ip[hlen..];
        if icmp.len() < HEADER {
            return Err(BAD_LENGTH);
        }
        let fits = match icmp[0] {
            // Errors quote an IP header and the first 8 bytes after it.
            3 | 4 | 5 | 11 | 12 => icmp.len() >= HEADER + 28,
            // Timestamp and timestamp reply: exactly 12 more bytes.
            13 | 14 => icmp.len() == HEADER + 12,
            // Information request and reply: nothing more.
            15 | 16 => icmp.len() == HEADER,
            _ => true,
        };
        if !fits {
            return Err(BAD_LENGTH);
        }
        if nfc_dataplane::checksum::checksum(icmp) != 0 {
            return Err(BAD_CHECKSUM);
        }
        Ok(())
    }
}

/// CheckICMPHeader's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "CheckICMPHeader",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["VERBOSE", "DETAILS"],
    handlers: &["drops (read)", "drop_details (read)"],
    summary: "checks ICMP header on ICMP packets",
    source: include_str!("check_icmp_header.rs"),
    check: |c| CheckICMPHeader::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    use crate::harness::{self, check_batch_path, on_port, run_push};
    use crate::ip::ip_header::testing::{icmp, marked, udp};
    use nfc_dataplane::element::Element;
    use nfc_dataplane::packet::{Packet, PacketPool};

    const A: [u8; 4] = [10, 0, 0, 1];

    /// ICMP packets of assorted types and lengths, some broken.
    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let bytes = match i % 9 {
            0 => icmp(A, A, 8, 0, &[0; 60][..4 + i % 50]),
            1 => icmp(A, A, 3, 3, &[0; 32]), // error, 36 bytes: fine
            2 => icmp(A, A, 11, 0, &[0; 31]), // error too short
            3 => icmp(A, A, 13, 0, &[0; 16]), // timestamp, 20 bytes
            4 => icmp(A, A, 14, 0, &[0; 17]), // timestamp, 21 bytes
            5 => icmp(A, A, 15, 0, &[0; 4]), // information request
            6 => {
                let mut b = icmp(A, A, 0, 0, &[0, 1, 0, 2, 9]);
                b[27] ^= 0xff;
                b
            }
            7 => udp(A, A, 1, 2, &[]),
            _ => icmp(A, A, 8, 0, &[0; 2]), // header cut short
        };
        let mut p = marked(pool, &bytes, 0);
        p.set_paint(i as u8);
        p
    }

    #[test]
    fn sorts_good_and_bad_packets() {
        let mut c = CheckICMPHeader::configure("DETAILS true").unwrap();
        let pool = harness::pool();
        let sent = run_push(
            &mut c,
            &harness::cx(pool),
            0,
            (0..9).map(|i| packet(i, pool)).collect(),
            2,
        );
        let good: alloc::vec::Vec<u8> = on_port(&sent, 0).iter().map(|s| s.paint).collect();
        assert_eq!(good, [0, 1, 3, 5]);
        assert_eq!(
            c.read_handler("drop_details"),
            Ok("1\tnot ICMP\n3\tbad packet length\n1\tbad ICMP checksum\n".into())
        );
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let c = CheckICMPHeader::configure("DETAILS true").unwrap();
        check_batch_path(&c, 0, 2, packet);
        check_batch_path(&c, 0, 1, packet);
    }
}
