//! The NAT unikernel, frame by frame: `configs/nat.click` compiled with
//! `--plat kvm` and `--plat arm64`, booted in QEMU (TCG) with its two
//! NICs on `-netdev dgram` UDP sockets on 127.0.0.1, on microvm
//! (virtio-mmio), q35 (virtio-pci) and arm64's virt (virtio-mmio). The
//! test plays the customer's hosts and the provider's gateway through the
//! shared scenario ([`nfc_tests::nat_scenario`], which Xen's dom0 probe
//! runs too): ARP and pings answered; TCP, UDP and ping flows from inside
//! leaving with the public address and a mapped port or identifier, their
//! replies and ICMP errors about them coming back to the inside host;
//! nothing from outside opening a flow; malformed frames dropped and
//! counted; the mappings and counters over the serial console (Click's
//! ControlSocket protocol); and a clean stop.

use nfc::qemu::Machine;
use nfc_tests::nat_scenario::{self, NAT_IN_MAC, NAT_OUT_MAC};
use nfc_tests::qemu_vnf::QemuVnf;

/// The scenario, on `machine`.
fn nat_on(machine: Machine) {
    let nat = QemuVnf::boot(
        env!("CARGO_TARGET_TMPDIR"),
        "configs/nat.click",
        machine,
        [NAT_IN_MAC, NAT_OUT_MAC],
        nat_scenario::answer_arp,
    );
    nat_scenario::run(nat, &machine);
}

#[test]
fn nat_frames_on_microvm() {
    nat_on(Machine::Microvm);
}

#[test]
fn nat_frames_on_q35() {
    nat_on(Machine::Q35);
}

#[test]
fn nat_frames_on_arm64_virt() {
    nat_on(Machine::Virt);
}
