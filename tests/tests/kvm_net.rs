//! virtio-net in the KVM and arm64 images: `tests/kvm/bridge.click` (two
//! NICs joined both ways) boots with its NICs on `-netdev dgram` UDP
//! sockets on 127.0.0.1, over virtio-mmio (microvm) and PCI (q35: ECAM;
//! pc: port I/O; arm64's virt: ECAM from the device tree, BARs placed by
//! the image). The NICs are named in discovery order with the MACs QEMU gave
//! them, and frames of every size cross the image unchanged, in order,
//! both ways, more of them than the rings hold (buffers are recycled).

use std::path::PathBuf;
use std::time::Duration;

use nfc::codegen::Plat;
use nfc::qemu::{Machine, Vm};
use nfc_dataplane::parse::EtherAddress;
use nfc_tests::vm::{self, Link, Running};
use nfc_tests::wire::crosses;

/// The image for `plat`, built once for every test of this file.
fn image(plat: Plat) -> PathBuf {
    vm::image(env!("CARGO_TARGET_TMPDIR"), "tests/kvm/bridge.click", plat)
}

fn bridges(machine: Machine, how: &str) {
    let macs = [[0x52, 0x54, 0, 0xab, 0, 1], [0x52, 0x54, 0, 0xab, 0, 2]];
    let (a, nic_a) = Link::new(macs[0]).unwrap();
    let (b, nic_b) = Link::new(macs[1]).unwrap();
    let mut vm = Vm::new(image(machine.plat()));
    vm.machine = machine;
    vm.nics = vec![nic_a, nic_b];
    let mut running = Running::start(&vm);
    let boot = running.wait_for("nfc: ready bridge 2 nics", Duration::from_secs(60));
    // eth0 and eth1 in QEMU's -device order, found where `how` says.
    for (i, mac) in macs.iter().enumerate() {
        let start = format!("nfc: eth{i}: virtio-net {} at ", EtherAddress(*mac));
        assert!(
            boot.lines()
                .any(|l| l.starts_with(&start) && l.contains(how)),
            "{machine}: no `{start}…{how}…`:\n{boot}"
        );
    }
    // 600 frames each way: more than a ring's 256 descriptors.
    crosses(&a, &b, 1, 600, &machine);
    crosses(&b, &a, 2, 600, &machine);
    let console = running.console();
    assert!(
        !console.contains("fault") && !console.contains("panic"),
        "{machine}:\n{console}"
    );
}

#[test]
fn bridges_on_microvm_over_mmio() {
    bridges(Machine::Microvm, "MMIO 0x");
}

#[test]
fn bridges_on_q35_over_pci_ecam() {
    bridges(Machine::Q35, "(config by ECAM)");
}

#[test]
fn bridges_on_pc_over_pci_port_io() {
    bridges(Machine::Pc, "(config by port I/O)");
}

#[test]
fn bridges_on_arm64_virt_over_pci_ecam() {
    bridges(Machine::VirtPci, "(config by ECAM)");
}

/// The NICs named by MAC address instead: `A` is eth1's, `B` eth0's, so
/// what arrives on eth1 is counted by `in0`.
#[test]
fn names_nics_by_mac_address() {
    let macs = [[0x52, 0x54, 0, 0xab, 0, 1], [0x52, 0x54, 0, 0xab, 0, 2]];
    let image = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bridge-by-mac.kvm");
    let (a, b) = (
        EtherAddress(macs[1]).to_string(),
        EtherAddress(macs[0]).to_string(),
    );
    vm::build_image(
        "tests/kvm/bridge.click",
        &[("A", &a), ("B", &b)],
        Plat::Kvm,
        &image,
    );
    let (eth0, nic0) = Link::new(macs[0]).unwrap();
    let (eth1, nic1) = Link::new(macs[1]).unwrap();
    let mut vm = Vm::new(image);
    vm.nics = vec![nic0, nic1];
    let mut running = Running::start(&vm);
    running.wait_for("nfc: ready bridge 2 nics", Duration::from_secs(60));
    crosses(&eth1, &eth0, 3, 20, &Machine::Microvm);
    let reply = running.ask("READ in0.count", Duration::from_secs(30));
    assert_eq!(reply.data.as_deref(), Some("20"), "{:?}", reply.lines);
    let reply = running.ask("READ in1.count", Duration::from_secs(30));
    assert_eq!(reply.data.as_deref(), Some("0"), "{:?}", reply.lines);
}

/// A configuration that names a NIC the machine does not have stops at
/// boot and says which NICs there are.
#[test]
fn a_missing_nic_is_named_with_the_ones_found() {
    let image = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bridge-eth2.kvm");
    vm::build_image(
        "tests/kvm/bridge.click",
        &[("B", "eth2")],
        Plat::Kvm,
        &image,
    );
    let (_eth0, nic0) = Link::new([0x52, 0x54, 0, 0xab, 0, 1]).unwrap();
    let (_eth1, nic1) = Link::new([0x52, 0x54, 0, 0xab, 0, 2]).unwrap();
    let mut vm = Vm::new(image);
    vm.nics = vec![nic0, nic1];
    let (console, ended) = Running::start(&vm).finish(Duration::from_secs(60));
    assert!(ended, "{console}");
    assert!(
        console.contains(
            "nfc: device eth2: no such NIC (the NICs are eth0 52:54:00:ab:00:01 at MMIO 0x"
        ) && console.contains("nfc: stopped configuration error"),
        "{console}"
    );
    assert!(!console.contains("nfc: ready"), "{console}");
}

#[test]
fn bridges_on_arm64_virt_over_mmio() {
    bridges(Machine::Virt, "MMIO 0x");
}
