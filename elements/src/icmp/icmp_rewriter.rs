//! # ICMPRewriter — rewrites ICMP errors by IP rewriter mappings
//!
//! ```click
//! ICMPRewriter(MAPS [, KEYWORDS])
//! ```
//!
//! Ports: one input, one or more outputs (`1/1-`). Processing: push (`h/h`).
//!
//! Translates back the ICMP errors about packets that went through a NAT,
//! so that traceroute and path MTU discovery work through it. MAPS is a
//! space-separated list of rewriter elements (IPRewriter, TCPRewriter,
//! UDPRewriter, ICMPPingRewriter, IPAddrRewriter, IPAddrPairRewriter).
//!
//! An ICMP error (destination unreachable, source quench, redirect, time
//! exceeded, parameter problem) quotes the header of the packet that
//! caused it — as that packet was after the rewriter changed it. When the
//! quoted packet belongs to a live flow of one of MAPS (tried in order),
//! ICMPRewriter rewrites the error as if it were about the packet before
//! translation: the quoted addresses and ports (or echo identifier) become
//! the flow's original ones, with the quoted IP checksum and the quoted
//! TCP, UDP or ICMP checksum updated; the error's destination, if it is
//! the quoted packet's source, becomes the original source; the error's
//! IP and ICMP checksums are updated. All updates are incremental (RFC
//! 1624). The error leaves on output 0 — or, when the map was written
//! `NAME:OFFSET`, on output OFFSET plus the flow's output for its
//! direction.
//!
//! ICMP messages that are not errors, errors about no live flow, and
//! errors whose quoted header is cut or not IPv4 leave on output 1 if
//! there is one, and are dropped otherwise (counted in `unmapped`).
//! Packets without a whole IPv4 header, and packets that are not ICMP (or
//! are later fragments), are dropped and counted in `malformed`.
//!
//! ## Keywords
//! - `MAPS` *ELEMENTS* — the rewriters, first positional argument.
//! - `DST_ANNO` *BOOL* — set the destination IP annotation to the new
//!   destination. Default true.
//! - `REPLY_ANNO` *ANNO* — a one-byte annotation (`PAINT` or an offset):
//!   errors that travel a flow's reply direction get the flow's value.
//!
//! ## Handlers
//! - `translated` (read) — errors rewritten.
//! - `unmapped` (read) — ICMP packets not rewritten.
//! - `malformed` (read) — packets dropped as malformed.
//!
//! ## Examples
//! ```click
//! rw :: IPRewriter(pattern 192.0.2.1 1024-65535 - - 0 1, drop);
//! ping_rw :: ICMPPingRewriter(pattern 192.0.2.1 - - - 0 1, drop);
//! errors :: ICMPRewriter(rw ping_rw);
//! from_outside -> IPClassifier(icmp type unreachable or icmp type time-exceeded, -)
//!              => errors, [1]rw;
//! errors[0] -> to_inside;
//! ```
//!
//! ## Differences from Click
//! - The handlers are nfc's; Click has none.
//! - For IPAddrRewriter flows nfc translates only the address the flow
//!   changed; Click also overwrites the other address and the ports.
//! - An error whose quoted packet is not a first fragment, or whose
//!   quoted ports are cut, is unmapped (Click tries the addresses alone,
//!   which finds no NAPT flow either).
//! - Unmapped ICMP leaves on output 1 when there is one, as Click's
//!   manual says; Click's code drops it whatever the outputs
//!   (`unmapped_output` is -1 there).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::checksum;
use nfc_dataplane::element::{Context, Element, HandlerError, Out, Shared};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, ParseError};

use crate::ip::ip_header::{field, get16, put16, OFFSET_MASK, PROTO_ICMP, PROTO_TCP, PROTO_UDP};
use crate::tcpudp::rewriter::{Quoted, SharedMappings, Translation};
use crate::tcpudp::rewriter_input_spec::byte_anno;
use crate::ElementSpec;

/// Output of translated errors (without port offsets).
pub const OUT_TRANSLATED: usize = 0;
/// Output of what is not translated, when there is one.
pub const OUT_UNMAPPED: usize = 1;

/// DCCP, whose ports sit where TCP's and UDP's do.
const PROTO_DCCP: u8 = 33;
/// ICMP echo request.
const ECHO: u8 = 8;

/// The rewriters named in MAPS, once linked, with their port offsets.
type Maps = Vec<(SharedMappings, Option<usize>)>;

