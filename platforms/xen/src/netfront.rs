//! netfront: the guest half of Xen's virtual NIC (`io/netif.h`), talking
//! to netback in dom0 over two shared rings, polled.
//!
//! Connecting follows xenbus: read the vif's MAC and back end from
//! xenstore, wait for netback to reach InitWait, share a transmit ring and
//! a receive ring (granted pages), allocate an event channel, write
//! `tx-ring-ref`, `rx-ring-ref`, `event-channel`, `request-rx-copy` (netback
//! copies each frame into a page the guest granted), `feature-rx-notify`
//! and `feature-no-csum-offload` (every frame arrives with its checksums
//! filled in) in one transaction, switch to Connected, and wait for netback
//! to do the same. No scatter-gather, no GSO, one queue.
//!
//! The data path allocates nothing and makes no grant operations: each
//! vif has [`RX_BUFFERS`] receive pages and [`TX_BUFFERS`] transmit
//! half-pages, granted once and recycled. A received frame is copied from
//! its page into a packet-pool buffer (the pool's 2 KiB buffers do not
//! align with pages, which grants need), a frame to send is copied into a
//! free transmit buffer; netback is notified only when the ring's event
//! index asks for it. Frames netback marks as several slots or with extra
//! info (never sent to a front end without scatter-gather or GSO) and
//! responses with an error status are dropped and counted.

use alloc::alloc::{alloc_zeroed, Layout};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use nfc_dataplane::batch::Batch;
use nfc_dataplane::device::{DeviceStats, NetDevice};
use nfc_dataplane::packet::PacketPool;
use nfc_dataplane::parse;

use crate::grants::{GrantRef, GrantTable};
use crate::hypercall;
use crate::ring::{FrontRing, PAGE};
use crate::xenstore::{Link, Xenstore};

/// Receive pages per vif.
pub const RX_BUFFERS: u32 = 128;
/// Transmit buffers per vif (two per page).
pub const TX_BUFFERS: u16 = 128;
/// Bytes per transmit buffer: a frame must fit (and never cross a page).
const TX_BUF: usize = PAGE / 2;
/// The shortest frame netback takes: an Ethernet header.
const MIN_FRAME: usize = 14;

/// `XenbusState`s.
const INIT_WAIT: u32 = 2;
const CONNECTED: u32 = 4;
const CLOSING: u32 = 5;
/// How long netback may take to answer each step, ns.
const HANDSHAKE_TIMEOUT_NS: u64 = 20_000_000_000;

/// `NETRXF_*` and `NETTXF_*` flags, `XEN_NETIF_EXTRA_FLAG_MORE`.
const RXF_MORE_DATA: u16 = 1 << 2;
const RXF_EXTRA_INFO: u16 = 1 << 3;
const EXTRA_FLAG_MORE: u8 = 1;
/// `XEN_NETIF_RSP_OKAY`.
const RSP_OKAY: i16 = 0;

/// What the receive side is in the middle of skipping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Skip {
    /// Nothing: the next slot starts a frame.
    None,
    /// Extra-info slots; data slots follow if `more_data`.
    Extra { more_data: bool },
    /// The further data slots of a frame.
    Data,
}

/// The transmit side (behind a RefCell: `tx_room` reclaims).
#[derive(Debug)]
struct Tx {
    ring: FrontRing,
    /// The buffers' pages.
    pages: *mut u8,
    /// A grant per page.
    refs: Vec<GrantRef>,
    /// Buffers not in flight.
    free: Vec<u16>,
    /// Which buffers are in flight (a response for one that is not is
    /// ignored).
    busy: Vec<bool>,
    /// Frames netback refused.
    errors: u64,
}

/// One vif, connected.
#[derive(Debug)]
pub struct Netfront {
    mac: [u8; 6],
    port: u32,
    rx: FrontRing,
    rx_pages: *mut u8,
    rx_refs: Vec<GrantRef>,
    skip: Skip,
    tx: RefCell<Tx>,
    stats: DeviceStats,
}

