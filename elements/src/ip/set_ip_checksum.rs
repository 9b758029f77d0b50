//! # SetIPChecksum — sets IP packets' checksums
//!
//! ```click
//! SetIPChecksum()
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Recomputes the IP header checksum of each packet: of the header at the
//! IP header annotation, or at the start of the data when the annotation is
//! not set. Packets too short to hold their IP header are dropped and
//! counted.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped.
//!
//! ## Examples
//! ```click
//! ... -> SetIPChecksum -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use alloc::string::{String, ToString};

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;

use super::ip_header;

use crate::{ElementSpec, Ports};

/// SetIPChecksum (it takes no arguments) and its drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetIPChecksum {
    /// Packets too short for their IP header.
    drops: u64,
}

impl SetIPChecksum {
    /// Accepts only an empty configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(SetIPChecksum::default())
    }
}

impl Element for SetIPChecksum {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let ip = if p.network().is_some() {
            p.network_mut()
        } else {
            Some(p.data_mut())
        };
        match ip.and_then(|ip| ip_header::header_len(ip).map(|h| (ip, h))) {
            Some((ip, hlen)) => {
                ip_header::set_checksum(ip, hlen);
                Out::Port(0)
            }
            None => {
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

/// SetIPChecksum's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "SetIPChecksum",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["drops (read)"],
    summary: "sets IP packets' checksums",
    source: include_str!("set_ip_checksum.rs"),
    check: |c| SetIPChecksum::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert!(SetIPChecksum::configure("").is_ok());
        let cfg = "1";
        let e = SetIPChecksum::configure(cfg).unwrap_err().0;
        assert_eq!(e[0].message, "too many arguments");
    }

    use crate::harness::{self, check_batch_path, ip_checksum, run_push};
    use crate::ip::ip_header::testing::{marked, udp};
    use nfc_dataplane::packet::PacketPool;

    /// UDP packets with broken checksums behind 0-2 link bytes, some marked,
    /// some with a bad header length.
    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let mut f = alloc::vec![0xee; i % 3];
        f.extend(udp([10, 0, 0, i as u8], [10, 9, 9, 9], 1, 2, &[0; 5]));
        let at = i % 3;
        f[at + 10] ^= 0x5a;
        if i % 5 == 4 {
            f[at] = 0x4f; // 60-byte header: longer than the packet
        }
        if i % 3 == 0 && i % 2 == 0 {
            pool.alloc_with(&f).unwrap()
        } else {
            marked(pool, &f, at)
        }
    }

    #[test]
    fn fixes_checksums_and_drops_short_headers() {
        let mut s = SetIPChecksum::configure("").unwrap();
        let pool = harness::pool();
        let sent = run_push(
            &mut s,
            &harness::cx(pool),
            0,
            (0..10).map(|i| packet(i, pool)).collect(),
            1,
        );
        assert_eq!(sent.len(), 8);
        for p in &sent {
            let at = p.network.unwrap_or(0);
            assert_eq!(ip_checksum(&p.data[at..at + 20]), 0);
        }
        assert_eq!(s.read_handler("drops"), Ok("2".into()));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        check_batch_path(&SetIPChecksum::default(), 0, 1, packet);
    }
}
