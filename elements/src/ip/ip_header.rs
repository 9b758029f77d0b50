//! The IPv4 header as the ip, icmp and tcpudp elements read and write it:
//! field offsets and flag bits, bounds-checked access through a packet's
//! network-header annotation, and the checksums computed over it.
//!
//! The no-panic contract: [`header_len`] and [`ip`] / [`ip_mut`] return a
//! header only when at least 20 bytes and the whole IHL-sized header are
//! there, so the fixed fields (`ip[0..20]`) of what they return can be read
//! without further checks.

use alloc::string::{String, ToString};
use core::fmt::Write;
use core::net::Ipv4Addr;

use core::marker::PhantomData;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::checksum;
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

/// Length of an IPv4 header without options.
pub const MIN_LEN: usize = 20;

/// Byte offsets of the IPv4 header fields.
pub mod field {
    /// Version (high nibble) and header length in words (low nibble).
    pub const VER_IHL: usize = 0;
    /// Type of service.
    pub const TOS: usize = 1;
    /// Total length.
    pub const LEN: usize = 2;
    /// Identification.
    pub const ID: usize = 4;
    /// Flags and fragment offset.
    pub const FRAG: usize = 6;
    /// Time to live.
    pub const TTL: usize = 8;
    /// Protocol.
    pub const PROTO: usize = 9;
    /// Header checksum.
    pub const CHECKSUM: usize = 10;
    /// Source address.
    pub const SRC: usize = 12;
    /// Destination address.
    pub const DST: usize = 16;
}

/// Don't Fragment, in the flags-and-offset field.
pub const DF: u16 = 0x4000;
/// More Fragments, in the flags-and-offset field.
pub const MF: u16 = 0x2000;
/// The fragment offset bits (in units of 8 bytes).
pub const OFFSET_MASK: u16 = 0x1fff;

/// IP protocol number of ICMP.
pub const PROTO_ICMP: u8 = 1;
/// IP protocol number of TCP.
pub const PROTO_TCP: u8 = 6;
/// IP protocol number of UDP.
pub const PROTO_UDP: u8 = 17;

/// IP option: end of the option list.
pub const OPT_EOL: u8 = 0;
/// IP option: no operation (one byte).
pub const OPT_NOP: u8 = 1;
/// IP option: Record Route.
pub const OPT_RR: u8 = 7;
/// IP option: Timestamp.
pub const OPT_TS: u8 = 68;
/// IP option: Loose Source and Record Route.
pub const OPT_LSRR: u8 = 131;
/// IP option: Strict Source and Record Route.
pub const OPT_SSRR: u8 = 137;

/// The header length (IHL × 4) of the IPv4 header at the start of `ip`,
/// when `ip` holds at least 20 bytes, the IHL is at least 5, and the whole
/// header fits in `ip`. The version is not checked.
#[inline]
pub fn header_len(ip: &[u8]) -> Option<usize> {
    let hlen = usize::from(*ip.first()? & 0x0f) * 4;
    (hlen >= MIN_LEN && hlen <= ip.len()).then_some(hlen)
}

/// The bytes of `p` from its network header to the end, and the IP header
/// length, when the network-header annotation is set and a whole IPv4
/// header (see [`header_len`]) is there.
#[inline]
pub fn ip(p: &Packet) -> Option<(&[u8], usize)> {
    let ip = p.network()?;
    let hlen = header_len(ip)?;
    Some((ip, hlen))
}

/// [`ip`], writable.
#[inline]
pub fn ip_mut(p: &mut Packet) -> Option<(&mut [u8], usize)> {
    let ip = p.network_mut()?;
    let hlen = header_len(ip)?;
    Some((ip, hlen))
}

/// The big-endian 16-bit field at `at` (the caller has checked the bounds).
#[inline]
pub fn get16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// Writes the big-endian 16-bit field at `at`.
#[inline]
pub fn put16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

/// The four bytes at `at` (an address field).
#[inline]
pub fn get_addr(b: &[u8], at: usize) -> [u8; 4] {
    [b[at], b[at + 1], b[at + 2], b[at + 3]]
}

/// The source address of the header `ip`.
#[inline]
pub fn src(ip: &[u8]) -> Ipv4Addr {
    Ipv4Addr::from(get_addr(ip, field::SRC))
}

/// The destination address of the header `ip`.
#[inline]
pub fn dst(ip: &[u8]) -> Ipv4Addr {
    Ipv4Addr::from(get_addr(ip, field::DST))
}

/// The total-length field of the header `ip`.
#[inline]
pub fn total_len(ip: &[u8]) -> usize {
    usize::from(get16(ip, field::LEN))
}

