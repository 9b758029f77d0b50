//! # RoundRobinSched — pulls from round-robin inputs
//!
//! ```click
//! RoundRobinSched
//! ```
//!
//! Ports: any number of inputs, 1 output (`-/1`). Processing: pull (`l/l`).
//!
//! Each time its output is pulled, tries its inputs in turn, starting with
//! the one after the input that produced the last packet, and returns the
//! first packet it finds. Inputs that have nothing are skipped. A pull for
//! several packets takes them one at a time, each from the next input in
//! turn.
//!
//! ## Keywords
//! None; RoundRobinSched takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! q0 :: Queue; q1 :: Queue; [q0, q1] => RoundRobinSched -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - Pullers poll: RoundRobinSched tries every input rather than skipping
//!   those whose empty notifier says they have nothing.
//! - It runs on the generic runner (`nfc click`, `--plat linux`); generated
//!   code does not run elements that pull from their inputs yet.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, Inputs};

use crate::{ElementSpec, Ports};

/// RoundRobinSched: its inputs and the one to try first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoundRobinSched {
    ninputs: usize,
    next: usize,
}

impl RoundRobinSched {
    /// Checks that RoundRobinSched's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(RoundRobinSched::default())
    }
}

impl Element for RoundRobinSched {
    fn set_ports(&mut self, ninputs: usize, _noutputs: usize) {
        self.ninputs = ninputs;
    }

    fn pull_inputs(
        &mut self,
        cx: &Context,
        _output: usize,
        max: usize,
        batch: &mut Batch,
        inputs: &mut dyn Inputs,
    ) {
        'packets: for _ in 0..max {
            for k in 0..self.ninputs {
                let i = (self.next + k) % self.ninputs;
                let before = batch.len();
                inputs.pull(cx, i, 1, batch);
                if batch.len() > before {
                    self.next = (i + 1) % self.ninputs;
                    continue 'packets;
                }
            }
            // No input had a packet.
            return;
        }
    }
}

/// RoundRobinSched's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "RoundRobinSched",
    port_count: "-/1",
    processing: "l/l",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "pulls from round-robin inputs",
    source: include_str!("round_robin_sched.rs"),
    check: |c| RoundRobinSched::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::pull_testing::{firsts, Upstream};
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        let none = RoundRobinSched::default();
        assert_eq!(RoundRobinSched::configure("").unwrap(), none);
        assert_eq!(RoundRobinSched::configure("  // nothing\n").unwrap(), none);
        let cfg = "1, FOO 2";
        let errs = errors(cfg, RoundRobinSched::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    #[test]
    fn inputs_take_turns_and_empty_ones_are_skipped() {
        let cx = harness::cx(harness::pool());
        let mut s = RoundRobinSched::configure("").unwrap();
        s.set_ports(3, 1);
        let mut up = Upstream::new(&cx, &[&[1, 2, 3], &[], &[30, 31]]);
        let mut b = Batch::new();
        s.pull_inputs(&cx, 0, 1, &mut b, &mut up);
        s.pull_inputs(&cx, 0, 3, &mut b, &mut up);
        assert_eq!(firsts(&b), [1, 30, 2, 31]);
        up.add(&cx, 1, 20);
        s.pull_inputs(&cx, 0, 32, &mut b, &mut up);
        assert_eq!(firsts(&b), [1, 30, 2, 31, 3, 20], "after input 0, input 1");
        let mut none = Batch::new();
        s.pull_inputs(&cx, 0, 2, &mut none, &mut up);
        assert!(none.is_empty());
        let mut zero = RoundRobinSched::default();
        zero.pull_inputs(&cx, 0, 2, &mut none, &mut up);
        assert!(none.is_empty(), "no inputs, no packets");
    }
}
