//! Packets and the fixed buffer pool they live in.
//!
//! A [`PacketPool`] is sized once, at configure time: it allocates every
//! buffer up front and never allocates again. A [`Packet`] is an 8-byte
//! owning handle to one buffer; dropping it returns the buffer to its pool,
//! so moving packets between elements moves handles, never bytes.
//!
//! Each buffer holds the packet's metadata (data offsets, header offsets,
//! Click's annotations) and [`BUF_SIZE`] bytes of data, of which the first
//! [`HEADROOM`] are left free when a packet is made, so that prepending a
//! header (Unstrip, EtherEncap, IPEncap) writes in place instead of copying.
//!
//! The pool is single-core by construction: it is neither `Send` nor `Sync`,
//! and neither are its packets.
//!
//! This module is one of the two places in nfc outside `platforms/` where
//! `unsafe` is allowed (DESIGN.md, hot-path rules); every block says why it
//! is sound.
#![allow(unsafe_code)]

use alloc::alloc::{alloc as alloc_uninit, handle_alloc_error, Layout};
use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;
use core::net::Ipv4Addr;
use core::ptr::NonNull;

/// Bytes of data room in each buffer: a full Ethernet frame (1518 bytes)
/// after the headroom, with room to spare for encapsulation.
pub const BUF_SIZE: usize = 2048;

/// Bytes kept free in front of a new packet's data.
pub const HEADROOM: usize = 128;

/// Size of Click's annotation area, in bytes.
pub const ANNO_SIZE: usize = 48;

/// Byte offset of the destination IP address annotation (Click's
/// `DST_IP_ANNO_OFFSET`).
pub const DST_IP_ANNO: usize = 0;
/// Byte offset of the paint annotation (Click's `PAINT_ANNO_OFFSET`).
pub const PAINT_ANNO: usize = 16;
/// Byte offset of the ICMP parameter-problem pointer annotation (Click's
/// `ICMP_PARAMPROB_ANNO_OFFSET`).
pub const ICMP_PARAMPROB_ANNO: usize = 17;
/// Byte offset of the fix-IP-source flag annotation (Click's
/// `FIX_IP_SRC_ANNO_OFFSET`).
pub const FIX_IP_SRC_ANNO: usize = 18;
/// Byte offset of the extra-length annotation, a native-endian `u32`
/// (Click's `EXTRA_LENGTH_ANNO_OFFSET`): bytes a Truncate removed.
pub const EXTRA_LENGTH_ANNO: usize = 28;
/// Byte offset of the first-timestamp annotation, native-endian `u64`
/// nanoseconds (Click's `FIRST_TIMESTAMP_ANNO_OFFSET`).
pub const FIRST_TIMESTAMP_ANNO: usize = 32;

/// "No header set" for the header offsets.
const UNSET: u16 = u16::MAX;

/// How the link layer classified a received packet (Click's
/// `packet_type_anno`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum PacketType {
    /// Sent to this host.
    #[default]
    Host = 0,
    /// Sent to the link-layer broadcast address.
    Broadcast = 1,
    /// Sent to a link-layer multicast address.
    Multicast = 2,
    /// Sent to another host (seen in promiscuous mode).
    OtherHost = 3,
    /// Sent by this host (a looped-back copy).
    Outgoing = 4,
}

/// One buffer: metadata, then data. Zeroed memory is a valid free slot.
#[repr(C, align(64))]
struct Slot {
    /// Offset of the first data byte in `buf`.
    head: u16,
    /// Offset one past the last data byte in `buf`.
    tail: u16,
    /// Offset of the network header in `buf`, or [`UNSET`].
    net: u16,
    /// Offset of the transport header in `buf`, or [`UNSET`].
    trans: u16,
    packet_type: PacketType,
    /// Index of the device the packet came in on.
    device: u8,
    /// Nanoseconds since the Unix epoch, 0 when unset.
    timestamp: u64,
    anno: [u8; ANNO_SIZE],
    /// Next free slot, while the slot is free.
    next: Option<NonNull<Slot>>,
    /// The pool the slot belongs to.
    pool: Option<NonNull<PacketPool>>,
    buf: [u8; BUF_SIZE],
}

