//! # IPAddrRewriter — rewrites IP packets' addresses
//!
//! ```click
//! IPAddrRewriter(INPUTSPEC1, ..., INPUTSPECn [, KEYWORDS])
//! ```
//!
//! Ports: one or more inputs, one or more outputs (`1-/1-`). Processing: push (`h/h`).
//!
//! Basic NAT: rewrites the source address of IP packets of any protocol (and
//! maps replies back by destination address), keeping a table of mappings
//! keyed by source address. Patterns give only addresses, e.g. `pattern
//! 192.0.2.1-192.0.2.9 - 0 1`; ports are never changed.
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
//! - `TIMEOUT` *TIME* — flow timeout. Default 5 minutes.
//! - `GUARANTEE` *TIME* — keep each flow at least this long after a packet.
//!   Default 5 seconds.
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
//! IPAddrRewriter(pattern 192.0.2.1 1024-65535 - - 0 1, drop)
//! ```
//!
//! ## Differences from Click
//! - Output numbers are not checked against the element's output count yet.

use alloc::vec::Vec;
use core::time::Duration;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use crate::tcpudp::rewriter_input_spec::{read_input_specs, seconds, InputSpec, RewriterBase};

use crate::ElementSpec;

/// IPAddrRewriter's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPAddrRewriter {
    /// One input spec per input port.
    pub inputs: Vec<InputSpec>,
    /// Capacity and reaping.
    pub base: RewriterBase,
    /// Set the destination IP annotation.
    pub dst_anno: bool,
    /// Flow timeout (TIMEOUT). Default 5 minutes.
    pub timeout: Duration,
    /// Minimum life of a flow after each packet (GUARANTEE). Default 5 seconds.
    pub guarantee: Duration,
}

impl IPAddrRewriter {
    /// Parses the input specs and keywords, reporting every error.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let base = RewriterBase::read(&mut args);
        let dst_anno = args.read("DST_ANNO", parse::boolean).unwrap_or(true);
        let timeout = seconds(&mut args, "TIMEOUT", 300);
        let guarantee = seconds(&mut args, "GUARANTEE", 5);
        let inputs = read_input_specs(&mut args);
        args.complete()?;
        Ok(IPAddrRewriter {
            inputs,
            base,
            dst_anno,
            timeout,
            guarantee,
        })
    }
}

/// IPAddrRewriter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPAddrRewriter",
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
        "GUARANTEE",
    ],
    handlers: &[
        "nmappings (read)",
        "mapping_failures (read)",
        "patterns (read)",
        "size (read)",
        "capacity (read/write)",
        "clear (write)",
        "patternN (read/write)",
    ],
    summary: "rewrites IP packets' addresses",
    source: include_str!("ip_addr_rewriter.rs"),
    check: |c| IPAddrRewriter::configure(c).map(|_| ()),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good() {
        let c =
            IPAddrRewriter::configure("pattern 10.0.0.1 1024-65535 - - 0 1, drop, TIMEOUT 1min")
                .unwrap();
        assert_eq!(c.inputs.len(), 2);
        assert_eq!(c.inputs[1], InputSpec::Drop);
        assert_eq!(c.timeout.as_secs(), 60);
    }

    #[test]
    fn bad() {
        let cfg = "pattern 10.0.0.1 99999 - - 0 1, keep 0, GUARANTEE later";
        let e = IPAddrRewriter::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 3, "{e:?}");
        let spans: Vec<&str> = e.iter().map(|x| &cfg[x.span.clone().unwrap()]).collect();
        assert!(
            spans.contains(&"99999") && spans.contains(&"keep 0"),
            "{spans:?}"
        );
        let e = IPAddrRewriter::configure("").unwrap_err().0;
        assert_eq!(
            e[0].message,
            "need at least one input spec, one per input port"
        );
    }
}
