//! nfc's Xen platform: a configuration as a single-core PVH domain that
//! `xl create` starts, with its vifs served by Xen's own netback.
//!
//! The machine layer is `nfc-arch-x86_64`, the same PVH entry, long mode,
//! faults, heap and TSC as the kvm image; what runs on it is the image
//! layer every nfc unikernel shares (`nfc_virtio::image`). This crate is
//! the Xen guest interfaces, written from Xen's public headers:
//!
//! - [`hypercall`]: the hypercall page and the operations nfc makes
//!   (scheduling and shutdown, event channels, memory and grant-table
//!   mapping, HVM parameters);
//! - [`shared`]: the shared info page (pending events, Xen's clock);
//! - [`grants`]: the grant table, v1;
//! - [`xenstore`]: the xenstore ring protocol (read, write, directory,
//!   watch, transactions);
//! - [`console`]: the PV console ring;
//! - [`ring`]: Xen's shared I/O rings, front-end side;
//! - [`netfront`]: the virtual NIC, polled;
//! - [`XenGuest`], the machine the image layer sees, [`Xen`], the
//!   platform generated pipelines are built on, its device elements, and
//!   [`entry!`], which makes a generated pipeline the image's program.
//!
//! Devices are the domain's vifs, named `eth0`, `eth1`, … in the order of
//! the xl configuration's `vif = [...]`, or by MAC address.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod classes;
pub mod ring;
pub mod xenstore;

#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod console;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod grants;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod hypercall;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
mod machine;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod netfront;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
mod nics;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod shared;

#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub use machine::{Xen, XenGuest};
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
            $crate::XenGuest::new,
            $stem,
            $pool,
            $build,
            $drivers
        );
    };
}
