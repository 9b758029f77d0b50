//! [`X86`]: the x86_64 machine under the shared image layer
//! ([`nfc_virtio::image`]): the serial console, the TSC clock,
//! RDSEED/RDRAND, the ACPI power button, the virtio-net NICs
//! ([`crate::nics`]), and a reset to stop.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use nfc_arch_x86_64::acpi::{AcpiError, PowerButton};
use nfc_arch_x86_64::{cpu, exceptions, serial, BootInfo};
use nfc_dataplane::packet::PacketPool;
use nfc_virtio::heap;
use nfc_virtio::image::{self, Image, Machine};
use nfc_virtio::VirtioNet;

/// The KVM platform: the shared image on an x86_64 machine.
pub type Kvm = Image<X86>;

/// An x86_64 machine booted through PVH.
pub struct X86 {
    boot: BootInfo,
    /// The ACPI power button, on machines with ACPI (not microvm with
    /// `acpi=off`).
    button: Option<PowerButton>,
}

impl X86 {
    /// The machine `boot` describes; its power button enabled when it has
    /// one (a machine whose ACPI tables have no usable button says why).
    /// Faults first if the command line asks (`nfc.crash=`).
    pub fn new(boot: BootInfo) -> X86 {
        exceptions::crash_if_asked(&boot.cmdline);
        let button = match PowerButton::enable(boot.rsdp, boot.tsc_hz) {
            Ok(button) => Some(button),
            Err(AcpiError::NoRsdp) => None,
            Err(e) => {
                Image::<X86>::console().line(&format!("nfc: no ACPI power button: {e}"));
                None
            }
        };
        X86 { boot, button }
    }
}

impl Machine for X86 {
    type Nic = VirtioNet;
    const NIC_KIND: &'static str = "virtio-net";

    fn console_write(bytes: &[u8]) {
        for &b in bytes {
            serial::write_byte(b);
        }
    }

    fn console_read() -> Option<u8> {
        serial::read_byte()
    }

    fn now(&self) -> u64 {
        self.boot.ns_since_entry(cpu::rdtsc())
    }

    fn random(&mut self) -> Option<u64> {
        cpu::random_u64()
    }

    fn shutdown_requested(&mut self) -> Option<&'static str> {
        self.button
            .as_ref()
            .is_some_and(PowerButton::pressed)
            .then_some("power button")
    }

    fn nics(&mut self, pool: &'static PacketPool) -> Result<Vec<(String, VirtioNet)>, String> {
        image::virtio_nics(crate::nics::transports(&self.boot)?, pool)
    }

    fn clock(&self) -> String {
        format!("TSC {} MHz", self.boot.tsc_hz / 1_000_000)
    }

    fn heap_usage(&self) -> (usize, usize) {
        heap::usage()
    }

    fn stop(&self, _failed: bool) -> ! {
        cpu::reset()
    }
}
