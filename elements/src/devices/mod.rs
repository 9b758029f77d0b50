//! Elements of the `devices` group: network devices and pcap files.
//!
//! nfc names devices logically (`FromDevice(eth0)`): in images `ethN` is
//! the Nth NIC found, on linux `--dev eth0=tap3` maps a name to a host
//! interface. FromDump and ToDump read and write pcap files on linux.
//!
//! Each device element has a configuration struct named after its class
//! (what `nfc check` builds) and, for FromDevice and ToDevice, a runtime
//! type generic over the platform's driver ([`from_device::FromDeviceOn`],
//! [`to_device::ToDeviceOn`], over any
//! [`NetDevice`](nfc_dataplane::device::NetDevice)). FromDump and ToDump
//! need files, so their runtime lives in the linux platform.

use alloc::format;
use nfc_dataplane::parse::ParseError;

use crate::ElementSpec;

#[cfg(test)]
pub(crate) mod fake;
pub mod from_device;
pub mod from_dump;
pub mod poll_device;
pub mod to_device;
pub mod to_dump;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[
    &from_device::SPEC,
    &poll_device::SPEC,
    &to_device::SPEC,
    &from_dump::SPEC,
    &to_dump::SPEC,
];

/// A link-level encapsulation (pcap link type) nfc reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encap {
    /// Ethernet frames (pcap `DLT_EN10MB`).
    #[default]
    Ether,
    /// Raw IPv4 packets, no link header (pcap `DLT_RAW`).
    Ip,
}

/// Parses an encapsulation name: `ETHER` or `IP` (any case; `IP4` too).
pub fn encap(text: &str) -> Result<Encap, ParseError> {
    match text.to_ascii_uppercase().as_str() {
        "ETHER" | "ETHERNET" => Ok(Encap::Ether),
        "IP" | "IP4" | "RAW" => Ok(Encap::Ip),
        "FDDI" | "SLL" | "802_11" | "PPP" | "HDLC" | "AIRONET" | "NULL" | "PRISM" | "IP6" => Err(
            ParseError::new(format!("encapsulation {text} is not supported by nfc"))
                .with_hint("nfc handles ETHER and IP"),
        ),
        _ => Err(ParseError::expected("encapsulation", text).with_hint("use ETHER or IP")),
    }
}

/// Parses a logical device name (`eth0`, `tap3`, `vif0`): letters, digits,
/// `_`, `-`, `.` and `:`, starting with a letter, at most 15 bytes like a
/// Linux interface name.
pub fn device_name(text: &str) -> Result<alloc::string::String, ParseError> {
    let ok = text.len() <= 15
        && text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
    if ok {
        Ok(text.into())
    } else {
        Err(ParseError::expected("device name", text)
            .with_hint("a device name looks like eth0 (letters and digits, at most 15 bytes)"))
    }
}

/// Where the IPv4 header starts and how long it is, when `frame` holds an
/// IPv4 packet with a plausible header: after an Ethernet header with type
/// 0x0800 for [`Encap::Ether`], at the start for [`Encap::Ip`]. This is
/// the check behind FORCE_IP (Click's `fake_pcap_force_ip`).
pub fn ipv4_header(frame: &[u8], encap: Encap) -> Option<(usize, usize)> {
    let offset = match encap {
        Encap::Ether => {
            if frame.get(12..14)? != [0x08, 0x00] {
                return None;
            }
            14
        }
        Encap::Ip => 0,
    };
    let first = *frame.get(offset)?;
    let hlen = usize::from(first & 0x0f) * 4;
    (first >> 4 == 4 && hlen >= 20 && frame.len() >= offset + hlen).then_some((offset, hlen))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_headers_are_found_only_when_plausible() {
        let mut f = alloc::vec![0u8; 34];
        f[12] = 0x08;
        f[14] = 0x45;
        assert_eq!(ipv4_header(&f, Encap::Ether), Some((14, 20)));
        assert_eq!(ipv4_header(&f[14..], Encap::Ip), Some((0, 20)));
        assert_eq!(ipv4_header(&f[..33], Encap::Ether), None, "short");
        f[14] = 0x46;
        assert_eq!(ipv4_header(&f, Encap::Ether), None, "options cut off");
        f[14] = 0x44;
        assert_eq!(ipv4_header(&f, Encap::Ether), None, "IHL below 5");
        f[14] = 0x65;
        assert_eq!(ipv4_header(&f, Encap::Ether), None, "IPv6");
        f[14] = 0x45;
        f[13] = 0x06;
        assert_eq!(ipv4_header(&f, Encap::Ether), None, "ARP");
        assert_eq!(ipv4_header(&[], Encap::Ip), None);
    }
}
