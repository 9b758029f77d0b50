//! # ToDevice — sends packets to a network device
//!
//! ```click
//! ToDevice(DEVNAME [, KEYWORDS])
//! ```
//!
//! Ports: 1 input, up to 2 outputs (`1/0-2`). Processing: pull input, push
//! outputs (`l/h`).
//!
//! Pulls packets from its input, up to BURST at a time whenever the device
//! has room, and transmits them on device DEVNAME. Packets must already
//! carry their link-level header (EtherEncap, ARPQuerier). The input pulls,
//! so a Queue normally sits upstream. DEVNAME is a logical name, as for
//! FromDevice. A packet the device refuses is pushed out output 0 when that
//! output exists, and dropped otherwise.
//!
//! ## Keywords
//! - `DEVNAME` *device name* — the device; mandatory.
//! - `BURST` *unsigned ≥ 1* — packets sent per run; default 1.
//! - `QUIET` *boolean* — do not report transmit errors; default false.
//! - `IGNORE_QUEUE_OVERFLOWS` *boolean* — report a full device queue only
//!   once; default false.
//! - `ALLOW_NONEXISTENT` *boolean* — start even if the device is missing
//!   (linux only); default false.
//! - `METHOD` — `LINUX`, `PCAP` or `NETMAP`; accepted and ignored.
//! - `DEBUG` *boolean* — print each packet sent; default false.
//!
//! ## Handlers
//! - `count` (read) — packets sent.
//! - `drops` (read) — packets the device refused.
//! - `pulls` (read) — pull attempts.
//! - `reset_counts` (write) — zero the counters.
//!
//! ## Examples
//! ```click
//! ... -> Queue(1024) -> ToDevice(eth1, BURST 32);
//! ```
//!
//! ## Differences from Click
//! - DEVNAME is a logical name (see FromDevice).
//! - `METHOD` is checked and ignored: nfc uses the platform's own driver.
//! - `ALLOW_NONEXISTENT` only matters on linux; in images a missing NIC is
//!   a boot error.

use alloc::string::String;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse::{self, ParseError};

use super::device_name;
use crate::{ElementSpec, Ports};

/// ToDevice's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToDevice {
    /// The logical device name.
    pub devname: String,
    /// Packets sent per run.
    pub burst: u32,
    /// Do not report transmit errors.
    pub quiet: bool,
    /// Report a full device queue only once.
    pub ignore_queue_overflows: bool,
    /// Start even if the device is missing (linux).
    pub allow_nonexistent: bool,
    /// Print each packet sent.
    pub debug: bool,
}

fn method(text: &str) -> Result<String, ParseError> {
    match text.to_ascii_uppercase().as_str() {
        "LINUX" | "PCAP" | "NETMAP" => Ok(text.into()),
        _ => Err(ParseError::expected("METHOD", text).with_hint("METHOD is LINUX, PCAP or NETMAP")),
    }
}

impl ToDevice {
    /// Parses ToDevice's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let devname = args.read_mp("DEVNAME", device_name);
        let burst = args.read("BURST", parse::unsigned::<u32>).unwrap_or(1);
        let quiet = args.read("QUIET", parse::boolean).unwrap_or(false);
        let ignore_queue_overflows = args
            .read("IGNORE_QUEUE_OVERFLOWS", parse::boolean)
            .unwrap_or(false);
        let allow_nonexistent = args
            .read("ALLOW_NONEXISTENT", parse::boolean)
            .unwrap_or(false);
        let _method = args.read("METHOD", method);
        let debug = args.read("DEBUG", parse::boolean).unwrap_or(false);
        if burst == 0 {
            let span = args.span_of("BURST");
            args.error(ConfigError::new(span, "BURST must be at least 1"));
        }
        args.complete()?;
        Ok(ToDevice {
            devname: devname.unwrap_or_default(),
            burst,
            quiet,
            ignore_queue_overflows,
            allow_nonexistent,
            debug,
        })
    }
}

/// ToDevice's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ToDevice",
    port_count: "1/0-2",
    processing: "l/h",
    flow_code: "x/x",
    keywords: &[
        "DEVNAME",
        "BURST",
        "QUIET",
        "IGNORE_QUEUE_OVERFLOWS",
        "ALLOW_NONEXISTENT",
        "METHOD",
        "DEBUG",
    ],
    handlers: &[
        "count (read)",
        "drops (read)",
        "pulls (read)",
        "reset_counts (write)",
    ],
    summary: "sends packets to a network device",
    source: include_str!("to_device.rs"),
    check: |c| ToDevice::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let d = ToDevice::configure("eth1").unwrap();
        assert_eq!((d.devname.as_str(), d.burst, d.quiet), ("eth1", 1, false));
        let d = ToDevice::configure("eth1, BURST 32, QUIET true, METHOD LINUX").unwrap();
        assert_eq!((d.burst, d.quiet), (32, true));
    }

    #[test]
    fn bad_values() {
        let cfg = "eth1, 32, BURST 0, QUIET loud";
        let errs = errors(cfg, ToDevice::configure(cfg));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(has(&errs, "too many", "32"), "{errs:?}");
        assert!(has(&errs, "at least 1", "0"), "{errs:?}");
        assert!(has(&errs, "", "loud"), "{errs:?}");
    }
}
