//! # StripToNetworkHeader — strips everything preceding network header
//!
//! ```click
//! StripToNetworkHeader
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Removes every byte in front of the packet's network header, as marked by
//! the network-header annotation (set by CheckIPHeader, MarkIPHeader and
//! friends). A packet without that annotation passes unchanged. The bytes
//! stay in the buffer's headroom, so Unstrip can bring them back.
//!
//! ## Keywords
//! None; StripToNetworkHeader takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> CheckIPHeader(14) -> StripToNetworkHeader -> ...;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};

use crate::{ElementSpec, Ports};

/// StripToNetworkHeader's configuration: it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StripToNetworkHeader;

impl StripToNetworkHeader {
    /// Checks that StripToNetworkHeader's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(StripToNetworkHeader)
    }
}

/// StripToNetworkHeader's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "StripToNetworkHeader",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "strips everything preceding network header",
    source: include_str!("strip_to_network_header.rs"),
    check: |c| StripToNetworkHeader::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        assert_eq!(
            StripToNetworkHeader::configure("").unwrap(),
            StripToNetworkHeader
        );
        assert_eq!(
            StripToNetworkHeader::configure("  // nothing\n").unwrap(),
            StripToNetworkHeader
        );
        let cfg = "1, FOO 2";
        let errs = errors(cfg, StripToNetworkHeader::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }
}