/// ICMPRewriter: its maps, settings and counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ICMPRewriter {
    /// MAPS as written: element names and port offsets.
    names: Vec<(String, Option<usize>)>,
    /// The rewriters' mappings, once linked.
    maps: Maps,
    dst_anno: bool,
    reply_anno: Option<usize>,
    noutputs: usize,
    translated: u64,
    unmapped: u64,
    malformed: u64,
}

/// Parses MAPS: `NAME` or `NAME:OFFSET`, space-separated.
fn maps(s: &str) -> Result<Vec<(String, Option<usize>)>, ParseError> {
    let mut out = Vec::new();
    for word in s.split_whitespace() {
        let (name, offset) = match word.split_once(':') {
            Some((n, o)) => (n, Some(parse::unsigned::<usize>(o)?)),
            None => (word, None),
        };
        out.push((parse::word(name)?, offset));
    }
    if out.is_empty() {
        return Err(ParseError::new("no IP rewriters supplied"));
    }
    Ok(out)
}

impl ICMPRewriter {
    /// Parses `MAPS [, DST_ANNO, REPLY_ANNO]`, reporting every error.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let names = args.read_mp("MAPS", maps);
        let dst_anno = args.read("DST_ANNO", parse::boolean).unwrap_or(true);
        let reply_anno = args.read("REPLY_ANNO", byte_anno);
        args.complete()?;
        Ok(ICMPRewriter {
            names: names.unwrap_or_default(),
            maps: Vec::new(),
            dst_anno,
            reply_anno,
            noutputs: 1,
            translated: 0,
            unmapped: 0,
            malformed: 0,
        })
    }

    /// What an untranslated ICMP packet gets.
    fn unmapped(&mut self) -> Out {
        self.unmapped += 1;
        if self.noutputs > OUT_UNMAPPED {
            Out::Port(OUT_UNMAPPED)
        } else {
            Out::Drop
        }
    }
}

/// What an ICMP packet is to ICMPRewriter.
enum Seen {
    /// No whole IPv4 header, not ICMP, or a later fragment.
    Malformed,
    /// Not an error about a packet it can look up.
    Unmapped,
    /// An error: where its quoted packet starts in the ICMP message, its
    /// header length, and what it says.
    Error {
        hlen: usize,
        qhlen: usize,
        q: Quoted,
    },
}

/// Reads an ICMP error's quoted packet.
fn inspect(ip: &[u8]) -> Seen {
    let Some(h) = ip.first_chunk::<20>() else {
        return Seen::Malformed;
    };
    let hlen = usize::from(h[field::VER_IHL] & 0x0f) * 4;
    let total = usize::from(get16(h, field::LEN));
    if h[field::VER_IHL] >> 4 != 4 || hlen < 20 || total < hlen || ip.len() < hlen {
        return Seen::Malformed;
    }
    if h[field::PROTO] != PROTO_ICMP || get16(h, field::FRAG) & OFFSET_MASK != 0 {
        return Seen::Malformed;
    }
    let l4 = &ip[hlen..total.min(ip.len())];
    if l4.len() < 8 + 20 || !matches!(l4[0], 3 | 4 | 5 | 11 | 12) {
        return Seen::Unmapped;
    }
    let quoted = &l4[8..];
    let qhlen = usize::from(quoted[field::VER_IHL] & 0x0f) * 4;
    if quoted[field::VER_IHL] >> 4 != 4 || qhlen < 20 || quoted.len() < qhlen {
        return Seen::Unmapped;
    }
    let qproto = quoted[field::PROTO];
    let first = get16(quoted, field::FRAG) & OFFSET_MASK == 0;
    let qt = &quoted[qhlen..];
    let ports = match qproto {
        PROTO_TCP | PROTO_UDP | PROTO_DCCP if first && qt.len() >= 8 => {
            Some((get16(qt, 0), get16(qt, 2)))
        }
        PROTO_ICMP if first && qt.len() >= 6 && qt[0] == ECHO => Some((get16(qt, 4), get16(qt, 4))),
        _ => None,
    };
    let addr = |at: usize| [quoted[at], quoted[at + 1], quoted[at + 2], quoted[at + 3]];
    Seen::Error {
        hlen,
        qhlen,
        q: Quoted {
            proto: qproto,
            src: addr(field::SRC),
            dst: addr(field::DST),
            ports,
        },
    }
}

