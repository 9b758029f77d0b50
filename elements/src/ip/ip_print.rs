//! # IPPrint — pretty-prints IP packets
//!
//! ```click
//! IPPrint([LABEL, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Prints a one-line tcpdump-like summary of each IP packet (addresses,
//! ports, TCP flags and sequence numbers, UDP length, ICMP type, fragment
//! information), prefixed by LABEL and the timestamp, then passes the
//! packet on unchanged. Packets without an IP header annotation pass
//! without a line. With CONTENTS or PAYLOAD, the bytes follow on lines of
//! their own, indented by two spaces: 24 bytes a line in hex, 48 as ASCII
//! (`.` for unprintable bytes).
//!
//! ```text
//! in: 1.000001: 10.0.0.1.1234 > 10.0.0.2.80: S 1000:1000(0,40,40) win 8192
//! 0.000000: 10.0.0.1 > 10.0.0.2: icmp echo (7, 1)
//! ```
//!
//! ## Keywords
//! - `LABEL` *TEXT* — prefix of each line.
//! - `CONTENTS` *false|true|hex|ascii* — also dump the packet bytes. Default
//!   false.
//! - `PAYLOAD` *false|true|hex|ascii* — also dump the payload (after the
//!   TCP or UDP header). Default false. At most one of CONTENTS and PAYLOAD.
//! - `MAXLENGTH` *N* — bytes dumped at most. Default 1500 (`NBYTES` is an old
//!   name).
//! - `ID`, `TTL`, `TOS`, `LENGTH`, `PAINT`, `AGGREGATE` *BOOL* — print those
//!   fields. Default false.
//! - `TIMESTAMP` *BOOL* — print the timestamp. Default true.
//! - `SWAP` *BOOL* — print ICMP id and sequence in network byte order (as
//!   Click does on a little-endian host); false prints them byte-swapped.
//!   Default true.
//! - `ACTIVE` *BOOL* — print at all. Default true.
//! - `OUTFILE` *FILE* — print to a file instead of the console.
//! - `CHANNEL` *NAME* — print to this error channel.
//!
//! ## Handlers
//! - `active` (read/write) — the ACTIVE setting.
//!
//! ## Examples
//! ```click
//! ... -> IPPrint(in, TTL true) -> ...
//! ```
//!
//! ## Differences from Click
//! - OUTFILE and CHANNEL are accepted; lines go to the platform's console
//!   (`cx.console`).
//! - A dump is printed as separate lines after the summary line rather
//!   than one message with embedded newlines; a line longer than 512 bytes
//!   (a very long LABEL) is cut short.
//! - Timestamps print with microseconds; AGGREGATE reads the 4 bytes at
//!   annotation offset 20, as Click's AGGREGATE_ANNO.

use alloc::string::{String, ToString};
use core::fmt::{self, Write};

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, ParseError};

use super::ip_header::{self, field, get16, PROTO_ICMP, PROTO_TCP, PROTO_UDP};
use super::names;

use crate::{ElementSpec, Ports};

/// How packet bytes are dumped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dump {
    /// Not at all.
    No,
    /// In hex.
    Hex,
    /// As ASCII, with escapes.
    Ascii,
}

fn dump(s: &str) -> Result<Dump, ParseError> {
    match s {
        "hex" => Ok(Dump::Hex),
        "ascii" => Ok(Dump::Ascii),
        _ => match parse::boolean(s) {
            Ok(true) => Ok(Dump::Hex),
            Ok(false) => Ok(Dump::No),
            Err(_) => Err(ParseError::expected("false, true, hex or ascii", s)),
        },
    }
}

