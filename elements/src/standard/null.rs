//! # Null — passes packets unchanged
//!
//! ```click
//! Null
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Every packet goes from the input to the output untouched. Useful as a
//! named junction inside compound elements.
//!
//! ## Keywords
//! None; Null takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Null -> Discard;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element};

use crate::{ElementSpec, Ports};

/// Null's configuration: it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Null;

impl Null {
    /// Checks that Null's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(Null)
    }
}

/// Every packet to output 0: the default `process`, and a `push` that
/// leaves the batch as it is (output 0).
impl Element for Null {
    #[inline]
    fn push(&mut self, _cx: &Context, _input: usize, _batch: &mut Batch, _others: &mut [Batch]) {}
}

/// Null's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Null",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "passes packets unchanged",
    source: include_str!("null.rs"),
    check: |c| Null::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        assert_eq!(Null::configure("").unwrap(), Null);
        assert_eq!(Null::configure("  // nothing\n").unwrap(), Null);
        let cfg = "1, FOO 2";
        let errs = errors(cfg, Null::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    use crate::harness::{self, check_batch_path, run_push};

    #[test]
    fn passes_packets_unchanged() {
        let pool = harness::pool();
        let packets = (0..5).map(|i| pool.alloc_with(&[i; 3]).unwrap()).collect();
        let sent = run_push(&mut Null, &harness::cx(pool), 0, packets, 1);
        let bytes: alloc::vec::Vec<u8> = sent.iter().map(|s| s.data[2]).collect();
        assert_eq!(bytes, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&Null, 0, 1, |i, pool| {
            let mut p = pool.alloc_with(&[i as u8; 12][..i % 12]).unwrap();
            p.set_paint(i as u8);
            p
        });
    }
}
