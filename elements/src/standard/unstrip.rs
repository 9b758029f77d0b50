//! # Unstrip — unstrips bytes from front of packets
//!
//! ```click
//! Unstrip(LENGTH)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Puts back LENGTH bytes in front of every packet, the reverse of Strip: the
//! packet's data starts LENGTH bytes earlier in its buffer. The bytes are
//! whatever the headroom held (normally the header Strip removed).
//!
//! ## Keywords
//! - `LENGTH` *unsigned* — the number of bytes; mandatory.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> Strip(14) -> CheckIPHeader -> Unstrip(14) -> ...;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Unstrip's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unstrip {
    /// Number of bytes.
    pub length: u32,
}

impl Unstrip {
    /// Parses Unstrip's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let length = args.read_mp("LENGTH", parse::unsigned::<u32>);
        args.complete()?;
        // complete() fails when the mandatory LENGTH is missing or bad.
        Ok(Unstrip {
            length: length.unwrap_or_default(),
        })
    }
}

/// Unstrip's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Unstrip",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["LENGTH"],
    handlers: &[],
    summary: "unstrips bytes from front of packets",
    source: include_str!("unstrip.rs"),
    check: |c| Unstrip::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn length() {
        assert_eq!(Unstrip::configure("14").unwrap().length, 14);
        assert_eq!(Unstrip::configure("LENGTH 4").unwrap().length, 4);
    }

    #[test]
    fn bad_length() {
        let errs = errors("", Unstrip::configure(""));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].0.contains("LENGTH"), "{errs:?}");
        let cfg = "14x, 3";
        let errs = errors(cfg, Unstrip::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].1, "14x");
    }
}
