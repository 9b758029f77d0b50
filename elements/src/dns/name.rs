//! Domain names: the presentation form of zone files (RFC 1035 §5.1,
//! escapes included) and the wire form (length-prefixed labels ending in
//! the root's zero), which is how every name is held here.
//!
//! A wire-form name is a `[u8]` of at most 255 bytes whose labels are at
//! most 63 bytes; lengths are below 64 and so never ASCII letters, which
//! is why `eq_ignore_ascii_case` on two wire-form names compares them as
//! DNS does (RFC 4343).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The longest name in wire form (RFC 1035 §2.3.4).
pub const MAX_NAME: usize = 255;
/// The longest label.
pub const MAX_LABEL: usize = 63;
/// The root name in wire form.
pub const ROOT: &[u8] = &[0];

/// Why a name in presentation form is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameError {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<&'static str>,
}

fn error(message: String, hint: Option<&'static str>) -> NameError {
    NameError { message, hint }
}

/// Reads one escaped character of presentation form at `text[i]` (a `\`):
/// `\DDD` (decimal) or `\X`. Returns the byte and the bytes consumed.
pub(crate) fn unescape(text: &[u8], i: usize) -> Result<(u8, usize), NameError> {
    let rest = &text[i + 1..];
    match rest {
        [a, b, c, ..] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            let v = u32::from(a - b'0') * 100 + u32::from(b - b'0') * 10 + u32::from(c - b'0');
            let v = u8::try_from(v).map_err(|_| {
                error(
                    format!("escape \\{v} is above 255"),
                    Some("\\DDD is one byte in decimal, 000 to 255"),
                )
            })?;
            Ok((v, 4))
        }
        [a, ..] if a.is_ascii_digit() => Err(error(
            "a decimal escape needs three digits".into(),
            Some("write \\DDD with three digits, e.g. \\032 for a space"),
        )),
        [c, ..] => Ok((*c, 2)),
        [] => Err(error(
            "the name ends with a lone backslash".into(),
            Some("escape the character after \\, or remove it"),
        )),
    }
}

/// Parses a name in presentation form: `@` is `origin`, a name ending in
/// `.` is absolute, any other is relative to `origin`. The case is kept.
pub fn parse(text: &[u8], origin: Option<&[u8]>) -> Result<Vec<u8>, NameError> {
    let relative_to = || {
        origin.ok_or_else(|| {
            error(
                format!(
                    "relative name \"{}\" and no origin",
                    String::from_utf8_lossy(text)
                ),
                Some("set $ORIGIN before it, or end the name with a dot"),
            )
        })
    };
    if text == b"@" {
        return Ok(relative_to()?.to_vec());
    }
    if text == b"." {
        return Ok(ROOT.to_vec());
    }
    let mut out = Vec::with_capacity(text.len() + 2);
    let mut label_start = 0;
    out.push(0);
    let mut i = 0;
    let mut absolute = false;
    while i < text.len() {
        let c = text[i];
        if c == b'.' {
            let len = out.len() - label_start - 1;
            if len == 0 {
                return Err(error(
                    format!("empty label in \"{}\"", String::from_utf8_lossy(text)),
                    Some("two dots in a row, or a leading dot: remove one"),
                ));
            }
            if i + 1 == text.len() {
                absolute = true;
            } else {
                label_start = out.len();
                out.push(0);
            }
            i += 1;
            continue;
        }
        let (byte, used) = if c == b'\\' {
            unescape(text, i)?
        } else {
            (c, 1)
        };
        out.push(byte);
        i += used;
        let len = out.len() - label_start - 1;
        if len > MAX_LABEL {
            return Err(error(
                format!(
                    "a label of \"{}\" is longer than 63 bytes",
                    String::from_utf8_lossy(text)
                ),
                Some("labels are at most 63 bytes (RFC 1035 §2.3.4)"),
            ));
        }
        out[label_start] = len as u8;
    }
    if absolute {
        out.push(0);
    } else {
        out.extend_from_slice(relative_to()?);
    }
    if out.len() > MAX_NAME {
        return Err(error(
            format!(
                "\"{}\" is longer than 255 bytes",
                String::from_utf8_lossy(text)
            ),
            Some("names are at most 255 bytes in wire form (RFC 1035 §2.3.4)"),
        ));
    }
    Ok(out)
}

