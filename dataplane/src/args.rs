//! Splitting configuration strings into arguments, and reading them.
//!
//! A Click element's configuration string (`Queue(CAPACITY 100, …)`) is a
//! comma-separated list of arguments. [`split`] cuts it the way Click's
//! `cp_argvec` does, keeping for every argument its byte range inside the
//! string, so that a later error can be underlined exactly. [`Args`] is the
//! reader elements use in `configure`: positional arguments first, then
//! `KEYWORD value` arguments in any order. Every read records its own error
//! and [`Args::complete`] returns all of them at once.
//!
//! ```
//! use nfc_dataplane::{args::Args, parse};
//!
//! let mut args = Args::new("100, BURST 20");
//! let capacity: Option<u32> = args.read_mp("CAPACITY", parse::unsigned);
//! let burst: Option<u32> = args.read("BURST", parse::unsigned);
//! assert!(args.complete().is_ok());
//! assert_eq!((capacity, burst), (Some(100), Some(20)));
//! ```

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Range;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// A typed parser's complaint about one value: no position, the reader adds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, e.g. `expected IP address, found "10.0.0.300"`.
    pub message: String,
    /// How to fix it, e.g. `an IPv4 address looks like 10.0.0.1`.
    pub hint: Option<String>,
}

impl ParseError {
    /// An error without a hint.
    pub fn new(message: impl Into<String>) -> Self {
        ParseError {
            message: message.into(),
            hint: None,
        }
    }

    /// Attaches a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The usual message: `expected WHAT, found "TEXT"`.
    pub fn expected(what: &str, found: &str) -> Self {
        ParseError::new(format!("expected {what}, found {}", quoted(found)))
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl core::error::Error for ParseError {}

/// One configuration error, located inside the configuration string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Byte range inside the configuration string that is wrong, if any
    /// (a missing argument has none).
    pub span: Option<Range<usize>>,
    /// What is wrong; names the argument, e.g. `CAPACITY: expected …`.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl ConfigError {
    /// An error with a span and no hint.
    pub fn new(span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        ConfigError {
            span,
            message: message.into(),
            hint: None,
        }
    }

    /// Attaches a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(span) = &self.span {
            write!(f, " (at {}..{})", span.start, span.end)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

impl core::error::Error for ConfigError {}

/// Every error one `configure` found, in the order they were found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl From<ConfigError> for ConfigErrors {
    fn from(err: ConfigError) -> Self {
        ConfigErrors(alloc::vec![err])
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, err) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            fmt::Display::fmt(err, f)?;
        }
        Ok(())
    }
}

impl core::error::Error for ConfigErrors {}

/// `"text"` for messages, with control characters and quotes escaped.
pub(crate) fn quoted(text: &str) -> String {
    format!("{text:?}")
}

// ---------------------------------------------------------------------------
// Lexical helpers (Click's confparse)
// ---------------------------------------------------------------------------

/// Click's `isspace`: space, `\t`, `\n`, `\v`, `\f`, `\r`.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

pub(crate) fn starts_comment(s: &[u8], i: usize) -> bool {
    s[i] == b'/' && i + 1 < s.len() && (s[i + 1] == b'/' || s[i + 1] == b'*')
}

/// Index after the comment starting at `i` (`//` through its newline, or
/// `/* … */`; an unterminated block comment runs to the end).
pub(crate) fn skip_comment(s: &[u8], i: usize) -> usize {
    if s[i + 1] == b'/' {
        let mut j = i + 2;
        while j < s.len() && s[j] != b'\n' && s[j] != b'\r' {
            j += 1;
        }
        if j + 1 < s.len() && s[j] == b'\r' && s[j + 1] == b'\n' {
            j += 1;
        }
        (j + 1).min(s.len())
    } else {
        let mut j = i + 2;
        while j + 1 < s.len() && !(s[j] == b'*' && s[j + 1] == b'/') {
            j += 1;
        }
        (j + 2).min(s.len())
    }
}

/// Index of the `>` closing the `\<…>` block that starts at `i`, skipping
/// comments inside it; `None` if it is never closed.
pub(crate) fn hex_block_close(s: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 2;
    while j < s.len() {
        if s[j] == b'>' {
            return Some(j);
        } else if starts_comment(s, j) {
            j = skip_comment(s, j);
        } else {
            j += 1;
        }
    }
    None
}

/// Index after the backslash sequence at `i`; `\<…>` runs to its `>`
/// (comments inside it are skipped, so a `>` in a comment does not close it).
pub(crate) fn skip_backslash(s: &[u8], i: usize) -> usize {
    if i + 1 >= s.len() {
        return s.len();
    }
    if s[i + 1] == b'<' {
        hex_block_close(s, i).map_or(s.len(), |j| j + 1)
    } else if s[i + 1] == b'\r' && i + 2 < s.len() && s[i + 2] == b'\n' {
        i + 3
    } else {
        // Step over one whole character so we never stop inside UTF-8.
        i + 1 + utf8_len(s[i + 1])
    }
    .min(s.len())
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xf0.. => 4,
        0xe0.. => 3,
        0xc0.. => 2,
        _ => 1,
    }
}

