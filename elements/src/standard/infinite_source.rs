//! # InfiniteSource — generates packets whenever scheduled
//!
//! ```click
//! InfiniteSource([DATA, LIMIT, BURST, ACTIVE, KEYWORDS])
//! ```
//!
//! Ports: no inputs, 1 output (`0/1`). Processing: agnostic (`a/a`).
//!
//! Emits packets holding DATA as fast as it is scheduled: BURST packets per
//! task run when pushing, one per pull when pulled. It stops after LIMIT
//! packets (never, when LIMIT is negative), and can then stop the router.
//! Handy for tests and benchmarks.
//!
//! ## Keywords
//! - `DATA` *data* — packet contents (`\<0800…>`, quoted strings); default:
//!   64 bytes of filler.
//! - `LIMIT` *integer* — packets to send; default -1 (no limit).
//! - `BURST` *integer ≥ 1* — packets per task run; default 1.
//! - `ACTIVE` *boolean* — whether packets are sent; default true.
//! - `DATASIZE` *integer* — pad or cut DATA to this many bytes; default -1
//!   (use DATA as is).
//! - `STOP` *boolean* — stop the router after LIMIT packets; default false.
//! - `END_CALL` *handler [value]* — write handler called after LIMIT packets.
//!
//! ## Handlers
//! - `count` (read) — packets sent.
//! - `reset` (write) — zero `count` and start sending again.
//! - `data`, `datasize`, `limit`, `burst`, `active` (read/write) — the settings.
//!
//! ## Examples
//! ```click
//! InfiniteSource(\<0800>, LIMIT 1000, STOP true) -> Queue -> Discard;
//! ```
//!
//! ## Differences from Click
//! - STOP and END_CALL are mutually exclusive here; Click lets END_CALL win.

use alloc::string::String;
use alloc::vec::Vec;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Reads and checks the settings InfiniteSource and RatedSource share:
/// returns `(limit, datasize)` with negative values as `None`.
pub(crate) fn limit_and_size(limit: i64, datasize: i64) -> (Option<u64>, Option<u32>) {
    (u64::try_from(limit).ok(), u32::try_from(datasize).ok())
}

/// InfiniteSource's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfiniteSource {
    /// Packet contents; `None` means the default filler.
    pub data: Option<Vec<u8>>,
    /// Packets to send; `None` means no limit.
    pub limit: Option<u64>,
    /// Packets per task run (at least 1).
    pub burst: u32,
    /// Whether packets are sent.
    pub active: bool,
    /// Length packets are padded or cut to; `None` keeps DATA's length.
    pub datasize: Option<u32>,
    /// Stop the router after LIMIT packets.
    pub stop: bool,
    /// Write handler (and value) called after LIMIT packets.
    pub end_call: Option<String>,
}

impl InfiniteSource {
    /// Parses InfiniteSource's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let data = args.read_p("DATA", parse::data);
        let limit = args.read_p("LIMIT", parse::integer::<i64>).unwrap_or(-1);
        let burst = args.read_p("BURST", parse::integer::<i64>).unwrap_or(1);
        let active = args.read_p("ACTIVE", parse::boolean).unwrap_or(true);
        let datasize = args.read("DATASIZE", parse::integer::<i64>).unwrap_or(-1);
        let stop = args.read("STOP", parse::boolean).unwrap_or(false);
        let end_call = args.read("END_CALL", parse::any);
        let burst = match u32::try_from(burst) {
            Ok(b) if b >= 1 => b,
            _ => {
                let span = args.span_of("BURST");
                args.error(ConfigError::new(span, "BURST must be at least 1"));
                1
            }
        };
        if stop && end_call.is_some() {
            let span = args.span_of("END_CALL");
            args.error(ConfigError::new(
                span,
                "STOP and END_CALL cannot both be given",
            ));
        }
        args.complete()?;
        let (limit, datasize) = limit_and_size(limit, datasize);
        Ok(InfiniteSource {
            data,
            limit,
            burst,
            active,
            datasize,
            stop,
            end_call,
        })
    }
}

/// InfiniteSource's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "InfiniteSource",
    port_count: "0/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "DATA", "LIMIT", "BURST", "ACTIVE", "DATASIZE", "STOP", "END_CALL",
    ],
    handlers: &[
        "count (read)",
        "reset (write)",
        "data (read/write)",
        "datasize (read/write)",
        "limit (read/write)",
        "burst (read/write)",
        "active (read/write)",
    ],
    summary: "generates packets whenever scheduled",
    source: include_str!("infinite_source.rs"),
    check: |c| InfiniteSource::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let s = InfiniteSource::configure("").unwrap();
        assert_eq!((s.data, s.limit, s.burst, s.active), (None, None, 1, true));
        let s = InfiniteSource::configure("\\<0800 0001>, 10, 4, false, STOP true, DATASIZE 60")
            .unwrap();
        assert_eq!(s.data.as_deref(), Some(&[8u8, 0, 0, 1][..]));
        assert_eq!(
            (s.limit, s.burst, s.active, s.stop),
            (Some(10), 4, false, true)
        );
        assert_eq!(s.datasize, Some(60));
        let s = InfiniteSource::configure("LIMIT 5, END_CALL stop.run").unwrap();
        assert_eq!(s.end_call.as_deref(), Some("stop.run"));
    }

    #[test]
    fn bad_values() {
        let cfg = "DATA \\<0g>, BURST 0, LIMIT many";
        let errs = errors(cfg, InfiniteSource::configure(cfg));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(has(&errs, "at least 1", "0"), "{errs:?}");
        assert!(has(&errs, "", "many"), "{errs:?}");
        let cfg = "STOP true, END_CALL x.y";
        let errs = errors(cfg, InfiniteSource::configure(cfg));
        assert!(has(&errs, "cannot both", "x.y"), "{errs:?}");
    }
}
