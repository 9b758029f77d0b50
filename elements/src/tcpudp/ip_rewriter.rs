//! # IPRewriter — rewrites TCP/UDP packets' addresses and ports
//!
//! ```click
//! IPRewriter(INPUTSPEC1, ..., INPUTSPECn [, KEYWORDS])
//! ```
//!
//! Ports: one or more inputs, one or more outputs (`1-/1-`). Processing: push (`h/h`).
//!
//! Network address and port translation (NAPT) for TCP and UDP. IPRewriter
//! keeps a table of flows, keyed by addresses, ports and protocol; a packet
//! of a known flow is rewritten as the flow says (with its checksums fixed)
//! and leaves on the flow's output. Replies to a rewritten flow are mapped
//! back. Non-TCP/UDP packets and later fragments are dropped unless their
//! input is `pass`.
//!
//! Input spec N, one per input port, says what to do with a packet arriving
//! on input N that belongs to no known flow:
//!
//! - `drop`, `discard` — drop the packet.
//! - `pass N` (also `passthrough`, `nochange`) — emit it unchanged on output
//!   N (default 0); no mapping.
//! - `keep FOUT ROUT` — install mappings that keep the flow as it is: this
//!   flow leaves on FOUT, its replies on ROUT.
//! - `pattern SADDR SPORT DADDR DPORT FOUT ROUT` — rewrite by the pattern;
//!   each field may be `-` (unchanged), SADDR may be a range `A-B` or a
//!   prefix `A/LEN`, SPORT a range `L-H`; a range may end in `#` (allocate in
//!   order) or `?` (random).
//! - `pattern NAME FOUT ROUT` — a pattern defined by IPRewriterPatterns.
//! - `MAPPER` — the name of an IPMapper element such as RoundRobinIPMapper.
//!
//! ## Keywords
//! - `MAPPING_CAPACITY` *N|ELEMENT* — most flows held, or share another
//!   rewriter's pool (`CAPACITY` is the same). Default unlimited.
//! - `REAP_INTERVAL` *TIME* — how often expired flows are removed. Default 15
//!   minutes.
//! - `DST_ANNO` *BOOL* — set the destination IP annotation to the new
//!   destination. Default true.
//! - `TCP_TIMEOUT` *TIME* (or `TIMEOUT`) — timeout of TCP flows with data
//!   both ways. Default 24 hours.
//! - `TCP_NODATA_TIMEOUT` *TIME* — timeout of TCP flows without data both
//!   ways. Default 5 minutes.
//! - `TCP_DONE_TIMEOUT` *TIME* — timeout of TCP flows after FIN or RST.
//!   Default 4 minutes.
//! - `TCP_GUARANTEE` *TIME* (or `GUARANTEE`) — keep each TCP flow at least
//!   this long after a packet. Default 5 seconds.
//! - `REPLY_ANNO` *ANNO* — mark reply-direction packets in this annotation.
//! - `UDP_TIMEOUT` *TIME* — timeout of UDP flows. Default 5 minutes.
//! - `UDP_STREAMING_TIMEOUT` *TIME* — timeout of UDP flows with at least 3
//!   packets and traffic both ways. Default UDP_TIMEOUT.
//! - `UDP_GUARANTEE` *TIME* — keep each UDP flow at least this long after a
//!   packet. Default 5 seconds.
//!
//! ## Handlers
//! - `nmappings`, `size` (read) — flows installed / held.
//! - `mapping_failures` (read) — new flows that could not be mapped.
//! - `patterns` (read) — the input specs.
//! - `capacity` (read/write) — the flow capacity.
//! - `clear` (write) — remove every flow.
//! - `patternN` (read/write) — input spec N.
//!
//! ## Examples
//! ```click
//! IPRewriter(pattern 192.0.2.1 1024-65535 - - 0 1, drop)
//! ```
//!
//! ## Differences from Click
//! - None known.

use core::time::Duration;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use crate::tcpudp::rewriter_input_spec::{seconds, RewriterBase, TcpTimeouts, HANDLERS};

use crate::ElementSpec;

/// IPRewriter's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPRewriter {
    /// Input specs, capacity, annotations; `base.timeout` and
    /// `base.guarantee` are folded into the fields below.
    pub base: RewriterBase,
    /// TCP flow timeouts.
    pub tcp: TcpTimeouts,
    /// Timeout of UDP flows (UDP_TIMEOUT). Default 5 minutes.
    pub udp_timeout: Duration,
    /// Timeout of streaming UDP flows (UDP_STREAMING_TIMEOUT). Default UDP_TIMEOUT.
    pub udp_streaming_timeout: Duration,
    /// Minimum life of a UDP flow after each packet (UDP_GUARANTEE). Default 5 seconds.
    pub udp_guarantee: Duration,
}

impl IPRewriter {
    /// Parses the input specs and keywords, reporting every error.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let base = RewriterBase::read(&mut args, TcpTimeouts::DEFAULT);
        let tcp = TcpTimeouts::read(&mut args, &base);
        let udp_timeout = seconds(&mut args, "UDP_TIMEOUT", 300);
        let udp_streaming_timeout = args
            .read("UDP_STREAMING_TIMEOUT", parse::duration)
            .unwrap_or(udp_timeout);
        let udp_guarantee = seconds(&mut args, "UDP_GUARANTEE", 5);
        args.complete()?;
        Ok(IPRewriter {
            base,
            tcp,
            udp_timeout,
            udp_streaming_timeout,
            udp_guarantee,
        })
    }
}

/// IPRewriter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPRewriter",
    port_count: "1-/1-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[
        "CAPACITY",
        "MAPPING_CAPACITY",
        "REAP_INTERVAL",
        "REAP_TIME",
        "DST_ANNO",
        "TIMEOUT",
        "TCP_TIMEOUT",
        "TCP_NODATA_TIMEOUT",
        "TCP_DONE_TIMEOUT",
        "TCP_GUARANTEE",
        "REPLY_ANNO",
        "UDP_TIMEOUT",
        "UDP_STREAMING_TIMEOUT",
        "UDP_GUARANTEE",
        "GUARANTEE",
    ],
    handlers: HANDLERS,
    summary: "rewrites TCP/UDP packets' addresses and ports",
    source: include_str!("ip_rewriter.rs"),
    check: |c| IPRewriter::configure(c).map(|r| r.base.ports()),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good() {
        let c = IPRewriter::configure("pattern 10.0.0.1 1024-65535 - - 0 1, drop, UDP_TIMEOUT 30s, TCP_TIMEOUT 1h, MAPPING_CAPACITY 1000").unwrap();
        assert_eq!(
            (
                c.udp_timeout.as_secs(),
                c.udp_streaming_timeout.as_secs(),
                c.tcp.timeout.as_secs()
            ),
            (30, 30, 3600)
        );
        assert_eq!(c.tcp.done.as_secs(), 240);
        assert_eq!(
            c.base.capacity,
            Some(crate::tcpudp::rewriter_input_spec::Capacity::Flows(1000))
        );
    }

    #[test]
    fn bad_keyword() {
        let cfg = "drop, UDP_TIMEOUT 5s, UDP_GUARANTEE soon";
        let e = IPRewriter::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "soon");
    }
}
