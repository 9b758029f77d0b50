//! The firewall unikernel, frame by frame: `configs/firewall.click`
//! compiled with `--plat kvm` (and `--plat arm64`), booted in QEMU (TCG)
//! with its two NICs on `-netdev dgram` UDP sockets on 127.0.0.1, on
//! microvm (virtio-mmio) and q35 (virtio-pci), and on arm64's virt
//! (virtio-mmio, and virtio-pci behind its ECAM host bridge). The test plays the hosts on both sides: it sends real
//! Ethernet frames in, answers the firewall's ARP requests, and checks
//! what comes out of each NIC:
//!
//! - ARP requests for the firewall's addresses are answered, and so are
//!   pings to it;
//! - an allowed outbound flow crosses (TTL one less, to the gateway's MAC
//!   found by ARP) and its reply comes back in; unsolicited inbound
//!   traffic, and outbound traffic off the allow-list, do not cross;
//! - malformed frames (an IP header cut short, a bad IP checksum, an IP
//!   length beyond the frame, a runt) are dropped and counted, and the
//!   image keeps working;
//! - the counters read over the serial console (Click's ControlSocket
//!   protocol) match what was sent, and a WRITE of new rules to
//!   `inbound.config` changes what passes at once.

use std::time::{Duration, Instant};

use nfc::qemu::{Machine, Vm};
use nfc_tests::frames::*;
use nfc_tests::golden::ether;
use nfc_tests::vm::{self, Link, Running};

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

    /// Reads handler `element.handler` over the serial console.
    fn read(&mut self, handler: &str) -> String {
        let reply = self.running.ask(&format!("READ {handler}"), WAIT);
        assert_eq!(reply.code(), 200, "READ {handler}: {:?}", reply.lines);
        reply.data.unwrap_or_default()
    }

    fn count(&mut self, counter: &str) -> u64 {
        self.read(&format!("{counter}.count"))
            .trim()
            .parse()
            .unwrap()
    }
}

