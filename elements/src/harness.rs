//! Test harness for elements' packet paths (compiled for tests only).
//!
//! Every element's unit tests push packets through it and look at what
//! comes out. [`check_batch_path`] also holds the element to the rule of
//! DESIGN.md: its batch path (`push`) does exactly what its per-packet path
//! (`process`) does, for batches of 0, 1, 31, 32 and 33 packets whose
//! metadata varies inside the batch.

use alloc::vec::Vec;
use core::fmt::Debug;
use core::net::Ipv4Addr;

use nfc_dataplane::batch::{Batch, BURST};
use nfc_dataplane::element::{Context, Element, Out, TaskResult};
use nfc_dataplane::packet::{Packet, PacketPool};

/// A pool for one test: big enough for every harness run.
pub fn pool() -> &'static PacketPool {
    PacketPool::new(4 * BURST + 8)
}

/// A context on `pool` at time 0.
pub fn cx(pool: &'static PacketPool) -> Context {
    Context::at(pool, 0)
}

/// What left an element: the output, and the packet's visible state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The output port.
    pub port: usize,
    /// The bytes.
    pub data: Vec<u8>,
    /// The paint annotation.
    pub paint: u8,
    /// The destination IP annotation.
    pub dst_ip: Ipv4Addr,
    /// Where the network header starts, if set.
    pub network: Option<usize>,
}

impl Sent {
    fn of(port: usize, p: &Packet) -> Sent {
        Sent {
            port,
            data: p.data().to_vec(),
            paint: p.paint(),
            dst_ip: p.dst_ip(),
            network: p.network_offset(),
        }
    }
}

/// Pushes each packet alone through `process` on input `input`; returns
/// what came out, in order (packets sent to outputs beyond `noutputs` are
/// dropped, as the batch path drops them).
pub fn run_process<E: Element>(
    e: &mut E,
    cx: &Context,
    input: usize,
    packets: Vec<Packet>,
    noutputs: usize,
) -> Vec<Sent> {
    let mut out = Vec::new();
    for mut p in packets {
        if let Out::Port(k) = e.process(cx, input, &mut p) {
            if k < noutputs {
                out.push(Sent::of(k, &p));
            }
        }
    }
    out
}

/// Pushes `packets` through `push` on input `input`, in batches of at most
/// [`BURST`]; returns what came out, batch by batch, output by output.
pub fn run_push<E: Element>(
    e: &mut E,
    cx: &Context,
    input: usize,
    packets: Vec<Packet>,
    noutputs: usize,
) -> Vec<Sent> {
    let mut out = Vec::new();
    let mut packets = packets.into_iter().peekable();
    loop {
        let mut batch = Batch::new();
        while !batch.is_full() {
            let Some(p) = packets.next() else { break };
            let _ = batch.push(p);
        }
        let last = packets.peek().is_none();
        let mut outs: Vec<Batch> = (0..noutputs).map(|_| Batch::new()).collect();
        push(e, cx, input, batch, &mut outs);
        for (k, b) in outs.iter().enumerate() {
            out.extend(b.iter().map(|p| Sent::of(k, p)));
        }
        if last {
            return out;
        }
    }
}

/// Splits `outs` (one batch per output) the way [`Element::push`] and
/// [`Element::run_task`] see them, calls `f` with output 0 holding `input`,
/// and appends what came out to `outs`. With no outputs, what is left in
/// output 0 is freed, as generated pipelines free it.
fn sorted_into<R>(
    input: Batch,
    outs: &mut [Batch],
    f: impl FnOnce(&mut Batch, &mut [Batch]) -> R,
) -> R {
    let mut zero = input;
    let mut others: Vec<Batch> = (1..outs.len()).map(|_| Batch::new()).collect();
    let r = f(&mut zero, &mut others);
    for (out, mut b) in outs.iter_mut().zip(core::iter::once(zero).chain(others)) {
        out.append(&mut b);
    }
    r
}

/// [`Element::push`] with one batch per output in `outs` (appended to).
pub fn push<E: Element + ?Sized>(
    e: &mut E,
    cx: &Context,
    input: usize,
    batch: Batch,
    outs: &mut [Batch],
) {
    sorted_into(batch, outs, |zero, others| e.push(cx, input, zero, others));
}

/// [`Element::run_task`] with `pulled` as its input and one batch per
/// output in `outs` (appended to).
pub fn task<E: Element + ?Sized>(
    e: &mut E,
    cx: &Context,
    pulled: Batch,
    outs: &mut [Batch],
) -> TaskResult {
    sorted_into(pulled, outs, |zero, others| e.run_task(cx, zero, others))
}

/// [`Element::pull`] into a new batch.
pub fn pull<E: Element + ?Sized>(e: &mut E, cx: &Context, output: usize, max: usize) -> Batch {
    let mut b = Batch::new();
    e.pull(cx, output, max, &mut b);
    b
}

/// The packets of `sent` that left on `port`, in order.
pub fn on_port(sent: &[Sent], port: usize) -> Vec<&Sent> {
    sent.iter().filter(|s| s.port == port).collect()
}

/// Checks that `push` and `process` agree: for 0, 1, 31, 32 and 33 packets
/// made by `make(i, pool)` (vary the metadata with `i`), a copy of `element`
/// fed packet by packet and another fed by batches send the same packets,
/// in the same order on each output, and end in the same state.
pub fn check_batch_path<E, F>(element: &E, input: usize, noutputs: usize, make: F)
where
    E: Element + Clone + PartialEq + Debug,
    F: Fn(usize, &'static PacketPool) -> Packet,
{
    for n in [0, 1, 31, 32, 33] {
        let pool = pool();
        let cx = cx(pool);
        let (mut a, mut b) = (element.clone(), element.clone());
        let one = run_process(
            &mut a,
            &cx,
            input,
            (0..n).map(|i| make(i, pool)).collect(),
            noutputs,
        );
        let many = run_push(
            &mut b,
            &cx,
            input,
            (0..n).map(|i| make(i, pool)).collect(),
            noutputs,
        );
        for port in 0..noutputs {
            assert_eq!(
                on_port(&one, port),
                on_port(&many, port),
                "{n} packets, output {port}"
            );
        }
        assert_eq!(a, b, "{n} packets: state after process vs push");
        drop((one, many));
    }
}

/// An Ethernet/IPv4/UDP frame, `len` bytes of UDP payload, with a correct
/// IP checksum.
pub fn udp_frame(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, len: usize) -> Vec<u8> {
    let mut f = Vec::with_capacity(42 + len);
    f.extend_from_slice(&[0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
    f.extend_from_slice(&[0x00, 0x66, 0x77, 0x88, 0x99, 0xaa]);
    f.extend_from_slice(&[0x08, 0x00]);
    let total = (28 + len) as u16;
    f.extend_from_slice(&[
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        0,
        0x40,
        0,
        64,
        17,
        0,
        0,
    ]);
    f.extend_from_slice(&src);
    f.extend_from_slice(&dst);
    let sum = ip_checksum(&f[14..34]);
    f[24..26].copy_from_slice(&sum.to_be_bytes());
    let ulen = (8 + len) as u16;
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&ulen.to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend((0..len).map(|i| i as u8));
    f
}

/// The Internet checksum of `bytes` (RFC 1071), computed the slow, obvious
/// way: the reference the elements' fast versions are tested against.
pub fn ip_checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for c in bytes.chunks(2) {
        let w = if c.len() == 2 {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from(c[0]) << 8
        };
        sum += u32::from(w);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}
