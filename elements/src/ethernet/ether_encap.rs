//! # EtherEncap — encapsulates packets in Ethernet header
//!
//! ```click
//! EtherEncap(ETHERTYPE, SRC, DST)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Puts a 14-byte Ethernet header in front of every packet: destination
//! DST, source SRC, and type ETHERTYPE. Use it when the next hop's address
//! is fixed; ARPQuerier finds it instead when it is not. The header goes
//! into the packet's headroom; a packet whose buffer cannot take 14 more
//! bytes is dropped and counted.
//!
//! ## Keywords
//! - `ETHERTYPE` *0–0xFFFF* — the Ethernet type, such as `0x0800` (IPv4)
//!   or `0x0806` (ARP); mandatory.
//! - `SRC` *Ethernet address* — the source address; mandatory.
//! - `DST` *Ethernet address* — the destination address; mandatory.
//!
//! ## Handlers
//! - `src` (read/write), `dst` (read/write), `ethertype` (read/write) — the
//!   header fields (`ethertype` reads as a decimal number).
//! - `drops` (read) — packets dropped because their buffer was full.
//!
//! ## Examples
//! ```click
//! ... -> EtherEncap(0x0800, 00:11:22:33:44:55, 66:77:88:99:aa:bb) -> Queue -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - SRC and DST must be written as addresses; AddressInfo names are not
//!   looked up yet.
//! - nfc packets carry no link-header annotation, so none is set.
//! - The `drops` handler is nfc's.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, EtherAddress};

use super::handler_value;
use super::headers::EtherHeader;
use crate::{ElementSpec, Ports};

/// EtherEncap: its configuration and its drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EtherEncap {
    /// The Ethernet type.
    pub ethertype: u16,
    /// The source address.
    pub src: EtherAddress,
    /// The destination address.
    pub dst: EtherAddress,
    /// Packets dropped because their buffer had no room for the header.
    drops: u64,
}

impl EtherEncap {
    /// Parses EtherEncap's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let ethertype = args.read_mp("ETHERTYPE", parse::unsigned::<u16>);
        let src = args.read_mp("SRC", parse::ether);
        let dst = args.read_mp("DST", parse::ether);
        args.complete()?;
        Ok(EtherEncap {
            ethertype: ethertype.unwrap_or_default(),
            src: src.unwrap_or_default(),
            dst: dst.unwrap_or_default(),
            drops: 0,
        })
    }

    /// Prepends the header; false (and counted) when it does not fit.
    #[inline]
    fn encap(&mut self, p: &mut Packet) -> bool {
        let h = EtherHeader {
            dst: self.dst,
            src: self.src,
            ethertype: self.ethertype,
        };
        let ok = h.push_onto(p);
        self.drops += u64::from(!ok);
        ok
    }
}

