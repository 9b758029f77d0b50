//! # UDPIPEncap — encapsulates packets in static UDP/IP headers
//!
//! ```click
//! UDPIPEncap(SRC, SPORT, DST, DPORT [, CHECKSUM])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Prepends a UDP header and an IPv4 header (TTL 250, an IP ID counting up
//! from 0) to each packet, with source SRC:SPORT and destination DST:DPORT,
//! computes the UDP checksum unless CHECKSUM is false, and sets the IP
//! header annotation. DST may be `DST_ANNO` to use the packet's destination
//! IP annotation; a fixed DST is also written to that annotation.
//!
//! ## Keywords
//! - `SRC` *ADDR*, `SPORT` *PORT*, `DST` *ADDR|DST_ANNO*, `DPORT` *PORT* —
//!   the addresses and ports (numbers or well-known names). Mandatory.
//! - `CHECKSUM` *BOOL* — compute the UDP checksum. Default true.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! InfiniteSource(LIMIT 5) -> UDPIPEncap(10.0.0.1, 1234, 10.0.0.2, 53) -> ...
//! ```
//!
//! ## Differences from Click
//! - Click's `src`, `sport`, `dst`, `dport` handlers do not exist yet.
//! - A computed UDP checksum of 0 is sent as 0xFFFF (RFC 768); Click sends 0.
//! - A packet with no room left in its buffer for the headers is dropped and
//!   counted.

use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, ParseError};

use super::set_udp_checksum::set_udp_checksum;
use crate::ip::arg_types::port;
use crate::ip::ip_header::{self, put16, Fields, MIN_LEN, PROTO_UDP};

use crate::{ElementSpec, Ports};

/// UDPIPEncap's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UDPIPEncap {
    /// Source address.
    pub src: Ipv4Addr,
    /// Source port.
    pub sport: u16,
    /// Destination address; `None` means the destination IP annotation.
    pub dst: Option<Ipv4Addr>,
    /// Destination port.
    pub dport: u16,
    /// Compute the UDP checksum.
    pub checksum: bool,
    /// The next IP ID.
    id: u16,
    /// Packets without room for the headers.
    drops: u64,
}

/// Length of a UDP header.
const UDP_LEN: usize = 8;

fn dst(s: &str) -> Result<Option<Ipv4Addr>, ParseError> {
    if s == "DST_ANNO" {
        Ok(None)
    } else {
        parse::ipv4(s)
            .map(Some)
            .map_err(|e| e.with_hint("DST is an IP address or DST_ANNO"))
    }
}

impl UDPIPEncap {
    /// Parses `UDPIPEncap(SRC, SPORT, DST, DPORT [, CHECKSUM])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let src = args.read_mp("SRC", parse::ipv4);
        let sport = args.read_mp("SPORT", port);
        let dst = args.read_mp("DST", dst);
        let dport = args.read_mp("DPORT", port);
        let checksum = args.read_p("CHECKSUM", parse::boolean).unwrap_or(true);
        args.complete()?;
        Ok(UDPIPEncap {
            src: src.unwrap_or(Ipv4Addr::UNSPECIFIED),
            sport: sport.unwrap_or(0),
            dst: dst.flatten(),
            dport: dport.unwrap_or(0),
            checksum,
            id: 0,
            drops: 0,
        })
    }

    /// Packets dropped for lack of room in front of their data.
    pub fn drops(&self) -> u64 {
        self.drops
    }
}

