//! # PollDevice — polls packets from a network device
//!
//! ```click
//! PollDevice(DEVNAME [, PROMISC, SNAPLEN, KEYWORDS])
//! ```
//!
//! Ports: no inputs, 1 or 2 outputs (`0/1-2`). Processing: push (`h/h`).
//!
//! Click's name for a FromDevice that polls its device instead of taking
//! interrupts. Every nfc driver polls, so PollDevice is FromDevice under
//! another name: it takes FromDevice's configuration, sets the same
//! annotations, and has the same handlers. It pushes every frame received
//! on device DEVNAME out output 0, up to BURST frames each time its task
//! runs.
//!
//! ## Keywords
//! - `DEVNAME` *device name* — the device; mandatory.
//! - `PROMISC` *boolean* — receive frames for any address; default false.
//! - `SNAPLEN` *14–65535* — the most bytes kept per frame; default 2046.
//! - `BURST` *unsigned ≥ 1* — frames per run, at most 32; default 32.
//! - `FORCE_IP` *boolean* — emit only IP packets on output 0; default false.
//! - `TIMESTAMP` *boolean* — set timestamp annotations; default true.
//! - `HEADROOM` *0–8190* — bytes left free before each frame (ignored).
//! - `ENCAP` — `ETHER` or `IP`: the device's link type (linux only).
//! - `SNIFFER`, `METHOD`, `CAPTURE`, `BPF_FILTER`, `PROTOCOL`, `OUTBOUND` —
//!   accepted and ignored, as for FromDevice.
//!
//! ## Handlers
//! - `count` (read) — frames received.
//! - `reset_counts` (write) — zero `count`.
//! - `kernel_drops` (read) — frames the device dropped.
//! - `encap` (read) — the link type (`ETHER` or `IP`).
//!
//! ## Examples
//! ```click
//! PollDevice(eth0) -> Queue -> ToDevice(eth1);
//! ```
//!
//! ## Differences from Click
//! - Click's PollDevice exists only in the Linux kernel module, for
//!   drivers patched for polling, and has one output; nfc's is FromDevice
//!   (see its differences), so it accepts FromDevice's keywords and
//!   FORCE_IP's second output.
//! - Click's `packets`, `polls` and timing handlers do not exist.

use nfc_dataplane::args::ConfigErrors;

use super::from_device::{self, FromDevice, FromDeviceOn};
use super::Devices;
use crate::{ElementSpec, Ports};

/// PollDevice's configuration: FromDevice's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollDevice(pub FromDevice);

impl PollDevice {
    /// Parses PollDevice's configuration string (FromDevice's syntax).
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        FromDevice::configure(config).map(PollDevice)
    }
}

/// PollDevice at run time: FromDevice's runtime.
pub type PollDeviceOn<D> = FromDeviceOn<D>;

/// PollDevice's spec: FromDevice's, under its own name.
pub const SPEC: ElementSpec = ElementSpec {
    class: "PollDevice",
    summary: "polls packets from a network device",
    source: include_str!("poll_device.rs"),
    check: |c| PollDevice::configure(c).map(|_| Ports::DECLARED),
    ..from_device::SPEC
};

/// PollDevice configured by `config` (its configuration string) on
/// `plat`'s device: FromDevice's runtime.
pub fn open<P: Devices>(
    plat: &mut P,
    config: &str,
) -> Result<FromDeviceOn<P::Device>, alloc::string::String> {
    let config = PollDevice::configure(config).map_err(|e| alloc::format!("PollDevice: {e}"))?;
    FromDeviceOn::open_configured(plat, config.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_from_devices_configuration() {
        let p = PollDevice::configure("eth2, PROMISC true, BURST 8").unwrap();
        assert_eq!(p.0, FromDevice::configure("eth2, true, BURST 8").unwrap());
        assert!(PollDevice::configure("").is_err());
        assert_eq!(SPEC.keywords, from_device::SPEC.keywords);
        assert_eq!(SPEC.port_count, "0/1-2");
    }
}
