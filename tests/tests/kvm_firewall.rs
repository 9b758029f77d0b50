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

use std::time::Duration;

use nfc::qemu::{Machine, Vm};
use nfc_tests::firewall_scenario::{self, FirewallVm};
use nfc_tests::frames::{Side, Wires, FW_IN_MAC, FW_OUT_MAC};
use nfc_tests::vm::{self, Link, Reply, Running};

/// How long a side must stay quiet before the test takes it that
/// nothing more will come out (TCG is slow, and the machine shared).
const QUIET: Duration = Duration::from_millis(400);
const WAIT: Duration = Duration::from_secs(30);

/// The firewall booted, and the test's ends of its NICs.
struct Fw {
    running: Running,
    /// eth0 (inside), eth1 (outside).
    links: [Link; 2],
}

impl Fw {
    fn boot(machine: Machine) -> Fw {
        let image = vm::image(
            env!("CARGO_TARGET_TMPDIR"),
            "configs/firewall.click",
            machine.plat(),
        );
        let (inside, nic0) = Link::new(FW_IN_MAC).unwrap();
        let (outside, nic1) = Link::new(FW_OUT_MAC).unwrap();
        let mut vm = Vm::new(image);
        vm.machine = machine;
        vm.nics = vec![nic0, nic1];
        let mut running = Running::start(&vm);
        running.wait_for("nfc: ready firewall 2 nics", WAIT);
        Fw {
            running,
            links: [inside, outside],
        }
    }
}

/// The scenario, on `machine`.
fn firewall_on(machine: Machine) {
    firewall_scenario::run(Fw::boot(machine), &machine);
}

impl Wires for Fw {
    fn send(&mut self, side: Side, frame: &[u8]) -> [Vec<Vec<u8>>; 2] {
        firewall_scenario::exchange(&self.links, side, frame, QUIET)
    }
}

impl FirewallVm for Fw {
    fn ask(&mut self, command: &str) -> Reply {
        self.running.ask(command, WAIT)
    }

    fn stop(mut self) -> String {
        self.running.type_in("WRITE stop\r\n");
        let (console, ended) = self.running.finish(WAIT);
        assert!(ended, "QEMU did not end after `WRITE stop`:\n{console}");
        console
    }
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
