//! # RatedSource — generates packets at specified rate
//!
//! ```click
//! RatedSource([DATA, RATE, LIMIT, ACTIVE, KEYWORDS])
//! ```
//!
//! Ports: no inputs, 1 output (`0/1`). Processing: agnostic (`a/a`).
//!
//! Emits packets holding DATA at RATE packets per second (or at BANDWIDTH
//! bytes per second), stopping after LIMIT packets when LIMIT is not
//! negative.
//!
//! ## Keywords
//! - `DATA` *data* — packet contents; default: 64 bytes of filler.
//! - `RATE` *unsigned* — packets per second; default 10.
//! - `LIMIT` *integer* — packets to send; default -1 (no limit).
//! - `ACTIVE` *boolean* — whether packets are sent; default true.
//! - `BANDWIDTH` *bandwidth* — a byte rate (`10Mbps`) instead of RATE.
//! - `DATASIZE` *integer* — pad or cut DATA to this many bytes; default -1.
//! - `STOP` *boolean* — stop the router after LIMIT packets; default false.
//! - `END_CALL` *handler [value]* — write handler called after LIMIT packets.
//!
//! ## Handlers
//! - `count` (read) — packets sent.
//! - `reset` (write) — zero `count` and start sending again.
//! - `data`, `datasize`, `rate`, `limit`, `active` (read/write) — the settings.
//!
//! ## Examples
//! ```click
//! RatedSource(\<0800>, 1000, 5000) -> Queue -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - giving both RATE and BANDWIDTH is an error (Click lets BANDWIDTH win).

use alloc::string::String;
use alloc::vec::Vec;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse;

use super::infinite_source::limit_and_size;
use crate::{ElementSpec, Ports};

/// How fast RatedSource sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// Packets per second.
    Packets(u32),
    /// Bytes per second.
    Bandwidth(u64),
}

/// RatedSource's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedSource {
    /// Packet contents; `None` means the default filler.
    pub data: Option<Vec<u8>>,
    /// The sending rate.
    pub rate: Rate,
    /// Packets to send; `None` means no limit.
    pub limit: Option<u64>,
    /// Whether packets are sent.
    pub active: bool,
    /// Length packets are padded or cut to; `None` keeps DATA's length.
    pub datasize: Option<u32>,
    /// Stop the router after LIMIT packets.
    pub stop: bool,
    /// Write handler (and value) called after LIMIT packets.
    pub end_call: Option<String>,
}

impl RatedSource {
    /// Parses RatedSource's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let data = args.read_p("DATA", parse::data);
        let rate = args.read_p("RATE", parse::unsigned::<u32>);
        let limit = args.read_p("LIMIT", parse::integer::<i64>).unwrap_or(-1);
        let active = args.read_p("ACTIVE", parse::boolean).unwrap_or(true);
        let bandwidth = args.read("BANDWIDTH", parse::bandwidth);
        let datasize = args.read("DATASIZE", parse::integer::<i64>).unwrap_or(-1);
        let stop = args.read("STOP", parse::boolean).unwrap_or(false);
        let end_call = args.read("END_CALL", parse::any);
        let rate = match (rate, bandwidth) {
            (Some(_), Some(b)) => {
                let span = args.span_of("BANDWIDTH");
                args.error(ConfigError::new(span, "give RATE or BANDWIDTH, not both"));
                Rate::Bandwidth(b)
            }
            (None, Some(b)) => Rate::Bandwidth(b),
            (Some(r), None) => Rate::Packets(r),
            (None, None) => Rate::Packets(10),
        };
        args.complete()?;
        let (limit, datasize) = limit_and_size(limit, datasize);
        Ok(RatedSource {
            data,
            rate,
            limit,
            active,
            datasize,
            stop,
            end_call,
        })
    }
}

/// RatedSource's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "RatedSource",
    port_count: "0/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "DATA",
        "RATE",
        "LIMIT",
        "ACTIVE",
        "BANDWIDTH",
        "DATASIZE",
        "STOP",
        "END_CALL",
    ],
    handlers: &[
        "count (read)",
        "reset (write)",
        "data (read/write)",
        "datasize (read/write)",
        "rate (read/write)",
        "limit (read/write)",
        "active (read/write)",
    ],
    summary: "generates packets at specified rate",
    source: include_str!("rated_source.rs"),
    check: |c| RatedSource::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let s = RatedSource::configure("").unwrap();
        assert_eq!((s.rate, s.limit), (Rate::Packets(10), None));
        let s = RatedSource::configure("\\<0800>, 1000, 5000").unwrap();
        assert_eq!((s.rate, s.limit), (Rate::Packets(1000), Some(5000)));
        let s = RatedSource::configure("BANDWIDTH 8kbps").unwrap();
        assert_eq!(s.rate, Rate::Bandwidth(1000));
    }

    #[test]
    fn bad_values() {
        let cfg = "RATE 10, BANDWIDTH 1Mbps, ACTIVE x";
        let errs = errors(cfg, RatedSource::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "not both", "1Mbps"), "{errs:?}");
        assert!(has(&errs, "", "x"), "{errs:?}");
    }
}
