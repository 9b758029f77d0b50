//! A two-NIC image booted in QEMU (TCG) as the image scenarios reach it
//! ([`crate::firewall_scenario`], [`crate::nat_scenario`]): its NICs on
//! `-netdev dgram` UDP sockets on 127.0.0.1 ([`Link`]), its ControlSocket
//! on the serial console. The same [`QemuVnf`] serves every machine
//! (microvm, q35, arm64 virt over MMIO or PCI) and every configuration;
//! what differs between them is how the hosts around answer its ARP
//! requests, handed in at boot.

use std::path::Path;
use std::time::Duration;

use nfc::qemu::{Machine, Vm};

use crate::frames::{Side, Vnf, Wires};
use crate::vm::{self, Link, Reply, Running};
use crate::wire::{self, Answer};

/// How long a side must stay quiet before the test takes it that
/// nothing more will come out (TCG is slow, and the machine shared).
const QUIET: Duration = Duration::from_millis(400);
/// How long a boot, a reply or the end after `WRITE stop` may take.
const WAIT: Duration = Duration::from_secs(30);

/// A booted image with two NICs (eth0 inside, eth1 outside).
pub struct QemuVnf {
    running: Running,
    links: [Link; 2],
    answer: Answer,
}

impl QemuVnf {
    /// Builds `config` (a path under the source tree) for `machine`'s
    /// platform into `dir` (the test's `CARGO_TARGET_TMPDIR`), once per
    /// test program, boots it with NICs of `macs` and waits for its ready
    /// line; its ARP requests will be answered by `answer`.
    pub fn boot(
        dir: &str,
        config: &str,
        machine: Machine,
        macs: [[u8; 6]; 2],
        answer: Answer,
    ) -> QemuVnf {
        let image = vm::image(dir, config, machine.plat());
        let (inside, nic0) = Link::new(macs[0]).unwrap_or_else(|e| panic!("{e}"));
        let (outside, nic1) = Link::new(macs[1]).unwrap_or_else(|e| panic!("{e}"));
        let mut vm = Vm::new(image);
        vm.machine = machine;
        vm.nics = vec![nic0, nic1];
        let mut running = Running::start(&vm);
        let stem = Path::new(config).file_stem().unwrap().to_string_lossy();
        running.wait_for(&format!("nfc: ready {stem} 2 nics"), WAIT);
        QemuVnf {
            running,
            links: [inside, outside],
            answer,
        }
    }
}

impl Wires for QemuVnf {
    fn send(&mut self, side: Side, frame: &[u8]) -> [Vec<Vec<u8>>; 2] {
        self.send_all(&[(side, frame)])
    }

    fn send_all(&mut self, frames: &[(Side, &[u8])]) -> [Vec<Vec<u8>>; 2] {
        wire::exchange(&self.links, frames, QUIET, self.answer)
    }
}

impl Vnf for QemuVnf {
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
