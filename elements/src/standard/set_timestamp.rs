//! # SetTimestamp — stores a time in the timestamp annotation
//!
//! ```click
//! SetTimestamp([TIMESTAMP, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Sets each packet's timestamp annotation: to TIMESTAMP when given
//! (seconds since the epoch, such as `1700000000.25`), otherwise to the
//! current time. With FIRST it sets the "first timestamp" annotation
//! instead, which flow-measuring elements use.
//!
//! ## Keywords
//! - `TIMESTAMP` *time* — a fixed timestamp; default: the current time.
//! - `FIRST` *boolean* — set the first-timestamp annotation; default false.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> SetTimestamp -> ToDump(trace.pcap);
//! ```
//!
//! ## Differences from Click
//! - "The current time" is the time the poll loop read at the start of the
//!   round, the same for every packet of a batch.
//! - The first-timestamp annotation holds nanoseconds since the epoch as
//!   eight bytes at offset 32 of the annotation area (Click's offset, but
//!   Click stores a `Timestamp` there).

use core::time::Duration;
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// SetTimestamp's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetTimestamp {
    /// A fixed timestamp (since the epoch); `None` uses the current time.
    pub timestamp: Option<Duration>,
    /// Whether the first-timestamp annotation is set instead.
    pub first: bool,
}

pub use nfc_dataplane::packet::FIRST_TIMESTAMP_ANNO;

/// The first-timestamp annotation of `p`, nanoseconds since the epoch.
pub fn first_timestamp(p: &Packet) -> u64 {
    let mut b = [0; 8];
    b.copy_from_slice(&p.anno()[FIRST_TIMESTAMP_ANNO..FIRST_TIMESTAMP_ANNO + 8]);
    u64::from_ne_bytes(b)
}

/// Sets the first-timestamp annotation of `p`.
pub fn set_first_timestamp(p: &mut Packet, ns: u64) {
    p.anno_mut()[FIRST_TIMESTAMP_ANNO..FIRST_TIMESTAMP_ANNO + 8].copy_from_slice(&ns.to_ne_bytes());
}

impl SetTimestamp {
    /// Parses SetTimestamp's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let timestamp = args.read_p("TIMESTAMP", parse::duration);
        let first = args.read("FIRST", parse::boolean).unwrap_or(false);
        args.complete()?;
        Ok(SetTimestamp { timestamp, first })
    }
}

impl Element for SetTimestamp {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let ns = match self.timestamp {
            // Times past the year 2554 do not fit; they saturate.
            Some(t) => u64::try_from(t.as_nanos()).unwrap_or(u64::MAX),
            None => cx.wall,
        };
        if self.first {
            set_first_timestamp(p, ns);
        } else {
            p.set_timestamp(ns);
        }
        Out::Port(0)
    }
}

/// SetTimestamp's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "SetTimestamp",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["TIMESTAMP", "FIRST"],
    handlers: &[],
    summary: "stores a time in the timestamp annotation",
    source: include_str!("set_timestamp.rs"),
    check: |c| SetTimestamp::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn values() {
        assert_eq!(
            SetTimestamp::configure("").unwrap(),
            SetTimestamp::default()
        );
        let s = SetTimestamp::configure("1.5, FIRST true").unwrap();
        assert_eq!(s.timestamp, Some(Duration::from_millis(1500)));
        assert!(s.first);
    }

    #[test]
    fn bad_values() {
        let cfg = "yesterday, FIRST 2";
        let errs = errors(cfg, SetTimestamp::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].1, "yesterday");
    }

    use crate::harness::{self, check_batch_path};

    #[test]
    fn sets_the_time() {
        let pool = harness::pool();
        let mut cx = harness::cx(pool);
        cx.wall = 1_700_000_000_123_456_789;
        let mut p = pool.alloc_with(&[1]).unwrap();
        assert_eq!(
            SetTimestamp::default().process(&cx, 0, &mut p),
            Out::Port(0)
        );
        assert_eq!(p.timestamp(), cx.wall);
        let mut fixed = SetTimestamp::configure("1.5").unwrap();
        fixed.process(&cx, 0, &mut p);
        assert_eq!(p.timestamp(), 1_500_000_000);
        let mut first = SetTimestamp::configure("FIRST true").unwrap();
        first.process(&cx, 0, &mut p);
        assert_eq!(
            (p.timestamp(), first_timestamp(&p)),
            (1_500_000_000, cx.wall)
        );
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["", "10.25", "FIRST true"] {
            check_batch_path(&SetTimestamp::configure(cfg).unwrap(), 0, 1, |i, pool| {
                let mut p = pool.alloc_with(&[i as u8; 3][..i % 3]).unwrap();
                p.set_timestamp(i as u64);
                p
            });
        }
    }
}
