//! [`Aarch64`]: the arm64 machine under the shared image layer
//! ([`nfc_virtio::image`]): the PL011 console, the generic timer's
//! counter as the clock, RNDR, the virtio-mmio NICs the device tree
//! lists, and PSCI SYSTEM_OFF to stop.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use fdt::Fdt;
use nfc_virtio::image::{Image, Machine};
use nfc_virtio::mmio::{self, Region};
use virtio_drivers::transport::SomeTransport;

use crate::{cpu, dtb, heap, pl011, BootInfo};

/// The arm64 platform: the shared image on an arm64 machine.
pub type Arm64 = Image<Aarch64>;

/// An arm64 machine booted through its Image header.
pub struct Aarch64 {
    boot: BootInfo,
}

impl Aarch64 {
    /// The machine `boot` describes.
    pub fn new(boot: BootInfo) -> Aarch64 {
        Aarch64 { boot }
    }
}

impl Machine for Aarch64 {
    fn console_write(bytes: &[u8]) {
        pl011::write_bytes(bytes);
    }

    fn console_read() -> Option<u8> {
        pl011::read_byte()
    }

    fn now(&self) -> u64 {
        let ticks = cpu::counter().wrapping_sub(self.boot.counter_at_entry);
        (u128::from(ticks) * 1_000_000_000 / u128::from(self.boot.counter_hz.max(1))) as u64
    }

    fn random(&mut self) -> Option<u64> {
        cpu::random_u64()
    }

    /// QEMU's virt signals `system_powerdown` through a GPIO key, which
    /// is not read yet: `WRITE stop` on the console is the orderly stop.
    fn shutdown_requested(&mut self) -> bool {
        false
    }

    /// The virtio-mmio transports of the device tree that hold a
    /// virtio-net device, the first `-device` first.
    fn net_devices(&mut self) -> Result<Vec<(String, SomeTransport<'static>)>, String> {
        let fdt = Fdt::new(self.boot.dtb).map_err(|e| format!("the device tree: {e:?}"))?;
        let (transports, n) = dtb::virtio_mmio(&fdt);
        let regions: Vec<Region> = transports[..n]
            .iter()
            .map(|r| Region {
                base: r.start,
                size: r.len(),
            })
            .collect();
        // SAFETY: the device tree names these virtio-mmio blocks; the page
        // tables map them to themselves as device memory, and nothing else
        // touches them.
        let found = unsafe { mmio::net_devices(&regions)? };
        Ok(found
            .into_iter()
            .map(|(base, t)| (format!("MMIO {base:#x}"), t))
            .collect())
    }

    fn clock(&self) -> String {
        format!("generic timer {} MHz", self.boot.counter_hz / 1_000_000)
    }

    fn heap_usage(&self) -> (usize, usize) {
        heap::usage()
    }

    fn stop(&self) -> ! {
        cpu::power_off()
    }
}

nfc_elements::device_elements!(Arm64);
