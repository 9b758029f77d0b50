//! # ICMPPingResponder — responds to ICMP echo requests
//!
//! ```click
//! ICMPPingResponder()
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Turns each ICMP echo request into an echo reply in place: swaps the IP
//! source and destination, clears the fragment field, sets the TTL to 255,
//! sets the ICMP type to echo-reply (code 0), and updates both checksums
//! incrementally. It also sets the destination IP annotation to the new
//! destination, the timestamp to now, and the paint annotation to 0. Other
//! packets (not ICMP, not echo requests, shorter than an 8-byte echo
//! header, or without a whole IP header) go to output 1 if it exists and
//! are dropped otherwise. The IP header annotation must be set.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ip :: IPClassifier(icmp type echo, -); ip[0] -> ICMPPingResponder -> ...
//! ```
//!
//! ## Differences from Click
//! - A packet without a whole IP header at its IP header annotation goes to
//!   output 1 (Click assumes there is one).

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::checksum;
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;

use crate::ip::ip_header::{self, field, get16, put16, PROTO_ICMP};
use crate::{ElementSpec, Ports};

/// Where packets that are not echo requests go.
const NOT_ECHO: usize = 1;
const ECHO: u8 = 8;
const ECHO_REPLY: u8 = 0;

/// ICMPPingResponder's configuration (it takes no arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ICMPPingResponder;

impl ICMPPingResponder {
    /// Accepts only an empty configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(ICMPPingResponder)
    }
}

/// Sets the 16-bit field at `at` of `b` to `new`, updating the checksum at
/// `sum` to match (RFC 1624).
fn update(b: &mut [u8], sum: usize, at: usize, new: u16) {
    let s = checksum::update16(get16(b, sum), get16(b, at), new);
    put16(b, at, new);
    put16(b, sum, s);
}

impl Element for ICMPPingResponder {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let Some((ip, hlen)) = ip_header::ip_mut(p) else {
            return Out::Port(NOT_ECHO);
        };
        if ip[field::PROTO] != PROTO_ICMP || ip.len() < hlen + 8 || ip[hlen] != ECHO {
            return Out::Port(NOT_ECHO);
        }
        let (src, dst) = (
            ip_header::get_addr(ip, field::SRC),
            ip_header::get_addr(ip, field::DST),
        );
        // Swapping the addresses leaves the checksum as it is.
        ip[field::SRC..field::SRC + 4].copy_from_slice(&dst);
        ip[field::DST..field::DST + 4].copy_from_slice(&src);
        update(ip, field::CHECKSUM, field::FRAG, 0);
        update(
            ip,
            field::CHECKSUM,
            field::TTL,
            u16::from_be_bytes([255, ip[field::PROTO]]),
        );
        let icmp = &mut ip[hlen..];
        update(icmp, 2, 0, u16::from_be_bytes([ECHO_REPLY, 0]));
        p.set_dst_ip(src.into());
        p.set_timestamp(cx.wall);
        p.set_paint(0);
        Out::Port(0)
    }
}

/// ICMPPingResponder's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ICMPPingResponder",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "responds to ICMP echo requests",
    source: include_str!("icmp_ping_responder.rs"),
    check: |c| ICMPPingResponder::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert!(ICMPPingResponder::configure("").is_ok());
        let cfg = "10.0.0.1";
        let e = ICMPPingResponder::configure(cfg).unwrap_err().0;
        assert_eq!(e[0].message, "too many arguments");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "10.0.0.1");
    }

    use crate::harness::{self, check_batch_path, ip_checksum, on_port, run_push};
    use crate::ip::ip_header::testing::{icmp, marked, udp};
    use core::net::Ipv4Addr;
    use nfc_dataplane::packet::PacketPool;

    const A: [u8; 4] = [10, 0, 0, 1];
    const B: [u8; 4] = [10, 0, 0, 2];

    /// Echo requests with assorted payloads, and other packets.
    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let rest = [0, 7, 0, i as u8, 1, 2, 3, 4, 5, 6, 7];
        let bytes = match i % 5 {
            1 => icmp(A, B, 0, 0, &rest),
            2 => udp(A, B, 1, 2, &[0; 8]),
            3 => icmp(A, B, 8, 0, &rest[..3]),
            _ => {
                let mut b = icmp(A, B, 8, 0, &rest[..4 + i % 7]);
                b[6] = 0x40; // DF
                b[10..12].copy_from_slice(&[0, 0]);
                let s = ip_checksum(&b[..20]);
                b[10..12].copy_from_slice(&s.to_be_bytes());
                b
            }
        };
        let mut p = marked(pool, &bytes, 0);
        p.set_paint(i as u8 + 1);
        p
    }

    #[test]
    fn answers_echo_requests() {
        let mut r = ICMPPingResponder;
        let pool = harness::pool();
        let cx = Context::at(pool, 77);
        let sent = run_push(
            &mut r,
            &cx,
            0,
            (0..10).map(|i| packet(i, pool)).collect(),
            2,
        );
        assert_eq!(on_port(&sent, 1).len(), 6);
        let replies = on_port(&sent, 0);
        assert_eq!(replies.len(), 4);
        for s in replies {
            let d = &s.data;
            assert_eq!(
                (&d[12..16], &d[16..20]),
                (&B[..], &A[..]),
                "addresses swapped"
            );
            assert_eq!((d[6], d[7], d[8]), (0, 0, 255));
            assert_eq!((d[20], d[21]), (0, 0), "echo reply");
            assert_eq!(ip_checksum(&d[..20]), 0);
            assert_eq!(ip_checksum(&d[20..]), 0);
            assert_eq!((s.dst_ip, s.paint), (Ipv4Addr::from(A), 0));
        }
        let mut p = packet(0, pool);
        r.process(&cx, 0, &mut p);
        assert_eq!(p.timestamp(), 77);
        let mut bare = pool.alloc_with(&icmp(A, B, 8, 0, &[0; 4])).unwrap();
        assert_eq!(
            r.process(&cx, 0, &mut bare),
            Out::Port(NOT_ECHO),
            "no IP header annotation"
        );
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&ICMPPingResponder, 0, 2, packet);
        check_batch_path(&ICMPPingResponder, 0, 1, packet);
    }
}
