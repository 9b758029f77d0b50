//! # Switch — sends packet stream to settable output
//!
//! ```click
//! Switch([OUTPUT])
//! ```
//!
//! Ports: 1 input, any number of outputs (`1/-`). Processing: push (`h/h`).
//!
//! Pushes every packet out one output, OUTPUT (default 0). The `switch`
//! handler changes the output while the router runs; `-1`, or a number past
//! the last output, drops packets instead.
//!
//! ## Keywords
//! - `OUTPUT` *integer ≥ -1* — the output packets go to; default 0.
//!
//! ## Handlers
//! - `switch` (read/write) — the current output.
//!
//! ## Examples
//! ```click
//! sw :: Switch(0); sw[0] -> Queue -> ToDevice(eth0); sw[1] -> Discard;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Switch's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Switch {
    /// The output packets go to; `None` drops them (`-1`).
    pub output: Option<u32>,
}

/// Reads an output number that may be `-1` ("drop") from positional 0 or
/// keyword `OUTPUT`, recording an error for values below -1.
pub(crate) fn read_output(args: &mut Args, mandatory: bool) -> Option<Option<u32>> {
    let v = if mandatory {
        args.read_mp("OUTPUT", parse::integer::<i64>)
    } else {
        args.read_p("OUTPUT", parse::integer::<i64>)
    }?;
    if v < -1 || v > i64::from(u32::MAX) {
        let span = args.span_of("OUTPUT");
        args.error(
            ConfigError::new(span, alloc::format!("output {v} is out of range"))
                .with_hint("give an output number, or -1 to drop packets"),
        );
        return None;
    }
    Some(u32::try_from(v).ok())
}

impl Switch {
    /// Parses Switch's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let output = read_output(&mut args, false).unwrap_or(Some(0));
        args.complete()?;
        Ok(Switch { output })
    }
}

/// Switch's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Switch",
    port_count: "1/-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["OUTPUT"],
    handlers: &["switch (read/write)"],
    summary: "sends packet stream to settable output",
    source: include_str!("switch.rs"),
    check: |c| Switch::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        assert_eq!(Switch::configure("").unwrap().output, Some(0));
        assert_eq!(Switch::configure("2").unwrap().output, Some(2));
        assert_eq!(Switch::configure("OUTPUT -1").unwrap().output, None);
    }

    #[test]
    fn bad_values() {
        let cfg = "-2";
        let errs = errors(cfg, Switch::configure(cfg));
        assert!(has(&errs, "out of range", "-2"), "{errs:?}");
        let cfg = "x, 1";
        let errs = errors(cfg, Switch::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }
}
