//! Click's IP summary dump format: the text FromIPSummaryDump reads and
//! ToIPSummaryDump writes, one packet a line.
//!
//! ```text
//! !IPSummaryDump 1.3
//! !data timestamp ip_src ip_dst sport dport ip_proto ip_len
//! 1.000020 10.0.0.1 10.0.0.2 1234 80 T 60
//! ```
//!
//! A `!data` line names the fields of the lines that follow; `!proto` sets
//! the protocol of packets whose line gives none (TCP by default); `!flowid
//! SRC SPORT DST DPORT [PROTO]` gives addresses and ports to packets whose
//! line lacks them; other `!` and `#` lines are comments. A field written
//! `-`, or missing at the end of a line, is not given. Field names are
//! Click's, with its synonyms (`src` is `ip_src`, `ts` is `timestamp`,
//! `length` is `ip_len`, spaces may stand for underscores).
//!
//! [`Reader`] builds a packet from a line as Click does: an IPv4 header
//! (protocol from `!proto`, TTL 100) as soon as a network field is given,
//! a TCP, UDP or ICMP header as soon as a transport field is, the IP length
//! from `ip_len` (or the bytes present), the bytes the line describes but
//! does not hold (a 1500-byte `ip_len` with no payload) as extra length.
//! [`Writer`] prints the fields of a packet, `-` for one that does not
//! apply (ports of an ICMP packet, anything of a non-IP packet).
//!
//! Fields: `timestamp` (`utimestamp`, `ts`), `ntimestamp`, `ts_sec`
//! (`sec`), `ts_usec` (`usec`), `ts_usec1` (`usec1`), `first_timestamp`
//! (`first_ts`), `link`, `paint`, `direction`, `wire_len`; `ip_src`,
//! `ip_dst`, `ip_tos`, `ip_dscp`, `ip_ecn`, `ip_ttl`, `ip_frag`,
//! `ip_fragoff`, `ip_id`, `ip_sum`, `ip_proto` (`ip_p`), `ip_hl`, `ip_len`
//! (`length`), `ip_capture_len`, `sport`, `dport`; `tcp_seq`, `tcp_ack`,
//! `tcp_off`, `tcp_flags`, `tcp_window` (`tcp_win`), `tcp_urp`; `udp_len`;
//! `icmp_type`, `icmp_code`; `payload`, `payload_len`. `ip_opt`,
//! `tcp_opt`, `tcp_ntopt` and `tcp_sack` are read when they say "no
//! options" (`.`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use core::net::Ipv4Addr;

use nfc_dataplane::args::{split_words, unquote};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::ip::ip_header::{self, field, get16, put16, MF, OFFSET_MASK};
use crate::standard::set_timestamp::{first_timestamp, set_first_timestamp};
use crate::standard::truncate::{extra_length, set_extra_length};

/// The format version ToIPSummaryDump writes and FromIPSummaryDump
/// expects: `!IPSummaryDump 1.3`.
pub const VERSION: (u32, u32) = (1, 3);

const PROTO_DCCP: u8 = 33;
const PROTO_UDPLITE: u8 = 136;

/// One field of a summary line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Timestamp, `sec.usec`.
    Timestamp,
    /// Timestamp, read with up to nanosecond precision.
    NTimestamp,
    /// Seconds of the timestamp.
    TsSec,
    /// Microseconds of the timestamp.
    TsUsec,
    /// The timestamp in microseconds.
    TsUsec1,
    /// The first-timestamp annotation.
    FirstTimestamp,
    /// The paint annotation (`link`, `paint`).
    Link,
    /// The paint annotation, `>` for 0 and `<` for 1.
    Direction,
    /// The packet's length.
    WireLen,
    /// IP source address.
    IpSrc,
    /// IP destination address.
    IpDst,
    /// IP type of service.
    IpTos,
    /// IP DSCP (the TOS's upper 6 bits).
    IpDscp,
    /// IP ECN (the TOS's lower 2 bits): `no`, `ect1`, `ect2`, `ce`.
    IpEcn,
    /// IP time to live.
    IpTtl,
    /// Fragment kind: `F` first, `f` later, `!` DF, `.` not a fragment.
    IpFrag,
    /// Fragment offset in bytes, `+` for MF, `!` for DF.
    IpFragoff,
    /// IP identification.
    IpId,
    /// IP header checksum.
    IpSum,
    /// IP protocol: `T`, `U`, `I` or a number.
    IpProto,
    /// IP header length in bytes.
    IpHl,
    /// IP total length.
    IpLen,
    /// The part of the IP length present in the packet.
    IpCaptureLen,
    /// IP options (read only, and only `.`: none).
    IpOpt,
    /// TCP/UDP source port.
    Sport,
    /// TCP/UDP destination port.
    Dport,
    /// TCP sequence number.
    TcpSeq,
    /// TCP acknowledgement number.
    TcpAck,
    /// TCP header length in bytes.
    TcpOff,
    /// TCP flags: letters `FSRPAUECN`, `.` for none.
    TcpFlags,
    /// TCP window.
    TcpWindow,
    /// TCP urgent pointer.
    TcpUrp,
    /// TCP options, all (read only, and only `.`).
    TcpOpt,
    /// TCP options but padding and timestamps (read only, only `.`).
    TcpNtopt,
    /// TCP SACK options (read only, only `.`).
    TcpSack,
    /// UDP length.
    UdpLen,
    /// ICMP type.
    IcmpType,
    /// ICMP code.
    IcmpCode,
    /// The payload, as a quoted string.
    Payload,
    /// The payload's length.
    PayloadLen,
}

/// Canonical names, in Click's spelling.
const NAMES: &[(&str, Field)] = &[
    ("timestamp", Field::Timestamp),
    ("ntimestamp", Field::NTimestamp),
    ("ts_sec", Field::TsSec),
    ("ts_usec", Field::TsUsec),
    ("ts_usec1", Field::TsUsec1),
    ("first_timestamp", Field::FirstTimestamp),
    ("link", Field::Link),
    ("paint", Field::Link),
    ("direction", Field::Direction),
    ("wire_len", Field::WireLen),
    ("ip_src", Field::IpSrc),
    ("ip_dst", Field::IpDst),
    ("ip_tos", Field::IpTos),
    ("ip_dscp", Field::IpDscp),
    ("ip_ecn", Field::IpEcn),
    ("ip_ttl", Field::IpTtl),
    ("ip_frag", Field::IpFrag),
    ("ip_fragoff", Field::IpFragoff),
    ("ip_id", Field::IpId),
    ("ip_sum", Field::IpSum),
    ("ip_proto", Field::IpProto),
    ("ip_hl", Field::IpHl),
    ("ip_len", Field::IpLen),
    ("ip_capture_len", Field::IpCaptureLen),
    ("ip_opt", Field::IpOpt),
    ("sport", Field::Sport),
    ("dport", Field::Dport),
    ("tcp_seq", Field::TcpSeq),
    ("tcp_ack", Field::TcpAck),
    ("tcp_off", Field::TcpOff),
    ("tcp_flags", Field::TcpFlags),
    ("tcp_window", Field::TcpWindow),
    ("tcp_urp", Field::TcpUrp),
    ("tcp_opt", Field::TcpOpt),
    ("tcp_ntopt", Field::TcpNtopt),
    ("tcp_sack", Field::TcpSack),
    ("udp_len", Field::UdpLen),
    ("icmp_type", Field::IcmpType),
    ("icmp_code", Field::IcmpCode),
    ("payload", Field::Payload),
    ("payload_len", Field::PayloadLen),
];

