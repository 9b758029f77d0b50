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
//! packet, and so conventionally comes last. A term compares only the bits
//! set in its mask: it does not match a packet too short to hold its last
//! compared byte (bytes whose mask is zero, as in `12/08??`, need not be
//! there), so a negated term (`!23/06`) does match such a packet — Click's
//! behaviour. A pattern whose terms contradict each other (`12/0806
//! 12/0800`) matches nothing.
//!
//! Like Click, `configure` compiles the patterns into a decision program of
//! 32-bit masked compares on 4-byte-aligned words, in which a test shared
//! by several patterns (`12/0806` above) runs once and tests whose answer
//! is already known are skipped; the `program` handler shows it.
//!
//! ## Keywords
//! None; every argument is a pattern.
//!
//! ## Handlers
//! - `program` (read) — the decision program built from the patterns, in
//!   Click's format: one line per test (`OFFSET/VALUE%MASK` on a 4-byte
//!   word, `yes->` and `no->` a later `step`, an output `[n]` or `drop`),
//!   then the safe length, the shortest packet on which no test fails for
//!   lack of bytes.
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
//! - an offset past 65535 is an error (no packet is that long);
//! - a pattern that can never match is not warned about;
//! - the `program` handler writes `drop` where Click writes `[X]`, and its
//!   tests are not the same as Click's optimizer would choose, though they
//!   classify every packet alike.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;
use nfc_dataplane::args::{Arg, Args, ConfigError, ConfigErrors};

use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;

use super::classifier_program::Program;
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

/// Classifier's configuration, one pattern per output in output order, and
/// the decision program compiled from it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Classifier {
    /// The patterns; pattern `i` sends to output `i`. The program is
    /// compiled from them once: to change them, build a new Classifier
    /// ([`Classifier::from_patterns`]).
    pub patterns: Vec<Pattern>,
    /// `patterns`, compiled; what [`Classifier::classify`] runs.
    program: Program,
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
        Ok(Classifier::from_patterns(patterns))
    }

    /// A Classifier for already-parsed patterns (pattern `i` sends to
    /// output `i`), with its program compiled.
    pub fn from_patterns(patterns: Vec<Pattern>) -> Self {
        let program = Program::compile(&patterns);
        Classifier { patterns, program }
    }

    /// The output for a packet whose data (from its first byte, e.g. the
    /// Ethernet header) is `data`: the index of the first pattern it
    /// matches, or `None` when it matches none and is to be dropped.
    ///
    /// Runs the compiled program: no allocation, no panic whatever `data`
    /// holds. It answers as [`Pattern::matches`] tried in order would.
    #[inline]
    pub fn classify(&self, data: &[u8]) -> Option<usize> {
        self.program.classify(data)
    }

    /// The `program` handler: the compiled decision program as text.
    pub fn program(&self) -> String {
        format!("{}", self.program)
    }
}

