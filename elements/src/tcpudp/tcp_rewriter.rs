//! # TCPRewriter — rewrites TCP packets' addresses, ports and sequence numbers
//!
//! ```click
//! TCPRewriter(INPUTSPEC1, ..., INPUTSPECn [, KEYWORDS])
//! ```
//!
//! Ports: one or more inputs, one or more outputs (`1-/1-`). Processing: push (`h/h`).
//!
//! Like IPRewriter, but for TCP only, and also able to shift sequence and
//! acknowledgement numbers of a flow (as FTPPortMapper needs). Non-TCP
//! packets are dropped unless their input is `pass`.
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
//! TCPRewriter(pattern 192.0.2.1 1024-65535 - - 0 1, drop)
//! ```
//!
//! ## Differences from Click
//! - None known.

use nfc_dataplane::args::{Args, ConfigErrors};

use crate::tcpudp::rewriter_input_spec::{RewriterBase, TcpTimeouts, HANDLERS};

use crate::ElementSpec;

/// TCPRewriter's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TCPRewriter {
    /// Input specs, capacity, annotations; `base.timeout` and
    /// `base.guarantee` are folded into the fields below.
    pub base: RewriterBase,
    /// TCP flow timeouts.
    pub tcp: TcpTimeouts,
}

impl TCPRewriter {
    /// Parses the input specs and keywords, reporting every error.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let base = RewriterBase::read(&mut args, TcpTimeouts::DEFAULT);
        let tcp = TcpTimeouts::read(&mut args, &base);
        args.complete()?;
        Ok(TCPRewriter { base, tcp })
    }
}

/// TCPRewriter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "TCPRewriter",
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
        "GUARANTEE",
    ],
    handlers: HANDLERS,
    summary: "rewrites TCP packets' addresses, ports and sequence numbers",
    source: include_str!("tcp_rewriter.rs"),
    check: |c| TCPRewriter::configure(c).map(|r| r.base.ports()),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good() {
        let c = TCPRewriter::configure(
            "pattern 10.0.0.1 1024-65535 - - 0 1, drop, TCP_DONE_TIMEOUT 30, DST_ANNO false",
        )
        .unwrap();
        assert_eq!(c.tcp.done.as_secs(), 30);
        assert!(!c.base.dst_anno);
    }

    #[test]
    fn bad_keyword() {
        let cfg = "drop, TCP_TIMEOUT soon";
        let e = TCPRewriter::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "soon");
    }
}
