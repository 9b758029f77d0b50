//! # Classifier — classifies packets by contents
//!
//! ```click
//! Classifier(PATTERN1, ..., PATTERNn)
//! ```
//!
//! Ports: 1 input, any number of outputs (`1/-`): one output per pattern.
//! Processing: push (`h/h`).
//!
//! Sends each packet out the output of the first pattern it matches; a
//! packet that matches no pattern is dropped. Patterns look at raw bytes
//! at fixed offsets from the start of the packet data, so they suit
//! link-level dispatch (ARP versus IP) rather than IP header fields, for
//! which IPClassifier is easier to read.
//!
//! A pattern is one or more terms separated by spaces, all of which must
//! hold. A term is `OFFSET/VALUE` or `OFFSET/VALUE%MASK`:
//! - OFFSET is a decimal byte offset into the packet;
//! - VALUE is an even number of hex digits, matched against the bytes at
//!   OFFSET; a `?` digit matches any nibble;
//! - MASK, when present, has as many hex digits as VALUE, and only the bits
//!   set in it are compared (`?` in a mask is the same as `0`).
//!
//! A term preceded by `!` must *not* match. The pattern `-` matches every
//! packet, and so conventionally comes last. A packet too short to hold a
//! term's bytes does not match that term.
//!
//! ## Keywords
//! None; every argument is a pattern.
//!
//! ## Handlers
//! - `program` (read) — the decision program built from the patterns.
//!
//! ## Examples
//! ```click
//! c :: Classifier(12/0806 20/0001,   // ARP requests  -> [0]
//!                 12/0806 20/0002,   // ARP replies   -> [1]
//!                 12/0800,           // IPv4          -> [2]
//!                 -);                // everything else -> [3]
//! ```
//!
//! ## Differences from Click
//! - an offset past 65535 is an error (no packet is that long).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;
use nfc_dataplane::args::{Arg, Args, ConfigError, ConfigErrors};

use super::{error_hint, sub_span};
use crate::{ElementSpec, Ports};

/// The largest offset a term may name.
pub const MAX_OFFSET: u32 = 65535;

/// One `[!]OFFSET/VALUE[%MASK]` term of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Byte offset of the first compared byte.
    pub offset: u32,
    /// Expected bytes, already masked (`value[i] & !mask[i] == 0`).
    pub value: Vec<u8>,
    /// Bits compared in each byte; as long as `value`.
    pub mask: Vec<u8>,
    /// True when the term must not match (`!`).
    pub negated: bool,
}

/// One pattern: a conjunction of terms. No terms matches every packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pattern {
    /// The terms, all of which must hold.
    pub terms: Vec<Term>,
}

/// Classifier's configuration: one pattern per output, in output order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Classifier {
    /// The patterns; pattern `i` sends to output `i`.
    pub patterns: Vec<Pattern>,
}

const SYNTAX_HINT: &str =
    "a term looks like 12/0800, 12/0800%ffff or !23/06; `-` matches everything";

fn hex_nibble(c: u8) -> Option<(u8, u8)> {
    // (value, mask) of one hex digit; `?` compares nothing.
    match c {
        b'?' => Some((0, 0)),
        b'0'..=b'9' => Some((c - b'0', 0xf)),
        b'a'..=b'f' => Some((c - b'a' + 10, 0xf)),
        b'A'..=b'F' => Some((c - b'A' + 10, 0xf)),
        _ => None,
    }
}

