//! # FixIPSrc — sets IP source field if requested by annotation
//!
//! ```click
//! FixIPSrc(IPADDR)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! When a packet carries the fix-IP-source annotation (ICMPError sets it on
//! the errors it generates), FixIPSrc writes IPADDR into the IP source field,
//! updates the header checksum and clears the annotation. Other packets pass
//! unchanged, as do packets without an IP header annotation.
//!
//! ## Keywords
//! - `IPADDR` *ADDR* — the source address to write. Mandatory.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> FixIPSrc(10.0.0.1) -> ...
//! ```
//!
//! ## Differences from Click
//! - A marked packet whose IP header annotation points at fewer bytes than
//!   a whole IP header is dropped and counted instead of written past its
//!   end.

use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::{Packet, FIX_IP_SRC_ANNO};
use nfc_dataplane::parse;

use super::ip_header::{self, field};

use crate::{ElementSpec, Ports};

/// FixIPSrc's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixIPSrc {
    /// The source address written.
    pub addr: Ipv4Addr,
    /// Marked packets too short to hold their IP header.
    drops: u64,
}

impl FixIPSrc {
    /// Parses `FixIPSrc(IPADDR)`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let addr = args.read_mp("IPADDR", parse::ipv4);
        args.complete()?;
        Ok(FixIPSrc {
            addr: addr.unwrap_or(Ipv4Addr::UNSPECIFIED),
            drops: 0,
        })
    }

    /// Marked packets dropped because their IP header was cut short.
    pub fn drops(&self) -> u64 {
        self.drops
    }
}

impl Element for FixIPSrc {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if p.anno()[FIX_IP_SRC_ANNO] == 0 || p.network().is_none() {
            return Out::Port(0);
        }
        let Some((ip, hlen)) = ip_header::ip_mut(p) else {
            self.drops += 1;
            return Out::Drop;
        };
        ip[field::SRC..field::SRC + 4].copy_from_slice(&self.addr.octets());
        ip_header::set_checksum(ip, hlen);
        p.anno_mut()[FIX_IP_SRC_ANNO] = 0;
        Out::Port(0)
    }
}

/// FixIPSrc's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "FixIPSrc",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["IPADDR"],
    handlers: &[],
    summary: "sets IP source field if requested by annotation",
    source: include_str!("fix_ip_src.rs"),
    check: |c| FixIPSrc::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert_eq!(
            FixIPSrc::configure("1.2.3.4").unwrap().addr,
            Ipv4Addr::new(1, 2, 3, 4)
        );
        assert_eq!(
            FixIPSrc::configure("IPADDR 1.2.3.4").unwrap().addr,
            Ipv4Addr::new(1, 2, 3, 4)
        );
        let cfg = "1.2.3";
        let e = FixIPSrc::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "1.2.3");
        assert!(FixIPSrc::configure("").is_err());
    }

    use crate::harness::{self, check_batch_path, ip_checksum};
    use crate::ip::ip_header::testing::{marked, udp};
    use nfc_dataplane::packet::PacketPool;

    /// UDP packets, every other one marked, some cut short, some unmarked
    /// by the network-header annotation.
    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let mut f = udp([10, 0, 0, i as u8], [10, 9, 9, 9], 1, 2, &[0; 5]);
        if i % 5 == 4 {
            f.truncate(12);
        }
        let mut p = if i % 7 == 3 {
            pool.alloc_with(&f).unwrap()
        } else {
            marked(pool, &f, 0)
        };
        p.anno_mut()[FIX_IP_SRC_ANNO] = (i % 2) as u8;
        p
    }

    #[test]
    fn rewrites_marked_packets_only() {
        let mut x = FixIPSrc::configure("1.2.3.4").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut p = packet(1, pool);
        assert_eq!(x.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.data()[12..16], [1, 2, 3, 4]);
        assert_eq!(ip_checksum(&p.data()[..20]), 0);
        assert_eq!(p.anno()[FIX_IP_SRC_ANNO], 0, "annotation cleared");
        let mut p = packet(2, pool);
        assert_eq!(x.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.data()[12..16], [10, 0, 0, 2], "unmarked");
        let mut p = packet(9, pool);
        assert_eq!(x.process(&cx, 0, &mut p), Out::Drop, "marked, cut short");
        let mut p = packet(3, pool);
        assert_eq!(x.process(&cx, 0, &mut p), Out::Port(0), "no network header");
        assert_eq!(x.drops(), 1);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let x = FixIPSrc::configure("1.2.3.4").unwrap();
        check_batch_path(&x, 0, 1, packet);
    }
}
