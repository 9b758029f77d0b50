//! # DNSServer — an authoritative DNS server over UDP
//!
//! ```click
//! DNSServer(ZONE FILE [ORIGIN], ZONE FILE [ORIGIN]…, [KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: push (`h/h`).
//!
//! Answers DNS queries from the zones in its zone files, in place: each
//! IPv4/UDP packet on the input whose destination port is PORT becomes
//! the response, with the IP addresses and UDP ports swapped, the lengths
//! set, the TTL set to 64, the fragment field cleared and both checksums
//! computed, and leaves on output 0. The destination IP annotation is set
//! to the new destination. The IP header annotation must be set
//! (CheckIPHeader or IPClassifier before it); a link-level header in front
//! is left as it is (EtherMirror or ARPQuerier after it).
//!
//! Answers follow RFC 1034 §4.3.2: exact matches; CNAMEs followed inside
//! the zone (at most 8, loops stopped); wildcards (RFC 4592, closest
//! encloser); NXDOMAIN and NODATA with the zone's SOA in the authority
//! section, its TTL the smaller of the SOA's TTL and MINIMUM (RFC 2308);
//! referrals at and below delegations (NS in authority, glue in
//! additional, AA clear); the addresses of NS, MX and SRV targets the zone
//! holds in the additional section. Names match case-insensitively and
//! the question keeps the query's case; names are compressed. EDNS(0)
//! (RFC 6891): the response is at most the client's UDP size and
//! EDNS_SIZE (512 without EDNS), carries an OPT record of its own
//! advertising EDNS_SIZE with the query's DO bit, and a version above 0
//! gets BADVERS. A response that does not fit leaves out the RRset that
//! overflowed and everything after it and sets TC; additional addresses
//! that do not fit are left out without TC (glue of a referral sets TC).
//! Names outside every zone, and classes other than IN and ANY, get
//! REFUSED; queries that cannot be parsed (QDCOUNT not 1, records in the
//! answer or authority section, compression pointers or bad labels in the
//! question, a cut-short or bad additional section, two OPT records) get a
//! bare FORMERR header; opcodes other than QUERY get a bare NOTIMP header,
//! the zone-transfer types AXFR, IXFR, MAILA and MAILB get NOTIMP. QTYPE
//! ANY returns every RRset of the name.
//!
//! Packets that are not IPv4/UDP to PORT, fragments, datagrams whose
//! lengths disagree with the IP header, DNS responses (QR set) and
//! messages shorter than a DNS header are dropped and counted in `drops`.
//! The UDP checksum of a query is not checked (CheckUDPHeader does).
//!
//! Zone files are RFC 1035 master files: `$ORIGIN`, `$TTL`, `@`, relative
//! names, omitted owners, TTLs and classes, parentheses across lines, `;`
//! comments, quoted strings and `\X` / `\DDD` escapes; records A, AAAA,
//! CNAME, NS, SOA, MX, TXT, SRV, PTR and CAA, class IN. The apex is the
//! SOA record's owner. `$INCLUDE` is refused.
//!
//! ## Keywords
//! - `ZONE` *file [origin]* — a zone file, and the origin its relative
//!   names start from until an `$ORIGIN` (an absolute name); repeatable,
//!   at least one. Two zones with the same apex are an error.
//! - `EDNS_SIZE` *unsigned* — the largest UDP response sent with EDNS,
//!   and the size advertised; 512 to 4096, default 1232 (as NSD's).
//! - `PORT` *unsigned* — the UDP port answered; default 53.
//!
//! ## Handlers
//! - `queries` (read) — responses sent.
//! - `noerror`, `nxdomain`, `refused`, `formerr`, `notimp`, `badvers`,
//!   `servfail` (read) — responses sent with that rcode (`servfail` stays
//!   0: an authoritative answer from memory does not fail).
//! - `truncated` (read) — responses sent with TC.
//! - `drops` (read) — packets dropped.
//! - `zones` (read) — one line per zone: its apex and record count.
//! - `reset` (write) — zero the counters.
//!
//! ## Examples
//! ```click
//! ip :: IPClassifier(udp dst port 53, -);
//! ip[0] -> DNSServer(ZONE example.com.zone, ZONE 2.0.192.in-addr.arpa.zone)
//!       -> EtherMirror -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - Click has no DNS server; DNSServer is nfc's own.
//! - Zone files are read when the configuration is built: from disk on
//!   linux and in `nfc check`, from the image in compiled unikernels
//!   (`configure_with_files`). `configure` alone checks the keywords and
//!   serves no zone.
//! - Answers are minimal: the authority section of a positive answer is
//!   empty (NSD's and Knot's `minimal-responses`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;

