//! The tcpdump-like pattern language of IPClassifier and IPFilter, parsed
//! into a typed AST ([`Expr`]) that the packet code compiles later.
//!
//! Grammar (Click's, from `elements/ip/ipfilter.cc`):
//!
//! ```text
//! expr   := orexpr | orexpr '?' expr ':' expr
//! orexpr := term (('or' | '||') term)*
//! term   := factor (('and' | '&&')? factor)*      juxtaposition means 'and'
//! factor := ('not' | '!') factor | '(' expr ')' | test
//! test   := 'true' | 'false'
//!         | quals ['[' POS[:LEN] ']'] ['&' MASK] [relop] [data]
//! quals  := ('src' | 'dst' | 'src and dst' | 'src or dst' | 'ip' | 'ether'
//!           | 'not' | TYPE | PROTOCOL)*
//! TYPE   := host | net | port | proto | opt | type | win | vers | hl | id
//!         | tos | dscp | ttl | len | frag | unfrag | ect | ce
//! relop  := '=' | '==' | '!=' | '<' | '>' | '<=' | '>='
//! data   := NUMBER | IPADDR | IPADDR 'mask' IPADDR | PREFIX | ETHERADDR
//!         | port name | protocol name | TCP flag | ICMP type name
//! ```
//!
//! Shorthands follow Click: a bare protocol (`tcp`) means `ip proto tcp`, a
//! bare port name, TCP flag, ICMP type name or prefix means the primitive it
//! can only belong to, and a bare value after a primitive repeats that
//! primitive's type (`src port 80 or 443`, `host 10.0.0.1 or 10.0.0.2`).

use alloc::{
    boxed::Box,
    format,
    string::{String, ToString},
    vec,
    vec::Vec,
};
use core::net::Ipv4Addr;
use core::ops::Range;

use nfc_dataplane::args::{self, Arg, ConfigError};
use nfc_dataplane::parse;

use super::names;

/// A boolean pattern over one IPv4 packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Matches every packet (`true`, `-`, `any`, `all`).
    True,
    /// Matches no packet (`false`).
    False,
    /// One primitive test.
    Test(Primitive),
    /// Negation.
    Not(Box<Expr>),
    /// All of the operands match (`and`, `&&`, juxtaposition).
    And(Vec<Expr>),
    /// Any of the operands matches (`or`, `||`).
    Or(Vec<Expr>),
    /// `cond ? then : else`.
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
}

/// One primitive, such as `src tcp port > 1023`.
///
/// A primitive matches when the packet carries transport protocol [`proto`]
/// (if set) *and* the test relation holds; so `tcp port != 80` does not
/// match UDP packets, unlike `not tcp port 80`. Tests on transport fields
/// (ports, TCP flags, ICMP type, transport bytes) only match first fragments.
///
/// [`proto`]: Primitive::proto
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Primitive {
    /// What is compared.
    pub test: Test,
    /// How it is compared. Address, flag and protocol-name tests only use
    /// [`RelOp::Eq`] and [`RelOp::Ne`].
    pub op: RelOp,
    /// The transport protocol the packet must have for the test to match.
    pub proto: Option<ProtoSel>,
    /// Byte range of the primitive inside the configuration string.
    pub span: Range<usize>,
}

/// The comparison of a primitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelOp {
    /// `==`, `=` or no operator.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `>`.
    Gt,
    /// `<=`.
    Le,
    /// `>=`.
    Ge,
}

/// Which address or port of the packet a test looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// `src`.
    Src,
    /// `dst`.
    Dst,
    /// `src or dst` (the default).
    SrcOrDst,
    /// `src and dst`.
    SrcAndDst,
}

/// A transport protocol selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtoSel {
    /// One IP protocol number.
    Num(u8),
    /// TCP or UDP (`tcpudp`, and what `port` means without a protocol).
    TcpOrUdp,
    /// Any protocol with a transport header (`transp`).
    Transp,
    /// Click's `payload` pseudo-protocol.
    Payload,
}

/// TCP's protocol number.
pub const TCP: ProtoSel = ProtoSel::Num(6);
/// UDP's protocol number.
pub const UDP: ProtoSel = ProtoSel::Num(17);
/// ICMP's protocol number.
pub const ICMP: ProtoSel = ProtoSel::Num(1);
const DCCP: ProtoSel = ProtoSel::Num(33);

/// A header field compared as an unsigned integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `ip vers` (4 bits).
    Vers,
    /// `ip hl` (4 bits).
    Hl,
    /// `ip tos` (8 bits); also `ip ect` and `ip ce` (the low 2 bits).
    Tos,
    /// `ip dscp` (upper 6 bits of TOS).
    Dscp,
    /// `ip len` (16 bits).
    Len,
    /// `ip id` (16 bits).
    Id,
    /// `ip ttl` (8 bits).
    Ttl,
    /// `tcp win` (16 bits).
    TcpWin,
    /// `icmp type` (8 bits).
    IcmpType,
    /// `ip[POS:LEN]` (`transport` = `None`) or `tcp[POS:LEN]`,
    /// `transp[POS:LEN]` …: LEN bytes (1–4) at byte POS of the IP header or
    /// of the transport header, not crossing a 4-byte boundary.
    Raw {
        /// `None` for the IP header, else the transport header of this
        /// protocol.
        transport: Option<ProtoSel>,
        /// Byte offset.
        offset: u16,
        /// Length in bytes, 1–4.
        len: u8,
    },
}

impl Field {
    /// Width of the field in bits.
    pub fn bits(self) -> u32 {
        match self {
            Field::Vers | Field::Hl => 4,
            Field::Tos | Field::Ttl | Field::IcmpType => 8,
            Field::Dscp => 6,
            Field::Len | Field::Id | Field::TcpWin => 16,
            Field::Raw { len, .. } => u32::from(len) * 8,
        }
    }

    /// The largest value the field holds.
    pub fn full_mask(self) -> u32 {
        match self.bits() {
            32 => u32::MAX,
            b => (1u32 << b) - 1,
        }
    }

    /// The transport protocol the field belongs to, if any.
    fn proto(self) -> Option<ProtoSel> {
        match self {
            Field::TcpWin => Some(TCP),
            Field::IcmpType => Some(ICMP),
            Field::Raw { transport, .. } => transport,
            _ => None,
        }
    }
}

/// What a primitive compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// `host ADDR` (mask all ones) and `net ADDR/LEN`: the chosen addresses
    /// ANDed with `mask` equal `addr` ANDed with `mask`.
    Host {
        /// Which address(es).
        dir: Dir,
        /// The address.
        addr: Ipv4Addr,
        /// The mask.
        mask: Ipv4Addr,
    },
    /// `ether host ADDR`.
    Ether {
        /// Which address(es).
        dir: Dir,
        /// The address.
        addr: [u8; 6],
        /// The mask.
        mask: [u8; 6],
    },
    /// `ip proto P`.
    Proto {
        /// The protocol.
        proto: ProtoSel,
        /// Mask over the protocol byte (0xFF unless `& MASK` is given).
        mask: u8,
    },
    /// `port N`; [`Primitive::proto`] says TCP, UDP, DCCP or either of TCP
    /// and UDP.
    Port {
        /// Which port(s).
        dir: Dir,
        /// The port (relations may use values above 65535).
        port: u32,
        /// Mask over the port.
        mask: u16,
    },
    /// `tcp opt FLAG`: every bit of `flags` is set in the TCP flags byte
    /// (Click's reading; a flag name is one bit).
    TcpOpt {
        /// The flag bits.
        flags: u8,
    },
    /// A header field, `(field & mask) OP value`.
    Field {
        /// The field.
        field: Field,
        /// The value compared with.
        value: u32,
        /// The mask applied to the field first.
        mask: u32,
    },
    /// `ip frag` (with [`RelOp::Ne`]: `ip unfrag`): the packet is a fragment.
    Frag,
}

