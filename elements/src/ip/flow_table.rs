//! The flow table that IPFlowTable and the IPRewriter family share: a
//! fixed number of entries allocated at configure time, each holding one
//! flow under one or two keys (IPFlowTable keys a flow once; a rewriter
//! keys it by the packets of both directions), found by open addressing
//! with linear probing, and kept on per-class age lists (least recently
//! refreshed first) so that the flow to expire or evict next is always at
//! the head of a list.
//!
//! Nothing here allocates after [`FlowTable::new`]: inserting takes an
//! entry from the free list, and a full table returns `None`; which flow
//! makes room is the owner's policy (expired first, then …), read from
//! the lists' heads. The table knows no time limit: the owner decides
//! when a flow has expired from [`Entry::last`] and its class.
//!
//! A [`Key`] is a protocol and two address/port pairs packed in two words,
//! so that hashing and comparing keys is cheap: the hash covers exactly
//! the 5-tuple.

use alloc::vec;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

/// No entry (an empty slot, the end of a list).
pub const NIL: u32 = u32::MAX;

/// The most entries a table may hold.
pub const MAX_CAPACITY: u32 = 1 << 24;

/// A flow key: a protocol and the address and port of each end, `a` (the
/// sender of the packets it keys) and `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Key {
    /// `a` in the high half, `b` in the low half.
    addrs: u64,
    /// The protocol, then `a`'s port, then `b`'s.
    ports: u64,
}

impl Key {
    /// The key of protocol `proto` from `a`:`pa` to `b`:`pb`.
    #[inline]
    pub fn new(proto: u8, a: [u8; 4], b: [u8; 4], pa: u16, pb: u16) -> Key {
        Key {
            addrs: (u64::from(u32::from_be_bytes(a)) << 32) | u64::from(u32::from_be_bytes(b)),
            ports: (u64::from(proto) << 32) | (u64::from(pa) << 16) | u64::from(pb),
        }
    }

    /// The protocol.
    #[inline]
    pub fn proto(self) -> u8 {
        (self.ports >> 32) as u8
    }

    /// The sending end's address.
    #[inline]
    pub fn a(self) -> Ipv4Addr {
        Ipv4Addr::from((self.addrs >> 32) as u32)
    }

    /// The receiving end's address.
    #[inline]
    pub fn b(self) -> Ipv4Addr {
        Ipv4Addr::from(self.addrs as u32)
    }

    /// The sending end's port.
    #[inline]
    pub fn pa(self) -> u16 {
        (self.ports >> 16) as u16
    }

    /// The receiving end's port.
    #[inline]
    pub fn pb(self) -> u16 {
        self.ports as u16
    }

    /// The key of the reverse direction.
    #[inline]
    pub fn reversed(self) -> Key {
        Key {
            addrs: self.addrs.rotate_left(32),
            ports: (self.ports & !0xFFFF_FFFF) | u64::from((self.ports as u32).rotate_left(16)),
        }
    }
}

/// One entry: a flow and its `K` keys, or a free entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<V, const K: usize> {
    keys: [Key; K],
    /// The keys' hashes; their low bits are the home slots.
    hashes: [u32; K],
    class: u8,
    last: u64,
    /// Neighbours in the class's age list (the free list uses `next`).
    prev: u32,
    next: u32,
    /// What the owner keeps about the flow.
    pub value: V,
}

impl<V, const K: usize> Entry<V, K> {
    /// The flow's keys.
    #[inline]
    pub fn keys(&self) -> &[Key; K] {
        &self.keys
    }

    /// The flow's class (which age list it is on).
    #[inline]
    pub fn class(&self) -> u8 {
        self.class
    }

    /// When the flow was last refreshed, ns.
    #[inline]
    pub fn last(&self) -> u64 {
        self.last
    }
}

/// An age list: oldest (least recently refreshed) first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct List {
    head: u32,
    tail: u32,
}

const EMPTY_LIST: List = List {
    head: NIL,
    tail: NIL,
};

