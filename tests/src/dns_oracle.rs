//! The DNS oracle: real authoritative servers (NSD, Knot) serving the test
//! zones of `tests/dns/zones/`, the queries that are sent to them and to
//! nfc, and the comparison of two answers (issue 9).
//!
//! - [`Zones`]: the test zones and their origins.
//! - [`Oracle`]: NSD or Knot started on 127.0.0.1 on a free port with a
//!   configuration generated in a temporary directory; started and
//!   stopped within bounded time.
//! - [`queries`]: the query set: every type the zones hold and some they
//!   do not, names that exist and names that do not, wildcards,
//!   delegations, names outside the zones, case variants, and EDNS sizes
//!   that force truncation; each over UDP, retried over TCP when
//!   truncated, and a share over TCP alone.
//! - [`Query::wire`], [`Message::parse`]: the wire format, written here
//!   independently of the element under test.
//! - [`DnsServer`]: what answers a query over UDP and over TCP (with
//!   pipelined queries, RFC 7766); [`Remote`] is a server on a socket,
//!   [`InMemory`] nfc's DNSServer element driven through its packet path.
//! - [`compare`]: two answers agree when their rcode, the flags that
//!   matter, the question (with the query's case) and the answer,
//!   authority and additional sections as sets of RRsets (names without
//!   case, TTLs and data exactly) are the same; [`ALLOWED`] lists the
//!   differences the RFCs permit, each with its reason.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::PacketPool;

/// Record types by number.
pub mod rtype {
    /// IPv4 address.
    pub const A: u16 = 1;
    /// Name server.
    pub const NS: u16 = 2;
    /// Canonical name.
    pub const CNAME: u16 = 5;
    /// Start of authority.
    pub const SOA: u16 = 6;
    /// Host information (no zone here holds one: NODATA).
    pub const HINFO: u16 = 13;
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
    /// Naming authority pointer (no zone here holds one: NODATA).
    pub const NAPTR: u16 = 35;
    /// EDNS(0).
    pub const OPT: u16 = 41;
    /// Certification authority authorization.
    pub const CAA: u16 = 257;
}

/// The record types every name is asked for.
pub const QUERY_TYPES: &[u16] = &[
    rtype::A,
    rtype::AAAA,
    rtype::CNAME,
    rtype::NS,
    rtype::SOA,
    rtype::MX,
    rtype::TXT,
    rtype::SRV,
    rtype::PTR,
    rtype::CAA,
    rtype::HINFO,
    rtype::NAPTR,
];

/// The mnemonic of record type `t`.
pub fn type_name(t: u16) -> String {
    match t {
        rtype::A => "A".into(),
        rtype::NS => "NS".into(),
        rtype::CNAME => "CNAME".into(),
        rtype::SOA => "SOA".into(),
        rtype::HINFO => "HINFO".into(),
        rtype::PTR => "PTR".into(),
        rtype::MX => "MX".into(),
        rtype::TXT => "TXT".into(),
        rtype::AAAA => "AAAA".into(),
        rtype::SRV => "SRV".into(),
        rtype::NAPTR => "NAPTR".into(),
        rtype::OPT => "OPT".into(),
        rtype::CAA => "CAA".into(),
        t => format!("TYPE{t}"),
    }
}

// ---------------------------------------------------------------------------
// Zones
// ---------------------------------------------------------------------------

/// The test zones: `(origin, file)` pairs.
#[derive(Clone, Debug)]
pub struct Zones {
    /// Each zone's origin (`example.com`, no final dot) and file.
    pub zones: Vec<(String, PathBuf)>,
}

impl Zones {
    /// The zones of `tests/dns/zones/` (`ORIGIN.zone`).
    pub fn shipped() -> Zones {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("dns/zones");
        let mut zones: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                let origin = path.file_name()?.to_str()?.strip_suffix(".zone")?;
                Some((origin.to_string(), path.clone()))
            })
            .collect();
        zones.sort();
        assert!(zones.len() >= 2, "{}: two test zones", dir.display());
        Zones { zones }
    }

    /// Every owner name the zone files hold (lower case, no final dot),
    /// read from the files: enough of RFC 1035's format for the test
    /// zones ($ORIGIN, relative and `@` owners, omitted owners).
    pub fn owners(&self) -> Vec<String> {
        let mut names = Vec::new();
        for (origin, path) in &self.zones {
            let text = std::fs::read_to_string(path).expect("a test zone");
            let mut origin = origin.clone();
            let mut in_parens = false;
            for line in text.lines() {
                let code = line.split(';').next().unwrap_or_default();
                let was_in_parens = in_parens;
                in_parens = (in_parens || code.contains('(')) && !code.contains(')');
                if was_in_parens || code.trim().is_empty() || code.starts_with(char::is_whitespace)
                {
                    continue;
                }
                let owner = code.split_whitespace().next().unwrap_or_default();
                if owner == "$ORIGIN" {
                    let o = code.split_whitespace().nth(1).unwrap_or_default();
                    origin = o.trim_end_matches('.').to_lowercase();
                    continue;
                }
                if owner.starts_with('$') {
                    continue;
                }
                let name = if owner == "@" {
                    origin.clone()
                } else if let Some(abs) = owner.strip_suffix('.') {
                    abs.to_string()
                } else {
                    format!("{owner}.{origin}")
                };
                names.push(name.to_lowercase());
            }
        }
        names.sort();
        names.dedup();
        names
    }
}

// ---------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------

/// One query: the name as sent (its case matters), the type, EDNS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// The name, no final dot, in the case it is sent in.
    pub name: String,
    /// The type.
    pub qtype: u16,
    /// EDNS(0) with this UDP payload size, or none.
    pub edns: Option<u16>,
    /// Recursion desired (servers copy it; none of these recurses).
    pub rd: bool,
    /// Over TCP only (no UDP attempt first).
    pub tcp: bool,
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, type_name(self.qtype))?;
        if let Some(size) = self.edns {
            write!(f, " +bufsize={size}")?;
        }
        if self.rd {
            f.write_str(" +rec")?;
        }
        if self.tcp {
            f.write_str(" +tcp")?;
        }
        Ok(())
    }
}

