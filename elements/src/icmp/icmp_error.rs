//! # ICMPError — generates ICMP error packets
//!
//! ```click
//! ICMPError(SRC, TYPE [, CODE, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Turns each input packet (an IP packet; the IP header annotation must be
//! set) into an ICMP error message about it, from address SRC, of type TYPE
//! and code CODE. The message quotes the offending packet from its IP
//! header on, as much of it as fits in MTU bytes (RFC 1812 4.3.2.3). The
//! output is a new IP packet (TTL 200, an IP ID counting up from 1) whose
//! destination annotation is the offender's source; it carries the
//! fix-IP-source annotation (unless SET_FIX_ANNO is false) so that a later
//! FixIPSrc can put the outgoing interface's address in, and the current
//! time as its timestamp.
//!
//! As RFC 1812 4.3.2.7 says, no error is sent about an ICMP error, a
//! fragment other than the first, a packet to a broadcast or multicast IP
//! address or one of BADADDRS, a packet that came as a link-level
//! broadcast or multicast, or a packet from an invalid source (0/8,
//! 127/8, 240/4, broadcast, multicast, or BADADDRS); such packets are
//! dropped. A packet with a source route option gets no redirect, and its
//! error carries the route reversed (RFC 1812 4.3.2.6) — unless the error
//! is a parameter problem pointing into that option.
//!
//! Type-specific fields: a parameter problem with code 0 (`erroratptr`)
//! takes its pointer from the ICMP parameter-problem annotation (IPGWOptions
//! sets it); a redirect takes its gateway from the destination IP
//! annotation; an unreachable with code 4 (`needfrag`) reports PMTU as the
//! next-hop MTU.
//!
//! ## Keywords
//! - `SRC` *ADDR* — source address of the errors. Mandatory.
//! - `TYPE` *T* — an error type: `unreachable` (3), `sourcequench` (4),
//!   `redirect` (5), `timeexceeded` (11), `parameterproblem` (12), or the
//!   number. Mandatory.
//! - `CODE` *C* — a number or a name for the type: for unreachable `net`,
//!   `host`, `protocol`, `port`, `needfrag`, `filterprohibited` …; for
//!   timeexceeded `transit`, `reassembly`; for parameterproblem `erroratptr`,
//!   `missingopt`, `length`; for redirect `net`, `host`, `tosnet`, `toshost`.
//!   Default 0.
//! - `BADADDRS` *ADDRS* — space-separated source addresses never sent errors.
//! - `MTU` *N* — longest error packet. Default 576.
//! - `PMTU` *N* — next-hop MTU reported in `needfrag` errors. Default 0,
//!   as in Click; set it to the MTU of the IPFragmenter whose errors this
//!   element makes, or hosts cannot learn the path MTU (Linux then falls
//!   back to 552 bytes).
//! - `SET_FIX_ANNO` *BOOL* — set the fix-IP-source annotation. Default true.
//!
//! ## Handlers
//! - `src` (read/write) — the SRC setting.
//! - `mtu` (read/write), `pmtu` (read/write) — the MTU and PMTU settings.
//!
//! ## Examples
//! ```click
//! dt[1] -> ICMPError(10.0.0.1, timeexceeded) -> rt;
//! frag[1] -> ICMPError(10.0.0.1, unreachable, needfrag, PMTU 1500) -> rt;
//! ```
//!
//! ## Differences from Click
//! - Packets that get no error (and those the pool has no buffer for) are
//!   counted (`drops()`).
//! - An error never exceeds the packet buffer (`BUF_SIZE - HEADROOM`
//!   bytes), whatever MTU says.

use alloc::string::{String, ToString};
use alloc::{format, vec::Vec};
use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::checksum;
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::{
    Packet, PacketType, BUF_SIZE, FIX_IP_SRC_ANNO, HEADROOM, ICMP_PARAMPROB_ANNO,
};
use nfc_dataplane::parse;

use crate::ip::arg_types::{icmp_code, icmp_type, ipv4_list};
use crate::ip::ip_header::{
    self, field, put16, Fields, MIN_LEN, OPT_EOL, OPT_LSRR, OPT_SSRR, PROTO_ICMP,
};

use crate::{ElementSpec, Ports};

