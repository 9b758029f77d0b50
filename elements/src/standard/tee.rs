//! # Tee — duplicates packets
//!
//! ```click
//! Tee([N])
//! ```
//!
//! Ports: 1 input, 1 or more outputs (`1/1-`). Processing: push (`h/h`).
//!
//! Pushes each packet out every output: a copy on each output but the
//! last, and the original on the last one. N, when given, states how many
//! outputs the element has. When the packet pool runs out, copies are
//! missing (the pool counts them); the original always goes out.
//!
//! ## Keywords
//! - `N` *unsigned* — the number of outputs (at least 1).
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> t :: Tee(2); t[0] -> Queue -> ToDevice(eth1); t[1] -> ToDump(copy.pcap);
//! ```
//!
//! ## Differences from Click
//! - nfc does not yet check N against the number of connected outputs.
//! - A copy is a copy of the bytes (nfc does not share packet data), so a
//!   copy can be changed without affecting the others.
//! - Copies are made only on the batch path (`push`); the per-packet path
//!   (`process`) sends the original to the last output (see
//!   `set_ports`) and makes no copies.

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, Out, Outputs};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Tee's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tee {
    /// The declared number of outputs, if given.
    pub n: Option<u32>,
    /// Outputs the per-packet path assumes (N, or 1).
    noutputs: usize,
}

/// Sends copies of `p` out every output of `outs` but the last, and `p`
/// itself out the last one, as Click's Tee does: when the pool runs out, a
/// copy is missing (the pool counts the failure), never the original.
/// Shared by Tee and PaintSwitch.
#[inline]
pub(crate) fn to_every_output(cx: &Context, p: Packet, outs: &mut Outputs) {
    let last = outs.count() - 1;
    for k in 0..last {
        if let Some(out) = outs.get_mut(k) {
            copy_to(cx, &p, out);
        }
    }
    outs.push(last, p);
}

/// Appends a copy of `p` to `out`; when the pool is exhausted there is no
/// copy (the pool counts the failure). The caller makes sure `out` has
/// room: an output receives at most one packet per input packet.
#[inline]
pub(crate) fn copy_to(cx: &Context, p: &Packet, out: &mut Batch) {
    if let Some(copy) = cx.pool.clone_packet(p) {
        let _ = out.push(copy);
    }
}

impl Tee {
    /// Parses Tee's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let n = args.read_p("N", parse::unsigned::<u32>);
        if n == Some(0) {
            let span = args.span_of("N");
            args.error(ConfigError::new(span, "Tee needs at least 1 output"));
        }
        args.complete()?;
        Ok(Tee {
            n,
            noutputs: n.map_or(1, |n| n as usize),
        })
    }
}

impl Element for Tee {
    fn set_ports(&mut self, _ninputs: usize, noutputs: usize) {
        self.noutputs = noutputs;
    }

    /// The original goes to the last output; only `push` makes copies.
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, _p: &mut Packet) -> Out {
        match self.noutputs.checked_sub(1) {
            Some(last) => Out::Port(last),
            None => Out::Drop,
        }
    }

    #[inline]
    fn push(&mut self, cx: &Context, _input: usize, batch: &mut Batch, others: &mut [Batch]) {
        if others.is_empty() {
            // One output: the batch goes on as it is.
            return;
        }
        let input = core::mem::take(batch);
        let mut outs = Outputs::new(batch, others);
        for p in input {
            to_every_output(cx, p, &mut outs);
        }
    }
}

/// Tee's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Tee",
    port_count: "1/1-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["N"],
    handlers: &[],
    summary: "duplicates packets",
    source: include_str!("tee.rs"),
    check: |c| {
        Tee::configure(c).map(|t| match t.n {
            Some(n) => Ports::outputs(n as usize, "N in its configuration"),
            None => Ports::DECLARED,
        })
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        assert_eq!(Tee::configure("").unwrap().n, None);
        assert_eq!(Tee::configure("3").unwrap().n, Some(3));
        assert_eq!(Tee::configure("N 2").unwrap().n, Some(2));
    }

    #[test]
    fn bad_values() {
        let cfg = "0";
        let errs = errors(cfg, Tee::configure(cfg));
        assert!(has(&errs, "at least 1", "0"), "{errs:?}");
        let cfg = "two, 3";
        let errs = errors(cfg, Tee::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "", "two"), "{errs:?}");
    }

    use crate::harness::{self, check_batch_path, on_port, run_push};

    #[test]
    fn every_output_gets_every_packet() {
        let mut t = Tee::configure("3").unwrap();
        let pool = harness::pool();
        let packets = (0..33)
            .map(|i| {
                let mut p = pool.alloc_with(&[i as u8; 7][..i % 7]).unwrap();
                p.set_paint(i as u8);
                p
            })
            .collect();
        let sent = run_push(&mut t, &harness::cx(pool), 0, packets, 3);
        for port in 0..3 {
            let got = on_port(&sent, port);
            assert_eq!(got.len(), 33, "output {port}");
            for (i, s) in got.iter().enumerate() {
                assert_eq!((s.data.len(), s.paint), (i % 7, i as u8));
            }
        }
        drop(sent);
        assert_eq!(pool.available(), pool.capacity());
    }

    #[test]
    fn copies_are_missing_when_the_pool_runs_out() {
        let pool = nfc_dataplane::packet::PacketPool::new(3);
        let mut t = Tee::configure("").unwrap();
        let mut batch = Batch::new();
        for b in [1u8, 2] {
            batch.push(pool.alloc_with(&[b]).unwrap()).unwrap();
        }
        let mut outs = [Batch::new(), Batch::new(), Batch::new()];
        harness::push(&mut t, &harness::cx(pool), 0, batch, &mut outs);
        // One buffer was free: the first packet's first copy.
        let firsts = |b: &Batch| {
            b.iter()
                .map(|p| p.data()[0])
                .collect::<alloc::vec::Vec<_>>()
        };
        assert_eq!(firsts(&outs[0]), [1]);
        assert!(outs[1].is_empty());
        assert_eq!(firsts(&outs[2]), [1, 2]);
        assert_eq!(pool.exhausted(), 3);
    }

    #[test]
    fn per_packet_path_sends_the_original_last() {
        let mut t = Tee::configure("N 2").unwrap();
        let cx = harness::cx(harness::pool());
        let mut p = cx.pool.alloc_with(&[1]).unwrap();
        assert_eq!(t.process(&cx, 0, &mut p), Out::Port(1));
        t.set_ports(1, 0);
        assert_eq!(t.process(&cx, 0, &mut p), Out::Drop);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        // With one output, the only case where `process` can do all of it.
        check_batch_path(&Tee::configure("").unwrap(), 0, 1, |i, pool| {
            pool.alloc_with(&[i as u8; 9][..i % 9]).unwrap()
        });
    }
}
