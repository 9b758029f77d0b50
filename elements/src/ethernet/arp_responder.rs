//! # ARPResponder — generates responses to ARP queries
//!
//! ```click
//! ARPResponder(IP/MASK [IP/MASK...] ETH, IP/MASK ETH, ...)
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic input and
//! output 0, push output 1 (`a/ah`).
//!
//! Input packets should be ARP requests with their Ethernet header. When
//! the requested IP address falls in one of the configured prefixes,
//! ARPResponder emits an ARP reply on output 0 saying that the address is
//! at the entry's Ethernet address; the reply keeps the request's device
//! annotation. This serves a host's own addresses and proxy ARP alike.
//! Other packets — not ARP for IPv4 over Ethernet, not a request, shorter
//! than 42 bytes, or asking for an address no entry covers — are dropped,
//! or pushed out output 1 when it exists.
//!
//! Each argument is one entry: one or more IP addresses or prefixes
//! (`10.0.0.1`, `10.0.1.0/24`, `10.0.2.0/255.255.255.0`) and one Ethernet
//! address, in any order. When several entries match, the longest prefix wins.
//!
//! ## Keywords
//! None; every argument is an entry.
//!
//! ## Handlers
//! - `table` (read) — the entries, one per line (`PREFIX ETH`), more
//!   specific prefixes first.
//! - `lookup` (read, with an IP address) — the Ethernet address for it, or
//!   nothing: `read arp.lookup 10.0.0.1` from a script or a ControlSocket.
//! - `add` (write) — add entries (`IP/MASK ETH`, as in the configuration).
//! - `remove` (write) — remove an entry (`IP/MASK`).
//! - `drops` (read) — packets not answered (sent out output 1 or dropped).
//!
//! ## Examples
//! ```click
//! c :: Classifier(12/0806 20/0001, ...);
//! c[0] -> ARPResponder(10.0.0.1 10.0.7.0/24 00:11:22:33:44:55) -> Queue -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - AddressInfo names are not looked up yet; write addresses literally.
//! - IPv6 entries are not accepted yet.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;
use core::net::Ipv4Addr;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::{Packet, PacketType, ANNO_SIZE};
use nfc_dataplane::parse::{self, EtherAddress, IpPrefix};

use super::handler_value;
use super::headers::{
    ArpFrame, ArpOp, EtherHeader, ARP_LEN, ETHERTYPE_ARP, ETHER_ARP_LEN, ETHER_LEN,
};
use crate::standard::{sub_span, words};
use crate::{ElementSpec, Ports};

/// Output for replies.
const OUT_REPLY: usize = 0;
/// Output for packets not answered (dropped when absent).
const OUT_OTHER: usize = 1;

/// One address range answered for, and the Ethernet address given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The IP prefix (a bare address is a /32).
    pub prefix: IpPrefix,
    /// The Ethernet address answered.
    pub ether: EtherAddress,
}

/// ARPResponder: its entries and its count of packets not answered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ARPResponder {
    /// The entries, in configuration order (one per IP prefix).
    pub entries: Vec<Entry>,
    /// Packets not answered.
    drops: u64,
}

const ENTRY_HINT: &str = "an entry is IP addresses or prefixes and one Ethernet address, \
                          e.g. `10.0.0.1 10.0.7.0/24 00:11:22:33:44:55`";

