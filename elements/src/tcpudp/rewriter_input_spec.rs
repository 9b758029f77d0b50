//! IPRewriter-family input specifications and keywords, shared by
//! IPRewriter, TCPRewriter, UDPRewriter, IPAddrRewriter,
//! IPAddrPairRewriter, ICMPPingRewriter, IPRewriterPatterns and
//! RoundRobinIPMapper.
//!
//! An input spec is one of
//!
//! ```text
//! drop | discard
//! pass [OUTPUT] | passthrough [OUTPUT] | nochange [OUTPUT]
//! keep FOUTPUT ROUTPUT
//! pattern SADDR SPORT DADDR DPORT FOUTPUT ROUTPUT    (also 'xpattern')
//! pattern SADDR DADDR FOUTPUT ROUTPUT                 (address-only)
//! pattern NAME FOUTPUT ROUTPUT                        (IPRewriterPatterns)
//! MAPPER                                              (an IPMapper element)
//! ```
//!
//! Pattern fields may be `-` (leave unchanged). SADDR may be a range
//! `A-B` or a prefix `A/LEN` (the hosts of the prefix except its first and
//! last address); SPORT may be a range `L-H`. A range may end in `#`
//! (allocate sequentially) or `?` (pick at random, without first trying
//! the packet's own value).

use alloc::{format, string::String, vec::Vec};
use core::net::Ipv4Addr;
use core::ops::Range;
use core::time::Duration;

use nfc_dataplane::args::{split_words, Arg, Args, ConfigError};
use nfc_dataplane::parse::{self, ParseError};

use nfc_dataplane::packet::{ANNO_SIZE, PAINT_ANNO};

use crate::ip::arg_types::anno;
use crate::ip::flow_table::MAX_CAPACITY;
use crate::Ports;

/// How a value is chosen from a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Keep the packet's own value if it is in range and free, else pick
    /// at random (the default).
    PreferSame,
    /// Pick at random (`?`).
    Random,
    /// Allocate in order (`#`).
    Sequential,
}

/// A pattern's source address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrSpec {
    /// `-`: unchanged.
    Keep,
    /// One address.
    Fixed(Ipv4Addr),
    /// Any address in `low..=high`.
    Range {
        /// First address.
        low: Ipv4Addr,
        /// Last address.
        high: Ipv4Addr,
        /// How one is chosen.
        choice: Choice,
    },
}

/// A pattern's source port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortSpec {
    /// `-`: unchanged.
    Keep,
    /// One port.
    Fixed(u16),
    /// Any port in `low..=high`.
    Range {
        /// First port.
        low: u16,
        /// Last port.
        high: u16,
        /// How one is chosen.
        choice: Choice,
    },
}

/// A rewrite pattern, `SADDR SPORT DADDR DPORT` (or `SADDR DADDR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern {
    /// New source address.
    pub saddr: AddrSpec,
    /// New source port ([`PortSpec::Keep`] for address-only patterns).
    pub sport: PortSpec,
    /// New destination address, `None` for unchanged.
    pub daddr: Option<Ipv4Addr>,
    /// New destination port, `None` for unchanged.
    pub dport: Option<u16>,
    /// True when the pattern names ports (NAPT), false for address-only.
    pub napt: bool,
}

/// Click's unparse of a pattern (the `patterns` handler): `SADDR SPORT
/// DADDR DPORT`, or `SADDR DADDR` for an address-only pattern; ranges as
/// `L-H`.
impl core::fmt::Display for Pattern {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.saddr {
            AddrSpec::Keep => f.write_str("-")?,
            AddrSpec::Fixed(a) => write!(f, "{a}")?,
            AddrSpec::Range { low, high, .. } => write!(f, "{low}-{high}")?,
        }
        if self.napt {
            match self.sport {
                PortSpec::Keep => f.write_str(" -")?,
                PortSpec::Fixed(p) => write!(f, " {p}")?,
                PortSpec::Range { low, high, .. } => write!(f, " {low}-{high}")?,
            }
        }
        match self.daddr {
            None => f.write_str(" -")?,
            Some(a) => write!(f, " {a}")?,
        }
        if self.napt {
            match self.dport {
                None => f.write_str(" -")?,
                Some(p) => write!(f, " {p}")?,
            }
        }
        Ok(())
    }
}

