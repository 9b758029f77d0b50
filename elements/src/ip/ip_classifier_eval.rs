//! What an IPClassifier/IPFilter pattern means for one packet: the view of
//! the packet's headers ([`Headers`]), where each field lives ([`Loc`]), and
//! the reference interpreter ([`Expr::matches`]), written for clarity, not
//! speed. The compiled form (`ip_classifier_program`) must agree with it on
//! every packet; the property tests check that.
//!
//! The semantics are Click's (`elements/ip/ipfilter.cc`):
//!
//! 1. The IP header starts the packet view; the transport header starts
//!    `4 × IHL` bytes in, IHL being the low nibble of the first byte (as
//!    MarkIPHeader and CheckIPHeader set it; nothing checks that IHL ≥ 5).
//! 2. A primitive with a transport protocol ([`Primitive::proto`]) first
//!    checks the IP protocol byte; `tcpudp` means TCP or UDP, `transp` and
//!    `payload` check nothing.
//! 3. A primitive that reads the transport header (ports, TCP flags, TCP
//!    window, ICMP type, `tcp[…]`, `transp[…]`) matches only first fragments
//!    (fragment offset 0).
//! 4. A primitive that needs a byte beyond the end of its header does not
//!    match; `not` of it does. "Needs" means a byte under the primitive's
//!    mask, even when the relation could not fail (`ip ttl >= 0`).
//! 5. `==` with a mask compares `field & mask` with `value & mask`; the
//!    other relations compare `field & mask` with `value` as integers.
//! 6. Relations on `src or dst` / `src and dst` tests are made of `==` and
//!    `>`, combined over the addresses, then negated for `!=`, `<` and `<=`:
//!    `port != 80` means *neither* port is 80, `port < 1024` means *both*
//!    ports are below 1024 (Click's reading).
//! 7. `tcp opt F` matches when all the flag bits of `F` are set.
//! 8. `ip frag` matches when the more-fragments bit or the fragment offset
//!    is set.

use super::ip_classifier_expr::{Dir, Expr, Field, Primitive, ProtoSel, RelOp, Test};

/// The headers a pattern looks at, as byte slices that may be short.
///
/// `ether` is the link header (destination and source MAC addresses, then
/// the EtherType); it is empty when the caller has none, and then `ether
/// host` tests do not match. `ip` runs from the start of the IPv4 header to
/// the end of the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headers<'a> {
    /// Indexed by [`Base::index`].
    bases: [&'a [u8]; 3],
}

impl<'a> Headers<'a> {
    /// A view of a packet whose link header is `ether` and whose IPv4
    /// header starts `ip`.
    #[inline]
    pub fn new(ether: &'a [u8], ip: &'a [u8]) -> Self {
        let transport = match ip.first() {
            Some(b) => ip.get(usize::from(b & 0x0F) * 4..).unwrap_or(&[]),
            None => &[],
        };
        Headers {
            bases: [ether, ip, transport],
        }
    }

    /// A view of an IPv4 packet with no link header.
    #[inline]
    pub fn ip(ip: &'a [u8]) -> Self {
        Headers::new(&[], ip)
    }

    /// The bytes from the start of header `base` to the end of the packet.
    #[inline]
    pub fn base(&self, base: Base) -> &'a [u8] {
        self.bases[base.index()]
    }
}

/// The header a byte offset counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Base {
    /// The link (Ethernet) header.
    Ether,
    /// The IPv4 header.
    Ip,
    /// The transport header (`4 × IHL` bytes after the IPv4 header).
    Transport,
}

impl Base {
    /// Every base, in index order.
    pub const ALL: [Base; 3] = [Base::Ether, Base::Ip, Base::Transport];

    /// A small index, for per-base tables.
    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }

    /// How tcpdump-like text names the header.
    pub fn name(self) -> &'static str {
        match self {
            Base::Ether => "ether",
            Base::Ip => "ip",
            Base::Transport => "transp",
        }
    }
}

/// Where a header field lives: `width` bits, `shift` bits above the least
/// significant bit of the big-endian 32-bit word at byte `word` (a multiple
/// of 4) of header `base`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    /// The header.
    pub base: Base,
    /// Byte offset of the 4-byte word holding the field.
    pub word: u16,
    /// Bits below the field in the word.
    pub shift: u8,
    /// Width of the field in bits (1–32).
    pub width: u8,
}

const fn loc(base: Base, word: u16, shift: u8, width: u8) -> Loc {
    Loc {
        base,
        word,
        shift,
        width,
    }
}

