//! nfc's KVM platform: a configuration as a single-core x86_64 image
//! that QEMU (or any PVH loader: Firecracker, Cloud Hypervisor) boots.
//!
//! The machine layer is `nfc-arch-x86_64` (PVH entry, long mode, faults,
//! heap, serial, TSC, ACPI); what runs on it is shared with the other
//! virtio images (`nfc_virtio::image`): this crate is only [`X86`], the
//! machine those see (serial console, TSC clock, RDSEED/RDRAND, the ACPI
//! power button, the NICs found on virtio-mmio or PCI, reset to stop),
//! [`Kvm`], the platform generated pipelines are built on, its device
//! elements, and [`entry!`], which makes a generated pipeline the image's
//! program.
//!
//! Devices are virtio-net NICs, named `eth0`, `eth1`, … in discovery order
//! or by MAC address; FromDevice, PollDevice and ToDevice run on them.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod classes;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
mod image;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
mod nics;

#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub use image::{Kvm, X86};
pub use nfc_arch_x86_64::BootInfo;
pub use nfc_virtio::platform_main;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub use nics::{FromDevice, PollDevice, ToDevice};

/// Defines the image's `nfc_platform_main` (what the boot code calls)
/// for a generated pipeline: `entry!("stem", POOL_SIZE, Pipeline::build,
/// drivers);`.
#[macro_export]
macro_rules! entry {
    ($stem:expr, $pool:expr, $build:expr, $drivers:expr) => {
        $crate::platform_main!(
            $crate::BootInfo,
            $crate::X86::new,
            $stem,
            $pool,
            $build,
            $drivers
        );
    };
}