/// Click's synonyms: name → the name it stands for.
const SYNONYMS: &[(&str, &str)] = &[
    ("utimestamp", "timestamp"),
    ("ts", "timestamp"),
    ("sec", "ts_sec"),
    ("usec", "ts_usec"),
    ("usec1", "ts_usec1"),
    ("first_utimestamp", "first_timestamp"),
    ("first_ts", "first_timestamp"),
    ("wire_length", "wire_len"),
    ("length", "ip_len"),
    ("ip_p", "ip_proto"),
    ("tcp_seqno", "tcp_seq"),
    ("tcp_ackno", "tcp_ack"),
    ("tcp_win", "tcp_window"),
    ("udp_length", "udp_len"),
    ("payload_length", "payload_len"),
];

impl Field {
    /// The field called `name`, through Click's synonyms and old
    /// spellings: a space for the first underscore (`"tcp seq"`), and
    /// names without an underscore standing for `ip_` ones (`src`).
    pub fn find(name: &str) -> Option<Field> {
        if let Some(&(_, to)) = SYNONYMS.iter().find(|(n, _)| *n == name) {
            return Field::find(to);
        }
        if let Some(&(_, f)) = NAMES.iter().find(|(n, _)| *n == name) {
            return Some(f);
        }
        if let Some((a, b)) = name.split_once(' ') {
            return Field::find(&format!("{a}_{b}"));
        }
        if !name.contains('_') && !name.is_empty() {
            return Field::find(&format!("ip_{name}"));
        }
        None
    }

    /// The field's canonical name (what a `!data` line says).
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|&&(_, f)| f == self)
            .map_or("none", |&(n, _)| n)
    }

    /// True when ToIPSummaryDump can write the field.
    pub fn writable(self) -> bool {
        !matches!(
            self,
            Field::IpOpt | Field::TcpOpt | Field::TcpNtopt | Field::TcpSack
        )
    }

    /// Click's injection order: annotations, then the IP header, then the
    /// transport header, then the payload (ties keep line order).
    fn order(self) -> i32 {
        use Field::*;
        match self {
            IpFrag => 298,
            IpFragoff | IpHl => 299,
            IpLen => 301,
            IpSum => 302,
            IpSrc | IpDst | IpTos | IpDscp | IpEcn | IpTtl | IpId | IpProto | IpOpt => 300,
            TcpOff => 399,
            TcpSack => 401,
            TcpNtopt => 402,
            TcpOpt => 403,
            Sport | Dport | TcpSeq | TcpAck | TcpFlags | TcpWindow | TcpUrp | UdpLen | IcmpType
            | IcmpCode => 400,
            Payload => 500,
            PayloadLen => 501,
            IpCaptureLen => 502,
            Timestamp | NTimestamp | TsSec | TsUsec | TsUsec1 | FirstTimestamp | Link
            | Direction | WireLen => 100,
        }
    }
}

/// Parses a field list (`FIELDS` of ToIPSummaryDump, a `!data` line):
/// space-separated names, quoted where they hold a space. Returns the
/// fields, `None` for each unknown name, with the names.
pub fn parse_fields(text: &str) -> Vec<(String, Option<Field>)> {
    split_words(text)
        .into_iter()
        .map(|(w, _)| {
            let name = unquote(&w);
            let f = Field::find(&name);
            (name, f)
        })
        .collect()
}

/// Parses a timestamp, `SEC[.FRAC]`, as nanoseconds (Click's `cp_time`;
/// digits past the ninth decimal are dropped).
pub fn parse_timestamp(s: &str) -> Option<u64> {
    let (sec, frac) = s.split_once('.').unwrap_or((s, ""));
    if sec.is_empty() && frac.is_empty() {
        return None;
    }
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !digits(sec) || !digits(frac) {
        return None;
    }
    let sec: u64 = if sec.is_empty() { 0 } else { sec.parse().ok()? };
    let mut ns = 0u64;
    for i in 0..9 {
        ns = ns * 10 + frac.as_bytes().get(i).map_or(0, |b| u64::from(b - b'0'));
    }
    sec.checked_mul(1_000_000_000)?.checked_add(ns)
}

/// Writes `ns` as Click prints a timestamp: `sec.usec`.
pub fn write_timestamp(out: &mut String, ns: u64) {
    let _ = write!(
        out,
        "{}.{:06}",
        ns / 1_000_000_000,
        ns % 1_000_000_000 / 1000
    );
}

/// Writes `bytes` as Click's `cp_quote`: double-quoted, with `\\`, `\"`,
/// `\$`, `\t`, `\r`, `\n` and three-digit octal escapes for other control
/// and non-ASCII bytes.
pub fn write_quoted(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for &b in bytes {
        match b {
            b'\\' | b'"' | b'$' => {
                out.push('\\');
                out.push(char::from(b));
            }
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            32..=126 => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\{}{}{}", b >> 6, (b >> 3) & 7, b & 7);
            }
        }
    }
    out.push('"');
}

/// The TCP flag letters, bit 0 (FIN) first.
const TCP_FLAG_LETTERS: &[u8; 9] = b"FSRPAUECN";

/// The flag bit of a letter, with the old `W` (CWR), `X` (ECE) and `Y`
/// (CWR) spellings.
fn tcp_flag_bit(c: u8) -> Option<u32> {
    let i = match c {
        b'W' | b'Y' => 7,
        b'X' => 6,
        _ => TCP_FLAG_LETTERS.iter().position(|&l| l == c)?,
    };
    Some(1 << i)
}

/// Splits a summary line into its fields: runs of non-space, with double
/// quotes (and backslash escapes inside them) kept whole.
fn line_fields(line: &str) -> Vec<&str> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            if b[i] == b'"' {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            i += 1;
        }
        let end = i.min(b.len());
        out.push(&line[start..end]);
        i = end;
    }
    out
}

/// A parsed field value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Num(u64),
    Bytes(Vec<u8>),
    /// Given as "none" (`.` options).
    Nothing,
}

/// Parses the text of `field` as FromIPSummaryDump does; `None` when it
/// does not parse (the field is then not given).
fn parse_value(field: Field, s: &str, minor_version: u32) -> Option<Value> {
    use Field::*;
    let num = |max: u64| {
        parse::unsigned::<u64>(s)
            .ok()
            .filter(|&v| v <= max)
            .map(Value::Num)
    };
    match field {
        Timestamp | NTimestamp | FirstTimestamp => parse_timestamp(s).map(Value::Num),
        TsSec | TsUsec | WireLen | TcpSeq | TcpAck | IpLen | IpCaptureLen | PayloadLen | UdpLen => {
            num(u64::from(u32::MAX))
        }
        TsUsec1 => num(u64::MAX),
        Link | Direction => match s {
            ">" => Some(Value::Num(0)),
            "<" => Some(Value::Num(1)),
            _ => num(u64::from(u32::MAX)),
        },
        IpSrc | IpDst => parse::ipv4(s)
            .ok()
            .map(|a| Value::Num(u64::from(u32::from(a)))),
        IpTos | IpDscp | IpTtl | IcmpType | IcmpCode => num(255),
        IpId | IpSum | Sport | Dport | TcpWindow | TcpUrp => num(65535),
        IpHl | TcpOff => num(60),
        IpEcn => match s {
            "0" | "no" | "-" => Some(Value::Num(0)),
            "1" | "ect1" | "ECT(1)" => Some(Value::Num(1)),
            "2" | "ect2" | "ECT(0)" => Some(Value::Num(2)),
            "3" | "ce" | "CE" => Some(Value::Num(3)),
            _ => None,
        },
        IpFrag | IpFragoff => parse_frag(s, minor_version).map(Value::Num),
        IpProto => match s {
            "T" => Some(Value::Num(u64::from(ip_header::PROTO_TCP))),
            "U" => Some(Value::Num(u64::from(ip_header::PROTO_UDP))),
            "I" => Some(Value::Num(u64::from(ip_header::PROTO_ICMP))),
            _ => num(255),
        },
        TcpFlags => {
            if s == "." {
                Some(Value::Num(0))
            } else if s.starts_with(|c: char| c.is_ascii_digit()) {
                num(0xfff)
            } else if s.is_empty() {
                None
            } else {
                s.bytes()
                    .try_fold(0u32, |v, c| Some(v | tcp_flag_bit(c)?))
                    .map(|v| Value::Num(u64::from(v)))
            }
        }
        IpOpt | TcpOpt | TcpNtopt | TcpSack => (s == ".").then_some(Value::Nothing),
        Payload => parse::data(s).ok().map(Value::Bytes),
    }
}