/// The IP protocol byte.
pub const PROTO: Loc = loc(Base::Ip, 8, 16, 8);
/// The IP flags and fragment offset.
pub const FRAG: Loc = loc(Base::Ip, 4, 0, 16);
/// More-fragments bit and fragment offset, within [`FRAG`].
pub const FRAG_MASK: u32 = 0x3FFF;
/// The fragment offset, within [`FRAG`].
pub const OFFSET_MASK: u32 = 0x1FFF;
/// The TCP flags byte.
pub const TCP_FLAGS: Loc = loc(Base::Transport, 12, 16, 8);
const SRC_ADDR: Loc = loc(Base::Ip, 12, 0, 32);
const DST_ADDR: Loc = loc(Base::Ip, 16, 0, 32);
const SRC_PORT: Loc = loc(Base::Transport, 0, 16, 16);
const DST_PORT: Loc = loc(Base::Transport, 0, 0, 16);

impl Loc {
    /// The field's largest value.
    pub fn full(self) -> u32 {
        u32::MAX >> (32 - u32::from(self.width.clamp(1, 32)))
    }

    /// `mask` (a mask over the field's value) placed in the word.
    pub fn word_mask(self, mask: u32) -> u32 {
        (mask & self.full()) << self.shift
    }

    /// One past the last byte of the header that `mask` covers; 0 when it
    /// covers none.
    pub fn end(self, mask: u32) -> u16 {
        let m = self.word_mask(mask);
        let bytes = 4 - (m.trailing_zeros() / 8) as u16;
        if m == 0 {
            0
        } else {
            self.word + bytes
        }
    }

    /// `field & mask`, or `None` when a byte under the mask is missing.
    pub fn read(self, h: &Headers, mask: u32) -> Option<u32> {
        let data = h.base(self.base);
        let m = self.word_mask(mask);
        let mut word = 0u32;
        for i in 0..4u16 {
            let lane = 24 - 8 * u32::from(i);
            if (m >> lane) & 0xFF != 0 {
                let b = *data.get(usize::from(self.word + i))?;
                word |= u32::from(b) << lane;
            }
        }
        Some((word & m) >> self.shift)
    }
}

impl Field {
    /// Where the field lives.
    pub fn loc(self) -> Loc {
        match self {
            Field::Vers => loc(Base::Ip, 0, 28, 4),
            Field::Hl => loc(Base::Ip, 0, 24, 4),
            Field::Tos => loc(Base::Ip, 0, 16, 8),
            Field::Dscp => loc(Base::Ip, 0, 18, 6),
            Field::Len => loc(Base::Ip, 0, 0, 16),
            Field::Id => loc(Base::Ip, 4, 16, 16),
            Field::Ttl => loc(Base::Ip, 8, 24, 8),
            Field::TcpWin => loc(Base::Transport, 12, 0, 16),
            Field::IcmpType => loc(Base::Transport, 0, 24, 8),
            Field::Raw {
                transport,
                offset,
                len,
            } => {
                let width = len.clamp(1, 4) * 8;
                let in_word = (offset % 4) as u8 * 8;
                loc(
                    if transport.is_some() {
                        Base::Transport
                    } else {
                        Base::Ip
                    },
                    offset - offset % 4,
                    32u8.saturating_sub(in_word + width),
                    width,
                )
            }
        }
    }
}

/// The source (`true`) or destination address.
pub fn addr_loc(src: bool) -> Loc {
    if src {
        SRC_ADDR
    } else {
        DST_ADDR
    }
}

/// The source (`true`) or destination port.
pub fn port_loc(src: bool) -> Loc {
    if src {
        SRC_PORT
    } else {
        DST_PORT
    }
}

/// The two pieces of the source (`true`) or destination MAC address, each
/// with the piece of `addr` and of `mask` it holds.
pub fn ether_parts(src: bool, addr: [u8; 6], mask: [u8; 6]) -> [(Loc, u32, u32); 2] {
    let bits = |mac: [u8; 6]| mac.iter().fold(0u64, |a, &b| a << 8 | u64::from(b));
    let (addr, mask) = (bits(addr), bits(mask));
    let part = |l: Loc, at: u32| {
        (
            l,
            (addr >> at) as u32 & l.full(),
            (mask >> at) as u32 & l.full(),
        )
    };
    if src {
        [
            part(loc(Base::Ether, 4, 0, 16), 32),
            part(loc(Base::Ether, 8, 0, 32), 0),
        ]
    } else {
        [
            part(loc(Base::Ether, 0, 0, 32), 16),
            part(loc(Base::Ether, 4, 16, 16), 0),
        ]
    }
}

