//! `nfc bench --plat kvm|arm64`: what an image costs and how fast it
//! forwards when QEMU runs it.
//!
//! Four figures, each one line naming the machine and the accelerator:
//!
//! 1. the image's size, and for a kvm image (an ELF) the size of a
//!    stripped copy (an arm64 `Image` is already bare: no symbols, no
//!    sections);
//! 2. boot time: from starting QEMU to the image's ready line (wall
//!    clock), and the image's own `booted in N us` (from its first
//!    instruction — the PVH entry, the Image entry — to just before
//!    ready, read from the TSC or the generic timer's counter), medians
//!    of several boots;
//! 3. the forwarding rate: a sender thread pushes one UDP flow of
//!    fixed-size frames into `eth0` (a `-netdev dgram` socket on
//!    127.0.0.1) as fast as it can, or at a set rate, while a receiver on
//!    every NIC counts the flow's frames coming out; frames/s offered and
//!    received, the loss, and where frames were lost (QEMU's socket, as
//!    the kernel counts it in `/proc/net/udp`; the guest's counters);
//! 4. optionally, the smallest `-m` with which the image boots and
//!    forwards (90 % of 1,000 paced frames come out), by bisection.
//!
//! The harness plays every host the image talks to: it answers each ARP
//! request the image sends on any NIC with [`HOST_MAC`] (so a
//! configuration with ARPQuerier resolves its next hop) and sends nothing
//! else but the flow. Every wait has a deadline; a QEMU that outlives one
//! is killed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use etherparse::{
    ArpHardwareId, ArpOperation, ArpPacket, EtherType, NetSlice, PacketBuilder, SlicedPacket,
    TransportSlice,
};

use crate::qemu::{Accel, Link, Machine, Nic, Vm};

/// The Ethernet address of every host the harness plays: the flow's
/// source and the answer to every ARP request.
pub const HOST_MAC: [u8; 6] = [0x02, 0x6e, 0x66, 0x63, 0xbe, 0x01];

/// How long an image may take to print its ready line (KVM here costs
/// milliseconds per VM exit, so boots can take seconds).
const BOOT_TIMEOUT: Duration = Duration::from_secs(60);

/// How long an image may take to stop after `WRITE stop`.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// How long QEMU may take to end after the image says it stopped (it
/// prints its counters and resets the machine).
const RESET_TIMEOUT: Duration = Duration::from_secs(2);

/// After the sender ends, frames still coming out are counted until none
/// has come for this long...
const QUIET: Duration = Duration::from_millis(500);

/// ... or for at most this long.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The memory search's traffic: this many frames, paced at
/// [`PROBE_RATE`] frames/s, of which 90 % must come out.
const PROBE_FRAMES: u64 = 1000;

/// See [`PROBE_FRAMES`].
const PROBE_RATE: f64 = 1000.0;

/// The bottom of the memory search, MiB: kvm images are linked at 1 MiB,
/// so a 1 MiB machine has no memory where the image goes (arm64's virt
/// needs more: QEMU refuses to load there, and the search goes on up).
const MIN_MEMORY_FROM: u32 = 2;

/// The traffic: one UDP flow of `frame_size`-byte Ethernet frames (no
/// FCS, as they cross `-netdev dgram`) from [`HOST_MAC`] to `dst_mac`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The destination MAC: `eth0`'s.
    pub dst_mac: [u8; 6],
    /// The source address and UDP port.
    pub src: SocketAddrV4,
    /// The destination address and UDP port.
    pub dst: SocketAddrV4,
    /// The frame's length in bytes, from the Ethernet header to the end
    /// of the UDP payload.
    pub frame_size: usize,
}

impl Flow {
    /// Ethernet, IPv4 and UDP headers: the shortest frame.
    pub const HEADERS: usize = 14 + 20 + 8;

    /// The longest frame: a 1,500-byte IP packet.
    pub const MAX_SIZE: usize = 1514;

    /// The flow's frame, with correct IP and UDP checksums and a zero
    /// payload.
    pub fn frame(&self) -> Result<Vec<u8>, String> {
        if !(Self::HEADERS..=Self::MAX_SIZE).contains(&self.frame_size) {
            return Err(format!(
                "nfc: a frame of {} bytes: frames are {}..={} bytes (Ethernet, IPv4 and UDP headers to a 1,500-byte IP packet)\n",
                self.frame_size,
                Self::HEADERS,
                Self::MAX_SIZE
            ));
        }
        let payload = vec![0u8; self.frame_size - Self::HEADERS];
        let builder = PacketBuilder::ethernet2(HOST_MAC, self.dst_mac)
            .ipv4(self.src.ip().octets(), self.dst.ip().octets(), 64)
            .udp(self.src.port(), self.dst.port());
        let mut frame = Vec::with_capacity(self.frame_size);
        builder
            .write(&mut frame, &payload)
            .map_err(|e| format!("nfc: building the flow's frame: {e}\n"))?;
        Ok(frame)
    }