fn firewall_on(machine: Machine) {
    let mut fw = Fw::boot(machine);

    // ARP and pings to the firewall itself, on both sides.
    let server_mac = inside_mac(SERVER);
    let [inside, outside] = fw.send(Side::Inside, &arp(1, server_mac, SERVER, [0; 6], FW_IN_IP));
    assert_eq!(
        inside,
        [arp(2, FW_IN_MAC, FW_IN_IP, server_mac, SERVER)],
        "{machine}"
    );
    assert!(outside.is_empty(), "{machine}");
    let [_, outside] = fw.send(
        Side::Outside,
        &arp(1, GATEWAY_MAC, GATEWAY, [0; 6], FW_OUT_IP),
    );
    assert_eq!(
        outside,
        [arp(2, FW_OUT_MAC, FW_OUT_IP, GATEWAY_MAC, GATEWAY)],
        "{machine}"
    );
    let [inside, _] = fw.send(
        Side::Inside,
        &ether(
            FW_IN_MAC,
            server_mac,
            0x0800,
            &ping(SERVER, FW_IN_IP, true, 7),
        ),
    );
    assert_eq!(inside.len(), 1, "{machine}: an echo reply: {inside:02x?}");
    assert_eq!(&inside[0][14..][20], &0, "{machine}: ICMP echo reply");
    assert_eq!(dst(&inside[0][14..]), SERVER, "{machine}");

    // An allowed outbound flow crosses, and its reply comes back in; an
    // answer nobody asked for does not, nor does what the rules deny.
    assert!(
        fw.passes(Side::Inside, &udp(SERVER, 40000, WEB, 53)),
        "{machine}: DNS out"
    );
    assert!(
        fw.passes(Side::Outside, &udp(WEB, 53, SERVER, 40000)),
        "{machine}: its reply"
    );
    assert!(
        !fw.passes(Side::Outside, &tcp(WEB, 80, HOST, 40001, SYN | ACK)),
        "{machine}: a SYN-ACK of no flow"
    );
    assert!(
        !fw.passes(Side::Outside, &tcp(CLIENT, 40002, HOST, 3389, SYN)),
        "{machine}: RDP to a host"
    );
    assert!(
        !fw.passes(Side::Inside, &tcp(SERVER, 40003, WEB, 25, SYN)),
        "{machine}: SMTP out"
    );
    assert!(
        fw.passes(Side::Outside, &tcp(CLIENT, 40004, SERVER, 80, SYN)),
        "{machine}: the published web server"
    );

    // Malformed frames: dropped, counted, and the firewall goes on.
    let good = udp(CLIENT, 40005, SERVER, 53);
    let mut bad_sum = good.clone();
    bad_sum[10] ^= 0xff;
    let mut too_long = good.clone();
    too_long[2..4].copy_from_slice(&1400u16.to_be_bytes());
    too_long[10..12].copy_from_slice(&[0, 0]);
    let sum = nfc_dataplane::checksum::checksum(&too_long[..20]);
    too_long[10..12].copy_from_slice(&sum.to_be_bytes());
    for (what, ip) in [
        ("an IP header cut short", &good[..12]),
        ("a bad IP checksum", &bad_sum[..]),
        ("an IP length beyond the frame", &too_long[..]),
    ] {
        let out = fw.send(Side::Outside, &ether(FW_OUT_MAC, GATEWAY_MAC, 0x0800, ip));
        assert!(
            out[0].is_empty() && out[1].is_empty(),
            "{machine}: {what}: {out:02x?}"
        );
    }
    let out = fw.send(Side::Outside, &[0xff; 10]);
    assert!(
        out[0].is_empty() && out[1].is_empty(),
        "{machine}: a runt: {out:02x?}"
    );
    assert!(
        fw.passes(Side::Outside, &good),
        "{machine}: DNS to the server after the bad frames"
    );

    // The counters, over the serial console.
    assert_eq!(fw.count("bad_ip"), 3, "{machine}");
    assert_eq!(fw.count("allowed_out"), 1, "{machine}");
    assert_eq!(fw.count("denied_out"), 1, "{machine}");
    assert_eq!(fw.count("allowed_in"), 3, "{machine}");
    assert_eq!(fw.count("denied_in"), 2, "{machine}");

    // New rules while it runs: RDP to HOST is published, at once.
    let rules =
        "1 src net 198.51.100.0/24, allow dst host 198.51.100.20 and dst tcp port 3389, 1 all";
    let reply = fw
        .running
        .ask(&format!("WRITE inbound.config {rules}"), WAIT);
    assert_eq!(reply.code(), 200, "{machine}: {:?}", reply.lines);
    assert!(
        fw.passes(Side::Outside, &tcp(CLIENT, 40006, HOST, 3389, SYN)),
        "{machine}: RDP after the change"
    );
    assert!(
        !fw.passes(Side::Outside, &tcp(CLIENT, 40007, SERVER, 80, SYN)),
        "{machine}: web no longer published"
    );
    let counts = fw.read("inbound.rules");
    assert!(counts.contains("3389"), "{machine}: {counts}");

    // A clean stop.
    fw.running.type_in("WRITE stop\r\n");
    let (console, ended) = fw.running.finish(WAIT);
    assert!(
        ended && console.contains("nfc: stopped control"),
        "{machine}:\n{console}"
    );
    assert!(
        !console.contains("fault") && !console.contains("panic"),
        "{console}"
    );
}

impl Wires for Fw {
    /// What leaves each side until both have been quiet for [`QUIET`].
    fn send(&mut self, side: Side, frame: &[u8]) -> [Vec<Vec<u8>>; 2] {
        self.links[side as usize].send(frame).unwrap();
        let mut out = [Vec::new(), Vec::new()];
        let mut quiet_since = Instant::now();
        while quiet_since.elapsed() < QUIET {
            for s in [Side::Inside, Side::Outside] {
                let Some(f) = self.links[s as usize].recv(Duration::from_millis(20)) else {
                    continue;
                };
                quiet_since = Instant::now();
                match s.answer_arp(&f) {
                    Some(reply) => {
                        self.links[s as usize].send(&reply).unwrap();
                    }
                    None => out[s as usize].push(f),
                }
            }
        }
        out
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
