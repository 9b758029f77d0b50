//! # UDPRewriter — rewrites UDP packets' addresses and ports
//!
//! ```click
//! UDPRewriter(INPUTSPEC1, ..., INPUTSPECn [, KEYWORDS])
//! ```
//!
//! Ports: one or more inputs, one or more outputs (`1-/1-`). Processing: push (`h/h`).
//!
//! Like IPRewriter, but for UDP only (ICMP errors about a flow are not
//! handled). Non-UDP packets are dropped unless their input is `pass`.
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
//! - `UDP_TIMEOUT` *TIME* (or `TIMEOUT`) — timeout of UDP flows. Default 5
//!   minutes.
//! - `UDP_STREAMING_TIMEOUT` *TIME* (or `STREAMING_TIMEOUT`) — timeout of
//!   streaming UDP flows. Default UDP_TIMEOUT.
//! - `UDP_GUARANTEE` *TIME* (or `GUARANTEE`) — keep each UDP flow at least
//!   this long after a packet. Default 5 seconds.
//! - `REPLY_ANNO` *ANNO* — mark reply-direction packets in this annotation.
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
//! UDPRewriter(pattern 192.0.2.1 1024-65535 - - 0 1, drop)
//! ```
//!
//! ## Differences from Click
//! - None known.

use core::time::Duration;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use crate::tcpudp::rewriter_input_spec::{RewriterBase, HANDLERS};

use crate::ElementSpec;

/// UDPRewriter's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UDPRewriter {
    /// Input specs, capacity, annotations; `base.timeout` and
    /// `base.guarantee` are folded into the fields below.
    pub base: RewriterBase,
    /// Timeout of UDP flows (UDP_TIMEOUT or TIMEOUT). Default 5 minutes.
    pub udp_timeout: Duration,
    /// Timeout of streaming UDP flows (UDP_STREAMING_TIMEOUT or
    /// STREAMING_TIMEOUT). Default the UDP timeout.
    pub udp_streaming_timeout: Duration,
    /// Minimum life of a flow after each packet (UDP_GUARANTEE or
    /// GUARANTEE). Default 5 seconds.
    pub udp_guarantee: Duration,
}

impl UDPRewriter {
    /// Parses the input specs and keywords, reporting every error.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let base = RewriterBase::read(&mut args, Duration::from_secs(300));
        let udp_timeout = args
            .read("UDP_TIMEOUT", parse::duration)
            .unwrap_or(base.timeout);
        let s1 = args.read("STREAMING_TIMEOUT", parse::duration);
        let s2 = args.read("UDP_STREAMING_TIMEOUT", parse::duration);
        let udp_streaming_timeout = s2.or(s1).unwrap_or(udp_timeout);
        let udp_guarantee = args
            .read("UDP_GUARANTEE", parse::duration)
            .unwrap_or(base.guarantee);
        args.complete()?;
        Ok(UDPRewriter {
            base,
            udp_timeout,
            udp_streaming_timeout,
            udp_guarantee,
        })
    }
}

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
    check: |c| UDPRewriter::configure(c).map(|r| r.base.ports()),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good() {
        let c = UDPRewriter::configure(
            "pattern 10.0.0.1 1024-65535 - - 0 1, drop, TIMEOUT 10s, STREAMING_TIMEOUT 2min",
        )
        .unwrap();
        assert_eq!(
            (c.udp_timeout.as_secs(), c.udp_streaming_timeout.as_secs()),
            (10, 120)
        );
    }

    #[test]
    fn bad_keyword() {
        let cfg = "drop, UDP_GUARANTEE -1";
        let e = UDPRewriter::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "-1");
    }
}
