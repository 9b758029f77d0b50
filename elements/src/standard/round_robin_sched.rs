//! # RoundRobinSched — pulls from round-robin inputs
//!
//! ```click
//! RoundRobinSched
//! ```
//!
//! Ports: any number of inputs, 1 output (`-/1`). Processing: pull (`l/l`).
//!
//! Each time its output is pulled, tries its inputs in turn, starting with
//! the one after the input that produced the last packet, and returns the
//! first packet it finds. Inputs that have nothing are skipped.
//!
//! ## Keywords
//! None; RoundRobinSched takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! q0 :: Queue; q1 :: Queue; [q0, q1] => RoundRobinSched -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};

use crate::{ElementSpec, Ports};

/// RoundRobinSched's configuration: it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoundRobinSched;

impl RoundRobinSched {
    /// Checks that RoundRobinSched's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(RoundRobinSched)
    }
}

/// RoundRobinSched's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "RoundRobinSched",
    port_count: "-/1",
    processing: "l/l",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "pulls from round-robin inputs",
    source: include_str!("round_robin_sched.rs"),
    check: |c| RoundRobinSched::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        assert_eq!(RoundRobinSched::configure("").unwrap(), RoundRobinSched);
        assert_eq!(
            RoundRobinSched::configure("  // nothing\n").unwrap(),
            RoundRobinSched
        );
        let cfg = "1, FOO 2";
        let errs = errors(cfg, RoundRobinSched::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }
}
