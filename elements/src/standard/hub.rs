//! # Hub — duplicates packets like a hub
//!
//! ```click
//! Hub
//! ```
//!
//! Ports: any number of inputs, as many outputs (`-/=` in Click; `-/-`
//! here). Processing: push (`h/h`).
//!
//! A packet arriving on input I leaves on every output except output I,
//! as a frame on an Ethernet hub reaches every port but the one it came
//! from: copies go to the outputs in order, and the original to the last
//! of them. With one port, the packet is dropped.
//!
//! ## Keywords
//! None; Hub takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! h :: Hub; a -> [0]h[0] -> a2; b -> [1]h[1] -> b2; c -> [2]h[2] -> c2;
//! ```
//!
//! ## Differences from Click
//! - Click refuses a Hub whose input and output counts differ; nfc does
//!   not check, and treats output I as the one that matches input I.
//! - Copies are made from the pool; when it runs out a copy is missing
//!   (the pool counts it), never the original.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, Out, Outputs};
use nfc_dataplane::packet::Packet;

use super::tee::copy_to;
use crate::{ElementSpec, Ports};

/// Hub: its output count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hub {
    noutputs: usize,
}

impl Hub {
    /// Checks that Hub's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(Hub::default())
    }

    /// The last output a packet from `input` leaves on (the one that gets
    /// the original), if any.
    fn last(&self, input: usize) -> Option<usize> {
        (0..self.noutputs).rev().find(|&k| k != input)
    }
}

impl Element for Hub {
    fn set_ports(&mut self, _ninputs: usize, noutputs: usize) {
        self.noutputs = noutputs;
    }

    /// The original goes to the last output but the input's; only `push`
    /// makes copies.
    #[inline]
    fn process(&mut self, _cx: &Context, input: usize, _p: &mut Packet) -> Out {
        self.last(input).map_or(Out::Drop, Out::Port)
    }

    fn push(&mut self, cx: &Context, input: usize, batch: &mut Batch, others: &mut [Batch]) {
        let Some(last) = self.last(input) else {
            batch.clear();
            return;
        };
        let packets = core::mem::take(batch);
        let mut outs = Outputs::new(batch, others);
        for p in packets {
            for k in (0..last).filter(|&k| k != input) {
                if let Some(out) = outs.get_mut(k) {
                    copy_to(cx, &p, out);
                }
            }
            outs.push(last, p);
        }
    }
}

/// Hub's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Hub",
    port_count: "-/-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "duplicates packets like a hub",
    source: include_str!("hub.rs"),
    check: |c| Hub::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, on_port, run_push};
    use alloc::vec::Vec;

    #[test]
    fn every_output_but_the_inputs() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut h = Hub::configure("").unwrap();
        h.set_ports(3, 3);
        for input in 0..3 {
            let packets: Vec<Packet> = (0..2u8).map(|b| pool.alloc_with(&[b]).unwrap()).collect();
            let sent = run_push(&mut h, &cx, input, packets, 3);
            for k in 0..3 {
                let want = if k == input { 0 } else { 2 };
                assert_eq!(on_port(&sent, k).len(), want, "input {input}, output {k}");
            }
        }
        assert_eq!(pool.available(), pool.capacity());
        assert!(Hub::configure("1").is_err());
    }

    #[test]
    fn one_port_drops() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut h = Hub::configure("").unwrap();
        h.set_ports(1, 1);
        let sent = run_push(
            &mut h,
            &cx,
            0,
            alloc::vec![pool.alloc_with(&[1]).unwrap()],
            1,
        );
        assert!(sent.is_empty());
        let mut p = pool.alloc_with(&[1]).unwrap();
        assert_eq!(h.process(&cx, 0, &mut p), Out::Drop);
        let mut two = Hub::default();
        two.set_ports(2, 2);
        harness::check_batch_path(&two, 1, 2, |i, pool| pool.alloc_with(&[i as u8]).unwrap());
    }
}
