use super::*;
use crate::dns::answer::tests::{query, EXAMPLE};
use crate::dns::zone::rtype;
use crate::harness::{self, check_batch_path, ip_checksum, on_port, run_push};
use crate::ip::ip_header::testing::{marked, udp};
use alloc::vec;
use nfc_dataplane::files::Embedded;
use nfc_dataplane::packet::PacketPool;

static FILES: [(&str, &[u8]); 2] = [
    ("example.zone", EXAMPLE.as_bytes()),
    (
        "bad.zone",
        b"$ORIGIN x.\n$TTL 1\n@ SOA a b 1 2 3 4 5\nwww A 1.2.3\n",
    ),
];

fn server() -> DNSServer {
    DNSServer::configure_with_files("ZONE example.zone", &Embedded(&FILES)).unwrap()
}

const CLIENT: [u8; 4] = [10, 0, 0, 2];
const SERVER: [u8; 4] = [10, 0, 0, 1];

#[test]
fn configuration() {
    let s = server();
    assert_eq!(s.zones().len(), 1);
    assert_eq!((s.edns_size, s.port), (1232, 53));
    let s = DNSServer::configure_with_files(
        "ZONE example.zone example.com., EDNS_SIZE 4096, PORT 5353",
        &Embedded(&FILES),
    )
    .unwrap();
    assert_eq!((s.edns_size, s.port), (4096, 5353));
    let cfg = "ZONE bad.zone, ZONE missing.zone, ZONE example.zone";
    let e = DNSServer::configure_with_files(cfg, &Embedded(&FILES))
        .unwrap_err()
        .0;
    assert_eq!(e.len(), 2, "{e:?}");
    assert_eq!(
        e[0].message,
        "ZONE: bad.zone:4:7: expected an IPv4 address, found \"1.2.3\""
    );
    assert!(e[0].hint.is_some());
    assert_eq!(&cfg[e[0].span.clone().unwrap()], "ZONE bad.zone");
    assert!(e[1].message.contains("missing.zone"), "{}", e[1].message);
    assert_eq!(&cfg[e[1].span.clone().unwrap()], "ZONE missing.zone");
    let e =
        DNSServer::configure_with_files("ZONE example.zone, ZONE example.zone", &Embedded(&FILES))
            .unwrap_err();
    assert!(e.0[0].message.contains("second zone"), "{e}");
    assert!(DNSServer::configure("").is_err(), "no zone");
    assert!(
        DNSServer::configure("ZONE a b").is_err(),
        "a relative origin"
    );
    assert!(DNSServer::configure("ZONE a, EDNS_SIZE 100").is_err());
    assert!(DNSServer::configure("ZONE a, ZONES b").is_err());
    let s = DNSServer::configure("ZONE a, ZONE b c.").unwrap();
    assert!(s.zones().is_empty());
    assert!((SPEC.check)("ZONE a.zone").is_ok());
}

/// A UDP query from CLIENT:5000+i to SERVER:port, as IPClassifier leaves
/// it (IP header annotation set), behind a 14-byte link header.
fn packet_to(dns: &[u8], port: u16, i: usize, pool: &'static PacketPool) -> Packet {
    let mut bytes = vec![0xee; 14];
    bytes.extend_from_slice(&udp(CLIENT, SERVER, 5000 + i as u16, port, dns));
    let mut p = marked(pool, &bytes, 14);
    p.set_paint(i as u8);
    p
}

/// Queries and non-queries mixed: batch metadata varies packet to packet.
fn packet(i: usize, pool: &'static PacketPool) -> Packet {
    let names = [
        "www.example.com.",
        "nope.example.com.",
        "example.com.",
        "www.example.org.",
    ];
    let qtype = [rtype::A, rtype::AAAA, rtype::MX][i % 3];
    let q = query(
        names[i % 4],
        qtype,
        (i % 2 == 0).then_some((1232, 0, false)),
    );
    match i % 7 {
        5 => packet_to(&q, 54, i, pool),
        6 => packet_to(&q[..5], 53, i, pool),
        _ => packet_to(&q, 53, i, pool),
    }
}

