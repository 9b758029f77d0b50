//! # HostEtherFilter — drops Ethernet packets sent to other machines
//!
//! ```click
//! HostEtherFilter(ETHER [, DROP_OWN, DROP_OTHER, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic input and
//! output 0, push output 1 (`a/ah`).
//!
//! Behaves like a network card's address filter for a host whose address
//! is ETHER. It looks at each frame's destination address and sets the
//! packet-type annotation: broadcast, multicast, host (sent to ETHER) or
//! other host. Frames for other hosts are dropped — or sent out output 1
//! when it exists — unless DROP_OTHER is false. With DROP_OWN, frames whose
//! *source* is ETHER (our own frames looping back) are dropped too.
//!
//! ## Keywords
//! - `ETHER` *Ethernet address* — this host's address; mandatory.
//! - `DROP_OWN` *boolean* — drop frames sent by ETHER; default false.
//! - `DROP_OTHER` *boolean* — drop frames for other hosts; default true.
//! - `OFFSET` *unsigned* — where the Ethernet header starts; default 0.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0, PROMISC true) -> HostEtherFilter(00:11:22:33:44:55) -> ...;
//! ```
//!
//! ## Differences from Click
//! - AddressInfo names are not looked up yet.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse::{self, EtherAddress};

use crate::{ElementSpec, Ports};

/// HostEtherFilter's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostEtherFilter {
    /// This host's address.
    pub ether: EtherAddress,
    /// Drop frames whose source is `ether`.
    pub drop_own: bool,
    /// Drop frames addressed to other hosts.
    pub drop_other: bool,
    /// Where the Ethernet header starts.
    pub offset: u32,
}

impl HostEtherFilter {
    /// Parses HostEtherFilter's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let ether = args.read_mp("ETHER", parse::ether);
        let drop_own = args.read_p("DROP_OWN", parse::boolean).unwrap_or(false);
        let drop_other = args.read_p("DROP_OTHER", parse::boolean).unwrap_or(true);
        let offset = args.read("OFFSET", parse::unsigned::<u32>).unwrap_or(0);
        args.complete()?;
        Ok(HostEtherFilter {
            ether: ether.unwrap_or_default(),
            drop_own,
            drop_other,
            offset,
        })
    }
}

/// HostEtherFilter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "HostEtherFilter",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["ETHER", "DROP_OWN", "DROP_OTHER", "OFFSET"],
    handlers: &[],
    summary: "drops Ethernet packets sent to other machines",
    source: include_str!("host_ether_filter.rs"),
    check: |c| HostEtherFilter::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let h = HostEtherFilter::configure("0:1:2:3:4:5").unwrap();
        assert_eq!((h.drop_own, h.drop_other, h.offset), (false, true, 0));
        let h = HostEtherFilter::configure("0:1:2:3:4:5, true, false, OFFSET 4").unwrap();
        assert_eq!((h.drop_own, h.drop_other, h.offset), (true, false, 4));
    }

    #[test]
    fn bad_values() {
        let cfg = "0:1:2:3:4, DROP_OTHER x, OFSET 2";
        let errs = errors(cfg, HostEtherFilter::configure(cfg));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(has(&errs, "", "0:1:2:3:4"), "{errs:?}");
        assert!(has(&errs, "", "x"), "{errs:?}");
        assert!(has(&errs, "unknown keyword", "OFSET"), "{errs:?}");
    }
}