/// A pattern written inline or named by IPRewriterPatterns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternRef {
    /// Written in place.
    Inline(Pattern),
    /// The name of a pattern defined by an IPRewriterPatterns element.
    Named(String),
}

/// What a rewriter does with a packet of a new flow on one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSpec {
    /// `drop`, `discard`.
    Drop,
    /// `pass N`: emit unchanged on output N, install no mapping.
    Pass(u32),
    /// `keep F R`: install identity mappings.
    Keep {
        /// Output for the flow.
        foutput: u32,
        /// Output for the reply flow.
        routput: u32,
    },
    /// `pattern …`: install mappings that rewrite by the pattern.
    Pattern {
        /// The pattern.
        pattern: PatternRef,
        /// Output for the flow.
        foutput: u32,
        /// Output for the reply flow.
        routput: u32,
    },
    /// The name of an IPMapper element (e.g. RoundRobinIPMapper).
    Mapper(String),
}

type Word = (String, Range<usize>);

fn at(base: usize, r: &Range<usize>) -> Option<Range<usize>> {
    Some(base + r.start..base + r.end)
}

fn split_choice(s: &str) -> (&str, Choice) {
    if let Some(t) = s.strip_suffix('#') {
        (t, Choice::Sequential)
    } else if let Some(t) = s.strip_suffix('?') {
        (t, Choice::Random)
    } else {
        (s, Choice::PreferSame)
    }
}

/// Parses a source-address field.
pub fn addr_spec(s: &str) -> Result<AddrSpec, ParseError> {
    if s == "-" {
        return Ok(AddrSpec::Keep);
    }
    if let Ok(a) = parse::ipv4(s) {
        return Ok(AddrSpec::Fixed(a));
    }
    let bad = || {
        ParseError::expected("source address", s)
            .with_hint("write -, an address, a range 10.0.0.1-10.0.0.9 or a prefix 10.0.0.0/24")
    };
    let (body, choice) = split_choice(s);
    if let Some((a, b)) = body.split_once('-') {
        let (lo, hi) = (
            parse::ipv4(a).map_err(|_| bad())?,
            parse::ipv4(b).map_err(|_| bad())?,
        );
        if u32::from(hi) < u32::from(lo) {
            return Err(ParseError::new(format!("address range {s} is empty")));
        }
        return Ok(AddrSpec::Range {
            low: lo,
            high: hi,
            choice,
        });
    }
    let p = parse::ip_prefix(body).map_err(|_| bad())?;
    let (net, mask) = (u32::from(p.network()), u32::from(p.mask()));
    if p.addr.is_unspecified() || mask == 0 {
        return Err(bad());
    }
    Ok(match p.len {
        32 => AddrSpec::Fixed(p.addr),
        31 => AddrSpec::Range {
            low: Ipv4Addr::from(net),
            high: Ipv4Addr::from(net | 1),
            choice,
        },
        _ => AddrSpec::Range {
            low: Ipv4Addr::from(net | 1),
            high: Ipv4Addr::from((net | !mask) - 1),
            choice,
        },
    })
}

/// Parses a source-port field.
pub fn port_spec(s: &str) -> Result<PortSpec, ParseError> {
    if s == "-" {
        return Ok(PortSpec::Keep);
    }
    let (body, choice) = split_choice(s);
    if let Some((a, b)) = body.split_once('-') {
        let lo = parse::unsigned::<u16>(a)?;
        let hi = parse::unsigned::<u16>(b)?;
        if hi < lo {
            return Err(ParseError::new(format!("port range {s} is empty")));
        }
        return Ok(PortSpec::Range {
            low: lo,
            high: hi,
            choice,
        });
    }
    nonzero_port(s).map(PortSpec::Fixed)
}