/// A parsed IPFilter rule's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Emit on this output (`allow` is output 0).
    Output(u32),
    /// Drop the packet (`deny`, `drop`).
    Drop,
}

// ---------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone)]
struct Tok {
    text: String,
    span: Range<usize>,
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'/' | b'@' | b'_' | b':')
}

/// Splits pattern text into Click's IPFilter words; `at` maps a byte range
/// of `s` to a range of the configuration string.
fn scan(s: &str, at: &dyn Fn(Range<usize>) -> Range<usize>) -> Vec<Tok> {
    let b = s.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let starts_comment =
        |i: usize| b.get(i) == Some(&b'/') && matches!(b.get(i + 1), Some(b'/' | b'*'));
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if starts_comment(i) {
            if b.get(i + 1) == Some(&b'/') {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            } else {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(b.len());
            }
            continue;
        }
        let start = i;
        let end = match c {
            b'&' | b'|' if b.get(i + 1) == Some(&c) => i + 2,
            b'<' | b'>' | b'!' | b'=' if b.get(i + 1) == Some(&b'=') => i + 2,
            _ if is_word_byte(c) => {
                let mut j = i;
                while j < b.len() && is_word_byte(b[j]) && !starts_comment(j) {
                    j += 1;
                }
                j
            }
            _ => {
                i + s
                    .get(i..)
                    .and_then(|r| r.chars().next())
                    .map_or(1, char::len_utf8)
            }
        };
        if let Some(text) = s.get(start..end) {
            toks.push(Tok {
                text: text.to_string(),
                span: at(start..end),
            });
        }
        i = end;
    }
    toks
}

/// Words of one argument, with spans inside `config`. Quoted arguments are
/// unquoted first (as Click does); their words then carry the whole
/// argument's span.
fn tokenize(arg: &Arg, config: &str) -> Vec<Tok> {
    let raw = config.get(arg.span.clone()).unwrap_or(arg.text.as_str());
    if raw.contains(['"', '\'']) || raw.contains("\\<") {
        let text = args::unquote(&arg.text);
        let whole = arg.span.clone();
        scan(&text, &|_| whole.clone())
    } else {
        let base = arg.span.start;
        scan(raw, &|r| base + r.start..base + r.end)
    }
}

// ---------------------------------------------------------------------------
// Parser

const MAX_DEPTH: usize = 64;

/// A primitive's type before its data decides the details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Host,
    Net,
    Ether,
    Port,
    Proto,
    TcpOpt,
    Frag,
    Unfrag,
    Ect,
    Ce,
    Field(Field),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Header {
    Ip,
    Ether,
}

#[derive(Debug, Clone, Copy)]
enum Data {
    None,
    Int(u32),
    Host(Ipv4Addr),
    Net(Ipv4Addr, Ipv4Addr),
    Ether([u8; 6]),
    PortName(u16),
    TcpFlag(u8),
    IcmpType(u8),
    /// A protocol name after the primitive's type or operator.
    Proto,
}

#[derive(Debug, Clone, Copy)]
enum Mask {
    Int(u32),
    Ip(Ipv4Addr),
    Ether([u8; 6]),
}

/// The previous primitive, for bare values that repeat its type.
#[derive(Debug, Clone, Copy)]
struct Prev {
    kind: Kind,
    dir: Option<Dir>,
    proto: Option<ProtoSel>,
    ether: bool,
}

fn type_word(w: &str) -> Option<Kind> {
    Some(match w {
        "ce" => Kind::Ce,
        "dscp" => Kind::Field(Field::Dscp),
        "ect" => Kind::Ect,
        "frag" => Kind::Frag,
        "hl" => Kind::Field(Field::Hl),
        "host" => Kind::Host,
        "id" => Kind::Field(Field::Id),
        "len" => Kind::Field(Field::Len),
        "net" => Kind::Net,
        "opt" => Kind::TcpOpt,
        "port" => Kind::Port,
        "proto" => Kind::Proto,
        "tos" => Kind::Field(Field::Tos),
        "ttl" => Kind::Field(Field::Ttl),
        "type" => Kind::Field(Field::IcmpType),
        "unfrag" => Kind::Unfrag,
        "vers" => Kind::Field(Field::Vers),
        "win" => Kind::Field(Field::TcpWin),
        _ => return None,
    })
}

fn is_syntax_word(w: &str) -> bool {
    matches!(w, "src" | "dst" | "dest" | "ip" | "ether" | "not" | "!")
}

fn proto_name(w: &str) -> Option<ProtoSel> {
    match w {
        "tcpudp" => Some(ProtoSel::TcpOrUdp),
        "transp" => Some(ProtoSel::Transp),
        "payload" => Some(ProtoSel::Payload),
        _ => names::lookup(names::IP_PROTOCOLS, w).map(ProtoSel::Num),
    }
}

fn proto_text(p: ProtoSel) -> String {
    match p {
        ProtoSel::TcpOrUdp => "tcpudp".into(),
        ProtoSel::Transp => "transp".into(),
        ProtoSel::Payload => "payload".into(),
        ProtoSel::Num(n) => names::IP_PROTOCOLS
            .iter()
            .find(|(_, v)| *v == n)
            .map_or_else(|| format!("ip proto {n}"), |(name, _)| (*name).into()),
    }
}

/// What a name means given the primitive's type and protocol so far.
enum Named {
    NotAName,
    Value(Data),
    Proto(ProtoSel),
    Bad(String, String),
}

fn lookup_name(w: &str, kind: Option<Kind>, proto: Option<ProtoSel>) -> Named {
    let is = |k: Kind| kind.is_none() || kind == Some(k);
    let tcp_ok = matches!(proto, None | Some(TCP) | Some(ProtoSel::TcpOrUdp));
    let udp_ok = matches!(proto, None | Some(UDP) | Some(ProtoSel::TcpOrUdp));
    let got_proto = proto_name(w);
    let got_port = names::lookup(names::PORTS, w);
    let got_flag = names::lookup(names::TCP_FLAGS, w);
    let got_icmp = names::lookup(names::ICMP_TYPES, w);
    let mut found: Vec<Named> = Vec::new();
    let mut tries: Vec<String> = Vec::new();
    if let Some(p) = got_proto {
        tries.push(format!("'ip proto {w}'"));
        if is(Kind::Proto) {
            found.push(Named::Proto(p));
        }
    }
    if let Some(v) = got_port {
        tries.push(format!("'port {w}'"));
        if is(Kind::Port) && (tcp_ok || udp_ok) {
            found.push(Named::Value(Data::PortName(v)));
        }
    }
    if let Some(v) = got_flag {
        tries.push(format!("'tcp opt {w}'"));
        if is(Kind::TcpOpt) && tcp_ok {
            found.push(Named::Value(Data::TcpFlag(v)));
        }
    }
    if let Some(v) = got_icmp {
        tries.push(format!("'icmp type {w}'"));
        if is(Kind::Field(Field::IcmpType)) && matches!(proto, None | Some(ICMP)) {
            found.push(Named::Value(Data::IcmpType(v)));
        }
    }
    if tries.is_empty() {
        return Named::NotAName;
    }
    if found.len() == 1 {
        return found.pop().unwrap_or(Named::NotAName);
    }
    let what = if found.len() > 1 {
        "ambiguous"
    } else {
        "meaningless here"
    };
    Named::Bad(
        format!("'{w}' is {what}"),
        format!("try {}", tries.join(" or ")),
    )
}