/// Rewrites the error `ip` (header length `hlen`, quoted header length
/// `qhlen`) by `t`; returns the new outer destination if it changed.
fn rewrite(
    ip: &mut [u8],
    hlen: usize,
    qhlen: usize,
    q: &Quoted,
    t: &Translation,
) -> Option<[u8; 4]> {
    let total = usize::from(get16(ip, field::LEN)).min(ip.len());
    let mut new_dst = None;
    if let Some((from, to)) = t.outer {
        if ip[field::DST..field::DST + 4] == from {
            ip[field::DST..field::DST + 4].copy_from_slice(&to);
            let sum = checksum::apply(get16(ip, field::CHECKSUM), checksum::delta(&from, &to));
            put16(ip, field::CHECKSUM, sum);
            new_dst = Some(to);
        }
    }
    let l4 = &mut ip[hlen..total];
    // The part of the ICMP message this changes, as it was: the quoted IP
    // header from its checksum on, and the quoted transport header's first
    // 20 bytes (word-aligned: the ICMP checksum covers whole words).
    let end = (8 + qhlen + 20).min(l4.len()) & !1;
    let mut before = [0u8; 8 + 60 + 20];
    before[..end].copy_from_slice(&l4[..end]);
    {
        let quoted = &mut l4[8..];
        let mut addrs = [0u8; 8];
        addrs[..4].copy_from_slice(&t.src);
        addrs[4..].copy_from_slice(&t.dst);
        let addr_delta = checksum::delta(&quoted[field::SRC..field::SRC + 8], &addrs);
        quoted[field::SRC..field::SRC + 8].copy_from_slice(&addrs);
        let sum = checksum::apply(get16(quoted, field::CHECKSUM), addr_delta);
        put16(quoted, field::CHECKSUM, sum);
        let qt = &mut quoted[qhlen..];
        if let (Some(old), Some(new)) = (q.ports, t.ports) {
            match q.proto {
                PROTO_ICMP => {
                    let d = checksum::delta(&old.0.to_be_bytes(), &new.0.to_be_bytes());
                    put16(qt, 4, new.0);
                    put16(qt, 2, checksum::apply(get16(qt, 2), d));
                }
                proto => {
                    let mut o = [0u8; 4];
                    o.copy_from_slice(&qt[..4]);
                    put16(qt, 0, new.0);
                    put16(qt, 2, new.1);
                    let d = checksum::combine(addr_delta, checksum::delta(&o, &qt[..4]));
                    match proto {
                        PROTO_TCP if qt.len() >= 18 => {
                            put16(qt, 16, checksum::apply(get16(qt, 16), d))
                        }
                        PROTO_UDP => put16(qt, 6, checksum::apply_udp(get16(qt, 6), d)),
                        _ => {}
                    }
                }
            }
        }
    }
    let d = checksum::delta(&before[..end], &l4[..end]);
    put16(l4, 2, checksum::apply(get16(l4, 2), d));
    new_dst
}

impl Element for ICMPRewriter {
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let Some(ip) = p.network() else {
            self.malformed += 1;
            return Out::Drop;
        };
        let (hlen, qhlen, q) = match inspect(ip) {
            Seen::Malformed => {
                self.malformed += 1;
                return Out::Drop;
            }
            Seen::Unmapped => return self.unmapped(),
            Seen::Error { hlen, qhlen, q } => (hlen, qhlen, q),
        };
        let found = self
            .maps
            .iter()
            .find_map(|(m, offset)| m.borrow().translate(&q, cx.now).map(|t| (t, *offset)));
        let Some((t, offset)) = found else {
            return self.unmapped();
        };
        let Some(ip) = p.network_mut() else {
            return self.unmapped();
        };
        let new_dst = rewrite(ip, hlen, qhlen, &q, &t);
        if let (Some(dst), true) = (new_dst, self.dst_anno) {
            p.set_dst_ip(Ipv4Addr::from(dst));
        }
        if let (Some(at), Some(v)) = (self.reply_anno, t.reply_anno) {
            p.anno_mut()[at] = v;
        }
        self.translated += 1;
        Out::Port(offset.map_or(OUT_TRANSLATED, |o| o + usize::from(t.output)))
    }

    fn set_ports(&mut self, _ninputs: usize, noutputs: usize) {
        self.noutputs = noutputs;
    }

    fn link(&mut self, lent: &[(&str, Shared)]) -> Result<(), String> {
        let mut maps = Vec::with_capacity(self.names.len());
        let mut errors = Vec::new();
        for (name, offset) in &self.names {
            let found = lent
                .iter()
                .filter(|(n, _)| n == name)
                .find_map(|(_, s)| s.downcast_ref::<SharedMappings>());
            match found {
                Some(m) => maps.push((m.clone(), *offset)),
                None => errors.push(alloc::format!("MAPS: no IP rewriter named '{name}'")),
            }
        }
        self.maps = maps;
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "translated" => self.translated.to_string(),
            "unmapped" => self.unmapped.to_string(),
            "malformed" => self.malformed.to_string(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }
}

