//! Authoritative answers: a query in, the response written over it in
//! the same buffer, allocating nothing.
//!
//! The query is parsed by hand (header, one question, the additional
//! section for EDNS(0)); the response keeps the query's header fields
//! that RFC 1035 echoes (ID, opcode, RD, CD) and its question as it came,
//! case included (RFC 4343 §4.1), and appends the answer, authority and
//! additional sections from the zone's precomputed wire forms, compressing
//! names against the question and what was written before (RFC 1035
//! §4.1.4). The lookup follows RFC 1034 §4.3.2 with RFC 4592 wildcards
//! and RFC 2308 negative answers ([`respond`]).

use super::name::{self, MAX_NAME};
use super::zone::{rtype, Node, RRset, Zone, CLASS_IN};

/// The response codes this server sends (RFC 1035 §4.1.1, RFC 6891).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rcode {
    /// NOERROR, answers and NODATA.
    NoError,
    /// FORMERR: the query could not be parsed.
    FormErr,
    /// NXDOMAIN: the name does not exist.
    NxDomain,
    /// NOTIMP: an opcode other than QUERY, or a zone-transfer type.
    NotImp,
    /// REFUSED: a name outside the zones served, or a class other than IN.
    Refused,
    /// BADVERS (extended, 16): an EDNS version above 0.
    BadVers,
}

impl Rcode {
    /// The 12-bit value; its low four bits go in the header, the rest in
    /// the OPT record.
    pub fn value(self) -> u16 {
        match self {
            Rcode::NoError => 0,
            Rcode::FormErr => 1,
            Rcode::NxDomain => 3,
            Rcode::NotImp => 4,
            Rcode::Refused => 5,
            Rcode::BadVers => 16,
        }
    }
}

/// What [`respond`] did with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// A response of `len` bytes is at the start of the buffer.
    Sent {
        /// Its length.
        len: usize,
        /// Its response code.
        rcode: Rcode,
        /// Whether TC is set.
        truncated: bool,
    },
    /// Nothing to send: a response, a message shorter than a header, or
    /// no room for a response.
    Drop,
}

/// The largest UDP response without EDNS (RFC 1035 §4.2.1).
pub const CLASSIC_UDP: u16 = 512;
/// Class ANY (a query class).
const CLASS_ANY: u16 = 255;
/// How many CNAMEs an answer follows.
const MAX_CHAIN: usize = 8;
/// How many name suffixes compression remembers.
const MAX_NAMES: usize = 64;
/// Bytes of our OPT record.
const OPT_LEN: usize = 11;

const QR: u8 = 0x80;
const AA: u8 = 0x04;
const TC: u8 = 0x02;
const RD: u8 = 0x01;
const CD: u8 = 0x10;

#[inline]
fn get16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

#[inline]
fn put16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

/// Reads the uncompressed name at the start of `msg` into `out` in lower
/// case; returns its length. `None` for a pointer, a reserved label type,
/// a name over 255 bytes or one cut short.
#[inline]
fn question_name(msg: &[u8], out: &mut [u8; MAX_NAME + 1]) -> Option<usize> {
    let mut i = 0;
    loop {
        let len = usize::from(*msg.get(i)?);
        if len == 0 {
            out[i] = 0;
            return Some(i + 1);
        }
        if len > 63 || i + 1 + len >= MAX_NAME {
            return None;
        }
        let label = msg.get(i + 1..i + 1 + len)?;
        out[i] = len as u8;
        for (o, c) in out[i + 1..i + 1 + len].iter_mut().zip(label) {
            *o = c.to_ascii_lowercase();
        }
        i += 1 + len;
    }
}

/// Skips the possibly compressed name at `msg[at..]` without following
/// pointers; returns the offset after it.
fn skip_name(msg: &[u8], mut at: usize) -> Option<usize> {
    let start = at;
    loop {
        let len = *msg.get(at)?;
        match len {
            0 => return Some(at + 1),
            1..=63 => at += 1 + usize::from(len),
            0xc0..=0xff => {
                msg.get(at + 1)?;
                return Some(at + 2);
            }
            _ => return None,
        }
        if at - start > MAX_NAME {
            return None;
        }
    }
}

/// What the query's OPT record said (RFC 6891 §6.1.2).
#[derive(Clone, Copy, Debug)]
struct Edns {
    size: u16,
    version: u8,
    dnssec_ok: bool,
}

