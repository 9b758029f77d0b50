//! # DecIPTTL — decrements IP time-to-live, drops dead packets
//!
//! ```click
//! DecIPTTL([KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Decrements the TTL of each IP packet and updates the header checksum
//! incrementally. A packet whose TTL is already 0 or 1 is not forwarded: it
//! goes to output 1 if it exists (usually toward ICMPError for a time-
//! exceeded message) and is dropped otherwise. The IP header annotation must
//! be set; packets without a whole IP header there are dropped and counted.
//!
//! ## Keywords
//! - `ACTIVE` *BOOL* — when false, pass packets unchanged. Default true.
//! - `MULTICAST` *BOOL* — when false, multicast packets pass unchanged.
//!   Default true.
//!
//! ## Handlers
//! - `drops` (read) — packets that expired, plus malformed packets.
//! - `active` (read/write) — the ACTIVE setting.
//!
//! ## Examples
//! ```click
//! rt[1] -> DecIPTTL -> ... ;
//! dt :: DecIPTTL; dt[1] -> ICMPError(10.0.0.1, timeexceeded) -> ...
//! ```
//!
//! ## Differences from Click
//! - A packet without a whole IP header at its network-header annotation
//!   (Click asserts there is one) is dropped and counted in `drops`.

use alloc::string::{String, ToString};

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::checksum;
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::ip_header::{self, field, get16, put16};

use crate::{ElementSpec, Ports};

/// DecIPTTL's configuration and drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecIPTTL {
    /// Decrement at all.
    pub active: bool,
    /// Decrement multicast packets too.
    pub multicast: bool,
    /// Expired and malformed packets.
    drops: u64,
}

/// Where expired packets go.
const EXPIRED: usize = 1;

impl DecIPTTL {
    /// Parses `DecIPTTL([ACTIVE, MULTICAST])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let active = args.read("ACTIVE", parse::boolean).unwrap_or(true);
        let multicast = args.read("MULTICAST", parse::boolean).unwrap_or(true);
        args.complete()?;
        Ok(DecIPTTL {
            active,
            multicast,
            drops: 0,
        })
    }
}

impl Element for DecIPTTL {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let Some((ip, _)) = ip_header::ip_mut(p) else {
            self.drops += 1;
            return Out::Drop;
        };
        if !self.active || (!self.multicast && ip_header::dst(ip).is_multicast()) {
            return Out::Port(0);
        }
        let ttl = ip[field::TTL];
        if ttl <= 1 {
            self.drops += 1;
            return Out::Port(EXPIRED);
        }
        let old = get16(ip, field::TTL);
        ip[field::TTL] = ttl - 1;
        let new = get16(ip, field::TTL);
        let sum = checksum::update16(get16(ip, field::CHECKSUM), old, new);
        put16(ip, field::CHECKSUM, sum);
        Out::Port(0)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "drops" => Ok(self.drops.to_string()),
            "active" => Ok(self.active.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "active" => {
                self.active =
                    parse::boolean(value.trim()).map_err(|e| HandlerError::Invalid(e.message))?;
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// DecIPTTL's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "DecIPTTL",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["ACTIVE", "MULTICAST"],
    handlers: &["drops (read)", "active (read/write)"],
    summary: "decrements IP time-to-live, drops dead packets",
    source: include_str!("dec_ip_ttl.rs"),
    check: |c| DecIPTTL::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert_eq!(
            DecIPTTL::configure("").unwrap(),
            DecIPTTL {
                active: true,
                multicast: true,
                drops: 0,
            }
        );
        assert!(!DecIPTTL::configure("MULTICAST false").unwrap().multicast);
        let cfg = "ACTIVE maybe, 3";
        let e = DecIPTTL::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "maybe");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "3");
    }

    use crate::harness::{self, check_batch_path, ip_checksum, on_port, run_push};
    use crate::ip::ip_header::testing::{marked, udp};
    use nfc_dataplane::packet::PacketPool;

    /// UDP packets with TTL `i % 4` (0 and 1 expire), some multicast, some
    /// without an IP header.
    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let dst = if i % 3 == 0 {
            [224, 0, 0, 1]
        } else {
            [10, 0, 0, 1]
        };
        let mut f = udp([10, 0, 0, i as u8], dst, 1, 2, &[0; 3]);
        f[8] = (i % 4) as u8 + if i % 8 < 4 { 0 } else { 60 };
        f[10..12].copy_from_slice(&[0, 0]);
        let sum = ip_checksum(&f[..20]);
        f[10..12].copy_from_slice(&sum.to_be_bytes());
        if i % 7 == 6 {
            f.truncate(19);
        }
        marked(pool, &f, 0)
    }

    #[test]
    fn decrements_and_expires() {
        let mut d = DecIPTTL::configure("").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let sent = run_push(
            &mut d,
            &cx,
            0,
            (0..16).map(|i| packet(i, pool)).collect(),
            2,
        );
        let (out, expired) = (on_port(&sent, 0), on_port(&sent, 1));
        // i = 0, 1, 8, 9 expire (TTL 0, 1); 6 and 13 have no header.
        assert_eq!(expired.len(), 4);
        assert_eq!(out.len(), 10);
        for s in &out {
            let i = usize::from(s.data[15]);
            assert_eq!(
                usize::from(s.data[8]) + 1,
                i % 4 + if i % 8 < 4 { 0 } else { 60 }
            );
            assert_eq!(ip_checksum(&s.data[..20]), 0, "checksum updated");
        }
        assert_eq!(d.read_handler("drops"), Ok("6".into()));
    }

    #[test]
    fn inactive_and_multicast() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut d = DecIPTTL::configure("MULTICAST false").unwrap();
        let mut p = packet(3, pool); // multicast, TTL 3
        assert_eq!(d.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.data()[8], 3, "multicast untouched");
        d.write_handler("active", "false").unwrap();
        assert_eq!(d.read_handler("active"), Ok("false".into()));
        let mut p = packet(1, pool); // TTL 1
        assert_eq!(d.process(&cx, 0, &mut p), Out::Port(0));
        assert!(d.write_handler("active", "maybe").is_err());
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["", "MULTICAST false", "ACTIVE false"] {
            let d = DecIPTTL::configure(cfg).unwrap();
            check_batch_path(&d, 0, 2, packet);
            check_batch_path(&d, 0, 1, packet);
        }
    }
}
