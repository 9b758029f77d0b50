//! # StoreIPAddress — stores IP address in packet
//!
//! ```click
//! StoreIPAddress(OFFSET)
//! StoreIPAddress(ADDR, OFFSET)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! The one-argument form writes the destination IP address annotation into
//! the packet at byte OFFSET; the two-argument form writes ADDR there
//! instead. OFFSET may also be `src` or `dst`: the address then goes into
//! the IP header's source or destination field (the network header must be
//! set), and the IP checksum is updated incrementally, as are the TCP or
//! UDP checksum of a first fragment whose transport header is there (a UDP
//! checksum of 0, "none", stays 0).
//!
//! With a numeric OFFSET, a packet too short to hold four bytes there, or
//! whose annotation is 0.0.0.0 in the one-argument form, passes unchanged.
//! With `src`/`dst`, a packet without a whole IP header passes unchanged.
//!
//! ## Keywords
//! None; both arguments are positional.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> GetIPAddress(16) -> ... -> StoreIPAddress(dst) -> ...
//! ... -> StoreIPAddress(10.0.0.1, src) -> ...
//! ```
//!
//! ## Differences from Click
//! - A UDP checksum that the update would make 0 is written as `0xffff`
//!   (RFC 768); Click writes 0, which means "no checksum".

use core::net::Ipv4Addr;

use nfc_dataplane::args::{split, ConfigError, ConfigErrors};
use nfc_dataplane::checksum;
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::ip_header::{self, field, get16, put16, PROTO_TCP, PROTO_UDP};

use crate::{ElementSpec, Ports};

/// Where StoreIPAddress writes the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// At this byte offset into the packet data.
    Offset(u32),
    /// Into the IP header's source address.
    IpSrc,
    /// Into the IP header's destination address.
    IpDst,
}

/// StoreIPAddress's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreIPAddress {
    /// The address written, if given; else the destination IP annotation.
    pub addr: Option<Ipv4Addr>,
    /// Where it goes.
    pub target: Target,
}

/// Byte offset of the UDP checksum in its header.
const UDP_CHECKSUM: usize = 6;
/// Byte offset of the TCP checksum in its header.
const TCP_CHECKSUM: usize = 16;

impl StoreIPAddress {
    /// Parses `StoreIPAddress([ADDR,] OFFSET)`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let args = split(config);
        let err = |span, msg: &str| ConfigErrors(alloc::vec![ConfigError::new(span, msg)]);
        if args.is_empty() || args.len() > 2 {
            return Err(err(None, "expected [IP address, ] byte offset"));
        }
        let mut errors = alloc::vec::Vec::new();
        let addr = if args.len() == 2 {
            match parse::ipv4(&args[0].text) {
                Ok(a) => Some(a),
                Err(e) => {
                    errors.push(ConfigError::new(
                        Some(args[0].span.clone()),
                        alloc::format!("first argument should be IP address: {}", e.message),
                    ));
                    None
                }
            }
        } else {
            None
        };
        let last = &args[args.len() - 1];
        let target = match last.text.to_ascii_lowercase().as_str() {
            "src" => Target::IpSrc,
            "dst" => Target::IpDst,
            text => match parse::unsigned::<u32>(text) {
                Ok(o) => Target::Offset(o),
                Err(_) => {
                    errors.push(
                        ConfigError::new(
                            Some(last.span.clone()),
                            "last argument should be byte offset of IP address",
                        )
                        .with_hint("a byte offset, `src` or `dst`"),
                    );
                    Target::IpDst
                }
            },
        };
        if !errors.is_empty() {
            return Err(ConfigErrors(errors));
        }
        Ok(StoreIPAddress { addr, target })
    }

    /// Writes `addr` over the IP header field at `at` (12 or 16) and
    /// updates the checksums that cover it.
    fn store_in_header(p: &mut Packet, at: usize, addr: [u8; 4]) {
        // As in Click, the header-length annotation (not the IHL field)
        // must cover a whole header.
        let Some(hlen) = p.network_header_len().filter(|&h| h >= ip_header::MIN_LEN) else {
            return;
        };
        let Some(ip) = p.network_mut() else {
            return;
        };
        let old = ip_header::get_addr(ip, at);
        ip[at..at + 4].copy_from_slice(&addr);
        let sum = get16(ip, field::CHECKSUM);
        put16(ip, field::CHECKSUM, checksum::update32(sum, old, addr));
        if !ip_header::is_first_fragment(ip) {
            return;
        }
        let proto = ip[field::PROTO];
        let Some(l4) = ip.get_mut(hlen..) else {
            return;
        };
        match proto {
            PROTO_TCP if l4.len() >= 20 => {
                let sum = get16(l4, TCP_CHECKSUM);
                put16(l4, TCP_CHECKSUM, checksum::update32(sum, old, addr));
            }
            PROTO_UDP if l4.len() >= 8 => {
                let sum = get16(l4, UDP_CHECKSUM);
                let delta = checksum::delta(&old, &addr);
                put16(l4, UDP_CHECKSUM, checksum::apply_udp(sum, delta));
            }
            _ => {}
        }
    }
}

