//! # CheckICMPHeader — checks ICMP header on ICMP packets
//!
//! ```click
//! CheckICMPHeader([KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Checks the ICMP header: the IP protocol is ICMP, the packet holds a full
//! ICMP header, and the ICMP checksum is correct. Good packets go to output
//! 0; bad ones to output 1 if it exists, and are dropped otherwise. The IP
//! header annotation must be set.
//!
//! ## Keywords
//! - `VERBOSE` *BOOL* — report the first bad packet. Default false.
//! - `DETAILS` *BOOL* — count drops by reason. Default false.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped.
//! - `drop_details` (read) — drops by reason, when DETAILS is true.
//!
//! ## Examples
//! ```click
//! ... -> CheckIPHeader -> CheckICMPHeader(VERBOSE true) -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// CheckICMPHeader's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckICMPHeader {
    /// Report the first bad packet.
    pub verbose: bool,
    /// Count drops by reason.
    pub details: bool,
}

impl CheckICMPHeader {
    /// Parses `CheckICMPHeader([VERBOSE, DETAILS])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let verbose = args.read("VERBOSE", parse::boolean).unwrap_or(false);
        let details = args.read("DETAILS", parse::boolean).unwrap_or(false);
        args.complete()?;
        Ok(CheckICMPHeader { verbose, details })
    }
}

/// CheckICMPHeader's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "CheckICMPHeader",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["VERBOSE", "DETAILS"],
    handlers: &["drops (read)", "drop_details (read)"],
    summary: "checks ICMP header on ICMP packets",
    source: include_str!("check_icmp_header.rs"),
    check: |c| CheckICMPHeader::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert_eq!(
            CheckICMPHeader::configure("").unwrap(),
            CheckICMPHeader {
                verbose: false,
                details: false
            }
        );
        assert!(
            CheckICMPHeader::configure("VERBOSE true, DETAILS yes")
                .unwrap()
                .details
        );
        let cfg = "VERBOSE loud, DETAIL true";
        let e = CheckICMPHeader::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "loud");
        assert_eq!(e[1].hint.as_deref(), Some("did you mean `DETAILS`?"));
    }
}
