//! Batches: up to [`BURST`] packets moving between elements together.

use core::fmt;
use core::mem::ManuallyDrop;

use crate::element::Out;
use crate::packet::Packet;

/// Most packets in one batch (DPDK's and FastClick's usual burst).
pub const BURST: usize = 32;

/// Up to [`BURST`] packets, in order. A batch owns its packets; dropping it
/// frees them. Elements receive batches by reference and change them in
/// place, so a batch is neither copied nor cleared between elements.
pub struct Batch {
    len: usize,
    /// `packets[..len]` are `Some`, the rest `None`; [`Drop`] frees the
    /// first `len` and skips the rest (no drop glue for all 32 slots).
    packets: ManuallyDrop<[Option<Packet>; BURST]>,
}

impl Batch {
    /// An empty batch.
    #[inline]
    pub const fn new() -> Batch {
        Batch {
            len: 0,
            packets: ManuallyDrop::new([const { None }; BURST]),
        }
    }

    /// How many packets the batch holds.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the batch holds no packet.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True when the batch holds [`BURST`] packets.
    #[inline]
    pub fn is_full(&self) -> bool {
        self.len == BURST
    }

    /// Appends `p`, or gives it back when the batch is full.
    #[inline]
    pub fn push(&mut self, p: Packet) -> Result<(), Packet> {
        if self.len == BURST {
            return Err(p);
        }
        self.packets[self.len] = Some(p);
        self.len += 1;
        Ok(())
    }

    /// Removes and returns the last packet.
    #[inline]
    pub fn pop(&mut self) -> Option<Packet> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        self.packets[self.len].take()
    }

    /// The packets, in order.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = &Packet> {
        self.packets[..self.len.min(BURST)].iter().flatten()
    }

    /// The packets, in order, writable.
    #[inline]
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Packet> {
        self.packets[..self.len.min(BURST)].iter_mut().flatten()
    }

    /// Sends each packet where `f` says, in one pass and in order: packets
    /// for output 0 stay in this batch, packets for output `k >= 1` are
    /// appended to `others[k - 1]`, and dropped packets or packets for an
    /// output past `others` are freed. The batch path of an element with
    /// several outputs ([`crate::element::Element::push`]).
    #[inline]
    pub fn route(&mut self, others: &mut [Batch], mut f: impl FnMut(&mut Packet) -> Out) {
        let mut kept = 0;
        // (`len` never exceeds BURST; saying so spares the bounds checks)
        for i in 0..self.len.min(BURST) {
            // Packets stay in their slots unless they leave the batch or
            // move down to close a gap.
            let Some(p) = &mut self.packets[i] else {
                continue;
            };
            match f(p) {
                Out::Port(0) => {
                    if kept != i {
                        self.packets.swap(kept, i);
                    }
                    kept += 1;
                }
                Out::Port(k) => {
                    let p = self.packets[i].take();
                    if let (Some(out), Some(p)) = (others.get_mut(k - 1), p) {
                        // `out` receives at most the packets of this batch
                        // and starts empty, so it cannot overflow.
                        let _ = out.push(p);
                    }
                }
                Out::Drop => self.packets[i] = None,
            }
        }
        self.len = kept;
    }

    /// Frees every packet.
    #[inline]
    pub fn clear(&mut self) {
        for p in &mut self.packets[..core::mem::take(&mut self.len)] {
            *p = None;
        }
    }

    /// Moves every packet out, in order, leaving the batch empty.
    #[inline]
    pub fn drain(&mut self) -> Drain<'_> {
        let len = core::mem::take(&mut self.len);
        Drain {
            packets: &mut self.packets[..len],
            next: 0,
        }
    }

    /// Moves as many packets as fit from the front of `other` to the end of
    /// this batch, keeping the rest in `other`, in order.
    pub fn append(&mut self, other: &mut Batch) {
        let n = (BURST - self.len).min(other.len);
        for i in 0..n {
            self.packets[self.len + i] = other.packets[i].take();
        }
        self.len += n;
        for i in n..other.len {
            other.packets[i - n] = other.packets[i].take();
        }
        other.len -= n;
    }
}

