//! # SetTCPChecksum — sets TCP packets' checksums
//!
//! ```click
//! SetTCPChecksum([FIXOFF])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Computes and stores the TCP checksum of each TCP/IP packet (the IP header
//! annotation must be set). With FIXOFF, a TCP data offset that points past
//! the packet is first clamped to it. Malformed packets are dropped.
//!
//! ## Keywords
//! - `FIXOFF` *BOOL* — repair an impossible TCP data offset. Default false.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> SetTCPChecksum -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// SetTCPChecksum's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetTCPChecksum {
    /// Repair an impossible TCP data offset.
    pub fixoff: bool,
}

impl SetTCPChecksum {
    /// Parses `SetTCPChecksum([FIXOFF])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let fixoff = args.read_p("FIXOFF", parse::boolean).unwrap_or(false);
        args.complete()?;
        Ok(SetTCPChecksum { fixoff })
    }
}

/// SetTCPChecksum's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "SetTCPChecksum",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["FIXOFF"],
    handlers: &[],
    summary: "sets TCP packets' checksums",
    source: include_str!("set_tcp_checksum.rs"),
    check: |c| SetTCPChecksum::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert!(!SetTCPChecksum::configure("").unwrap().fixoff);
        assert!(SetTCPChecksum::configure("true").unwrap().fixoff);
        let cfg = "sure";
        let e = SetTCPChecksum::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "sure");
    }
}
