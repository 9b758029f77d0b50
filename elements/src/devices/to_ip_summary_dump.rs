//! # ToIPSummaryDump — writes packet summaries to a text file
//!
//! ```click
//! ToIPSummaryDump(FILENAME [, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 0 or 1 outputs (`1/0-1`). Processing: agnostic input,
//! push output (`a/h`).
//!
//! Writes one line per packet to FILENAME in Click's IP summary dump
//! format (see [`super::ip_summary_dump`]), with the fields FIELDS names,
//! `-` for a field that does not apply to the packet. The file starts with
//! `!IPSummaryDump 1.3`, a `!creator` line with BANNER, and a `!data` line
//! naming the fields (HEADER false leaves them out). `-` as FILENAME
//! writes to standard output. Packets go on out of output 0 when it
//! exists; with a pulled input, the element's task pulls them. The file is
//! flushed when the configuration stops and on a write to `flush`.
//!
//! ## Keywords
//! - `FILENAME` *string* — the file; mandatory.
//! - `FIELDS` *words* — the fields; default `timestamp ip_src` (`CONTENTS`
//!   is another name).
//! - `HEADER` *boolean* — write the `!` header lines; default true.
//! - `BANNER` *string* — write `!creator "BANNER"`.
//! - `EXTRA_LENGTH` *boolean* — count extra-length annotations in
//!   `ip_len` and `payload_len`; default true.
//!
//! ## Handlers
//! - `flush` (write) — flush the file.
//! - `count` (read) — lines written.
//!
//! ## Examples
//! ```click
//! FromDump(in.pcap) -> Strip(14) -> MarkIPHeader
//!     -> ToIPSummaryDump(-, FIELDS timestamp ip_src sport ip_dst dport proto);
//! ```
//!
//! ## Differences from Click
//! - linux platform only; BINARY, MULTIPACKET, BAD_PACKETS (the `!bad`
//!   lines), VERBOSE and CAREFUL_TRUNC are not supported; nor are the
//!   fields `ip_opt`, `tcp_opt`, `tcp_ntopt`, `tcp_sack`, the link-level,
//!   `count`, `aggregate`, ICMP-name and payload MD5 fields.
//! - Click zeroes a packet's extra-length annotation when it has an IP
//!   header; nfc leaves the packet unchanged.
//! - `count` is nfc's handler.

use alloc::string::String;
use alloc::vec::Vec;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse;

use super::ip_summary_dump::{writer_fields, Field, Writer};
use crate::{ElementSpec, Ports};

/// ToIPSummaryDump's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToIPSummaryDump {
    /// The output file (`-` for standard output).
    pub filename: String,
    /// The line format.
    pub writer: Writer,
    /// Write the `!` header lines.
    pub header: bool,
    /// The `!creator` banner.
    pub banner: Option<String>,
}

impl ToIPSummaryDump {
    /// Parses ToIPSummaryDump's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let filename = args.read_mp("FILENAME", parse::string);
        let mut fields: Option<(&str, Vec<Field>)> = None;
        for kw in ["FIELDS", "CONTENTS"] {
            if let Some(f) = args.read(kw, |s: &str| {
                writer_fields(s).map_err(parse::ParseError::new)
            }) {
                fields = Some((kw, f));
            }
        }
        let header = args.read("HEADER", parse::boolean).unwrap_or(true);
        let banner = args.read("BANNER", parse::string);
        let extra_length = args.read("EXTRA_LENGTH", parse::boolean).unwrap_or(true);
        if filename.as_deref() == Some("") {
            let span = args.span_of("FILENAME");
            args.error(ConfigError::new(span, "FILENAME is empty"));
        }
        args.complete()?;
        let fields = fields.map_or_else(|| alloc::vec![Field::Timestamp, Field::IpSrc], |f| f.1);
        Ok(ToIPSummaryDump {
            filename: filename.unwrap_or_default(),
            writer: Writer {
                fields,
                extra_length,
            },
            header,
            banner,
        })
    }
}

/// ToIPSummaryDump's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ToIPSummaryDump",
    port_count: "1/0-1",
    processing: "a/h",
    flow_code: "x/x",
    keywords: &[
        "FILENAME",
        "FIELDS",
        "CONTENTS",
        "HEADER",
        "BANNER",
        "EXTRA_LENGTH",
    ],
    handlers: &["flush (write)", "count (read)"],
    summary: "writes packet summaries to a text file",
    source: include_str!("to_ip_summary_dump.rs"),
    check: |c| ToIPSummaryDump::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let d = ToIPSummaryDump::configure("OUT").unwrap();
        assert_eq!(d.filename, "OUT");
        assert_eq!(d.writer.fields, [Field::Timestamp, Field::IpSrc]);
        assert!(d.header && d.writer.extra_length && d.banner.is_none());
        let d =
            ToIPSummaryDump::configure("-, FIELDS link src \"tcp seq\", HEADER false, BANNER hi")
                .unwrap();
        assert_eq!(d.writer.fields, [Field::Link, Field::IpSrc, Field::TcpSeq]);
        assert!(!d.header);
        assert_eq!(d.banner.as_deref(), Some("hi"));
    }

    #[test]
    fn bad_values() {
        let cfg = "OUT, FIELDS src nonsense, HEADER perhaps, BINARY true";
        let errs = errors(cfg, ToIPSummaryDump::configure(cfg));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(has(&errs, "nonsense", "src nonsense"), "{errs:?}");
        assert!(has(&errs, "", "perhaps"), "{errs:?}");
        assert!(has(&errs, "BINARY", "BINARY"), "{errs:?}");
        assert!(ToIPSummaryDump::configure("").is_err());
    }
}
