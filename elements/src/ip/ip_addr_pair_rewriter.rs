//! # IPAddrPairRewriter — rewrites IP packets' addresses by address pair
//!
//! ```click
//! IPAddrPairRewriter(INPUTSPEC1, ..., INPUTSPECn [, KEYWORDS])
//! ```
//!
//! Ports: one or more inputs, one or more outputs (`1-/1-`). Processing: push (`h/h`).
//!
//! Like IPAddrRewriter, but a flow is keyed by the (source, destination)
//! address pair, so that one inside host may use different mappings for
//! different destinations, and patterns may rewrite the destination too:
//! `pattern SADDR DADDR FOUTPUT ROUTPUT` (SADDR `-`, an address, a range
//! or a prefix; DADDR `-` or an address). Replies are the packets of the
//! reversed rewritten pair. Ports are never changed; the IP checksum and,
//! on first fragments, the TCP and UDP checksums are updated
//! incrementally. A packet of no flow is handled by its input's spec
//! (`drop`, `pass OUTPUT`, `keep FOUTPUT ROUTPUT`, a pattern, a mapper's
//! name); packets without a whole IPv4 header are dropped and counted in
//! `malformed`.
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
//!   `(SADDR, DADDR) => (SADDR', DADDR') [FOUT ROUT] iINPUT expSECONDS`
//!   (`mappings` is Click's older name).
//! - `nmappings`, `mapping_failures`, `size`, `capacity` (read/write),
//!   `clear` (write), `patterns`, `patternN` (read/write), `evicted`,
//!   `malformed` — as IPRewriter's.
//!
//! ## Examples
//! ```click
//! IPAddrPairRewriter(pattern 192.0.2.1 - 0 1, drop)
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

/// IPAddrPairRewriter: a [`Rewriter`] of addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPAddrPairRewriter(pub Rewriter);

/// Reads IPAddrPairRewriter's configuration: its base and its timeout.
fn settings(config: &str) -> Result<(RewriterBase, Timeouts), ConfigErrors> {
    one_class_settings(
        config,
        Duration::from_secs(2 * 3600),
        Some("IPAddrPairRewriter"),
    )
}

impl IPAddrPairRewriter {
    /// Parses the input specs and keywords, reporting every error, and
    /// allocates the table.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let (base, t) = settings(config)?;
        Ok(IPAddrPairRewriter(Rewriter::new(Mode::AddrPair, base, &t)))
    }
}

nfc_dataplane::delegate_element!(IPAddrPairRewriter);

/// IPAddrPairRewriter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPAddrPairRewriter",
    port_count: "1-/1-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &BASE_KEYWORDS,
    handlers: HANDLERS,
    summary: "rewrites IP packets' addresses by address pair",
    source: include_str!("ip_addr_pair_rewriter.rs"),
    check: |c| settings(c).map(|(b, _)| b.ports()),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcpudp::rewriter::testing::*;

    const SERVER2: [u8; 4] = [198, 51, 100, 8];

    #[test]
    fn maps_address_pairs() {
        let mut b = Bench::new(
            IPAddrPairRewriter::configure("pattern 192.0.2.1-192.0.2.2# 203.0.113.9 0 1, drop")
                .unwrap(),
        );
        let (port, out) = b.send(0, 0, &tcp(HOST, 1, SERVER, 80, 2, b"")).unwrap();
        assert_eq!(port, 0);
        verify(&out);
        assert_eq!(ends(&out), ([192, 0, 2, 1], 1, [203, 0, 113, 9], 80));
        // the same host to another destination: a flow of its own; the
        // pattern sends it to 203.0.113.9 too, so it needs another address
        let (_, out) = b.send(0, 0, &udp(HOST, 5, SERVER2, 53, b"", true)).unwrap();
        assert_eq!(ends(&out).0, [192, 0, 2, 2]);
        verify(&out);
        let (port, back) = b
            .send(
                0,
                1,
                &udp([203, 0, 113, 9], 53, [192, 0, 2, 2], 5, b"", true),
            )
            .unwrap();
        assert_eq!(port, 1);
        verify(&back);
        assert_eq!(ends(&back), (SERVER2, 53, HOST, 5));
        assert_eq!(
            b.send(0, 0, &udp(HOST, 5, [198, 51, 100, 9], 53, b"", true)),
            None,
            "exhausted"
        );
        assert!(
            b.read("table")
                .contains("(10.0.0.2, 198.51.100.7) => (192.0.2.1, 203.0.113.9) [*0 1] i0 exp7200"),
            "{}",
            b.read("table")
        );
    }
}