/// The relations that `src or dst` tests combine over their addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PosRel {
    /// `field & mask == value & mask`.
    Eq,
    /// `field & mask > value`.
    Gt,
    /// `field & mask >= value`.
    Ge,
}

/// `op` as a positive relation and whether the result is negated (see rule
/// 6 of the module doc). Tests that only know `==` and `!=` read `>` and
/// `>=` as `==`, `<` and `<=` as `!=`.
pub fn split(op: RelOp) -> (PosRel, bool) {
    match op {
        RelOp::Eq => (PosRel::Eq, false),
        RelOp::Ne => (PosRel::Eq, true),
        RelOp::Gt => (PosRel::Gt, false),
        RelOp::Le => (PosRel::Gt, true),
        RelOp::Ge => (PosRel::Ge, false),
        RelOp::Lt => (PosRel::Ge, true),
    }
}

impl Test {
    /// Whether the test reads the transport header, and so matches only
    /// first fragments.
    pub fn reads_transport(&self) -> bool {
        match self {
            Test::Port { .. } | Test::TcpOpt { .. } => true,
            Test::Field { field, .. } => field.loc().base == Base::Transport,
            _ => false,
        }
    }
}

impl ProtoSel {
    /// Whether IP protocol number `p` is one of this selector's.
    pub fn admits(self, p: u32) -> bool {
        match self {
            ProtoSel::Num(n) => p == u32::from(n),
            ProtoSel::TcpOrUdp => p == 6 || p == 17,
            ProtoSel::Transp | ProtoSel::Payload => true,
        }
    }

    /// Whether checking the selector needs the protocol byte.
    pub fn reads_proto(self) -> bool {
        matches!(self, ProtoSel::Num(_) | ProtoSel::TcpOrUdp)
    }
}

impl Expr {
    /// Whether the packet matches, by the rules of the module doc.
    pub fn matches(&self, h: &Headers) -> bool {
        match self {
            Expr::True => true,
            Expr::False => false,
            Expr::Test(p) => p.matches(h),
            Expr::Not(e) => !e.matches(h),
            Expr::And(v) => v.iter().all(|e| e.matches(h)),
            Expr::Or(v) => v.iter().any(|e| e.matches(h)),
            Expr::Cond(c, a, b) => {
                if c.matches(h) {
                    a.matches(h)
                } else {
                    b.matches(h)
                }
            }
        }
    }
}

impl Primitive {
    /// Whether the packet matches this primitive.
    pub fn matches(&self, h: &Headers) -> bool {
        self.eval(h) == Some(true)
    }

    /// The primitive's value, `None` when a byte it needs is missing.
    fn eval(&self, h: &Headers) -> Option<bool> {
        if let Some(p) = self.proto {
            let proto = if p.reads_proto() {
                PROTO.read(h, 0xFF)?
            } else {
                0
            };
            if !p.admits(proto) {
                return Some(false);
            }
        }
        if self.test.reads_transport() && FRAG.read(h, OFFSET_MASK)? != 0 {
            return Some(false);
        }
        self.relation(h)
    }

    fn relation(&self, h: &Headers) -> Option<bool> {
        let op = self.op;
        let (pos, negated) = split(op);
        Some(match self.test {
            Test::Host { dir, addr, mask } => {
                let want = u32::from(addr) & u32::from(mask);
                let hit = |src| Some(addr_loc(src).read(h, mask.into())? == want);
                negated ^ over(dir, hit)?
            }
            Test::Ether { dir, addr, mask } => {
                let hit = |src| {
                    let mut all = true;
                    for (l, a, m) in ether_parts(src, addr, mask) {
                        all &= l.read(h, m)? == a & m;
                    }
                    Some(all)
                };
                negated ^ over(dir, hit)?
            }
            Test::Port { dir, port, mask } => {
                let mask = u32::from(mask);
                let hit = |src| {
                    let v = port_loc(src).read(h, mask)?;
                    Some(match pos {
                        PosRel::Eq => v == port & mask,
                        PosRel::Gt => v > port,
                        PosRel::Ge => v >= port,
                    })
                };
                negated ^ over(dir, hit)?
            }
            Test::Proto { proto, mask } => match proto {
                ProtoSel::Num(n) => {
                    let m = u32::from(mask);
                    compare(op, PROTO.read(h, m)?, u32::from(n), m)
                }
                _ => {
                    let p = if proto.reads_proto() {
                        PROTO.read(h, 0xFF)?
                    } else {
                        0
                    };
                    negated ^ proto.admits(p)
                }
            },
            Test::TcpOpt { flags } => {
                let f = u32::from(flags);
                compare(op, TCP_FLAGS.read(h, f)?, f, f)
            }
            Test::Field { field, value, mask } => {
                compare(op, field.loc().read(h, mask)?, value, mask)
            }
            Test::Frag => negated ^ (FRAG.read(h, FRAG_MASK)? != 0),
        })
    }
}

