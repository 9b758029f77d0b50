//! `tests/kvm/count.click` on every image platform: what its run prints,
//! checked the same way by `kvm_boot` and `arm64_boot`, its faults asked
//! for on the command line, and the image-header readers both use.

use std::time::Duration;

use nfc::qemu::Vm;

use crate::vm::Running;

/// The configuration the boot tests run: 1,000 packets made, counted and
/// dropped, and one number drawn from the image's entropy.
pub const CONFIG: &str = "tests/kvm/count.click";

/// Checks that `console` shows count.click run to its end: the ready
/// line, then the stop line, the counters, and no fault or panic.
/// Panics naming `what` (the machine) with the whole console otherwise.
pub fn ran_to_its_end(console: &str, what: &str) {
    let lines: Vec<&str> = console.lines().collect();
    let ready = lines.iter().position(|l| *l == "nfc: ready count 0 nics");
    let stopped = lines.iter().position(|l| *l == "nfc: stopped elements");
    assert!(
        ready.is_some() && stopped > ready,
        "{what}: no ready and stop lines:\n{console}"
    );
    for counter in ["src.count 1000", "c.count 1000", "c.byte_count 60000"] {
        assert!(
            lines.contains(&counter),
            "{what}: no `{counter}`:\n{console}"
        );
    }
    assert!(
        !console.contains("fault") && !console.contains("panic"),
        "{what}: {console}"
    );
}

/// The number count.click's Script printed from the image's seed.
pub fn random_line(console: &str) -> String {
    console
        .lines()
        .find(|l| l.starts_with("random "))
        .unwrap_or_else(|| panic!("no random line:\n{console}"))
        .to_string()
}

/// Boots `vm` with `nfc.crash=HOW` on the kernel command line and returns
/// the console once the image prints `stopped`.
pub fn crash(mut vm: Vm, how: &str, stopped: &str) -> String {
    vm.extra
        .extend(["-append".to_string(), format!("nfc.crash={how}")]);
    let mut running = Running::start(&vm);
    running.wait_for(stopped, Duration::from_secs(60))
}

/// The little-endian `u16` at `at` of `b`.
pub fn le_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().unwrap())
}

/// The little-endian `u32` at `at` of `b`.
pub fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// The little-endian `u64` at `at` of `b`.
pub fn le_u64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}
