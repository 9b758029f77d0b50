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
//! output exists, and dropped (and counted in `drops`) otherwise.
//!
//! ## Keywords
//! - `DEVNAME` *device name* — the device; mandatory.
//! - `BURST` *unsigned ≥ 1* — packets sent per run, at most 32; default 32.
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
//! - `drops` (read) — packets the device refused and that were dropped.
//! - `pulls` (read) — pulls that brought packets.
//! - `reset_counts` (write) — zero the counters.
//!
//! ## Examples
//! ```click
//! ... -> Queue(1024) -> ToDevice(eth1, BURST 32);
//! ```
//!
//! ## Differences from Click
//! - DEVNAME is a logical name (see FromDevice).
//! - BURST defaults to 32, the size of an nfc batch, rather than 1.
//! - The runtime also takes pushed batches (the generic runner may push):
//!   it sends what the device takes and drops the rest, as above.
//! - `METHOD` is checked and ignored: nfc uses the platform's own driver.
//! - `ALLOW_NONEXISTENT` only matters on linux; in images a missing NIC is
//!   a boot error.

use alloc::format;
use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::batch::{Batch, BURST};
use nfc_dataplane::device::NetDevice;
use nfc_dataplane::element::{Context, Element, HandlerError, TaskResult};
use nfc_dataplane::parse::{self, ParseError};

use super::{device_name, Devices};
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
        let burst = args
            .read("BURST", parse::unsigned::<u32>)
            .unwrap_or(BURST as u32);
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

/// Output 0: packets the device refused, when connected.
pub const OUT_REFUSED: usize = 0;

/// ToDevice at run time, on a driver `D`.
#[derive(Debug)]
pub struct ToDeviceOn<D: NetDevice> {
    config: ToDevice,
    device: D,
    /// Packets per run, at most [`BURST`].
    burst: usize,
    count: u64,
    drops: u64,
    pulls: u64,
    /// A full queue was reported (IGNORE_QUEUE_OVERFLOWS reports once).
    reported: bool,
    /// The configuration connects output 0 (refused packets go there).
    refused_output: bool,
}

impl<D: NetDevice> ToDeviceOn<D> {
    /// ToDevice configured by `config`, sending on `device`.
    pub fn new(config: ToDevice, device: D) -> Self {
        let burst = (config.burst as usize).clamp(1, BURST);
        ToDeviceOn {
            config,
            device,
            burst,
            count: 0,
            drops: 0,
            pulls: 0,
            reported: false,
            refused_output: false,
        }
    }

    /// ToDevice configured by `config` (its configuration string) on
    /// `plat`'s device.
    pub fn open<P: Devices<Device = D>>(plat: &mut P, config: &str) -> Result<Self, String> {
        let config = ToDevice::configure(config).map_err(|e| format!("ToDevice: {e}"))?;
        let (device, _) = plat.device(&config.devname, false, config.allow_nonexistent)?;
        Ok(Self::new(config, device))
    }

    /// The configuration.
    pub fn config(&self) -> &ToDevice {
        &self.config
    }

    /// The driver.
    pub fn device(&self) -> &D {
        &self.device
    }

    /// Packets sent since the last reset.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Packets dropped because the device refused them.
    pub fn drops(&self) -> u64 {
        self.drops
    }

    /// Sends `batch`; what the device refuses goes out output 0 when it
    /// exists and is dropped otherwise.
    /// Sends `batch`; what the device refuses goes out output 0 when the
    /// element has it (it stays in `batch`), else is dropped and counted.
    fn send(&mut self, cx: &Context, batch: &mut Batch) {
        if self.config.debug {
            for p in batch.iter() {
                cx.console.line(&format!(
                    "ToDevice({}): sending {} bytes",
                    self.config.devname,
                    p.len()
                ));
            }
        }
        self.count += self.device.tx_burst(batch) as u64;
        if batch.is_empty() || self.refused_output {
            return;
        }
        self.drops += batch.len() as u64;
        let repeat = self.config.ignore_queue_overflows && self.reported;
        if !self.config.quiet && !repeat {
            cx.console.line(&format!(
                "ToDevice({}): device queue full, {} packets dropped",
                self.config.devname,
                batch.len()
            ));
            self.reported = true;
        }
        batch.clear();
    }
}

impl<D: NetDevice> Element for ToDeviceOn<D> {
    #[inline]
    fn push(&mut self, cx: &Context, _input: usize, batch: &mut Batch, _others: &mut [Batch]) {
        if !batch.is_empty() {
            self.send(cx, batch);
        }
    }

    fn set_ports(&mut self, _ninputs: usize, noutputs: usize) {
        self.refused_output = noutputs > OUT_REFUSED;
    }

    fn has_task(&self) -> bool {
        true
    }

    #[inline]
    fn task_wants(&self) -> usize {
        self.burst.min(self.device.tx_room())
    }

