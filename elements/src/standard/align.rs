//! # Align — aligns packet data
//!
//! ```click
//! Align(MODULUS, OFFSET)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Moves each packet's data, where needed, so that its first byte sits
//! OFFSET bytes past a multiple of MODULUS in memory. The data moves
//! forward into the tailroom when there is room, else back into the
//! headroom; header annotations move with it. A packet that fills its
//! whole buffer, with no room either way, is dropped and counted.
//!
//! ## Keywords
//! - `MODULUS` *unsigned* — 2, 4 or 8. Mandatory.
//! - `OFFSET` *unsigned* — smaller than MODULUS. Mandatory.
//!
//! ## Handlers
//! - `drops` (read) — packets with no room to move.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Align(4, 2) -> ...  // IP header 4-byte aligned
//! ```
//!
//! ## Differences from Click
//! - Click copies a packet that cannot move into a bigger buffer; nfc's
//!   buffers are fixed, so the rare packet with no room is dropped
//!   (`drops` is nfc's).

use alloc::string::{String, ToString};

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Align's configuration and its drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Align {
    /// MODULUS − 1.
    mask: usize,
    /// Wanted address modulo MODULUS.
    pub offset: usize,
    /// Packets with no room to move.
    drops: u64,
}

impl Align {
    /// Parses `Align(MODULUS, OFFSET)`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let modulus = args.read_mp("MODULUS", parse::unsigned::<u32>);
        let offset = args.read_mp("OFFSET", parse::unsigned::<u32>);
        if let Some(m) = modulus.filter(|m| ![2, 4, 8].contains(m)) {
            let span = args.span_of("MODULUS");
            args.error(ConfigError::new(
                span,
                alloc::format!("MODULUS must be 2, 4, or 8, not {m}"),
            ));
        } else if let (Some(m), Some(o)) = (modulus, offset) {
            if o >= m {
                let span = args.span_of("OFFSET");
                args.error(ConfigError::new(
                    span,
                    "OFFSET must be smaller than MODULUS",
                ));
            }
        }
        args.complete()?;
        Ok(Align {
            mask: modulus.unwrap_or(1) as usize - 1,
            offset: offset.unwrap_or(0) as usize,
            drops: 0,
        })
    }

    /// Moves `p`'s data `by` bytes forward (positive) or back (negative)
    /// in its buffer, keeping its headers on the same bytes; false when
    /// the buffer has no room.
    fn shift(p: &mut Packet, forward: usize, back: usize) -> bool {
        let net = p.network_offset();
        let hlen = p.network_header_len();
        let len = p.len();
        if p.tailroom() >= forward {
            let _ = p.put(forward);
            p.data_mut().copy_within(0..len, forward);
            p.pull(forward);
        } else if p.headroom() >= back {
            let _ = p.push(back);
            p.data_mut().copy_within(back.., 0);
            p.take(back);
        } else {
            return false;
        }
        if let Some(net) = net {
            p.set_network_header(net, hlen.unwrap_or(0));
        }
        true
    }
}

impl Element for Align {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let at = p.data().as_ptr() as usize & self.mask;
        if at == self.offset {
            return Out::Port(0);
        }
        let forward = (self.offset + self.mask + 1 - at) & self.mask;
        let back = self.mask + 1 - forward;
        if Self::shift(p, forward, back) {
            Out::Port(0)
        } else {
            self.drops += 1;
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

/// Align's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Align",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["MODULUS", "OFFSET"],
    handlers: &["drops (read)"],
    summary: "aligns packet data",
    source: include_str!("align.rs"),
    check: |c| Align::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path};
    use nfc_dataplane::packet::BUF_SIZE;

    #[test]
    fn configure() {
        let a = Align::configure("4, 2").unwrap();
        assert_eq!((a.mask, a.offset), (3, 2));
        for bad in ["", "4", "3, 0", "4, 4", "16, 1", "4, x"] {
            assert!(Align::configure(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn aligns_every_offset_and_keeps_contents_and_headers() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        for (m, o) in [(2usize, 1usize), (4, 0), (4, 2), (8, 3), (8, 0)] {
            let mut a = Align::configure(&alloc::format!("{m}, {o}")).unwrap();
            for skew in 0..8 {
                let bytes: alloc::vec::Vec<u8> = (0..50).collect();
                let mut p = pool.alloc_with(&bytes).unwrap();
                p.pull(skew);
                p.set_network_header(3, 20);
                assert_eq!(a.process(&cx, 0, &mut p), Out::Port(0));
                assert_eq!(p.data().as_ptr() as usize % m, o, "{m}/{o} skew {skew}");
                assert_eq!(p.data(), &bytes[skew..]);
                assert_eq!(p.network_offset(), Some(3));
                assert_eq!(p.network_header_len(), Some(20));
            }
        }
        // A full buffer has no room to move.
        let mut a = Align::configure("8, 1").unwrap();
        let mut p = pool.alloc().unwrap();
        let room = p.headroom();
        let _ = p.push(room);
        let _ = p.extend_to_end();
        assert_eq!(p.len(), BUF_SIZE);
        assert_eq!(a.process(&cx, 0, &mut p), Out::Drop);
        assert_eq!(a.read_handler("drops").unwrap(), "1");
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let a = Align::configure("4, 1").unwrap();
        check_batch_path(&a, 0, 1, |i, pool| {
            let mut p = pool.alloc_with(&[i as u8; 20]).unwrap();
            p.pull(i % 4);
            p
        });
    }
}
