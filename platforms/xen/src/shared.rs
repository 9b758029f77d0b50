//! The shared info page: event channel pending bits and Xen's system time.
//!
//! An HVM or PVH guest picks a page of its own and asks Xen to put the
//! shared info there (`XENMEM_add_to_physmap`, `XENMAPSPACE_shared_info`).
//! nfc reads two things from it: whether an event channel is pending (the
//! 2-level ABI's `evtchn_pending` bitmap, 64 words from byte 2048), and
//! vCPU 0's time record (byte 32 of its `vcpu_info`), which turns the TSC
//! into Xen's system time, the clock `SCHEDOP_poll` deadlines use.

use core::sync::atomic::{fence, AtomicU32, AtomicU64, Ordering};

use nfc_arch_x86_64::cpu;

use crate::hypercall::{self, MAPSPACE_SHARED_INFO};

/// Byte offset of `evtchn_pending` (after 32 vcpu_info of 64 bytes).
const PENDING: usize = 2048;
/// Byte offset of vCPU 0's `vcpu_time_info`.
const TIME: usize = 32;

#[repr(C, align(4096))]
struct Page([u8; 4096]);

static mut SHARED_INFO: Page = Page([0; 4096]);

/// The mapped shared info page.
#[derive(Clone, Copy, Debug)]
pub struct SharedInfo {
    base: *mut u8,
}

impl SharedInfo {
    /// Maps the shared info over a page of the image's `.bss`.
    pub fn map() -> Result<SharedInfo, i64> {
        let base = core::ptr::addr_of_mut!(SHARED_INFO) as *mut u8;
        hypercall::add_to_physmap(MAPSPACE_SHARED_INFO, 0, base as u64 >> 12)?;
        Ok(SharedInfo { base })
    }

    fn word(&self, offset: usize) -> &AtomicU64 {
        // SAFETY: an aligned u64 within the page, which lives for the
        // program; Xen sets bits atomically, so do we.
        unsafe { &*(self.base.add(offset) as *const AtomicU64) }
    }

    /// Whether `port` was pending, clearing it.
    pub fn take_pending(&self, port: u32) -> bool {
        let bit = 1u64 << (port % 64);
        let word = self.word(PENDING + (port / 64) as usize * 8);
        word.fetch_and(!bit, Ordering::AcqRel) & bit != 0
    }

    /// Xen's system time, ns (what `SCHEDOP_poll` deadlines are in).
    pub fn system_time(&self) -> u64 {
        loop {
            // SAFETY: an aligned u32 in the page.
            let version = unsafe { &*(self.base.add(TIME) as *const AtomicU32) };
            let v = version.load(Ordering::Acquire);
            if v & 1 != 0 {
                continue; // Xen is updating the record
            }
            let tsc_timestamp = self.word(TIME + 8).load(Ordering::Relaxed);
            let system_time = self.word(TIME + 16).load(Ordering::Relaxed);
            let scale = self.word(TIME + 24).load(Ordering::Relaxed);
            fence(Ordering::Acquire);
            if version.load(Ordering::Relaxed) != v {
                continue;
            }
            let (mul, shift) = (scale as u32, (scale >> 32) as u8 as i8);
            let delta = cpu::rdtsc().wrapping_sub(tsc_timestamp);
            return system_time.wrapping_add(scale_delta(delta, mul, shift));
        }
    }
}

/// TSC ticks `delta` in ns, by a time record's `tsc_to_system_mul` and
/// `tsc_shift`: shifted, then multiplied by `mul / 2^32`.
pub fn scale_delta(delta: u64, mul: u32, shift: i8) -> u64 {
    let shifted = if shift >= 0 {
        delta << shift
    } else {
        delta >> -shift
    };
    ((u128::from(shifted) * u128::from(mul)) >> 32) as u64
}