/// ICMPError's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ICMPError {
    /// Source address of the errors.
    pub src: Ipv4Addr,
    /// ICMP type (an error type).
    pub icmp_type: u8,
    /// ICMP code.
    pub code: u8,
    /// Sources never sent errors.
    pub bad_addrs: Vec<Ipv4Addr>,
    /// Longest error packet.
    pub mtu: u32,
    /// Next-hop MTU reported in `needfrag` errors (0 when not configured).
    pub pmtu: u32,
    /// Set the fix-IP-source annotation.
    pub set_fix_anno: bool,
    /// The next IP ID.
    id: u16,
    /// Packets that got no error message.
    drops: u64,
}

/// ICMP types that are error messages.
const ERROR_TYPES: &[u8] = &[3, 4, 5, 11, 12];

const UNREACH: u8 = 3;
const REDIRECT: u8 = 5;
const PARAMPROB: u8 = 12;
const NEEDFRAG: u8 = 4;
const ERRATPTR: u8 = 0;

/// Length of the ICMP header of an error message.
const ICMP_HEADER: usize = 8;

impl ICMPError {
    /// Parses ICMPError's configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let src = args.read_mp("SRC", parse::ipv4);
        let icmp_type = args.read_mp("TYPE", icmp_type);
        let code_word = args.read_p("CODE", parse::word);
        let bad_addrs = args.read_p("BADADDRS", ipv4_list).unwrap_or_default();
        let mtu = args.read("MTU", parse::unsigned::<u32>).unwrap_or(576);
        let pmtu = args.read("PMTU", parse::unsigned::<u32>).unwrap_or(0);
        let set_fix_anno = args.read("SET_FIX_ANNO", parse::boolean).unwrap_or(true);
        let mut code = 0;
        if let Some(t) = icmp_type {
            if !ERROR_TYPES.contains(&t) {
                let span = args.span_of("TYPE");
                args.error(
                    ConfigError::new(span, format!("TYPE: ICMP type {t} is not an error type"))
                        .with_hint(
                        "use unreachable, sourcequench, redirect, timeexceeded or parameterproblem",
                    ),
                );
            } else if let Some(w) = &code_word {
                match icmp_code(t, w) {
                    Ok(c) => code = c,
                    Err(e) => {
                        let span = args.span_of("CODE");
                        let mut err = ConfigError::new(span, format!("CODE: {}", e.message));
                        err.hint = e.hint;
                        args.error(err);
                    }
                }
            }
        }
        args.complete()?;
        Ok(ICMPError {
            src: src.unwrap_or(Ipv4Addr::UNSPECIFIED),
            icmp_type: icmp_type.unwrap_or(0),
            code,
            bad_addrs,
            mtu,
            pmtu,
            set_fix_anno,
            id: 1,
            drops: 0,
        })
    }

    /// Packets that got no error message: ones that must not (see the
    /// manual), malformed ones, and ones the pool had no buffer for.
    pub fn drops(&self) -> u64 {
        self.drops
    }

    /// A unicast destination: not the limited broadcast, not multicast, not
    /// one of BADADDRS.
    fn unicast(&self, a: Ipv4Addr) -> bool {
        !a.is_broadcast() && !a.is_multicast() && !self.bad_addrs.contains(&a)
    }

    /// A source an error may go to (RFC 1812 5.3.7): unicast, and not in
    /// 0/8, 127/8 or 240/4.
    fn valid_source(&self, a: Ipv4Addr) -> bool {
        let net = a.octets()[0];
        self.unicast(a) && net != 0 && net != 127 && net & 0xf0 != 0xf0
    }

    /// The error message about `p`, from `p`'s pool; `None` when `p` must
    /// not get one (or is malformed, or the pool is empty).
    fn error_for(&mut self, cx: &Context, p: &Packet) -> Option<Packet> {
        let (ip, hlen) = ip_header::ip(p)?;
        if ip[field::PROTO] == PROTO_ICMP {
            let icmp = ip.get(hlen..hlen + 4)?;
            if ERROR_TYPES.contains(&icmp[0]) {
                return None;
            }
        }
        if !self.unicast(ip_header::dst(ip))
            || matches!(
                p.packet_type(),
                PacketType::Broadcast | PacketType::Multicast
            )
            || !self.valid_source(ip_header::src(ip))
            || !ip_header::is_first_fragment(ip)
        {
            return None;
        }
        let pointer = usize::from(p.anno()[ICMP_PARAMPROB_ANNO]);
        let mut route = source_route(ip, hlen);
        if let Some((at, len)) = route {
            if self.icmp_type == REDIRECT {
                return None;
            }
            if self.icmp_type == PARAMPROB
                && self.code == ERRATPTR
                && (at..at + len).contains(&pointer)
            {
                route = None;
            }
        }
        // The reversed route: type, length, pointer, addresses, EOL.
        let olen = route.map_or(0, |(at, _)| usize::from(ip[at + 2]) - 1);
        let nhlen = if route.is_some() {
            (MIN_LEN + olen + 1).div_ceil(4) * 4
        } else {
            MIN_LEN
        };
        let room = (self.mtu as usize).min(BUF_SIZE - HEADROOM);
        let quote = room.saturating_sub(nhlen + ICMP_HEADER).min(ip.len());
        let total = nhlen + ICMP_HEADER + quote;
        let mut q = p.pool().alloc()?;
        let buf = q.put(total)?;
        ip_header::write_header(
            buf,
            &Fields {
                tos: 0,
                len: total as u16,
                id: self.id,
                frag: 0,
                ttl: 200,
                proto: PROTO_ICMP,
                src: self.src,
                dst: ip_header::src(ip),
            },
        );
        self.id = self.id.wrapping_add(1);
        if let Some((at, _)) = route {
            let o = &mut buf[MIN_LEN..nhlen];
            o[..3].copy_from_slice(&[ip[at], olen as u8, 4]);
            let mut w = 3;
            let mut r = at + olen - 4;
            while r >= at + 3 {
                o[w..w + 4].copy_from_slice(&ip[r..r + 4]);
                w += 4;
                r -= 4;
            }
            o[olen] = OPT_EOL;
            buf[field::VER_IHL] = 0x40 | (nhlen / 4) as u8;
            ip_header::set_checksum(buf, nhlen);
        }
        let icmp = &mut buf[nhlen..];
        icmp[0] = self.icmp_type;
        icmp[1] = self.code;
        match (self.icmp_type, self.code) {
            (PARAMPROB, ERRATPTR) => icmp[4] = pointer as u8,
            (REDIRECT, _) => icmp[4..8].copy_from_slice(&p.dst_ip().octets()),
            (UNREACH, NEEDFRAG) => put16(icmp, 6, self.pmtu as u16),
            _ => {}
        }
        icmp[ICMP_HEADER..].copy_from_slice(&ip[..quote]);
        let sum = checksum::checksum(icmp);
        put16(icmp, 2, sum);
        q.set_network_header(0, nhlen);
        q.set_dst_ip(ip_header::src(ip));
        if self.set_fix_anno {
            q.anno_mut()[FIX_IP_SRC_ANNO] = 1;
        }
        q.set_timestamp(cx.wall);
        Some(q)
    }
}

