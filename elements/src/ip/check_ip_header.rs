//! # CheckIPHeader — checks IP header
//!
//! ```click
//! CheckIPHeader([OFFSET, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Checks that each packet holds a valid IPv4 header starting OFFSET bytes
//! into the packet: version 4, header length at least 20 and within the
//! packet, total length at least the header length and within the packet, a
//! correct header checksum, and a source address that is not one of the bad
//! source addresses. Valid packets have their IP header annotation set and
//! any bytes past the IP total length removed, and go to output 0. Invalid
//! packets go to output 1 if it exists and are dropped otherwise.
//!
//! For compatibility, a first positional argument that is not a number is
//! read as a space-separated BADSRC list; then OFFSET may follow.
//!
//! ## Keywords
//! - `OFFSET` *N* — where the IP header starts. Default 0.
//! - `INTERFACES` *PREFIXES* — space-separated `ADDR/LEN` of this host's
//!   interfaces; their broadcast addresses become bad sources and their
//!   addresses good destinations.
//! - `BADSRC` *ADDRS* — space-separated source addresses to reject (0.0.0.0
//!   and 255.255.255.255 are always added by Click when INTERFACES is used).
//! - `GOODDST` *ADDRS* — destination addresses that are accepted even when
//!   they would otherwise fail the source check.
//! - `CHECKSUM` *BOOL* — check the header checksum. Default true.
//! - `VERBOSE` *BOOL* — report every bad packet on the console (the first
//!   is always reported: `CheckIPHeader: IP header check failed: bad IP
//!   checksum`). Default false.
//! - `DETAILS` *BOOL* — count drops by reason. Default false.
//!
//! ## Handlers
//! - `count` (read) — packets that passed.
//! - `drops` (read) — packets dropped.
//! - `drop_details` (read) — drops by reason, when DETAILS is true.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Strip(14) -> CheckIPHeader(INTERFACES 10.0.0.1/24) -> ...
//! CheckIPHeader(OFFSET 14, CHECKSUM false)
//! ```
//!
//! ## Differences from Click
//! - Console messages start with the class name, where Click prints the
//!   element's name (nfc elements do not know their names).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;
use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::checksum;
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, IpPrefix, ParseError};

use super::arg_types::{ipv4_list, prefix_list};
use super::ip_print::Line;

use crate::{ElementSpec, Ports};

/// CheckIPHeader's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIPHeader {
    /// Offset of the IP header in the packet.
    pub offset: u32,
    /// This host's interfaces (INTERFACES).
    pub interfaces: Vec<IpPrefix>,
    /// Source addresses to reject (BADSRC, plus the broadcast address of each interface).
    pub bad_src: Vec<Ipv4Addr>,
    /// Destination addresses always accepted (GOODDST, plus each interface address).
    pub good_dst: Vec<Ipv4Addr>,
    /// Check the header checksum.
    pub checksum: bool,
    /// Report every bad packet (the first is always reported).
    pub verbose: bool,
    /// The class that reports them (CheckIPHeader2 shares this code).
    pub class: &'static str,
    /// Count drops by reason.
    pub details: bool,
    /// Packets that passed.
    count: u64,
    /// Packets that failed, in total and by [`Reason`].
    drops: u64,
    reason_drops: [u64; Reason::ALL.len()],
}

/// Why a packet failed the check, in the order the checks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Shorter than an IP header.
    Tiny,
    /// Version is not 4.
    Version,
    /// Header length below 20 bytes.
    HeaderLength,
    /// Total length beyond the packet, or below the header length.
    Length,
    /// Wrong header checksum.
    Checksum,
    /// Source address is a bad one.
    Source,
}

impl Reason {
    /// Every reason, in order.
    pub const ALL: [Reason; 6] = [
        Reason::Tiny,
        Reason::Version,
        Reason::HeaderLength,
        Reason::Length,
        Reason::Checksum,
        Reason::Source,
    ];

