//! ARPQuerier's table: IP → Ethernet entries with their ages, and the
//! packets waiting for each unresolved address (Click's ARPTable, which
//! nfc keeps inside ARPQuerier).
//!
//! Times are the dataplane's monotonic nanoseconds. An entry's age order is
//! its `live_at` time, ties broken by when it last moved to the back of
//! Click's age list; expired entries are always the oldest, so "expire from
//! the front" and "expire every expired entry" are the same.
//!
//! Waiting packets live in per-entry queues that keep their capacity while
//! the entry lives, so holding packets allocates only when a queue grows
//! past its largest size so far.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;
use core::fmt;
use core::net::Ipv4Addr;

use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::EtherAddress;

/// One second, in the dataplane's nanoseconds.
pub(crate) const SECOND: u64 = 1_000_000_000;

/// Packets in arrival order.
///
/// Cloning copies each packet through its pool (a packet the exhausted pool
/// cannot copy is left out); two queues are equal when they hold packets
/// with the same bytes and annotations, in the same order.
#[derive(Default)]
pub(crate) struct PacketQueue(pub(crate) VecDeque<Packet>);

impl Clone for PacketQueue {
    fn clone(&self) -> Self {
        PacketQueue(
            self.0
                .iter()
                .filter_map(|p| p.pool().clone_packet(p))
                .collect(),
        )
    }
}

impl PartialEq for PacketQueue {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|(a, b)| a.data() == b.data() && a.anno() == b.anno())
    }
}

impl Eq for PacketQueue {}

impl fmt::Debug for PacketQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(Packet::len))
            .finish()
    }
}

/// The table's limits, from ARPQuerier's configuration (0 = no limit).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Entry lifetime, ns; `None` = forever.
    pub(crate) timeout: Option<u64>,
    /// Packets held in all.
    pub(crate) capacity: u32,
    /// Entries kept.
    pub(crate) entry_capacity: u32,
    /// Packets held per entry.
    pub(crate) entry_packet_capacity: u32,
    /// A full table drops down to capacity × (factor−1)/factor packets.
    pub(crate) slim_factor: u32,
}

/// One address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Its Ethernet address (broadcast while unknown).
    pub(crate) eth: EtherAddress,
    /// True once a reply (or `insert`) gave an address.
    known: bool,
    /// Queries sent since the last reply, up to 255.
    polls: u8,
    /// When the entry was last confirmed, ns.
    pub(crate) live_at: u64,
    /// When a query was last sent for it; `None` = not since the last reply.
    polled_at: Option<u64>,
    /// Position in the age order among entries with equal `live_at`.
    age: u64,
    /// Packets waiting for the address.
    held: PacketQueue,
}

impl Entry {
    fn expired(&self, now: u64, timeout: Option<u64>) -> bool {
        timeout.is_some_and(|t| self.live_at.saturating_add(t) < now)
    }

    /// True when the address is known and the entry has not expired.
    pub(crate) fn known(&self, now: u64, timeout: Option<u64>) -> bool {
        self.known && !self.expired(now, timeout)
    }

    /// At most 10 queries a second, and one every 2 seconds after 10
    /// unanswered ones.
    pub(crate) fn allow_poll(&self, now: u64) -> bool {
        let gap = if self.polls >= 10 {
            2 * SECOND
        } else {
            SECOND / 10
        };
        self.polled_at.is_none_or(|t| now >= t.saturating_add(gap))
    }

    /// Notes that a query was sent.
    pub(crate) fn mark_poll(&mut self, now: u64) {
        self.polled_at = Some(now);
        self.polls = self.polls.saturating_add(1);
    }

    fn order(&self) -> (u64, u64) {
        (self.live_at, self.age)
    }
}

/// The table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ArpTable {
    entries: BTreeMap<u32, Entry>,
    /// Packets held over all entries.
    packets: usize,
    /// Packets the table dropped (full, expired, cleared).
    drops: u64,
    /// Last age ticket handed out.
    tickets: u64,
}