fn nonzero_port(s: &str) -> Result<u16, ParseError> {
    match parse::unsigned::<u16>(s)? {
        0 => Err(ParseError::new("port 0 is not allowed here")),
        p => Ok(p),
    }
}

fn field<T>(
    w: &Word,
    base: usize,
    what: &str,
    f: impl Fn(&str) -> Result<T, ParseError>,
) -> Result<T, ConfigError> {
    f(&w.0).map_err(|e| ConfigError {
        span: at(base, &w.1),
        message: format!("bad {what}: {}", e.message),
        hint: e.hint,
    })
}

fn opt_addr(s: &str) -> Result<Option<Ipv4Addr>, ParseError> {
    if s == "-" {
        Ok(None)
    } else {
        parse::ipv4(s).map(Some)
    }
}

fn opt_port(s: &str) -> Result<Option<u16>, ParseError> {
    if s == "-" {
        Ok(None)
    } else {
        nonzero_port(s).map(Some)
    }
}

/// Parses pattern words (1, 2, 3 or 4 of them) that start at byte `base`
/// of the configuration; `whole` is the span to blame for a wrong count.
fn pattern_words(
    words: &[Word],
    base: usize,
    whole: Range<usize>,
) -> Result<PatternRef, ConfigError> {
    let (s, sp, d, dp) = match words {
        [name] => {
            return if name
                .0
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '/' || c == '@')
            {
                Ok(PatternRef::Named(name.0.clone()))
            } else {
                Err(ConfigError::new(
                    at(base, &name.1),
                    format!("'{}' is not a pattern name", name.0),
                ))
            }
        }
        [s, d] => (s, None, d, None),
        // Click reads a three-word pattern as SADDR DADDR SPORT.
        [s, d, sp] => (s, Some(sp), d, None),
        [s, sp, d, dp] => (s, Some(sp), d, Some(dp)),
        _ => {
            return Err(
                ConfigError::new(Some(whole), "a pattern is SADDR SPORT DADDR DPORT")
                    .with_hint("e.g. pattern 10.0.0.1 1024-65535 - - 0 1"),
            )
        }
    };
    Ok(PatternRef::Inline(Pattern {
        saddr: field(s, base, "source address", addr_spec)?,
        sport: match sp {
            Some(w) => field(w, base, "source port", port_spec)?,
            None => PortSpec::Keep,
        },
        daddr: field(d, base, "destination address", opt_addr)?,
        dport: match dp {
            Some(w) => field(w, base, "destination port", opt_port)?,
            None => None,
        },
        napt: sp.is_some(),
    }))
}

/// Parses `PATTERN FOUTPUT ROUTPUT` (words starting at byte `base`).
fn pattern_with_ports(
    words: &[Word],
    base: usize,
    whole: Range<usize>,
) -> Result<(PatternRef, u32, u32), ConfigError> {
    let n = words.len();
    if n < 3 {
        return Err(
            ConfigError::new(Some(whole), "expected a pattern, then FOUTPUT and ROUTPUT")
                .with_hint("e.g. pattern 10.0.0.1 1024-65535 - - 0 1"),
        );
    }
    let pattern = pattern_words(&words[..n - 2], base, whole)?;
    let f = field(
        &words[n - 2],
        base,
        "forward output",
        parse::unsigned::<u32>,
    )?;
    let r = field(&words[n - 1], base, "reply output", parse::unsigned::<u32>)?;
    Ok((pattern, f, r))
}

fn raw<'a>(arg: &'a Arg, config: &'a str) -> &'a str {
    config.get(arg.span.clone()).unwrap_or(&arg.text)
}

