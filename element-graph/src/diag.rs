//! Diagnostics: a message, the span it is about, and a hint — rendered with
//! file, line and column and a caret line under the source.

use crate::ast::Span;
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The configuration cannot run.
    Error,
    /// The configuration runs, but probably not as meant.
    Warning,
}

/// A span with a short message under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// What is underlined.
    pub span: Span,
    /// The text under the underline (may be empty).
    pub message: String,
}

/// One finding about a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The one-line message.
    pub message: String,
    /// The main span, underlined with carets.
    pub primary: Option<Label>,
    /// Related spans ("previously declared here").
    pub secondary: Vec<Label>,
    /// A hint: how to fix it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error about `span`.
    pub fn error(message: impl Into<String>, span: Span, label: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            primary: Some(Label {
                span,
                message: label.into(),
            }),
            secondary: Vec::new(),
            hint: None,
        }
    }

    /// An error about the configuration as a whole.
    pub fn global(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            hint: None,
        }
    }

    /// This diagnostic as a warning.
    pub fn warning(mut self) -> Diagnostic {
        self.severity = Severity::Warning;
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_note(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }
}

/// A configuration's text and the name it is reported under.
#[derive(Clone, Debug)]
pub struct Source {
    /// The file name as the user gave it (`-` or `<command line>` when not a file).
    pub name: String,
    /// The whole text.
    pub text: String,
}

impl Source {
    /// A source named `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// The 1-based line and column (in characters) of byte `pos`.
    pub fn line_col(&self, pos: usize) -> (usize, usize) {
        let pos = pos.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, pos)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// Click's landmark for byte `pos`: `FILE:LINE`, where line
    /// directives (`# 12 "file"`, `#line 12 "file"`, as `cpp` writes them)
    /// say which file and line the text came from; before any, the
    /// source's own name and line.
    pub fn landmark(&self, pos: usize) -> String {
        let pos = floor_char_boundary(&self.text, pos.min(self.text.len()));
        let mut file = self.name.as_str();
        let mut line = 1;
        for text in self.text[..pos].split_inclusive('\n') {
            if !text.ends_with('\n') {
                break; // the line `pos` is on
            }
            match line_directive(text) {
                Some((n, name)) => {
                    line = n;
                    if let Some(name) = name {
                        file = name;
                    }
                }
                None => line += 1,
            }
        }
        format!("{file}:{line}")
    }

    /// Renders `diags` as Click's driver prints errors: `FILE:LINE:
    /// message` for each, then one such line for each related span
    /// (`A:2: element 'x' previously declared here`).
    pub fn render_landmarks(&self, diags: &[Diagnostic]) -> String {
        let mut out = String::new();
        for d in diags {
            let warning = if d.severity == Severity::Warning {
                "warning: "
            } else {
                ""
            };
            match &d.primary {
                Some(p) => out.push_str(&format!(
                    "{}: {warning}{}\n",
                    self.landmark(p.span.start),
                    d.message
                )),
                None => out.push_str(&format!("{}: {warning}{}\n", self.name, d.message)),
            }
            for s in d.secondary.iter().filter(|s| !s.message.is_empty()) {
                out.push_str(&format!("{}: {}\n", self.landmark(s.span.start), s.message));
            }
        }
        out
    }

    /// Renders `diags` as a person reads them: `error: …`, `file:line:col`,
    /// the source line with carets, and the hint.
    pub fn render(&self, diags: &[Diagnostic], color: bool) -> String {
        if color {
            let mut out = termcolor::Ansi::new(Vec::new());
            self.emit(&mut out, diags);
            String::from_utf8_lossy(&out.into_inner()).into_owned()
        } else {
            let mut out = termcolor::NoColor::new(Vec::new());
            self.emit(&mut out, diags);
            String::from_utf8_lossy(&out.into_inner()).into_owned()
        }
    }

    fn emit(&self, out: &mut dyn termcolor::WriteColor, diags: &[Diagnostic]) {
        let file = SimpleFile::new(self.name.as_str(), self.text.as_str());
        let config = term::Config::default();
        for d in diags {
            // Writing into memory cannot fail.
            let _ = term::emit(out, &config, &file, &self.to_codespan(d));
        }
    }

    fn to_codespan(&self, d: &Diagnostic) -> CsDiagnostic<()> {
        let clamp = |s: Span| {
            let end = floor_char_boundary(&self.text, s.end.min(self.text.len()));
            let start = floor_char_boundary(&self.text, s.start.min(end));
            start..end
        };
        let mut labels = Vec::new();
        if let Some(p) = &d.primary {
            labels.push(CsLabel::primary((), clamp(p.span)).with_message(&p.message));
        }
        for s in &d.secondary {
            labels.push(CsLabel::secondary((), clamp(s.span)).with_message(&s.message));
        }
        let base = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        };
        let notes = d.hint.iter().map(|h| format!("hint: {h}")).collect();
        base.with_message(&d.message)
            .with_labels(labels)
            .with_notes(notes)
    }
}

/// A line directive's line number and file name: `# 12 "file" 1`,
/// `#line 12 "file"`, `# 12`.
fn line_directive(line: &str) -> Option<(usize, Option<&str>)> {
    let rest = line.trim_start().strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("line").unwrap_or(rest).trim_start();
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let n = rest[..digits].parse().ok()?;
    let name = rest[digits..]
        .trim_start()
        .strip_prefix('"')
        .and_then(|r| r.split_once('"'))
        .map(|(name, _)| name);
    Some((n, name))
}

fn floor_char_boundary(s: &str, mut pos: usize) -> usize {
    while pos > 0 && !s.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}
