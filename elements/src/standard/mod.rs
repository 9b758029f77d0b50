//! Elements of the `standard` group: sources and sinks, queues and
//! schedulers, switches, classifiers, annotations and control elements.
//!
//! This module also holds small helpers the `standard`, `devices` and
//! `ethernet` groups share while parsing configurations.

use core::ops::Range;

use alloc::string::String;
use alloc::vec::Vec;
use nfc_dataplane::args::{Arg, ConfigError};

use crate::ElementSpec;

pub mod address_info;
pub mod align;
pub mod average_counter;
pub mod bandwidth_rated_splitter;
pub mod bandwidth_rated_unqueue;
pub mod bandwidth_shaper;
pub mod bypass;
pub mod check_paint;
pub mod classifier;
mod classifier_program;
pub mod clipboard;
pub mod control_protocol;
pub mod control_socket;
pub mod counter;
pub mod delay_shaper;
pub mod discard;
pub mod driver_manager;
pub mod drop_broadcasts;
pub mod front_drop_queue;
pub mod full_note_queue;
pub mod hash_switch;
pub mod hub;
pub mod idle;
pub mod infinite_source;
pub mod input_switch;
pub mod link_unqueue;
pub mod mark_mac_header;
pub mod meter;
pub mod mixed_queue;
pub mod notifier_queue;
pub mod null;
pub mod pad;
pub mod paint;
pub mod paint_switch;
pub mod paint_tee;
pub mod print;
pub mod prio_sched;
pub mod pull_null;
pub mod pull_switch;
#[cfg(test)]
mod pull_testing;
pub mod push_null;
pub mod queue;
pub mod random_sample;
pub mod rated_source;
pub mod rated_splitter;
pub mod rated_unqueue;
pub mod resize;
pub mod round_robin_sched;
pub mod round_robin_switch;
pub mod schedule_info;
pub mod script;
mod script_runner;
pub mod set_timestamp;
pub mod set_timestamp_delta;
pub mod shaper;
pub mod simple_pull_switch;
pub mod simple_queue;
pub mod static_switch;
pub mod stride_sched;
pub mod strip;
pub mod strip_to_network_header;
pub mod switch;
pub mod tee;
pub mod time_sorted_sched;
pub mod timed_sink;
pub mod timed_source;
pub mod truncate;
pub mod unqueue;
pub mod unstrip;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[
    &infinite_source::SPEC,
    &rated_source::SPEC,
    &timed_source::SPEC,
    &idle::SPEC,
    &discard::SPEC,
    &counter::SPEC,
    &average_counter::SPEC,
    &queue::SPEC,
    &simple_queue::SPEC,
    &unqueue::SPEC,
    &tee::SPEC,
    &classifier::SPEC,
    &strip::SPEC,
    &unstrip::SPEC,
    &strip_to_network_header::SPEC,
    &paint::SPEC,
    &paint_switch::SPEC,
    &paint_tee::SPEC,
    &check_paint::SPEC,
    &drop_broadcasts::SPEC,
    &switch::SPEC,
    &static_switch::SPEC,
    &hash_switch::SPEC,
    &round_robin_switch::SPEC,
    &round_robin_sched::SPEC,
    &prio_sched::SPEC,
    &rated_splitter::SPEC,
    &bandwidth_rated_splitter::SPEC,
    &rated_unqueue::SPEC,
    &bandwidth_rated_unqueue::SPEC,
    &meter::SPEC,
    &truncate::SPEC,
    &resize::SPEC,
    &clipboard::SPEC,
    &align::SPEC,
    &mark_mac_header::SPEC,
    &random_sample::SPEC,
    &pad::SPEC,
    &set_timestamp::SPEC,
    &set_timestamp_delta::SPEC,
    &link_unqueue::SPEC,
    &delay_shaper::SPEC,
    &shaper::SPEC,
    &bandwidth_shaper::SPEC,
    &timed_sink::SPEC,
    &print::SPEC,
    &null::SPEC,
    &address_info::SPEC,
    &script::SPEC,
    &driver_manager::SPEC,
    &control_socket::SPEC,
    &full_note_queue::SPEC,
    &notifier_queue::SPEC,
    &front_drop_queue::SPEC,
    &mixed_queue::SPEC,
    &stride_sched::SPEC,
    &time_sorted_sched::SPEC,
    &pull_switch::SPEC,
    &simple_pull_switch::SPEC,
    &input_switch::SPEC,
    &bypass::SPEC,
    &hub::SPEC,
    &push_null::SPEC,
    &pull_null::SPEC,
    &schedule_info::SPEC,
];

/// A configuration error with a span and no hint.
pub(crate) fn error(span: Range<usize>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        span: Some(span),
        message: message.into(),
        hint: None,
    }
}

