//! # IPReassembler — reassembles fragmented IP packets
//!
//! ```click
//! IPReassembler([KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Collects IP fragments and emits each datagram once all its fragments have
//! arrived; unfragmented packets pass straight through. Incomplete datagrams
//! are dropped after a timeout, or early when their memory exceeds HIMEM.
//! Malformed fragments go to output 1 if it exists and are dropped otherwise.
//!
//! ## Keywords
//! - `HIMEM` *N* — bytes of fragments held before old ones are dropped.
//!   Default 262144.
//! - `MAX_MTU_ANNO` *ANNO* — annotation that records the largest fragment
//!   seen.
//!
//! ## Handlers
//! - `stats` (read) — fragments seen, datagrams reassembled and failures.
//!
//! ## Examples
//! ```click
//! ... -> IPReassembler -> CheckIPHeader -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use alloc::string::String;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use super::arg_types::anno;

use crate::{ElementSpec, Ports};

/// IPReassembler's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPReassembler {
    /// Memory limit for held fragments, in bytes.
    pub himem: u32,
    /// Annotation recording the largest fragment, if any.
    pub max_mtu_anno: Option<String>,
}

impl IPReassembler {
    /// Parses `IPReassembler([HIMEM, MAX_MTU_ANNO])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let himem = args
            .read("HIMEM", parse::unsigned::<u32>)
            .unwrap_or(256 * 1024);
        let max_mtu_anno = args.read("MAX_MTU_ANNO", anno);
        args.complete()?;
        Ok(IPReassembler {
            himem,
            max_mtu_anno,
        })
    }
}

/// IPReassembler's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPReassembler",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["HIMEM", "MAX_MTU_ANNO"],
    handlers: &["stats (read)"],
    summary: "reassembles fragmented IP packets",
    source: include_str!("ip_reassembler.rs"),
    check: |c| IPReassembler::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert_eq!(IPReassembler::configure("").unwrap().himem, 262144);
        assert_eq!(IPReassembler::configure("HIMEM 1000").unwrap().himem, 1000);
        let cfg = "HIMEM lots, 5";
        let e = IPReassembler::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "lots");
    }
}
