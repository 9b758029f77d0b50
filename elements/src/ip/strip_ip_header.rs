//! # StripIPHeader — strips outermost IP header
//!
//! ```click
//! StripIPHeader()
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Removes the outermost IP header from each packet, using the network
//! header annotation (set by CheckIPHeader or MarkIPHeader): the packet
//! then starts at the transport header. Everything in front of the IP
//! header (an Ethernet header, say) goes too. UnstripIPHeader puts it back.
//! A packet whose network header is not set is dropped and counted.
//!
//! ## Keywords
//! None.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped for lack of a network header.
//!
//! ## Examples
//! ```click
//! ... -> CheckIPHeader -> StripIPHeader -> ... -> UnstripIPHeader -> ...
//! ```
//!
//! ## Differences from Click
//! - Click requires the annotation and reads garbage without it; nfc drops
//!   such packets and counts them (`drops` is nfc's).

use alloc::string::{String, ToString};

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;

use crate::{ElementSpec, Ports};

/// StripIPHeader's drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StripIPHeader {
    /// Packets without a network header.
    drops: u64,
}

impl StripIPHeader {
    /// Parses StripIPHeader's (empty) configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(StripIPHeader::default())
    }
}

impl Element for StripIPHeader {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        match (p.network_offset(), p.network_header_len()) {
            (Some(off), Some(hlen)) => {
                p.pull(off + hlen);
                Out::Port(0)
            }
            _ => {
                self.drops += 1;
                Out::Drop
            }
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "drops" => Ok(self.drops.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// StripIPHeader's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "StripIPHeader",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["drops (read)"],
    summary: "strips outermost IP header",
    source: include_str!("strip_ip_header.rs"),
    check: |c| StripIPHeader::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path};
    use crate::ip::unstrip_ip_header::UnstripIPHeader;

    #[test]
    fn configure() {
        assert!(StripIPHeader::configure("").is_ok());
        assert!(StripIPHeader::configure("1").is_err());
    }

    #[test]
    fn strips_to_the_transport_header_and_unstrip_restores() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let frame = harness::udp_frame([1, 0, 0, 1], [1, 0, 0, 2], 7, 9, 6);
        let mut p = pool.alloc_with(&frame).unwrap();
        p.set_network_header(14, 20);
        let mut s = StripIPHeader::default();
        assert_eq!(s.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.data(), &frame[34..], "the UDP header first");
        let mut u = UnstripIPHeader;
        assert_eq!(u.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.data(), &frame[14..], "back to the IP header");
        assert_eq!(p.network_offset(), Some(0));
        let mut bare = pool.alloc_with(&[1, 2, 3]).unwrap();
        assert_eq!(s.process(&cx, 0, &mut bare), Out::Drop);
        assert_eq!(s.read_handler("drops").unwrap(), "1");
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&StripIPHeader::default(), 0, 1, |i, pool| {
            let mut p = pool.alloc_with(&[0x45; 40]).unwrap();
            if i % 3 != 0 {
                p.set_network_header(i % 7, 20);
            }
            p
        });
    }
}
