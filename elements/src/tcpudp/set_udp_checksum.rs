//! # SetUDPChecksum — sets UDP packets' checksums
//!
//! ```click
//! SetUDPChecksum()
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Computes and stores the UDP checksum of each UDP/IP packet (the IP header
//! annotation must be set). Packets too short or not UDP go to output 1 if it
//! exists and are dropped otherwise.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> SetUDPChecksum -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use nfc_dataplane::args::{Args, ConfigErrors};

use crate::{ElementSpec, Ports};

/// SetUDPChecksum's configuration (it takes no arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetUDPChecksum;

impl SetUDPChecksum {
    /// Accepts only an empty configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(SetUDPChecksum)
    }
}

/// SetUDPChecksum's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "SetUDPChecksum",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "sets UDP packets' checksums",
    source: include_str!("set_udp_checksum.rs"),
    check: |c| SetUDPChecksum::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert!(SetUDPChecksum::configure("").is_ok());
        assert!(SetUDPChecksum::configure("/* nothing */").is_ok());
        assert_eq!(
            SetUDPChecksum::configure("x").unwrap_err().0[0].message,
            "too many arguments"
        );
    }
}
