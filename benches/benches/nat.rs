//! The NAT's rates on one core, in memory: configs/nat.click's rewriter
//! (`IPRewriter(pattern PUBLIC 1024-65535 - - 0 1, drop)`) fed 64-byte
//! packets (46 bytes of IPv4 + UDP: a 64-byte Ethernet frame without its
//! header and FCS, as the rewriter sees it after Strip(14)) in batches of
//! 32, as the generated pipeline pushes them.
//!
//! - established: 10,000 flows are set up first, then every packet belongs
//!   to one of them (round robin over the flows: each batch touches 32
//!   different flows);
//! - new flows into an empty table: every packet opens a flow (1,000,000
//!   flows, to a table that holds them all);
//! - new flows into a full table: every packet opens a flow and evicts the
//!   oldest (a 10,000-flow table, no guarantee, the clock advancing).
//!
//! Each figure is the best of five runs. The packets are made from a copy
//! of their bytes and freed again on every run; `baseline` is the cost of
//! that alone, and the NAT figures are given with and without it.
//!
//! Run: `cargo bench -p nfc-benches --bench nat`.

use std::hint::black_box;
use std::time::Instant;

use nfc_dataplane::batch::{Batch, BURST};
use nfc_dataplane::element::{Context, Element};
use nfc_dataplane::packet::PacketPool;
use nfc_elements::tcpudp::ip_rewriter::IPRewriter;

/// Established flows.
const FLOWS: usize = 10_000;
/// Flows opened into an empty table.
const NEW_FLOWS: usize = 1_000_000;
/// Packets per established run.
const PACKETS: usize = 20_000_000;
/// Runs per figure (the best is kept).
const RUNS: usize = 5;

/// UDP in IPv4, 46 bytes, checksums filled in, for flow `i`: inside host
/// 10.x.y.z port 40000 + (i % 1000) to 203.0.113.(i % 250 + 1) port 53 +
/// (i / 250 % 100), so that the public ports needed per destination stay
/// far below what the pattern has.
fn packet(i: usize) -> Vec<u8> {
    let src = [10, (i >> 16) as u8, (i >> 8) as u8, i as u8];
    let dst = [203, 0, 113, (i % 250 + 1) as u8];
    let sport = 40_000 + (i % 1000) as u16;
    let dport = 53 + (i / 250 % 100) as u16;
    let mut p = vec![0u8; 46];
    p[0] = 0x45;
    p[2..4].copy_from_slice(&46u16.to_be_bytes());
    p[8] = 64;
    p[9] = 17;
    p[12..16].copy_from_slice(&src);
    p[16..20].copy_from_slice(&dst);
    let sum = nfc_dataplane::checksum::checksum(&p[..20]);
    p[10..12].copy_from_slice(&sum.to_be_bytes());
    p[20..22].copy_from_slice(&sport.to_be_bytes());
    p[22..24].copy_from_slice(&dport.to_be_bytes());
    p[24..26].copy_from_slice(&26u16.to_be_bytes());
    // UDP checksum over the pseudo-header and the datagram
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&src);
    pseudo.extend_from_slice(&dst);
    pseudo.extend_from_slice(&[0, 17, 0, 26]);
    pseudo.extend_from_slice(&p[20..]);
    let sum = nfc_dataplane::checksum::checksum(&pseudo);
    p[26..28].copy_from_slice(&sum.to_be_bytes());
    p
}

/// Pushes `count` packets, the flows' `templates` round robin starting at
/// `first`, through `e` (or only makes and frees them when `e` is
/// `None`), batch by batch, the clock at `now(batch)`; returns ns per
/// packet.
fn run(
    pool: &'static PacketPool,
    mut e: Option<&mut IPRewriter>,
    templates: &[Vec<u8>],
    count: usize,
    now: impl Fn(usize) -> u64,
) -> f64 {
    let mut batch = Batch::new();
    let mut others = [Batch::new()];
    let start = Instant::now();
    let mut sent = 0;
    let mut n = 0;
    while sent < count {
        for _ in 0..BURST {
            let mut p = pool
                .alloc_with(&templates[sent % templates.len()])
                .expect("the pool has room");
            p.set_network_header(0, 20);
            let _ = batch.push(p);
            sent += 1;
        }
        if let Some(e) = e.as_deref_mut() {
            let cx = Context::at(pool, now(n));
            e.push(&cx, 0, &mut batch, &mut others);
        }
        black_box(&batch);
        batch.clear();
        others[0].clear();
        n += 1;
    }
    start.elapsed().as_nanos() as f64 / sent as f64
}

/// The rewriter configs/nat.click uses, holding `capacity` flows.
fn rewriter(keywords: &str) -> IPRewriter {
    let mut e = IPRewriter::configure(&format!(
        "pattern 198.51.100.1 1024-65535 - - 0 1, drop, {keywords}"
    ))
    .expect("a valid configuration");
    e.set_ports(1, 2);
    e
}

fn best(mut f: impl FnMut() -> f64) -> f64 {
    (0..RUNS).map(|_| f()).fold(f64::INFINITY, f64::min)
}

fn report(what: &str, ns: f64, baseline: f64) {
    println!(
        "{what}: {:.1} ns/packet ({:.2} Mpps); without making the packet {:.1} ns ({:.2} Mpps)",
        ns,
        1e3 / ns,
        ns - baseline,
        1e3 / (ns - baseline)
    );
}

fn main() {
    let pool = PacketPool::new(4 * BURST);
    let established: Vec<Vec<u8>> = (0..FLOWS).map(packet).collect();
    let baseline = best(|| run(pool, None, &established, PACKETS, |_| 0));
    println!("baseline (make, copy and free a 46-byte packet): {baseline:.1} ns/packet");

    let mut rw = rewriter("MAPPING_CAPACITY 16384");
    run(pool, Some(&mut rw), &established, FLOWS, |_| 0);
    let flows: u64 = rw
        .read_handler("nmappings")
        .expect("nmappings")
        .trim()
        .parse()
        .expect("a number");
    assert_eq!(flows as usize, FLOWS, "every flow set up");
    let ns = best(|| run(pool, Some(&mut rw), &established, PACKETS, |_| 1_000));
    report("established, 10,000 flows", ns, baseline);

    let fresh: Vec<Vec<u8>> = (0..NEW_FLOWS).map(packet).collect();
    let ns = best(|| {
        let mut rw = rewriter("MAPPING_CAPACITY 1048576");
        run(pool, Some(&mut rw), &fresh, NEW_FLOWS, |_| 0)
    });
    report("new flows, empty table (1,000,000)", ns, baseline);

    let ns = best(|| {
        let mut rw = rewriter("MAPPING_CAPACITY 10000, UDP_TIMEOUT 1s, UDP_GUARANTEE 0");
        // a microsecond per batch: the oldest flows expire as new ones come
        run(pool, Some(&mut rw), &fresh, NEW_FLOWS, |n| n as u64 * 1_000)
    });
    report("new flows, full table (10,000, evicting)", ns, baseline);
}
