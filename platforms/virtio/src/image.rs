//! What every virtio image shares above its machine layer: [`Image`], the
//! poll loop's [`Platform`] and the device elements' [`Devices`], the
//! ControlSocket protocol on the console, and [`main`], the image's one
//! program.
//!
//! An image's machine layer (x86_64 for kvm and xen, arm64) implements
//! [`Machine`] — console bytes, clock, entropy, the hypervisor's shutdown
//! request, its NICs (virtio-net, or Xen's netfront), how to stop — and
//! its `entry!` calls [`main`] with a generated pipeline. Everything here
//! is the same on every architecture and hypervisor.
//!
//! The console carries one ControlSocket [`Session`]: what is typed feeds
//! it, its replies go out, nothing is echoed; the session greets after the
//! ready line. Console lines (boot lines, Print, the stop report) and
//! replies interleave line by line: a reply whose data does not end in a
//! line end gets one. After `QUIT` a new session starts. A CR typed alone
//! (a terminal's Enter) ends a command once a poll period passes without
//! more ([`Session::pause`]). `WRITE stop` stops the configuration (`nfc:
//! stopped control`); the hypervisor's orderly shutdown stops it with the
//! reason the machine gives (`nfc: stopped power button`). The console
//! and the shutdown request are read at most once per
//! [`CONTROL_PERIOD_NS`]: a port read is a VM exit.

use alloc::boxed::Box;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::marker::PhantomData;

use nfc_dataplane::batch::Batch;
use nfc_dataplane::device::{DeviceStats, NetDevice};
use nfc_dataplane::element::Console;
use nfc_dataplane::packet::{PacketPool, BUF_SIZE};
use nfc_dataplane::parse::{self, EtherAddress};
use nfc_dataplane::pipeline::{self, Driver, Pipeline, Platform};
use nfc_elements::devices::Devices;
use nfc_elements::standard::control_protocol::Session;
use virtio_drivers::transport::SomeTransport;

use crate::net::{VirtioNet, QUEUE_SIZE};

/// How often the console and the shutdown request are read while the
/// loop is busy, in ns.
pub const CONTROL_PERIOD_NS: u64 = 1_000_000;

/// Most bytes taken from the console per poll: a client that types
/// endlessly cannot hold the poll loop.
const READ_PER_POLL: usize = 256;

/// Most of the free heap the packet pool may take: half.
const POOL_SHARE: u64 = 2;

/// What an image's machine layer gives the shared [`Image`].
pub trait Machine: 'static {
    /// The NIC driver.
    type Nic: NetDevice + core::fmt::Debug;

    /// What the boot lines call a NIC (`virtio-net`, `netfront`).
    const NIC_KIND: &'static str;

    /// Writes bytes to the console.
    fn console_write(bytes: &[u8]);

    /// A byte typed on the console, if one is waiting.
    fn console_read() -> Option<u8>;

    /// Nanoseconds since the machine's entry.
    fn now(&self) -> u64;

    /// 64 random bits from the CPU (RDSEED/RDRAND, RNDR), or `None`.
    fn random(&mut self) -> Option<u64>;

    /// Why the hypervisor asked for an orderly shutdown (`power button`),
    /// if it did since the last call.
    fn shutdown_requested(&mut self) -> Option<&'static str>;

    /// Brings up the machine's NICs, `eth0` first, each with where it was
    /// found (`PCI 00:02.0 (config by ECAM)`, `MMIO 0xa000000`, `vif/0`);
    /// `pool` is the packet pool, of which [`rx_share`] says how much
    /// a driver that receives into its buffers may post.
    fn nics(&mut self, pool: &'static PacketPool) -> Result<Vec<(String, Self::Nic)>, String>;

    /// The clock, as the boot line names it (`TSC 2594 MHz`).
    fn clock(&self) -> String;

    /// The heap: bytes used and bytes free.
    fn heap_usage(&self) -> (usize, usize);

    /// Called when a round of the poll loop did no work.
    fn idle(&mut self) {}

    /// Stops the machine for good: reset or power off (QEMU run with
    /// `-no-reboot` then exits); `failed` when the image could not run
    /// its configuration.
    fn stop(&self, failed: bool) -> !;
}

/// How many packet-pool buffers each of `nics` NICs may hold posted for
/// receiving, with `ring` ring entries: a quarter of the pool shared out,
/// at most a ring's worth.
pub fn rx_share(pool: &PacketPool, nics: usize, ring: usize) -> usize {
    (pool.capacity() / 4 / nics.max(1)).min(ring)
}