    /// Whether `frame` carries the flow: IPv4, UDP, to the flow's
    /// destination address and port (what a router or firewall leaves
    /// alone while it rewrites MACs and the TTL).
    pub fn carries(&self, frame: &[u8]) -> bool {
        let Ok(p) = SlicedPacket::from_ethernet(frame) else {
            return false;
        };
        match (&p.net, &p.transport) {
            (Some(NetSlice::Ipv4(ip)), Some(TransportSlice::Udp(udp))) => {
                ip.header().destination_addr() == *self.dst.ip()
                    && udp.destination_port() == self.dst.port()
            }
            _ => false,
        }
    }
}

/// The answer to `frame` if it is an ARP request for an IPv4 address
/// (not a gratuitous one, which announces the sender's own): `mac` owns
/// the address asked for. Padded to Ethernet's 60-byte minimum.
pub fn arp_reply(frame: &[u8], mac: [u8; 6]) -> Option<Vec<u8>> {
    let p = SlicedPacket::from_ethernet(frame).ok()?;
    let Some(NetSlice::Arp(arp)) = &p.net else {
        return None;
    };
    let request = arp.to_packet().try_eth_ipv4().ok()?;
    if request.operation != ArpOperation::REQUEST || request.sender_ipv4 == request.target_ipv4 {
        return None;
    }
    let reply = ArpPacket::new(
        ArpHardwareId::ETHERNET,
        EtherType::IPV4,
        ArpOperation::REPLY,
        &mac,
        &request.target_ipv4,
        &request.sender_mac,
        &request.sender_ipv4,
    )
    .ok()?;
    let mut out = Vec::with_capacity(60);
    PacketBuilder::ethernet2(mac, request.sender_mac)
        .arp(reply)
        .write(&mut out)
        .ok()?;
    out.resize(out.len().max(60), 0);
    Some(out)
}

/// What `nfc bench --plat kvm|arm64` runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The QEMU machine.
    pub machine: Machine,
    /// The accelerator.
    pub accel: Accel,
    /// Guest memory for the boots and the rate, MiB; the top of the
    /// memory search.
    pub memory_mib: u32,
    /// How many boots the boot-time medians are taken over.
    pub boots: usize,
    /// How long the sender sends, seconds.
    pub seconds: f64,
    /// How many NICs (`-netdev dgram` on 127.0.0.1).
    pub nics: usize,
    /// MACs of the first NICs (the rest: [`Nic::default_mac`]).
    pub macs: Vec<[u8; 6]>,
    /// The flow's addresses and frame size (its `dst_mac` is set to
    /// `eth0`'s).
    pub src: SocketAddrV4,
    /// See [`Options::src`].
    pub dst: SocketAddrV4,
    /// See [`Flow::frame_size`].
    pub frame_size: usize,
    /// Frames per second to offer; `None`: as fast as the sender can.
    pub rate: Option<f64>,
    /// Also search the smallest memory that boots and forwards.
    pub min_memory: bool,
    /// More arguments for QEMU, passed as they are.
    pub qemu_args: Vec<String>,
}

impl Options {
    /// The defaults: microvm, TCG, 32 MiB, 5 boots, 5 seconds, 2 NICs,
    /// 64-byte frames from 198.51.100.20:40000 (inside the firewall's
    /// prefix) to 192.0.2.53:53 (DNS, which the firewall lets out).
    pub fn new() -> Options {
        Options {
            machine: Machine::default(),
            accel: Accel::default(),
            memory_mib: 32,
            boots: 5,
            seconds: 5.0,
            nics: 2,
            macs: Vec::new(),
            src: SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 20), 40000),
            dst: SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 53), 53),
            frame_size: 64,
            rate: None,
            min_memory: false,
            qemu_args: Vec::new(),
        }
    }

    /// Whether the options can be run: a NIC for the flow, a time and
    /// a rate above zero, a frame size that holds the headers.
    pub fn check(&self) -> Result<(), String> {
        if self.nics == 0 {
            return Err("nfc: --nics must be at least 1: the flow goes into eth0\n".into());
        }
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if !positive(self.seconds) || !self.rate.is_none_or(positive) {
            return Err("nfc: --seconds and --rate must be numbers above zero\n".into());
        }
        self.flow().frame().map(|_| ())
    }

    /// The `index`th NIC's MAC.
    fn mac(&self, index: usize) -> [u8; 6] {
        self.macs
            .get(index)
            .copied()
            .unwrap_or_else(|| Nic::default_mac(index))
    }

    /// The flow the sender sends into `eth0`.
    pub fn flow(&self) -> Flow {
        Flow {
            dst_mac: self.mac(0),
            src: self.src,
            dst: self.dst,
            frame_size: self.frame_size,
        }
    }

    /// `machine, accel` as every line names them.
    fn on(&self) -> String {
        format!("{}, {}", self.machine, self.accel)
    }

    /// Where the guest's boot time starts and what clock counts it.
    fn entry_and_clock(&self) -> (&'static str, &'static str) {
        if self.machine.is_arm64() {
            ("Image entry", "guest counter")
        } else {
            ("PVH entry", "guest TSC")
        }
    }
}