/// `hit(src)` combined over the addresses `dir` names; `None` when one of
/// them is missing.
fn over(dir: Dir, hit: impl Fn(bool) -> Option<bool>) -> Option<bool> {
    Some(match dir {
        Dir::Src => hit(true)?,
        Dir::Dst => hit(false)?,
        Dir::SrcOrDst => {
            let (s, d) = (hit(true)?, hit(false)?);
            s || d
        }
        Dir::SrcAndDst => {
            let (s, d) = (hit(true)?, hit(false)?);
            s && d
        }
    })
}

/// `field` (already masked with `mask`) against `value` (rule 5).
fn compare(op: RelOp, field: u32, value: u32, mask: u32) -> bool {
    match op {
        RelOp::Eq => field == value & mask,
        RelOp::Ne => field != value & mask,
        RelOp::Lt => field < value,
        RelOp::Gt => field > value,
        RelOp::Le => field <= value,
        RelOp::Ge => field >= value,
    }
}

/// Hand-made IPv4 packets for the tests of this module and its neighbours.
#[cfg(test)]
pub(crate) mod packets {
    use alloc::vec::Vec;

    /// An IPv4 packet to build; [`Pkt::bytes`] lays it out.
    #[derive(Debug, Clone)]
    pub struct Pkt {
        pub tos: u8,
        pub id: u16,
        /// Flags and fragment offset, as on the wire.
        pub frag: u16,
        pub ttl: u8,
        pub proto: u8,
        pub src: [u8; 4],
        pub dst: [u8; 4],
        /// IP options (padded to 4 bytes by [`Pkt::bytes`]).
        pub options: Vec<u8>,
        /// The transport header and payload.
        pub transport: Vec<u8>,
    }

    impl Pkt {
        /// An IP packet of protocol `proto` with `transport` after the header.
        pub fn ip(proto: u8, transport: &[u8]) -> Pkt {
            Pkt {
                tos: 0,
                id: 0x1234,
                frag: 0x4000,
                ttl: 64,
                proto,
                src: [10, 0, 0, 1],
                dst: [192, 168, 1, 2],
                options: Vec::new(),
                transport: transport.to_vec(),
            }
        }