/// Reads the additional section for an OPT record. `Err` when it cannot
/// be parsed, holds two OPTs, or an OPT not owned by the root.
fn read_edns(msg: &[u8], mut at: usize, count: u16) -> Result<Option<Edns>, ()> {
    let mut edns = None;
    for _ in 0..count {
        let name_end = skip_name(msg, at).ok_or(())?;
        let fixed = msg.get(name_end..name_end + 10).ok_or(())?;
        let rdlen = usize::from(get16(fixed, 8));
        if msg.len() < name_end + 10 + rdlen {
            return Err(());
        }
        if get16(fixed, 0) == rtype::OPT {
            if edns.is_some() || name_end - at != 1 {
                return Err(());
            }
            edns = Some(Edns {
                size: get16(fixed, 2).max(CLASSIC_UDP),
                version: fixed[5],
                dnssec_ok: fixed[6] & 0x80 != 0,
            });
        }
        at = name_end + 10 + rdlen;
    }
    Ok(edns)
}

/// Writes a response into a buffer, compressing names.
struct Writer<'b, 'n> {
    buf: &'b mut [u8],
    pos: usize,
    limit: usize,
    names: [(u16, &'n [u8]); MAX_NAMES],
    count: usize,
}

impl<'n> Writer<'_, 'n> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.pos + bytes.len();
        if end > self.limit {
            return None;
        }
        self.buf[self.pos..end].copy_from_slice(bytes);
        self.pos = end;
        Some(())
    }

    /// Writes `name` (wire form) as a pointer to an earlier copy of its
    /// longest suffix that has one.
    #[inline]
    fn name(&mut self, name: &'n [u8]) -> Option<()> {
        let mut i = 0;
        loop {
            let suffix = &name[i..];
            let len = usize::from(suffix[0]);
            if len == 0 {
                return self.put(&[0]);
            }
            let known = self.names[..self.count]
                .iter()
                .find(|(_, n)| n.len() == suffix.len() && n.eq_ignore_ascii_case(suffix));
            if let Some(&(at, _)) = known {
                return self.put(&(0xc000 | at).to_be_bytes());
            }
            if self.pos < 0x4000 && self.count < MAX_NAMES {
                self.names[self.count] = (self.pos as u16, suffix);
                self.count += 1;
            }
            self.put(&suffix[..1 + len])?;
            i += 1 + len;
        }
    }

    /// Writes every record of `set` under `owner`; on running out of room
    /// writes nothing and returns `None`, else the number of records.
    #[inline]
    fn rrset(&mut self, owner: &'n [u8], set: &'n RRset) -> Option<u16> {
        let (pos, count) = (self.pos, self.count);
        let written = self.rrset_records(owner, set);
        if written.is_none() {
            self.pos = pos;
            self.count = count;
        }
        written
    }

    #[inline]
    fn rrset_records(&mut self, owner: &'n [u8], set: &'n RRset) -> Option<u16> {
        let head = set.head();
        for rd in &set.rdatas {
            self.name(owner)?;
            self.put(&head)?;
            let len_at = self.pos;
            self.put(&[0, 0])?;
            let mut from = 0;
            for &(at, len) in rd.names.iter() {
                let (at, len) = (usize::from(at), usize::from(len));
                self.put(&rd.bytes[from..at])?;
                self.name(&rd.bytes[at..at + len])?;
                from = at + len;
            }
            self.put(&rd.bytes[from..])?;
            let rdlen = (self.pos - len_at - 2) as u16;
            put16(self.buf, len_at, rdlen);
        }
        Some(set.rdatas.len() as u16)
    }
}

/// What a name resolves to in a zone.
enum Found<'z> {
    /// The name exists (with or without data).
    Exact(&'z Node),
    /// The name does not, but a wildcard covers it (RFC 4592).
    Wildcard(&'z Node),
    /// The name is at or below a delegation: this node holds the NS set.
    Referral(&'z Node),
    /// Nothing at or covering the name.
    NxDomain,
}

/// Looks up `key` (lower case, at or below the zone's apex).
#[inline]
fn find<'z>(zone: &'z Zone, key: &[u8], qtype: u16) -> Found<'z> {
    let referral = |cut: &[u8]| match zone.nodes.get(cut) {
        Some(node) => Found::Referral(node),
        None => Found::NxDomain,
    };
    if let Some(node) = zone.nodes.get(key) {
        return match &node.cut {
            // DS is answered by the parent side of a cut (RFC 4035 §3.1.4.1).
            Some(cut) if !(qtype == rtype::DS && cut[..] == *key) => referral(cut),
            _ => Found::Exact(node),
        };
    }
    // The closest encloser: the longest existing ancestor (the apex at
    // worst); the source of synthesis is `*.` under it.
    let mut ce = key;
    while ce.len() > zone.apex.len() {
        ce = name::parent(ce);
        let Some(node) = zone.nodes.get(ce) else {
            continue;
        };
        if let Some(cut) = &node.cut {
            return referral(cut);
        }
        let mut wild = [0u8; MAX_NAME + 2];
        wild[0] = 1;
        wild[1] = b'*';
        wild[2..2 + ce.len()].copy_from_slice(ce);
        return match zone.nodes.get(&wild[..2 + ce.len()]) {
            Some(w) => Found::Wildcard(w),
            None => Found::NxDomain,
        };
    }
    Found::NxDomain
}

