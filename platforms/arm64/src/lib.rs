//! nfc's arm64 platform: a configuration as a Linux arm64 `Image` that
//! QEMU's `virt` machine (and any loader of that format) boots.
//!
//! The image is entered at its 64-byte header with the MMU off and `x0`
//! holding the device tree ([`boot`]): at EL2 it drops to EL1, then it
//! installs the vectors ([`exceptions`]: a fault prints ESR, ELR, FAR and
//! every register on the console and stops), finds the PL011 console
//! ([`pl011`]), RAM and PSCI in the device tree ([`dtb`]), maps memory one
//! to one with RAM cacheable and the rest as device memory and turns the
//! MMU and caches on ([`mmu`]), makes the heap ([`heap`]) and calls the
//! platform's `nfc_platform_main` with the [`BootInfo`].
//!
//! What runs on it is shared with the other virtio images
//! (`nfc_virtio::image`): this crate adds [`Aarch64`], the machine those
//! see (PL011, the generic timer, RNDR, virtio-net NICs on the device
//! tree's virtio-mmio transports and behind its PCI host bridge, PSCI
//! SYSTEM_OFF), [`Arm64`], the platform generated pipelines are
//! built on, its device elements, and [`entry!`]. What needs the machine
//! compiles only for `aarch64-unknown-none`; reading the device tree and
//! building the page tables are plain code, tested on the host.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod classes;
pub mod dtb;
pub mod mmu;

#[cfg(all(target_arch = "aarch64", target_os = "none"))]
pub mod boot;
#[cfg(all(target_arch = "aarch64", target_os = "none"))]
pub mod cpu;
#[cfg(all(target_arch = "aarch64", target_os = "none"))]
pub mod exceptions;
#[cfg(all(target_arch = "aarch64", target_os = "none"))]
mod machine;
#[cfg(all(target_arch = "aarch64", target_os = "none"))]
pub mod pl011;

#[cfg(all(target_arch = "aarch64", target_os = "none"))]
pub use machine::{Aarch64, Arm64, FromDevice, PollDevice, ToDevice};
pub use nfc_virtio::platform_main;

use alloc::string::String;

/// What the boot code learnt, handed to the platform.
#[derive(Clone, Debug)]
pub struct BootInfo {
    /// The kernel command line (`/chosen/bootargs`).
    pub cmdline: String,
    /// The device tree, in RAM the heap does not cover.
    pub dtb: &'static [u8],
    /// RAM, from the device tree's memory nodes.
    pub ram: dtb::Ram,
    /// The heap.
    pub heap: dtb::Range,
    /// Counter ticks per second.
    pub counter_hz: u64,
    /// The counter at the image's first instruction (QEMU starts it at 0
    /// with the machine, so this is the time the loader took).
    pub counter_at_entry: u64,
}

/// Defines the image's `nfc_platform_main` (what the boot code calls)
/// for a generated pipeline: `entry!("stem", POOL_SIZE, Pipeline::build,
/// drivers);`.
#[macro_export]
macro_rules! entry {
    ($stem:expr, $pool:expr, $build:expr, $drivers:expr) => {
        $crate::platform_main!(
            $crate::BootInfo,
            $crate::Aarch64::new,
            $stem,
            $pool,
            $build,
            $drivers
        );
    };
}
