//! # IPAddrPairRewriter — rewrites IP packets' addresses by address pair
//!
//! ```click
//! IPAddrPairRewriter(INPUTSPEC1, ..., INPUTSPECn [, KEYWORDS])
//! ```
//!
//! Ports: one or more inputs, one or more outputs (`1-/1-`). Processing: push (`h/h`).
//!
//! Like IPAddrRewriter, but the mapping table is keyed by the (source,
//! destination) address pair, so different destinations may use different
//! mappings for the same source.
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
//! IPAddrPairRewriter(pattern 192.0.2.1 1024-65535 - - 0 1, drop)
//! ```
//!
//! ## Differences from Click
//! - None known.

use core::time::Duration;

use nfc_dataplane::args::{Args, ConfigErrors};

use crate::tcpudp::rewriter_input_spec::{RewriterBase, BASE_KEYWORDS, HANDLERS};

use crate::ElementSpec;

/// IPAddrPairRewriter's configuration: the rewriter's shared settings, with a flow
/// timeout of 5 minutes by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPAddrPairRewriter {
    /// Input specs, capacity, timeouts and annotations.
    pub base: RewriterBase,
}

impl IPAddrPairRewriter {
    /// Parses the input specs and keywords, reporting every error.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let base = RewriterBase::read(&mut args, Duration::from_secs(300));
        args.complete()?;
        Ok(IPAddrPairRewriter { base })
    }
}

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
    check: |c| IPAddrPairRewriter::configure(c).map(|r| r.base.ports()),
};
