//! Zones: the RFC 1035 master-file parser (§5) and the loaded zone that
//! answers come from.
//!
//! The parser takes `$ORIGIN`, `$TTL` (RFC 2308), `@`, relative names,
//! omitted owners, TTLs and classes, parentheses across lines, comments,
//! quoted strings and `\X` / `\DDD` escapes, for records of types A, AAAA,
//! CNAME, NS, SOA, MX, TXT, SRV, PTR and CAA in class IN. An error carries
//! the line and column (1-based, in bytes) where it was found and a hint
//! ([`ZoneError`]).
//!
//! Loading checks what RFC 1034 asks of a zone: one SOA, at the apex;
//! every owner at or below the apex; nothing beside a CNAME. It then
//! precomputes what answers need, so that answering allocates nothing:
//! each RRset's records in wire form (names inside RDATA remembered for
//! compression), the empty non-terminals (RFC 4592), the delegation each
//! name lies under, the negative-answer SOA (TTL = min(SOA TTL, MINIMUM),
//! RFC 2308 §5), and for NS, MX and SRV sets the A and AAAA sets of their
//! targets that the zone holds (the additional section).

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

use super::name::{self, NameError};

/// Record type numbers (RFC 1035, 3596, 2782, 6891, 4034, 8659).
pub mod rtype {
    /// IPv4 address.
    pub const A: u16 = 1;
    /// Name server.
    pub const NS: u16 = 2;
    /// Canonical name.
    pub const CNAME: u16 = 5;
    /// Start of authority.
    pub const SOA: u16 = 6;
    /// Pointer.
    pub const PTR: u16 = 12;
    /// Mail exchange.
    pub const MX: u16 = 15;
    /// Text.
    pub const TXT: u16 = 16;
    /// IPv6 address.
    pub const AAAA: u16 = 28;
    /// Service location.
    pub const SRV: u16 = 33;
    /// EDNS(0) pseudo-record.
    pub const OPT: u16 = 41;
    /// Delegation signer (answered from the parent side of a cut).
    pub const DS: u16 = 43;
    /// Certification authority authorization.
    pub const CAA: u16 = 257;
    /// Any type (a query type).
    pub const ANY: u16 = 255;
}

/// The types a zone file may hold, by mnemonic.
const TYPES: &[(&str, u16)] = &[
    ("A", rtype::A),
    ("AAAA", rtype::AAAA),
    ("CNAME", rtype::CNAME),
    ("NS", rtype::NS),
    ("SOA", rtype::SOA),
    ("MX", rtype::MX),
    ("TXT", rtype::TXT),
    ("SRV", rtype::SRV),
    ("PTR", rtype::PTR),
    ("CAA", rtype::CAA),
];

/// Class IN.
pub const CLASS_IN: u16 = 1;

/// The largest TTL (RFC 2181 §8).
const MAX_TTL: u32 = 0x7fff_ffff;

/// An error in a zone file: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError {
    /// Line, from 1.
    pub line: u32,
    /// Column in bytes, from 1.
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// One record's data in wire form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rdata {
    /// The RDATA bytes, names uncompressed and in the zone file's case.
    pub bytes: Box<[u8]>,
    /// Where names that may be compressed lie in `bytes` (RFC 3597 §4:
    /// those of CNAME, NS, PTR, MX and SOA; SRV's target is not).
    pub names: Box<[(u16, u16)]>,
}

/// A set of records of one owner and type (RFC 2181 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RRset {
    /// The type.
    pub rtype: u16,
    /// The TTL, the same for every record: the first record's
    /// (RFC 2181 §5.2).
    pub ttl: u32,
    /// The records, duplicates removed, in zone-file order.
    pub rdatas: Vec<Rdata>,
    /// For NS, MX and SRV: the A and AAAA sets of the targets this zone
    /// holds, with their owners, for the additional section.
    pub additional: Vec<(Box<[u8]>, RRset)>,
}

impl RRset {
    /// Type, class and TTL of each record, as the wire has them.
    #[inline]
    pub fn head(&self) -> [u8; 8] {
        let [t0, t1] = self.rtype.to_be_bytes();
        let [c0, c1] = CLASS_IN.to_be_bytes();
        let [l0, l1, l2, l3] = self.ttl.to_be_bytes();
        [t0, t1, c0, c1, l0, l1, l2, l3]
    }
}

/// A name of the zone: its RRsets (none for an empty non-terminal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The owner, in the zone file's case (wire form).
    pub owner: Box<[u8]>,
    /// The RRsets, one per type.
    pub rrsets: Vec<RRset>,
    /// The delegation this name is at or under (the lower-case key of the
    /// highest non-apex name with an NS set above or at it): queries for
    /// it get a referral there.
    pub cut: Option<Box<[u8]>>,
}

