//! Typed parsers for configuration values.
//!
//! Each parser is a plain `fn(&str) -> Result<T, ParseError>` that takes one
//! argument's value text (as [`crate::args::Args`] hands it over: comments
//! removed, trimmed, keyword stripped) and accepts the forms Click's
//! corresponding `Arg` class accepts. None of them panics, whatever the
//! input.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};
use core::time::Duration;

pub use crate::args::ParseError;
use crate::args::{
    hex_block_close, is_space, quoted, skip_backslash, skip_comment, skip_double_quote,
    skip_single_quote, starts_comment, unquote_bytes,
};

// ---------------------------------------------------------------------------
// Integers
// ---------------------------------------------------------------------------

/// Unsigned integer types [`unsigned`] can produce.
pub trait UnsignedInt: Copy {
    /// Width in bits.
    const BITS: u32;
    /// Converts a value known to fit.
    fn from_u64(v: u64) -> Self;
}

/// Signed integer types [`integer`] can produce.
pub trait SignedInt: Copy {
    /// Width in bits.
    const BITS: u32;
    /// Converts a value known to fit.
    fn from_i64(v: i64) -> Self;
}

macro_rules! impl_int {
    ($trait:ident, $conv:ident, $via:ty: $($t:ty),*) => {$(
        impl $trait for $t {
            const BITS: u32 = <$t>::BITS;
            fn $conv(v: $via) -> Self {
                v as $t
            }
        }
    )*};
}
impl_int!(UnsignedInt, from_u64, u64: u8, u16, u32, u64, usize);
impl_int!(SignedInt, from_i64, i64: i8, i16, i32, i64, isize);

/// Splits a Click integer into sign and magnitude. Accepts an optional
/// sign (`-` only if `signed`), then `0x`/`0X` hex, `0b`/`0B` binary, a
/// leading `0` for octal, or decimal; `_` may separate digits.
fn parse_magnitude(s: &str, signed: bool, what: &str) -> Result<(bool, u128), ParseError> {
    let bad = || ParseError::expected(what, s);
    let b = s.as_bytes();
    let mut i = 0;
    let mut negative = false;
    if let Some(&c) = b.first() {
        if c == b'+' || (signed && c == b'-') {
            negative = c == b'-';
            i = 1;
        }
    }
    let rest = &b[i..];
    let (base, digits): (u32, &[u8]) =
        if rest.len() > 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
            (16, &rest[2..])
        } else if rest.len() > 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'b' {
            (2, &rest[2..])
        } else if rest.len() > 1 && rest[0] == b'0' {
            (8, &rest[1..])
        } else {
            (10, rest)
        };
    if digits.is_empty() || digits[0] == b'_' || digits[digits.len() - 1] == b'_' {
        return Err(bad());
    }
    let mut v: u128 = 0;
    let mut prev_underscore = false;
    for &c in digits {
        if c == b'_' {
            if prev_underscore {
                return Err(bad());
            }
            prev_underscore = true;
            continue;
        }
        prev_underscore = false;
        let d = match (c as char).to_digit(base) {
            Some(d) => d,
            None => {
                let mut e = bad();
                if base == 8 && c.is_ascii_digit() {
                    e = e.with_hint("a leading 0 means octal; drop it for decimal");
                } else if c == b'-' && !signed {
                    e = e.with_hint("this value cannot be negative");
                }
                return Err(e);
            }
        };
        // Saturate far above any 64-bit value; the range check catches it.
        v = v
            .saturating_mul(u128::from(base))
            .saturating_add(u128::from(d));
    }
    if !signed && b.first() == Some(&b'-') {
        return Err(bad().with_hint("this value cannot be negative"));
    }
    Ok((negative, v))
}

/// An unsigned integer of type `T` (Click's `IntArg`): decimal, `0x` hex,
/// `0b` binary, or octal with a leading `0`; range-checked.
pub fn unsigned<T: UnsignedInt>(s: &str) -> Result<T, ParseError> {
    let (_, v) = parse_magnitude(s, false, "unsigned integer")?;
    let max = if T::BITS >= 64 {
        u128::from(u64::MAX)
    } else {
        (1u128 << T::BITS) - 1
    };
    if v > max {
        return Err(ParseError::new(format!(
            "{s} is out of range for a{} {}-bit value",
            if T::BITS == 8 { "n" } else { "" },
            T::BITS
        ))
        .with_hint(format!("the largest value is {max}")));
    }
    Ok(T::from_u64(v as u64))
}

/// A signed integer of type `T` (Click's `IntArg`), same forms as
/// [`unsigned`] plus a leading `-`.
pub fn integer<T: SignedInt>(s: &str) -> Result<T, ParseError> {
    let (negative, v) = parse_magnitude(s, true, "integer")?;
    let bits = T::BITS.min(64);
    let max = (1u128 << (bits - 1)) - 1;
    let limit = if negative { max + 1 } else { max };
    if v > limit {
        return Err(ParseError::new(format!(
            "{s} is out of range for a{} {bits}-bit value",
            if bits == 8 { "n" } else { "" }
        ))
        .with_hint(format!("the range is -{} to {max}", max + 1)));
    }
    let x = if negative {
        (v as i128).wrapping_neg() as i64
    } else {
        v as i64
    };
    Ok(T::from_i64(x))
}

