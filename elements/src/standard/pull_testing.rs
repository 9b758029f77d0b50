//! Test inputs for the elements that pull from their own inputs
//! (schedulers, PullSwitch, PullNull): each input hands out the packets it
//! was given, and every pull is logged.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, Inputs, PullRoute};
use nfc_dataplane::packet::Packet;

/// Inputs that hold packets: input `i` hands out `queues[i]` in order.
#[derive(Default)]
pub(crate) struct Upstream {
    /// The packets each input still holds.
    pub(crate) queues: Vec<VecDeque<Packet>>,
    /// Every pull, as `(input, packets handed out)`.
    pub(crate) log: Vec<(usize, usize)>,
}

impl Upstream {
    /// `n` inputs; input `i` holds one-byte packets with the bytes
    /// `bytes[i]`.
    pub(crate) fn new(cx: &Context, bytes: &[&[u8]]) -> Upstream {
        let queues = bytes
            .iter()
            .map(|bs| {
                bs.iter()
                    .map(|&b| cx.pool.alloc_with(&[b]).unwrap())
                    .collect()
            })
            .collect();
        Upstream {
            queues,
            log: Vec::new(),
        }
    }

    /// Adds a packet with byte `b` to input `i`.
    pub(crate) fn add(&mut self, cx: &Context, i: usize, b: u8) {
        self.queues[i].push_back(cx.pool.alloc_with(&[b]).unwrap());
    }
}

impl Inputs for Upstream {
    fn pull(&mut self, _cx: &Context, input: usize, max: usize, batch: &mut Batch) {
        let mut n = 0;
        if let Some(q) = self.queues.get_mut(input) {
            while n < max {
                let Some(p) = q.pop_front() else { break };
                batch.push(p).unwrap();
                n += 1;
            }
        }
        self.log.push((input, n));
    }
}

/// The first bytes of `batch`'s packets.
pub(crate) fn firsts(batch: &Batch) -> Vec<u8> {
    batch.iter().map(|p| p.data()[0]).collect()
}

/// Pulls `max` packets from `output` of `e`, an element that routes its
/// pulls ([`Element::pull_route`]), as the runner does: from the input it
/// names, in `up`.
pub(crate) fn pull_routed(
    e: &dyn Element,
    cx: &Context,
    output: usize,
    max: usize,
    batch: &mut Batch,
    up: &mut Upstream,
) {
    match e.pull_route(output) {
        PullRoute::Input(k) => up.pull(cx, k, max, batch),
        PullRoute::Nothing => {}
        PullRoute::Element => panic!("not a routing element"),
    }
}
