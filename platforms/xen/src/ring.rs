//! Xen's shared I/O rings (`io/ring.h`), the front end's half: one page
//! holding the producer and consumer indices, then a power-of-two array of
//! slots, each a request or, once the back end has answered, a response.
//!
//! The front end produces requests at `req_prod` and consumes responses
//! up to `rsp_prod`; each side says with `req_event` / `rsp_event` when it
//! wants to be notified. Indices run freely and wrap; a slot is the index
//! modulo the ring's size. Slots are read and written with volatile
//! accesses: the back end (another domain) writes them concurrently.

use core::sync::atomic::{fence, AtomicU32, Ordering};

/// Bytes in a page, and in a ring.
pub const PAGE: usize = 4096;

/// Bytes before the first slot: the four indices and padding.
const HEADER: usize = 64;
/// Offsets of the indices in the page.
const REQ_PROD: usize = 0;
const REQ_EVENT: usize = 4;
const RSP_PROD: usize = 8;
const RSP_EVENT: usize = 12;

/// How many slots of `entry` bytes a ring page holds: the largest power
/// of two that fits (`__RING_SIZE`).
pub const fn slots(entry: usize) -> u32 {
    let fit = (PAGE - HEADER) / entry;
    let mut n = 1;
    while n * 2 <= fit {
        n *= 2;
    }
    n as u32
}

/// The front end's view of a ring page it shares with a back end.
#[derive(Debug)]
pub struct FrontRing {
    page: *mut u8,
    /// Bytes per slot: the larger of a request and a response.
    entry: usize,
    size: u32,
    /// Requests written but not yet published.
    req_prod_pvt: u32,
    /// Responses consumed.
    rsp_cons: u32,
}

impl FrontRing {
    /// Initialises the ring in `page` (`SHARED_RING_INIT` and
    /// `FRONT_RING_INIT`): indices zero, events one, slots cleared.
    ///
    /// # Safety
    ///
    /// `page` is a page-aligned, writable page that lives as long as the
    /// ring and is shared with nobody but the back end.
    pub unsafe fn new(page: *mut u8, entry: usize) -> FrontRing {
        // SAFETY: the caller gives us the whole page.
        unsafe { core::ptr::write_bytes(page, 0, PAGE) };
        let ring = FrontRing {
            page,
            entry,
            size: slots(entry),
            req_prod_pvt: 0,
            rsp_cons: 0,
        };
        ring.index(REQ_EVENT).store(1, Ordering::Relaxed);
        ring.index(RSP_EVENT).store(1, Ordering::Relaxed);
        ring
    }

    /// The page's address (to grant it).
    pub fn page(&self) -> *mut u8 {
        self.page
    }

    /// How many slots the ring has.
    pub fn size(&self) -> u32 {
        self.size
    }

    fn index(&self, offset: usize) -> &AtomicU32 {
        // SAFETY: the four indices are aligned u32s at the start of the
        // page, which lives as long as `self`; both sides access them
        // atomically.
        unsafe { &*(self.page.add(offset) as *const AtomicU32) }
    }

    /// The slot of free-running index `i`.
    fn slot(&self, i: u32) -> *mut u8 {
        let at = HEADER + (i & (self.size - 1)) as usize * self.entry;
        // SAFETY: `at + entry` stays within the page (`slots` made the
        // ring fit).
        unsafe { self.page.add(at) }
    }

    /// The index the next request goes to.
    pub fn req_prod_pvt(&self) -> u32 {
        self.req_prod_pvt
    }

    /// The index of the next response to consume.
    pub fn rsp_cons(&self) -> u32 {
        self.rsp_cons
    }

    /// Slots free for requests: neither holding a request nor a response
    /// not yet consumed.
    pub fn free_requests(&self) -> u32 {
        self.size - (self.req_prod_pvt - self.rsp_cons)
    }