impl Slot {
    /// Header offset `h` if it is set and inside the data (a header that
    /// was stripped or trimmed away is gone).
    #[inline]
    fn within(&self, h: u16) -> Option<usize> {
        (h != UNSET && h >= self.head && h <= self.tail).then_some(h as usize)
    }
}

/// A fixed set of packet buffers, allocated once.
///
/// Created with [`PacketPool::new`], which leaks it: a pool lives as long as
/// the program, as it does in a unikernel.
pub struct PacketPool {
    /// First free slot (a LIFO list through `Slot::next`: the buffer freed
    /// last is reused first, while it is still in cache).
    free: Cell<Option<NonNull<Slot>>>,
    /// The slots' memory: `capacity` slots, of which those from `fresh` on
    /// have never been handed out and are not yet initialised.
    slots: Option<NonNull<Slot>>,
    /// The first slot never handed out.
    fresh: Cell<usize>,
    capacity: usize,
    available: Cell<usize>,
    exhausted: Cell<u64>,
    /// Neither `Send` nor `Sync`: one core owns a pool.
    _single_core: PhantomData<*mut ()>,
}

impl PacketPool {
    /// Reserves `capacity` buffers (each [`BUF_SIZE`] bytes plus metadata)
    /// and returns the pool, which lives for the rest of the program.
    ///
    /// The memory is taken at once but written only as buffers are first
    /// needed, one slot at a time: an image boots without touching (and,
    /// under a hypervisor, faulting in) a pool that a quiet VNF never
    /// fills, and the LIFO free list keeps reusing the buffers already
    /// touched.
    pub fn new(capacity: usize) -> &'static PacketPool {
        let slots = (capacity > 0).then(|| {
            let layout = Layout::array::<Slot>(capacity).expect("packet pool too large");
            // SAFETY: `layout` has a non-zero size (capacity > 0 and Slot is
            // not zero-sized). The memory stays uninitialised until `alloc`
            // initialises a slot before its first use.
            let base = unsafe { alloc_uninit(layout) } as *mut Slot;
            NonNull::new(base).unwrap_or_else(|| handle_alloc_error(layout))
        });
        alloc::boxed::Box::leak(alloc::boxed::Box::new(PacketPool {
            free: Cell::new(None),
            slots,
            fresh: Cell::new(0),
            capacity,
            available: Cell::new(capacity),
            exhausted: Cell::new(0),
            _single_core: PhantomData,
        }))
    }

    /// A slot never handed out before, initialised (all zero, then its
    /// pool), or `None` when every slot has been.
    #[cold]
    fn fresh_slot(&'static self) -> Option<NonNull<Slot>> {
        let i = self.fresh.get();
        let base = self.slots.filter(|_| i < self.capacity)?;
        self.fresh.set(i + 1);
        // SAFETY: `i < capacity`, so the slot lies inside the allocation;
        // no one refers to it (it was never handed out). All-zero bytes are
        // a valid `Slot` (integers, `PacketType::Host` = 0, `None`
        // pointers), written before any reference to it is made.
        unsafe {
            let slot = base.as_ptr().add(i);
            core::ptr::write_bytes(slot, 0, 1);
            (*slot).pool = Some(NonNull::from(self));
            Some(NonNull::new_unchecked(slot))
        }
    }

    /// How many buffers the pool has.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many buffers are free now.
    pub fn available(&self) -> usize {
        self.available.get()
    }

    /// How many allocations failed because every buffer was in use.
    pub fn exhausted(&self) -> u64 {
        self.exhausted.get()
    }

    /// An empty packet with [`HEADROOM`] bytes of headroom, or `None` (and
    /// the exhaustion count goes up) when every buffer is in use.
    #[inline]
    pub fn alloc(&'static self) -> Option<Packet> {
        let slot = match self.free.get() {
            Some(slot) => {
                // SAFETY: `slot` is on the free list, so no packet owns
                // it; it points into this pool's live, never-freed
                // allocation, initialised when first handed out.
                self.free.set(unsafe { (*slot.as_ptr()).next.take() });
                slot
            }
            None => match self.fresh_slot() {
                Some(slot) => slot,
                None => {
                    self.exhausted.set(self.exhausted.get() + 1);
                    return None;
                }
            },
        };
        // SAFETY: the slot is initialised and owned by no packet (taken off
        // the free list or never handed out).
        let s = unsafe { &mut *slot.as_ptr() };
        self.available.set(self.available.get() - 1);
        s.head = HEADROOM as u16;
        s.tail = HEADROOM as u16;
        s.net = UNSET;
        s.trans = UNSET;
        s.packet_type = PacketType::Host;
        s.device = 0;
        s.timestamp = 0;
        s.anno = [0; ANNO_SIZE];
        Some(Packet {
            slot,
            _single_core: PhantomData,
        })
    }

    /// A packet holding a copy of `data` after [`HEADROOM`] bytes of
    /// headroom; `None` when the pool is exhausted or `data` does not fit.
    #[inline]
    pub fn alloc_with(&'static self, data: &[u8]) -> Option<Packet> {
        if data.len() > BUF_SIZE - HEADROOM {
            return None;
        }
        let mut p = self.alloc()?;
        let s = p.slot_mut();
        s.buf[HEADROOM..HEADROOM + data.len()].copy_from_slice(data);
        s.tail = (HEADROOM + data.len()) as u16;
        Some(p)
    }

    /// A copy of `p`: its data, headers and annotations, in a new buffer.
    /// Click shares the data of a clone; nfc copies it, so a clone can be
    /// changed without affecting the original.
    pub fn clone_packet(&'static self, p: &Packet) -> Option<Packet> {
        let mut c = self.alloc()?;
        let (src, dst) = (p.slot(), c.slot_mut());
        let (h, t) = (src.head as usize, src.tail as usize);
        dst.buf[h..t].copy_from_slice(&src.buf[h..t]);
        dst.head = src.head;
        dst.tail = src.tail;
        dst.net = src.net;
        dst.trans = src.trans;
        dst.packet_type = src.packet_type;
        dst.device = src.device;
        dst.timestamp = src.timestamp;
        dst.anno = src.anno;
        Some(c)
    }

    /// Returns `slot` to the free list.
    ///
    /// # Safety
    /// `slot` belongs to this pool and its packet is being dropped: nothing
    /// refers to it afterwards.
    #[inline]
    unsafe fn release(&self, slot: NonNull<Slot>) {
        // SAFETY: the caller gives up the only reference to the slot.
        let s = unsafe { &mut *slot.as_ptr() };
        s.next = self.free.get();
        self.free.set(Some(slot));
        self.available.set(self.available.get() + 1);
    }
}

