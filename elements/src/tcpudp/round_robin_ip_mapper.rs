//! # RoundRobinIPMapper — round-robin mapper for IPRewriter
//!
//! ```click
//! RoundRobinIPMapper(PATTERN1, ..., PATTERNn)
//! ```
//!
//! Ports: none (`0/0`). Processing: none; an information element.
//!
//! An IPMapper for IPRewriter-family input specs (name the element as the
//! spec): each new flow gets the next pattern in turn, so flows spread over
//! several addresses or servers; when a pattern has no free address or
//! port, the next ones are tried. Each argument is `SADDR SPORT DADDR DPORT
//! FOUTPUT ROUTPUT` (or `NAME FOUTPUT ROUTPUT` for an IPRewriterPatterns
//! pattern). Rewriters that name the same mapper share its turn.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! rr :: RoundRobinIPMapper(- - 10.0.0.1 - 0 1, - - 10.0.0.2 - 0 1);
//! IPRewriter(rr)
//! ```
//!
//! ## Differences from Click
//! - A mapper name that is not a RoundRobinIPMapper is reported when the
//!   configuration is linked (it runs), not by `nfc check`.

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::Cell;

use nfc_dataplane::args::{split, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Element, Shared};

use super::rewriter::MapperShare;
use super::rewriter_input_spec::{parse_pattern_with_ports, PatternRef};

use crate::{ElementSpec, Ports};

/// RoundRobinIPMapper: its patterns and turn, lent to the rewriters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRobinIPMapper {
    /// `(pattern, cursor, forward output, reply output)`, used in turn.
    pub share: Rc<MapperShare>,
}

/// Parses the pattern list, reporting every error.
fn patterns(config: &str) -> Result<Vec<(PatternRef, u32, u32)>, ConfigErrors> {
    let mut patterns = Vec::new();
    let mut errors = Vec::new();
    for arg in split(config) {
        match parse_pattern_with_ports(&arg, config) {
            Ok(p) => patterns.push(p),
            Err(e) => errors.push(e),
        }
    }
    if patterns.is_empty() && errors.is_empty() {
        errors.push(ConfigError::new(None, "need at least one pattern"));
    }
    if errors.is_empty() {
        Ok(patterns)
    } else {
        Err(ConfigErrors(errors))
    }
}

impl RoundRobinIPMapper {
    /// Parses the pattern list, reporting every error.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let patterns = patterns(config)?
            .into_iter()
            .map(|(p, f, r)| (p, Rc::new(Cell::new(0)), f, r))
            .collect();
        Ok(RoundRobinIPMapper {
            share: Rc::new(MapperShare {
                patterns,
                next: Rc::new(Cell::new(0)),
            }),
        })
    }
}

impl Element for RoundRobinIPMapper {
    fn shared(&self) -> Option<Shared> {
        Some(Rc::new(self.share.clone()))
    }
}

/// RoundRobinIPMapper's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "RoundRobinIPMapper",
    port_count: "0/0",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "round-robin mapper for IPRewriter",
    source: include_str!("round_robin_ip_mapper.rs"),
    check: |c| patterns(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = RoundRobinIPMapper::configure("- - 10.0.0.1 - 0 1, - - 10.0.0.2 - 0 1").unwrap();
        assert_eq!(c.share.patterns.len(), 2);
        let cfg = "- - 10.0.0.1 - 0 x, - - 10.0.0.2 80";
        let e = RoundRobinIPMapper::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "x");
        assert!(RoundRobinIPMapper::configure("").is_err());
    }
}