    /// Writes the next request (`bytes`, at most a slot) without
    /// publishing it.
    pub fn put_request(&mut self, bytes: &[u8]) {
        debug_assert!(bytes.len() <= self.entry && self.free_requests() > 0);
        let slot = self.slot(self.req_prod_pvt);
        for (i, &b) in bytes.iter().enumerate().take(self.entry) {
            // SAFETY: within the slot (`take(entry)`).
            unsafe { slot.add(i).write_volatile(b) };
        }
        self.req_prod_pvt = self.req_prod_pvt.wrapping_add(1);
    }

    /// Publishes the requests written since the last push; true if the
    /// back end asked to be notified of them
    /// (`RING_PUSH_REQUESTS_AND_CHECK_NOTIFY`).
    pub fn push_requests(&mut self) -> bool {
        let old = self.index(REQ_PROD).load(Ordering::Relaxed);
        let new = self.req_prod_pvt;
        // The requests' bytes before the index that publishes them.
        fence(Ordering::Release);
        self.index(REQ_PROD).store(new, Ordering::Relaxed);
        // The index before reading what the back end wants.
        fence(Ordering::SeqCst);
        let event = self.index(REQ_EVENT).load(Ordering::Relaxed);
        new.wrapping_sub(event) < new.wrapping_sub(old)
    }

    /// Whether a response waits to be consumed.
    pub fn has_response(&self) -> bool {
        let prod = self.index(RSP_PROD).load(Ordering::Relaxed);
        // The index before the slots it covers.
        fence(Ordering::Acquire);
        prod != self.rsp_cons
    }

    /// Copies the next response (a slot's first `N` bytes) and consumes
    /// it; `None` when none waits.
    pub fn take_response<const N: usize>(&mut self) -> Option<[u8; N]> {
        if !self.has_response() {
            return None;
        }
        let slot = self.slot(self.rsp_cons);
        let mut out = [0u8; N];
        for (i, b) in out.iter_mut().enumerate().take(self.entry) {
            // SAFETY: within the slot.
            *b = unsafe { slot.add(i).read_volatile() };
        }
        self.rsp_cons = self.rsp_cons.wrapping_add(1);
        Some(out)
    }

    /// Asks the back end to notify when it produces the next response
    /// (`RING_FINAL_CHECK_FOR_RESPONSES`'s first half); true if one
    /// already waits, so that nothing needs waiting for.
    pub fn arm_response_event(&self) -> bool {
        self.index(RSP_EVENT)
            .store(self.rsp_cons.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::SeqCst);
        self.has_response()
    }
}

/// The back end's half, for tests that play netback.
#[cfg(test)]
pub mod back {
    use super::*;

    /// A back end on a ring page: consumes requests, produces responses.
    pub struct BackRing {
        /// The ring page.
        pub page: *mut u8,
        /// Bytes per slot.
        pub entry: usize,
        /// Requests consumed.
        pub req_cons: u32,
        /// Responses written.
        pub rsp_prod_pvt: u32,
    }

    impl BackRing {
        fn index(&self, offset: usize) -> &AtomicU32 {
            // SAFETY: as in FrontRing::index.
            unsafe { &*(self.page.add(offset) as *const AtomicU32) }
        }

        fn slot(&self, i: u32) -> *mut u8 {
            let size = slots(self.entry);
            // SAFETY: within the page.
            unsafe {
                self.page
                    .add(HEADER + (i & (size - 1)) as usize * self.entry)
            }
        }

        /// The next published request's first `N` bytes.
        pub fn take_request<const N: usize>(&mut self) -> Option<[u8; N]> {
            if self.index(REQ_PROD).load(Ordering::Acquire) == self.req_cons {
                return None;
            }
            let mut out = [0u8; N];
            let slot = self.slot(self.req_cons);
            for (i, b) in out.iter_mut().enumerate() {
                // SAFETY: within the slot.
                *b = unsafe { slot.add(i).read_volatile() };
            }
            self.req_cons += 1;
            Some(out)
        }

