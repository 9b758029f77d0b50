//! # SimplePullSwitch — forwards pull requests to settable input
//!
//! ```click
//! SimplePullSwitch([INPUT])
//! ```
//!
//! Ports: any number of inputs, 1 output (`-/1`). Processing: pull (`l/l`).
//!
//! PullSwitch without an empty notifier: pulls on the output are passed to
//! input INPUT (default 0), and what it gives leaves the output; the other
//! inputs are never pulled. When INPUT is negative, or not an input the
//! element has, nothing is pulled and the output gives nothing. The
//! `switch` handler moves the selection.
//!
//! Having no notifier, it is transparent to the search for one: the
//! element pulling from it learns whether packets may come from the
//! notifiers upstream of all its inputs, whichever is selected.
//!
//! ## Keywords
//! None: INPUT is positional (an integer; default 0).
//!
//! ## Handlers
//! - `switch` (read/write) — the selected input; a value that is not an
//!   input makes it -1.
//! - `config` (read) — the selected input.
//!
//! ## Examples
//! ```click
//! [a, b] => s :: SimplePullSwitch(1) -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - It runs on the generic runner (`nfc click`, `--plat linux`); generated
//!   code does not run elements that route pulls yet.

use nfc_dataplane::args::ConfigErrors;

use super::pull_switch::PullSwitch;
use crate::{ElementSpec, Ports};

/// SimplePullSwitch: PullSwitch's selection, without its notifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimplePullSwitch(PullSwitch);

impl SimplePullSwitch {
    /// Parses SimplePullSwitch's configuration string (PullSwitch's).
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        PullSwitch::with_notifier(config, false).map(SimplePullSwitch)
    }
}

nfc_dataplane::delegate_element!(SimplePullSwitch);

/// SimplePullSwitch's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "SimplePullSwitch",
    port_count: "-/1",
    processing: "l/l",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["switch (read/write)", "config (read)"],
    summary: "forwards pull requests to settable input",
    source: include_str!("simple_pull_switch.rs"),
    check: |c| SimplePullSwitch::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::pull_testing::{firsts, pull_routed, Upstream};
    use nfc_dataplane::batch::Batch;
    use nfc_dataplane::element::Element;

    #[test]
    fn switches_pulls_and_has_no_notifier() {
        let cx = harness::cx(harness::pool());
        let mut s = SimplePullSwitch::configure("-1").unwrap();
        s.set_ports(2, 1);
        assert_eq!(s.empty_signal(), None, "no notifier");
        let mut up = Upstream::new(&cx, &[&[1, 1], &[2]]);
        let mut b = Batch::new();
        pull_routed(&s, &cx, 0, 32, &mut b, &mut up);
        assert!(b.is_empty() && up.log.is_empty(), "-1 pulls nothing");
        s.write_handler("switch", "1").unwrap();
        pull_routed(&s, &cx, 0, 32, &mut b, &mut up);
        s.write_handler("switch", "0").unwrap();
        pull_routed(&s, &cx, 0, 1, &mut b, &mut up);
        assert_eq!(firsts(&b), [2, 1]);
        s.route_signal(Some(true), true);
        assert_eq!(s.empty_signal(), None, "still none after a pull");
        assert_eq!(s.read_handler("switch").unwrap(), "0");
        assert_eq!(s.read_handler("config").unwrap(), "0");
        s.write_handler("switch", "2").unwrap();
        assert_eq!(s.read_handler("switch").unwrap(), "-1", "no such input");
        assert!(s.write_handler("switch", "x").is_err());
    }

    #[test]
    fn configuration() {
        assert_eq!(
            SimplePullSwitch::configure("")
                .unwrap()
                .read_handler("config"),
            Ok("0".into())
        );
        assert!(SimplePullSwitch::configure("x").is_err());
        assert!(SimplePullSwitch::configure("1, 2").is_err());
    }
}
