//! # Truncate — limits packet length
//!
//! ```click
//! Truncate(LENGTH [, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Cuts every packet longer than LENGTH bytes down to LENGTH bytes; shorter
//! packets pass unchanged. When EXTRA_LENGTH is true the bytes removed are
//! added to the packet's extra-length annotation, so that ToDump still
//! records the original length.
//!
//! ## Keywords
//! - `LENGTH` *unsigned* — the most bytes a packet keeps; mandatory.
//! - `EXTRA_LENGTH` *boolean* — record removed bytes as extra length; default true.
//!
//! ## Handlers
//! - `length` (read/write) — LENGTH.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Truncate(96) -> ToDump(heads.pcap);
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Truncate's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truncate {
    /// The most bytes a packet keeps.
    pub length: u32,
    /// Whether removed bytes are added to the extra-length annotation.
    pub extra_length: bool,
}

impl Truncate {
    /// Parses Truncate's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let length = args.read_mp("LENGTH", parse::unsigned::<u32>);
        let extra_length = args.read("EXTRA_LENGTH", parse::boolean).unwrap_or(true);
        args.complete()?;
        Ok(Truncate {
            length: length.unwrap_or_default(),
            extra_length,
        })
    }
}

/// Truncate's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Truncate",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["LENGTH", "EXTRA_LENGTH"],
    handlers: &["length (read/write)"],
    summary: "limits packet length",
    source: include_str!("truncate.rs"),
    check: |c| Truncate::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let t = Truncate::configure("96, EXTRA_LENGTH false").unwrap();
        assert_eq!((t.length, t.extra_length), (96, false));
        assert!(Truncate::configure("LENGTH 60").unwrap().extra_length);
    }

    #[test]
    fn bad_values() {
        let cfg = "-1, EXTRA_LENGTH perhaps";
        let errs = errors(cfg, Truncate::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "", "-1"), "{errs:?}");
        assert!(has(&errs, "", "perhaps"), "{errs:?}");
    }
}
