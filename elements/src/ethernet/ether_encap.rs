//! # EtherEncap — encapsulates packets in Ethernet header
//!
//! ```click
//! EtherEncap(ETHERTYPE, SRC, DST)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Puts a 14-byte Ethernet header in front of every packet: destination
//! DST, source SRC, and type ETHERTYPE, and marks it as the packet's link
//! header. Use it when the next hop's address is fixed; ARPQuerier finds it
//! instead when it is not.
//!
//! ## Keywords
//! - `ETHERTYPE` *0–0xFFFF* — the Ethernet type, such as `0x0800` (IPv4)
//!   or `0x0806` (ARP); mandatory.
//! - `SRC` *Ethernet address* — the source address; mandatory.
//! - `DST` *Ethernet address* — the destination address; mandatory.
//!
//! ## Handlers
//! - `src` (read/write), `dst` (read/write), `ethertype` (read/write) — the header fields.
//!
//! ## Examples
//! ```click
//! ... -> EtherEncap(0x0800, 00:11:22:33:44:55, 66:77:88:99:aa:bb) -> Queue -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - SRC and DST must be written as addresses; AddressInfo names are not
//!   looked up yet.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse::{self, EtherAddress};

use crate::{ElementSpec, Ports};

/// EtherEncap's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EtherEncap {
    /// The Ethernet type.
    pub ethertype: u16,
    /// The source address.
    pub src: EtherAddress,
    /// The destination address.
    pub dst: EtherAddress,
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
        })
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
    ],
    summary: "encapsulates packets in Ethernet header",
    source: include_str!("ether_encap.rs"),
    check: |c| EtherEncap::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

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
}