/// Parses one input spec (argument `arg` of `config`).
pub fn parse_input_spec(arg: &Arg, config: &str) -> Result<InputSpec, ConfigError> {
    let text = raw(arg, config);
    let base = arg.span.start;
    let words = split_words(text);
    let whole = arg.span.clone();
    let Some((first, rest)) = words.split_first() else {
        return Err(ConfigError::new(Some(whole), "empty input spec"));
    };
    match first.0.as_str() {
        "drop" | "discard" => match rest.first() {
            None => Ok(InputSpec::Drop),
            Some(w) => Err(ConfigError::new(at(base, &w.1), format!("'{}' takes no arguments", first.0))),
        },
        "pass" | "passthrough" | "nochange" => match rest {
            [] => Ok(InputSpec::Pass(0)),
            [w] => Ok(InputSpec::Pass(field(w, base, "output", parse::unsigned::<u32>)?)),
            [_, w, ..] => Err(ConfigError::new(at(base, &w.1), format!("expected '{} [OUTPUT]'", first.0))),
        },
        "keep" => match rest {
            [f, r] => Ok(InputSpec::Keep {
                foutput: field(f, base, "forward output", parse::unsigned::<u32>)?,
                routput: field(r, base, "reply output", parse::unsigned::<u32>)?,
            }),
            _ => Err(ConfigError::new(Some(whole), "expected 'keep FOUTPUT ROUTPUT'")),
        },
        "pattern" | "xpattern" => {
            let (pattern, foutput, routput) = pattern_with_ports(rest, base, whole)?;
            Ok(InputSpec::Pattern { pattern, foutput, routput })
        }
        w if rest.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '/' || c == '@') => {
            Ok(InputSpec::Mapper(w.into()))
        }
        w => Err(ConfigError::new(at(base, &first.1), format!("unknown input spec '{w}'"))
            .with_hint("an input spec is drop, pass N, keep F R, pattern … F R, or a mapper element's name")),
    }
}

/// Parses `PATTERN FOUTPUT ROUTPUT` as one argument (RoundRobinIPMapper).
pub fn parse_pattern_with_ports(
    arg: &Arg,
    config: &str,
) -> Result<(PatternRef, u32, u32), ConfigError> {
    let words = split_words(raw(arg, config));
    pattern_with_ports(&words, arg.span.start, arg.span.clone())
}

/// Parses `NAME PATTERN` as one argument (IPRewriterPatterns).
pub fn parse_named_pattern(arg: &Arg, config: &str) -> Result<(String, Pattern), ConfigError> {
    let words = split_words(raw(arg, config));
    let base = arg.span.start;
    match words.split_first() {
        Some((name, rest)) if rest.len() >= 2 => match pattern_words(rest, base, arg.span.clone())?
        {
            PatternRef::Inline(p) => Ok((name.0.clone(), p)),
            PatternRef::Named(_) => Err(ConfigError::new(
                Some(arg.span.clone()),
                "expected NAME SADDR SPORT DADDR DPORT",
            )),
        },
        _ => Err(ConfigError::new(
            Some(arg.span.clone()),
            "expected NAME SADDR SPORT DADDR DPORT",
        )
        .with_hint("e.g. to_world 10.0.0.1 1024-65535 - -")),
    }
}

/// Reads every remaining positional argument as an input spec, with its
/// span; at least one is required (one per input port).
fn read_input_specs(args: &mut Args) -> (Vec<InputSpec>, Vec<Range<usize>>) {
    let config = String::from(args.config());
    let (mut specs, mut spans) = (Vec::new(), Vec::new());
    let rest = args.rest();
    if rest.is_empty() {
        args.error(
            ConfigError::new(None, "need at least one input spec, one per input port")
                .with_hint("e.g. pattern 10.0.0.1 1024-65535 - - 0 1"),
        );
    }
    for arg in rest {
        match parse_input_spec(&arg, &config) {
            Ok(s) => {
                specs.push(s);
                spans.push(arg.span.clone());
            }
            Err(e) => args.error(e),
        }
    }
    (specs, spans)
}

/// The flows a rewriter holds unless MAPPING_CAPACITY says otherwise.
pub const DEFAULT_CAPACITY: u32 = 4096;

