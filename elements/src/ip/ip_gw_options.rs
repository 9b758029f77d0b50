//! # IPGWOptions — processes router-relevant IP options
//!
//! ```click
//! IPGWOptions(MYADDR [, OTHERADDRS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Processes the IP options a router must act on: Record Route and Timestamp
//! options get this router's address MYADDR (or the time) filled in, and
//! source-route options addressed to one of this router's addresses are
//! advanced. Packets with malformed options go to output 1 if it exists (with
//! the ICMP parameter-problem pointer annotation set) and are dropped
//! otherwise. Packets without options pass untouched.
//!
//! ## Keywords
//! - `MYADDR` *ADDR* — the address to record. Mandatory.
//! - `OTHERADDRS` *ADDRS* — space-separated other addresses of this router.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped.
//!
//! ## Examples
//! ```click
//! ... -> IPGWOptions(10.0.0.1) -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use alloc::vec::Vec;
use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use super::arg_types::ipv4_list;

use crate::{ElementSpec, Ports};

/// IPGWOptions's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPGWOptions {
    /// Address recorded in options.
    pub my_addr: Ipv4Addr,
    /// All of this router's addresses (OTHERADDRS plus MYADDR).
    pub my_addrs: Vec<Ipv4Addr>,
}

impl IPGWOptions {
    /// Parses `IPGWOptions(MYADDR [, OTHERADDRS])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let my_addr = args.read_mp("MYADDR", parse::ipv4);
        let mut my_addrs = args.read_p("OTHERADDRS", ipv4_list).unwrap_or_default();
        args.complete()?;
        let my_addr = my_addr.unwrap_or(Ipv4Addr::UNSPECIFIED);
        my_addrs.push(my_addr);
        Ok(IPGWOptions { my_addr, my_addrs })
    }
}

/// IPGWOptions's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPGWOptions",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["MYADDR", "OTHERADDRS"],
    handlers: &["drops (read)"],
    summary: "processes router-relevant IP options",
    source: include_str!("ip_gw_options.rs"),
    check: |c| IPGWOptions::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = IPGWOptions::configure("10.0.0.1, 10.0.1.1 10.0.2.1").unwrap();
        assert_eq!(c.my_addr, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(c.my_addrs.len(), 3);
        let e = IPGWOptions::configure("").unwrap_err().0;
        assert_eq!(e[0].message, "MYADDR: missing mandatory argument");
        let cfg = "10.0.0.1, 10.0.1.1 nope";
        let e = IPGWOptions::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "10.0.1.1 nope");
    }
}