impl Element for EtherEncap {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if self.encap(p) {
            Out::Port(0)
        } else {
            Out::Drop
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "src" => self.src.to_string(),
            "dst" => self.dst.to_string(),
            "ethertype" => self.ethertype.to_string(),
            "drops" => self.drops.to_string(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "src" => self.src = handler_value(value, parse::ether)?,
            "dst" => self.dst = handler_value(value, parse::ether)?,
            "ethertype" => self.ethertype = handler_value(value, parse::unsigned::<u16>)?,
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// EtherEncap's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "EtherEncap",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["ETHERTYPE", "SRC", "DST"],
    handlers: &[
        "src (read/write)",
        "dst (read/write)",
        "ethertype (read/write)",
        "drops (read)",
    ],
    summary: "encapsulates packets in Ethernet header",
    source: include_str!("ether_encap.rs"),
    check: |c| EtherEncap::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, run_push};
    use crate::standard::testing::{errors, has};
    use nfc_dataplane::packet::{PacketPool, BUF_SIZE, HEADROOM};

    #[test]
    fn values() {
        let e = EtherEncap::configure("0x0800, 00:11:22:33:44:55, ff:ff:ff:ff:ff:ff").unwrap();
        assert_eq!(e.ethertype, 0x0800);
        assert_eq!(e.src, EtherAddress([0, 0x11, 0x22, 0x33, 0x44, 0x55]));
        assert_eq!(e.dst, EtherAddress::BROADCAST);
        let e =
            EtherEncap::configure("ETHERTYPE 0x0806, SRC 0:1:2:3:4:5, DST 1:1:1:1:1:1").unwrap();
        assert_eq!(e.ethertype, 0x0806);
    }

    #[test]
    fn bad_values() {
        let cfg = "0x10000, 00:11:22:33:44, 1.2.3.4";
        let errs = errors(cfg, EtherEncap::configure(cfg));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(has(&errs, "out of range", "0x10000"), "{errs:?}");
        assert!(has(&errs, "", "00:11:22:33:44"), "{errs:?}");
        assert!(has(&errs, "", "1.2.3.4"), "{errs:?}");
        let cfg = "0x0800, 0:1:2:3:4:5";
        let errs = errors(cfg, EtherEncap::configure(cfg));
        assert!(errs[0].0.contains("DST"), "{errs:?}");
    }

    /// A packet filling its buffer but for `room` bytes.
    fn full_packet(pool: &'static PacketPool, room: usize) -> Packet {
        let mut p = pool.alloc_with(&[0; BUF_SIZE - HEADROOM]).unwrap();
        p.push(HEADROOM - room).unwrap();
        p
    }

    #[test]
    fn prepends_the_header() {
        let mut e = EtherEncap::configure("0x0800, 0:1:2:3:4:5, a:b:c:d:e:f").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let sent = run_push(
            &mut e,
            &cx,
            0,
            (0..3u8)
                .map(|i| pool.alloc_with(&[i; 20]).unwrap())
                .collect(),
            1,
        );
        assert_eq!(sent.len(), 3);
        for (i, s) in sent.iter().enumerate() {
            assert_eq!(
                &s.data[..14],
                &[0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0, 1, 2, 3, 4, 5, 8, 0]
            );
            assert_eq!(&s.data[14..], &[i as u8; 20]);
        }
        // A buffer with no room left is dropped and counted.
        let mut full = full_packet(pool, 10);
        assert_eq!(e.process(&cx, 0, &mut full), Out::Drop);
        assert_eq!(e.read_handler("drops"), Ok("1".into()));
    }

    #[test]
    fn handlers() {
        let mut e = EtherEncap::configure("0x0806, 0:1:2:3:4:5, a:b:c:d:e:f").unwrap();
        assert_eq!(e.read_handler("ethertype"), Ok("2054".into()));
        assert_eq!(e.read_handler("src"), Ok("00:01:02:03:04:05".into()));
        e.write_handler("dst", " ff:ff:ff:ff:ff:ff\n").unwrap();
        assert_eq!(e.dst, EtherAddress::BROADCAST);
        e.write_handler("ethertype", "0x86dd").unwrap();
        assert_eq!(e.ethertype, 0x86dd);
        assert!(matches!(
            e.write_handler("src", "nope"),
            Err(HandlerError::Invalid(_))
        ));
        assert_eq!(e.read_handler("x"), Err(HandlerError::NoSuchHandler));
        assert_eq!(
            e.write_handler("drops", "1"),
            Err(HandlerError::NoSuchHandler)
        );
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let e = EtherEncap::configure("0x0800, 0:1:2:3:4:5, a:b:c:d:e:f").unwrap();
        check_batch_path(&e, 0, 1, |i, pool| {
            // Every seventh packet has no room left for the header.
            let mut p = if i % 7 == 3 {
                full_packet(pool, 5)
            } else {
                pool.alloc_with(&alloc::vec![i as u8; i * 3]).unwrap()
            };
            p.set_paint(i as u8);
            p
        });
    }
}