/// A table of at most `capacity` flows, each under `K` (1 or 2) keys, on
/// one of `classes` age lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowTable<V, const K: usize> {
    /// The entries: flows, and free entries chained by `next`.
    entries: Vec<Entry<V, K>>,
    /// Open addressing with linear probing: `entry << 1 | key index`, or
    /// [`NIL`]; a power of two at least twice the keys the entries hold.
    slots: Vec<u32>,
    /// Age lists, by class.
    lists: Vec<List>,
    /// The first free entry.
    free: u32,
    /// Entries holding flows.
    used: u32,
    /// Hash seed ([`FlowTable::seed_if_empty`]).
    seed: u64,
}

impl<V: Copy + Default, const K: usize> FlowTable<V, K> {
    /// A table of `capacity` entries (1 to [`MAX_CAPACITY`]) on `classes`
    /// age lists, all its memory allocated now.
    pub fn new(capacity: u32, classes: usize) -> Self {
        assert!(K == 1 || K == 2, "one or two keys per flow");
        let capacity = capacity.clamp(1, MAX_CAPACITY) as usize;
        let blank = Entry {
            keys: [Key::default(); K],
            hashes: [0; K],
            class: 0,
            last: 0,
            prev: NIL,
            next: NIL,
            value: V::default(),
        };
        let mut t = FlowTable {
            entries: vec![blank; capacity],
            slots: vec![NIL; (2 * K * capacity).next_power_of_two()],
            lists: vec![EMPTY_LIST; classes],
            free: NIL,
            used: 0,
            seed: 0,
        };
        t.clear();
        t
    }

    /// The most flows the table holds.
    pub fn capacity(&self) -> usize {
        self.entries.len()
    }

    /// Flows held (expired or not: the owner decides).
    #[inline]
    pub fn len(&self) -> usize {
        self.used as usize
    }

    /// True when no flow is held.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// True when every entry holds a flow.
    #[inline]
    pub fn is_full(&self) -> bool {
        self.free == NIL
    }

    /// Forgets every flow.
    pub fn clear(&mut self) {
        self.slots.fill(NIL);
        self.lists.fill(EMPTY_LIST);
        let n = self.entries.len() as u32;
        for (i, e) in self.entries.iter_mut().enumerate() {
            let i = i as u32;
            e.next = if i + 1 < n { i + 1 } else { NIL };
            e.prev = NIL;
            e.value = V::default();
        }
        self.free = if n > 0 { 0 } else { NIL };
        self.used = 0;
    }

    /// Draws the hash seed anew from `seed` when the table is empty (so
    /// that no two runs, and no two fillings, hash alike).
    #[inline]
    pub fn seed_if_empty(&mut self, seed: u64) {
        if self.used == 0 {
            self.seed = seed;
        }
    }

    /// The hash of `k`.
    #[inline]
    pub fn hash(&self, k: &Key) -> u32 {
        let mut x = (k.addrs ^ self.seed).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x = (x ^ (x >> 29) ^ k.ports ^ self.seed.rotate_left(31))
            .wrapping_mul(0xD6E8_FEB8_6659_FD93);
        (x ^ (x >> 32)) as u32
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The entry holding `key`, and which of its keys it is. (At least
    /// half the slots are empty, so the probe ends.)
    #[inline]
    pub fn find(&self, key: &Key) -> Option<(u32, usize)> {
        let mask = self.mask();
        let mut pos = self.hash(key) as usize & mask;
        loop {
            let s = *self.slots.get(pos)?;
            if s == NIL {
                return None;
            }
            let (i, k) = (s >> 1, (s & 1) as usize);
            if self.entries.get(i as usize)?.keys.get(k)? == key {
                return Some((i, k));
            }
            pos = (pos + 1) & mask;
        }
    }

    /// Entry `i`.
    #[inline]
    pub fn get(&self, i: u32) -> &Entry<V, K> {
        &self.entries[i as usize]
    }

    /// The owner's value of entry `i`.
    #[inline]
    pub fn value_mut(&mut self, i: u32) -> &mut V {
        &mut self.entries[i as usize].value
    }

    /// Puts key `k` of entry `i` (its hash set) into its slot.
    fn place(&mut self, i: u32, k: usize) {
        let mask = self.mask();
        let mut pos = self.entries[i as usize].hashes[k] as usize & mask;
        while self.slots[pos] != NIL {
            pos = (pos + 1) & mask;
        }
        self.slots[pos] = i << 1 | k as u32;
    }

    /// Takes key `k` of entry `i` out of its slot, shifting later keys of
    /// the probe run back so that every lookup still finds them.
    fn unplace(&mut self, i: u32, k: usize) {
        let mask = self.mask();
        let me = i << 1 | k as u32;
        let mut hole = self.entries[i as usize].hashes[k] as usize & mask;
        while self.slots[hole] != me {
            hole = (hole + 1) & mask;
        }
        let mut j = (hole + 1) & mask;
        while self.slots[j] != NIL {
            let s = self.slots[j];
            let home = self.entries[(s >> 1) as usize].hashes[(s & 1) as usize] as usize & mask;
            // `s` may fill the hole unless its home lies after the hole.
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.slots[hole] = s;
                hole = j;
            }
            j = (j + 1) & mask;
        }
        self.slots[hole] = NIL;
    }

    /// The entries of `class`'s list, oldest first.
    pub fn walk(&self, class: u8) -> impl Iterator<Item = u32> + '_ {
        let mut i = self.lists[usize::from(class)].head;
        core::iter::from_fn(move || {
            let here = i;
            if here == NIL {
                return None;
            }
            i = self.entries[here as usize].next;
            Some(here)
        })
    }

