//! The heap: the largest free stretch of RAM above the image, managed by
//! `linked_list_allocator` (as on x86_64). Packets come from the packet
//! pool, allocated from it once at start.

use linked_list_allocator::LockedHeap;

#[global_allocator]
static HEAP: LockedHeap = LockedHeap::empty();

/// Hands `len` bytes at (identity-mapped) address `start` to the
/// allocator.
///
/// # Safety
/// The memory is RAM mapped as normal memory that nothing else uses, now
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