/// A fragment field: `.`, `!`, `F`, `f`, or an offset (bytes; 8-byte units
/// in version 1.0 dumps) followed by `+` (MF) and `!` (DF) marks. Returns
/// the flags-and-offset word.
fn parse_frag(s: &str, minor_version: u32) -> Option<u64> {
    match s {
        "." => return Some(0),
        "!" => return Some(u64::from(ip_header::DF)),
        "F" => return Some(u64::from(MF)),
        // Any later fragment: an arbitrary nonzero offset, as Click.
        "f" => return Some(100),
        _ => {}
    }
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 {
        return None;
    }
    let mut v: u64 = s[..end].parse().ok()?;
    if minor_version > 0 {
        v >>= 3;
    }
    for c in s[end..].bytes() {
        v |= match c {
            b'!' => u64::from(ip_header::DF),
            b'+' => u64::from(MF),
            _ => return None,
        };
    }
    Some(v & 0xffff)
}

/// A `!flowid` line: addresses and ports for packets that lack them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowId {
    /// Source address.
    pub src: Ipv4Addr,
    /// Source port.
    pub sport: u16,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Destination port.
    pub dport: u16,
}

/// Why a summary line gave no packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineError {
    /// No `!data` line (nor FIELDS) said what the fields are.
    NoFields,
    /// No field of the line parsed.
    Parse,
    /// The packet would not fit in a buffer.
    TooLong,
}

impl core::fmt::Display for LineError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            LineError::NoFields => "no '!data' provided",
            LineError::Parse => "packet parse error",
            LineError::TooLong => "packet longer than a buffer",
        })
    }
}

/// Parses a protocol as `!proto` gives it: `T`, `U`, `I`, a number or a
/// name Click knows (`tcp`, `udp`, `icmp`).
fn parse_proto(s: &str) -> Option<u8> {
    match s {
        "T" | "tcp" => Some(ip_header::PROTO_TCP),
        "U" | "udp" => Some(ip_header::PROTO_UDP),
        "I" | "icmp" => Some(ip_header::PROTO_ICMP),
        _ => parse::unsigned::<u8>(s).ok(),
    }
}

/// FromIPSummaryDump's reading state: the fields in force, the default
/// protocol and flow, the dump's version.
#[derive(Debug, Clone)]
pub struct Reader {
    /// The fields of a line, in order; `None` for a field that is ignored.
    fields: Vec<Option<Field>>,
    /// Indexes into `fields`, in injection order.
    order: Vec<usize>,
    /// The protocol of a new IP header.
    pub default_proto: u8,
    /// The `!flowid` (or FLOWID) in force.
    pub flowid: Option<FlowId>,
    /// The minor version of the dump (`!IPSummaryDump 1.x`).
    pub minor_version: u32,
    /// Compute IP and transport checksums (CHECKSUM).
    pub checksum: bool,
}

impl Reader {
    /// A reader with no fields yet, protocol `default_proto`.
    pub fn new(default_proto: u8, checksum: bool) -> Reader {
        Reader {
            fields: Vec::new(),
            order: Vec::new(),
            default_proto,
            flowid: None,
            minor_version: VERSION.1,
            checksum,
        }
    }

    /// Sets the fields from a `!data` line's words (without `!data`).
    /// Returns a warning for each name that is unknown or cannot be read.
    pub fn set_fields(&mut self, words: &str) -> Vec<String> {
        let mut warnings = Vec::new();
        self.fields.clear();
        for (i, (name, f)) in parse_fields(words).into_iter().enumerate() {
            if i == 0 && (name == "!data" || name == "!contents") {
                continue;
            }
            if f.is_none() {
                warnings.push(format!("unknown content type '{name}'"));
            }
            self.fields.push(f);
        }
        if self.fields.is_empty() {
            warnings.push("no contents specified".into());
        }
        let mut order: Vec<usize> = (0..self.fields.len()).collect();
        // A stable sort: equal orders keep line order.
        order.sort_by_key(|&i| self.fields[i].map_or(100, Field::order));
        self.order = order;
        warnings
    }

    /// True when fields have been set.
    pub fn has_fields(&self) -> bool {
        !self.fields.is_empty()
    }

    /// Handles a `!` line: `!data`/`!contents`, `!proto`, `!flowid`;
    /// others are comments. Returns warnings.
    pub fn bang_line(&mut self, line: &str) -> Vec<String> {
        let words: Vec<String> = split_words(line).into_iter().map(|w| w.0).collect();
        match words.first().map(String::as_str) {
            Some("!data" | "!contents") => self.set_fields(line),
            Some("!proto") => match words.get(1).and_then(|w| parse_proto(w)) {
                Some(p) if words.len() == 2 => {
                    self.default_proto = p;
                    Vec::new()
                }
                _ => alloc::vec!["bad !proto".into()],
            },
            Some("!flowid") => self.bang_flowid(&words),
            _ => Vec::new(),
        }
    }

    /// `!flowid SRC SPORT DST DPORT [PROTO]`; `-` leaves a part unset.
    fn bang_flowid(&mut self, words: &[String]) -> Vec<String> {
        let addr = |w: &str| {
            if w == "-" {
                Some(Ipv4Addr::UNSPECIFIED)
            } else {
                parse::ipv4(w).ok()
            }
        };
        let port = |w: &str| {
            if w == "-" {
                Some(0)
            } else {
                parse::unsigned::<u16>(w).ok()
            }
        };
        let parts = (words.len() >= 5).then(|| {
            (
                addr(&words[1]),
                port(&words[2]),
                addr(&words[3]),
                port(&words[4]),
            )
        });
        let Some((Some(src), Some(sport), Some(dst), Some(dport))) = parts else {
            self.flowid = None;
            return alloc::vec!["bad !flowid specification".into()];
        };
        self.flowid = Some(FlowId {
            src,
            sport,
            dst,
            dport,
        });
        match words.get(5) {
            Some(w) => match parse_proto(w) {
                Some(p) => {
                    self.default_proto = p;
                    Vec::new()
                }
                None => alloc::vec!["bad protocol in !flowid".into()],
            },
            None => Vec::new(),
        }
    }

