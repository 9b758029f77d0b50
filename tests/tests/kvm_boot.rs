//! The KVM image boots: `tests/kvm/count.click` compiled with `--plat
//! kvm` is an ELF with a PVH note (type 18), loaded at 1 MiB or above,
//! with no multiboot header; QEMU boots it on microvm (no ACPI), q35 and
//! pc under TCG, and its serial console shows the ready line, the stop
//! line and the counters of a configuration that ran to its end. QEMU runs
//! with `-no-reboot`, so the image's reset at the end makes it exit.
//! If qemu-system-x86_64 is missing the test fails and names the Debian
//! package; it never skips.

use std::path::PathBuf;
use std::time::Duration;

use nfc::codegen::Plat;
use nfc::qemu::{Machine, Vm};
use nfc_tests::count::{self, le_u16 as u16_at, le_u32 as u32_at, le_u64 as u64_at};
use nfc_tests::vm::{self, Running};

/// The image, built once for every test of this file.
fn image() -> PathBuf {
    vm::image(env!("CARGO_TARGET_TMPDIR"), count::CONFIG, Plat::Kvm)
}

#[test]
fn the_image_is_a_pvh_elf_at_one_mib() {
    let elf = std::fs::read(image()).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF");
    assert_eq!(elf[4], 2, "ELF64");
    assert_eq!(u16_at(&elf, 18), 62, "x86_64");
    let (phoff, phentsize, phnum) = (
        u64_at(&elf, 32) as usize,
        u16_at(&elf, 54) as usize,
        u16_at(&elf, 56) as usize,
    );
    let mut pvh_entry = None;
    let mut lowest_load = u64::MAX;
    for i in 0..phnum {
        let ph = &elf[phoff + i * phentsize..][..phentsize];
        let (kind, offset, paddr, filesz) = (
            u32_at(ph, 0),
            u64_at(ph, 8) as usize,
            u64_at(ph, 24),
            u64_at(ph, 32) as usize,
        );
        match kind {
            1 => lowest_load = lowest_load.min(paddr),
            4 => {
                // notes: namesz, descsz, type, name (padded), desc
                let notes = &elf[offset..offset + filesz];
                let mut at = 0;
                while at + 12 <= notes.len() {
                    let (namesz, descsz, ty) = (
                        u32_at(notes, at) as usize,
                        u32_at(notes, at + 4) as usize,
                        u32_at(notes, at + 8),
                    );
                    let name = &notes[at + 12..at + 12 + namesz];
                    let desc_at = at + 12 + namesz.div_ceil(4) * 4;
                    if name == b"Xen\0" && ty == 18 {
                        pvh_entry = Some(u32_at(notes, desc_at));
                    }
                    at = desc_at + descsz.div_ceil(4) * 4;
                }
            }
            _ => {}
        }
    }
    assert!(lowest_load >= 1 << 20, "loaded at {lowest_load:#x}");
    let entry = pvh_entry.expect("a Xen note of type 18 (XEN_ELFNOTE_PHYS32_ENTRY)");
    assert!(u64::from(entry) >= lowest_load, "entry {entry:#x}");
    // Multiboot 1 and 2 headers sit in the first 8 or 32 KiB of the file.
    for magic in [0x1BAD_B002u32, 0xE852_50D6] {
        let found = elf[..elf.len().min(32 * 1024)]
            .windows(4)
            .any(|w| w == magic.to_le_bytes());
        assert!(!found, "a multiboot magic {magic:#x}");
    }
}

/// Boots the image on `machine` and returns what its console printed
/// by the time QEMU ended.
fn boot(machine: Machine) -> String {
    let mut vm = Vm::new(image());
    vm.machine = machine;
    let (console, ended) = Running::start(&vm).finish(Duration::from_secs(120));
    assert!(ended, "{machine}: QEMU did not end:\n{console}");
    console
}

fn boots_and_runs(machine: Machine) {
    count::ran_to_its_end(&boot(machine), &machine.to_string());
}

#[test]
fn boots_on_microvm_without_acpi() {
    boots_and_runs(Machine::Microvm);
}

#[test]
fn boots_on_q35() {
    boots_and_runs(Machine::Q35);
}

#[test]
fn boots_on_pc() {
    boots_and_runs(Machine::Pc);
}

/// Boots the image with `nfc.crash=HOW` on its command line and returns
/// the console once the image says it stopped.
fn crash(how: &str, stopped: &str) -> String {
    count::crash(Vm::new(image()), how, stopped)
}

#[test]
fn a_page_fault_prints_the_registers_and_stops() {
    let console = crash("page-fault", "nfc: stopped fault");
    assert!(
        console.contains("nfc: fault: page fault (vector 14, error 0x0) at rip 0x"),
        "{console}"
    );
    // The faulting address, and every general register, are reported.
    assert!(console.contains("cr2 0x0000001000000000"), "{console}");
    for reg in ["rax", "rbx", "rsp", "rflags", "r15"] {
        assert!(console.contains(&format!("{reg} 0x")), "{reg}: {console}");
    }
    assert!(!console.contains("nfc: ready"), "{console}");
}

#[test]
fn an_invalid_opcode_and_a_panic_are_reported() {
    let console = crash("invalid-opcode", "nfc: stopped fault");
    assert!(
        console.contains("nfc: fault: invalid opcode (vector 6"),
        "{console}"
    );
    let console = crash("panic", "nfc: stopped panic");
    assert!(
        console.contains("nfc: panic: ") && console.contains("nfc.crash=panic on the command line"),
        "{console}"
    );
}

#[test]
fn each_boot_draws_its_own_seed() {
    let first = count::random_line(&boot(Machine::Microvm));
    let second = count::random_line(&boot(Machine::Microvm));
    let third = count::random_line(&boot(Machine::Microvm));
    // Three equal 30-bit draws would be chance once in 10^18.
    assert!(first != second || second != third, "{first} three times");
}
