//! Port I/O, CPUID, the TSC, RDRAND/RDSEED, halting and reset.

use core::arch::asm;
use core::arch::x86_64::{__cpuid, __cpuid_count, _rdtsc};

/// Writes a byte to an I/O port.
#[inline]
pub fn outb(port: u16, v: u8) {
    // SAFETY: port I/O has no memory effects; the ports nfc uses (serial,
    // Xen's debug port, PIT, PCI configuration, ACPI, reset) are the
    // machine's own.
    unsafe {
        asm!("out dx, al", in("dx") port, in("al") v, options(nomem, nostack, preserves_flags))
    }
}

/// Reads a byte from an I/O port.
#[inline]
pub fn inb(port: u16) -> u8 {
    let v: u8;
    // SAFETY: as for `outb`.
    unsafe {
        asm!("in al, dx", out("al") v, in("dx") port, options(nomem, nostack, preserves_flags))
    }
    v
}

/// Writes 16 bits to an I/O port.
#[inline]
pub fn outw(port: u16, v: u16) {
    // SAFETY: as for `outb`.
    unsafe {
        asm!("out dx, ax", in("dx") port, in("ax") v, options(nomem, nostack, preserves_flags))
    }
}

/// Reads 16 bits from an I/O port.
#[inline]
pub fn inw(port: u16) -> u16 {
    let v: u16;
    // SAFETY: as for `outb`.
    unsafe {
        asm!("in ax, dx", out("ax") v, in("dx") port, options(nomem, nostack, preserves_flags))
    }
    v
}

/// Writes 32 bits to an I/O port.
#[inline]
pub fn outl(port: u16, v: u32) {
    // SAFETY: as for `outb`.
    unsafe {
        asm!("out dx, eax", in("dx") port, in("eax") v, options(nomem, nostack, preserves_flags))
    }
}

/// Reads 32 bits from an I/O port.
#[inline]
pub fn inl(port: u16) -> u32 {
    let v: u32;
    // SAFETY: as for `outb`.
    unsafe {
        asm!("in eax, dx", out("eax") v, in("dx") port, options(nomem, nostack, preserves_flags))
    }
    v
}

/// CPUID leaf `leaf`, subleaf `sub`: `[eax, ebx, ecx, edx]`.
pub fn cpuid(leaf: u32, sub: u32) -> [u32; 4] {
    let r = __cpuid_count(leaf, sub);
    [r.eax, r.ebx, r.ecx, r.edx]
}

/// The time stamp counter.
#[inline]
pub fn rdtsc() -> u64 {
    // SAFETY: RDTSC is always available on x86_64 and has no side effects.
    unsafe { _rdtsc() }
}

/// The first of Xen's CPUID leaves (`0x40000000`, or a later multiple of
/// 0x100 when Xen also offers another hypervisor's leaves), when the
/// machine is a Xen guest.
pub fn xen_leaves() -> Option<u32> {
    (0x4000_0000u32..0x4001_0000).step_by(0x100).find(|&base| {
        let [max, b, c, d] = cpuid(base, 0);
        // "XenVMMXenVMM", and at least the leaves up to base + 3
        [b, c, d] == [0x566e_6558, 0x6558_4d4d, 0x4d4d_566e] && max >= base + 3
    })
}

/// TSC ticks per second: from CPUID leaf 0x15 when the CPU states it,
/// else from Xen's TSC leaf (base + 3, subleaf 0: the guest's TSC in kHz)
/// or the hypervisor leaf 0x40000010 (KVM, VMware), else measured against
/// the PIT over 10 ms.
pub fn tsc_hz() -> u64 {
    let max = __cpuid(0).eax;
    if max >= 0x15 {
        let [den, num, crystal, _] = cpuid(0x15, 0);
        if den != 0 && num != 0 && crystal != 0 {
            return u64::from(crystal) * u64::from(num) / u64::from(den);
        }
    }
    if let Some(base) = xen_leaves() {
        let khz = cpuid(base + 3, 0)[2];
        if khz != 0 {
            return u64::from(khz) * 1000;
        }
    }
    let hv_max = __cpuid(0x4000_0000).eax;
    if hv_max >= 0x4000_0010 {
        let khz = cpuid(0x4000_0010, 0)[0];
        if khz != 0 {
            return u64::from(khz) * 1000;
        }
    }
    pit_calibrate()
}

