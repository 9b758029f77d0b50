//! The arm64 image boots: `tests/kvm/count.click` compiled with `--plat
//! arm64` is a flat Linux arm64 `Image` (branch, text offset, image size,
//! flags, magic `ARM\x64` at 0x38); `qemu-system-aarch64 -M virt -cpu max`
//! boots it under TCG, entered at EL1 and at EL2 (`virtualization=on`,
//! PSCI through SMC), and its PL011 console shows the ready line, the stop
//! line and the counters of a configuration that ran to its end; PSCI
//! SYSTEM_OFF then ends QEMU. Its seed comes from RNDR (`-cpu max`), from
//! the `virtio-rng-device` on a CPU without RNDR (cortex-a57), else from
//! the clock with a warning. Faults asked for on the command line
//! (`nfc.crash=`) print their report. The same image placed 4 MiB higher
//! (its header's `text_offset` changed: QEMU loads it at RAM's start plus
//! that) relocates itself and prints what it prints at its usual place.
//! If qemu-system-aarch64 is missing
//! the test fails and names the Debian package; it never skips.

use std::path::PathBuf;
use std::time::Duration;

use nfc::codegen::Plat;
use nfc::qemu::{Machine, Vm};
use nfc_tests::count::{self, le_u32 as u32_at, le_u64 as u64_at};
use nfc_tests::vm::{self, Link, Running};

/// The image, built once for every test of this file.
fn image() -> PathBuf {
    vm::image(env!("CARGO_TARGET_TMPDIR"), count::CONFIG, Plat::Arm64)
}

#[test]
fn the_image_is_a_linux_arm64_image() {
    let img = std::fs::read(image()).unwrap();
    assert_eq!(&img[0x38..0x3c], b"ARM\x64", "magic");
    // code0: `b` forward to the entry, inside the image.
    let code0 = u32_at(&img, 0);
    assert_eq!(code0 >> 26, 0b000101, "code0 {code0:#010x} is a branch");
    let target = ((code0 & 0x03ff_ffff) as usize) * 4;
    assert!(target >= 64 && target < img.len(), "branch to {target:#x}");
    assert_eq!(u64_at(&img, 8), 0x20_0000, "text_offset: 2 MiB");
    let image_size = u64_at(&img, 16);
    assert!(
        image_size >= img.len() as u64 && image_size % 4096 == 0,
        "image_size {image_size:#x} covers the {} bytes of the file and .bss",
        img.len()
    );
    assert_eq!(
        u64_at(&img, 24),
        0b1010,
        "flags: LE, 4 KiB pages, any 2 MiB-aligned base"
    );
    assert_eq!(u32_at(&img, 0x3c), 0, "no PE header");
    assert!(
        img.len() <= 512 * 1024,
        "{} bytes: over the 512 KiB target",
        img.len()
    );
    assert_ne!(&img[..4], b"\x7fELF", "a flat image, not the ELF");
}

/// A VM for the image on virt, `-M` options `machine_options` added.
fn virt(machine_options: Option<&str>) -> Vm {
    let mut vm = Vm::new(image());
    vm.machine = Machine::Virt;
    if let Some(o) = machine_options {
        vm.extra = vec!["-machine".into(), o.into()];
    }
    vm
}

/// Boots `vm` to its end and checks what a run of count.click prints.
fn boots_and_runs(vm: &Vm, what: &str) -> String {
    let (console, ended) = Running::start(vm).finish(Duration::from_secs(120));
    assert!(
        ended,
        "{what}: QEMU did not end (PSCI SYSTEM_OFF):\n{console}"
    );
    count::ran_to_its_end(&console, what);
    assert!(
        console
            .lines()
            .any(|l| l.starts_with("nfc: count: booted in ") && l.contains("generic timer")),
        "{what}: no boot line:\n{console}"
    );
    console
}

#[test]
fn boots_on_virt_at_el1() {
    let console = boots_and_runs(&virt(None), "EL1");
    // QEMU leaves its device tree 16 MiB into the 32: moved next to the
    // image, it leaves the heap nearly all of RAM, not the larger half.
    let heap = heap_kib(&console);
    assert!(heap > 24 * 1024, "heap {heap} KiB:\n{console}");
}

#[test]
fn boots_on_virt_at_el2_and_drops_to_el1() {
    boots_and_runs(&virt(Some("virtualization=on")), "EL2");
}

/// A VM whose CPU has no RNDR (cortex-a57).
fn without_rndr() -> Vm {
    let mut vm = virt(None);
    vm.extra = vec!["-cpu".into(), "cortex-a57".into()];
    vm
}

#[test]
fn without_rndr_or_virtio_rng_it_warns_and_runs() {
    let mut vm = without_rndr();
    vm.rng_device = false;
    let console = boots_and_runs(&vm, "cortex-a57, no virtio-rng");
    assert!(
        console.contains("nfc: warning: the CPU has no random number instruction"),
        "{console}"
    );
}

#[test]
fn without_rndr_each_boot_draws_its_own_seed_from_virtio_rng() {
    let draws: Vec<String> = (0..3)
        .map(|_| {
            let console = boots_and_runs(&without_rndr(), "cortex-a57, virtio-rng");
            assert!(
                !console.contains("nfc: warning") && !console.contains("virtio-rng:"),
                "{console}"
            );
            count::random_line(&console)
        })
        .collect();
    // Three equal 30-bit draws would be chance once in 10^18.
    assert!(
        draws[0] != draws[1] || draws[1] != draws[2],
        "{} three times",
        draws[0]
    );
}

#[test]
fn boots_in_5_mib_the_least_virt_loads_it_in() {
    // With 4 MiB QEMU finds no room for its device tree after the image.
    let mut vm = virt(None);
    vm.memory_mib = 5;
    boots_and_runs(&vm, "-m 5M");
}

