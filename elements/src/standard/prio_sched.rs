//! # PrioSched — pulls from priority-scheduled inputs
//!
//! ```click
//! PrioSched
//! ```
//!
//! Ports: any number of inputs, 1 output (`-/1`). Processing: pull (`l/l`).
//!
//! Each time its output is pulled, tries input 0 first, then input 1, and so
//! on, and returns the first packet it finds: a strict priority scheduler in
//! which input 0 has the highest priority.
//!
//! ## Keywords
//! None; PrioSched takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! hi :: Queue; lo :: Queue; [hi, lo] => PrioSched -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};

use crate::{ElementSpec, Ports};

/// PrioSched's configuration: it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrioSched;

impl PrioSched {
    /// Checks that PrioSched's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(PrioSched)
    }
}

/// PrioSched's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "PrioSched",
    port_count: "-/1",
    processing: "l/l",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "pulls from priority-scheduled inputs",
    source: include_str!("prio_sched.rs"),
    check: |c| PrioSched::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        assert_eq!(PrioSched::configure("").unwrap(), PrioSched);
        assert_eq!(PrioSched::configure("  // nothing\n").unwrap(), PrioSched);
        let cfg = "1, FOO 2";
        let errs = errors(cfg, PrioSched::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }
}