/// Parses one pattern (`arg.text`) into `errors`-recording form.
fn parse_pattern(config: &str, arg: &Arg, errors: &mut Vec<ConfigError>) -> Pattern {
    let text = arg.text.as_str();
    let s = text.as_bytes();
    let mut terms = Vec::new();
    if text == "-" {
        return Pattern { terms };
    }
    let span = |r: Range<usize>| sub_span(config, arg, r);
    let mut i = 0;
    while i < s.len() {
        while i < s.len() && s[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= s.len() {
            break;
        }
        let term_start = i;
        // End of this whitespace-separated word, for error spans and recovery.
        let mut word_end = i;
        while word_end < s.len() && !s[word_end].is_ascii_whitespace() {
            word_end += 1;
        }
        let mut negated = false;
        if s[i] == b'!' {
            negated = true;
            i += 1;
            while i < s.len() && s[i].is_ascii_whitespace() {
                i += 1;
            }
            word_end = i;
            while word_end < s.len() && !s[word_end].is_ascii_whitespace() {
                word_end += 1;
            }
        }
        let digits_start = i;
        let mut offset: u64 = 0;
        while i < s.len() && s[i].is_ascii_digit() {
            offset = (offset * 10 + u64::from(s[i] - b'0')).min(u64::from(u32::MAX) + 1);
            i += 1;
        }
        if i == digits_start {
            let end = word_end.max(i + 1).min(s.len());
            let found = text.get(i..end).unwrap_or("");
            errors.push(error_hint(
                span(i..end),
                format!("expected a decimal offset, found \"{found}\""),
                SYNTAX_HINT,
            ));
            i = word_end.max(i + 1);
            continue;
        }
        if offset > u64::from(MAX_OFFSET) {
            errors.push(error_hint(
                span(digits_start..i),
                format!("offset is past the largest packet ({MAX_OFFSET} bytes)"),
                SYNTAX_HINT,
            ));
        }
        if i >= s.len() || s[i] != b'/' {
            let end = (i + 1).min(s.len()).max(i);
            let found = text.get(i..end).unwrap_or("");
            let (at, found) = if found.is_empty() || found.as_bytes()[0].is_ascii_whitespace() {
                (digits_start..i, "end of term")
            } else {
                (i..end, found)
            };
            errors.push(error_hint(
                span(at),
                format!("expected '/' after the offset, found {found:?}"),
                SYNTAX_HINT,
            ));
            i = word_end.max(i + 1);
            continue;
        }
        i += 1;
        let value_start = i;
        while i < s.len() && hex_nibble(s[i]).is_some() {
            i += 1;
        }
        let value_end = i;
        let mut mask_range = None;
        if i < s.len() && s[i] == b'%' {
            i += 1;
            let mask_start = i;
            while i < s.len() && hex_nibble(s[i]).is_some() {
                i += 1;
            }
            mask_range = Some(mask_start..i);
        }
        if i < s.len() && !s[i].is_ascii_whitespace() {
            let bad = text.get(i..).and_then(|r| r.chars().next()).unwrap_or('?');
            let end = i + bad.len_utf8();
            errors.push(error_hint(
                span(i..end),
                format!("unexpected character {bad:?} in a pattern term"),
                SYNTAX_HINT,
            ));
            i = word_end.max(end);
            continue;
        }
        let vlen = value_end - value_start;
        let mut ok = true;
        if vlen < 2 {
            errors.push(error_hint(
                span(term_start..i),
                "value has fewer than 2 hex digits",
                SYNTAX_HINT,
            ));
            ok = false;
        } else if vlen % 2 != 0 {
            errors.push(error_hint(
                span(value_start..value_end),
                "value has an odd number of hex digits",
                "each byte takes two hex digits, e.g. 0800",
            ));
            ok = false;
        }
        if let Some(m) = &mask_range {
            let mlen = m.end - m.start;
            if mlen != vlen {
                let which = if mlen > vlen { "many" } else { "few" };
                errors.push(error_hint(
                    span(m.clone()),
                    format!("mask has too {which} hex digits ({mlen}, value has {vlen})"),
                    "a mask has exactly as many hex digits as its value",
                ));
                ok = false;
            }
        }
        if ok {
            let mut value = Vec::with_capacity(vlen / 2);
            let mut mask = Vec::with_capacity(vlen / 2);
            for k in (value_start..value_end).step_by(2) {
                let (Some((vh, mh)), Some((vl, ml))) = (
                    s.get(k).and_then(|&c| hex_nibble(c)),
                    s.get(k + 1).and_then(|&c| hex_nibble(c)),
                ) else {
                    continue;
                };
                let mut m = (mh << 4) | ml;
                if let Some(mr) = &mask_range {
                    let j = mr.start + (k - value_start);
                    if let (Some((gh, _)), Some((gl, _))) = (
                        s.get(j).and_then(|&c| hex_nibble(c)),
                        s.get(j + 1).and_then(|&c| hex_nibble(c)),
                    ) {
                        m &= (gh << 4) | gl;
                    }
                }
                value.push(((vh << 4) | vl) & m);
                mask.push(m);
            }
            terms.push(Term {
                offset: u32::try_from(offset).unwrap_or(u32::MAX),
                value,
                mask,
                negated,
            });
        }
    }
    Pattern { terms }
}

impl Classifier {
    /// Parses Classifier's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let list = args.rest();
        let mut errors = Vec::new();
        let patterns = list
            .iter()
            .map(|a| parse_pattern(config, a, &mut errors))
            .collect();
        for e in errors {
            args.error(e);
        }
        args.complete()?;
        Ok(Classifier { patterns })
    }
}

