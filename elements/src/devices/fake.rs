//! A fake network device for the device elements' tests (compiled for
//! tests only): frames to receive are queued in advance, sent frames are
//! kept, and the transmit ring has a settable room.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use nfc_dataplane::batch::Batch;
use nfc_dataplane::device::{DeviceStats, NetDevice};
use nfc_dataplane::packet::PacketPool;

/// The fake device's own Ethernet address.
pub const MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];

/// A device whose wire is two queues.
#[derive(Debug, Default)]
pub struct Fake {
    /// Frames waiting to be received, in order.
    pub rx: VecDeque<Vec<u8>>,
    /// Frames sent, in order.
    pub sent: Vec<Vec<u8>>,
    /// How many frames the transmit ring takes now.
    pub room: usize,
    /// What the device counted.
    pub stats: DeviceStats,
}

impl NetDevice for Fake {
    fn rx_burst(&mut self, pool: &'static PacketPool, into: &mut Batch, max: usize) -> usize {
        let mut n = 0;
        while n < max && !into.is_full() {
            let Some(frame) = self.rx.pop_front() else {
                break;
            };
            match pool.alloc_with(&frame) {
                Some(p) => {
                    let _ = into.push(p);
                    n += 1;
                }
                None => self.stats.rx_dropped += 1,
            }
        }
        self.stats.rx += n as u64;
        n
    }

    fn tx_burst(&mut self, batch: &mut Batch) -> usize {
        let mut taken = Batch::new();
        let mut rest = Batch::new();
        for p in batch.drain() {
            let _ = if taken.len() < self.room {
                taken.push(p)
            } else {
                rest.push(p)
            };
        }
        *batch = rest;
        let n = taken.len();
        self.sent.extend(taken.iter().map(|p| p.data().to_vec()));
        self.room -= n;
        self.stats.tx += n as u64;
        n
    }

    fn tx_room(&self) -> usize {
        self.room
    }

    fn mac(&self) -> [u8; 6] {
        MAC
    }

    fn stats(&self) -> DeviceStats {
        self.stats
    }
}