impl Query {
    /// The query in wire form with message id `id`.
    pub fn wire(&self, id: u16) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&(if self.rd { 0x0100u16 } else { 0 }).to_be_bytes());
        let arcount = u16::from(self.edns.is_some());
        for count in [1u16, 0, 0, arcount] {
            out.extend_from_slice(&count.to_be_bytes());
        }
        for label in self.name.split('.').filter(|l| !l.is_empty()) {
            out.push(label.len() as u8);
            out.extend_from_slice(label.as_bytes());
        }
        out.push(0);
        out.extend_from_slice(&self.qtype.to_be_bytes());
        out.extend_from_slice(&1u16.to_be_bytes());
        if let Some(size) = self.edns {
            // Root owner, OPT, the UDP size as class, TTL 0 (version 0,
            // DO clear), no options.
            out.push(0);
            out.extend_from_slice(&rtype::OPT.to_be_bytes());
            out.extend_from_slice(&size.to_be_bytes());
            out.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        }
        out
    }
}

/// A small deterministic generator (xorshift64*), so that a failing
/// query set is the same on the next run.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed` (not 0).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// `name` with the case of each letter chosen by `rng`.
pub fn mixed_case(name: &str, rng: &mut Rng) -> String {
    name.chars()
        .map(|c| {
            if rng.next_u64() & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// The names asked for: every owner in `zones`, names that do not exist
/// (beside owners, below them, under wildcards and delegations, in empty
/// non-terminals) and names outside every zone.
pub fn query_names(zones: &Zones) -> Vec<String> {
    let owners = zones.owners();
    let mut names = owners.clone();
    for (origin, _) in &zones.zones {
        for extra in [
            "nx",
            "deep.nx",
            "a.b.c.nx",
            "www.nx",
            "b.ent",
            "x.b.ent",
            "x.wild",
            "a.b.wild",
            "deep.x.wild",
            "x.host.wild",
            "y.cn",
            "x.sub",
            "a.b.sub",
            "x.ext-sub",
            "ns1.sub.nx",
            "5.w",
            "a.b.w",
            "129.128/26",
            "x.ns.128/26",
            "100",
        ] {
            names.push(format!("{extra}.{origin}"));
        }
    }
    for outside in [
        "example.net",
        "www.example.net",
        "com",
        "org",
        "example.org",
        "3.0.192.in-addr.arpa",
        "notexample.com",
    ] {
        names.push(outside.to_string());
    }
    names.sort();
    names.dedup();
    names
}

/// The query set, in a fixed order: each name of [`query_names`] for
/// each type of [`QUERY_TYPES`], over UDP without EDNS and with one of
/// the EDNS sizes (512, 1232, 4096) in turn, in a random case for a
/// quarter of them; names holding long RRsets asked for at every size;
/// and one query in eight over TCP alone. At least `at_least` queries.
pub fn queries(zones: &Zones, at_least: usize) -> Vec<Query> {
    const SIZES: [Option<u16>; 4] = [None, Some(512), Some(1232), Some(4096)];
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::new();
    let names = query_names(zones);
    let mut round = 0usize;
    while out.len() < at_least {
        for (n, name) in names.iter().enumerate() {
            for (t, &qtype) in QUERY_TYPES.iter().enumerate() {
                let long = ["big.", "med.", "huge.", "many."]
                    .iter()
                    .any(|p| name.starts_with(p));
                let sizes: &[Option<u16>] = if long {
                    &SIZES
                } else {
                    &SIZES[(n + t + round) % 4..][..1]
                };
                for &edns in sizes {
                    let name = if rng.below(4) == 0 || round > 0 {
                        mixed_case(name, &mut rng)
                    } else {
                        name.clone()
                    };
                    out.push(Query {
                        name,
                        qtype,
                        edns,
                        rd: rng.below(2) == 0,
                        tcp: rng.below(8) == 0,
                    });
                }
            }
        }
        round += 1;
    }
    out
}

// ---------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------

/// Header flag bits (the second 16-bit word).
pub mod flag {
    /// A response.
    pub const QR: u16 = 0x8000;
    /// Authoritative answer.
    pub const AA: u16 = 0x0400;
    /// Truncated.
    pub const TC: u16 = 0x0200;
    /// Recursion desired.
    pub const RD: u16 = 0x0100;
    /// Recursion available.
    pub const RA: u16 = 0x0080;
    /// Authentic data (DNSSEC).
    pub const AD: u16 = 0x0020;
    /// Checking disabled (DNSSEC).
    pub const CD: u16 = 0x0010;
}

/// One resource record, canonical for comparison: the owner in lower
/// case, the data as text with names in lower case.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Record {
    /// Owner, lower case, no final dot (`` for the root).
    pub name: String,
    /// Type.
    pub rtype: u16,
    /// Class.
    pub class: u16,
    /// TTL.
    pub ttl: u32,
    /// The data: names decompressed and lower-cased, the rest in hex.
    pub data: String,
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}. {} {} {}",
            self.name,
            self.ttl,
            type_name(self.rtype),
            self.data
        )
    }
}

/// The EDNS(0) OPT record of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opt {
    /// The sender's UDP payload size.
    pub udp_size: u16,
    /// The upper 8 bits of the rcode.
    pub ext_rcode: u8,
    /// The EDNS version.
    pub version: u8,
    /// The DO bit.
    pub dnssec_ok: bool,
}

/// A parsed DNS message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Its id.
    pub id: u16,
    /// The flag word (opcode and rcode included).
    pub flags: u16,
    /// The question: the name exactly as it came (case kept), type, class.
    pub question: Vec<(String, u16, u16)>,
    /// The answer section.
    pub answer: Vec<Record>,
    /// The authority section.
    pub authority: Vec<Record>,
    /// The additional section, without the OPT record.
    pub additional: Vec<Record>,
    /// The OPT record.
    pub opt: Option<Opt>,
    /// Its size in bytes.
    pub size: usize,
}