    /// Builds the packet a summary line describes into `p` (empty on
    /// entry): fields injected in Click's order, then the IP length, UDP
    /// length, destination-address annotation, checksums (CHECKSUM) and
    /// extra length set.
    pub fn build(&self, line: &str, p: &mut Packet) -> Result<(), LineError> {
        if self.fields.is_empty() {
            return Err(LineError::NoFields);
        }
        let args = line_fields(line);
        let mut b = Builder {
            p,
            net_len: 0,
            want_len: 0,
            have_ip_hl: false,
            have_tcp_hl: false,
            default_proto: self.default_proto,
            flowid: self.flowid,
            failed: false,
        };
        let mut nfields = 0;
        for &i in &self.order {
            let (Some(f), Some(&text)) = (self.fields[i], args.get(i)) else {
                continue;
            };
            if text == "-" {
                continue;
            }
            if let Some(v) = parse_value(f, text, self.minor_version) {
                b.inject(f, &v);
                nfields += 1;
            }
        }
        if nfields == 0 {
            return Err(LineError::Parse);
        }
        if b.flowid.is_some() {
            b.make_ip(0);
        }
        if b.net_len > 0 {
            b.make_transp();
            b.finish_ip(self.checksum);
        }
        if b.failed {
            return Err(LineError::TooLong);
        }
        let len = b.p.len() as u32;
        if b.want_len > len {
            set_extra_length(b.p, b.want_len - len);
        }
        Ok(())
    }
}

/// A packet being built from a line (Click's `PacketOdesc`). The IP
/// header, once made, starts at offset 0 and is `net_len` bytes long.
struct Builder<'a> {
    p: &'a mut Packet,
    net_len: usize,
    want_len: u32,
    have_ip_hl: bool,
    have_tcp_hl: bool,
    default_proto: u8,
    flowid: Option<FlowId>,
    /// A buffer ran out of room.
    failed: bool,
}