    /// Every flow, class by class, oldest first within a class.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.lists.len() as u8).flat_map(|c| self.walk(c))
    }

    /// The oldest flow of `class`.
    #[inline]
    pub fn head(&self, class: u8) -> Option<u32> {
        match self.lists[usize::from(class)].head {
            NIL => None,
            i => Some(i),
        }
    }

    /// The number of classes.
    pub fn classes(&self) -> u8 {
        self.lists.len() as u8
    }

    fn unlink(&mut self, i: u32) {
        let Entry {
            prev, next, class, ..
        } = self.entries[i as usize];
        let list = &mut self.lists[usize::from(class)];
        match prev {
            NIL => list.head = next,
            p => self.entries[p as usize].next = next,
        }
        match next {
            NIL => list.tail = prev,
            n => self.entries[n as usize].prev = prev,
        }
    }

    /// Appends entry `i` to the list of `class`, refreshed at `now`.
    fn push_back(&mut self, i: u32, class: u8, now: u64) {
        let list = &mut self.lists[usize::from(class)];
        let tail = list.tail;
        list.tail = i;
        if tail == NIL {
            list.head = i;
        } else {
            self.entries[tail as usize].next = i;
        }
        let e = &mut self.entries[i as usize];
        (e.class, e.last, e.prev, e.next) = (class, now, tail, NIL);
    }

    /// Refreshes entry `i` at `now`, moving it to `class`.
    #[inline]
    pub fn touch(&mut self, i: u32, class: u8, now: u64) {
        let e = &mut self.entries[i as usize];
        if e.class == class && (e.next == NIL || e.last == now) {
            // Already among the youngest of its class: the list stays in
            // age order with only the time changed.
            e.last = now;
            return;
        }
        self.unlink(i);
        self.push_back(i, class, now);
    }

    /// Records a flow under `keys` in `class` at `now`; `None` when the
    /// table is full (the owner makes room first).
    pub fn insert(&mut self, keys: [Key; K], class: u8, now: u64, value: V) -> Option<u32> {
        let i = self.free;
        if i == NIL {
            return None;
        }
        self.free = self.entries[i as usize].next;
        let hashes = keys.map(|k| self.hash(&k));
        let e = &mut self.entries[i as usize];
        (e.keys, e.hashes, e.value) = (keys, hashes, value);
        for k in 0..K {
            self.place(i, k);
        }
        self.push_back(i, class, now);
        self.used += 1;
        Some(i)
    }

    /// Frees entry `i`.
    pub fn remove(&mut self, i: u32) {
        self.unlink(i);
        for k in 0..K {
            self.unplace(i, k);
        }
        let e = &mut self.entries[i as usize];
        e.next = self.free;
        e.value = V::default();
        self.free = i;
        self.used -= 1;
    }

    /// Checks that the slots, the age lists and the free list agree
    /// (tests).
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        let mut seen = 0;
        for class in 0..self.classes() {
            let mut last = 0;
            let mut prev = NIL;
            for i in self.walk(class) {
                let e = &self.entries[i as usize];
                assert_eq!(e.class, class);
                assert_eq!(e.prev, prev, "backward link of {i}");
                assert!(e.last >= last, "class {class} out of age order");
                for k in 0..K {
                    assert_eq!(e.hashes[k], self.hash(&e.keys[k]));
                    let found = self.find(&e.keys[k]).expect("every key is found");
                    assert_eq!(self.entries[found.0 as usize].keys[found.1], e.keys[k]);
                }
                (last, prev) = (e.last, i);
                seen += 1;
            }
            assert_eq!(self.lists[usize::from(class)].tail, prev);
        }
        assert_eq!(seen, self.used);
        assert_eq!(
            self.slots.iter().filter(|&&s| s != NIL).count(),
            K * self.used as usize
        );
        let mut free = 0;
        let mut i = self.free;
        while i != NIL {
            free += 1;
            i = self.entries[i as usize].next;
        }
        assert_eq!(free + self.used as usize, self.entries.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u16) -> Key {
        Key::new(17, [10, 0, 0, 1], [192, 0, 2, 1], n, 53)
    }

    #[test]
    fn keys_pack_and_reverse() {
        let k = Key::new(6, [1, 2, 3, 4], [5, 6, 7, 8], 1000, 80);
        assert_eq!(
            (k.proto(), k.a(), k.b(), k.pa(), k.pb()),
            (
                6,
                Ipv4Addr::new(1, 2, 3, 4),
                Ipv4Addr::new(5, 6, 7, 8),
                1000,
                80
            )
        );
        let r = k.reversed();
        assert_eq!(r, Key::new(6, [5, 6, 7, 8], [1, 2, 3, 4], 80, 1000));
        assert_eq!(r.reversed(), k);
    }

    #[test]
    fn two_keys_per_flow_find_one_entry() {
        let mut t: FlowTable<u32, 2> = FlowTable::new(3, 2);
        t.seed_if_empty(42);
        let i = t.insert([key(1), key(1).reversed()], 0, 5, 7).unwrap();
        assert_eq!(t.find(&key(1)), Some((i, 0)));
        assert_eq!(t.find(&key(1).reversed()), Some((i, 1)));
        assert_eq!(t.get(i).value, 7);
        let j = t.insert([key(2), key(9)], 1, 6, 8).unwrap();
        let k = t.insert([key(3), key(10)], 1, 7, 9).unwrap();
        assert!(t.is_full());
        assert_eq!(t.insert([key(4), key(11)], 0, 8, 0), None);
        t.check_invariants();
        t.touch(j, 1, 9);
        assert_eq!(t.walk(1).collect::<Vec<_>>(), [k, j], "refreshed last");
        t.touch(k, 0, 9);
        assert_eq!(t.walk(0).collect::<Vec<_>>(), [i, k], "moved to class 0");
        t.remove(i);
        assert_eq!(t.find(&key(1)), None);
        assert_eq!(t.find(&key(1).reversed()), None);
        assert_eq!(t.head(0), Some(k));
        t.check_invariants();
        t.clear();
        assert!(t.is_empty());
        t.check_invariants();
    }

    /// Random inserts and removals in a small table whose slots collide
    /// often: every key stays findable (the backward shift on removal).
    #[test]
    fn removal_keeps_probe_runs_whole() {
        let mut t: FlowTable<(), 2> = FlowTable::new(40, 3);
        let mut live: Vec<(u32, u16)> = Vec::new();
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for step in 0..5000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x % 3 != 0 && !t.is_full() {
                let n = (x >> 8) as u16;
                if t.find(&key(n)).is_none() && t.find(&key(n).reversed()).is_none() {
                    let i = t
                        .insert([key(n), key(n).reversed()], (x % 3) as u8, step, ())
                        .unwrap();
                    live.push((i, n));
                }
            } else if !live.is_empty() {
                let (i, n) = live.swap_remove((x >> 16) as usize % live.len());
                t.remove(i);
                assert_eq!(t.find(&key(n)), None);
            }
            for &(i, n) in &live {
                assert_eq!(t.find(&key(n)), Some((i, 0)));
            }
        }
        t.check_invariants();
    }
}
