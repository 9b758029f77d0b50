//! # PaintSwitch — sends packet stream to output chosen per-packet
//!
//! ```click
//! PaintSwitch([ANNO])
//! ```
//!
//! Ports: 1 input, any number of outputs (`1/-`). Processing: push (`h/h`).
//!
//! Pushes each packet out the output whose number is its paint annotation:
//! paint 0 to output 0, paint 1 to output 1, and so on. A packet whose paint
//! names an output that does not exist is dropped. Paint 255 is special: the
//! packet goes out every output, as Tee sends it.
//!
//! ## Keywords
//! - `ANNO` *annotation* — `PAINT` (default) or a byte offset (0–47).
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ps :: PaintSwitch; ps[0] -> ToDevice(eth0); ps[1] -> ToDevice(eth1);
//! ```
//!
//! ## Differences from Click
//! - ANNO accepts only `PAINT` or a byte offset; Click also allows a
//!   two-byte annotation.
//! - Paint 255 is copied to every output only on the batch path (`push`);
//!   the per-packet path (`process`) sends it to the last output (see
//!   `set_ports`).

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, Out, Outputs};
use nfc_dataplane::packet::Packet;

use super::paint::{annotation, Annotation};
use super::tee::to_every_output;
use crate::{ElementSpec, Ports};

/// The paint value that sends a packet out every output.
pub const EVERY_OUTPUT: u8 = 0xff;

/// PaintSwitch's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PaintSwitch {
    /// The annotation read.
    pub anno: Annotation,
    /// Outputs the per-packet path assumes for paint 255.
    noutputs: usize,
}

impl PaintSwitch {
    /// Parses PaintSwitch's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let anno = args.read_p("ANNO", annotation).unwrap_or_default();
        args.complete()?;
        Ok(PaintSwitch { anno, noutputs: 1 })
    }
}

impl Element for PaintSwitch {
    fn set_ports(&mut self, _ninputs: usize, noutputs: usize) {
        self.noutputs = noutputs;
    }

    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        match self.anno.get(p) {
            EVERY_OUTPUT => match self.noutputs.checked_sub(1) {
                Some(last) => Out::Port(last),
                None => Out::Drop,
            },
            k => Out::Port(usize::from(k)),
        }
    }

    #[inline]
    fn push(&mut self, cx: &Context, _input: usize, batch: &mut Batch, others: &mut [Batch]) {
        let input = core::mem::take(batch);
        let mut outs = Outputs::new(batch, others);
        for p in input {
            match self.anno.get(&p) {
                EVERY_OUTPUT => to_every_output(cx, p, &mut outs),
                // At most one packet per input packet: no overflow.
                k => outs.push(usize::from(k), p),
            }
        }
    }
}

/// PaintSwitch's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "PaintSwitch",
    port_count: "1/-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["ANNO"],
    handlers: &[],
    summary: "sends packet stream to output chosen per-packet",
    source: include_str!("paint_switch.rs"),
    check: |c| PaintSwitch::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn values() {
        assert_eq!(PaintSwitch::configure("").unwrap().anno, Annotation::Paint);
        assert_eq!(
            PaintSwitch::configure("ANNO 4").unwrap().anno,
            Annotation::Offset(4)
        );
    }

    #[test]
    fn bad_values() {
        let cfg = "ANNO 99, 1";
        let errs = errors(cfg, PaintSwitch::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].1, "99");
    }

    use crate::harness::{self, check_batch_path, on_port, run_push};
    use nfc_dataplane::packet::PacketPool;

    fn painted(i: usize, pool: &'static PacketPool) -> Packet {
        let mut p = pool.alloc_with(&[i as u8; 5][..i % 5]).unwrap();
        p.set_paint((i % 4) as u8);
        p.anno_mut()[4] = (i % 3) as u8;
        p
    }

    #[test]
    fn routes_by_paint() {
        let mut ps = PaintSwitch::configure("").unwrap();
        let pool = harness::pool();
        let sent = run_push(
            &mut ps,
            &harness::cx(pool),
            0,
            (0..12).map(|i| painted(i, pool)).collect(),
            3,
        );
        for port in 0..3 {
            let got = on_port(&sent, port);
            assert_eq!(got.len(), 3, "output {port}");
            assert!(got.iter().all(|s| usize::from(s.paint) == port));
        }
        drop(sent);
        assert_eq!(pool.available(), pool.capacity(), "paint 3 was dropped");
    }

    #[test]
    fn paint_255_goes_everywhere() {
        let mut ps = PaintSwitch::configure("").unwrap();
        let pool = harness::pool();
        let mut p = pool.alloc_with(b"all").unwrap();
        p.set_paint(EVERY_OUTPUT);
        let sent = run_push(&mut ps, &harness::cx(pool), 0, alloc::vec![p], 3);
        assert_eq!(sent.len(), 3);
        assert!(sent.iter().all(|s| s.data == b"all"));
        let cx = harness::cx(pool);
        let mut p = pool.alloc_with(b"x").unwrap();
        p.set_paint(EVERY_OUTPUT);
        ps.set_ports(1, 3);
        assert_eq!(ps.process(&cx, 0, &mut p), Out::Port(2));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["", "ANNO 4"] {
            let ps = PaintSwitch::configure(cfg).unwrap();
            check_batch_path(&ps, 0, 3, painted);
        }
    }
}
