//! The Click configuration language front end of nfc.
//!
//! A configuration goes through four stages, one module each:
//!
//! 1. [`parser`]: text → [`ast::File`] with the pest grammar `click.pest`;
//!    every node keeps its byte span.
//! 2. [`expand`]: names resolved to elements or classes, `define`s and
//!    `$variables` expanded, compound classes instantiated and flattened →
//!    [`graph::Graph`].
//! 3. [`check`]: the graph against an element [`registry::Registry`] handed
//!    in by the caller — classes, configurations, port counts,
//!    push/pull/agnostic resolution — giving each port its processing.
//! 4. [`export`]: the graph as flattened Click text, Graphviz DOT or JSON.
//!
//! Problems are [`diag::Diagnostic`]s with spans, rendered with file, line,
//! column, a caret line and a hint. Every problem of a configuration is
//! reported in one run, except that a syntax error stops the run.
//!
//! This crate depends on no runtime crate: the registry comes in as a trait
//! object, so `nfc check --syntax` can run with none at all.
#![forbid(unsafe_code)]

pub mod ast;
pub mod check;
pub mod diag;
pub mod expand;
pub mod export;
pub mod graph;
pub mod parser;
pub mod print;
pub mod registry;

pub use check::{PortInfo, PortRange, Processing};
pub use diag::{Diagnostic, Severity, Source};
pub use graph::Graph;
pub use registry::{ClassInfo, ConfigIssue, ConfigPorts, Registry};

use std::ops::Range;

/// The result of reading a configuration.
#[derive(Debug)]
pub struct Outcome {
    /// The flattened graph, unless a syntax error stopped the run.
    pub graph: Option<Graph>,
    /// The processing of every element's ports, when a registry checked it.
    pub ports: Option<Vec<PortInfo>>,
    /// Every problem found, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Outcome {
    /// True when no diagnostic is an error.
    pub fn ok(&self) -> bool {
        self.diagnostics
            .iter()
            .all(|d| d.severity != Severity::Error)
    }
}

/// Parses, expands and (given a registry) checks one configuration.
///
/// `defines` are `-D NAME=VALUE` overrides. With `registry` = `None` only the
/// language is checked (`nfc check --syntax`): any class name is accepted.
pub fn load(
    source: &Source,
    defines: &[(String, String)],
    registry: Option<&dyn Registry>,
) -> Outcome {
    let file = match parser::parse(&source.text) {
        Ok(f) => f,
        Err(d) => {
            return Outcome {
                graph: None,
                ports: None,
                diagnostics: vec![*d],
            }
        }
    };
    let mut diagnostics = Vec::new();
    let graph = expand::expand(&file, defines, registry, &mut diagnostics);
    let ports = registry.map(|r| check::check(&graph, r, &mut diagnostics));
    diagnostics.sort_by_key(|d| d.primary.as_ref().map(|p| p.span.start));
    // A compound class instantiated twice reports its own problems once.
    let mut unique: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        if !unique.contains(&d) {
            unique.push(d);
        }
    }
    let diagnostics = unique;
    Outcome {
        graph: Some(graph),
        ports,
        diagnostics,
    }
}

/// Splits a config string into Click arguments (Click's `cp_argvec`):
/// commas at depth 0 separate; commas inside quotes, `\<…>`, brackets and
/// comments do not. Returns each argument's byte range, untrimmed; a final
/// empty argument is dropped and an all-blank string has none.
///
/// The dataplane has its own splitter for elements; this one serves the
/// language (compound-class arguments, `define`), which must not depend on
/// a runtime crate.
pub fn split_args(s: &str) -> Vec<Range<usize>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut depth, mut i) = (0, 0i32, 0);
    while i < b.len() {
        match b[i] {
            b'\\' if b.get(i + 1) == Some(&b'<') => i = skip_until(b, i + 2, b">"),
            b'\\' => i += 1,
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' => i = skip_until(b, i + 1, b"'"),
            b'/' if b.get(i + 1) == Some(&b'/') => i = skip_until(b, i, b"\n"),
            b'/' if b.get(i + 1) == Some(&b'*') => i = skip_until(b, i + 2, b"*/") + 1,
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth <= 0 => {
                out.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let last = start.min(s.len())..s.len();
    if !s[last.clone()].trim().is_empty() {
        out.push(last);
    }
    out
}

/// The index of the last byte of the first `end` at or after `from`, or the
/// end of `b`.
fn skip_until(b: &[u8], from: usize, end: &[u8]) -> usize {
    let mut i = from;
    while i + end.len() <= b.len() {
        if &b[i..i + end.len()] == end {
            return i + end.len() - 1;
        }
        i += 1;
    }
    b.len()
}

/// The candidate closest to `name` by edit distance, if any is close enough
/// to be a likely typo.
pub fn suggest<'c>(name: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .filter(|c| !c.is_empty() && *c != name)
        .map(|c| (strsim::levenshtein(&lower, &c.to_ascii_lowercase()), c))
        .filter(|&(d, c)| d <= (name.len().max(c.len()) / 3).max(1))
        .min_by_key(|&(d, c)| (d, c.len()))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<&str> {
        split_args(s).into_iter().map(|r| s[r].trim()).collect()
    }

    #[test]
    fn splits_like_click() {
        assert_eq!(args(""), Vec::<&str>::new());
        assert_eq!(args("  "), Vec::<&str>::new());
        assert_eq!(args("a"), ["a"]);
        assert_eq!(args("a,"), ["a"]);
        assert_eq!(args("a,,b"), ["a", "", "b"]);
        assert_eq!(
            args("\"x,y\", 'p,q', \\<0a,0b>, f(1,2) // c,d\n, z"),
            ["\"x,y\"", "'p,q'", "\\<0a,0b>", "f(1,2) // c,d", "z"]
        );
        assert_eq!(args("a /* , */ b, c"), ["a /* , */ b", "c"]);
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["Counter", "Queue", "Classifier", "IPClassifier"];
        assert_eq!(suggest("Countr", names.iter().copied()), Some("Counter"));
        assert_eq!(suggest("counter", names.iter().copied()), Some("Counter"));
        assert_eq!(
            suggest("IPClasifier", names.iter().copied()),
            Some("IPClassifier")
        );
        assert_eq!(suggest("Zebra", names.iter().copied()), None);
    }
}
