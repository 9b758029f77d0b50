//! # Idle — discards packets, never emits any
//!
//! ```click
//! Idle
//! ```
//!
//! Ports: any number of inputs and outputs (`-/-`). Processing: agnostic (`a/a`).
//!
//! A placeholder that has nothing to say: packets pushed into it are
//! dropped, pulls from it return nothing, and it never pushes a packet out.
//! Use it to close off an input or output port that must be connected.
//!
//! ## Keywords
//! None; Idle takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Idle;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};

use crate::{ElementSpec, Ports};

/// Idle's configuration: it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Idle;

impl Idle {
    /// Checks that Idle's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(Idle)
    }
}

/// Idle's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Idle",
    port_count: "-/-",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "discards packets, never emits any",
    source: include_str!("idle.rs"),
    check: |c| Idle::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        assert_eq!(Idle::configure("").unwrap(), Idle);
        assert_eq!(Idle::configure("  // nothing\n").unwrap(), Idle);
        let cfg = "1, FOO 2";
        let errs = errors(cfg, Idle::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }
}
