//! Faults: a TSS (so a double fault has a stack of its own), an IDT whose
//! 32 exception vectors print the vector, error code, CR2 and every
//! register on the console and stop the machine, and the panic
//! handler, which prints the message and stops likewise. Nothing hangs
//! silently. The images run with interrupts off (every device is polled),
//! so vectors 32 and up stay empty.

use core::arch::{asm, global_asm};
use core::fmt::Write;

use crate::console::{self, Writer};

// Stubs: push a zero where the CPU pushes no error code, then the vector,
// save the general registers and call `nfc_exception` with them.
global_asm!(
    r#"
    .macro nfc_isr_noerr n
    .p2align 4
nfc_isr_\n:
    push 0
    push \n
    jmp nfc_isr_common
    .endm
    .macro nfc_isr_err n
    .p2align 4
nfc_isr_\n:
    push \n
    jmp nfc_isr_common
    .endm

    .section .text.nfc_isr, "ax"
    nfc_isr_noerr 0
    nfc_isr_noerr 1
    nfc_isr_noerr 2
    nfc_isr_noerr 3
    nfc_isr_noerr 4
    nfc_isr_noerr 5
    nfc_isr_noerr 6
    nfc_isr_noerr 7
    nfc_isr_err 8
    nfc_isr_noerr 9
    nfc_isr_err 10
    nfc_isr_err 11
    nfc_isr_err 12
    nfc_isr_err 13
    nfc_isr_err 14
    nfc_isr_noerr 15
    nfc_isr_noerr 16
    nfc_isr_err 17
    nfc_isr_noerr 18
    nfc_isr_noerr 19
    nfc_isr_noerr 20
    nfc_isr_err 21
    nfc_isr_noerr 22
    nfc_isr_noerr 23
    nfc_isr_noerr 24
    nfc_isr_noerr 25
    nfc_isr_noerr 26
    nfc_isr_noerr 27
    nfc_isr_noerr 28
    nfc_isr_err 29
    nfc_isr_err 30
    nfc_isr_noerr 31

nfc_isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp
    and rsp, -16
    call nfc_exception
    ud2

    .section .rodata.nfc_isr, "a"
    .p2align 3
    .global nfc_isr_table
nfc_isr_table:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad nfc_isr_\n
    .endr
"#
);

unsafe extern "C" {
    static nfc_isr_table: [u64; 32];
    static mut nfc_gdt: [u64; 5];
}

/// What the stubs and the CPU pushed, from the lowest address up.
#[repr(C)]
#[derive(Debug)]
struct Frame {
    r15: u64,
    r14: u64,
    r13: u64,
    r12: u64,
    r11: u64,
    r10: u64,
    r9: u64,
    r8: u64,
    rbp: u64,
    rdi: u64,
    rsi: u64,
    rdx: u64,
    rcx: u64,
    rbx: u64,
    rax: u64,
    vector: u64,
    error: u64,
    rip: u64,
    cs: u64,
    rflags: u64,
    rsp: u64,
    ss: u64,
}

/// The exceptions' names, by vector.
const NAMES: [&str; 32] = [
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range exceeded",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor segment overrun",
    "invalid TSS",
    "segment not present",
    "stack-segment fault",
    "general protection fault",
    "page fault",
    "reserved",
    "x87 floating-point error",
    "alignment check",
    "machine check",
    "SIMD floating-point error",
    "virtualization exception",
    "control protection",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "hypervisor injection",
    "VMM communication",
    "security exception",
    "reserved",
];

#[unsafe(no_mangle)]
extern "C" fn nfc_exception(f: &Frame) -> ! {
    let cr2: u64;
    // SAFETY: reading CR2 has no side effects.
    unsafe { asm!("mov {}, cr2", out(reg) cr2, options(nomem, nostack)) };
    let name = NAMES.get(f.vector as usize).copied().unwrap_or("?");
    let mut w = Writer;
    let _ = write!(
        w,
        "\nnfc: fault: {name} (vector {}, error {:#x}) at rip {:#018x}\n\
         cr2 {cr2:#018x} rsp {:#018x} rflags {:#010x} cs {:#x} ss {:#x}\n\
         rax {:#018x} rbx {:#018x} rcx {:#018x} rdx {:#018x}\n\
         rsi {:#018x} rdi {:#018x} rbp {:#018x} r8  {:#018x}\n\
         r9  {:#018x} r10 {:#018x} r11 {:#018x} r12 {:#018x}\n\
         r13 {:#018x} r14 {:#018x} r15 {:#018x}\n\
         nfc: stopped fault\n",
        f.vector,
        f.error,
        f.rip,
        f.rsp,
        f.rflags,
        f.cs,
        f.ss,
        f.rax,
        f.rbx,
        f.rcx,
        f.rdx,
        f.rsi,
        f.rdi,
        f.rbp,
        f.r8,
        f.r9,
        f.r10,
        f.r11,
        f.r12,
        f.r13,
        f.r14,
        f.r15,
    );
    console::fatal_stop()
}