    /// Click's wording, as `drop_details` prints it.
    pub fn text(self) -> &'static str {
        match self {
            Reason::Tiny => "tiny packet",
            Reason::Version => "bad IP version",
            Reason::HeaderLength => "bad IP header length",
            Reason::Length => "bad IP length",
            Reason::Checksum => "bad IP checksum",
            Reason::Source => "bad source address",
        }
    }
}

enum First {
    Offset(u32),
    BadSrc(Vec<Ipv4Addr>),
}

fn first_positional(s: &str) -> Result<First, ParseError> {
    if s.bytes().next().is_some_and(|b| b.is_ascii_digit()) && !s.contains('.') {
        parse::unsigned::<u32>(s).map(First::Offset)
    } else {
        ipv4_list(s).map(First::BadSrc)
    }
}

impl CheckIPHeader {
    /// Parses CheckIPHeader's configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let interfaces = args.read("INTERFACES", prefix_list).unwrap_or_default();
        let kw_bad = args.read("BADSRC", ipv4_list);
        let good = args.read("GOODDST", ipv4_list).unwrap_or_default();
        let kw_offset = args.read("OFFSET", parse::unsigned::<u32>);
        let verbose = args.read("VERBOSE", parse::boolean).unwrap_or(false);
        let details = args.read("DETAILS", parse::boolean).unwrap_or(false);
        let checksum = args.read("CHECKSUM", parse::boolean).unwrap_or(true);
        let (mut offset, mut bad_src) = (kw_offset.unwrap_or(0), kw_bad.unwrap_or_default());
        match args.read_p("BADSRC", first_positional) {
            Some(First::Offset(o)) => offset = o,
            Some(First::BadSrc(v)) => {
                bad_src.extend(v);
                if let Some(o) = args.read_p("OFFSET", parse::unsigned::<u32>) {
                    offset = o;
                }
            }
            None => {}
        }
        args.complete()?;
        let mut good_dst = good;
        for p in &interfaces {
            bad_src.push(Ipv4Addr::from(
                u32::from(p.network()) | !u32::from(p.mask()),
            ));
            good_dst.push(p.addr);
        }
        if !interfaces.is_empty() {
            bad_src.push(Ipv4Addr::UNSPECIFIED);
            bad_src.push(Ipv4Addr::BROADCAST);
        }
        Ok(CheckIPHeader {
            offset,
            interfaces,
            bad_src,
            good_dst,
            checksum,
            verbose,
            class: "CheckIPHeader",
            details,
            count: 0,
            drops: 0,
            reason_drops: [0; Reason::ALL.len()],
        })
    }

    /// Checks the IP header `ip` (the packet from OFFSET on); returns the
    /// header and total lengths.
    #[inline]
    pub fn valid(&self, ip: &[u8]) -> Result<(usize, usize), Reason> {
        if ip.len() < 20 {
            return Err(Reason::Tiny);
        }
        if ip[0] >> 4 != 4 {
            return Err(Reason::Version);
        }
        let hlen = usize::from(ip[0] & 0x0f) * 4;
        if hlen < 20 {
            return Err(Reason::HeaderLength);
        }
        let len = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
        if len > ip.len() || len < hlen {
            return Err(Reason::Length);
        }
        if self.checksum {
            // a header without options, the common case, sums in five
            // unrolled additions
            let sum = match ip.first_chunk::<20>() {
                Some(h) if hlen == 20 => checksum::checksum(h),
                _ => checksum::checksum(&ip[..hlen]),
            };
            if sum != 0 {
                return Err(Reason::Checksum);
            }
        }
        if !self.bad_src.is_empty() {
            let addr = |o: usize| Ipv4Addr::new(ip[o], ip[o + 1], ip[o + 2], ip[o + 3]);
            if self.bad_src.contains(&addr(12)) && !self.good_dst.contains(&addr(16)) {
                return Err(Reason::Source);
            }
        }
        Ok((hlen, len))
    }
}