impl Message {
    /// The rcode, with EDNS's upper bits.
    pub fn rcode(&self) -> u16 {
        (self.flags & 0xf) | (u16::from(self.opt.map_or(0, |o| o.ext_rcode)) << 4)
    }

    /// Whether flag `f` is set.
    pub fn has(&self, f: u16) -> bool {
        self.flags & f != 0
    }

    /// Parses `msg`, decompressing names (with a bound on pointers).
    pub fn parse(msg: &[u8]) -> Result<Message, String> {
        let mut r = Reader { msg, pos: 0 };
        let id = r.u16()?;
        let flags = r.u16()?;
        let counts = [r.u16()?, r.u16()?, r.u16()?, r.u16()?];
        let mut question = Vec::new();
        for _ in 0..counts[0] {
            let name = r.name(false)?;
            question.push((name, r.u16()?, r.u16()?));
        }
        let mut sections: [Vec<Record>; 3] = Default::default();
        let mut opt = None;
        for (s, &count) in counts[1..].iter().enumerate() {
            for _ in 0..count {
                let name = r.name(true)?;
                let rtype = r.u16()?;
                let class = r.u16()?;
                let ttl = r.u32()?;
                let len = r.u16()? as usize;
                let end = r.pos + len;
                if end > msg.len() {
                    return Err(format!("record data past the end ({end} > {})", msg.len()));
                }
                if rtype == rtype::OPT {
                    opt = Some(Opt {
                        udp_size: class,
                        ext_rcode: (ttl >> 24) as u8,
                        version: (ttl >> 16) as u8,
                        dnssec_ok: ttl & 0x8000 != 0,
                    });
                    r.pos = end;
                    continue;
                }
                let data = r.rdata(rtype, end)?;
                if r.pos != end {
                    return Err(format!("{} data of {len} bytes misread", type_name(rtype)));
                }
                sections[s].push(Record {
                    name,
                    rtype,
                    class,
                    ttl,
                    data,
                });
            }
        }
        let [answer, authority, additional] = sections;
        Ok(Message {
            id,
            flags,
            question,
            answer,
            authority,
            additional,
            opt,
            size: msg.len(),
        })
    }
}