/// True when `ip` is a fragment: More Fragments set or a nonzero offset
/// (Click's `IP_ISFRAG`).
#[inline]
pub fn is_fragment(ip: &[u8]) -> bool {
    get16(ip, field::FRAG) & (MF | OFFSET_MASK) != 0
}

/// True when `ip` is not a fragment or is the first one: offset zero
/// (Click's `IP_FIRSTFRAG`).
#[inline]
pub fn is_first_fragment(ip: &[u8]) -> bool {
    get16(ip, field::FRAG) & OFFSET_MASK == 0
}

/// Recomputes the header checksum of the `hlen`-byte header at the start of
/// `ip`.
#[inline]
pub fn set_checksum(ip: &mut [u8], hlen: usize) {
    put16(ip, field::CHECKSUM, 0);
    let sum = checksum::checksum(&ip[..hlen]);
    put16(ip, field::CHECKSUM, sum);
}

/// The TCP/UDP/ICMP-style checksum over `l4` with the IPv4 pseudo-header of
/// the header `ip` (source, destination, protocol, `l4.len()`): zero when
/// `l4` carries a correct checksum, the value to store when its checksum
/// field is zero.
#[inline]
pub fn transport_checksum(ip: &[u8], l4: &[u8]) -> u16 {
    let pseudo = checksum::pseudo_header(
        get_addr(ip, field::SRC),
        get_addr(ip, field::DST),
        ip[field::PROTO],
        l4.len() as u16,
    );
    checksum::finish(checksum::add(pseudo, l4))
}

/// What [`write_header`] puts in a fresh 20-byte header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields {
    /// Type of service.
    pub tos: u8,
    /// Total length.
    pub len: u16,
    /// Identification.
    pub id: u16,
    /// Flags and fragment offset.
    pub frag: u16,
    /// Time to live.
    pub ttl: u8,
    /// Protocol.
    pub proto: u8,
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
}

/// Writes a 20-byte IPv4 header without options, checksum included, to the
/// start of `h` (which must hold at least 20 bytes).
#[inline]
pub fn write_header(h: &mut [u8], f: &Fields) {
    h[field::VER_IHL] = 0x45;
    h[field::TOS] = f.tos;
    put16(h, field::LEN, f.len);
    put16(h, field::ID, f.id);
    put16(h, field::FRAG, f.frag);
    h[field::TTL] = f.ttl;
    h[field::PROTO] = f.proto;
    h[field::SRC..field::SRC + 4].copy_from_slice(&f.src.octets());
    h[field::DST..field::DST + 4].copy_from_slice(&f.dst.octets());
    set_checksum(h, MIN_LEN);
}

/// The next option of the `hlen`-byte header `ip` at or after offset
/// `from`, as routers read them: NOPs are skipped, EOL or the end of the
/// header gives `Ok(None)`, and an option gives `Ok(Some((offset, type,
/// length)))`. `Err(offset)` points at the bad length byte when an option's
/// length is missing, below 2, or runs past the header (the
/// parameter-problem pointer). Start at [`MIN_LEN`]; continue at `offset +
/// length`.
#[inline]
pub fn next_option(
    ip: &[u8],
    hlen: usize,
    from: usize,
) -> Result<Option<(usize, u8, usize)>, usize> {
    let opts = ip.get(..hlen).unwrap_or(ip);
    let mut oi = from;
    while let Some(&kind) = opts.get(oi) {
        match kind {
            OPT_NOP => oi += 1,
            OPT_EOL => return Ok(None),
            _ => {
                let xlen = usize::from(*opts.get(oi + 1).ok_or(oi + 1)?);
                if xlen < 2 || oi + xlen > opts.len() {
                    return Err(oi + 1);
                }
                return Ok(Some((oi, kind, xlen)));
            }
        }
    }
    Ok(None)
}

/// One transport-header check: what CheckTCPHeader, CheckUDPHeader and
/// CheckICMPHeader differ in.
pub trait HeaderKind {
    /// Why a packet fails, as `drop_details` names each reason.
    const REASONS: [&'static str; 3];
    /// What the console says about each reason.
    const MESSAGES: [&'static str; 3];
    /// Checks the packet `ip` (network header to end, with its header
    /// length; `None` without a usable IP header); the index of the reason
    /// it fails, if it does.
    fn check(ip: Option<(&[u8], usize)>) -> Result<(), usize>;
}

/// A transport-header check element (CheckTCPHeader, CheckUDPHeader,
/// CheckICMPHeader): VERBOSE and DETAILS, and the drops as Click keeps
/// them — in total and, with DETAILS, by reason; a console message for the
/// first drop, or for every drop with VERBOSE; failed packets to output 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckHeader<K> {
    /// Report every bad packet.
    pub verbose: bool,
    /// Count drops by reason.
    pub details: bool,
    drops: u64,
    by_reason: [u64; 3],
    kind: PhantomData<K>,
}

impl<K: HeaderKind> CheckHeader<K> {
    /// Parses `([VERBOSE, DETAILS])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let verbose = args.read("VERBOSE", parse::boolean).unwrap_or(false);
        let details = args.read("DETAILS", parse::boolean).unwrap_or(false);
        args.complete()?;
        Ok(CheckHeader {
            verbose,
            details,
            drops: 0,
            by_reason: [0; 3],
            kind: PhantomData,
        })
    }
}

