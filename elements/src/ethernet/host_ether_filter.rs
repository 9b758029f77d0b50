//! # HostEtherFilter — drops Ethernet packets sent to other machines
//!
//! ```click
//! HostEtherFilter(ETHER [, DROP_OWN, DROP_OTHER, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic input and
//! output 0, push output 1 (`a/ah`).
//!
//! Behaves like a network card's address filter for a host whose address
//! is ETHER. It looks at each frame's destination address and sets the
//! packet-type annotation: broadcast, multicast, host (sent to ETHER) or
//! other host. Frames for other hosts are dropped — or sent out output 1
//! when it exists — unless DROP_OTHER is false. With DROP_OWN, frames whose
//! *source* is ETHER (our own frames looping back) are dropped too.
//!
//! ## Keywords
//! - `ETHER` *Ethernet address* — this host's address; mandatory.
//! - `DROP_OWN` *boolean* — drop frames sent by ETHER; default false.
//! - `DROP_OTHER` *boolean* — drop frames for other hosts; default true.
//! - `OFFSET` *unsigned* — where the Ethernet header starts; default 0.
//!
//! ## Handlers
//! - `drops` (read) — frames dropped or sent out output 1.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0, PROMISC true) -> HostEtherFilter(00:11:22:33:44:55) -> ...;
//! ```
//!
//! ## Differences from Click
//! - AddressInfo names are not looked up yet.
//! - Frames too short to hold an Ethernet header at OFFSET, which Click
//!   does not check for, are treated as frames for other hosts that are
//!   always dropped: they leave output 1 when it exists.
//! - The `drops` handler is nfc's; Click's `ether` (read/write) handler is
//!   not provided.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::{Packet, PacketType};
use nfc_dataplane::parse::{self, EtherAddress};

use super::headers::{is_group, EtherHeader};
use crate::{ElementSpec, Ports};

/// Output for frames that pass.
const OUT_PASS: usize = 0;
/// Output for frames that are filtered out (dropped when absent).
const OUT_DROP: usize = 1;

/// HostEtherFilter: its configuration and its drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostEtherFilter {
    /// This host's address.
    pub ether: EtherAddress,
    /// Drop frames whose source is `ether`.
    pub drop_own: bool,
    /// Drop frames addressed to other hosts.
    pub drop_other: bool,
    /// Where the Ethernet header starts.
    pub offset: u32,
    /// Frames filtered out.
    drops: u64,
}

impl HostEtherFilter {
    /// Parses HostEtherFilter's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let ether = args.read_mp("ETHER", parse::ether);
        let drop_own = args.read_p("DROP_OWN", parse::boolean).unwrap_or(false);
        let drop_other = args.read_p("DROP_OTHER", parse::boolean).unwrap_or(true);
        let offset = args.read("OFFSET", parse::unsigned::<u32>).unwrap_or(0);
        args.complete()?;
        Ok(HostEtherFilter {
            ether: ether.unwrap_or_default(),
            drop_own,
            drop_other,
            offset,
            drops: 0,
        })
    }

    /// Classifies the frame, sets its packet type and says whether it
    /// passes.
    #[inline]
    fn filter(&self, p: &mut Packet) -> bool {
        let Some(e) = p
            .data()
            .get(self.offset as usize..)
            .and_then(EtherHeader::parse)
        else {
            return false;
        };
        if self.drop_own && e.src == self.ether {
            return false;
        }
        let kind = if e.dst == self.ether {
            PacketType::Host
        } else if e.dst == EtherAddress::BROADCAST {
            PacketType::Broadcast
        } else if is_group(e.dst) {
            PacketType::Multicast
        } else {
            PacketType::OtherHost
        };
        p.set_packet_type(kind);
        kind != PacketType::OtherHost || !self.drop_other
    }
}

