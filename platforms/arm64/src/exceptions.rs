//! Faults: the EL1 vector table (`VBAR_EL1`), whose every entry prints
//! the exception's class, ESR, ELR, FAR, SPSR and every register on the
//! console and stops, and the panic handler, which prints the message and
//! stops likewise. Nothing hangs silently. Interrupts stay masked (every
//! device is polled), so an IRQ, FIQ or SError entry is a fault too.
//!
//! Each entry moves to a stack of its own before saving anything, so a
//! stack overflow is reported rather than faulting again.

use core::arch::{asm, global_asm};
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::cpu;
use crate::pl011::Writer;

global_asm!(
    r#"
    .macro nfc_vector kind
    .balign 0x80
    msr tpidr_el1, x0
    mov x0, sp
    msr tpidrro_el0, x0
    adrp x0, nfc_fault_stack_top
    add x0, x0, :lo12:nfc_fault_stack_top
    mov sp, x0
    mrs x0, tpidr_el1
    sub sp, sp, #(32 * 8)
    stp x0, x1, [sp, #0]
    mov x0, #\kind
    b nfc_vector_common
    .endm

    .section .text.nfc_vectors, "ax"
    .balign 0x800
    .global nfc_arm64_vectors
nfc_arm64_vectors:
    nfc_vector 0
    nfc_vector 1
    nfc_vector 2
    nfc_vector 3
    nfc_vector 4
    nfc_vector 5
    nfc_vector 6
    nfc_vector 7
    nfc_vector 8
    nfc_vector 9
    nfc_vector 10
    nfc_vector 11
    nfc_vector 12
    nfc_vector 13
    nfc_vector 14
    nfc_vector 15

nfc_vector_common:
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x19, [sp, #144]
    stp x20, x21, [sp, #160]
    stp x22, x23, [sp, #176]
    stp x24, x25, [sp, #192]
    stp x26, x27, [sp, #208]
    stp x28, x29, [sp, #224]
    mrs x1, tpidrro_el0
    stp x30, x1, [sp, #240]
    mov x1, x0
    mov x0, sp
    bl nfc_arm64_exception
1:
    wfi
    b 1b

    .section .bss.nfc_fault_stack, "aw", @nobits
    .balign 16
nfc_fault_stack:
    .space 16 * 1024
nfc_fault_stack_top:
"#
);

/// What the vector entry saved: x0 to x30 and the interrupted stack
/// pointer.
#[repr(C)]
struct Frame {
    x: [u64; 31],
    sp: u64,
}

/// The vector table's four groups, by entry / 4.
const FROM: [&str; 4] = ["EL1 with SP_EL0", "EL1", "EL0 (AArch64)", "EL0 (AArch32)"];
/// The four kinds in each group, by entry % 4.
const KIND: [&str; 4] = ["synchronous", "IRQ", "FIQ", "SError"];

/// A synchronous exception's class (`ESR_EL1.EC`), named.
fn class(ec: u64) -> &'static str {
    match ec {
        0x00 => "undefined instruction",
        0x01 => "WFI/WFE trapped",
        0x07 => "FP/SIMD access trapped",
        0x0e => "illegal execution state",
        0x15 => "SVC",
        0x16 => "HVC",
        0x17 => "SMC",
        0x18 => "system register access trapped",
        0x20 | 0x21 => "instruction abort",
        0x22 => "PC alignment fault",
        0x24 | 0x25 => "data abort",
        0x26 => "SP alignment fault",
        0x2c => "floating-point exception",
        0x2f => "SError",
        0x30..=0x35 => "debug exception",
        0x3c => "BRK instruction",
        _ => "exception",
    }
}

/// Set by the first fault: a fault while reporting one only stops.
static REPORTING: AtomicBool = AtomicBool::new(false);

#[unsafe(no_mangle)]
extern "C" fn nfc_arm64_exception(f: &Frame, entry: u64) -> ! {
    if REPORTING.swap(true, Ordering::Relaxed) {
        cpu::halt_forever();
    }
    let (esr, elr, far, spsr): (u64, u64, u64, u64);
    // SAFETY: reading the exception syndrome registers has no side
    // effects.
    unsafe {
        asm!(
            "mrs {0}, esr_el1",
            "mrs {1}, elr_el1",
            "mrs {2}, far_el1",
            "mrs {3}, spsr_el1",
            out(reg) esr, out(reg) elr, out(reg) far, out(reg) spsr,
            options(nomem, nostack),
        )
    };
    let ec = esr >> 26;
    let kind = KIND[(entry % 4) as usize];
    let name = if kind == "synchronous" {
        class(ec)
    } else {
        kind
    };
    let mut w = Writer;
    let _ = write!(
        w,
        "\nnfc: fault: {name} (EC {ec:#04x}, ESR {esr:#010x}) at elr {elr:#018x}\n\
         far {far:#018x} spsr {spsr:#010x} sp {:#018x} ({kind}, from {})\n",
        f.sp,
        FROM[(entry / 4) as usize % 4],
    );
    for (i, x) in f.x.iter().enumerate() {
        let sep = if i % 4 == 3 || i == 30 { "\n" } else { " " };
        let _ = write!(w, "x{i:<2} {x:#018x}{sep}");
    }
    let _ = w.write_str("nfc: stopped fault\n");
    cpu::halt_forever()
}

/// Installs the vector table.
pub fn init() {
    // SAFETY: the table is 2 KiB-aligned code whose every entry is a
    // complete handler; interrupts are masked.
    unsafe {
        asm!(
            "adrp {0}, nfc_arm64_vectors",
            "add {0}, {0}, :lo12:nfc_arm64_vectors",
            "msr vbar_el1, {0}",
            "isb",
            out(reg) _,
            options(nomem, nostack),
        )
    };
}

/// The address [`crash_if_asked`] reads for `nfc.crash=page-fault`: 1
/// TiB, past the 512 GiB the page tables cover.
pub const UNMAPPED: u64 = 1 << 40;

/// Crashes on purpose when the kernel command line asks
/// (`nfc.crash=page-fault|invalid-opcode|panic`, [`nfc_virtio::crash`]):
/// a read of [`UNMAPPED`], or `udf`.
pub fn crash_if_asked(cmdline: &str) {
    nfc_virtio::crash::if_asked(
        cmdline,
        // SAFETY: none needed for what follows: the read faults (the
        // address is not mapped) and the fault handler never returns.
        || unsafe {
            core::ptr::read_volatile(UNMAPPED as *const u64);
        },
        // SAFETY: `udf` is undefined: its handler never returns.
        || unsafe { asm!("udf #0", options(nomem, nostack)) },
    );
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let _ = write!(Writer, "\nnfc: panic: {info}\nnfc: stopped panic\n");
    cpu::halt_forever()
}