/// Brings up a virtio-net driver on each transport, `eth0` first, their
/// receive rings filled from `pool`.
pub fn virtio_nics(
    transports: Vec<(String, SomeTransport<'static>)>,
    pool: &'static PacketPool,
) -> Result<Vec<(String, VirtioNet)>, String> {
    let rx_buffers = rx_share(pool, transports.len(), QUEUE_SIZE);
    transports
        .into_iter()
        .enumerate()
        .map(
            |(i, (location, transport))| match VirtioNet::new(transport, pool, rx_buffers) {
                Ok(net) => Ok((location, net)),
                Err(e) => Err(format!("eth{i} ({location}): {e}")),
            },
        )
        .collect()
}

/// The console of machine `M`, one line at a time.
pub struct MachineConsole<M>(PhantomData<M>);

impl<M: Machine> Console for MachineConsole<M> {
    fn line(&self, line: &str) {
        M::console_write(line.as_bytes());
        M::console_write(b"\n");
    }
}

/// A NIC as the device elements hold it: the machine's driver `N`, or,
/// for `ToDevice(…, ALLOW_NONEXISTENT true)` on a NIC the machine does
/// not have, nothing (what is sent is dropped and counted).
#[derive(Debug)]
pub enum Device<N> {
    /// A NIC (boxed: the absent variant is small).
    Present(Box<N>),
    /// No device: sends are dropped.
    Absent(DeviceStats),
}

/// A device shared by the elements that name it.
pub type SharedDevice<N> = Rc<RefCell<Device<N>>>;

impl<N: NetDevice> NetDevice for Device<N> {
    fn rx_burst(&mut self, pool: &'static PacketPool, into: &mut Batch, max: usize) -> usize {
        match self {
            Device::Present(d) => d.rx_burst(pool, into, max),
            Device::Absent(_) => 0,
        }
    }

    fn tx_burst(&mut self, batch: &mut Batch) -> usize {
        match self {
            Device::Present(d) => d.tx_burst(batch),
            Device::Absent(stats) => {
                stats.tx_dropped += batch.len() as u64;
                batch.clear();
                0
            }
        }
    }

    fn tx_room(&self) -> usize {
        match self {
            Device::Present(d) => d.tx_room(),
            Device::Absent(_) => nfc_dataplane::batch::BURST,
        }
    }

    fn mac(&self) -> [u8; 6] {
        match self {
            Device::Present(d) => d.mac(),
            Device::Absent(_) => [0; 6],
        }
    }

    fn stats(&self) -> DeviceStats {
        match self {
            Device::Present(d) => d.stats(),
            Device::Absent(stats) => *stats,
        }
    }
}

/// One NIC found at boot.
#[derive(Debug)]
pub struct Nic<N> {
    /// Where it was found.
    pub location: String,
    /// Its MAC address.
    pub mac: [u8; 6],
    /// The driver.
    pub device: SharedDevice<N>,
}

/// A running image on machine `M`: its NICs, its console's ControlSocket
/// session, and the machine. The poll loop's [`Platform`] and the device
/// elements' [`Devices`].
pub struct Image<M: Machine> {
    machine: M,
    /// The NICs, `eth0` first.
    nics: Vec<Nic<M::Nic>>,
    session: Session,
    /// When the console and the shutdown request are read next (ns).
    next_control: u64,
}

impl<M: Machine> Image<M> {
    /// The console, for lines.
    pub fn console() -> &'static dyn Console {
        // A zero-sized value: leaking it costs nothing.
        Box::leak(Box::new(MachineConsole::<M>(PhantomData)))
    }

    /// Prints a line on the console.
    fn say(&self, line: &str) {
        Self::console().line(line);
    }

    /// Writes the session's output to the console, ending it with a line
    /// end if it has none.
    fn send(&mut self) {
        let out = self.session.output();
        let Some(&last) = out.last() else {
            return;
        };
        M::console_write(out);
        if last != b'\n' {
            M::console_write(b"\n");
        }
        self.session.consume_output(usize::MAX);
    }
}

impl<M: Machine> Platform for Image<M> {
    fn now(&self) -> u64 {
        self.machine.now()
    }

    fn wall(&self) -> u64 {
        // No wall clock is read yet: time since boot.
        self.machine.now()
    }

    fn entropy(&mut self) -> u64 {
        self.machine.random().unwrap_or_else(|| {
            self.say(
                "nfc: warning: the CPU has no random number instruction; seeding from the clock",
            );
            self.machine.now().rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15
        })
    }

    fn poll_control(&mut self, pipeline: &mut dyn Pipeline) -> Option<String> {
        let now = self.machine.now();
        if now < self.next_control {
            return None;
        }
        self.next_control = now.saturating_add(CONTROL_PERIOD_NS);
        if let Some(why) = self.machine.shutdown_requested() {
            return Some(why.into());
        }
        let mut typed = [0u8; READ_PER_POLL];
        let mut n = 0;
        while n < typed.len() {
            match M::console_read() {
                Some(b) => {
                    typed[n] = b;
                    n += 1;
                }
                None => break,
            }
        }
        let stop = if n > 0 {
            self.session.feed(&typed[..n], false, pipeline)
        } else {
            self.session.pause(pipeline)
        };
        self.send();
        if self.session.is_done() {
            self.session = Session::new(false);
            self.send();
        }
        stop
    }

    fn idle(&mut self, _next_event: Option<u64>) {
        self.machine.idle();
    }
}