impl fmt::Debug for PacketPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PacketPool")
            .field("capacity", &self.capacity)
            .field("available", &self.available.get())
            .field("exhausted", &self.exhausted.get())
            .finish()
    }
}

/// One packet: an owning handle to a pool buffer. Dropping it frees the
/// buffer.
pub struct Packet {
    slot: NonNull<Slot>,
    _single_core: PhantomData<*mut ()>,
}

impl Packet {
    #[inline]
    fn slot(&self) -> &Slot {
        // SAFETY: a `Packet` is the only owner of its slot from `alloc` to
        // `drop`, and the pool's memory is never freed.
        unsafe { self.slot.as_ref() }
    }

    #[inline]
    fn slot_mut(&mut self) -> &mut Slot {
        // SAFETY: as in `slot`; `&mut self` makes the access exclusive.
        unsafe { self.slot.as_mut() }
    }

    /// The pool the packet's buffer belongs to (to allocate clones or
    /// replies).
    #[inline]
    pub fn pool(&self) -> &'static PacketPool {
        let pool = self.slot().pool.expect("a packet's slot has a pool");
        // SAFETY: pools are leaked at creation, so the pointer stays valid
        // for the rest of the program.
        unsafe { pool.as_ref() }
    }

    /// The packet's bytes.
    #[inline]
    pub fn data(&self) -> &[u8] {
        let s = self.slot();
        &s.buf[s.head as usize..s.tail as usize]
    }

    /// The packet's bytes, writable.
    #[inline]
    pub fn data_mut(&mut self) -> &mut [u8] {
        let s = self.slot_mut();
        &mut s.buf[s.head as usize..s.tail as usize]
    }

    /// The packet's length in bytes.
    #[inline]
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        let s = self.slot();
        (s.tail - s.head) as usize
    }

    /// Free bytes in front of the data.
    #[inline]
    pub fn headroom(&self) -> usize {
        self.slot().head as usize
    }

    /// Free bytes after the data.
    #[inline]
    pub fn tailroom(&self) -> usize {
        BUF_SIZE - self.slot().tail as usize
    }

    /// Removes `n` bytes from the front (Click's `pull`; Strip). Removes
    /// the whole packet's data when it is shorter than `n`, as Click does.
    #[inline]
    pub fn pull(&mut self, n: usize) {
        let s = self.slot_mut();
        s.head += n.min((s.tail - s.head) as usize) as u16;
    }

    /// Adds `n` bytes in front of the data (Click's `push`; Unstrip,
    /// EtherEncap) and returns them, uninitialised-but-stale bytes that the
    /// caller overwrites. Uses the headroom; when it is too small the data
    /// moves back into the tailroom. `None` when the buffer cannot hold
    /// `n` more bytes.
    #[inline]
    pub fn push(&mut self, n: usize) -> Option<&mut [u8]> {
        let s = self.slot_mut();
        let (head, tail) = (s.head as usize, s.tail as usize);
        if n <= head {
            s.head = (head - n) as u16;
        } else if tail - head + n <= BUF_SIZE {
            // Move the data so that `n` bytes fit in front, keeping header
            // offsets pointing at the same bytes.
            let shift = n - head;
            s.buf.copy_within(head..tail, head + shift);
            s.head = 0;
            s.tail = (tail + shift) as u16;
            for h in [&mut s.net, &mut s.trans] {
                if *h != UNSET {
                    *h += shift as u16;
                }
            }
        } else {
            return None;
        }
        let h = s.head as usize;
        Some(&mut s.buf[h..h + n])
    }

    /// Restores `n` bytes in front that an earlier [`pull`](Self::pull)
    /// removed (Unstrip): like [`push`](Self::push), but keeps their
    /// contents. `false` when the headroom is smaller than `n`.
    #[inline]
    pub fn unpull(&mut self, n: usize) -> bool {
        let s = self.slot_mut();
        if n <= s.head as usize {
            s.head -= n as u16;
            true
        } else {
            false
        }
    }

    /// Adds `n` zero bytes at the end (Click's `put`) and returns them;
    /// `None` when the tailroom is too small.
    #[inline]
    pub fn put(&mut self, n: usize) -> Option<&mut [u8]> {
        let s = self.slot_mut();
        let tail = s.tail as usize;
        if n > BUF_SIZE - tail {
            return None;
        }
        s.tail = (tail + n) as u16;
        let room = &mut s.buf[tail..tail + n];
        room.fill(0);
        Some(room)
    }

    /// Extends the data to the end of the buffer, without clearing the
    /// bytes added, and returns it: for a device that writes a frame of yet
    /// unknown length into the buffer (trim it with [`take`](Self::take)
    /// once the length is known).
    #[inline]
    pub fn extend_to_end(&mut self) -> &mut [u8] {
        let s = self.slot_mut();
        s.tail = BUF_SIZE as u16;
        &mut s.buf[s.head as usize..]
    }

    /// Removes `n` bytes from the end (Click's `take`), or all of them when
    /// the packet is shorter.
    #[inline]
    pub fn take(&mut self, n: usize) {
        let s = self.slot_mut();
        s.tail -= n.min((s.tail - s.head) as usize) as u16;
    }

    /// Sets the network header to start `offset` bytes into the data and
    /// the transport header `len` bytes after that (Click's
    /// `set_network_header`). Offsets past the data's end are clamped.
    #[inline]
    pub fn set_network_header(&mut self, offset: usize, len: usize) {
        let s = self.slot_mut();
        let net = (s.head as usize + offset).min(s.tail as usize);
        s.net = net as u16;
        s.trans = (net + len).min(s.tail as usize) as u16;
    }

    /// Offset of the network header from the start of the data, if set and
    /// not stripped.
    #[inline]
    pub fn network_offset(&self) -> Option<usize> {
        let s = self.slot();
        s.within(s.net).map(|n| n - s.head as usize)
    }

    /// How many bytes in front of the data the network header starts, when
    /// it is set and an earlier [`pull`](Self::pull) stripped it (Click's
    /// negative `network_header_offset`): what UnstripIPHeader restores
    /// with [`unpull`](Self::unpull).
    #[inline]
    pub fn network_stripped(&self) -> Option<usize> {
        let s = self.slot();
        (s.net != UNSET && s.net < s.head).then(|| usize::from(s.head - s.net))
    }

    /// The bytes from the network header to the end, if the header is set
    /// and not stripped.
    #[inline]
    pub fn network(&self) -> Option<&[u8]> {
        let s = self.slot();
        s.within(s.net).map(|n| &s.buf[n..s.tail as usize])
    }

    /// The bytes from the network header to the end, writable.
    #[inline]
    pub fn network_mut(&mut self) -> Option<&mut [u8]> {
        let s = self.slot_mut();
        let tail = s.tail as usize;
        s.within(s.net).map(|n| &mut s.buf[n..tail])
    }

    /// The network header's length (up to the transport header), if set.
    #[inline]
    pub fn network_header_len(&self) -> Option<usize> {
        let s = self.slot();
        Some(s.within(s.trans)? - s.within(s.net)?)
    }

    /// The bytes from the transport header to the end, if set.
    #[inline]
    pub fn transport(&self) -> Option<&[u8]> {
        let s = self.slot();
        s.within(s.trans).map(|t| &s.buf[t..s.tail as usize])
    }

    /// The bytes from the transport header to the end, writable.
    #[inline]
    pub fn transport_mut(&mut self) -> Option<&mut [u8]> {
        let s = self.slot_mut();
        let tail = s.tail as usize;
        s.within(s.trans).map(|t| &mut s.buf[t..tail])
    }

    /// The network header and the rest, writable, split at the transport
    /// header: for rewriting both IP and TCP/UDP fields.
    #[inline]
    pub fn network_and_transport_mut(&mut self) -> Option<(&mut [u8], &mut [u8])> {
        let s = self.slot_mut();
        let (net, trans, tail) = (s.within(s.net)?, s.within(s.trans)?, s.tail as usize);
        Some(s.buf[net..tail].split_at_mut(trans - net))
    }

    /// Click's annotation area.
    #[inline]
    pub fn anno(&self) -> &[u8; ANNO_SIZE] {
        &self.slot().anno
    }

    /// Click's annotation area, writable.
    #[inline]
    pub fn anno_mut(&mut self) -> &mut [u8; ANNO_SIZE] {
        &mut self.slot_mut().anno
    }

    /// The destination IP address annotation.
    #[inline]
    pub fn dst_ip(&self) -> Ipv4Addr {
        let a = self.anno();
        Ipv4Addr::new(a[0], a[1], a[2], a[3])
    }

    /// Sets the destination IP address annotation.
    #[inline]
    pub fn set_dst_ip(&mut self, ip: Ipv4Addr) {
        self.anno_mut()[DST_IP_ANNO..DST_IP_ANNO + 4].copy_from_slice(&ip.octets());
    }

    /// The paint annotation.
    #[inline]
    pub fn paint(&self) -> u8 {
        self.anno()[PAINT_ANNO]
    }

    /// Sets the paint annotation.
    #[inline]
    pub fn set_paint(&mut self, color: u8) {
        self.anno_mut()[PAINT_ANNO] = color;
    }

    /// The timestamp annotation: nanoseconds since the Unix epoch, 0 when
    /// unset.
    #[inline]
    pub fn timestamp(&self) -> u64 {
        self.slot().timestamp
    }

    /// Sets the timestamp annotation.
    #[inline]
    pub fn set_timestamp(&mut self, ns: u64) {
        self.slot_mut().timestamp = ns;
    }

    /// The link-layer packet type annotation.
    #[inline]
    pub fn packet_type(&self) -> PacketType {
        self.slot().packet_type
    }

    /// Sets the link-layer packet type annotation.
    #[inline]
    pub fn set_packet_type(&mut self, t: PacketType) {
        self.slot_mut().packet_type = t;
    }

    /// Index of the device the packet arrived on.
    #[inline]
    pub fn device(&self) -> u8 {
        self.slot().device
    }

    /// Sets the arrival device index.
    #[inline]
    pub fn set_device(&mut self, device: u8) {
        self.slot_mut().device = device;
    }
}

