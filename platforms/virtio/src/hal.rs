//! [`IdentityHal`]: virtio-drivers' hardware abstraction for images whose
//! page tables map every address to itself.

use alloc::alloc::{alloc_zeroed, dealloc, Layout};
use core::ptr::NonNull;

use virtio_drivers::{BufferDirection, Hal, PhysAddr, PAGE_SIZE};

/// The HAL of an identity-mapped image: DMA memory comes from the heap
/// (page-aligned, zeroed), a buffer's device address is its address, MMIO
/// regions are where the device says.
#[derive(Debug)]
pub struct IdentityHal;

/// The layout of `pages` DMA pages.
fn layout(pages: usize) -> Layout {
    Layout::from_size_align(pages * PAGE_SIZE, PAGE_SIZE).expect("a DMA layout")
}

// SAFETY: memory from `dma_alloc` is zeroed, page-aligned, owned by the
// device until `dma_dealloc`, and its physical address is its virtual
// address (the image maps memory one to one); shared buffers are already
// visible to the device at their own address, so sharing copies nothing.
unsafe impl Hal for IdentityHal {
    fn dma_alloc(pages: usize, _direction: BufferDirection) -> (PhysAddr, NonNull<u8>) {
        // SAFETY: the layout has a non-zero size (virtio-drivers asks for
        // at least one page).
        let ptr = unsafe { alloc_zeroed(layout(pages)) };
        match NonNull::new(ptr) {
            Some(p) => (p.as_ptr() as PhysAddr, p),
            // virtio-drivers reports a zero address as DmaError.
            None => (0, NonNull::dangling()),
        }
    }

    unsafe fn dma_dealloc(_paddr: PhysAddr, vaddr: NonNull<u8>, pages: usize) -> i32 {
        // SAFETY: the caller gives back memory `dma_alloc` returned for
        // `pages` pages.
        unsafe { dealloc(vaddr.as_ptr(), layout(pages)) };
        0
    }

    unsafe fn mmio_phys_to_virt(paddr: PhysAddr, _size: usize) -> NonNull<u8> {
        NonNull::new(paddr as *mut u8).expect("an MMIO region at address zero")
    }

    unsafe fn share(buffer: NonNull<[u8]>, _direction: BufferDirection) -> PhysAddr {
        buffer.cast::<u8>().as_ptr() as PhysAddr
    }

    unsafe fn unshare(_paddr: PhysAddr, _buffer: NonNull<[u8]>, _direction: BufferDirection) {}
}
