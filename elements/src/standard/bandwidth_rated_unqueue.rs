//! # BandwidthRatedUnqueue — pull-to-push converter
//!
//! ```click
//! BandwidthRatedUnqueue(RATE, [KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: pull input, push output (`l/h`).
//!
//! Pulls packets from its input at RATE bytes per second and pushes them
//! out its output: RatedUnqueue counting bytes. As in Click, the token
//! bucket counts bytes, holds 20 ms worth (BURST_DURATION) or BURST_BYTES
//! plus 131072 bytes, and a packet is pulled whenever the bucket holds
//! 131072 bytes; it then takes the packet's length (all there is, if
//! fewer). The bucket is full at the first run.
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
//! - `active` (read/write) — whether the task pulls packets.
//!
//! ## Examples
//! ```click
//! InfiniteSource(LENGTH 100) -> Queue -> BandwidthRatedUnqueue(10kBps) -> Discard;
//! ```
//!
//! ## Differences from Click
//! - As RatedUnqueue's: one empty run after a refill before the pull, no
//!   empty notifier, no `calls` handler. A run moves one packet, as
//!   Click's.

use nfc_dataplane::args::ConfigErrors;

use super::rated_unqueue::RatedUnqueue;
use crate::{ElementSpec, Ports};

/// BandwidthRatedUnqueue: a [`RatedUnqueue`] whose bucket counts bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BandwidthRatedUnqueue(pub RatedUnqueue);

impl BandwidthRatedUnqueue {
    /// Parses BandwidthRatedUnqueue's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        RatedUnqueue::configure_as(config, true).map(BandwidthRatedUnqueue)
    }
}

nfc_dataplane::delegate_element!(BandwidthRatedUnqueue);

/// BandwidthRatedUnqueue's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "BandwidthRatedUnqueue",
    port_count: "1/1",
    processing: "l/h",
    flow_code: "x/x",
    keywords: &["RATE", "BURST_DURATION", "BURST_BYTES"],
    handlers: &["rate (read/write)", "config (read)", "active (read/write)"],
    summary: "pull-to-push converter",
    source: include_str!("bandwidth_rated_unqueue.rs"),
    check: |c| BandwidthRatedUnqueue::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::rated_unqueue::tests::simulate;
    use nfc_dataplane::element::{Element, HandlerError};

    fn count(config: &str) -> usize {
        simulate(
            &mut BandwidthRatedUnqueue::configure(config).unwrap(),
            100,
            10,
        )
    }

    #[test]
    fn click_test_counts() {
        // Click's test/standard/BandwidthRatedUnqueue-01, 100-byte
        // packets for 10 simulated seconds: 21, 71, 71 and 1001.
        assert_eq!(count("RATE 200Bps"), 21);
        assert_eq!(count("RATE 200Bps, BURST_BYTES 5000"), 71);
        assert_eq!(count("RATE 200Bps, BURST_DURATION 25"), 71);
        assert_eq!(count("RATE 10000Bps, BURST_BYTES 100"), 1001);
    }

    #[test]
    fn rate_handler_prints_as_click() {
        let mut u = BandwidthRatedUnqueue::configure("200Bps").unwrap();
        assert_eq!(u.read_handler("rate"), Ok("1.6kbps".into()));
        // Click reads the rate back from its fixed-point bucket, which
        // holds 131072 bytes more than 20 ms of 1 Mbit/s.
        u.write_handler("rate", "1Mbps").unwrap();
        assert_eq!(u.read_handler("rate"), Ok("1.000496Mbps".into()));
        assert!(matches!(
            u.write_handler("rate", "fast"),
            Err(HandlerError::Invalid(_))
        ));
        assert!(BandwidthRatedUnqueue::configure("5, BURST_SIZE 3").is_err());
    }
}
