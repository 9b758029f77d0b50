//! # Null — passes packets unchanged
//!
//! ```click
//! Null
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Every packet goes from the input to the output untouched. Useful as a
//! named junction inside compound elements.
//!
//! ## Keywords
//! None; Null takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Null -> Discard;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};

use crate::{ElementSpec, Ports};

/// Null's configuration: it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Null;

impl Null {
    /// Checks that Null's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(Null)
    }
}

/// Null's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Null",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "passes packets unchanged",
    source: include_str!("null.rs"),
    check: |c| Null::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        assert_eq!(Null::configure("").unwrap(), Null);
        assert_eq!(Null::configure("  // nothing\n").unwrap(), Null);
        let cfg = "1, FOO 2";
        let errs = errors(cfg, Null::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }
}
