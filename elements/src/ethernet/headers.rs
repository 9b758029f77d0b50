//! Ethernet and ARP headers: the field layout, reading and writing, shared
//! by the `ethernet` group's elements.
//!
//! Every reader takes the frame's bytes and checks their length before it
//! looks at a field, so none of them panics on a short or malformed frame:
//! a frame too short for what is asked gives `None`.

use core::net::Ipv4Addr;

use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::EtherAddress;

/// Length of an Ethernet header: destination, source, type.
pub const ETHER_LEN: usize = 14;
/// Length of an ARP message for IPv4 over Ethernet.
pub const ARP_LEN: usize = 28;
/// Length of an Ethernet frame carrying an ARP message (no padding).
pub const ETHER_ARP_LEN: usize = ETHER_LEN + ARP_LEN;

/// Ethernet type of IPv4.
pub const ETHERTYPE_IP: u16 = 0x0800;
/// Ethernet type of ARP.
pub const ETHERTYPE_ARP: u16 = 0x0806;

/// ARP hardware type of Ethernet.
const ARPHRD_ETHER: u16 = 1;

/// Byte ranges of the Ethernet header.
mod field {
    use core::ops::Range;
    pub const DST: Range<usize> = 0..6;
    pub const SRC: Range<usize> = 6..12;
    pub const TYPE: Range<usize> = 12..14;
}

/// Byte ranges of an ARP message, from the start of the Ethernet frame.
mod arp_field {
    use core::ops::Range;
    pub const HRD: Range<usize> = 14..16;
    pub const PRO: Range<usize> = 16..18;
    pub const HLN: usize = 18;
    pub const PLN: usize = 19;
    pub const OP: Range<usize> = 20..22;
    pub const SHA: Range<usize> = 22..28;
    pub const SPA: Range<usize> = 28..32;
    pub const THA: Range<usize> = 32..38;
    pub const TPA: Range<usize> = 38..42;
}

fn ether_at(b: &[u8], r: core::ops::Range<usize>) -> Option<EtherAddress> {
    b.get(r)?.try_into().ok().map(EtherAddress)
}

fn ipv4_at(b: &[u8], r: core::ops::Range<usize>) -> Option<Ipv4Addr> {
    let a: [u8; 4] = b.get(r)?.try_into().ok()?;
    Some(Ipv4Addr::from(a))
}

fn u16_at(b: &[u8], r: core::ops::Range<usize>) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(r)?.try_into().ok()?))
}

/// True for group (multicast or broadcast) Ethernet addresses: the low bit
/// of the first byte is set.
#[inline]
pub fn is_group(e: EtherAddress) -> bool {
    e.0[0] & 1 != 0
}

/// The Ethernet address an IPv4 multicast address maps to (RFC 1112):
/// 01:00:5e followed by the address's low 23 bits.
#[inline]
pub fn multicast_ether(ip: Ipv4Addr) -> EtherAddress {
    let o = ip.octets();
    EtherAddress([0x01, 0x00, 0x5e, o[1] & 0x7f, o[2], o[3]])
}

/// An Ethernet header, ready to be written in front of a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EtherHeader {
    /// Destination address.
    pub dst: EtherAddress,
    /// Source address.
    pub src: EtherAddress,
    /// Ethernet type.
    pub ethertype: u16,
}

impl EtherHeader {
    /// Reads the header at the start of `frame`; `None` when the frame is
    /// shorter than [`ETHER_LEN`].
    #[inline]
    pub fn parse(frame: &[u8]) -> Option<EtherHeader> {
        Some(EtherHeader {
            dst: ether_at(frame, field::DST)?,
            src: ether_at(frame, field::SRC)?,
            ethertype: u16_at(frame, field::TYPE)?,
        })
    }

    /// The header's 14 bytes.
    #[inline]
    pub fn bytes(&self) -> [u8; ETHER_LEN] {
        let mut b = [0u8; ETHER_LEN];
        b[field::DST].copy_from_slice(&self.dst.0);
        b[field::SRC].copy_from_slice(&self.src.0);
        b[field::TYPE].copy_from_slice(&self.ethertype.to_be_bytes());
        b
    }

    /// Prepends the header to `p`; `false` (and `p` unchanged) when the
    /// buffer has no room for 14 more bytes.
    #[inline]
    pub fn push_onto(&self, p: &mut Packet) -> bool {
        match p.push(ETHER_LEN) {
            Some(room) => {
                room.copy_from_slice(&self.bytes());
                true
            }
            None => false,
        }
    }
}

/// Overwrites the source and destination addresses of the Ethernet header
/// at the start of `frame`; `false` (and nothing written) when the frame is
/// shorter than an Ethernet header.
#[inline]
pub fn set_addresses(frame: &mut [u8], src: EtherAddress, dst: EtherAddress) -> bool {
    match frame.get_mut(..ETHER_LEN) {
        Some(h) => {
            h[field::DST].copy_from_slice(&dst.0);
            h[field::SRC].copy_from_slice(&src.0);
            true
        }
        None => false,
    }
}

/// Swaps the source and destination addresses of the Ethernet header at
/// the start of `frame`; `false` when the frame is shorter than an
/// Ethernet header.
#[inline]
pub fn swap_addresses(frame: &mut [u8]) -> bool {
    match frame.get_mut(..ETHER_LEN) {
        Some(h) => {
            let (dst, rest) = h.split_at_mut(field::SRC.start);
            dst.swap_with_slice(&mut rest[..6]);
            true
        }
        None => false,
    }
}

/// ARP operation codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArpOp {
    /// A request (1).
    Request,
    /// A reply (2).
    Reply,
    /// Any other code.
    Other(u16),
}

