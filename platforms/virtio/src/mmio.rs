//! virtio-mmio devices named on the kernel command line.
//!
//! Without ACPI or a device tree, QEMU's microvm (with `acpi=off`) and
//! Firecracker tell the guest where their virtio-mmio devices are with one
//! `virtio_mmio.device=SIZE@BASE:IRQ[:ID]` parameter per device (Linux's
//! syntax: SIZE with an optional K, M or G suffix, BASE in hex with `0x`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ptr::NonNull;

use virtio_drivers::transport::mmio::{MmioTransport, VirtIOHeader};
use virtio_drivers::transport::{DeviceType, SomeTransport, Transport};

/// One `virtio_mmio.device=` parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// The device's registers.
    pub base: u64,
    /// Their size in bytes.
    pub size: u64,
}

/// The `virtio_mmio.device=` parameters of `cmdline`, in the order given;
/// `Err` quotes one that does not parse.
pub fn regions(cmdline: &str) -> Result<Vec<Region>, String> {
    cmdline
        .split_ascii_whitespace()
        .filter_map(|word| word.strip_prefix("virtio_mmio.device="))
        .map(|spec| region(spec).ok_or_else(|| format!("bad virtio_mmio.device={spec}")))
        .collect()
}

/// Parses `SIZE@BASE:IRQ[:ID]`.
fn region(spec: &str) -> Option<Region> {
    let (size, rest) = spec.split_once('@')?;
    let base = rest.split(':').next()?;
    let (digits, unit) = match size.as_bytes().last()? {
        b'K' | b'k' => (&size[..size.len() - 1], 1 << 10),
        b'M' | b'm' => (&size[..size.len() - 1], 1 << 20),
        b'G' | b'g' => (&size[..size.len() - 1], 1 << 30),
        _ => (size, 1),
    };
    let size = number(digits)?.checked_mul(unit)?;
    let base = number(base)?;
    (size > 0).then_some(Region { base, size })
}

/// A number as the kernel's `memparse` reads it: hex with `0x`, else
/// decimal.
fn number(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// The virtio-net devices among `regions`, in the order given (the
/// command line's, which is the order Linux probes them in), as
/// transports. Regions with no device behind them (QEMU's microvm lists
/// every transport slot, used or not) are skipped.
///
/// # Safety
/// Each region is a virtio-mmio register block of this machine, mapped one
/// to one, and nothing else uses it while the transports live.
pub unsafe fn net_devices(
    regions: &[Region],
) -> Result<Vec<(u64, SomeTransport<'static>)>, String> {
    // SAFETY: the caller's promise, passed on.
    unsafe { devices(regions, DeviceType::Network) }
}

/// The devices of type `kind` among `regions`, in the order given, as
/// transports, each with its base address; empty slots are skipped.
///
/// # Safety
/// As for [`net_devices`].
pub unsafe fn devices(
    regions: &[Region],
    kind: DeviceType,
) -> Result<Vec<(u64, SomeTransport<'static>)>, String> {
    let mut found = Vec::new();
    for r in regions {
        let header = NonNull::new(r.base as *mut VirtIOHeader)
            .ok_or_else(|| String::from("a virtio_mmio.device at address 0"))?;
        // SAFETY: the caller promises the region is a virtio-mmio block,
        // identity-mapped, used by nothing else.
        let transport = match unsafe { MmioTransport::new(header, r.size as usize) } {
            Ok(t) => t,
            // An empty slot reads as device 0, which the crate refuses.
            Err(_) => continue,
        };
        if transport.device_type() == kind {
            found.push((r.base, SomeTransport::from(transport)));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_lists_regions_in_order() {
        let cmdline = "console=ttyS0 virtio_mmio.device=512@0xfeb00e00:12 \
                       virtio_mmio.device=4K@0xd0000000:5:1 virtio_mmio.device=512@4096:3";
        assert_eq!(
            regions(cmdline).unwrap(),
            [
                Region {
                    base: 0xfeb0_0e00,
                    size: 512
                },
                Region {
                    base: 0xd000_0000,
                    size: 4096
                },
                Region {
                    base: 4096,
                    size: 512
                },
            ]
        );
        assert_eq!(regions("root=/dev/vda").unwrap(), []);
    }

    #[test]
    fn bad_parameters_are_quoted() {
        for bad in [
            "virtio_mmio.device=512",
            "virtio_mmio.device=x@0x1000:1",
            "virtio_mmio.device=0@0x1000:1",
            "virtio_mmio.device=1G@0xzz:1",
        ] {
            let e = regions(bad).unwrap_err();
            assert!(e.contains(&bad[19..]), "{e}");
        }
    }
}
