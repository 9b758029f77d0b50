//! The PVH start info (`struct hvm_start_info` of Xen's public
//! `arch-x86/hvm/start_info.h`): the kernel command line, the ACPI RSDP
//! and the memory map, as the hypervisor hands them over.

use alloc::string::String;
use alloc::vec::Vec;

/// `hvm_start_info.magic`.
pub const MAGIC: u32 = 0x336e_c578;

/// The E820 type of usable RAM.
pub const RAM: u32 = 1;

/// `struct hvm_start_info`, version 1.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct StartInfo {
    /// [`MAGIC`].
    pub magic: u32,
    /// 0 (no memory map) or 1.
    pub version: u32,
    /// `SIF_*` flags.
    pub flags: u32,
    /// Modules (initrds) passed, none for nfc.
    pub nr_modules: u32,
    /// Physical address of the module list.
    pub modlist_paddr: u64,
    /// Physical address of the NUL-terminated command line, 0 if none.
    pub cmdline_paddr: u64,
    /// Physical address of the ACPI RSDP, 0 if none.
    pub rsdp_paddr: u64,
    /// Physical address of the memory map (version 1).
    pub memmap_paddr: u64,
    /// Entries of the memory map (version 1).
    pub memmap_entries: u32,
    /// Zero.
    pub reserved: u32,
}

/// One entry of the memory map (`struct hvm_memmap_table_entry`, E820
/// types).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryRegion {
    /// Physical start.
    pub addr: u64,
    /// Length in bytes.
    pub size: u64,
    /// E820 type; [`RAM`] is usable memory.
    pub kind: u32,
    /// Zero.
    pub reserved: u32,
}

/// What the boot code learnt, handed to the platform.
#[derive(Clone, Debug, Default)]
pub struct BootInfo {
    /// The kernel command line.
    pub cmdline: String,
    /// Physical address of the ACPI RSDP, if the machine has ACPI.
    pub rsdp: Option<u64>,
    /// The memory map.
    pub memory: Vec<MemoryRegion>,
    /// The heap: start and length.
    pub heap: (u64, u64),
    /// TSC ticks per second.
    pub tsc_hz: u64,
    /// TSC when the PVH entry ran.
    pub tsc_at_entry: u64,
}

impl BootInfo {
    /// The clock since the entry.
    pub fn clock(&self) -> TscClock {
        TscClock {
            hz: self.tsc_hz,
            at_entry: self.tsc_at_entry,
        }
    }

    /// Nanoseconds from the entry to the TSC reading `tsc`.
    pub fn ns_since_entry(&self, tsc: u64) -> u64 {
        self.clock().ns_at(tsc)
    }
}

/// Time since the entry, from TSC readings.
#[derive(Clone, Copy, Debug)]
pub struct TscClock {
    /// TSC ticks per second.
    pub hz: u64,
    /// The TSC at the entry.
    pub at_entry: u64,
}

impl TscClock {
    /// Nanoseconds from the entry to the TSC reading `tsc`.
    pub fn ns_at(&self, tsc: u64) -> u64 {
        let ticks = tsc.wrapping_sub(self.at_entry);
        (u128::from(ticks) * 1_000_000_000 / u128::from(self.hz.max(1))) as u64
    }
}

/// The largest stretch of RAM in `memory` above `floor` and below `ceiling`
/// (a region cut by either keeps its part in between): start and length.
pub fn largest_ram(memory: &[MemoryRegion], floor: u64, ceiling: u64) -> Option<(u64, u64)> {
    memory
        .iter()
        .filter(|r| r.kind == RAM)
        .map(|r| {
            let start = r.addr.max(floor);
            let end = r.addr.saturating_add(r.size).min(ceiling);
            (start, end.saturating_sub(start))
        })
        .filter(|&(_, len)| len > 0)
        .max_by_key(|&(_, len)| len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ram(addr: u64, size: u64) -> MemoryRegion {
        MemoryRegion {
            addr,
            size,
            kind: RAM,
            reserved: 0,
        }
    }

    #[test]
    fn the_layout_is_xens() {
        assert_eq!(core::mem::size_of::<StartInfo>(), 56);
        assert_eq!(core::mem::offset_of!(StartInfo, cmdline_paddr), 24);
        assert_eq!(core::mem::offset_of!(StartInfo, memmap_paddr), 40);
        assert_eq!(core::mem::size_of::<MemoryRegion>(), 24);
    }

    #[test]
    fn the_heap_goes_above_the_image() {
        // QEMU's map for -m 8M: low memory, a reserved hole, the rest.
        let map = [
            ram(0, 0x9fc00),
            MemoryRegion {
                addr: 0x9fc00,
                size: 0x400,
                kind: 2,
                reserved: 0,
            },
            ram(0x10_0000, 0x70_0000),
        ];
        assert_eq!(
            largest_ram(&map, 0x20_0000, 1 << 32),
            Some((0x20_0000, 0x60_0000))
        );
        assert_eq!(largest_ram(&map, 0x80_0000, 1 << 32), None);
        assert_eq!(
            largest_ram(&[ram(0x10_0000, 1 << 33)], 0x20_0000, 1 << 32),
            Some((0x20_0000, (1 << 32) - 0x20_0000)),
            "cut at the end of the identity map"
        );
    }
}
