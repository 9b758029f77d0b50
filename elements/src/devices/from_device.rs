//! # FromDevice — reads packets from a network device
//!
//! ```click
//! FromDevice(DEVNAME [, PROMISC, SNAPLEN, KEYWORDS])
//! ```
//!
//! Ports: no inputs, 1 or 2 outputs (`0/1-2`). Processing: push (`h/h`).
//!
//! Pushes every frame received on device DEVNAME out output 0, up to BURST
//! frames each time it runs. DEVNAME is a logical name: in an image `ethN`
//! is the Nth NIC found (PCI slot, MMIO address or vif order); on linux it
//! maps to a host interface with `--dev eth0=tap3` (default: the same
//! name). Sets each packet's timestamp and packet-type (broadcast,
//! multicast, host, other host) annotations and its link-header mark. With
//! FORCE_IP, only IP packets leave output 0 (their IP header annotation
//! set) and the rest go out output 1, or are dropped.
//!
//! ## Keywords
//! - `DEVNAME` *device name* — the device; mandatory.
//! - `PROMISC` *boolean* — receive frames for any address; default false.
//! - `SNAPLEN` *14–65535* — the most bytes kept per frame; default 2046.
//! - `BURST` *unsigned ≥ 1* — frames per run; default 1.
//! - `FORCE_IP` *boolean* — emit only IP packets on output 0; default false.
//! - `TIMESTAMP` *boolean* — set timestamp annotations; default true.
//! - `HEADROOM` *0–8190* — bytes left free before each frame.
//! - `ENCAP` — `ETHER` or `IP`: the device's link type (linux only).
//! - `SNIFFER`, `METHOD`, `CAPTURE`, `BPF_FILTER`, `PROTOCOL`, `OUTBOUND` —
//!   accepted for Click compatibility (see below).
//!
//! ## Handlers
//! - `count` (read) — frames received.
//! - `reset_counts` (write) — zero `count`.
//! - `kernel_drops` (read) — frames the device dropped, if known.
//! - `encap` (read) — the link type (`ETHER`).
//!
//! ## Examples
//! ```click
//! FromDevice(eth0, PROMISC true, BURST 32) -> Classifier(12/0806, 12/0800, -) -> ...;
//! ```
//!
//! ## Differences from Click
//! - DEVNAME is a logical name (see above), not a host interface name.
//! - nfc always owns the device: `SNIFFER false` is the only mode, and
//!   `SNIFFER true` is accepted but ignored.
//! - `METHOD`/`CAPTURE` (LINUX, PCAP, NETMAP), `BPF_FILTER`, `PROTOCOL` and
//!   `OUTBOUND` are checked and ignored: nfc uses the platform's own
//!   driver, and filtering belongs in the configuration (Classifier, IPFilter).

use alloc::string::String;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse::{self, ParseError};

use super::{device_name, encap, Encap};
use crate::{ElementSpec, Ports};

/// The default SNAPLEN.
pub const DEFAULT_SNAPLEN: u32 = 2046;

/// FromDevice's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromDevice {
    /// The logical device name.
    pub devname: String,
    /// Receive frames for any address.
    pub promisc: bool,
    /// The most bytes kept per frame.
    pub snaplen: u32,
    /// Frames per run.
    pub burst: u32,
    /// Emit only IP packets on output 0.
    pub force_ip: bool,
    /// Set timestamp annotations.
    pub timestamp: bool,
    /// Bytes left free before each frame, if given.
    pub headroom: Option<u32>,
    /// The device's link type, if given.
    pub encap: Option<Encap>,
}

fn method(text: &str) -> Result<String, ParseError> {
    match text.to_ascii_uppercase().as_str() {
        "LINUX" | "PCAP" | "NETMAP" => Ok(text.into()),
        _ => Err(ParseError::expected("METHOD", text).with_hint("METHOD is LINUX, PCAP or NETMAP")),
    }
}

