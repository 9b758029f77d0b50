//! # MarkIPHeader — sets IP header annotation
//!
//! ```click
//! MarkIPHeader([OFFSET])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Marks each packet as having an IP header starting OFFSET bytes into the
//! packet, without checking it, and sets the transport header annotation just
//! after it (using the header length field).
//!
//! ## Keywords
//! - `OFFSET` *N* — byte offset of the IP header. Default 0.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> MarkIPHeader(14) -> IPClassifier(...)
//! ```
//!
//! ## Differences from Click
//! None.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// MarkIPHeader's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkIPHeader {
    /// Byte offset of the IP header.
    pub offset: u32,
}

impl MarkIPHeader {
    /// Parses `MarkIPHeader([OFFSET])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let offset = args.read_p("OFFSET", parse::unsigned::<u32>).unwrap_or(0);
        args.complete()?;
        Ok(MarkIPHeader { offset })
    }
}

/// MarkIPHeader's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "MarkIPHeader",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["OFFSET"],
    handlers: &[],
    summary: "sets IP header annotation",
    source: include_str!("mark_ip_header.rs"),
    check: |c| MarkIPHeader::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert_eq!(MarkIPHeader::configure("").unwrap().offset, 0);
        assert_eq!(MarkIPHeader::configure("14").unwrap().offset, 14);
        assert_eq!(MarkIPHeader::configure("OFFSET 2").unwrap().offset, 2);
        let cfg = "x, 3";
        let e = MarkIPHeader::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "x");
        assert_eq!(e[1].message, "too many arguments");
    }
}