impl Drop for Packet {
    #[inline]
    fn drop(&mut self) {
        let pool = self.pool();
        // SAFETY: the slot belongs to `pool`, and this handle, its only
        // owner, is going away.
        unsafe { pool.release(self.slot) }
    }
}

impl fmt::Debug for Packet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Packet")
            .field("len", &self.len())
            .field("headroom", &self.headroom())
            .field("network", &self.network_offset())
            .field("paint", &self.paint())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_and_free_return_buffers() {
        let pool = PacketPool::new(2);
        let a = pool.alloc_with(b"hello").unwrap();
        let b = pool.alloc().unwrap();
        assert_eq!(pool.available(), 0);
        assert!(pool.alloc().is_none());
        assert_eq!(pool.exhausted(), 1);
        assert_eq!(a.data(), b"hello");
        assert_eq!(b.len(), 0);
        drop(a);
        assert_eq!(pool.available(), 1);
        let c = pool.alloc().unwrap();
        assert_eq!(c.len(), 0, "a reused buffer starts empty");
        assert_eq!(c.paint(), 0, "and with clear annotations");
        drop((b, c));
        assert_eq!(pool.available(), 2);
    }

    #[test]
    fn a_device_fills_the_whole_buffer_then_trims() {
        let pool = PacketPool::new(1);
        let mut p = pool.alloc().unwrap();
        assert!(p.unpull(12), "room for a device header");
        let room = p.extend_to_end();
        assert_eq!(room.len(), BUF_SIZE - HEADROOM + 12);
        room[..16].copy_from_slice(&[7; 16]);
        p.pull(12);
        p.take(p.len() - 4);
        assert_eq!(p.data(), &[7; 4]);
        assert_eq!(p.headroom(), HEADROOM);
    }

    #[test]
    fn empty_pool_allocates_nothing() {
        let pool = PacketPool::new(0);
        assert!(pool.alloc().is_none());
        assert_eq!(pool.exhausted(), 1);
    }

    #[test]
    fn pull_push_put_take() {
        let pool = PacketPool::new(1);
        let mut p = pool.alloc_with(&[1, 2, 3, 4, 5, 6]).unwrap();
        p.pull(2);
        assert_eq!(p.data(), &[3, 4, 5, 6]);
        assert!(p.unpull(2));
        assert_eq!(p.data(), &[1, 2, 3, 4, 5, 6]);
        p.push(2).unwrap().copy_from_slice(&[9, 9]);
        assert_eq!(p.data(), &[9, 9, 1, 2, 3, 4, 5, 6]);
        assert_eq!(p.headroom(), HEADROOM - 2);
        p.put(2).unwrap();
        assert_eq!(&p.data()[8..], &[0, 0]);
        p.take(3);
        assert_eq!(p.data(), &[9, 9, 1, 2, 3, 4, 5]);
        p.pull(100);
        assert_eq!(p.len(), 0);
        p.take(100);
        assert_eq!(p.len(), 0);
    }

    #[test]
    fn push_beyond_headroom_moves_data_and_headers() {
        let pool = PacketPool::new(1);
        let mut p = pool.alloc_with(&[0x45; 40]).unwrap();
        p.set_network_header(0, 20);
        let room = p.push(HEADROOM + 10).unwrap();
        assert_eq!(room.len(), HEADROOM + 10);
        assert_eq!(p.len(), 40 + HEADROOM + 10);
        assert_eq!(p.network_offset(), Some(HEADROOM + 10));
        assert_eq!(p.network().unwrap(), &[0x45; 40]);
        assert!(p.push(BUF_SIZE).is_none());
        assert!(p.put(BUF_SIZE).is_none());
    }

    #[test]
    fn headers_follow_the_bytes() {
        let pool = PacketPool::new(1);
        let mut p = pool.alloc_with(&[0u8; 60]).unwrap();
        assert!(p.network().is_none());
        p.set_network_header(14, 20);
        assert_eq!(p.network_offset(), Some(14));
        assert_eq!(p.network_header_len(), Some(20));
        assert_eq!(p.transport().unwrap().len(), 26);
        p.pull(14);
        assert_eq!(p.network_offset(), Some(0));
        p.pull(1);
        assert!(p.network().is_none(), "a stripped header is gone");
        let (ip, tp) = {
            p.unpull(1);
            let (a, b) = p.network_and_transport_mut().unwrap();
            (a.len(), b.len())
        };
        assert_eq!((ip, tp), (20, 26));
    }

    #[test]
    fn trimmed_away_headers_are_gone() {
        let pool = PacketPool::new(1);
        let mut p = pool.alloc_with(&[0u8; 60]).unwrap();
        p.set_network_header(14, 20);
        p.take(40);
        assert_eq!(p.network().unwrap().len(), 6);
        assert!(p.transport().is_none());
        assert!(p.network_header_len().is_none());
        assert!(p.network_and_transport_mut().is_none());
        p.take(10);
        assert!(p.network().is_none());
        assert!(p.network_mut().is_none());
        assert!(p.network_offset().is_none());
    }

    #[test]
    fn clone_copies_everything() {
        let pool = PacketPool::new(2);
        let mut p = pool.alloc_with(b"abcdef").unwrap();
        p.pull(1);
        p.set_paint(7);
        p.set_dst_ip(Ipv4Addr::new(10, 0, 0, 1));
        p.set_timestamp(42);
        p.set_network_header(1, 2);
        let mut c = pool.clone_packet(&p).unwrap();
        assert_eq!(c.data(), b"bcdef");
        assert_eq!(c.paint(), 7);
        assert_eq!(c.dst_ip(), Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(c.timestamp(), 42);
        assert_eq!(c.network().unwrap(), b"cdef");
        c.data_mut()[0] = b'X';
        assert_eq!(p.data(), b"bcdef", "the clone owns its bytes");
        assert!(pool.clone_packet(&p).is_none());
    }

    #[test]
    fn oversized_data_is_refused() {
        let pool = PacketPool::new(1);
        assert!(pool.alloc_with(&[0; BUF_SIZE]).is_none());
        assert_eq!(pool.available(), 1);
    }
}
