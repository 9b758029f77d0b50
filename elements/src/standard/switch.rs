//! # Switch — sends packet stream to settable output
//!
//! ```click
//! Switch([OUTPUT])
//! ```
//!
//! Ports: 1 input, any number of outputs (`1/-`). Processing: push (`h/h`).
//!
//! Pushes every packet out one output, OUTPUT (default 0). The `switch`
//! handler changes the output while the router runs; `-1`, or a number past
//! the last output, drops packets instead.
//!
//! ## Keywords
//! - `OUTPUT` *integer ≥ -1* — the output packets go to; default 0.
//!
//! ## Handlers
//! - `switch` (read/write) — the current output.
//!
//! ## Examples
//! ```click
//! sw :: Switch(0); sw[0] -> Queue -> ToDevice(eth0); sw[1] -> Discard;
//! ```
//!
//! ## Differences from Click
//! - Writing an output past the last one to `switch` drops packets as in
//!   Click, but reading `switch` afterwards returns the number written,
//!   where Click returns -1 (an element does not know its output count).

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Switch's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Switch {
    /// The output packets go to; `None` drops them (`-1`).
    pub output: Option<u32>,
}

/// Reads an output number that may be `-1` ("drop") from positional 0 or
/// keyword `OUTPUT`, recording an error for values below -1.
pub(crate) fn read_output(args: &mut Args, mandatory: bool) -> Option<Option<u32>> {
    let v = if mandatory {
        args.read_mp("OUTPUT", parse::integer::<i64>)
    } else {
        args.read_p("OUTPUT", parse::integer::<i64>)
    }?;
    if v < -1 || v > i64::from(u32::MAX) {
        let span = args.span_of("OUTPUT");
        args.error(
            ConfigError::new(span, alloc::format!("output {v} is out of range"))
                .with_hint("give an output number, or -1 to drop packets"),
        );
        return None;
    }
    Some(u32::try_from(v).ok())
}

/// Where packets go for an output setting: `None` (-1) drops them.
#[inline]
pub(crate) fn to_output(output: Option<u32>) -> Out {
    match output {
        Some(k) => Out::Port(k as usize),
        None => Out::Drop,
    }
}

impl Switch {
    /// Parses Switch's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let output = read_output(&mut args, false).unwrap_or(Some(0));
        args.complete()?;
        Ok(Switch { output })
    }
}

impl Element for Switch {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, _p: &mut Packet) -> Out {
        to_output(self.output)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "switch" => Ok(self.output.map_or_else(|| "-1".into(), |k| k.to_string())),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "switch" => {
                let v = parse::integer::<i64>(value.trim())
                    .map_err(|_| HandlerError::Invalid("Switch output must be integer".into()))?;
                // Negative outputs drop, as -1 does in Click.
                self.output = u32::try_from(v).ok();
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// Switch's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Switch",
    port_count: "1/-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["OUTPUT"],
    handlers: &["switch (read/write)"],
    summary: "sends packet stream to settable output",
    source: include_str!("switch.rs"),
    check: |c| Switch::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        assert_eq!(Switch::configure("").unwrap().output, Some(0));
        assert_eq!(Switch::configure("2").unwrap().output, Some(2));
        assert_eq!(Switch::configure("OUTPUT -1").unwrap().output, None);
    }

    #[test]
    fn bad_values() {
        let cfg = "-2";
        let errs = errors(cfg, Switch::configure(cfg));
        assert!(has(&errs, "out of range", "-2"), "{errs:?}");
        let cfg = "x, 1";
        let errs = errors(cfg, Switch::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    use crate::harness::{self, check_batch_path, on_port, run_push};

    #[test]
    fn switch_handler_moves_the_stream() {
        let mut sw = Switch::configure("1").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let make = |n: usize| {
            (0..n)
                .map(|i| pool.alloc_with(&[i as u8]).unwrap())
                .collect()
        };
        let sent = run_push(&mut sw, &cx, 0, make(4), 3);
        assert_eq!(on_port(&sent, 1).len(), 4);
        sw.write_handler("switch", "2").unwrap();
        assert_eq!(sw.read_handler("switch"), Ok("2".into()));
        let sent = run_push(&mut sw, &cx, 0, make(4), 3);
        assert_eq!(on_port(&sent, 2).len(), 4);
        sw.write_handler("switch", "-1").unwrap();
        assert_eq!(sw.read_handler("switch"), Ok("-1".into()));
        assert!(run_push(&mut sw, &cx, 0, make(4), 3).is_empty());
        assert!(sw.write_handler("switch", "left").is_err());
        assert_eq!(
            sw.write_handler("nope", "1"),
            Err(HandlerError::NoSuchHandler)
        );
        drop(sent);
        assert_eq!(pool.available(), pool.capacity());
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["", "1", "-1", "5"] {
            check_batch_path(&Switch::configure(cfg).unwrap(), 0, 2, |i, pool| {
                let mut p = pool.alloc_with(&[0u8; 3][..i % 3]).unwrap();
                p.set_paint(i as u8);
                p
            });
        }
    }
}