/// ICMPRewriter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ICMPRewriter",
    port_count: "1/1-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["MAPS", "DST_ANNO", "REPLY_ANNO"],
    handlers: &["translated (read)", "unmapped (read)", "malformed (read)"],
    summary: "rewrites ICMP errors by IP rewriter mappings",
    source: include_str!("icmp_rewriter.rs"),
    check: |c| ICMPRewriter::configure(c).map(|_| crate::Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::check_batch_path;
    use crate::icmp::icmp_ping_rewriter::ICMPPingRewriter;
    use crate::ip::ip_addr_rewriter::IPAddrRewriter;
    use crate::tcpudp::ip_rewriter::IPRewriter;
    use crate::tcpudp::rewriter::testing::*;
    use nfc_dataplane::element::link_all;
    use nfc_dataplane::packet::PacketPool;

    const ROUTER: [u8; 4] = [203, 0, 113, 254];
    const INSIDE_ROUTER: [u8; 4] = [10, 0, 0, 254];

    /// A NAT (IPRewriter `rw`, ICMPPingRewriter `ping`) and an
    /// ICMPRewriter over both, linked.
    struct Nat {
        rw: Bench<IPRewriter>,
        ping: Bench<ICMPPingRewriter>,
        errors: Bench<ICMPRewriter>,
    }

    impl Nat {
        fn new(maps: &str) -> Nat {
            let mut rw =
                IPRewriter::configure("pattern 192.0.2.1 1024-65535 - - 0 1, drop").unwrap();
            let mut ping =
                ICMPPingRewriter::configure("pattern 192.0.2.1 - - - 0 1, drop").unwrap();
            let mut errors = ICMPRewriter::configure(maps).unwrap();
            errors.set_ports(1, 2);
            link_all(&mut [
                ("rw", &mut rw),
                ("ping", &mut ping),
                ("errors", &mut errors),
            ])
            .unwrap();
            Nat {
                rw: Bench::new(rw),
                ping: Bench::new(ping),
                errors: Bench::new(errors),
            }
        }
    }

    /// Checks that error `e` quotes `original` as it was before the NAT:
    /// addresses, ports and the quoted checksums.
    fn quotes(e: &[u8], original: &[u8]) {
        verify(e);
        assert_eq!(
            &e[28..48],
            &original[..20],
            "the quoted IP header is the original's"
        );
        assert_eq!(
            &e[48..56],
            &original[20..28],
            "so are its first 8 transport bytes"
        );
    }

    #[test]
    fn errors_about_tcp_udp_and_ping_flows_are_translated_back() {
        let mut nat = Nat::new("rw ping");
        let syn = tcp(HOST, 40000, SERVER, 443, 2, b"");
        let (_, out) = nat.rw.send(0, 0, &syn).unwrap();
        // A router on the way says the host is unreachable (or TTL ran out).
        for (ty, code) in [(3, 1), (11, 0), (3, 4), (12, 0), (4, 0)] {
            let e = error(ROUTER, PUBLIC, ty, code, &out);
            let (port, back) = nat.errors.send(1, 0, &e).unwrap();
            assert_eq!(port, 0);
            assert_eq!(&back[16..20], &HOST, "to the inside host");
            assert_eq!(&back[12..16], &ROUTER, "from the router still");
            quotes(&back, &syn);
        }
        // UDP, and a UDP without checksum
        for sum in [true, false] {
            let dns = udp(HOST, 5353 + u16::from(sum), SERVER, 53, b"query", sum);
            let (_, out) = nat.rw.send(0, 0, &dns).unwrap();
            let (_, back) = nat
                .errors
                .send(1, 0, &error(SERVER, PUBLIC, 3, 3, &out))
                .unwrap();
            quotes(&back, &dns);
        }
        // a ping's time exceeded (traceroute with ICMP)
        let req = echo(HOST, SERVER, true, 77);
        let (_, out) = nat.ping.send(0, 0, &req).unwrap();
        let (port, back) = nat
            .errors
            .send(1, 0, &error(ROUTER, PUBLIC, 11, 0, &out))
            .unwrap();
        assert_eq!(port, 0);
        quotes(&back, &req);
        assert_eq!(nat.errors.num("translated"), 8);
        // about no flow: output 1
        let other = tcp(HOST, 40001, SERVER, 443, 2, b"");
        let mut stray = other.clone();
        stray[12..16].copy_from_slice(&PUBLIC);
        let e = error(ROUTER, PUBLIC, 3, 1, &stray);
        assert_eq!(nat.errors.send(1, 0, &e), Some((1, e.clone())));
        // an echo reply, a redirect about nothing, a cut quote: output 1
        for m in [
            echo(SERVER, PUBLIC, false, 1),
            error(ROUTER, PUBLIC, 3, 1, &out[..24]),
        ] {
            assert_eq!(nat.errors.send(1, 0, &m), Some((1, m.clone())));
        }
        assert_eq!(nat.errors.num("unmapped"), 3);
        // not ICMP, or no IP header: dropped and counted
        assert_eq!(nat.errors.send(1, 0, &syn), None);
        assert_eq!(nat.errors.send(1, 0, &syn[..10]), None);
        assert_eq!(nat.errors.num("malformed"), 2);
        // an expired flow's errors are not translated
        assert_eq!(
            nat.errors
                .send(100_000, 0, &error(ROUTER, PUBLIC, 3, 1, &out))
                .unwrap()
                .0,
            1
        );
    }

    #[test]
    fn errors_from_inside_about_replies_keep_the_public_view() {
        // A reply went in; an inside router reports it undeliverable: the
        // quoted packet becomes the one the server sent.
        let mut nat = Nat::new("rw:0");
        let syn = tcp(HOST, 40000, SERVER, 443, 2, b"");
        let (_, out) = nat.rw.send(0, 0, &syn).unwrap();
        let sport = ends(&out).1;
        let reply = tcp(SERVER, 443, PUBLIC, sport, 0x12, b"");
        let (_, inside) = nat.rw.send(0, 1, &reply).unwrap();
        let e = error(INSIDE_ROUTER, SERVER, 3, 1, &inside);
        let (port, back) = nat.errors.send(0, 0, &e).unwrap();
        assert_eq!(port, 0, "offset 0 plus the flow's forward output 0");
        quotes(&back, &reply);
        assert_eq!(&back[16..20], &SERVER);
        // and an error going in, with the offset: the reply output
        let (port, _) = nat
            .errors
            .send(0, 0, &error(ROUTER, PUBLIC, 3, 1, &out))
            .unwrap();
        assert_eq!(port, 1);
    }

    #[test]
    fn address_rewriter_errors() {
        let mut rw = IPAddrRewriter::configure("pattern 192.0.2.9 - 0 1, drop").unwrap();
        let mut errors = ICMPRewriter::configure("rw").unwrap();
        link_all(&mut [("rw", &mut rw), ("e", &mut errors)]).unwrap();
        let (mut rw, mut errors) = (Bench::new(rw), Bench::new(errors));
        let u = udp(HOST, 1, SERVER, 2, b"", true);
        let (_, out) = rw.send(0, 0, &u).unwrap();
        let (_, back) = errors
            .send(0, 0, &error(SERVER, [192, 0, 2, 9], 3, 3, &out))
            .unwrap();
        quotes(&back, &u);
        assert_eq!(&back[16..20], &HOST);
    }

    #[test]
    fn configuration_and_links() {
        assert!(ICMPRewriter::configure("").is_err());
        assert!(ICMPRewriter::configure("rw:x").is_err());
        assert!(ICMPRewriter::configure("rw, REPLY_ANNO PAINT, DST_ANNO false").is_ok());
        let mut e = ICMPRewriter::configure("rw nope").unwrap();
        let mut counter = crate::standard::counter::Counter::configure("").unwrap();
        let err = link_all(&mut [("rw", &mut counter), ("e", &mut e)]).unwrap_err();
        assert_eq!(
            err,
            ["e: MAPS: no IP rewriter named 'rw'; MAPS: no IP rewriter named 'nope'"]
        );
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let nat = Nat::new("rw ping");
        let mut rw = nat.rw;
        let flows: Vec<Vec<u8>> = (0..5u16)
            .map(|n| {
                rw.send(0, 0, &udp(HOST, 100 + n, SERVER, 53, b"", true))
                    .unwrap()
                    .1
            })
            .collect();
        let make = |i: usize, pool: &'static PacketPool| {
            let bytes = match i % 3 {
                0 => error(ROUTER, PUBLIC, 3, 3, &flows[i % 5]),
                1 => echo(SERVER, PUBLIC, true, 3),
                _ => flows[i % 5].clone(),
            };
            let mut p = pool.alloc_with(&bytes).unwrap();
            p.set_network_header(0, 20);
            p
        };
        check_batch_path(&nat.errors.e, 0, 2, make);
    }
}
