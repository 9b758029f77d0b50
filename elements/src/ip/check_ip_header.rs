//! # CheckIPHeader — checks IP header
//!
//! ```click
//! CheckIPHeader([OFFSET, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Checks that each packet holds a valid IPv4 header starting OFFSET bytes
//! into the packet: version 4, header length at least 20 and within the
//! packet, total length at least the header length and within the packet, a
//! correct header checksum, and a source address that is not one of the bad
//! source addresses. Valid packets have their IP header annotation set and
//! any bytes past the IP total length removed, and go to output 0. Invalid
//! packets go to output 1 if it exists and are dropped otherwise.
//!
//! For compatibility, a first positional argument that is not a number is
//! read as a space-separated BADSRC list; then OFFSET may follow.
//!
//! ## Keywords
//! - `OFFSET` *N* — where the IP header starts. Default 0.
//! - `INTERFACES` *PREFIXES* — space-separated `ADDR/LEN` of this host's
//!   interfaces; their broadcast addresses become bad sources and their
//!   addresses good destinations.
//! - `BADSRC` *ADDRS* — space-separated source addresses to reject (0.0.0.0
//!   and 255.255.255.255 are always added by Click when INTERFACES is used).
//! - `GOODDST` *ADDRS* — destination addresses that are accepted even when
//!   they would otherwise fail the source check.
//! - `CHECKSUM` *BOOL* — check the header checksum. Default true.
//! - `VERBOSE` *BOOL* — print a message for the first bad packet. Default
//!   false.
//! - `DETAILS` *BOOL* — count drops by reason. Default false.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped.
//! - `drop_details` (read) — drops by reason, when DETAILS is true.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Strip(14) -> CheckIPHeader(INTERFACES 10.0.0.1/24) -> ...
//! CheckIPHeader(OFFSET 14, CHECKSUM false)
//! ```
//!
//! ## Differences from Click
//! None.

use alloc::vec::Vec;
use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse::{self, IpPrefix, ParseError};

use super::arg_types::{ipv4_list, prefix_list};

use crate::{ElementSpec, Ports};

/// CheckIPHeader's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIPHeader {
    /// Offset of the IP header in the packet.
    pub offset: u32,
    /// This host's interfaces (INTERFACES).
    pub interfaces: Vec<IpPrefix>,
    /// Source addresses to reject (BADSRC, plus the broadcast address of each interface).
    pub bad_src: Vec<Ipv4Addr>,
    /// Destination addresses always accepted (GOODDST, plus each interface address).
    pub good_dst: Vec<Ipv4Addr>,
    /// Check the header checksum.
    pub checksum: bool,
    /// Report the first bad packet.
    pub verbose: bool,
    /// Count drops by reason.
    pub details: bool,
}

enum First {
    Offset(u32),
    BadSrc(Vec<Ipv4Addr>),
}

fn first_positional(s: &str) -> Result<First, ParseError> {
    if s.bytes().next().is_some_and(|b| b.is_ascii_digit()) && !s.contains('.') {
        parse::unsigned::<u32>(s).map(First::Offset)
    } else {
        ipv4_list(s).map(First::BadSrc)
    }
}

impl CheckIPHeader {
    /// Parses CheckIPHeader's configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let interfaces = args.read("INTERFACES", prefix_list).unwrap_or_default();
        let kw_bad = args.read("BADSRC", ipv4_list);
        let good = args.read("GOODDST", ipv4_list).unwrap_or_default();
        let kw_offset = args.read("OFFSET", parse::unsigned::<u32>);
        let verbose = args.read("VERBOSE", parse::boolean).unwrap_or(false);
        let details = args.read("DETAILS", parse::boolean).unwrap_or(false);
        let checksum = args.read("CHECKSUM", parse::boolean).unwrap_or(true);
        let (mut offset, mut bad_src) = (kw_offset.unwrap_or(0), kw_bad.unwrap_or_default());
        match args.read_p("BADSRC", first_positional) {
            Some(First::Offset(o)) => offset = o,
            Some(First::BadSrc(v)) => {
                bad_src.extend(v);
                if let Some(o) = args.read_p("OFFSET", parse::unsigned::<u32>) {
                    offset = o;
                }
            }
            None => {}
        }
        args.complete()?;
        let mut good_dst = good;
        for p in &interfaces {
            bad_src.push(Ipv4Addr::from(
                u32::from(p.network()) | !u32::from(p.mask()),
            ));
            good_dst.push(p.addr);
        }
        if !interfaces.is_empty() {
            bad_src.push(Ipv4Addr::UNSPECIFIED);
            bad_src.push(Ipv4Addr::BROADCAST);
        }
        Ok(CheckIPHeader {
            offset,
            interfaces,
            bad_src,
            good_dst,
            checksum,
            verbose,
            details,
        })
    }
}

/// CheckIPHeader's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "CheckIPHeader",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &[
        "INTERFACES",
        "BADSRC",
        "GOODDST",
        "OFFSET",
        "VERBOSE",
        "DETAILS",
        "CHECKSUM",
    ],
    handlers: &["drops (read)", "drop_details (read)"],
    summary: "checks IP header",
    source: include_str!("check_ip_header.rs"),
    check: |c| CheckIPHeader::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good() {
        let c = CheckIPHeader::configure("").unwrap();
        assert_eq!((c.offset, c.checksum, c.verbose), (0, true, false));
        assert_eq!(CheckIPHeader::configure("14").unwrap().offset, 14);
        let c = CheckIPHeader::configure("1.2.3.4 5.6.7.8, 14").unwrap();
        assert_eq!((c.bad_src.len(), c.offset), (2, 14));
        let c = CheckIPHeader::configure("INTERFACES 10.0.0.1/24, CHECKSUM false, VERBOSE true")
            .unwrap();
        assert!(c.bad_src.contains(&Ipv4Addr::new(10, 0, 0, 255)));
        assert!(c.good_dst.contains(&Ipv4Addr::new(10, 0, 0, 1)));
        assert!(!c.checksum && c.verbose);
        assert_eq!(
            CheckIPHeader::configure("OFFSET 14, BADSRC 1.1.1.1")
                .unwrap()
                .bad_src
                .len(),
            1
        );
    }

    #[test]
    fn bad() {
        let cfg = "OFFSET x, INTERFACES 10.0.0.1/40, CHEKSUM true";
        let e = CheckIPHeader::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 3);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "10.0.0.1/40");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "x");
        assert!(e[1].message.starts_with("OFFSET:"));
        assert_eq!(e[2].hint.as_deref(), Some("did you mean `CHECKSUM`?"));
    }
}