/// The name `name` (wire form) in lower case.
pub fn lower(name: &[u8]) -> Vec<u8> {
    name.to_ascii_lowercase()
}

/// `name` without its first label (the root has none to lose).
#[inline]
pub fn parent(name: &[u8]) -> &[u8] {
    match name.first() {
        Some(&n) if n != 0 => &name[1 + usize::from(n)..],
        _ => name,
    }
}

/// True when `name` is `apex` or below it (case-insensitive).
pub fn is_below_or_at(name: &[u8], apex: &[u8]) -> bool {
    let mut n = name;
    while n.len() > apex.len() {
        n = parent(n);
    }
    n.eq_ignore_ascii_case(apex)
}

/// `name` in presentation form, absolute, with `\DDD` for bytes that are
/// not printable and `\` before `.`, `\` and `"`.
pub fn to_text(name: &[u8]) -> String {
    if name == ROOT {
        return ".".into();
    }
    let mut s = String::new();
    let mut n = name;
    while let Some(&len) = n.first() {
        if len == 0 {
            break;
        }
        for &b in &n[1..=usize::from(len)] {
            match b {
                b'.' | b'\\' | b'"' => {
                    s.push('\\');
                    s.push(b as char);
                }
                0x21..=0x7e => s.push(b as char),
                _ => s.push_str(&format!("\\{b:03}")),
            }
        }
        s.push('.');
        n = parent(n);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &[u8] = b"\x07example\x03com\x00";

    #[test]
    fn absolute_relative_and_at() {
        assert_eq!(
            parse(b"www.example.com.", None).unwrap(),
            b"\x03www\x07example\x03com\x00"
        );
        assert_eq!(
            parse(b"www", Some(ORIGIN)).unwrap(),
            b"\x03www\x07example\x03com\x00"
        );
        assert_eq!(parse(b"@", Some(ORIGIN)).unwrap(), ORIGIN);
        assert_eq!(parse(b".", None).unwrap(), ROOT);
        assert_eq!(parse(b"A.b", Some(ROOT)).unwrap(), b"\x01A\x01b\x00");
        let e = parse(b"www", None).unwrap_err();
        assert!(e.hint.unwrap().contains("$ORIGIN"));
    }

    #[test]
    fn escapes() {
        assert_eq!(parse(b"a\\.b.", None).unwrap(), b"\x03a.b\x00");
        assert_eq!(parse(b"a\\032b.", None).unwrap(), b"\x03a b\x00");
        assert!(parse(b"a\\256.", None).is_err());
        assert!(parse(b"a\\25.", None).is_err());
        assert!(parse(b"a\\", None).is_err());
        assert_eq!(to_text(b"\x03a.b\x01 \x00"), "a\\.b.\\032.");
        assert_eq!(to_text(ROOT), ".");
    }

    #[test]
    fn limits() {
        let long = [b'a'; 64];
        assert!(parse(&long, Some(ROOT)).unwrap_err().message.contains("63"));
        assert!(parse(&long[..63], Some(ROOT)).is_ok());
        let mut big = Vec::new();
        for _ in 0..5 {
            big.extend_from_slice(&[b'a'; 60]);
            big.push(b'.');
        }
        assert!(parse(&big, None).unwrap_err().message.contains("255"));
        assert!(parse(b"a..b.", None)
            .unwrap_err()
            .message
            .contains("empty label"));
        assert!(parse(b".a.", None).is_err());
    }

    #[test]
    fn relations() {
        let www = b"\x03WWW\x07example\x03com\x00";
        assert!(is_below_or_at(www, ORIGIN));
        assert!(is_below_or_at(ORIGIN, ORIGIN));
        assert!(!is_below_or_at(ORIGIN, www));
        assert!(!is_below_or_at(b"\x03com\x00", ORIGIN));
        assert!(!is_below_or_at(b"\x03xexample\x03com\x00", ORIGIN));
        assert_eq!(parent(www), ORIGIN);
        assert_eq!(lower(www), b"\x03www\x07example\x03com\x00");
    }
}