impl Element for CheckIPHeader {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let offset = self.offset as usize;
        let ip = p.data().get(offset..).unwrap_or_default();
        match self.valid(ip) {
            Ok((hlen, len)) => {
                let dst = Ipv4Addr::new(ip[16], ip[17], ip[18], ip[19]);
                let extra = ip.len() - len;
                p.take(extra);
                p.set_network_header(offset, hlen);
                p.set_dst_ip(dst);
                self.count += 1;
                Out::Port(0)
            }
            Err(reason) => {
                if self.drops == 0 || self.verbose {
                    let mut l = Line::new();
                    let _ = write!(
                        l,
                        "{}: IP header check failed: {}",
                        self.class,
                        reason.text()
                    );
                    cx.console.line(l.as_str());
                }
                self.drops += 1;
                if self.details {
                    self.reason_drops[reason as usize] += 1;
                }
                Out::Port(1)
            }
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "count" => Ok(self.count.to_string()),
            "drops" => Ok(self.drops.to_string()),
            "drop_details" if self.details => {
                let mut s = String::new();
                for r in Reason::ALL {
                    let _ = writeln!(
                        s,
                        "{:>15} packets due to: {:>24}",
                        self.reason_drops[r as usize],
                        r.text()
                    );
                }
                Ok(s)
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// CheckIPHeader's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "CheckIPHeader",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &[
        "INTERFACES",
        "BADSRC",
        "GOODDST",
        "OFFSET",
        "VERBOSE",
        "DETAILS",
        "CHECKSUM",
    ],
    handlers: &["count (read)", "drops (read)", "drop_details (read)"],
    summary: "checks IP header",
    source: include_str!("check_ip_header.rs"),
    check: |c| CheckIPHeader::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good() {
        let c = CheckIPHeader::configure("").unwrap();
        assert_eq!((c.offset, c.checksum, c.verbose), (0, true, false));
        assert_eq!(CheckIPHeader::configure("14").unwrap().offset, 14);
        let c = CheckIPHeader::configure("1.2.3.4 5.6.7.8, 14").unwrap();
        assert_eq!((c.bad_src.len(), c.offset), (2, 14));
        let c = CheckIPHeader::configure("INTERFACES 10.0.0.1/24, CHECKSUM false, VERBOSE true")
            .unwrap();
        assert!(c.bad_src.contains(&Ipv4Addr::new(10, 0, 0, 255)));
        assert!(c.good_dst.contains(&Ipv4Addr::new(10, 0, 0, 1)));
        assert!(!c.checksum && c.verbose);
        assert_eq!(
            CheckIPHeader::configure("OFFSET 14, BADSRC 1.1.1.1")
                .unwrap()
                .bad_src
                .len(),
            1
        );
    }

    #[test]
    fn bad() {
        let cfg = "OFFSET x, INTERFACES 10.0.0.1/40, CHEKSUM true";
        let e = CheckIPHeader::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 3);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "10.0.0.1/40");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "x");
        assert!(e[1].message.starts_with("OFFSET:"));
        assert_eq!(e[2].hint.as_deref(), Some("did you mean `CHECKSUM`?"));
    }

    use crate::harness::{self, check_batch_path, ip_checksum, on_port, run_push, udp_frame};
    use nfc_dataplane::element::Captured;

    /// A frame whose IP header is broken in the way `i` picks (0 = valid).
    fn frame(i: usize) -> alloc::vec::Vec<u8> {
        let mut f = udp_frame([10, 0, 0, 1], [10, 0, 0, i as u8], 1000, 53, i % 7);
        match i % 8 {
            1 => f.truncate(14 + 19),
            2 => f[14] = 0x65,
            3 => f[14] = 0x44,
            4 => f[16] = 0x7f,
            5 => f[25] ^= 1,
            6 => f.extend_from_slice(&[0xee; 5]), // trailing bytes: trimmed
            _ => {}
        }
        f
    }

    #[test]
    fn sorts_valid_and_broken_headers() {
        let mut c = CheckIPHeader::configure("14, DETAILS true").unwrap();
        let pool = harness::pool();
        let sent = run_push(
            &mut c,
            &harness::cx(pool),
            0,
            (0..16)
                .map(|i| pool.alloc_with(&frame(i)).unwrap())
                .collect(),
            2,
        );
        let good = on_port(&sent, 0);
        assert_eq!(good.len(), 6, "{sent:?}");
        for s in &good {
            assert_eq!(s.network, Some(14));
            assert_eq!(s.dst_ip, Ipv4Addr::new(10, 0, 0, s.data[33]));
            assert_eq!(
                s.data.len(),
                14 + usize::from(u16::from_be_bytes([s.data[16], s.data[17]])),
                "trailing bytes trimmed"
            );
            assert_eq!(ip_checksum(&s.data[14..34]), 0);
        }
        assert_eq!(on_port(&sent, 1).len(), 10);
        assert_eq!(c.read_handler("count"), Ok("6".into()));
        assert_eq!(c.read_handler("drops"), Ok("10".into()));
        let details = c.read_handler("drop_details").unwrap();
        assert!(
            details.contains("              2 packets due to:          bad IP checksum"),
            "{details}"
        );
    }

    #[test]
    fn bad_sources_unless_the_destination_is_good() {
        let mut c =
            CheckIPHeader::configure("BADSRC 10.0.0.1, GOODDST 10.0.0.9, OFFSET 14").unwrap();
        let cx = harness::cx(harness::pool());
        let mut p = cx
            .pool
            .alloc_with(&udp_frame([10, 0, 0, 1], [10, 0, 0, 2], 1, 2, 0))
            .unwrap();
        assert_eq!(c.process(&cx, 0, &mut p), Out::Port(1));
        let mut p = cx
            .pool
            .alloc_with(&udp_frame([10, 0, 0, 1], [10, 0, 0, 9], 1, 2, 0))
            .unwrap();
        assert_eq!(c.process(&cx, 0, &mut p), Out::Port(0));
        let mut c = CheckIPHeader::configure("CHECKSUM false").unwrap();
        let mut f = udp_frame([1, 1, 1, 1], [2, 2, 2, 2], 1, 2, 0);
        f[24] ^= 0xff;
        let mut p = cx.pool.alloc_with(&f[14..]).unwrap();
        assert_eq!(c.process(&cx, 0, &mut p), Out::Port(0));
    }

    #[test]
    fn reports_the_first_bad_packet_or_every_one_with_verbose() {
        let pool = harness::pool();
        let console = Captured::leak();
        let cx = Context {
            console,
            ..harness::cx(pool)
        };
        for (config, reported) in [("14", 1), ("14, VERBOSE true", 4)] {
            let mut c = CheckIPHeader::configure(config).unwrap();
            for i in [0, 5, 2, 0, 3, 5] {
                let mut p = pool.alloc_with(&frame(i)).unwrap();
                c.process(&cx, 0, &mut p);
            }
            let lines = console.take();
            assert_eq!(lines.len(), reported, "{config}: {lines:?}");
            assert_eq!(
                lines[0],
                "CheckIPHeader: IP header check failed: bad IP checksum"
            );
            if reported > 1 {
                assert_eq!(
                    lines[1],
                    "CheckIPHeader: IP header check failed: bad IP version"
                );
            }
        }
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let c = CheckIPHeader::configure("14, DETAILS true").unwrap();
        check_batch_path(&c, 0, 2, |i, pool| pool.alloc_with(&frame(i)).unwrap());
        check_batch_path(&c, 0, 1, |i, pool| pool.alloc_with(&frame(i)).unwrap());
    }
}
