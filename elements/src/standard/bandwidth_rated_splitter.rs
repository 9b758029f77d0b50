//! # BandwidthRatedSplitter — splits flow of packets at specified bandwidth rate
//!
//! ```click
//! BandwidthRatedSplitter(RATE, [KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: push (`h/h`).
//!
//! Sends packets out output 0 at up to RATE bytes per second, and the
//! packets above that rate out output 1: RatedSplitter counting bytes. As
//! in Click, the token bucket counts bytes, holds 20 ms worth
//! (BURST_DURATION) or BURST_BYTES plus 131072 bytes, and a packet goes
//! out output 0 whenever the bucket holds 131072 bytes; it then takes the
//! packet's length (all there is, if fewer).
//!
//! ## Keywords
//! - `RATE` *bandwidth* — bytes per second (`200Bps`, `1Mbps`); mandatory.
//! - `BURST_DURATION` *duration* — the bucket holds RATE × this many bytes
//!   (plus the threshold).
//! - `BURST_BYTES` *unsigned* — the bucket holds this many bytes (plus the
//!   threshold). Giving both is an error.
//!
//! ## Handlers
//! - `rate` (read/write) — the rate, printed as Click does (`1.6kbps`).
//! - `config` (read) — the rate, as Click.
//!
//! ## Examples
//! ```click
//! s :: BandwidthRatedSplitter(1Mbps); s[0] -> Queue -> ToDevice(eth0); s[1] -> Discard;
//! ```
//!
//! ## Differences from Click
//! - As RatedSplitter's: a batch is split as if its packets arrived
//!   together.

use nfc_dataplane::args::ConfigErrors;

use super::rated_splitter::RatedSplitter;
use crate::{ElementSpec, Ports};

/// BandwidthRatedSplitter: a [`RatedSplitter`] whose bucket counts bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BandwidthRatedSplitter(pub RatedSplitter);

impl BandwidthRatedSplitter {
    /// Parses BandwidthRatedSplitter's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        RatedSplitter::configure_as(config, true).map(BandwidthRatedSplitter)
    }
}

nfc_dataplane::delegate_element!(BandwidthRatedSplitter);

/// BandwidthRatedSplitter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "BandwidthRatedSplitter",
    port_count: "1/1-2",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["RATE", "BURST_DURATION", "BURST_BYTES"],
    handlers: &["rate (read/write)", "config (read)"],
    summary: "splits flow of packets at specified bandwidth rate",
    source: include_str!("bandwidth_rated_splitter.rs"),
    check: |c| BandwidthRatedSplitter::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::bandwidth_rated_unqueue::BandwidthRatedUnqueue;
    use crate::standard::rated_splitter::tests::split_after;
    use nfc_dataplane::element::Element;

    #[test]
    fn click_test_counts() {
        // Click's test/standard/BandwidthRatedSplitter-01: 100-byte
        // packets from a BandwidthRatedUnqueue for 10 simulated seconds.
        let run = |unqueue: &str, splitter: &str| {
            split_after(
                &mut BandwidthRatedUnqueue::configure(unqueue).unwrap(),
                &mut BandwidthRatedSplitter::configure(splitter).unwrap(),
                100,
            )
        };
        assert_eq!(run("RATE 2000Bps", "RATE 200Bps"), 20);
        assert_eq!(run("RATE 2000Bps", "RATE 200Bps, BURST_BYTES 5000"), 70);
        assert_eq!(run("RATE 2000Bps", "RATE 200Bps, BURST_DURATION 25"), 70);
        assert_eq!(run("RATE 20000Bps", "RATE 10000Bps, BURST_BYTES 100"), 1001);
    }

    #[test]
    fn rate_handler() {
        let mut s = BandwidthRatedSplitter::configure("RATE 10000Bps").unwrap();
        // Read back from the fixed-point bucket, with Click's rounding.
        assert_eq!(s.read_handler("rate"), Ok("80.04kbps".into()));
        s.write_handler("rate", "125000Bps").unwrap();
        assert_eq!(s.read_handler("config"), Ok("1.000496Mbps".into()));
    }
}
