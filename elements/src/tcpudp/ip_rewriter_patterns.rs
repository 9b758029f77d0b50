//! # IPRewriterPatterns — specifies shared IPRewriter patterns
//!
//! ```click
//! IPRewriterPatterns(NAME SADDR SPORT DADDR DPORT, ...)
//! ```
//!
//! Ports: none (`0/0`). Processing: none; an information element.
//!
//! Defines named rewrite patterns that IPRewriter-family input specs use as
//! `pattern NAME FOUTPUT ROUTPUT`, in any rewriter of the configuration.
//! Rewriters that name the same pattern share its in-order (`#`)
//! allocation. Each argument is a name followed by a pattern in
//! IPRewriter's syntax (`SADDR SPORT DADDR DPORT`, or `SADDR DADDR`).
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! IPRewriterPatterns(to_world 192.0.2.1 1024-65535 - -);
//! rw :: IPRewriter(pattern to_world 0 1, drop);
//! ```
//!
//! ## Differences from Click
//! - A pattern name that no IPRewriterPatterns defines is reported when the
//!   configuration is linked (it runs), not by `nfc check`.

use alloc::rc::Rc;
use alloc::{format, string::String, vec::Vec};

use nfc_dataplane::args::{split, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Element, Shared};

use super::rewriter::{Alloc, PatternSet};
use super::rewriter_input_spec::{parse_named_pattern, Pattern};

use crate::{ElementSpec, Ports};

/// IPRewriterPatterns: its patterns, lent to the rewriters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPRewriterPatterns {
    /// The patterns, each with its allocation cursor.
    pub set: Rc<PatternSet>,
}

/// Parses `NAME PATTERN, ...`, reporting every error.
fn patterns(config: &str) -> Result<Vec<(String, Pattern)>, ConfigErrors> {
    let mut patterns: Vec<(String, Pattern)> = Vec::new();
    let mut errors = Vec::new();
    for arg in split(config) {
        match parse_named_pattern(&arg, config) {
            Ok((name, _)) if patterns.iter().any(|(n, _)| *n == name) => {
                errors.push(ConfigError::new(
                    Some(arg.span.clone()),
                    format!("pattern '{name}' defined twice"),
                ))
            }
            Ok(p) => patterns.push(p),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(patterns)
    } else {
        Err(ConfigErrors(errors))
    }
}

impl IPRewriterPatterns {
    /// Parses `NAME PATTERN, ...`, reporting every error.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let patterns = patterns(config)?
            .into_iter()
            .map(|(n, p)| (n, Alloc::new(p)))
            .collect();
        Ok(IPRewriterPatterns {
            set: Rc::new(PatternSet { patterns }),
        })
    }
}

impl Element for IPRewriterPatterns {
    fn shared(&self) -> Option<Shared> {
        Some(Rc::new(self.set.clone()))
    }
}

/// IPRewriterPatterns's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPRewriterPatterns",
    port_count: "0/0",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "specifies shared IPRewriter patterns",
    source: include_str!("ip_rewriter_patterns.rs"),
    check: |c| patterns(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = IPRewriterPatterns::configure("a 1.0.0.1 1024-65535 - -, b 2.0.0.1 - 0 0 x")
            .unwrap_err();
        assert_eq!(c.0.len(), 1);
        let c = IPRewriterPatterns::configure("a 1.0.0.1 1024-65535 - -, b 2.0.0.1 -").unwrap();
        assert_eq!(c.set.patterns.len(), 2);
        assert!(!c.set.patterns[1].1.pattern.napt);
        let cfg = "a 1.0.0.1 1024 - -, a 1.0.0.2 1024 - -, c 1.0.0.300 1 - -";
        let e = IPRewriterPatterns::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].message, "pattern 'a' defined twice");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "1.0.0.300");
    }
}