impl FromDevice {
    /// Parses FromDevice's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let devname = args.read_mp("DEVNAME", device_name);
        let promisc = args.read_p("PROMISC", parse::boolean).unwrap_or(false);
        let snaplen = args.read_p("SNAPLEN", parse::unsigned::<u32>);
        let _sniffer = args.read("SNIFFER", parse::boolean);
        let force_ip = args.read("FORCE_IP", parse::boolean).unwrap_or(false);
        let _method = args.read("METHOD", method);
        let _capture = args.read("CAPTURE", method);
        let _bpf = args.read("BPF_FILTER", parse::string);
        let _protocol = args.read("PROTOCOL", parse::unsigned::<u16>);
        let _outbound = args.read("OUTBOUND", parse::boolean);
        let headroom = args.read("HEADROOM", parse::unsigned::<u32>);
        let encap = args.read("ENCAP", encap);
        let burst = args.read("BURST", parse::unsigned::<u32>).unwrap_or(1);
        let timestamp = args.read("TIMESTAMP", parse::boolean).unwrap_or(true);
        if let Some(s) = snaplen.filter(|s| !(14..=65535).contains(s)) {
            let span = args.span_of("SNAPLEN");
            args.error(
                ConfigError::new(span, alloc::format!("SNAPLEN {s} is out of range"))
                    .with_hint("SNAPLEN is 14 to 65535"),
            );
        }
        if headroom.is_some_and(|h| h > 8190) {
            let span = args.span_of("HEADROOM");
            args.error(ConfigError::new(span, "HEADROOM is at most 8190"));
        }
        if burst == 0 {
            let span = args.span_of("BURST");
            args.error(ConfigError::new(span, "BURST must be at least 1"));
        }
        args.complete()?;
        Ok(FromDevice {
            devname: devname.unwrap_or_default(),
            promisc,
            snaplen: snaplen.unwrap_or(DEFAULT_SNAPLEN),
            burst,
            force_ip,
            timestamp,
            headroom,
            encap,
        })
    }
}

/// FromDevice's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "FromDevice",
    port_count: "0/1-2",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[
        "DEVNAME",
        "PROMISC",
        "SNAPLEN",
        "SNIFFER",
        "FORCE_IP",
        "METHOD",
        "CAPTURE",
        "BPF_FILTER",
        "PROTOCOL",
        "OUTBOUND",
        "HEADROOM",
        "ENCAP",
        "BURST",
        "TIMESTAMP",
    ],
    handlers: &[
        "count (read)",
        "reset_counts (write)",
        "kernel_drops (read)",
        "encap (read)",
    ],
    summary: "reads packets from a network device",
    source: include_str!("from_device.rs"),
    check: |c| FromDevice::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let d = FromDevice::configure("eth0").unwrap();
        assert_eq!(d.devname, "eth0");
        assert_eq!(
            (d.promisc, d.snaplen, d.burst, d.timestamp),
            (false, 2046, 1, true)
        );
        let d = FromDevice::configure(
            "eth1, true, 1500, BURST 32, FORCE_IP true, METHOD PCAP, ENCAP ip",
        )
        .unwrap();
        assert_eq!(
            (d.promisc, d.snaplen, d.burst, d.force_ip),
            (true, 1500, 32, true)
        );
        assert_eq!(d.encap, Some(Encap::Ip));
        assert_eq!(
            FromDevice::configure("DEVNAME tap3, SNIFFER false")
                .unwrap()
                .devname,
            "tap3"
        );
    }

    #[test]
    fn bad_values() {
        let cfg = "0eth, SNAPLEN 10, BURST 0, METHOD DPDK, ENCAP FDDI, PROMSIC true";
        let errs = errors(cfg, FromDevice::configure(cfg));
        assert_eq!(errs.len(), 6, "{errs:?}");
        assert!(has(&errs, "device name", "0eth"), "{errs:?}");
        assert!(has(&errs, "SNAPLEN 10 is out of range", "10"), "{errs:?}");
        assert!(has(&errs, "at least 1", "0"), "{errs:?}");
        assert!(has(&errs, "METHOD", "DPDK"), "{errs:?}");
        assert!(has(&errs, "not supported", "FDDI"), "{errs:?}");
        assert!(has(&errs, "unknown keyword", "PROMSIC"), "{errs:?}");
        let errs = errors("", FromDevice::configure(""));
        assert!(errs[0].0.contains("DEVNAME"), "{errs:?}");
    }
}
