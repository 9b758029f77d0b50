//! # CheckLength — drops large packets
//!
//! ```click
//! CheckLength(LENGTH)
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Checks every packet's length against LENGTH. A packet no longer than
//! LENGTH goes to output 0; a longer one goes to output 1 if it exists and
//! is dropped otherwise.
//!
//! ## Keywords
//! - `LENGTH` *N* — the longest packet passed to output 0, in bytes.
//!   Mandatory.
//!
//! ## Handlers
//! - `length` (read/write) — the LENGTH setting.
//!
//! ## Examples
//! ```click
//! ... -> cl :: CheckLength(1500) -> ...;
//! cl[1] -> Print(toolong) -> Discard;
//! ```
//!
//! ## Differences from Click
//! - Click files CheckLength with the standard elements; nfc keeps it with
//!   the IP elements. Otherwise none.

use alloc::string::{String, ToString};

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// CheckLength's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckLength {
    /// The longest packet passed to output 0.
    pub length: u32,
}

/// Where packets longer than LENGTH go.
const TOO_LONG: usize = 1;

impl CheckLength {
    /// Parses `CheckLength(LENGTH)`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let length = args.read_mp("LENGTH", parse::unsigned::<u32>);
        args.complete()?;
        Ok(CheckLength {
            length: length.unwrap_or(0),
        })
    }
}

impl Element for CheckLength {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if p.len() > self.length as usize {
            Out::Port(TOO_LONG)
        } else {
            Out::Port(0)
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "length" => Ok(self.length.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "length" => {
                self.length = parse::unsigned::<u32>(value.trim())
                    .map_err(|e| HandlerError::Invalid(e.message))?;
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// CheckLength's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "CheckLength",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["LENGTH"],
    handlers: &["length (read/write)"],
    summary: "drops large packets",
    source: include_str!("check_length.rs"),
    check: |c| CheckLength::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, on_port, run_push};

    #[test]
    fn configure() {
        assert_eq!(CheckLength::configure("60").unwrap().length, 60);
        assert_eq!(CheckLength::configure("LENGTH 1500").unwrap().length, 1500);
        let e = CheckLength::configure("").unwrap_err().0;
        assert_eq!(e[0].message, "LENGTH: missing mandatory argument");
        let cfg = "big";
        let e = CheckLength::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "big");
    }

    #[test]
    fn splits_by_length() {
        let mut c = CheckLength::configure("10").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let sent = run_push(
            &mut c,
            &cx,
            0,
            (0..20)
                .map(|i| pool.alloc_with(&[0; 20][..i]).unwrap())
                .collect(),
            2,
        );
        assert_eq!(on_port(&sent, 0).len(), 11);
        assert!(on_port(&sent, 1).iter().all(|s| s.data.len() > 10));
        c.write_handler("length", "4").unwrap();
        assert_eq!(c.read_handler("length"), Ok("4".into()));
        let mut p = pool.alloc_with(&[0; 5]).unwrap();
        assert_eq!(c.process(&cx, 0, &mut p), Out::Port(TOO_LONG));
        assert!(c.write_handler("length", "-1").is_err());
        assert_eq!(c.read_handler("nope"), Err(HandlerError::NoSuchHandler));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let c = CheckLength::configure("17").unwrap();
        let make = |i: usize, pool: &'static nfc_dataplane::packet::PacketPool| {
            let mut p = pool.alloc_with(&[i as u8; 40][..(i * 7) % 40]).unwrap();
            p.set_paint(i as u8);
            p
        };
        check_batch_path(&c, 0, 2, make);
        check_batch_path(&c, 0, 1, make);
    }
}
