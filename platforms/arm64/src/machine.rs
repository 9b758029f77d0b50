//! [`Aarch64`]: the arm64 machine under the shared image layer
//! ([`nfc_virtio::image`]): the PL011 console, the generic timer's
//! counter as the clock, RNDR or else the device tree's virtio-rng
//! device, the virtio-net NICs on the device tree's virtio-mmio
//! transports and behind its PCI host bridge, and PSCI SYSTEM_OFF to stop.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use fdt::Fdt;
use nfc_dataplane::packet::PacketPool;
use nfc_virtio::image::{self, Image, Machine};
use nfc_virtio::mmio::{self, Region};
use nfc_virtio::pci::{self, BarSpace, Ecam};
use nfc_virtio::VirtioNet;
use virtio_drivers::transport::{DeviceType, SomeTransport};

use nfc_virtio::heap;

use crate::{cpu, dtb, mmu, pl011, BootInfo};

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
    type Nic = VirtioNet;
    const NIC_KIND: &'static str = "virtio-net";

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

    /// RNDR when the CPU has it, else 8 bytes from the first virtio-rng
    /// device of the device tree (QEMU's `virtio-rng-device`); a device
    /// that fails is reported on the console.
    fn random(&mut self) -> Option<u64> {
        cpu::random_u64().or_else(|| {
            let fdt = Fdt::new(self.boot.dtb).ok()?;
            // SAFETY: as in `mmio_nics`: the tree's virtio-mmio blocks,
            // mapped to themselves as device memory, used by nothing
            // else (the transport is let go before this returns).
            let found = unsafe { mmio::devices(&mmio_regions(&fdt), DeviceType::EntropySource) };
            let (base, transport) = found.ok()?.into_iter().next()?;
            nfc_virtio::rng::read_u64(transport)
                .map_err(|e| Self::console_write(format!("nfc: {e} (MMIO {base:#x})\n").as_bytes()))
                .ok()
        })
    }

    /// QEMU's virt signals `system_powerdown` through a GPIO key, which
    /// is not read yet: `WRITE stop` on the console is the orderly stop.
    fn shutdown_requested(&mut self) -> Option<&'static str> {
        None
    }

    /// The virtio-net devices of the device tree's virtio-mmio transports,
    /// the first `-device` first, then those behind its PCI host bridge
    /// in bus, slot and function order.
    fn nics(&mut self, pool: &'static PacketPool) -> Result<Vec<(String, VirtioNet)>, String> {
        let fdt = Fdt::new(self.boot.dtb).map_err(|e| format!("the device tree: {e:?}"))?;
        let mut found = mmio_nics(&fdt)?;
        found.extend(pci_nics(&fdt)?);
        image::virtio_nics(found, pool)
    }

    fn clock(&self) -> String {
        format!("generic timer {} MHz", self.boot.counter_hz / 1_000_000)
    }

    fn heap_usage(&self) -> (usize, usize) {
        heap::usage()
    }

    fn stop(&self, _failed: bool) -> ! {
        cpu::power_off()
    }
}

/// The tree's virtio-mmio transports, the first `-device` first.
fn mmio_regions(fdt: &Fdt) -> Vec<Region> {
    let (transports, n) = dtb::virtio_mmio(fdt);
    transports[..n]
        .iter()
        .map(|r| Region {
            base: r.start,
            size: r.len(),
        })
        .collect()
}

/// The virtio-net devices on the tree's virtio-mmio transports.
fn mmio_nics(fdt: &Fdt) -> Result<Vec<(String, SomeTransport<'static>)>, String> {
    // SAFETY: the device tree names these virtio-mmio blocks; the page
    // tables map them to themselves as device memory, and nothing else
    // touches them.
    let found = unsafe { mmio::net_devices(&mmio_regions(fdt))? };
    Ok(found
        .into_iter()
        .map(|(base, t)| (format!("MMIO {base:#x}"), t))
        .collect())
}

/// The virtio-net devices behind the tree's ECAM host bridge, if it has
/// one. Booted with `-kernel`, no firmware placed their BARs: they go in
/// the bridge's memory windows that the map covers and that the CPU sees
/// at their PCI addresses (on virt the 32-bit window; the 64-bit one
/// starts where the map ends).
fn pci_nics(fdt: &Fdt) -> Result<Vec<(String, SomeTransport<'static>)>, String> {
    let Some(host) = dtb::pci_host(fdt) else {
        return Ok(Vec::new());
    };
    if host.ecam.end > mmu::MAP_LIMIT {
        return Err(format!(
            "PCI ECAM at {:#x}: past the map's end at {:#x}",
            host.ecam.start,
            mmu::MAP_LIMIT
        ));
    }
    if host.first_bus != 0 {
        return Err(format!(
            "PCI ECAM at {:#x}: its buses start at {}, not 0",
            host.ecam.start, host.first_bus
        ));
    }
    let mut space = BarSpace::none();
    let usable = host
        .windows()
        .iter()
        .filter(|w| w.is_memory() && w.cpu.saturating_add(w.size) <= mmu::MAP_LIMIT);
    for w in usable {
        // A window the CPU sees at another address is refused and left
        // out; BARs go in the others.
        let _ = space.add_window(w.pci, w.cpu, w.size);
    }
    let ecam = Ecam {
        base: host.bus0_base(),
        first_bus: host.first_bus,
        last_bus: host.last_bus,
    };
    // SAFETY: the device tree names this ECAM window, starting at bus 0
    // (checked); the page tables map it to itself as device memory (it
    // ends inside the map, checked), and nothing else touches it.
    let found = unsafe { pci::net_devices_ecam(ecam, &mut space)? };
    Ok(found
        .into_iter()
        .map(|(df, t)| (format!("PCI {df} (config by ECAM)"), t))
        .collect())
}

nfc_elements::device_elements!(Arm64);
