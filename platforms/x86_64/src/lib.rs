//! nfc's x86_64 machine layer, shared by the kvm and xen images.
//!
//! An image is one ELF linked at 1 MiB (`link.ld`) that a hypervisor
//! enters through its PVH note, the boot ABI of Xen, QEMU, Firecracker and
//! Cloud Hypervisor: in 32-bit protected mode, paging off, `ebx` holding
//! the physical address of the `hvm_start_info` ([`pvh`]). The entry
//! ([`boot`]) identity-maps the first 4 GiB with 2 MiB pages, turns on
//! SSE (`CR0.MP`, `CR4.OSFXSR`, `CR4.OSXMMEXCPT`, for functions that
//! enable it with `#[target_feature]`; the code itself is built without
//! it, see DESIGN.md), enters long mode and calls Rust, which
//! loads the GDT with a TSS, the IDT ([`exceptions`]: a fault prints the
//! registers on the serial console and stops), starts the heap over the
//! largest RAM region of the memory map ([`heap`]), and calls the
//! platform's `nfc_platform_main` with the [`BootInfo`].
//!
//! [`console`] is where the layer's own lines go (the 16550 [`serial`]
//! port, or Xen's debug port 0xE9 under Xen, plus a platform's sink) and
//! how a fatal stop ends; [`cpu`] holds port I/O, CPUID, the TSC (from
//! CPUID, Xen's leaves, or calibrated against the PIT), RDRAND/RDSEED and
//! reset. What needs
//! the machine compiles only for `target_os = "none"`; the parsing of boot
//! data is plain code, tested on the host.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod acpi;
pub mod pvh;

#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod boot;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod console;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod cpu;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod exceptions;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod serial;

pub use pvh::BootInfo;