    fn run_task(&mut self, cx: &Context, pulled: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        if pulled.is_empty() {
            return TaskResult::Idle;
        }
        self.pulls += 1;
        self.send(cx, pulled);
        TaskResult::Busy
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "count" => self.count.to_string(),
            "drops" => self.drops.to_string(),
            "pulls" => self.pulls.to_string(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    fn write_handler(&mut self, name: &str, _value: &str) -> Result<(), HandlerError> {
        match name {
            "reset_counts" => {
                self.count = 0;
                self.drops = 0;
                self.pulls = 0;
            }
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
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
    use crate::devices::fake::Fake;
    use crate::harness;
    use crate::standard::testing::{errors, has};
    use alloc::vec::Vec;
    use nfc_dataplane::element::Captured;
    use nfc_dataplane::packet::PacketPool;

    #[test]
    fn values() {
        let d = ToDevice::configure("eth1").unwrap();
        assert_eq!((d.devname.as_str(), d.burst, d.quiet), ("eth1", 32, false));
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

    fn element(config: &str, room: usize) -> ToDeviceOn<Fake> {
        let fake = Fake {
            room,
            ..Fake::default()
        };
        ToDeviceOn::new(ToDevice::configure(config).unwrap(), fake)
    }

    /// `n` packets whose lengths and first bytes vary.
    fn batch(pool: &'static PacketPool, from: usize, n: usize) -> Batch {
        let mut b = Batch::new();
        for i in from..from + n {
            let data = [i as u8; 64];
            b.push(pool.alloc_with(&data[..14 + i % 50]).unwrap())
                .unwrap();
        }
        b
    }

    fn firsts(frames: &[Vec<u8>]) -> Vec<u8> {
        frames.iter().map(|f| f[0]).collect()
    }

    #[test]
    fn pulls_what_the_ring_has_room_for() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        for room in [0usize, 1, 31, 32, 33] {
            let mut e = element("eth0", room);
            let want = room.min(BURST);
            assert_eq!(e.task_wants(), want, "room {room}");
            let r = harness::task(&mut e, &cx, batch(pool, 0, want), &mut []);
            assert_eq!(r == TaskResult::Busy, want > 0);
            assert_eq!(
                firsts(&e.device().sent),
                (0..want as u8).collect::<Vec<_>>()
            );
            assert_eq!(e.read_handler("count"), Ok(want.to_string()));
            assert_eq!(
                e.read_handler("pulls"),
                Ok(usize::from(want > 0).to_string())
            );
            assert_eq!(e.drops(), 0);
            assert_eq!(pool.available(), pool.capacity(), "sent packets are freed");
        }
        let e = element("eth0, BURST 4", 32);
        assert_eq!(e.task_wants(), 4);
    }

    #[test]
    fn pushed_batches_send_what_fits_and_drop_the_rest() {
        let pool = harness::pool();
        let console = Captured::leak();
        let cx = Context {
            console,
            ..harness::cx(pool)
        };
        for n in [0usize, 1, 31, 32, 33] {
            let mut e = element("eth0", 20);
            let mut sent = 0;
            let mut from = 0;
            while from < n {
                let k = (n - from).min(BURST);
                harness::push(&mut e, &cx, 0, batch(pool, from, k), &mut []);
                from += k;
                sent = e.device().sent.len();
            }
            assert_eq!(sent, n.min(20), "n={n}");
            assert_eq!(
                firsts(&e.device().sent),
                (0..n.min(20) as u8).collect::<Vec<_>>()
            );
            assert_eq!(e.drops(), n.saturating_sub(20) as u64, "n={n}");
            assert_eq!(pool.available(), pool.capacity());
        }
        let lines = console.take();
        assert!(lines.iter().any(|l| l.contains("queue full")), "{lines:?}");
    }

    #[test]
    fn refused_packets_leave_output_0_when_it_exists() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut e = element("eth0, QUIET true", 2);
        e.set_ports(1, 1);
        let mut outs = [Batch::new()];
        harness::push(&mut e, &cx, 0, batch(pool, 0, 5), &mut outs);
        assert_eq!(firsts(&e.device().sent), [0, 1]);
        let refused: Vec<u8> = outs[0].iter().map(|p| p.data()[0]).collect();
        assert_eq!(refused, [2, 3, 4]);
        assert_eq!(e.drops(), 0);
        assert_eq!(e.task_wants(), 0, "the ring is full");
        assert_eq!(
            harness::task(&mut e, &cx, Batch::new(), &mut outs),
            TaskResult::Idle
        );
        assert_eq!(e.read_handler("pulls"), Ok("0".into()));
    }

    #[test]
    fn quiet_debug_and_reset() {
        let pool = harness::pool();
        let console = Captured::leak();
        let cx = Context {
            console,
            ..harness::cx(pool)
        };
        let mut e = element("eth0, DEBUG true, IGNORE_QUEUE_OVERFLOWS true", 1);
        harness::push(&mut e, &cx, 0, batch(pool, 0, 2), &mut []);
        harness::push(&mut e, &cx, 0, batch(pool, 0, 2), &mut []);
        let lines = console.take();
        assert_eq!(lines.iter().filter(|l| l.contains("sending")).count(), 4);
        assert_eq!(lines.iter().filter(|l| l.contains("queue full")).count(), 1);
        let mut e2 = element("eth0, QUIET true", 0);
        harness::push(&mut e2, &cx, 0, batch(pool, 0, 2), &mut []);
        assert!(console.take().is_empty());
        assert_eq!(e.read_handler("drops"), Ok("3".into()));
        e.write_handler("reset_counts", "").unwrap();
        assert_eq!((e.count(), e.drops()), (0, 0));
        assert_eq!(e.read_handler("x"), Err(HandlerError::NoSuchHandler));
        assert_eq!(e.write_handler("x", ""), Err(HandlerError::NoSuchHandler));
    }
}
