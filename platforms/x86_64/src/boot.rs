//! The PVH entry: 32-bit protected mode to long mode, then Rust.
//!
//! The hypervisor enters `nfc_pvh_start32` (the address in the PVH note)
//! with paging off, flat 32-bit segments and `ebx` = the physical address
//! of the start info. The entry records the TSC, zeroes `.bss`, builds
//! page tables identity-mapping the first 4 GiB with 2 MiB pages, enables
//! PAE and SSE, sets `EFER.LME`, turns paging on, loads a 64-bit GDT and
//! jumps to 64-bit code, which calls [`nfc_x86_64_start`] on the boot
//! stack. That sets up the console, exception handling and the heap, and
//! hands the [`BootInfo`] to the platform's `nfc_platform_main`.

use core::arch::global_asm;

use alloc::string::String;
use alloc::vec::Vec;

use crate::pvh::{self, BootInfo, MemoryRegion, StartInfo};
use crate::{console, cpu, exceptions};

global_asm!(
    r#"
    .section .note.pvh, "a", @note
    .p2align 2
    .long 4                 /* name size: "Xen\0" */
    .long 4                 /* descriptor size */
    .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .p2align 2
    .long nfc_pvh_start32

    .section .data.nfc_boot, "aw"
    .p2align 4
    .global nfc_gdt
nfc_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF    /* 0x08: 64-bit code */
    .quad 0x00CF92000000FFFF    /* 0x10: data */
    .quad 0, 0                  /* 0x18: the TSS, filled in by Rust */
nfc_gdt_end:
    .p2align 3
nfc_gdt_ptr:
    .word nfc_gdt_end - nfc_gdt - 1
    .quad nfc_gdt
    .global nfc_boot_tsc
nfc_boot_tsc:
    .quad 0

    .section .bss.nfc_boot, "aw", @nobits
    .p2align 12
nfc_pml4:
    .space 4096
nfc_pdpt:
    .space 4096
nfc_pd:
    .space 4096 * 4
    .p2align 4
nfc_boot_stack:
    .space 128 * 1024
nfc_boot_stack_top:

    .section .text.boot, "ax"
    .code32
    .global nfc_pvh_start32
nfc_pvh_start32:
    cli
    cld
    mov esi, ebx
    rdtsc
    mov dword ptr [nfc_boot_tsc], eax
    mov dword ptr [nfc_boot_tsc + 4], edx

    /* zero .bss (the loader should have; do not rely on it) */
    mov edi, offset __bss_start
    mov ecx, offset __bss_end
    sub ecx, edi
    xor eax, eax
    rep stosb
    mov esp, offset nfc_boot_stack_top

    /* PML4[0] -> PDPT; PDPT[0..4] -> four page directories */
    mov eax, offset nfc_pdpt
    or eax, 3
    mov dword ptr [nfc_pml4], eax
    mov eax, offset nfc_pd
    or eax, 3
    mov edi, offset nfc_pdpt
    mov ecx, 4
2:
    mov dword ptr [edi], eax
    add eax, 4096
    add edi, 8
    dec ecx
    jnz 2b
    /* 2048 entries of 2 MiB: present, writable, large */
    mov edi, offset nfc_pd
    mov eax, 0x83
    xor ecx, ecx
3:
    mov dword ptr [edi + ecx * 8], eax
    add eax, 0x200000
    inc ecx
    cmp ecx, 2048
    jb 3b

    /* CR4: PAE, OSFXSR, OSXMMEXCPT */
    mov eax, cr4
    or eax, 0x620
    mov cr4, eax
    mov eax, offset nfc_pml4
    mov cr3, eax
    /* EFER.LME */
    mov ecx, 0xC0000080
    rdmsr
    or eax, 0x100
    wrmsr
    /* CR0: paging, protection, MP; no EM, no TS */
    mov eax, cr0
    and eax, 0xFFFFFFF3
    or eax, 0x80000003
    mov cr0, eax

    lgdt [nfc_gdt_ptr]
    mov eax, offset nfc_long_start
    push 0x08
    push eax
    retf

    .code64
nfc_long_start:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov rsp, offset nfc_boot_stack_top
    mov edi, esi
    xor ebp, ebp
    call nfc_x86_64_start
4:
    cli
    hlt
    jmp 4b
"#
);

