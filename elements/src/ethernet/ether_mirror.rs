//! # EtherMirror — swaps Ethernet source and destination
//!
//! ```click
//! EtherMirror
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Exchanges the source and destination addresses of every packet's
//! Ethernet header, sending a frame back where it came from. Packets
//! shorter than an Ethernet header are dropped.
//!
//! ## Keywords
//! None; EtherMirror takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> EtherMirror -> Queue -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};

use crate::{ElementSpec, Ports};

/// EtherMirror's configuration: it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EtherMirror;

impl EtherMirror {
    /// Checks that EtherMirror's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(EtherMirror)
    }
}

/// EtherMirror's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "EtherMirror",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "swaps Ethernet source and destination",
    source: include_str!("ether_mirror.rs"),
    check: |c| EtherMirror::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        assert_eq!(EtherMirror::configure("").unwrap(), EtherMirror);
        let cfg = "x";
        let errs = errors(cfg, EtherMirror::configure(cfg));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].1, "x");
    }
}
