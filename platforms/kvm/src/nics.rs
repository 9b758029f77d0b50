//! The image's NICs: every virtio-net device found at boot, named `eth0`,
//! `eth1`, … in discovery order, and the [`Devices`] the device elements
//! open them through.
//!
//! Discovery: the `virtio_mmio.device=` parameters of the kernel command
//! line when there are any (QEMU's microvm with `acpi=off`, Firecracker),
//! in the command line's order (QEMU's `-device` order, and the order
//! Linux probes them in); else PCI, in bus, slot and function order,
//! through ECAM when ACPI has an MCFG table (q35) and through port I/O
//! otherwise (pc).

use alloc::boxed::Box;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use nfc_arch_x86_64::{acpi, cpu, BootInfo};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::device::{DeviceStats, NetDevice};
use nfc_dataplane::packet::PacketPool;
use nfc_dataplane::parse::{self, EtherAddress};
use nfc_elements::devices::Devices;
use nfc_virtio::net::QUEUE_SIZE;
use nfc_virtio::pci::{Ecam, PortCam, PortIo};
use nfc_virtio::{mmio, pci, VirtioNet};

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

/// A NIC as the device elements hold it: a virtio-net device, or, for
/// `ToDevice(…, ALLOW_NONEXISTENT true)` on a NIC the machine does not
/// have, nothing (what is sent is dropped and counted).
#[derive(Debug)]
pub enum Device {
    /// A virtio-net device (boxed: the absent variant is small).
    Virtio(Box<VirtioNet>),
    /// No device: sends are dropped.
    Absent(DeviceStats),
}

/// A device shared by the elements that name it.
pub type SharedDevice = Rc<RefCell<Device>>;

impl NetDevice for Device {
    fn rx_burst(&mut self, pool: &'static PacketPool, into: &mut Batch, max: usize) -> usize {
        match self {
            Device::Virtio(d) => d.rx_burst(pool, into, max),
            Device::Absent(_) => 0,
        }
    }

    fn tx_burst(&mut self, batch: &mut Batch) -> usize {
        match self {
            Device::Virtio(d) => d.tx_burst(batch),
            Device::Absent(stats) => {
                stats.tx_dropped += batch.len() as u64;
                batch.clear();
                0
            }
        }
    }

    fn tx_room(&self) -> usize {
        match self {
            Device::Virtio(d) => d.tx_room(),
            Device::Absent(_) => nfc_dataplane::batch::BURST,
        }
    }

    fn mac(&self) -> [u8; 6] {
        match self {
            Device::Virtio(d) => d.mac(),
            Device::Absent(_) => [0; 6],
        }
    }

    fn stats(&self) -> DeviceStats {
        match self {
            Device::Virtio(d) => d.stats(),
            Device::Absent(stats) => *stats,
        }
    }
}

/// One NIC found at boot.
#[derive(Debug)]
pub struct Nic {
    /// Where it was found: `PCI 00:03.0 (config by ECAM)` or `MMIO
    /// 0xfeb00e00`.
    pub location: String,
    /// Its MAC address.
    pub mac: [u8; 6],
    /// The driver.
    pub device: SharedDevice,
}

/// Finds every virtio-net NIC and brings it up, its receive ring filled
/// from `pool`.
pub fn discover(boot: &BootInfo, pool: &'static PacketPool) -> Result<Vec<Nic>, String> {
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
                let devices = unsafe { pci::net_devices_ecam(ecam)? };
                (devices, "ECAM")
            }
            Some(ecam) => return Err(format!("PCI ECAM at {:#x}: above 4 GiB", ecam.base)),
            None => (pci::net_devices(PortCam::<Ports>::new())?, "port I/O"),
        };
        devices
            .into_iter()
            .map(|(df, t)| (format!("PCI {df} (config by {via})"), t))
            .collect()
    };
    let rx_buffers = (pool.capacity() / 4 / found.len().max(1)).min(QUEUE_SIZE);
    found
        .into_iter()
        .enumerate()
        .map(|(i, (location, transport))| {
            let net = VirtioNet::new(transport, pool, rx_buffers)
                .map_err(|e| format!("eth{i} ({location}): {e}"))?;
            Ok(Nic {
                location,
                mac: net.mac(),
                device: Rc::new(RefCell::new(Device::Virtio(Box::new(net)))),
            })
        })
        .collect()
}

impl Devices for Kvm {
    type Device = SharedDevice;

    /// `ethN` is the Nth NIC found; a MAC address names the NIC that has
    /// it. Every NIC already receives every frame (virtio-net without a
    /// control queue is promiscuous), so `promisc` changes nothing.
    fn device(
        &mut self,
        name: &str,
        _promisc: bool,
        allow_absent: bool,
    ) -> Result<(SharedDevice, u8), String> {
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
            String::from("the machine has no virtio-net NIC")
        } else {
            format!("the NICs are {}", found.join(", "))
        };
        if allow_absent {
            self.warn(&format!(
                "nfc: warning: no NIC {name} ({what}); it drops what is sent to it (ALLOW_NONEXISTENT)"
            ));
            let absent = Rc::new(RefCell::new(Device::Absent(DeviceStats::default())));
            return Ok((absent, u8::MAX));
        }
        Err(format!("device {name}: no such NIC ({what})"))
    }
}

nfc_elements::device_elements!(Kvm);
