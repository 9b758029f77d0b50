//! # BandwidthShaper — shapes traffic to maximum rate (bytes/s)
//!
//! ```click
//! BandwidthShaper(RATE)
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: pull (`l/l`).
//!
//! Shaper counting bytes: hands out packets on output 0 at most at RATE
//! bytes a second. A pull pulls a packet when the bytes sent so far this
//! second are within what the fraction of the second gone by allows; the
//! packet's length is then counted. Output 1, when connected, gets the
//! packets pulled while output 0 would get nothing.
//!
//! ## Keywords
//! - `RATE` *bandwidth* — bytes per second (`1Mbps`, `20kBps`); mandatory.
//!
//! ## Handlers
//! - `rate` (read/write) — the rate, printed as Click does (`8kbps`).
//! - `config` (read) — the rate, as Click.
//! - `reset` (write) — start counting afresh.
//!
//! ## Examples
//! ```click
//! q :: Queue -> BandwidthShaper(1Mbps) -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - As Shaper's. Output 1 follows Shaper's (Click's BandwidthShaper
//!   documents one output).

use nfc_dataplane::args::ConfigErrors;

use super::shaper::Shaper;
use crate::{ElementSpec, Ports};

/// BandwidthShaper: a [`Shaper`] that counts bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BandwidthShaper(pub Shaper);

impl BandwidthShaper {
    /// Parses BandwidthShaper's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Shaper::configure_as(config, true).map(BandwidthShaper)
    }
}

nfc_dataplane::delegate_element!(BandwidthShaper);

/// BandwidthShaper's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "BandwidthShaper",
    port_count: "1/1-2",
    processing: "l/l",
    flow_code: "x/x",
    keywords: &["RATE"],
    handlers: &["rate (read/write)", "config (read)", "reset (write)"],
    summary: "shapes traffic to maximum rate (bytes/s)",
    source: include_str!("bandwidth_shaper.rs"),
    check: |c| BandwidthShaper::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::shaper::tests::pull_every_ms;
    use nfc_dataplane::element::Element;

    #[test]
    fn shapes_bytes() {
        // 10 kB/s of 100-byte packets: 100 packets a second.
        let mut s = BandwidthShaper::configure("10000Bps").unwrap();
        let (shaped, other) = pull_every_ms(&mut s, 1000, 100);
        assert!(shaped.abs_diff(100) <= 1, "{shaped}");
        assert_eq!(shaped + other, 1000);
        assert_eq!(s.read_handler("rate"), Ok("80kbps".into()));
        assert!(BandwidthShaper::configure("fast").is_err());
    }
}