/// Parses MAPPING_CAPACITY: a number of flows. Click also takes another
/// rewriter's name there, to share its capacity; nfc says so plainly.
fn capacity(s: &str) -> Result<u32, ParseError> {
    match parse::unsigned::<u32>(s) {
        Ok(n) if (1..=MAX_CAPACITY).contains(&n) => Ok(n),
        Ok(_) => Err(
            ParseError::new("MAPPING_CAPACITY must be between 1 and 16777216").with_hint(
                "each flow takes about 100 bytes, allocated when the rewriter is configured",
            ),
        ),
        Err(e) if s.bytes().next().is_some_and(|b| b.is_ascii_digit()) => Err(e),
        Err(_) => Err(ParseError::new(format!(
            "sharing another rewriter's capacity ({s}) is not supported"
        ))
        .with_hint("give each rewriter a number of flows")),
    }
}

/// The byte offset of a one-byte annotation named as REPLY_ANNO takes it:
/// `PAINT` (`PAINT_ANNO`) or an offset into the annotation area.
pub fn byte_anno(s: &str) -> Result<usize, ParseError> {
    let name = anno(s)?;
    match name.strip_suffix("_ANNO").unwrap_or(&name) {
        "PAINT" => Ok(PAINT_ANNO),
        _ => match parse::unsigned::<usize>(s) {
            Ok(off) if off < ANNO_SIZE => Ok(off),
            _ => Err(ParseError::expected("a one-byte annotation", s)
                .with_hint("PAINT, or a byte offset from 0 to 47")),
        },
    }
}

/// What every rewriter reads: its input specs and Click's IPRewriterBase
/// keywords (CAPACITY, MAPPING_CAPACITY, TIMEOUT, GUARANTEE, REAP_INTERVAL,
/// REAP_TIME) with DST_ANNO and REPLY_ANNO, which every rewriter also takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewriterBase {
    /// One input spec per input port.
    pub inputs: Vec<InputSpec>,
    /// Where each input spec is in the configuration.
    pub spans: Vec<Range<usize>>,
    /// MAPPING_CAPACITY (or CAPACITY): the most flows held. Default
    /// [`DEFAULT_CAPACITY`].
    pub capacity: u32,
    /// How often expired flows are removed (REAP_INTERVAL). Default 15 minutes.
    pub reap_interval: Duration,
    /// The class's flow timeout (TIMEOUT); its default depends on the class.
    pub timeout: Duration,
    /// Minimum life of a flow after each packet (GUARANTEE). Default 5 seconds.
    pub guarantee: Duration,
    /// Set the destination IP annotation to the new destination (DST_ANNO).
    /// Default true.
    pub dst_anno: bool,
    /// Mark reply-direction packets in the one-byte annotation at this
    /// offset (REPLY_ANNO).
    pub reply_anno: Option<usize>,
}

/// The keywords [`RewriterBase::read`] takes, for specs' keyword lists.
pub const BASE_KEYWORDS: [&str; 8] = [
    "CAPACITY",
    "MAPPING_CAPACITY",
    "TIMEOUT",
    "GUARANTEE",
    "REAP_INTERVAL",
    "REAP_TIME",
    "DST_ANNO",
    "REPLY_ANNO",
];

/// The handlers every rewriter has (Click's IPRewriterBase), with nfc's
/// `evicted` and `malformed`.
macro_rules! base_handlers {
    ($($h:literal),*) => {
        &[
            $($h,)*
            "nmappings (read)",
            "mapping_failures (read)",
            "patterns (read)",
            "size (read)",
            "capacity (read/write)",
            "clear (write)",
            "patternN (read/write)",
            "evicted (read)",
            "malformed (read)",
        ]
    };
}

/// The handlers of the rewriters with one table: `table` (and Click's
/// older name, `mappings`), then the base's.
pub const HANDLERS: &[&str] = base_handlers!("table (read)", "mappings (read)");

/// IPRewriter's handlers: a table each for TCP and UDP (and Click's older
/// names), then the base's.
pub const IP_REWRITER_HANDLERS: &[&str] = base_handlers!(
    "tcp_table (read)",
    "udp_table (read)",
    "tcp_mappings (read)",
    "udp_mappings (read)"
);