impl Builder<'_> {
    /// Appends `n` zero bytes; false (and `failed`) when they do not fit.
    fn put(&mut self, n: usize) -> bool {
        let ok = self.p.put(n).is_some();
        self.failed |= !ok;
        ok
    }

    fn ip(&self) -> &[u8] {
        &self.p.data()[..self.net_len]
    }

    fn ip_mut(&mut self) -> &mut [u8] {
        let n = self.net_len;
        &mut self.p.data_mut()[..n]
    }

    fn proto(&self) -> u8 {
        self.ip()[field::PROTO]
    }

    fn transport_len(&self) -> usize {
        self.p.len() - self.net_len
    }

    /// Makes the IP header if there is none; true when there is one whose
    /// protocol is `proto` (or unset, or `proto` is 0).
    fn make_ip(&mut self, proto: u8) -> bool {
        if self.net_len == 0 {
            if !self.put(ip_header::MIN_LEN) {
                return false;
            }
            self.net_len = ip_header::MIN_LEN;
            let (default, flow) = (self.default_proto, self.flowid);
            let h = self.ip_mut();
            h[0] = 0x45;
            h[field::TTL] = 100;
            h[field::PROTO] = default;
            if let Some(f) = flow {
                h[field::SRC..field::SRC + 4].copy_from_slice(&f.src.octets());
                h[field::DST..field::DST + 4].copy_from_slice(&f.dst.octets());
            }
        }
        let p = self.proto();
        proto == 0 || p == 0 || p == proto
    }

    /// Makes the transport header of a first fragment if it is shorter
    /// than 8 bytes: 20 for TCP, 8 for UDP and ICMP, 12 for DCCP, cut to
    /// the IP length given. False for a later fragment.
    fn make_transp(&mut self) -> bool {
        if !ip_header::is_first_fragment(self.ip()) {
            return false;
        }
        if self.transport_len() >= 8 {
            return true;
        }
        let proto = self.proto();
        let mut len: i64 = match proto {
            ip_header::PROTO_TCP => 20,
            ip_header::PROTO_UDP | PROTO_UDPLITE | ip_header::PROTO_ICMP => 8,
            PROTO_DCCP => 12,
            _ => return true,
        };
        let want = i64::from(self.want_len);
        if want > 0 && want < self.net_len as i64 + len {
            len = want - self.net_len as i64;
        }
        let have = self.transport_len() as i64;
        if have < len {
            let xlen = len.max(4);
            if !self.put((xlen - have) as usize) {
                return false;
            }
            let (net, flow) = (self.net_len, self.flowid);
            let d = self.p.data_mut();
            if proto == ip_header::PROTO_TCP && len >= 13 {
                d[net + 12] = (d[net + 12] & 0x0f) | 0x50;
            }
            if let Some(f) = flow {
                put16(d, net, f.sport);
                put16(d, net + 2, f.dport);
            }
            if xlen > len {
                self.p.take((xlen - len) as usize);
            }
        }
        true
    }

    /// Writes `v` as a big-endian `N`-byte transport field at `at`, when
    /// the transport header holds it.
    fn put_transport<const N: usize>(&mut self, at: usize, v: u64) {
        let net = self.net_len;
        if self.transport_len() >= at + N {
            let bytes = v.to_be_bytes();
            self.p.data_mut()[net + at..net + at + N].copy_from_slice(&bytes[8 - N..]);
        }
    }

    /// Grows a header region ending at `end` to `new_len` bytes from
    /// `start` (IP options, TCP options), filling with EOL (0).
    fn grow_header(&mut self, start: usize, old_len: usize, new_len: usize) -> bool {
        let more = new_len - old_len;
        if !self.put(more) {
            return false;
        }
        let tail = self.p.len();
        let d = self.p.data_mut();
        // Move what followed the header (a payload) behind the new bytes.
        d.copy_within(start + old_len..tail - more, start + new_len);
        d[start + old_len..start + new_len].fill(0);
        true
    }

    fn inject(&mut self, f: Field, v: &Value) {
        use Field::*;
        let n = match *v {
            Value::Num(n) => n,
            _ => 0,
        };
        match f {
            Timestamp | NTimestamp => self.p.set_timestamp(n),
            TsSec => {
                let sub = self.p.timestamp() % 1_000_000_000;
                self.p.set_timestamp(n * 1_000_000_000 + sub);
            }
            TsUsec => {
                let sec = self.p.timestamp() / 1_000_000_000;
                self.p
                    .set_timestamp(sec * 1_000_000_000 + (n % 1_000_000) * 1000);
            }
            TsUsec1 => self.p.set_timestamp(n.saturating_mul(1000)),
            FirstTimestamp => set_first_timestamp(self.p, n),
            Link | Direction => self.p.set_paint(n as u8),
            WireLen => self.want_len = n as u32,
            IpSrc | IpDst | IpTos | IpDscp | IpEcn | IpTtl | IpFrag | IpFragoff | IpId | IpSum
            | IpProto | IpHl | IpLen | IpCaptureLen | IpOpt => self.inject_ip(f, n),
            Sport | Dport => {
                if !self.make_ip(0) || !self.make_transp() {
                    return;
                }
                let proto = self.proto();
                if proto != 0 && !has_ports(proto) {
                    return;
                }
                self.put_transport::<2>(if f == Sport { 0 } else { 2 }, n);
            }
            TcpSeq | TcpAck | TcpOff | TcpFlags | TcpWindow | TcpUrp | TcpOpt | TcpNtopt
            | TcpSack => self.inject_tcp(f, n),
            UdpLen => {
                if self.make_ip(ip_header::PROTO_UDP) && self.make_transp() {
                    self.put_transport::<2>(4, n);
                }
            }
            IcmpType | IcmpCode => {
                if self.make_ip(ip_header::PROTO_ICMP) && self.make_transp() {
                    self.put_transport::<1>(usize::from(f == IcmpCode), n);
                }
            }
            Payload | PayloadLen => self.inject_payload(f, v),
        }
    }

    fn inject_ip(&mut self, f: Field, n: u64) {
        use Field::*;
        if !self.make_ip(0) {
            return;
        }
        let h = self.ip_mut();
        match f {
            IpSrc => h[field::SRC..field::SRC + 4].copy_from_slice(&(n as u32).to_be_bytes()),
            IpDst => h[field::DST..field::DST + 4].copy_from_slice(&(n as u32).to_be_bytes()),
            IpTos => h[field::TOS] = n as u8,
            IpDscp => h[field::TOS] = (h[field::TOS] & 3) | ((n as u8) << 2),
            IpEcn => h[field::TOS] = (h[field::TOS] & 0xfc) | (n as u8 & 3),
            IpTtl => h[field::TTL] = n as u8,
            IpFrag | IpFragoff => put16(h, field::FRAG, n as u16),
            IpId => put16(h, field::ID, n as u16),
            IpSum => put16(h, field::CHECKSUM, n as u16),
            IpProto => h[field::PROTO] = n as u8,
            IpOpt => self.have_ip_hl = true,
            IpHl => {
                self.have_ip_hl = true;
                let v = ((n as usize) + 3) & !3;
                if v < ip_header::MIN_LEN {
                    return;
                }
                if v > self.net_len {
                    if !self.grow_header(0, self.net_len, v) {
                        return;
                    }
                    self.net_len = v;
                }
                let h = self.ip_mut();
                h[0] = 0x40 | (v / 4) as u8;
            }
            IpLen => self.want_len = n as u32,
            _ => {}
        }
    }

    fn inject_tcp(&mut self, f: Field, n: u64) {
        use Field::*;
        if !self.make_ip(ip_header::PROTO_TCP) || !self.make_transp() {
            return;
        }
        if self.transport_len() < 20 {
            // No room for a TCP header (the IP length cut it short).
            if matches!(f, TcpOpt | TcpNtopt | TcpSack) {
                self.have_tcp_hl = true;
            }
            return;
        }
        let net = self.net_len;
        match f {
            TcpSeq => self.put_transport::<4>(4, n),
            TcpAck => self.put_transport::<4>(8, n),
            TcpFlags => {
                let d = self.p.data_mut();
                d[net + 13] = n as u8;
                d[net + 12] = (d[net + 12] & 0xf0) | ((n >> 8) as u8 & 0x0f);
            }
            TcpOff => {
                let v = ((n as usize) + 3) & !3;
                let cur = usize::from(self.p.data()[net + 12] >> 4) * 4;
                if v < 20 {
                    return;
                }
                if v > cur && !self.grow_header(net, cur, v) {
                    return;
                }
                let d = self.p.data_mut();
                d[net + 12] = (d[net + 12] & 0x0f) | ((v / 4) as u8) << 4;
            }
            TcpWindow => self.put_transport::<2>(14, n),
            TcpUrp => self.put_transport::<2>(18, n),
            TcpOpt | TcpNtopt | TcpSack => self.have_tcp_hl = true,
            _ => {}
        }
    }

    /// Where the payload starts and how long the IP length says it is
    /// (Click's `payload_info`).
    fn payload_info(&self) -> (usize, u32) {
        if self.net_len == 0 {
            return (0, self.p.len() as u32);
        }
        let ip = self.ip();
        let mut off = self.net_len;
        if ip_header::is_first_fragment(ip) {
            match ip[field::PROTO] {
                ip_header::PROTO_TCP => {
                    let th_off = self
                        .p
                        .data()
                        .get(off + 12)
                        .map_or(0, |b| usize::from(b >> 4) * 4);
                    off += if self.transport_len() >= 13 && th_off >= 20 {
                        th_off
                    } else {
                        20
                    };
                }
                ip_header::PROTO_UDP | PROTO_UDPLITE => off += 8,
                _ => {}
            }
        }
        let len = (ip_header::total_len(ip) as u32).wrapping_sub(off as u32);
        (off, len)
    }

    /// Makes the IP length cover a payload of `plen` bytes at `off`: sets
    /// the wanted length when none was given, else pads the TCP and then
    /// the IP header with options (EOL) when the given length exceeds
    /// headers plus payload, as Click does.
    fn account_payload_len(&mut self, off: usize, plen: u32) {
        let ip_field = if self.net_len > 0 {
            ip_header::total_len(self.ip()) as u32
        } else {
            0
        };
        if self.net_len == 0 || (ip_field == 0 && self.want_len == 0) {
            self.want_len = off as u32 + plen;
            return;
        }
        let ip_len = if ip_field != 0 {
            ip_field
        } else {
            self.want_len
        };
        let mut delta = i64::from(ip_len) - (off as i64 + i64::from(plen));
        let net = self.net_len;
        if delta > 0
            && ip_header::is_first_fragment(self.ip())
            && self.proto() == ip_header::PROTO_TCP
            && !self.have_tcp_hl
            && self.transport_len() >= 20
            && self.p.data()[net + 12] >> 4 == 5
        {
            let th_delta = ((delta - (delta & 3)) as usize).min(40);
            if !self.grow_header(net, 20, 20 + th_delta) {
                return;
            }
            let d = self.p.data_mut();
            d[net + 12] = (d[net + 12] & 0x0f) | (((20 + th_delta) / 4) as u8) << 4;
            delta -= th_delta as i64;
        }
        if delta > 0 && !self.have_ip_hl && self.net_len == ip_header::MIN_LEN {
            let ip_delta = ((delta - (delta & 3)) as usize).min(40);
            if !self.grow_header(0, 20, 20 + ip_delta) {
                return;
            }
            self.net_len = 20 + ip_delta;
            let h = self.ip_mut();
            h[0] = 0x40 | (h.len() / 4) as u8;
        }
    }

    fn inject_payload(&mut self, f: Field, v: &Value) {
        if self.make_ip(0) {
            self.make_transp();
        }
        let (off, _) = self.payload_info();
        match (f, v) {
            (Field::Payload, Value::Bytes(bytes)) if !bytes.is_empty() => {
                self.account_payload_len(off, bytes.len() as u32);
                // The headers may have grown: the payload starts after them.
                let (off, _) = self.payload_info();
                let end = off + bytes.len();
                if self.p.len() < end && !self.put(end - self.p.len()) {
                    return;
                }
                self.p.data_mut()[off..end].copy_from_slice(bytes);
            }
            (Field::PayloadLen, Value::Num(n)) => self.account_payload_len(off, *n as u32),
            _ => {}
        }
    }

    /// Sets the IP length (from `ip_len`, else the bytes present), the UDP
    /// length, the destination-address annotation, and the checksums.
    fn finish_ip(&mut self, checksums: bool) {
        let mut ip_len = ip_header::total_len(self.ip()) as u32;
        if ip_len == 0 {
            ip_len = self.want_len;
            if ip_len > 0xffff {
                ip_len = 0xffff;
            } else if ip_len == 0 {
                ip_len = self.p.len() as u32;
            }
            put16(self.ip_mut(), field::LEN, ip_len as u16);
        }
        let net = self.net_len;
        if self.proto() == ip_header::PROTO_UDP
            && ip_header::is_first_fragment(self.ip())
            && self.transport_len() >= 6
            && get16(self.p.data(), net + 4) == 0
        {
            let udp_len = ip_len.saturating_sub(net as u32) as u16;
            put16(self.p.data_mut(), net + 4, udp_len);
        }
        let dst = ip_header::dst(self.ip());
        self.p.set_dst_ip(dst);
        self.p.set_network_header(0, net);
        if checksums {
            let have = self.p.len() as u32;
            if ip_len > have && !self.put((ip_len - have) as usize) {
                return;
            }
            set_checksums(self.p, net);
        }
    }
}