/// `n` zeroed, page-aligned pages for the program's life.
fn pages(n: usize) -> Result<*mut u8, String> {
    let layout = Layout::from_size_align(n * PAGE, PAGE).map_err(|_| String::from("layout"))?;
    // SAFETY: a non-zero size; the pages are never freed.
    let p = unsafe { alloc_zeroed(layout) };
    if p.is_null() {
        return Err(format!("no memory for {n} pages"));
    }
    Ok(p)
}

/// Waits until the back end at `backend` is in state `want` or later;
/// an error if it closes or takes too long.
fn wait_state<L: Link>(xs: &mut Xenstore<L>, backend: &str, want: u32) -> Result<(), String> {
    let path = format!("{backend}/state");
    let deadline = xs.link().now().saturating_add(HANDSHAKE_TIMEOUT_NS);
    loop {
        let state: u32 = xs
            .read(&path)
            .map_err(|e| format!("{path}: {e}"))?
            .trim()
            .parse()
            .unwrap_or(0);
        if state >= CLOSING {
            return Err(format!("netback closed ({path} = {state})"));
        }
        if state >= want {
            return Ok(());
        }
        if xs.link().now() > deadline {
            return Err(format!(
                "netback stays in state {state} ({path}), want {want}"
            ));
        }
        xs.wait();
    }
}

impl Netfront {
    /// Connects vif `vif` (its xenstore directory `device/vif/<vif>`),
    /// granting its pages through `grants`.
    pub fn connect<L: Link>(
        xs: &mut Xenstore<L>,
        grants: &mut GrantTable,
        vif: &str,
    ) -> Result<Netfront, String> {
        let dir = format!("device/vif/{vif}");
        let read = |xs: &mut Xenstore<L>, key: &str| {
            xs.read(&format!("{dir}/{key}"))
                .map_err(|e| format!("{dir}/{key}: {e}"))
        };
        let backend = read(xs, "backend")?;
        let backend_id: u16 = read(xs, "backend-id")?
            .trim()
            .parse()
            .map_err(|_| format!("{dir}/backend-id: not a domain id"))?;
        let mac = parse::ether(read(xs, "mac")?.trim())
            .map_err(|e| format!("{dir}/mac: {e}"))?
            .0;
        wait_state(xs, &backend, INIT_WAIT)?;

        let grant = |grants: &mut GrantTable, page: *mut u8, readonly: bool| {
            grants
                .grant(backend_id, page as u64, readonly)
                .map_err(String::from)
        };
        // The rings: 12-byte transmit slots, 8-byte receive slots.
        // SAFETY: fresh pages, kept for the program, shared only with
        // netback.
        let tx_ring = unsafe { FrontRing::new(pages(1)?, 12) };
        // SAFETY: as above.
        let rx_ring = unsafe { FrontRing::new(pages(1)?, 8) };
        let tx_ring_ref = grant(grants, tx_ring.page(), false)?;
        let rx_ring_ref = grant(grants, rx_ring.page(), false)?;
        let rx_pages = pages(RX_BUFFERS as usize)?;
        let rx_refs = (0..RX_BUFFERS as usize)
            // SAFETY: page i of the RX_BUFFERS just allocated.
            .map(|i| grant(grants, unsafe { rx_pages.add(i * PAGE) }, false))
            .collect::<Result<Vec<_>, _>>()?;
        let tx_pages_n = usize::from(TX_BUFFERS) * TX_BUF / PAGE;
        let tx_pages = pages(tx_pages_n)?;
        let tx_refs = (0..tx_pages_n)
            // SAFETY: page i of those just allocated.
            .map(|i| grant(grants, unsafe { tx_pages.add(i * PAGE) }, true))
            .collect::<Result<Vec<_>, _>>()?;
        let port = hypercall::evtchn_alloc_unbound(backend_id)
            .map_err(|e| format!("{dir}: event channel: error {e}"))?;
        hypercall::evtchn_unmask(port);

        xs.transaction(|xs, tx| {
            for (key, value) in [
                ("tx-ring-ref", format!("{tx_ring_ref}")),
                ("rx-ring-ref", format!("{rx_ring_ref}")),
                ("event-channel", format!("{port}")),
                ("request-rx-copy", "1".into()),
                ("feature-rx-notify", "1".into()),
                ("feature-no-csum-offload", "1".into()),
                ("feature-sg", "0".into()),
            ] {
                xs.write(tx, &format!("{dir}/{key}"), &value)?;
            }
            Ok(())
        })
        .map_err(|e| format!("{dir}: {e}"))?;
        xs.write(0, &format!("{dir}/state"), &format!("{CONNECTED}"))
            .map_err(|e| format!("{dir}/state: {e}"))?;
        wait_state(xs, &backend, CONNECTED)?;

        let mut nic = Netfront {
            mac,
            port,
            rx: rx_ring,
            rx_pages,
            rx_refs,
            skip: Skip::None,
            tx: RefCell::new(Tx {
                ring: tx_ring,
                pages: tx_pages,
                refs: tx_refs,
                free: (0..TX_BUFFERS).rev().collect(),
                busy: alloc::vec![false; usize::from(TX_BUFFERS)],
                errors: 0,
            }),
            stats: DeviceStats::default(),
        };
        for _ in 0..RX_BUFFERS {
            nic.post_rx();
        }
        if nic.rx.push_requests() {
            hypercall::evtchn_send(port);
        }
        Ok(nic)
    }

