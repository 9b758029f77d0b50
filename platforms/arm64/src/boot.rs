//! The Linux arm64 `Image` entry: the header, EL2 to EL1, then Rust.
//!
//! A loader (QEMU's `-kernel`, U-Boot's `booti`, Firecracker) reads the
//! 64-byte header at the start of the file, places the image `text_offset`
//! bytes above a 2 MiB-aligned base (anywhere in RAM: the header's flags
//! allow it), and enters its first instruction with the MMU and data
//! cache off and
//! `x0` = the device tree's physical address, at EL2 or EL1. The entry
//! reads the counter, relocates the image for the address it runs at
//! (linked at 0: its `R_AARCH64_RELATIVE` relocations get the load
//! address added before anything reads an absolute one), drops from EL2 to
//! EL1 (EL1 in AArch64, no stage 2, the counters and FP/SIMD untrapped),
//! enables FP/SIMD, installs the vectors, zeroes `.bss`, takes its stack
//! and calls [`nfc_arm64_start`]. That finds the console, maps memory and
//! turns the MMU and caches on, moves the device tree next to the image,
//! makes the heap and calls the platform's `nfc_platform_main`.

use core::arch::global_asm;

use alloc::string::String;
use fdt::Fdt;

use crate::dtb::{self, Range};
use crate::mmu::{self, Tables};
use nfc_virtio::heap;

use crate::{cpu, exceptions, pl011, BootInfo};

global_asm!(
    r#"
    .section .text.head, "ax"
    .global nfc_arm64_image_start
nfc_arm64_image_start:
    b nfc_arm64_entry           /* code0 */
    .long 0                     /* code1 */
    .quad 0x200000              /* text_offset: 2 MiB above the base */
    .quad __image_size          /* image_size: .bss included */
    .quad 0xa                   /* flags: little-endian, 4 KiB pages, any 2 MiB-aligned base */
    .quad 0                     /* res2 */
    .quad 0                     /* res3 */
    .quad 0                     /* res4 */
    .ascii "ARM\x64"            /* magic */
    .long 0                     /* res5 (no PE header) */

    .section .text.boot, "ax"
nfc_arm64_entry:
    mrs x19, cntvct_el0
    mov x20, x0

    /* Linked at 0, placed anywhere: add the load address to every
       R_AARCH64_RELATIVE place (r_offset, r_info, r_addend; 8-byte
       aligned, as device memory needs with the MMU off). Nothing above
       reads an absolute address; `nfc compile` refuses an image with a
       relocation of another kind, so none is skipped here. */
    adr x1, nfc_arm64_image_start
    adrp x2, __rela_start
    add x2, x2, :lo12:__rela_start
    adrp x3, __rela_end
    add x3, x3, :lo12:__rela_end
1:
    cmp x2, x3
    b.hs 2f
    ldp x4, x5, [x2], #16
    ldr x6, [x2], #8
    cmp x5, #0x403              /* R_AARCH64_RELATIVE, no symbol */
    b.ne 1b
    add x6, x6, x1
    str x6, [x4, x1]
    b 1b
2:

    mrs x1, CurrentEL
    ubfx x1, x1, #2, #2
    cmp x1, #1
    b.eq nfc_arm64_el1
    cmp x1, #2
    b.ne nfc_arm64_park

    /* EL2: EL1 runs AArch64 (HCR_EL2.RW) with no stage 2 and nothing
       trapped, reads both counters, sees the physical count unshifted. */
    mov x1, #(1 << 31)
    msr hcr_el2, x1
    mrs x1, cnthctl_el2
    orr x1, x1, #3
    msr cnthctl_el2, x1
    msr cntvoff_el2, xzr
    mov x1, #0x33ff
    msr cptr_el2, x1
    msr hstr_el2, xzr
    ldr x1, =0x30d00800
    msr sctlr_el1, x1
    mov x1, #0x3c5              /* EL1h, D, A, I, F masked */
    msr spsr_el2, x1
    adr x1, nfc_arm64_el1
    msr elr_el2, x1
    eret

nfc_arm64_el1:
    msr daifset, #0xf
    mov x1, #(3 << 20)          /* CPACR_EL1.FPEN: FP/SIMD at EL1 */
    msr cpacr_el1, x1
    isb
    adrp x1, nfc_arm64_vectors
    add x1, x1, :lo12:nfc_arm64_vectors
    msr vbar_el1, x1
    isb

    adrp x1, __bss_start
    add x1, x1, :lo12:__bss_start
    adrp x2, __bss_end
    add x2, x2, :lo12:__bss_end
1:
    cmp x1, x2
    b.hs 2f
    stp xzr, xzr, [x1], #16
    b 1b
2:
    adrp x1, nfc_arm64_boot_stack_top
    add x1, x1, :lo12:nfc_arm64_boot_stack_top
    mov sp, x1
    mov x0, x20
    mov x1, x19
    bl nfc_arm64_start

nfc_arm64_park:
    wfe
    b nfc_arm64_park
    .ltorg

    .section .bss.nfc_boot_stack, "aw", @nobits
    .balign 16
nfc_arm64_boot_stack:
    .space 128 * 1024
nfc_arm64_boot_stack_top:
"#
);

unsafe extern "C" {
    /// The start of the image: its header (the linker script's).
    static __image_start: u8;
    /// The end of the image, `.bss` included (the linker script's).
    static __image_end: u8;
}

