//! # CheckTCPHeader — checks TCP header on TCP/IP packets
//!
//! ```click
//! CheckTCPHeader([KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Checks the TCP header: the IP protocol is TCP, the packet holds a full TCP
//! header whose data offset fits the packet, and the TCP checksum is correct.
//! Good packets go to output 0; bad ones to output 1 if it exists, and are
//! dropped otherwise. The IP header annotation must be set; a packet
//! without a whole IP header there counts as not TCP.
//!
//! ## Keywords
//! - `VERBOSE` *BOOL* — report every bad packet on the console (the first
//!   is always reported). Default false.
//! - `DETAILS` *BOOL* — count drops by reason. Default false.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped.
//! - `drop_details` (read) — drops by reason (`not TCP`, `bad packet
//!   length`, `bad TCP checksum`), one `COUNT<TAB>REASON` line each, when
//!   DETAILS is true.
//!
//! ## Examples
//! ```click
//! ... -> CheckIPHeader -> CheckTCPHeader(VERBOSE true) -> ...
//! ```
//!
//! ## Differences from Click
//! - A packet whose IP header is cut short counts as not TCP, and one too
//!   short for a 20-byte TCP header as a bad length, instead of being read
//!   past its end.

use crate::ip::ip_header::{self, field, CheckHeader, HeaderKind, PROTO_TCP};
use crate::{ElementSpec, Ports};

/// CheckTCPHeader: the shared header check, for TCP.
pub type CheckTCPHeader = CheckHeader<Tcp>;

/// What CheckTCPHeader checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tcp;

const NOT_TCP: usize = 0;
const BAD_LENGTH: usize = 1;
const BAD_CHECKSUM: usize = 2;

impl HeaderKind for Tcp {
    const REASONS: [&'static str; 3] = ["not TCP", "bad packet length", "bad TCP checksum"];
    const MESSAGES: [&'static str; 3] = [
        "CheckTCPHeader: TCP header check failed: not TCP",
        "CheckTCPHeader: TCP header check failed: bad packet length",
        "CheckTCPHeader: TCP header check failed: bad TCP checksum",
    ];

    /// Checks the TCP/IP packet `ip` (network header to end); the reason it
    /// fails, if it does.
    fn check(ip: Option<(&[u8], usize)>) -> Result<(), usize> {
        let (ip, hlen) = ip.ok_or(NOT_TCP)?;
        if ip[field::PROTO] != PROTO_TCP {
            return Err(NOT_TCP);
        }
        let ip_len = ip_header::total_len(ip);
        let tcp = ip
            .get(hlen..ip_len)
            .filter(|t| t.len() >= 20)
            .ok_or(BAD_LENGTH)?;
        let off = usize::from(tcp[12] >> 4) * 4;
        if off < 20 || tcp.len() < off {
            return Err(BAD_LENGTH);
        }
        if ip_header::transport_checksum(ip, tcp) != 0 {
            return Err(BAD_CHECKSUM);
        }
        Ok(())
    }
}

/// CheckTCPHeader's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "CheckTCPHeader",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["VERBOSE", "DETAILS"],
    handlers: &["drops (read)", "drop_details (read)"],
    summary: "checks TCP header on TCP/IP packets",
    source: include_str!("check_tcp_header.rs"),
    check: |c| CheckTCPHeader::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    use crate::harness::{self, check_batch_path, on_port, run_push};
    use crate::ip::ip_header::put16;
    use crate::ip::ip_header::testing::{marked, tcp, udp};
    use nfc_dataplane::element::{Element, Out};
    use nfc_dataplane::packet::{Packet, PacketPool};

    /// TCP packets behind 0-2 link bytes, broken in the way `i % 8` picks.
    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let at = i % 3;
        let mut f = alloc::vec![0xee; at];
        f.extend(tcp(
            [10, 0, 0, 1],
            [10, 0, 0, 2],
            0x10,
            &[i as u8; 9][..i % 9],
        ));
        let tcp_at = at + 20;
        match i % 8 {
            1 => f[tcp_at + 17] ^= 1,      // checksum
            2 => f[tcp_at + 12] = 4 << 4,  // data offset < 20
            3 => f[tcp_at + 12] = 15 << 4, // data offset past the end
            4 => {
                f.truncate(tcp_at + 10); // IP length past the end
            }
            5 => f[at + 9] = 17,      // UDP
            6 => f.truncate(at + 12), // no IP header
            _ => {}
        }
        if i % 8 == 7 {
            f.extend_from_slice(&[0; 6]); // trailing bytes beyond the IP length: fine
        }
        let mut p = marked(pool, &f, at);
        p.set_paint(i as u8);
        p
    }

    #[test]
    fn sorts_good_and_bad_packets() {
        let mut c = CheckTCPHeader::configure("DETAILS true").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let sent = run_push(
            &mut c,
            &cx,
            0,
            (0..16).map(|i| packet(i, pool)).collect(),
            2,
        );
        assert_eq!(on_port(&sent, 0).len(), 4, "i % 8 in 0, 7");
        assert_eq!(c.read_handler("drops"), Ok("12".into()));
        assert_eq!(
            c.read_handler("drop_details"),
            Ok("4\tnot TCP\n6\tbad packet length\n2\tbad TCP checksum\n".into())
        );
        let mut u = marked(pool, &udp([1; 4], [2; 4], 1, 2, &[]), 0);
        assert_eq!(c.process(&cx, 0, &mut u), Out::Port(1));
        let mut short = tcp([1; 4], [2; 4], 2, &[]);
        short.truncate(30);
        put16(&mut short, 2, 30);
        let mut s = marked(pool, &short, 0);
        assert_eq!(c.process(&cx, 0, &mut s), Out::Port(1));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let c = CheckTCPHeader::configure("DETAILS true").unwrap();
        check_batch_path(&c, 0, 2, packet);
        check_batch_path(&c, 0, 1, packet);
    }
}
