//! The flattened element graph: element instances, ports and connections.
//!
//! Produced by [`crate::expand`] after compound classes and `$variables`
//! are expanded; checked by [`crate::check`]; exported by [`crate::export`].

use crate::ast::Span;
use std::ops::Range;

/// Text produced by expansion, remembering where each byte came from so a
/// problem found in the expanded text can be shown in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// The text.
    pub text: String,
    map: TextMap,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum TextMap {
    /// Byte `i` came from source byte `start + i`.
    Literal(usize),
    /// Byte `i` came from `spans[i]`.
    Bytes(Vec<Span>),
    /// The text has no source (a `-D NAME=VALUE` from the command line):
    /// every byte maps to the `$NAME` that used it.
    Synthetic,
}

impl Text {
    /// Text written at `span` in the source.
    pub fn literal(text: &str, span: Span) -> Text {
        Text {
            text: text.to_string(),
            map: TextMap::Literal(span.start),
        }
    }

    /// Text that comes from outside the source (the command line).
    pub fn synthetic(text: &str) -> Text {
        Text {
            text: text.to_string(),
            map: TextMap::Synthetic,
        }
    }

    /// An empty text.
    pub fn empty() -> Text {
        Text {
            text: String::new(),
            map: TextMap::Bytes(Vec::new()),
        }
    }

    /// Where byte `i` came from; `fallback` for synthetic text.
    fn byte_span(&self, i: usize, fallback: Span) -> Span {
        match &self.map {
            TextMap::Literal(start) => Span::new(start + i, start + i + 1),
            TextMap::Bytes(v) => v.get(i).copied().unwrap_or(fallback),
            TextMap::Synthetic => fallback,
        }
    }

    /// The source span of `range` of this text; `fallback` where the bytes
    /// have no source.
    pub fn source_span(&self, range: Range<usize>, fallback: Span) -> Span {
        match &self.map {
            TextMap::Literal(start) => Span::new(start + range.start, start + range.end),
            TextMap::Synthetic => fallback,
            TextMap::Bytes(v) if v.is_empty() => fallback,
            TextMap::Bytes(_) => {
                let first =
                    self.byte_span(range.start.min(self.text.len().saturating_sub(1)), fallback);
                if range.end <= range.start + 1 {
                    return first;
                }
                let last = self.byte_span(range.end - 1, fallback);
                if last.end >= first.start {
                    Span::new(first.start, last.end)
                } else {
                    first
                }
            }
        }
    }

    /// The sub-text `range`, keeping its origins.
    pub fn slice(&self, range: Range<usize>, fallback: Span) -> Text {
        let text = self.text[range.clone()].to_string();
        let map = match &self.map {
            TextMap::Literal(start) => TextMap::Literal(start + range.start),
            TextMap::Synthetic => TextMap::Synthetic,
            TextMap::Bytes(_) => {
                TextMap::Bytes(range.map(|i| self.byte_span(i, fallback)).collect())
            }
        };
        Text { text, map }
    }
}

/// Builds a [`Text`] piece by piece.
#[derive(Debug, Default)]
pub(crate) struct TextBuilder {
    text: String,
    spans: Vec<Span>,
}

impl TextBuilder {
    /// Appends `range` of `from`; synthetic bytes map to `fallback`.
    pub(crate) fn push(&mut self, from: &Text, range: Range<usize>, fallback: Span) {
        for i in range.clone() {
            self.spans.push(from.byte_span(i, fallback));
        }
        self.text.push_str(&from.text[range]);
    }

    /// Appends all of `from`.
    pub(crate) fn push_all(&mut self, from: &Text, fallback: Span) {
        self.push(from, 0..from.text.len(), fallback);
    }

    /// The finished text.
    pub(crate) fn finish(self) -> Text {
        Text {
            text: self.text,
            map: TextMap::Bytes(self.spans),
        }
    }
}

/// One element instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    /// Its flattened name (`outer/inner`, `Counter@2`).
    pub name: String,
    /// Its class.
    pub class: String,
    /// Its configuration string, expanded.
    pub config: Text,
    /// Where it was written: the class name of a declaration or anonymous use.
    pub span: Span,
    /// The compound-element uses it was expanded from, outermost first.
    pub context: Vec<Span>,
    /// Set when the class is unknown (already reported); checks skip it.
    pub unknown_class: bool,
}

/// One end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port {
    /// Index into [`Graph::elements`].
    pub element: usize,
    /// Port number.
    pub port: u32,
}

/// A connection from an output port to an input port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Connection {
    /// The output end.
    pub from: Port,
    /// The input end.
    pub to: Port,
    /// The arrow that made it.
    pub span: Span,
}

/// The flattened configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    /// Elements in declaration order.
    pub elements: Vec<Element>,
    /// Connections in the order written (after expansion).
    pub connections: Vec<Connection>,
    /// The arguments of every `require(...)`.
    pub requirements: Vec<String>,
}
