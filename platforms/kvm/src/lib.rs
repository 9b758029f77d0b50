//! nfc's KVM platform: a configuration as a single-core x86_64 image
//! that QEMU (or any PVH loader: Firecracker, Cloud Hypervisor) boots.
//!
//! The machine layer is `nfc-arch-x86_64` (PVH entry, long mode, faults,
//! heap, serial, TSC); this crate is what runs on it: [`Kvm`], the poll
//! loop's [`Platform`] (TSC clock, serial console), and [`main`], which a
//! generated pipeline reaches through [`entry!`]: it builds the pipeline,
//! prints `nfc: ready <stem> <n> nics`, runs the poll loop, prints
//! `nfc: stopped <reason>` and the counters, and resets the machine (QEMU
//! run with `-no-reboot` then exits).
//!
//! Devices are virtio-net NICs (through `nfc-virtio`), named `eth0`,
//! `eth1`, … in discovery order or by MAC address; FromDevice, PollDevice
//! and ToDevice run on them.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod classes;
mod control;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
mod image;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
mod nics;

#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub use image::{main, Kvm};
pub use nfc_arch_x86_64::BootInfo;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub use nics::{FromDevice, PollDevice, ToDevice};

/// Defines the image's `nfc_platform_main` (what the boot code calls)
/// for a generated pipeline: `entry!("stem", POOL_SIZE, Pipeline::build,
/// drivers);`.
#[macro_export]
macro_rules! entry {
    ($stem:expr, $pool:expr, $build:expr, $drivers:expr) => {
        /// The image's main: the boot code calls it with what it learnt.
        #[no_mangle]
        pub fn nfc_platform_main(boot: $crate::BootInfo) -> ! {
            $crate::main(boot, $stem, $pool, $build, $drivers)
        }
    };
}
