//! The QEMU command line that boots a kvm or arm64 image: machine,
//! accelerator, memory, serial console and NICs. `nfc run --plat kvm|arm64`
//! prints and runs it; the tests that boot images build theirs here too,
//! so what is tested is what operators run.
//!
//! Every machine gets `-cpu max` (RDRAND, RDSEED and AES-NI under TCG;
//! under KVM without `arch-capabilities`, which some KVMs refuse),
//! `-nodefaults` (no VGA, no default NIC), `-display none`, the serial
//! console on standard input and output, and `-no-reboot` (the image
//! resets the machine when it stops, which then ends QEMU). microvm runs
//! with `acpi=off`, so QEMU lists its virtio-mmio devices on the kernel
//! command line as `virtio_mmio.device=` (as Firecracker does); q35 and pc
//! put virtio-net on PCI. arm64 images run in `qemu-system-aarch64` on the
//! `virt` machine with a `virtio-rng-device`, the NICs on its virtio-mmio
//! transports (listed in the device tree) or, as `virt-pci`, on its PCI
//! Express host bridge; the image powers the machine off through PSCI
//! when it stops, which ends QEMU.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::path::PathBuf;
use std::process::Command;
use std::str::FromStr;

use nfc_dataplane::parse::EtherAddress;

/// The QEMU program for x86_64 images.
pub const QEMU: &str = "qemu-system-x86_64";

/// The QEMU program for arm64 images.
pub const QEMU_AARCH64: &str = "qemu-system-aarch64";

/// What to say when [`QEMU`] cannot be started.
pub fn missing(e: &std::io::Error) -> String {
    Machine::Microvm.missing(e)
}

/// How QEMU runs the guest's code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Accel {
    /// QEMU's own translator: no host support needed.
    #[default]
    Tcg,
    /// The host's KVM (`/dev/kvm`).
    Kvm,
}

impl Accel {
    /// `NFC_ACCEL` when it names an accelerator, else TCG.
    pub fn from_env() -> Result<Accel, String> {
        match std::env::var("NFC_ACCEL") {
            Ok(v) if !v.is_empty() => v.parse(),
            _ => Ok(Accel::Tcg),
        }
    }
}

impl FromStr for Accel {
    type Err = String;

    fn from_str(s: &str) -> Result<Accel, String> {
        match s {
            "tcg" => Ok(Accel::Tcg),
            "kvm" => Ok(Accel::Kvm),
            _ => Err(format!("unknown accelerator `{s}`: use tcg or kvm")),
        }
    }
}

impl fmt::Display for Accel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Accel::Tcg => "tcg",
            Accel::Kvm => "kvm",
        })
    }
}

/// The QEMU machine type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Machine {
    /// `microvm,acpi=off`: no PCI, no firmware; virtio-mmio devices.
    #[default]
    Microvm,
    /// `q35`: PCI Express (ECAM), ACPI.
    Q35,
    /// `pc`: i440FX, PCI through port I/O, ACPI.
    Pc,
    /// `virt` (arm64): a device tree, virtio-mmio transports, PSCI.
    Virt,
    /// `virt` (arm64) with the NICs on PCI (`virtio-net-pci` on its
    /// ECAM host bridge, BARs placed by the image: `-kernel` runs no
    /// firmware) instead of virtio-mmio.
    VirtPci,
}

impl Machine {
    /// The `-M` argument.
    pub fn arg(self) -> &'static str {
        match self {
            Machine::Microvm => "microvm,acpi=off",
            Machine::Q35 => "q35",
            Machine::Pc => "pc",
            Machine::Virt | Machine::VirtPci => "virt",
        }
    }

    /// True for the arm64 machine (`--plat arm64`), false for the x86_64
    /// ones (`--plat kvm`).
    pub fn is_arm64(self) -> bool {
        matches!(self, Machine::Virt | Machine::VirtPci)
    }

    /// The QEMU program that emulates this machine.
    pub fn program(self) -> &'static str {
        if self.is_arm64() {
            QEMU_AARCH64
        } else {
            QEMU
        }
    }

    /// The Debian package that has [`Machine::program`].
    pub fn package(self) -> &'static str {
        if self.is_arm64() {
            "qemu-system-arm"
        } else {
            "qemu-system-x86"
        }
    }

    /// The platform whose images this machine boots.
    pub fn plat(self) -> crate::codegen::Plat {
        if self.is_arm64() {
            crate::codegen::Plat::Arm64
        } else {
            crate::codegen::Plat::Kvm
        }
    }

    /// What to say when [`Machine::program`] cannot be started: the Debian
    /// package that has it.
    pub fn missing(self, e: &std::io::Error) -> String {
        format!(
            "nfc: cannot run {} ({e}): install the Debian package {}",
            self.program(),
            self.package()
        )
    }

    /// The QEMU device that puts a virtio-net NIC on this machine.
    fn nic_device(self) -> &'static str {
        match self {
            Machine::Microvm | Machine::Virt => "virtio-net-device",
            // No option ROM: the image has its own driver.
            Machine::Q35 | Machine::Pc | Machine::VirtPci => "virtio-net-pci",
        }
    }
}

