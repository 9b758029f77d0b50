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

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::{Packet, PacketType};

use crate::{ElementSpec, Ports};

/// Output for packets that were not link-level broadcasts.
pub const PASS: usize = 0;
/// Output for the broadcasts and multicasts (dropped when unconnected).
pub const DROPPED: usize = 1;

/// DropBroadcasts: no configuration, and its drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DropBroadcasts {
    /// Packets dropped (or sent to output 1).
    drops: u64,
}

impl DropBroadcasts {
    /// Checks that DropBroadcasts's configuration string is empty.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Args::new(config).complete()?;
        Ok(DropBroadcasts::default())
    }
}

impl Element for DropBroadcasts {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        match p.packet_type() {
            PacketType::Broadcast | PacketType::Multicast => {
                self.drops += 1;
                Out::Port(DROPPED)
            }
            _ => Out::Port(PASS),
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "drops" => Ok(self.drops.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
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
        assert_eq!(
            DropBroadcasts::configure("").unwrap(),
            DropBroadcasts::default()
        );
        assert!(DropBroadcasts::configure("  // nothing\n").is_ok());
        let cfg = "1, FOO 2";
        let errs = errors(cfg, DropBroadcasts::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    use crate::harness::{self, check_batch_path, on_port, run_push};
    use nfc_dataplane::packet::PacketPool;

    const TYPES: [PacketType; 5] = [
        PacketType::Host,
        PacketType::Broadcast,
        PacketType::Multicast,
        PacketType::OtherHost,
        PacketType::Outgoing,
    ];

    fn typed(i: usize, pool: &'static PacketPool) -> Packet {
        let mut p = pool.alloc_with(&[i as u8; 6][..i % 6]).unwrap();
        p.set_packet_type(TYPES[i % 5]);
        p
    }

    #[test]
    fn drops_broadcasts_and_multicasts() {
        let mut d = DropBroadcasts::default();
        let pool = harness::pool();
        let sent = run_push(
            &mut d,
            &harness::cx(pool),
            0,
            (0..10).map(|i| typed(i, pool)).collect(),
            2,
        );
        assert_eq!(on_port(&sent, PASS).len(), 6);
        assert_eq!(on_port(&sent, DROPPED).len(), 4);
        assert_eq!(d.read_handler("drops"), Ok("4".into()));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for outputs in [1, 2] {
            check_batch_path(&DropBroadcasts::default(), 0, outputs, typed);
        }
    }
}
