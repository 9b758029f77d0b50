//! # IPAddrRewriter — rewrites IP packets' addresses
//!
//! ```click
//! IPAddrRewriter(INPUTSPEC1, ..., INPUTSPECn [, KEYWORDS])
//! ```
//!
//! Ports: one or more inputs, one or more outputs (`1-/1-`). Processing: push (`h/h`).
//!
//! Basic NAT: rewrites the source address of IP packets of any protocol,
//! and maps replies back by their destination address. A flow is keyed by
//! an inside address alone: every packet from it (to anywhere) gets the
//! flow's new source address; every packet to the new address gets the
//! inside address as its destination. Ports are never changed; the IP
//! checksum and, on first fragments, the TCP and UDP checksums (a UDP
//! checksum of 0 stays 0) are updated incrementally.
//!
//! A packet whose source and destination belong to no flow is handled by
//! its input's spec: `drop`, `pass OUTPUT`, `keep FOUTPUT ROUTPUT`, a
//! mapper's name, or `pattern SADDR - FOUTPUT ROUTPUT` (also `pattern
//! SADDR - - - FOUTPUT ROUTPUT`), where SADDR is an address, a range
//! `L-H` or a prefix `A/LEN`: the flow gets an address from it that no
//! other flow uses (in order with `#`, else at random), or the packet is
//! dropped and counted in `mapping_failures`. Patterns change the source
//! address only. Packets without a whole IPv4 header are dropped and
//! counted in `malformed`.
//!
//! ## Keywords
//! - `MAPPING_CAPACITY` *N* (or `CAPACITY`) — most flows held. Default
//!   4096.
//! - `REAP_INTERVAL` *TIME* — how often the room of expired flows is
//!   freed for the `size` handler. Default 15 minutes.
//! - `DST_ANNO` *BOOL* — set the destination IP annotation to the new
//!   destination. Default true.
//! - `REPLY_ANNO` *ANNO* — a one-byte annotation reply packets get from
//!   the flow's first packet.
//! - `TIMEOUT` *TIME* — flow timeout. Default 2 hours.
//! - `GUARANTEE` *TIME* — time after each packet during which a flow
//!   neither expires nor is evicted. Default 5 seconds.
//!
//! ## Handlers
//! - `table` (read) — the live flows, each direction on a line:
//!   `ADDR => NEWADDR [FOUT ROUT] iINPUT expSECONDS` (`mappings` is
//!   Click's older name).
//! - `nmappings`, `mapping_failures`, `size`, `capacity` (read/write),
//!   `clear` (write), `patterns`, `patternN` (read/write), `evicted`,
//!   `malformed` — as IPRewriter's.
//!
//! ## Examples
//! ```click
//! IPAddrRewriter(pattern 192.0.2.10-192.0.2.19# - 0 1, drop)
//! ```
//!
//! ## Differences from Click
//! - As IPRewriter's (exact timeouts, a numeric MAPPING_CAPACITY of 4096
//!   by default, `evicted` and `malformed`). The TIMEOUT default is Click's
//!   code's (2 hours; its manual says 5 minutes). Click also accepts
//!   patterns that change ports here, and then fails every flow; nfc
//!   reports them when configuring.

use core::time::Duration;

use nfc_dataplane::args::ConfigErrors;

use crate::tcpudp::rewriter::{one_class_settings, Mode, Rewriter, Timeouts};
use crate::tcpudp::rewriter_input_spec::{RewriterBase, BASE_KEYWORDS, HANDLERS};
use crate::ElementSpec;

/// IPAddrRewriter: a [`Rewriter`] of addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPAddrRewriter(pub Rewriter);

/// Reads IPAddrRewriter's configuration: its base and its timeout.
fn settings(config: &str) -> Result<(RewriterBase, Timeouts), ConfigErrors> {
    one_class_settings(
        config,
        Duration::from_secs(2 * 3600),
        Some("IPAddrRewriter"),
    )
}

impl IPAddrRewriter {
    /// Parses the input specs and keywords, reporting every error, and
    /// allocates the table.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let (base, t) = settings(config)?;
        Ok(IPAddrRewriter(Rewriter::new(Mode::Addr, base, &t)))
    }
}

nfc_dataplane::delegate_element!(IPAddrRewriter);

