//! # IPEncap — encapsulates packets in static IP header
//!
//! ```click
//! IPEncap(PROTO, SRC, DST, [KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Prepends a 20-byte IPv4 header with protocol PROTO, source SRC and
//! destination DST (or, with DST given as `DST_ANNO`, the packet's
//! destination IP annotation), a fresh IP ID and a correct checksum, and sets
//! the IP header annotation. With a fixed DST the destination IP
//! annotation is set to it. The IP ID counts up from 0, one per packet.
//!
//! ## Keywords
//! - `PROTO` *P* — protocol number or name (`tcp`, `udp`, `icmp`, `ipip`,
//!   `gre` …). Mandatory.
//! - `SRC` *ADDR*, `DST` *ADDR|DST_ANNO* — addresses. Mandatory.
//! - `TOS` *N* — TOS byte, 0–255 (not with DSCP, ECT or CE).
//! - `DSCP` *N* — DSCP, 0–63.
//! - `ECT` *BOOL|2* — set ECN-capable transport (2 selects ECT(0)).
//! - `CE` *BOOL* — set ECN congestion experienced.
//! - `TTL` *N* — TTL. Default 250.
//! - `DF` *BOOL* — set Don't Fragment. Default false.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! InfiniteSource -> UDPIPEncap(1.0.0.1, 1234, 2.0.0.2, 1234) -> IPEncap(ipip, 10.0.0.1, 10.0.0.2) -> ...
//! ```
//!
//! ## Differences from Click
//! - Click's `src` and `dst` read/write handlers do not exist yet.
//! - A packet with no room left in its buffer for the header is dropped and
//!   counted.

use alloc::format;
use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, ParseError};

use super::arg_types::ip_proto;
use super::ip_header::{self, Fields, DF, MIN_LEN};

use crate::{ElementSpec, Ports};

/// IPEncap's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IPEncap {
    /// IP protocol number.
    pub proto: u8,
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address; `None` means the destination IP annotation.
    pub dst: Option<Ipv4Addr>,
    /// The TOS byte (from TOS, or DSCP and ECN bits).
    pub tos: u8,
    /// TTL.
    pub ttl: u8,
    /// Don't Fragment.
    pub df: bool,
    /// The next IP ID.
    id: u16,
    /// Packets without room for the header.
    drops: u64,
}

fn dst(s: &str) -> Result<Option<Ipv4Addr>, ParseError> {
    if s == "DST_ANNO" {
        Ok(None)
    } else {
        parse::ipv4(s)
            .map(Some)
            .map_err(|e| e.with_hint("DST is an IP address or DST_ANNO"))
    }
}

fn ect(s: &str) -> Result<u8, ParseError> {
    if s == "2" {
        return Ok(2);
    }
    parse::boolean(s)
        .map(u8::from)
        .map_err(|_| ParseError::expected("true, false or 2", s))
}

impl IPEncap {
    /// Parses IPEncap's configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let proto = args.read_mp("PROTO", ip_proto);
        let src = args.read_mp("SRC", parse::ipv4);
        let dst = args.read_mp("DST", dst);
        let tos = args.read("TOS", parse::unsigned::<u8>);
        let ttl = args.read("TTL", parse::unsigned::<u8>).unwrap_or(250);
        let dscp = args.read("DSCP", parse::unsigned::<u8>);
        let ect = args.read("ECT", ect).unwrap_or(0);
        let ce = args.read("CE", parse::boolean).unwrap_or(false);
        let df = args.read("DF", parse::boolean).unwrap_or(false);
        if let Some(d) = dscp.filter(|&d| d > 63) {
            let span = args.span_of("DSCP");
            args.error(ConfigError::new(
                span,
                format!("DSCP: {d} is too large, the maximum is 63"),
            ));
        }
        if tos.is_some() && dscp.is_some() {
            let span = args.span_of("DSCP");
            args.error(ConfigError::new(span, "cannot set both TOS and DSCP"));
        } else if tos.is_some() && (ect != 0 || ce) {
            let span = args.span_of("TOS");
            args.error(ConfigError::new(span, "cannot set both TOS and ECN bits"));
        }
        if ect != 0 && ce {
            let span = args.span_of("CE");
            args.error(ConfigError::new(span, "can set at most one of ECT and CE"));
        }
        args.complete()?;
        let ecn = if ce {
            3
        } else {
            [0, 1, 2][usize::from(ect.min(2))]
        };
        let tos = tos.unwrap_or_else(|| (dscp.unwrap_or(0).min(63) << 2) | ecn);
        Ok(IPEncap {
            proto: proto.unwrap_or(0),
            src: src.unwrap_or(Ipv4Addr::UNSPECIFIED),
            dst: dst.flatten(),
            tos,
            ttl,
            df,
            id: 0,
            drops: 0,
        })
    }

    /// Packets dropped for lack of room in front of their data.
    pub fn drops(&self) -> u64 {
        self.drops
    }
}

