//! The answer rules, one test each, checked by decoding the responses
//! with simple-dns (an independent parser).

use super::*;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use proptest::prelude::*;
use simple_dns::rdata::RData;
use simple_dns::Packet as Decoded;

/// A zone with every type, wildcards, a delegation with glue and CNAME
/// chains inside and out of the zone, and a loop.
pub(crate) const EXAMPLE: &str = "\
$ORIGIN example.com.
$TTL 3600
@       IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
        IN NS  ns1
        IN NS  ns2
        IN MX  10 mail
        IN MX  20 mail
        IN TXT \"v=spf1 -all\"
        IN CAA 0 issue \"ca.example.net\"
ns1     IN A   192.0.2.1
ns2     IN A   192.0.2.2
        IN AAAA 2001:db8::2
www     IN A   192.0.2.10
        IN AAAA 2001:db8::10
mail    IN A   192.0.2.20
alias   IN CNAME www
chain1  IN CNAME chain2
chain2  IN CNAME alias
out     IN CNAME www.example.net.
dangling IN CNAME nothing
loop1   IN CNAME loop2
loop2   IN CNAME loop1
_sip._udp IN SRV 10 5 5060 www
1       IN PTR www
*.wild  IN TXT \"wild\"
*.wild  IN A   192.0.2.77
*.cw    IN CNAME www
a.b.c   IN A   192.0.2.99
sub     IN NS  ns.sub
        IN NS  ns.elsewhere.org.
ns.sub  IN A   192.0.2.53
big     IN TXT \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"
big     IN TXT \"1123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"
big     IN TXT \"2123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"
big     IN TXT \"3123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"
big     IN TXT \"4123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"
big     IN TXT \"5123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"
";

const CHILD: &str = "\
$ORIGIN sub.example.com.
$TTL 60
@   SOA ns hostmaster 1 2 3 4 30
    NS  ns
ns  A   192.0.2.53
";

pub(crate) fn zones() -> Vec<Zone> {
    vec![Zone::parse(EXAMPLE.as_bytes(), None).unwrap()]
}

fn wire(name: &str) -> Vec<u8> {
    name::parse(name.as_bytes(), None).unwrap()
}

/// A query for `name`/`qtype` (RD set), with an OPT record of `edns`
/// (size, version, DO) when given.
pub(crate) fn query(name: &str, qtype: u16, edns: Option<(u16, u8, bool)>) -> Vec<u8> {
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    q.extend_from_slice(&wire(name));
    q.extend_from_slice(&qtype.to_be_bytes());
    q.extend_from_slice(&[0, 1]);
    if let Some((size, version, dnssec_ok)) = edns {
        q[11] = 1;
        let [s0, s1] = size.to_be_bytes();
        let flags = if dnssec_ok { 0x80 } else { 0 };
        q.extend_from_slice(&[0, 0, 41, s0, s1, 0, version, flags, 0, 0, 0]);
    }
    q
}

/// A response, with its header fields and sections decoded.
#[derive(Debug)]
struct Answer {
    bytes: Vec<u8>,
    rcode: u8,
    aa: bool,
    tc: bool,
    answer: Vec<String>,
    authority: Vec<String>,
    additional: Vec<String>,
}

