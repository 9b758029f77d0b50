//! The firewall's frame-level scenario, one function for every platform
//! that boots `configs/firewall.click` as an image: QEMU's machines
//! (`tests/tests/kvm_firewall.rs`, NICs on UDP sockets) and Xen (the dom0
//! probe `xen-probe`, vifs through AF_PACKET sockets on the backend
//! interfaces). The test plays the hosts on both sides: it sends real
//! Ethernet frames in, answers the firewall's ARP requests
//! ([`Side::answer_arp`]), and checks what comes out of each NIC:
//!
//! - ARP requests for the firewall's addresses are answered, and so are
//!   pings to them;
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

use crate::frames::*;
use crate::golden::ether;

/// Runs the scenario on `fw`, a firewall just booted (ready); `what`
/// names the machine in messages. Ends with `fw` stopped.
pub fn run(mut fw: impl Vnf, what: &dyn Display) {
    // ARP and pings to the firewall itself, on both sides.
    fw.answers(Side::Inside, SERVER, FW_IN_IP, what);
    fw.answers(Side::Outside, GATEWAY, FW_OUT_IP, what);

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
    for (broken, ip) in broken_ip(&good) {
        let out = fw.send(Side::Outside, &ether(FW_OUT_MAC, GATEWAY_MAC, 0x0800, &ip));
        assert!(
            out[0].is_empty() && out[1].is_empty(),
            "{what}: {broken}: {out:02x?}"
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
    assert_eq!(fw.count("bad_ip"), 3, "{what}");
    assert_eq!(fw.count("allowed_out"), 1, "{what}");
    assert_eq!(fw.count("denied_out"), 1, "{what}");
    assert_eq!(fw.count("allowed_in"), 3, "{what}");
    assert_eq!(fw.count("denied_in"), 2, "{what}");

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

    fw.stop_cleanly(what);
}
