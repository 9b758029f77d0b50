//! # DropBroadcasts — drops link-level broadcast and multicast packets
//!
//! ```click
//! DropBroadcasts
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic input and output 0, push output 1 (`a/ah`).
//!
//! Drops packets whose packet-type annotation says they arrived as link-level
//! broadcast or multicast (FromDevice and HostEtherFilter set it); others
//! pass to output 0. Dropped packets go out output 1 when it exists. Routers
//! use it so that they never forward a link-level broadcast.
//!
//! ## Keywords
//! None; DropBroadcasts takes no arguments.
//!
//! ## Handlers
//! - `drops` (read) — packets dropped so far.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> DropBroadcasts -> ...;
//! ```
//!
//! ## Differences from Click
//! - none.

use nfc_dataplane::args::{Args, ConfigErrors};

use crate::{ElementSpec, Ports};

/// DropBroadcasts's configuration: it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DropBroadcasts;

impl DropBroadcasts {
    /// Checks that DropBroadcasts's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(DropBroadcasts)
    }
}

/// DropBroadcasts's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "DropBroadcasts",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["drops (read)"],
    summary: "drops link-level broadcast and multicast packets",
    source: include_str!("drop_broadcasts.rs"),
    check: |c| DropBroadcasts::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::errors;

    #[test]
    fn takes_no_arguments() {
        assert_eq!(DropBroadcasts::configure("").unwrap(), DropBroadcasts);
        assert_eq!(
            DropBroadcasts::configure("  // nothing\n").unwrap(),
            DropBroadcasts
        );
        let cfg = "1, FOO 2";
        let errs = errors(cfg, DropBroadcasts::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }
}