fn show(rr: &simple_dns::ResourceRecord) -> String {
    let data = match &rr.rdata {
        RData::A(a) => format!("A {}", core::net::Ipv4Addr::from(a.address)),
        RData::AAAA(a) => format!("AAAA {}", core::net::Ipv6Addr::from(a.address)),
        RData::CNAME(n) => format!("CNAME {}", n.0),
        RData::NS(n) => format!("NS {}", n.0),
        RData::PTR(n) => format!("PTR {}", n.0),
        RData::MX(m) => format!("MX {} {}", m.preference, m.exchange),
        RData::SOA(s) => format!("SOA {} {} {} {}", s.mname, s.rname, s.serial, s.minimum),
        RData::SRV(s) => format!("SRV {} {} {} {}", s.priority, s.weight, s.port, s.target),
        RData::TXT(t) => {
            let strings: Vec<String> = t
                .iter_raw()
                .map(|(k, v)| match v {
                    Some(v) => format!(
                        "{}={}",
                        String::from_utf8_lossy(k),
                        String::from_utf8_lossy(v)
                    ),
                    None => String::from_utf8_lossy(k).into_owned(),
                })
                .collect();
            format!("TXT {strings:?}")
        }
        RData::CAA(c) => format!(
            "CAA {} {} {}",
            c.flag,
            c.tag,
            String::from_utf8_lossy(&c.value)
        ),
        other => format!("{other:?}"),
    };
    format!("{} {} {}", rr.name, rr.ttl, data)
}

fn ask_with(zones: &[Zone], q: &[u8], room: usize) -> Answer {
    let mut buf = vec![0u8; room.max(q.len())];
    buf[..q.len()].copy_from_slice(q);
    let Reply::Sent {
        len,
        rcode,
        truncated,
    } = respond(zones, 1232, &mut buf, q.len())
    else {
        panic!("dropped");
    };
    let bytes = buf[..len].to_vec();
    assert_eq!(bytes[3] & 0x0f, rcode.value() as u8 & 0x0f);
    assert_eq!(bytes[2] & TC != 0, truncated);
    let p = Decoded::parse(&bytes).expect("simple-dns parses the response");
    Answer {
        rcode: bytes[3] & 0x0f,
        aa: bytes[2] & AA != 0,
        tc: truncated,
        answer: p.answers.iter().map(show).collect(),
        authority: p.name_servers.iter().map(show).collect(),
        additional: p.additional_records.iter().map(show).collect(),
        bytes,
    }
}

fn ask(name: &str, qtype: u16) -> Answer {
    ask_with(&zones(), &query(name, qtype, None), 2048)
}

#[test]
fn exact_match() {
    let a = ask("www.example.com.", rtype::A);
    assert_eq!((a.rcode, a.aa, a.tc), (0, true, false));
    assert_eq!(a.answer, ["www.example.com 3600 A 192.0.2.10"]);
    assert!(a.authority.is_empty() && a.additional.is_empty());
    let a = ask("www.example.com.", rtype::AAAA);
    assert_eq!(a.answer, ["www.example.com 3600 AAAA 2001:db8::10"]);
    let a = ask("1.example.com.", rtype::PTR);
    assert_eq!(a.answer, ["1.example.com 3600 PTR www.example.com"]);
    let a = ask("example.com.", rtype::CAA);
    assert_eq!(a.answer, ["example.com 3600 CAA 0 issue ca.example.net"]);
    let a = ask("example.com.", rtype::SOA);
    assert_eq!(
        a.answer,
        ["example.com 3600 SOA ns1.example.com hostmaster.example.com 2024010101 300"]
    );
    let a = ask("example.com.", rtype::TXT);
    assert_eq!(a.answer.len(), 1);
    assert!(a.answer[0].contains("v=spf1"), "{:?}", a.answer);
}

#[test]
fn additional_addresses_for_ns_mx_srv() {
    let a = ask("example.com.", rtype::MX);
    assert_eq!(a.answer.len(), 2);
    assert_eq!(
        a.additional,
        ["mail.example.com 3600 A 192.0.2.20"],
        "one copy for two MX"
    );
    let a = ask("example.com.", rtype::NS);
    assert_eq!(a.answer.len(), 2);
    assert_eq!(
        a.additional,
        [
            "ns1.example.com 3600 A 192.0.2.1",
            "ns2.example.com 3600 A 192.0.2.2",
            "ns2.example.com 3600 AAAA 2001:db8::2"
        ]
    );
    let a = ask("_sip._udp.example.com.", rtype::SRV);
    assert_eq!(
        a.answer,
        ["_sip._udp.example.com 3600 SRV 10 5 5060 www.example.com"]
    );
    assert_eq!(a.additional.len(), 2, "A and AAAA of the target");
}

