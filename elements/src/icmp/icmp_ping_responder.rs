//! # ICMPPingResponder — responds to ICMP echo requests
//!
//! ```click
//! ICMPPingResponder()
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Turns each ICMP echo request into an echo reply: swaps the IP source and
//! destination, sets the ICMP type to echo-reply, fixes the checksums, and
//! sets the destination IP annotation to the new destination. Other packets
//! go to output 1 if it exists and are dropped otherwise. The IP header
//! annotation must be set.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ip :: IPClassifier(icmp type echo, -); ip[0] -> ICMPPingResponder -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use nfc_dataplane::args::{Args, ConfigErrors};

use crate::{ElementSpec, Ports};

/// ICMPPingResponder's configuration (it takes no arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ICMPPingResponder;

impl ICMPPingResponder {
    /// Accepts only an empty configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(ICMPPingResponder)
    }
}

/// ICMPPingResponder's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ICMPPingResponder",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "responds to ICMP echo requests",
    source: include_str!("icmp_ping_responder.rs"),
    check: |c| ICMPPingResponder::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert!(ICMPPingResponder::configure("").is_ok());
        let cfg = "10.0.0.1";
        let e = ICMPPingResponder::configure(cfg).unwrap_err().0;
        assert_eq!(e[0].message, "too many arguments");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "10.0.0.1");
    }
}