/// A size with an optional binary multiplier suffix (`1k`/`1K` = 1024,
/// `2M` = 2 MiB, `1G`; `B` may follow: `64kB`). For byte counts such as
/// buffer or pool sizes.
pub fn size(s: &str) -> Result<u64, ParseError> {
    let body = s.strip_suffix('B').unwrap_or(s);
    let (num, shift) = match body.as_bytes().last() {
        Some(b'k' | b'K') => (&body[..body.len() - 1], 10),
        Some(b'M') => (&body[..body.len() - 1], 20),
        Some(b'G') => (&body[..body.len() - 1], 30),
        _ => (body, 0),
    };
    let n: u64 = unsigned(num).map_err(|e| {
        if e.message.starts_with("expected") {
            ParseError::expected("size", s).with_hint("a size looks like 1500, 64k or 2M")
        } else {
            e
        }
    })?;
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| ParseError::new(format!("{s} is out of range for a 64-bit size")))
}

// ---------------------------------------------------------------------------
// Booleans, words, strings, data
// ---------------------------------------------------------------------------

/// A boolean (Click's `BoolArg`): `true`, `yes`, `1`, `t`, `y` or `false`,
/// `no`, `0`, `f`, `n`.
pub fn boolean(s: &str) -> Result<bool, ParseError> {
    match s {
        "true" | "yes" | "1" | "t" | "y" => Ok(true),
        "false" | "no" | "0" | "f" | "n" => Ok(false),
        _ => Err(ParseError::expected("boolean", s).with_hint("use true or false")),
    }
}

/// Byte index where the first unquoted whitespace starts (Click's
/// `cp_string` scan): quotes and `\<…>` are stepped over.
fn token_end(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        i = match b[i] {
            c if is_space(c) => return i,
            b'"' => skip_double_quote(b, i),
            b'\'' => skip_single_quote(b, i),
            b'\\' if b.get(i + 1) == Some(&b'<') => skip_backslash(b, i),
            _ => i + 1,
        };
    }
    b.len()
}

fn one_token<'a>(s: &'a str, what: &str) -> Result<&'a str, ParseError> {
    if s.is_empty() {
        return Err(ParseError::expected(what, s));
    }
    if token_end(s) < s.len() {
        return Err(ParseError::expected(what, s)
            .with_hint("quote it if it contains spaces: \"like this\""));
    }
    Ok(s)
}

/// A string (Click's `StringArg`): one token, unquoted (`"a b"`, `'x'`,
/// `abc`, `"line\n"`). The result must be UTF-8; use [`data`] for bytes.
pub fn string(s: &str) -> Result<String, ParseError> {
    let tok = one_token(s, "string")?;
    String::from_utf8(unquote_bytes(tok)).map_err(|_| {
        ParseError::new(format!("string {} is not valid UTF-8", quoted(s)))
            .with_hint("escapes such as \\xff make bytes; this argument wants text")
    })
}

/// A word (Click's `WordArg`): one token whose unquoted form is printable
/// ASCII without spaces, quotes, backslashes or commas.
pub fn word(s: &str) -> Result<String, ParseError> {
    let tok = one_token(s, "word")?;
    let w = unquote_bytes(tok);
    let ok = !w.is_empty()
        && w.iter()
            .all(|&c| (b'!'..=b'~').contains(&c) && !matches!(c, b'"' | b'\'' | b'\\' | b','));
    if !ok {
        return Err(ParseError::expected("word", s));
    }
    // All bytes are ASCII, checked above.
    Ok(w.into_iter().map(char::from).collect())
}