fn err(span: Range<usize>, message: impl Into<String>, hint: Option<String>) -> ConfigError {
    ConfigError {
        span: Some(span),
        message: message.into(),
        hint,
    }
}

const PRIMITIVE_HINT: &str = "primitives look like 'src host 10.0.0.1', 'dst net 10.0.0.0/8', \
'tcp port 80', 'udp', 'icmp type echo', 'tcp opt syn' or 'ip ttl < 5'";

struct Parser<'t> {
    toks: &'t [Tok],
    pos: usize,
    prev: Option<Prev>,
    depth: usize,
    /// Span used for errors at the end of the pattern.
    end: Range<usize>,
}

type PResult<T> = Result<T, ConfigError>;

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.pos).map(|t| t.text.as_str())
    }

    fn peek_at(&self, n: usize) -> Option<&str> {
        self.toks.get(self.pos + n).map(|t| t.text.as_str())
    }

    fn span_here(&self) -> Range<usize> {
        self.toks
            .get(self.pos)
            .map_or(self.end.clone(), |t| t.span.clone())
    }

    fn found(&self) -> String {
        self.peek()
            .map_or_else(|| "the end of the pattern".into(), |w| format!("'{w}'"))
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(self.span_here(), "pattern nested too deeply", None));
        }
        Ok(())
    }

    fn expr(&mut self) -> PResult<Expr> {
        self.enter()?;
        let cond = self.or_expr()?;
        let out = if self.peek() == Some("?") {
            self.pos += 1;
            let then = self.expr()?;
            if self.peek() != Some(":") {
                return Err(err(
                    self.span_here(),
                    format!("expected ':' in a '?:' expression, found {}", self.found()),
                    Some("the ':' of 'a ? b : c' must be surrounded by spaces".into()),
                ));
            }
            self.pos += 1;
            let otherwise = self.expr()?;
            Expr::Cond(Box::new(cond), Box::new(then), Box::new(otherwise))
        } else {
            cond
        };
        self.depth -= 1;
        Ok(out)
    }

    fn or_expr(&mut self) -> PResult<Expr> {
        let mut terms = vec![self.term()?];
        while matches!(self.peek(), Some("or" | "||")) {
            self.pos += 1;
            terms.push(self.term()?);
        }
        Ok(if terms.len() == 1 {
            terms.pop().unwrap_or(Expr::True)
        } else {
            Expr::Or(terms)
        })
    }

    fn at_term_end(&self) -> bool {
        matches!(self.peek(), None | Some(")" | "or" | "||" | "?" | ":"))
    }

    fn term(&mut self) -> PResult<Expr> {
        let mut factors = vec![self.factor()?];
        loop {
            if matches!(self.peek(), Some("and" | "&&")) {
                self.pos += 1;
            } else if self.at_term_end() {
                break;
            }
            factors.push(self.factor()?);
        }
        Ok(if factors.len() == 1 {
            factors.pop().unwrap_or(Expr::True)
        } else {
            Expr::And(factors)
        })
    }

    fn factor(&mut self) -> PResult<Expr> {
        if self.at_term_end() || matches!(self.peek(), Some("and" | "&&")) {
            return Err(err(
                self.span_here(),
                format!("expected an expression, found {}", self.found()),
                Some(PRIMITIVE_HINT.into()),
            ));
        }
        match self.peek() {
            Some("not" | "!") => {
                self.enter()?;
                self.pos += 1;
                let inner = self.factor()?;
                self.depth -= 1;
                Ok(Expr::Not(Box::new(inner)))
            }
            Some("(") => {
                let open = self.span_here();
                self.pos += 1;
                let inner = self.expr()?;
                if self.peek() != Some(")") {
                    let mut e = err(
                        self.span_here(),
                        format!("expected ')', found {}", self.found()),
                        None,
                    );
                    e.hint = Some(format!("the '(' at byte {} is not closed", open.start));
                    return Err(e);
                }
                self.pos += 1;
                Ok(inner)
            }
            _ => self.test(),
        }
    }

    fn test(&mut self) -> PResult<Expr> {
        match self.peek() {
            Some("true") => {
                self.pos += 1;
                return Ok(Expr::True);
            }
            Some("false") => {
                self.pos += 1;
                return Ok(Expr::False);
            }
            _ => {}
        }
        let first = self.pos;
        let mut kind: Option<Kind> = None;
        let mut proto: Option<ProtoSel> = None;
        let mut dir: Option<Dir> = None;
        let mut header: Option<Header> = None;
        let mut negated = false;

        // qualifiers
        while let Some(w) = self.peek() {
            let span = self.span_here();
            if let Some(k) = type_word(w) {
                if kind.is_some() {
                    return Err(err(
                        span,
                        format!("'{w}': primitive type given twice"),
                        None,
                    ));
                }
                kind = Some(k);
                if let Kind::Field(f) = k {
                    if let Some(p) = f.proto() {
                        set_proto(&mut proto, p, span)?;
                    }
                }
            } else if is_syntax_word(w) {
                match w {
                    "src" => {
                        let d = match (self.peek_at(1), self.peek_at(2)) {
                            (Some("and" | "&&"), Some("dst" | "dest")) => Dir::SrcAndDst,
                            (Some("or" | "||"), Some("dst" | "dest")) => Dir::SrcOrDst,
                            _ => Dir::Src,
                        };
                        if dir.is_some() {
                            return Err(err(span, "'src' or 'dst' given twice", None));
                        }
                        if d != Dir::Src {
                            self.pos += 2;
                        }
                        dir = Some(d);
                    }
                    "dst" | "dest" => {
                        if dir.is_some() {
                            return Err(err(span, "'src' or 'dst' given twice", None));
                        }
                        dir = Some(Dir::Dst);
                    }
                    "ip" | "ether" => {
                        if header.is_some() {
                            break;
                        }
                        header = Some(if w == "ip" { Header::Ip } else { Header::Ether });
                    }
                    _ => negated = !negated,
                }
            } else {
                match lookup_name(w, None, None) {
                    Named::Proto(p) => set_proto(&mut proto, p, span)?,
                    _ => break,
                }
            }
            self.pos += 1;
        }
        if self.pos != first {
            self.prev = None;
        }
        if self.prev.is_some_and(|p| p.ether) && header.is_none() {
            header = Some(Header::Ether);
        }

        // [POS:LEN]
        if self.peek() == Some("[") && self.pos > first && kind.is_none() {
            let f = self.brackets(proto)?;
            kind = Some(Kind::Field(f));
        }

        // & MASK
        let mut mask = None;
        if self.peek() == Some("&") {
            let amp = self.span_here();
            let Some(w) = self.peek_at(1) else {
                return Err(err(amp, "expected a mask after '&'", None));
            };
            let mspan = self
                .toks
                .get(self.pos + 1)
                .map_or(amp.clone(), |t| t.span.clone());
            let m = if let Ok(v) = parse::unsigned::<u32>(w) {
                Mask::Int(v)
            } else if let (false, Ok(a)) = (header == Some(Header::Ether), parse::ipv4(w)) {
                Mask::Ip(a)
            } else if let (false, Ok(e)) = (header == Some(Header::Ip), parse::ether(w)) {
                Mask::Ether(e.0)
            } else {
                return Err(err(
                    mspan,
                    format!("expected a mask (number or address) after '&', found '{w}'"),
                    None,
                ));
            };
            let zero = match m {
                Mask::Int(v) => v == 0,
                Mask::Ip(a) => a.is_unspecified(),
                Mask::Ether(_) => false,
            };
            if zero {
                return Err(err(
                    mspan,
                    "a zero mask matches everything; leave it out",
                    None,
                ));
            }
            mask = Some((m, mspan));
            self.pos += 2;
        }

        // relation
        let op = match self.peek() {
            Some("=" | "==") => Some(RelOp::Eq),
            Some("!=") => Some(RelOp::Ne),
            Some("<") => Some(RelOp::Lt),
            Some(">") => Some(RelOp::Gt),
            Some("<=") => Some(RelOp::Le),
            Some(">=") => Some(RelOp::Ge),
            _ => None,
        };
        if op.is_some() {
            self.pos += 1;
        }

        // data
        let mut data = Data::None;
        if let Some(w) = self.peek() {
            let span = self.span_here();
            let mut consumed = true;
            match lookup_name(w, kind, proto) {
                Named::Bad(msg, hint) => return Err(err(span, msg, Some(hint))),
                Named::Value(d) => data = d,
                Named::Proto(p) => {
                    // `ip proto != tcp`, `!= udp`: the qualifier loop took
                    // any other protocol name
                    set_proto(&mut proto, p, span)?;
                    data = Data::Proto;
                }
                Named::NotAName => {
                    if type_word(w).is_some() || is_syntax_word(w) {
                        consumed = false;
                    } else if let Ok(v) = parse::unsigned::<u32>(w) {
                        data = Data::Int(v);
                    } else if let (true, Ok(a)) = (header != Some(Header::Ether), parse::ipv4(w)) {
                        if self.peek_at(1) == Some("mask") {
                            let mw = self.peek_at(2).unwrap_or("");
                            let mspan = self
                                .toks
                                .get(self.pos + 2)
                                .map_or(self.end.clone(), |t| t.span.clone());
                            let m = parse::ipv4(mw).map_err(|_| {
                                err(
                                    mspan,
                                    format!("expected a netmask after 'mask', found '{mw}'"),
                                    None,
                                )
                            })?;
                            data = Data::Net(a, m);
                            self.pos += 2;
                        } else {
                            data = Data::Host(a);
                        }
                    } else if header != Some(Header::Ether) && w.contains('/') {
                        let p = parse::ip_prefix(w)
                            .map_err(|e| err(span.clone(), e.message, e.hint))?;
                        data = Data::Net(p.addr, prefix_mask(p.len));
                    } else if let (true, Ok(e)) = (header != Some(Header::Ip), parse::ether(w)) {
                        data = Data::Ether(e.0);
                    } else {
                        consumed = false;
                        if let Some(k) = kind.filter(|k| needs_value(*k)) {
                            if !is_connective(w) {
                                return Err(value_error(k, w, span));
                            }
                        }
                    }
                }
            }
            if consumed {
                self.pos += 1;
            }
        }
        if self.pos == first {
            let w = self.peek().unwrap_or("");
            let hint = if w.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                format!("{PRIMITIVE_HINT}; nfc does not resolve AddressInfo names yet")
            } else {
                PRIMITIVE_HINT.into()
            };
            return Err(err(
                self.span_here(),
                format!("unknown word '{w}' in pattern"),
                Some(hint),
            ));
        }
        if let (Some(op), Data::None) = (op, data) {
            if op != RelOp::Eq || self.peek().is_some() {
                return Err(err(
                    self.span_here(),
                    format!(
                        "expected a value after the operator, found {}",
                        self.found()
                    ),
                    None,
                ));
            }
        }
        let end = self
            .toks
            .get(self.pos.saturating_sub(1))
            .map_or(self.end.end, |t| t.span.end);
        let start = self.toks.get(first).map_or(end, |t| t.span.start);
        let span = start..end.max(start);
        let q = Quals {
            kind,
            proto,
            dir,
            header,
            op: op.unwrap_or(RelOp::Eq),
        };
        let (prim, prev) = self.resolve(q, data, mask, span)?;
        self.prev = Some(prev);
        let e = Expr::Test(prim);
        Ok(if negated { Expr::Not(Box::new(e)) } else { e })
    }

    fn brackets(&mut self, proto: Option<ProtoSel>) -> PResult<Field> {
        let open = self.span_here();
        self.pos += 1;
        let mut inner = String::new();
        let mut inner_span = open.clone();
        while let Some(w) = self.peek() {
            if w == "]" {
                break;
            }
            inner.push_str(w);
            inner_span.end = self.span_here().end;
            self.pos += 1;
        }
        if self.peek() != Some("]") {
            return Err(err(
                open,
                "missing ']'",
                Some("write ip[POS] or ip[POS:LEN]".into()),
            ));
        }
        self.pos += 1;
        let num = |s: &str| parse::unsigned::<u32>(s).ok();
        let parsed = if let Some((a, b)) = inner.split_once(':') {
            num(a).zip(num(b))
        } else if let Some((a, b)) = inner.split_once(',') {
            num(a)
                .zip(num(b))
                .and_then(|(a, b)| b.checked_sub(a).map(|d| (a, d + 1)))
        } else {
            num(&inner).map(|a| (a, 1))
        };
        let Some((pos, len)) = parsed else {
            return Err(err(
                inner_span,
                format!("expected POS or POS:LEN inside '[]', found '{inner}'"),
                None,
            ));
        };
        if !(1..=4).contains(&len) {
            return Err(err(
                inner_span,
                "LEN in [POS:LEN] must be between 1 and 4",
                None,
            ));
        }
        let (Some(first_bit), Some(last_bit)) = (pos.checked_mul(8), (pos + len).checked_mul(8))
        else {
            return Err(err(inner_span, "POS in [POS:LEN] is too large", None));
        };
        if first_bit / 32 != (last_bit - 1) / 32 || pos > u32::from(u16::MAX) {
            return Err(err(
                inner_span,
                format!("field [{pos}:{len}] does not fit in one aligned 4-byte word"),
                None,
            ));
        }
        Ok(Field::Raw {
            transport: proto,
            offset: pos as u16,
            len: len as u8,
        })
    }

    fn resolve(
        &self,
        q: Quals,
        data: Data,
        mask: Option<(Mask, Range<usize>)>,
        span: Range<usize>,
    ) -> PResult<(Primitive, Prev)> {
        let Quals {
            kind,
            mut proto,
            mut dir,
            mut header,
            op,
        } = q;
        let prev = self.prev;
        let prev_dir = prev.and_then(|p| p.dir);
        let kind = match kind {
            Some(k) => k,
            None => match data {
                Data::Host(_) => {
                    dir = dir.or(prev_dir);
                    Kind::Host
                }
                Data::Net(..) => {
                    dir = dir.or(prev_dir);
                    Kind::Net
                }
                Data::Ether(_) => {
                    dir = dir.or(prev_dir);
                    Kind::Ether
                }
                Data::TcpFlag(_) => Kind::TcpOpt,
                Data::PortName(_) => {
                    dir = dir.or(prev_dir);
                    proto = proto.or(prev.and_then(|p| p.proto));
                    Kind::Port
                }
                Data::IcmpType(_) => Kind::Field(Field::IcmpType),
                Data::Proto => Kind::Proto,
                Data::Int(_) => match prev.map(|p| p.kind) {
                    Some(Kind::Port) => {
                        dir = dir.or(prev_dir);
                        proto = proto.or(prev.and_then(|p| p.proto));
                        Kind::Port
                    }
                    Some(Kind::Proto) => Kind::Proto,
                    Some(Kind::Field(f)) => Kind::Field(f),
                    _ => {
                        return Err(err(
                            span,
                            "a bare number needs a header field or 'port' before it",
                            Some("write e.g. 'port 80', 'ip ttl 64' or 'ip proto 6'".into()),
                        ))
                    }
                },
                Data::None => {
                    if proto.is_some() {
                        Kind::Proto
                    } else {
                        return Err(err(
                            span,
                            "incomplete primitive",
                            Some(PRIMITIVE_HINT.into()),
                        ));
                    }
                }
            },
        };
        if let Kind::Field(f) = kind {
            if proto.is_none() {
                proto = f.proto();
            }
        }
        if header.is_none() && matches!(data, Data::Ether(_)) {
            header = Some(Header::Ether);
        }
        let header = header.unwrap_or(Header::Ip);
        let kind = if header == Header::Ether && kind == Kind::Host {
            Kind::Ether
        } else {
            kind
        };
        let name = kind_name(kind);
        let ip_only = || {
            err(
                span.clone(),
                format!("'{name}' applies to IP headers only"),
                None,
            )
        };
        let missing = |what: &str| {
            err(
                span.clone(),
                format!("'{name}' needs {what}"),
                Some(PRIMITIVE_HINT.into()),
            )
        };
        let bad_mask = || {
            let s = mask.as_ref().map_or(span.clone(), |m| m.1.clone());
            err(s, format!("this mask does not fit '{name}'"), None)
        };
        let eq_only = || {
            if matches!(op, RelOp::Eq | RelOp::Ne) {
                Ok(())
            } else {
                Err(err(
                    span.clone(),
                    format!("'{name}' supports only '==' and '!='"),
                    None,
                ))
            }
        };
        if header == Header::Ether && kind != Kind::Ether {
            return Err(ip_only());
        }
        let int_mask = |full: u32| -> PResult<u32> {
            match &mask {
                None => Ok(full),
                Some((Mask::Int(m), _)) if m & full == *m => Ok(*m),
                Some((Mask::Int(_), s)) => Err(err(
                    s.clone(),
                    format!("mask out of range for '{name}' (at most {full:#x})"),
                    None,
                )),
                Some(_) => Err(bad_mask()),
            }
        };
        let check_value = |v: u32, full: u32| -> PResult<()> {
            if matches!(op, RelOp::Eq | RelOp::Ne) && v > full {
                Err(err(
                    span.clone(),
                    format!("{v} is out of range for '{name}' (at most {full})"),
                    None,
                ))
            } else {
                Ok(())
            }
        };
        let mut prim_proto = proto;
        let mut op = op;
        let test = match kind {
            Kind::Host | Kind::Net => {
                let (addr, mut m) = match (kind, data) {
                    (Kind::Host, Data::Host(a)) => (a, Ipv4Addr::BROADCAST),
                    (Kind::Net, Data::Net(a, m)) => (a, m),
                    (Kind::Host, _) => return Err(missing("an IP address")),
                    _ => return Err(missing("a network such as 10.0.0.0/8")),
                };
                eq_only()?;
                match mask {
                    None => {}
                    Some((Mask::Int(v), _)) => m = Ipv4Addr::from(v),
                    Some((Mask::Ip(a), _)) => m = a,
                    Some(_) => return Err(bad_mask()),
                }
                Test::Host {
                    dir: dir.unwrap_or(Dir::SrcOrDst),
                    addr,
                    mask: m,
                }
            }
            Kind::Ether => {
                let Data::Ether(addr) = data else {
                    return Err(missing("an Ethernet address"));
                };
                eq_only()?;
                let m = match mask {
                    None => [0xFF; 6],
                    Some((Mask::Ether(m), _)) => m,
                    Some(_) => return Err(bad_mask()),
                };
                Test::Ether {
                    dir: dir.unwrap_or(Dir::SrcOrDst),
                    addr,
                    mask: m,
                }
            }
            Kind::Proto => {
                let p = match data {
                    Data::Int(n) => {
                        if let (Some(q), true) = (proto, n <= 255) {
                            if q != ProtoSel::Num(n as u8) {
                                return Err(err(span, "transport protocol given twice", None));
                            }
                        }
                        check_value(n, 0xFF)?;
                        ProtoSel::Num(n.min(255) as u8)
                    }
                    Data::None | Data::Proto => match proto {
                        Some(p) => p,
                        None => return Err(missing("a protocol")),
                    },
                    _ => return Err(missing("a protocol")),
                };
                prim_proto = None;
                let m = if let ProtoSel::Num(_) = p {
                    int_mask(0xFF)? as u8
                } else {
                    if mask.is_some() {
                        return Err(bad_mask());
                    }
                    eq_only()?;
                    0xFF
                };
                Test::Proto { proto: p, mask: m }
            }
            Kind::Port => {
                let port = match data {
                    Data::Int(n) => n,
                    Data::PortName(n) => u32::from(n),
                    _ => return Err(missing("a port number or name")),
                };
                prim_proto = Some(match proto {
                    None | Some(ProtoSel::TcpOrUdp) => ProtoSel::TcpOrUdp,
                    Some(p @ (TCP | UDP | DCCP)) => p,
                    Some(p) => {
                        return Err(err(
                            span,
                            format!("'port' needs TCP, UDP or DCCP, not {}", proto_text(p)),
                            None,
                        ))
                    }
                });
                check_value(port, 0xFFFF)?;
                Test::Port {
                    dir: dir.unwrap_or(Dir::SrcOrDst),
                    port,
                    mask: int_mask(0xFFFF)? as u16,
                }
            }
            Kind::TcpOpt => {
                let flags = match data {
                    Data::Int(n) => n,
                    Data::TcpFlag(n) => u32::from(n),
                    _ => return Err(missing("a TCP flag such as syn, fin, ack, rst, psh or urg")),
                };
                match proto {
                    None | Some(TCP) | Some(ProtoSel::TcpOrUdp) => prim_proto = Some(TCP),
                    Some(p) => {
                        return Err(err(
                            span,
                            format!("'tcp opt' needs TCP, not {}", proto_text(p)),
                            None,
                        ))
                    }
                }
                if op != RelOp::Eq || mask.is_some() {
                    return Err(err(
                        span,
                        "'tcp opt' supports no operator and no mask",
                        None,
                    ));
                }
                check_value(flags, 0xFF)?;
                Test::TcpOpt { flags: flags as u8 }
            }
            Kind::Ect => match data {
                Data::None => {
                    if mask.is_some() {
                        return Err(bad_mask());
                    }
                    op = if op == RelOp::Ne {
                        RelOp::Eq
                    } else {
                        RelOp::Ne
                    };
                    Test::Field {
                        field: Field::Tos,
                        value: 0,
                        mask: 3,
                    }
                }
                Data::Int(v) => {
                    check_value(v, 3)?;
                    Test::Field {
                        field: Field::Tos,
                        value: v,
                        mask: int_mask(3)?,
                    }
                }
                _ => return Err(missing("no value or a number 0-3")),
            },
            Kind::Ce | Kind::Frag | Kind::Unfrag => {
                if !matches!(data, Data::None) || mask.is_some() {
                    return Err(err(span, format!("'{name}' takes no value"), None));
                }
                match kind {
                    Kind::Ce => Test::Field {
                        field: Field::Tos,
                        value: 3,
                        mask: 3,
                    },
                    Kind::Unfrag => {
                        op = RelOp::Ne;
                        Test::Frag
                    }
                    _ => Test::Frag,
                }
            }
            Kind::Field(f) => {
                let value = match data {
                    Data::Int(v) => v,
                    Data::IcmpType(v) if f == Field::IcmpType => u32::from(v),
                    _ => return Err(missing("a value")),
                };
                let full = f.full_mask();
                check_value(value, full)?;
                Test::Field {
                    field: f,
                    value,
                    mask: int_mask(full)?,
                }
            }
        };
        let prev_kind = match (kind, &test) {
            (Kind::Net, _) => Kind::Host,
            (Kind::Unfrag, _) => Kind::Frag,
            (Kind::Ect | Kind::Ce, _) => Kind::Field(Field::Tos),
            _ => kind,
        };
        let prev_proto = match test {
            Test::Proto {
                proto: p,
                mask: 0xFF,
            } if op == RelOp::Eq => Some(p),
            _ => prim_proto,
        };
        let dir = match test {
            Test::Host { dir, .. } | Test::Ether { dir, .. } | Test::Port { dir, .. } => Some(dir),
            _ => None,
        };
        Ok((
            Primitive {
                test,
                op,
                proto: prim_proto,
                span,
            },
            Prev {
                kind: prev_kind,
                dir,
                proto: prev_proto,
                ether: kind == Kind::Ether,
            },
        ))
    }
}