impl Default for Options {
    fn default() -> Options {
        Options::new()
    }
}

/// Runs the benchmark of the image `image` (kvm or arm64, as the
/// options' machine boots) of configuration `stem`, writing one line per
/// figure to `out` as it is measured.
pub fn bench(
    image: &Path,
    stem: &str,
    options: &Options,
    out: &mut dyn Write,
) -> Result<(), String> {
    let mut say = |line: String| {
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    };
    options.check()?;
    let frame = options.flow().frame()?;

    if options.machine.is_arm64() {
        say(format!(
            "{stem}: image {} B (a flat arm64 Image: nothing to strip)",
            file_size(image)?
        ));
    } else {
        let (size, stripped, tool) = sizes(image)?;
        say(format!(
            "{stem}: image {size} B, stripped {stripped} B ({tool})"
        ));
    }

    let mut walls = Vec::new();
    let mut guests = Vec::new();
    let mut about = String::new();
    for _ in 0..options.boots.max(1) {
        let (_links, mut guest) = boot(image, options, options.memory_mib)?;
        let ready = guest.wait_for("nfc: ready ", BOOT_TIMEOUT)?;
        walls.push(ready.duration_since(guest.started));
        let (us, rest) = guest.booted().ok_or_else(|| {
            format!(
                "nfc: no `booted in N us` line before the ready line:\n{}",
                guest.transcript()
            )
        })?;
        guests.push(us);
        about = rest;
        guest.stop()?;
    }
    // `median` sorts: the first and the last are the extremes.
    let wall = median(&mut walls);
    let (entry, clock) = options.entry_and_clock();
    say(format!(
        "{stem}: {}, -m {}M: QEMU start to ready line {:.1} ms (median of {}, {:.1}..{:.1}); {entry} to ready {} us ({clock}, median; {about})",
        options.on(),
        options.memory_mib,
        ms(wall),
        walls.len(),
        ms(walls[0]),
        ms(walls[walls.len() - 1]),
        median(&mut guests),
    ));

    let (links, mut guest) = boot(image, options, options.memory_mib)?;
    guest.wait_for("nfc: ready ", BOOT_TIMEOUT)?;
    let t = traffic(
        &links,
        &frame,
        &options.flow(),
        options.seconds,
        options.rate,
        None,
    );
    // Read while QEMU's socket still exists.
    let qemu_dropped = qemu_drops(&links[0]);
    let counters = guest.stop()?;
    let out_each: Vec<String> = t
        .links
        .iter()
        .enumerate()
        .map(|(i, l)| format!("eth{i} {}", l.flow))
        .collect();
    let mut notes = vec![format!("out: {}", out_each.join(", "))];
    if let Some(d) = qemu_dropped {
        notes.push(format!("dropped at QEMU's eth0 socket {d}"));
    }
    let own: u64 = links.iter().filter_map(own_drops).sum();
    if own > 0 {
        notes.push(format!("dropped at the harness's sockets {own}"));
    }
    let arp: u64 = t.links.iter().map(|l| l.arp).sum();
    let other: u64 = t.links.iter().map(|l| l.other).sum();
    notes.push(format!("ARP answered {arp}, other frames {other}"));
    if t.send_errors > 0 {
        notes.push(format!("send errors {}", t.send_errors));
    }
    say(format!(
        "{stem}: {}, -m {}M: {}-byte frames into eth0 for {:.1} s{}: offered {:.0} frames/s, received {:.0} frames/s, loss {:.1} % ({})",
        options.on(),
        options.memory_mib,
        options.frame_size,
        t.sending.as_secs_f64(),
        options
            .rate
            .map(|r| format!(" paced at {r:.0}/s"))
            .unwrap_or_default(),
        t.offered_rate(),
        t.received_rate(),
        t.loss_percent(),
        notes.join("; ")
    ));
    say(format!(
        "{stem}: guest counters: {}",
        if counters.is_empty() {
            "none".to_string()
        } else {
            counters.join(", ")
        }
    ));

    if options.min_memory {
        let (found, tries) = smallest_memory(image, options, &frame)?;
        let tried: Vec<String> = tries
            .iter()
            .map(|(m, r)| format!("{m} {}", r.as_deref().unwrap_or("ok")))
            .collect();
        say(match found {
            Some(m) => format!(
                "{stem}: {}: smallest -m that boots and forwards {m} MiB{} (90 % of {PROBE_FRAMES} frames at {PROBE_RATE:.0}/s; tried {})",
                options.on(),
                if m == MIN_MEMORY_FROM {
                    ", the least tried: the image is linked at 1 MiB"
                } else {
                    ""
                },
                tried.join(", ")
            ),
            None => format!(
                "{stem}: {}: does not boot and forward with -m {}M (tried {})",
                options.on(),
                options.memory_mib,
                tried.join(", ")
            ),
        });
    }
    Ok(())
}

