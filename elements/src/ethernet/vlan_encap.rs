//! # VLANEncap — adds VLAN information to Ethernet packets
//!
//! ```click
//! VLANEncap([VLAN_TCI, VLAN_PCP, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Expects Ethernet frames. Adds a 4-byte 802.1Q shim header after the
//! addresses: type ETHERTYPE, then the TCI (the VLAN ID and the priority
//! code point). VLAN_TCI may be `ANNO`: the TCI then comes from each
//! packet's VLAN TCI annotation (see SetVLANAnno, VLANDecap). A frame
//! whose VLAN ID equals NATIVE_VLAN gets no shim and stays a plain
//! Ethernet frame. The network header is marked after the (new) link
//! header. A frame shorter than its 12 address bytes, or whose buffer
//! has no room for the shim, is dropped and counted.
//!
//! ## Keywords
//! - `VLAN_TCI` *0–0xFFFF or `ANNO`* — the whole TCI, or take it from the
//!   annotation. Default: from VLAN_ID and VLAN_PCP.
//! - `VLAN_PCP` *0–7* — priority code point. Default 0.
//! - `VLAN_ID` *0–0xFFF* — the VLAN ID when VLAN_TCI is not given.
//!   Default 0.
//! - `NATIVE_VLAN` *−1–0xFFF* — frames of this VLAN ID are sent untagged;
//!   −1 tags every frame. Default 0.
//! - `ETHERTYPE` *unsigned* — the shim's type. Default 0x8100.
//!
//! ## Handlers
//! - `config` (read) — `VLAN_ID n, VLAN_PCP n` (or `ANNO`), and
//!   `NATIVE_VLAN n` when not 0.
//! - `vlan_tci` (read) — the TCI, or `ANNO`.
//! - `vlan_id` (read), `vlan_pcp` (read), `native_vlan` (read),
//!   `ethertype` (read) — the settings.
//! - `drops` (read) — frames dropped.
//!
//! ## Examples
//! ```click
//! ... -> VLANEncap(VLAN_ID 10) -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - The settings' handlers are read-only (Click reconfigures on writes).
//! - Click marks a tagged frame's network header 8 bytes in (the size of
//!   a pointer, a slip); nfc marks it after the 18-byte header.
//! - `drops` is nfc's.

use alloc::string::{String, ToString};

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, ParseError};

use super::set_vlan_anno::{bounded, vlan_tci, VLAN_ID_MASK};
use super::vlan_decap::ETHERTYPE_8021Q;
use crate::standard::mark_mac_header::set_mac_header;
use crate::{ElementSpec, Ports};

/// Bytes of an Ethernet header.
const ETHER_LEN: usize = 14;
/// Bytes of the two addresses.
const ADDRS_LEN: usize = 12;
/// Bytes of the shim header.
const SHIM_LEN: usize = 4;

/// Where the TCI comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tci {
    /// This value.
    Fixed(u16),
    /// The packet's VLAN TCI annotation.
    Anno,
}

/// VLANEncap's configuration and its drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VLANEncap {
    /// The TCI written.
    pub tci: Tci,
    /// The VLAN ID sent untagged, if any.
    pub native_vlan: Option<u16>,
    /// The shim's Ethernet type.
    pub ethertype: u16,
    /// Frames dropped.
    drops: u64,
}

fn tci_word(s: &str) -> Result<Option<u16>, ParseError> {
    if s == "ANNO" {
        Ok(None)
    } else {
        bounded(s, 0xffff).map(Some)
    }
}

fn native(s: &str) -> Result<Option<u16>, ParseError> {
    match parse::integer::<i32>(s)? {
        -1 => Ok(None),
        v => u16::try_from(v)
            .ok()
            .filter(|&v| v <= VLAN_ID_MASK)
            .map(Some)
            .ok_or_else(|| ParseError::new(alloc::format!("{s} is out of range (-1 to 0xfff)"))),
    }
}

impl VLANEncap {
    /// Parses `VLANEncap([VLAN_TCI, VLAN_PCP, KEYWORDS])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let word = args.read_p("VLAN_TCI", tci_word);
        let pcp = args.read_p("VLAN_PCP", |s| bounded(s, 7)).unwrap_or(0);
        let id = args
            .read("VLAN_ID", |s| bounded(s, VLAN_ID_MASK))
            .unwrap_or(0);
        let native_vlan = args.read("NATIVE_VLAN", native).unwrap_or(Some(0));
        let ethertype = args
            .read("ETHERTYPE", parse::unsigned::<u16>)
            .unwrap_or(ETHERTYPE_8021Q);
        args.complete()?;
        let tci = match word {
            Some(None) => Tci::Anno,
            Some(Some(t)) => Tci::Fixed(t | pcp << 13),
            None => Tci::Fixed(id | pcp << 13),
        };
        Ok(VLANEncap {
            tci,
            native_vlan,
            ethertype,
            drops: 0,
        })
    }

    /// Tags `p`; false when it cannot be.
    fn encap(&self, p: &mut Packet) -> bool {
        let tci = match self.tci {
            Tci::Fixed(t) => t,
            Tci::Anno => vlan_tci(p),
        };
        if p.len() < ADDRS_LEN {
            return false;
        }
        if Some(tci & VLAN_ID_MASK) == self.native_vlan {
            set_mac_header(p, 0, ETHER_LEN);
            return true;
        }
        if p.push(SHIM_LEN).is_none() {
            return false;
        }
        let d = p.data_mut();
        d.copy_within(SHIM_LEN..SHIM_LEN + ADDRS_LEN, 0);
        d[ADDRS_LEN..ADDRS_LEN + 2].copy_from_slice(&self.ethertype.to_be_bytes());
        d[ADDRS_LEN + 2..ADDRS_LEN + 4].copy_from_slice(&tci.to_be_bytes());
        set_mac_header(p, 0, ETHER_LEN + SHIM_LEN);
        true
    }
}

