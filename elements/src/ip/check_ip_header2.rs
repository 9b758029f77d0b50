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
//! - As for CheckIPHeader: `VERBOSE` is accepted but prints nothing. The
//!   `count` handler of CheckIPHeader answers here too.

use alloc::string::String;

use nfc_dataplane::args::ConfigErrors;
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;

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
        check.class = "CheckIPHeader2";
        Ok(CheckIPHeader2 { check })
    }
}

impl Element for CheckIPHeader2 {
    #[inline]
    fn process(&mut self, cx: &Context, input: usize, p: &mut Packet) -> Out {
        self.check.process(cx, input, p)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        self.check.read_handler(name)
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
        assert_eq!(c.check.class, "CheckIPHeader2", "its messages name it");
        let cfg = "OFFSET -1";
        let e = CheckIPHeader2::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "-1");
    }

    use crate::harness::{self, check_batch_path, on_port, run_push, udp_frame};

    /// Frames whose IP header is broken in the way `i` picks; `i % 8 == 5`
    /// only has a wrong checksum, which CheckIPHeader2 accepts.
    fn frame(i: usize) -> alloc::vec::Vec<u8> {
        let mut f = udp_frame([10, 0, 0, 1], [10, 0, 0, i as u8], 1000, 53, i % 7);
        match i % 8 {
            1 => f.truncate(14 + 19),
            2 => f[14] = 0x65,
            3 => f[14] = 0x44,
            4 => f[17] = 0xff,
            5 => f[25] ^= 1,
            _ => {}
        }
        f
    }

    #[test]
    fn accepts_bad_checksums_only() {
        let mut c = CheckIPHeader2::configure("14, DETAILS true").unwrap();
        let pool = harness::pool();
        let sent = run_push(
            &mut c,
            &harness::cx(pool),
            0,
            (0..16)
                .map(|i| pool.alloc_with(&frame(i)).unwrap())
                .collect(),
            2,
        );
        assert_eq!(on_port(&sent, 0).len(), 8, "{sent:?}");
        assert!(on_port(&sent, 0).iter().all(|s| s.network == Some(14)));
        assert_eq!(on_port(&sent, 1).len(), 8);
        assert_eq!(c.read_handler("drops"), Ok("8".into()));
        let details = c.read_handler("drop_details").unwrap();
        assert!(
            details.contains("0 packets due to:          bad IP checksum"),
            "{details}"
        );
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let c = CheckIPHeader2::configure("14, DETAILS true").unwrap();
        check_batch_path(&c, 0, 2, |i, pool| pool.alloc_with(&frame(i)).unwrap());
        check_batch_path(&c, 0, 1, |i, pool| pool.alloc_with(&frame(i)).unwrap());
    }
}