    /// The event channel netback notifies.
    pub fn port(&self) -> u32 {
        self.port
    }

    /// Writes a receive request for the buffer of the next ring position.
    fn post_rx(&mut self) {
        let id = self.rx.req_prod_pvt() % RX_BUFFERS;
        let mut req = [0u8; 8];
        req[0..2].copy_from_slice(&(id as u16).to_le_bytes());
        req[4..8].copy_from_slice(&self.rx_refs[id as usize].to_le_bytes());
        self.rx.put_request(&req);
    }

    /// Handles receive response `rsp` (ring position `pos`): a frame into
    /// `into`, or a slot skipped; true if a frame was handed on.
    fn receive(
        &mut self,
        pool: &'static PacketPool,
        into: &mut Batch,
        pos: u32,
        rsp: [u8; 8],
    ) -> bool {
        let id = u16::from_le_bytes([rsp[0], rsp[1]]);
        let offset = usize::from(u16::from_le_bytes([rsp[2], rsp[3]]));
        let flags = u16::from_le_bytes([rsp[4], rsp[5]]);
        let status = i16::from_le_bytes([rsp[6], rsp[7]]);
        match self.skip {
            Skip::Extra { more_data } => {
                // an extra-info slot: its flags byte says if more follow
                if rsp[1] & EXTRA_FLAG_MORE == 0 {
                    self.skip = if more_data { Skip::Data } else { Skip::None };
                }
                return false;
            }
            Skip::Data => {
                if flags & RXF_MORE_DATA == 0 {
                    self.skip = Skip::None;
                }
                return false;
            }
            Skip::None => {}
        }
        if flags & RXF_EXTRA_INFO != 0 {
            self.skip = Skip::Extra {
                more_data: flags & RXF_MORE_DATA != 0,
            };
            self.stats.rx_dropped += 1;
            return false;
        }
        if flags & RXF_MORE_DATA != 0 {
            self.skip = Skip::Data;
            self.stats.rx_dropped += 1;
            return false;
        }
        let buf = pos % RX_BUFFERS;
        let len = usize::try_from(status).unwrap_or(0);
        if u32::from(id) != buf || len == 0 || offset + len > PAGE {
            self.stats.rx_dropped += 1;
            return false;
        }
        // SAFETY: netback published this response, so it is done writing
        // the page of buffer `buf`; `offset + len` lies within it.
        let data = unsafe {
            core::slice::from_raw_parts(self.rx_pages.add(buf as usize * PAGE + offset), len)
        };
        match pool.alloc_with(data) {
            Some(p) => {
                let _ = into.push(p);
                true
            }
            None => {
                self.stats.rx_dropped += 1;
                false
            }
        }
    }
}