        /// Writes and publishes a response; true if the front end asked
        /// to be notified.
        pub fn respond(&mut self, bytes: &[u8]) -> bool {
            let slot = self.slot(self.rsp_prod_pvt);
            for (i, &b) in bytes.iter().enumerate() {
                // SAFETY: within the slot.
                unsafe { slot.add(i).write_volatile(b) };
            }
            let old = self.rsp_prod_pvt;
            self.rsp_prod_pvt += 1;
            self.index(RSP_PROD)
                .store(self.rsp_prod_pvt, Ordering::Release);
            let event = self.index(RSP_EVENT).load(Ordering::Relaxed);
            self.rsp_prod_pvt.wrapping_sub(event) < self.rsp_prod_pvt.wrapping_sub(old)
        }

        /// Asks to be notified of the next request.
        pub fn want_request_event(&self) {
            self.index(REQ_EVENT)
                .store(self.req_cons + 1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::back::BackRing;
    use super::*;

    #[repr(C, align(4096))]
    struct Page([u8; PAGE]);

    #[test]
    fn netif_rings_have_256_slots() {
        // netif_tx: 12-byte requests; netif_rx: 8-byte requests and
        // responses; Xen's ring.h rounds down to a power of two.
        assert_eq!(slots(12), 256);
        assert_eq!(slots(8), 256);
        // the console-sized 64-byte entries of other rings
        assert_eq!(slots(64), 32);
    }

    #[test]
    fn requests_and_responses_cross_and_notifications_follow_the_events() {
        let mut page = Box::new(Page([0xAA; PAGE]));
        let p = page.0.as_mut_ptr();
        // SAFETY: a page of our own for the test's life.
        let mut front = unsafe { FrontRing::new(p, 8) };
        let mut back = BackRing {
            page: p,
            entry: 8,
            req_cons: 0,
            rsp_prod_pvt: 0,
        };
        assert_eq!(front.free_requests(), 256);
        front.put_request(&[1, 0, 0, 0, 9, 0, 0, 0]);
        front.put_request(&[2, 0, 0, 0, 9, 0, 0, 0]);
        // req_event starts at 1: the first push notifies.
        assert!(front.push_requests());
        assert_eq!(back.take_request::<8>().unwrap()[0], 1);
        assert_eq!(back.take_request::<8>().unwrap()[0], 2);
        assert!(back.take_request::<8>().is_none());
        // The back end did not re-arm: the next push is silent…
        front.put_request(&[3; 8]);
        assert!(!front.push_requests());
        // …until it asks again.
        assert_eq!(back.take_request::<8>().unwrap()[0], 3);
        back.want_request_event();
        front.put_request(&[4; 8]);
        assert!(front.push_requests());

        // Responses: rsp_event starts at 1, so the first notifies.
        assert!(!front.has_response());
        assert!(back.respond(&[7, 0, 0, 0, 60, 0, 0, 0]));
        assert!(!back.respond(&[8, 0, 0, 0, 60, 0, 0, 0]));
        assert_eq!(front.take_response::<8>().unwrap()[0], 7);
        assert_eq!(front.free_requests(), 256 - 3);
        // Armed after consuming one: one still waits.
        assert!(front.arm_response_event());
        assert_eq!(front.take_response::<8>().unwrap()[0], 8);
        assert!(!front.arm_response_event());
        assert!(back.respond(&[9; 8]), "armed: the back end notifies");
    }

    #[test]
    fn indices_wrap_around_the_ring() {
        let mut page = Box::new(Page([0; PAGE]));
        let p = page.0.as_mut_ptr();
        // SAFETY: as above.
        let mut front = unsafe { FrontRing::new(p, 12) };
        let mut back = BackRing {
            page: p,
            entry: 12,
            req_cons: 0,
            rsp_prod_pvt: 0,
        };
        for round in 0..1000u32 {
            let b = round.to_le_bytes();
            front.put_request(&[b[0], b[1], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            front.push_requests();
            let req = back.take_request::<12>().unwrap();
            back.respond(&req[..4]);
            let rsp = front.take_response::<4>().unwrap();
            assert_eq!(u16::from_le_bytes([rsp[0], rsp[1]]), round as u16);
        }
        assert_eq!(front.free_requests(), 256);
    }
}