/// The address [`crash_if_asked`] reads for `nfc.crash=page-fault`: 64
/// GiB, canonical but beyond the 4 GiB the image maps.
pub const UNMAPPED: u64 = 64 << 30;

/// Crashes on purpose when the kernel command line asks
/// (`nfc.crash=page-fault|invalid-opcode|panic`, [`nfc_virtio::crash`]):
/// a read of [`UNMAPPED`], or `ud2`.
pub fn crash_if_asked(cmdline: &str) {
    nfc_virtio::crash::if_asked(
        cmdline,
        // SAFETY: none needed for what follows: the read faults (the
        // address is unmapped) and the fault handler never returns.
        || unsafe {
            core::ptr::read_volatile(UNMAPPED as *const u64);
        },
        // SAFETY: ud2 raises #UD, whose handler never returns.
        || unsafe { asm!("ud2", options(nomem, nostack)) },
    );
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let _ = write!(Writer, "\nnfc: panic: {info}\nnfc: stopped panic\n");
    console::fatal_stop()
}

/// The 64-bit TSS: only its first interrupt stack is used (double fault).
#[repr(C, packed(4))]
struct Tss {
    reserved0: u32,
    rsp: [u64; 3],
    reserved1: u64,
    ist: [u64; 7],
    reserved2: u64,
    reserved3: u16,
    iomap_base: u16,
}

static mut TSS: Tss = Tss {
    reserved0: 0,
    rsp: [0; 3],
    reserved1: 0,
    ist: [0; 7],
    reserved2: 0,
    reserved3: 0,
    iomap_base: core::mem::size_of::<Tss>() as u16,
};

/// The double fault's stack (16 KiB, 16-byte aligned).
static mut FAULT_STACK: [u128; 1024] = [0; 1024];

/// One 16-byte IDT gate.
#[repr(C)]
#[derive(Clone, Copy)]
struct Gate {
    offset_low: u16,
    selector: u16,
    ist: u8,
    attributes: u8,
    offset_mid: u16,
    offset_high: u32,
    reserved: u32,
}

static mut IDT: [Gate; 32] = [Gate {
    offset_low: 0,
    selector: 0,
    ist: 0,
    attributes: 0,
    offset_mid: 0,
    offset_high: 0,
    reserved: 0,
}; 32];

#[repr(C, packed)]
struct Pointer {
    limit: u16,
    base: u64,
}

/// Installs the TSS (in the boot GDT's last slot) and the IDT.
pub fn init() {
    // SAFETY: runs once, on the only CPU, before anything reads these
    // tables; the GDT's slot 3-4 is reserved for the TSS by the entry code.
    unsafe {
        let tss = core::ptr::addr_of_mut!(TSS);
        let stack = core::ptr::addr_of_mut!(FAULT_STACK) as u64;
        (*tss).ist[0] = stack + core::mem::size_of::<[u128; 1024]>() as u64;
        let base = tss as u64;
        let limit = core::mem::size_of::<Tss>() as u64 - 1;
        let low = (limit & 0xFFFF)
            | (base & 0xFF_FFFF) << 16
            | 0x89 << 40 // present, 64-bit TSS (available)
            | ((limit >> 16) & 0xF) << 48
            | ((base >> 24) & 0xFF) << 56;
        let gdt = core::ptr::addr_of_mut!(nfc_gdt);
        (*gdt)[3] = low;
        (*gdt)[4] = base >> 32;
        asm!("ltr {0:x}", in(reg) 0x18u16, options(nostack));

        let idt = core::ptr::addr_of_mut!(IDT);
        let table = core::ptr::addr_of!(nfc_isr_table);
        for (v, gate) in (*idt).iter_mut().enumerate() {
            let handler = (*table)[v];
            *gate = Gate {
                offset_low: handler as u16,
                selector: 0x08,
                ist: if v == 8 { 1 } else { 0 },
                attributes: 0x8E, // present, interrupt gate
                offset_mid: (handler >> 16) as u16,
                offset_high: (handler >> 32) as u32,
                reserved: 0,
            };
        }
        let pointer = Pointer {
            limit: (core::mem::size_of::<[Gate; 32]>() - 1) as u16,
            base: idt as u64,
        };
        asm!("lidt [{}]", in(reg) &pointer, options(readonly, nostack));
    }
}