        /// A TCP segment with a 20-byte header and 4 bytes of payload.
        pub fn tcp(sport: u16, dport: u16, flags: u8) -> Pkt {
            let mut t = Vec::new();
            t.extend_from_slice(&sport.to_be_bytes());
            t.extend_from_slice(&dport.to_be_bytes());
            t.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0x72, 0x10, 0, 0, 0, 0]);
            t.extend_from_slice(b"data");
            Pkt::ip(6, &t)
        }

        /// A UDP datagram with 4 bytes of payload.
        pub fn udp(sport: u16, dport: u16) -> Pkt {
            let mut t = Vec::new();
            t.extend_from_slice(&sport.to_be_bytes());
            t.extend_from_slice(&dport.to_be_bytes());
            t.extend_from_slice(&[0, 12, 0, 0]);
            t.extend_from_slice(b"data");
            Pkt::ip(17, &t)
        }

        /// An ICMP message of type `ty`, code `code`.
        pub fn icmp(ty: u8, code: u8) -> Pkt {
            Pkt::ip(1, &[ty, code, 0, 0, 0, 1, 0, 1, 0xAA, 0xBB])
        }

        /// The packet's bytes, from the IP header on.
        pub fn bytes(&self) -> Vec<u8> {
            let mut opts = self.options.clone();
            while opts.len() % 4 != 0 {
                opts.push(0);
            }
            let hl = 20 + opts.len();
            let total = (hl + self.transport.len()) as u16;
            let mut b = Vec::new();
            b.push(0x40 | (hl / 4) as u8);
            b.push(self.tos);
            b.extend_from_slice(&total.to_be_bytes());
            b.extend_from_slice(&self.id.to_be_bytes());
            b.extend_from_slice(&self.frag.to_be_bytes());
            b.extend_from_slice(&[self.ttl, self.proto, 0, 0]);
            b.extend_from_slice(&self.src);
            b.extend_from_slice(&self.dst);
            b.extend_from_slice(&opts);
            b.extend_from_slice(&self.transport);
            b
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::{string::ToString, vec::Vec};

    use super::packets::Pkt;
    use super::*;
    use crate::ip::ip_classifier_expr::parse_pattern;
    use crate::ip::ip_classifier_program::Program;
    use nfc_dataplane::args::Arg;

    fn parse(s: &str) -> Expr {
        let arg = Arg {
            text: s.to_string(),
            span: 0..s.len(),
        };
        parse_pattern(&arg, s).unwrap_or_else(|e| panic!("{s:?}: {e:?}"))
    }

    /// Whether `pattern` matches the packet (with link header `ether`),
    /// after checking that the interpreter and the compiled program agree.
    fn m_ether(pattern: &str, ether: &[u8], ip: &[u8]) -> bool {
        let e = parse(pattern);
        let h = Headers::new(ether, ip);
        let naive = e.matches(&h);
        let compiled = Program::compile([(&e, Some(0))]).run(&h) == Some(0);
        assert_eq!(naive, compiled, "{pattern:?} on {ip:02x?}");
        naive
    }

    fn m(pattern: &str, p: &Pkt) -> bool {
        m_ether(pattern, &[], &p.bytes())
    }

    fn m_bytes(pattern: &str, ip: &[u8]) -> bool {
        m_ether(pattern, &[], ip)
    }

    #[test]
    fn everything_and_nothing() {
        let p = Pkt::udp(1, 2);
        for s in ["-", "any", "all", "true", "", "not false"] {
            assert!(m(s, &p), "{s}");
        }
        assert!(!m("false", &p));
        assert!(m("true", &Pkt::ip(99, &[])));
        assert!(m_bytes("true", &[0x45, 0]) && m_bytes("-", &[]));
    }

    #[test]
    fn protocols() {
        let (tcp, udp, icmp, gre) = (
            Pkt::tcp(1, 2, 0),
            Pkt::udp(1, 2),
            Pkt::icmp(8, 0),
            Pkt::ip(47, b"x"),
        );
        assert!(m("tcp", &tcp) && !m("tcp", &udp));
        assert!(m("ip proto udp", &udp) && !m("ip proto udp", &icmp));
        assert!(m("icmp", &icmp));
        assert!(m("ip proto 47", &gre) && m("gre", &gre) && !m("ip proto 47", &tcp));
        assert!(m("ip proto != 6", &udp) && !m("ip proto != 6", &tcp));
        assert!(m("ip proto < 10", &tcp) && !m("ip proto < 10", &udp));
        assert!(m("ip proto >= 17", &udp) && m("ip proto > 17", &gre));
        assert!(m("ip proto <= 6", &tcp) && !m("ip proto <= 6", &gre));
        assert!(m("ip proto & 0xF0 == 0x10", &udp) && !m("ip proto & 0xF0 == 0x10", &tcp));
        assert!(m("ip proto tcpudp", &udp) && m("ip proto tcpudp", &tcp));
        assert!(!m("ip proto tcpudp", &icmp) && m("ip proto != tcpudp", &icmp));
        assert!(m("ip proto transp", &gre) && !m("ip proto != transp", &gre));
    }

    #[test]
    fn hosts_and_nets() {
        let p = Pkt::udp(1, 2); // 10.0.0.1 -> 192.168.1.2
        assert!(m("src host 10.0.0.1", &p) && !m("dst host 10.0.0.1", &p));
        assert!(m("host 192.168.1.2", &p) && m("dst host 192.168.1.2", &p));
        assert!(m("src or dst host 10.0.0.1", &p));
        assert!(!m("src and dst host 10.0.0.1", &p));
        let mut same = p.clone();
        same.dst = same.src;
        assert!(m("src and dst host 10.0.0.1", &same));
        assert!(m("src host != 10.0.0.2", &p) && !m("src host != 10.0.0.1", &p));
        // != on both addresses: neither is the host
        assert!(!m("host != 10.0.0.1", &p) && m("host != 10.9.9.9", &p));
        assert!(m("src and dst host != 10.0.0.1", &p) && !m("src and dst host != 10.0.0.1", &same));
        assert!(m("src net 10.0.0.0/8", &p) && !m("src net 10.1.0.0/16", &p));
        assert!(m("dst net 192.168.0.0 mask 255.255.0.0", &p));
        assert!(m("net 192.168.1.0/24", &p) && m("192.168.1.0/24", &p));
        assert!(m("src 10.0.0.1", &p) && m("10.0.0.1", &p));
        assert!(
            m("dst net 192.168.1.77/24", &p),
            "host bits of the net are ignored"
        );
        assert!(m("src host & 255.0.0.255 10.9.9.1", &p));
        assert!(m("src host 10.0.0.5 or 10.0.0.1", &p));
        assert!(m("net 0.0.0.0/0", &p));
    }

    #[test]
    fn ports() {
        let (tcp, udp) = (Pkt::tcp(1234, 80, 0x02), Pkt::udp(53, 40000));
        assert!(m("tcp port 80", &tcp) && m("port www", &tcp) && m("www", &tcp));
        assert!(m("dst tcp port 80", &tcp) && !m("src tcp port 80", &tcp));
        assert!(!m("udp port 80", &tcp) && m("udp port dns", &udp) && m("port 53", &udp));
        assert!(m("src udp port 53", &udp) && !m("tcp port 53", &udp));
        assert!(m("src port 1234 and dst port 80", &tcp));
        assert!(m("src and dst port > 50", &tcp) && !m("src and dst port > 100", &tcp));
        assert!(m("src or dst port 1234", &tcp));
        assert!(m("dst port > 1023", &udp) && !m("dst port > 1023", &tcp));
        assert!(m("dst port >= 80", &tcp) && !m("dst port >= 81", &tcp));
        assert!(m("dst port <= 80", &tcp) && !m("dst port < 80", &tcp));
        // Click's reading: != and < on both ports negate the whole test
        assert!(!m("port != 80", &tcp) && m("port != 81", &tcp));
        assert!(!m("port < 1024", &tcp) && m("port < 2000", &tcp));
        assert!(m("port > 1023", &tcp) && m("port >= 1234", &tcp));
        assert!(m("src tcp port & 0xFF00 == 0x0400", &tcp));
        assert!(m("src tcp port 8000 or 1234", &tcp));
        // only TCP and UDP (and DCCP) have ports; != does not match others
        assert!(!m("port != 80", &Pkt::icmp(8, 0)) && m("not port 80", &Pkt::icmp(8, 0)));
        let mut dccp = Pkt::udp(5, 6);
        dccp.proto = 33;
        assert!(m("dccp port 6", &dccp) && !m("port 6", &dccp));
    }

    #[test]
    fn transport_fields() {
        let syn = Pkt::tcp(1, 2, 0x02);
        let finack = Pkt::tcp(1, 2, 0x11);
        assert!(m("tcp opt syn", &syn) && m("syn", &syn) && !m("syn", &finack));
        assert!(m("fin ack", &finack) && m("tcp opt ack", &finack) && !m("rst", &finack));
        assert!(m("psh or urg or syn", &syn));
        assert!(!m("syn", &Pkt::udp(1, 2)));
        assert!(
            m("tcp win 0x7210", &syn) && m("tcp win > 1000", &syn) && !m("tcp win < 1000", &syn)
        );
        assert!(m("icmp type echo", &Pkt::icmp(8, 0)) && !m("icmp type echo", &Pkt::icmp(0, 0)));
        assert!(m("icmp type echo-reply", &Pkt::icmp(0, 0)) && m("echo-reply", &Pkt::icmp(0, 0)));
        assert!(m("icmp type 3", &Pkt::icmp(3, 1)) && m("unreachable", &Pkt::icmp(3, 1)));
        assert!(m("icmp type != 3", &Pkt::icmp(8, 0)) && !m("icmp type != 3", &Pkt::udp(1, 2)));
        assert!(m("icmp type > 5", &Pkt::icmp(8, 0)));
        assert!(m("tcp[13] & 2 != 0", &syn) && m("tcp[13] == 0x11", &finack));
        assert!(m("tcp[12:2] & 0xF000 == 0x5000", &syn));
        assert!(
            m("transp[0:4] == 0x00010002", &syn) && m("transp[0:4] == 0x00010002", &Pkt::udp(1, 2))
        );
        assert!(m("udp[2:2] 2", &Pkt::udp(1, 2)) && !m("udp[2:2] 2", &syn));
        assert!(m("icmp[1] == 1", &Pkt::icmp(3, 1)));
    }

    #[test]
    fn ip_fields() {
        let mut p = Pkt::tcp(1, 2, 0);
        p.tos = 0xB9; // DSCP 46, ECN 1
        p.ttl = 3;
        p.id = 777;
        assert!(m("ip vers 4", &p) && !m("ip vers 6", &p));
        assert!(m("ip hl 5", &p) && !m("ip hl > 5", &p));
        assert!(m("ip tos 0xB9", &p) && m("ip dscp 46", &p) && !m("ip dscp 45", &p));
        assert!(m("ip ect", &p) && !m("ip ce", &p) && m("ip ect 1", &p));
        p.tos = 0x03;
        assert!(m("ip ce", &p) && m("ip ect", &p));
        p.tos = 0;
        assert!(!m("ip ect", &p) && !m("ip ce", &p));
        assert!(m("ip ttl 3", &p) && m("ip ttl < 5", &p) && !m("ip ttl >= 5", &p));
        assert!(m("ip ttl 1 or 2 or 3", &p));
        assert!(m("ip id 777", &p) && m("ip id != 778", &p));
        assert!(m("ip len 44", &p) && m("ip len > 40", &p) && !m("ip len <= 40", &p));
        assert!(m("ip ttl & 0x0F == 0x13", &p), "== compares value & mask");
        assert!(!m("ip ttl & 0x0F > 3", &p) && m("ip ttl & 0x0F >= 3", &p));
        assert!(m("ip[8] 3", &p) && m("ip[9] == 6", &p) && m("ip[0] & 0xF0 = 0x40", &p));
        assert!(m("ip[12:4] == 0x0A000001", &p) && m("ip[2:2] > 40", &p));
        assert!(m("ip[4,5] == 777", &p));
    }

    #[test]
    fn fragments() {
        let first = Pkt {
            frag: 0x2000,
            ..Pkt::tcp(1, 80, 2)
        };
        let later = Pkt {
            frag: 0x00B9,
            ..Pkt::tcp(1, 80, 2)
        };
        let last = Pkt {
            frag: 0x00B9,
            ..Pkt::tcp(1, 80, 2)
        };
        let whole = Pkt::tcp(1, 80, 2); // DF set, not a fragment
        assert!(m("ip frag", &first) && m("ip frag", &later) && m("ip frag", &last));
        assert!(!m("ip frag", &whole) && m("ip unfrag", &whole) && m("unfrag", &whole));
        assert!(!m("ip unfrag", &first));
        // transport tests match the first fragment only
        assert!(m("tcp port 80", &first) && !m("tcp port 80", &later));
        assert!(!m("syn", &later) && !m("tcp port != 80", &later) && !m("tcp[0] 0", &later));
        assert!(m("tcp", &later) && m("not tcp port 80", &later));
        assert!(!m(
            "icmp type echo",
            &Pkt {
                frag: 0x0010,
                ..Pkt::icmp(8, 0)
            }
        ));
        assert!(
            m("ip[6:2] & 0x1FFF != 0", &later),
            "ip[…] ignores fragmentation"
        );
    }

    #[test]
    fn options_move_the_transport_header() {
        let mut p = Pkt::tcp(1234, 80, 0x12);
        p.options = [0x94, 4, 0, 0, 1, 1, 1, 0].to_vec();
        assert!(m("ip hl 7", &p));
        assert!(m("dst tcp port 80", &p) && m("syn and ack", &p) && m("tcp win 0x7210", &p));
        assert!(m("ip[20] 0x94", &p) && m("transp[0:2] 1234", &p));
    }

    #[test]
    fn connectives() {
        let p = Pkt::tcp(1, 22, 0x02);
        assert!(m("(dst port www or dst port ssh) and tcp opt syn", &p));
        assert!(m("tcp && ! udp || icmp", &p) && m("tcp and not udp", &p));
        assert!(m("not tcp or syn", &p) && !m("!tcp", &p));
        assert!(m("tcp ? dst port 22 : udp", &p) && !m("tcp ? dst port 80 : true", &p));
        assert!(m("udp ? false : tcp", &p));
        assert!(m("10.0.0.0/8 syn", &p), "juxtaposition means and");
        assert!(m("not not tcp", &p) && m("not (udp or icmp)", &p));
    }

    #[test]
    fn ether_addresses() {
        let ether = [0, 1, 2, 3, 4, 5, 0xA, 0xB, 0xC, 0xD, 0xE, 0xF, 8, 0];
        let ip = Pkt::udp(1, 2).bytes();
        let m = |s: &str, e: &[u8]| m_ether(s, e, &ip);
        assert!(m("ether host 00:01:02:03:04:05", &ether));
        assert!(m("dst ether host 00:01:02:03:04:05", &ether));
        assert!(!m("src ether host 00:01:02:03:04:05", &ether));
        assert!(m("src ether host 0a:0b:0c:0d:0e:0f", &ether));
        assert!(m("ether host 0a:0b:0c:0d:0e:0f", &ether));
        assert!(!m("src and dst ether host 0a:0b:0c:0d:0e:0f", &ether));
        assert!(m("ether host != 11:11:11:11:11:11", &ether));
        assert!(m(
            "src ether host & ff:ff:ff:00:00:00 0a:0b:0c:99:99:99",
            &ether
        ));
        // no link header: no Ethernet test matches
        assert!(!m("ether host 00:01:02:03:04:05", &[]));
        assert!(!m("ether host != 11:11:11:11:11:11", &[]));
        assert!(!m("dst ether host 00:01:02:03:04:05", &ether[..5]));
        assert!(m("dst ether host 00:01:02:03:04:05", &ether[..6]));
    }

    #[test]
    fn short_packets_fail_only_the_tests_that_need_the_bytes() {
        let full = Pkt::tcp(1234, 80, 0x02).bytes();
        let cut = |n: usize| full[..n].to_vec();
        // ports need 4 transport bytes, flags 14, the window 16
        assert!(m_bytes("tcp port 80", &cut(24)) && !m_bytes("tcp port 80", &cut(23)));
        assert!(
            m_bytes("src tcp port 1234", &cut(22)),
            "only the source port is needed"
        );
        assert!(!m_bytes("tcp port 1234", &cut(22)), "both ports are needed");
        assert!(m_bytes("syn", &cut(34)) && !m_bytes("syn", &cut(33)));
        assert!(!m_bytes("tcp win > 0", &cut(35)) && m_bytes("tcp win > 0", &cut(36)));
        // a missing byte fails the test itself, not what is around it
        assert!(m_bytes("not syn", &cut(33)) && m_bytes("syn or tcp", &cut(33)));
        assert!(!m_bytes("tcp port != 80", &cut(23)) && m_bytes("not tcp port 80", &cut(23)));
        assert!(
            !m_bytes("tcp win >= 0", &cut(35)),
            "needed even if the relation cannot fail"
        );
        // the IP header itself can be short
        assert!(m_bytes("ip vers 4", &cut(1)) && !m_bytes("ip ttl 64", &cut(8)));
        assert!(m_bytes("ip ttl 64", &cut(9)) && !m_bytes("src host 10.0.0.1", &cut(15)));
        assert!(!m_bytes("tcp", &cut(9)) && m_bytes("not tcp", &cut(9)));
        assert!(!m_bytes("ip[60:4] != 0", &full) && !m_bytes("ip[60:4] == 0", &full));
        assert!(m_bytes("ip[0:4] & 0xFF000000 == 0x45000000", &cut(1)));
        assert!(!m_bytes("true and ip vers 4", &[]) && m_bytes("true", &[]));
        // an IHL beyond the packet leaves no transport header
        let mut long_hl = full.clone();
        long_hl[0] = 0x4F;
        assert!(!m_bytes("tcp port 80", &long_hl) && !m_bytes("transp[0] >= 0", &long_hl));
        assert!(m_bytes("ip hl 15", &long_hl));
    }

    #[test]
    fn locations() {
        assert_eq!(Field::Dscp.loc().end(0x3F), 2);
        assert_eq!(TCP_FLAGS.end(0xFF), 14);
        assert_eq!(Field::TcpWin.loc().end(0xFFFF), 16);
        assert_eq!(Field::TcpWin.loc().end(0xFF00), 15);
        assert_eq!(FRAG.end(0), 0);
        let raw = Field::Raw {
            transport: None,
            offset: 9,
            len: 1,
        };
        assert_eq!(raw.loc(), PROTO);
        let h = Headers::ip(&[0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6]);
        assert_eq!(PROTO.read(&h, 0xFF), Some(6));
        assert_eq!(Field::Ttl.loc().read(&h, 0xF0), Some(0x40));
        assert_eq!(Field::Id.loc().read(&h, 0xFFFF), Some(0));
        assert_eq!(addr_loc(true).read(&h, 0xFF), None);
        assert_eq!(Headers::ip(&[0x46; 10]).base(Base::Transport), &[] as &[u8]);
        assert_eq!(Headers::ip(&[0x41, 1, 2, 3, 4]).base(Base::Transport), &[4]);
        let v: Vec<u8> = Base::ALL.iter().map(|b| b.index() as u8).collect();
        assert_eq!(v, [0, 1, 2]);
    }
}