impl Element for HostEtherFilter {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if self.filter(p) {
            Out::Port(OUT_PASS)
        } else {
            self.drops += 1;
            Out::Port(OUT_DROP)
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "drops" => Ok(self.drops.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// HostEtherFilter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "HostEtherFilter",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["ETHER", "DROP_OWN", "DROP_OTHER", "OFFSET"],
    handlers: &["drops (read)"],
    summary: "drops Ethernet packets sent to other machines",
    source: include_str!("host_ether_filter.rs"),
    check: |c| HostEtherFilter::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, on_port, run_push};
    use crate::standard::testing::{errors, has};
    use alloc::vec::Vec;

    const ME: [u8; 6] = [0, 1, 2, 3, 4, 5];
    const OTHER: [u8; 6] = [0, 9, 9, 9, 9, 9];

    /// A frame from `src` to `dst` behind `pad` bytes, 30 bytes long in all.
    fn frame(pad: usize, dst: [u8; 6], src: [u8; 6]) -> Vec<u8> {
        let mut f = alloc::vec![0xee; pad];
        f.extend_from_slice(&dst);
        f.extend_from_slice(&src);
        f.extend_from_slice(&[8, 0]);
        f.resize(pad + 30, 0);
        f
    }

    /// The packet type of each frame in `frames` after `h`, or `None` when
    /// it left on output 1.
    fn run(h: &mut HostEtherFilter, frames: &[Vec<u8>]) -> Vec<Option<PacketType>> {
        let cx = harness::cx(harness::pool());
        frames
            .iter()
            .map(|f| {
                let mut p = cx.pool.alloc_with(f).unwrap();
                match h.process(&cx, 0, &mut p) {
                    Out::Port(0) => Some(p.packet_type()),
                    _ => None,
                }
            })
            .collect()
    }

    #[test]
    fn values() {
        let h = HostEtherFilter::configure("0:1:2:3:4:5").unwrap();
        assert_eq!((h.drop_own, h.drop_other, h.offset), (false, true, 0));
        let h = HostEtherFilter::configure("0:1:2:3:4:5, true, false, OFFSET 4").unwrap();
        assert_eq!((h.drop_own, h.drop_other, h.offset), (true, false, 4));
    }

    #[test]
    fn bad_values() {
        let cfg = "0:1:2:3:4, DROP_OTHER x, OFSET 2";
        let errs = errors(cfg, HostEtherFilter::configure(cfg));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(has(&errs, "", "0:1:2:3:4"), "{errs:?}");
        assert!(has(&errs, "", "x"), "{errs:?}");
        assert!(has(&errs, "unknown keyword", "OFSET"), "{errs:?}");
    }

    #[test]
    fn classifies_by_destination() {
        let mut h = HostEtherFilter::configure("0:1:2:3:4:5").unwrap();
        let frames = [
            frame(0, ME, OTHER),
            frame(0, [0xff; 6], OTHER),
            frame(0, [1, 0, 0x5e, 0, 0, 1], OTHER),
            frame(0, [0x33, 0x33, 0, 0, 0, 1], OTHER),
            frame(0, OTHER, ME),
            frame(0, ME, ME),
            alloc::vec![0; 13],
        ];
        assert_eq!(
            run(&mut h, &frames),
            [
                Some(PacketType::Host),
                Some(PacketType::Broadcast),
                Some(PacketType::Multicast),
                Some(PacketType::Multicast),
                None,
                Some(PacketType::Host),
                None,
            ]
        );
        assert_eq!(h.read_handler("drops"), Ok("2".into()));
        let mut own =
            HostEtherFilter::configure("0:1:2:3:4:5, DROP_OWN true, DROP_OTHER false").unwrap();
        assert_eq!(
            run(&mut own, &frames),
            [
                Some(PacketType::Host),
                Some(PacketType::Broadcast),
                Some(PacketType::Multicast),
                Some(PacketType::Multicast),
                None,
                None,
                None,
            ]
        );
        let mut other = HostEtherFilter::configure("0:1:2:3:4:5, false, false").unwrap();
        assert_eq!(
            run(&mut other, &[frame(0, OTHER, OTHER)]),
            [Some(PacketType::OtherHost)]
        );
        let mut off = HostEtherFilter::configure("0:1:2:3:4:5, OFFSET 4").unwrap();
        assert_eq!(
            run(&mut off, &[frame(4, ME, OTHER), frame(0, ME, OTHER)]),
            [Some(PacketType::Host), None]
        );
    }

    #[test]
    fn rejected_frames_use_output_1_if_present() {
        let mut h = HostEtherFilter::configure("0:1:2:3:4:5").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let make = || {
            alloc::vec![
                pool.alloc_with(&frame(0, OTHER, OTHER)).unwrap(),
                pool.alloc_with(&frame(0, ME, OTHER)).unwrap(),
            ]
        };
        let two = run_push(&mut h, &cx, 0, make(), 2);
        assert_eq!((on_port(&two, 0).len(), on_port(&two, 1).len()), (1, 1));
        let one = run_push(&mut h, &cx, 0, make(), 1);
        assert_eq!(one.len(), 1);
        assert_eq!(h.read_handler("drops"), Ok("2".into()));
        assert_eq!(h.read_handler("ether"), Err(HandlerError::NoSuchHandler));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let h = HostEtherFilter::configure("0:1:2:3:4:5, DROP_OWN true, OFFSET 2").unwrap();
        for outputs in [1, 2] {
            check_batch_path(&h, 0, outputs, |i, pool| {
                let dsts = [ME, OTHER, [0xff; 6], [1, 2, 3, 4, 5, 6]];
                let src = if i % 5 == 4 { ME } else { OTHER };
                let mut f = frame(2, dsts[i % 4], src);
                if i % 7 == 6 {
                    f.truncate(15);
                }
                let mut p = pool.alloc_with(&f).unwrap();
                p.set_paint(i as u8);
                p
            });
        }
    }
}
