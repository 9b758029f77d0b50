//! # FromDevice — reads packets from a network device
//!
//! ```click
//! FromDevice(DEVNAME [, PROMISC, SNAPLEN, KEYWORDS])
//! ```
//!
//! Ports: no inputs, 1 or 2 outputs (`0/1-2`). Processing: push (`h/h`).
//!
//! Pushes every frame received on device DEVNAME out output 0, up to BURST
//! frames each time its task runs. DEVNAME is a logical name: in an image
//! `ethN` is the Nth NIC found (PCI bus and slot order; for virtio-mmio,
//! the order of the kernel command line, which is QEMU's `-device` order;
//! vif order on Xen), and a MAC address (`52:54:00:12:34:56`) names the
//! NIC that has it; on linux it maps to a host interface with `--dev eth0=tap3` (default: the
//! same name). Sets each packet's timestamp, device and packet-type
//! annotations: broadcast (`ff:ff:ff:ff:ff:ff`), multicast (group bit
//! set), host (the device's own address) or other host. Frames longer
//! than SNAPLEN are cut to SNAPLEN bytes, the bytes cut recorded as extra
//! length. With FORCE_IP, only IPv4 packets leave output 0, with their
//! network header annotation set, and the rest go out output 1, or are
//! dropped when there is none.
//!
//! ## Keywords
//! - `DEVNAME` *device name* — the device; mandatory.
//! - `PROMISC` *boolean* — receive frames for any address; default false.
//! - `SNAPLEN` *14–65535* — the most bytes kept per frame; default 2046.
//! - `BURST` *unsigned ≥ 1* — frames per run, at most 32; default 32.
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
//! - `kernel_drops` (read) — frames the device dropped (no free buffer,
//!   too long).
//! - `encap` (read) — the link type (`ETHER` or `IP`).
//!
//! ## Examples
//! ```click
//! FromDevice(eth0, PROMISC true, BURST 32) -> Classifier(12/0806, 12/0800, -) -> ...;
//! ```
//!
//! ## Differences from Click
//! - DEVNAME is a logical name (see above), not a host interface name.
//! - BURST defaults to 32, the size of an nfc batch, rather than 1; a
//!   larger BURST takes 32 frames per run.
//! - nfc always owns the device: `SNIFFER false` is the only mode, and
//!   `SNIFFER true` is accepted but ignored.
//! - `HEADROOM` is checked and ignored: every nfc buffer has the same
//!   headroom (128 bytes).
//! - `METHOD`/`CAPTURE` (LINUX, PCAP, NETMAP), `BPF_FILTER`, `PROTOCOL` and
//!   `OUTBOUND` are checked and ignored: nfc uses the platform's own
//!   driver, and filtering belongs in the configuration (Classifier, IPFilter).

use alloc::format;
use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::batch::{Batch, BURST};
use nfc_dataplane::device::NetDevice;
use nfc_dataplane::element::{Context, Element, HandlerError, Out, TaskResult};
use nfc_dataplane::packet::{Packet, PacketType};
use nfc_dataplane::parse::{self, ParseError};

use super::{device_name, encap, ipv4_header, Devices, Encap};
use crate::standard::truncate::set_extra_length;
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
        let burst = args
            .read("BURST", parse::unsigned::<u32>)
            .unwrap_or(BURST as u32);
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

/// Output 0: the frames received (IP packets only, with FORCE_IP).
pub const OUT_RECEIVED: usize = 0;
/// Output 1: with FORCE_IP, the frames that are not IP.
pub const OUT_NON_IP: usize = 1;

/// FromDevice at run time, on a driver `D`.
#[derive(Debug)]
pub struct FromDeviceOn<D: NetDevice> {
    config: FromDevice,
    device: D,
    /// The device annotation given to received packets.
    index: u8,
    /// The device's Ethernet address, read once.
    mac: [u8; 6],
    /// Frames per run, at most [`BURST`].
    burst: usize,
    count: u64,
}