/// The heap's size in KiB, from the boot line.
fn heap_kib(console: &str) -> u64 {
    let line = console
        .lines()
        .find(|l| l.contains(" KiB used of "))
        .unwrap_or_else(|| panic!("no heap figure:\n{console}"));
    let of = line.split(" KiB used of ").nth(1).unwrap();
    of.split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn each_boot_draws_its_own_seed_from_rndr() {
    let draws: Vec<String> = (0..3)
        .map(|_| count::random_line(&boots_and_runs(&virt(None), "RNDR")))
        .collect();
    // Three equal 30-bit draws would be chance once in 10^18.
    assert!(
        draws[0] != draws[1] || draws[1] != draws[2],
        "{} three times",
        draws[0]
    );
}

#[test]
fn nics_are_named_in_device_order() {
    let macs = [[0x02, 0, 0, 0, 0, 0xa1], [0x02, 0, 0, 0, 0, 0xb2]];
    let (_a, first) = Link::new(macs[0]).unwrap();
    let (_b, second) = Link::new(macs[1]).unwrap();
    let mut vm = virt(None);
    vm.nics = vec![first, second];
    let mut running = Running::start(&vm);
    let console = running.wait_for("nfc: ready count 2 nics", Duration::from_secs(60));
    assert!(
        console.contains("nfc: eth0: virtio-net 02:00:00:00:00:a1 at MMIO 0xa003e00"),
        "{console}"
    );
    assert!(
        console.contains("nfc: eth1: virtio-net 02:00:00:00:00:b2 at MMIO 0xa003c00"),
        "{console}"
    );
}

/// Boots the image on virt with `nfc.crash=HOW` on its command line and
/// returns the console once the image says it stopped.
fn crash(how: &str, stopped: &str) -> String {
    count::crash(virt(None), how, stopped)
}

#[test]
fn a_data_abort_prints_the_registers_and_stops() {
    let console = crash("page-fault", "nfc: stopped fault");
    assert!(
        console.contains("nfc: fault: data abort (EC 0x25, ESR 0x96"),
        "{console}"
    );
    // The faulting address (1 TiB, past the map), and every register.
    assert!(
        console.contains("far 0x0000010000000000 spsr 0x"),
        "{console}"
    );
    for reg in ["x0  0x", "x18 0x", "x29 0x", "x30 0x", "sp 0x"] {
        assert!(console.contains(reg), "{reg}: {console}");
    }
    assert!(!console.contains("nfc: ready"), "{console}");
}

#[test]
fn an_undefined_instruction_and_a_panic_are_reported() {
    let console = crash("invalid-opcode", "nfc: stopped fault");
    assert!(
        console.contains("nfc: fault: undefined instruction (EC 0x00, ESR 0x02000000) at elr 0x"),
        "{console}"
    );
    let console = crash("panic", "nfc: stopped panic");
    assert!(
        console.contains("nfc: panic: ") && console.contains("nfc.crash=panic on the command line"),
        "{console}"
    );
}

/// A copy of the image whose header asks for `text_offset`: QEMU's virt
/// loads an Image at the start of RAM (1 GiB) plus that.
fn at_text_offset(text_offset: u64) -> PathBuf {
    let mut img = std::fs::read(image()).unwrap();
    img[8..16].copy_from_slice(&text_offset.to_le_bytes());
    let out =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("count-at-{text_offset:#x}.arm64"));
    std::fs::write(&out, img).unwrap();
    out
}

/// What `vm` prints with one virtio-mmio NIC, to its end, without the
/// lines that differ from boot to boot (the boot time and heap, the
/// random draw).
fn run_with_a_nic(mut vm: Vm, what: &str) -> Vec<String> {
    let (_link, nic) = Link::new([0x02, 0, 0, 0, 0, 0xc3]).unwrap();
    vm.nics = vec![nic];
    let (console, ended) = Running::start(&vm).finish(Duration::from_secs(120));
    assert!(ended, "{what}: QEMU did not end:\n{console}");
    assert!(
        console.contains("nfc: eth0: virtio-net 02:00:00:00:00:c3 at MMIO 0xa003e00")
            && console.contains("nfc: ready count 1 nics")
            && console.contains("\nc.count 1000"),
        "{what}:\n{console}"
    );
    console
        .lines()
        .filter(|l| !l.contains(": booted in ") && !l.starts_with("random "))
        .map(str::to_string)
        .collect()
}

#[test]
fn runs_wherever_the_loader_puts_it() {
    const MOVED: u64 = 0x4060_0000;
    let mut moved = virt(None);
    moved.kernel = at_text_offset(MOVED - 0x4000_0000);
    boots_and_runs(&moved, "at 0x40600000");
    boots_and_runs(
        &Vm {
            extra: vec!["-machine".into(), "virtualization=on".into()],
            ..moved.clone()
        },
        "at 0x40600000 from EL2",
    );
    // The NIC, the ready line, the stop line and the counters: as the
    // image prints them at its usual place.
    assert_eq!(
        run_with_a_nic(moved.clone(), "at 0x40600000"),
        run_with_a_nic(virt(None), "at 0x40200000")
    );
    // It ran there: a fault's address is in the image at its new place.
    let image_size = u64_at(&std::fs::read(image()).unwrap(), 16);
    let console = count::crash(moved, "invalid-opcode", "nfc: stopped fault");
    let elr = console
        .split(" at elr 0x")
        .nth(1)
        .and_then(|rest| u64::from_str_radix(rest.get(..16)?, 16).ok())
        .unwrap_or_else(|| panic!("no elr:\n{console}"));
    assert!(
        (MOVED..MOVED + image_size).contains(&elr),
        "elr {elr:#x} outside the image at {MOVED:#x}:\n{console}"
    );
}