/// IPPrint's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)]
pub struct IPPrint {
    /// Line prefix.
    pub label: String,
    /// Packet-contents dump.
    pub contents: Dump,
    /// Payload dump.
    pub payload: Dump,
    /// Bytes dumped at most.
    pub max_length: u32,
    /// Print the IP ID.
    pub id: bool,
    /// Print the timestamp.
    pub timestamp: bool,
    /// Print the paint annotation.
    pub paint: bool,
    /// Print the TOS.
    pub tos: bool,
    /// Print the TTL.
    pub ttl: bool,
    /// Byte-swap ICMP id and sequence.
    pub swap: bool,
    /// Print the IP length.
    pub length: bool,
    /// Print the aggregate annotation.
    pub aggregate: bool,
    /// Print at all.
    pub active: bool,
    /// Output file, if any.
    pub outfile: Option<String>,
    /// Error channel, if any.
    pub channel: Option<String>,
}

impl IPPrint {
    /// Parses IPPrint's configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let label = args.read_p("LABEL", parse::string).unwrap_or_default();
        let contents = args.read("CONTENTS", dump).unwrap_or(Dump::No);
        let payload = args.read("PAYLOAD", dump).unwrap_or(Dump::No);
        let nbytes = args.read("NBYTES", parse::unsigned::<u32>);
        let max_length = args
            .read("MAXLENGTH", parse::unsigned::<u32>)
            .or(nbytes)
            .unwrap_or(1500);
        let mut flag = |k: &'static str, d: bool| args.read(k, parse::boolean).unwrap_or(d);
        let (id, timestamp, paint, tos, ttl) = (
            flag("ID", false),
            flag("TIMESTAMP", true),
            flag("PAINT", false),
            flag("TOS", false),
            flag("TTL", false),
        );
        let (swap, length, aggregate, active) = (
            flag("SWAP", true),
            flag("LENGTH", false),
            flag("AGGREGATE", false),
            flag("ACTIVE", true),
        );
        let outfile = args.read("OUTFILE", parse::string);
        let channel = args.read("CHANNEL", parse::word);
        if contents != Dump::No && payload != Dump::No {
            let span = args.span_of("PAYLOAD");
            args.error(ConfigError::new(
                span,
                "specify at most one of PAYLOAD and CONTENTS",
            ));
        }
        args.complete()?;
        Ok(IPPrint {
            label,
            contents,
            payload,
            max_length,
            id,
            timestamp,
            paint,
            tos,
            ttl,
            swap,
            length,
            aggregate,
            active,
            outfile,
            channel,
        })
    }
}

/// Byte offset of Click's AGGREGATE annotation.
const AGGREGATE_ANNO: usize = 20;

/// Longest line IPPrint writes, in bytes.
const LINE: usize = 512;

/// One console line built on the stack (no heap allocation per packet);
/// text past [`LINE`] bytes is cut off at a character boundary.
pub(crate) struct Line {
    buf: [u8; LINE],
    len: usize,
}

impl Line {
    /// An empty line.
    pub(crate) fn new() -> Line {
        Line {
            buf: [0; LINE],
            len: 0,
        }
    }

    /// The text so far.
    pub(crate) fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }

    /// Empties the line.
    fn clear(&mut self) {
        self.len = 0;
    }
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut n = s.len().min(LINE - self.len);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// The name of value `v` in a name table, if it has one.
fn name_of<T: Copy + PartialEq>(table: &'static [(&'static str, T)], v: T) -> Option<&'static str> {
    table.iter().find(|&&(_, x)| x == v).map(|&(n, _)| n)
}

