//! # UDPRewriter — rewrites UDP packets' addresses and ports
//!
//! ```click
//! UDPRewriter(INPUTSPEC1, ..., INPUTSPECn [, KEYWORDS])
//! ```
//!
//! Ports: one or more inputs, one or more outputs (`1-/1-`). Processing: push (`h/h`).
//!
//! IPRewriter for UDP only: the same flows, input specs, table and
//! handlers (see IPRewriter), with one table handler, `table`. A packet of
//! a known flow is rewritten (addresses, ports, IP checksum and UDP
//! checksum updated incrementally; a UDP checksum of 0, meaning none,
//! stays 0) and leaves on the flow's output for its direction; one of no
//! flow is handled by its input's spec:
//!
//! - `drop`, `discard` — drop it.
//! - `pass OUTPUT` (also `passthrough`, `nochange`) — emit it unchanged on
//!   OUTPUT (default 0).
//! - `keep FOUTPUT ROUTPUT` — a flow that changes nothing.
//! - `pattern SADDR SPORT DADDR DPORT FOUTPUT ROUTPUT` — a flow rewritten
//!   by the pattern (`-` keeps a field; SADDR a range or prefix, SPORT a
//!   range, ending in `#` for in-order or `?` for random allocation).
//! - `pattern NAME FOUTPUT ROUTPUT` — an IPRewriterPatterns pattern.
//! - `MAPPER` — a mapper element's name (RoundRobinIPMapper).
//!
//! Non-UDP packets, later fragments and cut UDP headers leave unchanged on
//! a `pass` input and are dropped (counted in `malformed`) otherwise;
//! packets without a whole IPv4 header are dropped and counted.
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
//! - `UDP_TIMEOUT` *TIME* (or `TIMEOUT`) — timeout of flows. Default 5
//!   minutes.
//! - `UDP_STREAMING_TIMEOUT` *TIME* (or `STREAMING_TIMEOUT`) — timeout of
//!   streaming flows (at least 3 packets, some each way). Default
//!   UDP_TIMEOUT.
//! - `UDP_GUARANTEE` *TIME* (or `GUARANTEE`) — time after each packet
//!   during which a flow neither expires nor is evicted. Default 5 seconds.
//!
//! ## Handlers
//! - `table` (read) — the live flows, each direction on a line as Click
//!   shows it (`mappings` is Click's older name).
//! - `nmappings`, `mapping_failures`, `size`, `capacity` (read/write),
//!   `clear` (write), `patterns`, `patternN` (read/write), `evicted`,
//!   `malformed` — as IPRewriter's.
//!
//! ## Examples
//! ```click
//! UDPRewriter(pattern 192.0.2.1 1024-65535 - - 0 1, drop)
//! ```
//!
//! ## Differences from Click
//! - As IPRewriter's.

use core::time::Duration;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use super::rewriter::{Mode, Rewriter, Timeouts};
use super::rewriter_input_spec::{RewriterBase, TcpTimeouts, HANDLERS};
use crate::ElementSpec;

/// UDPRewriter: a [`Rewriter`] of UDP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UDPRewriter(pub Rewriter);

/// Reads UDPRewriter's configuration: its base and its timeouts.
fn settings(config: &str) -> Result<(RewriterBase, Timeouts), ConfigErrors> {
    let mut args = Args::new(config);
    let base = RewriterBase::read(&mut args, Duration::from_secs(300));
    let udp_timeout = args
        .read("UDP_TIMEOUT", parse::duration)
        .unwrap_or(base.timeout);
    let s1 = args.read("STREAMING_TIMEOUT", parse::duration);
    let s2 = args.read("UDP_STREAMING_TIMEOUT", parse::duration);
    let streaming = s2.or(s1).unwrap_or(udp_timeout);
    let guarantee = args
        .read("UDP_GUARANTEE", parse::duration)
        .unwrap_or(base.guarantee);
    args.complete()?;
    let none = TcpTimeouts {
        timeout: Duration::ZERO,
        nodata: Duration::ZERO,
        done: Duration::ZERO,
        guarantee: Duration::ZERO,
    };
    Ok((
        base,
        Timeouts::napt(&none, udp_timeout, streaming, guarantee),
    ))
}