/// Milliseconds, for printing.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Sorts `values` and returns the middle one (the upper of two).
fn median<T: Ord + Copy>(values: &mut [T]) -> T {
    values.sort();
    values[values.len() / 2]
}

/// A file's size in bytes.
fn file_size(p: &Path) -> Result<u64, String> {
    std::fs::metadata(p)
        .map(|m| m.len())
        .map_err(|e| format!("nfc: {}: {e}\n", p.display()))
}

/// The image's size, a stripped copy's size, and the tool that stripped
/// it: binutils' `strip`, else `llvm-objcopy`.
fn sizes(image: &Path) -> Result<(u64, u64, &'static str), String> {
    let copy = image.with_extension("stripped");
    let tools: [(&str, &[&str]); 2] = [
        ("strip", &["--strip-all", "-o"]),
        ("llvm-objcopy", &["--strip-all"]),
    ];
    for (tool, args) in tools {
        let mut c = Command::new(tool);
        c.args(args);
        if tool == "strip" {
            c.arg(&copy).arg(image);
        } else {
            c.arg(image).arg(&copy);
        }
        match c.output() {
            Ok(o) if o.status.success() => {
                let stripped = file_size(&copy)?;
                let _ = std::fs::remove_file(&copy);
                return Ok((file_size(image)?, stripped, tool));
            }
            Ok(o) => {
                return Err(format!(
                    "nfc: {tool} {}: {}\n",
                    image.display(),
                    String::from_utf8_lossy(&o.stderr).trim()
                ))
            }
            Err(_) => continue,
        }
    }
    Err("nfc: cannot run strip (nor llvm-objcopy): install the Debian package binutils\n".into())
}

/// Boots `image` with `memory_mib` and the options' NICs, each on a new
/// [`Link`].
fn boot(image: &Path, options: &Options, memory_mib: u32) -> Result<(Vec<Link>, Guest), String> {
    let mut vm = Vm::new(image);
    vm.machine = options.machine;
    vm.accel = options.accel;
    vm.memory_mib = memory_mib;
    vm.extra = options.qemu_args.clone();
    let mut links = Vec::new();
    for i in 0..options.nics {
        let (link, nic) = Link::new(options.mac(i))?;
        links.push(link);
        vm.nics.push(nic);
    }
    let guest = Guest::boot(&vm)?;
    Ok((links, guest))
}

/// Memory sizes tried, MiB, each with why it failed (`None`: it passed).
type Tries = Vec<(u32, Option<String>)>;

