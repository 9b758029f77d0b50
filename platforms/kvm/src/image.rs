//! [`X86`]: the x86_64 machine under the shared image layer
//! ([`nfc_virtio::image`]): the serial console, the TSC clock,
//! RDSEED/RDRAND, the ACPI power button, the virtio-net NICs
//! ([`crate::nics`]), and a reset to stop.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use nfc_arch_x86_64::acpi::{AcpiError, PowerButton};
use nfc_arch_x86_64::{cpu, serial, BootInfo};
use nfc_virtio::heap;
use nfc_virtio::image::{Image, Machine};
use virtio_drivers::transport::SomeTransport;

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
    pub fn new(boot: BootInfo) -> X86 {
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
    fn console_write(bytes: &[u8]) {
        for &b in bytes {
            serial::write_byte(b);
        }
    }

    fn console_read() -> Option<u8> {
        serial::read_byte()
    }

    fn now(&self) -> u64 {
        let ticks = cpu::rdtsc().wrapping_sub(self.boot.tsc_at_entry);
        (u128::from(ticks) * 1_000_000_000 / u128::from(self.boot.tsc_hz.max(1))) as u64
    }

    fn random(&mut self) -> Option<u64> {
        cpu::random_u64()
    }

    fn shutdown_requested(&mut self) -> bool {
        self.button.as_ref().is_some_and(PowerButton::pressed)
    }

    fn net_devices(&mut self) -> Result<Vec<(String, SomeTransport<'static>)>, String> {
        crate::nics::transports(&self.boot)
    }

    fn clock(&self) -> String {
        format!("TSC {} MHz", self.boot.tsc_hz / 1_000_000)
    }

    fn heap_usage(&self) -> (usize, usize) {
        heap::usage()
    }

    fn stop(&self) -> ! {
        cpu::reset()
    }
}
