//! The smoltcp device the host stack runs on: the frames the graph hands
//! [`TCPIPHost`](super::tcpip_host::TCPIPHost) in, and a batch of packets
//! for the frames it sends.
//!
//! One received frame at a time ([`Frames::rx`]): the stack takes it with
//! [`Interface::poll_ingress_single`](smoltcp::iface::Interface::poll_ingress_single),
//! so that the listeners are re-armed between two SYNs of one batch.
//! Frames sent go into `tx`, in pool packets; while `tx` is full the
//! device neither receives nor sends, so the stack keeps its work for the
//! next run (back-pressure, no frame lost). A frame sent while the pool
//! is empty is written to a scratch buffer and counted as dropped.

use nfc_dataplane::batch::Batch;
use nfc_dataplane::packet::{Packet, PacketPool};
use smoltcp::phy::{self, DeviceCapabilities, Medium};
use smoltcp::time::Instant;

/// Ethernet header bytes, which smoltcp counts in its MTU.
pub(super) const ETHER_HEADER: usize = 14;

/// Where sent frames go.
pub(super) struct Out<'a> {
    /// Frames sent, in order.
    pub tx: &'a mut Batch,
    /// The pool their packets come from.
    pub pool: &'static PacketPool,
    /// Written when the pool has no packet (the frame is dropped).
    pub scratch: &'a mut [u8],
    /// Frames put in `tx`.
    pub sent: u64,
    /// Frames lost for want of a packet.
    pub dropped: u64,
}

/// The device: at most one frame to receive, and the output.
pub(super) struct Frames<'a> {
    /// The frame the stack reads next, if any; taken when it does.
    pub rx: Option<Packet>,
    /// Where frames go.
    pub out: Out<'a>,
    /// IP MTU (bytes after the Ethernet header).
    pub mtu: usize,
}

/// A received frame, freed once read.
pub(super) struct Rx(Packet);

/// Room for one sent frame.
pub(super) struct Tx<'b, 'a>(&'b mut Out<'a>);

impl phy::RxToken for Rx {
    fn consume<R, F>(self, f: F) -> R
    where
        F: FnOnce(&[u8]) -> R,
    {
        f(self.0.data())
    }
}

impl phy::TxToken for Tx<'_, '_> {
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        let out = self.0;
        let packet = out
            .pool
            .alloc()
            .and_then(|mut p| p.put(len).is_some().then_some(p));
        match packet {
            Some(mut p) => {
                let r = f(p.data_mut());
                out.sent += 1;
                // `tx` has room: the device hands out no token otherwise.
                let _ = out.tx.push(p);
                r
            }
            None => {
                out.dropped += 1;
                let n = len.min(out.scratch.len());
                f(&mut out.scratch[..n])
            }
        }
    }
}

impl<'a> phy::Device for Frames<'a> {
    type RxToken<'b>
        = Rx
    where
        Self: 'b;
    type TxToken<'b>
        = Tx<'b, 'a>
    where
        Self: 'b;

    fn receive(&mut self, _now: Instant) -> Option<(Rx, Tx<'_, 'a>)> {
        if self.out.tx.is_full() {
            return None;
        }
        let frame = self.rx.take()?;
        Some((Rx(frame), Tx(&mut self.out)))
    }

    fn transmit(&mut self, _now: Instant) -> Option<Tx<'_, 'a>> {
        if self.out.tx.is_full() {
            return None;
        }
        Some(Tx(&mut self.out))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = self.mtu + ETHER_HEADER;
        // Checksums: smoltcp computes and verifies them all (the default).
        caps
    }
}