impl<M: Machine> Devices for Image<M> {
    type Device = SharedDevice<M::Nic>;

    /// `ethN` is the Nth NIC found; a MAC address names the NIC that has
    /// it. Every NIC already receives every frame (virtio-net without a
    /// control queue is promiscuous), so `promisc` changes nothing.
    fn device(
        &mut self,
        name: &str,
        _promisc: bool,
        allow_absent: bool,
    ) -> Result<(SharedDevice<M::Nic>, u8), String> {
        let index = match name.strip_prefix("eth").map(str::parse::<usize>) {
            Some(Ok(n)) => (n < self.nics.len()).then_some(n),
            _ => match parse::ether(name) {
                Ok(EtherAddress(mac)) => self.nics.iter().position(|nic| nic.mac == mac),
                Err(_) => None,
            },
        };
        if let Some(i) = index {
            return Ok((self.nics[i].device.clone(), i as u8));
        }
        let found: Vec<String> = self
            .nics
            .iter()
            .enumerate()
            .map(|(i, n)| format!("eth{i} {} at {}", EtherAddress(n.mac), n.location))
            .collect();
        let what = if found.is_empty() {
            format!("the machine has no {} NIC", M::NIC_KIND)
        } else {
            format!("the NICs are {}", found.join(", "))
        };
        if allow_absent {
            self.say(&format!(
                "nfc: warning: no NIC {name} ({what}); it drops what is sent to it (ALLOW_NONEXISTENT)"
            ));
            let absent = Rc::new(RefCell::new(Device::Absent(DeviceStats::default())));
            return Ok((absent, u8::MAX));
        }
        Err(format!("device {name}: no such NIC ({what})"))
    }
}

/// Runs a configuration as the image's one program on `machine`: builds
/// the packet pool (`pool_size` buffers, fewer when the heap is small:
/// at most half of what is free),
/// brings up every NIC ([`Machine::nics`]), builds
/// the pipeline with `build` and its scripts with `drivers`, prints the
/// ready line, runs the poll loop, prints the stop line and the counters,
/// and stops the machine. An error prints `nfc: <error>` and stops too.
pub fn main<M: Machine, P: Pipeline>(
    mut machine: M,
    stem: &str,
    pool_size: usize,
    build: impl FnOnce(&mut Image<M>) -> Result<P, String>,
    drivers: impl FnOnce() -> Result<Vec<Box<dyn Driver>>, String>,
) -> ! {
    let console = Image::<M>::console();
    let fail = |machine: &M, what: &str, e: &str| -> ! {
        console.line(&format!("nfc: {e}"));
        console.line(&format!("nfc: stopped {what}"));
        machine.stop(true)
    };
    let (_, free) = machine.heap_usage();
    let fits = (free as u64 / POOL_SHARE / BUF_SIZE as u64) as usize;
    let pool = PacketPool::new(pool_size.min(fits).max(64));
    let found = match machine.nics(pool) {
        Ok(found) => found,
        Err(e) => fail(&machine, "device error", &e),
    };
    let mut nics = Vec::new();
    for (i, (location, net)) in found.into_iter().enumerate() {
        console.line(&format!(
            "nfc: eth{i}: {} {} at {location}",
            M::NIC_KIND,
            EtherAddress(net.mac())
        ));
        nics.push(Nic {
            location,
            mac: net.mac(),
            device: Rc::new(RefCell::new(Device::Present(Box::new(net)))),
        });
    }
    let mut image = Image {
        machine,
        nics,
        session: Session::new(false),
        next_control: 0,
    };
    let built = build(&mut image).and_then(|p| Ok((p, drivers()?)));
    let (mut pipeline, mut drivers) = match built {
        Ok(b) => b,
        Err(e) => fail(&image.machine, "configuration error", &e),
    };
    let (used, free) = image.machine.heap_usage();
    console.line(&format!(
        "nfc: {stem}: booted in {} us, {}, heap {} KiB used of {} KiB, {} packet buffers",
        image.machine.now() / 1000,
        image.machine.clock(),
        used / 1024,
        (used + free) / 1024,
        pool.capacity(),
    ));
    console.line(&format!("nfc: ready {stem} {} nics", image.nics.len()));
    let stopped = pipeline::run(&mut pipeline, &mut image, pool, console, &mut drivers, None);
    pipeline::report_stop(&pipeline, &stopped, console);
    image.machine.stop(false)
}

/// Defines an image's `nfc_platform_main` (what its boot code calls with
/// the boot information `$boot`): builds the machine with `$machine` and
/// runs [`main`] on it with the generated pipeline. Each image platform's
/// `entry!` is this with its machine.
#[macro_export]
macro_rules! platform_main {
    ($boot:ty, $machine:expr, $stem:expr, $pool:expr, $build:expr, $drivers:expr) => {
        /// The image's main: the boot code calls it with what it learnt.
        #[no_mangle]
        pub fn nfc_platform_main(boot: $boot) -> ! {
            $crate::image::main($machine(boot), $stem, $pool, $build, $drivers)
        }
    };
}
