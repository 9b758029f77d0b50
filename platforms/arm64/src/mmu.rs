//! The page tables: every address below [`MAP_LIMIT`] mapped to itself
//! (the virtio HAL hands devices an address as it is), RAM as normal
//! write-back memory, everything else as Device-nGnRE that never executes.
//!
//! 4 KiB granule, 39-bit virtual addresses (`TCR_EL1.T0SZ` = 25): the walk
//! starts at a level-1 table of 512 entries of 1 GiB. A gigabyte that is
//! wholly RAM or wholly not RAM is one block; one that is partly RAM gets
//! a level-2 table of 2 MiB blocks (RAM is cut inward to 2 MiB first, so a
//! block is never half RAM). QEMU's virt puts its devices and the 32-bit
//! PCI window in the low 1 GiB, RAM from 1 GiB, and the high PCI ECAM at
//! 256 GiB: all inside the map.
//!
//! Building the tables is plain code, tested on the host; switching the
//! MMU on is [`enable`], for the image.

use crate::dtb::{Ram, Range};

/// One GiB: a level-1 block.
pub const GIB: u64 = 1 << 30;
/// Two MiB: a level-2 block.
pub const BLOCK: u64 = 2 << 20;
/// The end of the map: 2^39, what a level-1 table covers.
pub const MAP_LIMIT: u64 = 512 * GIB;
/// `TCR_EL1.T0SZ` for [`MAP_LIMIT`].
pub const T0SZ: u64 = 64 - 39;
/// Level-2 tables available (each maps a gigabyte that is partly RAM).
pub const L2_TABLES: usize = 8;

/// `MAIR_EL1`: attribute 0 is normal memory, inner and outer write-back,
/// read- and write-allocate; attribute 1 is Device-nGnRE.
pub const MAIR: u64 = 0xff | (0x04 << 8);
const ATTR_NORMAL: u64 = 0 << 2;
const ATTR_DEVICE: u64 = 1 << 2;

/// Descriptor bits.
const VALID_BLOCK: u64 = 0b01;
const VALID_TABLE: u64 = 0b11;
/// Inner shareable.
const SH_INNER: u64 = 0b11 << 8;
/// Access flag (set, so no access flag fault).
const AF: u64 = 1 << 10;
/// Not executable at EL1.
const PXN: u64 = 1 << 53;
/// Not executable at EL0.
const UXN: u64 = 1 << 54;

/// A block of normal memory (executable at EL1: the image runs from it).
const NORMAL: u64 = VALID_BLOCK | ATTR_NORMAL | SH_INNER | AF | UXN;
/// A block of device memory, never executed.
const DEVICE: u64 = VALID_BLOCK | ATTR_DEVICE | AF | PXN | UXN;

/// One translation table.
#[repr(C, align(4096))]
#[derive(Clone, Copy, Debug)]
pub struct Table(pub [u64; 512]);

/// The image's tables: the level-1 table and the level-2 tables it may
/// point to.
#[repr(C, align(4096))]
#[derive(Debug)]
pub struct Tables {
    /// The table `TTBR0_EL1` points at.
    pub l1: Table,
    /// Tables for gigabytes that are partly RAM.
    pub l2: [Table; L2_TABLES],
}

impl Tables {
    /// Empty tables (nothing mapped).
    pub const fn new() -> Tables {
        Tables {
            l1: Table([0; 512]),
            l2: [Table([0; 512]); L2_TABLES],
        }
    }
}

impl Default for Tables {
    fn default() -> Tables {
        Tables::new()
    }
}

/// Why the tables could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    /// More gigabytes are partly RAM than there are level-2 tables.
    TooFragmented,
}

/// How a range of addresses is to be mapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Ram,
    Device,
    Mixed,
}

/// What `r` is, given `ram` (already cut to 2 MiB).
fn kind(ram: &Ram, r: &Range) -> Kind {
    if ram.holds(r) {
        Kind::Ram
    } else if ram.ranges().iter().any(|m| m.overlaps(r)) {
        Kind::Mixed
    } else {
        Kind::Device
    }
}