/// Raw bytes (Click's string data): one token, unquoted, where `\<0a 0b>`
/// spells bytes in hex and double-quoted escapes (`\x00`, `\377`) make any
/// byte; pieces concatenate (`\<0800>"abc"`).
pub fn data(s: &str) -> Result<Vec<u8>, ParseError> {
    if s.is_empty() {
        return Err(ParseError::expected("data", s).with_hint("give empty data as \"\""));
    }
    if token_end(s) < s.len() {
        return Err(
            ParseError::expected("data", s).with_hint("write bytes as \\<0a 0b> or \"text\"")
        );
    }
    let b = s.as_bytes();
    // Reject malformed hex blocks instead of silently skipping characters.
    let mut i = 0;
    let mut quote = 0u8;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' if quote == 0 => quote = b[i],
            c if c == quote => quote = 0,
            b'\\' if quote == b'"' => i += 1,
            b'\\' if quote == 0 && b.get(i + 1) == Some(&b'<') => {
                let Some(close) = hex_block_close(b, i) else {
                    return Err(
                        ParseError::new(format!("unterminated \\<…> in {}", quoted(s)))
                            .with_hint("close the hex block with >"),
                    );
                };
                let mut digits = 0usize;
                let mut j = i + 2;
                while j < close {
                    let c = b[j];
                    if is_space(c) {
                        j += 1;
                    } else if starts_comment(b, j) {
                        j = skip_comment(b, j);
                    } else if c.is_ascii_hexdigit() {
                        digits += 1;
                        j += 1;
                    } else {
                        let ch = s[j..].chars().next().unwrap_or('?');
                        return Err(ParseError::new(format!(
                            "bad character {ch:?} in hex data {}",
                            quoted(s)
                        ))
                        .with_hint("\\<…> holds hex digits and spaces, like \\<0a 0b>"));
                    }
                }
                if digits % 2 == 1 {
                    return Err(ParseError::new(format!(
                        "odd number of hex digits in {}",
                        quoted(s)
                    ))
                    .with_hint("each byte takes two hex digits: \\<0a>"));
                }
                i = close;
            }
            _ => {}
        }
        i += 1;
    }
    if quote != 0 {
        return Err(ParseError::new(format!(
            "unterminated quote in {}",
            quoted(s)
        )));
    }
    Ok(unquote_bytes(s))
}

/// Any text, unchanged (Click's `AnyArg`), for arguments an element
/// parses itself.
pub fn any(s: &str) -> Result<String, ParseError> {
    Ok(s.to_owned())
}

// ---------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------

const IPV4_HINT: &str = "an IPv4 address looks like 10.0.0.1";

/// Click's `IPAddressArg::basic_parse`: up to four dotted decimal parts
/// (each 0–255). Returns the bytes, how many parts were read, and where
/// parsing stopped.
fn ipv4_parts(s: &str) -> ([u8; 4], usize, usize) {
    let b = s.as_bytes();
    let mut out = [0u8; 4];
    let mut n = 0;
    let mut i = 0;
    while n < 4 && i < b.len() && (n == 0 || b[i] == b'.') {
        let mut t = i + usize::from(n > 0);
        if t >= b.len() || !b[t].is_ascii_digit() {
            break;
        }
        let mut part: u32 = 0;
        while t < b.len() && b[t].is_ascii_digit() && part <= 255 {
            part = part * 10 + u32::from(b[t] - b'0');
            t += 1;
        }
        if part > 255 {
            break;
        }
        out[n] = part as u8;
        n += 1;
        i = t;
    }
    (out, n, i)
}

/// An IPv4 address in dotted-quad form (Click's `IPAddressArg`).
pub fn ipv4(s: &str) -> Result<Ipv4Addr, ParseError> {
    let (bytes, n, end) = ipv4_parts(s);
    if n == 4 && end == s.len() {
        Ok(Ipv4Addr::from(bytes))
    } else {
        Err(ParseError::expected("IP address", s).with_hint(IPV4_HINT))
    }
}

/// An IPv6 address in RFC 4291 text form (`fe80::1`, `::ffff:10.0.0.1`).
pub fn ipv6(s: &str) -> Result<Ipv6Addr, ParseError> {
    s.parse::<Ipv6Addr>().map_err(|_| {
        ParseError::expected("IPv6 address", s).with_hint("an IPv6 address looks like fe80::1")
    })
}

/// An IPv4 prefix: address and prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpPrefix {
    /// The address as written (host bits are kept, as Click does; see
    /// [`IpPrefix::network`]).
    pub addr: Ipv4Addr,
    /// Prefix length, 0–32.
    pub len: u8,
}

impl IpPrefix {
    /// The netmask, e.g. 255.0.0.0 for /8.
    pub fn mask(&self) -> Ipv4Addr {
        Ipv4Addr::from(prefix_mask(self.len))
    }

    /// The address with host bits cleared.
    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) & prefix_mask(self.len))
    }

    /// True if `ip` lies inside the prefix.
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        let m = prefix_mask(self.len);
        u32::from(ip) & m == u32::from(self.addr) & m
    }
}

impl fmt::Display for IpPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

fn prefix_mask(len: u8) -> u32 {
    match len {
        0 => 0,
        l if l >= 32 => u32::MAX,
        l => u32::MAX << (32 - u32::from(l)),
    }
}