/// The smallest memory, MiB, from [`MIN_MEMORY_FROM`] to the options'
/// memory, with which the image boots and forwards, by bisection (more
/// memory never hurts), and the sizes tried.
fn smallest_memory(
    image: &Path,
    options: &Options,
    frame: &[u8],
) -> Result<(Option<u32>, Tries), String> {
    let mut tries = Vec::new();
    let mut probe = |m: u32| -> Result<bool, String> {
        let (links, mut guest) = boot(image, options, m)?;
        let failed = match guest.wait_for("nfc: ready ", BOOT_TIMEOUT) {
            Err(e) => Some(guest.why_not(&e)),
            Ok(_) => {
                let t = traffic(
                    &links,
                    frame,
                    &options.flow(),
                    f64::INFINITY,
                    Some(PROBE_RATE),
                    Some(PROBE_FRAMES),
                );
                let out = t.received();
                (out * 10 < PROBE_FRAMES * 9).then(|| format!("{out} of {PROBE_FRAMES} out"))
            }
        };
        let _ = guest.stop();
        let ok = failed.is_none();
        tries.push((m, failed));
        Ok(ok)
    };
    let (mut low, mut high) = (MIN_MEMORY_FROM, options.memory_mib.max(MIN_MEMORY_FROM));
    if !probe(high)? {
        return Ok((None, tries));
    }
    // Invariant: `high` passes; everything below `low` fails.
    while low < high {
        let mid = low + (high - low) / 2;
        if probe(mid)? {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    Ok((Some(high), tries))
}

/// A booted image: QEMU with the serial console on its standard input
/// and output, every line it prints (and QEMU's own errors) timed as
/// it arrives.
struct Guest {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<(Instant, String)>,
    /// Every line so far.
    seen: Vec<String>,
    /// When QEMU was started.
    started: Instant,
}

impl Guest {
    /// Starts QEMU for `vm`.
    fn boot(vm: &Vm) -> Result<Guest, String> {
        let started = Instant::now();
        let mut child = vm
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| vm.machine.missing(&e) + "\n")?;
        let (tx, lines) = mpsc::channel();
        let streams: [Box<dyn Read + Send>; 2] = [
            Box::new(child.stdout.take().expect("piped stdout")),
            Box::new(child.stderr.take().expect("piped stderr")),
        ];
        for stream in streams {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).split(b'\n') {
                    let Ok(line) = line else { break };
                    let text = String::from_utf8_lossy(&line).trim_end().to_string();
                    if tx.send((Instant::now(), text)).is_err() {
                        break;
                    }
                }
            });
        }
        Ok(Guest {
            stdin: child.stdin.take(),
            child,
            lines,
            seen: Vec::new(),
            started,
        })
    }

    /// Waits at most `timeout` for a line starting with `prefix`;
    /// returns when it came. The image's `nfc: stopped` line before it
    /// ends the wait too (a stopped image may not reset the machine).
    fn wait_for(&mut self, prefix: &str, timeout: Duration) -> Result<Instant, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((at, line)) => {
                    let found = line.starts_with(prefix);
                    let stopped = line.starts_with("nfc: stopped");
                    self.seen.push(line);
                    if found {
                        return Ok(at);
                    }
                    if stopped {
                        return Err(format!(
                            "nfc: the image stopped before a `{prefix}` line:\n{}",
                            self.transcript()
                        ));
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "nfc: no `{prefix}` line in {timeout:?}:\n{}",
                        self.transcript()
                    ))
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().map_err(|e| e.to_string())?;
                    return Err(format!(
                        "nfc: QEMU ended ({status}) before a `{prefix}` line:\n{}",
                        self.transcript()
                    ));
                }
            }
        }
    }

    /// The guest's `booted in N us, …` line, once it has come: N and
    /// the rest (TSC, heap and packet buffers).
    fn booted(&self) -> Option<(u64, String)> {
        self.seen.iter().find_map(|l| {
            let (_, rest) = l.split_once(": booted in ")?;
            let (us, rest) = rest.split_once(" us")?;
            Some((us.parse().ok()?, rest.trim_start_matches(", ").to_string()))
        })
    }

    /// Why the image did not come up, in a few words, after
    /// [`Guest::wait_for`] failed with `error`: the line before the
    /// image's `nfc: stopped` line and the reason it gives, else the
    /// error's first line and the last line printed (QEMU's own error
    /// when it refused to start).
    fn why_not(&self, error: &str) -> String {
        let short = |l: &str| {
            l.trim()
                .trim_start_matches("nfc: ")
                .trim_end_matches(':')
                .to_string()
        };
        match self.seen.iter().position(|l| l.starts_with("nfc: stopped")) {
            Some(i) => {
                let cause = self.seen[..i].iter().rev().find(|l| !l.trim().is_empty());
                format!(
                    "{} ({})",
                    cause.map(|l| short(l)).unwrap_or_default(),
                    short(&self.seen[i])
                )
            }
            None => {
                let first = short(error.lines().next().unwrap_or_default());
                match self.seen.last().filter(|l| !l.trim().is_empty()) {
                    Some(last) => format!("{first}: {}", last.trim()),
                    None => first,
                }
            }
        }
    }

    /// Everything printed so far, for error messages.
    fn transcript(&self) -> String {
        let mut t = self.seen.join("\n");
        t.push('\n');
        t
    }

    /// Types `WRITE stop` into the console and waits for QEMU to end (at
    /// most [`STOP_TIMEOUT`], and at most [`RESET_TIMEOUT`] after the
    /// image's `nfc: stopped` line; then it is killed); returns the
    /// counters the image printed after that line, `name.handler value`.
    fn stop(mut self) -> Result<Vec<String>, String> {
        if let Some(stdin) = self.stdin.as_mut() {
            let _ = stdin.write_all(b"WRITE stop\n").and_then(|_| stdin.flush());
        }
        let mut deadline = Instant::now() + STOP_TIMEOUT;
        let mut stopped = false;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((at, line)) => {
                    if !stopped && line.starts_with("nfc: stopped") {
                        stopped = true;
                        deadline = deadline.min(at + RESET_TIMEOUT);
                    }
                    self.seen.push(line);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                // Stopped, but the machine did not reset (a KVM that
                // fails the triple fault): the counters are out.
                Err(mpsc::RecvTimeoutError::Timeout) if stopped => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "nfc: no `nfc: stopped` line within {STOP_TIMEOUT:?} of `WRITE stop`:\n{}",
                        self.transcript()
                    ))
                }
            }
        }
        let counters = self
            .seen
            .iter()
            .skip_while(|l| !l.starts_with("nfc: stopped"))
            .skip(1)
            .filter(|l| l.split_whitespace().count() == 2 && l.contains('.'))
            .cloned()
            .collect();
        Ok(counters)
    }
}

