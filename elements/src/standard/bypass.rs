//! # Bypass — sends packets around a detour, or not
//!
//! ```click
//! Bypass([ACTIVE, KEYWORDS])
//! ```
//!
//! Ports: 1 or 2 inputs, 1 or 2 outputs (`1-2/1-2`). Processing:
//! agnostic (`a/a`).
//!
//! A switch for a detour: output 1 leads into the detour and input 1 comes
//! back from it. While inactive (the default), packets from input 0 go
//! straight to output 0, skipping the detour. While active, packets from
//! input 0 go out output 1 into the detour, and what comes back on input 1
//! leaves output 0. Packets arriving on input 1 always leave output 0.
//!
//! On a pull path the same holds backwards: while active, a pull on output
//! 0 pulls input 1 (the detour's end) and a pull on output 1 pulls input 0;
//! while inactive, output 0 pulls input 0.
//!
//! ## Keywords
//! - `ACTIVE` *boolean* — whether packets take the detour; default false.
//! - `INLINE` *boolean* — Click stops optimizing the element away; nfc
//!   never does, so it has no effect; default false.
//!
//! ## Handlers
//! - `active` (read/write) — whether packets take the detour.
//!
//! ## Examples
//! ```click
//! src -> b :: Bypass -> Discard;
//! b[1] -> Print(detour) -> [1]b;
//! ```
//!
//! ## Differences from Click
//! - Click rewires its neighbours' ports so that packets skip the Bypass
//!   elements altogether; nfc routes each packet through the element,
//!   with the same outcome.
//! - On a pull path, Bypass runs on the generic runner (`nfc click`,
//!   `--plat linux`); generated code does not run elements that pull from
//!   their inputs yet.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out, PullRoute};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Bypass: whether the detour is taken, and the ports it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bypass {
    /// Packets take the detour.
    pub active: bool,
    /// Click's INLINE (no effect here).
    pub inline: bool,
    ninputs: usize,
    noutputs: usize,
}

impl Bypass {
    /// Parses Bypass's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let active = args.read_p("ACTIVE", parse::boolean).unwrap_or(false);
        let inline = args.read("INLINE", parse::boolean).unwrap_or(false);
        args.complete()?;
        Ok(Bypass {
            active,
            inline,
            ninputs: 1,
            noutputs: 1,
        })
    }
}

impl Element for Bypass {
    fn set_ports(&mut self, ninputs: usize, noutputs: usize) {
        self.ninputs = ninputs;
        self.noutputs = noutputs;
    }

    #[inline]
    fn process(&mut self, _cx: &Context, input: usize, _p: &mut Packet) -> Out {
        Out::Port(usize::from(self.active && input == 0 && self.noutputs > 1))
    }

    fn pull_route(&self, output: usize) -> PullRoute {
        PullRoute::Input(usize::from(self.active && output == 0 && self.ninputs > 1))
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "active" => Ok(self.active.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "active" => {
                self.active =
                    parse::boolean(value.trim()).map_err(|e| HandlerError::Invalid(e.message))?;
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// Bypass's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Bypass",
    port_count: "1-2/1-2",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["ACTIVE", "INLINE"],
    handlers: &["active (read/write)"],
    summary: "sends packets around a detour, or not",
    source: include_str!("bypass.rs"),
    check: |c| Bypass::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::pull_testing::{firsts, pull_routed, Upstream};
    use nfc_dataplane::batch::Batch;

    #[test]
    fn pushes_around_the_detour_when_active() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut b = Bypass::configure("").unwrap();
        b.set_ports(2, 2);
        let mut p = pool.alloc_with(&[1]).unwrap();
        assert_eq!(b.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(b.process(&cx, 1, &mut p), Out::Port(0));
        b.write_handler("active", "true").unwrap();
        assert_eq!(b.read_handler("active").unwrap(), "true");
        assert_eq!(b.process(&cx, 0, &mut p), Out::Port(1));
        assert_eq!(b.process(&cx, 1, &mut p), Out::Port(0));
        harness::check_batch_path(&b, 0, 2, |i, pool| pool.alloc_with(&[i as u8]).unwrap());
        let mut one = Bypass::configure("ACTIVE true").unwrap();
        one.set_ports(1, 1);
        assert_eq!(one.process(&cx, 0, &mut p), Out::Port(0), "no detour wired");
        assert!(b.write_handler("active", "perhaps").is_err());
    }

    #[test]
    fn pulls_from_the_detour_when_active() {
        let cx = harness::cx(harness::pool());
        let mut b = Bypass::configure("false, INLINE true").unwrap();
        b.set_ports(2, 2);
        let mut up = Upstream::new(&cx, &[&[0, 0], &[1, 1]]);
        let mut got = Batch::new();
        pull_routed(&b, &cx, 0, 1, &mut got, &mut up);
        b.write_handler("active", "1").unwrap();
        pull_routed(&b, &cx, 0, 1, &mut got, &mut up);
        pull_routed(&b, &cx, 1, 1, &mut got, &mut up);
        assert_eq!(firsts(&got), [0, 1, 0]);
        assert!(Bypass::configure("sometimes").is_err());
    }
}
