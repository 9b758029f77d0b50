//! `nfc bench --plat kvm` (and `--plat arm64`, NICs on PCI) on
//! `tests/kvm/bridge.click` (two NICs joined both ways): the report has its lines, frames sent into eth0 come out
//! of eth1, the guest's counters agree, and the memory search ends on a
//! size that works. No timing is asserted: the figures are the
//! benchmark's, this checks that they are measured.

use std::path::PathBuf;

use nfc::codegen::Plat;
use nfc::vmbench::{self, Options};
use nfc_tests::vm;

/// The number after `key ` in `line` (`"eth1 1234"` → 1234).
fn number_after(line: &str, key: &str) -> Option<u64> {
    let (_, rest) = line.split_once(&format!("{key} "))?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// The bridge's image for `plat` and the report of its benchmark on
/// `machine`: two boots, one second of traffic, 8 MiB, the memory search.
fn bench_bridge(plat: Plat, machine: nfc::qemu::Machine) -> (PathBuf, String) {
    let image = vm::image(env!("CARGO_TARGET_TMPDIR"), "tests/kvm/bridge.click", plat);
    let options = Options {
        machine,
        boots: 2,
        seconds: 1.0,
        memory_mib: 8,
        min_memory: true,
        ..Options::new()
    };
    let mut out = Vec::new();
    vmbench::bench(&image, "bridge", &options, &mut out).unwrap_or_else(|e| panic!("{e}"));
    let report = String::from_utf8(out).unwrap();
    println!("{report}");
    (image, report)
}

/// The report's line that says `what`.
fn line<'a>(report: &'a str, what: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.starts_with("bridge: ") && l.contains(what))
        .unwrap_or_else(|| panic!("no `{what}` line:\n{report}"))
}

#[test]
fn reports_size_boot_rate_and_memory_of_the_bridge() {
    let (_, report) = bench_bridge(Plat::Kvm, nfc::qemu::Machine::Microvm);
    let line = |what: &str| line(&report, what);

    let size = line("stripped");
    let (full, stripped) = (
        number_after(size, "image").unwrap(),
        number_after(size, "stripped").unwrap(),
    );
    assert!(0 < stripped && stripped < full, "{size}");

    let boot = line("QEMU start to ready line");
    assert!(boot.contains("microvm, tcg, -m 8M"), "{boot}");
    assert!(boot.contains("median of 2"), "{boot}");
    assert!(number_after(boot, "PVH entry to ready").is_some(), "{boot}");

    let rate = line("64-byte frames into eth0");
    assert!(rate.contains("microvm, tcg"), "{rate}");
    for figure in ["offered", "received", "loss"] {
        assert!(rate.contains(figure), "{rate}");
    }
    let out = number_after(rate, "eth1").unwrap();
    assert!(out > 0, "no frame came out of eth1: {rate}");
    assert_eq!(number_after(rate, "out: eth0"), Some(0), "{rate}");

    // What left eth1 came in through eth0 (in0 counts it before the
    // queue, which may drop).
    let counters = line("guest counters");
    assert!(
        number_after(counters, "in0.count").unwrap() >= out,
        "{report}"
    );
    assert_eq!(number_after(counters, "in1.count"), Some(0), "{report}");

    let memory = line("smallest -m that boots and forwards");
    let mib = number_after(memory, "forwards").unwrap();
    assert!((2..=8).contains(&mib), "{memory}");
    assert!(memory.contains(&format!("{mib} ok")), "{memory}");
}

/// `nfc bench --plat arm64` on the bridge with its NICs on PCI: the
/// Image's size alone (nothing to strip), the boot from the Image's
/// entry, frames through, and the least memory virt loads it in.
#[test]
fn reports_size_boot_rate_and_memory_of_the_arm64_bridge_on_pci() {
    let (image, report) = bench_bridge(Plat::Arm64, nfc::qemu::Machine::VirtPci);
    let line = |what: &str| line(&report, what);
    let size = line("nothing to strip");
    assert_eq!(
        number_after(size, "image"),
        Some(std::fs::metadata(&image).unwrap().len()),
        "{size}"
    );
    let boot = line("QEMU start to ready line");
    assert!(boot.contains("virt-pci, tcg, -m 8M"), "{boot}");
    assert!(
        number_after(boot, "Image entry to ready").is_some(),
        "{boot}"
    );
    assert!(boot.contains("guest counter"), "{boot}");
    let rate = line("64-byte frames into eth0");
    assert!(number_after(rate, "eth1").unwrap() > 0, "{rate}");
    let memory = line("smallest -m that boots and forwards");
    let mib = number_after(memory, "forwards").unwrap();
    assert!((5..=8).contains(&mib), "{memory}");
    assert!(
        memory.contains("Not enough space for DTB"),
        "QEMU's reason for 4 MiB: {memory}"
    );
}