/// An IPv4 prefix (Click's `IPPrefixArg` with bare addresses allowed):
/// `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `10/8` (the address may be cut
/// short if the mask covers no missing part), or a bare address (= /32).
pub fn ip_prefix(s: &str) -> Result<IpPrefix, ParseError> {
    let bad = || {
        ParseError::expected("IP prefix", s)
            .with_hint("an IP prefix looks like 10.0.0.0/8 or 10.0.0.0/255.0.0.0")
    };
    let Some(slash) = s.rfind('/') else {
        return ipv4(s)
            .map(|addr| IpPrefix { addr, len: 32 })
            .map_err(|_| bad());
    };
    let (head, mask_text) = (&s[..slash], &s[slash + 1..]);
    let (bytes, nbytes, end) = ipv4_parts(head);
    if end != head.len() || nbytes == 0 {
        return Err(bad());
    }
    let len = if !mask_text.is_empty() && mask_text.bytes().all(|c| c.is_ascii_digit()) {
        match mask_text.parse::<u8>() {
            Ok(l) if l <= 32 => l,
            _ => {
                return Err(
                    ParseError::new(format!("prefix length {mask_text} is out of range"))
                        .with_hint("a prefix length is 0 to 32"),
                )
            }
        }
    } else {
        let (mb, mn, mend) = ipv4_parts(mask_text);
        if mn != 4 || mend != mask_text.len() {
            return Err(bad());
        }
        let m = u32::from_be_bytes(mb);
        let l = m.leading_ones();
        if m != prefix_mask(l as u8) {
            return Err(
                ParseError::new(format!("netmask {mask_text} is not contiguous"))
                    .with_hint("a netmask is ones then zeros, like 255.255.255.0 (= /24)"),
            );
        }
        l as u8
    };
    if usize::from(len) > nbytes * 8 {
        return Err(
            ParseError::new(format!("prefix {s} is longer than its address"))
                .with_hint("write the address in full, like 10.0.0.0/16"),
        );
    }
    Ok(IpPrefix {
        addr: Ipv4Addr::from(bytes),
        len,
    })
}

/// An Ethernet (MAC) address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EtherAddress(pub [u8; 6]);

impl EtherAddress {
    /// The broadcast address ff:ff:ff:ff:ff:ff.
    pub const BROADCAST: EtherAddress = EtherAddress([0xff; 6]);
}

impl fmt::Display for EtherAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

/// An Ethernet address (Click's `EtherAddressArg`): six parts of one or
/// two hex digits, separated by `:` or by `-` (one kind throughout).
pub fn ether(s: &str) -> Result<EtherAddress, ParseError> {
    let bad = || {
        ParseError::expected("Ethernet address", s)
            .with_hint("an Ethernet address looks like 00:11:22:aa:bb:cc")
    };
    let sep = if s.contains(':') { ':' } else { '-' };
    let mut out = [0u8; 6];
    let mut n = 0;
    for part in s.split(sep) {
        if n == 6
            || part.is_empty()
            || part.len() > 2
            || !part.bytes().all(|c| c.is_ascii_hexdigit())
        {
            return Err(bad());
        }
        out[n] = u8::from_str_radix(part, 16).map_err(|_| bad())?;
        n += 1;
    }
    if n != 6 {
        return Err(bad());
    }
    Ok(EtherAddress(out))
}

// ---------------------------------------------------------------------------
// Numbers with units: durations and bandwidths
// ---------------------------------------------------------------------------

/// A non-negative decimal `digits[.digits][e[+-]digits]` as mantissa and
/// power of ten (Click's `preparse_fraction`; `_` may separate digits).
fn decimal(s: &str) -> Option<(u128, i32)> {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'+'));
    let mut mant: u128 = 0;
    let mut exp: i32 = 0;
    let mut ndigits = 0;
    let mut seen_dot = false;
    let mut last_digit = false;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            if mant < 10u128.pow(30) {
                mant = mant * 10 + u128::from(c - b'0');
                if seen_dot {
                    exp -= 1;
                }
            } else if !seen_dot {
                exp += 1; // digits beyond 30 significant ones only scale
            }
            ndigits += 1;
            last_digit = true;
        } else if c == b'_' && last_digit && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            last_digit = false;
        } else if c == b'.' && !seen_dot {
            seen_dot = true;
            last_digit = false;
        } else {
            break;
        }
        i += 1;
    }
    if ndigits == 0 {
        return None;
    }
    if i < b.len() && (b[i] | 0x20) == b'e' {
        let mut j = i + 1;
        let neg = b.get(j) == Some(&b'-');
        if matches!(b.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        let start = j;
        let mut e: i32 = 0;
        while j < b.len() && b[j].is_ascii_digit() {
            e = e.saturating_mul(10).saturating_add(i32::from(b[j] - b'0'));
            j += 1;
        }
        if j == start {
            return None;
        }
        exp = exp.saturating_add(if neg { -e } else { e });
        i = j;
    }
    (i == b.len()).then_some((mant, exp))
}

/// `mant × 10^exp × num / den`, rounded to nearest; `None` on overflow of
/// `u128` (callers range-check the result).
fn scale(mant: u128, exp: i32, num: u128, den: u128) -> Option<u128> {
    let mut n = mant.checked_mul(num)?;
    let mut d = den;
    if exp >= 0 {
        if exp > 38 {
            return if n == 0 { Some(0) } else { None };
        }
        n = n.checked_mul(10u128.pow(exp as u32))?;
    } else {
        let e = exp.unsigned_abs();
        if e > 38 {
            return Some(0);
        }
        d = d.checked_mul(10u128.pow(e))?;
    }
    Some((n + d / 2) / d)
}