/// IPAddrRewriter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPAddrRewriter",
    port_count: "1-/1-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &BASE_KEYWORDS,
    handlers: HANDLERS,
    summary: "rewrites IP packets' addresses",
    source: include_str!("ip_addr_rewriter.rs"),
    check: |c| settings(c).map(|(b, _)| b.ports()),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::check_batch_path;
    use crate::tcpudp::rewriter::testing::*;
    use nfc_dataplane::packet::PacketPool;

    fn bench(config: &str) -> Bench<IPAddrRewriter> {
        Bench::new(IPAddrRewriter::configure(config).unwrap())
    }

    #[test]
    fn maps_addresses_of_any_protocol() {
        let mut b = bench("pattern 192.0.2.10-192.0.2.11# - 0 1, drop, GUARANTEE 0, TIMEOUT 60");
        let (port, out) = b
            .send(0, 0, &tcp(HOST, 1234, SERVER, 80, 2, b"hi"))
            .unwrap();
        assert_eq!(port, 0);
        verify(&out);
        assert_eq!(
            ends(&out),
            ([192, 0, 2, 10], 1234, SERVER, 80),
            "ports unchanged"
        );
        // every packet from HOST, any protocol, anywhere: the same address
        let (_, out) = b
            .send(0, 0, &echo(HOST, [203, 0, 113, 1], true, 9))
            .unwrap();
        verify(&out);
        assert_eq!(ends(&out).0, [192, 0, 2, 10]);
        let (_, out) = b.send(0, 0, &udp(HOST2, 5, SERVER, 53, b"", true)).unwrap();
        assert_eq!(ends(&out).0, [192, 0, 2, 11]);
        verify(&out);
        assert_eq!(
            b.send(0, 0, &udp([10, 0, 0, 4], 5, SERVER, 53, b"", true)),
            None,
            "addresses exhausted"
        );
        assert_eq!(b.num("mapping_failures"), 1);
        // replies: by destination address, from anyone, any port
        let (port, back) = b
            .send(
                1,
                1,
                &udp([203, 0, 113, 5], 99, [192, 0, 2, 11], 7, b"x", false),
            )
            .unwrap();
        assert_eq!(port, 1);
        verify(&back);
        assert_eq!(ends(&back), ([203, 0, 113, 5], 99, HOST2, 7));
        assert_eq!(&back[26..28], &[0, 0], "no UDP checksum stays none");
        // a later fragment is rewritten too (IP header only)
        let mut frag = udp(HOST, 1, SERVER, 2, b"abcdefgh", true);
        frag[6..8].copy_from_slice(&[0, 2]);
        frag[10..12].copy_from_slice(&[0, 0]);
        let sum = crate::harness::ip_checksum(&frag[..20]);
        frag[10..12].copy_from_slice(&sum.to_be_bytes());
        let (_, out) = b.send(2, 0, &frag).unwrap();
        assert_eq!(crate::harness::ip_checksum(&out[..20]), 0);
        assert_eq!(&out[20..], &frag[20..]);
        let table = b.read("table");
        assert!(
            table.contains("10.0.0.2 => 192.0.2.10 [*0 1] i0 exp60\n"),
            "{table}"
        );
        assert!(
            table.contains("192.0.2.11 => 10.0.0.3 [0 *1] i0 exp59\n"),
            "{table}"
        );
        assert_eq!(b.read("patterns"), "192.0.2.10-192.0.2.11 - [2]\n<drop>\n");
    }

    #[test]
    fn patterns_change_addresses_only() {
        let cfg = "pattern 1.0.0.1 1024-2000 - - 0 1, pattern 1.0.0.2 - 1.0.0.3 - 0 1";
        let e = IPAddrRewriter::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(
            &cfg[e[0].span.clone().unwrap()],
            "pattern 1.0.0.1 1024-2000 - - 0 1"
        );
        assert!((SPEC.check)("pattern 1.0.0.1 - 0 1, pattern 1.0.0.2 - - - 0 1").is_ok());
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let rw = IPAddrRewriter::configure(
            "pattern 192.0.2.0/29 - 0 1, drop, MAPPING_CAPACITY 4, GUARANTEE 0",
        )
        .unwrap();
        let make = |i: usize, pool: &'static PacketPool| {
            let n = (i % 9) as u8;
            let bytes = if i % 3 == 0 {
                udp(SERVER, 53, [192, 0, 2, n], 9, b"", true)
            } else {
                tcp([10, 0, 0, n], 9, SERVER, 80, 2, b"")
            };
            let mut p = pool.alloc_with(&bytes).unwrap();
            p.set_network_header(0, 20);
            p
        };
        check_batch_path(&rw, 0, 2, make);
    }
}