impl Element for Classifier {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        match self.classify(p.data()) {
            Some(k) => Out::Port(k),
            None => Out::Drop,
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "program" => Ok(self.program()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

impl Term {
    /// True when `data` holds the term's value under its mask at its
    /// offset. Only bytes whose mask is not zero are compared, and the term
    /// does not match when one of them lies past the end of `data`. The
    /// term's `negated` flag is not applied here; see [`Pattern::matches`].
    pub fn matches(&self, data: &[u8]) -> bool {
        let Ok(offset) = usize::try_from(self.offset) else {
            return false;
        };
        self.value
            .iter()
            .zip(&self.mask)
            .enumerate()
            .filter(|(_, (_, &m))| m != 0)
            .all(|(k, (&v, &m))| {
                offset
                    .checked_add(k)
                    .and_then(|i| data.get(i))
                    .is_some_and(|&d| (d ^ v) & m == 0)
            })
    }
}

impl Pattern {
    /// True when `data` matches the pattern: every term matches, except
    /// negated ones, which must not (so a negated term holds on a packet too
    /// short for it). A pattern without terms (`-`) matches every packet.
    ///
    /// This is the plain definition, one byte at a time;
    /// [`Classifier::classify`] runs the compiled program instead.
    pub fn matches(&self, data: &[u8]) -> bool {
        self.terms.iter().all(|t| t.matches(data) != t.negated)
    }

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

    /// An Ethernet frame of `len` bytes with EtherType `ethertype` and, at
    /// byte 20 (the ARP opcode), `op`.
    fn frame(ethertype: u16, op: u16, len: usize) -> Vec<u8> {
        let mut f = vec![0xaa; len.max(22)];
        f[12..14].copy_from_slice(&ethertype.to_be_bytes());
        f[20..22].copy_from_slice(&op.to_be_bytes());
        f.truncate(len);
        f
    }

    /// `classify` on `data`, checked against the plain definition.
    fn out(c: &Classifier, data: &[u8]) -> Option<usize> {
        let naive = c.patterns.iter().position(|p| p.matches(data));
        assert_eq!(c.classify(data), naive, "program and patterns disagree");
        naive
    }

    fn classifier(config: &str) -> Classifier {
        Classifier::configure(config).unwrap()
    }

    const ETHERNET: &str = "12/0806 20/0001, 12/0806 20/0002, 12/0800, -";

    #[test]
    fn classifies_ethernet_frames() {
        let c = classifier(ETHERNET);
        assert_eq!(out(&c, &frame(0x0806, 1, 42)), Some(0));
        assert_eq!(out(&c, &frame(0x0806, 2, 42)), Some(1));
        assert_eq!(out(&c, &frame(0x0806, 3, 42)), Some(3));
        assert_eq!(out(&c, &frame(0x0800, 1, 60)), Some(2));
        assert_eq!(out(&c, &frame(0x86dd, 1, 60)), Some(3));
        // Truncated: an ARP frame that ends inside the opcode is "other",
        // an IPv4 frame with only its EtherType is still IPv4.
        assert_eq!(out(&c, &frame(0x0806, 1, 21)), Some(3));
        assert_eq!(out(&c, &frame(0x0806, 1, 22)), Some(0));
        assert_eq!(out(&c, &frame(0x0800, 0, 14)), Some(2));
        assert_eq!(out(&c, &frame(0x0800, 0, 13)), Some(3));
        assert_eq!(out(&c, &[]), Some(3));
    }

    #[test]
    fn ethernet_program_is_clicks() {
        // The program Click's manual shows for this configuration.
        let c = classifier(ETHERNET);
        let expected = [
            "  0  12/08060000%ffff0000  yes->step 1  no->step 3",
            "  1  20/00010000%ffff0000  yes->[0]  no->step 2",
            "  2  20/00020000%ffff0000  yes->[1]  no->[3]",
            "  3  12/08000000%ffff0000  yes->[2]  no->[3]",
            "safe length 22",
        ];
        assert_eq!(c.program().lines().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn shared_tests_run_once() {
        let c = classifier("12/0800 23/06, 12/0800 23/11, 12/0800 23/01, 12/0800, -");
        assert_eq!(c.program.tests_at(12), 1, "{}", c.program());
        assert_eq!(c.program.len(), 4, "{}", c.program());
        let mut ip = frame(0x0800, 0, 60);
        for (proto, port) in [(6, Some(0)), (0x11, Some(1)), (1, Some(2)), (2, Some(3))] {
            ip[23] = proto;
            assert_eq!(out(&c, &ip), port);
        }
        assert_eq!(out(&c, &frame(0x0806, 0, 60)), Some(4));
        // Terms of one pattern in one word become one test.
        let c = classifier("12/08 13/00");
        assert_eq!(c.program.len(), 1, "{}", c.program());
        assert_eq!(out(&c, &frame(0x0800, 0, 14)), Some(0));
        assert_eq!(out(&c, &frame(0x0801, 0, 14)), None);
    }

    #[test]
    fn offsets_masks_and_wildcards() {
        let c = classifier("14/45%f0, 0/??01, 1/0203%ff0f, 3/??");
        let mut p = [0u8; 20];
        p[14] = 0x4f;
        assert_eq!(out(&c, &p), Some(0));
        p[14] = 0x5f;
        p[0] = 1;
        assert_eq!(out(&c, &p), Some(3), "0/??01 compares byte 1, not byte 0");
        p[1] = 1;
        assert_eq!(out(&c, &p), Some(1));
        p[1] = 2;
        p[2] = 0xf3;
        assert_eq!(
            out(&c, &p),
            Some(2),
            "mask f0 of the second byte is ignored"
        );
        // A term whose mask is all zero compares nothing: it matches even an
        // empty packet.
        assert_eq!(out(&c, &[]), Some(3));
    }

    #[test]
    fn odd_lengths_and_unaligned_offsets() {
        // 3 bytes at 2 (word 0), 5 bytes at 7 (words 4, 8), 1 byte at 15.
        let c = classifier("2/aabbcc, 7/0102030405, 15/ff");
        let mut p = [0u8; 16];
        p[2..5].copy_from_slice(&[0xaa, 0xbb, 0xcc]);
        assert_eq!(out(&c, &p), Some(0));
        assert_eq!(out(&c, &p[..5]), Some(0));
        assert_eq!(out(&c, &p[..4]), None);
        p[4] = 0;
        p[7..12].copy_from_slice(&[1, 2, 3, 4, 5]);
        assert_eq!(out(&c, &p), Some(1));
        assert_eq!(out(&c, &p[..12]), Some(1));
        assert_eq!(out(&c, &p[..11]), None);
        p[11] = 6;
        p[15] = 0xff;
        assert_eq!(out(&c, &p), Some(2));
        assert_eq!(out(&c, &p[..15]), None);
    }

    #[test]
    fn negation() {
        let c = classifier("12/0800 !23/06, !12/0806, -");
        let mut ip = frame(0x0800, 0, 60);
        ip[23] = 0x11;
        assert_eq!(out(&c, &ip), Some(0));
        ip[23] = 6;
        assert_eq!(out(&c, &ip), Some(1), "TCP fails pattern 0, is not ARP");
        assert_eq!(out(&c, &frame(0x0806, 1, 60)), Some(2));
        // Click: a negated term holds on a packet too short for the term.
        assert_eq!(out(&c, &ip[..23]), Some(0));
        assert_eq!(out(&c, &[]), Some(1));
        // A negated term over several words fails only when all of it matches.
        let c = classifier("!14/00010203, -");
        let mut p = [0u8; 18];
        p[14..18].copy_from_slice(&[0, 1, 2, 3]);
        assert_eq!(out(&c, &p), Some(1));
        p[17] = 9;
        assert_eq!(out(&c, &p), Some(0));
        p[14] = 9;
        p[17] = 3;
        assert_eq!(out(&c, &p), Some(0));
        p[14] = 0;
        assert_eq!(out(&c, &p[..17]), Some(0));
        // `!` of a term that compares nothing never holds.
        let c = classifier("!3/??, 0/01");
        assert_eq!(out(&c, &[]), None);
        assert_eq!(out(&c, &[1]), Some(1));
    }

    #[test]
    fn dash_empty_and_contradictions() {
        let c = classifier("-");
        assert_eq!(c.program(), "all->[0]\nsafe length 0\n");
        assert_eq!(out(&c, &[]), Some(0));
        assert_eq!(out(&c, &[1, 2, 3]), Some(0));
        let c = classifier("");
        assert_eq!(c.program(), "all->drop\nsafe length 0\n");
        assert_eq!(out(&c, &frame(0x0800, 0, 60)), None);
        assert_eq!(out(&c, &[]), None);
        // A contradictory pattern matches nothing; the next one still does.
        let c = classifier("12/0806 12/0800, 12/08 12/0800, -, 12/0800");
        assert_eq!(out(&c, &frame(0x0800, 0, 60)), Some(1));
        assert_eq!(out(&c, &frame(0x0806, 0, 60)), Some(2));
        // Patterns after `-` are never reached.
        assert_eq!(c.program.len(), 1, "{}", c.program());
    }

    #[test]
    fn unparse_still_round_trips() {
        let c = classifier("12/0806 20/0001, !23/?6, 14/45%f0 0/ab, -");
        let text: Vec<String> = c.patterns.iter().map(Pattern::unparse).collect();
        assert_eq!(text, ["12/0806 20/0001", "!23/06%0f", "14/40%f0 0/ab", "-"]);
        assert_eq!(classifier(&text.join(", ")), c);
    }

    /// Measures `classify` on the classic Ethernet classifier. Run with
    /// `cargo test -p nfc-elements --release -- --ignored --nocapture
    /// ethernet_ns_per_packet`.
    #[test]
    #[ignore = "measurement, not a test; run with --release --ignored"]
    fn ethernet_ns_per_packet() {
        extern crate std;
        let c = classifier(ETHERNET);
        let frames = [
            frame(0x0800, 0, 60),
            frame(0x0806, 1, 60),
            frame(0x0806, 2, 60),
            frame(0x86dd, 0, 60),
            frame(0x0800, 0, 1514),
            frame(0x0800, 0, 64),
            frame(0x0800, 0, 128),
            frame(0x0806, 3, 42),
        ];
        let rounds = 10_000_000u32;
        let mut sum = 0usize;
        let t = std::time::Instant::now();
        for i in 0..rounds {
            let f = core::hint::black_box(&frames[(i % 8) as usize]);
            sum += c.classify(f).unwrap_or(9);
        }
        let ns = t.elapsed().as_secs_f64() * 1e9 / f64::from(rounds);
        let per_round: usize = [2, 0, 1, 3, 2, 2, 2, 3].iter().sum();
        assert_eq!(sum, rounds as usize / 8 * per_round);
        std::println!("Classifier({ETHERNET}): {ns:.2} ns/packet");
    }

    mod property {
        use super::super::{Classifier, Pattern, Term};
        use alloc::vec::Vec;
        use proptest::prelude::*;

        /// Bytes biased towards few values, so that random patterns match
        /// random packets often enough to exercise every branch.
        fn byte() -> impl Strategy<Value = u8> {
            prop_oneof![4 => Just(0u8), 3 => Just(8), 2 => Just(0xff), 1 => any::<u8>()]
        }

        fn mask() -> impl Strategy<Value = u8> {
            prop_oneof![6 => Just(0xffu8), 1 => Just(0), 1 => Just(0xf0), 1 => any::<u8>()]
        }

        fn term() -> impl Strategy<Value = Term> {
            (
                0u32..24,
                prop::collection::vec((byte(), mask()), 1..7),
                any::<bool>(),
            )
                .prop_map(|(offset, bytes, negated)| Term {
                    offset,
                    value: bytes.iter().map(|&(v, m)| v & m).collect(),
                    mask: bytes.iter().map(|&(_, m)| m).collect(),
                    negated,
                })
        }

        fn patterns() -> impl Strategy<Value = Vec<Pattern>> {
            let pattern = prop::collection::vec(term(), 0..4).prop_map(|terms| Pattern { terms });
            prop::collection::vec(pattern, 0..7)
        }

        /// `base` with the positive terms of `p` written into it, where
        /// they fit: a packet likely to match `p` or to nearly match it.
        fn steer(base: &[u8], p: &Pattern) -> Vec<u8> {
            let mut out = base.to_vec();
            for t in p.terms.iter().filter(|t| !t.negated) {
                for (k, (&v, &m)) in t.value.iter().zip(&t.mask).enumerate() {
                    if let Some(b) = out.get_mut(t.offset as usize + k) {
                        *b = (*b & !m) | v;
                    }
                }
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn program_agrees_with_patterns(
                patterns in patterns(),
                packets in prop::collection::vec(prop::collection::vec(byte(), 0..34), 1..6),
            ) {
                let c = Classifier::from_patterns(patterns);
                let mut tries: Vec<Vec<u8>> = packets.clone();
                for base in &packets {
                    for p in &c.patterns {
                        tries.push(steer(base, p));
                    }
                }
                for data in &tries {
                    let naive = c.patterns.iter().position(|p| p.matches(data));
                    prop_assert_eq!(
                        c.classify(data), naive,
                        "packet {:02x?}\n{}", data, c.program()
                    );
                }
            }

            #[test]
            fn unparse_configure_round_trip(patterns in patterns()) {
                let c = Classifier::from_patterns(patterns);
                let text: Vec<_> = c.patterns.iter().map(Pattern::unparse).collect();
                prop_assert_eq!(Classifier::configure(&text.join(", ")).ok(), Some(c));
            }
        }
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