impl IPPrint {
    /// Writes the summary of the IP packet `ip` (network header to end;
    /// `len` is the whole packet's length) to `l`.
    fn summary(&self, l: &mut Line, ip: &[u8], len: usize) -> fmt::Result {
        let hlen = usize::from(ip[0] & 0x0f) * 4;
        let ip_len = ip_header::total_len(ip);
        let payload_len = ip_len as i64 - hlen as i64;
        let transport_len = (ip.len() as i64 - hlen as i64).min(payload_len);
        let l4 = ip.get(hlen..).unwrap_or_default();
        if self.id {
            write!(l, "id {} ", get16(ip, field::ID))?;
        }
        if self.ttl {
            write!(l, "ttl {} ", ip[field::TTL])?;
        }
        if self.tos {
            write!(l, "tos {} ", ip[field::TOS])?;
        }
        if self.length {
            write!(l, "length {ip_len} ")?;
        }
        let (src, dst) = (ip_header::src(ip), ip_header::dst(ip));
        let first = ip_header::is_first_fragment(ip);
        match ip[field::PROTO] {
            PROTO_TCP | PROTO_UDP if transport_len < 4 || !first => {
                let (tcp, what) = (
                    ip[field::PROTO] == PROTO_TCP,
                    if first { "truncated-" } else { "" },
                );
                write!(
                    l,
                    "{src} > {dst}: {what}{}",
                    if tcp { "tcp" } else { "udp" }
                )?;
            }
            PROTO_TCP => {
                write!(l, "{src}.{} > {dst}.{}: ", get16(l4, 0), get16(l4, 2))?;
                if transport_len < 14 {
                    l.write_str("truncated-tcp")?;
                } else {
                    let flags = l4[13];
                    let mut seqlen = payload_len - i64::from(l4[12] >> 4) * 4;
                    for (bit, c) in [(0x02, 'S'), (0x01, 'F'), (0x04, 'R'), (0x08, 'P')] {
                        if flags & bit != 0 {
                            l.write_char(c)?;
                            seqlen += i64::from(bit <= 0x02);
                        }
                    }
                    if flags & 0x0f == 0 {
                        l.write_char('.')?;
                    }
                    let seq = u32::from_be_bytes([l4[4], l4[5], l4[6], l4[7]]);
                    let end = seq.wrapping_add(seqlen as u32);
                    write!(l, " {seq}:{end}({seqlen},{len},{ip_len})")?;
                    if flags & 0x10 != 0 {
                        write!(
                            l,
                            " ack {}",
                            u32::from_be_bytes([l4[8], l4[9], l4[10], l4[11]])
                        )?;
                    }
                    if transport_len < 16 {
                        l.write_str("truncated-tcp")?;
                    } else {
                        write!(l, " win {}", get16(l4, 14))?;
                    }
                }
            }
            PROTO_UDP => {
                write!(l, "{src}.{} > {dst}.{}: ", get16(l4, 0), get16(l4, 2))?;
                if transport_len < 8 {
                    l.write_str("truncated-udp")?;
                } else {
                    write!(l, "udp {}", get16(l4, 4))?;
                }
            }
            PROTO_ICMP => {
                write!(l, "{src} > {dst}: ")?;
                self.icmp(l, l4, transport_len, first)?;
            }
            proto => write!(l, "{src} > {dst}: ip-proto-{proto}")?,
        }
        if ip_header::is_fragment(ip) {
            let frag = get16(ip, field::FRAG);
            write!(
                l,
                " (frag {}:{payload_len}@{}{})",
                get16(ip, field::ID),
                (frag & ip_header::OFFSET_MASK) << 3,
                if frag & ip_header::MF != 0 { "+" } else { "" }
            )?;
        }
        Ok(())
    }

    /// Writes the ICMP part of a summary.
    fn icmp(&self, l: &mut Line, icmp: &[u8], transport_len: i64, first: bool) -> fmt::Result {
        const TRUNCATED: &str = "truncated-icmp";
        if !first {
            return l.write_str("icmp");
        }
        if transport_len < 2 {
            return l.write_str(TRUNCATED);
        }
        let (kind, code) = (icmp[0], icmp[1]);
        let code_name = name_of(names::icmp_code_table(kind), code);
        match kind {
            0 | 8 => {
                l.write_str(if kind == 0 {
                    "icmp echo-reply "
                } else {
                    "icmp echo "
                })?;
                if transport_len < 8 {
                    return l.write_str(TRUNCATED);
                }
                let word = |at: usize| {
                    let v = get16(icmp, at);
                    if self.swap {
                        v
                    } else {
                        v.swap_bytes()
                    }
                };
                write!(l, "({}, {})", word(4), word(6))
            }
            3 => {
                let text = code_name.map_or(CodeText::Number(code), CodeText::Name);
                self.unreachable(l, icmp, transport_len, code, &text)
            }
            _ => {
                match name_of(names::ICMP_TYPES, kind) {
                    Some(n) => write!(l, "icmp {n}")?,
                    None => write!(l, "icmp type {kind}")?,
                }
                match code_name {
                    Some(n) => write!(l, " {n}"),
                    None if code != 0 => write!(l, " code {code}"),
                    None => Ok(()),
                }
            }
        }
    }