/// The zone that serves `qname` (lower case): the one with the deepest
/// apex at or above it.
#[inline]
fn zone_for<'z>(zones: &'z [Zone], qname: &[u8]) -> Option<&'z Zone> {
    zones
        .iter()
        .filter(|z| qname.ends_with(&z.apex) && name::is_below_or_at(qname, &z.apex))
        .max_by_key(|z| z.apex.len())
}

/// A header-only response (FORMERR, NOTIMP for other opcodes): ID,
/// opcode and RD as they came, every count zero.
fn header_only(msg: &mut [u8], rcode: Rcode) -> Reply {
    msg[2] = QR | (msg[2] & 0x78) | (msg[2] & RD);
    msg[3] = rcode.value() as u8;
    msg[4..12].fill(0);
    Reply::Sent {
        len: 12,
        rcode,
        truncated: false,
    }
}

/// Answers the DNS query in `msg[..len]` from `zones`, writing the
/// response over it (`msg` is the room there is). `edns_size` is the
/// largest UDP payload this server sends and advertises: a response is at
/// most the client's EDNS size, at most `edns_size`, and at least 512
/// bytes (512 without EDNS); what does not fit sets TC.
pub fn respond(zones: &[Zone], edns_size: u16, msg: &mut [u8], len: usize) -> Reply {
    if len < 12 || len > msg.len() || msg[2] & QR != 0 {
        return Reply::Drop;
    }
    if (msg[2] >> 3) & 0x0f != 0 {
        return header_only(msg, Rcode::NotImp);
    }
    if get16(msg, 4) != 1 || get16(msg, 6) != 0 || get16(msg, 8) != 0 {
        return header_only(msg, Rcode::FormErr);
    }
    let mut qname = [0u8; MAX_NAME + 1];
    let Some(qlen) = question_name(&msg[12..len], &mut qname) else {
        return header_only(msg, Rcode::FormErr);
    };
    let qend = 12 + qlen + 4;
    if qend > len {
        return header_only(msg, Rcode::FormErr);
    }
    let (qtype, qclass) = (get16(msg, qend - 4), get16(msg, qend - 2));
    let Ok(edns) = read_edns(&msg[..len], qend, get16(msg, 10)) else {
        return header_only(msg, Rcode::FormErr);
    };
    let limit = match edns {
        Some(e) => e.size.min(edns_size).max(CLASSIC_UDP),
        None => CLASSIC_UDP,
    };
    let reserve = if edns.is_some() { OPT_LEN } else { 0 };
    let limit = usize::from(limit).min(msg.len());
    if qend + reserve > limit {
        return Reply::Drop;
    }
    let qname = &qname[..qlen];
    let (rd, cd) = (msg[2] & RD, msg[3] & CD);
    let mut w = Writer {
        buf: msg,
        pos: qend,
        limit: limit - reserve,
        names: [(0, &[][..]); MAX_NAMES],
        count: 1,
    };
    w.names[0] = (12, qname);
    let mut counts = [1u16, 0, 0, 0];
    let (rcode, aa, tc) = match edns {
        Some(e) if e.version > 0 => (Rcode::BadVers, false, false),
        _ if qclass != CLASS_IN && qclass != CLASS_ANY => (Rcode::Refused, false, false),
        _ if (251..=254).contains(&qtype) => (Rcode::NotImp, false, false),
        _ => match zone_for(zones, qname) {
            None => (Rcode::Refused, false, false),
            Some(zone) => resolve(zone, qname, qtype, &mut w, &mut counts),
        },
    };
    w.limit = limit;
    if let Some(e) = edns {
        let ext = (rcode.value() >> 4) as u8;
        let [s0, s1] = edns_size.max(CLASSIC_UDP).to_be_bytes();
        let flags = if e.dnssec_ok { 0x80 } else { 0 };
        w.put(&[0, 0, 41, s0, s1, ext, 0, flags, 0, 0, 0])
            .expect("room was reserved");
        counts[3] += 1;
    }
    let end = w.pos;
    let msg = w.buf;
    msg[2] = QR | if aa { AA } else { 0 } | if tc { TC } else { 0 } | rd;
    msg[3] = cd | (rcode.value() & 0x0f) as u8;
    for (i, c) in counts.iter().enumerate() {
        put16(msg, 4 + 2 * i, *c);
    }
    Reply::Sent {
        len: end,
        rcode,
        truncated: tc,
    }
}

