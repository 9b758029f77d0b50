//! # IPPrint — pretty-prints IP packets
//!
//! ```click
//! IPPrint([LABEL, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Prints a one-line tcpdump-like summary of each IP packet (addresses,
//! ports, TCP flags, ICMP type), prefixed by LABEL, then passes the packet on
//! unchanged. The IP header annotation must be set.
//!
//! ## Keywords
//! - `LABEL` *TEXT* — prefix of each line.
//! - `CONTENTS` *false|true|hex|ascii* — also dump the packet bytes. Default
//!   false.
//! - `PAYLOAD` *false|true|hex|ascii* — also dump the payload. Default false.
//! - `MAXLENGTH` *N* — bytes dumped at most. Default 1500 (`NBYTES` is an old
//!   name).
//! - `ID`, `TTL`, `TOS`, `LENGTH`, `PAINT`, `AGGREGATE` *BOOL* — print those
//!   fields. Default false.
//! - `TIMESTAMP` *BOOL* — print the timestamp. Default true.
//! - `SWAP` *BOOL* — print ICMP id and sequence byte-swapped. Default true.
//! - `ACTIVE` *BOOL* — print at all. Default true.
//! - `OUTFILE` *FILE* — print to a file instead of the console.
//! - `CHANNEL` *NAME* — print to this error channel.
//!
//! ## Handlers
//! - `active` (read/write) — the ACTIVE setting.
//!
//! ## Examples
//! ```click
//! ... -> IPPrint(in, TTL true) -> ...
//! ```
//!
//! ## Differences from Click
//! - OUTFILE and CHANNEL are accepted; where output goes is decided by the
//!   platform.

use alloc::string::String;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse::{self, ParseError};

use crate::{ElementSpec, Ports};

/// How packet bytes are dumped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dump {
    /// Not at all.
    No,
    /// In hex.
    Hex,
    /// As ASCII, with escapes.
    Ascii,
}

fn dump(s: &str) -> Result<Dump, ParseError> {
    match s {
        "hex" => Ok(Dump::Hex),
        "ascii" => Ok(Dump::Ascii),
        _ => match parse::boolean(s) {
            Ok(true) => Ok(Dump::Hex),
            Ok(false) => Ok(Dump::No),
            Err(_) => Err(ParseError::expected("false, true, hex or ascii", s)),
        },
    }
}

/// IPPrint's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)]
pub struct IPPrint {
    /// Line prefix.
    pub label: String,
    /// Packet-contents dump.
    pub contents: Dump,
    /// Payload dump.
    pub payload: Dump,
    /// Bytes dumped at most.
    pub max_length: u32,
    /// Print the IP ID.
    pub id: bool,
    /// Print the timestamp.
    pub timestamp: bool,
    /// Print the paint annotation.
    pub paint: bool,
    /// Print the TOS.
    pub tos: bool,
    /// Print the TTL.
    pub ttl: bool,
    /// Byte-swap ICMP id and sequence.
    pub swap: bool,
    /// Print the IP length.
    pub length: bool,
    /// Print the aggregate annotation.
    pub aggregate: bool,
    /// Print at all.
    pub active: bool,
    /// Output file, if any.
    pub outfile: Option<String>,
    /// Error channel, if any.
    pub channel: Option<String>,
}

impl IPPrint {
    /// Parses IPPrint's configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let label = args.read_p("LABEL", parse::string).unwrap_or_default();
        let contents = args.read("CONTENTS", dump).unwrap_or(Dump::No);
        let payload = args.read("PAYLOAD", dump).unwrap_or(Dump::No);
        let nbytes = args.read("NBYTES", parse::unsigned::<u32>);
        let max_length = args
            .read("MAXLENGTH", parse::unsigned::<u32>)
            .or(nbytes)
            .unwrap_or(1500);
        let mut flag = |k: &'static str, d: bool| args.read(k, parse::boolean).unwrap_or(d);
        let (id, timestamp, paint, tos, ttl) = (
            flag("ID", false),
            flag("TIMESTAMP", true),
            flag("PAINT", false),
            flag("TOS", false),
            flag("TTL", false),
        );
        let (swap, length, aggregate, active) = (
            flag("SWAP", true),
            flag("LENGTH", false),
            flag("AGGREGATE", false),
            flag("ACTIVE", true),
        );
        let outfile = args.read("OUTFILE", parse::string);
        let channel = args.read("CHANNEL", parse::word);
        args.complete()?;
        Ok(IPPrint {
            label,
            contents,
            payload,
            max_length,
            id,
            timestamp,
            paint,
            tos,
            ttl,
            swap,
            length,
            aggregate,
            active,
            outfile,
            channel,
        })
    }
}

/// IPPrint's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPPrint",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "LABEL",
        "CONTENTS",
        "PAYLOAD",
        "MAXLENGTH",
        "NBYTES",
        "ID",
        "TIMESTAMP",
        "PAINT",
        "TOS",
        "TTL",
        "SWAP",
        "LENGTH",
        "AGGREGATE",
        "ACTIVE",
        "OUTFILE",
        "CHANNEL",
    ],
    handlers: &["active (read/write)"],
    summary: "pretty-prints IP packets",
    source: include_str!("ip_print.rs"),
    check: |c| IPPrint::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = IPPrint::configure("").unwrap();
        assert_eq!(
            (c.label.as_str(), c.contents, c.timestamp, c.max_length),
            ("", Dump::No, true, 1500)
        );
        let c = IPPrint::configure("in, CONTENTS ascii, TTL true, NBYTES 64").unwrap();
        assert_eq!(
            (c.label.as_str(), c.contents, c.ttl, c.max_length),
            ("in", Dump::Ascii, true, 64)
        );
        let cfg = "x, CONTENTS octal, TTL 2";
        let e = IPPrint::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "octal");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "2");
    }
}
