//! nfc's virtio glue, shared by the kvm and arm64 images.
//!
//! The drivers are the `virtio-drivers` crate's; this crate is what nfc
//! puts around them:
//!
//! - [`hal`]: the crate's [`Hal`](virtio_drivers::Hal) for images that
//!   map memory one to one (physical address = virtual address), with
//!   rings allocated from the heap;
//! - [`pci`]: finding virtio devices on PCI, with configuration space
//!   reached through ECAM (q35: the base address from ACPI's MCFG table)
//!   or port I/O (pc's mechanism #1, through the platform's port access);
//! - [`mmio`]: finding virtio-mmio devices from the kernel command line's
//!   `virtio_mmio.device=` parameters (QEMU's microvm, Firecracker);
//! - [`heap`] and [`crash`]: the images' heap, and faults on purpose;
//! - [`image`]: what every image shares above its machine layer: the
//!   platform, the NICs as device elements' devices, the ControlSocket
//!   protocol on the console, the image's main;
//! - [`rng`]: 64 bits from a virtio-rng device, for CPUs without a
//!   random number instruction;
//! - [`net`]: virtio-net as a polled [`NetDevice`](nfc_dataplane::device::NetDevice):
//!   packet-pool buffers posted to the receive ring and handed on without
//!   a copy, transmitted packets held until the device is done with them,
//!   no interrupts and no allocation per packet.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod crash;
pub mod hal;
pub mod heap;
pub mod image;
pub mod mmio;
pub mod net;
pub mod pci;
pub mod polled;
pub mod rng;

pub use net::VirtioNet;