/// True for protocols whose first 4 transport bytes are ports.
fn has_ports(proto: u8) -> bool {
    matches!(
        proto,
        ip_header::PROTO_TCP | ip_header::PROTO_UDP | PROTO_DCCP | PROTO_UDPLITE
    )
}

/// Sets the IP header checksum, and the TCP, UDP or ICMP checksum of an
/// unfragmented packet, over the whole packet (IP header at 0, `hlen`
/// bytes).
fn set_checksums(p: &mut Packet, hlen: usize) {
    let data = p.data_mut();
    ip_header::set_checksum(data, hlen);
    if ip_header::is_fragment(data) {
        return;
    }
    let at = match data[field::PROTO] {
        ip_header::PROTO_TCP => 16,
        ip_header::PROTO_UDP => 6,
        ip_header::PROTO_ICMP => 2,
        _ => return,
    };
    if data.len() < hlen + at + 2 {
        return;
    }
    let (ip, l4) = data.split_at_mut(hlen);
    put16(l4, at, 0);
    let sum = if ip[field::PROTO] == ip_header::PROTO_ICMP {
        nfc_dataplane::checksum::checksum(l4)
    } else {
        ip_header::transport_checksum(ip, l4)
    };
    put16(l4, at, sum);
}

/// ToIPSummaryDump's formatting: the fields to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writer {
    /// The fields of each line.
    pub fields: Vec<Field>,
    /// Count extra-length annotations in lengths (EXTRA_LENGTH).
    pub extra_length: bool,
}

/// What ToIPSummaryDump sees of a packet's headers (Click's
/// `ip_prepare`): the IP header if it is sound, the transport header of a
/// first fragment, and how many trailing bytes lie past the IP length.
struct Desc<'a> {
    p: &'a Packet,
    /// The network header and what follows, without trailing padding.
    ip: Option<&'a [u8]>,
    hlen: usize,
    /// Transport bytes present (after the IP header, before padding).
    transport: &'a [u8],
    tcp: bool,
    udp: bool,
    icmp: bool,
    extra: u32,
    tailpad: usize,
}

impl<'a> Desc<'a> {
    fn new(p: &'a Packet) -> Desc<'a> {
        let mut d = Desc {
            p,
            ip: None,
            hlen: 0,
            transport: &[],
            tcp: false,
            udp: false,
            icmp: false,
            extra: extra_length(p),
            tailpad: 0,
        };
        let Some(net) = p.network() else {
            return d;
        };
        if net.len() < 4 || net[0] >> 4 != 4 || net[0] & 0x0f < 5 {
            return d;
        }
        let hlen = usize::from(net[0] & 0x0f) * 4;
        let ip_len = usize::from(get16(net, field::LEN));
        if ip_len < hlen {
            return d;
        }
        let mut net = net;
        if net.len() > ip_len {
            d.tailpad = net.len() - ip_len;
            net = &net[..ip_len];
        }
        // Lengths come from the IP length: the extra length is spent.
        if d.extra > 0 {
            let full = net.len() as u32 + d.extra;
            d.extra = if ip_len != 0xffff || full <= 0xffff {
                0
            } else {
                full - 0xffff
            };
        }
        d.ip = Some(net);
        d.hlen = hlen;
        if net.len() > hlen && net.len() >= ip_header::MIN_LEN && ip_header::is_first_fragment(net)
        {
            d.transport = &net[hlen..];
            match net[field::PROTO] {
                ip_header::PROTO_TCP => {
                    d.tcp = !(d.transport.len() > 12 && d.transport[12] >> 4 < 5);
                }
                ip_header::PROTO_UDP => d.udp = true,
                ip_header::PROTO_ICMP => d.icmp = true,
                _ => {}
            }
        }
        d
    }

    /// The IP header, when at least `need` bytes of it are there.
    fn ip_with(&self, need: usize) -> Option<&'a [u8]> {
        self.ip.filter(|ip| ip.len() >= need)
    }

    fn length(&self) -> usize {
        self.p.len() - self.tailpad
    }
}

impl Writer {
    /// The header ToIPSummaryDump writes: the version line, `!creator`
    /// with `banner`, and the `!data` line.
    pub fn header(&self, banner: Option<&str>) -> String {
        let mut s = format!("!IPSummaryDump {}.{}\n", VERSION.0, VERSION.1);
        if let Some(b) = banner {
            s.push_str("!creator ");
            write_quoted(&mut s, b.as_bytes());
            s.push('\n');
        }
        s.push_str("!data");
        for f in &self.fields {
            s.push(' ');
            // A text dump calls nanosecond timestamps plain timestamps.
            s.push_str(if *f == Field::NTimestamp {
                "timestamp"
            } else {
                f.name()
            });
        }
        s.push('\n');
        s
    }

