//! # HashSwitch — classifies packets by hash of contents
//!
//! ```click
//! HashSwitch(OFFSET, LENGTH)
//! ```
//!
//! Ports: 1 input, 1 or more outputs (`1/1-`). Processing: push (`h/h`).
//!
//! Hashes the LENGTH bytes that start OFFSET bytes into each packet and
//! pushes the packet out the output the hash selects, so packets with equal
//! bytes there (one flow, one address) always take the same output. A
//! packet too short to hold those bytes is dropped.
//!
//! ## Keywords
//! - `OFFSET` *unsigned* — where the hashed bytes start; mandatory.
//! - `LENGTH` *unsigned, at least 1* — how many bytes are hashed; mandatory.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! hs :: HashSwitch(30, 4);  // Ethernet + IP destination address
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// HashSwitch's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashSwitch {
    /// Byte offset of the hashed bytes.
    pub offset: u32,
    /// Number of bytes hashed (at least 1).
    pub length: u32,
}

impl HashSwitch {
    /// Parses HashSwitch's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let offset = args.read_mp("OFFSET", parse::unsigned::<u32>);
        let length = args.read_mp("LENGTH", parse::unsigned::<u32>);
        if length == Some(0) {
            let span = args.span_of("LENGTH");
            args.error(ConfigError::new(span, "LENGTH must be at least 1"));
        }
        args.complete()?;
        Ok(HashSwitch {
            offset: offset.unwrap_or_default(),
            length: length.unwrap_or(1),
        })
    }
}

/// HashSwitch's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "HashSwitch",
    port_count: "1/1-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["OFFSET", "LENGTH"],
    handlers: &[],
    summary: "classifies packets by hash of contents",
    source: include_str!("hash_switch.rs"),
    check: |c| HashSwitch::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        assert_eq!(
            HashSwitch::configure("30, 4").unwrap(),
            HashSwitch {
                offset: 30,
                length: 4
            }
        );
    }

    #[test]
    fn bad_values() {
        let cfg = "30, 0";
        let errs = errors(cfg, HashSwitch::configure(cfg));
        assert!(has(&errs, "at least 1", "0"), "{errs:?}");
        let cfg = "a, b";
        let errs = errors(cfg, HashSwitch::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }
}
