//! # Strip — strips bytes from front of packets
//!
//! ```click
//! Strip(LENGTH)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Removes the first LENGTH bytes of every packet (all of it, when the packet
//! is shorter). The bytes stay in the buffer's headroom, so Unstrip can put
//! them back.
//!
//! ## Keywords
//! - `LENGTH` *unsigned* — the number of bytes; mandatory.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Strip(14) -> CheckIPHeader -> ...;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Strip's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Strip {
    /// Number of bytes.
    pub length: u32,
}

impl Strip {
    /// Parses Strip's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let length = args.read_mp("LENGTH", parse::unsigned::<u32>);
        args.complete()?;
        // complete() fails when the mandatory LENGTH is missing or bad.
        Ok(Strip {
            length: length.unwrap_or_default(),
        })
    }
}

/// Strip's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Strip",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["LENGTH"],
    handlers: &[],
    summary: "strips bytes from front of packets",
    source: include_str!("strip.rs"),
    check: |c| Strip::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn length() {
        assert_eq!(Strip::configure("14").unwrap().length, 14);
        assert_eq!(Strip::configure("LENGTH 4").unwrap().length, 4);
    }

    #[test]
    fn bad_length() {
        let errs = errors("", Strip::configure(""));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].0.contains("LENGTH"), "{errs:?}");
        let cfg = "14x, 3";
        let errs = errors(cfg, Strip::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].1, "14x");
    }
}
