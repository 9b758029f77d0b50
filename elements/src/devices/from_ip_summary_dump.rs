//! # FromIPSummaryDump — reads packets from an IP summary dump file
//!
//! ```click
//! FromIPSummaryDump(FILENAME [, KEYWORDS])
//! ```
//!
//! Ports: no inputs, 1 output (`0/1`). Processing: agnostic (`a/a`).
//!
//! Reads the lines of an IP summary dump (ToIPSummaryDump's text format,
//! see [`super::ip_summary_dump`]) and emits a packet for each, built from
//! the fields the `!data` line names: its timestamp and paint annotations,
//! an IPv4 header (TTL 100, protocol from `!proto` or PROTO) as soon as a
//! network field is given, a TCP, UDP or ICMP header as soon as a
//! transport field is, the payload given, and the IP length from `ip_len`;
//! the bytes an `ip_len` describes beyond those present become the extra
//! length annotation. The destination-address annotation is set from the
//! IP header. `-` as FILENAME reads standard input. A line whose fields do
//! not parse is dropped and counted (`bad_lines`), with a warning the
//! first time. When output 0 is pushed, each run of its task emits one
//! packet, as Click's does (so packets keep their order through a split
//! and a merge); when it is pulled, each pull reads packets from the file.
//! With STOP, the end of the file stops the configuration.
//!
//! ## Keywords
//! - `FILENAME` *string* — the dump; `-` for standard input. FILENAME or
//!   DATA is mandatory.
//! - `DATA` *string* — the dump's text itself, instead of a file.
//! - `STOP` *boolean* — stop the configuration at the end; default false.
//! - `ACTIVE` *boolean* — emit packets; default true.
//! - `TIMING` *boolean* — emit packets at the pace of their timestamps;
//!   default false.
//! - `CHECKSUM` *boolean* — fill packets to their IP length and set the IP,
//!   TCP, UDP and ICMP checksums; default false.
//! - `PROTO` *byte* — protocol of packets whose line gives none; default 6
//!   (TCP).
//! - `FIELDS` *words* — the fields of lines before any `!data` line
//!   (`CONTENTS`, `DEFAULT_FIELDS`, `DEFAULT_CONTENTS` are other names).
//! - `FLOWID` `SRC SPORT DST DPORT [PROTO]` — as a `!flowid` line
//!   (`DEFAULT_FLOWID` is another name).
//! - `ZERO` *boolean* — accepted; packets are always zero-filled.
//! - `ALLOW_NONEXISTENT` *boolean* — a missing file emits nothing instead
//!   of failing; default false.
//!
//! ## Handlers
//! - `active` (read/write) — the ACTIVE setting.
//! - `encap` (read) — `IP`.
//! - `filename` (read) — the file name.
//! - `count` (read) — packets emitted.
//! - `bad_lines` (read) — lines dropped because no field parsed.
//! - `stop` (write) — stop emitting and stop the configuration.
//!
//! ## Examples
//! ```click
//! FromIPSummaryDump(trace.txt, STOP true) -> IPPrint -> Discard;
//! ```
//!
//! ## Differences from Click
//! - linux platform only; compressed dumps, `!binary` dumps, `!aggregate`,
//!   SAMPLE and MULTIPACKET are not supported, nor the link-level fields
//!   (`eth_src`, `eth_dst`), `count`, `aggregate` and ICMP names.
//! - `ip_opt`, `tcp_opt`, `tcp_ntopt` and `tcp_sack` are read only when
//!   they say "no options" (`.`); other values leave the field unset.
//! - A payload after TCP or IP header padding (an `ip_len` larger than
//!   headers and payload) lands after the padding; Click writes it over the
//!   padding.
//! - `count` and `bad_lines` are nfc's handlers.

use alloc::string::String;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse;

use super::ip_summary_dump::{parse_fields, Reader};
use crate::{ElementSpec, Ports};

/// FromIPSummaryDump's configuration.
#[derive(Debug, Clone)]
pub struct FromIPSummaryDump {
    /// The dump file (`-`: standard input); empty with DATA.
    pub filename: String,
    /// The dump's text, given in the configuration.
    pub data: Option<String>,
    /// Stop the configuration at the end.
    pub stop: bool,
    /// Emit packets.
    pub active: bool,
    /// Keep the dump's timing.
    pub timing: bool,
    /// A missing file is not an error.
    pub allow_nonexistent: bool,
    /// The reader, with FIELDS, FLOWID, PROTO and CHECKSUM applied.
    pub reader: Reader,
}

