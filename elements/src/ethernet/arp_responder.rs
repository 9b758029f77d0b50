//! # ARPResponder — generates responses to ARP queries
//!
//! ```click
//! ARPResponder(IP/MASK [IP/MASK...] ETH, IP/MASK ETH, ...)
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic input and
//! output 0, push output 1 (`a/ah`).
//!
//! Input packets should be ARP requests with their Ethernet header. When
//! the requested IP address falls in one of the configured prefixes,
//! ARPResponder emits an ARP reply on output 0 saying that the address is
//! at the entry's Ethernet address; the reply keeps the request's device
//! annotations. This serves a host's own addresses and proxy ARP alike.
//! Other packets are dropped, or pushed out output 1 when it exists.
//!
//! Each argument is one entry: one or more IP addresses or prefixes
//! (`10.0.0.1`, `10.0.1.0/24`, `10.0.2.0/255.255.255.0`) and one Ethernet
//! address, in any order. When several entries match, the longest prefix wins.
//!
//! ## Keywords
//! None; every argument is an entry.
//!
//! ## Handlers
//! - `table` (read) — the entries, one per line.
//! - `lookup` (read, with an IP address) — the Ethernet address for it.
//! - `add` (write) — add an entry (`IP/MASK ETH`).
//! - `remove` (write) — remove an entry (`IP/MASK`).
//!
//! ## Examples
//! ```click
//! c :: Classifier(12/0806 20/0001, ...);
//! c[0] -> ARPResponder(10.0.0.1 10.0.7.0/24 00:11:22:33:44:55) -> Queue -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - AddressInfo names are not looked up yet; write addresses literally.
//! - IPv6 entries are not accepted yet.

use alloc::format;
use alloc::vec::Vec;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse::{self, EtherAddress, IpPrefix};

use crate::standard::{sub_span, words};
use crate::{ElementSpec, Ports};

/// One address range answered for, and the Ethernet address given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The IP prefix (a bare address is a /32).
    pub prefix: IpPrefix,
    /// The Ethernet address answered.
    pub ether: EtherAddress,
}

/// ARPResponder's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ARPResponder {
    /// The entries, in configuration order (one per IP prefix).
    pub entries: Vec<Entry>,
}

const ENTRY_HINT: &str = "an entry is IP addresses or prefixes and one Ethernet address, \
                          e.g. `10.0.0.1 10.0.7.0/24 00:11:22:33:44:55`";

impl ARPResponder {
    /// Parses ARPResponder's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let mut entries = Vec::new();
        for arg in args.rest() {
            let w = words(&arg.text);
            if w.is_empty() {
                continue;
            }
            let mut prefixes = Vec::new();
            let mut ether: Option<EtherAddress> = None;
            let mut ok = true;
            for &(pos, word) in &w {
                let span = sub_span(config, &arg, pos..pos + word.len());
                if let Ok(e) = parse::ether(word) {
                    if ether.is_some() {
                        args.error(
                            ConfigError::new(
                                Some(span),
                                "more than one Ethernet address in this entry",
                            )
                            .with_hint(ENTRY_HINT),
                        );
                        ok = false;
                    }
                    ether = Some(e);
                    continue;
                }
                match parse::ip_prefix(word) {
                    Ok(p) => prefixes.push(p),
                    Err(e) => {
                        let message = if word.contains('/') {
                            e.message
                        } else {
                            format!("expected IP address, IP prefix or Ethernet address, found \"{word}\"")
                        };
                        args.error(
                            ConfigError::new(Some(span), message).with_hint(
                                e.hint
                                    .filter(|_| word.contains('/'))
                                    .unwrap_or_else(|| ENTRY_HINT.into()),
                            ),
                        );
                        ok = false;
                    }
                }
            }
            match ether {
                None if ok => args.error(
                    ConfigError::new(Some(arg.span.clone()), "entry has no Ethernet address")
                        .with_hint(ENTRY_HINT),
                ),
                Some(_) if ok && prefixes.is_empty() => args.error(
                    ConfigError::new(Some(arg.span.clone()), "entry has no IP address")
                        .with_hint(ENTRY_HINT),
                ),
                Some(ether) if ok => {
                    entries.extend(prefixes.into_iter().map(|prefix| Entry { prefix, ether }));
                }
                _ => {}
            }
        }
        args.complete()?;
        Ok(ARPResponder { entries })
    }
}

/// ARPResponder's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ARPResponder",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[
        "table (read)",
        "lookup (read)",
        "add (write)",
        "remove (write)",
    ],
    summary: "generates responses to ARP queries",
    source: include_str!("arp_responder.rs"),
    check: |c| ARPResponder::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};
    use core::net::Ipv4Addr;

    #[test]
    fn entries() {
        let a = ARPResponder::configure(
            "10.0.0.1 10.0.7.0/24 00:11:22:33:44:55, 00:00:00:00:00:01 192.168.1.0/255.255.255.0",
        )
        .unwrap();
        assert_eq!(a.entries.len(), 3);
        assert_eq!(a.entries[0].prefix.addr, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(a.entries[0].prefix.len, 32);
        assert_eq!(a.entries[1].prefix.len, 24);
        assert_eq!(a.entries[0].ether, a.entries[1].ether);
        assert_eq!(a.entries[2].prefix.len, 24);
        assert_eq!(a.entries[2].ether, EtherAddress([0, 0, 0, 0, 0, 1]));
    }

    #[test]
    fn bad_entries() {
        let cfg = "10.0.0.1, 00:11:22:33:44:55, 10.0.0.300 0:0:0:0:0:1, \
                   10.0.0.0/255.0.255.0 0:0:0:0:0:1, 1.2.3.4 0:0:0:0:0:1 0:0:0:0:0:2";
        let errs = errors(cfg, ARPResponder::configure(cfg));
        assert_eq!(errs.len(), 5, "{errs:?}");
        assert!(has(&errs, "no Ethernet address", "10.0.0.1"), "{errs:?}");
        assert!(has(&errs, "no IP address", "00:11:22:33:44:55"), "{errs:?}");
        assert!(has(&errs, "expected IP address", "10.0.0.300"), "{errs:?}");
        assert!(
            has(&errs, "not contiguous", "10.0.0.0/255.0.255.0"),
            "{errs:?}"
        );
        assert!(
            has(&errs, "more than one Ethernet", "0:0:0:0:0:2"),
            "{errs:?}"
        );
    }
}