impl Element for StoreIPAddress {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let addr = self.addr.unwrap_or_else(|| p.dst_ip()).octets();
        match self.target {
            Target::Offset(o) => {
                let at = o as usize;
                let known = self.addr.is_some() || addr != [0; 4];
                if let Some(b) = p.data_mut().get_mut(at..at.saturating_add(4)) {
                    if known {
                        b.copy_from_slice(&addr);
                    }
                }
            }
            Target::IpSrc => Self::store_in_header(p, field::SRC, addr),
            Target::IpDst => Self::store_in_header(p, field::DST, addr),
        }
        Out::Port(0)
    }
}

/// StoreIPAddress's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "StoreIPAddress",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "stores IP address in packet",
    source: include_str!("store_ip_address.rs"),
    check: |c| StoreIPAddress::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, ip_checksum};
    use nfc_dataplane::packet::PacketPool;

    #[test]
    fn configure() {
        let s = StoreIPAddress::configure("0").unwrap();
        assert_eq!((s.addr, s.target), (None, Target::Offset(0)));
        let s = StoreIPAddress::configure("1.0.0.3, 4").unwrap();
        assert_eq!(s.addr, Some(Ipv4Addr::new(1, 0, 0, 3)));
        assert_eq!(s.target, Target::Offset(4));
        assert_eq!(
            StoreIPAddress::configure("SRC").unwrap().target,
            Target::IpSrc
        );
        assert_eq!(
            StoreIPAddress::configure("1.0.0.4, dst").unwrap().target,
            Target::IpDst
        );
        for bad in ["", "1, 2, 3", "src, 4", "1.0.0.300, 4", "x"] {
            assert!(StoreIPAddress::configure(bad).is_err(), "{bad:?}");
        }
        let cfg = "1.2.3.4, far";
        let e = StoreIPAddress::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "far");
    }

    /// A 20-byte IP header of 0x99 bytes (as Click's test), marked, with
    /// destination annotation 1.0.0.2.
    fn nines(pool: &'static PacketPool) -> Packet {
        let mut p = pool.alloc_with(&[0x99; 20]).unwrap();
        p.set_network_header(0, 20);
        p.set_dst_ip(Ipv4Addr::new(1, 0, 0, 2));
        p
    }

    fn hex(p: &Packet) -> alloc::string::String {
        p.data().iter().map(|b| alloc::format!("{b:02x}")).collect()
    }

    #[test]
    fn clicks_test_file() {
        // Click's test/ip/StoreIPAddress-01: the same six rewrites.
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let cases = [
            ("0", "0100000299999999999999999999999999999999"),
            ("1.0.0.3, 4", "9999999901000003999999999999999999999999"),
            ("src", "99999999999999999999cbca0100000299999999"),
            ("dst", "99999999999999999999cbca9999999901000002"),
            ("1.0.0.4, dst", "99999999999999999999cbc89999999901000004"),
        ];
        for (cfg, want) in cases {
            let mut s = StoreIPAddress::configure(cfg).unwrap();
            let mut p = nines(pool);
            assert_eq!(s.process(&cx, 0, &mut p), Out::Port(0));
            assert_eq!(hex(&p), want, "{cfg}");
        }
    }

    #[test]
    fn checksums_stay_valid() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let frame = harness::udp_frame([10, 0, 0, 1], [10, 0, 0, 2], 1, 2, 10);
        let mut p = pool.alloc_with(&frame[14..]).unwrap();
        p.set_network_header(0, 20);
        let mut s = StoreIPAddress::configure("192.168.7.9, src").unwrap();
        s.process(&cx, 0, &mut p);
        let ip = p.data();
        assert_eq!(&ip[12..16], &[192, 168, 7, 9]);
        assert_eq!(ip_checksum(&ip[..20]), 0, "IP checksum verifies");
        let udp_sum = get16(&ip[20..], UDP_CHECKSUM);
        let mut recomputed = ip.to_vec();
        put16(&mut recomputed[20..], UDP_CHECKSUM, 0);
        let want = ip_header::transport_checksum(&recomputed, &recomputed[20..]);
        if get16(&frame[34..], UDP_CHECKSUM) != 0 {
            assert_eq!(udp_sum, want);
        }
    }

    #[test]
    fn short_or_unmarked_packets_pass_unchanged() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut s = StoreIPAddress::configure("1.2.3.4, 8").unwrap();
        let mut p = pool.alloc_with(&[7; 11]).unwrap();
        assert_eq!(s.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.data(), &[7; 11]);
        let mut s = StoreIPAddress::configure("dst").unwrap();
        let mut p = pool.alloc_with(&[7; 11]).unwrap();
        assert_eq!(s.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.data(), &[7; 11]);
        // No annotation: the one-argument numeric form writes nothing.
        let mut s = StoreIPAddress::configure("0").unwrap();
        let mut p = pool.alloc_with(&[7; 11]).unwrap();
        s.process(&cx, 0, &mut p);
        assert_eq!(p.data(), &[7; 11]);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let s = StoreIPAddress::configure("src").unwrap();
        check_batch_path(&s, 0, 1, |i, pool| {
            let mut p = pool.alloc_with(&[0x45; 40][..i % 40]).unwrap();
            p.set_network_header(0, 20);
            p.set_dst_ip(Ipv4Addr::new(1, 1, 1, i as u8));
            p
        });
    }
}