/// Fills `tables` with the identity map of every address below `limit`
/// (at most [`MAP_LIMIT`]; a gigabyte that ends past it is not mapped):
/// `ram` as normal memory, the rest as device memory. Level-2 tables are
/// pointed at by their own address (the tables are identity-mapped too).
pub fn build(tables: &mut Tables, ram: &Ram, limit: u64) -> Result<(), MapError> {
    let ram = ram.aligned(BLOCK);
    let limit = limit.min(MAP_LIMIT);
    let mut next_l2 = 0;
    let Tables { l1, l2 } = tables;
    for (i, entry) in l1.0.iter_mut().enumerate() {
        let gib = Range {
            start: i as u64 * GIB,
            end: (i as u64 + 1) * GIB,
        };
        if gib.end > limit {
            *entry = 0;
            continue;
        }
        *entry = match kind(&ram, &gib) {
            Kind::Ram => gib.start | NORMAL,
            Kind::Device => gib.start | DEVICE,
            Kind::Mixed => {
                let table = l2.get_mut(next_l2).ok_or(MapError::TooFragmented)?;
                next_l2 += 1;
                for (j, e) in table.0.iter_mut().enumerate() {
                    let start = gib.start + j as u64 * BLOCK;
                    let block = Range {
                        start,
                        end: start + BLOCK,
                    };
                    *e = start
                        | if kind(&ram, &block) == Kind::Ram {
                            NORMAL
                        } else {
                            DEVICE
                        };
                }
                table.0.as_ptr() as u64 | VALID_TABLE
            }
        };
    }
    Ok(())
}

/// `TCR_EL1` for the map: T0SZ 25, 4 KiB granule, table walks
/// write-back cacheable and inner shareable, TTBR1 walks disabled, and
/// `ips` (the `ID_AA64MMFR0_EL1.PARange` encoding) as the physical
/// address size.
pub fn tcr(ips: u64) -> u64 {
    const IRGN0_WBWA: u64 = 0b01 << 8;
    const ORGN0_WBWA: u64 = 0b01 << 10;
    const SH0_INNER: u64 = 0b11 << 12;
    const EPD1: u64 = 1 << 23;
    T0SZ | IRGN0_WBWA | ORGN0_WBWA | SH0_INNER | EPD1 | (ips & 0b111) << 32
}

/// The physical address size `ID_AA64MMFR0_EL1.PARange` encodes, in
/// bytes (0: 4 GiB, 1: 64 GiB, 2: 1 TiB, 3: 4 TiB, 4: 16 TiB, 5: 256 TiB,
/// 6: 4 PiB).
pub fn pa_size(parange: u64) -> u64 {
    let bits = match parange & 0xf {
        0 => 32,
        1 => 36,
        2 => 40,
        3 => 42,
        4 => 44,
        5 => 48,
        _ => 52,
    };
    1 << bits
}