    /// Appends the summary line of `p`, newline included, to `out`.
    pub fn line(&self, p: &Packet, out: &mut String) {
        let d = Desc::new(p);
        for (i, &f) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            if !self.field(&d, f, out) {
                out.push('-');
            }
        }
        out.push('\n');
    }

    /// Writes field `f` of `d`; false when it does not apply.
    fn field(&self, d: &Desc, f: Field, out: &mut String) -> bool {
        use Field::*;
        let p = d.p;
        let ts = p.timestamp();
        let num = |out: &mut String, v: u64| {
            let _ = write!(out, "{v}");
            true
        };
        match f {
            Timestamp | NTimestamp => {
                write_timestamp(out, ts);
                true
            }
            TsSec => num(out, ts / 1_000_000_000),
            TsUsec => num(out, ts % 1_000_000_000 / 1000),
            TsUsec1 => num(out, ts / 1000),
            FirstTimestamp => {
                write_timestamp(out, first_timestamp(p));
                true
            }
            Link => num(out, u64::from(p.paint())),
            Direction => {
                match p.paint() {
                    0 => out.push('>'),
                    1 => out.push('<'),
                    n => {
                        let _ = write!(out, "{n}");
                    }
                }
                true
            }
            WireLen => num(out, p.len() as u64),
            IpLen => {
                let len =
                    d.ip.map_or(d.length() as u64, |ip| u64::from(get16(ip, field::LEN)));
                let extra = if self.extra_length { d.extra } else { 0 };
                num(out, len + u64::from(extra))
            }
            IpCaptureLen => {
                let present = d.ip.map_or(d.length(), <[u8]>::len);
                let len = d.ip.map_or(present, ip_header::total_len);
                num(out, len.min(present) as u64)
            }
            Sport | Dport => {
                let need = if f == Sport { 2 } else { 4 };
                match d.ip {
                    Some(ip)
                        if d.hlen >= ip_header::MIN_LEN
                            && has_ports(ip[field::PROTO])
                            && d.transport.len() >= need =>
                    {
                        num(out, u64::from(get16(d.transport, need - 2)))
                    }
                    _ => false,
                }
            }
            TcpSeq | TcpAck | TcpOff | TcpFlags | TcpWindow | TcpUrp => {
                let t = d.transport;
                let need = match f {
                    TcpSeq => 8,
                    TcpAck => 12,
                    TcpOff => 13,
                    TcpFlags => 14,
                    TcpWindow => 16,
                    _ => 20,
                };
                if !d.tcp || t.len() < need {
                    return false;
                }
                let be32 = |at: usize| {
                    u64::from(u32::from_be_bytes([t[at], t[at + 1], t[at + 2], t[at + 3]]))
                };
                match f {
                    TcpSeq => num(out, be32(4)),
                    TcpAck => num(out, be32(8)),
                    TcpOff => num(out, u64::from(t[12] >> 4) * 4),
                    TcpFlags => {
                        write_tcp_flags(out, u32::from(t[13]) | (u32::from(t[12] & 0x0f) << 8));
                        true
                    }
                    TcpWindow => num(out, u64::from(get16(t, 14))),
                    _ => num(out, u64::from(get16(t, 18))),
                }
            }
            UdpLen => {
                if d.udp && d.transport.len() >= 6 {
                    num(out, u64::from(get16(d.transport, 4)))
                } else {
                    false
                }
            }
            IcmpType | IcmpCode => {
                let at = usize::from(f == IcmpCode);
                match d.transport.get(at) {
                    Some(&v) if d.icmp => num(out, u64::from(v)),
                    _ => false,
                }
            }
            Payload | PayloadLen => self.payload(d, f, out),
            IpOpt | TcpOpt | TcpNtopt | TcpSack => false,
            _ => self.ip_field(d, f, out),
        }
    }

    /// The IP header fields.
    fn ip_field(&self, d: &Desc, f: Field, out: &mut String) -> bool {
        use Field::*;
        let need = match f {
            IpSrc => 16,
            IpDst => 20,
            IpTos | IpDscp | IpEcn => 2,
            IpTtl => 9,
            IpFrag | IpFragoff => 8,
            IpId => 6,
            IpSum => 12,
            IpProto => 10,
            _ => 1,
        };
        let Some(ip) = d.ip_with(need) else {
            return false;
        };
        let n = |v: u64| -> String { format!("{v}") };
        let text = match f {
            IpSrc => format!("{}", ip_header::src(ip)),
            IpDst => format!("{}", ip_header::dst(ip)),
            IpTos => n(ip[field::TOS].into()),
            IpDscp => n((ip[field::TOS] >> 2).into()),
            IpEcn => String::from(["no", "ect1", "ect2", "ce"][usize::from(ip[field::TOS] & 3)]),
            IpTtl => n(ip[field::TTL].into()),
            IpFrag => String::from(if ip_header::is_fragment(ip) {
                if ip_header::is_first_fragment(ip) {
                    "F"
                } else {
                    "f"
                }
            } else if get16(ip, field::FRAG) & ip_header::DF != 0 {
                "!"
            } else {
                "."
            }),
            IpFragoff => {
                let v = get16(ip, field::FRAG);
                let mut s = n(u64::from(v & OFFSET_MASK) << 3);
                if v & MF != 0 {
                    s.push('+');
                }
                if v & ip_header::DF != 0 {
                    s.push('!');
                }
                s
            }
            IpId => n(get16(ip, field::ID).into()),
            IpSum => n(get16(ip, field::CHECKSUM).into()),
            IpProto => match ip[field::PROTO] {
                ip_header::PROTO_TCP => "T".into(),
                ip_header::PROTO_UDP => "U".into(),
                ip_header::PROTO_ICMP => "I".into(),
                v => n(v.into()),
            },
            _ => n(u64::from(ip[0] & 0x0f) * 4),
        };
        out.push_str(&text);
        true
    }

    /// `payload` and `payload_len` (Click's `payload_info`).
    fn payload(&self, d: &Desc, f: Field, out: &mut String) -> bool {
        let (off, len) = match d.ip {
            Some(ip) => {
                let net_off = d.p.network_offset().unwrap_or(0);
                let mut off = net_off + d.hlen;
                if ip_header::is_first_fragment(ip) {
                    match ip[field::PROTO] {
                        ip_header::PROTO_TCP => {
                            let th = d.transport.get(12).map_or(0, |b| usize::from(b >> 4) * 4);
                            off += if d.transport.len() >= 13 && th >= 20 {
                                th
                            } else {
                                20
                            };
                        }
                        ip_header::PROTO_UDP | PROTO_UDPLITE => off += 8,
                        _ => {}
                    }
                }
                let len = (ip_header::total_len(ip) as i64) - (off - net_off) as i64;
                (off, len)
            }
            None => (0, d.length() as i64),
        };
        if f == Field::PayloadLen {
            let extra = if d.ip.is_none() || self.extra_length {
                i64::from(d.extra)
            } else {
                0
            };
            let _ = write!(out, "{}", (len + extra) as u32);
            return true;
        }
        if len != 0 && off >= d.p.len() {
            return false;
        }
        // A negative length wraps in Click: everything present is shown.
        let len = if len < 0 { d.length() as i64 } else { len };
        let end = (off as i64 + len).min(d.length() as i64) as usize;
        write_quoted(out, d.p.data().get(off..end.max(off)).unwrap_or_default());
        true
    }
}

/// Writes TCP flags as Click: `.` for none, `PA` and `A` as such, else the
/// letters of the bits set, FIN first.
pub fn write_tcp_flags(out: &mut String, flags: u32) {
    match flags {
        0 => out.push('.'),
        0x18 => out.push_str("PA"),
        0x10 => out.push('A'),
        _ => {
            for (i, &c) in TCP_FLAG_LETTERS.iter().enumerate() {
                if flags & (1 << i) != 0 {
                    out.push(char::from(c));
                }
            }
        }
    }
}

