//! # Idle — discards packets, never emits any
//!
//! ```click
//! Idle
//! ```
//!
//! Ports: any number of inputs and outputs (`-/-`). Processing: agnostic (`a/a`).
//!
//! A placeholder that has nothing to say: packets pushed into it are
//! dropped, pulls from it return nothing, and it never pushes a packet out.
//! Use it to close off an input or output port that must be connected.
//! As an empty notifier it is never active: an element pulling from it
//! (directly or through elements that are not notifiers) learns that no
//! packet will come from there.
//!
//! ## Keywords
//! None; Idle takes no arguments.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Idle;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;

use crate::{ElementSpec, Ports};

/// Idle's configuration: it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Idle;

impl Idle {
    /// Checks that Idle's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(Idle)
    }
}

/// Drops what is pushed in; the default `pull` hands out nothing, and Idle
/// has no task, so it never emits a packet.
impl Element for Idle {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, _p: &mut Packet) -> Out {
        Out::Drop
    }

    /// Click's Idle is an empty notifier that is never active.
    fn empty_signal(&self) -> Option<bool> {
        Some(false)
    }
}

/// Idle's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Idle",
    port_count: "-/-",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "discards packets, never emits any",
    source: include_str!("idle.rs"),
    check: |c| Idle::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        assert_eq!(Idle::configure("").unwrap(), Idle);
        assert_eq!(Idle::configure("  // nothing\n").unwrap(), Idle);
        let cfg = "1, FOO 2";
        let errs = errors(cfg, Idle::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    use crate::harness::{self, check_batch_path, run_push};

    #[test]
    fn swallows_everything_and_emits_nothing() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let packets = (0..5).map(|i| pool.alloc_with(&[i]).unwrap()).collect();
        assert!(run_push(&mut Idle, &cx, 1, packets, 2).is_empty());
        assert_eq!(pool.available(), pool.capacity());
        assert!(crate::harness::pull(&mut Idle, &cx, 0, 32).is_empty());
        assert!(!Idle.has_task());
        assert_eq!(Idle.empty_signal(), Some(false), "never active");
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for input in [0, 3] {
            check_batch_path(&Idle, input, 2, |i, pool| {
                pool.alloc_with(&[i as u8; 3][..i % 3]).unwrap()
            });
        }
    }
}