/// Switches the MMU on with `tables` and turns the caches on.
///
/// # Safety
/// `tables` maps every address the image uses to itself (the code
/// running now included) and stays in place, unchanged, for good.
#[cfg(all(target_arch = "aarch64", target_os = "none"))]
pub unsafe fn enable(tables: &Tables) {
    use core::arch::asm;
    // SCTLR_EL1: M (MMU), C (data cache), SA (stack alignment check),
    // I (instruction cache).
    const SCTLR_ON: u64 = 1 | 1 << 2 | 1 << 3 | 1 << 12;
    let parange: u64;
    // SAFETY: reading an ID register has no side effects.
    unsafe { asm!("mrs {}, id_aa64mmfr0_el1", out(reg) parange, options(nomem, nostack)) };
    let ttbr = tables.l1.0.as_ptr() as u64;
    // SAFETY: the caller's promise: the tables map what runs to itself,
    // so the next instruction is found after the switch. The TLB and the
    // instruction cache are invalidated first (nothing stale from the
    // loader); the barriers order the register writes.
    unsafe {
        asm!(
            "msr mair_el1, {mair}",
            "msr tcr_el1, {tcr}",
            "msr ttbr0_el1, {ttbr}",
            "dsb ish",
            "isb",
            "tlbi vmalle1",
            "ic iallu",
            "dsb nsh",
            "isb",
            "mrs {tmp}, sctlr_el1",
            "orr {tmp}, {tmp}, {on}",
            "msr sctlr_el1, {tmp}",
            "isb",
            mair = in(reg) MAIR,
            // 52-bit output addresses need TCR_EL1.DS with 4 KiB pages: cap at 48.
            tcr = in(reg) tcr((parange & 0xf).min(5)),
            ttbr = in(reg) ttbr,
            on = in(reg) SCTLR_ON,
            tmp = out(reg) _,
            options(nostack),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ram(ranges: &[(u64, u64)]) -> Ram {
        let mut ram = Ram::default();
        for &(start, end) in ranges {
            ram.push(Range { start, end });
        }
        ram
    }

    fn attr(entry: u64) -> u64 {
        (entry >> 2) & 0b111
    }

    #[test]
    fn virt_with_32_mib_of_ram() {
        let mut t = Tables::new();
        build(&mut t, &ram(&[(0x4000_0000, 0x4200_0000)]), MAP_LIMIT).unwrap();
        // GiB 0: devices (the UART, virtio-mmio, the 32-bit PCI window).
        assert_eq!(t.l1.0[0], DEVICE);
        assert_eq!(t.l1.0[0] & PXN, PXN, "devices never execute");
        // GiB 1: 32 MiB of RAM, then nothing: a level-2 table.
        assert_eq!(t.l1.0[1] & 0b11, VALID_TABLE);
        assert_eq!(t.l1.0[1] & !0xfff, t.l2[0].0.as_ptr() as u64);
        let l2 = &t.l2[0].0;
        for (j, &e) in l2.iter().enumerate() {
            assert_eq!(e & 0b11, VALID_BLOCK);
            assert_eq!(e & 0xffff_ffff_f000, 0x4000_0000 + j as u64 * BLOCK);
            let want = if j < 16 { 0 } else { 1 };
            assert_eq!(attr(e), want, "block {j}");
        }
        assert_eq!(l2[0] & PXN, 0, "RAM executes");
        // The high ECAM at 256.25 GiB: device.
        assert_eq!(t.l1.0[256], (256 * GIB) | DEVICE);
        assert_eq!(t.l1.0[511], (511 * GIB) | DEVICE);
    }

    #[test]
    fn whole_gigabytes_of_ram_are_blocks() {
        let mut t = Tables::new();
        build(&mut t, &ram(&[(0x4000_0000, 0x1_4000_0000)]), MAP_LIMIT).unwrap();
        assert_eq!(t.l1.0[1], GIB | NORMAL);
        assert_eq!(t.l1.0[4], (4 * GIB) | NORMAL);
        assert_eq!(t.l1.0[5], (5 * GIB) | DEVICE);
        assert!(t.l2.iter().all(|l2| l2.0.iter().all(|&e| e == 0)));
    }

    #[test]
    fn a_ram_edge_inside_a_block_leaves_the_block_to_devices() {
        let mut t = Tables::new();
        build(&mut t, &ram(&[(0x4000_0000, 0x4030_0000)]), MAP_LIMIT).unwrap();
        let l2 = &t.l2[0].0;
        assert_eq!(attr(l2[0]), 0);
        assert_eq!(attr(l2[1]), 1, "0x40200000..0x40400000 is half RAM");
    }

    #[test]
    fn the_map_ends_at_the_physical_address_size() {
        let mut t = Tables::new();
        build(&mut t, &ram(&[(0x4000_0000, 0x8000_0000)]), pa_size(1)).unwrap();
        assert_eq!(t.l1.0[63], (63 * GIB) | DEVICE);
        assert_eq!(t.l1.0[64], 0, "past 64 GiB: unmapped");
    }

    #[test]
    fn too_many_partial_gigabytes_is_an_error() {
        let many: Vec<(u64, u64)> = (0..=L2_TABLES as u64)
            .map(|i| ((i + 1) * GIB, (i + 1) * GIB + BLOCK))
            .collect();
        let mut t = Tables::new();
        assert_eq!(
            build(&mut t, &ram(&many), MAP_LIMIT),
            Err(MapError::TooFragmented)
        );
    }

    #[test]
    fn tcr_fields() {
        let tcr = tcr(5);
        assert_eq!(tcr & 0x3f, 25);
        assert_eq!((tcr >> 14) & 0b11, 0, "4 KiB granule");
        assert_eq!((tcr >> 23) & 1, 1, "no TTBR1 walks");
        assert_eq!((tcr >> 32) & 0b111, 5, "48-bit physical addresses");
        assert_eq!(pa_size(2), 1 << 40);
    }
}