struct Quals {
    kind: Option<Kind>,
    proto: Option<ProtoSel>,
    dir: Option<Dir>,
    header: Option<Header>,
    op: RelOp,
}

fn set_proto(slot: &mut Option<ProtoSel>, p: ProtoSel, span: Range<usize>) -> PResult<()> {
    match *slot {
        Some(q) if q != p => Err(err(span, "transport protocol given twice", None)),
        _ => {
            *slot = Some(p);
            Ok(())
        }
    }
}

fn needs_value(k: Kind) -> bool {
    !matches!(
        k,
        Kind::Frag | Kind::Unfrag | Kind::Ce | Kind::Ect | Kind::Proto
    )
}

fn is_connective(w: &str) -> bool {
    matches!(
        w,
        "and" | "&&" | "or" | "||" | "(" | ")" | "?" | ":" | "true" | "false"
    ) || type_word(w).is_some()
        || is_syntax_word(w)
}

fn value_error(k: Kind, w: &str, span: Range<usize>) -> ConfigError {
    match k {
        Kind::Host => match parse::ipv4(w) {
            Err(e) => err(span, e.message, e.hint),
            Ok(_) => err(span, format!("expected an IP address, found '{w}'"), None),
        },
        Kind::Net => match parse::ip_prefix(w) {
            Err(e) => err(span, e.message, e.hint),
            Ok(_) => err(
                span,
                format!("expected a network such as 10.0.0.0/8, found '{w}'"),
                None,
            ),
        },
        Kind::Ether => match parse::ether(w) {
            Err(e) => err(span, e.message, e.hint),
            Ok(_) => err(
                span,
                format!("expected an Ethernet address, found '{w}'"),
                None,
            ),
        },
        _ => err(
            span,
            format!("expected a value for '{}', found '{w}'", kind_name(k)),
            None,
        ),
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Host => "host",
        Kind::Net => "net",
        Kind::Ether => "ether host",
        Kind::Port => "port",
        Kind::Proto => "ip proto",
        Kind::TcpOpt => "tcp opt",
        Kind::Frag => "ip frag",
        Kind::Unfrag => "ip unfrag",
        Kind::Ect => "ip ect",
        Kind::Ce => "ip ce",
        Kind::Field(f) => match f {
            Field::Vers => "ip vers",
            Field::Hl => "ip hl",
            Field::Tos => "ip tos",
            Field::Dscp => "ip dscp",
            Field::Len => "ip len",
            Field::Id => "ip id",
            Field::Ttl => "ip ttl",
            Field::TcpWin => "tcp win",
            Field::IcmpType => "icmp type",
            Field::Raw { .. } => "[POS:LEN]",
        },
    }
}

