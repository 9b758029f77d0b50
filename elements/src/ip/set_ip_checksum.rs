//! # SetIPChecksum — sets IP packets' checksums
//!
//! ```click
//! SetIPChecksum()
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Recomputes the IP header checksum of each packet (the IP header annotation
//! must be set). Packets too short to hold their IP header are dropped.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped.
//!
//! ## Examples
//! ```click
//! ... -> SetIPChecksum -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use nfc_dataplane::args::{Args, ConfigErrors};

use crate::{ElementSpec, Ports};

/// SetIPChecksum's configuration (it takes no arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetIPChecksum;

impl SetIPChecksum {
    /// Accepts only an empty configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(SetIPChecksum)
    }
}

/// SetIPChecksum's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "SetIPChecksum",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["drops (read)"],
    summary: "sets IP packets' checksums",
    source: include_str!("set_ip_checksum.rs"),
    check: |c| SetIPChecksum::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert!(SetIPChecksum::configure("").is_ok());
        let cfg = "1";
        let e = SetIPChecksum::configure(cfg).unwrap_err().0;
        assert_eq!(e[0].message, "too many arguments");
    }
}
