//! # StaticSwitch — sends packet stream to fixed output
//!
//! ```click
//! StaticSwitch(OUTPUT)
//! ```
//!
//! Ports: 1 input, any number of outputs (`1/-`). Processing: push (`h/h`).
//!
//! Pushes every packet out output OUTPUT, fixed at configuration time;
//! `-1` drops every packet. Because the choice never changes, a compiler
//! can treat the other outputs as dead.
//!
//! ## Keywords
//! - `OUTPUT` *integer ≥ -1* — the output packets go to; mandatory.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ss :: StaticSwitch(1); ss[0] -> Discard; ss[1] -> Queue -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;

use super::switch::{read_output, to_output};
use crate::{ElementSpec, Ports};

/// StaticSwitch's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaticSwitch {
    /// The output packets go to; `None` drops them (`-1`).
    pub output: Option<u32>,
}

impl StaticSwitch {
    /// Parses StaticSwitch's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let output = read_output(&mut args, true).unwrap_or(None);
        args.complete()?;
        Ok(StaticSwitch { output })
    }
}

impl Element for StaticSwitch {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, _p: &mut Packet) -> Out {
        to_output(self.output)
    }
}

/// StaticSwitch's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "StaticSwitch",
    port_count: "1/-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["OUTPUT"],
    handlers: &[],
    summary: "sends packet stream to fixed output",
    source: include_str!("static_switch.rs"),
    check: |c| StaticSwitch::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        assert_eq!(StaticSwitch::configure("1").unwrap().output, Some(1));
        assert_eq!(StaticSwitch::configure("-1").unwrap().output, None);
    }

    #[test]
    fn bad_values() {
        let errs = errors("", StaticSwitch::configure(""));
        assert!(errs[0].0.contains("OUTPUT"), "{errs:?}");
        let cfg = "OUTPUT -7";
        let errs = errors(cfg, StaticSwitch::configure(cfg));
        assert!(has(&errs, "out of range", "-7"), "{errs:?}");
    }

    use crate::harness::{self, check_batch_path, on_port, run_push};

    #[test]
    fn fixed_output() {
        let pool = harness::pool();
        let mut ss = StaticSwitch::configure("1").unwrap();
        let packets = (0..5).map(|i| pool.alloc_with(&[i]).unwrap()).collect();
        let sent = run_push(&mut ss, &harness::cx(pool), 0, packets, 2);
        assert_eq!(on_port(&sent, 1).len(), 5);
        let mut ss = StaticSwitch::configure("-1").unwrap();
        let packets = (0..5).map(|i| pool.alloc_with(&[i]).unwrap()).collect();
        assert!(run_push(&mut ss, &harness::cx(pool), 0, packets, 2).is_empty());
        assert_eq!(pool.available(), pool.capacity());
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["0", "1", "-1"] {
            check_batch_path(&StaticSwitch::configure(cfg).unwrap(), 0, 2, |i, pool| {
                pool.alloc_with(&[i as u8; 4][..i % 4]).unwrap()
            });
        }
    }
}