pub(crate) fn skip_double_quote(s: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < s.len() {
        match s[j] {
            b'\\' => j = skip_backslash(s, j),
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    s.len()
}

pub(crate) fn skip_single_quote(s: &[u8], i: usize) -> usize {
    match s[i + 1..].iter().position(|&b| b == b'\'') {
        Some(p) => i + 1 + p + 1,
        None => s.len(),
    }
}

/// First index at or after `i` that is neither space nor inside a comment.
fn skip_comment_space(s: &[u8], mut i: usize) -> usize {
    while i < s.len() {
        if is_space(s[i]) {
            i += 1;
        } else if starts_comment(s, i) {
            i = skip_comment(s, i);
        } else {
            break;
        }
    }
    i
}

/// One scanned argument: cleaned text, byte range of its content, and where
/// scanning stopped (at the separating comma, or the end).
struct Scanned {
    text: String,
    span: Range<usize>,
    stop: usize,
}

/// Click's `partial_uncomment`, plus bracket nesting: scans from `start`
/// to the next depth-0 comma (if `at_comma`) or the end. Comments and the
/// whitespace around them become one space; other whitespace is kept.
fn scan(src: &str, start: usize, at_comma: bool) -> Scanned {
    let s = src.as_bytes();
    let mut i = skip_comment_space(s, start);
    let first = i;
    let mut text = String::new();
    let (mut left, mut right) = (i, i);
    let mut closed = false;
    let mut depth = 0usize;
    while i < s.len() {
        let b = s[i];
        if is_space(b) {
            i += 1;
        } else if starts_comment(s, i) {
            i = skip_comment(s, i);
            closed = true;
        } else if b == b',' && at_comma && depth == 0 {
            break;
        } else {
            if closed {
                text.push_str(&src[left..right]);
                text.push(' ');
                left = i;
                closed = false;
            }
            i = match b {
                b'\'' => skip_single_quote(s, i),
                b'"' => skip_double_quote(s, i),
                b'\\' if i + 1 < s.len() && s[i + 1] == b'<' => skip_backslash(s, i),
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    i + 1
                }
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    i + 1
                }
                _ => i + 1,
            };
            right = i;
        }
    }
    // `right` only ever lands after an ASCII delimiter or at the end of a
    // run of non-space bytes, so it is a char boundary; guard anyway.
    while !src.is_char_boundary(right) {
        right += 1;
    }
    text.push_str(&src[left..right]);
    let span = if right > first {
        first..right
    } else {
        first..first
    };
    Scanned {
        text,
        span,
        stop: i,
    }
}

// ---------------------------------------------------------------------------
// Splitting
// ---------------------------------------------------------------------------

/// One argument of a configuration string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The argument with comments removed and surrounding whitespace
    /// trimmed; quotes and `\<…>` are kept (unquoting is the parser's job).
    pub text: String,
    /// Byte range of the trimmed argument inside the configuration string.
    pub span: Range<usize>,
}

/// Splits a configuration string at commas, as Click's `cp_argvec` does.
///
/// Commas inside `"…"`, `'…'`, `\<…>`, brackets (`()`, `[]`, `{}`) and
/// comments do not split. An empty last argument is dropped, so `""` gives
/// no arguments, `"a,"` gives `a`, and `"a,,b"` gives `a`, ``, `b`.
pub fn split(config: &str) -> Vec<Arg> {
    let mut out = Vec::new();
    let len = config.len();
    let mut pos = 0;
    while pos < len {
        let sc = scan(config, pos, true);
        if !sc.text.is_empty() || sc.stop < len {
            out.push(Arg {
                text: sc.text,
                span: sc.span,
            });
        }
        pos = sc.stop + 1;
    }
    out
}

/// Splits one argument into whitespace-separated words, as Click's
/// `cp_spacevec` does: quotes and `\<…>` stay inside their word, comments
/// separate words and are dropped. Each word comes with its byte range
/// inside `arg`.
pub fn split_words(arg: &str) -> Vec<(String, Range<usize>)> {
    let s = arg.as_bytes();
    let mut out = Vec::new();
    let mut i = skip_comment_space(s, 0);
    while i < s.len() {
        let start = i;
        while i < s.len() {
            match s[i] {
                b'/' if starts_comment(s, i) => break,
                b'"' => i = skip_double_quote(s, i),
                b'\'' => i = skip_single_quote(s, i),
                b'\\' if i + 1 < s.len() && s[i + 1] == b'<' => i = skip_backslash(s, i),
                b if is_space(b) => break,
                _ => i += 1,
            }
        }
        while !arg.is_char_boundary(i) {
            i += 1;
        }
        out.push((arg[start..i].to_owned(), start..i));
        i = skip_comment_space(s, i);
    }
    out
}

/// Removes comments, as Click's `cp_uncomment`: surrounding space trimmed,
/// each comment (with the space around it) replaced by one space.
pub fn uncomment(s: &str) -> String {
    scan(s, 0, false).text
}