struct Reader<'a> {
    msg: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn bytes(&mut self, n: usize) -> Result<&[u8], String> {
        let b = self
            .msg
            .get(self.pos..self.pos + n)
            .ok_or_else(|| format!("message ends at {} (wanted {n} more)", self.msg.len()))?;
        self.pos += n;
        Ok(b)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.bytes(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A name, as text without the final dot, lower-cased with `lower`.
    fn name(&mut self, lower: bool) -> Result<String, String> {
        let mut labels: Vec<String> = Vec::new();
        let mut pos = self.pos;
        let mut resume = None;
        for _ in 0..128 {
            let len = *self.msg.get(pos).ok_or("name past the end")? as usize;
            match len {
                0 => {
                    self.pos = resume.unwrap_or(pos + 1);
                    let name = labels.join(".");
                    return Ok(if lower { name.to_lowercase() } else { name });
                }
                l if l & 0xc0 == 0xc0 => {
                    let lo = *self.msg.get(pos + 1).ok_or("pointer past the end")? as usize;
                    resume.get_or_insert(pos + 2);
                    pos = ((l & 0x3f) << 8) | lo;
                }
                l if l < 64 => {
                    let label = self
                        .msg
                        .get(pos + 1..pos + 1 + l)
                        .ok_or("label past the end")?;
                    labels.push(
                        label
                            .iter()
                            .map(|&b| match b {
                                b'.' | b'\\' => format!("\\{}", b as char),
                                0x21..=0x7e => (b as char).to_string(),
                                _ => format!("\\{b:03}"),
                            })
                            .collect(),
                    );
                    pos += 1 + l;
                }
                l => return Err(format!("bad label length {l:#x}")),
            }
        }
        Err("name with more than 128 labels or pointers (a loop)".into())
    }

    /// Record data of type `t` ending at `end`, canonical.
    fn rdata(&mut self, t: u16, end: usize) -> Result<String, String> {
        Ok(match t {
            rtype::A if end - self.pos == 4 => {
                let b = self.bytes(4)?;
                Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string()
            }
            rtype::AAAA if end - self.pos == 16 => {
                let b: [u8; 16] = self.bytes(16)?.try_into().expect("16 bytes");
                std::net::Ipv6Addr::from(b).to_string()
            }
            rtype::NS | rtype::CNAME | rtype::PTR => format!("{}.", self.name(true)?),
            rtype::MX => format!("{} {}.", self.u16()?, self.name(true)?),
            rtype::SRV => format!(
                "{} {} {} {}.",
                self.u16()?,
                self.u16()?,
                self.u16()?,
                self.name(true)?
            ),
            rtype::SOA => format!(
                "{}. {}. {} {} {} {} {}",
                self.name(true)?,
                self.name(true)?,
                self.u32()?,
                self.u32()?,
                self.u32()?,
                self.u32()?,
                self.u32()?
            ),
            rtype::TXT => {
                let mut strings = Vec::new();
                while self.pos < end {
                    let len = self.u8()? as usize;
                    strings.push(format!("{:?}", String::from_utf8_lossy(self.bytes(len)?)));
                }
                strings.join(" ")
            }
            _ => {
                let b = self.bytes(end - self.pos)?;
                b.iter().map(|x| format!("{x:02x}")).collect()
            }
        })
    }
}

// ---------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------

/// What answers DNS queries: a server on a socket ([`Remote`]) or nfc's
/// element driven in memory.
pub trait DnsServer {
    /// A short name for reports (`nsd`, `knot`, `nfc`).
    fn name(&self) -> &str;

    /// The answer to `query` (wire form) over UDP, `None` when none came
    /// (dropped).
    fn udp(&mut self, query: &[u8]) -> Result<Option<Vec<u8>>, String>;

    /// The answers to `queries` sent over one TCP connection, pipelined
    /// (RFC 7766 §6.2.1): all written before any answer is read; answers
    /// in the order they came (a server may reorder them).
    fn tcp(&mut self, queries: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, String>;
}

/// A DNS server on 127.0.0.1.
#[derive(Debug)]
pub struct Remote {
    /// Name for reports.
    pub name: String,
    /// Its address (UDP and TCP).
    pub addr: SocketAddr,
    socket: UdpSocket,
}

/// How long one exchange may take.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(3);

impl Remote {
    /// The server at `addr`, reported as `name`.
    pub fn new(name: &str, addr: SocketAddr) -> Remote {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("a UDP socket on 127.0.0.1");
        socket
            .set_read_timeout(Some(EXCHANGE_TIMEOUT))
            .expect("a timeout");
        Remote {
            name: name.to_string(),
            addr,
            socket,
        }
    }
}

impl DnsServer for Remote {
    fn name(&self) -> &str {
        &self.name
    }

    fn udp(&mut self, query: &[u8]) -> Result<Option<Vec<u8>>, String> {
        self.socket
            .send_to(query, self.addr)
            .map_err(|e| format!("{}: send: {e}", self.name))?;
        let mut buf = vec![0u8; 65535];
        let deadline = Instant::now() + EXCHANGE_TIMEOUT;
        while Instant::now() < deadline {
            match self.socket.recv_from(&mut buf) {
                // A late answer to an earlier query has another id.
                Ok((n, from)) if from == self.addr && n >= 2 && buf[..2] == query[..2] => {
                    return Ok(Some(buf[..n].to_vec()))
                }
                Ok(_) => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(None)
                }
                Err(e) => return Err(format!("{}: recv: {e}", self.name)),
            }
        }
        Ok(None)
    }

    fn tcp(&mut self, queries: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, String> {
        let fail = |what: &str, e: std::io::Error| format!("{}: tcp {what}: {e}", self.name);
        let mut stream = TcpStream::connect_timeout(&self.addr, EXCHANGE_TIMEOUT)
            .map_err(|e| fail("connect", e))?;
        stream
            .set_read_timeout(Some(EXCHANGE_TIMEOUT))
            .map_err(|e| fail("timeout", e))?;
        let mut out = Vec::new();
        for q in queries {
            out.extend_from_slice(&(q.len() as u16).to_be_bytes());
            out.extend_from_slice(q);
        }
        stream.write_all(&out).map_err(|e| fail("write", e))?;
        let mut answers = Vec::with_capacity(queries.len());
        for _ in queries {
            let mut len = [0u8; 2];
            stream.read_exact(&mut len).map_err(|e| fail("read", e))?;
            let mut answer = vec![0u8; u16::from_be_bytes(len) as usize];
            stream
                .read_exact(&mut answer)
                .map_err(|e| fail("read", e))?;
            answers.push(answer);
        }
        Ok(answers)
    }
}

/// nfc's DNSServer element, built through the element registry with its
/// zone files read from disk (`nfc_elements::classes::build_with_files`,
/// as `nfc click` builds it), answering queries wrapped in IPv4/UDP
/// packets through its packet path, in memory.
pub struct InMemory {
    element: Box<dyn Element>,
    cx: Context,
    pool: &'static PacketPool,
}

/// The client and server ends of the packets [`InMemory`] exchanges.
const CLIENT: ([u8; 4], u16) = ([192, 0, 2, 200], 40053);
const SERVER: ([u8; 4], u16) = ([192, 0, 2, 1], 53);

impl InMemory {
    /// A DNSServer configured with `config`, its files read relative to
    /// `dir`.
    pub fn new(config: &str, dir: &Path) -> Result<InMemory, String> {
        let disk = nfc_platform_linux::files::Disk::new(dir);
        let built = nfc_elements::classes::build_with_files("DNSServer", config, &disk)
            .ok_or("DNSServer is not a class that reads files")?;
        let element = built
            .element
            .map_err(|e| format!("DNSServer({config}): {e}"))?;
        let pool = PacketPool::new(64);
        Ok(InMemory {
            element,
            cx: Context::at(pool, 0),
            pool,
        })
    }

    /// A handler of the element (`noerror`, `truncated`, …).
    pub fn read(&self, handler: &str) -> String {
        self.element
            .read_handler(handler)
            .unwrap_or_else(|e| format!("{e:?}"))
    }
}

impl DnsServer for InMemory {
    fn name(&self) -> &str {
        "nfc"
    }

    fn udp(&mut self, query: &[u8]) -> Result<Option<Vec<u8>>, String> {
        let mut ip = Vec::with_capacity(28 + query.len());
        let total = (28 + query.len()) as u16;
        ip.extend_from_slice(&[0x45, 0]);
        ip.extend_from_slice(&total.to_be_bytes());
        ip.extend_from_slice(&[0, 1, 0x40, 0, 64, 17, 0, 0]);
        ip.extend_from_slice(&CLIENT.0);
        ip.extend_from_slice(&SERVER.0);
        let sum = !ones_complement(&ip);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        ip.extend_from_slice(&CLIENT.1.to_be_bytes());
        ip.extend_from_slice(&SERVER.1.to_be_bytes());
        ip.extend_from_slice(&(8 + query.len() as u16).to_be_bytes());
        ip.extend_from_slice(&[0, 0]);
        ip.extend_from_slice(query);
        let mut p = self
            .pool
            .alloc_with(&ip)
            .ok_or("the packet pool is empty")?;
        p.set_network_header(0, 20);
        match self.element.process(&self.cx, 0, &mut p) {
            Out::Drop => Ok(None),
            Out::Port(port) => {
                let data = p.data();
                if port != 0 || data.len() < 28 {
                    return Err(format!("answer on output {port}, {} bytes", data.len()));
                }
                let hlen = usize::from(data[0] & 0xf) * 4;
                let udp = &data[hlen..];
                if data[12..16] != SERVER.0
                    || data[16..20] != CLIENT.0
                    || udp[..2] != SERVER.1.to_be_bytes()
                    || udp[2..4] != CLIENT.1.to_be_bytes()
                {
                    return Err("the answer is not addressed back to the client".into());
                }
                if ones_complement(&data[..hlen]) != 0xffff {
                    return Err("the answer's IP checksum is wrong".into());
                }
                Ok(Some(udp[8..].to_vec()))
            }
        }
    }

    fn tcp(&mut self, _queries: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, String> {
        Err("DNSServer answers over UDP only (TCP comes with the host stack)".into())
    }
}

/// The 16-bit ones' complement sum of `data` (RFC 1071), folded.
fn ones_complement(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

/// A free port on 127.0.0.1 for both UDP and TCP (as free as can be
/// known before the server binds it).
pub fn free_port() -> u16 {
    for _ in 0..64 {
        let udp = UdpSocket::bind("127.0.0.1:0").expect("a UDP socket on 127.0.0.1");
        let port = udp.local_addr().expect("an address").port();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no port on 127.0.0.1 is free for both UDP and TCP");
}

/// The real servers the oracle can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// NSD (Debian package nsd).
    Nsd,
    /// Knot DNS (Debian package knot).
    Knot,
}

impl Kind {
    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Nsd => "nsd",
            Kind::Knot => "knot",
        }
    }

    /// The program and its Debian package.
    pub fn program(self) -> (&'static str, &'static str) {
        match self {
            Kind::Nsd => ("nsd", "nsd"),
            Kind::Knot => ("knotd", "knot"),
        }
    }
}

/// A real authoritative server serving [`Zones`] on 127.0.0.1, stopped
/// when dropped.
#[derive(Debug)]
pub struct Oracle {
    /// Which server.
    pub kind: Kind,
    /// Where it answers (UDP and TCP).
    pub addr: SocketAddr,
    child: Child,
    dir: PathBuf,
}

/// How long a server may take to start answering.
const START_TIMEOUT: Duration = Duration::from_secs(15);

impl Oracle {
    /// Starts `kind` on a free port with `zones`, in the foreground, its
    /// configuration in a fresh temporary directory; returns once it
    /// answers the first zone's SOA query (at most 15 s).
    pub fn start(kind: Kind, zones: &Zones) -> Result<Oracle, String> {
        let (program, package) = kind.program();
        let path = ["/usr/sbin", "/usr/bin", "/sbin"]
            .iter()
            .map(|d| Path::new(d).join(program))
            .find(|p| p.is_file())
            .ok_or_else(|| {
                format!(
                    "`{program}` not found: install Debian package {package} (scripts/setup.sh)"
                )
            })?;
        let dir = std::env::temp_dir().join(format!(
            "nfc-dns-{}-{}-{}",
            kind.name(),
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let port = free_port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let conf = dir.join(format!("{}.conf", kind.name()));
        let text = match kind {
            Kind::Nsd => nsd_conf(&dir, port, zones),
            Kind::Knot => knot_conf(&dir, port, zones),
        };
        std::fs::write(&conf, text).map_err(|e| format!("{}: {e}", conf.display()))?;
        let log = std::fs::File::create(dir.join("stderr.log")).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(&path);
        match kind {
            Kind::Nsd => cmd.arg("-d").arg("-c").arg(&conf),
            Kind::Knot => cmd.arg("-c").arg(&conf),
        };
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
        let mut oracle = Oracle {
            kind,
            addr,
            child,
            dir,
        };
        let probe = Query {
            name: zones.zones[0].0.clone(),
            qtype: rtype::SOA,
            edns: None,
            rd: false,
            tcp: false,
        }
        .wire(0x5151);
        let mut remote = Remote::new(kind.name(), addr);
        remote
            .socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = oracle.child.try_wait().map_err(|e| e.to_string())? {
                return Err(format!(
                    "{} exited ({status}) before answering: {}",
                    kind.name(),
                    oracle.log()
                ));
            }
            if let Ok(Some(answer)) = remote.udp(&probe) {
                if Message::parse(&answer).is_ok_and(|m| m.rcode() == 0 && m.answer.len() == 1) {
                    return Ok(oracle);
                }
            }
        }
        Err(format!(
            "{} did not answer within {START_TIMEOUT:?}: {}",
            kind.name(),
            oracle.log()
        ))
    }

    /// A client of this server.
    pub fn client(&self) -> Remote {
        Remote::new(self.kind.name(), self.addr)
    }

    /// What the server wrote to its log and standard error so far.
    pub fn log(&self) -> String {
        ["stderr.log", "server.log"]
            .iter()
            .filter_map(|f| std::fs::read_to_string(self.dir.join(f)).ok())
            .collect::<Vec<_>>()
            .join("")
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        // SIGTERM, then SIGKILL if it has not gone within 5 s.
        let _ = rustix::process::kill_process(
            rustix::process::Pid::from_child(&self.child),
            rustix::process::Signal::TERM,
        );
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                let _ = std::fs::remove_dir_all(&self.dir);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// NSD's configuration: one server process on 127.0.0.1@`port`, no
/// database, no chroot, no privilege drop, files in `dir`, and no
/// response rate limiting (Debian's NSD limits to 200 answers/s per
/// client and answers some of the rest with an empty TC message).
fn nsd_conf(dir: &Path, port: u16, zones: &Zones) -> String {
    let d = dir.display();
    let mut s = format!(
        "server:\n  ip-address: 127.0.0.1@{port}\n  port: {port}\n  do-ip6: no\n  \
         username: \"\"\n  chroot: \"\"\n  database: \"\"\n  zonelistfile: \"{d}/zone.list\"\n  \
         xfrdfile: \"{d}/xfrd.state\"\n  xfrdir: \"{d}\"\n  pidfile: \"{d}/nsd.pid\"\n  \
         logfile: \"{d}/server.log\"\n  server-count: 1\n  verbosity: 1\n  hide-version: yes\n  \
         rrl-ratelimit: 0\n  rrl-whitelist-ratelimit: 0\n\
         remote-control:\n  control-enable: no\n"
    );
    for (origin, file) in &zones.zones {
        s += &format!(
            "zone:\n  name: {origin}\n  zonefile: \"{}\"\n",
            file.display()
        );
    }
    s
}

/// Knot's configuration: one UDP and one TCP worker on
/// 127.0.0.1@`port`, its run and storage directories in `dir`, zones
/// loaded as they are (no semantic checks beyond the file's, no
/// journal, no DNSSEC).
fn knot_conf(dir: &Path, port: u16, zones: &Zones) -> String {
    let d = dir.display();
    let mut s = format!(
        "server:\n    listen: 127.0.0.1@{port}\n    rundir: \"{d}\"\n    \
         udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1\n\
         log:\n  - target: \"{d}/server.log\"\n    any: info\n\
         database:\n    storage: \"{d}\"\n\
         template:\n  - id: default\n    storage: \"{d}\"\n    \
         zonefile-sync: -1\n    journal-content: none\n\
         zone:\n"
    );
    for (origin, file) in &zones.zones {
        s += &format!("  - domain: {origin}\n    file: \"{}\"\n", file.display());
    }
    s
}

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------

/// The sections of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// Answer.
    Answer,
    /// Authority.
    Authority,
    /// Additional.
    Additional,
}

/// One way in which two answers to a query differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    /// One answered, the other did not (or could not be parsed).
    Missing(String),
    /// The rcodes differ.
    Rcode(u16, u16),
    /// A flag that matters differs (its bit).
    Flag(u16),
    /// The question sections differ (case included).
    Question,
    /// One has an OPT record, the other not; or their EDNS versions
    /// differ.
    Edns,
    /// An RRset (owner, type) of a section differs: the records of each
    /// side, empty where a side has none.
    RRset {
        /// The section.
        section: Section,
        /// Owner, lower case.
        name: String,
        /// Type.
        rtype: u16,
        /// The first server's records.
        a: Vec<Record>,
        /// The second server's records.
        b: Vec<Record>,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Missing(why) => write!(f, "no comparable answer: {why}"),
            Difference::Rcode(a, b) => write!(f, "rcode {a} vs {b}"),
            Difference::Flag(bit) => write!(f, "flag {bit:#06x}"),
            Difference::Question => f.write_str("question section"),
            Difference::Edns => f.write_str("EDNS presence or version"),
            Difference::RRset {
                section,
                name,
                rtype,
                a,
                b,
            } => {
                let list = |rs: &[Record]| {
                    rs.iter()
                        .map(|r| format!("{} {}", r.ttl, r.data))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                write!(
                    f,
                    "{section:?} {name} {}: [{}] vs [{}]",
                    type_name(*rtype),
                    list(a),
                    list(b)
                )
            }
        }
    }
}

/// The flags whose difference matters: QR, opcode, AA, TC, RD (copied
/// from the query), RA, AD, CD. (Z is zero in both or a difference.)
pub const FLAGS_THAT_MATTER: &[u16] = &[
    flag::QR,
    0x7800, // opcode
    flag::AA,
    flag::TC,
    flag::RD,
    flag::RA,
    0x0040, // Z
    flag::AD,
    flag::CD,
];

/// A section as sets of RRsets: (owner, type) → records, sorted.
fn rrsets(records: &[Record]) -> BTreeMap<(String, u16), Vec<Record>> {
    let mut sets: BTreeMap<(String, u16), Vec<Record>> = BTreeMap::new();
    for r in records {
        sets.entry((r.name.clone(), r.rtype))
            .or_default()
            .push(r.clone());
    }
    for set in sets.values_mut() {
        set.sort();
        set.dedup();
    }
    sets
}

/// Every difference between answers `a` and `b` to the same query.
pub fn compare(a: &Message, b: &Message) -> Vec<Difference> {
    let mut diffs = Vec::new();
    if a.rcode() != b.rcode() {
        diffs.push(Difference::Rcode(a.rcode(), b.rcode()));
    }
    for &f in FLAGS_THAT_MATTER {
        if a.flags & f != b.flags & f {
            diffs.push(Difference::Flag(f));
        }
    }
    if a.question != b.question {
        diffs.push(Difference::Question);
    }
    if a.opt.is_some() != b.opt.is_some() || a.opt.map(|o| o.version) != b.opt.map(|o| o.version) {
        diffs.push(Difference::Edns);
    }
    for (section, sa, sb) in [
        (Section::Answer, &a.answer, &b.answer),
        (Section::Authority, &a.authority, &b.authority),
        (Section::Additional, &a.additional, &b.additional),
    ] {
        let (mut ra, mut rb) = (rrsets(sa), rrsets(sb));
        let keys: std::collections::BTreeSet<(String, u16)> =
            ra.keys().chain(rb.keys()).cloned().collect();
        for key in keys {
            let x = ra.remove(&key).unwrap_or_default();
            let y = rb.remove(&key).unwrap_or_default();
            if x != y {
                diffs.push(Difference::RRset {
                    section,
                    name: key.0,
                    rtype: key.1,
                    a: x,
                    b: y,
                });
            }
        }
    }
    diffs
}

/// A difference the RFCs permit, and when it applies.
pub struct Allowance {
    /// A short name, counted in the report.
    pub name: &'static str,
    /// Why the RFCs allow it.
    pub reason: &'static str,
    /// Whether it covers `diff` between answers `a` and `b` to `query`.
    pub applies: fn(query: &Query, a: &Message, b: &Message, diff: &Difference) -> bool,
}

/// Whether `m` answered with a CNAME chain that loops: every CNAME's
/// target is itself the owner of a CNAME in the answer.
fn cname_loop(m: &Message) -> bool {
    let cnames: Vec<&Record> = m
        .answer
        .iter()
        .filter(|r| r.rtype == rtype::CNAME)
        .collect();
    !cnames.is_empty()
        && cnames.iter().all(|r| {
            cnames
                .iter()
                .any(|o| o.name == r.data.trim_end_matches('.'))
        })
}

/// Whether `m` is a positive answer (NOERROR with records in the answer
/// section).
fn positive(m: &Message) -> bool {
    m.rcode() == 0 && !m.answer.is_empty()
}

/// The differences between answers that the RFCs permit, each with its
/// reason. Everything else [`compare`] finds is a failure.
pub const ALLOWED: &[Allowance] = &[
    Allowance {
        name: "truncated-contents",
        reason: "RFC 2181 §9 and RFC 1035 §4.2.1: a message with TC set is incomplete; what \
                 it carries besides the header and question is the sender's choice, and a \
                 resolver retries over TCP. Compared: rcode, flags, question, over TCP the \
                 whole answer.",
        applies: |_, a, b, diff| {
            a.has(flag::TC)
                && b.has(flag::TC)
                && matches!(diff, Difference::RRset { .. } | Difference::Edns)
        },
    },
    Allowance {
        name: "cname-loop",
        reason: "RFC 1034 §3.6.2: CNAME loops are a zone's error; a server follows a chain \
                 for a bounded number of steps, and how far it gets before it stops is \
                 its own.",
        applies: |_, a, b, diff| {
            (cname_loop(a) || cname_loop(b))
                && matches!(
                    diff,
                    Difference::RRset {
                        section: Section::Answer,
                        ..
                    }
                )
        },
    },
    Allowance {
        name: "authority-ns-on-answers",
        reason: "RFC 1034 §4.3.2 step 3a and RFC 2181 §6.1: the zone's NS RRset in the \
                 authority section of a positive answer is optional (minimal responses): a \
                 server may add it or not.",
        applies: |_, a, b, diff| {
            matches!(diff, Difference::RRset { section: Section::Authority, rtype, .. }
                if *rtype == rtype::NS)
                && positive(a)
                && positive(b)
                && a.has(flag::AA)
        },
    },
    Allowance {
        name: "additional-addresses",
        reason: "RFC 1034 §4.3.2 step 6 and RFC 2181 §9: the additional section holds what \
                 the server 'may' add as useful; the addresses of the name servers of an \
                 optional authority NS RRset (above) come and go with it. Addresses of MX, \
                 SRV and NS answers, and the glue of referrals (RFC 9471), are compared.",
        applies: |_, a, b, diff| {
            let Difference::RRset {
                section: Section::Additional,
                name,
                rtype,
                ..
            } = diff
            else {
                return false;
            };
            let ns_targets = |m: &Message| -> Vec<Record> {
                m.authority
                    .iter()
                    .filter(|r| r.rtype == rtype::NS)
                    .cloned()
                    .collect()
            };
            let (na, nb) = (ns_targets(a), ns_targets(b));
            (*rtype == rtype::A || *rtype == rtype::AAAA)
                && a.has(flag::AA)
                && b.has(flag::AA)
                && na != nb
                && na
                    .iter()
                    .chain(&nb)
                    .any(|r| r.data.trim_end_matches('.') == name)
                && ![a, b].iter().any(|m| {
                    // Additional processing is defined for NS, MX and SRV
                    // (RFC 1035 §3.3.9, §3.3.11; RFC 2782), not SOA.
                    m.answer.iter().any(|r| {
                        matches!(r.rtype, rtype::NS | rtype::MX | rtype::SRV)
                            && r.data.rsplit(' ').next().map(|w| w.trim_end_matches('.'))
                                == Some(name.as_str())
                    })
                })
        },
    },
];

/// The outcome of comparing two servers over a query set.
#[derive(Debug, Default)]
pub struct Report {
    /// Queries sent.
    pub queries: usize,
    /// Exchanges compared (a query truncated over UDP counts twice: UDP
    /// and its TCP retry).
    pub exchanges: usize,
    /// Exchanges over TCP.
    pub tcp: usize,
    /// Answers that had TC set (per server: the first one's).
    pub truncated: usize,
    /// Differences covered by an allowance, by its name.
    pub allowed: BTreeMap<&'static str, usize>,
    /// The first few differences each allowance covered, for review.
    pub allowed_samples: BTreeMap<&'static str, Vec<String>>,
    /// Differences not allowed: the query, the transport, the difference.
    pub failures: Vec<String>,
    /// rcodes of the first server's answers.
    pub rcodes: BTreeMap<u16, usize>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} queries, {} exchanges ({} over TCP), {} truncated over UDP, rcodes {:?}",
            self.queries, self.exchanges, self.tcp, self.truncated, self.rcodes
        )?;
        writeln!(f, "allowed differences: {:?}", self.allowed)?;
        for (name, samples) in &self.allowed_samples {
            for s in samples {
                writeln!(f, "  e.g. {name}: {s}")?;
            }
        }
        writeln!(f, "{} differences not allowed", self.failures.len())?;
        for failure in self.failures.iter().take(40) {
            writeln!(f, "  {failure}")?;
        }
        Ok(())
    }
}