impl ArpTable {
    /// Entries.
    pub(crate) fn count(&self) -> usize {
        self.entries.len()
    }

    /// Packets held.
    pub(crate) fn length(&self) -> usize {
        self.packets
    }

    /// Packets the table dropped.
    pub(crate) fn drops(&self) -> u64 {
        self.drops
    }

    /// The entry for `ip`, to read or poll.
    #[inline]
    pub(crate) fn get_mut(&mut self, ip: Ipv4Addr) -> Option<&mut Entry> {
        self.entries.get_mut(&u32::from(ip))
    }

    /// Every entry, oldest first.
    pub(crate) fn by_age(&self) -> Vec<(Ipv4Addr, &Entry)> {
        let mut v: Vec<_> = self
            .entries
            .iter()
            .map(|(&ip, e)| (Ipv4Addr::from(ip), e))
            .collect();
        v.sort_by_key(|(_, e)| e.order());
        v
    }

    fn ticket(&mut self) -> u64 {
        self.tickets += 1;
        self.tickets
    }

    /// Frees an entry's packets, counting them as drops.
    fn kill(&mut self, e: Entry) {
        let n = e.held.0.len();
        self.packets -= n;
        self.drops += n as u64;
    }

    /// The entry for `ip`, made (unknown) if missing; making one may first
    /// evict the oldest entries to stay within ENTRY_CAPACITY.
    fn ensure(&mut self, now: u64, ip: Ipv4Addr, lim: Limits) -> &mut Entry {
        let key = u32::from(ip);
        let cap = lim.entry_capacity as usize;
        if cap > 0 && self.entries.len() + 1 > cap && !self.entries.contains_key(&key) {
            self.slim(now, lim, 1);
        }
        let tickets = &mut self.tickets;
        self.entries.entry(key).or_insert_with(|| {
            *tickets += 1;
            Entry {
                eth: EtherAddress::BROADCAST,
                known: false,
                polls: 0,
                live_at: now,
                polled_at: None,
                age: *tickets,
                held: PacketQueue::default(),
            }
        })
    }

