//! # Print — prints packet contents
//!
//! ```click
//! Print([LABEL, MAXLENGTH, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Prints one line per packet on the console — LABEL, the packet length and
//! its first MAXLENGTH bytes — and passes the packet on unchanged. The line
//! looks like Click's:
//!
//! ```text
//! in:   42 | 00112233 44556677 8899aabb 08004500 001c0000 40001134
//! ```
//!
//! with, when asked for, the timestamp (`1700000000.123456: `) before the
//! length, the headroom and tailroom (` (h128 t1878)`) and the annotation
//! area in hex (` | 0000…`) after it.
//!
//! ## Keywords
//! - `LABEL` *string* — text printed first; default none.
//! - `MAXLENGTH` *integer* — bytes of contents printed; default 24; a
//!   negative value prints whole packets. `LENGTH` and `NBYTES` are older
//!   names for it.
//! - `CONTENTS` — how contents are printed: `HEX` (default), `ASCII`, or
//!   `NONE`; `true`/`false` mean `HEX`/`NONE`.
//! - `TIMESTAMP` *boolean* — print the timestamp annotation; default false.
//! - `PRINTANNO` *boolean* — print the annotation area in hex; default false.
//! - `HEADROOM` *boolean* — print the headroom and tailroom; default false.
//! - `ACTIVE` *boolean* — print at all; default true.
//! - `CPU` *boolean* — print the CPU number; default false.
//!
//! ## Handlers
//! - `active` (read/write) — the ACTIVE setting.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Print(in, 64) -> Discard;
//! ```
//!
//! ## Differences from Click
//! - `CPU` is accepted everywhere (Click has it only in the kernel module);
//!   nfc is single-core, so it always prints `(0)`.
//! - Timestamps print with microseconds, as Click built without nanosecond
//!   timestamps does.

use alloc::format;
use alloc::string::{String, ToString};
use core::fmt::Write;
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, ParseError};

use super::discard::bool_value;

use crate::{ElementSpec, Ports};

/// How Print shows packet contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Contents {
    /// No contents.
    None,
    /// Hex bytes, grouped by four.
    #[default]
    Hex,
    /// Printable ASCII, other bytes as `.`.
    Ascii,
}

/// Parses a CONTENTS value.
pub fn contents(text: &str) -> Result<Contents, ParseError> {
    if let Ok(b) = parse::boolean(text) {
        return Ok(if b { Contents::Hex } else { Contents::None });
    }
    match text.to_ascii_uppercase().as_str() {
        "NONE" => Ok(Contents::None),
        "HEX" => Ok(Contents::Hex),
        "ASCII" => Ok(Contents::Ascii),
        _ => Err(ParseError {
            message: format!("expected NONE, HEX or ASCII, found \"{text}\""),
            hint: None,
        }),
    }
}

/// Print's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Print {
    /// Label printed first (unquoted).
    pub label: String,
    /// Bytes of contents printed; `None` prints whole packets.
    pub max_length: Option<u32>,
    /// How contents are printed.
    pub contents: Contents,
    /// Print the timestamp annotation.
    pub timestamp: bool,
    /// Print the annotation area.
    pub print_anno: bool,
    /// Print headroom and tailroom.
    pub headroom: bool,
    /// Print at all.
    pub active: bool,
    /// Print the CPU number.
    pub cpu: bool,
    /// The line being built, kept between packets so that printing does
    /// not allocate once it has grown to the longest line.
    line: String,
}

impl Print {
    /// Parses Print's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let label = args.read_p("LABEL", parse::string).unwrap_or_default();
        let mut max_length = args.read_p("MAXLENGTH", parse::integer::<i64>);
        if let Some(v) = args.read("LENGTH", parse::integer::<i64>) {
            max_length = Some(v);
        }
        if let Some(v) = args.read("NBYTES", parse::integer::<i64>) {
            max_length = Some(v);
        }
        let contents = args.read("CONTENTS", contents).unwrap_or_default();
        let timestamp = args.read("TIMESTAMP", parse::boolean).unwrap_or(false);
        let print_anno = args.read("PRINTANNO", parse::boolean).unwrap_or(false);
        let active = args.read("ACTIVE", parse::boolean).unwrap_or(true);
        let headroom = args.read("HEADROOM", parse::boolean).unwrap_or(false);
        let cpu = args.read("CPU", parse::boolean).unwrap_or(false);
        args.complete()?;
        let max_length = max_length.unwrap_or(24);
        Ok(Print {
            label,
            // Negative means "everything"; lengths past u32 are everything too.
            max_length: u32::try_from(max_length).ok().or(if max_length < 0 {
                None
            } else {
                Some(u32::MAX)
            }),
            contents,
            timestamp,
            print_anno,
            headroom,
            active,
            cpu,
            line: String::new(),
        })
    }

    /// Writes the line for `p` into `self.line` (cleared first). Writing
    /// to a String cannot fail, so `write!` results are ignored.
    fn format(&mut self, p: &Packet) {
        let line = &mut self.line;
        line.clear();
        let mut sep = "";
        if !self.label.is_empty() {
            line.push_str(&self.label);
            sep = ": ";
        }
        if self.cpu {
            line.push_str("(0)");
            sep = ": ";
        }
        if self.timestamp {
            let ts = p.timestamp();
            let _ = write!(
                line,
                "{sep}{}.{:06}",
                ts / 1_000_000_000,
                ts % 1_000_000_000 / 1000
            );
            sep = ": ";
        }
        let _ = write!(line, "{sep}{:4}", p.len());
        if self.headroom {
            let _ = write!(line, " (h{} t{})", p.headroom(), p.tailroom());
        }
        if self.print_anno {
            line.push_str(" | ");
            for b in p.anno() {
                let _ = write!(line, "{b:02x}");
            }
        }
        let shown = match (self.contents, self.max_length) {
            (Contents::None, _) => 0,
            (_, Some(max)) => p.len().min(max as usize),
            (_, None) => p.len(),
        };
        if shown == 0 {
            return;
        }
        line.push_str(" | ");
        for (i, &b) in p.data()[..shown].iter().enumerate() {
            if self.contents == Contents::Hex {
                if i > 0 && i % 4 == 0 {
                    line.push(' ');
                }
                let _ = write!(line, "{b:02x}");
            } else {
                if i % 8 == 0 {
                    line.push(' ');
                }
                line.push(if (32..=126).contains(&b) {
                    char::from(b)
                } else {
                    '.'
                });
            }
        }
    }
}

