//! # SetTCPChecksum — sets TCP packets' checksums
//!
//! ```click
//! SetTCPChecksum([FIXOFF])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Computes and stores the TCP checksum of each TCP/IP packet, over the TCP
//! segment the IP total length announces (the IP header annotation must be
//! set; the protocol is not checked, as in Click). With FIXOFF, a TCP data
//! offset below 20 bytes is set to 20, and one that points past the segment
//! (in a packet that is not a fragment) is clamped to it. Packets too short
//! for their segment or for a TCP header are dropped with the message
//! `SetTCPChecksum: bad lengths`.
//!
//! ## Keywords
//! - `FIXOFF` *BOOL* — repair an impossible TCP data offset. Default false.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> SetTCPChecksum -> ...
//! ```
//!
//! ## Differences from Click
//! - Dropped packets are also counted (`drops()`); a packet without a whole
//!   IP header is dropped as one with bad lengths.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::ip::ip_header::{self, put16};
use crate::{ElementSpec, Ports};

/// SetTCPChecksum's configuration and drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetTCPChecksum {
    /// Repair an impossible TCP data offset.
    pub fixoff: bool,
    /// Packets with bad lengths.
    drops: u64,
}

/// Offset of the TCP data-offset byte.
const TH_OFF: usize = 12;
/// Offset of the TCP checksum.
const TH_SUM: usize = 16;

impl SetTCPChecksum {
    /// Parses `SetTCPChecksum([FIXOFF])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let fixoff = args.read_p("FIXOFF", parse::boolean).unwrap_or(false);
        args.complete()?;
        Ok(SetTCPChecksum { fixoff, drops: 0 })
    }

    /// Packets dropped for bad lengths.
    pub fn drops(&self) -> u64 {
        self.drops
    }
}

impl Element for SetTCPChecksum {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let Some((ip, hlen)) = ip_header::ip_mut(p) else {
            self.drops += 1;
            cx.console.line("SetTCPChecksum: bad lengths");
            return Out::Drop;
        };
        let plen = ip_header::total_len(ip).wrapping_sub(hlen);
        if plen < 20 || plen > ip.len() - hlen {
            self.drops += 1;
            cx.console.line("SetTCPChecksum: bad lengths");
            return Out::Drop;
        }
        let fragment = ip_header::is_fragment(ip);
        let (ip, rest) = ip.split_at_mut(hlen);
        let tcp = &mut rest[..plen];
        if self.fixoff {
            let off = usize::from(tcp[TH_OFF] >> 4) * 4;
            if off < 20 {
                tcp[TH_OFF] = (5 << 4) | (tcp[TH_OFF] & 0x0f);
            } else if off > plen && !fragment {
                tcp[TH_OFF] = (((plen >> 2) as u8) << 4) | (tcp[TH_OFF] & 0x0f);
            }
        }
        put16(tcp, TH_SUM, 0);
        let sum = ip_header::transport_checksum(ip, tcp);
        put16(tcp, TH_SUM, sum);
        Out::Port(0)
    }
}

/// SetTCPChecksum's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "SetTCPChecksum",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["FIXOFF"],
    handlers: &[],
    summary: "sets TCP packets' checksums",
    source: include_str!("set_tcp_checksum.rs"),
    check: |c| SetTCPChecksum::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert!(!SetTCPChecksum::configure("").unwrap().fixoff);
        assert!(SetTCPChecksum::configure("true").unwrap().fixoff);
        let cfg = "sure";
        let e = SetTCPChecksum::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "sure");
    }

    use crate::harness::{self, check_batch_path, run_push};
    use crate::ip::ip_header::testing::{marked, tcp};
    use nfc_dataplane::packet::PacketPool;

    /// TCP packets with broken checksums, some with bad data offsets or cut
    /// short.
    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let mut f = tcp(
            [10, 0, 0, 1],
            [10, 0, 0, i as u8],
            0x18,
            &[i as u8; 30][..i % 30],
        );
        f[37] ^= 0x55;
        match i % 6 {
            1 => f[32] = 2 << 4,
            2 => f[32] = 15 << 4,
            3 => f.truncate(35),
            4 => f.truncate(12),
            _ => {}
        }
        marked(pool, &f, 0)
    }

    #[test]
    fn sets_checksums() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut s = SetTCPChecksum::configure("").unwrap();
        let sent = run_push(
            &mut s,
            &cx,
            0,
            (0..12).map(|i| packet(i, pool)).collect(),
            1,
        );
        assert_eq!(sent.len(), 8);
        assert_eq!(s.drops(), 4);
        for p in &sent {
            assert_eq!(ip_header::transport_checksum(&p.data, &p.data[20..]), 0);
        }
        let mut s = SetTCPChecksum::configure("true").unwrap();
        let mut p = packet(1, pool);
        assert_eq!(s.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.data()[32] >> 4, 5, "offset raised to 20 bytes");
        let mut p = packet(2, pool);
        s.process(&cx, 0, &mut p);
        assert_eq!(
            usize::from(p.data()[32] >> 4) * 4,
            (p.len() - 20) & !3,
            "clamped"
        );
        assert_eq!(ip_header::transport_checksum(p.data(), &p.data()[20..]), 0);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["", "true"] {
            let s = SetTCPChecksum::configure(cfg).unwrap();
            check_batch_path(&s, 0, 1, packet);
        }
    }
}
