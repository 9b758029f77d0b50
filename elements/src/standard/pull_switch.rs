//! # PullSwitch — forwards pull requests to settable input
//!
//! ```click
//! PullSwitch([INPUT])
//! ```
//!
//! Ports: any number of inputs, 1 output (`-/1`). Processing: pull (`l/l`).
//!
//! Pulls on its output are passed to input INPUT (default 0), and what it
//! gives leaves the output; the other inputs are never pulled. When INPUT
//! is negative, or not an input the element has, nothing is pulled and the
//! output gives nothing. The `switch` handler moves the selection.
//!
//! PullSwitch is an empty notifier: it tells the element pulling from it
//! whether packets may come (Click's `scheduled` handler of that element
//! reads it). The notifier starts on when an input is selected; a pull
//! that brings packets turns it on, one that brings none while nothing
//! upstream of the selected input is active turns it off; switching to an
//! input with something active upstream turns it on, switching to none
//! turns it off. SimplePullSwitch is the same switch without notifier.
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
//! [a, b] => s :: PullSwitch(1) -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - Pullers poll: the notifier answers `scheduled`, but the element
//!   downstream is not put to sleep while it is off.
//! - It runs on the generic runner (`nfc click`, `--plat linux`); generated
//!   code does not run elements that pull from their inputs yet.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Element, HandlerError, PullRoute};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// The selected port of a switch that picks one input (PullSwitch,
/// InputSwitch): `None` is Click's -1, nothing selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Selection {
    /// The port as configured or written; out of range means none.
    wanted: i64,
    /// The element's ports, once known.
    ports: Option<usize>,
}

impl Selection {
    /// Reads the positional argument `name` (default 0).
    pub(crate) fn read(args: &mut Args, name: &'static str) -> Selection {
        let wanted = args.read_p(name, parse::integer::<i64>).unwrap_or(0);
        Selection {
            wanted,
            ports: None,
        }
    }

    /// The selected port, if any.
    pub(crate) fn get(&self) -> Option<usize> {
        let i = usize::try_from(self.wanted).ok()?;
        match self.ports {
            Some(n) if i >= n => None,
            _ => Some(i),
        }
    }

    /// Learns the element's port count: a selection beyond it becomes -1.
    pub(crate) fn set_ports(&mut self, n: usize) {
        self.ports = Some(n);
        if self.get().is_none() {
            self.wanted = -1;
        }
    }

    /// The switch's read handlers: `switch` and `config`, the selected
    /// port (-1 for none).
    pub(crate) fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "switch" | "config" => Ok(self.get().map_or(-1, |i| i as i64).to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    /// The switch's write handler, `switch`: an integer; a port the
    /// element does not have selects none.
    pub(crate) fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        if name != "switch" {
            return Err(HandlerError::NoSuchHandler);
        }
        let v =
            parse::integer::<i64>(value.trim()).map_err(|e| HandlerError::Invalid(e.message))?;
        self.wanted = v;
        if self.get().is_none() {
            self.wanted = -1;
        }
        Ok(())
    }
}

/// PullSwitch: the selected input and its empty notifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullSwitch {
    input: Selection,
    /// Click's empty notifier, on or off; `None` for SimplePullSwitch,
    /// which has none.
    notifier: Option<bool>,
}

impl PullSwitch {
    /// Parses PullSwitch's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Self::with_notifier(config, true)
    }

    /// Parses the configuration string of PullSwitch (`notifier`) or
    /// SimplePullSwitch (not): the notifier starts on when an input is
    /// selected.
    pub(crate) fn with_notifier(config: &str, notifier: bool) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let input = Selection::read(&mut args, "INPUT");
        args.complete()?;
        Ok(PullSwitch {
            input,
            notifier: notifier.then_some(input.get().is_some()),
        })
    }

    /// Sets the notifier (when the switch has one).
    fn set_notifier(&mut self, on: bool) {
        if let Some(n) = &mut self.notifier {
            *n = on;
        }
    }
}

impl Element for PullSwitch {
    fn set_ports(&mut self, ninputs: usize, _noutputs: usize) {
        self.input.set_ports(ninputs);
        self.set_notifier(self.input.get().is_some());
    }

    fn pull_route(&self, _output: usize) -> PullRoute {
        match self.input.get() {
            Some(i) => PullRoute::Input(i),
            None => PullRoute::Nothing,
        }
    }