impl Report {
    fn exchange(
        &mut self,
        query: &Query,
        transport: &str,
        a: Result<Message, String>,
        b: Result<Message, String>,
    ) {
        self.exchanges += 1;
        let (a, b) = match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                if a.is_err() != b.is_err() || a.is_ok() {
                    self.failures.push(format!(
                        "{query} ({transport}): {}",
                        Difference::Missing(format!("{:?} vs {:?}", a.err(), b.err()))
                    ));
                }
                return;
            }
        };
        *self.rcodes.entry(a.rcode()).or_default() += 1;
        for diff in compare(&a, &b) {
            match ALLOWED.iter().find(|al| (al.applies)(query, &a, &b, &diff)) {
                Some(al) => {
                    *self.allowed.entry(al.name).or_default() += 1;
                    let samples = self.allowed_samples.entry(al.name).or_default();
                    if samples.len() < 3 {
                        samples.push(format!("{query} ({transport}): {diff}"));
                    }
                }
                None => self.failures.push(format!("{query} ({transport}): {diff}")),
            }
        }
    }
}

/// Parses an answer to the query with id `id`.
fn answer(got: Result<Option<Vec<u8>>, String>, id: u16) -> Result<Message, String> {
    let bytes = got?.ok_or("no answer (dropped)")?;
    let m = Message::parse(&bytes)?;
    if m.id != id {
        return Err(format!("answer id {:#06x}, query id {id:#06x}", m.id));
    }
    Ok(m)
}

