//! # TCPRewriter — rewrites TCP packets' addresses and ports
//!
//! ```click
//! TCPRewriter(INPUTSPEC1, ..., INPUTSPECn [, KEYWORDS])
//! ```
//!
//! Ports: one or more inputs, one or more outputs (`1-/1-`). Processing: push (`h/h`).
//!
//! IPRewriter for TCP only: the same flows, input specs, timeouts, table
//! and handlers (see IPRewriter), with one table handler, `table`. A packet
//! of a known flow is rewritten (addresses, ports, IP and TCP checksums
//! updated incrementally) and leaves on the flow's output for its
//! direction; one of no flow is handled by its input's spec:
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
//! Non-TCP packets, later fragments and TCP headers cut short leave
//! unchanged on a `pass` input and are dropped (counted in `malformed`)
//! otherwise; packets without a whole IPv4 header are dropped and counted.
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
//! - `TCP_TIMEOUT` *TIME* (or `TIMEOUT`) — timeout of flows with data
//!   both ways. Default 24 hours.
//! - `TCP_NODATA_TIMEOUT` *TIME* — timeout of flows without data both
//!   ways. Default 5 minutes.
//! - `TCP_DONE_TIMEOUT` *TIME* — timeout of flows closed both ways (FIN
//!   each way) or reset. Default 4 minutes.
//! - `TCP_GUARANTEE` *TIME* (or `GUARANTEE`) — time after each packet
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
//! TCPRewriter(pattern 192.0.2.1 1024-65535 - - 0 1, drop)
//! ```
//!
//! ## Differences from Click
//! - As IPRewriter's; and Click's TCPRewriter can also shift a flow's
//!   sequence numbers (for FTPPortMapper), which nfc does not.

use core::time::Duration;

use nfc_dataplane::args::{Args, ConfigErrors};

use super::rewriter::{Mode, Rewriter, Timeouts};
use super::rewriter_input_spec::{RewriterBase, TcpTimeouts, HANDLERS};
use crate::ElementSpec;

/// TCPRewriter: a [`Rewriter`] of TCP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TCPRewriter(pub Rewriter);

/// Reads TCPRewriter's configuration: its base and its timeouts.
fn settings(config: &str) -> Result<(RewriterBase, Timeouts), ConfigErrors> {
    let mut args = Args::new(config);
    let base = RewriterBase::read(&mut args, TcpTimeouts::DEFAULT);
    let tcp = TcpTimeouts::read(&mut args, &base);
    args.complete()?;
    Ok((
        base,
        Timeouts::napt(&tcp, Duration::ZERO, Duration::ZERO, Duration::ZERO),
    ))
}

impl TCPRewriter {
    /// Parses the input specs and keywords, reporting every error, and
    /// allocates the table.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let (base, t) = settings(config)?;
        let mode = Mode::Napt {
            tcp: true,
            udp: false,
        };
        Ok(TCPRewriter(Rewriter::new(mode, base, &t)))
    }
}

nfc_dataplane::delegate_element!(TCPRewriter);

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
    check: |c| settings(c).map(|(b, _)| b.ports()),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcpudp::rewriter::testing::*;
    use nfc_dataplane::element::Element;

    #[test]
    fn configuration() {
        let (base, t) = settings(
            "pattern 10.0.0.1 1024-65535 - - 0 1, drop, TCP_DONE_TIMEOUT 30, DST_ANNO false",
        )
        .unwrap();
        assert_eq!(t.timeout[2].as_secs(), 30);
        assert!(!base.dst_anno);
        let cfg = "drop, TCP_TIMEOUT soon";
        let e = TCPRewriter::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "soon");
    }

    #[test]
    fn rewrites_tcp_only() {
        let mut b = Bench::new(
            TCPRewriter::configure("pattern 192.0.2.1 2000-2001# - - 0 1, pass 2, DST_ANNO false")
                .unwrap(),
        );
        let (port, out) = b.send(0, 0, &tcp(HOST, 7, SERVER, 80, 2, b"")).unwrap();
        assert_eq!(port, 0);
        verify(&out);
        let (s, sp, _, _) = ends(&out);
        assert_eq!((s, sp), ([192, 0, 2, 1], 2000));
        let back = tcp(SERVER, 80, [192, 0, 2, 1], 2000, 0x12, b"ok");
        let (port, back) = b.send(0, 1, &back).unwrap();
        assert_eq!(port, 1);
        verify(&back);
        assert_eq!(ends(&back), (SERVER, 80, HOST, 7));
        // UDP is not TCPRewriter's: dropped on input 0, passed on input 1
        let u = udp(HOST, 7, SERVER, 53, b"", true);
        assert_eq!(b.send(0, 0, &u), None);
        assert_eq!(b.send(0, 1, &u), Some((2, u.clone())));
        assert_eq!(b.num("malformed"), 1);
        assert_eq!(b.read("table").lines().count(), 2);
        assert_eq!(b.read("mappings"), b.read("table"));
        assert!(b.e.read_handler("tcp_table").is_err());
        // the range runs out
        assert!(b.send(0, 0, &tcp(HOST, 8, SERVER, 80, 2, b"")).is_some());
        assert_eq!(b.send(0, 0, &tcp(HOST, 9, SERVER, 80, 2, b"")), None);
        assert_eq!(b.num("mapping_failures"), 1);
    }
}
