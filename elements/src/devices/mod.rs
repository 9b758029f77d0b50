//! Elements of the `devices` group: network devices and pcap files.
//!
//! nfc names devices logically (`FromDevice(eth0)`): in images `ethN` is
//! the Nth NIC found, on linux `--dev eth0=tap3` maps a name to a host
//! interface. FromDump and ToDump read and write pcap files on linux.

use alloc::format;
use nfc_dataplane::parse::ParseError;

use crate::ElementSpec;

pub mod from_device;
pub mod from_dump;
pub mod to_device;
pub mod to_dump;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[
    &from_device::SPEC,
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
