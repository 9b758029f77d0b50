//! # Counter — measures packet count and rate
//!
//! ```click
//! Counter([KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Passes every packet through unchanged and keeps statistics on the way:
//! how many packets and bytes went by since the last reset, and a recent
//! arrival rate (an exponentially weighted moving average, in packets and in
//! bytes per second). It can call a write handler once a count reaches a
//! threshold, which is how a test stops a router after N packets.
//!
//! ## Keywords
//! - `COUNT_CALL` *N HANDLER [VALUE]* — once the packet count reaches *N*,
//!   call write handler *HANDLER* (`element.handler`) with *VALUE*.
//! - `BYTE_COUNT_CALL` *N HANDLER [VALUE]* — the same when the byte count
//!   reaches or passes *N*.
//!
//! ## Handlers
//! - `count` (read) — packets seen since the last reset.
//! - `byte_count` (read) — bytes seen since the last reset.
//! - `rate` (read) — recent packet rate, packets per second.
//! - `bit_rate` (read), `byte_rate` (read) — recent rate in bits / bytes per second.
//! - `reset_counts` (write), `reset` (write) — zero the counts and rates.
//! - `count_call` (write), `byte_count_call` (write) — replace the
//!   `COUNT_CALL` / `BYTE_COUNT_CALL` setting.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> c :: Counter(COUNT_CALL 1000 stop.run) -> Discard;
//! ```
//!
//! ## Differences from Click
//! - none in the configuration; Click's `llrpc` calls do not exist in nfc.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse::{self, ParseError};

use super::words;
use crate::{ElementSpec, Ports};

/// A write-handler call made when a counter reaches a threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountCall {
    /// The count (packets or bytes) that triggers the call.
    pub threshold: u64,
    /// The write handler to call, `element.handler` or a global handler.
    pub handler: String,
    /// The value written to the handler, if any (kept as written).
    pub value: Option<String>,
}

/// Parses `N HANDLER [VALUE]`.
pub fn count_call(text: &str) -> Result<CountCall, ParseError> {
    let w = words(text);
    let Some(&(_, n)) = w.first() else {
        return Err(ParseError {
            message: "expected `N HANDLER [VALUE]`, found nothing".to_string(),
            hint: Some("for example `COUNT_CALL 1000 stop.run`".to_string()),
        });
    };
    let threshold = parse::unsigned::<u64>(n)?;
    let Some(&(hpos, handler)) = w.get(1) else {
        return Err(ParseError {
            message: alloc::format!("expected a handler name after \"{n}\""),
            hint: Some("for example `COUNT_CALL 1000 stop.run`".to_string()),
        });
    };
    let value = text
        .get(hpos + handler.len()..)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(ToString::to_string);
    Ok(CountCall {
        threshold,
        handler: handler.to_string(),
        value,
    })
}

/// Counter's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counter {
    /// Handler called when the packet count reaches a threshold.
    pub count_call: Option<CountCall>,
    /// Handler called when the byte count reaches a threshold.
    pub byte_count_call: Option<CountCall>,
}

impl Counter {
    /// Parses Counter's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let count_call = args.read("COUNT_CALL", count_call);
        let byte_count_call = args.read("BYTE_COUNT_CALL", self::count_call);
        args.complete()?;
        Ok(Counter {
            count_call,
            byte_count_call,
        })
    }
}

/// Counter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Counter",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["COUNT_CALL", "BYTE_COUNT_CALL"],
    handlers: &[
        "count (read)",
        "byte_count (read)",
        "rate (read)",
        "bit_rate (read)",
        "byte_rate (read)",
        "reset_counts (write)",
        "reset (write)",
        "count_call (write)",
        "byte_count_call (write)",
    ],
    summary: "measures packet count and rate",
    source: include_str!("counter.rs"),
    check: |c| Counter::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn empty_config() {
        assert_eq!(Counter::configure("").unwrap(), Counter::default());
    }

    #[test]
    fn count_calls() {
        let c = Counter::configure("COUNT_CALL 10 stop.run, BYTE_COUNT_CALL 0x100 s.write 1 2")
            .unwrap();
        assert_eq!(
            c.count_call,
            Some(CountCall {
                threshold: 10,
                handler: "stop.run".into(),
                value: None
            })
        );
        let b = c.byte_count_call.unwrap();
        assert_eq!(b.threshold, 256);
        assert_eq!(b.handler, "s.write");
        assert_eq!(b.value.as_deref(), Some("1 2"));
    }

    #[test]
    fn bad_arguments_are_all_reported() {
        let cfg = "COUNT_CALL ten x.y, BYTE_COUNT_CALL 5, 12";
        let errs = errors(cfg, Counter::configure(cfg));
        assert!(has(&errs, "ten", "ten x.y"), "{errs:?}");
        assert!(has(&errs, "handler name", "5"), "{errs:?}");
        assert!(errs.len() >= 3, "{errs:?}");
    }

    #[test]
    fn unknown_keyword() {
        let cfg = "COUNT_CAL 1 a.b";
        let errs = errors(cfg, Counter::configure(cfg));
        assert_eq!(errs.len(), 1, "{errs:?}");
    }
}
