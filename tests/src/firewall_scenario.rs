//! The firewall's frame-level scenario, one function for every platform
//! that boots `configs/firewall.click` as an image: QEMU's machines
//! (`tests/tests/kvm_firewall.rs`, NICs on UDP sockets) and Xen (the dom0
//! probe `xen-probe`, vifs through AF_PACKET sockets on the backend
//! interfaces). The test plays the hosts on both sides: it sends real
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
//! - the counters read over the console (Click's ControlSocket protocol)
//!   match what was sent, and a WRITE of new rules to `inbound.config`
//!   changes what passes at once;
//! - `WRITE stop` stops it cleanly.

use std::fmt::Display;
use std::time::{Duration, Instant};

use crate::frames::*;
use crate::golden::ether;
use crate::vm::Reply;
use crate::wire::Wire;

/// A booted firewall image: its two NICs ([`Wires`]) and its
/// ControlSocket.
pub trait FirewallVm: Wires {
    /// Sends ControlSocket `command` and returns the reply.
    fn ask(&mut self, command: &str) -> Reply;

    /// Writes handler `stop`, waits for the image to end and returns all
    /// its console printed.
    fn stop(self) -> String;

    /// The shortest frame its wires carry: 1 unless a wire refuses
    /// shorter ones (an AF_PACKET socket sends no frame shorter than an
    /// Ethernet header).
    fn shortest_frame(&self) -> usize {
        1
    }

    /// Reads handler `element.handler`; panics unless the reply is 200.
    fn read(&mut self, handler: &str) -> String {
        let reply = self.ask(&format!("READ {handler}"));
        assert_eq!(reply.code(), 200, "READ {handler}: {:?}", reply.lines);
        reply.data.unwrap_or_default()
    }
}

/// Counter `counter`'s count, read over the console.
pub fn count(fw: &mut impl FirewallVm, counter: &str) -> u64 {
    let text = fw.read(&format!("{counter}.count"));
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("{counter}.count: {text:?}"))
}

/// Sends `frame` into the NIC on `side` of `wires` (eth0 inside, eth1
/// outside) and returns what leaves each side until both have been quiet
/// for `quiet`, answering the firewall's ARP requests the way
/// [`Side::answer_arp`] does: [`Wires::send`] for any wire.
pub fn exchange(
    wires: &[impl Wire; 2],
    side: Side,
    frame: &[u8],
    quiet: Duration,
) -> [Vec<Vec<u8>>; 2] {
    wires[side as usize].send(frame);
    let mut out = [Vec::new(), Vec::new()];
    let mut quiet_since = Instant::now();
    while quiet_since.elapsed() < quiet {
        for s in [Side::Inside, Side::Outside] {
            let Some(f) = wires[s as usize].recv(Duration::from_millis(20)) else {
                continue;
            };
            quiet_since = Instant::now();
            match s.answer_arp(&f) {
                Some(reply) => wires[s as usize].send(&reply),
                None => out[s as usize].push(f),
            }
        }
    }
    out
}

/// Runs the scenario on `fw`, a firewall just booted (ready); `what`
/// names the machine in messages. Ends with `fw` stopped.
pub fn run(mut fw: impl FirewallVm, what: &dyn Display) {
    // ARP and pings to the firewall itself, on both sides.
    let server_mac = inside_mac(SERVER);
    let [inside, outside] = fw.send(Side::Inside, &arp(1, server_mac, SERVER, [0; 6], FW_IN_IP));
    assert_eq!(
        inside,
        [arp(2, FW_IN_MAC, FW_IN_IP, server_mac, SERVER)],
        "{what}"
    );
    assert!(outside.is_empty(), "{what}");
    let [_, outside] = fw.send(
        Side::Outside,
        &arp(1, GATEWAY_MAC, GATEWAY, [0; 6], FW_OUT_IP),
    );
    assert_eq!(
        outside,
        [arp(2, FW_OUT_MAC, FW_OUT_IP, GATEWAY_MAC, GATEWAY)],
        "{what}"
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
    assert_eq!(inside.len(), 1, "{what}: an echo reply: {inside:02x?}");
    assert_eq!(&inside[0][14..][20], &0, "{what}: ICMP echo reply");
    assert_eq!(dst(&inside[0][14..]), SERVER, "{what}");

    // An allowed outbound flow crosses, and its reply comes back in; an
    // answer nobody asked for does not, nor does what the rules deny.
    assert!(
        fw.passes(Side::Inside, &udp(SERVER, 40000, WEB, 53)),
        "{what}: DNS out"
    );
    assert!(
        fw.passes(Side::Outside, &udp(WEB, 53, SERVER, 40000)),
        "{what}: its reply"
    );
    assert!(
        !fw.passes(Side::Outside, &tcp(WEB, 80, HOST, 40001, SYN | ACK)),
        "{what}: a SYN-ACK of no flow"
    );
    assert!(
        !fw.passes(Side::Outside, &tcp(CLIENT, 40002, HOST, 3389, SYN)),
        "{what}: RDP to a host"
    );
    assert!(
        !fw.passes(Side::Inside, &tcp(SERVER, 40003, WEB, 25, SYN)),
        "{what}: SMTP out"
    );
    assert!(
        fw.passes(Side::Outside, &tcp(CLIENT, 40004, SERVER, 80, SYN)),
        "{what}: the published web server"
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
            "{what}: {what}: {out:02x?}"
        );
    }
    let out = fw.send(Side::Outside, &vec![0xff; fw.shortest_frame().max(10)]);
    assert!(
        out[0].is_empty() && out[1].is_empty(),
        "{what}: a runt: {out:02x?}"
    );
    assert!(
        fw.passes(Side::Outside, &good),
        "{what}: DNS to the server after the bad frames"
    );

    // The counters, over the serial console.
    assert_eq!(count(&mut fw, "bad_ip"), 3, "{what}");
    assert_eq!(count(&mut fw, "allowed_out"), 1, "{what}");
    assert_eq!(count(&mut fw, "denied_out"), 1, "{what}");
    assert_eq!(count(&mut fw, "allowed_in"), 3, "{what}");
    assert_eq!(count(&mut fw, "denied_in"), 2, "{what}");

    // New rules while it runs: RDP to HOST is published, at once.
    let rules =
        "1 src net 198.51.100.0/24, allow dst host 198.51.100.20 and dst tcp port 3389, 1 all";
    let reply = fw.ask(&format!("WRITE inbound.config {rules}"));
    assert_eq!(reply.code(), 200, "{what}: {:?}", reply.lines);
    assert!(
        fw.passes(Side::Outside, &tcp(CLIENT, 40006, HOST, 3389, SYN)),
        "{what}: RDP after the change"
    );
    assert!(
        !fw.passes(Side::Outside, &tcp(CLIENT, 40007, SERVER, 80, SYN)),
        "{what}: web no longer published"
    );
    let counts = fw.read("inbound.rules");
    assert!(counts.contains("3389"), "{what}: {counts}");

    // A clean stop.
    let console = fw.stop();
    assert!(
        console.contains("nfc: stopped control"),
        "{what}:\n{console}"
    );
    assert!(
        !console.contains("fault") && !console.contains("panic"),
        "{what}:\n{console}"
    );
}
