//! # ICMPPingRewriter — rewrites ICMP echo requests and replies
//!
//! ```click
//! ICMPPingRewriter(INPUTSPEC1, ..., INPUTSPECn [, KEYWORDS])
//! ```
//!
//! Ports: one or more inputs, one or more outputs (`1-/1-`). Processing: push (`h/h`).
//!
//! NAT for ping. An echo request of no flow makes one by its input's spec
//! (as IPRewriter's: `drop`, `pass OUTPUT`, `keep FOUTPUT ROUTPUT`,
//! `pattern SADDR SPORT DADDR DPORT FOUTPUT ROUTPUT`, `pattern NAME
//! FOUTPUT ROUTPUT`, or a mapper's name). In patterns, SPORT is the new
//! ICMP identifier (a range allocates one no other flow to that
//! destination uses) and DPORT is ignored. The requests of a flow get the
//! new addresses and identifier; its echo replies get the old ones back.
//! The IP and ICMP checksums are updated incrementally.
//!
//! Echo replies of no flow, other ICMP, other protocols and later
//! fragments leave unchanged on a `pass` input and are dropped otherwise
//! (other traffic dropped so is counted in `malformed`); packets without a
//! whole IPv4 header are dropped and counted.
//!
//! A flow expires when idle for TIMEOUT (or its GUARANTEE, if longer);
//! the table (MAPPING_CAPACITY flows) fills and makes room as IPRewriter's.
//!
//! ## Keywords
//! - `MAPPING_CAPACITY` *N* (or `CAPACITY`) — most flows held. Default
//!   4096.
//! - `REAP_INTERVAL` *TIME* — how often the room of expired flows is
//!   freed for the `size` handler. Default 15 minutes.
//! - `DST_ANNO` *BOOL* — set the destination IP annotation to the new
//!   destination. Default true.
//! - `REPLY_ANNO` *ANNO* — a one-byte annotation replies get from the
//!   flow's first request.
//! - `TIMEOUT` *TIME* — flow timeout. Default 5 minutes.
//! - `GUARANTEE` *TIME* — time after each packet during which a flow
//!   neither expires nor is evicted. Default 5 seconds.
//!
//! ## Handlers
//! - `table` (read) — the live flows, each direction on a line as Click
//!   shows it: `(SADDR, DADDR, ID) => (SADDR', DADDR', ID') [FOUT ROUT]
//!   iINPUT expSECONDS` (`mappings` is Click's older name).
//! - `nmappings`, `mapping_failures`, `size`, `capacity` (read/write),
//!   `clear` (write), `patterns`, `patternN` (read/write), `evicted`,
//!   `malformed` — as IPRewriter's.
//!
//! ## Examples
//! ```click
//! ICMPPingRewriter(pattern 192.0.2.1 - - - 0 1, drop)
//! ```
//!
//! ## Differences from Click
//! - As IPRewriter's (exact timeouts, a numeric MAPPING_CAPACITY of 4096
//!   by default, `evicted` and `malformed`).

use core::time::Duration;

use nfc_dataplane::args::ConfigErrors;

use crate::tcpudp::rewriter::{one_class_settings, Mode, Rewriter, Timeouts};
use crate::tcpudp::rewriter_input_spec::{RewriterBase, BASE_KEYWORDS, HANDLERS};
use crate::ElementSpec;

/// ICMPPingRewriter: a [`Rewriter`] of ICMP echo flows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ICMPPingRewriter(pub Rewriter);

/// Reads ICMPPingRewriter's configuration: its base and its timeout.
fn settings(config: &str) -> Result<(RewriterBase, Timeouts), ConfigErrors> {
    one_class_settings(config, Duration::from_secs(300), None)
}

impl ICMPPingRewriter {
    /// Parses the input specs and keywords, reporting every error, and
    /// allocates the table.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let (base, t) = settings(config)?;
        Ok(ICMPPingRewriter(Rewriter::new(Mode::Ping, base, &t)))
    }
}

nfc_dataplane::delegate_element!(ICMPPingRewriter);

