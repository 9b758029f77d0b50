//! The CPU: the generic timer's virtual counter (the clock), RNDR (the
//! entropy), PSCI SYSTEM_OFF (the stop) and halting.

use core::arch::asm;
use core::sync::atomic::{AtomicU8, Ordering};

use crate::dtb::Conduit;

/// The virtual counter (`CNTVCT_EL0`). At EL1 it is always readable; an
/// entry at EL2 sets `CNTVOFF_EL2` to 0, so it equals the physical count.
pub fn counter() -> u64 {
    let v: u64;
    // SAFETY: reading the counter has no side effects. The `isb` keeps
    // the read from being taken early.
    unsafe { asm!("isb", "mrs {}, cntvct_el0", out(reg) v, options(nomem, nostack)) };
    v
}

/// The counter's frequency in Hz (`CNTFRQ_EL0`, set by the firmware or
/// the hypervisor).
pub fn counter_hz() -> u64 {
    let v: u64;
    // SAFETY: reading an ID-like register has no side effects.
    unsafe { asm!("mrs {}, cntfrq_el0", out(reg) v, options(nomem, nostack)) };
    v
}

/// True when the CPU has RNDR (`ID_AA64ISAR0_EL1.RNDR`, FEAT_RNG).
pub fn has_rndr() -> bool {
    let isar0: u64;
    // SAFETY: reading an ID register has no side effects.
    unsafe { asm!("mrs {}, id_aa64isar0_el1", out(reg) isar0, options(nomem, nostack)) };
    (isar0 >> 60) & 0xf >= 1
}

/// 64 random bits from RNDR, or `None` when the CPU has none or it fails
/// ten times running (it reports failure through the Z flag).
pub fn random_u64() -> Option<u64> {
    if !has_rndr() {
        return None;
    }
    for _ in 0..10 {
        let (v, ok): (u64, u64);
        // SAFETY: RNDR (s3_3_c2_c4_0, named by its encoding so that the
        // assembler needs no `rand` feature) only reads; it sets NZCV,
        // which `cset` reads.
        unsafe {
            asm!(
                "mrs {v}, s3_3_c2_c4_0",
                "cset {ok}, ne",
                v = out(reg) v,
                ok = out(reg) ok,
                options(nomem, nostack),
            )
        };
        if ok == 1 {
            return Some(v);
        }
    }
    None
}

/// The PSCI conduit: 0 none, 1 HVC, 2 SMC.
static PSCI: AtomicU8 = AtomicU8::new(0);

/// Invalidates the data cache lines of `[start, end)` to the point of
/// coherency, so that what was written there with the caches off (the
/// relocations, `.bss`, the page tables) is what the caches see once they
/// are on: a loader cleans the image to the point of coherency
/// (booting.rst) but may leave its lines in the caches.
///
/// # Safety
/// The caches are off, so no line holds data newer than memory.
pub unsafe fn invalidate_dcache(start: u64, end: u64) {
    let ctr: u64;
    // SAFETY: reading an ID register has no side effects.
    unsafe { asm!("mrs {}, ctr_el0", out(reg) ctr, options(nomem, nostack)) };
    // CTR_EL0.DminLine: log2 of the smallest line, in 4-byte words.
    let line = 4u64 << ((ctr >> 16) & 0xf);
    let mut at = start & !(line - 1);
    while at < end {
        // SAFETY: the caller's promise: invalidating loses nothing.
        unsafe { asm!("dc ivac, {}", in(reg) at, options(nostack)) };
        at += line;
    }
    // SAFETY: a barrier: the invalidations complete before what follows.
    unsafe { asm!("dsb sy", options(nostack)) };
}

/// Records how PSCI is called (from the device tree).
pub fn set_psci(conduit: Option<Conduit>) {
    let v = match conduit {
        None => 0,
        Some(Conduit::Hvc) => 1,
        Some(Conduit::Smc) => 2,
    };
    PSCI.store(v, Ordering::Relaxed);
}

/// PSCI's SYSTEM_OFF (SMC32 function 0x84000008).
const SYSTEM_OFF: u64 = 0x8400_0008;

/// Powers the machine off through PSCI (QEMU then exits); halts if the
/// machine has no PSCI or the call returns.
pub fn power_off() -> ! {
    match PSCI.load(Ordering::Relaxed) {
        // SAFETY: SYSTEM_OFF does not return on success; on failure it
        // returns an error in x0, which is clobbered, and we halt.
        1 => unsafe { asm!("hvc #0", inout("x0") SYSTEM_OFF => _, options(nomem, nostack)) },
        // SAFETY: as above, through the secure monitor.
        2 => unsafe { asm!("smc #0", inout("x0") SYSTEM_OFF => _, options(nomem, nostack)) },
        _ => {}
    }
    halt_forever()
}

/// Stops this CPU for good: interrupts masked, waiting for one forever.
pub fn halt_forever() -> ! {
    loop {
        // SAFETY: masking interrupts and waiting change nothing else.
        unsafe { asm!("msr daifset, #0xf", "wfi", options(nomem, nostack)) };
    }
}
