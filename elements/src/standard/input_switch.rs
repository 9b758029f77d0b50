//! # InputSwitch — accepts packets from settable input
//!
//! ```click
//! InputSwitch([INPUT])
//! ```
//!
//! Ports: any number of inputs, 1 output (`-/1`). Processing: push (`h/h`).
//!
//! Packets pushed on input INPUT (default 0) leave the output; packets on
//! every other input are dropped. When INPUT is negative, or not an input
//! the element has, every packet is dropped. The `switch` handler moves the
//! selection.
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
//! a -> [0]s :: InputSwitch(0) -> Discard; b -> [1]s;
//! ```
//!
//! ## Differences from Click
//! - Click refuses a configured INPUT that is not an input of the element;
//!   nfc knows the port count only once the element is wired, and selects
//!   none (-1) then.

use alloc::string::String;
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;

use super::pull_switch::Selection;
use crate::{ElementSpec, Ports};

/// InputSwitch: the selected input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputSwitch {
    input: Selection,
}

impl InputSwitch {
    /// Parses InputSwitch's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let input = Selection::read(&mut args, "INPUT");
        args.complete()?;
        Ok(InputSwitch { input })
    }
}

impl Element for InputSwitch {
    #[inline]
    fn process(&mut self, _cx: &Context, input: usize, _p: &mut Packet) -> Out {
        if self.input.get() == Some(input) {
            Out::Port(0)
        } else {
            Out::Drop
        }
    }

    fn set_ports(&mut self, ninputs: usize, _noutputs: usize) {
        self.input.set_ports(ninputs);
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        self.input.read_handler(name)
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        self.input.write_handler(name, value)
    }
}

/// InputSwitch's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "InputSwitch",
    port_count: "-/1",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["switch (read/write)", "config (read)"],
    summary: "accepts packets from settable input",
    source: include_str!("input_switch.rs"),
    check: |c| InputSwitch::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;

    #[test]
    fn only_the_selected_input_passes() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut s = InputSwitch::configure("1").unwrap();
        s.set_ports(2, 1);
        let mut p = pool.alloc_with(&[1]).unwrap();
        assert_eq!(s.process(&cx, 0, &mut p), Out::Drop);
        assert_eq!(s.process(&cx, 1, &mut p), Out::Port(0));
        s.write_handler("switch", "0").unwrap();
        assert_eq!(s.process(&cx, 0, &mut p), Out::Port(0));
        s.write_handler("switch", "2").unwrap();
        assert_eq!(s.read_handler("switch").unwrap(), "-1");
        assert_eq!(s.process(&cx, 0, &mut p), Out::Drop);
        harness::check_batch_path(&s, 0, 1, |i, pool| pool.alloc_with(&[i as u8]).unwrap());
    }
}