impl<D: NetDevice> FromDeviceOn<D> {
    /// FromDevice configured by `config`, receiving from `device`, whose
    /// packets get device annotation `index`.
    pub fn new(config: FromDevice, device: D, index: u8) -> Self {
        let mac = device.mac();
        let burst = (config.burst as usize).clamp(1, BURST);
        FromDeviceOn {
            config,
            device,
            index,
            mac,
            burst,
            count: 0,
        }
    }

    /// FromDevice configured by `config` (its configuration string) on
    /// `plat`'s device.
    pub fn open<P: Devices<Device = D>>(plat: &mut P, config: &str) -> Result<Self, String> {
        let config = FromDevice::configure(config).map_err(|e| format!("FromDevice: {e}"))?;
        Self::open_configured(plat, config)
    }

    /// FromDevice configured by `config` on `plat`'s device.
    pub fn open_configured<P: Devices<Device = D>>(
        plat: &mut P,
        config: FromDevice,
    ) -> Result<Self, String> {
        let (device, index) = plat.device(&config.devname, config.promisc, false)?;
        Ok(Self::new(config, device, index))
    }

    /// The configuration.
    pub fn config(&self) -> &FromDevice {
        &self.config
    }

    /// The driver.
    pub fn device(&self) -> &D {
        &self.device
    }

    /// Frames received since the last reset.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Sets a received packet's annotations; says whether it is IPv4 (with
    /// its network header set) when FORCE_IP asks.
    #[inline]
    fn annotate(&self, cx: &Context, p: &mut Packet) -> bool {
        let snaplen = self.config.snaplen as usize;
        if p.len() > snaplen {
            let cut = p.len() - snaplen;
            p.take(cut);
            set_extra_length(p, cut as u32);
        }
        p.set_device(self.index);
        if self.config.timestamp {
            p.set_timestamp(cx.wall);
        }
        let encap = self.config.encap.unwrap_or_default();
        if encap == Encap::Ether {
            p.set_packet_type(packet_type(p.data(), &self.mac));
        }
        if !self.config.force_ip {
            return true;
        }
        match ipv4_header(p.data(), encap) {
            Some((offset, len)) => {
                p.set_network_header(offset, len);
                true
            }
            None => false,
        }
    }
}

