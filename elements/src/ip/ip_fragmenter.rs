//! # IPFragmenter — fragments large IP packets
//!
//! ```click
//! IPFragmenter(MTU, [KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: push (`h/h`).
//!
//! Fragments IP packets longer than MTU bytes into fragments of at most MTU
//! bytes, copying the options that must be copied. Packets that fit pass
//! unchanged. A packet too long but with the Don't Fragment bit set goes to
//! output 1 if it exists (usually toward ICMPError with `needfrag`) and is
//! dropped otherwise, unless HONOR_DF is false.
//!
//! ## Keywords
//! - `MTU` *N* — maximum packet length, at least 8. Mandatory.
//! - `HONOR_DF` *BOOL* — respect the DF bit. Default true.
//! - `VERBOSE` *BOOL* — report DF drops. Default false.
//! - `HEADROOM` *N* — headroom of each fragment. Default the packet default.
//!
//! ## Handlers
//! - `fragments` (read) — fragments made.
//! - `drops` (read) — packets dropped.
//!
//! ## Examples
//! ```click
//! ... -> IPFragmenter(1500) -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use alloc::format;

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// IPFragmenter's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IPFragmenter {
    /// Maximum packet length.
    pub mtu: u32,
    /// Respect the Don't Fragment bit.
    pub honor_df: bool,
    /// Report DF drops.
    pub verbose: bool,
    /// Headroom for each fragment, if given.
    pub headroom: Option<u32>,
}

impl IPFragmenter {
    /// Parses `IPFragmenter(MTU, [HONOR_DF, VERBOSE, HEADROOM])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let mtu = args.read_mp("MTU", parse::unsigned::<u32>);
        let honor_df = args.read_p("HONOR_DF", parse::boolean).unwrap_or(true);
        let verbose = args.read_p("VERBOSE", parse::boolean).unwrap_or(false);
        let headroom = args.read("HEADROOM", parse::unsigned::<u32>);
        if let Some(m) = mtu.filter(|&m| m < 8) {
            let span = args.span_of("MTU");
            args.error(ConfigError::new(
                span,
                format!("MTU must be at least 8, not {m}"),
            ));
        }
        args.complete()?;
        Ok(IPFragmenter {
            mtu: mtu.unwrap_or(0),
            honor_df,
            verbose,
            headroom,
        })
    }
}

/// IPFragmenter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPFragmenter",
    port_count: "1/1-2",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["MTU", "HONOR_DF", "VERBOSE", "HEADROOM"],
    handlers: &["fragments (read)", "drops (read)"],
    summary: "fragments large IP packets",
    source: include_str!("ip_fragmenter.rs"),
    check: |c| IPFragmenter::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = IPFragmenter::configure("1500").unwrap();
        assert_eq!(
            (c.mtu, c.honor_df, c.verbose, c.headroom),
            (1500, true, false, None)
        );
        let c = IPFragmenter::configure("576, false, HEADROOM 64").unwrap();
        assert_eq!((c.honor_df, c.headroom), (false, Some(64)));
        let cfg = "4, HONOR_DF perhaps";
        let e = IPFragmenter::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "perhaps");
        assert_eq!(e[1].message, "MTU must be at least 8, not 4");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "4");
    }
}