#[test]
fn cname_chains() {
    let a = ask("chain1.example.com.", rtype::A);
    assert_eq!(
        a.answer,
        [
            "chain1.example.com 3600 CNAME chain2.example.com",
            "chain2.example.com 3600 CNAME alias.example.com",
            "alias.example.com 3600 CNAME www.example.com",
            "www.example.com 3600 A 192.0.2.10"
        ]
    );
    assert_eq!((a.rcode, a.aa), (0, true));
    // Out of the zone: the chain stops at the CNAME.
    let a = ask("out.example.com.", rtype::A);
    assert_eq!(a.answer, ["out.example.com 3600 CNAME www.example.net"]);
    assert_eq!((a.rcode, a.authority.len()), (0, 0));
    // To a name that does not exist: NXDOMAIN with the CNAME (RFC 6604).
    let a = ask("dangling.example.com.", rtype::A);
    assert_eq!(
        a.answer,
        ["dangling.example.com 3600 CNAME nothing.example.com"]
    );
    assert_eq!(a.rcode, 3);
    assert_eq!(a.authority.len(), 1);
    // The CNAME itself when asked for.
    let a = ask("alias.example.com.", rtype::CNAME);
    assert_eq!(a.answer, ["alias.example.com 3600 CNAME www.example.com"]);
    // A loop stops.
    let a = ask("loop1.example.com.", rtype::A);
    assert_eq!(a.rcode, 0);
    assert_eq!(a.answer.len(), 2, "{:?}", a.answer);
    // A type the target lacks: NODATA after the chain.
    let a = ask("alias.example.com.", rtype::MX);
    assert_eq!(a.answer.len(), 1);
    assert_eq!(a.authority.len(), 1);
}

#[test]
fn wildcards() {
    let a = ask("anything.wild.example.com.", rtype::TXT);
    assert_eq!(a.answer, ["anything.wild.example.com 3600 TXT [\"wild\"]"]);
    assert_eq!((a.rcode, a.aa), (0, true));
    let a = ask("x.y.wild.example.com.", rtype::A);
    assert_eq!(a.answer, ["x.y.wild.example.com 3600 A 192.0.2.77"]);
    // NODATA at a wildcard.
    let a = ask("z.wild.example.com.", rtype::MX);
    assert_eq!((a.rcode, a.answer.len(), a.authority.len()), (0, 0, 1));
    // A wildcard CNAME.
    let a = ask("q.cw.example.com.", rtype::A);
    assert_eq!(
        a.answer,
        [
            "q.cw.example.com 3600 CNAME www.example.com",
            "www.example.com 3600 A 192.0.2.10"
        ]
    );
    // The wildcard's own name.
    let a = ask("*.wild.example.com.", rtype::A);
    assert_eq!(a.answer, ["*.wild.example.com 3600 A 192.0.2.77"]);
    // wild.example.com itself is an empty non-terminal: NODATA.
    let a = ask("wild.example.com.", rtype::A);
    assert_eq!((a.rcode, a.answer.len()), (0, 0));
    // The closest encloser of x.b.c is b.c (an empty non-terminal), and
    // there is no *.b.c: NXDOMAIN, though *.wild exists elsewhere.
    let a = ask("x.b.c.example.com.", rtype::A);
    assert_eq!(a.rcode, 3);
}

