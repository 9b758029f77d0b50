//! # Tee — duplicates packets
//!
//! ```click
//! Tee([N])
//! ```
//!
//! Ports: 1 input, 1 or more outputs (`1/1-`). Processing: push (`h/h`).
//!
//! Pushes each packet out every output: the original on output 0 and a
//! copy on each other output. N, when given, states how many outputs the
//! element has.
//!
//! ## Keywords
//! - `N` *unsigned* — the number of outputs (at least 1).
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> t :: Tee(2); t[0] -> Queue -> ToDevice(eth1); t[1] -> ToDump(copy.pcap);
//! ```
//!
//! ## Differences from Click
//! - nfc does not yet check N against the number of connected outputs.

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// Tee's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tee {
    /// The declared number of outputs, if given.
    pub n: Option<u32>,
}

impl Tee {
    /// Parses Tee's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let n = args.read_p("N", parse::unsigned::<u32>);
        if n == Some(0) {
            let span = args.span_of("N");
            args.error(ConfigError::new(span, "Tee needs at least 1 output"));
        }
        args.complete()?;
        Ok(Tee { n })
    }
}

/// Tee's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Tee",
    port_count: "1/1-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["N"],
    handlers: &[],
    summary: "duplicates packets",
    source: include_str!("tee.rs"),
    check: |c| {
        Tee::configure(c).map(|t| match t.n {
            Some(n) => Ports::outputs(n as usize, "N in its configuration"),
            None => Ports::DECLARED,
        })
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        assert_eq!(Tee::configure("").unwrap().n, None);
        assert_eq!(Tee::configure("3").unwrap().n, Some(3));
        assert_eq!(Tee::configure("N 2").unwrap().n, Some(2));
    }

    #[test]
    fn bad_values() {
        let cfg = "0";
        let errs = errors(cfg, Tee::configure(cfg));
        assert!(has(&errs, "at least 1", "0"), "{errs:?}");
        let cfg = "two, 3";
        let errs = errors(cfg, Tee::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "", "two"), "{errs:?}");
    }
}
