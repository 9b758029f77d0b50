//! # TimeSortedSched — merges sorted packet streams by timestamp
//!
//! ```click
//! TimeSortedSched(KEYWORDS)
//! ```
//!
//! Ports: any number of inputs, 1 output (`-/1`). Processing: pull (`l/l`).
//!
//! Merges the packet streams of its inputs, each sorted by timestamp
//! annotation, into one sorted stream: it holds the next packet of every
//! input and, when pulled, hands out the one with the earliest timestamp
//! (on a tie, the lowest input's), then pulls that input again to refill.
//! If an input's stream is not sorted, neither is the output, and
//! `well_ordered` turns false.
//!
//! ## Keywords
//! - `STOP` *boolean* — ask the router to stop when a pull finds every
//!   input empty; default false.
//!
//! ## Handlers
//! - `well_ordered` (read) — false once a packet left earlier than one
//!   before it, or an input gave packets out of order.
//!
//! ## Examples
//! ```click
//! [FromIPSummaryDump(a), FromIPSummaryDump(b)] => TimeSortedSched(STOP true)
//!     -> ToIPSummaryDump(-, FIELDS timestamp ip_src);
//! ```
//!
//! ## Differences from Click
//! - Pullers poll: an input counts as empty when a pull gives nothing
//!   (Click asks its empty notifier). With STOP, the stop request is made
//!   when a whole pull (for as many packets as the puller wants) found
//!   every input empty, so a source that fills a queue one packet per
//!   round is not taken for finished between its packets.
//! - Click's `BUFFER` keyword (packets held per input) is not supported:
//!   one packet per input is held, as Click's default does.
//! - It runs on the generic runner (`nfc click`, `--plat linux`); generated
//!   code does not run elements that pull from their inputs yet.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Inputs};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::infinite_source::STOP_HANDLER;
use crate::{ElementSpec, Ports};

/// TimeSortedSched: the packet held for each input.
#[derive(Debug, Default)]
pub struct TimeSortedSched {
    /// Stop the router when every input is empty.
    pub stop: bool,
    held: Vec<Option<Packet>>,
    /// The timestamp of the last packet handed out.
    last: Option<u64>,
    well_ordered: bool,
    stop_asked: bool,
}

impl TimeSortedSched {
    /// Parses TimeSortedSched's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let stop = args.read("STOP", parse::boolean).unwrap_or(false);
        args.complete()?;
        Ok(TimeSortedSched {
            stop,
            well_ordered: true,
            ..TimeSortedSched::default()
        })
    }

    /// Pulls one packet from input `i` into its slot.
    fn refill(&mut self, cx: &Context, i: usize, inputs: &mut dyn Inputs) {
        let mut one = Batch::new();
        inputs.pull(cx, i, 1, &mut one);
        self.held[i] = one.pop();
    }

    /// One of Click's pulls: the earliest held packet, after filling the
    /// empty slots.
    fn pull_one(&mut self, cx: &Context, inputs: &mut dyn Inputs) -> Option<Packet> {
        for i in 0..self.held.len() {
            if self.held[i].is_none() {
                self.refill(cx, i, inputs);
            }
        }
        let (which, _) = self
            .held
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.as_ref().map(|p| (i, p.timestamp())))
            .min_by_key(|&(i, ts)| (ts, i))?;
        let p = self.held[which].take()?;
        self.refill(cx, which, inputs);
        let ts = p.timestamp();
        let refill_earlier = self.held[which]
            .as_ref()
            .is_some_and(|n| n.timestamp() < ts);
        if self.last.is_some_and(|l| ts < l) || refill_earlier {
            self.well_ordered = false;
        }
        self.last = Some(ts);
        Some(p)
    }
}

impl Element for TimeSortedSched {
    fn set_ports(&mut self, ninputs: usize, _noutputs: usize) {
        self.held.resize_with(ninputs, || None);
    }

    fn pull_inputs(
        &mut self,
        cx: &Context,
        _output: usize,
        max: usize,
        batch: &mut Batch,
        inputs: &mut dyn Inputs,
    ) {
        let mut n = 0;
        while n < max {
            let Some(p) = self.pull_one(cx, inputs) else {
                break;
            };
            // `max` is within the batch's room.
            let _ = batch.push(p);
            n += 1;
        }
        if n == 0 && self.stop {
            self.stop_asked = true;
        }
    }

    fn take_call(&mut self) -> Option<(String, String)> {
        core::mem::take(&mut self.stop_asked).then(|| (STOP_HANDLER.into(), String::new()))
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "well_ordered" => Ok(self.well_ordered.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// TimeSortedSched's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "TimeSortedSched",
    port_count: "-/1",
    processing: "l/l",
    flow_code: "x/x",
    keywords: &["STOP"],
    handlers: &["well_ordered (read)"],
    summary: "merges sorted packet streams by timestamp",
    source: include_str!("time_sorted_sched.rs"),
    check: |c| TimeSortedSched::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::pull_testing::{firsts, Upstream};

    /// Inputs whose packets carry their byte as timestamp (in ms).
    fn stamped(cx: &Context, bytes: &[&[u8]]) -> Upstream {
        let mut up = Upstream::new(cx, bytes);
        for q in &mut up.queues {
            for p in q.iter_mut() {
                let b = p.data()[0];
                p.set_timestamp(u64::from(b) * 1_000_000);
            }
        }
        up
    }

    #[test]
    fn merges_by_timestamp_and_asks_to_stop_when_empty() {
        let cx = harness::cx(harness::pool());
        let mut s = TimeSortedSched::configure("STOP true").unwrap();
        s.set_ports(3, 1);
        let mut up = stamped(&cx, &[&[0, 10, 20], &[5, 15, 25], &[]]);
        let mut b = Batch::new();
        s.pull_inputs(&cx, 0, 1, &mut b, &mut up);
        s.pull_inputs(&cx, 0, 32, &mut b, &mut up);
        assert_eq!(firsts(&b), [0, 5, 10, 15, 20, 25]);
        assert_eq!(s.take_call(), None, "packets came: no stop");
        s.pull_inputs(&cx, 0, 32, &mut b, &mut up);
        assert_eq!(s.take_call(), Some(("stop".into(), String::new())));
        assert_eq!(s.take_call(), None, "asked once");
        up.add(&cx, 2, 30);
        up.queues[2][0].set_timestamp(30_000_000);
        s.pull_inputs(&cx, 0, 32, &mut b, &mut up);
        assert_eq!(firsts(&b), [0, 5, 10, 15, 20, 25, 30]);
        assert_eq!(s.read_handler("well_ordered").unwrap(), "true");
    }

    #[test]
    fn ties_go_to_the_lower_input_and_disorder_shows() {
        let cx = harness::cx(harness::pool());
        let mut s = TimeSortedSched::configure("").unwrap();
        s.set_ports(2, 1);
        let mut up = stamped(&cx, &[&[7, 3], &[7]]);
        up.queues[1][0].set_timestamp(7_000_000);
        // Both held packets stamp 7 ms; make them tell apart by input.
        up.queues[1][0].data_mut()[0] = 70;
        let mut b = Batch::new();
        s.pull_inputs(&cx, 0, 32, &mut b, &mut up);
        assert_eq!(firsts(&b), [7, 3, 70]);
        assert_eq!(s.read_handler("well_ordered").unwrap(), "false");
        assert_eq!(s.take_call(), None, "no STOP, no request");
        assert!(TimeSortedSched::configure("STOP maybe").is_err());
    }
}
