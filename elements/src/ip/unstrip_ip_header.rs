//! # UnstripIPHeader — restores outermost IP header
//!
//! ```click
//! UnstripIPHeader()
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Puts the outermost IP header back on each packet, using the network
//! header annotation: when the IP header lies in front of the packet's
//! data (StripIPHeader or Strip removed it), the data is extended back to
//! start at the IP header. Other packets pass unchanged.
//!
//! ## Keywords
//! None.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> StripIPHeader -> ... -> UnstripIPHeader -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;

use crate::{ElementSpec, Ports};

/// UnstripIPHeader (no configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UnstripIPHeader;

impl UnstripIPHeader {
    /// Parses UnstripIPHeader's (empty) configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(UnstripIPHeader)
    }
}

impl Element for UnstripIPHeader {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if let Some(n) = p.network_stripped() {
            // The stripped bytes are still in the headroom.
            p.unpull(n);
        }
        Out::Port(0)
    }
}

/// UnstripIPHeader's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "UnstripIPHeader",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[],
    summary: "restores outermost IP header",
    source: include_str!("unstrip_ip_header.rs"),
    check: |c| UnstripIPHeader::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path};

    #[test]
    fn configure() {
        assert!(UnstripIPHeader::configure("").is_ok());
        assert!(UnstripIPHeader::configure("X 1").is_err());
    }

    #[test]
    fn restores_after_strip_and_leaves_others() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut p = pool.alloc_with(&[1, 2, 3, 4, 5, 6]).unwrap();
        p.set_network_header(2, 2);
        p.pull(5);
        assert_eq!(UnstripIPHeader.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.data(), &[3, 4, 5, 6]);
        // Header inside the data, or unset: unchanged.
        UnstripIPHeader.process(&cx, 0, &mut p);
        assert_eq!(p.data(), &[3, 4, 5, 6]);
        let mut q = pool.alloc_with(&[9; 4]).unwrap();
        q.pull(2);
        UnstripIPHeader.process(&cx, 0, &mut q);
        assert_eq!(q.len(), 2);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&UnstripIPHeader, 0, 1, |i, pool| {
            let mut p = pool.alloc_with(&[i as u8; 30]).unwrap();
            p.set_network_header(i % 5, 20);
            p.pull(i % 11);
            p
        });
    }
}