impl FromStr for Machine {
    type Err = String;

    fn from_str(s: &str) -> Result<Machine, String> {
        match s {
            "microvm" => Ok(Machine::Microvm),
            "q35" => Ok(Machine::Q35),
            "pc" => Ok(Machine::Pc),
            "virt" => Ok(Machine::Virt),
            "virt-pci" => Ok(Machine::VirtPci),
            _ => Err(format!(
                "unknown machine `{s}`: use microvm, q35 or pc (kvm), virt or virt-pci (arm64)"
            )),
        }
    }
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Machine::Microvm => "microvm",
            Machine::Q35 => "q35",
            Machine::Pc => "pc",
            Machine::Virt => "virt",
            Machine::VirtPci => "virt-pci",
        })
    }
}

/// Where a NIC's frames go on the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A TAP device (created by QEMU if missing; needs the right to).
    Tap(String),
    /// One UDP datagram per frame: QEMU receives on `local` and sends to
    /// `remote` (`-netdev dgram`).
    Dgram {
        /// Where QEMU listens.
        local: SocketAddrV4,
        /// Where QEMU sends.
        remote: SocketAddrV4,
    },
}

impl FromStr for Backend {
    type Err = String;

    /// `tap:NAME` or `dgram:LOCAL_PORT:REMOTE_PORT` (on 127.0.0.1).
    fn from_str(s: &str) -> Result<Backend, String> {
        let hint = "a NIC is tap:NAME or dgram:LOCAL_PORT:REMOTE_PORT (UDP on 127.0.0.1)";
        match s.split_once(':') {
            Some(("tap", name)) if !name.is_empty() => Ok(Backend::Tap(name.into())),
            Some(("dgram", ports)) => {
                let port = |p: &str| {
                    p.parse::<u16>()
                        .map_err(|_| format!("bad port `{p}` in `{s}`: {hint}"))
                };
                let (local, remote) = ports
                    .split_once(':')
                    .ok_or_else(|| format!("`{s}`: {hint}"))?;
                let on = |p| SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, p);
                Ok(Backend::Dgram {
                    local: on(port(local)?),
                    remote: on(port(remote)?),
                })
            }
            _ => Err(format!("`{s}`: {hint}")),
        }
    }
}

/// One NIC: where its frames go and its Ethernet address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nic {
    /// The host side.
    pub backend: Backend,
    /// The NIC's MAC address.
    pub mac: [u8; 6],
}

impl Nic {
    /// The default MAC of the `index`th NIC (`ethN`): `52:54:00:00:00:0N+1`
    /// (QEMU's prefix).
    pub fn default_mac(index: usize) -> [u8; 6] {
        [0x52, 0x54, 0, 0, (index >> 8) as u8, index as u8 + 1]
    }
}

impl Nic {
    /// The `index`th NIC (`ethN`) from `spec`: a [`Backend`], optionally
    /// followed by `,mac=XX:XX:XX:XX:XX:XX` (default: [`Nic::default_mac`]).
    pub fn parse(spec: &str, index: usize) -> Result<Nic, String> {
        let (backend, mac) = match spec.split_once(",mac=") {
            Some((b, m)) => (b, Some(m)),
            None => (spec, None),
        };
        let mac = match mac {
            Some(m) => {
                nfc_dataplane::parse::ether(m)
                    .map_err(|e| format!("`{spec}`: {e}"))?
                    .0
            }
            None => Nic::default_mac(index),
        };
        Ok(Nic {
            backend: backend.parse()?,
            mac,
        })
    }
}