impl RewriterBase {
    /// Reads the input specs and the shared keywords; `timeout` is the
    /// class's default flow timeout. Class keywords that refine TIMEOUT or
    /// GUARANTEE (UDP_TIMEOUT, TCP_GUARANTEE, …) take precedence; the class
    /// reads them after this.
    pub fn read(args: &mut Args, timeout: Duration) -> RewriterBase {
        let c1 = args.read("CAPACITY", capacity);
        let c2 = args.read("MAPPING_CAPACITY", capacity);
        let r1 = args.read("REAP_TIME", parse::duration);
        let r2 = args.read("REAP_INTERVAL", parse::duration);
        let timeout = args.read("TIMEOUT", parse::duration).unwrap_or(timeout);
        let guarantee = seconds(args, "GUARANTEE", 5);
        let dst_anno = args.read("DST_ANNO", parse::boolean).unwrap_or(true);
        let reply_anno = args.read("REPLY_ANNO", byte_anno);
        let (inputs, spans) = read_input_specs(args);
        RewriterBase {
            inputs,
            spans,
            capacity: c2.or(c1).unwrap_or(DEFAULT_CAPACITY),
            reap_interval: r2.or(r1).unwrap_or(Duration::from_secs(15 * 60)),
            timeout,
            guarantee,
            dst_anno,
            reply_anno,
        }
    }

    /// Reports, on `args`, every input spec whose pattern changes ports:
    /// the address rewriters (IPAddrRewriter, IPAddrPairRewriter) change
    /// addresses only.
    pub fn addresses_only(&self, args: &mut Args, class: &str) {
        for (spec, span) in self.inputs.iter().zip(&self.spans) {
            if let InputSpec::Pattern {
                pattern: PatternRef::Inline(p),
                ..
            } = spec
            {
                if p.sport != PortSpec::Keep || p.dport.is_some() {
                    args.error(
                        ConfigError::new(
                            Some(span.clone()),
                            format!("{class} changes addresses only, not ports"),
                        )
                        .with_hint("write the pattern as SADDR DADDR FOUTPUT ROUTPUT"),
                    );
                }
            }
        }
    }

    /// The ports the input specs fix: one input per spec, and outputs up to
    /// the highest output a spec sends to.
    pub fn ports(&self) -> Ports {
        let outputs = self
            .inputs
            .iter()
            .map(|s| match s {
                InputSpec::Pass(o) => o + 1,
                InputSpec::Keep { foutput, routput }
                | InputSpec::Pattern {
                    foutput, routput, ..
                } => foutput.max(routput) + 1,
                InputSpec::Drop | InputSpec::Mapper(_) => 1,
            })
            .max()
            .unwrap_or(1);
        let n = self.inputs.len() as u32;
        Ports {
            inputs: Some((n, Some(n))),
            outputs: Some((outputs, None)),
            reason: "from the input specs",
        }
    }
}

/// The TCP flow timeouts IPRewriter and TCPRewriter share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpTimeouts {
    /// Flows with data both ways (TCP_TIMEOUT or TIMEOUT). Default 24 hours.
    pub timeout: Duration,
    /// Flows without data both ways (TCP_NODATA_TIMEOUT). Default 5 minutes.
    pub nodata: Duration,
    /// Finished flows (TCP_DONE_TIMEOUT). Default 4 minutes.
    pub done: Duration,
    /// Minimum life of a flow after each packet (TCP_GUARANTEE or
    /// GUARANTEE). Default 5 seconds.
    pub guarantee: Duration,
}

impl TcpTimeouts {
    /// TCP flows' default timeout, for [`RewriterBase::read`]: 24 hours.
    pub const DEFAULT: Duration = Duration::from_secs(86400);

