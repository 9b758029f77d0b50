//! # CheckUDPHeader — checks UDP header on UDP/IP packets
//!
//! ```click
//! CheckUDPHeader([KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Checks the UDP header: the IP protocol is UDP, the packet holds a full UDP
//! header, the UDP length fits the IP length, and the UDP checksum (when
//! nonzero) is correct. Good packets go to output 0; bad ones to output 1 if
//! it exists, and are dropped otherwise. The IP header annotation must be
//! set; a packet without a whole IP header there counts as not UDP.
//!
//! ## Keywords
//! - `VERBOSE` *BOOL* — report every bad packet on the console (the first
//!   is always reported). Default false.
//! - `DETAILS` *BOOL* — count drops by reason. Default false.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped.
//! - `drop_details` (read) — drops by reason (`not UDP`, `bad packet
//!   length`, `bad UDP checksum`), one `COUNT<TAB>REASON` line each, when
//!   DETAILS is true.
//!
//! ## Examples
//! ```click
//! ... -> CheckIPHeader -> CheckUDPHeader(VERBOSE true) -> ...
//! ```
//!
//! ## Differences from Click
//! - A packet whose IP header is cut short counts as not UDP, and one too
//!   short for its UDP header as a bad length, instead of being read past
//!   its end.

use crate::ip::ip_header::{self, field, get16, CheckHeader, HeaderKind, PROTO_UDP};
use crate::{ElementSpec, Ports};

/// CheckUDPHeader: the shared header check, for UDP.
pub type CheckUDPHeader = CheckHeader<Udp>;

/// What CheckUDPHeader checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Udp;

const NOT_UDP: usize = 0;
const BAD_LENGTH: usize = 1;
const BAD_CHECKSUM: usize = 2;

impl HeaderKind for Udp {
    const REASONS: [&'static str; 3] = ["not UDP", "bad packet length", "bad UDP checksum"];
    const MESSAGES: [&'static str; 3] = [
        "CheckUDPHeader: UDP header check failed: not UDP",
        "CheckUDPHeader: UDP header check failed: bad packet length",
        "CheckUDPHeader: UDP header check failed: bad UDP checksum",
    ];

    /// Checks the UDP/IP packet `ip` (network header to end); the reason it
    /// fails, if it does.
    fn check(ip: Option<(&[u8], usize)>) -> Result<(), usize> {
        let (ip, hlen) = ip.ok_or(NOT_UDP)?;
        if ip[field::PROTO] != PROTO_UDP {
            return Err(NOT_UDP);
        }
        let udp = &ip[hlen..];
        if udp.len() < 8 {
            return Err(BAD_LENGTH);
        }
        let len = usize::from(get16(udp, 4));
        if len < 8 || udp.len() < len {
            return Err(BAD_LENGTH);
        }
        if get16(udp, 6) != 0 && ip_header::transport_checksum(ip, &udp[..len]) != 0 {
            return Err(BAD_CHECKSUM);
        }
        Ok(())
    }
}

/// CheckUDPHeader's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "CheckUDPHeader",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["VERBOSE", "DETAILS"],
    handlers: &["drops (read)", "drop_details (read)"],
    summary: "checks UDP header on UDP/IP packets",
    source: include_str!("check_udp_header.rs"),
    check: |c| CheckUDPHeader::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    use crate::harness::{self, check_batch_path, on_port, run_push};
    use crate::ip::ip_header::put16;
    use crate::ip::ip_header::testing::{marked, tcp, udp};
    use nfc_dataplane::element::Captured;
    use nfc_dataplane::element::{Context, Element, HandlerError, Out};
    use nfc_dataplane::packet::{Packet, PacketPool};

    /// UDP packets behind 0-2 link bytes, broken in the way `i % 8` picks.
    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let at = i % 3;
        let mut f = alloc::vec![0xee; at];
        f.extend(udp(
            [10, 0, 0, 1],
            [10, 0, 0, 2],
            1,
            53,
            &[i as u8; 9][..i % 9],
        ));
        let udp_at = at + 20;
        match i % 8 {
            1 => f[udp_at + 7] ^= 1,           // checksum
            2 => put16(&mut f, udp_at + 6, 0), // no checksum: fine
            3 => put16(&mut f, udp_at + 4, 7), // length < 8
            4 => f.truncate(udp_at + 5),       // no whole header
            5 => f[at + 9] = 6,                // TCP
            6 => f.truncate(at + 12),          // no IP header
            _ => {}
        }
        let mut p = marked(pool, &f, at);
        p.set_paint(i as u8);
        p
    }

    #[test]
    fn sorts_good_and_bad_packets() {
        let mut c = CheckUDPHeader::configure("DETAILS true").unwrap();
        let pool = harness::pool();
        let out = Captured::leak();
        let cx = Context {
            console: out,
            ..harness::cx(pool)
        };
        let sent = run_push(
            &mut c,
            &cx,
            0,
            (0..16).map(|i| packet(i, pool)).collect(),
            2,
        );
        assert_eq!(on_port(&sent, 0).len(), 6, "i % 8 in 0, 2, 7");
        assert_eq!(on_port(&sent, 1).len(), 10);
        assert_eq!(c.read_handler("drops"), Ok("10".into()));
        assert_eq!(
            c.read_handler("drop_details"),
            Ok("4\tnot UDP\n4\tbad packet length\n2\tbad UDP checksum\n".into())
        );
        assert_eq!(
            out.take(),
            ["CheckUDPHeader: UDP header check failed: bad UDP checksum"],
            "only the first, without VERBOSE"
        );
        let mut v = CheckUDPHeader::configure("VERBOSE true").unwrap();
        run_push(
            &mut v,
            &cx,
            0,
            (0..16).map(|i| packet(i, pool)).collect(),
            2,
        );
        assert_eq!(out.take().len(), 10);
        assert_eq!(
            v.read_handler("drop_details"),
            Err(HandlerError::NoSuchHandler)
        );
        let mut t = marked(pool, &tcp([1; 4], [2; 4], 2, &[]), 0);
        assert_eq!(v.process(&cx, 0, &mut t), Out::Port(1));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let c = CheckUDPHeader::configure("DETAILS true").unwrap();
        check_batch_path(&c, 0, 2, packet);
        check_batch_path(&c, 0, 1, packet);
    }
}
