//! # SetIPAddress — sets destination IP address annotations
//!
//! ```click
//! SetIPAddress(IPADDR [, ANNO])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Sets the destination IP address annotation of every packet (or the
//! annotation named by ANNO) to IPADDR, e.g. before ARPQuerier.
//!
//! ## Keywords
//! - `IPADDR` *ADDR* — the address. Mandatory.
//! - `ANNO` *ANNO* — annotation to set. Default the destination IP
//!   annotation.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> SetIPAddress(10.0.0.1) -> arpq :: ARPQuerier(...)
//! ```
//!
//! ## Differences from Click
//! None.

use alloc::string::String;
use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use super::arg_types::anno;

use crate::{ElementSpec, Ports};

/// SetIPAddress's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetIPAddress {
    /// The address stored.
    pub addr: Ipv4Addr,
    /// The annotation set, if not the destination IP annotation.
    pub anno: Option<String>,
}

impl SetIPAddress {
    /// Parses `SetIPAddress(IPADDR [, ANNO])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let addr = args.read_mp("IPADDR", parse::ipv4);
        let anno = args.read("ANNO", anno);
        args.complete()?;
        Ok(SetIPAddress {
            addr: addr.unwrap_or(Ipv4Addr::UNSPECIFIED),
            anno,
        })
    }
}

/// SetIPAddress's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "SetIPAddress",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["IPADDR", "ANNO"],
    handlers: &[],
    summary: "sets destination IP address annotations",
    source: include_str!("set_ip_address.rs"),
    check: |c| SetIPAddress::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert_eq!(
            SetIPAddress::configure("10.0.0.1").unwrap().addr,
            Ipv4Addr::new(10, 0, 0, 1)
        );
        let cfg = "10.0.0.256, ANNO a b";
        let e = SetIPAddress::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "10.0.0.256");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "a b");
    }
}