/// Parses ToIPSummaryDump's FIELDS: every name must be a field it can
/// write. Returns the fields, or the first bad name.
pub fn writer_fields(text: &str) -> Result<Vec<Field>, String> {
    let mut out = Vec::new();
    for (name, f) in parse_fields(text) {
        match f {
            Some(f) if f.writable() => out.push(f),
            Some(_) => return Err(format!("field '{name}' cannot be written by nfc")),
            None => return Err(format!("unknown content type '{name}'")),
        }
    }
    if out.is_empty() {
        return Err("no contents specified".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nfc_dataplane::packet::PacketPool;

    fn pool() -> &'static PacketPool {
        PacketPool::new(8)
    }

    /// Builds the packet of `line` under `data` and writes it with `fields`.
    fn roundtrip(data: &str, line: &str, fields: &str) -> String {
        let mut r = Reader::new(ip_header::PROTO_TCP, false);
        assert!(r.bang_line(data).is_empty());
        let mut p = pool().alloc().unwrap();
        r.build(line, &mut p).unwrap();
        let w = Writer {
            fields: writer_fields(fields).unwrap(),
            extra_length: true,
        };
        let mut s = String::new();
        w.line(&p, &mut s);
        s
    }

    #[test]
    fn names_and_synonyms() {
        assert_eq!(Field::find("src"), Some(Field::IpSrc));
        assert_eq!(Field::find("ts"), Some(Field::Timestamp));
        assert_eq!(Field::find("length"), Some(Field::IpLen));
        assert_eq!(Field::find("tcp seq"), Some(Field::TcpSeq));
        assert_eq!(Field::find("paint"), Some(Field::Link));
        assert_eq!(Field::find("bogus_field"), None);
        assert_eq!(Field::IpSrc.name(), "ip_src");
        assert!(writer_fields("src dst tcp_opt").is_err());
        assert!(writer_fields("nonsense").is_err());
        assert!(writer_fields("").is_err());
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1.00002"), Some(1_000_020_000));
        assert_eq!(parse_timestamp("0.05"), Some(50_000_000));
        assert_eq!(parse_timestamp("7"), Some(7_000_000_000));
        assert_eq!(parse_timestamp("1.2.3"), None);
        assert_eq!(parse_timestamp("x"), None);
        let mut s = String::new();
        write_timestamp(&mut s, 1_000_020_000);
        assert_eq!(s, "1.000020");
    }

    #[test]
    fn quoting() {
        let mut s = String::new();
        write_quoted(&mut s, b"Hi\0\"$\\\n\xff");
        assert_eq!(s, "\"Hi\\000\\\"\\$\\\\\\n\\377\"");
    }

    #[test]
    fn tcp_packet_like_ipprint_01() {
        let data = "!data timestamp src dst sport dport proto ip_len ip_hl tcp_off tcp_flags";
        let fields = "timestamp src dst sport dport proto ip_len ip_hl tcp_off tcp_flags";
        assert_eq!(
            roundtrip(data, "1.00002 1.0.0.1 1.0.0.2 10 20 T 1500 40 20 A", fields),
            "1.000020 1.0.0.1 1.0.0.2 10 20 T 1500 40 20 A\n"
        );
        assert_eq!(
            roundtrip(
                data,
                "1.00004 1.0.0.3 1.0.0.4 30 40 T 1000 20 40 SF",
                fields
            ),
            "1.000040 1.0.0.3 1.0.0.4 30 40 T 1000 20 40 FS\n"
        );
        let mut r = Reader::new(ip_header::PROTO_TCP, false);
        r.bang_line(data);
        let mut p = pool().alloc().unwrap();
        r.build("1.00005 1.0.0.4 1.0.0.5 40 50 T 1000 32 40 A", &mut p)
            .unwrap();
        assert_eq!(p.len(), 72, "32-byte IP header, 40-byte TCP header");
        assert_eq!(extra_length(&p), 928);
        assert_eq!(p.network_header_len(), Some(32));
        assert_eq!(p.dst_ip(), Ipv4Addr::new(1, 0, 0, 5));
    }

    #[test]
    fn payload_and_lengths_like_pad_01() {
        let data = "!data ip_src ip_opt tcp_opt ip_len payload";
        let fields = "paint ip_src ip_len ip_capture_len payload";
        assert_eq!(
            roundtrip(data, "1.0.0.1 . . 50 \"HiFart\"", fields),
            "0 1.0.0.1 50 46 \"HiFart\"\n"
        );
        assert_eq!(
            roundtrip(data, "1.0.0.2 . . - \"HiFart\"", fields),
            "0 1.0.0.2 46 46 \"HiFart\"\n"
        );
        // Without "no options", the headers grow to fill the IP length.
        assert_eq!(
            roundtrip(
                "!data ip_src ip_len payload",
                "1.0.0.1 50 \"HiFart\"",
                "ip_len tcp_off ip_hl payload"
            ),
            "50 24 20 \"HiFart\"\n"
        );
    }

    #[test]
    fn missing_fields_print_dashes() {
        let data = "!data link ip_src";
        assert_eq!(roundtrip(data, "3 1.0.0.3", "link ip_src"), "3 1.0.0.3\n");
        let mut r = Reader::new(9, false);
        r.bang_line("!data timestamp src dst ip_ecn");
        let mut p = pool().alloc().unwrap();
        r.build("1.5 1.0.0.1 1.0.0.2 ect1", &mut p).unwrap();
        let w = Writer {
            fields: writer_fields("ts ip_ecn proto sport tcp_flags udp_len payload_len").unwrap(),
            extra_length: true,
        };
        let mut s = String::new();
        w.line(&p, &mut s);
        assert_eq!(s, "1.500000 ect1 9 - - - 0\n");
        // A packet with no IP header has only annotations.
        let q = pool().alloc_with(&[1, 2, 3]).unwrap();
        s.clear();
        w.line(&q, &mut s);
        assert_eq!(s, "0.000000 - - - - - 3\n");
    }

    #[test]
    fn udp_ports_flowid_and_checksums() {
        let mut r = Reader::new(ip_header::PROTO_TCP, true);
        assert!(r.bang_line("!flowid 10.0.0.1 5 10.0.0.2 6 U").is_empty());
        r.bang_line("!data ip_len");
        let mut p = pool().alloc().unwrap();
        r.build("100", &mut p).unwrap();
        assert_eq!(p.len(), 100, "CHECKSUM fills the packet to its IP length");
        let ip = p.data();
        assert_eq!(ip[field::PROTO], ip_header::PROTO_UDP);
        assert_eq!((get16(ip, 20), get16(ip, 22), get16(ip, 24)), (5, 6, 80));
        assert_eq!(nfc_dataplane::checksum::checksum(&ip[..20]), 0);
        assert_eq!(ip_header::transport_checksum(ip, &ip[20..]), 0);
    }

    #[test]
    fn bad_lines_and_bang_lines() {
        let mut r = Reader::new(ip_header::PROTO_TCP, false);
        let mut p = pool().alloc().unwrap();
        assert_eq!(r.build("1 2", &mut p), Err(LineError::NoFields));
        let w = r.bang_line("!data ip_src whatever");
        assert_eq!(w, ["unknown content type 'whatever'"]);
        assert_eq!(r.build("not-an-address 7", &mut p), Err(LineError::Parse));
        assert_eq!(r.bang_line("!proto U"), Vec::<String>::new());
        assert_eq!(r.default_proto, ip_header::PROTO_UDP);
        assert_eq!(r.bang_line("!proto"), ["bad !proto"]);
        assert_eq!(
            r.bang_line("!flowid 1.2.3.4"),
            ["bad !flowid specification"]
        );
        assert!(r.bang_line("!creator \"x\"").is_empty());
        // An over-long payload does not fit a buffer: the line is refused.
        let mut r = Reader::new(ip_header::PROTO_TCP, false);
        r.bang_line("!data payload");
        let big = format!("\"{}\"", "x".repeat(3000));
        let mut p = pool().alloc().unwrap();
        assert_eq!(r.build(&big, &mut p), Err(LineError::TooLong));
    }

    #[test]
    fn flags_fragments_and_header_lines() {
        let data = "!data ip_src tcp_flags ip_fragoff ip_frag direction";
        assert_eq!(
            roundtrip(
                data,
                "1.0.0.1 SAN 16+ . <",
                "tcp_flags ip_fragoff ip_frag direction"
            ),
            "- 16+ f <\n",
            "a later fragment has no TCP header",
        );
        assert_eq!(
            roundtrip(
                data,
                "1.0.0.1 PA 0! . >",
                "tcp_flags ip_fragoff ip_frag direction"
            ),
            "PA 0! ! >\n"
        );
        assert_eq!(
            roundtrip(data, "1.0.0.1 FSRPAUECN 0 . 7", "tcp_flags"),
            "FSRPAUECN\n"
        );
        let w = Writer {
            fields: writer_fields("ntimestamp src").unwrap(),
            extra_length: true,
        };
        assert_eq!(
            w.header(Some("a \"b\"")),
            "!IPSummaryDump 1.3\n!creator \"a \\\"b\\\"\"\n!data timestamp ip_src\n"
        );
    }
}
