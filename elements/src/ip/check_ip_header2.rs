//! # CheckIPHeader2 — checks IP header, no checksum
//!
//! ```click
//! CheckIPHeader2([OFFSET, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Like CheckIPHeader, but never checks the header checksum: useful where the
//! checksum is known good or computed later. It takes CheckIPHeader's
//! arguments; CHECKSUM is accepted and ignored.
//!
//! ## Keywords
//! - `OFFSET`, `INTERFACES`, `BADSRC`, `GOODDST`, `VERBOSE`, `DETAILS` — as
//!   for CheckIPHeader.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped.
//! - `drop_details` (read) — drops by reason, when DETAILS is true.
//!
//! ## Examples
//! ```click
//! ... -> CheckIPHeader2(14) -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use nfc_dataplane::args::ConfigErrors;

use super::check_ip_header::CheckIPHeader;

use crate::{ElementSpec, Ports};

/// CheckIPHeader2's configuration: CheckIPHeader's, with `checksum` false.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIPHeader2 {
    /// The shared header-check settings.
    pub check: CheckIPHeader,
}

impl CheckIPHeader2 {
    /// Parses CheckIPHeader2's configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut check = CheckIPHeader::configure(config)?;
        check.checksum = false;
        Ok(CheckIPHeader2 { check })
    }
}

/// CheckIPHeader2's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "CheckIPHeader2",
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
    summary: "checks IP header, no checksum",
    source: include_str!("check_ip_header2.rs"),
    check: |c| CheckIPHeader2::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = CheckIPHeader2::configure("OFFSET 14").unwrap();
        assert_eq!(c.check.offset, 14);
        assert!(!c.check.checksum);
        let cfg = "OFFSET -1";
        let e = CheckIPHeader2::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "-1");
    }
}