/// ICMPPingRewriter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ICMPPingRewriter",
    port_count: "1-/1-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &BASE_KEYWORDS,
    handlers: HANDLERS,
    summary: "rewrites ICMP echo requests and replies",
    source: include_str!("icmp_ping_rewriter.rs"),
    check: |c| settings(c).map(|(b, _)| b.ports()),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::check_batch_path;
    use crate::tcpudp::rewriter::testing::*;
    use nfc_dataplane::packet::PacketPool;

    fn bench(config: &str) -> Bench<ICMPPingRewriter> {
        Bench::new(ICMPPingRewriter::configure(config).unwrap())
    }

    #[test]
    fn maps_pings_and_their_replies() {
        let mut b = bench("pattern 192.0.2.1 100-101# - - 0 1, drop, TIMEOUT 30s, GUARANTEE 0");
        let (port, out) = b.send(0, 0, &echo(HOST, SERVER, true, 7)).unwrap();
        assert_eq!(port, 0);
        verify(&out);
        assert_eq!(ends(&out), (PUBLIC, 100, SERVER, 100));
        // a second host pinging the same server with the same id
        let (_, out2) = b.send(0, 0, &echo(HOST2, SERVER, true, 7)).unwrap();
        assert_eq!(ends(&out2).1, 101);
        assert_eq!(
            b.send(0, 0, &echo([10, 0, 0, 4], SERVER, true, 7)),
            None,
            "ids exhausted"
        );
        assert_eq!(b.num("mapping_failures"), 1);
        // the replies go back to each host with its own id
        let (port, back) = b.send(1, 1, &echo(SERVER, PUBLIC, false, 101)).unwrap();
        assert_eq!(port, 1);
        verify(&back);
        assert_eq!(ends(&back), (SERVER, 7, HOST2, 7));
        assert_eq!(back[20], 0, "still an echo reply");
        let (_, back) = b.send(1, 1, &echo(SERVER, PUBLIC, false, 100)).unwrap();
        assert_eq!(ends(&back).2, HOST);
        // a request from outside to the public address is no reply
        assert_eq!(b.send(1, 1, &echo(SERVER, PUBLIC, true, 100)), None);
        // a reply of no flow is dropped even on a keep input
        let mut k = bench("keep 0 1");
        assert_eq!(k.send(0, 0, &echo(SERVER, PUBLIC, false, 5)), None);
        assert!(
            b.read("table").contains(
                "(10.0.0.2, 198.51.100.7, 7) => (192.0.2.1, 198.51.100.7, 100) [*0 1] i0 exp30"
            ),
            "{}",
            b.read("table")
        );
        // flows time out
        assert_eq!(b.send(40, 1, &echo(SERVER, PUBLIC, false, 100)), None);
        assert_eq!(b.num("nmappings"), 0);
    }

    #[test]
    fn other_icmp_and_protocols_are_not_rewritten() {
        let mut b = bench("pattern 192.0.2.1 - - - 0 1, pass 2");
        let unreachable = error(SERVER, HOST, 3, 3, &udp(HOST, 1, SERVER, 2, b"", true));
        assert_eq!(b.send(0, 0, &unreachable), None);
        assert_eq!(b.send(0, 1, &unreachable), Some((2, unreachable.clone())));
        let t = tcp(HOST, 1, SERVER, 2, 2, b"");
        assert_eq!(b.send(0, 0, &t), None);
        assert_eq!(b.num("malformed"), 2);
        // `-` keeps the id
        let (_, out) = b.send(0, 0, &echo(HOST, SERVER, true, 4242)).unwrap();
        assert_eq!(ends(&out), (PUBLIC, 4242, SERVER, 4242));
        verify(&out);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let rw = ICMPPingRewriter::configure(
            "pattern 192.0.2.1 1-9 - - 0 1, drop, MAPPING_CAPACITY 4, GUARANTEE 0",
        )
        .unwrap();
        let make = |i: usize, pool: &'static PacketPool| {
            let id = (i % 11) as u16;
            let bytes = if i % 3 == 0 {
                echo(SERVER, PUBLIC, false, id)
            } else {
                echo(HOST, SERVER, true, id)
            };
            let mut p = pool.alloc_with(&bytes).unwrap();
            p.set_network_header(0, 20);
            p
        };
        check_batch_path(&rw, 0, 2, make);
    }
}