impl Element for IPEncap {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let dst = match self.dst {
            Some(d) => {
                p.set_dst_ip(d);
                d
            }
            None => p.dst_ip(),
        };
        let len = (p.len() + MIN_LEN) as u16;
        let Some(h) = p.push(MIN_LEN) else {
            self.drops += 1;
            return Out::Drop;
        };
        ip_header::write_header(
            h,
            &Fields {
                tos: self.tos,
                len,
                id: self.id,
                frag: if self.df { DF } else { 0 },
                ttl: self.ttl,
                proto: self.proto,
                src: self.src,
                dst,
            },
        );
        self.id = self.id.wrapping_add(1);
        p.set_network_header(0, MIN_LEN);
        Out::Port(0)
    }
}

/// IPEncap's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPEncap",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "PROTO", "SRC", "DST", "TOS", "TTL", "DSCP", "ECT", "CE", "DF",
    ],
    handlers: &[],
    summary: "encapsulates packets in static IP header",
    source: include_str!("ip_encap.rs"),
    check: |c| IPEncap::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = IPEncap::configure("ipip, 10.0.0.1, 10.0.0.2").unwrap();
        assert_eq!((c.proto, c.ttl, c.tos, c.df), (4, 250, 0, false));
        assert_eq!(c.dst, Some(Ipv4Addr::new(10, 0, 0, 2)));
        let c = IPEncap::configure("17, 10.0.0.1, DST_ANNO, DSCP 46, ECT true, TTL 64, DF true")
            .unwrap();
        assert_eq!(
            (c.proto, c.dst, c.tos, c.ttl, c.df),
            (17, None, (46 << 2) | 1, 64, true)
        );
    }

    #[test]
    fn errors() {
        let cfg = "xyz, 10.0.0.1, 10.0.0.2, TOS 3, DSCP 64";
        let e = IPEncap::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 3);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "xyz");
        assert_eq!(e[1].message, "DSCP: 64 is too large, the maximum is 63");
        assert_eq!(e[2].message, "cannot set both TOS and DSCP");
        let e = IPEncap::configure("tcp, 1.1.1.1, 2.2.2.2, ECT 1, CE true")
            .unwrap_err()
            .0;
        assert_eq!(e[0].message, "can set at most one of ECT and CE");
        let e = IPEncap::configure("tcp").unwrap_err().0;
        assert_eq!(e.len(), 2);
    }

    use crate::harness::{self, check_batch_path, ip_checksum, run_push};
    use nfc_dataplane::packet::{PacketPool, BUF_SIZE};

    fn payload(i: usize, pool: &'static PacketPool) -> Packet {
        let mut p = pool.alloc_with(&[i as u8; 64][..i % 64]).unwrap();
        p.set_dst_ip(Ipv4Addr::new(172, 16, 0, i as u8));
        p
    }

    #[test]
    fn prepends_a_header() {
        let mut e = IPEncap::configure("udp, 10.0.0.1, DST_ANNO, TTL 9, DF true, TOS 4").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let sent = run_push(
            &mut e,
            &cx,
            0,
            (0..3).map(|i| payload(i + 5, pool)).collect(),
            1,
        );
        for (k, s) in sent.iter().enumerate() {
            let h = &s.data[..20];
            assert_eq!(ip_checksum(h), 0);
            assert_eq!(h[0], 0x45);
            assert_eq!((h[1], h[8], h[9]), (4, 9, 17));
            assert_eq!(usize::from(u16::from_be_bytes([h[2], h[3]])), s.data.len());
            assert_eq!(
                u16::from_be_bytes([h[4], h[5]]),
                k as u16,
                "IP ID counts up"
            );
            assert_eq!(h[6..8], [0x40, 0]);
            assert_eq!(h[12..16], [10, 0, 0, 1]);
            assert_eq!(
                h[16..20],
                [172, 16, 0, (k + 5) as u8],
                "destination from the annotation"
            );
            assert_eq!(s.network, Some(0));
        }
        let mut e = IPEncap::configure("4, 10.0.0.1, 10.0.0.2").unwrap();
        let mut p = payload(1, pool);
        assert_eq!(e.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.dst_ip(), Ipv4Addr::new(10, 0, 0, 2), "annotation set");
        let mut big = pool.alloc_with(&[]).unwrap();
        big.push(big.headroom()).unwrap();
        big.put(big.tailroom()).unwrap();
        assert_eq!(e.process(&cx, 0, &mut big), Out::Drop, "no room");
        assert_eq!(e.drops(), 1);
        assert_eq!(big.len(), BUF_SIZE);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["ipip, 10.0.0.1, 10.0.0.2", "gre, 10.0.0.1, DST_ANNO, ECT 2"] {
            let e = IPEncap::configure(cfg).unwrap();
            check_batch_path(&e, 0, 1, payload);
        }
    }
}
