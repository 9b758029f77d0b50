//! The DNS oracle (issue 9): real authoritative servers from Debian's
//! packages serve the test zones of `tests/dns/zones/`, the same 2,000+
//! queries go to two servers over UDP and TCP, and their answers must
//! agree but for the differences the RFCs permit
//! (`nfc_tests::dns_oracle::ALLOWED`, each with its reason).

use nfc_tests::dns_oracle::{self, Kind, Oracle, Zones};

/// How many queries each comparison sends at least.
const QUERIES: usize = 2000;

/// NSD against Knot: two independent servers on the same zones. This
/// holds the comparer to real servers: what it reports as a difference
/// between them must be one the RFCs permit.
#[test]
fn nsd_and_knot_agree_on_the_test_zones() {
    let zones = Zones::shipped();
    let nsd = Oracle::start(Kind::Nsd, &zones).unwrap_or_else(|e| panic!("{e}"));
    let knot = Oracle::start(Kind::Knot, &zones).unwrap_or_else(|e| panic!("{e}"));
    let queries = dns_oracle::queries(&zones, QUERIES);
    let report = dns_oracle::run(&queries, &mut nsd.client(), &mut knot.client(), true);
    eprintln!("nsd vs knot: {report}");
    assert!(report.queries >= QUERIES);
    assert!(report.tcp > 0 && report.truncated > 0, "{report}");
    assert!(report.failures.is_empty(), "nsd vs knot: {report}");
}

/// NSD against nfc's DNSServer element (built through the registry with
/// its zone files from disk, as `nfc click` builds it, and driven through
/// its IPv4/UDP packet path in memory): the same queries over UDP. The
/// element has no TCP yet, so the queries meant for TCP go over UDP too.
#[test]
fn nsd_and_nfc_agree_on_the_test_zones() {
    let zones = Zones::shipped();
    let config = zones
        .zones
        .iter()
        .map(|(_, file)| format!("ZONE {}", file.file_name().unwrap().to_str().unwrap()))
        .collect::<Vec<_>>()
        .join(", ");
    let dir = zones.zones[0].1.parent().unwrap().to_path_buf();
    let mut nfc = dns_oracle::InMemory::new(&config, &dir).unwrap_or_else(|e| panic!("{e}"));
    let nsd = Oracle::start(Kind::Nsd, &zones).unwrap_or_else(|e| panic!("{e}"));
    let queries = dns_oracle::queries(&zones, QUERIES);
    let report = dns_oracle::run(&queries, &mut nsd.client(), &mut nfc, false);
    eprintln!("nsd vs nfc: {report}");
    assert!(report.queries >= QUERIES);
    assert!(report.truncated > 0, "{report}");
    let counted: u64 = ["noerror", "nxdomain", "refused"]
        .iter()
        .map(|h| nfc.read(h).parse::<u64>().unwrap())
        .sum();
    assert_eq!(
        counted as usize, report.exchanges,
        "every query answered and counted"
    );
    assert!(report.failures.is_empty(), "nsd vs nfc: {report}");
}

/// The comparison fails when the answers differ: nfc serves a copy of the
/// zones in which one address and one TTL changed, and the differences
/// are reported, not allowed.
#[test]
fn a_changed_record_is_a_difference() {
    let zones = Zones::shipped();
    let dir = std::env::temp_dir().join(format!("nfc-dns-changed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut config = Vec::new();
    for (_, file) in &zones.zones {
        let name = file.file_name().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(file).unwrap();
        let changed = text
            .replace("IN A     192.0.2.81", "IN A     192.0.2.99")
            .replace("ns2 7200 IN A", "ns2 7201 IN A");
        std::fs::write(dir.join(name), changed).unwrap();
        config.push(format!("ZONE {name}"));
    }
    let mut nfc =
        dns_oracle::InMemory::new(&config.join(", "), &dir).unwrap_or_else(|e| panic!("{e}"));
    let nsd = Oracle::start(Kind::Nsd, &zones).unwrap_or_else(|e| panic!("{e}"));
    let queries = dns_oracle::queries(&zones, QUERIES);
    let report = dns_oracle::run(&queries, &mut nsd.client(), &mut nfc, false);
    std::fs::remove_dir_all(&dir).unwrap();
    let www = report
        .failures
        .iter()
        .filter(|f| f.contains("www.example.com A: [3600 192.0.2.80, 3600 192.0.2.81]"))
        .count();
    let ns2 = report
        .failures
        .iter()
        .filter(|f| f.contains("ns2.example.com A: [7200 192.0.2.54] vs [7201 192.0.2.54]"))
        .count();
    assert!(www > 0 && ns2 > 0, "{report}");
}