/// The packet type of an Ethernet frame arriving at a device whose address
/// is `mac` (Click's `PACKET_HOST`, `PACKET_BROADCAST`, …). Frames too
/// short to hold a destination count as sent to this host.
#[inline]
pub fn packet_type(frame: &[u8], mac: &[u8; 6]) -> PacketType {
    match frame.get(..6) {
        Some([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) => PacketType::Broadcast,
        Some(dst) if dst[0] & 1 != 0 => PacketType::Multicast,
        Some(dst) if dst != mac => PacketType::OtherHost,
        _ => PacketType::Host,
    }
}

impl<D: NetDevice> Element for FromDeviceOn<D> {
    fn has_task(&self) -> bool {
        true
    }

    fn run_task(&mut self, cx: &Context, batch: &mut Batch, others: &mut [Batch]) -> TaskResult {
        let n = self.device.rx_burst(cx.pool, batch, self.burst);
        if n == 0 {
            return TaskResult::Idle;
        }
        self.count += n as u64;
        if !self.config.force_ip {
            for p in batch.iter_mut() {
                self.annotate(cx, p);
            }
            return TaskResult::Busy;
        }
        batch.route(others, |p| {
            if self.annotate(cx, p) {
                Out::Port(OUT_RECEIVED)
            } else {
                Out::Port(OUT_NON_IP)
            }
        });
        TaskResult::Busy
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "count" => self.count.to_string(),
            "kernel_drops" => self.device.stats().rx_dropped.to_string(),
            "encap" => match self.config.encap.unwrap_or_default() {
                Encap::Ether => "ETHER".into(),
                Encap::Ip => "IP".into(),
            },
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    fn write_handler(&mut self, name: &str, _value: &str) -> Result<(), HandlerError> {
        match name {
            "reset_counts" => self.count = 0,
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
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
    use crate::devices::fake::{Fake, MAC};
    use crate::harness;
    use crate::standard::testing::{errors, has};
    use alloc::vec::Vec;

    #[test]
    fn values() {
        let d = FromDevice::configure("eth0").unwrap();
        assert_eq!(d.devname, "eth0");
        assert_eq!(
            (d.promisc, d.snaplen, d.burst, d.timestamp),
            (false, 2046, 32, true)
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

    /// A frame to `dst` whose 15th byte (the IP version, for IPv4) tells
    /// frames apart.
    fn frame(dst: [u8; 6], ethertype: u16, tag: u8) -> Vec<u8> {
        let mut f = harness::udp_frame([10, 0, 0, 1], [10, 0, 0, 2], 1, 2, 4);
        f[..6].copy_from_slice(&dst);
        f[12..14].copy_from_slice(&ethertype.to_be_bytes());
        f[41] = tag;
        f
    }

    /// The destination of frame `i` in a batch with varied metadata.
    fn dst(i: usize) -> [u8; 6] {
        match i % 4 {
            0 => MAC,
            1 => [0xff; 6],
            2 => [0x01, 0x00, 0x5e, 0, 0, 1],
            _ => [0x02, 0, 0, 0, 0, 0x99],
        }
    }

    fn want_type(i: usize) -> PacketType {
        [
            PacketType::Host,
            PacketType::Broadcast,
            PacketType::Multicast,
            PacketType::OtherHost,
        ][i % 4]
    }

    fn element(config: &str, frames: impl IntoIterator<Item = Vec<u8>>) -> FromDeviceOn<Fake> {
        let fake = Fake {
            rx: frames.into_iter().collect(),
            ..Fake::default()
        };
        FromDeviceOn::new(FromDevice::configure(config).unwrap(), fake, 3)
    }

    /// Runs the task once with `noutputs` outputs.
    fn run(e: &mut FromDeviceOn<Fake>, cx: &Context, noutputs: usize) -> (TaskResult, Vec<Batch>) {
        let mut outs: Vec<Batch> = (0..noutputs).map(|_| Batch::new()).collect();
        let r = harness::task(e, cx, Batch::new(), &mut outs);
        (r, outs)
    }

    #[test]
    fn bursts_of_every_size_keep_order_and_annotations() {
        for n in [0usize, 1, 31, 32, 33] {
            let pool = harness::pool();
            let cx = Context {
                wall: 1_700_000_000_000_000_000,
                ..harness::cx(pool)
            };
            let frames = (0..n).map(|i| frame(dst(i), 0x0800, i as u8));
            let mut e = element("eth0", frames);
            let mut got = Vec::new();
            for _ in 0..3 {
                let (r, outs) = run(&mut e, &cx, 1);
                assert!(outs[0].len() <= BURST);
                assert_eq!(r == TaskResult::Busy, !outs[0].is_empty(), "n={n}");
                got.extend(outs[0].iter().map(|p| {
                    assert_eq!(p.device(), 3);
                    assert_eq!(p.timestamp(), cx.wall);
                    assert_eq!(p.network_offset(), None, "no FORCE_IP");
                    (p.data()[41], p.packet_type())
                }));
            }
            let want: Vec<_> = (0..n).map(|i| (i as u8, want_type(i))).collect();
            assert_eq!(got, want, "n={n}");
            assert_eq!(e.read_handler("count"), Ok(n.to_string()));
            drop(got);
            assert_eq!(pool.available(), pool.capacity(), "n={n}: nothing leaked");
        }
    }

    #[test]
    fn burst_snaplen_and_timestamp_settings() {
        let pool = harness::pool();
        let cx = Context {
            wall: 77,
            ..harness::cx(pool)
        };
        let mut e = element(
            "eth0, SNAPLEN 20, BURST 4, TIMESTAMP false",
            (0..6).map(|i| frame(MAC, 0x0800, i)),
        );
        let (_, outs) = run(&mut e, &cx, 1);
        assert_eq!(outs[0].len(), 4, "BURST 4");
        assert!(outs[0].iter().all(|p| p.len() == 20 && p.timestamp() == 0));
        let full = frame(MAC, 0x0800, 0).len() as u32;
        assert!(outs[0]
            .iter()
            .all(|p| crate::standard::truncate::extra_length(p) == full - 20));
        let (_, outs) = run(&mut e, &cx, 1);
        assert_eq!(outs[0].len(), 2);
        assert_eq!(run(&mut e, &cx, 1).0, TaskResult::Idle);
        e.write_handler("reset_counts", "").unwrap();
        assert_eq!(e.count(), 0);
        assert_eq!(e.read_handler("encap"), Ok("ETHER".into()));
        assert_eq!(e.read_handler("nope"), Err(HandlerError::NoSuchHandler));
        assert_eq!(
            e.write_handler("count", "1"),
            Err(HandlerError::NoSuchHandler)
        );
    }

    #[test]
    fn force_ip_splits_ip_from_the_rest() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let frames = (0..33).map(|i| frame(dst(i), [0x0800, 0x0806, 0x86dd][i % 3], i as u8));
        let mut e = element("eth0, FORCE_IP true", frames.clone());
        let (_, outs) = run(&mut e, &cx, 2);
        let tags = |b: &Batch| b.iter().map(|p| p.data()[41]).collect::<Vec<_>>();
        let ip: Vec<u8> = (0..32).filter(|i| i % 3 == 0).collect();
        let other: Vec<u8> = (0..32).filter(|i| i % 3 != 0).collect();
        assert_eq!(tags(&outs[0]), ip);
        assert_eq!(tags(&outs[1]), other);
        assert!(outs[0]
            .iter()
            .all(|p| p.network_offset() == Some(14) && p.network_header_len() == Some(20)));
        drop(outs);
        // With one output, non-IP frames are dropped.
        let mut e = element("eth0, FORCE_IP true", frames);
        let (_, outs) = run(&mut e, &cx, 1);
        assert_eq!(tags(&outs[0]), ip);
        drop(outs);
        assert_eq!(
            pool.available(),
            pool.capacity(),
            "dropped frames were freed"
        );
    }

    #[test]
    fn ip_encapsulation_sets_no_link_packet_type() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let f = frame([0xff; 6], 0x0800, 9);
        let mut e = element("eth0, ENCAP IP, FORCE_IP true", [f[14..].to_vec(), f]);
        let (_, outs) = run(&mut e, &cx, 2);
        assert_eq!(outs[0].len(), 1);
        let p = outs[0].iter().next().unwrap();
        assert_eq!(p.packet_type(), PacketType::Host);
        assert_eq!(p.network_offset(), Some(0));
        assert_eq!(outs[1].len(), 1, "an Ethernet frame is not IP here");
        assert_eq!(e.read_handler("encap"), Ok("IP".into()));
    }

    #[test]
    fn frames_arriving_with_no_free_buffer_are_counted() {
        let pool = nfc_dataplane::packet::PacketPool::new(2);
        let cx = harness::cx(pool);
        let mut e = element("eth0", (0..5).map(|i| frame(MAC, 0x0800, i)));
        let (_, outs) = run(&mut e, &cx, 1);
        assert_eq!(outs[0].len(), 2);
        assert_eq!(e.read_handler("kernel_drops"), Ok("3".into()));
        assert_eq!(e.count(), 2);
        assert_eq!(e.device().stats().rx, 2);
    }

    #[test]
    fn packet_types_of_odd_frames() {
        assert_eq!(packet_type(&[], &MAC), PacketType::Host);
        assert_eq!(packet_type(&[0xff; 5], &MAC), PacketType::Host);
        assert_eq!(packet_type(&MAC, &MAC), PacketType::Host);
        assert_eq!(
            packet_type(&[0x33, 0x33, 0, 0, 0, 1], &MAC),
            PacketType::Multicast
        );
    }
}
