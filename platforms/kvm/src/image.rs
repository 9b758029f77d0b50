//! The image's main and its [`Platform`].

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use nfc_arch_x86_64::{cpu, heap, serial, BootInfo};
use nfc_dataplane::element::Console;
use nfc_dataplane::packet::{PacketPool, BUF_SIZE};
use nfc_dataplane::parse::EtherAddress;
use nfc_dataplane::pipeline::{self, Driver, Pipeline, Platform};

use crate::control::Control;
use crate::nics::{self, Nic};

/// The serial console, one line at a time.
pub struct Serial;

impl Console for Serial {
    fn line(&self, line: &str) {
        serial::write_str(line);
        serial::write_str("\n");
    }
}

static CONSOLE: Serial = Serial;

/// The KVM platform: the clock is the TSC, the console the serial port,
/// the NICs virtio-net.
pub struct Kvm {
    tsc_hz: u64,
    tsc_at_entry: u64,
    /// The NICs, `eth0` first.
    pub(crate) nics: Vec<Nic>,
    /// The serial console's ControlSocket session and the power button,
    /// from just before the poll loop starts.
    control: Option<Control>,
}

impl Kvm {
    /// Prints a warning on the console.
    pub(crate) fn warn(&self, line: &str) {
        CONSOLE.line(line);
    }

    /// Nanoseconds since the PVH entry.
    fn since_entry(&self) -> u64 {
        let ticks = cpu::rdtsc().wrapping_sub(self.tsc_at_entry);
        (u128::from(ticks) * 1_000_000_000 / u128::from(self.tsc_hz.max(1))) as u64
    }
}

impl Platform for Kvm {
    fn now(&self) -> u64 {
        self.since_entry()
    }

    fn wall(&self) -> u64 {
        // No wall clock is read yet: time since boot.
        self.since_entry()
    }

    fn entropy(&mut self) -> u64 {
        cpu::random_u64().unwrap_or_else(|| {
            CONSOLE
                .line("nfc: warning: the CPU has neither RDSEED nor RDRAND; seeding from the TSC");
            cpu::rdtsc().rotate_left(17) ^ self.since_entry()
        })
    }

    fn poll_control(&mut self, pipeline: &mut dyn Pipeline) -> Option<String> {
        self.control.as_mut()?.poll(pipeline)
    }
}

/// Most of the heap the packet pool may take: half.
const POOL_SHARE: u64 = 2;

/// Runs a configuration as the image's one program: builds the packet
/// pool (`pool_size` buffers, fewer when the heap is small), the pipeline
/// with `build` and its scripts with `drivers`, prints the ready line,
/// runs the poll loop, prints the stop line and the counters, and resets
/// the machine. A build error prints `nfc: <error>` and resets too.
pub fn main<P: Pipeline>(
    boot: BootInfo,
    stem: &str,
    pool_size: usize,
    build: impl FnOnce(&mut Kvm) -> Result<P, String>,
    drivers: impl FnOnce() -> Result<Vec<Box<dyn Driver>>, String>,
) -> ! {
    let console = &CONSOLE;
    let fits = (boot.heap.1 / POOL_SHARE / BUF_SIZE as u64) as usize;
    let pool = PacketPool::new(pool_size.min(fits).max(64));
    let nics = match nics::discover(&boot, pool) {
        Ok(nics) => nics,
        Err(e) => {
            console.line(&format!("nfc: {e}"));
            console.line("nfc: stopped device error");
            cpu::reset();
        }
    };
    for (i, nic) in nics.iter().enumerate() {
        console.line(&format!(
            "nfc: eth{i}: virtio-net {} at {}",
            EtherAddress(nic.mac),
            nic.location
        ));
    }
    let mut plat = Kvm {
        tsc_hz: boot.tsc_hz,
        tsc_at_entry: boot.tsc_at_entry,
        nics,
        control: None,
    };
    let built = build(&mut plat).and_then(|p| Ok((p, drivers()?)));
    let (mut pipeline, mut drivers) = match built {
        Ok(b) => b,
        Err(e) => {
            console.line(&format!("nfc: {e}"));
            console.line("nfc: stopped configuration error");
            cpu::reset();
        }
    };
    let (used, free) = heap::usage();
    console.line(&format!(
        "nfc: {stem}: booted in {} us, TSC {} MHz, heap {} KiB used of {} KiB, {} packet buffers",
        plat.since_entry() / 1000,
        plat.tsc_hz / 1_000_000,
        used / 1024,
        (used + free) / 1024,
        pool.capacity(),
    ));
    plat.control = Some(Control::new(&boot, console));
    console.line(&format!("nfc: ready {stem} {} nics", plat.nics.len()));
    let stopped = pipeline::run(&mut pipeline, &mut plat, pool, console, &mut drivers, None);
    pipeline::report_stop(&pipeline, &stopped, console);
    cpu::reset()
}
