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
//! - none.

use core::time::Duration;
use nfc_dataplane::args::{Args, ConfigErrors};
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
}