unsafe extern "C" {
    /// The TSC when the entry ran (written by the entry code).
    static nfc_boot_tsc: u64;
    /// The end of the image, `.bss` included (the linker script's).
    static __image_end: u8;
}

unsafe extern "Rust" {
    /// The platform's main (kvm, xen): it never returns.
    fn nfc_platform_main(boot: BootInfo) -> !;
}

/// Most bytes of the command line kept.
const CMDLINE_MAX: usize = 4096;
/// Most memory map entries kept.
const MEMMAP_MAX: usize = 128;

/// Rust's first code: the console, exceptions, the heap, then the platform.
#[unsafe(no_mangle)]
extern "C" fn nfc_x86_64_start(start_info: u32) -> ! {
    console::init();
    exceptions::init();
    // SAFETY: the entry code wrote it before calling us; nothing else does.
    let tsc_at_entry = unsafe { core::ptr::addr_of!(nfc_boot_tsc).read_volatile() };

    // SAFETY: PVH puts the start info at this physical address, identity
    // mapped; it is read before the heap may reuse its memory.
    let info: StartInfo = unsafe { (start_info as usize as *const StartInfo).read_unaligned() };
    if info.magic != pvh::MAGIC {
        console::write(b"nfc: no PVH start info (boot this image through its PVH note)\n");
        console::fatal_stop();
    }
    // Copy what the start info points at before the heap covers it.
    let mut cmdline = [0u8; CMDLINE_MAX];
    let mut cmdline_len = 0;
    if info.cmdline_paddr != 0 {
        let p = info.cmdline_paddr as usize as *const u8;
        while cmdline_len < CMDLINE_MAX {
            // SAFETY: a NUL-terminated string at an identity-mapped
            // address, read byte by byte up to its NUL.
            let b = unsafe { p.add(cmdline_len).read_volatile() };
            if b == 0 {
                break;
            }
            cmdline[cmdline_len] = b;
            cmdline_len += 1;
        }
    }
    let mut memmap = [MemoryRegion::default(); MEMMAP_MAX];
    let entries = if info.version >= 1 {
        (info.memmap_entries as usize).min(MEMMAP_MAX)
    } else {
        0
    };
    for (i, m) in memmap.iter_mut().enumerate().take(entries) {
        // SAFETY: `memmap_entries` entries at an identity-mapped address.
        *m = unsafe {
            (info.memmap_paddr as usize as *const MemoryRegion)
                .add(i)
                .read_unaligned()
        };
    }
    let memory = &memmap[..entries];

    let image_end = core::ptr::addr_of!(__image_end) as u64;
    let Some((heap_start, heap_len)) = pvh::largest_ram(memory, image_end, 1 << 32) else {
        console::write(b"nfc: no RAM above the image in the memory map\n");
        console::fatal_stop();
    };
    // SAFETY: RAM past the image (and past everything copied above), in
    // the identity map, used by nothing else.
    unsafe { nfc_virtio::heap::init(heap_start, heap_len) };

    let boot = BootInfo {
        cmdline: String::from_utf8_lossy(&cmdline[..cmdline_len]).into_owned(),
        rsdp: (info.rsdp_paddr != 0).then_some(info.rsdp_paddr),
        memory: Vec::from(memory),
        heap: (heap_start, heap_len),
        tsc_hz: cpu::tsc_hz(),
        tsc_at_entry,
    };
    // SAFETY: the platform crate defines it; it takes the boot info and
    // never returns.
    unsafe { nfc_platform_main(boot) }
}
