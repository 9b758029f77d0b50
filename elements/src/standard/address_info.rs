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
//! A name may be used in another element's configuration as Click allows:
//! `NAME` (the IPv4 address when it has one: names with an address and a
//! prefix stand for the address, then the Ethernet address, the IPv6
//! address, the prefix), `NAME:ip`, `NAME:ipnet` (the network prefix,
//! `10.0.0.0/24`), `NAME:bcast` (the network's broadcast address),
//! `NAME:gw` (the network address with its lowest bit set), `NAME:eth`
//! and `NAME:ip6`.
//!
//! ## Differences from Click
//! - Names are resolved before elements are configured, by putting the
//!   address in the name's place ([`substitute`]) in a configuration that
//!   does not configure as written: Click's parsers ask AddressInfo for a
//!   name when a word is no address. A bare `NAME` with several kinds of
//!   address takes the first kind with which the element configures.
//! - No defaults from the host's devices; no `NAME:ip6net`.

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

/// The texts word `word` (`NAME` or `NAME:KIND`) stands for under the
/// names of `infos`, in the order to try them; `None` when it names
/// nothing.
pub fn candidates(infos: &[AddressInfo], word: &str) -> Option<Vec<String>> {
    let (name, kind) = match word.split_once(':') {
        Some((n, k)) => (n, Some(k)),
        None => (word, None),
    };
    let entry = infos
        .iter()
        .flat_map(|i| &i.entries)
        .find(|e| e.name == name)?;
    let ip = entry.addresses.iter().find_map(|a| match a {
        Address::Ip(ip) | Address::IpNet { addr: ip, .. } => Some(*ip),
        _ => None,
    });
    let net = entry.addresses.iter().find_map(|a| match a {
        Address::IpNet { prefix, .. } => Some(*prefix),
        _ => None,
    });
    let network = net.map(|p| (u32::from(p.addr) & u32::from(p.mask()), p));
    let eth = entry.addresses.iter().find_map(|a| match a {
        Address::Ether(e) => Some(*e),
        _ => None,
    });
    let ip6 = entry.addresses.iter().find_map(|a| match a {
        Address::Ip6(a) => Some(*a),
        _ => None,
    });
    let found: Vec<String> = match kind {
        None => [
            ip.map(|a| a.to_string()),
            eth.map(|e| e.to_string()),
            ip6.map(|a| a.to_string()),
            network.map(|(n, p)| format!("{}/{}", Ipv4Addr::from(n), p.len)),
        ]
        .into_iter()
        .flatten()
        .collect(),
        Some("ip") => ip.map(|a| a.to_string()).into_iter().collect(),
        Some("ipnet") => network
            .map(|(n, p)| format!("{}/{}", Ipv4Addr::from(n), p.len))
            .into_iter()
            .collect(),
        Some("bcast") => network
            .map(|(n, p)| Ipv4Addr::from(n | !u32::from(p.mask())).to_string())
            .into_iter()
            .collect(),
        Some("gw") => network
            .map(|(n, _)| Ipv4Addr::from(n | 1).to_string())
            .into_iter()
            .collect(),
        Some("eth") => eth.map(|e| e.to_string()).into_iter().collect(),
        Some("ip6") => ip6.map(|a| a.to_string()).into_iter().collect(),
        Some(_) => Vec::new(),
    };
    (!found.is_empty()).then_some(found)
}

/// `config` with every word that names an address of `infos` (see
/// [`candidates`]) replaced by its `choice`th meaning (its last when it
/// has fewer); `None` when no word names one. Words inside quotes and
/// comments are left alone.
pub fn substitute(config: &str, infos: &[AddressInfo], choice: usize) -> Option<String> {
    let b = config.as_bytes();
    let word_byte =
        |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'@' | b'/' | b':');
    let mut out = String::with_capacity(config.len());
    let mut changed = false;
    let (mut i, mut from) = (0, 0);
    while i < b.len() {
        let skip_to = match b[i] {
            q @ (b'"' | b'\'') => {
                let mut j = i + 1;
                while j < b.len() && b[j] != q {
                    j += if b[j] == b'\\' && q == b'"' { 2 } else { 1 };
                }
                j + 1
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                config[i..].find('\n').map_or(b.len(), |n| i + n)
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                config[i + 2..].find("*/").map_or(b.len(), |n| i + n + 4)
            }
            c if word_byte(c) => {
                let mut j = i;
                while j < b.len()
                    && word_byte(b[j])
                    && !(b[j] == b'/' && matches!(b.get(j + 1), Some(b'/' | b'*')))
                {
                    j += 1;
                }
                if let Some(c) = candidates(infos, &config[i..j]) {
                    out.push_str(&config[from..i]);
                    out.push_str(&c[choice.min(c.len() - 1)]);
                    from = j;
                    changed = true;
                }
                j
            }
            _ => i + 1,
        };
        i = skip_to.min(b.len()).max(i + 1);
    }
    out.push_str(&config[from..]);
    changed.then_some(out)
}

/// The most meanings a name has ([`candidates`]): how many choices
/// [`substitute`] has for a configuration.
pub const MAX_CANDIDATES: usize = 4;

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
    fn names_stand_for_their_addresses() {
        let infos = [AddressInfo::configure(
            "foo 1.2.3.4/20, eth0 10.0.0.1/24 00:11:22:33:44:55, v6 fe80::1",
        )
        .unwrap()];
        let sub = |c: &str, k| substitute(c, &infos, k);
        assert_eq!(
            sub("foo 0, foo:ipnet 1, foo:bcast 2, foo:gw 3", 0).as_deref(),
            Some("1.2.3.4 0, 1.2.0.0/20 1, 1.2.15.255 2, 1.2.0.1 3")
        );
        assert_eq!(
            sub("eth0, eth0:eth", 0).as_deref(),
            Some("10.0.0.1, 00:11:22:33:44:55")
        );
        assert_eq!(
            sub("eth0", 1).as_deref(),
            Some("00:11:22:33:44:55"),
            "the next meaning of a bare name"
        );
        assert_eq!(sub("eth0", 9).as_deref(), Some("10.0.0.0/24"), "the last");
        assert_eq!(sub("v6:ip6", 0).as_deref(), Some("fe80::1"));
        assert_eq!(
            sub("\"foo\" 'foo' foo.count foofoo bar // foo\n /* foo */ x", 0),
            None,
            "quotes, comments, handler names and other words stay"
        );
        assert_eq!(sub("foo:nope", 0), None);
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