/// Sends every query of `queries` to `a` and `b` and compares the
/// answers: over UDP, then over TCP when either answer was truncated;
/// queries marked TCP go over TCP alone, several to a connection
/// (pipelined). `tcp` false keeps to UDP (a server with no TCP yet).
pub fn run(queries: &[Query], a: &mut dyn DnsServer, b: &mut dyn DnsServer, tcp: bool) -> Report {
    let mut report = Report {
        queries: queries.len(),
        ..Report::default()
    };
    let mut over_tcp: Vec<(usize, Vec<u8>)> = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        let id = (i as u16).wrapping_mul(40503).wrapping_add(7);
        let wire = q.wire(id);
        if q.tcp && tcp {
            over_tcp.push((i, wire));
            continue;
        }
        let ma = answer(a.udp(&wire), id);
        let mb = answer(b.udp(&wire), id);
        let truncated = [&ma, &mb]
            .iter()
            .any(|m| m.as_ref().is_ok_and(|m| m.has(flag::TC)));
        if ma.as_ref().is_ok_and(|m| m.has(flag::TC)) {
            report.truncated += 1;
        }
        report.exchange(q, "udp", ma, mb);
        if truncated && tcp {
            over_tcp.push((i, wire));
        }
    }
    // Pipelined: eight queries to a connection.
    for chunk in over_tcp.chunks(8) {
        let wires: Vec<Vec<u8>> = chunk.iter().map(|(_, w)| w.clone()).collect();
        let (ra, rb) = (a.tcp(&wires), b.tcp(&wires));
        for (k, (i, wire)) in chunk.iter().enumerate() {
            let id = u16::from_be_bytes([wire[0], wire[1]]);
            // Answers may come in any order: find each by id.
            let pick = |r: &Result<Vec<Vec<u8>>, String>| -> Result<Message, String> {
                let answers = r.as_ref().map_err(Clone::clone)?;
                answers
                    .iter()
                    .find(|x| x.len() >= 2 && u16::from_be_bytes([x[0], x[1]]) == id)
                    .or(answers.get(k))
                    .ok_or_else(|| "no answer over TCP".to_string())
                    .and_then(|x| answer(Ok(Some(x.clone())), id))
            };
            report.tcp += 1;
            let mut query = queries[*i].clone();
            query.tcp = true;
            report.exchange(&query, "tcp", pick(&ra), pick(&rb));
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_parses_back() {
        let q = Query {
            name: "WwW.Example.com".into(),
            qtype: rtype::AAAA,
            edns: Some(1232),
            rd: true,
            tcp: false,
        };
        let m = Message::parse(&q.wire(0x1234)).unwrap();
        assert_eq!(m.id, 0x1234);
        assert!(m.has(flag::RD));
        assert_eq!(m.question, vec![("WwW.Example.com".into(), rtype::AAAA, 1)]);
        assert_eq!(m.opt.unwrap().udp_size, 1232);
    }

    #[test]
    fn compressed_names_and_loops() {
        // Header with one answer: www.example.com A, the owner a pointer
        // to the question's name.
        let mut msg = Query {
            name: "www.example.com".into(),
            qtype: rtype::A,
            edns: None,
            rd: false,
            tcp: false,
        }
        .wire(1);
        msg[2] = 0x84; // QR AA
        msg[7] = 1; // ANCOUNT
        msg.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 80]);
        let m = Message::parse(&msg).unwrap();
        assert_eq!(
            m.answer[0].to_string(),
            "www.example.com. 3600 A 192.0.2.80"
        );
        // A pointer to itself.
        let n = msg.len();
        msg.truncate(n - 16);
        msg.extend_from_slice(&[
            0xc0,
            (n - 16) as u8,
            0,
            1,
            0,
            1,
            0,
            0,
            0,
            1,
            0,
            4,
            1,
            2,
            3,
            4,
        ]);
        assert!(Message::parse(&msg).unwrap_err().contains("loop"));
    }

    #[test]
    fn rrsets_compare_as_sets_and_names_without_case() {
        let rec = |name: &str, data: &str| Record {
            name: name.into(),
            rtype: rtype::A,
            class: 1,
            ttl: 60,
            data: data.into(),
        };
        let msg = |answer: Vec<Record>| Message {
            id: 1,
            flags: flag::QR | flag::AA,
            question: vec![("a.example".into(), rtype::A, 1)],
            answer,
            authority: Vec::new(),
            additional: Vec::new(),
            opt: None,
            size: 0,
        };
        let a = msg(vec![
            rec("a.example", "1.2.3.4"),
            rec("a.example", "5.6.7.8"),
        ]);
        let b = msg(vec![
            rec("a.example", "5.6.7.8"),
            rec("a.example", "1.2.3.4"),
        ]);
        assert!(compare(&a, &b).is_empty());
        let c = msg(vec![rec("a.example", "1.2.3.4")]);
        let diffs = compare(&a, &c);
        assert_eq!(diffs.len(), 1, "{diffs:?}");
        assert!(matches!(
            &diffs[0],
            Difference::RRset {
                section: Section::Answer,
                ..
            }
        ));
        let mut d = c.clone();
        d.flags |= flag::TC;
        assert!(compare(&c, &d).contains(&Difference::Flag(flag::TC)));
    }

    #[test]
    fn the_query_set_covers_what_the_issue_asks() {
        let zones = Zones::shipped();
        let owners = zones.owners();
        for name in [
            "www.example.com",
            "*.wild.example.com",
            "ns1.sub.example.com",
            "80.2.0.192.in-addr.arpa",
        ] {
            assert!(owners.contains(&name.to_string()), "{name} in {owners:?}");
        }
        let qs = queries(&zones, 2000);
        assert!(qs.len() >= 2000, "{}", qs.len());
        for t in QUERY_TYPES {
            assert!(qs.iter().any(|q| q.qtype == *t));
        }
        assert!(qs
            .iter()
            .any(|q| q.name.chars().any(|c| c.is_ascii_uppercase())));
        assert!(qs.iter().any(|q| q.tcp));
        assert!(qs
            .iter()
            .any(|q| q.edns == Some(512) && q.name.eq_ignore_ascii_case("huge.example.com")));
        assert!(qs
            .iter()
            .any(|q| q.name.eq_ignore_ascii_case("x.wild.example.com")));
        assert!(qs.iter().any(|q| q.name == "example.net"));
    }
}
