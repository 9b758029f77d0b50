//! # RoundRobinSwitch — sends packets to round-robin outputs
//!
//! ```click
//! RoundRobinSwitch
//! ```
//!
//! Ports: 1 input, 1 or more outputs (`1/1-`). Processing: push (`h/h`).
//!
//! Pushes each arriving packet out the next output in turn: output 0, then
//! 1, and so on, wrapping around after the last one.
//!
//! ## Keywords
//! None; RoundRobinSwitch takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! src -> rr :: RoundRobinSwitch; rr[0] -> q0 :: Queue; rr[1] -> q1 :: Queue;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};

use crate::{ElementSpec, Ports};

/// RoundRobinSwitch's configuration: it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoundRobinSwitch;

impl RoundRobinSwitch {
    /// Checks that RoundRobinSwitch's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(RoundRobinSwitch)
    }
}

/// RoundRobinSwitch's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "RoundRobinSwitch",
    port_count: "1/1-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "sends packets to round-robin outputs",
    source: include_str!("round_robin_switch.rs"),
    check: |c| RoundRobinSwitch::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        assert_eq!(RoundRobinSwitch::configure("").unwrap(), RoundRobinSwitch);
        assert_eq!(
            RoundRobinSwitch::configure("  // nothing\n").unwrap(),
            RoundRobinSwitch
        );
        let cfg = "1, FOO 2";
        let errs = errors(cfg, RoundRobinSwitch::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }
}