impl ARPResponder {
    /// Parses ARPResponder's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let mut entries = Vec::new();
        for arg in args.rest() {
            let w = words(&arg.text);
            if w.is_empty() {
                continue;
            }
            let mut prefixes = Vec::new();
            let mut ether: Option<EtherAddress> = None;
            let mut ok = true;
            for &(pos, word) in &w {
                let span = sub_span(config, &arg, pos..pos + word.len());
                if let Ok(e) = parse::ether(word) {
                    if ether.is_some() {
                        args.error(
                            ConfigError::new(
                                Some(span),
                                "more than one Ethernet address in this entry",
                            )
                            .with_hint(ENTRY_HINT),
                        );
                        ok = false;
                    }
                    ether = Some(e);
                    continue;
                }
                match parse::ip_prefix(word) {
                    Ok(p) => prefixes.push(p),
                    Err(e) => {
                        let message = if word.contains('/') {
                            e.message
                        } else {
                            format!("expected IP address, IP prefix or Ethernet address, found \"{word}\"")
                        };
                        args.error(
                            ConfigError::new(Some(span), message).with_hint(
                                e.hint
                                    .filter(|_| word.contains('/'))
                                    .unwrap_or_else(|| ENTRY_HINT.into()),
                            ),
                        );
                        ok = false;
                    }
                }
            }
            match ether {
                None if ok => args.error(
                    ConfigError::new(Some(arg.span.clone()), "entry has no Ethernet address")
                        .with_hint(ENTRY_HINT),
                ),
                Some(_) if ok && prefixes.is_empty() => args.error(
                    ConfigError::new(Some(arg.span.clone()), "entry has no IP address")
                        .with_hint(ENTRY_HINT),
                ),
                Some(ether) if ok => {
                    entries.extend(prefixes.into_iter().map(|prefix| Entry { prefix, ether }));
                }
                _ => {}
            }
        }
        args.complete()?;
        Ok(ARPResponder { entries, drops: 0 })
    }

    /// The Ethernet address answered for `ip`: the entry with the longest
    /// prefix covering it, the later one among equals (as Click keeps the
    /// later of two entries for one prefix).
    #[inline]
    pub fn lookup(&self, ip: Ipv4Addr) -> Option<EtherAddress> {
        let mut best: Option<&Entry> = None;
        for e in &self.entries {
            if e.prefix.contains(ip) && best.is_none_or(|b| e.prefix.len >= b.prefix.len) {
                best = Some(e);
            }
        }
        best.map(|e| e.ether)
    }

    /// Turns `p` into the reply to the ARP request it holds; false when it
    /// holds no request this element answers.
    #[inline]
    fn respond(&self, p: &mut Packet) -> bool {
        let Some(req) = ArpFrame::parse(p.data()) else {
            return false;
        };
        if req.op != ArpOp::Request {
            return false;
        }
        let Some(me) = self.lookup(req.tpa) else {
            return false;
        };
        let reply = ArpFrame {
            ether: EtherHeader {
                dst: req.sha,
                src: me,
                ethertype: ETHERTYPE_ARP,
            },
            op: ArpOp::Reply,
            sha: me,
            spa: req.tpa,
            tha: req.sha,
            tpa: req.spa,
        };
        p.take(p.len() - ETHER_ARP_LEN);
        p.data_mut().copy_from_slice(&reply.bytes());
        // A new packet in Click: fresh annotations but for the device.
        *p.anno_mut() = [0; ANNO_SIZE];
        p.set_timestamp(0);
        p.set_packet_type(PacketType::Host);
        p.set_network_header(ETHER_LEN, ARP_LEN);
        true
    }

    /// The entries as Click keeps them: one per prefix (the later one),
    /// more specific prefixes first.
    fn normalized(&self) -> Vec<Entry> {
        let mut v: Vec<Entry> = Vec::with_capacity(self.entries.len());
        for e in self.entries.iter().rev() {
            if !v.iter().any(|k| same_prefix(k.prefix, e.prefix)) {
                v.push(*e);
            }
        }
        v.reverse();
        v.sort_by_key(|e| core::cmp::Reverse(e.prefix.len));
        v
    }
}

/// True when `a` and `b` cover the same addresses.
fn same_prefix(a: IpPrefix, b: IpPrefix) -> bool {
    a.len == b.len && a.network() == b.network()
}

