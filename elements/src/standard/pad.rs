//! # Pad — extends packet length
//!
//! ```click
//! Pad([LENGTH, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Lengthens packets. Without LENGTH (or with LENGTH 0) it appends as many
//! bytes as the packet's extra-length annotation says were cut off, and
//! clears the annotation; with LENGTH it also lengthens every packet to at
//! least LENGTH bytes. Added bytes are zero unless ZERO is false.
//!
//! ## Keywords
//! - `LENGTH` *unsigned* — the minimum packet length; default 0.
//! - `ZERO` *boolean* — whether added bytes are zeroed; default true.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDump(trace.pcap) -> Pad -> ...;   // restore truncated lengths
//! ... -> Pad(60) -> ToDevice(eth0);     // Ethernet minimum frame size
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Pad's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pad {
    /// Minimum packet length; 0 pads by the extra-length annotation only.
    pub length: u32,
    /// Whether added bytes are zeroed.
    pub zero: bool,
}

impl Pad {
    /// Parses Pad's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let length = args.read_p("LENGTH", parse::unsigned::<u32>).unwrap_or(0);
        let zero = args.read("ZERO", parse::boolean).unwrap_or(true);
        args.complete()?;
        Ok(Pad { length, zero })
    }
}

/// Pad's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Pad",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["LENGTH", "ZERO"],
    handlers: &[],
    summary: "extends packet length",
    source: include_str!("pad.rs"),
    check: |c| Pad::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn values() {
        assert_eq!(
            Pad::configure("").unwrap(),
            Pad {
                length: 0,
                zero: true
            }
        );
        assert_eq!(
            Pad::configure("60, ZERO false").unwrap(),
            Pad {
                length: 60,
                zero: false
            }
        );
    }

    #[test]
    fn bad_values() {
        let cfg = "sixty, ZER true";
        let errs = errors(cfg, Pad::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].1, "sixty");
    }
}