/// A configuration error with a span and a hint.
pub(crate) fn error_hint(
    span: Range<usize>,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> ConfigError {
    ConfigError {
        span: Some(span),
        message: message.into(),
        hint: Some(hint.into()),
    }
}

/// The whitespace-separated words of `text`, each with its byte offset.
///
/// Double- and single-quoted strings and `\<…>` hex blocks stay inside one
/// word, as Click's `cp_spacevec` keeps them.
pub(crate) fn words(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            match bytes[i] {
                b'"' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
                b'\'' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'\'' {
                        i += 1;
                    }
                    i += 1;
                }
                b'\\' if bytes.get(i + 1) == Some(&b'<') => {
                    while i < bytes.len() && bytes[i] != b'>' {
                        i += 1;
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        let end = i.min(bytes.len());
        // Quotes hold only ASCII delimiters, so `start..end` falls on
        // character boundaries; `get` keeps this panic-free regardless.
        if let Some(word) = text.get(start..end) {
            out.push((start, word));
        }
    }
    out
}

/// The span, inside the configuration string, of bytes `range` of `arg`'s
/// text. When the argument's text is not a verbatim slice of the
/// configuration (a comment was removed from its middle), the whole
/// argument's span is returned instead.
pub(crate) fn sub_span(config: &str, arg: &Arg, range: Range<usize>) -> Range<usize> {
    if config.get(arg.span.clone()) == Some(arg.text.as_str()) && range.end <= arg.text.len() {
        arg.span.start + range.start..arg.span.start + range.end
    } else {
        arg.span.clone()
    }
}

/// Test helpers shared by this crate's element tests.
#[cfg(test)]
pub(crate) mod testing {
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    use core::fmt::Debug;
    use nfc_dataplane::args::ConfigErrors;

    /// The `(message, spanned text)` of every error `result` holds; panics
    /// (this is test code) when `result` is `Ok`.
    pub(crate) fn errors<T: Debug>(
        config: &str,
        result: Result<T, ConfigErrors>,
    ) -> Vec<(String, String)> {
        let errs = result.expect_err("configuration should have been rejected");
        errs.0
            .iter()
            .map(|e| {
                let text = e
                    .span
                    .clone()
                    .and_then(|s| config.get(s))
                    .unwrap_or("<no span>");
                (e.message.clone(), text.to_string())
            })
            .collect()
    }

    /// True when some error's message contains `needle` and its span covers
    /// exactly `spanned`.
    pub(crate) fn has(errs: &[(String, String)], needle: &str, spanned: &str) -> bool {
        errs.iter().any(|(m, s)| m.contains(needle) && s == spanned)
    }
}

/// Checks over every spec of the groups this module helps (`standard`,
/// `devices`, `ethernet`).
#[cfg(test)]
mod spec_tests {
    use crate::ElementSpec;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn specs() -> impl Iterator<Item = &'static ElementSpec> {
        super::SPECS
            .iter()
            .chain(crate::devices::SPECS)
            .chain(crate::ethernet::SPECS)
            .copied()
    }

    #[test]
    fn manuals_and_specs_are_consistent() {
        let mut seen = Vec::new();
        for s in specs() {
            assert!(!seen.contains(&s.class), "{} listed twice", s.class);
            seen.push(s.class);
            let manual: Vec<&str> = s.manual().collect();
            let title = format!("# {} — {}", s.class, s.summary);
            assert_eq!(manual.first().copied(), Some(title.as_str()), "{}", s.class);
            for section in [
                "## Keywords",
                "## Handlers",
                "## Examples",
                "## Differences from Click",
            ] {
                assert!(manual.contains(&section), "{} lacks {section}", s.class);
            }
            let names_type = |decl: &str| {
                s.source.match_indices(decl).any(|(i, _)| {
                    let next = s.source[i + decl.len()..].chars().next();
                    !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
                })
            };
            assert!(
                names_type(&format!("pub struct {}", s.class))
                    || names_type(&format!("pub type {}", s.class)),
                "{} has no type named after it",
                s.class
            );
            for kw in s.keywords {
                assert!(
                    manual.iter().any(|l| l.contains(&format!("`{kw}`"))),
                    "{}: keyword {kw} is not documented",
                    s.class
                );
            }
            for h in s.handlers {
                assert!(
                    h.ends_with(" (read)")
                        || h.ends_with(" (write)")
                        || h.ends_with(" (read/write)")
                        || h.ends_with(" (private)"),
                    "{}: bad handler {h}",
                    s.class
                );
            }
        }
    }

    /// Arbitrary input never panics any `configure`.
    #[test]
    fn configure_never_panics() {
        const PIECES: &[&str] = &[
            ",",
            " ",
            "\"",
            "'",
            "\\<",
            ">",
            "(",
            ")",
            "/",
            "%",
            "!",
            "?",
            "-",
            "//",
            "/*",
            "*/",
            "\n",
            "é",
            "€",
            "0",
            "12",
            "0x",
            "ff",
            "65536",
            "-1",
            "10.0.0.1",
            "/24",
            ":",
            "00:11:22:33:44:55",
            "TYPE",
            "BURST",
            "LIMIT",
            "ETH",
            "IP",
            "wait",
            "goto",
            "label",
            "true",
            "1s",
            "TCP",
            "UNIX",
            "eth0",
            "12/0800",
            "SIGNAL",
            "START",
            "END",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let mut cfg = String::new();
            for _ in 0..(next() % 12) {
                let i = usize::try_from(next() % PIECES.len() as u64).unwrap_or(0);
                cfg.push_str(PIECES[i]);
            }
            for s in specs() {
                let _ = (s.check)(&cfg);
            }
        }
    }
}