/// Splits `s` into its number and its unit suffix (the trailing letters,
/// `/` included so `b/s` works), trimming space between them.
fn split_unit(s: &str) -> (&str, &str) {
    let cut = s
        .bytes()
        .rposition(|c| !(c.is_ascii_alphabetic() || c == b'/'))
        .map_or(0, |p| p + 1);
    let (num, unit) = s.split_at(cut);
    (
        num.trim_end_matches(|c: char| c.is_ascii() && is_space(c as u8)),
        unit,
    )
}

const DURATION_HINT: &str = "a duration looks like 1.5, 1s, 250ms, 10us, 100ns, 2min, 1h or 1d";

/// A duration (Click's `SecondsArg`): a decimal number of seconds with an
/// optional unit: `s`/`sec`, `ms`, `us`, `ns` (also `msec`, …), `m`/`min`,
/// `h`/`hr`, `d`/`day`. Resolution is one nanosecond (rounded).
pub fn duration(s: &str) -> Result<Duration, ParseError> {
    let bad = || ParseError::expected("duration", s).with_hint(DURATION_HINT);
    let (num, unit) = split_unit(s);
    // Nanoseconds per unit.
    let ns: u128 = match unit {
        "" | "s" | "sec" => 1_000_000_000,
        "ms" | "msec" => 1_000_000,
        "us" | "usec" => 1_000,
        "ns" | "nsec" => 1,
        "m" | "min" => 60_000_000_000,
        "h" | "hr" => 3_600_000_000_000,
        "d" | "day" => 86_400_000_000_000,
        _ => return Err(bad()),
    };
    let (mant, exp) = decimal(num).ok_or_else(bad)?;
    let total = scale(mant, exp, ns, 1)
        .filter(|&t| t / 1_000_000_000 <= u128::from(u64::MAX))
        .ok_or_else(|| ParseError::new(format!("duration {s} is out of range")))?;
    Ok(Duration::new(
        (total / 1_000_000_000) as u64,
        (total % 1_000_000_000) as u32,
    ))
}

const BANDWIDTH_HINT: &str =
    "a bandwidth looks like 10Mbps, 1.5MBps, 100kbps or 64000Bps (a bare number is bytes/s)";

