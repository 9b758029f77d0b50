//! The images' heap: one stretch of RAM (the largest free one above the
//! image, which the machine layer finds in its memory map or device tree),
//! managed by `linked_list_allocator`. Packets never come from it after
//! start (the packet pool is allocated from it once); the heap serves
//! configure time and control traffic. The global allocator of a bare-metal
//! build only: host builds (tests) keep the system's.

use linked_list_allocator::LockedHeap;

#[cfg_attr(target_os = "none", global_allocator)]
static HEAP: LockedHeap = LockedHeap::empty();

/// Hands `len` bytes at (identity-mapped) address `start` to the
/// allocator.
///
/// # Safety
/// The memory is RAM, mapped as normal memory, that nothing else uses, now
/// or later, and this is called once.
pub unsafe fn init(start: u64, len: u64) {
    // SAFETY: the caller's promise.
    unsafe { HEAP.lock().init(start as usize as *mut u8, len as usize) }
}

/// Bytes of the heap in use and free.
pub fn usage() -> (usize, usize) {
    let h = HEAP.lock();
    (h.used(), h.free())
}