    fn empty_signal(&self) -> Option<bool> {
        self.notifier
    }

    /// A pull that brought packets turns the notifier on, one that brought
    /// none turns it off when nothing upstream of the input is active; a
    /// switch to an input with something active upstream turns it on.
    fn route_signal(&mut self, pulled: Option<bool>, input_active: bool) {
        match (pulled, input_active) {
            (Some(true), _) | (None, true) => self.set_notifier(true),
            (Some(false), false) => self.set_notifier(false),
            (Some(false), true) | (None, false) => {}
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        self.input.read_handler(name)
    }

    /// Switching to no input turns the notifier off (the runner reports
    /// the new input's signal otherwise: [`Element::route_signal`]).
    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        self.input.write_handler(name, value)?;
        if self.input.get().is_none() {
            self.set_notifier(false);
        }
        Ok(())
    }
}

/// PullSwitch's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "PullSwitch",
    port_count: "-/1",
    processing: "l/l",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["switch (read/write)", "config (read)"],
    summary: "forwards pull requests to settable input",
    source: include_str!("pull_switch.rs"),
    check: |c| PullSwitch::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::pull_testing::{firsts, pull_routed, Upstream};
    use nfc_dataplane::batch::Batch;

    #[test]
    fn pulls_the_selected_input_only() {
        let cx = harness::cx(harness::pool());
        let mut s = PullSwitch::configure("1").unwrap();
        s.set_ports(2, 1);
        let mut up = Upstream::new(&cx, &[&[1, 1], &[2, 2, 2]]);
        let mut b = Batch::new();
        pull_routed(&s, &cx, 0, 2, &mut b, &mut up);
        assert_eq!(firsts(&b), [2, 2]);
        s.write_handler("switch", "0").unwrap();
        pull_routed(&s, &cx, 0, 32, &mut b, &mut up);
        assert_eq!(firsts(&b), [2, 2, 1, 1]);
        s.write_handler("switch", "5").unwrap();
        assert_eq!(s.read_handler("switch").unwrap(), "-1", "no such input");
        pull_routed(&s, &cx, 0, 32, &mut b, &mut up);
        assert_eq!(b.len(), 4);
        assert_eq!(up.log, [(1, 2), (0, 2)], "nothing pulled with -1");
        assert!(s.write_handler("switch", "one").is_err());
        assert!(s.write_handler("nope", "1").is_err());
    }

    #[test]
    fn notifier_follows_pulls_and_switches() {
        let mut s = PullSwitch::configure("0").unwrap();
        s.set_ports(2, 1);
        assert_eq!(s.empty_signal(), Some(true), "on with an input selected");
        s.route_signal(Some(false), true);
        assert_eq!(s.empty_signal(), Some(true), "upstream still active");
        s.route_signal(Some(false), false);
        assert_eq!(s.empty_signal(), Some(false), "nothing came, nothing will");
        s.route_signal(None, false);
        assert_eq!(s.empty_signal(), Some(false), "switched to an idle input");
        s.route_signal(Some(true), false);
        assert_eq!(s.empty_signal(), Some(true), "packets came");
        s.write_handler("switch", "-1").unwrap();
        assert_eq!(s.empty_signal(), Some(false), "no input: off");
        s.write_handler("switch", "1").unwrap();
        assert_eq!(s.empty_signal(), Some(false), "the runner reports");
        s.route_signal(None, true);
        assert_eq!(s.empty_signal(), Some(true), "switched to an active input");
        let mut off = PullSwitch::configure("-1").unwrap();
        off.set_ports(2, 1);
        assert_eq!(off.empty_signal(), Some(false), "off with no input");
        let mut beyond = PullSwitch::configure("2").unwrap();
        assert_eq!(beyond.empty_signal(), Some(true));
        beyond.set_ports(2, 1);
        assert_eq!(beyond.empty_signal(), Some(false), "no such input");
    }

    #[test]
    fn configuration() {
        let mut s = PullSwitch::configure("").unwrap();
        assert_eq!(s.read_handler("config").unwrap(), "0");
        s.set_ports(0, 1);
        assert_eq!(s.read_handler("switch").unwrap(), "-1");
        let mut s = PullSwitch::configure("-1").unwrap();
        s.set_ports(3, 1);
        assert_eq!(s.read_handler("switch").unwrap(), "-1");
        assert!(PullSwitch::configure("x").is_err());
        assert!(PullSwitch::configure("1, 2").is_err());
    }
}
