//! The PV console: the ring page xenconsoled reads and writes
//! (`io/console.h`), found through `HVM_PARAM_CONSOLE_PFN` and
//! `HVM_PARAM_CONSOLE_EVTCHN`. What the guest writes goes to the pty dom0
//! names in xenstore (`xl console`, and the `--log=guest` file); what is
//! typed there arrives on the input ring.
//!
//! The page: a 1 KiB input ring, a 2 KiB output ring, then the four
//! indices. Writing never blocks for long: when xenconsoled does not drain
//! the output ring, the bytes that do not fit are dropped (Xen's debug
//! port still has every line).

use core::sync::atomic::{fence, AtomicPtr, AtomicU32, Ordering};

use crate::hypercall;

const IN: usize = 0;
const IN_SIZE: u32 = 1024;
const OUT: usize = 1024;
const OUT_SIZE: u32 = 2048;
const IN_CONS: usize = 3072;
const IN_PROD: usize = 3076;
const OUT_CONS: usize = 3080;
const OUT_PROD: usize = 3084;

/// How many times a full output ring is polled before bytes are dropped.
const FULL_SPINS: u32 = 100_000;

/// The ring page, once found.
static PAGE: AtomicPtr<u8> = AtomicPtr::new(core::ptr::null_mut());
/// Its event channel.
static PORT: AtomicU32 = AtomicU32::new(0);

/// Finds the console ring; false when the domain has none.
pub fn init() -> bool {
    let (Ok(pfn), Ok(port)) = (
        hypercall::hvm_param(hypercall::PARAM_CONSOLE_PFN),
        hypercall::hvm_param(hypercall::PARAM_CONSOLE_EVTCHN),
    ) else {
        return false;
    };
    if pfn == 0 || pfn >= 1 << 20 {
        return false; // none, or beyond the 4 GiB the image maps
    }
    PORT.store(port as u32, Ordering::Relaxed);
    PAGE.store((pfn << 12) as *mut u8, Ordering::Release);
    true
}

fn index(page: *mut u8, offset: usize) -> &'static AtomicU32 {
    // SAFETY: an aligned u32 of the console page, mapped for the program.
    unsafe { &*(page.add(offset) as *const AtomicU32) }
}

/// Writes `bytes` to the output ring and notifies xenconsoled.
pub fn write(bytes: &[u8]) {
    let page = PAGE.load(Ordering::Acquire);
    if page.is_null() {
        return;
    }
    let mut prod = index(page, OUT_PROD).load(Ordering::Relaxed);
    for &b in bytes {
        let mut spins = 0;
        while prod.wrapping_sub(index(page, OUT_CONS).load(Ordering::Acquire)) >= OUT_SIZE {
            if spins == 0 {
                index(page, OUT_PROD).store(prod, Ordering::Release);
                hypercall::evtchn_send(PORT.load(Ordering::Relaxed));
            }
            spins += 1;
            if spins == FULL_SPINS {
                return;
            }
            core::hint::spin_loop();
        }
        // SAFETY: within the output ring.
        unsafe { page.add(OUT + (prod % OUT_SIZE) as usize).write_volatile(b) };
        prod = prod.wrapping_add(1);
    }
    fence(Ordering::Release);
    index(page, OUT_PROD).store(prod, Ordering::Release);
    hypercall::evtchn_send(PORT.load(Ordering::Relaxed));
}

/// A byte typed on the console, if one is waiting; when the input ring
/// has just been emptied, xenconsoled is told there is room.
pub fn read_byte() -> Option<u8> {
    let page = PAGE.load(Ordering::Acquire);
    if page.is_null() {
        return None;
    }
    let cons = index(page, IN_CONS).load(Ordering::Relaxed);
    let prod = index(page, IN_PROD).load(Ordering::Acquire);
    if cons == prod {
        return None;
    }
    // SAFETY: within the input ring.
    let b = unsafe { page.add(IN + (cons % IN_SIZE) as usize).read_volatile() };
    let cons = cons.wrapping_add(1);
    index(page, IN_CONS).store(cons, Ordering::Release);
    if cons == prod {
        hypercall::evtchn_send(PORT.load(Ordering::Relaxed));
    }
    Some(b)
}