unsafe extern "Rust" {
    /// The platform's main (the generated pipeline's `entry!`): it never
    /// returns.
    fn nfc_platform_main(boot: BootInfo) -> !;
}

/// The page tables (in `.bss`, identity-mapped like everything else).
static mut TABLES: Tables = Tables::new();

/// Prints `what` on the console (if there is one yet) and stops.
fn fail(what: &str) -> ! {
    pl011::write_bytes(b"nfc: ");
    pl011::write_bytes(what.as_bytes());
    pl011::write_bytes(b"\nnfc: stopped boot error\n");
    cpu::power_off()
}

/// Rust's first code, MMU off: `dtb` is what the loader passed in `x0`,
/// `counter_at_entry` the counter at the first instruction.
#[unsafe(no_mangle)]
extern "C" fn nfc_arm64_start(dtb: usize, counter_at_entry: u64) -> ! {
    // SAFETY: the loader passes the device tree's address in x0; the
    // header read checks its magic, and its size bounds what is read.
    let fdt = match unsafe { Fdt::from_ptr(dtb as *const u8) } {
        Ok(fdt) => fdt,
        Err(_) => cpu::halt_forever(),
    };
    if let Some(base) = dtb::console(&fdt) {
        pl011::init(base);
    }
    exceptions::init();
    cpu::set_psci(dtb::psci(&fdt));
    let ram = dtb::ram(&fdt);
    if ram.ranges().is_empty() {
        fail("the device tree has no memory node");
    }

    // The MMU: identity map, caches on.
    let parange: u64;
    // SAFETY: reading an ID register has no side effects.
    unsafe {
        core::arch::asm!("mrs {}, id_aa64mmfr0_el1", out(reg) parange, options(nomem, nostack))
    };
    let tables = core::ptr::addr_of_mut!(TABLES);
    // SAFETY: the tables are this function's alone until the MMU uses
    // them; nothing else refers to them.
    if unsafe { mmu::build(&mut *tables, &ram, mmu::pa_size(parange.min(5))) }.is_err() {
        fail("RAM is split into too many pieces for the page tables");
    }
    let image = Range {
        start: core::ptr::addr_of!(__image_start) as u64,
        end: core::ptr::addr_of!(__image_end) as u64,
    };
    if !ram.aligned(mmu::BLOCK).holds(&image) {
        fail("the image is not in RAM that the map covers");
    }
    // SAFETY: the caches are still off: memory holds the newest data.
    unsafe { cpu::invalidate_dcache(image.start, image.end) };
    // SAFETY: the tables map all RAM (the image, its stack and the tables
    // among it) and the devices to themselves, and stay as they are.
    unsafe { mmu::enable(&*tables) };

    // The device tree: cut to its used length and moved right above the
    // image when it lies above it and that place is mapped RAM (QEMU puts
    // its 1 MiB blob in the middle of RAM), so that the heap can have
    // everything after it.
    // SAFETY: the blob the loader passed, `total_size` bytes (Fdt checked
    // its header), read only.
    let blob = unsafe { core::slice::from_raw_parts(dtb as *const u8, fdt.total_size()) };
    let used = dtb::used_len(blob).unwrap_or(blob.len());
    let mut tree = Range {
        start: dtb as u64,
        end: dtb as u64 + used as u64,
    };
    let moved_to = image.end.next_multiple_of(8);
    let destination = Range {
        start: moved_to,
        end: moved_to + used as u64,
    };
    let moved = tree.start >= moved_to && ram.aligned(mmu::BLOCK).holds(&destination);
    if moved {
        // SAFETY: the destination is RAM mapped as normal memory
        // (checked) at or below the source (`copy` allows overlap), and
        // nothing else uses either; the new header is patched to the
        // length copied.
        unsafe {
            core::ptr::copy(tree.start as *const u8, moved_to as *mut u8, used);
            dtb::set_total_len(
                core::slice::from_raw_parts_mut(moved_to as *mut u8, 8),
                used as u32,
            );
        }
        tree = destination;
    }
    // The heap: above the image (and the moved tree), clear of a tree
    // left where it was.
    let (floor, avoid) = if moved {
        (tree.end, None)
    } else {
        (image.end, Some(tree))
    };
    let Some(free) = ram
        .aligned(mmu::BLOCK)
        .largest_free(floor.next_multiple_of(4096), avoid)
    else {
        fail("no free RAM above the image for the heap");
    };
    // SAFETY: RAM mapped as normal memory, above the image and clear of
    // the device tree, used by nothing else.
    unsafe { heap::init(free.start, free.len()) };

    // SAFETY: the device tree (moved or not) lies in RAM that the heap
    // does not cover, and is never written again.
    let blob: &'static [u8] =
        unsafe { core::slice::from_raw_parts(tree.start as *const u8, tree.len() as usize) };
    let fdt = match Fdt::new(blob) {
        Ok(fdt) => fdt,
        Err(_) => fail("the device tree did not survive its move"),
    };
    let boot = BootInfo {
        cmdline: String::from(dtb::bootargs(&fdt)),
        dtb: blob,
        ram,
        heap: free,
        counter_hz: cpu::counter_hz(),
        counter_at_entry,
    };
    exceptions::crash_if_asked(&boot.cmdline);
    // SAFETY: the platform crate defines it; it takes the boot info and
    // never returns.
    unsafe { nfc_platform_main(boot) }
}