#[test]
fn negative_answers_carry_the_soa() {
    let soa = "example.com 300 SOA ns1.example.com hostmaster.example.com 2024010101 300";
    let a = ask("nope.example.com.", rtype::A);
    assert_eq!((a.rcode, a.aa), (3, true));
    assert!(a.answer.is_empty());
    assert_eq!(a.authority, [soa], "TTL = min(SOA TTL, MINIMUM)");
    let a = ask("www.example.com.", rtype::MX);
    assert_eq!((a.rcode, a.aa), (0, true));
    assert_eq!(a.authority, [soa]);
    // An empty non-terminal is NODATA, not NXDOMAIN.
    let a = ask("b.c.example.com.", rtype::A);
    assert_eq!((a.rcode, a.authority.len()), (0, 1));
}

#[test]
fn referrals() {
    for q in [
        "sub.example.com.",
        "www.sub.example.com.",
        "ns.sub.example.com.",
    ] {
        let a = ask(q, rtype::A);
        assert_eq!((a.rcode, a.aa), (0, false), "{q}");
        assert!(a.answer.is_empty());
        assert_eq!(
            a.authority,
            [
                "sub.example.com 3600 NS ns.sub.example.com",
                "sub.example.com 3600 NS ns.elsewhere.org"
            ]
        );
        assert_eq!(
            a.additional,
            ["ns.sub.example.com 3600 A 192.0.2.53"],
            "glue"
        );
    }
    // DS is the parent's: NODATA.
    let a = ask("sub.example.com.", rtype::DS);
    assert_eq!(
        (a.rcode, a.aa, a.answer.len(), a.authority.len()),
        (0, true, 0, 1)
    );
    // Serving the child too, the child answers.
    let mut both = zones();
    both.push(Zone::parse(CHILD.as_bytes(), None).unwrap());
    let a = ask_with(&both, &query("ns.sub.example.com.", rtype::A, None), 2048);
    assert!(a.aa);
    assert_eq!(a.answer, ["ns.sub.example.com 60 A 192.0.2.53"]);
    let a = ask_with(&both, &query("www.example.com.", rtype::A, None), 2048);
    assert_eq!(a.answer.len(), 1);
}

#[test]
fn case_is_echoed_and_matched_insensitively() {
    let a = ask("WwW.ExAmPlE.cOm.", rtype::A);
    assert_eq!(a.answer, ["WwW.ExAmPlE.cOm 3600 A 192.0.2.10"]);
    assert_eq!(&a.bytes[12..29], b"\x03WwW\x07ExAmPlE\x03cOm\x00");
    let a = ask("ANYTHING.WILD.example.com.", rtype::A);
    assert_eq!(a.answer, ["ANYTHING.WILD.example.com 3600 A 192.0.2.77"]);
}

#[test]
fn names_are_compressed() {
    let a = ask("www.example.com.", rtype::A);
    // Header, question (17 + 4), then the answer's owner: a pointer to 12.
    assert_eq!(&a.bytes[33..35], &[0xc0, 12]);
    assert_eq!(a.bytes.len(), 33 + 2 + 10 + 4);
    let a = ask("example.com.", rtype::MX);
    // Question 13 + 4; owner pointer, 10 bytes, preference, then "mail"
    // and a pointer to the question's example.com.
    let mx = &a.bytes[12 + 17 + 2 + 10..];
    assert_eq!(&mx[2..9], b"\x04mail\xc0\x0c");
}

#[test]
fn any_returns_every_rrset() {
    let a = ask("www.example.com.", rtype::ANY);
    assert_eq!(a.answer.len(), 2);
    let a = ask("example.com.", rtype::ANY);
    assert_eq!(a.answer.len(), 7, "{:?}", a.answer);
    assert!(!a.additional.is_empty());
}

