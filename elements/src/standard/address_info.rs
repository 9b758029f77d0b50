//! # AddressInfo — specifies address information
//!
//! ```click
//! AddressInfo(NAME ADDRESS [ADDRESS...], ...)
//! ```
//!
//! Ports: none (`0/0`). Processing: agnostic (`a/a`).
//!
//! Gives names to addresses so the rest of a configuration can use the name
//! wherever the address would go. Each argument is a name followed by one
//! or more addresses: an IPv4 address (`10.0.0.1`), an IPv4 prefix
//! (`10.0.0.0/8`, `10.0.0.1/255.255.255.0` — the name then stands for the
//! address and, as `NAME:ipnet`, for the network), an Ethernet address
//! (`00:11:22:33:44:55`), or an IPv6 address.
//!
//! ## Keywords
//! None; every argument is a `NAME ADDRESS...` entry.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! AddressInfo(eth0 10.0.0.1/24 00:11:22:33:44:55, gw 10.0.0.254);
//! ```
//!
//! ## Differences from Click
//! - nfc parses and checks the entries, but other elements do not yet look
//!   names up: write addresses literally in their configurations.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::net::{Ipv4Addr, Ipv6Addr};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse::{self, EtherAddress, IpPrefix};

use super::{error, error_hint, sub_span, words};
use crate::{ElementSpec, Ports};

/// One address an AddressInfo name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// An IPv4 address.
    Ip(Ipv4Addr),
    /// An IPv4 address with its network prefix (`10.0.0.1/24`).
    IpNet {
        /// The address as written, host bits included.
        addr: Ipv4Addr,
        /// The network.
        prefix: IpPrefix,
    },
    /// An Ethernet address.
    Ether(EtherAddress),
    /// An IPv6 address.
    Ip6(Ipv6Addr),
}

/// One `NAME ADDRESS...` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name.
    pub name: String,
    /// The addresses it stands for.
    pub addresses: Vec<Address>,
}

/// AddressInfo's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddressInfo {
    /// The entries, in order.
    pub entries: Vec<Entry>,
}

/// Parses one address word.
pub fn address(word: &str) -> Option<Address> {
    if let Some((host, _)) = word.split_once('/') {
        let addr = parse::ipv4(host).ok()?;
        let prefix = parse::ip_prefix(word).ok()?;
        return Some(Address::IpNet { addr, prefix });
    }
    if let Ok(a) = parse::ipv4(word) {
        return Some(Address::Ip(a));
    }
    if let Ok(e) = parse::ether(word) {
        return Some(Address::Ether(e));
    }
    parse::ipv6(word).ok().map(Address::Ip6)
}

fn valid_name(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | '/'))
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
}

impl AddressInfo {
    /// Parses AddressInfo's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let mut entries = Vec::new();
        for arg in args.rest() {
            let w = words(&arg.text);
            let Some(&(npos, name)) = w.first() else {
                continue; // an empty argument says nothing
            };
            let nspan = sub_span(config, &arg, npos..npos + name.len());
            if !valid_name(name) {
                args.error(error_hint(
                    nspan.clone(),
                    format!("bad name \"{name}\""),
                    "a name starts with a letter, e.g. `eth0 10.0.0.1`",
                ));
            }
            if w.len() < 2 {
                args.error(error_hint(
                    nspan,
                    format!("no address given for \"{name}\""),
                    "an entry is NAME followed by addresses, e.g. `eth0 10.0.0.1 00:11:22:33:44:55`",
                ));
                continue;
            }
            let mut addresses = Vec::new();
            for &(pos, word) in &w[1..] {
                match address(word) {
                    Some(a) => addresses.push(a),
                    None => args.error(error_hint(
                        sub_span(config, &arg, pos..pos + word.len()),
                        format!(
                            "expected IP address, IP prefix or Ethernet address, found \"{word}\""
                        ),
                        "for example 10.0.0.1, 10.0.0.0/24 or 00:11:22:33:44:55",
                    )),
                }
            }
            if entries.iter().any(|e: &Entry| e.name == name) {
                args.error(error(nspan, format!("\"{name}\" is defined twice")));
            }
            entries.push(Entry {
                name: name.to_string(),
                addresses,
            });
        }
        args.complete()?;
        Ok(AddressInfo { entries })
    }
}

/// AddressInfo's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "AddressInfo",
    port_count: "0/0",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "specifies address information",
    source: include_str!("address_info.rs"),
    check: |c| AddressInfo::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn entries() {
        let a =
            AddressInfo::configure("eth0 10.0.0.1/24 00:11:22:33:44:55, gw 10.0.0.254").unwrap();
        assert_eq!(a.entries.len(), 2);
        assert_eq!(a.entries[0].name, "eth0");
        match &a.entries[0].addresses[0] {
            Address::IpNet { addr, prefix } => {
                assert_eq!(*addr, Ipv4Addr::new(10, 0, 0, 1));
                assert_eq!(prefix.len, 24);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            a.entries[0].addresses[1],
            Address::Ether(EtherAddress([0, 0x11, 0x22, 0x33, 0x44, 0x55]))
        );
        assert_eq!(
            a.entries[1].addresses,
            [Address::Ip(Ipv4Addr::new(10, 0, 0, 254))]
        );
        let a = AddressInfo::configure("v6 fe80::1").unwrap();
        assert!(matches!(a.entries[0].addresses[0], Address::Ip6(_)));
    }

    #[test]
    fn bad_entries() {
        let cfg = "eth0 10.0.0.300, lonely, eth0 1.2.3.4, 9x 1.1.1.1";
        let errs = errors(cfg, AddressInfo::configure(cfg));
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(has(&errs, "expected IP address", "10.0.0.300"), "{errs:?}");
        assert!(has(&errs, "no address", "lonely"), "{errs:?}");
        assert!(has(&errs, "defined twice", "eth0"), "{errs:?}");
        assert!(has(&errs, "bad name", "9x"), "{errs:?}");
    }
}
