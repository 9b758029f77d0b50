//! # PullNull — passes packets unchanged
//!
//! ```click
//! PullNull
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: pull (`l/l`).
//!
//! Null, but pull only: a pull on the output pulls the input, and the
//! packets come out untouched. It forces the ports around it to be pull.
//!
//! ## Keywords
//! None; PullNull takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! InfiniteSource -> PullNull -> Unqueue -> Discard;
//! ```
//!
//! ## Differences from Click
//! - It runs on the generic runner (`nfc click`, `--plat linux`); generated
//!   code does not run elements that pull from their inputs yet.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Element, PullRoute};

use crate::{ElementSpec, Ports};

/// PullNull's configuration: it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PullNull;

impl PullNull {
    /// Checks that PullNull's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(PullNull)
    }
}

impl Element for PullNull {
    fn pull_route(&self, _output: usize) -> PullRoute {
        PullRoute::Input(0)
    }
}

/// PullNull's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "PullNull",
    port_count: "1/1",
    processing: "l/l",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "passes packets unchanged",
    source: include_str!("pull_null.rs"),
    check: |c| PullNull::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::pull_testing::{firsts, pull_routed, Upstream};
    use nfc_dataplane::batch::Batch;

    #[test]
    fn pulls_its_input() {
        let cx = harness::cx(harness::pool());
        let mut up = Upstream::new(&cx, &[&[1, 2, 3]]);
        let mut b = Batch::new();
        pull_routed(&PullNull, &cx, 0, 2, &mut b, &mut up);
        assert_eq!(firsts(&b), [1, 2]);
        pull_routed(&PullNull, &cx, 0, 32, &mut b, &mut up);
        assert_eq!(firsts(&b), [1, 2, 3]);
        assert!(PullNull::configure("1").is_err());
    }
}
