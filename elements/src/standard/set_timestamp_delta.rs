//! # SetTimestampDelta — replaces the timestamp annotation with a difference
//!
//! ```click
//! SetTimestampDelta([TYPE])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Replaces each packet's timestamp annotation with a time difference. With
//! TYPE RANGE (the default) the difference is from the first timestamp the
//! element saw; with TYPE NOW it is from the packet's timestamp to the
//! current time; with TYPE FIRST it is from the packet's first-timestamp
//! annotation (see SetTimestamp's FIRST) to its timestamp. Packets with no
//! timestamp (zero) are left alone.
//!
//! ## Keywords
//! - `TYPE` *word* — `RANGE`, `NOW` or `FIRST`; default `RANGE`.
//!
//! ## Handlers
//! - `first` (read) — the first timestamp seen (RANGE), as seconds.
//! - `reset` (write) — forget the first timestamp.
//!
//! ## Examples
//! ```click
//! FromDump(trace.pcap) -> SetTimestampDelta -> ToIPSummaryDump(-, FIELDS timestamp ip_src);
//! ```
//!
//! ## Differences from Click
//! - A difference below zero (a packet older than the first one, a
//!   timestamp in the future) is zero: nfc's timestamps are unsigned.

use alloc::string::String;
use core::time::Duration;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::set_timestamp::first_timestamp;
use super::timed_source::seconds;
use crate::{ElementSpec, Ports};

/// What the difference is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delta {
    /// The first timestamp the element saw.
    Range,
    /// The packet's timestamp, up to now.
    Now,
    /// The packet's first-timestamp annotation.
    First,
}

/// SetTimestampDelta's configuration and the first timestamp seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetTimestampDelta {
    /// TYPE.
    pub kind: Delta,
    /// The first timestamp seen (RANGE), nanoseconds; 0 before any.
    first: u64,
}

impl SetTimestampDelta {
    /// Parses SetTimestampDelta's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let kind = args.read("TYPE", parse::word);
        let kind = match kind.as_deref() {
            None | Some("RANGE") => Delta::Range,
            Some("NOW") => Delta::Now,
            Some("FIRST") => Delta::First,
            Some(_) => {
                let span = args.span_of("TYPE");
                args.error(
                    ConfigError::new(span, "bad TYPE").with_hint("TYPE is RANGE, NOW or FIRST"),
                );
                Delta::Range
            }
        };
        args.complete()?;
        Ok(SetTimestampDelta { kind, first: 0 })
    }
}

impl Element for SetTimestampDelta {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let ts = p.timestamp();
        if ts != 0 {
            let delta = match self.kind {
                Delta::Range => {
                    if self.first == 0 {
                        self.first = ts;
                    }
                    ts.saturating_sub(self.first)
                }
                Delta::Now => cx.wall.saturating_sub(ts),
                Delta::First => ts.saturating_sub(first_timestamp(p)),
            };
            p.set_timestamp(delta);
        }
        Out::Port(0)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "first" => Ok(seconds(Duration::from_nanos(self.first))),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, _value: &str) -> Result<(), HandlerError> {
        match name {
            "reset" => {
                self.first = 0;
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// SetTimestampDelta's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "SetTimestampDelta",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["TYPE"],
    handlers: &["first (read)", "reset (write)"],
    summary: "replaces the timestamp annotation with a difference",
    source: include_str!("set_timestamp_delta.rs"),
    check: |c| SetTimestampDelta::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path};
    use crate::standard::set_timestamp::set_first_timestamp;
    use crate::standard::testing::errors;

    fn stamped(cx: &Context, ts: u64) -> Packet {
        let mut p = cx.pool.alloc_with(&[0]).unwrap();
        p.set_timestamp(ts);
        p
    }

    #[test]
    fn range_is_from_the_first_timestamp() {
        let mut d = SetTimestampDelta::configure("").unwrap();
        let cx = harness::cx(harness::pool());
        let out: alloc::vec::Vec<u64> = [0, 5_000, 6_600, 4_000, 9_000]
            .iter()
            .map(|&t| {
                let mut p = stamped(&cx, t);
                d.process(&cx, 0, &mut p);
                p.timestamp()
            })
            .collect();
        assert_eq!(
            out,
            [0, 0, 1_600, 0, 4_000],
            "unset stays unset; older is 0"
        );
        assert_eq!(d.read_handler("first"), Ok("0.000005".into()));
        d.write_handler("reset", "").unwrap();
        let mut p = stamped(&cx, 9_000);
        d.process(&cx, 0, &mut p);
        assert_eq!(p.timestamp(), 0);
    }

    #[test]
    fn now_and_first() {
        let cx = Context::at(harness::pool(), 10_000);
        let mut now = SetTimestampDelta::configure("TYPE NOW").unwrap();
        let mut p = stamped(&cx, 7_000);
        now.process(&cx, 0, &mut p);
        assert_eq!(p.timestamp(), 3_000);
        let mut first = SetTimestampDelta::configure("TYPE FIRST").unwrap();
        let mut p = stamped(&cx, 7_000);
        set_first_timestamp(&mut p, 2_000);
        first.process(&cx, 0, &mut p);
        assert_eq!(p.timestamp(), 5_000);
    }

    #[test]
    fn bad_type_and_batch_path() {
        let cfg = "TYPE LATER";
        let errs = errors(cfg, SetTimestampDelta::configure(cfg));
        assert!(errs[0].0.contains("TYPE"), "{errs:?}");
        check_batch_path(
            &SetTimestampDelta::configure("").unwrap(),
            0,
            1,
            |i, pool| {
                let mut p = pool.alloc_with(&[0]).unwrap();
                p.set_timestamp((i as u64 % 3) * 1_000);
                p
            },
        );
    }
}