/// The netmask of a prefix length (0–32).
pub fn prefix_mask(len: u8) -> Ipv4Addr {
    Ipv4Addr::from(match len {
        0 => 0,
        l if l >= 32 => u32::MAX,
        l => u32::MAX << (32 - u32::from(l)),
    })
}

fn is_everything(toks: &[Tok]) -> bool {
    match toks {
        [] => true,
        [t] => matches!(t.text.as_str(), "-" | "any" | "all"),
        _ => false,
    }
}

fn parse_tokens(toks: &[Tok], arg: &Arg) -> Result<Expr, ConfigError> {
    if is_everything(toks) {
        return Ok(Expr::True);
    }
    let end = toks
        .last()
        .map_or(arg.span.end..arg.span.end, |t| t.span.clone());
    let mut p = Parser {
        toks,
        pos: 0,
        prev: None,
        depth: 0,
        end,
    };
    let e = p.expr()?;
    if p.pos < toks.len() {
        return Err(err(
            p.span_here(),
            format!("unexpected {} after the end of the pattern", p.found()),
            Some("join primitives with 'and', 'or', 'not' and parentheses".into()),
        ));
    }
    Ok(e)
}

/// Parses one IPClassifier pattern (one argument of the configuration
/// `config`). An empty pattern, `-`, `any` or `all` matches everything.
pub fn parse_pattern(arg: &Arg, config: &str) -> Result<Expr, ConfigError> {
    parse_tokens(&tokenize(arg, config), arg)
}

