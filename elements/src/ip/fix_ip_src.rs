//! # FixIPSrc — sets IP source field if requested by annotation
//!
//! ```click
//! FixIPSrc(IPADDR)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! When a packet carries the fix-IP-source annotation (ICMPError sets it on
//! the errors it generates), FixIPSrc writes IPADDR into the IP source field,
//! updates the header checksum and clears the annotation. Other packets pass
//! unchanged.
//!
//! ## Keywords
//! - `IPADDR` *ADDR* — the source address to write. Mandatory.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> FixIPSrc(10.0.0.1) -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// FixIPSrc's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixIPSrc {
    /// The source address written.
    pub addr: Ipv4Addr,
}

impl FixIPSrc {
    /// Parses `FixIPSrc(IPADDR)`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let addr = args.read_mp("IPADDR", parse::ipv4);
        args.complete()?;
        Ok(FixIPSrc {
            addr: addr.unwrap_or(Ipv4Addr::UNSPECIFIED),
        })
    }
}

/// FixIPSrc's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "FixIPSrc",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["IPADDR"],
    handlers: &[],
    summary: "sets IP source field if requested by annotation",
    source: include_str!("fix_ip_src.rs"),
    check: |c| FixIPSrc::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert_eq!(
            FixIPSrc::configure("1.2.3.4").unwrap().addr,
            Ipv4Addr::new(1, 2, 3, 4)
        );
        assert_eq!(
            FixIPSrc::configure("IPADDR 1.2.3.4").unwrap().addr,
            Ipv4Addr::new(1, 2, 3, 4)
        );
        let cfg = "1.2.3";
        let e = FixIPSrc::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "1.2.3");
        assert!(FixIPSrc::configure("").is_err());
    }
}
