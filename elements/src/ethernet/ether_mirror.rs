//! # EtherMirror — swaps Ethernet source and destination
//!
//! ```click
//! EtherMirror
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Exchanges the source and destination addresses of every packet's
//! Ethernet header, sending a frame back where it came from. Packets
//! shorter than an Ethernet header are dropped.
//!
//! ## Keywords
//! None; EtherMirror takes no arguments.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped for being too short.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> EtherMirror -> Queue -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - Click does not check the length; nfc drops frames shorter than 14
//!   bytes and counts them in `drops`, a handler Click does not have.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;

use super::headers::swap_addresses;
use crate::{ElementSpec, Ports};

/// EtherMirror: no configuration, a drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EtherMirror {
    /// Frames dropped for being shorter than an Ethernet header.
    drops: u64,
}

impl EtherMirror {
    /// Checks that EtherMirror's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(EtherMirror::default())
    }

    #[inline]
    fn mirror(&mut self, p: &mut Packet) -> bool {
        let ok = swap_addresses(p.data_mut());
        self.drops += u64::from(!ok);
        ok
    }
}

impl Element for EtherMirror {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if self.mirror(p) {
            Out::Port(0)
        } else {
            Out::Drop
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "drops" => Ok(self.drops.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// EtherMirror's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "EtherMirror",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["drops (read)"],
    summary: "swaps Ethernet source and destination",
    source: include_str!("ether_mirror.rs"),
    check: |c| EtherMirror::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, run_push};
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        assert_eq!(EtherMirror::configure("").unwrap(), EtherMirror::default());
        let cfg = "x";
        let errs = errors(cfg, EtherMirror::configure(cfg));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].1, "x");
    }

    #[test]
    fn swaps_addresses_and_drops_short_frames() {
        let mut m = EtherMirror::default();
        let pool = harness::pool();
        let frame: alloc::vec::Vec<u8> = (0..20).collect();
        let sent = run_push(
            &mut m,
            &harness::cx(pool),
            0,
            alloc::vec![
                pool.alloc_with(&frame).unwrap(),
                pool.alloc_with(&frame[..13]).unwrap(),
                pool.alloc_with(&frame[..14]).unwrap(),
            ],
            1,
        );
        assert_eq!(sent.len(), 2);
        let want: alloc::vec::Vec<u8> = (6..12).chain(0..6).chain(12..20).collect();
        assert_eq!(sent[0].data, want);
        assert_eq!(sent[1].data, want[..14]);
        assert_eq!(m.read_handler("drops"), Ok("1".into()));
        assert_eq!(m.read_handler("x"), Err(HandlerError::NoSuchHandler));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&EtherMirror::default(), 0, 1, |i, pool| {
            let f: alloc::vec::Vec<u8> = (0..(i * 2) as u8).map(|b| b ^ i as u8).collect();
            let mut p = pool.alloc_with(&f).unwrap();
            p.set_paint(i as u8);
            p
        });
    }
}