impl Element for VLANEncap {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if self.encap(p) {
            Out::Port(0)
        } else {
            self.drops += 1;
            Out::Drop
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        let fixed = match self.tci {
            Tci::Fixed(t) => Some(t),
            Tci::Anno => None,
        };
        let native = self.native_vlan.map_or(-1, i32::from);
        Ok(match name {
            "config" => {
                let mut s = match fixed {
                    Some(t) => alloc::format!("VLAN_ID {}, VLAN_PCP {}", t & VLAN_ID_MASK, t >> 13),
                    None => "ANNO".into(),
                };
                if native != 0 {
                    s.push_str(&alloc::format!(", NATIVE_VLAN {native}"));
                }
                s
            }
            "vlan_tci" => fixed.map_or_else(|| "ANNO".into(), |t| t.to_string()),
            "vlan_id" => fixed.map_or(0, |t| t & VLAN_ID_MASK).to_string(),
            "vlan_pcp" => fixed.map_or(0, |t| t >> 13).to_string(),
            "native_vlan" => native.to_string(),
            "ethertype" => self.ethertype.to_string(),
            "drops" => self.drops.to_string(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }
}

/// VLANEncap's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "VLANEncap",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "VLAN_TCI",
        "VLAN_PCP",
        "VLAN_ID",
        "NATIVE_VLAN",
        "ETHERTYPE",
    ],
    handlers: &[
        "config (read)",
        "vlan_tci (read)",
        "vlan_id (read)",
        "vlan_pcp (read)",
        "native_vlan (read)",
        "ethertype (read)",
        "drops (read)",
    ],
    summary: "adds VLAN information to Ethernet packets",
    source: include_str!("vlan_encap.rs"),
    check: |c| VLANEncap::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ethernet::set_vlan_anno::set_vlan_tci;
    use crate::ethernet::vlan_decap::VLANDecap;
    use crate::harness::{self, check_batch_path};

    fn plain() -> alloc::vec::Vec<u8> {
        let mut f: alloc::vec::Vec<u8> = (1..=12).collect();
        f.extend_from_slice(&[0x08, 0x00]);
        f.extend_from_slice(&[0xee; 20]);
        f
    }

    #[test]
    fn configure() {
        let e = VLANEncap::configure("").unwrap();
        assert_eq!(
            (e.tci, e.native_vlan, e.ethertype),
            (Tci::Fixed(0), Some(0), 0x8100)
        );
        assert_eq!(VLANEncap::configure("ANNO").unwrap().tci, Tci::Anno);
        assert_eq!(
            VLANEncap::configure("0x0ab, 2").unwrap().tci,
            Tci::Fixed(0x40ab)
        );
        let e = VLANEncap::configure("VLAN_ID 5, NATIVE_VLAN -1").unwrap();
        assert_eq!((e.tci, e.native_vlan), (Tci::Fixed(5), None));
        for bad in [
            "ANNOX",
            "0x10000",
            "1, 9",
            "NATIVE_VLAN -2",
            "VLAN_ID 0x1000",
        ] {
            assert!(VLANEncap::configure(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tags_and_decap_undoes_it() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut e = VLANEncap::configure("VLAN_ID 10, VLAN_PCP 1").unwrap();
        let mut p = pool.alloc_with(&plain()).unwrap();
        assert_eq!(e.process(&cx, 0, &mut p), Out::Port(0));
        let d = p.data();
        assert_eq!(&d[..12], &plain()[..12]);
        assert_eq!(&d[12..16], &[0x81, 0x00, 0x20, 0x0a]);
        assert_eq!(&d[16..], &plain()[12..]);
        assert_eq!(p.network_offset(), Some(18));
        VLANDecap::configure("").unwrap().process(&cx, 0, &mut p);
        assert_eq!(p.data(), plain());
        assert_eq!(vlan_tci(&p), 0x200a);
        // The annotation mode re-tags with what VLANDecap kept.
        let mut a = VLANEncap::configure("ANNO").unwrap();
        a.process(&cx, 0, &mut p);
        assert_eq!(&p.data()[12..16], &[0x81, 0x00, 0x20, 0x0a]);
        assert_eq!(a.read_handler("vlan_tci").unwrap(), "ANNO");
    }

    #[test]
    fn native_vlan_and_short_frames() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut e = VLANEncap::configure("").unwrap();
        let mut p = pool.alloc_with(&plain()).unwrap();
        assert_eq!(e.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.data(), plain(), "VLAN 0 is native: untagged");
        assert_eq!(p.network_offset(), Some(14));
        let mut a = VLANEncap::configure("ANNO, NATIVE_VLAN 7").unwrap();
        set_vlan_tci(&mut p, 0x6007);
        a.process(&cx, 0, &mut p);
        assert_eq!(p.data(), plain(), "ID 7 native, whatever the PCP");
        let mut short = pool.alloc_with(&[1; 11]).unwrap();
        assert_eq!(e.process(&cx, 0, &mut short), Out::Drop);
        assert_eq!(e.read_handler("drops").unwrap(), "1");
        assert_eq!(a.read_handler("config").unwrap(), "ANNO, NATIVE_VLAN 7");
        assert_eq!(e.read_handler("config").unwrap(), "VLAN_ID 0, VLAN_PCP 0");
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let e = VLANEncap::configure("ANNO").unwrap();
        check_batch_path(&e, 0, 1, |i, pool| {
            let mut p = pool.alloc_with(&plain()[..10 + i % 20]).unwrap();
            set_vlan_tci(&mut p, (i % 3) as u16);
            p
        });
    }
}
