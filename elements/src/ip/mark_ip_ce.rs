//! # MarkIPCE — sets IP packets' ECN field to Congestion Experienced
//!
//! ```click
//! MarkIPCE([FORCE])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Expects IP packets (the network header set, as CheckIPHeader leaves it).
//! Sets each packet's ECN field (the low two bits of the TOS byte) to
//! Congestion Experienced (3), updates the IP checksum incrementally and
//! passes the packet to output 0. Packets already marked CE pass unchanged.
//! Packets that are not ECN-capable (ECN field 0) are dropped, unless FORCE
//! is true, in which case they are marked too. Packets without an IP header
//! are dropped.
//!
//! ## Keywords
//! - `FORCE` *boolean* — mark packets that are not ECN-capable instead of
//!   dropping them. Default false.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped.
//!
//! ## Examples
//! ```click
//! ... -> CheckIPHeader -> MarkIPCE -> ...
//! ```
//!
//! ## Differences from Click
//! - Click's `drops` handler always reads 0; nfc's counts the drops.
//! - A packet without a network header is dropped and counted (Click
//!   asserts that there is one).

use alloc::string::{String, ToString};

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::checksum;
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::ip_header::{field, get16, put16, MIN_LEN};

use crate::{ElementSpec, Ports};

/// The ECN bits of the TOS byte.
const ECN_MASK: u8 = 0x03;
/// Congestion Experienced.
const ECN_CE: u8 = 0x03;

/// MarkIPCE's configuration and its drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MarkIPCE {
    /// Mark packets that are not ECN-capable too.
    pub force: bool,
    /// Packets dropped.
    drops: u64,
}

impl MarkIPCE {
    /// Parses `MarkIPCE([FORCE])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let force = args.read_p("FORCE", parse::boolean).unwrap_or(false);
        args.complete()?;
        Ok(MarkIPCE { force, drops: 0 })
    }
}

impl Element for MarkIPCE {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let Some(ip) = p.network_mut().filter(|ip| ip.len() >= MIN_LEN) else {
            self.drops += 1;
            return Out::Drop;
        };
        let tos = ip[field::TOS];
        match tos & ECN_MASK {
            0 if !self.force => {
                self.drops += 1;
                return Out::Drop;
            }
            ECN_CE => return Out::Port(0),
            _ => {}
        }
        let old = get16(ip, field::VER_IHL);
        ip[field::TOS] = tos | ECN_CE;
        let new = get16(ip, field::VER_IHL);
        let sum = get16(ip, field::CHECKSUM);
        put16(ip, field::CHECKSUM, checksum::update16(sum, old, new));
        Out::Port(0)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "drops" => Ok(self.drops.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// MarkIPCE's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "MarkIPCE",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["FORCE"],
    handlers: &["drops (read)"],
    summary: "sets IP packets' ECN field to Congestion Experienced",
    source: include_str!("mark_ip_ce.rs"),
    check: |c| MarkIPCE::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, ip_checksum};
    use nfc_dataplane::packet::PacketPool;

    fn ip_packet(pool: &'static PacketPool, tos: u8) -> Packet {
        let frame = harness::udp_frame([1, 0, 0, 1], [1, 0, 0, 2], 1, 2, 4);
        let mut p = pool.alloc_with(&frame[14..]).unwrap();
        p.data_mut()[field::TOS] = tos;
        let d = p.data_mut();
        put16(d, field::CHECKSUM, 0);
        let sum = ip_checksum(&d[..20]);
        put16(d, field::CHECKSUM, sum);
        p.set_network_header(0, 20);
        p
    }

    #[test]
    fn configure() {
        assert!(!MarkIPCE::configure("").unwrap().force);
        assert!(MarkIPCE::configure("FORCE true").unwrap().force);
        assert!(MarkIPCE::configure("true").unwrap().force);
        assert!(MarkIPCE::configure("FORCE 2").is_err());
    }

    #[test]
    fn marks_ect_packets_and_keeps_the_checksum_valid() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        for force in [false, true] {
            let mut m = MarkIPCE { force, drops: 0 };
            for tos in [0x00u8, 0x01, 0x02, 0x03, 0xb8, 0xba] {
                let mut p = ip_packet(pool, tos);
                let out = m.process(&cx, 0, &mut p);
                if tos & 3 == 0 && !force {
                    assert_eq!(out, Out::Drop, "tos {tos:#x}");
                    continue;
                }
                assert_eq!(out, Out::Port(0), "tos {tos:#x}");
                assert_eq!(p.data()[field::TOS], tos | 3);
                assert_eq!(ip_checksum(&p.data()[..20]), 0, "tos {tos:#x}");
            }
            let dropped = if force { "0" } else { "2" };
            assert_eq!(m.read_handler("drops").unwrap(), dropped);
        }
        let mut m = MarkIPCE::default();
        let mut p = pool.alloc_with(&[0x45; 30]).unwrap();
        assert_eq!(m.process(&cx, 0, &mut p), Out::Drop, "no network header");
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let m = MarkIPCE::default();
        check_batch_path(&m, 0, 1, |i, pool| ip_packet(pool, i as u8));
    }
}
