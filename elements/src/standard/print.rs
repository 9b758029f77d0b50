//! # Print — prints packet contents
//!
//! ```click
//! Print([LABEL, MAXLENGTH, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Prints one line per packet on the console — LABEL, the packet length and
//! its first MAXLENGTH bytes — and passes the packet on unchanged.
//!
//! ## Keywords
//! - `LABEL` *string* — text printed first; default none.
//! - `MAXLENGTH` *integer* — bytes of contents printed; default 24; a
//!   negative value prints whole packets. `LENGTH` and `NBYTES` are older
//!   names for it.
//! - `CONTENTS` — how contents are printed: `HEX` (default), `ASCII`, or
//!   `NONE`; `true`/`false` mean `HEX`/`NONE`.
//! - `TIMESTAMP` *boolean* — print the timestamp annotation; default false.
//! - `PRINTANNO` *boolean* — print the annotation area in hex; default false.
//! - `HEADROOM` *boolean* — print the headroom and tailroom; default false.
//! - `ACTIVE` *boolean* — print at all; default true.
//! - `CPU` *boolean* — print the CPU number; default false.
//!
//! ## Handlers
//! - `active` (read/write) — the ACTIVE setting.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Print(in, 64) -> Discard;
//! ```
//!
//! ## Differences from Click
//! - `CPU` is accepted everywhere (Click has it only in the kernel module);
//!   nfc is single-core, so it always prints 0.

use alloc::format;
use alloc::string::String;
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse::{self, ParseError};

use crate::{ElementSpec, Ports};

/// How Print shows packet contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Contents {
    /// No contents.
    None,
    /// Hex bytes, grouped by four.
    #[default]
    Hex,
    /// Printable ASCII, other bytes as `.`.
    Ascii,
}

/// Parses a CONTENTS value.
pub fn contents(text: &str) -> Result<Contents, ParseError> {
    if let Ok(b) = parse::boolean(text) {
        return Ok(if b { Contents::Hex } else { Contents::None });
    }
    match text.to_ascii_uppercase().as_str() {
        "NONE" => Ok(Contents::None),
        "HEX" => Ok(Contents::Hex),
        "ASCII" => Ok(Contents::Ascii),
        _ => Err(ParseError {
            message: format!("expected NONE, HEX or ASCII, found \"{text}\""),
            hint: None,
        }),
    }
}

/// Print's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Print {
    /// Label printed first (unquoted).
    pub label: String,
    /// Bytes of contents printed; `None` prints whole packets.
    pub max_length: Option<u32>,
    /// How contents are printed.
    pub contents: Contents,
    /// Print the timestamp annotation.
    pub timestamp: bool,
    /// Print the annotation area.
    pub print_anno: bool,
    /// Print headroom and tailroom.
    pub headroom: bool,
    /// Print at all.
    pub active: bool,
    /// Print the CPU number.
    pub cpu: bool,
}

impl Print {
    /// Parses Print's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let label = args.read_p("LABEL", parse::string).unwrap_or_default();
        let mut max_length = args.read_p("MAXLENGTH", parse::integer::<i64>);
        if let Some(v) = args.read("LENGTH", parse::integer::<i64>) {
            max_length = Some(v);
        }
        if let Some(v) = args.read("NBYTES", parse::integer::<i64>) {
            max_length = Some(v);
        }
        let contents = args.read("CONTENTS", contents).unwrap_or_default();
        let timestamp = args.read("TIMESTAMP", parse::boolean).unwrap_or(false);
        let print_anno = args.read("PRINTANNO", parse::boolean).unwrap_or(false);
        let active = args.read("ACTIVE", parse::boolean).unwrap_or(true);
        let headroom = args.read("HEADROOM", parse::boolean).unwrap_or(false);
        let cpu = args.read("CPU", parse::boolean).unwrap_or(false);
        args.complete()?;
        let max_length = max_length.unwrap_or(24);
        Ok(Print {
            label,
            // Negative means "everything"; lengths past u32 are everything too.
            max_length: u32::try_from(max_length).ok().or(if max_length < 0 {
                None
            } else {
                Some(u32::MAX)
            }),
            contents,
            timestamp,
            print_anno,
            headroom,
            active,
            cpu,
        })
    }
}

/// Print's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Print",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "LABEL",
        "MAXLENGTH",
        "CONTENTS",
        "TIMESTAMP",
        "PRINTANNO",
        "HEADROOM",
        "ACTIVE",
        "CPU",
        "LENGTH",
        "NBYTES",
    ],
    handlers: &["active (read/write)"],
    summary: "prints packet contents",
    source: include_str!("print.rs"),
    check: |c| Print::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let p = Print::configure("").unwrap();
        assert_eq!(
            (p.label.as_str(), p.max_length, p.contents),
            ("", Some(24), Contents::Hex)
        );
        let p = Print::configure("\"in, eth0\", -1, CONTENTS ascii, TIMESTAMP true").unwrap();
        assert_eq!(p.label, "in, eth0");
        assert_eq!(p.max_length, None);
        assert_eq!(p.contents, Contents::Ascii);
        assert!(p.timestamp);
        assert_eq!(Print::configure("x, NBYTES 8").unwrap().max_length, Some(8));
        assert_eq!(
            Print::configure("CONTENTS false").unwrap().contents,
            Contents::None
        );
    }

    #[test]
    fn bad_values() {
        let cfg = "in, lots, CONTENTS BINARY, ACTIVE 7";
        let errs = errors(cfg, Print::configure(cfg));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(has(&errs, "", "lots"), "{errs:?}");
        assert!(has(&errs, "NONE, HEX or ASCII", "BINARY"), "{errs:?}");
        assert!(has(&errs, "", "7"), "{errs:?}");
    }
}