// ---------------------------------------------------------------------------
// Unquoting
// ---------------------------------------------------------------------------

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Expands the backslash escape at `s[i]` into `out`; returns the index
/// after it (Click's `cp_process_backslash`).
fn process_backslash(s: &[u8], i: usize, out: &mut Vec<u8>) -> usize {
    if i + 1 >= s.len() {
        out.push(b'\\');
        return s.len();
    }
    let c = s[i + 1];
    let simple = |b: u8, out: &mut Vec<u8>| {
        out.push(b);
        i + 2
    };
    match c {
        b'\r' if i + 2 < s.len() && s[i + 2] == b'\n' => i + 3,
        b'\r' | b'\n' => i + 2,
        b'a' => simple(0x07, out),
        b'b' => simple(0x08, out),
        b'f' => simple(0x0c, out),
        b'n' => simple(b'\n', out),
        b'r' => simple(b'\r', out),
        b't' => simple(b'\t', out),
        b'v' => simple(0x0b, out),
        b'0'..=b'7' => {
            let mut j = i + 1;
            let mut v: u32 = 0;
            while j < s.len() && j < i + 4 && (b'0'..=b'7').contains(&s[j]) {
                v = v * 8 + u32::from(s[j] - b'0');
                j += 1;
            }
            out.push(v as u8);
            j
        }
        b'x' => {
            let mut j = i + 2;
            let mut v: u8 = 0;
            while let Some(d) = s.get(j).copied().and_then(hex_value) {
                v = v.wrapping_mul(16).wrapping_add(d);
                j += 1;
            }
            out.push(v);
            j
        }
        b'<' => {
            let mut j = i + 2;
            let mut acc: u8 = 0;
            let mut digits = 0;
            while j < s.len() {
                if s[j] == b'>' {
                    return j + 1;
                } else if let Some(d) = hex_value(s[j]) {
                    acc = acc * 16 + d;
                    digits += 1;
                    if digits == 2 {
                        out.push(acc);
                        acc = 0;
                        digits = 0;
                    }
                    j += 1;
                } else if starts_comment(s, j) {
                    j = skip_comment(s, j);
                } else {
                    j += 1;
                }
            }
            s.len()
        }
        _ => {
            // `\\ \" \' \$ \,` and anything else: the character itself.
            let n = utf8_len(c).min(s.len() - (i + 1));
            out.extend_from_slice(&s[i + 1..i + 1 + n]);
            i + 1 + n
        }
    }
}

