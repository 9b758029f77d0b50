//! # Unqueue — pull-to-push converter
//!
//! ```click
//! Unqueue([BURST, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: pull input, push output (`l/h`).
//!
//! Runs a task that pulls packets from its input and pushes them out its
//! output, at most BURST per task run. It sleeps while the queue upstream is
//! empty and, when LIMIT is set, stops for good after LIMIT packets.
//!
//! ## Keywords
//! - `BURST` *integer* — packets moved per task run; default 1; a negative
//!   value means no bound. Zero is an error.
//! - `ACTIVE` *boolean* — whether the task runs; default true.
//! - `LIMIT` *integer* — stop after this many packets; default -1 (never stop).
//!
//! ## Handlers
//! - `count` (read) — packets moved so far.
//! - `reset` (write) — zero `count` (and restart a stopped LIMIT).
//! - `active` (read/write), `limit` (read/write), `burst` (read/write) — the settings.
//!
//! ## Examples
//! ```click
//! InfiniteSource -> Queue -> Unqueue(BURST 32) -> Counter -> Discard;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Unqueue's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unqueue {
    /// Packets moved per task run; `None` means no bound.
    pub burst: Option<u32>,
    /// Whether the task runs.
    pub active: bool,
    /// Total packets to move before stopping; `None` means no limit.
    pub limit: Option<u64>,
}

impl Unqueue {
    /// Parses Unqueue's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let burst = args.read_p("BURST", parse::integer::<i64>).unwrap_or(1);
        let active = args.read("ACTIVE", parse::boolean).unwrap_or(true);
        let limit = args.read("LIMIT", parse::integer::<i64>).unwrap_or(-1);
        if burst == 0 {
            let span = args.span_of("BURST");
            args.error(ConfigError::new(span, "BURST 0 would never pull a packet"));
        }
        args.complete()?;
        Ok(Unqueue {
            burst: u32::try_from(burst).ok().filter(|_| burst > 0),
            active,
            limit: u64::try_from(limit).ok(),
        })
    }
}

/// Unqueue's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Unqueue",
    port_count: "1/1",
    processing: "l/h",
    flow_code: "x/x",
    keywords: &["BURST", "ACTIVE", "LIMIT"],
    handlers: &[
        "count (read)",
        "reset (write)",
        "active (read/write)",
        "limit (read/write)",
        "burst (read/write)",
    ],
    summary: "pull-to-push converter",
    source: include_str!("unqueue.rs"),
    check: |c| Unqueue::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let u = Unqueue::configure("").unwrap();
        assert_eq!((u.burst, u.active, u.limit), (Some(1), true, None));
        let u = Unqueue::configure("-1, LIMIT 100, ACTIVE no").unwrap();
        assert_eq!((u.burst, u.active, u.limit), (None, false, Some(100)));
        assert_eq!(Unqueue::configure("BURST 32").unwrap().burst, Some(32));
    }

    #[test]
    fn bad_values() {
        let cfg = "0, LIMIT x";
        let errs = errors(cfg, Unqueue::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "BURST 0", "0"), "{errs:?}");
        assert!(has(&errs, "", "x"), "{errs:?}");
    }
}