/// A bandwidth in bytes per second (Click's `BandwidthArg`): a decimal
/// number with an optional unit `bps`, `b/s` or `baud` (bits per second,
/// divided by 8) or `Bps`, `B/s` (bytes per second), each with an optional
/// `k`/`K` (10³), `M` (10⁶) or `G` (10⁹) prefix. A bare number is bytes
/// per second. Rounded to the nearest byte.
pub fn bandwidth(s: &str) -> Result<u64, ParseError> {
    let bad = || ParseError::expected("bandwidth", s).with_hint(BANDWIDTH_HINT);
    let (num, unit) = split_unit(s);
    let (prefix, base) = ["baud", "bps", "b/s", "Bps", "B/s"]
        .iter()
        .find_map(|u| unit.strip_suffix(u).map(|p| (p, *u)))
        .unwrap_or((unit, ""));
    if base.is_empty() && !unit.is_empty() {
        return Err(bad());
    }
    let mult: u128 = match prefix {
        "" => 1,
        "k" | "K" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        _ => return Err(bad()),
    };
    let den: u128 = if base.starts_with('b') { 8 } else { 1 };
    let (mant, exp) = decimal(num).ok_or_else(bad)?;
    scale(mant, exp, mult, den)
        .and_then(|v| u64::try_from(v).ok())
        .ok_or_else(|| ParseError::new(format!("bandwidth {s} is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn msg<T: fmt::Debug>(r: Result<T, ParseError>) -> String {
        r.unwrap_err().message
    }

    #[test]
    fn unsigned_forms() {
        assert_eq!(unsigned::<u8>("255"), Ok(255));
        assert_eq!(unsigned::<u8>("0"), Ok(0));
        assert_eq!(unsigned::<u16>("0x10"), Ok(16));
        assert_eq!(unsigned::<u16>("0XfF"), Ok(255));
        assert_eq!(unsigned::<u16>("010"), Ok(8));
        assert_eq!(unsigned::<u16>("0b101"), Ok(5));
        assert_eq!(unsigned::<u32>("1_000_000"), Ok(1_000_000));
        assert_eq!(unsigned::<u32>("+5"), Ok(5));
        assert_eq!(unsigned::<u64>("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(unsigned::<usize>("7"), Ok(7));
    }

    #[test]
    fn unsigned_errors() {
        assert_eq!(
            msg(unsigned::<u8>("256")),
            "256 is out of range for an 8-bit value"
        );
        assert_eq!(
            msg(unsigned::<u16>("65536")),
            "65536 is out of range for a 16-bit value"
        );
        assert_eq!(
            unsigned::<u8>("256").unwrap_err().hint.as_deref(),
            Some("the largest value is 255")
        );
        assert!(msg(unsigned::<u64>("18446744073709551616")).contains("out of range"));
        assert!(msg(unsigned::<u64>(&"9".repeat(80))).contains("out of range"));
        assert_eq!(
            msg(unsigned::<u32>("x")),
            "expected unsigned integer, found \"x\""
        );
        for bad in [
            "", "-1", "0x", "0b", "1x", " 1", "1 ", "1__0", "_1", "1_", "+", "1.5", "0x1g", "٣",
        ] {
            assert!(unsigned::<u32>(bad).is_err(), "{bad:?}");
        }
        assert!(unsigned::<u32>("-1")
            .unwrap_err()
            .hint
            .unwrap()
            .contains("negative"));
        assert!(unsigned::<u32>("08")
            .unwrap_err()
            .hint
            .unwrap()
            .contains("octal"));
    }

    #[test]
    fn signed() {
        assert_eq!(integer::<i32>("-2147483648"), Ok(i32::MIN));
        assert_eq!(integer::<i32>("2147483647"), Ok(i32::MAX));
        assert_eq!(integer::<i32>("-0x10"), Ok(-16));
        assert_eq!(integer::<i64>("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(integer::<i8>("-128"), Ok(-128));
        assert_eq!(
            msg(integer::<i8>("128")),
            "128 is out of range for an 8-bit value"
        );
        assert_eq!(
            msg(integer::<i32>("2147483648")),
            "2147483648 is out of range for a 32-bit value"
        );
        assert!(integer::<i32>("-2147483649").is_err());
        assert_eq!(
            msg(integer::<i32>("--1")),
            "expected integer, found \"--1\""
        );
        assert!(integer::<i32>("-").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(size("1500"), Ok(1500));
        assert_eq!(size("1k"), Ok(1024));
        assert_eq!(size("64K"), Ok(65536));
        assert_eq!(size("64kB"), Ok(65536));
        assert_eq!(size("2M"), Ok(2 << 20));
        assert_eq!(size("1G"), Ok(1 << 30));
        assert_eq!(size("0x10"), Ok(16));
        assert_eq!(msg(size("1x")), "expected size, found \"1x\"");
        assert!(size("").is_err());
        assert!(size("k").is_err());
        assert!(size("99999999999G")
            .unwrap_err()
            .message
            .contains("out of range"));
    }

    #[test]
    fn booleans() {
        for t in ["true", "yes", "1", "t", "y"] {
            assert_eq!(boolean(t), Ok(true));
        }
        for f in ["false", "no", "0", "f", "n"] {
            assert_eq!(boolean(f), Ok(false));
        }
        for bad in ["", "TRUE", "True", "2", "on", "yes "] {
            assert_eq!(
                msg(boolean(bad)),
                format!("expected boolean, found {bad:?}")
            );
        }
    }

    #[test]
    fn words_and_strings() {
        assert_eq!(word("eth0"), Ok(String::from("eth0")));
        assert_eq!(word("\"eth0\""), Ok(String::from("eth0")));
        assert_eq!(word("a'b'c"), Ok(String::from("abc")));
        for bad in ["", "a b", "\"a b\"", "\"a,b\"", "\"\"", "é"] {
            assert!(word(bad).is_err(), "{bad:?}");
        }
        assert_eq!(string("abc"), Ok(String::from("abc")));
        assert_eq!(string("\"a b\\n\""), Ok(String::from("a b\n")));
        assert_eq!(string("'a\\nb'"), Ok(String::from("a\\nb")));
        assert_eq!(string("\"\""), Ok(String::new()));
        assert_eq!(string("\"x\"y'z'"), Ok(String::from("xyz")));
        assert_eq!(string("\"é\""), Ok(String::from("é")));
        assert!(string("").is_err());
        let e = string("a b").unwrap_err();
        assert_eq!(e.message, "expected string, found \"a b\"");
        assert!(e.hint.is_some());
        assert!(string("\"\\xff\"").unwrap_err().message.contains("UTF-8"));
        assert_eq!(any(" x , y"), Ok(String::from(" x , y")));
    }

    #[test]
    fn data_bytes() {
        assert_eq!(data("\\<0a 0b>"), Ok(vec![0x0a, 0x0b]));
        assert_eq!(data("\\<0A0b /* c > */ FF>"), Ok(vec![0x0a, 0x0b, 0xff]));
        assert_eq!(data("\"ab\\x00\\377\""), Ok(vec![b'a', b'b', 0, 0xff]));
        assert_eq!(data("\\<0800>\"ab\""), Ok(vec![8, 0, b'a', b'b']));
        assert_eq!(data("\"\""), Ok(vec![]));
        assert_eq!(data("\\<>"), Ok(vec![]));
        assert_eq!(data("abc"), Ok(b"abc".to_vec()));
        assert_eq!(data("\"a\\<41>\""), Ok(b"aA".to_vec()));
        assert!(msg(data("\\<0g>")).contains("bad character 'g'"));
        assert!(msg(data("\\<0a1>")).contains("odd number"));
        assert!(msg(data("\\<0a")).contains("unterminated"));
        assert!(msg(data("\"abc")).contains("unterminated quote"));
        assert!(data("").is_err());
        assert!(data("a b").is_err());
    }

    #[test]
    fn ipv4_addresses() {
        assert_eq!(ipv4("10.0.0.1"), Ok(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(ipv4("255.255.255.255"), Ok(Ipv4Addr::BROADCAST));
        assert_eq!(ipv4("010.0.0.1"), Ok(Ipv4Addr::new(10, 0, 0, 1)));
        let e = ipv4("10.0.0.300").unwrap_err();
        assert_eq!(e.message, "expected IP address, found \"10.0.0.300\"");
        assert_eq!(
            e.hint.as_deref(),
            Some("an IPv4 address looks like 10.0.0.1")
        );
        for bad in [
            "",
            "10.0.0",
            "10.0.0.1.2",
            "a.b.c.d",
            "10.0.0.",
            "10..0.1",
            "10.0.0.1 ",
            "1.2.3.4/8",
            "99999999999999.1.1.1",
        ] {
            assert!(ipv4(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ipv6_addresses() {
        assert_eq!(
            ipv6("fe80::1"),
            Ok(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1))
        );
        assert_eq!(ipv6("::"), Ok(Ipv6Addr::UNSPECIFIED));
        assert!(ipv6("::ffff:10.0.0.1").is_ok());
        assert_eq!(msg(ipv6("zz::")), "expected IPv6 address, found \"zz::\"");
        assert!(ipv6("1:2:3:4:5:6:7:8:9").is_err());
    }

    #[test]
    fn prefixes() {
        let p = ip_prefix("10.0.0.0/8").unwrap();
        assert_eq!(
            p,
            IpPrefix {
                addr: Ipv4Addr::new(10, 0, 0, 0),
                len: 8
            }
        );
        assert_eq!(p.mask(), Ipv4Addr::new(255, 0, 0, 0));
        assert!(p.contains(Ipv4Addr::new(10, 200, 3, 4)));
        assert!(!p.contains(Ipv4Addr::new(11, 0, 0, 0)));
        assert_eq!(format!("{p}"), "10.0.0.0/8");
        assert_eq!(ip_prefix("10.0.0.0/255.0.0.0"), Ok(p));
        assert_eq!(ip_prefix("10/8"), Ok(p));
        assert_eq!(
            ip_prefix("10.1/16").unwrap().addr,
            Ipv4Addr::new(10, 1, 0, 0)
        );
        assert_eq!(
            ip_prefix("10.0.0.1"),
            Ok(IpPrefix {
                addr: Ipv4Addr::new(10, 0, 0, 1),
                len: 32
            })
        );
        let any = ip_prefix("0.0.0.0/0").unwrap();
        assert_eq!(any.mask(), Ipv4Addr::UNSPECIFIED);
        assert!(any.contains(Ipv4Addr::new(1, 2, 3, 4)));
        let host = ip_prefix("10.0.0.7/24").unwrap();
        assert_eq!(host.addr, Ipv4Addr::new(10, 0, 0, 7));
        assert_eq!(host.network(), Ipv4Addr::new(10, 0, 0, 0));
        assert_eq!(ip_prefix("1.2.3.4/255.255.255.255").unwrap().len, 32);

        let e = ip_prefix("10.0.0.0/255.0.255.0").unwrap_err();
        assert_eq!(e.message, "netmask 255.0.255.0 is not contiguous");
        assert!(e.hint.unwrap().contains("ones then zeros"));
        assert!(msg(ip_prefix("10.0.0.0/33")).contains("out of range"));
        assert!(msg(ip_prefix("10/16")).contains("longer than its address"));
        for bad in [
            "",
            "/8",
            "10.0.0.0/",
            "10.0.0.0/x",
            "10.0.0.300/8",
            "10.0.0.0/8/8",
            "a/8",
            "10.0.0.0/-1",
            "10.0.0.0/255.0.0",
        ] {
            assert!(ip_prefix(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ether_addresses() {
        let a = EtherAddress([0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc]);
        assert_eq!(ether("00:11:22:aa:bb:cc"), Ok(a));
        assert_eq!(ether("00-11-22-AA-BB-CC"), Ok(a));
        assert_eq!(ether("0:11:22:aA:bb:cc"), Ok(a));
        assert_eq!(ether("1:2:3:4:5:6"), Ok(EtherAddress([1, 2, 3, 4, 5, 6])));
        assert_eq!(format!("{a}"), "00:11:22:aa:bb:cc");
        assert_eq!(format!("{}", EtherAddress::BROADCAST), "ff:ff:ff:ff:ff:ff");
        let e = ether("00:11:22:aa:bb").unwrap_err();
        assert_eq!(
            e.message,
            "expected Ethernet address, found \"00:11:22:aa:bb\""
        );
        for bad in [
            "",
            "00:11:22:aa:bb:cc:dd",
            "00:11-22:aa:bb:cc",
            "000:11:22:aa:bb:cc",
            "00:11:22:aa:bb:",
            "gg:11:22:aa:bb:cc",
            "001122aabbcc",
            "+0:11:22:aa:bb:cc",
        ] {
            assert!(ether(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn durations() {
        let ms = Duration::from_millis;
        assert_eq!(duration("1"), Ok(ms(1000)));
        assert_eq!(duration("1.5"), Ok(ms(1500)));
        assert_eq!(duration(".5"), Ok(ms(500)));
        assert_eq!(duration("1s"), Ok(ms(1000)));
        assert_eq!(duration("1sec"), Ok(ms(1000)));
        assert_eq!(duration("1 s"), Ok(ms(1000)));
        assert_eq!(duration("250ms"), Ok(ms(250)));
        assert_eq!(duration("250msec"), Ok(ms(250)));
        assert_eq!(duration("10us"), Ok(Duration::from_micros(10)));
        assert_eq!(duration("100ns"), Ok(Duration::from_nanos(100)));
        assert_eq!(duration("2min"), Ok(ms(120_000)));
        assert_eq!(duration("2m"), Ok(ms(120_000)));
        assert_eq!(duration("1h"), Ok(ms(3_600_000)));
        assert_eq!(duration("1hr"), Ok(ms(3_600_000)));
        assert_eq!(duration("1d"), Ok(ms(86_400_000)));
        assert_eq!(duration("1day"), Ok(ms(86_400_000)));
        assert_eq!(duration("1e3ms"), Ok(ms(1000)));
        assert_eq!(duration("1_000ms"), Ok(ms(1000)));
        assert_eq!(duration("0.0000000016"), Ok(Duration::from_nanos(2)));
        assert_eq!(duration("0.0000000001"), Ok(Duration::ZERO));
        assert_eq!(duration("0"), Ok(Duration::ZERO));
        let e = duration("5x").unwrap_err();
        assert_eq!(e.message, "expected duration, found \"5x\"");
        assert!(e.hint.is_some());
        for bad in ["", "s", "-1", "1.2.3", "1 2", "1e", "ms", "1ss", "1 S"] {
            assert!(duration(bad).is_err(), "{bad:?}");
        }
        assert!(msg(duration("1e30d")).contains("out of range"));
        assert!(msg(duration(&"9".repeat(50))).contains("out of range"));
    }

    #[test]
    fn bandwidths() {
        assert_eq!(bandwidth("10Mbps"), Ok(1_250_000));
        assert_eq!(bandwidth("1.5MBps"), Ok(1_500_000));
        assert_eq!(bandwidth("100kbps"), Ok(12_500));
        assert_eq!(bandwidth("100Kbps"), Ok(12_500));
        assert_eq!(bandwidth("64000Bps"), Ok(64_000));
        assert_eq!(bandwidth("64000B/s"), Ok(64_000));
        assert_eq!(bandwidth("1Gbps"), Ok(125_000_000));
        assert_eq!(bandwidth("8b/s"), Ok(1));
        assert_eq!(bandwidth("9600baud"), Ok(1200));
        assert_eq!(bandwidth("1000"), Ok(1000));
        assert_eq!(bandwidth("10 Mbps"), Ok(1_250_000));
        assert_eq!(bandwidth("12bps"), Ok(2)); // 1.5 rounds to nearest
        let e = bandwidth("10Mb").unwrap_err();
        assert_eq!(e.message, "expected bandwidth, found \"10Mb\"");
        assert!(e.hint.unwrap().contains("10Mbps"));
        for bad in ["", "abc", "Mbps", "10Xbps", "-1Mbps", "10mbps", "1..2Bps"] {
            assert!(bandwidth(bad).is_err(), "{bad:?}");
        }
        assert!(msg(bandwidth("1e40Gbps")).contains("out of range"));
    }

    #[test]
    fn parsers_never_panic() {
        let alphabet: Vec<char> = "0123456789abcdefxXBMGkKmsuhn.:-/+_e \"'\\<>ÿ"
            .chars()
            .collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..30_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 14) as usize;
            let mut x = seed;
            let s: String = (0..len)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    alphabet[((x >> 33) % alphabet.len() as u64) as usize]
                })
                .collect();
            let _ = unsigned::<u8>(&s);
            let _ = unsigned::<u64>(&s);
            let _ = integer::<i32>(&s);
            let _ = size(&s);
            let _ = boolean(&s);
            let _ = word(&s);
            let _ = string(&s);
            let _ = data(&s);
            let _ = ipv4(&s);
            let _ = ipv6(&s);
            let _ = ip_prefix(&s);
            let _ = ether(&s);
            let _ = duration(&s);
            let _ = bandwidth(&s);
        }
    }
}