impl Element for UDPIPEncap {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let dst = match self.dst {
            Some(d) => {
                p.set_dst_ip(d);
                d
            }
            None => p.dst_ip(),
        };
        let len = p.len() + MIN_LEN + UDP_LEN;
        let Some(h) = p.push(MIN_LEN + UDP_LEN) else {
            self.drops += 1;
            return Out::Drop;
        };
        ip_header::write_header(
            h,
            &Fields {
                tos: 0,
                len: len as u16,
                id: self.id,
                frag: 0,
                ttl: 250,
                proto: PROTO_UDP,
                src: self.src,
                dst,
            },
        );
        self.id = self.id.wrapping_add(1);
        p.set_network_header(0, MIN_LEN);
        let (sport, dport, checksum) = (self.sport, self.dport, self.checksum);
        if let Some((ip, udp)) = p.network_and_transport_mut() {
            put16(udp, 0, sport);
            put16(udp, 2, dport);
            put16(udp, 4, (len - MIN_LEN) as u16);
            put16(udp, 6, 0);
            if checksum {
                set_udp_checksum(ip, udp);
            }
        }
        Out::Port(0)
    }
}

/// UDPIPEncap's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "UDPIPEncap",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["SRC", "SPORT", "DST", "DPORT", "CHECKSUM"],
    handlers: &[],
    summary: "encapsulates packets in static UDP/IP headers",
    source: include_str!("udp_ip_encap.rs"),
    check: |c| UDPIPEncap::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = UDPIPEncap::configure("10.0.0.1, 1234, 10.0.0.2, domain").unwrap();
        assert_eq!((c.sport, c.dport, c.checksum), (1234, 53, true));
        assert_eq!(c.dst, Some(Ipv4Addr::new(10, 0, 0, 2)));
        let c = UDPIPEncap::configure("10.0.0.1, 1, DST_ANNO, 2, false").unwrap();
        assert_eq!((c.dst, c.checksum), (None, false));
        let cfg = "10.0.0.1, 70000, 10.0.0.2";
        let e = UDPIPEncap::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "70000");
        assert_eq!(e[1].message, "DPORT: missing mandatory argument");
    }

    use crate::harness::{self, check_batch_path, ip_checksum, run_push};
    use nfc_dataplane::packet::PacketPool;

    fn payload(i: usize, pool: &'static PacketPool) -> Packet {
        let mut p = pool.alloc_with(&[i as u8; 50][..i % 50]).unwrap();
        p.set_dst_ip(Ipv4Addr::new(172, 16, 0, i as u8));
        p
    }

    #[test]
    fn prepends_udp_and_ip() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut e = UDPIPEncap::configure("10.0.0.1, 1234, DST_ANNO, dns").unwrap();
        let sent = run_push(
            &mut e,
            &cx,
            0,
            (3..6).map(|i| payload(i, pool)).collect(),
            1,
        );
        for (k, s) in sent.iter().enumerate() {
            let d = &s.data;
            assert_eq!(d.len(), 28 + k + 3);
            assert_eq!(ip_checksum(&d[..20]), 0);
            assert_eq!((d[8], d[9]), (250, 17));
            assert_eq!(u16::from_be_bytes([d[4], d[5]]), k as u16);
            assert_eq!(d[16..20], [172, 16, 0, k as u8 + 3]);
            assert_eq!(d[20..26], [0x04, 0xd2, 0, 53, 0, (8 + k + 3) as u8]);
            assert_eq!(ip_header::transport_checksum(d, &d[20..]), 0);
            assert_eq!(s.network, Some(0));
        }
        let mut e = UDPIPEncap::configure("10.0.0.1, 1, 10.0.0.2, 2, false").unwrap();
        let mut p = payload(7, pool);
        assert_eq!(e.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!((p.data()[26], p.data()[27]), (0, 0), "no checksum");
        assert_eq!(p.dst_ip(), Ipv4Addr::new(10, 0, 0, 2));
        let mut full = pool.alloc().unwrap();
        full.push(full.headroom()).unwrap();
        full.put(full.tailroom()).unwrap();
        assert_eq!(e.process(&cx, 0, &mut full), Out::Drop);
        assert_eq!(e.drops(), 1);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in [
            "10.0.0.1, 1, 10.0.0.2, 2",
            "10.0.0.1, 1, DST_ANNO, 2, false",
        ] {
            let e = UDPIPEncap::configure(cfg).unwrap();
            check_batch_path(&e, 0, 1, payload);
        }
    }
}