/// The PIT's input clock, Hz.
const PIT_HZ: u64 = 1_193_182;

/// Counts TSC ticks while PIT channel 0 counts 10 ms. Channel 0 is read
/// by latching its counter, so this needs no speaker port (microvm has
/// none); interrupts are off, so its IRQ 0 goes nowhere.
fn pit_calibrate() -> u64 {
    const WANT: u64 = PIT_HZ / 100;
    let read = || {
        outb(0x43, 0x00); // latch channel 0
        let lo = inb(0x40);
        let hi = inb(0x40);
        u16::from_le_bytes([lo, hi])
    };
    // Channel 0, lobyte/hibyte, mode 2 (rate generator), count 65536.
    outb(0x43, 0x34);
    outb(0x40, 0);
    outb(0x40, 0);
    let mut last = read();
    let start = rdtsc();
    let (mut elapsed, mut reads) = (0u64, 0u64);
    while elapsed < WANT && reads < 10_000_000 {
        let now = read();
        // the counter counts down and wraps
        elapsed += u64::from(last.wrapping_sub(now));
        last = now;
        reads += 1;
    }
    let end = rdtsc();
    if elapsed < WANT {
        // No PIT: assume 1 GHz rather than divide by nothing.
        return 1_000_000_000;
    }
    (end - start) * PIT_HZ / elapsed
}

/// 64 random bits from RDSEED or RDRAND, `None` when the CPU has neither
/// or they keep failing.
pub fn random_u64() -> Option<u64> {
    let leaf7 = cpuid(7, 0);
    if leaf7[1] & (1 << 18) != 0 {
        for _ in 0..64 {
            // SAFETY: CPUID says RDSEED exists.
            if let Some(v) = unsafe { rdseed() } {
                return Some(v);
            }
        }
    }
    if cpuid(1, 0)[2] & (1 << 30) != 0 {
        for _ in 0..16 {
            // SAFETY: CPUID says RDRAND exists.
            if let Some(v) = unsafe { rdrand() } {
                return Some(v);
            }
        }
    }
    None
}

#[target_feature(enable = "rdseed")]
unsafe fn rdseed() -> Option<u64> {
    let mut v = 0u64;
    (core::arch::x86_64::_rdseed64_step(&mut v) == 1).then_some(v)
}

#[target_feature(enable = "rdrand")]
unsafe fn rdrand() -> Option<u64> {
    let mut v = 0u64;
    (core::arch::x86_64::_rdrand64_step(&mut v) == 1).then_some(v)
}

/// Stops this CPU for good: interrupts off, halted. (Xen takes a halt
/// with interrupts off for a poweroff; xen images stop otherwise.)
pub fn halt_forever() -> ! {
    loop {
        // SAFETY: stopping the only CPU is what is asked for.
        unsafe { asm!("cli", "hlt", options(nomem, nostack)) }
    }
}

/// Resets the machine (QEMU run with `-no-reboot` exits): the PCI reset
/// register (0xCF9), then the keyboard controller, then a triple fault.
pub fn reset() -> ! {
    outb(0xCF9, 0x02);
    outb(0xCF9, 0x06);
    outb(0x64, 0xFE);
    #[repr(C, packed)]
    struct Pointer {
        limit: u16,
        base: u64,
    }
    let empty = Pointer { limit: 0, base: 0 };
    // SAFETY: an empty IDT makes the next exception a triple fault, which
    // resets the machine; nothing runs after it.
    unsafe { asm!("lidt [{}]", "int3", in(reg) &empty, options(nostack)) }
    halt_forever()
}