impl UDPRewriter {
    /// Parses the input specs and keywords, reporting every error, and
    /// allocates the table.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let (base, t) = settings(config)?;
        let mode = Mode::Napt {
            tcp: false,
            udp: true,
        };
        Ok(UDPRewriter(Rewriter::new(mode, base, &t)))
    }
}

nfc_dataplane::delegate_element!(UDPRewriter);

/// UDPRewriter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "UDPRewriter",
    port_count: "1-/1-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[
        "CAPACITY",
        "MAPPING_CAPACITY",
        "REAP_INTERVAL",
        "REAP_TIME",
        "DST_ANNO",
        "UDP_TIMEOUT",
        "TIMEOUT",
        "UDP_STREAMING_TIMEOUT",
        "STREAMING_TIMEOUT",
        "UDP_GUARANTEE",
        "REPLY_ANNO",
        "GUARANTEE",
    ],
    handlers: HANDLERS,
    summary: "rewrites UDP packets' addresses and ports",
    source: include_str!("udp_rewriter.rs"),
    check: |c| settings(c).map(|(b, _)| b.ports()),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcpudp::rewriter::testing::*;

    #[test]
    fn configuration() {
        let (_, t) = settings(
            "pattern 10.0.0.1 1024-65535 - - 0 1, drop, TIMEOUT 10s, STREAMING_TIMEOUT 2min",
        )
        .unwrap();
        assert_eq!((t.timeout[3].as_secs(), t.timeout[4].as_secs()), (10, 120));
        let cfg = "drop, UDP_GUARANTEE -1";
        let e = UDPRewriter::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "-1");
    }

    #[test]
    fn rewrites_udp_and_streams_live_longer() {
        let mut b = Bench::new(
            UDPRewriter::configure(
                "pattern 192.0.2.1 3000-3999# - - 0 1, drop, UDP_TIMEOUT 10, \
                 UDP_STREAMING_TIMEOUT 100, GUARANTEE 0",
            )
            .unwrap(),
        );
        let (port, out) = b.send(0, 0, &udp(HOST, 7, SERVER, 53, b"q", true)).unwrap();
        assert_eq!(port, 0);
        verify(&out);
        assert_eq!(ends(&out), (PUBLIC, 3000, SERVER, 53));
        // no checksum stays none, both ways
        let (_, out) = b
            .send(0, 0, &udp(HOST, 8, SERVER, 53, b"q", false))
            .unwrap();
        assert_eq!((ends(&out).1, &out[26..28]), (3001, &[0u8, 0][..]));
        let (port, back) = b
            .send(0, 1, &udp(SERVER, 53, PUBLIC, 3001, b"a", false))
            .unwrap();
        assert_eq!((port, &back[26..28]), (1, &[0u8, 0][..]));
        assert_eq!(ends(&back), (SERVER, 53, HOST, 8));
        // TCP is not UDPRewriter's
        assert_eq!(b.send(0, 0, &tcp(HOST, 7, SERVER, 80, 2, b"")), None);
        // flow 3000 goes streaming (3 packets, both ways): 100 s
        let back = udp(SERVER, 53, PUBLIC, 3000, b"a", true);
        assert!(b.send(5, 1, &back).is_some());
        assert!(b
            .send(6, 0, &udp(HOST, 7, SERVER, 53, b"q", true))
            .is_some());
        assert!(b.send(90, 1, &back).is_some(), "streaming");
        // flow 3001 did not: gone after 10 s
        assert_eq!(
            b.send(90, 1, &udp(SERVER, 53, PUBLIC, 3001, b"a", true)),
            None
        );
        assert_eq!(b.num("nmappings"), 1);
        assert!(b
            .read("table")
            .contains("=> (192.0.2.1, 3000, 198.51.100.7, 53) [*0 1] i0 exp100"));
    }
}
