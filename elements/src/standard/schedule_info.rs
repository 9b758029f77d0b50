//! # ScheduleInfo — specifies scheduling parameters
//!
//! ```click
//! ScheduleInfo(ELEMENT PARAM, ...)
//! ```
//!
//! Ports: none (`0/0`). Processing: none.
//!
//! Gives the task of element ELEMENT the scheduling weight PARAM, a real
//! number (default 1): in Click a task with weight 2 runs twice as often
//! as one with weight 1. Each argument is an element name and a weight,
//! separated by a space. ScheduleInfo has no packets and no run-time part.
//!
//! ## Keywords
//! None: every argument is `ELEMENT PARAM`.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ScheduleInfo(unq 1, src 2);
//! ```
//!
//! ## Differences from Click
//! - The arguments are checked and ignored: nfc's poll loop runs every
//!   task once per round, as Click at user level mostly does for tasks
//!   that share a thread, whatever their tickets.

use alloc::vec::Vec;
use nfc_dataplane::args::{self, ConfigError, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// ScheduleInfo: what it was told; nothing reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScheduleInfo;

/// True when `w` is a scheduling weight: a non-negative real number.
fn is_weight(w: &str) -> bool {
    let (int, frac) = w.split_once('.').unwrap_or((w, ""));
    !(int.is_empty() && frac.is_empty())
        && (int.is_empty() || parse::unsigned::<u64>(int).is_ok())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

impl ScheduleInfo {
    /// Checks ScheduleInfo's configuration: each argument an element
    /// name and a weight.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut errors = Vec::new();
        for arg in args::split(config) {
            let words = args::split_words(&arg.text);
            let ok = match words.as_slice() {
                [(_, _)] => true,
                [(_, _), (w, _)] => is_weight(w),
                _ => false,
            };
            if !ok {
                errors.push(ConfigError::new(
                    Some(arg.span.clone()),
                    "expected `ELEMENT PARAM`, PARAM a non-negative real number",
                ));
            }
        }
        if errors.is_empty() {
            Ok(ScheduleInfo)
        } else {
            Err(ConfigErrors(errors))
        }
    }
}

/// ScheduleInfo's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ScheduleInfo",
    port_count: "0/0",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "specifies scheduling parameters",
    source: include_str!("schedule_info.rs"),
    check: |c| ScheduleInfo::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn names_and_weights() {
        assert!(ScheduleInfo::configure("unq 1,\n src 2").is_ok());
        assert!(ScheduleInfo::configure("a 0.5, b .25, c").is_ok());
        assert!(ScheduleInfo::configure("").is_ok());
        let cfg = "a -1, b x, c 1 2";
        let errs = errors(cfg, ScheduleInfo::configure(cfg));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert_eq!(errs[1].1, "b x");
    }
}