impl ArpOp {
    fn code(self) -> u16 {
        match self {
            ArpOp::Request => 1,
            ArpOp::Reply => 2,
            ArpOp::Other(c) => c,
        }
    }

    fn from_code(c: u16) -> ArpOp {
        match c {
            1 => ArpOp::Request,
            2 => ArpOp::Reply,
            c => ArpOp::Other(c),
        }
    }
}

/// An ARP message for IPv4 over Ethernet, with the Ethernet header it
/// travels in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArpFrame {
    /// The Ethernet header.
    pub ether: EtherHeader,
    /// Request or reply.
    pub op: ArpOp,
    /// Sender hardware address.
    pub sha: EtherAddress,
    /// Sender protocol address.
    pub spa: Ipv4Addr,
    /// Target hardware address.
    pub tha: EtherAddress,
    /// Target protocol address.
    pub tpa: Ipv4Addr,
}

impl ArpFrame {
    /// Reads an Ethernet frame holding ARP for IPv4 over Ethernet, as Click
    /// checks it: at least 42 bytes, Ethernet type ARP, hardware type
    /// Ethernet, protocol type IPv4 (the address lengths are not checked).
    /// `None` for anything else.
    #[inline]
    pub fn parse(frame: &[u8]) -> Option<ArpFrame> {
        let ether = EtherHeader::parse(frame)?;
        if frame.len() < ETHER_ARP_LEN
            || ether.ethertype != ETHERTYPE_ARP
            || u16_at(frame, arp_field::HRD)? != ARPHRD_ETHER
            || u16_at(frame, arp_field::PRO)? != ETHERTYPE_IP
        {
            return None;
        }
        Some(ArpFrame {
            ether,
            op: ArpOp::from_code(u16_at(frame, arp_field::OP)?),
            sha: ether_at(frame, arp_field::SHA)?,
            spa: ipv4_at(frame, arp_field::SPA)?,
            tha: ether_at(frame, arp_field::THA)?,
            tpa: ipv4_at(frame, arp_field::TPA)?,
        })
    }

    /// The frame's 42 bytes (Ethernet type forced to ARP).
    pub fn bytes(&self) -> [u8; ETHER_ARP_LEN] {
        let mut b = [0u8; ETHER_ARP_LEN];
        let ether = EtherHeader {
            ethertype: ETHERTYPE_ARP,
            ..self.ether
        };
        b[..ETHER_LEN].copy_from_slice(&ether.bytes());
        b[arp_field::HRD].copy_from_slice(&ARPHRD_ETHER.to_be_bytes());
        b[arp_field::PRO].copy_from_slice(&ETHERTYPE_IP.to_be_bytes());
        b[arp_field::HLN] = 6;
        b[arp_field::PLN] = 4;
        b[arp_field::OP].copy_from_slice(&self.op.code().to_be_bytes());
        b[arp_field::SHA].copy_from_slice(&self.sha.0);
        b[arp_field::SPA].copy_from_slice(&self.spa.octets());
        b[arp_field::THA].copy_from_slice(&self.tha.0);
        b[arp_field::TPA].copy_from_slice(&self.tpa.octets());
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: EtherAddress = EtherAddress([0, 1, 2, 3, 4, 5]);
    const B: EtherAddress = EtherAddress([0xa, 0xb, 0xc, 0xd, 0xe, 0xf]);

    #[test]
    fn ether_header_round_trips() {
        let h = EtherHeader {
            dst: A,
            src: B,
            ethertype: ETHERTYPE_IP,
        };
        let b = h.bytes();
        assert_eq!(&b[12..], &[8, 0]);
        assert_eq!(EtherHeader::parse(&b), Some(h));
        assert_eq!(EtherHeader::parse(&b[..13]), None);
    }

    #[test]
    fn address_rewrites_check_lengths() {
        let mut f = EtherHeader {
            dst: A,
            src: B,
            ethertype: 1,
        }
        .bytes();
        assert!(swap_addresses(&mut f));
        assert_eq!(EtherHeader::parse(&f).unwrap().dst, B);
        assert!(set_addresses(&mut f, A, A));
        assert_eq!(EtherHeader::parse(&f).unwrap().src, A);
        assert!(!swap_addresses(&mut f[..13]));
        assert!(!set_addresses(&mut f[..5], A, B));
    }

    #[test]
    fn arp_round_trips_and_rejects_others() {
        let a = ArpFrame {
            ether: EtherHeader {
                dst: EtherAddress::BROADCAST,
                src: A,
                ethertype: ETHERTYPE_ARP,
            },
            op: ArpOp::Request,
            sha: A,
            spa: Ipv4Addr::new(10, 0, 0, 1),
            tha: EtherAddress::default(),
            tpa: Ipv4Addr::new(10, 0, 0, 2),
        };
        let b = a.bytes();
        assert_eq!(ArpFrame::parse(&b), Some(a));
        for n in 0..ETHER_ARP_LEN {
            assert_eq!(ArpFrame::parse(&b[..n]), None, "{n} bytes");
        }
        let mut other = b;
        other[17] = 0xdd; // protocol type
        assert_eq!(ArpFrame::parse(&other), None);
        let mut op = b;
        op[21] = 9;
        assert_eq!(ArpFrame::parse(&op).unwrap().op, ArpOp::Other(9));
    }

    #[test]
    fn multicast_mapping() {
        assert_eq!(
            multicast_ether(Ipv4Addr::new(224, 129, 2, 3)),
            EtherAddress([1, 0, 0x5e, 1, 2, 3])
        );
        assert!(is_group(EtherAddress::BROADCAST));
        assert!(!is_group(A));
    }
}