/// A VM to boot: the image and everything QEMU needs to run it.
#[derive(Clone, Debug)]
pub struct Vm {
    /// The image: a PVH ELF (kvm) or an arm64 `Image` (virt).
    pub kernel: PathBuf,
    /// The machine type.
    pub machine: Machine,
    /// The accelerator.
    pub accel: Accel,
    /// Guest memory, MiB.
    pub memory_mib: u32,
    /// The NICs, `eth0` first.
    pub nics: Vec<Nic>,
    /// A Unix socket for QEMU's human monitor (`system_powerdown`, …).
    pub monitor: Option<PathBuf>,
    /// arm64: a `virtio-rng-device`, the entropy of CPUs without RNDR
    /// (default: yes).
    pub rng_device: bool,
    /// More arguments, passed as they are.
    pub extra: Vec<String>,
}

impl Vm {
    /// A VM for `kernel` with the defaults: microvm, TCG, 32 MiB, no NIC,
    /// an entropy device on arm64.
    pub fn new(kernel: impl Into<PathBuf>) -> Vm {
        Vm {
            kernel: kernel.into(),
            machine: Machine::default(),
            accel: Accel::default(),
            memory_mib: 32,
            nics: Vec::new(),
            monitor: None,
            rng_device: true,
            extra: Vec::new(),
        }
    }

