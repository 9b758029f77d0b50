//! # ToDump — writes packets to a pcap file
//!
//! ```click
//! ToDump(FILENAME [, SNAPLEN, ENCAP, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 0 or 1 outputs (`1/0-1`). Processing: agnostic (`a/a`).
//!
//! Appends every packet to FILENAME in pcap format (`tcpdump -r` and
//! FromDump read it), keeping at most SNAPLEN bytes of each packet and
//! recording its full length. ENCAP is the link type written in the file
//! header and must match the packets: `ETHER` for frames with an Ethernet
//! header, `IP` for bare IP packets. When the element has an output, every
//! packet continues out of it after being written; with no output in pull
//! context it pulls packets itself. A packet without a timestamp
//! annotation is written with the current time. `-` as FILENAME writes to
//! standard output. The file is flushed when the configuration stops.
//!
//! ## Keywords
//! - `FILENAME` *string* — the file; mandatory.
//! - `SNAPLEN` *unsigned* — bytes kept per packet; default 2000 (0 = all).
//! - `ENCAP` — `ETHER` (default) or `IP`.
//! - `USE_ENCAP_FROM` *element names* — take ENCAP from these elements'
//!   `encap` handlers (FromDump, FromDevice) when the configuration
//!   starts; they must agree; not with ENCAP.
//! - `EXTRA_LENGTH` *boolean* — add packets' extra-length annotations to
//!   the recorded length; default true.
//! - `UNBUFFERED` *boolean* — flush after every packet; default false.
//! - `NANO` *boolean* — write nanosecond timestamps; default false.
//!
//! ## Handlers
//! - `count` (read) — packets written.
//! - `filename` (read) — the file name.
//! - `reset_counts` (write) — zero `count`.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> ToDump(trace.pcap, SNAPLEN 96, NANO true);
//! ```
//!
//! ## Differences from Click
//! - linux platform only; ENCAP accepts only ETHER and IP (no FDDI, 802.11 …).
//! - `UNBUFFERED` flushes after every batch of packets.

use alloc::string::String;
use alloc::vec::Vec;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse;

use super::{encap, Encap};
use crate::{ElementSpec, Ports};

/// How ToDump finds its encapsulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncapSource {
    /// Given directly.
    Fixed(Encap),
    /// Taken from these elements' `encap` handlers at start-up.
    From(Vec<String>),
}

/// ToDump's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToDump {
    /// The output file (`-` for standard output).
    pub filename: String,
    /// Bytes kept per packet; 0 keeps whole packets.
    pub snaplen: u32,
    /// The link type written.
    pub encap: EncapSource,
    /// Add extra-length annotations to recorded lengths.
    pub extra_length: bool,
    /// Flush after every packet.
    pub unbuffered: bool,
    /// Write nanosecond timestamps.
    pub nano: bool,
}

impl ToDump {
    /// Parses ToDump's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let filename = args.read_mp("FILENAME", parse::string);
        let snaplen = args
            .read_p("SNAPLEN", parse::unsigned::<u32>)
            .unwrap_or(2000);
        let fixed = args.read_p("ENCAP", encap);
        let from = args.read("USE_ENCAP_FROM", |s: &str| {
            let names: Vec<String> = s.split_whitespace().map(String::from).collect();
            if names.is_empty() {
                Err(parse::ParseError::expected("element names", s))
            } else {
                Ok(names)
            }
        });
        let extra_length = args.read("EXTRA_LENGTH", parse::boolean).unwrap_or(true);
        let unbuffered = args.read("UNBUFFERED", parse::boolean).unwrap_or(false);
        let nano = args.read("NANO", parse::boolean).unwrap_or(false);
        if filename.as_deref() == Some("") {
            let span = args.span_of("FILENAME");
            args.error(ConfigError::new(span, "FILENAME is empty"));
        }
        let encap = match (fixed, from) {
            (Some(e), Some(_)) => {
                let span = args.span_of("USE_ENCAP_FROM");
                args.error(ConfigError::new(
                    span,
                    "give ENCAP or USE_ENCAP_FROM, not both",
                ));
                EncapSource::Fixed(e)
            }
            (Some(e), None) => EncapSource::Fixed(e),
            (None, Some(names)) => EncapSource::From(names),
            (None, None) => EncapSource::Fixed(Encap::Ether),
        };
        args.complete()?;
        Ok(ToDump {
            filename: filename.unwrap_or_default(),
            snaplen,
            encap,
            extra_length,
            unbuffered,
            nano,
        })
    }
}

/// ToDump's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ToDump",
    port_count: "1/0-1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "FILENAME",
        "SNAPLEN",
        "ENCAP",
        "USE_ENCAP_FROM",
        "EXTRA_LENGTH",
        "UNBUFFERED",
        "NANO",
    ],
    handlers: &["count (read)", "filename (read)", "reset_counts (write)"],
    summary: "writes packets to a pcap file",
    source: include_str!("to_dump.rs"),
    check: |c| ToDump::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let d = ToDump::configure("out.pcap").unwrap();
        assert_eq!(d.filename, "out.pcap");
        assert_eq!(
            (d.snaplen, d.encap.clone(), d.nano),
            (2000, EncapSource::Fixed(Encap::Ether), false)
        );
        let d = ToDump::configure("out.pcap, 96, IP, NANO true").unwrap();
        assert_eq!(
            (d.snaplen, d.encap, d.nano),
            (96, EncapSource::Fixed(Encap::Ip), true)
        );
        let d = ToDump::configure("-, USE_ENCAP_FROM src1 src2").unwrap();
        assert_eq!(
            d.encap,
            EncapSource::From(alloc::vec!["src1".into(), "src2".into()])
        );
    }

    #[test]
    fn bad_values() {
        let cfg = "out.pcap, ENCAP FDDI, SNAPLEN -1, NANO sometimes";
        let errs = errors(cfg, ToDump::configure(cfg));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(has(&errs, "not supported", "FDDI"), "{errs:?}");
        assert!(has(&errs, "", "-1"), "{errs:?}");
        assert!(has(&errs, "", "sometimes"), "{errs:?}");
        let cfg = "o.pcap, ENCAP ETHER, USE_ENCAP_FROM a";
        let errs = errors(cfg, ToDump::configure(cfg));
        assert!(has(&errs, "not both", "a"), "{errs:?}");
    }
}