    /// Removes expired entries and, while over a limit, the oldest entries
    /// (`new_entries` are about to be added) and the oldest entries' oldest
    /// packets, as Click's `ARPTable::slim`.
    pub(crate) fn slim(&mut self, now: u64, lim: Limits, new_entries: usize) {
        if lim.timeout.is_some() {
            let mut dead = 0;
            self.entries.retain(|_, e| {
                let keep = !e.expired(now, lim.timeout);
                if !keep {
                    dead += e.held.0.len();
                }
                keep
            });
            self.packets -= dead;
            self.drops += dead as u64;
        }
        let cap = lim.entry_capacity as usize;
        while cap > 0 && self.entries.len() + new_entries > cap {
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.order())
                .map(|(&k, _)| k)
            else {
                break;
            };
            if let Some(e) = self.entries.remove(&oldest) {
                self.kill(e);
            }
        }
        let cap = lim.capacity as usize;
        if cap > 0 && self.packets > cap {
            let slim_cap = (cap - cap / lim.slim_factor.max(1) as usize).max(1);
            let mut order: Vec<(u64, u64, u32)> = self
                .entries
                .iter()
                .map(|(&k, e)| (e.live_at, e.age, k))
                .collect();
            order.sort_unstable();
            for (_, _, k) in order {
                let Some(e) = self.entries.get_mut(&k) else {
                    continue;
                };
                while self.packets > slim_cap && e.held.0.pop_front().is_some() {
                    self.packets -= 1;
                    self.drops += 1;
                }
                if self.packets <= slim_cap {
                    break;
                }
            }
        }
    }

    /// Holds `p` for the unresolved address `ip`. True when a query should
    /// go out now (at most 10 a second per address).
    pub(crate) fn append(&mut self, now: u64, ip: Ipv4Addr, p: Packet, lim: Limits) -> bool {
        let e = self.ensure(now, ip, lim);
        // Keep an entry that is still wanted just this side of expiring.
        if let Some(t) = lim.timeout {
            e.live_at = e.live_at.max(now.saturating_sub(t));
        }
        let epc = lim.entry_packet_capacity as usize;
        if epc > 0 && e.held.0.len() >= epc {
            self.drops += 1;
            return false;
        }
        self.packets += 1;
        if lim.capacity > 0 && self.packets > lim.capacity as usize {
            self.slim(now, lim, 0);
        }
        // Slimming keeps the entry: it is not expired and not in excess.
        let Some(e) = self.entries.get_mut(&u32::from(ip)) else {
            self.packets -= 1;
            self.drops += 1;
            return false;
        };
        e.held.0.push_back(p);
        if e.allow_poll(now) {
            e.mark_poll(now);
            true
        } else {
            false
        }
    }

    /// Records that `ip` is at `eth` (broadcast = unknown). When the
    /// address is known, the packets waiting for it move to `released`
    /// (which must be empty), oldest first.
    pub(crate) fn insert(
        &mut self,
        now: u64,
        ip: Ipv4Addr,
        eth: EtherAddress,
        lim: Limits,
        released: &mut PacketQueue,
    ) {
        let age = self.ticket();
        let e = self.ensure(now, ip, lim);
        e.eth = eth;
        e.known = eth != EtherAddress::BROADCAST;
        e.live_at = now;
        e.polls = 0;
        e.polled_at = None;
        e.age = age;
        if e.known {
            // Swap rather than take, so both queues keep their capacity.
            core::mem::swap(&mut e.held, released);
            self.packets -= released.0.len();
        }
    }

    /// Removes the entry for `ip`, dropping its packets; false when there
    /// is none.
    pub(crate) fn remove(&mut self, ip: Ipv4Addr) -> bool {
        match self.entries.remove(&u32::from(ip)) {
            Some(e) => {
                self.kill(e);
                true
            }
            None => false,
        }
    }

    /// Removes every entry, dropping their packets.
    pub(crate) fn clear(&mut self) {
        for (_, e) in core::mem::take(&mut self.entries) {
            self.kill(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;

    const LIM: Limits = Limits {
        timeout: Some(300 * SECOND),
        capacity: 4,
        entry_capacity: 3,
        entry_packet_capacity: 3,
        slim_factor: 2,
    };
    const NO_LIMITS: Limits = Limits {
        timeout: None,
        capacity: 0,
        entry_capacity: 0,
        entry_packet_capacity: 0,
        slim_factor: 2,
    };

    fn ip(n: u8) -> Ipv4Addr {
        Ipv4Addr::new(10, 0, 0, n)
    }

    fn held(t: &mut ArpTable, n: u8) -> Vec<u8> {
        t.get_mut(ip(n))
            .map(|e| e.held.0.iter().map(|p| p.data()[0]).collect())
            .unwrap_or_default()
    }

    #[test]
    fn polls_are_rate_limited() {
        let pool = harness::pool();
        let mut t = ArpTable::default();
        let mut queries = 0;
        // Twelve packets 50 ms apart: a query every 100 ms at first.
        for i in 0..12u64 {
            let p = pool.alloc_with(&[i as u8]).unwrap();
            queries += usize::from(t.append(i * SECOND / 20, ip(1), p, NO_LIMITS));
        }
        assert_eq!(queries, 6);
        assert_eq!((t.length(), t.drops()), (12, 0));
        // ENTRY_PACKET_CAPACITY: no room, no query.
        let mut small = ArpTable::default();
        for i in 0..5u64 {
            let p = pool.alloc_with(&[i as u8]).unwrap();
            let q = small.append(i * SECOND, ip(1), p, LIM);
            assert_eq!(q, i < 3, "packet {i}");
        }
        assert_eq!((small.length(), small.drops()), (3, 2));
        // After ten unanswered polls, one every 2 s.
        let e = t.get_mut(ip(1)).unwrap();
        for k in 0..10 {
            e.mark_poll(10 * SECOND + k);
        }
        assert!(!e.allow_poll(11 * SECOND));
        assert!(e.allow_poll(12 * SECOND + 9));
    }

    #[test]
    fn capacities_slim_the_oldest_first() {
        let pool = harness::pool();
        let mut t = ArpTable::default();
        let mut n = 0u8;
        let mut hold = |t: &mut ArpTable, at: u64, who: u8| {
            n += 1;
            t.append(at * SECOND, ip(who), pool.alloc_with(&[n]).unwrap(), LIM);
        };
        hold(&mut t, 0, 1);
        hold(&mut t, 1, 2);
        hold(&mut t, 1, 2);
        hold(&mut t, 2, 3);
        assert_eq!((t.count(), t.length()), (3, 4));
        // A fifth packet overflows CAPACITY 4: slim to 2, oldest first.
        hold(&mut t, 3, 3);
        assert_eq!(held(&mut t, 1), [] as [u8; 0]);
        assert_eq!(held(&mut t, 2), [] as [u8; 0]);
        assert_eq!(held(&mut t, 3), [4, 5]);
        assert_eq!(t.drops(), 3);
        // A fourth entry evicts the oldest (10.0.0.1).
        hold(&mut t, 4, 4);
        assert_eq!(t.count(), 3);
        assert!(t.get_mut(ip(1)).is_none());
        let ages: Vec<_> = t.by_age().iter().map(|(a, _)| *a).collect();
        assert_eq!(ages, [ip(2), ip(3), ip(4)]);
    }

    #[test]
    fn expiry_insert_and_release() {
        let pool = harness::pool();
        let mut t = ArpTable::default();
        let eth = EtherAddress([0, 1, 2, 3, 4, 5]);
        t.append(0, ip(1), pool.alloc_with(&[1]).unwrap(), LIM);
        t.append(0, ip(1), pool.alloc_with(&[2]).unwrap(), LIM);
        let mut out = PacketQueue::default();
        t.insert(SECOND, ip(1), EtherAddress::BROADCAST, LIM, &mut out);
        assert!(out.0.is_empty(), "an unknown address releases nothing");
        t.insert(SECOND, ip(1), eth, LIM, &mut out);
        assert_eq!(
            out.0.iter().map(|p| p.data()[0]).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(t.length(), 0);
        let e = t.get_mut(ip(1)).unwrap();
        assert!(e.known(301 * SECOND, LIM.timeout));
        assert!(!e.known(302 * SECOND, LIM.timeout));
        assert!(e.known(u64::MAX, None));
        t.append(400 * SECOND, ip(2), pool.alloc_with(&[3]).unwrap(), LIM);
        t.slim(400 * SECOND, LIM, 0);
        assert!(t.get_mut(ip(1)).is_none(), "expired");
        assert!(t.get_mut(ip(2)).is_some());
        // A stale entry that is wanted again is kept alive.
        t.append(800 * SECOND, ip(2), pool.alloc_with(&[4]).unwrap(), LIM);
        assert_eq!(t.get_mut(ip(2)).unwrap().live_at, 500 * SECOND);
        t.slim(800 * SECOND, LIM, 0);
        assert_eq!(held(&mut t, 2), [3, 4]);
        assert!(t.remove(ip(2)));
        assert!(!t.remove(ip(2)));
        assert_eq!((t.length(), t.drops()), (0, 2));
        t.append(0, ip(5), pool.alloc_with(&[5]).unwrap(), LIM);
        t.clear();
        assert_eq!((t.count(), t.length(), t.drops()), (0, 0, 3));
        drop(out);
        assert_eq!(pool.available(), harness::pool().available());
    }

    #[test]
    fn queues_clone_and_compare_by_contents() {
        let pool = harness::pool();
        let mut a = PacketQueue::default();
        a.0.push_back(pool.alloc_with(&[1, 2]).unwrap());
        let b = a.clone();
        assert_eq!(a, b);
        assert_eq!(alloc::format!("{b:?}"), "[2]");
        a.0[0].set_paint(1);
        assert_ne!(a, b);
    }
}