use nfc_dataplane::args::{self, Args, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::files::ConfigFiles;
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::answer::{respond, Rcode, Reply, CLASSIC_UDP};
use super::name;
use super::zone::Zone;
use crate::ip::ip_header::{self, field, get16, put16, PROTO_UDP};
use crate::{ElementSpec, Ports};

/// The output answers leave on.
const ANSWERS: usize = 0;
/// The TTL of responses.
const REPLY_TTL: u8 = 64;

/// DNSServer's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// NOERROR responses (answers, referrals, NODATA).
    pub noerror: u64,
    /// FORMERR responses.
    pub formerr: u64,
    /// NXDOMAIN responses.
    pub nxdomain: u64,
    /// NOTIMP responses.
    pub notimp: u64,
    /// REFUSED responses.
    pub refused: u64,
    /// BADVERS responses.
    pub badvers: u64,
    /// Responses with TC set.
    pub truncated: u64,
    /// Packets dropped.
    pub drops: u64,
}

impl Counters {
    /// Every response sent.
    pub fn queries(&self) -> u64 {
        self.noerror + self.formerr + self.nxdomain + self.notimp + self.refused + self.badvers
    }
}

/// One `ZONE` argument: the file, the origin, and where it is in the
/// configuration.
struct ZoneArg {
    file: String,
    origin: Option<Vec<u8>>,
    span: Option<Range<usize>>,
}

/// DNSServer's zones, settings and counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DNSServer {
    zones: Vec<Zone>,
    edns_size: u16,
    port: u16,
    /// What it has done.
    pub counters: Counters,
}

/// Parses one `ZONE` value: a file name and an optional absolute origin.
fn zone_arg(value: &str) -> Result<(String, Option<Vec<u8>>), args::ParseError> {
    let words = args::split_words(value);
    match &words[..] {
        [(file, _)] => Ok((args::unquote(file), None)),
        [(file, _), (origin, _)] => {
            if !origin.ends_with('.') {
                return Err(args::ParseError::new(format!(
                    "the origin \"{origin}\" is not absolute"
                ))
                .with_hint("end the origin with a dot: example.com."));
            }
            let o = name::parse(origin.as_bytes(), None)
                .map_err(|e| args::ParseError::new(e.message))?;
            Ok((args::unquote(file), Some(o)))
        }
        _ => Err(args::ParseError::new("expected FILE [ORIGIN]")
            .with_hint("ZONE example.com.zone, or ZONE example.zone example.com.")),
    }
}

impl DNSServer {
    /// Reads the keywords: the `ZONE` arguments and the settings.
    fn keywords(config: &str) -> Result<(Vec<ZoneArg>, u16, u16), ConfigErrors> {
        let mut a = Args::new(config);
        let zones = a.read_all("ZONE", zone_arg);
        let edns_size = a.read("EDNS_SIZE", parse::unsigned::<u16>).unwrap_or(1232);
        let port = a.read("PORT", parse::unsigned::<u16>).unwrap_or(53);
        if !(CLASSIC_UDP..=4096).contains(&edns_size) {
            let span = a.span_of("EDNS_SIZE");
            a.error(
                ConfigError::new(span, "EDNS_SIZE: must be 512 to 4096")
                    .with_hint("1232 avoids fragmentation on most paths"),
            );
        }
        // The spans of the ZONE arguments, in order, for errors in files.
        let spans: Vec<Range<usize>> = args::split(config)
            .into_iter()
            .filter(|arg| arg.text.split_whitespace().next() == Some("ZONE"))
            .map(|arg| arg.span)
            .collect();
        if spans.is_empty() {
            a.error(
                ConfigError::new(None, "no ZONE: DNSServer serves at least one zone")
                    .with_hint("DNSServer(ZONE example.com.zone)"),
            );
        }
        a.complete()?;
        let aligned = spans.len() == zones.len();
        let zones = zones
            .into_iter()
            .enumerate()
            .map(|(i, (file, origin))| ZoneArg {
                file,
                origin,
                span: aligned.then(|| spans[i].clone()),
            })
            .collect();
        Ok((zones, edns_size, port))
    }

