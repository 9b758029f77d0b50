//! # Discard — drops all packets
//!
//! ```click
//! Discard([KEYWORDS])
//! ```
//!
//! Ports: 1 input, no outputs (`1/0`). Processing: agnostic (`a/a`).
//!
//! Drops every packet it receives. Connected to a pull output, it runs a
//! task that pulls up to BURST packets at a time, while ACTIVE is true.
//!
//! ## Keywords
//! - `ACTIVE` *boolean* — whether the pull task pulls; default true (no
//!   effect in push context).
//! - `BURST` *unsigned* — packets pulled per task run; default 1.
//!
//! ## Handlers
//! - `count` (read) — packets dropped so far.
//! - `reset_counts` (write) — zero `count`.
//! - `active` (read/write) — the ACTIVE setting.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Counter -> Discard;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Discard's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discard {
    /// Whether the pull task runs.
    pub active: bool,
    /// Packets pulled per task run (at least 1).
    pub burst: u32,
}

impl Discard {
    /// Parses Discard's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let active = args.read("ACTIVE", parse::boolean).unwrap_or(true);
        let burst = args.read("BURST", parse::unsigned::<u32>).unwrap_or(1);
        if burst == 0 {
            let span = args.span_of("BURST");
            args.error(ConfigError::new(span, "BURST must be at least 1"));
        }
        args.complete()?;
        Ok(Discard { active, burst })
    }
}

/// Discard's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Discard",
    port_count: "1/0",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["ACTIVE", "BURST"],
    handlers: &[
        "count (read)",
        "reset_counts (write)",
        "active (read/write)",
    ],
    summary: "drops all packets",
    source: include_str!("discard.rs"),
    check: |c| Discard::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn defaults_and_keywords() {
        assert_eq!(
            Discard::configure("").unwrap(),
            Discard {
                active: true,
                burst: 1
            }
        );
        assert_eq!(
            Discard::configure("ACTIVE false, BURST 8").unwrap(),
            Discard {
                active: false,
                burst: 8
            }
        );
    }

    #[test]
    fn bad_values() {
        let cfg = "ACTIVE maybe, BURST 0";
        let errs = errors(cfg, Discard::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "", "maybe"), "{errs:?}");
        assert!(has(&errs, "at least 1", "0"), "{errs:?}");
    }
}