#[test]
fn edns() {
    let q = query("www.example.com.", rtype::A, Some((4096, 0, true)));
    let a = ask_with(&zones(), &q, 2048);
    assert_eq!(a.answer.len(), 1);
    // Our OPT: root, type 41, our size 1232, DO copied.
    let opt = &a.bytes[a.bytes.len() - 11..];
    assert_eq!(opt, &[0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0]);
    assert_eq!(u16::from_be_bytes([a.bytes[10], a.bytes[11]]), 1);
    // BADVERS: extended rcode 1 in the OPT, 0 in the header, no answer.
    let q = query("www.example.com.", rtype::A, Some((4096, 1, false)));
    let mut buf = q.clone();
    buf.resize(2048, 0);
    let Reply::Sent { len, rcode, .. } = respond(&zones(), 1232, &mut buf, q.len()) else {
        panic!()
    };
    assert_eq!(rcode, Rcode::BadVers);
    assert_eq!(
        (buf[3] & 0x0f, u16::from_be_bytes([buf[6], buf[7]])),
        (0, 0)
    );
    assert_eq!(buf[len - 6], 1, "extended rcode");
    // Two OPTs: FORMERR.
    let mut q = query("www.example.com.", rtype::A, Some((4096, 0, false)));
    let opt = q[q.len() - 11..].to_vec();
    q.extend_from_slice(&opt);
    q[11] = 2;
    assert_eq!(rcode_of(&q), Some(1));
}

#[test]
fn truncation() {
    // Six 101-byte strings: more than 512 bytes, less than 1232.
    let a = ask("big.example.com.", rtype::TXT);
    assert!(a.tc);
    assert!(
        a.answer.is_empty(),
        "the RRset that does not fit is left out"
    );
    assert!(a.bytes.len() <= 512);
    let q = query("big.example.com.", rtype::TXT, Some((1232, 0, false)));
    let a = ask_with(&zones(), &q, 2048);
    assert!(!a.tc);
    assert_eq!(a.answer.len(), 6);
    // A client size below 512 counts as 512.
    let q = query("big.example.com.", rtype::TXT, Some((100, 0, false)));
    let a = ask_with(&zones(), &q, 2048);
    assert!(a.tc && a.bytes.len() <= 512);
    // Past the room in the buffer, nothing is written.
    let q = query("big.example.com.", rtype::TXT, Some((4096, 0, false)));
    let a = ask_with(&zones(), &q, 600);
    assert!(a.tc && a.bytes.len() <= 600);
}

fn rcode_of(q: &[u8]) -> Option<u8> {
    let mut buf = q.to_vec();
    buf.resize(2048, 0);
    match respond(&zones(), 1232, &mut buf, q.len()) {
        Reply::Sent { rcode, .. } => Some(rcode.value() as u8),
        Reply::Drop => None,
    }
}

#[test]
fn refused_formerr_notimp() {
    assert_eq!(
        rcode_of(&query("www.example.org.", rtype::A, None)),
        Some(5)
    );
    assert_eq!(rcode_of(&query("com.", rtype::A, None)), Some(5));
    assert_eq!(rcode_of(&query("xexample.com.", rtype::A, None)), Some(5));
    let mut ch = query("www.example.com.", rtype::A, None);
    let n = ch.len();
    ch[n - 1] = 3; // class CH
    assert_eq!(rcode_of(&ch), Some(5));
    assert_eq!(rcode_of(&query("example.com.", 252, None)), Some(4), "AXFR");
    let mut notify = query("www.example.com.", rtype::A, None);
    notify[2] = 4 << 3;
    assert_eq!(rcode_of(&notify), Some(4));
    let mut two = query("www.example.com.", rtype::A, None);
    two[5] = 2;
    assert_eq!(rcode_of(&two), Some(1), "QDCOUNT 2");
    let mut zero = query("www.example.com.", rtype::A, None);
    zero[5] = 0;
    assert_eq!(rcode_of(&zero), Some(1), "QDCOUNT 0");
    let mut answers = query("www.example.com.", rtype::A, None);
    answers[7] = 1;
    assert_eq!(rcode_of(&answers), Some(1), "ANCOUNT 1");
    let mut pointer = query("www.example.com.", rtype::A, None);
    pointer[12] = 0xc0;
    pointer[13] = 12;
    assert_eq!(rcode_of(&pointer), Some(1), "a pointer to itself");
    let mut label = query("www.example.com.", rtype::A, None);
    label[12] = 0x40;
    assert_eq!(rcode_of(&label), Some(1), "a reserved label type");
    let q = query("www.example.com.", rtype::A, None);
    assert_eq!(rcode_of(&q[..q.len() - 2]), Some(1), "cut short");
    let mut ar = query("www.example.com.", rtype::A, None);
    ar[11] = 1;
    assert_eq!(
        rcode_of(&ar),
        Some(1),
        "an additional record that is not there"
    );
    let mut response = query("www.example.com.", rtype::A, None);
    response[2] |= 0x80;
    assert_eq!(rcode_of(&response), None, "responses are dropped");
    assert_eq!(rcode_of(&q[..11]), None, "shorter than a header");
    // FORMERR is a bare header with the query's ID.
    let mut buf = two.clone();
    let Reply::Sent { len, .. } = respond(&zones(), 1232, &mut buf, two.len()) else {
        panic!()
    };
    assert_eq!(len, 12);
    assert_eq!(&buf[..4], &[0x12, 0x34, 0x81, 0x01]);
}