impl Pattern {
    /// Renders the pattern in Classifier's syntax (`-` when it has no terms).
    pub fn unparse(&self) -> String {
        if self.terms.is_empty() {
            return String::from("-");
        }
        let mut out = String::new();
        for (n, t) in self.terms.iter().enumerate() {
            if n > 0 {
                out.push(' ');
            }
            if t.negated {
                out.push('!');
            }
            out.push_str(&format!("{}/", t.offset));
            for b in &t.value {
                out.push_str(&format!("{b:02x}"));
            }
            if t.mask.iter().any(|&m| m != 0xff) {
                out.push('%');
                for m in &t.mask {
                    out.push_str(&format!("{m:02x}"));
                }
            }
        }
        out
    }
}

/// Classifier's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Classifier",
    port_count: "1/-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["program (read)"],
    summary: "classifies packets by contents",
    source: include_str!("classifier.rs"),
    check: |c| {
        Classifier::configure(c).map(|k| Ports::outputs(k.patterns.len(), "one per pattern"))
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};
    use alloc::vec;

    fn term(offset: u32, value: &[u8], mask: &[u8], negated: bool) -> Term {
        Term {
            offset,
            value: value.to_vec(),
            mask: mask.to_vec(),
            negated,
        }
    }

    #[test]
    fn ethernet_dispatch() {
        let c = Classifier::configure("12/0806 20/0001, 12/0806 20/0002, 12/0800, -").unwrap();
        assert_eq!(c.patterns.len(), 4);
        assert_eq!(
            c.patterns[0].terms,
            vec![
                term(12, &[8, 6], &[0xff, 0xff], false),
                term(20, &[0, 1], &[0xff, 0xff], false)
            ]
        );
        assert_eq!(
            c.patterns[2].terms,
            vec![term(12, &[8, 0], &[0xff, 0xff], false)]
        );
        assert!(c.patterns[3].terms.is_empty());
    }

    #[test]
    fn masks_wildcards_negation() {
        let c = Classifier::configure("23/?6, 14/45%f0, !12/0800, 0/AbCd%0F?f").unwrap();
        assert_eq!(c.patterns[0].terms, vec![term(23, &[0x06], &[0x0f], false)]);
        assert_eq!(c.patterns[1].terms, vec![term(14, &[0x40], &[0xf0], false)]);
        assert_eq!(
            c.patterns[2].terms,
            vec![term(12, &[8, 0], &[0xff, 0xff], true)]
        );
        assert_eq!(
            c.patterns[3].terms,
            vec![term(0, &[0x0b, 0x0d], &[0x0f, 0x0f], false)]
        );
        assert_eq!(c.patterns[2].unparse(), "!12/0800");
        assert_eq!(c.patterns[1].unparse(), "14/40%f0");
    }

    #[test]
    fn negation_with_space_and_empty_config() {
        let c = Classifier::configure("! 12/0800").unwrap();
        assert!(c.patterns[0].terms[0].negated);
        assert!(Classifier::configure("").unwrap().patterns.is_empty());
    }

    #[test]
    fn syntax_errors_point_at_the_token() {
        let cfg = "12/080, x/00, 12/0800%ff, 12:0800, 12/08zz";
        let errs = errors(cfg, Classifier::configure(cfg));
        assert_eq!(errs.len(), 5, "{errs:?}");
        assert!(has(&errs, "odd number", "080"), "{errs:?}");
        assert!(has(&errs, "expected a decimal offset", "x/00"), "{errs:?}");
        assert!(has(&errs, "too few", "ff"), "{errs:?}");
        assert!(has(&errs, "expected '/'", ":"), "{errs:?}");
        assert!(has(&errs, "unexpected character", "z"), "{errs:?}");
    }

    #[test]
    fn more_errors() {
        let cfg = "12/, 70000/00, 1/0102%ffffff, 12";
        let errs = errors(cfg, Classifier::configure(cfg));
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(has(&errs, "fewer than 2", "12/"), "{errs:?}");
        assert!(has(&errs, "past the largest packet", "70000"), "{errs:?}");
        assert!(has(&errs, "too many", "ffffff"), "{errs:?}");
        assert!(has(&errs, "expected '/'", "12"), "{errs:?}");
    }

    #[test]
    fn never_panics_on_odd_input() {
        for cfg in [
            "!", "!!", "/", "%", "1/%", "1/0%", "é/00", "1/0é", "12/08 !", "-, -x",
        ] {
            let _ = Classifier::configure(cfg);
        }
    }
}
