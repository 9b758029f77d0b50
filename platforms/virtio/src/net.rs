//! virtio-net as a polled [`NetDevice`], on virtio-drivers' raw driver.
//!
//! Receive: packet-pool buffers are posted to the receive ring, each with
//! room for the virtio-net header in its headroom, so a frame lands where
//! a packet's data starts and is handed on without a copy; the ring is
//! refilled from the pool after each burst. Transmit: the header goes into
//! the packet's headroom and the packet is held by the driver until the
//! device has used it, then freed back to the pool. No interrupts, no
//! allocation per packet, and a full transmit ring leaves packets with
//! the caller (never a wait).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use nfc_dataplane::batch::Batch;
use nfc_dataplane::device::{DeviceStats, NetDevice};
use nfc_dataplane::packet::{Packet, PacketPool};
use virtio_drivers::device::net::VirtIONetRaw;
use virtio_drivers::transport::SomeTransport;

use crate::hal::IdentityHal;
use crate::polled::Polled;

/// Descriptors per virtqueue (QEMU's default ring size for virtio-net).
pub const QUEUE_SIZE: usize = 256;

/// A virtio-net device.
///
/// The driver and the transmit ring sit in cells because
/// [`NetDevice::tx_room`] takes `&self` and must free the packets the
/// device has finished sending before it counts the room (else a full ring
/// would never be looked at again); one core, no reentrancy.
pub struct VirtioNet {
    raw: RefCell<VirtIONetRaw<IdentityHal, Polled<SomeTransport<'static>>, QUEUE_SIZE>>,
    pool: &'static PacketPool,
    /// The packet each posted receive descriptor (by token) writes into.
    rx: Vec<Option<Packet>>,
    /// The packet each transmit descriptor (by token) is sending.
    tx: RefCell<Vec<Option<Packet>>>,
    /// Buffers posted to the receive ring.
    rx_posted: usize,
    /// How many buffers the receive ring is kept filled with.
    rx_target: usize,
    /// Packets the device has not yet finished sending.
    tx_in_flight: Cell<usize>,
    /// The virtio-net header's size (12 bytes with VERSION_1).
    header: usize,
    mac: [u8; 6],
    stats: DeviceStats,
}

impl core::fmt::Debug for VirtioNet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VirtioNet")
            .field("mac", &self.mac)
            .field("rx_posted", &self.rx_posted)
            .field("tx_in_flight", &self.tx_in_flight)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl VirtioNet {
    /// Initialises the device behind `transport` and fills its receive
    /// ring with up to `rx_buffers` buffers from `pool` (at most the ring's
    /// size).
    pub fn new(
        transport: SomeTransport<'static>,
        pool: &'static PacketPool,
        rx_buffers: usize,
    ) -> Result<VirtioNet, String> {
        let raw = VirtIONetRaw::new(Polled(transport)).map_err(|e| e.to_string())?;
        let mut scratch = [0u8; 16];
        let header = raw
            .fill_buffer_header(&mut scratch)
            .map_err(|e| format!("virtio-net header: {e}"))?;
        let mut net = VirtioNet {
            mac: raw.mac_address(),
            raw: RefCell::new(raw),
            pool,
            rx: (0..QUEUE_SIZE).map(|_| None).collect(),
            tx: RefCell::new((0..QUEUE_SIZE).map(|_| None).collect()),
            rx_posted: 0,
            rx_target: rx_buffers.clamp(1, QUEUE_SIZE),
            tx_in_flight: Cell::new(0),
            header,
            stats: DeviceStats::default(),
        };
        net.raw.get_mut().disable_interrupts();
        net.refill();
        Ok(net)
    }

    /// Posts pool buffers until the receive ring holds its target, or the
    /// pool or the ring runs out.
    fn refill(&mut self) {
        let raw = self.raw.get_mut();
        while self.rx_posted < self.rx_target {
            let Some(mut p) = self.pool.alloc() else {
                return;
            };
            // A fresh packet has the full headroom, larger than any header.
            if !p.unpull(self.header) {
                return;
            }
            // SAFETY: the packet is kept in `self.rx` under the token and
            // not touched until `receive_complete` returns it.
            match unsafe { raw.receive_begin(p.extend_to_end()) } {
                Ok(token) => {
                    self.rx[usize::from(token)] = Some(p);
                    self.rx_posted += 1;
                }
                Err(_) => return,
            }
        }
    }

    /// Frees the packets the device has finished sending.
    fn reclaim(&self) {
        let mut raw = self.raw.borrow_mut();
        let mut tx = self.tx.borrow_mut();
        while let Some(token) = raw.poll_transmit() {
            let Some(p) = tx[usize::from(token)].take() else {
                // A token we never gave out: the device is broken; stop
                // looking rather than loop on it.
                return;
            };
            // SAFETY: `p` is the packet whose data was given to
            // `transmit_begin` under this token, unchanged since.
            let _ = unsafe { raw.transmit_complete(token, p.data()) };
            self.tx_in_flight.set(self.tx_in_flight.get() - 1);
        }
    }
}

impl NetDevice for VirtioNet {
    fn rx_burst(&mut self, _pool: &'static PacketPool, into: &mut Batch, max: usize) -> usize {
        let mut n = 0;
        let mut looked = 0;
        let raw = self.raw.get_mut();
        while looked < max && !into.is_full() {
            let Some(token) = raw.poll_receive() else {
                break;
            };
            looked += 1;
            let Some(mut p) = self.rx[usize::from(token)].take() else {
                break;
            };
            self.rx_posted -= 1;
            // SAFETY: `p` is the packet posted under this token, its data
            // unchanged since `receive_begin`.
            match unsafe { raw.receive_complete(token, p.data_mut()) } {
                Ok((header, len)) => {
                    p.pull(header);
                    p.take(p.len() - len.min(p.len()));
                    let _ = into.push(p);
                    n += 1;
                }
                // Shorter than a virtio-net header: nothing to hand on.
                Err(_) => self.stats.rx_dropped += 1,
            }
        }
        self.refill();
        self.stats.rx += n as u64;
        n
    }

    fn tx_burst(&mut self, batch: &mut Batch) -> usize {
        self.reclaim();
        let raw = self.raw.get_mut();
        let tx = self.tx.get_mut();
        let in_flight = self.tx_in_flight.get_mut();
        let mut sent = 0;
        let mut rest = Batch::new();
        for mut p in batch.drain() {
            if !rest.is_empty() || *in_flight == QUEUE_SIZE {
                let _ = rest.push(p);
                continue;
            }
            let Some(header) = p.push(self.header) else {
                // No room for the header (a buffer filled to the end).
                self.stats.tx_dropped += 1;
                continue;
            };
            header.fill(0);
            // SAFETY: `p` is kept in `self.tx` under the token and not
            // touched until `transmit_complete` frees it.
            match unsafe { raw.transmit_begin(p.data()) } {
                Ok(token) => {
                    tx[usize::from(token)] = Some(p);
                    *in_flight += 1;
                    sent += 1;
                }
                Err(virtio_drivers::Error::QueueFull) => {
                    p.pull(self.header);
                    let _ = rest.push(p);
                }
                Err(_) => self.stats.tx_dropped += 1,
            }
        }
        *batch = rest;
        self.stats.tx += sent as u64;
        sent
    }

    fn tx_room(&self) -> usize {
        self.reclaim();
        QUEUE_SIZE - self.tx_in_flight.get()
    }

    fn mac(&self) -> [u8; 6] {
        self.mac
    }

    fn stats(&self) -> DeviceStats {
        self.stats
    }
}