/// Where [`resolve`] writes a section's records.
const AN: usize = 1;
const NS: usize = 2;
const AR: usize = 3;

/// Writes `set` under `owner` into section `section`; false when it did
/// not fit (nothing of it was written).
#[inline]
fn section<'n>(
    w: &mut Writer<'_, 'n>,
    counts: &mut [u16; 4],
    section: usize,
    owner: &'n [u8],
    set: &'n RRset,
) -> bool {
    match w.rrset(owner, set) {
        Some(n) => {
            counts[section] += n;
            true
        }
        None => false,
    }
}

/// The lookup of RFC 1034 §4.3.2 in `zone`, writing the sections; returns
/// the rcode, AA and TC.
fn resolve<'n>(
    zone: &'n Zone,
    qname: &'n [u8],
    qtype: u16,
    w: &mut Writer<'_, 'n>,
    counts: &mut [u16; 4],
) -> (Rcode, bool, bool) {
    let mut owner: &'n [u8] = qname;
    let mut key = [0u8; MAX_NAME + 1];
    key[..qname.len()].copy_from_slice(qname);
    let mut key_len = qname.len();
    let mut visited: [Option<&Node>; MAX_CHAIN] = [None; MAX_CHAIN];
    let mut extra: [Option<&RRset>; 8] = [None; 8];
    let mut extras = 0;
    let (mut rcode, mut aa, mut tc) = (Rcode::NoError, true, false);
    let mut negative = false;
    for hop in 0..MAX_CHAIN {
        match find(zone, &key[..key_len], qtype) {
            Found::Referral(cut) => {
                aa = counts[AN] > 0;
                let Some(set) = cut.get(rtype::NS) else {
                    break;
                };
                if !section(w, counts, NS, &cut.owner, set) {
                    tc = true;
                    break;
                }
                // Glue that does not fit truncates (RFC 9471).
                for (o, s) in &set.additional {
                    if !section(w, counts, AR, o, s) {
                        tc = true;
                        break;
                    }
                }
                break;
            }
            Found::NxDomain => {
                rcode = Rcode::NxDomain;
                negative = true;
                break;
            }
            Found::Exact(node) | Found::Wildcard(node) => {
                if qtype == rtype::ANY && !node.rrsets.is_empty() {
                    for set in &node.rrsets {
                        if !section(w, counts, AN, owner, set) {
                            tc = true;
                            break;
                        }
                        if !set.additional.is_empty() && extras < extra.len() {
                            extra[extras] = Some(set);
                            extras += 1;
                        }
                    }
                    break;
                }
                if let Some(set) = node.get(qtype) {
                    tc = !section(w, counts, AN, owner, set);
                    if !set.additional.is_empty() {
                        extra[0] = Some(set);
                        extras = 1;
                    }
                    break;
                }
                let Some(cname) = node.get(rtype::CNAME) else {
                    negative = true;
                    break;
                };
                if !section(w, counts, AN, owner, cname) {
                    tc = true;
                    break;
                }
                visited[hop] = Some(node);
                let target: &'n [u8] = &cname.rdatas[0].bytes;
                key[..target.len()].copy_from_slice(target);
                key[..target.len()].make_ascii_lowercase();
                key_len = target.len();
                owner = target;
                // Out of the zone, or back to a name already answered:
                // the chain ends here.
                let looped = zone
                    .nodes
                    .get(&key[..key_len])
                    .is_some_and(|next| visited.iter().flatten().any(|v| core::ptr::eq(*v, next)));
                if looped || !name::is_below_or_at(target, &zone.apex) {
                    break;
                }
            }
        }
    }
    if negative {
        let apex = zone.apex_node();
        tc |= !section(w, counts, NS, &apex.owner, &zone.negative_soa);
    }
    if !tc {
        'additional: for (i, set) in extra[..extras].iter().flatten().enumerate() {
            if extra[..i].iter().flatten().any(|s| core::ptr::eq(*s, *set)) {
                continue;
            }
            for (o, s) in &set.additional {
                if !section(w, counts, AR, o, s) {
                    break 'additional;
                }
            }
        }
    }
    (rcode, aa, tc)
}

#[cfg(test)]
pub(crate) mod tests;
