//! # SetVLANAnno — sets VLAN annotation
//!
//! ```click
//! SetVLANAnno([VLAN_TCI, VLAN_PCP, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Sets each packet's VLAN TCI annotation (2 bytes at annotation offset 20,
//! in network byte order, as Click's `VLAN_TCI_ANNO`) to the configured
//! value: VLAN_TCI as a whole, or VLAN_ID and VLAN_PCP (the 12-bit VLAN ID
//! and the 3-bit priority code point). VLANEncap reads the annotation in
//! its ANNO mode; VLANDecap writes it.
//!
//! ## Keywords
//! - `VLAN_TCI` *0–0xFFFF* — the whole TCI. Default: from VLAN_ID and
//!   VLAN_PCP.
//! - `VLAN_PCP` *0–7* — the priority code point, ORed into the TCI's top
//!   three bits. Default 0.
//! - `VLAN_ID` *0–0xFFF* — the VLAN ID, used when VLAN_TCI is not given.
//!   Default 0.
//!
//! ## Handlers
//! - `config` (read) — `VLAN_ID n, VLAN_PCP n`.
//! - `vlan_tci` (read/write), `vlan_id` (read/write), `vlan_pcp`
//!   (read/write) — the TCI, or one of its parts.
//!
//! ## Examples
//! ```click
//! ... -> SetVLANAnno(VLAN_ID 10) -> VLANEncap(ANNO) -> ...
//! ```
//!
//! ## Differences from Click
//! - `vlan_id` and `vlan_pcp` read the parts of the TCI in use; Click's
//!   read back the keyword as configured.

use alloc::string::{String, ToString};

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, ParseError};

use crate::{ElementSpec, Ports};

/// Byte offset of the VLAN TCI annotation (Click's `VLAN_TCI_ANNO_OFFSET`),
/// two bytes in network byte order.
pub const VLAN_TCI_ANNO: usize = 20;

/// The VLAN TCI annotation of `p`.
pub fn vlan_tci(p: &Packet) -> u16 {
    let a = p.anno();
    u16::from_be_bytes([a[VLAN_TCI_ANNO], a[VLAN_TCI_ANNO + 1]])
}

/// Sets the VLAN TCI annotation of `p`.
pub fn set_vlan_tci(p: &mut Packet, tci: u16) {
    p.anno_mut()[VLAN_TCI_ANNO..VLAN_TCI_ANNO + 2].copy_from_slice(&tci.to_be_bytes());
}

/// An unsigned value at most `max` (Click's `BoundedIntArg(0, max)`).
pub(crate) fn bounded(s: &str, max: u16) -> Result<u16, ParseError> {
    let v = parse::unsigned::<u32>(s)?;
    u16::try_from(v)
        .ok()
        .filter(|&v| v <= max)
        .ok_or_else(|| ParseError::new(alloc::format!("{s} is out of range (0 to {max:#x})")))
}

/// The VLAN ID part of a TCI.
pub(crate) const VLAN_ID_MASK: u16 = 0x0fff;

/// SetVLANAnno's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetVLANAnno {
    /// The TCI set.
    pub tci: u16,
}

impl SetVLANAnno {
    /// Parses `SetVLANAnno([VLAN_TCI, VLAN_PCP, KEYWORDS])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let tci = args.read_p("VLAN_TCI", |s| bounded(s, 0xffff));
        let pcp = args.read_p("VLAN_PCP", |s| bounded(s, 7)).unwrap_or(0);
        let id = args
            .read("VLAN_ID", |s| bounded(s, VLAN_ID_MASK))
            .unwrap_or(0);
        args.complete()?;
        Ok(SetVLANAnno {
            tci: tci.unwrap_or(id) | pcp << 13,
        })
    }
}

impl Element for SetVLANAnno {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        set_vlan_tci(p, self.tci);
        Out::Port(0)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        let (id, pcp) = (self.tci & VLAN_ID_MASK, self.tci >> 13);
        match name {
            "config" => Ok(alloc::format!("VLAN_ID {id}, VLAN_PCP {pcp}")),
            "vlan_tci" => Ok(self.tci.to_string()),
            "vlan_id" => Ok(id.to_string()),
            "vlan_pcp" => Ok(pcp.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        let value = value.trim();
        let invalid = |e: ParseError| HandlerError::Invalid(e.message);
        self.tci = match name {
            "vlan_tci" => bounded(value, 0xffff).map_err(invalid)?,
            "vlan_id" => {
                (self.tci & !VLAN_ID_MASK) | bounded(value, VLAN_ID_MASK).map_err(invalid)?
            }
            "vlan_pcp" => (self.tci & 0x1fff) | bounded(value, 7).map_err(invalid)? << 13,
            _ => return Err(HandlerError::NoSuchHandler),
        };
        Ok(())
    }
}

/// SetVLANAnno's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "SetVLANAnno",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["VLAN_TCI", "VLAN_PCP", "VLAN_ID"],
    handlers: &[
        "config (read)",
        "vlan_tci (read/write)",
        "vlan_id (read/write)",
        "vlan_pcp (read/write)",
    ],
    summary: "sets VLAN annotation",
    source: include_str!("set_vlan_anno.rs"),
    check: |c| SetVLANAnno::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path};

    #[test]
    fn configure() {
        assert_eq!(SetVLANAnno::configure("").unwrap().tci, 0);
        assert_eq!(SetVLANAnno::configure("0x123").unwrap().tci, 0x123);
        assert_eq!(SetVLANAnno::configure("5, 3").unwrap().tci, 0x6005);
        assert_eq!(
            SetVLANAnno::configure("VLAN_ID 10, VLAN_PCP 1")
                .unwrap()
                .tci,
            0x200a
        );
        for bad in ["0x10000", "1, 8", "VLAN_ID 4096", "x"] {
            assert!(SetVLANAnno::configure(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sets_the_annotation_and_handlers() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut s = SetVLANAnno::configure("VLAN_ID 0xabc, VLAN_PCP 5").unwrap();
        let mut p = pool.alloc_with(&[0; 14]).unwrap();
        s.process(&cx, 0, &mut p);
        assert_eq!(vlan_tci(&p), 0xaabc);
        assert_eq!(p.anno()[VLAN_TCI_ANNO..VLAN_TCI_ANNO + 2], [0xaa, 0xbc]);
        assert_eq!(
            s.read_handler("config").unwrap(),
            "VLAN_ID 2748, VLAN_PCP 5"
        );
        s.write_handler("vlan_id", "7").unwrap();
        s.write_handler("vlan_pcp", "1").unwrap();
        assert_eq!(s.read_handler("vlan_tci").unwrap(), (0x2007).to_string());
        assert!(s.write_handler("vlan_pcp", "8").is_err());
        assert_eq!(s.read_handler("nope"), Err(HandlerError::NoSuchHandler));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let s = SetVLANAnno::configure("9").unwrap();
        check_batch_path(&s, 0, 1, |i, pool| {
            let mut p = pool.alloc_with(&[0; 20][..i % 20]).unwrap();
            set_vlan_tci(&mut p, i as u16);
            p
        });
    }
}