impl Node {
    /// The RRset of type `t`.
    #[inline]
    pub fn get(&self, t: u16) -> Option<&RRset> {
        self.rrsets.iter().find(|s| s.rtype == t)
    }
}

/// A loaded zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// The apex in lower case (wire form).
    pub apex: Box<[u8]>,
    /// Every name, by its lower-case wire form; empty non-terminals too.
    pub nodes: BTreeMap<Box<[u8]>, Node>,
    /// The SOA set with the negative-answer TTL, for the authority
    /// section of NXDOMAIN and NODATA answers.
    pub negative_soa: RRset,
    /// The number of records loaded.
    pub records: usize,
}

/// One token of a zone file: its raw text (escapes still in) and where it
/// starts.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    text: &'a [u8],
    quoted: bool,
    line: u32,
    column: u32,
}

/// One entry: the tokens of a logical line, and whether it began with a
/// blank (the owner is the previous one).
struct Entry<'a> {
    tokens: Vec<Token<'a>>,
    blank_owner: bool,
}

fn err_at(line: u32, column: u32, message: String, hint: Option<&str>) -> ZoneError {
    ZoneError {
        line,
        column,
        message,
        hint: hint.map(String::from),
    }
}

fn err(t: &Token, message: String, hint: Option<&str>) -> ZoneError {
    err_at(t.line, t.column, message, hint)
}

fn text(t: &Token) -> String {
    String::from_utf8_lossy(t.text).into_owned()
}

