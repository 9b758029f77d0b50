//! The xen images on a real Xen: Debian bookworm's Xen 4.17 booted in
//! QEMU (TCG; no KVM, no root needed), dom0 Debian's kernel with a
//! busybox initramfs, our images as PVH domains with netfront vifs on
//! netback, bridged in dom0.
//!
//! This test builds `configs/firewall.click`, `configs/nat.click` and
//! `tests/kvm/bridge.click` with `--plat xen`, writes their xl
//! configurations with nfc's own [`nfc::xl`] (the ones `nfc run --plat
//! xen` writes), and runs
//! `tests/xen/run.sh`: it fetches the Debian packages (cached), builds
//! dom0's initramfs with the images and the `xen-probe` binary, boots Xen
//! once, and dom0 runs every test (see `tests/src/bin/xen-probe/`), each
//! printing `@@RESULT <name> PASS|FAIL <reason>` on the serial console.
//! Here every expected test must have reported PASS. The serial log stays
//! under this test's `CARGO_TARGET_TMPDIR` (`xen/serial.log`), its path
//! printed on failure. Figures (`@@FIGURE`) are printed: boot time from
//! `xl create` to the ready line, frames per second dom0 → VNF → dom0
//! (both under TCG inside nested Xen), and the smallest `memory =` with
//! which the firewall boots and forwards.

use std::path::{Path, PathBuf};
use std::process::Command;

use nfc::codegen::Plat;
use nfc::xl;
use nfc_tests::frames::{FW_IN_MAC, FW_OUT_MAC};
use nfc_tests::nat_scenario::{NAT_IN_MAC, NAT_OUT_MAC};
use nfc_tests::vm;

/// Every test dom0 runs, and dom0's own bring-up.
const EXPECTED: [&str; 9] = [
    "dom0",
    "firewall",
    "nat",
    "two-vifs",
    "recreate",
    "malformed",
    "shutdown",
    "crash",
    "min-memory",
];

/// The image of `config` for xen and the xl configuration that boots it
/// from dom0's `/guests`, its vifs on bridges `xenbr0` and `xenbr1` with
/// `macs`; returns both files.
fn guest(config: &str, macs: [[u8; 6]; 2]) -> [PathBuf; 2] {
    let dir = env!("CARGO_TARGET_TMPDIR");
    let image = vm::image(dir, config, Plat::Xen);
    let name = Path::new(config).file_stem().unwrap().to_string_lossy();
    let domain = xl::Domain {
        name: name.to_string(),
        kernel: Path::new("/guests").join(image.file_name().unwrap()),
        memory_mib: 16,
        vifs: ["xenbr0", "xenbr1"]
            .iter()
            .zip(macs)
            .map(|(bridge, mac)| xl::Vif {
                bridge: bridge.to_string(),
                mac,
            })
            .collect(),
        restart_on_reboot: false,
    };
    // A triple fault reads as a reboot: here it ends the domain, so that
    // a test sees it rather than a new domain of the same name.
    let text = domain.config();
    let cfg = Path::new(dir).join(format!("{name}.cfg"));
    std::fs::write(&cfg, text).unwrap();
    [image, cfg]
}

#[test]
fn xen_suite_in_qemu() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("xen");
    let mut files = Vec::new();
    files.extend(guest("configs/firewall.click", [FW_IN_MAC, FW_OUT_MAC]));
    files.extend(guest("configs/nat.click", [NAT_IN_MAC, NAT_OUT_MAC]));
    files.extend(guest(
        "tests/kvm/bridge.click",
        [[2, 0, 0, 0, 1, 1], [2, 0, 0, 0, 1, 2]],
    ));
    let status = Command::new(vm::root().join("tests/xen/run.sh"))
        .arg(&out)
        .arg(env!("CARGO_BIN_EXE_xen-probe"))
        .args(&files)
        .status()
        .expect("tests/xen/run.sh runs");
    let log_path = out.join("serial.log");
    let log = std::fs::read_to_string(&log_path)
        .unwrap_or_else(|e| panic!("no serial log {}: {e}", log_path.display()))
        .replace('\r', "");
    let lines: Vec<&str> = log.lines().filter(|l| l.starts_with("@@")).collect();
    for line in &lines {
        println!("{line}");
    }
    let mut failed: Vec<String> = lines
        .iter()
        .filter(|l| l.starts_with("@@RESULT ") && !l.ends_with(" PASS"))
        .map(|l| l.to_string())
        .collect();
    for name in EXPECTED {
        let result = format!("@@RESULT {name} ");
        if !lines.iter().any(|l| l.starts_with(&result)) {
            failed.push(format!("{name}: no result"));
        }
    }
    if !lines.contains(&"@@DONE") {
        failed.push("dom0 did not finish".into());
    }
    assert!(
        failed.is_empty() && status.success(),
        "the Xen suite ({status}):\n{}\nthe serial log: {}",
        failed.join("\n"),
        log_path.display()
    );
}
