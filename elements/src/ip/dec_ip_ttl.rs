//! # DecIPTTL — decrements IP time-to-live, drops dead packets
//!
//! ```click
//! DecIPTTL([KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Decrements the TTL of each IP packet and updates the header checksum
//! incrementally. A packet whose TTL is already 0 or 1 is not forwarded: it
//! goes to output 1 if it exists (usually toward ICMPError for a time-
//! exceeded message) and is dropped otherwise. The IP header annotation must
//! be set.
//!
//! ## Keywords
//! - `ACTIVE` *BOOL* — when false, pass packets unchanged. Default true.
//! - `MULTICAST` *BOOL* — when false, multicast packets pass unchanged.
//!   Default true.
//!
//! ## Handlers
//! - `drops` (read) — packets that expired.
//! - `active` (read/write) — the ACTIVE setting.
//!
//! ## Examples
//! ```click
//! rt[1] -> DecIPTTL -> ... ;
//! dt :: DecIPTTL; dt[1] -> ICMPError(10.0.0.1, timeexceeded) -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// DecIPTTL's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecIPTTL {
    /// Decrement at all.
    pub active: bool,
    /// Decrement multicast packets too.
    pub multicast: bool,
}

impl DecIPTTL {
    /// Parses `DecIPTTL([ACTIVE, MULTICAST])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let active = args.read("ACTIVE", parse::boolean).unwrap_or(true);
        let multicast = args.read("MULTICAST", parse::boolean).unwrap_or(true);
        args.complete()?;
        Ok(DecIPTTL { active, multicast })
    }
}

/// DecIPTTL's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "DecIPTTL",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["ACTIVE", "MULTICAST"],
    handlers: &["drops (read)", "active (read/write)"],
    summary: "decrements IP time-to-live, drops dead packets",
    source: include_str!("dec_ip_ttl.rs"),
    check: |c| DecIPTTL::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert_eq!(
            DecIPTTL::configure("").unwrap(),
            DecIPTTL {
                active: true,
                multicast: true
            }
        );
        assert!(!DecIPTTL::configure("MULTICAST false").unwrap().multicast);
        let cfg = "ACTIVE maybe, 3";
        let e = DecIPTTL::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "maybe");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "3");
    }
}