impl<K: HeaderKind> Element for CheckHeader<K> {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let Err(reason) = K::check(ip(p)) else {
            return Out::Port(0);
        };
        if self.drops == 0 || self.verbose {
            cx.console.line(K::MESSAGES[reason]);
        }
        self.drops += 1;
        if self.details {
            self.by_reason[reason] += 1;
        }
        Out::Port(1)
    }

    /// The `drops` handler, and `drop_details` (one `count<TAB>reason`
    /// line per reason) when DETAILS is on.
    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "drops" => Ok(self.drops.to_string()),
            "drop_details" if self.details => {
                let mut s = String::new();
                for (n, text) in self.by_reason.iter().zip(K::REASONS) {
                    let _ = writeln!(s, "{n}\t{text}");
                }
                Ok(s)
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Packet builders for the ip, icmp and tcpudp elements' tests.

    use alloc::vec::Vec;

    use super::*;
    use crate::harness::ip_checksum;

    /// An IPv4 packet (no link header): protocol `proto`, the given
    /// addresses, `payload` after a header with `options` (padded to a
    /// multiple of 4), TTL 64, correct header checksum.
    pub(crate) fn ipv4(
        proto: u8,
        src: [u8; 4],
        dst: [u8; 4],
        options: &[u8],
        payload: &[u8],
    ) -> Vec<u8> {
        let hlen = MIN_LEN + options.len().div_ceil(4) * 4;
        let mut v = alloc::vec![0u8; hlen];
        write_header(
            &mut v,
            &Fields {
                tos: 0,
                len: (hlen + payload.len()) as u16,
                id: 0x1234,
                frag: 0,
                ttl: 64,
                proto,
                src: src.into(),
                dst: dst.into(),
            },
        );
        v[0] = 0x40 | (hlen / 4) as u8;
        v[MIN_LEN..MIN_LEN + options.len()].copy_from_slice(options);
        put16(&mut v, field::CHECKSUM, 0);
        let sum = ip_checksum(&v);
        put16(&mut v, field::CHECKSUM, sum);
        v.extend_from_slice(payload);
        v
    }

    /// A UDP/IPv4 packet with a correct UDP checksum.
    pub(crate) fn udp(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, data: &[u8]) -> Vec<u8> {
        let mut l4 = Vec::new();
        l4.extend_from_slice(&sport.to_be_bytes());
        l4.extend_from_slice(&dport.to_be_bytes());
        l4.extend_from_slice(&((8 + data.len()) as u16).to_be_bytes());
        l4.extend_from_slice(&[0, 0]);
        l4.extend_from_slice(data);
        let mut v = ipv4(PROTO_UDP, src, dst, &[], &l4);
        let sum = transport_checksum(&v, &v[20..]);
        put16(&mut v, 26, sum);
        v
    }

    /// A TCP/IPv4 packet (20-byte TCP header, flags `flags`) with a correct
    /// TCP checksum.
    pub(crate) fn tcp(src: [u8; 4], dst: [u8; 4], flags: u8, data: &[u8]) -> Vec<u8> {
        let mut l4 = alloc::vec![0u8; 20];
        put16(&mut l4, 0, 1234);
        put16(&mut l4, 2, 80);
        l4[4..8].copy_from_slice(&1000u32.to_be_bytes());
        l4[8..12].copy_from_slice(&77u32.to_be_bytes());
        l4[12] = 5 << 4;
        l4[13] = flags;
        put16(&mut l4, 14, 8192);
        l4.extend_from_slice(data);
        let mut v = ipv4(PROTO_TCP, src, dst, &[], &l4);
        let sum = transport_checksum(&v, &v[20..]);
        put16(&mut v, 36, sum);
        v
    }

    /// An ICMP/IPv4 packet of type `t`, code `c`, with `rest` after the
    /// 4-byte type/code/checksum, and a correct ICMP checksum.
    pub(crate) fn icmp(src: [u8; 4], dst: [u8; 4], t: u8, c: u8, rest: &[u8]) -> Vec<u8> {
        let mut l4 = alloc::vec![t, c, 0, 0];
        l4.extend_from_slice(rest);
        let sum = ip_checksum(&l4);
        put16(&mut l4, 2, sum);
        ipv4(PROTO_ICMP, src, dst, &[], &l4)
    }

    /// A pool packet holding `bytes` with its network header at `offset`
    /// (IP header length from the IHL, clamped).
    pub(crate) fn marked(
        pool: &'static nfc_dataplane::packet::PacketPool,
        bytes: &[u8],
        offset: usize,
    ) -> Packet {
        let mut p = pool.alloc_with(bytes).expect("test pool has room");
        let hl = bytes.get(offset).map_or(0, |b| usize::from(b & 0x0f) * 4);
        p.set_network_header(offset, hl);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use crate::harness::ip_checksum;

    #[test]
    fn header_bounds() {
        assert_eq!(header_len(&[]), None);
        assert_eq!(header_len(&[0x45; 19]), None);
        assert_eq!(header_len(&[0x45; 20]), Some(20));
        assert_eq!(header_len(&[0x44; 40]), None);
        assert_eq!(header_len(&[0x46; 23]), None);
        assert_eq!(header_len(&[0x46; 24]), Some(24));
    }

    #[test]
    fn built_packets_have_correct_checksums() {
        let u = udp([1, 2, 3, 4], [5, 6, 7, 8], 1, 2, b"hello");
        assert_eq!(ip_checksum(&u[..20]), 0);
        assert_eq!(transport_checksum(&u, &u[20..]), 0);
        let t = tcp([1, 2, 3, 4], [5, 6, 7, 8], 0x12, b"x");
        assert_eq!(transport_checksum(&t, &t[20..]), 0);
        let i = icmp([1, 2, 3, 4], [5, 6, 7, 8], 8, 0, &[0, 1, 0, 2]);
        assert_eq!(ip_checksum(&i[20..]), 0);
        let o = ipv4(
            PROTO_UDP,
            [1; 4],
            [2; 4],
            &[OPT_NOP, OPT_RR, 7, 4, 0, 0, 0, 0],
            &[],
        );
        assert_eq!((o.len(), o[0]), (28, 0x47));
        assert_eq!(ip_checksum(&o[..28]), 0);
    }

    #[test]
    fn options_walk() {
        let all = |ip: &[u8], hlen: usize| {
            let mut seen = alloc::vec::Vec::new();
            let mut at = MIN_LEN;
            while let Some((oi, kind, len)) = next_option(ip, hlen, at)? {
                seen.push((oi, kind, len));
                at = oi + len;
            }
            Ok::<_, usize>(seen)
        };
        let o = ipv4(
            PROTO_UDP,
            [1; 4],
            [2; 4],
            &[OPT_NOP, OPT_RR, 7, 4, 0, 0, 0, 0],
            &[],
        );
        assert_eq!(all(&o, 28), Ok(alloc::vec![(21, OPT_RR, 7)]));
        let bad = ipv4(PROTO_UDP, [1; 4], [2; 4], &[OPT_RR, 9, 4, 0], &[]);
        assert_eq!(all(&bad, 24), Err(21));
        let cut = ipv4(
            PROTO_UDP,
            [1; 4],
            [2; 4],
            &[OPT_NOP, OPT_NOP, OPT_NOP, OPT_TS],
            &[],
        );
        assert_eq!(all(&cut, 24), Err(24));
        let eol = ipv4(PROTO_UDP, [1; 4], [2; 4], &[OPT_EOL, OPT_RR, 0, 0], &[]);
        assert_eq!(all(&eol, 24), Ok(alloc::vec![]));
    }
}

#[cfg(test)]
mod check_header_tests {
    use crate::icmp::check_icmp_header::CheckICMPHeader;
    use crate::tcpudp::check_tcp_header::CheckTCPHeader;
    use crate::tcpudp::check_udp_header::CheckUDPHeader;
    use nfc_dataplane::args::ConfigErrors;

    /// Every header check reads VERBOSE and DETAILS alike.
    #[test]
    fn configure() {
        fn each<K: super::HeaderKind + core::fmt::Debug>(
            configure: fn(&str) -> Result<super::CheckHeader<K>, ConfigErrors>,
        ) {
            let c = configure("").unwrap();
            assert_eq!((c.verbose, c.details), (false, false));
            assert!(configure("VERBOSE true, DETAILS yes").unwrap().details);
            let cfg = "VERBOSE loud, DETAIL true";
            let e = configure(cfg).unwrap_err().0;
            assert_eq!(e.len(), 2);
            assert_eq!(&cfg[e[0].span.clone().unwrap()], "loud");
            assert_eq!(e[1].hint.as_deref(), Some("did you mean `DETAILS`?"));
        }
        each(CheckTCPHeader::configure);
        each(CheckUDPHeader::configure);
        each(CheckICMPHeader::configure);
    }
}
