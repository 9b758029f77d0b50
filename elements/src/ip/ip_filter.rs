//! # IPFilter — filters IP packets by contents
//!
//! ```click
//! IPFilter(ACTION_1 PATTERN_1, ..., ACTION_N PATTERN_N)
//! ```
//!
//! Ports: 1 input, any number of outputs (`1/-`). Processing: push (`h/h`).
//!
//! Each argument is a rule: an ACTION followed by a PATTERN in
//! IPClassifier's language (see IPClassifier). Packets are checked against
//! the rules in order; the first matching rule decides. ACTION is `allow`
//! (send to output 0), `drop` or `deny` (drop the packet), or an output
//! number. A rule with no pattern, or with `-`, `any` or `all`, matches
//! every packet; packets that match no rule are dropped. Input packets must
//! have their IP header annotation set (CheckIPHeader or MarkIPHeader).
//!
//! ## Handlers
//! - `program` (read) — the compiled classification program.
//!
//! ## Examples
//! ```click
//! IPFilter(allow src 10.0.0.0/8 && tcp && dst port > 1023 && ack,
//!          allow dst port ssh,
//!          1 icmp type echo,
//!          deny all);
//! ```
//!
//! ## Differences from Click
//! - As for IPClassifier: no AddressInfo names or `/etc/services` names.
//! - Click's `deny` warns on elements with several outputs; nfc treats it
//!   as `drop` silently.

use alloc::vec::Vec;

use nfc_dataplane::args::{split, ConfigErrors};

use super::ip_classifier_expr::{parse_rule, Action, Expr};
use crate::{ElementSpec, Ports};

/// IPFilter's configuration: its rules, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPFilter {
    /// `(action, pattern)` pairs; the first matching pattern wins.
    pub rules: Vec<(Action, Expr)>,
}

impl IPFilter {
    /// Parses `ACTION PATTERN, ...`, reporting every bad rule.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for arg in split(config) {
            match parse_rule(&arg, config) {
                Ok(r) => rules.push(r),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(IPFilter { rules })
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// The smallest number of outputs the rules need (largest output
    /// number used plus one).
    pub fn min_noutputs(&self) -> usize {
        self.rules
            .iter()
            .filter_map(|(a, _)| match a {
                Action::Output(n) => Some(*n as usize + 1),
                Action::Drop => None,
            })
            .max()
            .unwrap_or(0)
    }
}

/// IPFilter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPFilter",
    port_count: "1/-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["program (read)"],
    summary: "filters IP packets by contents",
    source: include_str!("ip_filter.rs"),
    check: |c| {
        IPFilter::configure(c)
            .map(|f| Ports::outputs_at_least(f.min_noutputs(), "up to the highest output a rule names"))
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firewall_rules() {
        let cfg = "// Spoof-1:\n deny src 10.0.0.0/8,\n \
                   allow src 1.2.3.4 && dst 10.0.0.0/8 && tcp && src port www && dst port > 1023 && ack,\n \
                   allow dst 10.0.0.0/8 && udp && src port 53 && dst port 53,\n \
                   2 icmp type echo-reply,\n deny all";
        let f = IPFilter::configure(cfg).unwrap();
        assert_eq!(f.rules.len(), 5);
        assert_eq!(f.rules[0].0, Action::Drop);
        assert_eq!(f.rules[1].0, Action::Output(0));
        assert_eq!(f.rules[4], (Action::Drop, Expr::True));
        assert_eq!(f.min_noutputs(), 3);
    }

    #[test]
    fn bad_rules() {
        let cfg = "allow tcp, permit udp, allow src port, drop";
        let e = IPFilter::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].message, "unknown action 'permit'");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "permit");
        assert_eq!(e[1].message, "'port' needs a port number or name");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "src port");
        let e = IPFilter::configure("allow tcp,,drop").unwrap_err().0;
        assert_eq!(e[0].message, "empty rule");
    }
}