/// The offset and length of the first source-route option (LSRR or SSRR)
/// of the `hlen`-byte header `ip` whose pointer is sane (at least 4, a
/// multiple of 4, at most one past the option), if any.
fn source_route(ip: &[u8], hlen: usize) -> Option<(usize, usize)> {
    let mut at = MIN_LEN;
    while let Some((oi, kind, xlen)) = ip_header::next_option(ip, hlen, at).ok()? {
        if (kind == OPT_LSRR || kind == OPT_SSRR) && xlen >= 3 {
            let ptr = usize::from(ip[oi + 2]);
            if ptr >= 4 && ptr % 4 == 0 && ptr <= xlen + 1 {
                return Some((oi, xlen));
            }
        }
        at = oi + xlen;
    }
    None
}

impl Element for ICMPError {
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        match self.error_for(cx, p) {
            Some(q) => {
                *p = q;
                Out::Port(0)
            }
            None => {
                self.drops += 1;
                Out::Drop
            }
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "src" => Ok(self.src.to_string()),
            "mtu" => Ok(self.mtu.to_string()),
            "pmtu" => Ok(self.pmtu.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        let invalid = |e: parse::ParseError| HandlerError::Invalid(e.message);
        let value = value.trim();
        match name {
            "src" => self.src = parse::ipv4(value).map_err(invalid)?,
            "mtu" => self.mtu = parse::unsigned::<u32>(value).map_err(invalid)?,
            "pmtu" => self.pmtu = parse::unsigned::<u32>(value).map_err(invalid)?,
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// ICMPError's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ICMPError",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "SRC",
        "TYPE",
        "CODE",
        "BADADDRS",
        "MTU",
        "PMTU",
        "SET_FIX_ANNO",
    ],
    handlers: &["src (read/write)", "mtu (read/write)", "pmtu (read/write)"],
    summary: "generates ICMP error packets",
    source: include_str!("icmp_error.rs"),
    check: |c| ICMPError::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = ICMPError::configure("10.0.0.1, timeexceeded").unwrap();
        assert_eq!(
            (c.icmp_type, c.code, c.mtu, c.set_fix_anno),
            (11, 0, 576, true)
        );
        let c = ICMPError::configure("10.0.0.1, unreachable, needfrag").unwrap();
        assert_eq!((c.icmp_type, c.code), (3, 4));
        let c = ICMPError::configure("10.0.0.1, 12, 1, 1.2.3.4 5.6.7.8, MTU 1500").unwrap();
        assert_eq!((c.code, c.bad_addrs.len(), c.mtu), (1, 2, 1500));
        assert_eq!(
            ICMPError::configure("10.0.0.1, 11, transit").unwrap().code,
            0
        );
    }

    #[test]
    fn errors() {
        let cfg = "10.0.0.1, echo";
        let e = ICMPError::configure(cfg).unwrap_err().0;
        assert_eq!(e[0].message, "TYPE: ICMP type 8 is not an error type");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "echo");
        let cfg = "10.0.0.1, timeexceeded, needfrag";
        let e = ICMPError::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "needfrag");
        let cfg = "10.0.0.x, nope, MTU big";
        let e = ICMPError::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 3);
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "nope");
    }

    use crate::harness::{self, check_batch_path, ip_checksum};
    use crate::ip::ip_header::testing::{icmp, ipv4, marked, udp};
    use crate::ip::ip_header::{get16, OPT_NOP, PROTO_UDP};
    use nfc_dataplane::packet::PacketPool;

    const ME: [u8; 4] = [10, 0, 0, 1];
    const HOST: [u8; 4] = [18, 26, 4, 9];
    const FAR: [u8; 4] = [192, 168, 7, 7];

    /// Runs `e` on `bytes` (IP at offset 0); the error sent, if any.
    fn run(
        e: &mut ICMPError,
        bytes: &[u8],
        setup: impl FnOnce(&mut Packet),
    ) -> Option<alloc::vec::Vec<u8>> {
        let pool = harness::pool();
        let cx = Context::at(pool, 5_000);
        let mut p = marked(pool, bytes, 0);
        setup(&mut p);
        match e.process(&cx, 0, &mut p) {
            Out::Port(0) => {
                assert_eq!(p.network_offset(), Some(0));
                assert_eq!(
                    p.dst_ip(),
                    Ipv4Addr::from([bytes[12], bytes[13], bytes[14], bytes[15]])
                );
                assert_eq!(p.timestamp(), 5_000);
                let d = p.data().to_vec();
                let hl = usize::from(d[0] & 0x0f) * 4;
                assert_eq!(ip_checksum(&d[..hl]), 0);
                assert_eq!(ip_checksum(&d[hl..]), 0);
                assert_eq!(usize::from(get16(&d, 2)), d.len());
                Some(d)
            }
            out => {
                assert_eq!(out, Out::Drop);
                None
            }
        }
    }

    #[test]
    fn time_exceeded() {
        let mut e = ICMPError::configure("10.0.0.1, timeexceeded").unwrap();
        let orig = udp(HOST, FAR, 1000, 53, b"question");
        let d = run(&mut e, &orig, |_| {}).unwrap();
        assert_eq!(d.len(), 20 + 8 + orig.len(), "the whole packet fits in 576");
        assert_eq!((d[0], d[8], d[9]), (0x45, 200, 1));
        assert_eq!((&d[12..16], &d[16..20]), (&ME[..], &HOST[..]));
        assert_eq!(get16(&d, 4), 1, "first IP ID");
        assert_eq!(&d[20..24], &[11, 0, d[22], d[23]]);
        assert_eq!(&d[24..28], &[0, 0, 0, 0]);
        assert_eq!(&d[28..], &orig[..]);
        let d = run(&mut e, &orig, |_| {}).unwrap();
        assert_eq!(get16(&d, 4), 2, "IDs count up");
        // Annotations.
        let pool = harness::pool();
        let mut p = marked(pool, &orig, 0);
        e.process(&harness::cx(pool), 0, &mut p);
        assert_eq!(p.anno()[FIX_IP_SRC_ANNO], 1);
        let mut e =
            ICMPError::configure("10.0.0.1, timeexceeded, SET_FIX_ANNO false, MTU 100").unwrap();
        let mut p = marked(pool, &udp(HOST, FAR, 1, 2, &[7; 300]), 0);
        assert_eq!(e.process(&harness::cx(pool), 0, &mut p), Out::Port(0));
        assert_eq!(p.anno()[FIX_IP_SRC_ANNO], 0);
        assert_eq!(p.len(), 100, "MTU bounds the quote");
        assert_eq!(p.data()[28..48], udp(HOST, FAR, 1, 2, &[7; 300])[..20]);
    }

    #[test]
    fn no_errors_about_these() {
        let mut e = ICMPError::configure("10.0.0.1, unreachable, host, 18.26.4.255").unwrap();
        let none = |e: &mut ICMPError, b: &[u8]| assert!(run(e, b, |_| {}).is_none());
        none(&mut e, &icmp(HOST, FAR, 3, 1, &[0; 32]));
        none(&mut e, &icmp(HOST, FAR, 11, 0, &[0; 32]));
        assert!(
            run(&mut e, &icmp(HOST, FAR, 8, 0, &[0; 4]), |_| {}).is_some(),
            "echo is fine"
        );
        none(&mut e, &icmp(HOST, FAR, 8, 0, &[])[..22]);
        none(&mut e, &udp(HOST, [255; 4], 1, 2, &[]));
        none(&mut e, &udp(HOST, [224, 0, 0, 5], 1, 2, &[]));
        none(&mut e, &udp([18, 26, 4, 255], FAR, 1, 2, &[]));
        none(&mut e, &udp(HOST, [18, 26, 4, 255], 1, 2, &[]));
        for src in [
            [0, 1, 2, 3],
            [127, 0, 0, 1],
            [240, 0, 0, 1],
            [239, 1, 1, 1],
            [255; 4],
        ] {
            none(&mut e, &udp(src, FAR, 1, 2, &[]));
        }
        let mut frag = udp(HOST, FAR, 1, 2, &[0; 16]);
        put16(&mut frag, field::FRAG, 2);
        ip_header::set_checksum(&mut frag, 20);
        none(&mut e, &frag);
        put16(&mut frag, field::FRAG, ip_header::MF);
        ip_header::set_checksum(&mut frag, 20);
        assert!(
            run(&mut e, &frag, |_| {}).is_some(),
            "first fragments get errors"
        );
        let b = udp(HOST, FAR, 1, 2, &[]);
        assert!(run(&mut e, &b, |p| p.set_packet_type(PacketType::Broadcast)).is_none());
        assert!(run(&mut e, &b, |p| p.set_packet_type(PacketType::Multicast)).is_none());
        let pool = harness::pool();
        let mut p = pool.alloc_with(&b).unwrap();
        assert_eq!(
            e.process(&harness::cx(pool), 0, &mut p),
            Out::Drop,
            "no IP header"
        );
        assert_eq!(e.drops(), 16);
    }

    #[test]
    fn type_specific_fields() {
        let b = udp(HOST, FAR, 1, 2, &[]);
        let mut e = ICMPError::configure("10.0.0.1, unreachable, needfrag, PMTU 1500").unwrap();
        let d = run(&mut e, &b, |_| {}).unwrap();
        assert_eq!(&d[20..22], &[3, 4]);
        assert_eq!(get16(&d, 26), 1500);
        let mut e = ICMPError::configure("10.0.0.1, redirect, host").unwrap();
        let d = run(&mut e, &b, |p| p.set_dst_ip(Ipv4Addr::new(10, 0, 0, 99))).unwrap();
        assert_eq!(&d[20..28], &[5, 1, d[22], d[23], 10, 0, 0, 99]);
        let mut e = ICMPError::configure("10.0.0.1, parameterproblem").unwrap();
        let d = run(&mut e, &b, |p| p.anno_mut()[ICMP_PARAMPROB_ANNO] = 22).unwrap();
        assert_eq!(&d[20..25], &[12, 0, d[22], d[23], 22]);
    }

    #[test]
    fn source_routes_come_back_reversed() {
        // LSRR with two addresses recorded (pointer 12) and one to go.
        let opts = [
            OPT_NOP, OPT_LSRR, 15, 12, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
        ];
        let b = ipv4(PROTO_UDP, HOST, FAR, &opts, &[0; 8]);
        let mut e = ICMPError::configure("10.0.0.1, unreachable, port").unwrap();
        let d = run(&mut e, &b, |_| {}).unwrap();
        assert_eq!(d[0], 0x48);
        assert_eq!(
            &d[20..32],
            &[OPT_LSRR, 11, 4, 2, 2, 2, 2, 1, 1, 1, 1, OPT_EOL]
        );
        assert_eq!(&d[32..34], &[3, 3]);
        assert_eq!(&d[40..], &b[..]);
        // No redirects for source-routed packets.
        let mut e = ICMPError::configure("10.0.0.1, redirect").unwrap();
        assert!(run(&mut e, &b, |_| {}).is_none());
        // A parameter problem about the route itself does not use it.
        let mut e = ICMPError::configure("10.0.0.1, parameterproblem, erroratptr").unwrap();
        let d = run(&mut e, &b, |p| p.anno_mut()[ICMP_PARAMPROB_ANNO] = 23).unwrap();
        assert_eq!(d[0], 0x45);
        let d = run(&mut e, &b, |p| p.anno_mut()[ICMP_PARAMPROB_ANNO] = 9).unwrap();
        assert_eq!(d[0], 0x48);
        // A route with a bad pointer is ignored.
        let bad = ipv4(PROTO_UDP, HOST, FAR, &[OPT_LSRR, 7, 5, 1, 1, 1, 1, 0], &[]);
        let d = run(
            &mut ICMPError::configure("10.0.0.1, 3").unwrap(),
            &bad,
            |_| {},
        )
        .unwrap();
        assert_eq!(d[0], 0x45);
    }

    #[test]
    fn handlers_and_empty_pools() {
        let mut e = ICMPError::configure("10.0.0.1, timeexceeded").unwrap();
        assert_eq!(e.read_handler("mtu"), Ok("576".into()));
        e.write_handler("src", "10.9.9.9").unwrap();
        e.write_handler("mtu", "60").unwrap();
        e.write_handler("pmtu", "1400").unwrap();
        assert_eq!(e.read_handler("src"), Ok("10.9.9.9".into()));
        assert_eq!(e.read_handler("pmtu"), Ok("1400".into()));
        assert!(e.write_handler("mtu", "big").is_err());
        assert_eq!(e.read_handler("nope"), Err(HandlerError::NoSuchHandler));
        let d = run(&mut e, &udp(HOST, FAR, 1, 2, &[0; 100]), |_| {}).unwrap();
        assert_eq!((d.len(), &d[12..16]), (60, &[10, 9, 9, 9][..]));
        let pool = PacketPool::new(1);
        let mut p = marked(pool, &udp(HOST, FAR, 1, 2, &[]), 0);
        assert_eq!(
            e.process(&harness::cx(pool), 0, &mut p),
            Out::Drop,
            "no buffer"
        );
        assert_eq!(pool.exhausted(), 1);
    }

    /// Packets that do and do not get errors.
    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let bytes = match i % 4 {
            0 => udp(HOST, FAR, 1, i as u16, &[0; 40][..i % 40]),
            1 => icmp(HOST, FAR, 3, 0, &[0; 32]),
            2 => udp([127, 0, 0, 1], FAR, 1, 2, &[]),
            _ => icmp(HOST, FAR, 8, 0, &[i as u8; 8]),
        };
        let mut p = marked(pool, &bytes, 0);
        p.set_paint(i as u8);
        p
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let e = ICMPError::configure("10.0.0.1, unreachable, needfrag, PMTU 1500").unwrap();
        check_batch_path(&e, 0, 1, packet);
    }
}
