//! The network device interface every platform's driver implements.

use crate::batch::Batch;
use crate::packet::PacketPool;

/// A polled network interface: a TAP device or AF_PACKET socket on linux,
/// virtio-net on kvm and arm64, netfront on xen.
///
/// Both calls are non-blocking and move at most one batch.
pub trait NetDevice {
    /// Receives up to `max` frames (at most the room left in `into`) into
    /// buffers from `pool`, appending them to `into`; returns how many
    /// arrived. Frames that arrive when the pool is exhausted are dropped
    /// and counted by the device.
    fn rx_burst(&mut self, pool: &'static PacketPool, into: &mut Batch, max: usize) -> usize;

    /// Sends frames from the front of `batch`, in order, and removes those
    /// it took; returns how many. Frames it could not take (the transmit
    /// ring is full) stay in `batch`.
    fn tx_burst(&mut self, batch: &mut Batch) -> usize;

    /// How many frames `tx_burst` can take now, at most.
    fn tx_room(&self) -> usize;

    /// The interface's Ethernet address.
    fn mac(&self) -> [u8; 6];

    /// Counters: (received, sent, dropped on receive, dropped on send).
    fn stats(&self) -> DeviceStats;
}

/// What a device counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceStats {
    /// Frames received.
    pub rx: u64,
    /// Frames sent.
    pub tx: u64,
    /// Frames lost on receive (no buffer, too long).
    pub rx_dropped: u64,
    /// Frames lost on send.
    pub tx_dropped: u64,
}
