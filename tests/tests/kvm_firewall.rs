//! The firewall unikernel, frame by frame: `configs/firewall.click`
//! compiled with `--plat kvm` (and `--plat arm64`), booted in QEMU (TCG)
//! with its two NICs on `-netdev dgram` UDP sockets on 127.0.0.1, on
//! microvm (virtio-mmio) and q35 (virtio-pci), and on arm64's virt
//! (virtio-mmio, and virtio-pci behind its ECAM host bridge). The test
//! plays the hosts on both sides through the shared scenario
//! ([`nfc_tests::firewall_scenario`], which Xen's dom0 probe runs too):
//! ARP and pings answered, allowed flows crossing and the rest not,
//! malformed frames dropped and counted, counters and a live rule change
//! over the serial console (Click's ControlSocket protocol), and a clean
//! stop.

use nfc::qemu::Machine;
use nfc_tests::firewall_scenario;
use nfc_tests::frames::{Side, FW_IN_MAC, FW_OUT_MAC};
use nfc_tests::qemu_vnf::QemuVnf;

/// The scenario, on `machine`.
fn firewall_on(machine: Machine) {
    let fw = QemuVnf::boot(
        env!("CARGO_TARGET_TMPDIR"),
        "configs/firewall.click",
        machine,
        [FW_IN_MAC, FW_OUT_MAC],
        Side::answer_arp,
    );
    firewall_scenario::run(fw, &machine);
}

#[test]
fn firewall_frames_on_microvm() {
    firewall_on(Machine::Microvm);
}

#[test]
fn firewall_frames_on_q35() {
    firewall_on(Machine::Q35);
}

#[test]
fn firewall_frames_on_arm64_virt_over_mmio() {
    firewall_on(Machine::Virt);
}

#[test]
fn firewall_frames_on_arm64_virt_over_pci() {
    firewall_on(Machine::VirtPci);
}
