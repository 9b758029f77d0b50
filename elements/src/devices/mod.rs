//! Elements of the `devices` group: network devices and pcap files.
//!
//! nfc names devices logically (`FromDevice(eth0)`): in images `ethN` is
//! the Nth NIC found, on linux `--dev eth0=tap3` maps a name to a host
//! interface. FromDump and ToDump read and write pcap files on linux;
//! FromIPSummaryDump and ToIPSummaryDump read and write Click's text
//! packet summaries ([`ip_summary_dump`]).
//!
//! Each device element has a configuration struct named after its class
//! (what `nfc check` builds) and, for FromDevice and ToDevice, a runtime
//! type generic over the platform's driver ([`from_device::FromDeviceOn`],
//! [`to_device::ToDeviceOn`], over any
//! [`NetDevice`](nfc_dataplane::device::NetDevice)). The file elements
//! need files, so their runtime lives in the linux platform.

use alloc::format;
use alloc::string::String;
use nfc_dataplane::device::NetDevice;
use nfc_dataplane::parse::ParseError;

use crate::ElementSpec;

#[cfg(test)]
pub(crate) mod fake;
pub mod from_device;
pub mod from_dump;
pub mod from_ip_summary_dump;
pub mod ip_summary_dump;
pub mod poll_device;
pub mod to_device;
pub mod to_dump;
pub mod to_ip_summary_dump;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[
    &from_device::SPEC,
    &poll_device::SPEC,
    &to_device::SPEC,
    &from_dump::SPEC,
    &to_dump::SPEC,
    &from_ip_summary_dump::SPEC,
    &to_ip_summary_dump::SPEC,
];

/// What a platform gives its device elements: the device a
/// configuration's name stands for.
pub trait Devices {
    /// The platform's driver, shared by the elements that name the same
    /// device.
    type Device: NetDevice;

    /// The device for the configuration's name `name` (`eth0`, a MAC
    /// address in images) and its index (the device annotation of the
    /// packets it receives), opened the first time, promiscuous when
    /// `promisc`. With `allow_absent`, a device that does not exist is
    /// replaced by one that drops everything (ToDevice's
    /// `ALLOW_NONEXISTENT`), with a warning.
    fn device(
        &mut self,
        name: &str,
        promisc: bool,
        allow_absent: bool,
    ) -> Result<(Self::Device, u8), String>;
}

/// Defines a platform's device elements, `FromDevice`, `PollDevice` and
/// `ToDevice`, as wrappers of [`from_device::FromDeviceOn`] and
/// [`to_device::ToDeviceOn`] over the platform's [`Devices`]:
/// `device_elements!(Linux);` in the platform crate, which then has
/// `FromDevice::new(&mut plat, config)` and so on for generated pipelines.
#[macro_export]
macro_rules! device_elements {
    ($plat:ty) => {
        /// FromDevice on this platform (the element's manual:
        /// `nfc elements FromDevice`).
        #[derive(Debug)]
        pub struct FromDevice(
            pub  $crate::devices::from_device::FromDeviceOn<
                <$plat as $crate::devices::Devices>::Device,
            >,
        );

        impl FromDevice {
            /// Parses `config` (FromDevice's syntax) and opens its device on
            /// `plat`, or shares it with the elements that opened it.
            pub fn new(plat: &mut $plat, config: &str) -> Result<Self, ::nfc_dataplane::__String> {
                $crate::devices::from_device::FromDeviceOn::open(plat, config).map(FromDevice)
            }
        }

        ::nfc_dataplane::delegate_element!(FromDevice);

        /// PollDevice on this platform: FromDevice under Click's other name.
        #[derive(Debug)]
        pub struct PollDevice(
            pub  $crate::devices::from_device::FromDeviceOn<
                <$plat as $crate::devices::Devices>::Device,
            >,
        );

        impl PollDevice {
            /// Parses `config` (PollDevice's syntax, FromDevice's) and opens
            /// its device on `plat`.
            pub fn new(plat: &mut $plat, config: &str) -> Result<Self, ::nfc_dataplane::__String> {
                $crate::devices::poll_device::open(plat, config).map(PollDevice)
            }
        }

        ::nfc_dataplane::delegate_element!(PollDevice);

        /// ToDevice on this platform.
        #[derive(Debug)]
        pub struct ToDevice(
            pub $crate::devices::to_device::ToDeviceOn<<$plat as $crate::devices::Devices>::Device>,
        );

        impl ToDevice {
            /// Parses `config` (ToDevice's syntax) and opens its device on
            /// `plat`, or shares it with the elements that opened it. With
            /// `ALLOW_NONEXISTENT true`, a device that does not exist drops
            /// everything sent to it instead of failing the build.
            pub fn new(plat: &mut $plat, config: &str) -> Result<Self, ::nfc_dataplane::__String> {
                $crate::devices::to_device::ToDeviceOn::open(plat, config).map(ToDevice)
            }
        }

        ::nfc_dataplane::delegate_element!(ToDevice);
    };
}

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
/// Linux interface name; or a MAC address (`52:54:00:12:34:56`), which
/// names the NIC that has it in images.
pub fn device_name(text: &str) -> Result<alloc::string::String, ParseError> {
    let ok = nfc_dataplane::parse::ether(text).is_ok()
        || text.len() <= 15
            && text.starts_with(|c: char| c.is_ascii_alphabetic())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
    if ok {
        Ok(text.into())
    } else {
        Err(ParseError::expected("device name", text)
            .with_hint("a device name looks like eth0 (letters and digits, at most 15 bytes), or is a MAC address"))
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
    fn device_names_are_interface_names_or_mac_addresses() {
        for good in [
            "eth0",
            "tap-3",
            "vif1.0",
            "52:54:00:12:34:56",
            "a:b:c:d:e:f",
        ] {
            assert_eq!(device_name(good).as_deref(), Ok(good));
        }
        for bad in [
            "0eth",
            "",
            "eth0/1",
            "a-name-that-is-too-long",
            "52:54:00:12:34",
        ] {
            assert!(device_name(bad).is_err(), "{bad}");
        }
    }

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