impl Drop for Batch {
    #[inline]
    fn drop(&mut self) {
        self.clear();
    }
}

impl Default for Batch {
    fn default() -> Self {
        Batch::new()
    }
}

impl fmt::Debug for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl IntoIterator for Batch {
    type Item = Packet;
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter {
            batch: self,
            next: 0,
        }
    }
}

/// The packets of a batch, by value ([`Batch::into_iter`]).
pub struct IntoIter {
    batch: Batch,
    next: usize,
}

impl Iterator for IntoIter {
    type Item = Packet;

    #[inline]
    fn next(&mut self) -> Option<Packet> {
        while self.next < self.batch.len {
            self.next += 1;
            if let Some(p) = self.batch.packets[self.next - 1].take() {
                return Some(p);
            }
        }
        None
    }
}

/// The packets moved out of a batch ([`Batch::drain`]); those not taken
/// are freed when it is dropped.
pub struct Drain<'a> {
    packets: &'a mut [Option<Packet>],
    next: usize,
}

impl Iterator for Drain<'_> {
    type Item = Packet;

    #[inline]
    fn next(&mut self) -> Option<Packet> {
        while self.next < self.packets.len() {
            self.next += 1;
            if let Some(p) = self.packets[self.next - 1].take() {
                return Some(p);
            }
        }
        None
    }
}

impl Drop for Drain<'_> {
    fn drop(&mut self) {
        for p in &mut self.packets[self.next..] {
            *p = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::PacketPool;

    fn batch_of(pool: &'static PacketPool, n: u8) -> Batch {
        let mut b = Batch::new();
        for i in 0..n {
            b.push(pool.alloc_with(&[i]).unwrap()).unwrap();
        }
        b
    }

    fn bytes(b: &Batch) -> alloc::vec::Vec<u8> {
        b.iter().map(|p| p.data()[0]).collect()
    }

    #[test]
    fn push_until_full() {
        let pool = PacketPool::new(BURST + 1);
        let mut b = batch_of(pool, BURST as u8);
        assert!(b.is_full());
        let extra = pool.alloc().unwrap();
        assert!(b.push(extra).is_err(), "a full batch gives the packet back");
        assert_eq!(pool.available(), 1, "and nothing leaked");
        drop(b);
        assert_eq!(pool.available(), BURST + 1);
    }

    #[test]
    fn route_keeps_output_0_in_place_and_moves_the_rest() {
        let pool = PacketPool::new(8);
        let mut b = batch_of(pool, 8);
        let mut others = [Batch::new(), Batch::new()];
        b.route(&mut others, |p| match p.data()[0] % 4 {
            0 => Out::Port(0),
            1 => Out::Port(1),
            2 => Out::Port(5),
            _ => Out::Drop,
        });
        assert_eq!(bytes(&b), [0, 4]);
        assert_eq!(bytes(&others[0]), [1, 5]);
        assert!(others[1].is_empty());
        assert_eq!(
            pool.available(),
            4,
            "dropped and unknown-port packets freed"
        );
        b.clear();
        assert!(b.is_empty());
        assert_eq!(pool.available(), 6);
        drop(others);
        assert_eq!(pool.available(), 8, "dropping a batch frees its packets");
    }

    #[test]
    fn drain_and_into_iter_move_packets() {
        let pool = PacketPool::new(4);
        let mut b = batch_of(pool, 4);
        let mut d = b.drain();
        assert_eq!(d.next().unwrap().data(), &[0]);
        drop(d);
        assert!(b.is_empty());
        assert_eq!(pool.available(), 4, "undrained packets are freed");
        let b = batch_of(pool, 3);
        let got: alloc::vec::Vec<u8> = b.into_iter().map(|p| p.data()[0]).collect();
        assert_eq!(got, [0, 1, 2]);
    }

    #[test]
    fn append_moves_what_fits() {
        let pool = PacketPool::new(2 * BURST);
        let mut a = batch_of(pool, 30);
        let mut b = batch_of(pool, 5);
        a.append(&mut b);
        assert!(a.is_full());
        assert_eq!(bytes(&b), [2, 3, 4]);
        assert_eq!(a.pop().unwrap().data(), &[1]);
    }
}
