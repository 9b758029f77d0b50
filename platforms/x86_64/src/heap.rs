//! The heap: one region of RAM from the memory map, managed by
//! `linked_list_allocator`. Packets never come from it (they come from
//! the packet pool, allocated once at start); the heap serves configure
//! time and control traffic.

use linked_list_allocator::LockedHeap;

#[global_allocator]
static HEAP: LockedHeap = LockedHeap::empty();

/// Hands `len` bytes at physical (identity-mapped) address `start` to the
/// allocator.
///
/// # Safety
/// The memory must be RAM that nothing else uses, now or later, and this
/// is called once.
pub unsafe fn init(start: u64, len: u64) {
    // SAFETY: the caller's promise.
    unsafe { HEAP.lock().init(start as usize as *mut u8, len as usize) }
}

/// Bytes of the heap in use and free.
pub fn usage() -> (usize, usize) {
    let h = HEAP.lock();
    (h.used(), h.free())
}