impl Element for ARPResponder {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if self.respond(p) {
            Out::Port(OUT_REPLY)
        } else {
            self.drops += 1;
            Out::Port(OUT_OTHER)
        }
    }

    /// `lookup ADDR`: the Ethernet address answered for ADDR, or nothing.
    fn read_handler_with(&mut self, name: &str, param: &str) -> Result<String, HandlerError> {
        match name {
            "lookup" => {
                let ip = handler_value(param, parse::ipv4)?;
                Ok(self.lookup(ip).map(|e| e.to_string()).unwrap_or_default())
            }
            _ if param.trim().is_empty() => self.read_handler(name),
            _ => Err(HandlerError::Invalid(alloc::format!(
                "read handler '{name}' does not take parameters"
            ))),
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "table" => {
                let mut s = String::new();
                for e in self.normalized() {
                    let p = IpPrefix {
                        addr: e.prefix.network(),
                        len: e.prefix.len,
                    };
                    let _ = writeln!(s, "{p} {}", e.ether);
                }
                Ok(s)
            }
            "drops" => Ok(self.drops.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "add" => {
                let more = ARPResponder::configure(value)
                    .map_err(|e| HandlerError::Invalid(e.to_string()))?;
                self.entries.extend(more.entries);
            }
            "remove" => {
                let gone = handler_value(value, parse::ip_prefix)?;
                let before = self.entries.len();
                self.entries.retain(|e| !same_prefix(e.prefix, gone));
                if self.entries.len() == before {
                    return Err(HandlerError::Invalid(format!("{gone} not found")));
                }
            }
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// ARPResponder's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ARPResponder",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[
        "table (read)",
        "lookup (read)",
        "add (write)",
        "remove (write)",
        "drops (read)",
    ],
    summary: "generates responses to ARP queries",
    source: include_str!("arp_responder.rs"),
    check: |c| ARPResponder::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, on_port, run_push};
    use crate::standard::testing::{errors, has};

    const ASKER: EtherAddress = EtherAddress([2, 0, 0, 0, 0, 0xaa]);

    /// An ARP request from 10.0.0.99 (at ASKER) for `tpa`, with `pad`
    /// bytes of Ethernet padding.
    fn request(tpa: Ipv4Addr, pad: usize) -> Vec<u8> {
        let mut f = ArpFrame {
            ether: EtherHeader {
                dst: EtherAddress::BROADCAST,
                src: ASKER,
                ethertype: ETHERTYPE_ARP,
            },
            op: ArpOp::Request,
            sha: ASKER,
            spa: Ipv4Addr::new(10, 0, 0, 99),
            tha: EtherAddress::default(),
            tpa,
        }
        .bytes()
        .to_vec();
        f.resize(f.len() + pad, 0);
        f
    }

    #[test]
    fn entries() {
        let a = ARPResponder::configure(
            "10.0.0.1 10.0.7.0/24 00:11:22:33:44:55, 00:00:00:00:00:01 192.168.1.0/255.255.255.0",
        )
        .unwrap();
        assert_eq!(a.entries.len(), 3);
        assert_eq!(a.entries[0].prefix.addr, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(a.entries[0].prefix.len, 32);
        assert_eq!(a.entries[1].prefix.len, 24);
        assert_eq!(a.entries[0].ether, a.entries[1].ether);
        assert_eq!(a.entries[2].prefix.len, 24);
        assert_eq!(a.entries[2].ether, EtherAddress([0, 0, 0, 0, 0, 1]));
    }

    #[test]
    fn bad_entries() {
        let cfg = "10.0.0.1, 00:11:22:33:44:55, 10.0.0.300 0:0:0:0:0:1, \
                   10.0.0.0/255.0.255.0 0:0:0:0:0:1, 1.2.3.4 0:0:0:0:0:1 0:0:0:0:0:2";
        let errs = errors(cfg, ARPResponder::configure(cfg));
        assert_eq!(errs.len(), 5, "{errs:?}");
        assert!(has(&errs, "no Ethernet address", "10.0.0.1"), "{errs:?}");
        assert!(has(&errs, "no IP address", "00:11:22:33:44:55"), "{errs:?}");
        assert!(has(&errs, "expected IP address", "10.0.0.300"), "{errs:?}");
        assert!(
            has(&errs, "not contiguous", "10.0.0.0/255.0.255.0"),
            "{errs:?}"
        );
        assert!(
            has(&errs, "more than one Ethernet", "0:0:0:0:0:2"),
            "{errs:?}"
        );
    }

    const CONFIG: &str = "10.0.0.1 10.0.7.0/24 00:11:22:33:44:55, 10.0.7.7 0:0:0:0:0:7";

    #[test]
    fn answers_requests_for_its_prefixes() {
        let mut a = ARPResponder::configure(CONFIG).unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut p = pool
            .alloc_with(&request(Ipv4Addr::new(10, 0, 7, 7), 18))
            .unwrap();
        p.set_paint(5);
        p.set_device(3);
        p.set_network_header(50, 4);
        assert_eq!(a.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.len(), 42);
        assert_eq!((p.paint(), p.device()), (0, 3));
        assert_eq!(p.network_offset(), Some(14));
        let r = ArpFrame::parse(p.data()).unwrap();
        let me = EtherAddress([0, 0, 0, 0, 0, 7]);
        assert_eq!(r.op, ArpOp::Reply);
        assert_eq!((r.ether.dst, r.ether.src), (ASKER, me));
        assert_eq!((r.sha, r.spa), (me, Ipv4Addr::new(10, 0, 7, 7)));
        assert_eq!((r.tha, r.tpa), (ASKER, Ipv4Addr::new(10, 0, 0, 99)));
        let mut p = pool
            .alloc_with(&request(Ipv4Addr::new(10, 0, 7, 8), 0))
            .unwrap();
        assert_eq!(a.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(
            ArpFrame::parse(p.data()).unwrap().sha,
            EtherAddress([0, 0x11, 0x22, 0x33, 0x44, 0x55])
        );
        assert_eq!(a.read_handler("drops"), Ok("0".into()));
    }

    #[test]
    fn other_packets_go_to_output_1_or_are_dropped() {
        let mut a = ARPResponder::configure(CONFIG).unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut reply = request(Ipv4Addr::new(10, 0, 0, 1), 0);
        reply[21] = 2;
        let mut ip = request(Ipv4Addr::new(10, 0, 0, 1), 0);
        ip[12..14].copy_from_slice(&[8, 0]);
        let frames = [
            request(Ipv4Addr::new(10, 0, 0, 2), 0),
            request(Ipv4Addr::new(10, 0, 0, 1), 0)[..41].to_vec(),
            reply,
            ip,
            alloc::vec![],
        ];
        for outputs in [2, 1] {
            let sent = run_push(
                &mut a,
                &cx,
                0,
                frames.iter().map(|f| pool.alloc_with(f).unwrap()).collect(),
                outputs,
            );
            assert_eq!(on_port(&sent, 0).len(), 0);
            assert_eq!(on_port(&sent, 1).len(), if outputs == 2 { 5 } else { 0 });
            if outputs == 2 {
                assert_eq!(sent[1].data, frames[1], "unanswered packets are untouched");
            }
        }
        assert_eq!(a.read_handler("drops"), Ok("10".into()));
    }

    #[test]
    fn handlers() {
        let mut a = ARPResponder::configure(CONFIG).unwrap();
        assert_eq!(
            a.read_handler("table").unwrap(),
            "10.0.0.1/32 00:11:22:33:44:55\n10.0.7.7/32 00:00:00:00:00:07\n\
             10.0.7.0/24 00:11:22:33:44:55\n"
        );
        assert_eq!(
            a.read_handler_with("lookup", "10.0.7.7"),
            Ok("00:00:00:00:00:07".into())
        );
        assert_eq!(a.read_handler_with("lookup", "10.0.8.7"), Ok("".into()));
        assert!(matches!(
            a.read_handler_with("lookup", ""),
            Err(HandlerError::Invalid(_))
        ));
        assert!(matches!(
            a.read_handler_with("lookup", "x"),
            Err(HandlerError::Invalid(_))
        ));
        assert_eq!(a.read_handler("lookup"), Err(HandlerError::NoSuchHandler));
        assert!(matches!(
            a.read_handler_with("table", "x"),
            Err(HandlerError::Invalid(_))
        ));
        a.write_handler("add", "10.0.7.7/32 0:0:0:0:0:8").unwrap();
        assert_eq!(
            a.read_handler_with("lookup", "10.0.7.7"),
            Ok("00:00:00:00:00:08".into())
        );
        assert_eq!(a.read_handler("table").unwrap().lines().count(), 3);
        a.write_handler("remove", "10.0.7.7").unwrap();
        assert_eq!(
            a.read_handler_with("lookup", "10.0.7.7"),
            Ok("00:11:22:33:44:55".into())
        );
        a.write_handler("remove", "10.0.7.99/255.255.255.0")
            .unwrap();
        assert_eq!(a.read_handler_with("lookup", "10.0.7.7"), Ok("".into()));
        assert!(matches!(
            a.write_handler("remove", "10.0.7.0/24"),
            Err(HandlerError::Invalid(m)) if m.contains("not found")
        ));
        assert!(a.write_handler("add", "10.0.0.9").is_err());
        assert_eq!(a.entries.len(), 1);
        assert_eq!(
            a.write_handler("table", ""),
            Err(HandlerError::NoSuchHandler)
        );
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let a = ARPResponder::configure(CONFIG).unwrap();
        for outputs in [1, 2] {
            check_batch_path(&a, 0, outputs, |i, pool| {
                let mut f = request(Ipv4Addr::new(10, 0, (i % 9) as u8, i as u8), i % 3);
                match i % 6 {
                    4 => f.truncate(30 + i % 12),
                    5 => f[21] = 2,
                    _ => {}
                }
                let mut p = pool.alloc_with(&f).unwrap();
                p.set_paint(i as u8);
                p
            });
        }
    }
}