    /// Writes an ICMP unreachable message's text: the quoted packet's
    /// destination, the code, and the protocol and port or the next-hop MTU
    /// it concerns.
    fn unreachable(
        &self,
        l: &mut Line,
        icmp: &[u8],
        transport_len: i64,
        code: u8,
        text: &CodeText,
    ) -> fmt::Result {
        let inner = icmp.get(8..).unwrap_or_default();
        let inner_len = transport_len - 8;
        if inner_len < 20 || inner.len() < 20 {
            return write!(l, "icmp unreachable {text} truncated-icmp");
        }
        write!(l, "icmp {} unreachable {text}", ip_header::dst(inner))?;
        let proto = inner[field::PROTO];
        let ihl = usize::from(inner[0] & 0x0f) * 4;
        match code {
            2 => match name_of(names::IP_PROTOCOLS, proto) {
                Some(n) => write!(l, " {n}"),
                None => write!(l, " {proto}"),
            },
            3 => {
                match name_of(names::IP_PROTOCOLS, proto) {
                    Some(n) => write!(l, " {n}")?,
                    None => write!(l, " protocol {proto}")?,
                }
                match inner.get(ihl + 2..ihl + 4) {
                    Some(&[a, b]) if inner_len - ihl as i64 >= 4 => {
                        write!(l, "/{}", u16::from_be_bytes([a, b]))
                    }
                    _ => l.write_str("truncated-icmp"),
                }
            }
            4 if get16(icmp, 6) != 0 => write!(l, " (mtu {})", get16(icmp, 6)),
            _ => Ok(()),
        }
    }

    /// Writes the dump lines of `bytes` to the console.
    fn dump(&self, cx: &Context, l: &mut Line, bytes: &[u8]) {
        let (row, group) = match self.contents_mode() {
            Dump::No => return,
            Dump::Hex => (24, 4),
            Dump::Ascii => (48, 8),
        };
        let n = bytes.len().min(self.max_length as usize);
        for chunk in bytes[..n].chunks(row) {
            l.clear();
            let _ = l.write_str("  ");
            for (i, &b) in chunk.iter().enumerate() {
                if i > 0 && i % group == 0 {
                    let _ = l.write_char(' ');
                }
                let _ = if row == 24 {
                    write!(l, "{b:02x}")
                } else if (32..=126).contains(&b) {
                    l.write_char(char::from(b))
                } else {
                    l.write_char('.')
                };
            }
            cx.console.line(l.as_str());
        }
    }

    /// The dump mode in force: CONTENTS or PAYLOAD, whichever is set.
    fn contents_mode(&self) -> Dump {
        if self.contents != Dump::No {
            self.contents
        } else {
            self.payload
        }
    }
}

/// An ICMP code as printed: its name, or `code N`.
enum CodeText {
    Name(&'static str),
    Number(u8),
}

impl fmt::Display for CodeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeText::Name(n) => f.write_str(n),
            CodeText::Number(c) => write!(f, "code {c}"),
        }
    }
}