/// Parses one IPFilter rule, `ACTION PATTERN`. A rule with only an action
/// matches everything.
pub fn parse_rule(arg: &Arg, config: &str) -> Result<(Action, Expr), ConfigError> {
    let toks = tokenize(arg, config);
    let Some((first, rest)) = toks.split_first() else {
        return Err(err(
            arg.span.clone(),
            "empty rule",
            Some(
                "a rule is an action (allow, deny, drop or an output number) and a pattern".into(),
            ),
        ));
    };
    let action = match first.text.as_str() {
        "allow" => Action::Output(0),
        "deny" | "drop" => Action::Drop,
        w => match parse::unsigned::<u32>(w) {
            Ok(n) => Action::Output(n),
            Err(_) => {
                return Err(err(
                    first.span.clone(),
                    format!("unknown action '{w}'"),
                    Some("an action is 'allow', 'deny', 'drop' or an output number".into()),
                ))
            }
        },
    };
    Ok((action, parse_tokens(rest, arg)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(s: &str) -> Arg {
        Arg {
            text: s.trim().to_string(),
            span: 0..s.len(),
        }
    }

    fn p(s: &str) -> Expr {
        match parse_pattern(&arg(s), s) {
            Ok(e) => e,
            Err(e) => panic!("{s:?}: {e:?}"),
        }
    }

    fn bad(s: &str) -> (String, String) {
        match parse_pattern(&arg(s), s) {
            Ok(e) => panic!("{s:?} parsed as {e:?}"),
            Err(e) => {
                let span = e.span.unwrap_or(0..0);
                (e.message, s.get(span).unwrap_or("").to_string())
            }
        }
    }

    fn prim(e: &Expr) -> &Primitive {
        match e {
            Expr::Test(p) => p,
            other => panic!("not a primitive: {other:?}"),
        }
    }

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn everything() {
        assert_eq!(p("-"), Expr::True);
        assert_eq!(p("any"), Expr::True);
        assert_eq!(p("all"), Expr::True);
        assert_eq!(p(""), Expr::True);
        assert_eq!(p("true"), Expr::True);
        assert_eq!(p("false"), Expr::False);
    }

    #[test]
    fn hosts_and_nets() {
        let e = p("src host 10.0.0.1");
        let pr = prim(&e);
        assert_eq!(
            pr.test,
            Test::Host {
                dir: Dir::Src,
                addr: ip("10.0.0.1"),
                mask: ip("255.255.255.255")
            }
        );
        assert_eq!(pr.op, RelOp::Eq);
        assert_eq!(pr.span, 0..17);
        let e = p("dst net 10.0.0.0/8");
        assert_eq!(
            prim(&e).test,
            Test::Host {
                dir: Dir::Dst,
                addr: ip("10.0.0.0"),
                mask: ip("255.0.0.0")
            }
        );
        let e = p("net 192.168.0.0 mask 255.255.0.0");
        assert_eq!(
            prim(&e).test,
            Test::Host {
                dir: Dir::SrcOrDst,
                addr: ip("192.168.0.0"),
                mask: ip("255.255.0.0")
            }
        );
        let e = p("10.0.0.0/24");
        assert!(matches!(
            prim(&e).test,
            Test::Host {
                dir: Dir::SrcOrDst,
                ..
            }
        ));
        let e = p("src and dst host 1.2.3.4");
        assert!(matches!(
            prim(&e).test,
            Test::Host {
                dir: Dir::SrcAndDst,
                ..
            }
        ));
        let e = p("src or dst host 1.2.3.4");
        assert!(matches!(
            prim(&e).test,
            Test::Host {
                dir: Dir::SrcOrDst,
                ..
            }
        ));
        let e = p("src host != 10.0.0.10");
        assert_eq!(prim(&e).op, RelOp::Ne);
    }

    #[test]
    fn bare_values_repeat_the_previous_type() {
        let e = p("src host 1.2.3.4 or 5.6.7.8");
        let Expr::Or(v) = e else { panic!() };
        assert_eq!(
            prim(&v[1]).test,
            Test::Host {
                dir: Dir::Src,
                addr: ip("5.6.7.8"),
                mask: Ipv4Addr::BROADCAST
            }
        );
        let e = p("dst tcp port 8000 or 8080");
        let Expr::Or(v) = e else { panic!() };
        let second = prim(&v[1]);
        assert_eq!(
            second.test,
            Test::Port {
                dir: Dir::Dst,
                port: 8080,
                mask: 0xFFFF
            }
        );
        assert_eq!(second.proto, Some(TCP));
        let e = p("ip ttl 1 or 2");
        let Expr::Or(v) = e else { panic!() };
        assert!(matches!(
            prim(&v[1]).test,
            Test::Field {
                field: Field::Ttl,
                value: 2,
                ..
            }
        ));
        assert_eq!(
            bad("80"),
            (
                "a bare number needs a header field or 'port' before it".into(),
                "80".into()
            )
        );
    }

    #[test]
    fn protocols_and_ports() {
        let e = p("tcp");
        assert_eq!(
            prim(&e).test,
            Test::Proto {
                proto: TCP,
                mask: 0xFF
            }
        );
        assert_eq!(
            prim(&p("ip proto udp")).test,
            Test::Proto {
                proto: UDP,
                mask: 0xFF
            }
        );
        assert_eq!(
            prim(&p("ip proto 47")).test,
            Test::Proto {
                proto: ProtoSel::Num(47),
                mask: 0xFF
            }
        );
        let e = p("udp port 53");
        let pr = prim(&e);
        assert_eq!(pr.proto, Some(UDP));
        assert_eq!(
            pr.test,
            Test::Port {
                dir: Dir::SrcOrDst,
                port: 53,
                mask: 0xFFFF
            }
        );
        let e = p("port dns");
        assert_eq!(prim(&e).proto, Some(ProtoSel::TcpOrUdp));
        assert!(matches!(prim(&e).test, Test::Port { port: 53, .. }));
        let e = p("www");
        assert!(matches!(prim(&e).test, Test::Port { port: 80, .. }));
        let e = p("dst port > 1023");
        assert_eq!(prim(&e).op, RelOp::Gt);
        for (s, op) in [
            ("<", RelOp::Lt),
            ("<=", RelOp::Le),
            (">=", RelOp::Ge),
            ("=", RelOp::Eq),
            ("==", RelOp::Eq),
            ("!=", RelOp::Ne),
        ] {
            let text = format!("src port {s} 1024");
            assert_eq!(prim(&p(&text)).op, op, "{text}");
        }
        let e = p("src tcp port & 10 == 8");
        assert_eq!(
            prim(&e).test,
            Test::Port {
                dir: Dir::Src,
                port: 8,
                mask: 10
            }
        );
    }

    #[test]
    fn tcp_flags_icmp_and_fields() {
        let e = p("tcp opt syn");
        assert_eq!(prim(&e).test, Test::TcpOpt { flags: 2 });
        assert_eq!(prim(&e).proto, Some(TCP));
        let e = p("fin ack");
        let Expr::And(v) = e else { panic!() };
        assert_eq!(prim(&v[1]).test, Test::TcpOpt { flags: 0x10 });
        let e = p("icmp type echo");
        assert_eq!(
            prim(&e).test,
            Test::Field {
                field: Field::IcmpType,
                value: 8,
                mask: 0xFF
            }
        );
        assert_eq!(prim(&e).proto, Some(ICMP));
        assert!(matches!(
            prim(&p("icmp type 3")).test,
            Test::Field { value: 3, .. }
        ));
        assert!(matches!(
            prim(&p("unreachable")).test,
            Test::Field {
                field: Field::IcmpType,
                value: 3,
                ..
            }
        ));
        assert!(matches!(
            prim(&p("ip ttl < 5")).test,
            Test::Field {
                field: Field::Ttl,
                value: 5,
                ..
            }
        ));
        assert!(matches!(
            prim(&p("ip dscp 46")).test,
            Test::Field {
                field: Field::Dscp,
                value: 46,
                mask: 63
            }
        ));
        assert!(matches!(
            prim(&p("ip vers 4")).test,
            Test::Field {
                field: Field::Vers,
                ..
            }
        ));
        assert!(matches!(
            prim(&p("ip hl 5")).test,
            Test::Field {
                field: Field::Hl,
                ..
            }
        ));
        assert!(matches!(
            prim(&p("ip tos 0")).test,
            Test::Field {
                field: Field::Tos,
                ..
            }
        ));
        assert!(matches!(
            prim(&p("ip len > 1000")).test,
            Test::Field {
                field: Field::Len,
                ..
            }
        ));
        assert!(matches!(
            prim(&p("ip id 7")).test,
            Test::Field {
                field: Field::Id,
                ..
            }
        ));
        assert!(matches!(
            prim(&p("tcp win 0")).test,
            Test::Field {
                field: Field::TcpWin,
                ..
            }
        ));
        assert_eq!(prim(&p("ip frag")).test, Test::Frag);
        let e = p("unfrag");
        assert_eq!(
            (prim(&e).test.clone(), prim(&e).op),
            (Test::Frag, RelOp::Ne)
        );
        assert_eq!(
            prim(&p("ip ce")).test,
            Test::Field {
                field: Field::Tos,
                value: 3,
                mask: 3
            }
        );
        assert_eq!(prim(&p("ip ect")).op, RelOp::Ne);
        let e = p("ip[9] 6");
        assert_eq!(
            prim(&e).test,
            Test::Field {
                field: Field::Raw {
                    transport: None,
                    offset: 9,
                    len: 1
                },
                value: 6,
                mask: 0xFF
            }
        );
        let e = p("tcp[12:2] & 0xFFF == 0x12");
        assert!(matches!(
            prim(&e).test,
            Test::Field {
                field: Field::Raw {
                    transport: Some(TCP),
                    offset: 12,
                    len: 2
                },
                value: 0x12,
                mask: 0xFFF
            }
        ));
        let e = p("ether host 00:11:22:33:44:55");
        assert!(matches!(
            prim(&e).test,
            Test::Ether {
                addr: [0, 0x11, 0x22, 0x33, 0x44, 0x55],
                ..
            }
        ));
    }

    #[test]
    fn connectives() {
        let e = p("(dst port www or dst port ssh) and tcp opt syn");
        let Expr::And(v) = e else { panic!() };
        assert!(matches!(v[0], Expr::Or(_)));
        let e = p("not tcp && ! udp || icmp");
        let Expr::Or(v) = e else { panic!() };
        let Expr::And(w) = &v[0] else { panic!() };
        assert!(matches!(w[0], Expr::Not(_)) && matches!(w[1], Expr::Not(_)));
        let e = p("tcp ? dst port 80 : udp");
        assert!(matches!(e, Expr::Cond(..)));
        let e = p("10.0.0.0/24 and syn // comment\n");
        assert!(matches!(e, Expr::And(ref v) if v.len() == 2));
    }

    #[test]
    fn errors_point_at_the_bad_token() {
        assert_eq!(
            bad("tcp and"),
            (
                "expected an expression, found the end of the pattern".into(),
                "and".into()
            )
        );
        assert_eq!(bad("src host 10.0.0.300").1, "10.0.0.300");
        assert_eq!(
            bad("(tcp or udp").0,
            "expected ')', found the end of the pattern"
        );
        assert_eq!(bad("tcp )").1, ")");
        assert_eq!(bad("echo"), ("'echo' is ambiguous".into(), "echo".into()));
        assert_eq!(
            bad("port syn"),
            ("'syn' is meaningless here".into(), "syn".into())
        );
        assert_eq!(
            bad("port 70000").0,
            "70000 is out of range for 'port' (at most 65535)"
        );
        assert_eq!(
            bad("ip ttl 300").0,
            "300 is out of range for 'ip ttl' (at most 255)"
        );
        assert_eq!(
            bad("foo"),
            ("unknown word 'foo' in pattern".into(), "foo".into())
        );
        assert_eq!(bad("host").0, "'host' needs an IP address");
        assert_eq!(bad("host 10.0.0.0/8").0, "'host' needs an IP address");
        assert_eq!(
            bad("src host > 1.2.3.4").0,
            "'host' supports only '==' and '!='"
        );
        assert_eq!(
            bad("tcp opt != syn").0,
            "'tcp opt' supports no operator and no mask"
        );
        assert_eq!(bad("udp opt syn").0, "'syn' is meaningless here");
        assert_eq!(bad("src src host 1.2.3.4").0, "'src' or 'dst' given twice");
        assert_eq!(bad("tcp udp").0, "transport protocol given twice");
        assert_eq!(
            bad("ip[1:5] 0").0,
            "LEN in [POS:LEN] must be between 1 and 4"
        );
        assert_eq!(
            bad("ip[3:2] 0").0,
            "field [3:2] does not fit in one aligned 4-byte word"
        );
        assert_eq!(
            bad("tcp ? udp").0,
            "expected ':' in a '?:' expression, found the end of the pattern"
        );
        assert_eq!(
            bad("port & 0 80").0,
            "a zero mask matches everything; leave it out"
        );
        assert_eq!(
            bad("icmp port 80").0,
            "'port' needs TCP, UDP or DCCP, not icmp"
        );
        assert_eq!(
            bad("src port >").0,
            "expected a value after the operator, found the end of the pattern"
        );
        let deep = "(".repeat(500);
        assert_eq!(bad(&deep).0, "pattern nested too deeply");
    }

    #[test]
    fn quoted_patterns_and_odd_bytes() {
        let s = "\"tcp port 80\"";
        let e = parse_pattern(&arg(s), s).unwrap();
        assert!(matches!(prim(&e).test, Test::Port { port: 80, .. }));
        for s in [
            "é",
            "tcp é",
            "&",
            "[",
            "ip[",
            "ip[]",
            "?",
            ":",
            "/*",
            "src and",
            "ether host",
            "\u{0}",
        ] {
            let _ = parse_pattern(&arg(s), s);
        }
    }

    #[test]
    fn rules() {
        let s = "allow src host 1.2.3.4";
        let (a, e) = parse_rule(&arg(s), s).unwrap();
        assert_eq!(a, Action::Output(0));
        assert!(matches!(e, Expr::Test(_)));
        let s = "deny all";
        assert_eq!(parse_rule(&arg(s), s).unwrap(), (Action::Drop, Expr::True));
        let s = "drop";
        assert_eq!(parse_rule(&arg(s), s).unwrap(), (Action::Drop, Expr::True));
        let s = "2 udp";
        assert_eq!(parse_rule(&arg(s), s).unwrap().0, Action::Output(2));
        let s = "accept tcp";
        let e = parse_rule(&arg(s), s).unwrap_err();
        assert_eq!(e.message, "unknown action 'accept'");
        assert_eq!(e.span, Some(0..6));
    }
}
