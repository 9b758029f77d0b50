//! # SetUDPChecksum — sets UDP packets' checksums
//!
//! ```click
//! SetUDPChecksum()
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Computes and stores the UDP checksum of each UDP/IP packet, over the
//! UDP length (the IP header annotation must be set; the protocol is not
//! checked, as in Click). Fragments, and packets too short for their UDP
//! header or UDP length, go to output 1 if it exists and are dropped
//! otherwise; the first such packet is reported on the console.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> SetUDPChecksum -> ...
//! ```
//!
//! ## Differences from Click
//! - A computed checksum of 0 is sent as 0xFFFF (RFC 768: 0 means "no
//!   checksum"); Click stores 0.
//! - The first bad packet is reported even when output 1 exists; a packet
//!   without a whole IP header goes to output 1 as a short one.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;

use crate::ip::ip_header::{self, get16, put16};
use crate::{ElementSpec, Ports};

/// SetUDPChecksum (it takes no arguments) and whether it has reported a
/// bad packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetUDPChecksum {
    warned: bool,
}

/// Where fragments and short packets go.
const BAD: usize = 1;

impl SetUDPChecksum {
    /// Accepts only an empty configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(SetUDPChecksum::default())
    }
}

/// Stores the UDP checksum of the UDP datagram `udp` (checksum field
/// included, `udp.len()` bytes) sent with IP header `ip`: the one's
/// complement sum over the pseudo-header and datagram, 0xFFFF for 0.
pub(crate) fn set_udp_checksum(ip: &[u8], udp: &mut [u8]) {
    put16(udp, 6, 0);
    let sum = match ip_header::transport_checksum(ip, udp) {
        0 => 0xffff,
        s => s,
    };
    put16(udp, 6, sum);
}

impl Element for SetUDPChecksum {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let good = ip_header::ip_mut(p).and_then(|(ip, hlen)| {
            let (ip, rest) = ip.split_at_mut(hlen);
            let len = usize::from(get16(rest.get(..8)?, 4));
            let udp = rest.get_mut(..len)?;
            if ip_header::is_fragment(ip) || len < 8 {
                return None;
            }
            set_udp_checksum(ip, udp);
            Some(())
        });
        if good.is_some() {
            return Out::Port(0);
        }
        if !self.warned {
            self.warned = true;
            cx.console.line("SetUDPChecksum: fragment or short packet");
        }
        Out::Port(BAD)
    }
}

/// SetUDPChecksum's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "SetUDPChecksum",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "sets UDP packets' checksums",
    source: include_str!("set_udp_checksum.rs"),
    check: |c| SetUDPChecksum::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert!(SetUDPChecksum::configure("").is_ok());
        assert!(SetUDPChecksum::configure("/* nothing */").is_ok());
        assert_eq!(
            SetUDPChecksum::configure("x").unwrap_err().0[0].message,
            "too many arguments"
        );
    }

    use crate::harness::{self, check_batch_path, on_port, run_push};
    use crate::ip::ip_header::testing::{marked, udp};
    use nfc_dataplane::element::Captured;
    use nfc_dataplane::packet::PacketPool;

    /// UDP packets with broken checksums, some fragments, some cut short.
    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let mut f = udp(
            [10, 0, 0, 1],
            [10, 0, 0, i as u8],
            7,
            9,
            &[i as u8; 30][..i % 30],
        );
        f[27] ^= 0x55;
        match i % 5 {
            1 => f[7] = 8,
            2 => f.truncate(25),
            3 => put16(&mut f, 24, 200),
            _ => {}
        }
        marked(pool, &f, 0)
    }

    #[test]
    fn sets_checksums() {
        let pool = harness::pool();
        let out = Captured::leak();
        let cx = Context {
            console: out,
            ..harness::cx(pool)
        };
        let mut s = SetUDPChecksum::default();
        let sent = run_push(
            &mut s,
            &cx,
            0,
            (0..10).map(|i| packet(i, pool)).collect(),
            2,
        );
        assert_eq!(on_port(&sent, 0).len(), 4);
        assert_eq!(on_port(&sent, 1).len(), 6);
        for p in on_port(&sent, 0) {
            assert_eq!(ip_header::transport_checksum(&p.data, &p.data[20..]), 0);
        }
        assert_eq!(out.take(), ["SetUDPChecksum: fragment or short packet"]);
        // A datagram whose sum is 0 gets 0xFFFF.
        let mut f = udp([0; 4], [0; 4], 0, 0, &[]);
        put16(&mut f, 20, 0xffff - 8 - 17 - 8);
        let mut p = marked(pool, &f, 0);
        assert_eq!(s.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(get16(p.data(), 26), 0xffff);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&SetUDPChecksum::default(), 0, 2, packet);
        check_batch_path(&SetUDPChecksum::default(), 0, 1, packet);
    }
}