impl Tx {
    /// Frees the buffers netback has finished with.
    fn reclaim(&mut self) {
        while let Some(rsp) = self.ring.take_response::<4>() {
            let id = usize::from(u16::from_le_bytes([rsp[0], rsp[1]]));
            let status = i16::from_le_bytes([rsp[2], rsp[3]]);
            if status != RSP_OKAY {
                self.errors += 1;
            }
            if self.busy.get(id) == Some(&true) {
                self.busy[id] = false;
                self.free.push(id as u16);
            }
        }
    }
}

impl NetDevice for Netfront {
    fn rx_burst(&mut self, pool: &'static PacketPool, into: &mut Batch, max: usize) -> usize {
        let mut n = 0;
        let mut slots = 0;
        while slots < max && !into.is_full() {
            let pos = self.rx.rsp_cons();
            let Some(rsp) = self.rx.take_response::<8>() else {
                break;
            };
            slots += 1;
            if self.receive(pool, into, pos, rsp) {
                n += 1;
            }
        }
        if slots == 0 {
            // Nothing: ask netback to notify the next frame (the idle
            // loop may sleep on the event channel).
            self.rx.arm_response_event();
            return 0;
        }
        for _ in 0..slots {
            self.post_rx();
        }
        if self.rx.push_requests() {
            hypercall::evtchn_send(self.port);
        }
        self.stats.rx += n as u64;
        n
    }

    fn tx_burst(&mut self, batch: &mut Batch) -> usize {
        let tx = self.tx.get_mut();
        tx.reclaim();
        let mut sent = 0;
        let mut rest = Batch::new();
        for p in batch.drain() {
            if !rest.is_empty() || tx.free.is_empty() || tx.ring.free_requests() == 0 {
                let _ = rest.push(p);
                continue;
            }
            let len = p.len();
            if !(MIN_FRAME..=TX_BUF).contains(&len) {
                self.stats.tx_dropped += 1;
                continue;
            }
            let Some(id) = tx.free.pop() else {
                let _ = rest.push(p);
                continue;
            };
            let id_us = usize::from(id);
            tx.busy[id_us] = true;
            let offset = (id_us % 2) * TX_BUF;
            // SAFETY: buffer `id` is not in flight, so netback does not
            // read it; it lies in the transmit pages.
            unsafe {
                core::ptr::copy_nonoverlapping(
                    p.data().as_ptr(),
                    tx.pages.add(id_us * TX_BUF),
                    len,
                );
            }
            let mut req = [0u8; 12];
            req[0..4].copy_from_slice(&tx.refs[id_us / 2].to_le_bytes());
            req[4..6].copy_from_slice(&(offset as u16).to_le_bytes());
            // flags 0: checksums complete, one slot
            req[8..10].copy_from_slice(&id.to_le_bytes());
            req[10..12].copy_from_slice(&(len as u16).to_le_bytes());
            tx.ring.put_request(&req);
            sent += 1;
        }
        if sent > 0 && tx.ring.push_requests() {
            hypercall::evtchn_send(self.port);
        }
        *batch = rest;
        self.stats.tx += sent as u64;
        sent
    }

    fn tx_room(&self) -> usize {
        let mut tx = self.tx.borrow_mut();
        tx.reclaim();
        tx.free.len().min(tx.ring.free_requests() as usize)
    }

    fn mac(&self) -> [u8; 6] {
        self.mac
    }

    fn stats(&self) -> DeviceStats {
        let errors = self.tx.borrow().errors;
        DeviceStats {
            tx_dropped: self.stats.tx_dropped + errors,
            ..self.stats
        }
    }
}
