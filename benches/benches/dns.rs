//! DNSServer's query rate on one core, in memory: batches of 32 UDP
//! queries (IPv4, IP header annotation set, as IPClassifier leaves them)
//! pushed through the element's batch path, a mix of A, AAAA and MX
//! answers and NXDOMAIN (a quarter each, half of them with EDNS), against
//! a zone of every type. The packets are made from a copy of their bytes
//! and freed on every batch; `baseline` is the cost of that alone.
//!
//! `parse` compares reading one query with simple-dns (`Packet::parse`)
//! against the element's whole answer by hand (parse, lookup, response
//! written in place): the measurement behind answering by hand.
//!
//! Run: `cargo bench -p nfc-benches --bench dns`. Criterion's `thrpt` is
//! queries per second.

// criterion_group! makes an undocumented function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nfc_dataplane::batch::{Batch, BURST};
use nfc_dataplane::element::{Context, Element};
use nfc_dataplane::files::Embedded;
use nfc_dataplane::packet::{Packet, PacketPool};
use nfc_elements::dns::answer::respond;
use nfc_elements::dns::dns_server::DNSServer;

const ZONE: &str = "\
$ORIGIN example.com.
$TTL 3600
@       SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
        NS  ns1
        NS  ns2
        MX  10 mail
        TXT \"v=spf1 -all\"
        CAA 0 issue \"ca.example.net\"
ns1     A   192.0.2.1
ns2     A   192.0.2.2
www     A   192.0.2.10
        AAAA 2001:db8::10
mail    A   192.0.2.20
alias   CNAME www
*.wild  A   192.0.2.77
sub     NS  ns.sub
ns.sub  A   192.0.2.53
";

static FILES: [(&str, &[u8]); 1] = [("example.zone", ZONE.as_bytes())];

/// A DNS query for `name` (dotted, absolute) of type `qtype`.
fn query(id: u16, name: &str, qtype: u16, edns: bool) -> Vec<u8> {
    let mut q = Vec::new();
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[1, 0, 0, 1, 0, 0, 0, 0, 0, u8::from(edns)]);
    for label in name.trim_end_matches('.').split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0]);
    q.extend_from_slice(&qtype.to_be_bytes());
    q.extend_from_slice(&[0, 1]);
    if edns {
        q.extend_from_slice(&[0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]);
    }
    q
}

/// `dns` in UDP in IPv4 from 10.0.0.2:(40000 + i) to 10.0.0.1:53,
/// checksums filled in.
fn packet(i: usize, dns: &[u8]) -> Vec<u8> {
    let (src, dst) = ([10, 0, 0, 2], [10, 0, 0, 1]);
    let ulen = 8 + dns.len();
    let mut p = vec![0u8; 20 + ulen];
    p[0] = 0x45;
    p[2..4].copy_from_slice(&((20 + ulen) as u16).to_be_bytes());
    p[8] = 64;
    p[9] = 17;
    p[12..16].copy_from_slice(&src);
    p[16..20].copy_from_slice(&dst);
    let sum = nfc_dataplane::checksum::checksum(&p[..20]);
    p[10..12].copy_from_slice(&sum.to_be_bytes());
    p[20..22].copy_from_slice(&(40_000 + i as u16).to_be_bytes());
    p[22..24].copy_from_slice(&53u16.to_be_bytes());
    p[24..26].copy_from_slice(&(ulen as u16).to_be_bytes());
    p[28..].copy_from_slice(dns);
    let pseudo = nfc_dataplane::checksum::pseudo_header(src, dst, 17, ulen as u16);
    let sum = nfc_dataplane::checksum::finish(nfc_dataplane::checksum::add(pseudo, &p[20..]));
    p[26..28].copy_from_slice(&sum.to_be_bytes());
    p
}

/// The mix: A, AAAA, MX and NXDOMAIN in turn, every other one with EDNS.
fn templates() -> Vec<Vec<u8>> {
    let kinds = [
        ("www.example.com.", 1),
        ("www.example.com.", 28),
        ("example.com.", 15),
        ("nothing.example.com.", 1),
    ];
    (0..BURST)
        .map(|i| {
            let (name, qtype) = kinds[i % 4];
            packet(i, &query(i as u16, name, qtype, i % 8 < 4))
        })
        .collect()
}

fn fill(pool: &'static PacketPool, templates: &[Vec<u8>], batch: &mut Batch) {
    for t in templates {
        let mut p: Packet = pool.alloc_with(t).expect("the pool has room");
        p.set_network_header(0, 20);
        let _ = batch.push(p);
    }
}

fn bench(c: &mut Criterion) {
    let pool = PacketPool::new(256);
    let cx = Context::at(pool, 0);
    let templates = templates();
    let mut server =
        DNSServer::configure_with_files("ZONE example.zone", &Embedded(&FILES)).unwrap();

    let mut g = c.benchmark_group("dns");
    g.throughput(Throughput::Elements(BURST as u64));
    g.bench_function("baseline (make and free 32 packets)", |b| {
        let mut batch = Batch::new();
        b.iter(|| {
            fill(pool, &templates, &mut batch);
            black_box(&mut batch).clear();
        })
    });
    g.bench_function("DNSServer batch of 32 (A/AAAA/MX/NXDOMAIN)", |b| {
        let mut batch = Batch::new();
        let mut others: [Batch; 0] = [];
        b.iter(|| {
            fill(pool, &templates, &mut batch);
            server.push(&cx, 0, &mut batch, &mut others);
            assert_eq!(batch.len(), BURST);
            black_box(&mut batch).clear();
        })
    });
    g.finish();
    assert_eq!(server.counters.drops, 0);

    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(1));
    let q = query(7, "www.example.com.", 1, true);
    g.bench_function("simple-dns Packet::parse (the query only)", |b| {
        b.iter(|| black_box(simple_dns::Packet::parse(black_box(&q)).unwrap()))
    });
    let zones = server.zones().to_vec();
    g.bench_function("by hand: parse, look up, write the answer", |b| {
        let mut buf = [0u8; 1232];
        b.iter(|| {
            buf[..q.len()].copy_from_slice(&q);
            black_box(respond(&zones, 1232, black_box(&mut buf), q.len()))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