/// Splits a zone file into entries (RFC 1035 §5.1).
fn entries(src: &[u8]) -> Result<Vec<Entry<'_>>, ZoneError> {
    let mut out = Vec::new();
    let (mut line, mut line_start) = (1u32, 0usize);
    let mut depth = 0u32;
    let mut open_at = (0, 0);
    let mut current = Entry {
        tokens: Vec::new(),
        blank_owner: false,
    };
    let mut at_line_start = true;
    let mut i = 0;
    while i < src.len() {
        let c = src[i];
        let column = (i - line_start + 1) as u32;
        if at_line_start && depth == 0 {
            current.blank_owner = c == b' ' || c == b'\t';
        }
        at_line_start = false;
        match c {
            b'\n' => {
                if depth == 0 && !current.tokens.is_empty() {
                    out.push(core::mem::replace(
                        &mut current,
                        Entry {
                            tokens: Vec::new(),
                            blank_owner: false,
                        },
                    ));
                }
                line += 1;
                line_start = i + 1;
                at_line_start = true;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b';' => {
                while i < src.len() && src[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' => {
                if depth == 0 {
                    open_at = (line, column);
                }
                depth += 1;
                i += 1;
            }
            b')' => {
                if depth == 0 {
                    return Err(err_at(
                        line,
                        column,
                        "\")\" without \"(\"".into(),
                        Some("remove it, or open the group with ( earlier"),
                    ));
                }
                depth -= 1;
                i += 1;
            }
            b'"' => {
                let (start_line, start) = (line, i + 1);
                let mut j = start;
                while j < src.len() && src[j] != b'"' {
                    if src[j] == b'\\' {
                        j += 1;
                    }
                    if j < src.len() && src[j] == b'\n' {
                        line += 1;
                        line_start = j + 1;
                    }
                    j += 1;
                }
                if j >= src.len() {
                    return Err(err_at(
                        start_line,
                        column,
                        "string not closed".into(),
                        Some("end it with a double quote"),
                    ));
                }
                current.tokens.push(Token {
                    text: &src[start..j],
                    quoted: true,
                    line: start_line,
                    column,
                });
                i = j + 1;
            }
            _ => {
                let start = i;
                while i < src.len() && !b" \t\r\n;()\"".contains(&src[i]) {
                    if src[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let end = i.min(src.len());
                current.tokens.push(Token {
                    text: &src[start..end],
                    quoted: false,
                    line,
                    column,
                });
            }
        }
    }
    if depth > 0 {
        return Err(err_at(
            open_at.0,
            open_at.1,
            "\"(\" not closed".into(),
            Some("close the group with )"),
        ));
    }
    if !current.tokens.is_empty() {
        out.push(current);
    }
    Ok(out)
}

/// A TTL: seconds, or BIND's units (`1h30m`, `2d`, `1w`).
fn parse_ttl(t: &Token) -> Result<u32, ZoneError> {
    let bad = || {
        err(
            t,
            format!("expected a TTL, found \"{}\"", text(t)),
            Some("seconds (3600) or units s, m, h, d, w (1h30m)"),
        )
    };
    if !t.text.first().is_some_and(u8::is_ascii_digit) {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut n: Option<u64> = None;
    for &c in t.text {
        if c.is_ascii_digit() {
            let v = n.unwrap_or(0) * 10 + u64::from(c - b'0');
            if v > u64::from(u32::MAX) {
                return Err(bad());
            }
            n = Some(v);
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            b's' => 1,
            b'm' => 60,
            b'h' => 3600,
            b'd' => 86400,
            b'w' => 604800,
            _ => return Err(bad()),
        };
        total += n.take().ok_or_else(bad)? * unit;
    }
    total += n.unwrap_or(0);
    u32::try_from(total)
        .ok()
        .filter(|&v| v <= MAX_TTL)
        .ok_or_else(|| {
            err(
                t,
                format!("TTL {total} is above 2147483647"),
                Some("TTLs are at most 2^31 - 1 seconds (RFC 2181 §8)"),
            )
        })
}

fn parse_int<T: TryFrom<u64>>(t: &Token, what: &str) -> Result<T, ZoneError> {
    let bad = || err(t, format!("expected {what}, found \"{}\"", text(t)), None);
    if t.text.is_empty() || !t.text.iter().all(u8::is_ascii_digit) || t.text.len() > 10 {
        return Err(bad());
    }
    let v = t
        .text
        .iter()
        .fold(0u64, |v, &c| v * 10 + u64::from(c - b'0'));
    T::try_from(v).map_err(|_| bad())
}

/// A character string's bytes with escapes resolved.
fn unescape_string(t: &Token) -> Result<Vec<u8>, ZoneError> {
    let mut out = Vec::with_capacity(t.text.len());
    let mut i = 0;
    while i < t.text.len() {
        if t.text[i] == b'\\' {
            let (b, used) = name::unescape(t.text, i).map_err(|e| name_err(t, e))?;
            out.push(b);
            i += used;
        } else {
            out.push(t.text[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn name_err(t: &Token, e: NameError) -> ZoneError {
    err(t, e.message, e.hint)
}

/// What the parser carries from entry to entry.
struct State {
    origin: Option<Vec<u8>>,
    default_ttl: Option<u32>,
    last_ttl: Option<u32>,
    last_owner: Option<Vec<u8>>,
}

/// One parsed record, with where it came from.
struct Record {
    owner: Vec<u8>,
    rtype: u16,
    ttl: u32,
    rdata: Rdata,
    line: u32,
    column: u32,
}

/// Builds RDATA from the tokens after the type.
struct RdataBuilder<'s> {
    bytes: Vec<u8>,
    names: Vec<(u16, u16)>,
    origin: Option<&'s [u8]>,
}

impl RdataBuilder<'_> {
    fn name(&mut self, t: &Token, compressible: bool) -> Result<(), ZoneError> {
        let n = name::parse(t.text, self.origin).map_err(|e| name_err(t, e))?;
        if compressible {
            self.names.push((self.bytes.len() as u16, n.len() as u16));
        }
        self.bytes.extend_from_slice(&n);
        Ok(())
    }

    fn u16(&mut self, t: &Token, what: &str) -> Result<(), ZoneError> {
        let v: u16 = parse_int(t, what)?;
        self.bytes.extend_from_slice(&v.to_be_bytes());
        Ok(())
    }

    fn string(&mut self, t: &Token) -> Result<(), ZoneError> {
        let s = unescape_string(t)?;
        let len = u8::try_from(s.len()).map_err(|_| {
            err(
                t,
                format!("a character string of {} bytes", s.len()),
                Some("strings are at most 255 bytes: split it into several quoted strings"),
            )
        })?;
        self.bytes.push(len);
        self.bytes.extend_from_slice(&s);
        Ok(())
    }
}

fn parse_address<T: core::str::FromStr>(
    t: &Token,
    what: &str,
    example: &str,
) -> Result<T, ZoneError> {
    core::str::from_utf8(t.text)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            err(
                t,
                format!("expected an {what} address, found \"{}\"", text(t)),
                Some(&format!("an {what} address looks like {example}")),
            )
        })
}

fn parse_rdata(
    rtype: u16,
    type_token: &Token,
    args: &[Token],
    origin: Option<&[u8]>,
) -> Result<Rdata, ZoneError> {
    let mut b = RdataBuilder {
        bytes: Vec::new(),
        names: Vec::new(),
        origin,
    };
    let want = |n: usize, shape: &str| -> Result<(), ZoneError> {
        if args.len() == n {
            return Ok(());
        }
        let at = args.get(n).unwrap_or(args.last().unwrap_or(type_token));
        let message = if args.len() < n {
            format!(
                "{} needs {n} fields, found {}",
                text(type_token),
                args.len()
            )
        } else {
            format!(
                "{} takes {n} fields; \"{}\" is one too many",
                text(type_token),
                text(at)
            )
        };
        Err(err(at, message, Some(shape)))
    };
    match rtype {
        rtype::A => {
            want(1, "A ADDRESS, e.g. A 192.0.2.1")?;
            let a: Ipv4Addr = parse_address(&args[0], "IPv4", "192.0.2.1")?;
            b.bytes.extend_from_slice(&a.octets());
        }
        rtype::AAAA => {
            want(1, "AAAA ADDRESS, e.g. AAAA 2001:db8::1")?;
            let a: Ipv6Addr = parse_address(&args[0], "IPv6", "2001:db8::1")?;
            b.bytes.extend_from_slice(&a.octets());
        }
        rtype::CNAME | rtype::NS | rtype::PTR => {
            want(1, "one domain name")?;
            b.name(&args[0], true)?;
        }
        rtype::MX => {
            want(2, "MX PREFERENCE EXCHANGE, e.g. MX 10 mail")?;
            b.u16(&args[0], "a preference, 0 to 65535")?;
            b.name(&args[1], true)?;
        }
        rtype::SOA => {
            want(
                7,
                "SOA MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM (parentheses may span lines)",
            )?;
            b.name(&args[0], true)?;
            b.name(&args[1], true)?;
            let serial: u32 = parse_int(&args[2], "a serial, 0 to 4294967295")?;
            b.bytes.extend_from_slice(&serial.to_be_bytes());
            for t in &args[3..] {
                let v = parse_ttl(t)?;
                b.bytes.extend_from_slice(&v.to_be_bytes());
            }
        }
        rtype::TXT => {
            if args.is_empty() {
                return Err(err(
                    type_token,
                    "TXT needs at least one string".into(),
                    Some("TXT \"text\""),
                ));
            }
            for t in args {
                b.string(t)?;
            }
        }
        rtype::SRV => {
            want(4, "SRV PRIORITY WEIGHT PORT TARGET, e.g. SRV 10 5 5060 sip")?;
            b.u16(&args[0], "a priority, 0 to 65535")?;
            b.u16(&args[1], "a weight, 0 to 65535")?;
            b.u16(&args[2], "a port, 0 to 65535")?;
            b.name(&args[3], false)?;
        }
        _ => {
            // CAA, the last of TYPES.
            want(
                3,
                "CAA FLAGS TAG \"VALUE\", e.g. CAA 0 issue \"ca.example.net\"",
            )?;
            let flags: u8 = parse_int(&args[0], "flags, 0 to 255")?;
            let tag = args[1].text;
            if tag.is_empty() || tag.len() > 15 || !tag.iter().all(u8::is_ascii_alphanumeric) {
                return Err(err(
                    &args[1],
                    format!("\"{}\" is not a CAA tag", text(&args[1])),
                    Some("a tag is 1 to 15 letters and digits: issue, issuewild, iodef"),
                ));
            }
            b.bytes.push(flags);
            b.bytes.push(tag.len() as u8);
            b.bytes.extend_from_slice(tag);
            let value = unescape_string(&args[2])?;
            b.bytes.extend_from_slice(&value);
        }
    }
    if b.bytes.len() > usize::from(u16::MAX) {
        return Err(err(
            type_token,
            "the record's data is longer than 65535 bytes".into(),
            None,
        ));
    }
    Ok(Rdata {
        bytes: b.bytes.into(),
        names: b.names.into(),
    })
}

fn class_of(t: &Token) -> Option<&'static str> {
    ["IN", "CH", "CS", "HS"]
        .into_iter()
        .find(|c| t.text.eq_ignore_ascii_case(c.as_bytes()))
}

fn type_of(t: &Token) -> Option<u16> {
    TYPES
        .iter()
        .find(|(n, _)| t.text.eq_ignore_ascii_case(n.as_bytes()))
        .map(|&(_, v)| v)
}

fn directive(state: &mut State, e: &Entry) -> Result<(), ZoneError> {
    let d = &e.tokens[0];
    let arg = |n: usize| {
        e.tokens.get(n).ok_or_else(|| {
            err(
                d,
                format!("{} needs an argument", text(d)),
                Some("$ORIGIN example.com. or $TTL 3600"),
            )
        })
    };
    let upper = d.text.to_ascii_uppercase();
    match &upper[..] {
        b"$ORIGIN" => {
            let t = arg(1)?;
            let n = name::parse(t.text, state.origin.as_deref()).map_err(|e| name_err(t, e))?;
            state.origin = Some(n);
        }
        b"$TTL" => {
            let t = arg(1)?;
            state.default_ttl = Some(parse_ttl(t)?);
        }
        b"$INCLUDE" => {
            return Err(err(
                d,
                "$INCLUDE is not supported".into(),
                Some(
                    "put the included records in this file, or name that file as a zone of its own",
                ),
            ))
        }
        _ => {
            return Err(err(
                d,
                format!("unknown directive {}", text(d)),
                Some("the directives are $ORIGIN and $TTL"),
            ))
        }
    }
    if let Some(extra) = e.tokens.get(2) {
        return Err(err(extra, format!("{} takes one argument", text(d)), None));
    }
    Ok(())
}

fn record(state: &mut State, e: &Entry) -> Result<Record, ZoneError> {
    let mut rest = &e.tokens[..];
    let first = &e.tokens[0];
    let owner = if e.blank_owner {
        state.last_owner.clone().ok_or_else(|| {
            err(
                first,
                "the first record has no owner".into(),
                Some("start the line with the owner name (or @) instead of a blank"),
            )
        })?
    } else {
        rest = &rest[1..];
        name::parse(first.text, state.origin.as_deref()).map_err(|e| name_err(first, e))?
    };
    let (mut ttl, mut class_seen) = (None, false);
    let (rtype, type_token) = loop {
        let Some(t) = rest.first() else {
            let at = e.tokens.last().unwrap_or(first);
            return Err(err(
                at,
                "the record has no type".into(),
                Some("OWNER [TTL] [IN] TYPE DATA, e.g. www 3600 IN A 192.0.2.1"),
            ));
        };
        rest = &rest[1..];
        if t.quoted {
            return Err(err(t, "expected a type, found a string".into(), None));
        }
        if let Some(class) = class_of(t) {
            if class != "IN" {
                return Err(err(
                    t,
                    format!("class {class} is not served"),
                    Some("only class IN is served"),
                ));
            }
            if class_seen {
                return Err(err(t, "the class is given twice".into(), None));
            }
            class_seen = true;
        } else if t.text.first().is_some_and(u8::is_ascii_digit) {
            if ttl.is_some() {
                return Err(err(t, "the TTL is given twice".into(), None));
            }
            ttl = Some(parse_ttl(t)?);
        } else if let Some(rt) = type_of(t) {
            break (rt, t);
        } else {
            let names: Vec<&str> = TYPES.iter().map(|(n, _)| *n).collect();
            return Err(ZoneError {
                line: t.line,
                column: t.column,
                message: format!("unknown or unsupported type \"{}\"", text(t)),
                hint: Some(format!("the types served are {}", names.join(", "))),
            });
        }
    };
    // RFC 1035 §5.1: an omitted TTL is the last one stated; RFC 2308's
    // $TTL comes before that.
    if ttl.is_some() {
        state.last_ttl = ttl;
    }
    let Some(ttl) = ttl.or(state.default_ttl).or(state.last_ttl) else {
        return Err(err(
            type_token,
            "the record has no TTL and no $TTL is set".into(),
            Some("add $TTL 3600 at the top of the file, or a TTL to the record"),
        ));
    };
    let rdata = parse_rdata(rtype, type_token, rest, state.origin.as_deref())?;
    state.last_owner = Some(owner.clone());
    let column = if e.blank_owner { 1 } else { first.column };
    Ok(Record {
        owner,
        rtype,
        ttl,
        rdata,
        line: first.line,
        column,
    })
}

fn new_node(owner: &[u8]) -> Node {
    Node {
        owner: owner.into(),
        rrsets: Vec::new(),
        cut: None,
    }
}

impl Zone {
    /// Parses and loads a zone file. `origin` (wire form) is the origin
    /// before any `$ORIGIN`; the apex is the owner of the SOA record.
    pub fn parse(src: &[u8], origin: Option<&[u8]>) -> Result<Zone, ZoneError> {
        let mut state = State {
            origin: origin.map(<[u8]>::to_vec),
            default_ttl: None,
            last_ttl: None,
            last_owner: None,
        };
        let mut records = Vec::new();
        for e in entries(src)? {
            let first = &e.tokens[0];
            if !e.blank_owner && !first.quoted && first.text.first() == Some(&b'$') {
                directive(&mut state, &e)?;
            } else {
                records.push(record(&mut state, &e)?);
            }
        }
        Zone::load(records)
    }

    fn load(records: Vec<Record>) -> Result<Zone, ZoneError> {
        let soas: Vec<&Record> = records.iter().filter(|r| r.rtype == rtype::SOA).collect();
        let apex = match soas[..] {
            [soa] => name::lower(&soa.owner),
            [] => return Err(err_at(
                1,
                1,
                "the zone has no SOA record".into(),
                Some("a zone starts with its SOA: @ IN SOA ns hostmaster 1 7200 3600 1209600 3600"),
            )),
            [_, second, ..] => {
                return Err(err_at(
                    second.line,
                    second.column,
                    "a second SOA record".into(),
                    Some("a zone has exactly one SOA, at its apex"),
                ))
            }
        };
        let mut nodes: BTreeMap<Box<[u8]>, Node> = BTreeMap::new();
        let count = records.len();
        for r in records {
            if !name::is_below_or_at(&r.owner, &apex) {
                return Err(err_at(
                    r.line,
                    r.column,
                    format!(
                        "{} is outside the zone {}",
                        name::to_text(&r.owner),
                        name::to_text(&apex)
                    ),
                    Some("owners are at or below the SOA's owner; check $ORIGIN and trailing dots"),
                ));
            }
            let node = nodes
                .entry(name::lower(&r.owner).into())
                .or_insert_with(|| new_node(&r.owner));
            let beside_cname = match r.rtype {
                rtype::CNAME => node
                    .rrsets
                    .iter()
                    .any(|s| s.rtype != rtype::CNAME || s.rdatas[0] != r.rdata),
                _ => node.get(rtype::CNAME).is_some(),
            };
            if beside_cname {
                return Err(err_at(
                    r.line,
                    r.column,
                    format!("{} has a CNAME and other data", name::to_text(&r.owner)),
                    Some(
                        "a name with a CNAME has one CNAME and no other records (RFC 1034 §3.6.2)",
                    ),
                ));
            }
            match node.rrsets.iter_mut().find(|s| s.rtype == r.rtype) {
                Some(set) => {
                    if !set.rdatas.contains(&r.rdata) {
                        set.rdatas.push(r.rdata);
                    }
                }
                None => node.rrsets.push(RRset {
                    rtype: r.rtype,
                    ttl: r.ttl,
                    rdatas: alloc::vec![r.rdata],
                    additional: Vec::new(),
                }),
            }
        }
        // Empty non-terminals: every name between an owner and the apex.
        let owners: Vec<Box<[u8]>> = nodes.values().map(|n| n.owner.clone()).collect();
        for owner in &owners {
            let mut o: &[u8] = owner;
            while o.len() > apex.len() {
                o = name::parent(o);
                nodes
                    .entry(name::lower(o).into())
                    .or_insert_with(|| new_node(o));
            }
        }
        // Delegations: the highest non-apex name with NS at or above each.
        let keys: Vec<Box<[u8]>> = nodes.keys().cloned().collect();
        for key in &keys {
            let mut cut = None;
            let mut k: &[u8] = key;
            while k.len() > apex.len() {
                if nodes[k].get(rtype::NS).is_some() {
                    cut = Some(Box::<[u8]>::from(k));
                }
                k = name::parent(k);
            }
            if let Some(node) = nodes.get_mut(key) {
                node.cut = cut;
            }
        }
        // Additional-section addresses of NS, MX and SRV targets: glue
        // too for NS, authoritative data only for the others.
        for key in &keys {
            let node = &nodes[key];
            let mut adds = Vec::new();
            for (i, set) in node.rrsets.iter().enumerate() {
                let target_at = match set.rtype {
                    rtype::NS => 0,
                    rtype::MX => 2,
                    rtype::SRV => 6,
                    _ => continue,
                };
                let mut additional: Vec<(Box<[u8]>, RRset)> = Vec::new();
                for rd in &set.rdatas {
                    let target = &rd.bytes[target_at..];
                    let Some(t) = nodes.get(&name::lower(target)[..]) else {
                        continue;
                    };
                    if set.rtype != rtype::NS && t.cut.is_some() {
                        continue;
                    }
                    for ty in [rtype::A, rtype::AAAA] {
                        let Some(addr) = t.get(ty) else { continue };
                        let known = additional
                            .iter()
                            .any(|(o, s)| o.eq_ignore_ascii_case(target) && s.rtype == ty);
                        if !known {
                            additional.push((target.into(), addr.clone()));
                        }
                    }
                }
                adds.push((i, additional));
            }
            if let Some(node) = nodes.get_mut(key) {
                for (i, additional) in adds {
                    node.rrsets[i].additional = additional;
                }
            }
        }
        let soa_set = nodes[&apex[..]]
            .get(rtype::SOA)
            .expect("the SOA's owner is the apex")
            .clone();
        let minimum = {
            let b = &soa_set.rdatas[0].bytes;
            u32::from_be_bytes([
                b[b.len() - 4],
                b[b.len() - 3],
                b[b.len() - 2],
                b[b.len() - 1],
            ])
        };
        Ok(Zone {
            apex: apex.into(),
            nodes,
            negative_soa: RRset {
                ttl: soa_set.ttl.min(minimum),
                ..soa_set
            },
            records: count,
        })
    }

    /// The apex node (always there).
    pub fn apex_node(&self) -> &Node {
        &self.nodes[&self.apex[..]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZONE: &str = "\
$ORIGIN example.com.
$TTL 3600
@   IN  SOA ns1 hostmaster (
            2024010101 ; serial
            7200 3600 1209600
            300 )      ; minimum
    IN  NS  ns1
    IN  NS  ns2.example.net.
    IN  MX  10 mail
    IN  TXT \"v=spf1 -all\" \"second \\\"part\\\"\"
    IN  CAA 0 issue \"ca.example.net\"
ns1     A    192.0.2.1
www  600 IN A 192.0.2.10
        AAAA 2001:db8::10
mail    A    192.0.2.20
alias   CNAME www
sip._udp SRV 10 5 5060 www
10      PTR  www
*.wild  TXT  \"wildcard\"
sub     NS   ns.sub
ns.sub  A    192.0.2.53
a.b.c   A    192.0.2.99
";

    fn zone() -> Zone {
        Zone::parse(ZONE.as_bytes(), None).unwrap()
    }

    fn key(s: &str) -> Vec<u8> {
        name::parse(s.as_bytes(), None).unwrap()
    }

    #[test]
    fn parses_every_type() {
        let z = zone();
        assert_eq!(z.apex[..], key("example.com.")[..]);
        assert_eq!(z.records, 17);
        let apex = z.apex_node();
        for t in [rtype::SOA, rtype::NS, rtype::MX, rtype::TXT, rtype::CAA] {
            assert!(apex.get(t).is_some(), "type {t}");
        }
        assert_eq!(apex.get(rtype::NS).unwrap().rdatas.len(), 2);
        let txt = &apex.get(rtype::TXT).unwrap().rdatas[0].bytes;
        assert_eq!(&txt[..], b"\x0bv=spf1 -all\x0dsecond \"part\"");
        let caa = &apex.get(rtype::CAA).unwrap().rdatas[0].bytes;
        assert_eq!(&caa[..], b"\x00\x05issueca.example.net");
        let www = &z.nodes[&key("www.example.com.")[..]];
        assert_eq!(www.get(rtype::A).unwrap().ttl, 600);
        assert_eq!(
            www.get(rtype::AAAA).unwrap().ttl,
            3600,
            "$TTL for the omitted TTL"
        );
        let srv = z.nodes[&key("sip._udp.example.com.")[..]]
            .get(rtype::SRV)
            .unwrap();
        assert_eq!(&srv.rdatas[0].bytes[..6], &[0, 10, 0, 5, 0x13, 0xc4]);
        assert!(
            srv.rdatas[0].names.is_empty(),
            "SRV targets are not compressed"
        );
        assert_eq!(z.negative_soa.ttl, 300);
        let soa = &apex.get(rtype::SOA).unwrap().rdatas[0];
        assert_eq!(soa.names.len(), 2);
        let ent = &z.nodes[&key("b.c.example.com.")[..]];
        assert!(ent.rrsets.is_empty(), "an empty non-terminal");
    }

    #[test]
    fn delegations_and_additional() {
        let z = zone();
        let glue = &z.nodes[&key("ns.sub.example.com.")[..]];
        assert_eq!(glue.cut.as_deref(), Some(&key("sub.example.com.")[..]));
        assert!(
            z.apex_node().cut.is_none(),
            "the apex's NS is no delegation"
        );
        let sub = z.nodes[&key("sub.example.com.")[..]]
            .get(rtype::NS)
            .unwrap();
        assert_eq!(sub.additional.len(), 1, "glue");
        let mx = z.apex_node().get(rtype::MX).unwrap();
        assert_eq!(mx.additional.len(), 1);
        let ns = z.apex_node().get(rtype::NS).unwrap();
        assert_eq!(ns.additional.len(), 1, "ns2.example.net is not in the zone");
    }

    fn error(src: &str) -> ZoneError {
        Zone::parse(src.as_bytes(), None).unwrap_err()
    }

    const HEAD: &str = "$ORIGIN x.\n$TTL 1\n@ SOA a b 1 2 3 4 5\n";

    fn error_after_head(rest: &str) -> ZoneError {
        error(&format!("{HEAD}{rest}"))
    }

    #[test]
    fn errors_say_where_and_how() {
        let e = error_after_head("www A 300.1.1.1\n");
        assert_eq!((e.line, e.column), (4, 7));
        assert!(e.message.contains("IPv4"), "{e}");
        assert!(e.hint.is_some());
        let e = error_after_head("www FOO 1\n");
        assert_eq!((e.line, e.column), (4, 5));
        assert!(e.hint.unwrap().contains("AAAA"));
        let e = error("@ SOA a b 1 2 3 4 5\n");
        assert!(e.hint.unwrap().contains("$ORIGIN"));
        let e = error("$ORIGIN x.\n@ SOA a b 1 2 3 4 5\n");
        assert!(e.message.contains("no TTL"), "{e}");
        let e = error("$ORIGIN x.\n$TTL 1\n@ SOA a b ( 1 2 3 4 5\n");
        assert_eq!((e.line, e.column), (3, 11));
        let e = error_after_head("t TXT \"open\n");
        assert!(e.message.contains("not closed"));
        let e = error_after_head("w.y. A 1.2.3.4\n");
        assert!(e.message.contains("outside"), "{e}");
        assert_eq!((e.line, e.column), (4, 1));
        let e = error_after_head("c CNAME d\nc A 1.2.3.4\n");
        assert!(e.message.contains("CNAME"), "{e}");
        assert_eq!(e.line, 5);
        let e = error_after_head("c A 1.2.3.4\nc CNAME d\n");
        assert!(e.message.contains("CNAME"), "{e}");
        let e = error("$ORIGIN x.\n$TTL 1\n");
        assert!(e.message.contains("no SOA"));
        let e = error_after_head("@ SOA a b 1 2 3 4 5 6\n");
        assert_eq!((e.line, e.column), (4, 21));
        let e = error_after_head("@ SOA a c 1 2 3 4 5\n");
        assert!(e.message.contains("second SOA"), "{e}");
        assert_eq!((e.line, e.column), (4, 1));
        let e = error_after_head("@ CH A 1.2.3.4\n");
        assert!(e.message.contains("CH"));
        let e = error("$INCLUDE other\n");
        assert!(e.message.contains("$INCLUDE"));
        let e = error_after_head("x MX 70000 y\n");
        assert!(e.message.contains("preference"), "{e}");
        let e = error_after_head("x TXT \"\\300\"\n");
        assert!(e.message.contains("255"), "{e}");
        let e = error_after_head("x A 1.2.3.4 )\n");
        assert!(e.message.contains("without"), "{e}");
        let e = error_after_head("x 1x A 1.2.3.4\n");
        assert!(e.message.contains("TTL"), "{e}");
        let e = error_after_head("x CAA 0 is-sue \"a\"\n");
        assert!(e.message.contains("CAA tag"), "{e}");
        let e = error("  A 1.2.3.4\n");
        assert!(e.message.contains("no owner"), "{e}");
    }

    #[test]
    fn ttls_origins_and_owners() {
        let z = Zone::parse(
            b"@ 1h30m IN SOA a. b. 1 1d 2h 1w 60\n  NS a.\nb  A 1.2.3.4\n$TTL 5\nc A 1.2.3.5\n",
            Some(&key("ex.")),
        )
        .unwrap();
        assert_eq!(z.apex_node().get(rtype::SOA).unwrap().ttl, 5400);
        assert_eq!(
            z.apex_node().get(rtype::NS).unwrap().ttl,
            5400,
            "the last TTL"
        );
        assert_eq!(z.nodes[&key("b.ex.")[..]].get(rtype::A).unwrap().ttl, 5400);
        assert_eq!(z.nodes[&key("c.ex.")[..]].get(rtype::A).unwrap().ttl, 5);
        assert_eq!(z.negative_soa.ttl, 60);
        // Class before TTL, owner case kept, duplicates merged, escapes.
        let z = Zone::parse(
            b"$ORIGIN Ex.\n@ IN 60 SOA a b 1 2 3 4 5\nWww IN A 1.2.3.4\nwww IN A 1.2.3.4\na\\.b A 1.2.3.4\n",
            None,
        )
        .unwrap();
        let www = &z.nodes[&key("www.ex.")[..]];
        assert_eq!(&www.owner[..], b"\x03Www\x02Ex\x00");
        assert_eq!(www.get(rtype::A).unwrap().rdatas.len(), 1);
        assert!(z.nodes.contains_key(&b"\x03a.b\x02ex\x00"[..]));
    }
}