#[test]
fn answers_in_place() {
    let mut s = server();
    let pool = harness::pool();
    let cx = harness::cx(pool);
    let q = query("www.example.com.", rtype::A, None);
    let sent = run_push(&mut s, &cx, 0, vec![packet_to(&q, 53, 0, pool)], 1);
    let out = on_port(&sent, 0);
    assert_eq!(out.len(), 1);
    let d = &out[0].data;
    assert_eq!(&d[..14], &[0xee; 14], "the link header is left alone");
    let ip = &d[14..];
    assert_eq!((&ip[12..16], &ip[16..20]), (&SERVER[..], &CLIENT[..]));
    assert_eq!(ip_checksum(&ip[..20]), 0);
    assert_eq!(usize::from(u16::from_be_bytes([ip[2], ip[3]])), ip.len());
    assert_eq!(ip[8], 64);
    let udp = &ip[20..];
    assert_eq!((&udp[0..2], &udp[2..4]), (&[0, 53][..], &[0x13, 0x88][..]));
    assert_eq!(usize::from(u16::from_be_bytes([udp[4], udp[5]])), udp.len());
    let sum = crate::ip::ip_header::transport_checksum(ip, udp);
    assert_eq!(sum, 0, "the UDP checksum verifies");
    let dns = &udp[8..];
    assert_eq!(&dns[..4], &[0x12, 0x34, 0x85, 0x00]);
    assert_eq!(&dns[dns.len() - 4..], &[192, 0, 2, 10]);
    assert_eq!(out[0].dst_ip, core::net::Ipv4Addr::from(CLIENT));
    assert_eq!(s.read_handler("noerror").unwrap(), "1");
    assert_eq!(s.read_handler("queries").unwrap(), "1");
}

#[test]
fn counters_and_drops() {
    let mut s = server();
    let pool = harness::pool();
    let cx = harness::cx(pool);
    let packets = (0..28).map(|i| packet(i, pool)).collect();
    let sent = run_push(&mut s, &cx, 0, packets, 1);
    let answered = on_port(&sent, 0).len();
    let h = |s: &DNSServer, n: &str| s.read_handler(n).unwrap().parse::<usize>().unwrap();
    assert_eq!(h(&s, "drops"), 8, "4 to port 54, 4 cut short");
    assert_eq!(answered, 20);
    assert_eq!(h(&s, "queries"), 20);
    assert_eq!(h(&s, "noerror") + h(&s, "nxdomain") + h(&s, "refused"), 20);
    assert!(h(&s, "refused") > 0 && h(&s, "nxdomain") > 0 && h(&s, "noerror") > 0);
    assert_eq!(h(&s, "servfail"), 0);
    assert_eq!(s.read_handler("zones").unwrap(), "example.com. 35\n");
    s.write_handler("reset", "").unwrap();
    assert_eq!(h(&s, "queries"), 0);
    assert_eq!(s.read_handler("nope"), Err(HandlerError::NoSuchHandler));
    // No IP header annotation; a fragment.
    let q = query("www.example.com.", 1, None);
    let mut bare = pool.alloc_with(&udp(CLIENT, SERVER, 1, 53, &q)).unwrap();
    assert_eq!(s.process(&cx, 0, &mut bare), Out::Drop);
    let mut frag = udp(CLIENT, SERVER, 1, 53, &q);
    frag[6] = 0x20;
    let mut frag = marked(pool, &frag, 0);
    assert_eq!(s.process(&cx, 0, &mut frag), Out::Drop);
    assert_eq!(h(&s, "drops"), 2);
}

#[test]
fn batch_path_equals_packet_path() {
    check_batch_path(&server(), 0, 1, packet);
}

#[test]
fn malformed_queries_keep_the_server_serving() {
    let mut s = server();
    let pool = harness::pool();
    let cx = harness::cx(pool);
    let mut q = query("www.example.com.", rtype::A, None);
    q[5] = 3;
    let sent = run_push(&mut s, &cx, 0, vec![packet_to(&q, 53, 0, pool)], 1);
    let out = on_port(&sent, 0);
    assert_eq!(out[0].data.len(), 14 + 20 + 8 + 12, "a bare FORMERR header");
    assert_eq!(s.read_handler("formerr").unwrap(), "1");
    let q = query("www.example.com.", rtype::A, None);
    let sent = run_push(&mut s, &cx, 0, vec![packet_to(&q, 53, 1, pool)], 1);
    assert_eq!(on_port(&sent, 0).len(), 1);
    assert_eq!(s.read_handler("noerror").unwrap(), "1");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

    /// Random payloads to port 53: a response whose IP and UDP headers
    /// check, or a counted drop; never a panic.
    #[test]
    fn random_payloads_are_answered_or_dropped(
        payload in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..700),
    ) {
        let mut s = server();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut p = packet_to(&payload, 53, 0, pool);
        match s.process(&cx, 0, &mut p) {
            Out::Drop => proptest::prop_assert_eq!(s.counters.drops, 1),
            Out::Port(port) => {
                proptest::prop_assert_eq!(port, 0);
                let ip = &p.data()[14..];
                proptest::prop_assert_eq!(ip_checksum(&ip[..20]), 0);
                let sum = crate::ip::ip_header::transport_checksum(ip, &ip[20..]);
                proptest::prop_assert_eq!(sum, 0);
                proptest::prop_assert_eq!(s.counters.queries(), 1);
            }
        }
    }
}