impl Element for IPPrint {
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let Some(ip) = p.network().filter(|_| self.active) else {
            return Out::Port(0);
        };
        let mut l = Line::new();
        let _ = self.write_line(&mut l, p, ip);
        cx.console.line(l.as_str());
        if self.contents_mode() != Dump::No {
            let bytes = if self.payload != Dump::No {
                payload_of(ip)
            } else {
                p.data()
            };
            self.dump(cx, &mut l, bytes);
        }
        Out::Port(0)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "active" => Ok(self.active.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "active" => {
                self.active =
                    parse::boolean(value.trim()).map_err(|e| HandlerError::Invalid(e.message))?;
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

impl IPPrint {
    /// Writes the whole summary line of `p`, whose IP bytes are `ip`.
    fn write_line(&self, l: &mut Line, p: &Packet, ip: &[u8]) -> fmt::Result {
        if !self.label.is_empty() {
            write!(l, "{}: ", self.label)?;
        }
        if self.timestamp {
            let ns = p.timestamp();
            write!(
                l,
                "{}.{:06}: ",
                ns / 1_000_000_000,
                ns % 1_000_000_000 / 1000
            )?;
        }
        if self.aggregate {
            let a = &p.anno()[AGGREGATE_ANNO..AGGREGATE_ANNO + 4];
            write!(l, "#{}", u32::from_be_bytes([a[0], a[1], a[2], a[3]]))?;
        }
        if self.paint {
            write!(
                l,
                "{}{}",
                if self.aggregate { "." } else { "paint " },
                p.paint()
            )?;
        }
        if self.aggregate || self.paint {
            l.write_str(": ")?;
        }
        if ip.len() < ip_header::MIN_LEN {
            l.write_str("truncated-ip")
        } else {
            self.summary(l, ip, p.len())
        }
    }
}

/// The payload of the IP packet `ip` as PAYLOAD dumps it: after the TCP or
/// UDP header of a first fragment, else after the IP header.
fn payload_of(ip: &[u8]) -> &[u8] {
    let hlen = usize::from(ip.first().map_or(0, |b| b & 0x0f)) * 4;
    let l4 = ip.get(hlen..).unwrap_or_default();
    if ip.len() < ip_header::MIN_LEN || !ip_header::is_first_fragment(ip) {
        return l4;
    }
    let skip = match ip[field::PROTO] {
        PROTO_TCP => l4.get(12).map_or(0, |b| usize::from(b >> 4) * 4),
        PROTO_UDP => 8,
        _ => 0,
    };
    l4.get(skip..).unwrap_or_default()
}

/// IPPrint's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPPrint",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "LABEL",
        "CONTENTS",
        "PAYLOAD",
        "MAXLENGTH",
        "NBYTES",
        "ID",
        "TIMESTAMP",
        "PAINT",
        "TOS",
        "TTL",
        "SWAP",
        "LENGTH",
        "AGGREGATE",
        "ACTIVE",
        "OUTFILE",
        "CHANNEL",
    ],
    handlers: &["active (read/write)"],
    summary: "pretty-prints IP packets",
    source: include_str!("ip_print.rs"),
    check: |c| IPPrint::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = IPPrint::configure("").unwrap();
        assert_eq!(
            (c.label.as_str(), c.contents, c.timestamp, c.max_length),
            ("", Dump::No, true, 1500)
        );
        let c = IPPrint::configure("in, CONTENTS ascii, TTL true, NBYTES 64").unwrap();
        assert_eq!(
            (c.label.as_str(), c.contents, c.ttl, c.max_length),
            ("in", Dump::Ascii, true, 64)
        );
        let cfg = "x, CONTENTS octal, TTL 2";
        let e = IPPrint::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "octal");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "2");
        let cfg = "CONTENTS hex, PAYLOAD ascii";
        let e = IPPrint::configure(cfg).unwrap_err().0;
        assert_eq!(e[0].message, "specify at most one of PAYLOAD and CONTENTS");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "ascii");
    }

    use alloc::vec::Vec;
    use nfc_dataplane::element::Captured;
    use nfc_dataplane::packet::PacketPool;

    use crate::harness::{self, check_batch_path};
    use crate::ip::ip_header::put16;
    use crate::ip::ip_header::testing::{icmp, ipv4, marked, tcp, udp};

    const A: [u8; 4] = [10, 0, 0, 1];
    const B: [u8; 4] = [10, 0, 0, 2];

    /// The lines `config` prints for `bytes` (IP at offset 0, timestamp
    /// 1.000001 s, paint 3).
    fn lines(config: &str, bytes: &[u8]) -> Vec<String> {
        let mut e = IPPrint::configure(config).unwrap();
        let pool = harness::pool();
        let out = Captured::leak();
        let cx = Context {
            console: out,
            ..harness::cx(pool)
        };
        let mut p = marked(pool, bytes, 0);
        p.set_timestamp(1_000_001_999);
        p.set_paint(3);
        assert_eq!(e.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.data(), bytes, "unchanged");
        out.take()
    }

    fn line(config: &str, bytes: &[u8]) -> String {
        let l = lines(config, bytes);
        assert_eq!(l.len(), 1, "{l:?}");
        l[0].clone()
    }

    #[test]
    fn tcp_lines() {
        assert_eq!(
            line("in", &tcp(A, B, 0x02, &[])),
            "in: 1.000001: 10.0.0.1.1234 > 10.0.0.2.80: S 1000:1001(1,40,40) win 8192"
        );
        assert_eq!(
            line("TIMESTAMP false", &tcp(A, B, 0x18, b"hello")),
            "10.0.0.1.1234 > 10.0.0.2.80: P 1000:1005(5,45,45) ack 77 win 8192"
        );
        assert_eq!(
            line("TIMESTAMP false", &tcp(A, B, 0x10, &[])),
            "10.0.0.1.1234 > 10.0.0.2.80: . 1000:1000(0,40,40) ack 77 win 8192"
        );
        let mut t = tcp(A, B, 0x11, &[]);
        t.truncate(30);
        put16(&mut t, 2, 30);
        assert_eq!(
            line("TIMESTAMP false", &t),
            "10.0.0.1.1234 > 10.0.0.2.80: truncated-tcp"
        );
        t.truncate(22);
        put16(&mut t, 2, 22);
        assert_eq!(
            line("TIMESTAMP false", &t),
            "10.0.0.1 > 10.0.0.2: truncated-tcp"
        );
    }

    #[test]
    fn udp_icmp_and_other_lines() {
        assert_eq!(
            line(
                "TIMESTAMP false, TTL true, ID true, TOS true, LENGTH true",
                &udp(A, B, 1, 53, &[0; 5])
            ),
            "id 4660 ttl 64 tos 0 length 33 10.0.0.1.1 > 10.0.0.2.53: udp 13"
        );
        assert_eq!(
            line(
                "TIMESTAMP false, PAINT true",
                &icmp(A, B, 8, 0, &[0, 7, 0, 1])
            ),
            "paint 3: 10.0.0.1 > 10.0.0.2: icmp echo (7, 1)"
        );
        assert_eq!(
            line(
                "TIMESTAMP false, SWAP false",
                &icmp(A, B, 0, 0, &[0, 7, 0, 1])
            ),
            "10.0.0.1 > 10.0.0.2: icmp echo-reply (1792, 256)"
        );
        let mut quoted = alloc::vec![0, 0, 0, 0];
        quoted.extend(udp(B, A, 5, 53, &[]));
        assert_eq!(
            line("TIMESTAMP false", &icmp(B, A, 3, 3, &quoted)),
            "10.0.0.2 > 10.0.0.1: icmp 10.0.0.1 unreachable port udp/53"
        );
        let mut needfrag = alloc::vec![0, 0, 5, 220];
        needfrag.extend(udp(B, A, 5, 53, &[]));
        assert_eq!(
            line("TIMESTAMP false", &icmp(B, A, 3, 4, &needfrag)),
            "10.0.0.2 > 10.0.0.1: icmp 10.0.0.1 unreachable needfrag (mtu 1500)"
        );
        assert_eq!(
            line("TIMESTAMP false", &icmp(B, A, 3, 1, &[0; 8])),
            "10.0.0.2 > 10.0.0.1: icmp unreachable host truncated-icmp"
        );
        assert_eq!(
            line("TIMESTAMP false", &icmp(B, A, 11, 0, &[0; 32])),
            "10.0.0.2 > 10.0.0.1: icmp timeexceeded transit"
        );
        assert_eq!(
            line("TIMESTAMP false", &icmp(B, A, 42, 7, &[])),
            "10.0.0.2 > 10.0.0.1: icmp type 42 code 7"
        );
        assert_eq!(
            line(
                "TIMESTAMP false, AGGREGATE true, PAINT true",
                &ipv4(47, A, B, &[], &[1, 2])
            ),
            "#0.3: 10.0.0.1 > 10.0.0.2: ip-proto-47"
        );
        assert_eq!(line("x", &[0x45, 0, 0]), "x: 1.000001: truncated-ip");
    }

    #[test]
    fn fragments() {
        let mut f = udp(A, B, 1, 2, &[0; 16]);
        put16(&mut f, 6, 0x2000);
        assert_eq!(
            line("TIMESTAMP false", &f),
            "10.0.0.1.1 > 10.0.0.2.2: udp 24 (frag 4660:24@0+)"
        );
        put16(&mut f, 6, 3);
        assert_eq!(
            line("TIMESTAMP false", &f),
            "10.0.0.1 > 10.0.0.2: udp (frag 4660:24@24)"
        );
    }

    #[test]
    fn dumps() {
        let data: Vec<u8> = (0..30).collect();
        let l = lines(
            "TIMESTAMP false, CONTENTS true, MAXLENGTH 30",
            &udp(A, B, 1, 2, &data[..2]),
        );
        assert_eq!(l.len(), 3, "{l:?}");
        assert_eq!(
            l[1],
            "  4500001e 12340000 40115499 0a000001 0a000002 00010002"
        );
        assert!(l[2].starts_with("  000a"), "{l:?}");
        let l = lines(
            "TIMESTAMP false, PAYLOAD ascii",
            &tcp(A, B, 0x18, b"GET / HTTP/1.0\r\n"),
        );
        assert_eq!(l[1], "  GET / HT TP/1.0..");
        let l = lines(
            "TIMESTAMP false, PAYLOAD hex, MAXLENGTH 2",
            &udp(A, B, 1, 2, &[0xab, 0xcd, 0xef]),
        );
        assert_eq!(l[1], "  abcd");
    }

    #[test]
    fn inactive_and_unmarked_packets_print_nothing() {
        let mut e = IPPrint::configure("").unwrap();
        let pool = harness::pool();
        let out = Captured::leak();
        let cx = Context {
            console: out,
            ..harness::cx(pool)
        };
        let mut p = pool.alloc_with(&udp(A, B, 1, 2, &[])).unwrap();
        assert_eq!(e.process(&cx, 0, &mut p), Out::Port(0));
        e.write_handler("active", "false").unwrap();
        assert_eq!(e.read_handler("active"), Ok("false".into()));
        let mut p = marked(pool, &udp(A, B, 1, 2, &[]), 0);
        e.process(&cx, 0, &mut p);
        assert!(out.take().is_empty());
        let mut l = Line::new();
        for _ in 0..200 {
            let _ = l.write_str("\u{e9}abcd");
        }
        assert!(l.as_str().len() <= LINE && l.as_str().len() > LINE - 6);
    }

    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let bytes = match i % 4 {
            0 => tcp(A, B, i as u8, &[0; 3]),
            1 => udp(A, B, 1, i as u16, &[0; 3]),
            2 => icmp(A, B, i as u8 % 20, 0, &[0; 30]),
            _ => alloc::vec![0x45; i % 25],
        };
        let mut p = marked(pool, &bytes, 0);
        p.set_paint(i as u8);
        p
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["", "CONTENTS ascii, PAINT true", "PAYLOAD hex, ID true"] {
            let e = IPPrint::configure(cfg).unwrap();
            check_batch_path(&e, 0, 1, packet);
        }
    }
}
