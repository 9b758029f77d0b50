//! # ICMPError — generates ICMP error packets
//!
//! ```click
//! ICMPError(SRC, TYPE [, CODE, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Turns each input packet into an ICMP error message about it, from address
//! SRC, of type TYPE and code CODE, quoting the offending IP header and the
//! first 8 bytes of its payload. No error is generated for packets that must
//! not get one (ICMP errors, fragments other than the first, broadcast or
//! multicast sources or destinations, bad source addresses); those are
//! dropped. The output is an IP packet whose destination annotation is the
//! offender's source; it carries the fix-IP-source annotation so a later
//! FixIPSrc can put the outgoing interface's address in.
//!
//! ## Keywords
//! - `SRC` *ADDR* — source address of the errors. Mandatory.
//! - `TYPE` *T* — an error type: `unreachable` (3), `sourcequench` (4),
//!   `redirect` (5), `timeexceeded` (11), `parameterproblem` (12), or the
//!   number. Mandatory.
//! - `CODE` *C* — a number or a name for the type: for unreachable `net`,
//!   `host`, `protocol`, `port`, `needfrag`, `filterprohibited` …; for
//!   timeexceeded `transit`, `reassembly`; for parameterproblem `erroratptr`,
//!   `missingopt`, `length`; for redirect `net`, `host`, `tosnet`, `toshost`.
//!   Default 0.
//! - `BADADDRS` *ADDRS* — space-separated source addresses never sent errors.
//! - `MTU` *N* — longest error packet. Default 576.
//! - `PMTU` *N* — next-hop MTU reported in `needfrag` errors. Default from
//!   the packet.
//! - `SET_FIX_ANNO` *BOOL* — set the fix-IP-source annotation. Default true.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! dt[1] -> ICMPError(10.0.0.1, timeexceeded) -> rt;
//! frag[1] -> ICMPError(10.0.0.1, unreachable, needfrag) -> rt;
//! ```
//!
//! ## Differences from Click
//! None.

use alloc::{format, vec::Vec};
use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse;

use crate::ip::arg_types::{icmp_code, icmp_type, ipv4_list};

use crate::{ElementSpec, Ports};

/// ICMPError's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ICMPError {
    /// Source address of the errors.
    pub src: Ipv4Addr,
    /// ICMP type (an error type).
    pub icmp_type: u8,
    /// ICMP code.
    pub code: u8,
    /// Sources never sent errors.
    pub bad_addrs: Vec<Ipv4Addr>,
    /// Longest error packet.
    pub mtu: u32,
    /// Next-hop MTU for `needfrag`, 0 for "from the packet".
    pub pmtu: u32,
    /// Set the fix-IP-source annotation.
    pub set_fix_anno: bool,
}

/// ICMP types that are error messages.
const ERROR_TYPES: &[u8] = &[3, 4, 5, 11, 12];

impl ICMPError {
    /// Parses ICMPError's configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let src = args.read_mp("SRC", parse::ipv4);
        let icmp_type = args.read_mp("TYPE", icmp_type);
        let code_word = args.read_p("CODE", parse::word);
        let bad_addrs = args.read_p("BADADDRS", ipv4_list).unwrap_or_default();
        let mtu = args.read("MTU", parse::unsigned::<u32>).unwrap_or(576);
        let pmtu = args.read("PMTU", parse::unsigned::<u32>).unwrap_or(0);
        let set_fix_anno = args.read("SET_FIX_ANNO", parse::boolean).unwrap_or(true);
        let mut code = 0;
        if let Some(t) = icmp_type {
            if !ERROR_TYPES.contains(&t) {
                let span = args.span_of("TYPE");
                args.error(
                    ConfigError::new(span, format!("TYPE: ICMP type {t} is not an error type"))
                        .with_hint(
                        "use unreachable, sourcequench, redirect, timeexceeded or parameterproblem",
                    ),
                );
            } else if let Some(w) = &code_word {
                match icmp_code(t, w) {
                    Ok(c) => code = c,
                    Err(e) => {
                        let span = args.span_of("CODE");
                        let mut err = ConfigError::new(span, format!("CODE: {}", e.message));
                        err.hint = e.hint;
                        args.error(err);
                    }
                }
            }
        }
        args.complete()?;
        Ok(ICMPError {
            src: src.unwrap_or(Ipv4Addr::UNSPECIFIED),
            icmp_type: icmp_type.unwrap_or(0),
            code,
            bad_addrs,
            mtu,
            pmtu,
            set_fix_anno,
        })
    }
}

/// ICMPError's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ICMPError",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "SRC",
        "TYPE",
        "CODE",
        "BADADDRS",
        "MTU",
        "PMTU",
        "SET_FIX_ANNO",
    ],
    handlers: &[],
    summary: "generates ICMP error packets",
    source: include_str!("icmp_error.rs"),
    check: |c| ICMPError::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = ICMPError::configure("10.0.0.1, timeexceeded").unwrap();
        assert_eq!(
            (c.icmp_type, c.code, c.mtu, c.set_fix_anno),
            (11, 0, 576, true)
        );
        let c = ICMPError::configure("10.0.0.1, unreachable, needfrag").unwrap();
        assert_eq!((c.icmp_type, c.code), (3, 4));
        let c = ICMPError::configure("10.0.0.1, 12, 1, 1.2.3.4 5.6.7.8, MTU 1500").unwrap();
        assert_eq!((c.code, c.bad_addrs.len(), c.mtu), (1, 2, 1500));
        assert_eq!(
            ICMPError::configure("10.0.0.1, 11, transit").unwrap().code,
            0
        );
    }

    #[test]
    fn errors() {
        let cfg = "10.0.0.1, echo";
        let e = ICMPError::configure(cfg).unwrap_err().0;
        assert_eq!(e[0].message, "TYPE: ICMP type 8 is not an error type");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "echo");
        let cfg = "10.0.0.1, timeexceeded, needfrag";
        let e = ICMPError::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "needfrag");
        let cfg = "10.0.0.x, nope, MTU big";
        let e = ICMPError::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 3);
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "nope");
    }
}