impl Drop for Guest {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Datagrams the kernel dropped at QEMU's socket for `link`'s NIC
/// because QEMU did not read them in time.
fn qemu_drops(link: &Link) -> Option<u64> {
    udp_drops(&std::fs::read_to_string("/proc/net/udp").ok()?, link.qemu())
}

/// Datagrams dropped at the harness's own socket of `link`.
fn own_drops(link: &Link) -> Option<u64> {
    let SocketAddr::V4(a) = link.socket().local_addr().ok()? else {
        return None;
    };
    udp_drops(&std::fs::read_to_string("/proc/net/udp").ok()?, a)
}

/// The `drops` column of the socket bound to `at` in `table`
/// (`/proc/net/udp`'s text).
fn udp_drops(table: &str, at: SocketAddrV4) -> Option<u64> {
    // The address as the kernel prints it: the 32-bit word in memory
    // order, then the port, in hex.
    let local = format!(
        "{:08X}:{:04X}",
        u32::from_ne_bytes(at.ip().octets()),
        at.port()
    );
    table.lines().skip(1).find_map(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        (words.get(1) == Some(&local.as_str()))
            .then(|| words.last()?.parse().ok())
            .flatten()
    })
}

/// What came out of one NIC.
#[derive(Clone, Copy, Debug, Default)]
struct Out {
    /// Frames of the flow.
    flow: u64,
    /// ARP requests answered.
    arp: u64,
    /// Anything else.
    other: u64,
}

/// One run of traffic.
#[derive(Debug)]
struct Traffic {
    /// Frames the sender handed to the kernel.
    offered: u64,
    /// Sends that failed.
    send_errors: u64,
    /// How long the sender sent.
    sending: Duration,
    /// From the first send to the last frame of the flow that came out.
    until_last: Duration,
    /// What came out of each NIC, `eth0` first.
    links: Vec<Out>,
}

impl Traffic {
    /// Frames of the flow that came out of any NIC.
    fn received(&self) -> u64 {
        self.links.iter().map(|l| l.flow).sum()
    }

    fn offered_rate(&self) -> f64 {
        rate(self.offered, self.sending)
    }

    fn received_rate(&self) -> f64 {
        rate(self.received(), self.until_last)
    }

    fn loss_percent(&self) -> f64 {
        if self.offered == 0 {
            return 0.0;
        }
        100.0 * (1.0 - self.received() as f64 / self.offered as f64)
    }
}

/// Frames per second.
fn rate(frames: u64, over: Duration) -> f64 {
    if over.is_zero() {
        0.0
    } else {
        frames as f64 / over.as_secs_f64()
    }
}