impl Element for Print {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if self.active {
            self.format(p);
            cx.console.line(&self.line);
            self.line.clear();
        }
        Out::Port(0)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "active" => Ok(self.active.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "active" => self.active = bool_value(value)?,
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// Print's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Print",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "LABEL",
        "MAXLENGTH",
        "CONTENTS",
        "TIMESTAMP",
        "PRINTANNO",
        "HEADROOM",
        "ACTIVE",
        "CPU",
        "LENGTH",
        "NBYTES",
    ],
    handlers: &["active (read/write)"],
    summary: "prints packet contents",
    source: include_str!("print.rs"),
    check: |c| Print::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let p = Print::configure("").unwrap();
        assert_eq!(
            (p.label.as_str(), p.max_length, p.contents),
            ("", Some(24), Contents::Hex)
        );
        let p = Print::configure("\"in, eth0\", -1, CONTENTS ascii, TIMESTAMP true").unwrap();
        assert_eq!(p.label, "in, eth0");
        assert_eq!(p.max_length, None);
        assert_eq!(p.contents, Contents::Ascii);
        assert!(p.timestamp);
        assert_eq!(Print::configure("x, NBYTES 8").unwrap().max_length, Some(8));
        assert_eq!(
            Print::configure("CONTENTS false").unwrap().contents,
            Contents::None
        );
    }

    #[test]
    fn bad_values() {
        let cfg = "in, lots, CONTENTS BINARY, ACTIVE 7";
        let errs = errors(cfg, Print::configure(cfg));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(has(&errs, "", "lots"), "{errs:?}");
        assert!(has(&errs, "NONE, HEX or ASCII", "BINARY"), "{errs:?}");
        assert!(has(&errs, "", "7"), "{errs:?}");
    }

    use crate::harness::{self, check_batch_path, run_push};
    use nfc_dataplane::element::Captured;

    fn printed(cfg: &str, data: &[u8], setup: impl Fn(&mut Packet)) -> String {
        let mut print = Print::configure(cfg).unwrap();
        let pool = harness::pool();
        let captured = Captured::leak();
        let mut cx = harness::cx(pool);
        cx.console = captured;
        let mut p = pool.alloc_with(data).unwrap();
        setup(&mut p);
        assert_eq!(print.process(&cx, 0, &mut p), Out::Port(0));
        let mut lines = captured.take();
        assert_eq!(lines.len(), 1, "{lines:?}");
        lines.remove(0)
    }

    #[test]
    fn lines_look_like_clicks() {
        let data: alloc::vec::Vec<u8> = (0..30).collect();
        assert_eq!(
            printed("in", &data, |_| {}),
            "in:   30 | 00010203 04050607 08090a0b 0c0d0e0f 10111213 14151617"
        );
        assert_eq!(printed("", &data[..3], |_| {}), "   3 | 000102");
        assert_eq!(printed("x, 0", &data, |_| {}), "x:   30");
        assert_eq!(printed("CONTENTS NONE", &data, |_| {}), "  30");
        assert_eq!(
            printed("a, -1, CONTENTS ASCII", b"Hello, world!\n\x01", |_| {}),
            "a:   15 |  Hello, w orld!.."
        );
        assert_eq!(
            printed(
                "t, TIMESTAMP true, HEADROOM true, CPU true",
                &data[..1],
                |p| { p.set_timestamp(1_700_000_000_123_456_789) }
            ),
            "t(0): 1700000000.123456:    1 (h128 t1919) | 00"
        );
        let anno = printed("PRINTANNO true, CONTENTS false", &data[..1], |p| {
            p.set_paint(0xab)
        });
        assert_eq!(
            anno,
            alloc::format!("   1 | {}ab{}", "00".repeat(16), "00".repeat(31))
        );
    }

    #[test]
    fn active_handler_silences_it() {
        let mut print = Print::configure("x").unwrap();
        print.write_handler("active", "false").unwrap();
        assert_eq!(print.read_handler("active"), Ok("false".into()));
        let pool = harness::pool();
        let captured = Captured::leak();
        let mut cx = harness::cx(pool);
        cx.console = captured;
        let packets = (0..3).map(|i| pool.alloc_with(&[i]).unwrap()).collect();
        assert_eq!(run_push(&mut print, &cx, 0, packets, 1).len(), 3);
        assert!(captured.take().is_empty());
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&Print::configure("p, 8").unwrap(), 0, 1, |i, pool| {
            pool.alloc_with(&[i as u8; 20][..i % 20]).unwrap()
        });
    }
}
