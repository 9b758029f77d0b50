//! # EtherRewrite — rewrites Ethernet packet addresses
//!
//! ```click
//! EtherRewrite(SRC, DST)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Overwrites the source and destination addresses of every packet's
//! Ethernet header with SRC and DST, leaving the type and payload alone.
//! Packets shorter than an Ethernet header are dropped.
//!
//! ## Keywords
//! - `SRC` *Ethernet address* — the new source address; mandatory.
//! - `DST` *Ethernet address* — the new destination address; mandatory.
//!
//! ## Handlers
//! - `src` (read/write), `dst` (read/write) — the addresses.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> EtherRewrite(00:11:22:33:44:55, 66:77:88:99:aa:bb) -> Queue -> ToDevice(eth1);
//! ```
//!
//! ## Differences from Click
//! - AddressInfo names are not looked up yet.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse::{self, EtherAddress};

use crate::{ElementSpec, Ports};

/// EtherRewrite's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EtherRewrite {
    /// The new source address.
    pub src: EtherAddress,
    /// The new destination address.
    pub dst: EtherAddress,
}

impl EtherRewrite {
    /// Parses EtherRewrite's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let src = args.read_mp("SRC", parse::ether);
        let dst = args.read_mp("DST", parse::ether);
        args.complete()?;
        Ok(EtherRewrite {
            src: src.unwrap_or_default(),
            dst: dst.unwrap_or_default(),
        })
    }
}

/// EtherRewrite's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "EtherRewrite",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["SRC", "DST"],
    handlers: &["src (read/write)", "dst (read/write)"],
    summary: "rewrites Ethernet packet addresses",
    source: include_str!("ether_rewrite.rs"),
    check: |c| EtherRewrite::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let e = EtherRewrite::configure("SRC 0:0:0:0:0:1, DST 0-0-0-0-0-2").unwrap();
        assert_eq!(e.src, EtherAddress([0, 0, 0, 0, 0, 1]));
        assert_eq!(e.dst, EtherAddress([0, 0, 0, 0, 0, 2]));
    }

    #[test]
    fn bad_values() {
        let cfg = "0:0:0:0:0:1, zz:0:0:0:0:2, extra";
        let errs = errors(cfg, EtherRewrite::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "", "zz:0:0:0:0:2"), "{errs:?}");
        assert!(has(&errs, "too many", "extra"), "{errs:?}");
    }
}