/// [`unquote`] as raw bytes (escapes such as `\xff` need not be UTF-8).
pub fn unquote_bytes(s: &str) -> Vec<u8> {
    let x = uncomment(s);
    let s = x.as_bytes();
    let mut out = Vec::with_capacity(s.len());
    let mut quote: u8 = 0;
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        match b {
            b'"' | b'\'' if quote == 0 => {
                quote = b;
                i += 1;
            }
            b'"' | b'\'' if quote == b => {
                quote = 0;
                i += 1;
            }
            b'\\' if i + 1 < s.len() && (quote == b'"' || (quote == 0 && s[i + 1] == b'<')) => {
                i = process_backslash(s, i, &mut out);
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Removes one level of quoting, as Click's `cp_unquote`.
///
/// `"…"` loses its quotes and has C escapes expanded (`\n`, `\t`, `\ooo`,
/// `\xHH`, `\<hex>`, `\\`, `\"`, …); `'…'` is taken literally; `\<hex>`
/// outside quotes becomes the bytes it spells; comments outside quotes are
/// dropped; pieces concatenate (`"a"b'c'` → `abc`). Bytes that are not
/// UTF-8 are replaced by U+FFFD; use [`unquote_bytes`] to keep them.
pub fn unquote(s: &str) -> String {
    match String::from_utf8(unquote_bytes(s)) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

// ---------------------------------------------------------------------------
// Args
// ---------------------------------------------------------------------------

/// Length of the keyword at the start of `text`, if it is one: an
/// all-uppercase word `[A-Z][A-Z0-9_]*` followed by whitespace or the end.
fn keyword_len(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    if b.first().is_none_or(|c| !c.is_ascii_uppercase()) {
        return None;
    }
    let n = b
        .iter()
        .position(|&c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_'))
        .unwrap_or(b.len());
    if n == b.len() || is_space(b[n]) {
        Some(n)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not read yet.
    Free,
    /// Taken as a positional argument (or by `rest`).
    Pos,
    /// Taken as a keyword argument.
    Kw,
}

#[derive(Debug, Clone)]
struct Slot {
    arg: Arg,
    /// `Some(n)` when the argument starts with an `n`-byte keyword followed
    /// by a value; `None` for a positional argument.
    kw: Option<usize>,
    /// The whole argument is one uppercase word (`ACTIVE`): a keyword with
    /// an empty value if the element reads that keyword, else positional.
    bare_kw: bool,
    state: State,
}

/// Click's `Args`: reads an element's arguments and collects the errors.
///
/// Positional arguments come first, then `KEYWORD value` arguments in any
/// order; a keyword given twice takes its last value. Each `read*` method
/// returns `None` (and records an error) when the argument is missing or
/// malformed; [`Args::complete`] then adds errors for unknown keywords,
/// extra arguments and missing mandatory ones, and returns them all.
#[derive(Debug, Clone)]
pub struct Args {
    config: String,
    slots: Vec<Slot>,
    errors: Vec<ConfigError>,
    /// Every name the element asked for, for did-you-mean hints.
    known: Vec<&'static str>,
    /// Names of positional arguments, in order, for "too many" hints.
    positional: Vec<&'static str>,
    /// Mandatory arguments that were not given.
    missing: Vec<&'static str>,
    /// Value spans of every successful find, by name.
    read_spans: Vec<(&'static str, Range<usize>)>,
}

/// Where a value came from: its text and its byte range in the config.
struct Found {
    value: String,
    span: Range<usize>,
}

impl Args {
    /// Splits `config` and prepares to read it.
    pub fn new(config: &str) -> Args {
        let slots = split(config)
            .into_iter()
            .map(|arg| {
                let kw = keyword_len(&arg.text).filter(|&n| n < arg.text.len());
                let bare_kw = keyword_len(&arg.text) == Some(arg.text.len());
                Slot {
                    arg,
                    kw,
                    bare_kw,
                    state: State::Free,
                }
            })
            .collect();
        Args {
            config: config.to_owned(),
            slots,
            errors: Vec::new(),
            known: Vec::new(),
            positional: Vec::new(),
            missing: Vec::new(),
            read_spans: Vec::new(),
        }
    }

    /// The configuration string being read.
    pub fn config(&self) -> &str {
        &self.config
    }

    /// True when the configuration has no arguments at all.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// True when an argument `keyword …` was given and not read yet.
    pub fn has(&self, keyword: &str) -> bool {
        self.slots
            .iter()
            .any(|s| s.state == State::Free && self.slot_keyword(s) == Some(keyword))
    }

    fn slot_keyword<'a>(&self, slot: &'a Slot) -> Option<&'a str> {
        match slot.kw {
            Some(n) => Some(&slot.arg.text[..n]),
            None if slot.bare_kw => Some(&slot.arg.text),
            None => None,
        }
    }

    fn remember(&mut self, name: &'static str) {
        if !self.known.contains(&name) {
            self.known.push(name);
        }
    }

    /// The value of a keyword argument: text after the keyword, and its
    /// span found by skipping the keyword, spaces and comments in the
    /// original configuration text.
    fn keyword_value(&self, slot: &Slot, kw_len: usize) -> Found {
        let value = slot.arg.text[kw_len..]
            .trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8))
            .to_owned();
        let start = slot.arg.span.start + kw_len;
        let start = skip_comment_space(self.config.as_bytes(), start).min(slot.arg.span.end);
        let span = if value.is_empty() {
            slot.arg.span.clone()
        } else {
            start..slot.arg.span.end
        };
        Found { value, span }
    }

    /// Click's `Args::find`: the last `name value` argument; or, for a
    /// positional read, the next unread positional argument.
    fn find(&mut self, name: &'static str, positional: bool, mandatory: bool) -> Option<Found> {
        self.remember(name);
        if positional && !self.positional.contains(&name) {
            self.positional.push(name);
        }
        // Every `NAME value` is consumed; the last one wins. A bare `NAME`
        // counts only for keyword reads: read positionally it is a value.
        let mut got: Option<usize> = None;
        for i in 0..self.slots.len() {
            let s = &self.slots[i];
            if s.state == State::Free
                && !(positional && s.bare_kw)
                && self.slot_keyword(s) == Some(name)
            {
                self.slots[i].state = State::Kw;
                got = Some(i);
            }
        }
        if positional {
            // The first argument not taken positionally, if it is still free.
            let next = self
                .slots
                .iter()
                .position(|s| s.state != State::Pos)
                .filter(|&i| self.slots[i].state == State::Free);
            if let Some(p) = next {
                let looks_kw = self.slots[p].kw.is_some();
                if !looks_kw || (got.is_none() && mandatory) {
                    self.slots[p].state = State::Pos;
                    if got.is_none_or(|g| g < p) {
                        // Take the whole argument, even `WORD value`.
                        let arg = &self.slots[p].arg;
                        return Some(Found {
                            value: arg.text.clone(),
                            span: arg.span.clone(),
                        });
                    }
                }
            }
        }
        let g = got?;
        let slot = self.slots[g].clone();
        let kw_len = slot.kw.unwrap_or(slot.arg.text.len());
        Some(self.keyword_value(&slot, kw_len))
    }

    fn parse_found<T>(
        &mut self,
        name: &'static str,
        found: Found,
        parser: impl Fn(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        self.read_spans.push((name, found.span.clone()));
        match parser(&found.value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(ConfigError {
                    span: Some(found.span),
                    message: format!("{name}: {}", e.message),
                    hint: e.hint,
                });
                None
            }
        }
    }

    fn read_impl<T>(
        &mut self,
        name: &'static str,
        positional: bool,
        mandatory: bool,
        parser: impl Fn(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        match self.find(name, positional, mandatory) {
            Some(found) => self.parse_found(name, found, parser),
            None => {
                if mandatory && !self.missing.contains(&name) {
                    self.missing.push(name);
                }
                None
            }
        }
    }

    /// Mandatory positional argument (also accepted as `NAME value`).
    pub fn read_mp<T>(
        &mut self,
        name: &'static str,
        parser: impl Fn(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        self.read_impl(name, true, true, parser)
    }

    /// Optional positional argument (also accepted as `NAME value`).
    pub fn read_p<T>(
        &mut self,
        name: &'static str,
        parser: impl Fn(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        self.read_impl(name, true, false, parser)
    }

    /// Mandatory keyword argument `KEYWORD value`.
    pub fn read_m<T>(
        &mut self,
        keyword: &'static str,
        parser: impl Fn(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        self.read_impl(keyword, false, true, parser)
    }

    /// Optional keyword argument `KEYWORD value`.
    pub fn read<T>(
        &mut self,
        keyword: &'static str,
        parser: impl Fn(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        self.read_impl(keyword, false, false, parser)
    }

    /// Every `KEYWORD value` argument, in order (repeatable keywords).
    /// Malformed ones are recorded as errors and left out.
    pub fn read_all<T>(
        &mut self,
        keyword: &'static str,
        parser: impl Fn(&str) -> Result<T, ParseError>,
    ) -> Vec<T> {
        self.remember(keyword);
        let mut out = Vec::new();
        for i in 0..self.slots.len() {
            let slot = &self.slots[i];
            if slot.state != State::Free || self.slot_keyword(slot) != Some(keyword) {
                continue;
            }
            self.slots[i].state = State::Kw;
            let slot = self.slots[i].clone();
            let found = self.keyword_value(&slot, slot.kw.unwrap_or(slot.arg.text.len()));
            if let Some(v) = self.parse_found(keyword, found, &parser) {
                out.push(v);
            }
        }
        out
    }

    /// Takes every remaining positional argument (anything not shaped like
    /// `KEYWORD value`), in order, for elements with variable argument
    /// lists (Classifier patterns, IPFilter rules, route tables, …).
    pub fn rest(&mut self) -> Vec<Arg> {
        let mut out = Vec::new();
        for slot in &mut self.slots {
            if slot.state == State::Free && slot.kw.is_none() {
                slot.state = State::Pos;
                out.push(slot.arg.clone());
            }
        }
        out
    }

    /// Records an element-specific error (e.g. "LIMIT must be at least
    /// BURST"); it is returned by [`Args::complete`] with the others.
    pub fn error(&mut self, err: ConfigError) {
        self.errors.push(err);
    }

    /// Byte range of the value read under `name` (positional or keyword),
    /// for element-specific errors such as "LIMIT must be at least BURST":
    /// `args.error(ConfigError::new(args.span_of("LIMIT"), …))`.
    /// `None` if no value was read under that name.
    pub fn span_of(&self, name: &str) -> Option<Range<usize>> {
        self.read_spans
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, span)| span.clone())
    }

    /// True when nothing has gone wrong so far (before `complete`).
    pub fn ok(&self) -> bool {
        self.errors.is_empty() && self.missing.is_empty()
    }

    /// Finishes reading: adds errors for unknown keywords (with a
    /// did-you-mean hint), extra positional arguments and missing mandatory
    /// arguments, and returns every error found.
    pub fn complete(mut self) -> Result<(), ConfigErrors> {
        let mut extra: Vec<Range<usize>> = Vec::new();
        for slot in &self.slots {
            if slot.state != State::Free {
                continue;
            }
            match slot.kw {
                Some(n) => {
                    let word = &slot.arg.text[..n];
                    let span = slot.arg.span.start..slot.arg.span.start + n;
                    let mut err = ConfigError::new(Some(span), format!("{word}: unknown keyword"));
                    err.hint = keyword_hint(word, &self.known);
                    self.errors.push(err);
                }
                None => extra.push(slot.arg.span.clone()),
            }
        }
        if let Some(first) = extra.first() {
            let mut err = ConfigError::new(
                Some(first.clone()),
                if extra.len() == 1 {
                    String::from("too many arguments")
                } else {
                    format!("too many arguments ({} extra)", extra.len())
                },
            );
            err.hint = Some(if self.positional.is_empty() {
                String::from(
                    "this element takes no positional arguments; give keywords as `KEYWORD value`",
                )
            } else {
                format!(
                    "positional arguments are {}; give others as `KEYWORD value`",
                    self.positional.join(", ")
                )
            });
            self.errors.push(err);
        }
        for name in &self.missing {
            self.errors.push(
                ConfigError::new(None, format!("{name}: missing mandatory argument"))
                    .with_hint(format!("add `{name} value` to the configuration")),
            );
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors(self.errors))
        }
    }
}

fn keyword_hint(word: &str, known: &[&'static str]) -> Option<String> {
    let best = known
        .iter()
        .map(|k| (levenshtein(word, k), *k))
        .min_by_key(|&(d, _)| d);
    match best {
        Some((d, k)) if d <= (word.len().max(k.len()) / 3).max(1) => {
            Some(format!("did you mean `{k}`?"))
        }
        _ if !known.is_empty() => Some(format!("this element reads {}", known.join(", "))),
        _ => Some(String::from("this element takes no keyword arguments")),
    }
}

/// Edit distance (insertions, deletions, substitutions) between two strings,
/// counted in characters.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = alloc::vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        core::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;
    use alloc::vec;

    fn texts(config: &str) -> Vec<String> {
        split(config).into_iter().map(|a| a.text).collect()
    }

    /// Every span must cover text that exists in the config.
    fn check_spans(config: &str) {
        for a in split(config) {
            assert!(config.get(a.span.clone()).is_some(), "{config:?} {a:?}");
        }
    }

    #[test]
    fn split_basic_and_empty() {
        assert_eq!(texts("a, b, c"), ["a", "b", "c"]);
        assert!(split("").is_empty());
        assert!(split("  \n\t ").is_empty());
        assert!(split(" /* only a comment */ ").is_empty());
        assert_eq!(texts("a,"), ["a"]);
        assert_eq!(texts("a, "), ["a"]);
        assert_eq!(texts("a,,b"), ["a", "", "b"]);
        assert_eq!(texts(", a"), ["", "a"]);
        assert_eq!(texts("a,,"), ["a", ""]);
    }

    #[test]
    fn split_spans() {
        let c = "  10 ,  BURST 20 ,x";
        let args = split(c);
        assert_eq!(args[0].span, 2..4);
        assert_eq!(&c[args[1].span.clone()], "BURST 20");
        assert_eq!(&c[args[2].span.clone()], "x");
        // An empty argument gets an empty span where it would be.
        let c = "a, ,b";
        assert_eq!(split(c)[1].span, 3..3);
        // Multibyte text keeps byte offsets.
        let c = "é, ü ö";
        let args = split(c);
        assert_eq!(&c[args[1].span.clone()], "ü ö");
        check_spans(c);
    }

    #[test]
    fn split_comments() {
        assert_eq!(texts("  a /*?*/ b,  c, "), ["a b", "c"]);
        assert_eq!(split("  a /*?*/ b,  c, ")[0].span, 2..11);
        assert_eq!(texts("a // x, y\n, b"), ["a", "b"]);
        assert_eq!(texts("a /* x, y */, b"), ["a", "b"]);
        let c = "// leading, comment\n  /* more */ LIMIT 5";
        let a = split(c);
        assert_eq!(a.len(), 1);
        assert_eq!(&c[a[0].span.clone()], "LIMIT 5");
        assert_eq!(a[0].text, "LIMIT 5");
        // Plain runs of spaces are kept; spaces next to a comment collapse.
        assert_eq!(texts("a   b"), ["a   b"]);
        assert_eq!(texts("a  /* c */  b"), ["a b"]);
        // A slash that starts no comment is text.
        assert_eq!(texts("10.0.0.0/8, 12/0800"), ["10.0.0.0/8", "12/0800"]);
        // Unterminated block comment runs to the end.
        assert_eq!(texts("a /* b, c"), ["a"]);
    }

    #[test]
    fn split_quotes_and_hex() {
        assert_eq!(texts("\"x, y\" // ?"), ["\"x, y\""]);
        assert_eq!(texts("'a, b', c"), ["'a, b'", "c"]);
        assert_eq!(texts(r#""a \" , b", c"#), [r#""a \" , b""#, "c"]);
        assert_eq!(texts(r"\<0a, 0b>, c"), [r"\<0a, 0b>", "c"]);
        assert_eq!(
            texts(r"\<0a /* > , */ 0b>, c"),
            [r"\<0a /* > , */ 0b>", "c"]
        );
        assert_eq!(
            texts("\"/* not a comment */\""),
            ["\"/* not a comment */\""]
        );
        // Unterminated quote swallows the rest.
        assert_eq!(texts("\"abc, d"), ["\"abc, d"]);
        // A backslash outside quotes that is not `\<` is an ordinary character.
        assert_eq!(texts(r"a\, b"), [r"a\", "b"]);
    }

    #[test]
    fn split_nesting() {
        assert_eq!(
            texts("f(a, b), [c, d], {e, (f, g)}, h"),
            ["f(a, b)", "[c, d]", "{e, (f, g)}", "h"]
        );
        // Unbalanced closers do not go negative.
        assert_eq!(texts("a), b"), ["a)", "b"]);
        // Quotes inside brackets still protect brackets.
        assert_eq!(texts("(\")\", x), y"), ["(\")\", x)", "y"]);
    }

    #[test]
    fn words() {
        let w: Vec<String> = split_words("a  b, c").into_iter().map(|w| w.0).collect();
        assert_eq!(w, ["a", "b,", "c"]);
        let w = split_words("  'a /*?*/ b'c");
        assert_eq!(w, vec![(String::from("'a /*?*/ b'c"), 2..14)]);
        let w = split_words("src/*x*/host \"a b\" \\<0a 0b>");
        let w: Vec<&str> = w.iter().map(|w| w.0.as_str()).collect();
        assert_eq!(w, ["src", "host", "\"a b\"", "\\<0a 0b>"]);
        assert!(split_words("  // nothing").is_empty());
        assert_eq!(split_words("x ÿ")[1], (String::from("ÿ"), 2..4));
    }

    #[test]
    fn unquoting() {
        assert_eq!(
            unquote("\"\\n\" abc /* 123 */ '/* def */'"),
            "\n abc /* def */"
        );
        assert_eq!(unquote("\"a\"b'c'"), "abc");
        assert_eq!(unquote(r"\<48656c6C 6f 2 /* And finally */ 1>"), "Hello!");
        assert_eq!(unquote(r#""\x41\101\<42 43>""#), "AABC");
        assert_eq!(unquote(r#""\a\b\f\r\t\v""#), "\x07\x08\x0c\r\t\x0b");
        assert_eq!(unquote(r#""\\ \" \' \$ \,""#), r#"\ " ' $ ,"#);
        assert_eq!(unquote(r"'\n'"), r"\n");
        assert_eq!(unquote(r"a\nb"), r"a\nb");
        assert_eq!(unquote("\"a\\\nb\""), "ab");
        assert_eq!(unquote("plain"), "plain");
        assert_eq!(unquote("\"unterminated"), "unterminated");
        assert_eq!(unquote(r#""ends in \"#), "ends in \\");
        assert_eq!(unquote_bytes(r#""\xff\377\0""#), [0xff, 0xff, 0]);
        assert_eq!(unquote(r#""\xff""#), "\u{fffd}");
        assert_eq!(unquote("\"é\\é\""), "éé");
        assert_eq!(uncomment("  a /* x */  b // y"), "a b");
    }

    #[test]
    fn positional_and_keywords() {
        let mut a = Args::new("eth0, 100, BURST 20, ACTIVE false");
        assert_eq!(
            a.read_mp("DEVNAME", parse::word),
            Some(String::from("eth0"))
        );
        assert_eq!(a.read_p("CAPACITY", parse::unsigned::<u32>), Some(100));
        assert_eq!(a.read_p("LIMIT", parse::unsigned::<u32>), None);
        assert_eq!(a.read("BURST", parse::unsigned::<u32>), Some(20));
        assert_eq!(a.read("ACTIVE", parse::boolean), Some(false));
        assert_eq!(a.read("MISSING", parse::boolean), None);
        assert!(a.complete().is_ok());

        // Positional arguments may be given by name, in any order.
        let mut a = Args::new("CAPACITY 7, DEVNAME eth1");
        assert_eq!(
            a.read_mp("DEVNAME", parse::word),
            Some(String::from("eth1"))
        );
        assert_eq!(a.read_mp("CAPACITY", parse::unsigned::<u32>), Some(7));
        assert!(a.complete().is_ok());

        // The last keyword wins, and both are consumed.
        let mut a = Args::new("BURST 1, BURST 2");
        assert_eq!(a.read("BURST", parse::unsigned::<u8>), Some(2));
        assert!(a.complete().is_ok());

        // A keyword later than the positional argument overrides it.
        let mut a = Args::new("5, CAPACITY 9");
        assert_eq!(a.read_p("CAPACITY", parse::unsigned::<u8>), Some(9));
        assert!(a.complete().is_ok());

        // Mixed-case words are not keywords.
        let mut a = Args::new("Burst 1");
        assert_eq!(a.read_p("LABEL", parse::any), Some(String::from("Burst 1")));
        assert!(a.complete().is_ok());
    }

    #[test]
    fn bare_uppercase_word() {
        // Read positionally, a bare word is a value (Print(OK)).
        let mut a = Args::new("OK");
        assert_eq!(a.read_p("LABEL", parse::word), Some(String::from("OK")));
        assert!(a.complete().is_ok());
        let mut a = Args::new("LABEL");
        assert_eq!(a.read_p("LABEL", parse::word), Some(String::from("LABEL")));
        assert!(a.complete().is_ok());
        // Read as a keyword, it is that keyword with an empty value.
        let mut a = Args::new("ACTIVE");
        assert_eq!(a.read("ACTIVE", parse::boolean), None);
        let e = a.complete().unwrap_err().0;
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].message, "ACTIVE: expected boolean, found \"\"");
        assert_eq!(e[0].span, Some(0..6));
    }

    #[test]
    fn mandatory_positional_takes_keyword_shaped_argument() {
        // As in Click: a missing mandatory positional takes the next
        // argument even when it looks like `KEYWORD value`.
        let mut a = Args::new("SRC 1");
        assert_eq!(
            a.read_mp("PATTERN", parse::any),
            Some(String::from("SRC 1"))
        );
        assert!(a.complete().is_ok());
        // An optional one does not.
        let mut a = Args::new("SRC 1");
        assert_eq!(a.read_p("PATTERN", parse::any), None);
        assert!(a.complete().is_err());
    }

    #[test]
    fn value_spans() {
        let c = "// note, here\n  BURST /* c */ 5x";
        let mut a = Args::new(c);
        assert_eq!(a.read("BURST", parse::unsigned::<u32>), None);
        let e = a.complete().unwrap_err().0;
        assert_eq!(&c[e[0].span.clone().unwrap()], "5x");
        assert_eq!(
            e[0].message,
            "BURST: expected unsigned integer, found \"5x\""
        );

        let c = "x,\n  CAPACITY   300";
        let mut a = Args::new(c);
        a.read_p("LABEL", parse::any);
        assert_eq!(a.read("CAPACITY", parse::unsigned::<u8>), None);
        let e = a.complete().unwrap_err().0;
        assert_eq!(&c[e[0].span.clone().unwrap()], "300");
        assert!(e[0]
            .message
            .contains("300 is out of range for an 8-bit value"));

        let c = "  10.0.0.300 ";
        let mut a = Args::new(c);
        assert_eq!(a.read_mp("ADDR", parse::ipv4), None);
        let e = a.complete().unwrap_err().0;
        assert_eq!(e[0].span, Some(2..12));
        assert_eq!(
            e[0].hint.as_deref(),
            Some("an IPv4 address looks like 10.0.0.1")
        );
    }

    #[test]
    fn missing_mandatory() {
        let mut a = Args::new("");
        assert_eq!(a.read_mp("CAPACITY", parse::unsigned::<u32>), None);
        assert_eq!(a.read_m("LIMIT", parse::unsigned::<u32>), None);
        let e = a.complete().unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].message, "CAPACITY: missing mandatory argument");
        assert_eq!(e[0].span, None);
        assert_eq!(e[1].message, "LIMIT: missing mandatory argument");
        // A mandatory keyword is not filled positionally.
        let mut a = Args::new("5");
        assert_eq!(a.read_m("LIMIT", parse::unsigned::<u32>), None);
        let e = a.complete().unwrap_err().0;
        assert_eq!(e.len(), 2, "{e:?}"); // too many + missing
    }

    #[test]
    fn unknown_keyword_hint() {
        let c = "CAPACTY 10";
        let mut a = Args::new(c);
        a.read_p("CAPACITY", parse::unsigned::<u32>);
        a.read("BURST", parse::unsigned::<u32>);
        let e = a.complete().unwrap_err().0;
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].message, "CAPACTY: unknown keyword");
        assert_eq!(e[0].span, Some(0..7));
        assert_eq!(e[0].hint.as_deref(), Some("did you mean `CAPACITY`?"));

        let mut a = Args::new("ZZZ 1");
        a.read("BURST", parse::unsigned::<u32>);
        a.read("RATE", parse::unsigned::<u32>);
        let e = a.complete().unwrap_err().0;
        assert_eq!(e[0].hint.as_deref(), Some("this element reads BURST, RATE"));

        let e = Args::new("ZZZ 1").complete().unwrap_err().0;
        assert_eq!(
            e[0].hint.as_deref(),
            Some("this element takes no keyword arguments")
        );
    }

    #[test]
    fn too_many() {
        let c = "1, 2, 3";
        let mut a = Args::new(c);
        assert_eq!(a.read_p("A", parse::unsigned::<u32>), Some(1));
        let e = a.complete().unwrap_err().0;
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].message, "too many arguments (2 extra)");
        assert_eq!(e[0].span, Some(3..4));
        assert!(e[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("positional arguments are A"));
    }

    #[test]
    fn many_errors_at_once() {
        let c = "x, BURST y, COLOUR 3, 4";
        let mut a = Args::new(c);
        assert_eq!(a.read_mp("CAPACITY", parse::unsigned::<u32>), None);
        assert_eq!(a.read("BURST", parse::unsigned::<u32>), None);
        assert_eq!(a.read("COLOR", parse::word), None);
        a.read_m("RATE", parse::bandwidth);
        assert_eq!(a.span_of("BURST"), Some(9..10));
        assert_eq!(a.span_of("CAPACITY"), Some(0..1));
        assert_eq!(a.span_of("RATE"), None);
        a.error(ConfigError::new(None, "LIMIT must be at least BURST"));
        let errs = a.complete().unwrap_err();
        let e = &errs.0;
        let spans: Vec<Option<&str>> = e.iter().map(|e| e.span.clone().map(|s| &c[s])).collect();
        assert_eq!(
            spans,
            [Some("x"), Some("y"), None, Some("COLOUR"), Some("4"), None]
        );
        assert_eq!(e[3].hint.as_deref(), Some("did you mean `COLOR`?"));
        assert_eq!(e[5].message, "RATE: missing mandatory argument");
        let shown = format!("{errs}");
        assert_eq!(shown.lines().count(), 6);
        assert!(shown.starts_with("CAPACITY: expected unsigned integer, found \"x\" (at 0..1)"));
    }

    #[test]
    fn read_all_and_rest() {
        let c = "allow tcp, deny all, PORT 1, PORT x, PORT 3, LIMIT 2";
        let mut a = Args::new(c);
        assert_eq!(a.read_all("PORT", parse::unsigned::<u16>), [1, 3]);
        let rest = a.rest();
        assert_eq!(
            rest.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(),
            ["allow tcp", "deny all"]
        );
        assert_eq!(&c[rest[1].span.clone()], "deny all");
        assert!(a.has("LIMIT"));
        assert_eq!(a.read("LIMIT", parse::unsigned::<u8>), Some(2));
        assert!(!a.has("LIMIT"));
        let e = a.complete().unwrap_err().0;
        assert_eq!(e.len(), 1);
        assert_eq!(&c[e[0].span.clone().unwrap()], "x");
        // rest after positional reads takes only what is left.
        let mut a = Args::new("eth0, a, b");
        a.read_mp("DEV", parse::word);
        assert_eq!(a.rest().len(), 2);
        assert!(a.complete().is_ok());
    }

    #[test]
    fn closures_as_parsers() {
        let mut a = Args::new("MODE fast");
        let m = a.read("MODE", |s| match s {
            "fast" | "slow" => Ok(s.len()),
            _ => Err(ParseError::expected("fast or slow", s)),
        });
        assert_eq!(m, Some(4));
        assert!(a.complete().is_ok());
    }

    #[test]
    fn display() {
        let p = ParseError::expected("boolean", "x").with_hint("use true or false");
        assert_eq!(
            format!("{p}"),
            "expected boolean, found \"x\" (hint: use true or false)"
        );
        let c = ConfigError::new(Some(1..2), "A: bad").with_hint("fix it");
        assert_eq!(format!("{c}"), "A: bad (at 1..2); hint: fix it");
        let errs: ConfigErrors = c.into();
        assert_eq!(errs.0.len(), 1);
        let e: &dyn core::error::Error = &errs;
        assert_eq!(format!("{e}"), "A: bad (at 1..2); hint: fix it");
    }

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("", ""), 0);
        assert_eq!(levenshtein("abc", ""), 3);
        assert_eq!(levenshtein("", "ab"), 2);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("CAPACTY", "CAPACITY"), 1);
        assert_eq!(levenshtein("BURTS", "BURST"), 2);
        assert_eq!(levenshtein("é", "e"), 1);
    }

    #[test]
    fn never_panics_on_noise() {
        // Deterministic pseudo-random strings over the awkward characters.
        let alphabet: Vec<char> = "aZ09 ,\"'\\<>/*()[]{}\n\r\t.:-xÿé_B".chars().collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let len = (seed % 12) as usize;
            let mut s = String::new();
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            check_spans(&s);
            let _ = split_words(&s);
            let _ = unquote(&s);
            let mut a = Args::new(&s);
            let _ = a.read_p("A", parse::data);
            let _ = a.read("B", parse::string);
            let _ = a.rest();
            let _ = a.complete();
        }
    }
}
