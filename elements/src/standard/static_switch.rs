//! # StaticSwitch — sends packet stream to fixed output
//!
//! ```click
//! StaticSwitch(OUTPUT)
//! ```
//!
//! Ports: 1 input, any number of outputs (`1/-`). Processing: push (`h/h`).
//!
//! Pushes every packet out output OUTPUT, fixed at configuration time;
//! `-1` drops every packet. Because the choice never changes, a compiler
//! can treat the other outputs as dead.
//!
//! ## Keywords
//! - `OUTPUT` *integer ≥ -1* — the output packets go to; mandatory.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ss :: StaticSwitch(1); ss[0] -> Discard; ss[1] -> Queue -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};

use super::switch::read_output;
use crate::{ElementSpec, Ports};

/// StaticSwitch's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaticSwitch {
    /// The output packets go to; `None` drops them (`-1`).
    pub output: Option<u32>,
}

impl StaticSwitch {
    /// Parses StaticSwitch's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let output = read_output(&mut args, true).unwrap_or(None);
        args.complete()?;
        Ok(StaticSwitch { output })
    }
}

/// StaticSwitch's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "StaticSwitch",
    port_count: "1/-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["OUTPUT"],
    handlers: &[],
    summary: "sends packet stream to fixed output",
    source: include_str!("static_switch.rs"),
    check: |c| StaticSwitch::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        assert_eq!(StaticSwitch::configure("1").unwrap().output, Some(1));
        assert_eq!(StaticSwitch::configure("-1").unwrap().output, None);
    }

    #[test]
    fn bad_values() {
        let errs = errors("", StaticSwitch::configure(""));
        assert!(errs[0].0.contains("OUTPUT"), "{errs:?}");
        let cfg = "OUTPUT -7";
        let errs = errors(cfg, StaticSwitch::configure(cfg));
        assert!(has(&errs, "out of range", "-7"), "{errs:?}");
    }
}