    /// Checks the keywords only, reading no file: a DNSServer that serves
    /// no zone (it refuses every query). Elements that answer are built
    /// with [`DNSServer::configure_with_files`].
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let (_, edns_size, port) = Self::keywords(config)?;
        Ok(DNSServer {
            zones: Vec::new(),
            edns_size,
            port,
            counters: Counters::default(),
        })
    }

    /// Reads the configuration and loads every zone file it names from
    /// `files`. A file that cannot be read or a zone with an error is a
    /// configuration error at its `ZONE` argument, whose message is
    /// `ZONE: FILE:LINE:COLUMN: what` (line and column in the zone file,
    /// from 1) with the zone parser's hint ([`Zone::parse`] gives the same
    /// as a [`ZoneError`](super::zone::ZoneError)); every zone is loaded
    /// so that all errors are reported at once.
    pub fn configure_with_files(
        config: &str,
        files: &dyn ConfigFiles,
    ) -> Result<Self, ConfigErrors> {
        let (args, edns_size, port) = Self::keywords(config)?;
        let mut zones: Vec<Zone> = Vec::new();
        let mut errors = Vec::new();
        for arg in args {
            let text = match files.read(&arg.file) {
                Ok(text) => text,
                Err(why) => {
                    errors.push(ConfigError::new(arg.span, format!("ZONE: {why}")));
                    continue;
                }
            };
            match Zone::parse(&text, arg.origin.as_deref()) {
                Ok(zone) => {
                    if zones.iter().any(|z| z.apex == zone.apex) {
                        errors.push(
                            ConfigError::new(
                                arg.span,
                                format!(
                                    "ZONE: {}: a second zone {}",
                                    arg.file,
                                    name::to_text(&zone.apex)
                                ),
                            )
                            .with_hint("each zone is served from one file"),
                        );
                    }
                    zones.push(zone);
                }
                Err(e) => errors.push(ConfigError {
                    span: arg.span,
                    message: format!("ZONE: {}:{}:{}: {}", arg.file, e.line, e.column, e.message),
                    hint: e.hint,
                }),
            }
        }
        if !errors.is_empty() {
            return Err(ConfigErrors(errors));
        }
        Ok(DNSServer {
            zones,
            edns_size,
            port,
            counters: Counters::default(),
        })
    }

    /// The zones served.
    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }

    /// Turns the query in `p` into its response; `false` when `p` is to
    /// be dropped.
    #[inline]
    fn answer(&mut self, p: &mut Packet) -> bool {
        let Some(net) = p.network_offset() else {
            return false;
        };
        let Some((ip, hlen)) = ip_header::ip(p) else {
            return false;
        };
        let total = ip_header::total_len(ip);
        if ip[0] >> 4 != 4
            || ip[field::PROTO] != PROTO_UDP
            || ip_header::is_fragment(ip)
            || total > ip.len()
            || total < hlen + 8
        {
            return false;
        }
        let udp = &ip[hlen..];
        let ulen = usize::from(get16(udp, 4));
        if get16(udp, 2) != self.port || ulen < 8 || hlen + ulen > total {
            return false;
        }
        let dns = net + hlen + 8;
        let data = p.extend_to_end();
        let Reply::Sent {
            len,
            rcode,
            truncated,
        } = respond(&self.zones, self.edns_size, &mut data[dns..], ulen - 8)
        else {
            return false;
        };
        let extra = p.len() - (dns + len);
        p.take(extra);
        let Some(ip) = p.network_mut() else {
            return false;
        };
        let (src, dst) = (
            ip_header::get_addr(ip, field::SRC),
            ip_header::get_addr(ip, field::DST),
        );
        ip[field::SRC..field::SRC + 4].copy_from_slice(&dst);
        ip[field::DST..field::DST + 4].copy_from_slice(&src);
        put16(ip, field::LEN, (hlen + 8 + len) as u16);
        put16(ip, field::FRAG, 0);
        ip[field::TTL] = REPLY_TTL;
        ip_header::set_checksum(ip, hlen);
        let (sport, dport) = (get16(ip, hlen), get16(ip, hlen + 2));
        put16(ip, hlen, dport);
        put16(ip, hlen + 2, sport);
        put16(ip, hlen + 4, (8 + len) as u16);
        put16(ip, hlen + 6, 0);
        // A computed 0 is sent as 0xffff (RFC 768).
        let sum = match ip_header::transport_checksum(ip, &ip[hlen..hlen + 8 + len]) {
            0 => 0xffff,
            s => s,
        };
        put16(ip, hlen + 6, sum);
        p.set_dst_ip(src.into());
        let c = &mut self.counters;
        *match rcode {
            Rcode::NoError => &mut c.noerror,
            Rcode::FormErr => &mut c.formerr,
            Rcode::NxDomain => &mut c.nxdomain,
            Rcode::NotImp => &mut c.notimp,
            Rcode::Refused => &mut c.refused,
            Rcode::BadVers => &mut c.badvers,
        } += 1;
        c.truncated += u64::from(truncated);
        true
    }
}

impl Element for DNSServer {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if self.answer(p) {
            Out::Port(ANSWERS)
        } else {
            self.counters.drops += 1;
            Out::Drop
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        let c = &self.counters;
        let v = match name {
            "queries" => c.queries(),
            "noerror" => c.noerror,
            "nxdomain" => c.nxdomain,
            "refused" => c.refused,
            "formerr" => c.formerr,
            "notimp" => c.notimp,
            "badvers" => c.badvers,
            "servfail" => 0,
            "truncated" => c.truncated,
            "drops" => c.drops,
            "zones" => {
                return Ok(self
                    .zones
                    .iter()
                    .map(|z| format!("{} {}\n", name::to_text(&z.apex), z.records))
                    .collect())
            }
            _ => return Err(HandlerError::NoSuchHandler),
        };
        Ok(format!("{v}"))
    }

    fn write_handler(&mut self, name: &str, _value: &str) -> Result<(), HandlerError> {
        match name {
            "reset" => {
                self.counters = Counters::default();
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// DNSServer's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "DNSServer",
    port_count: "1/1",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["ZONE", "EDNS_SIZE", "PORT"],
    handlers: &[
        "queries (read)",
        "noerror (read)",
        "nxdomain (read)",
        "refused (read)",
        "formerr (read)",
        "notimp (read)",
        "badvers (read)",
        "servfail (read)",
        "truncated (read)",
        "drops (read)",
        "zones (read)",
        "reset (write)",
    ],
    summary: "answers DNS queries from zone files (authoritative, UDP)",
    source: include_str!("dns_server.rs"),
    check: |c| DNSServer::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests;