    /// QEMU's arguments, in order.
    pub fn args(&self) -> Vec<String> {
        let mut args: Vec<String> = [
            "-M",
            self.machine.arg(),
            "-cpu",
            match self.accel {
                Accel::Tcg => "max",
                // An arm64 guest under KVM needs an arm64 host, whose KVM
                // takes `max` as it is.
                Accel::Kvm if self.machine.is_arm64() => "max",
                // KVM's `max` passes the host's IA32_ARCH_CAPABILITIES
                // MSR on, which some KVMs (this machine's) refuse to set:
                // QEMU then aborts before the guest runs.
                Accel::Kvm => "max,-arch-capabilities",
            },
            "-accel",
            match self.accel {
                Accel::Tcg => "tcg",
                Accel::Kvm => "kvm",
            },
            "-m",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(format!("{}M", self.memory_mib));
        args.extend(
            [
                "-display",
                "none",
                "-nodefaults",
                "-no-reboot",
                "-serial",
                "stdio",
            ]
            .map(String::from),
        );
        if let Some(path) = &self.monitor {
            args.push("-monitor".into());
            args.push(format!("unix:{},server=on,wait=off", path.display()));
        }
        for (i, nic) in self.nics.iter().enumerate() {
            args.push("-netdev".into());
            args.push(match &nic.backend {
                Backend::Tap(name) => format!("tap,id=n{i},ifname={name},script=no,downscript=no"),
                Backend::Dgram { local, remote } => format!(
                    "dgram,id=n{i},local.type=inet,local.host={},local.port={},\
                     remote.type=inet,remote.host={},remote.port={}",
                    local.ip(),
                    local.port(),
                    remote.ip(),
                    remote.port()
                ),
            });
            let mut device = format!(
                "{},netdev=n{i},mac={}",
                self.machine.nic_device(),
                EtherAddress(nic.mac)
            );
            if self.machine.nic_device() == "virtio-net-pci" {
                device.push_str(",romfile=");
            }
            args.push("-device".into());
            args.push(device);
        }
        if self.machine.is_arm64() && self.rng_device {
            // Entropy for CPUs without RNDR.
            args.push("-device".into());
            args.push("virtio-rng-device".into());
        }
        args.push("-kernel".into());
        args.push(self.kernel.display().to_string());
        args.extend(self.extra.iter().cloned());
        args
    }

    /// The command that boots the VM.
    pub fn command(&self) -> Command {
        let mut c = Command::new(self.machine.program());
        c.args(self.args());
        c
    }

    /// The command as a shell would take it, for printing.
    pub fn command_line(&self) -> String {
        let quote = |a: &str| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:,=+@".contains(c))
            {
                a.to_string()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        };
        std::iter::once(self.machine.program().to_string())
            .chain(self.args().iter().map(|a| quote(a)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The test's or benchmark's end of a NIC on `-netdev dgram`: a UDP
/// socket on 127.0.0.1 that QEMU sends the NIC's frames to, one datagram
/// per frame, and that sends frames to QEMU's socket for the NIC.
#[derive(Debug)]
pub struct Link {
    sock: UdpSocket,
    /// Where QEMU listens for this NIC's frames.
    qemu: SocketAddrV4,
}

/// How much a [`Link`]'s socket may queue: a few thousand small frames,
/// so that a receiver sharing the cores with a sender and QEMU loses none.
const LINK_RECV_BUFFER: usize = 4 << 20;

impl Link {
    /// A new link and the NIC, with MAC `mac`, that goes with it.
    pub fn new(mac: [u8; 6]) -> Result<(Link, Nic), String> {
        let bind = || -> Result<(UdpSocket, SocketAddrV4), String> {
            let sock = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
                .map_err(|e| format!("nfc: a UDP socket on 127.0.0.1: {e}\n"))?;
            match sock.local_addr() {
                Ok(SocketAddr::V4(a)) => Ok((sock, a)),
                other => Err(format!("nfc: a UDP socket on 127.0.0.1 is at {other:?}\n")),
            }
        };
        let (sock, remote) = bind()?;
        nfc_platform_linux::set_recv_buffer(&sock, LINK_RECV_BUFFER)
            .map_err(|e| format!("nfc: SO_RCVBUF on a UDP socket: {e}\n"))?;
        // A free port for QEMU's end: the system picks one, we let it go.
        let (_, local) = bind()?;
        let nic = Nic {
            backend: Backend::Dgram { local, remote },
            mac,
        };
        Ok((Link { sock, qemu: local }, nic))
    }

    /// The link's socket.
    pub fn socket(&self) -> &UdpSocket {
        &self.sock
    }

    /// Where QEMU listens for this NIC's frames.
    pub fn qemu(&self) -> SocketAddrV4 {
        self.qemu
    }

    /// Sends one frame into the NIC.
    pub fn send(&self, frame: &[u8]) -> std::io::Result<usize> {
        self.sock.send_to(frame, self.qemu)
    }

    /// The next frame the NIC sent, waiting at most `timeout`.
    pub fn recv(&self, timeout: std::time::Duration) -> Option<Vec<u8>> {
        self.sock.set_read_timeout(Some(timeout)).ok()?;
        let mut buf = vec![0u8; 65536];
        let n = self.sock.recv(&mut buf).ok()?;
        buf.truncate(n);
        Some(buf)
    }

    /// Every frame the NIC sends until it is quiet for `quiet`.
    pub fn drain(&self, quiet: std::time::Duration) -> Vec<Vec<u8>> {
        std::iter::from_fn(|| self.recv(quiet)).collect()
    }
}

/// Boots `vm` with the image's serial console on this terminal: what the
/// image prints appears on standard output, what is typed reaches the
/// image (Click's ControlSocket protocol: `READ c.count`). The first
/// SIGINT or SIGTERM (Ctrl-C) types `WRITE stop` into the console, so the
/// VNF stops cleanly and prints its counters; a second one ends nfc and
/// with it QEMU, which never outlives nfc. Returns QEMU's exit status.
pub fn run(vm: &Vm) -> Result<std::process::ExitStatus, String> {
    use std::io::Write;
    use std::process::Stdio;
    use std::sync::{Arc, Mutex};

    nfc_platform_linux::catch_stop_signals().map_err(|e| format!("nfc: signals: {e}"))?;
    let mut command = vm.command();
    command.stdin(Stdio::piped());
    nfc_platform_linux::supervised(&mut command);
    let mut child = command.spawn().map_err(|e| vm.machine.missing(&e))?;
    let console = Arc::new(Mutex::new(child.stdin.take().expect("piped stdin")));
    {
        let console = console.clone();
        std::thread::spawn(move || {
            let mut line = String::new();
            while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
                let mut c = console.lock().expect("the console lock");
                if c.write_all(line.as_bytes())
                    .and_then(|_| c.flush())
                    .is_err()
                {
                    break;
                }
                line.clear();
            }
        });
    }
    let mut stop_sent = false;
    loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| format!("nfc: {}: {e}", vm.machine.program()))?
        {
            return Ok(status);
        }
        if nfc_platform_linux::stop_requested() && !stop_sent {
            stop_sent = true;
            let mut c = console.lock().expect("the console lock");
            let _ = c.write_all(b"WRITE stop\n").and_then(|_| c.flush());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nics_parse_and_become_qemu_arguments() {
        let mut vm = Vm::new("/tmp/fw.kvm");
        vm.machine = "q35".parse().unwrap();
        vm.nics
            .push(Nic::parse("tap:fwin,mac=02:00:00:00:00:01", 0).unwrap());
        vm.nics.push(Nic::parse("dgram:40001:40002", 1).unwrap());
        vm.monitor = Some("/tmp/m.sock".into());
        let line = vm.command_line();
        assert!(line.starts_with("qemu-system-x86_64 -M q35 -cpu max -accel tcg -m 32M"));
        assert!(line.contains("-netdev tap,id=n0,ifname=fwin,script=no,downscript=no"));
        assert!(line.contains("-device virtio-net-pci,netdev=n0,mac=02:00:00:00:00:01,romfile="));
        assert!(line.contains(
            "-netdev dgram,id=n1,local.type=inet,local.host=127.0.0.1,local.port=40001,\
             remote.type=inet,remote.host=127.0.0.1,remote.port=40002"
        ));
        assert!(line.contains("-monitor unix:/tmp/m.sock,server=on,wait=off"));
        assert!(line.ends_with("-kernel /tmp/fw.kvm"));
        vm.machine = Machine::Microvm;
        assert!(vm
            .command_line()
            .contains("-M microvm,acpi=off -cpu max -accel tcg"));
        assert!(vm
            .command_line()
            .contains("-device virtio-net-device,netdev=n1,mac=52:54:00:00:00:02 -kernel"));
        vm.accel = Accel::Kvm;
        assert!(vm
            .command_line()
            .contains("-cpu max,-arch-capabilities -accel kvm"));
    }

    #[test]
    fn arm64_runs_on_virt_in_qemu_system_aarch64_with_mmio_or_pci_nics() {
        let mut vm = Vm::new("/tmp/fw.img");
        vm.machine = "virt".parse().unwrap();
        vm.nics.push(Nic::parse("dgram:40001:40002", 0).unwrap());
        let line = vm.command_line();
        assert!(
            line.starts_with("qemu-system-aarch64 -M virt -cpu max -accel tcg -m 32M"),
            "{line}"
        );
        assert!(line.contains(
            "-device virtio-net-device,netdev=n0,mac=52:54:00:00:00:01 \
             -device virtio-rng-device -kernel /tmp/fw.img"
        ));
        assert!(!line.contains("romfile"));
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(vm.machine.missing(&e).contains("package qemu-system-arm"));
        assert!(missing(&e).contains("package qemu-system-x86"));
        assert!(Machine::Virt.is_arm64() && !Machine::Q35.is_arm64());

        // virt-pci: the same machine, its NICs on PCI.
        vm.machine = "virt-pci".parse().unwrap();
        let line = vm.command_line();
        assert!(line.starts_with("qemu-system-aarch64 -M virt -cpu max"));
        assert!(line.contains(
            "-device virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01,romfile= \
             -device virtio-rng-device -kernel /tmp/fw.img"
        ));
        assert_eq!(vm.machine.plat(), crate::codegen::Plat::Arm64);
        assert_eq!(vm.machine.to_string(), "virt-pci");
        // Without the entropy device (a test of the clock's fallback).
        vm.rng_device = false;
        assert!(!vm.command_line().contains("virtio-rng"));
    }

    #[test]
    fn bad_nics_and_names_say_what_is_expected() {
        for bad in ["tap:", "dgram:1", "dgram:1:x", "udp:1:2", "tap:x,mac=zz"] {
            let e = Nic::parse(bad, 0).unwrap_err();
            assert!(e.contains(bad.split(',').next().unwrap()), "{e}");
        }
        assert!("xen"
            .parse::<Machine>()
            .unwrap_err()
            .contains("microvm, q35 or pc (kvm), virt or virt-pci (arm64)"));
        assert!("hvf".parse::<Accel>().unwrap_err().contains("tcg or kvm"));
    }
}