#[test]
fn long_names_and_labels() {
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for _ in 0..5 {
        q.push(60);
        q.extend_from_slice(&[b'a'; 60]);
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    assert_eq!(rcode_of(&q), Some(1), "a name over 255 bytes");
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 64];
    q.extend_from_slice(&[b'a'; 64]);
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    assert_eq!(rcode_of(&q), Some(1), "a label of 64 bytes");
}

/// Queries of every kind the tests above use, to mutate.
fn valid_queries() -> Vec<Vec<u8>> {
    let names = [
        "www.example.com.",
        "chain1.example.com.",
        "x.wild.example.com.",
        "nope.example.com.",
        "www.sub.example.com.",
        "example.com.",
        "big.example.com.",
    ];
    let mut out = Vec::new();
    for (i, n) in names.iter().enumerate() {
        for t in [rtype::A, rtype::AAAA, rtype::MX, rtype::ANY, rtype::TXT] {
            let edns = (i % 2 == 0).then_some((1232, 0, i % 3 == 0));
            out.push(query(n, t, edns));
        }
    }
    out
}

/// A response is a well-formed DNS message with the query's ID, or
/// nothing; never a panic, never more than the room.
fn check_any(q: &[u8], room: usize) {
    let mut buf = vec![0u8; room.max(q.len())];
    buf[..q.len()].copy_from_slice(q);
    match respond(&zones(), 1232, &mut buf, q.len()) {
        Reply::Drop => {}
        Reply::Sent { len, rcode, .. } => {
            assert!(len >= 12 && len <= buf.len());
            assert_eq!(&buf[..2], &q[..2]);
            assert!(buf[2] & QR != 0);
            if rcode == Rcode::FormErr || rcode == Rcode::NotImp && len == 12 {
                assert_eq!(&buf[4..12], &[0; 8]);
            } else {
                // simple-dns refuses question types and classes it does
                // not know; the response echoes what the query asked.
                if let Err(e) = Decoded::parse(&buf[..len]) {
                    let e = format!("{e:?}");
                    let echoed = e.starts_with("InvalidQ")
                        || e.starts_with("InvalidClass")
                            && matches!(rcode, Rcode::Refused | Rcode::BadVers);
                    assert!(echoed, "simple-dns: {e}");
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        check_any(&bytes, 2048);
    }

    #[test]
    fn mutated_queries_get_an_answer_formerr_or_a_drop(
        which in 0usize..35,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        cut in any::<usize>(),
    ) {
        let mut q = valid_queries()[which].clone();
        for (at, v) in edits {
            let n = q.len();
            q[at % n] = v;
        }
        let keep = q.len() - cut % 4;
        q.truncate(keep);
        check_any(&q, 2048);
        check_any(&q, 600);
    }
}