impl FromIPSummaryDump {
    /// Parses FromIPSummaryDump's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let filename = args.read_p("FILENAME", parse::string);
        let stop = args.read("STOP", parse::boolean).unwrap_or(false);
        let active = args.read("ACTIVE", parse::boolean).unwrap_or(true);
        let _zero = args.read("ZERO", parse::boolean);
        let timing = args.read("TIMING", parse::boolean).unwrap_or(false);
        let checksum = args.read("CHECKSUM", parse::boolean).unwrap_or(false);
        let proto = args.read("PROTO", parse::unsigned::<u8>).unwrap_or(6);
        let mut fields = None;
        for kw in ["DEFAULT_CONTENTS", "DEFAULT_FIELDS", "CONTENTS", "FIELDS"] {
            if let Some(f) = args.read(kw, parse::any) {
                fields = Some((kw, f));
            }
        }
        let mut flowid = None;
        for kw in ["DEFAULT_FLOWID", "FLOWID"] {
            if let Some(f) = args.read(kw, parse::any) {
                flowid = Some((kw, f));
            }
        }
        let allow_nonexistent = args
            .read("ALLOW_NONEXISTENT", parse::boolean)
            .unwrap_or(false);
        let data = args.read("DATA", parse::string);
        let mut reader = Reader::new(proto, checksum);
        if let Some((kw, text)) = fields {
            for (name, f) in parse_fields(&text) {
                if f.is_none() {
                    let span = args.span_of(kw);
                    args.error(ConfigError::new(
                        span,
                        alloc::format!("{kw}: unknown content type '{name}'"),
                    ));
                }
            }
            reader.set_fields(&text);
        }
        if let Some((kw, text)) = flowid {
            let warnings = reader.bang_line(&alloc::format!("!flowid {text}"));
            if let Some(w) = warnings.first() {
                let span = args.span_of(kw);
                args.error(ConfigError::new(span, alloc::format!("{kw}: {w}")));
            }
        }
        match (&filename, &data) {
            (Some(_), Some(_)) => {
                let span = args.span_of("DATA");
                args.error(ConfigError::new(span, "FILENAME and DATA conflict"));
            }
            (None, None) => args.error(ConfigError::new(
                None,
                "FILENAME: required argument missing",
            )),
            (Some(f), None) if f.is_empty() => {
                let span = args.span_of("FILENAME");
                args.error(ConfigError::new(span, "FILENAME is empty"));
            }
            _ => {}
        }
        args.complete()?;
        Ok(FromIPSummaryDump {
            filename: filename.unwrap_or_default(),
            data,
            stop,
            active,
            timing,
            allow_nonexistent,
            reader,
        })
    }
}

/// FromIPSummaryDump's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "FromIPSummaryDump",
    port_count: "0/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "FILENAME",
        "DATA",
        "STOP",
        "ACTIVE",
        "TIMING",
        "CHECKSUM",
        "PROTO",
        "FIELDS",
        "CONTENTS",
        "DEFAULT_FIELDS",
        "DEFAULT_CONTENTS",
        "FLOWID",
        "DEFAULT_FLOWID",
        "ZERO",
        "ALLOW_NONEXISTENT",
    ],
    handlers: &[
        "active (read/write)",
        "encap (read)",
        "filename (read)",
        "count (read)",
        "bad_lines (read)",
        "stop (write)",
    ],
    summary: "reads packets from an IP summary dump file",
    source: include_str!("from_ip_summary_dump.rs"),
    check: |c| FromIPSummaryDump::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let d = FromIPSummaryDump::configure("IN, STOP true, CHECKSUM true").unwrap();
        assert_eq!(d.filename, "IN");
        assert!(d.stop && d.active && d.reader.checksum && !d.reader.has_fields());
        let d = FromIPSummaryDump::configure(
            "STOP true, DATA \"!data ip_dst\n1.0.0.1\", PROTO 17, ACTIVE false",
        )
        .unwrap();
        assert_eq!(d.filename, "");
        assert_eq!(d.data.as_deref(), Some("!data ip_dst\n1.0.0.1"));
        assert!(!d.active);
        assert_eq!(d.reader.default_proto, 17);
        let d = FromIPSummaryDump::configure("-, FIELDS src dst, FLOWID 1.0.0.1 1 - 2").unwrap();
        assert!(d.reader.has_fields());
        assert_eq!(d.reader.flowid.map(|f| (f.sport, f.dport)), Some((1, 2)));
    }

    #[test]
    fn bad_values() {
        let cfg = "IN, STOP maybe, FIELDS src bogus, FLOWID 1, PROTO 300";
        let errs = errors(cfg, FromIPSummaryDump::configure(cfg));
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(has(&errs, "", "maybe"), "{errs:?}");
        assert!(has(&errs, "bogus", "src bogus"), "{errs:?}");
        assert!(has(&errs, "flowid", "1"), "{errs:?}");
        assert!(has(&errs, "", "300"), "{errs:?}");
        let cfg = "IN, DATA x";
        let errs = errors(cfg, FromIPSummaryDump::configure(cfg));
        assert!(has(&errs, "conflict", "x"), "{errs:?}");
        assert!(FromIPSummaryDump::configure("STOP true").is_err());
    }
}
