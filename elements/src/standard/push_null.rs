//! # PushNull — passes packets unchanged
//!
//! ```click
//! PushNull
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: push (`h/h`).
//!
//! Null, but push only: every packet pushed in leaves the output
//! untouched. It forces the ports around it to be push.
//!
//! ## Keywords
//! None; PushNull takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> PushNull -> Queue -> ToDevice(eth1);
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::Element;

use crate::{ElementSpec, Ports};

/// PushNull's configuration: it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PushNull;

impl PushNull {
    /// Checks that PushNull's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(PushNull)
    }
}

/// Every packet goes to output 0 (the trait's default `process`).
impl Element for PushNull {}

/// PushNull's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "PushNull",
    port_count: "1/1",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "passes packets unchanged",
    source: include_str!("push_null.rs"),
    check: |c| PushNull::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;

    #[test]
    fn passes_everything() {
        let pool = harness::pool();
        let mut p = pool.alloc_with(&[7]).unwrap();
        let cx = harness::cx(pool);
        assert_eq!(
            PushNull.process(&cx, 0, &mut p),
            nfc_dataplane::element::Out::Port(0)
        );
        harness::check_batch_path(&PushNull, 0, 1, |i, pool| {
            pool.alloc_with(&[i as u8]).unwrap()
        });
        assert!(PushNull::configure("x").is_err());
    }
}
