//! # RoundRobinSwitch — sends packets to round-robin outputs
//!
//! ```click
//! RoundRobinSwitch
//! ```
//!
//! Ports: 1 input, 1 or more outputs (`1/1-`). Processing: push (`h/h`).
//!
//! Pushes each arriving packet out the next output in turn: output 0, then
//! 1, and so on, wrapping around after the last one.
//!
//! ## Keywords
//! None; RoundRobinSwitch takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! src -> rr :: RoundRobinSwitch; rr[0] -> q0 :: Queue; rr[1] -> q1 :: Queue;
//! ```
//!
//! ## Differences from Click
//! - none. (The batch path counts the output batches it is given; the
//!   per-packet path needs `set_ports`.)

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;

use crate::{ElementSpec, Ports};

/// RoundRobinSwitch: no configuration, and the output the next packet
/// takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundRobinSwitch {
    /// The output the next packet goes to.
    next: usize,
    /// Outputs the per-packet path assumes.
    noutputs: usize,
}

impl RoundRobinSwitch {
    /// Checks that RoundRobinSwitch's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(RoundRobinSwitch {
            next: 0,
            noutputs: 1,
        })
    }

    /// The output of the next packet among `n` outputs.
    #[inline]
    fn route(&mut self, n: usize) -> Out {
        if n == 0 {
            return Out::Drop;
        }
        let k = self.next % n;
        self.next = (k + 1) % n;
        Out::Port(k)
    }
}

impl Element for RoundRobinSwitch {
    fn set_ports(&mut self, _ninputs: usize, noutputs: usize) {
        self.noutputs = noutputs;
    }

    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, _p: &mut Packet) -> Out {
        self.route(self.noutputs)
    }
}

/// RoundRobinSwitch's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "RoundRobinSwitch",
    port_count: "1/1-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "sends packets to round-robin outputs",
    source: include_str!("round_robin_switch.rs"),
    check: |c| RoundRobinSwitch::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        assert!(RoundRobinSwitch::configure("").is_ok());
        assert!(RoundRobinSwitch::configure("  // nothing\n").is_ok());
        let cfg = "1, FOO 2";
        let errs = errors(cfg, RoundRobinSwitch::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    use crate::harness::{self, check_batch_path, run_push};

    #[test]
    fn takes_turns_across_batches() {
        let mut rr = RoundRobinSwitch::configure("").unwrap();
        let pool = harness::pool();
        let packets = (0..40)
            .map(|i| pool.alloc_with(&[i as u8]).unwrap())
            .collect();
        rr.set_ports(1, 3);
        let sent = run_push(&mut rr, &harness::cx(pool), 0, packets, 3);
        // Batches of 32 and 8; the turn carries over between them.
        let mut by_packet: alloc::vec::Vec<_> = sent.iter().map(|s| (s.data[0], s.port)).collect();
        by_packet.sort();
        for (i, (b, port)) in by_packet.iter().enumerate() {
            assert_eq!((usize::from(*b), *port), (i, i % 3));
        }
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let mut rr = RoundRobinSwitch::configure("").unwrap();
        rr.set_ports(1, 3);
        check_batch_path(&rr, 0, 3, |i, pool| {
            pool.alloc_with(&[i as u8; 6][..i % 6]).unwrap()
        });
        let mut none = rr;
        none.set_ports(1, 0);
        let cx = harness::cx(harness::pool());
        let mut p = cx.pool.alloc_with(&[1]).unwrap();
        assert_eq!(none.process(&cx, 0, &mut p), Out::Drop);
    }
}