    /// Reads TCP_TIMEOUT, TCP_NODATA_TIMEOUT, TCP_DONE_TIMEOUT and
    /// TCP_GUARANTEE; TIMEOUT and GUARANTEE, already in `base`, stand in for
    /// the first and the last.
    pub fn read(args: &mut Args, base: &RewriterBase) -> TcpTimeouts {
        TcpTimeouts {
            timeout: args
                .read("TCP_TIMEOUT", parse::duration)
                .unwrap_or(base.timeout),
            nodata: seconds(args, "TCP_NODATA_TIMEOUT", 300),
            done: seconds(args, "TCP_DONE_TIMEOUT", 240),
            guarantee: args
                .read("TCP_GUARANTEE", parse::duration)
                .unwrap_or(base.guarantee),
        }
    }
}

/// Reads a duration keyword with a default.
pub fn seconds(args: &mut Args, keyword: &'static str, default: u64) -> Duration {
    args.read(keyword, parse::duration)
        .unwrap_or(Duration::from_secs(default))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn spec(s: &str) -> Result<InputSpec, ConfigError> {
        let arg = Arg {
            text: s.into(),
            span: 0..s.len(),
        };
        parse_input_spec(&arg, s)
    }

    #[test]
    fn specs() {
        assert_eq!(spec("drop").unwrap(), InputSpec::Drop);
        assert_eq!(spec("discard").unwrap(), InputSpec::Drop);
        assert_eq!(spec("pass 1").unwrap(), InputSpec::Pass(1));
        assert_eq!(spec("nochange").unwrap(), InputSpec::Pass(0));
        assert_eq!(
            spec("keep 0 1").unwrap(),
            InputSpec::Keep {
                foutput: 0,
                routput: 1
            }
        );
        assert_eq!(
            spec("rr_mapper").unwrap(),
            InputSpec::Mapper("rr_mapper".into())
        );
        let InputSpec::Pattern {
            pattern: PatternRef::Inline(p),
            foutput: 0,
            routput: 1,
        } = spec("pattern 1.0.0.1 1024-65535# - - 0 1").unwrap()
        else {
            panic!()
        };
        assert_eq!(p.saddr, AddrSpec::Fixed(Ipv4Addr::new(1, 0, 0, 1)));
        assert_eq!(
            p.sport,
            PortSpec::Range {
                low: 1024,
                high: 65535,
                choice: Choice::Sequential
            }
        );
        assert_eq!((p.daddr, p.dport, p.napt), (None, None, true));
        let InputSpec::Pattern {
            pattern: PatternRef::Inline(p),
            ..
        } = spec("pattern 10.0.0.0/24? - 0 0").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            p.saddr,
            AddrSpec::Range {
                low: Ipv4Addr::new(10, 0, 0, 1),
                high: Ipv4Addr::new(10, 0, 0, 254),
                choice: Choice::Random
            }
        );
        assert!(!p.napt);
        assert_eq!(
            spec("pattern to_world 0 1").unwrap(),
            InputSpec::Pattern {
                pattern: PatternRef::Named("to_world".into()),
                foutput: 0,
                routput: 1
            }
        );
        let InputSpec::Pattern {
            pattern: PatternRef::Inline(p),
            ..
        } = spec("pattern - - 2.0.0.2 80 0 1").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (p.daddr, p.dport),
            (Some(Ipv4Addr::new(2, 0, 0, 2)), Some(80))
        );
    }

    #[test]
    fn bad_specs() {
        let cases = [
            ("pattern 1.0.0.1 99999 - - 0 1", "99999", "bad source port"),
            (
                "pattern 1.0.0.x 1024 - - 0 1",
                "1.0.0.x",
                "bad source address",
            ),
            (
                "pattern 1.0.0.1 2000-1000 - - 0 1",
                "2000-1000",
                "bad source port: port range 2000-1000 is empty",
            ),
            ("pattern 1.0.0.1 1024 - 0 0 1", "0", "bad destination port"),
            ("pattern 1.0.0.1 1024 - - x 1", "x", "bad forward output"),
            ("keep 0", "keep 0", "expected 'keep FOUTPUT ROUTPUT'"),
            ("drop 3", "3", "'drop' takes no arguments"),
            (
                "frobnicate 1 2",
                "frobnicate",
                "unknown input spec 'frobnicate'",
            ),
            (
                "pattern 0 1",
                "pattern 0 1",
                "expected a pattern, then FOUTPUT and ROUTPUT",
            ),
            (
                "pattern a b c d e 0 1",
                "pattern a b c d e 0 1",
                "a pattern is SADDR SPORT DADDR DPORT",
            ),
        ];
        for (s, spanned, msg) in cases {
            let e = spec(s).unwrap_err();
            assert!(e.message.starts_with(msg), "{s}: {}", e.message);
            assert_eq!(&s[e.span.clone().unwrap()], spanned, "{s}");
        }
    }

    #[test]
    fn named() {
        let s = "to_world 10.0.0.1 1024-65535 - -";
        let arg = Arg {
            text: s.into(),
            span: 0..s.len(),
        };
        let (n, p) = parse_named_pattern(&arg, s).unwrap();
        assert_eq!(n, "to_world");
        assert!(p.napt);
        assert_eq!(p.to_string(), "10.0.0.1 1024-65535 - -");
        assert_eq!(capacity("100"), Ok(100));
        assert!(capacity("1x").is_err());
        assert!(capacity("0").is_err());
        assert!(capacity("other_rw")
            .unwrap_err()
            .message
            .contains("not supported"));
        assert_eq!(byte_anno("PAINT"), Ok(PAINT_ANNO));
        assert_eq!(byte_anno("20"), Ok(20));
        assert!(byte_anno("48").is_err() && byte_anno("DST_IP").is_err());
    }

    /// Every rewriter class, through its spec's check.
    const REWRITERS: [&crate::ElementSpec; 6] = [
        &crate::tcpudp::ip_rewriter::SPEC,
        &crate::tcpudp::tcp_rewriter::SPEC,
        &crate::tcpudp::udp_rewriter::SPEC,
        &crate::icmp::icmp_ping_rewriter::SPEC,
        &crate::ip::ip_addr_rewriter::SPEC,
        &crate::ip::ip_addr_pair_rewriter::SPEC,
    ];

    #[test]
    fn every_rewriter_reads_the_base() {
        for spec in REWRITERS {
            let cfg = "pattern 10.0.0.1 - - - 0 3, drop, pass 1, \
                       TIMEOUT 30, GUARANTEE 2, MAPPING_CAPACITY 1000, DST_ANNO false";
            let ports = (spec.check)(cfg).unwrap_or_else(|e| panic!("{}: {e:?}", spec.class));
            assert_eq!(ports.inputs, Some((3, Some(3))), "{}", spec.class);
            assert_eq!(ports.outputs, Some((4, None)), "{}", spec.class);
            let mut args = Args::new(cfg);
            let base = RewriterBase::read(&mut args, Duration::from_secs(1));
            args.complete().unwrap();
            assert_eq!(base.inputs.len(), 3);
            assert_eq!(base.inputs[1], InputSpec::Drop);
            assert_eq!((base.timeout.as_secs(), base.guarantee.as_secs()), (30, 2));
            assert_eq!(base.capacity, 1000);
            assert_eq!(base.spans.len(), 3);
            assert!(!base.dst_anno);
        }
    }

    #[test]
    fn every_rewriter_reports_every_bad_spec() {
        for spec in REWRITERS {
            let cfg = "pattern 10.0.0.1 99999 - - 0 1, keep 0, REAP_INTERVAL x";
            let e = (spec.check)(cfg).unwrap_err().0;
            assert_eq!(e.len(), 3, "{}: {e:?}", spec.class);
            let mut spans: Vec<&str> = e.iter().map(|x| &cfg[x.span.clone().unwrap()]).collect();
            spans.sort();
            assert_eq!(spans, ["99999", "keep 0", "x"], "{}", spec.class);
            let e = (spec.check)("").unwrap_err().0;
            assert_eq!(
                e[0].message,
                "need at least one input spec, one per input port"
            );
        }
    }
}
