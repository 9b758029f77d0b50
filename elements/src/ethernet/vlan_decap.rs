//! # VLANDecap — strips VLAN information from Ethernet packets
//!
//! ```click
//! VLANDecap([ANNO, ETHERTYPE])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Expects Ethernet frames. A frame whose type is ETHERTYPE (an 802.1Q
//! shim header) loses its 4-byte shim: the addresses move up and the frame
//! becomes a plain Ethernet frame. With ANNO, the shim's TCI is stored in
//! the VLAN TCI annotation (0 for frames without a shim). The network
//! header is marked right after the 14-byte Ethernet header. Frames too
//! short to hold a shim pass unchanged, as untagged frames do.
//!
//! ## Keywords
//! - `ANNO` *boolean* — store the TCI in the VLAN TCI annotation. Default
//!   true.
//! - `ETHERTYPE` *unsigned* — the Ethernet type of tagged frames. Default
//!   0x8100 (802.1Q); 0x88a8 is 802.1ad.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> VLANDecap -> ... -> VLANEncap(ANNO) -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - A frame shorter than 16 bytes is not read past its end.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::set_vlan_anno::set_vlan_tci;
use crate::standard::mark_mac_header::set_mac_header;
use crate::{ElementSpec, Ports};

/// The Ethernet type of 802.1Q-tagged frames.
pub const ETHERTYPE_8021Q: u16 = 0x8100;
/// Bytes of an Ethernet header.
const ETHER_LEN: usize = 14;
/// Bytes of the two addresses in front of the type or shim.
const ADDRS_LEN: usize = 12;
/// Bytes of the shim header (type and TCI).
const SHIM_LEN: usize = 4;

/// VLANDecap's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VLANDecap {
    /// Store the TCI in the annotation.
    pub anno: bool,
    /// The Ethernet type of tagged frames.
    pub ethertype: u16,
}

impl VLANDecap {
    /// Parses `VLANDecap([ANNO, ETHERTYPE])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let anno = args.read_p("ANNO", parse::boolean).unwrap_or(true);
        let ethertype = args
            .read("ETHERTYPE", parse::unsigned::<u16>)
            .unwrap_or(ETHERTYPE_8021Q);
        args.complete()?;
        Ok(VLANDecap { anno, ethertype })
    }
}

impl Element for VLANDecap {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let d = p.data();
        let mut tci = 0;
        if d.len() >= ADDRS_LEN + SHIM_LEN
            && u16::from_be_bytes([d[ADDRS_LEN], d[ADDRS_LEN + 1]]) == self.ethertype
        {
            tci = u16::from_be_bytes([d[ADDRS_LEN + 2], d[ADDRS_LEN + 3]]);
            p.data_mut().copy_within(0..ADDRS_LEN, SHIM_LEN);
            p.pull(SHIM_LEN);
        }
        set_mac_header(p, 0, ETHER_LEN);
        if self.anno {
            set_vlan_tci(p, tci);
        }
        Out::Port(0)
    }
}

/// VLANDecap's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "VLANDecap",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["ANNO", "ETHERTYPE"],
    handlers: &[],
    summary: "strips VLAN information from Ethernet packets",
    source: include_str!("vlan_decap.rs"),
    check: |c| VLANDecap::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ethernet::set_vlan_anno::vlan_tci;
    use crate::harness::{self, check_batch_path};

    /// A tagged frame: addresses 1..=12, shim `type`/`tci`, IPv4 type,
    /// then payload bytes 0xee.
    pub(crate) fn tagged(ethertype: u16, tci: u16) -> alloc::vec::Vec<u8> {
        let mut f: alloc::vec::Vec<u8> = (1..=12).collect();
        f.extend_from_slice(&ethertype.to_be_bytes());
        f.extend_from_slice(&tci.to_be_bytes());
        f.extend_from_slice(&[0x08, 0x00]);
        f.extend_from_slice(&[0xee; 20]);
        f
    }

    #[test]
    fn configure() {
        let d = VLANDecap::configure("").unwrap();
        assert_eq!((d.anno, d.ethertype), (true, 0x8100));
        let d = VLANDecap::configure("false, ETHERTYPE 0x88a8").unwrap();
        assert_eq!((d.anno, d.ethertype), (false, 0x88a8));
        assert!(VLANDecap::configure("maybe").is_err());
    }

    #[test]
    fn strips_the_shim_and_keeps_the_tci() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut d = VLANDecap::configure("").unwrap();
        let frame = tagged(0x8100, 0x2abc);
        let mut p = pool.alloc_with(&frame).unwrap();
        assert_eq!(d.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(&p.data()[..12], &frame[..12]);
        assert_eq!(&p.data()[12..], &frame[16..]);
        assert_eq!(vlan_tci(&p), 0x2abc);
        assert_eq!(p.network_offset(), Some(14));
        // Untagged (or another tag type): unchanged, annotation 0.
        let mut q = pool.alloc_with(&tagged(0x88a8, 7)).unwrap();
        set_vlan_tci(&mut q, 99);
        d.process(&cx, 0, &mut q);
        assert_eq!(q.len(), frame.len());
        assert_eq!(vlan_tci(&q), 0);
        let mut short = pool.alloc_with(&[0x81; 15]).unwrap();
        assert_eq!(d.process(&cx, 0, &mut short), Out::Port(0));
        assert_eq!(short.len(), 15);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let d = VLANDecap::configure("").unwrap();
        check_batch_path(&d, 0, 1, |i, pool| {
            let t = if i % 2 == 0 { 0x8100 } else { 0x0800 };
            pool.alloc_with(&tagged(t, i as u16)).unwrap()
        });
    }
}