/// Sends `frame` into `links[0]` for `seconds` (and at most `limit`
/// frames), at `rate` frames/s or as fast as it can, while a receiver per
/// link counts what comes out, answers ARP requests and stops once the
/// flow is quiet after the sender ends.
fn traffic(
    links: &[Link],
    frame: &[u8],
    flow: &Flow,
    seconds: f64,
    rate: Option<f64>,
    limit: Option<u64>,
) -> Traffic {
    let stop = AtomicBool::new(false);
    let progress = AtomicU64::new(0);
    let start = Instant::now();
    // Nanoseconds from `start` to the last frame of the flow out.
    let last = AtomicU64::new(0);
    std::thread::scope(|s| {
        let receivers: Vec<_> = links
            .iter()
            .map(|link| {
                let (stop, progress, last) = (&stop, &progress, &last);
                s.spawn(move || {
                    let mut out = Out::default();
                    let mut buf = vec![0u8; 65536];
                    let _ = link
                        .socket()
                        .set_read_timeout(Some(Duration::from_millis(20)));
                    while !stop.load(Ordering::Relaxed) {
                        let Ok(n) = link.socket().recv(&mut buf) else {
                            continue;
                        };
                        let got = &buf[..n];
                        if flow.carries(got) {
                            out.flow += 1;
                            progress.fetch_add(1, Ordering::Relaxed);
                            let at = start.elapsed().as_nanos() as u64;
                            last.fetch_max(at, Ordering::Relaxed);
                        } else if let Some(reply) = arp_reply(got, HOST_MAC) {
                            let _ = link.send(&reply);
                            out.arp += 1;
                        } else {
                            out.other += 1;
                        }
                    }
                    out
                })
            })
            .collect();
        let sender = s.spawn(|| {
            let link = &links[0];
            let end = start + Duration::from_secs_f64(seconds.min(1e6));
            let (mut sent, mut errors) = (0u64, 0u64);
            loop {
                if limit.is_some_and(|l| sent + errors >= l) {
                    break;
                }
                let now = Instant::now();
                if now >= end {
                    break;
                }
                if let Some(r) = rate {
                    let due = start + Duration::from_secs_f64((sent + errors) as f64 / r);
                    if due > now {
                        std::thread::sleep(due - now);
                    }
                }
                match link.send(frame) {
                    Ok(_) => sent += 1,
                    Err(_) => errors += 1,
                }
            }
            (sent, errors, start.elapsed())
        });
        let (offered, send_errors, sending) = sender.join().expect("the sender thread");
        let drain_end = Instant::now() + DRAIN_TIMEOUT;
        let mut seen = progress.load(Ordering::Relaxed);
        let mut quiet_since = Instant::now();
        while Instant::now() < drain_end && quiet_since.elapsed() < QUIET {
            std::thread::sleep(Duration::from_millis(20));
            let now = progress.load(Ordering::Relaxed);
            if now != seen {
                seen = now;
                quiet_since = Instant::now();
            }
        }
        stop.store(true, Ordering::Relaxed);
        let links = receivers
            .into_iter()
            .map(|r| r.join().expect("a receiver thread"))
            .collect();
        let until_last = Duration::from_nanos(last.load(Ordering::Relaxed));
        Traffic {
            offered,
            send_errors,
            sending,
            until_last,
            links,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nfc_dataplane::checksum;

    fn flow(size: usize) -> Flow {
        Flow {
            dst_mac: [0x52, 0x54, 0, 0, 0, 1],
            src: "198.51.100.20:40000".parse().unwrap(),
            dst: "192.0.2.53:53".parse().unwrap(),
            frame_size: size,
        }
    }

    #[test]
    fn the_flow_frame_has_its_size_addresses_and_checksums() {
        for size in [42, 60, 64, 1514] {
            let f = flow(size).frame().unwrap();
            assert_eq!(f.len(), size);
            assert_eq!(&f[..6], &[0x52, 0x54, 0, 0, 0, 1]);
            assert_eq!(&f[6..12], &HOST_MAC);
            assert_eq!(&f[12..14], &[0x08, 0x00]);
            let ip = &f[14..34];
            assert_eq!(ip[0], 0x45);
            assert_eq!(usize::from(u16::from_be_bytes([ip[2], ip[3]])), size - 14);
            assert_eq!(ip[9], 17, "UDP");
            assert_eq!(checksum::checksum(ip), 0, "IP header checksum");
            assert_eq!(&ip[12..16], &[198, 51, 100, 20]);
            assert_eq!(&ip[16..20], &[192, 0, 2, 53]);
            let udp = &f[34..];
            assert_eq!(u16::from_be_bytes([udp[0], udp[1]]), 40000);
            assert_eq!(u16::from_be_bytes([udp[2], udp[3]]), 53);
            assert_eq!(usize::from(u16::from_be_bytes([udp[4], udp[5]])), size - 34);
            let sum =
                checksum::pseudo_header([198, 51, 100, 20], [192, 0, 2, 53], 17, udp.len() as u16);
            assert_eq!(checksum::finish(checksum::add(sum, udp)), 0, "UDP checksum");
            assert!(flow(size).carries(&f));
        }
        for bad in [41, 1515] {
            assert!(flow(bad).frame().unwrap_err().contains("42..=1514"));
        }
    }

    #[test]
    fn only_the_flow_counts_as_the_flow() {
        let f = flow(64);
        let mut other_port = f.clone();
        other_port.dst.set_port(54);
        let mut other_host = f.clone();
        other_host.dst.set_ip(Ipv4Addr::new(192, 0, 2, 54));
        let frame = f.frame().unwrap();
        assert!(!f.carries(&other_port.frame().unwrap()));
        assert!(!f.carries(&other_host.frame().unwrap()));
        assert!(!f.carries(&frame[..40]), "truncated");
        assert!(!f.carries(&[]));
        // A router's copy: other MACs, TTL one less, checksum updated.
        let mut routed = frame.clone();
        routed[..12].copy_from_slice(&[2, 0, 0, 0, 0, 9, 2, 0, 0, 0, 0, 8]);
        routed[22] -= 1;
        assert!(f.carries(&routed));
    }

    /// An ARP request from `mac`/`ip` for `target`.
    fn request(mac: [u8; 6], ip: [u8; 4], target: [u8; 4]) -> Vec<u8> {
        let arp = ArpPacket::new(
            ArpHardwareId::ETHERNET,
            EtherType::IPV4,
            ArpOperation::REQUEST,
            &mac,
            &ip,
            &[0; 6],
            &target,
        )
        .unwrap();
        let mut out = Vec::new();
        PacketBuilder::ethernet2(mac, [0xff; 6])
            .arp(arp)
            .write(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn arp_requests_are_answered_with_the_fixed_mac() {
        let fw = [2, 0, 0, 0, 0, 2];
        let reply = arp_reply(&request(fw, [203, 0, 113, 2], [203, 0, 113, 1]), HOST_MAC).unwrap();
        assert_eq!(reply.len(), 60);
        assert_eq!(&reply[..6], &fw, "to the asker");
        assert_eq!(&reply[6..12], &HOST_MAC);
        assert_eq!(&reply[12..14], &[0x08, 0x06]);
        let arp = &reply[14..42];
        assert_eq!(&arp[..8], &[0, 1, 8, 0, 6, 4, 0, 2], "Ethernet/IPv4 reply");
        assert_eq!(&arp[8..14], &HOST_MAC, "sender MAC");
        assert_eq!(
            &arp[14..18],
            &[203, 0, 113, 1],
            "sender IP: the one asked for"
        );
        assert_eq!(&arp[18..24], &fw, "target MAC");
        assert_eq!(&arp[24..28], &[203, 0, 113, 2], "target IP");
        assert!(reply[42..].iter().all(|b| *b == 0), "padding");

        // No answer to a reply, a gratuitous request, the flow, or junk.
        assert!(arp_reply(&reply, HOST_MAC).is_none());
        let gratuitous = request(fw, [203, 0, 113, 2], [203, 0, 113, 2]);
        assert!(arp_reply(&gratuitous, HOST_MAC).is_none());
        assert!(arp_reply(&flow(64).frame().unwrap(), HOST_MAC).is_none());
        let asked = request(fw, [203, 0, 113, 2], [203, 0, 113, 1]);
        assert!(arp_reply(&asked[..30], HOST_MAC).is_none(), "truncated");
        assert!(arp_reply(&[0xff; 10], HOST_MAC).is_none());
    }

    #[test]
    fn udp_drops_are_read_from_the_kernel_table() {
        let table = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
             1: 0100007F:9C41 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 1 2 0000000000000000 17\n\
             2: 0100007F:9C40 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3 2 0000000000000000 0\n";
        let at = |port| SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
        if cfg!(target_endian = "little") {
            assert_eq!(udp_drops(table, at(0x9c41)), Some(17));
            assert_eq!(udp_drops(table, at(0x9c40)), Some(0));
        }
        assert_eq!(udp_drops(table, at(1)), None);
        assert_eq!(udp_drops("", at(1)), None);
    }

    #[test]
    fn traffic_figures() {
        let t = Traffic {
            offered: 1000,
            send_errors: 0,
            sending: Duration::from_secs(2),
            until_last: Duration::from_millis(2500),
            links: vec![
                Out::default(),
                Out {
                    flow: 250,
                    arp: 1,
                    other: 0,
                },
            ],
        };
        assert_eq!(t.received(), 250);
        assert_eq!(t.offered_rate(), 500.0);
        assert_eq!(t.received_rate(), 100.0);
        assert_eq!(t.loss_percent(), 75.0);
        assert_eq!(rate(5, Duration::ZERO), 0.0);
        assert_eq!(median(&mut [3, 1, 2]), 2);
        assert_eq!(median(&mut [4, 1, 3, 2]), 3);
    }
}
