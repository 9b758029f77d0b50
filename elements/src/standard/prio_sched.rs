//! # PrioSched — pulls from priority-scheduled inputs
//!
//! ```click
//! PrioSched
//! ```
//!
//! Ports: any number of inputs, 1 output (`-/1`). Processing: pull (`l/l`).
//!
//! Each time its output is pulled, tries input 0 first, then input 1, and so
//! on, and returns the first packet it finds: a strict priority scheduler in
//! which input 0 has the highest priority. A pull for several packets takes
//! as many as input 0 has, then from input 1, and so on.
//!
//! ## Keywords
//! None; PrioSched takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! hi :: Queue; lo :: Queue; [hi, lo] => PrioSched -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - Pullers poll: PrioSched tries every input rather than skipping those
//!   whose empty notifier says they have nothing.
//! - It runs on the generic runner (`nfc click`, `--plat linux`); generated
//!   code does not run elements that pull from their inputs yet.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, Inputs};

use crate::{ElementSpec, Ports};

/// PrioSched: its inputs, in priority order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrioSched {
    ninputs: usize,
}

impl PrioSched {
    /// Checks that PrioSched's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(PrioSched::default())
    }
}

impl Element for PrioSched {
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
        let end = batch.len() + max;
        for i in 0..self.ninputs {
            let want = end - batch.len();
            if want == 0 {
                break;
            }
            inputs.pull(cx, i, want, batch);
        }
    }
}

/// PrioSched's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "PrioSched",
    port_count: "-/1",
    processing: "l/l",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "pulls from priority-scheduled inputs",
    source: include_str!("prio_sched.rs"),
    check: |c| PrioSched::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::pull_testing::{firsts, Upstream};
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        let none = PrioSched::default();
        assert_eq!(PrioSched::configure("").unwrap(), none);
        assert_eq!(PrioSched::configure("  // nothing\n").unwrap(), none);
        let cfg = "1, FOO 2";
        let errs = errors(cfg, PrioSched::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    #[test]
    fn earlier_inputs_first() {
        let cx = harness::cx(harness::pool());
        let mut s = PrioSched::configure("").unwrap();
        s.set_ports(3, 1);
        let mut up = Upstream::new(&cx, &[&[1, 2], &[], &[30, 31, 32]]);
        let mut b = Batch::new();
        s.pull_inputs(&cx, 0, 1, &mut b, &mut up);
        assert_eq!(firsts(&b), [1]);
        s.pull_inputs(&cx, 0, 3, &mut b, &mut up);
        assert_eq!(firsts(&b), [1, 2, 30, 31], "input 0 emptied, then the next");
        up.add(&cx, 1, 20);
        s.pull_inputs(&cx, 0, 32, &mut b, &mut up);
        assert_eq!(firsts(&b), [1, 2, 30, 31, 20, 32]);
        let mut none = Batch::new();
        s.pull_inputs(&cx, 0, 4, &mut none, &mut up);
        assert!(none.is_empty());
        assert_eq!(up.log[0], (0, 1), "a pull for one packet asks input 0 only");
    }
}
