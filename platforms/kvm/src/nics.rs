//! The machine's NICs: every virtio-net device, `eth0` first, and the
//! device elements that use them (on [`nfc_virtio::image`]'s `Devices`).
//!
//! Discovery: the `virtio_mmio.device=` parameters of the kernel command
//! line when there are any (QEMU's microvm with `acpi=off`, Firecracker),
//! in the command line's order (QEMU's `-device` order, and the order
//! Linux probes them in); else PCI, in bus, slot and function order,
//! through ECAM when ACPI has an MCFG table (q35) and through port I/O
//! otherwise (pc).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use nfc_arch_x86_64::{acpi, cpu, BootInfo};
use nfc_virtio::pci::{BarSpace, Ecam, PortCam, PortIo};
use nfc_virtio::{mmio, pci};
use virtio_drivers::transport::SomeTransport;

use crate::image::Kvm;

/// x86_64's `in`/`out` for PCI's port-I/O configuration mechanism.
#[derive(Debug)]
pub struct Ports;

impl PortIo for Ports {
    fn read32(port: u16) -> u32 {
        cpu::inl(port)
    }

    fn write32(port: u16, value: u32) {
        cpu::outl(port, value)
    }
}

/// Every virtio-net device of the machine, `eth0` first, with where it
/// was found.
pub fn transports(boot: &BootInfo) -> Result<Vec<(String, SomeTransport<'static>)>, String> {
    let regions = mmio::regions(&boot.cmdline)?;
    let found: Vec<(String, _)> = if !regions.is_empty() {
        // SAFETY: QEMU put these virtio-mmio blocks where the command line
        // says; the image maps the low 4 GiB one to one and nothing else
        // touches them.
        unsafe { mmio::net_devices(&regions)? }
            .into_iter()
            .map(|(base, t)| (format!("MMIO {base:#x}"), t))
            .collect()
    } else {
        let ecam = boot
            .rsdp
            .and_then(|rsdp| acpi::table(rsdp, b"MCFG"))
            .and_then(Ecam::from_mcfg);
        let (devices, via) = match ecam {
            Some(ecam) if ecam.base < (1 << 32) - (256 << 20) => {
                // SAFETY: the MCFG table names this machine's ECAM window,
                // below 4 GiB (checked), which the image maps one to one.
                let devices = unsafe { pci::net_devices_ecam(ecam, &mut BarSpace::none())? };
                (devices, "ECAM")
            }
            Some(ecam) => return Err(format!("PCI ECAM at {:#x}: above 4 GiB", ecam.base)),
            None => (
                pci::net_devices(PortCam::<Ports>::new(), &mut BarSpace::none())?,
                "port I/O",
            ),
        };
        devices
            .into_iter()
            .map(|(df, t)| (format!("PCI {df} (config by {via})"), t))
            .collect()
    };
    Ok(found)
}

nfc_elements::device_elements!(Kvm);
