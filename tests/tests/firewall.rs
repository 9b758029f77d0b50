//! `configs/firewall.click` as it ships, driven frame by frame: the test
//! swaps the two lines of its `Nic` compound that name devices for
//! `Idle`, builds it for dataplane's generic runner on `--plat linux`,
//! pushes crafted Ethernet frames into each side's HostEtherFilter and
//! takes what each side's Queue holds for its device. ARP requests the
//! firewall sends are answered as the hosts would; the clock is the
//! test's, so that flows can be made to time out
//! ([`nfc_tests::unplugged`]).
//!
//! What it shows: ARP and pings to the firewall are answered; an allowed
//! outbound TCP, UDP or ping flow gets its replies (and ICMP errors about
//! it) back in, and the published server's flows get theirs out, through
//! the flow tables; unsolicited inbound traffic (a SYN-ACK of no flow, a
//! port not published, a reply after the flow timed out) and outbound
//! traffic off the allow-list or from a spoofed source are denied and
//! counted; each allow-list counts its rules' packets; a WRITE of new
//! rules to `inbound.config` changes what passes at once, and a bad one
//! changes nothing. Generated code runs the same firewall in
//! `scripts/demo.sh`, with real clients.

use std::ops::{Deref, DerefMut};

use nfc_dataplane::element::HandlerError;
use nfc_dataplane::pipeline::Pipeline;
use nfc_tests::frames::*;
use nfc_tests::golden::ether;
use nfc_tests::unplugged::{Unplugged, SECOND};

/// The firewall under test, with the elements the wires attach to.
struct Firewall {
    u: Unplugged,
    /// Per side: the HostEtherFilter frames come in by, the Queue they
    /// leave from.
    ports: [(usize, usize); 2],
}

impl Firewall {
    fn new() -> Firewall {
        let u = Unplugged::config("firewall");
        let ports = [
            (
                u.find("inside/", "HostEtherFilter"),
                u.find("inside/", "Queue"),
            ),
            (
                u.find("outside/", "HostEtherFilter"),
                u.find("outside/", "Queue"),
            ),
        ];
        Firewall { u, ports }
    }

    fn count(&self, counter: &str) -> u64 {
        self.num(counter, "count")
    }

    /// The per-rule counts of allow-list `filter`, last the unmatched.
    fn rule_counts(&self, filter: &str) -> Vec<u64> {
        self.read(filter, "rules")
            .lines()
            .map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap())
            .collect()
    }
}

impl Deref for Firewall {
    type Target = Unplugged;
    fn deref(&self) -> &Unplugged {
        &self.u
    }
}

impl DerefMut for Firewall {
    fn deref_mut(&mut self) -> &mut Unplugged {
        &mut self.u
    }
}

impl Wires for Firewall {
    /// What the queues hold once the firewall's ARP requests (asked again
    /// up to three times) are answered.
    fn send(&mut self, side: Side, frame: &[u8]) -> [Vec<Vec<u8>>; 2] {
        let side_of = |s: usize| [Side::Inside, Side::Outside][s];
        let ports = self.ports;
        self.u.exchange(&ports, side as usize, frame, |s, f| {
            side_of(s).answer_arp(f)
        })
    }
}

#[test]
fn answers_arp_and_pings_on_both_sides() {
    let mut fw = Firewall::new();
    let host = inside_mac(SERVER);
    let [inside, outside] = fw.send(Side::Inside, &arp(1, host, SERVER, [0; 6], FW_IN_IP));
    assert_eq!(inside, [arp(2, FW_IN_MAC, FW_IN_IP, host, SERVER)]);
    assert!(outside.is_empty());
    let [inside, outside] = fw.send(
        Side::Outside,
        &arp(1, GATEWAY_MAC, GATEWAY, [0; 6], FW_OUT_IP),
    );
    assert_eq!(
        outside,
        [arp(2, FW_OUT_MAC, FW_OUT_IP, GATEWAY_MAC, GATEWAY)]
    );
    assert!(inside.is_empty());

    // pings to either address, from either side, are answered on that side
    for (side, from, mac, fw_mac) in [
        (Side::Inside, SERVER, host, FW_IN_MAC),
        (Side::Outside, CLIENT, GATEWAY_MAC, FW_OUT_MAC),
    ] {
        for to in [FW_IN_IP, FW_OUT_IP] {
            let out = fw.send(side, &ether(fw_mac, mac, 0x0800, &ping(from, to, true, 9)));
            let replies = &out[side as usize];
            assert_eq!(replies.len(), 1, "{side:?} ping to {to:?}: {out:02x?}");
            let r = &replies[0][14..];
            assert_eq!((src(r), dst(r), r[20]), (to, from, 0), "an echo reply");
            assert!(out[1 - side as usize].is_empty());
        }
    }
    assert_eq!(fw.count("allowed_in") + fw.count("allowed_out"), 0);
}

#[test]
fn replies_of_allowed_flows_pass_and_nothing_else_comes_in() {
    let mut fw = Firewall::new();
    // TCP opened from inside: the SYN goes out, the SYN-ACK comes back
    assert!(fw.passes(Side::Inside, &tcp(HOST, 40000, WEB, 443, SYN)));
    assert!(fw.passes(Side::Outside, &tcp(WEB, 443, HOST, 40000, SYN | ACK)));
    assert!(fw.passes(Side::Inside, &tcp(HOST, 40000, WEB, 443, ACK)));
    assert!(fw.passes(Side::Outside, &tcp(WEB, 443, HOST, 40000, ACK)));
    // a SYN-ACK that belongs to no flow: denied (a stateless filter that
    // lets in "tcp opt ack" would pass it)
    assert!(!fw.passes(Side::Outside, &tcp(WEB, 443, HOST, 40001, SYN | ACK)));
    assert!(!fw.passes(Side::Outside, &tcp(CLIENT, 443, HOST, 40000, ACK)));
    // an ICMP error about the flow comes in; one about no flow does not
    let syn = tcp(HOST, 40000, WEB, 443, SYN);
    assert!(fw.passes(Side::Outside, &unreachable(ROUTER, HOST, &syn)));
    let other = tcp(HOST, 40002, WEB, 443, SYN);
    assert!(!fw.passes(Side::Outside, &unreachable(ROUTER, HOST, &other)));

    // DNS and ping out, their answers back
    assert!(fw.passes(Side::Inside, &udp(HOST, 5353, WEB, 53)));
    assert!(fw.passes(Side::Outside, &udp(WEB, 53, HOST, 5353)));
    assert!(!fw.passes(Side::Outside, &udp(WEB, 53, HOST, 5354)));
    assert!(fw.passes(Side::Inside, &ping(HOST, WEB, true, 77)));
    assert!(fw.passes(Side::Outside, &ping(WEB, HOST, false, 77)));
    assert!(!fw.passes(Side::Outside, &ping(WEB, HOST, false, 78)));
    assert!(
        !fw.passes(Side::Outside, &ping(CLIENT, HOST, true, 1)),
        "ping to a host not published"
    );

    // off the outbound allow-list, or from a spoofed source: denied
    assert!(!fw.passes(Side::Inside, &tcp(HOST, 40003, WEB, 25, SYN)));
    assert!(!fw.passes(Side::Inside, &tcp([10, 9, 9, 9], 40003, WEB, 443, SYN)));

    assert_eq!(fw.count("allowed_out"), 4);
    assert_eq!(fw.count("allowed_in"), 5);
    assert_eq!(fw.count("denied_in"), 6);
    assert_eq!(fw.count("denied_out"), 2);
    assert_eq!(fw.read("conns", "count").trim(), "3");
    assert_eq!(fw.read("conns", "matched").trim(), "5");
    // per-rule counts: anti-spoofing, web, DNS, NTP, SSH, ping, default, unmatched
    assert_eq!(fw.rule_counts("outbound"), [1, 2, 1, 0, 0, 1, 1, 0]);
    // spoofed, martians, server TCP, DNS, ping, ICMP errors, default, unmatched
    assert_eq!(fw.rule_counts("inbound"), [0, 0, 0, 0, 0, 0, 6, 0]);
    let flows = fw.read("conns", "flows");
    assert!(
        flows.contains("tcp 198.51.100.20:40000 > 192.0.2.80:443 idle 0s"),
        "{flows}"
    );
}

#[test]
fn the_published_server_is_reachable_and_answers_through_its_flow_table() {
    let mut fw = Firewall::new();
    for port in [22, 80, 443] {
        assert!(fw.passes(Side::Outside, &tcp(CLIENT, 50000 + port, SERVER, port, SYN)));
        // the answer leaves although the outbound allow-list has no rule
        // for source port `port`: `served` knows the flow
        assert!(fw.passes(
            Side::Inside,
            &tcp(SERVER, port, CLIENT, 50000 + port, SYN | ACK)
        ));
    }
    assert!(fw.passes(Side::Outside, &udp(CLIENT, 3333, SERVER, 53)));
    assert!(fw.passes(Side::Inside, &udp(SERVER, 53, CLIENT, 3333)));
    assert!(fw.passes(Side::Outside, &ping(CLIENT, SERVER, true, 5)));
    assert!(fw.passes(Side::Inside, &ping(SERVER, CLIENT, false, 5)));
    // not published: another port, another host, spoofed sources
    assert!(!fw.passes(Side::Outside, &tcp(CLIENT, 50023, SERVER, 23, SYN)));
    assert!(!fw.passes(Side::Outside, &tcp(CLIENT, 50080, HOST, 80, SYN)));
    assert!(!fw.passes(Side::Outside, &tcp(HOST, 50080, SERVER, 80, SYN)));
    assert!(!fw.passes(Side::Outside, &tcp([127, 0, 0, 1], 50080, SERVER, 80, SYN)));
    // the server may not open what the outbound allow-list does not allow
    assert!(!fw.passes(Side::Inside, &tcp(SERVER, 80, CLIENT, 50099, SYN | ACK)));

    assert_eq!(fw.read("served", "count").trim(), "5");
    assert_eq!(fw.rule_counts("inbound"), [1, 1, 3, 1, 1, 0, 2, 0]);
    assert_eq!(fw.rule_counts("outbound"), [0, 0, 0, 0, 0, 0, 1, 0]);
    assert_eq!(fw.count("denied_in"), 4);
    assert_eq!(fw.count("denied_out"), 1);
}

#[test]
fn a_write_of_new_rules_changes_what_passes() {
    let mut fw = Firewall::new();
    let to_8080 = tcp(CLIENT, 50000, SERVER, 8080, SYN);
    assert!(!fw.passes(Side::Outside, &to_8080));
    let before = fw.read("inbound", "config");

    // a rule set with a mistake is refused, and nothing changes
    let bad = "1 src net 198.51.100.0/24, alow dst host 198.51.100.10, 1 all";
    match fw.g.router.write("inbound", "config", bad) {
        Err(HandlerError::Invalid(msg)) => assert!(msg.contains("unknown action 'alow'"), "{msg}"),
        r => panic!("{r:?}"),
    }
    let two = "allow all, 2 all";
    assert!(matches!(
        fw.g.router.write("inbound", "config", two),
        Err(HandlerError::Invalid(_))
    ));
    assert_eq!(fw.read("inbound", "config"), before);
    assert!(!fw.passes(Side::Outside, &to_8080));

    // port 8080 published, port 80 no longer
    let rules = "1 src net 198.51.100.0/24, \
                 allow dst host 198.51.100.10 and dst tcp port 8080, 1 all";
    fw.g.router.write("inbound", "config", rules).unwrap();
    assert_eq!(fw.read("inbound", "config"), rules);
    assert_eq!(
        fw.rule_counts("inbound"),
        [0, 0, 0, 0],
        "counts start again"
    );
    assert!(fw.passes(Side::Outside, &to_8080));
    assert!(fw.passes(Side::Inside, &tcp(SERVER, 8080, CLIENT, 50000, SYN | ACK)));
    assert!(!fw.passes(Side::Outside, &tcp(CLIENT, 50001, SERVER, 80, SYN)));
    assert_eq!(fw.rule_counts("inbound"), [0, 1, 1, 0]);

    // the opening side of a flow meets the new rules at once; the other
    // side's packets pass until the flow is forgotten
    fw.g.router.write("inbound", "config", "1 all").unwrap();
    let (client, server) = (
        tcp(CLIENT, 50000, SERVER, 8080, ACK),
        tcp(SERVER, 8080, CLIENT, 50000, ACK),
    );
    assert!(!fw.passes(Side::Outside, &client));
    assert!(fw.passes(Side::Inside, &server));
    fw.g.router.write("served", "clear", "").unwrap();
    assert!(!fw.passes(Side::Inside, &server));
    assert_eq!(fw.read("served", "count").trim(), "0");
}

#[test]
fn flows_time_out_and_bad_packets_are_counted() {
    let mut fw = Firewall::new();
    assert!(fw.passes(Side::Inside, &udp(HOST, 5353, WEB, 53)));
    fw.now += 299 * SECOND;
    assert!(
        fw.passes(Side::Outside, &udp(WEB, 53, HOST, 5353)),
        "within UDP_TIMEOUT"
    );
    fw.now += 300 * SECOND;
    assert!(
        !fw.passes(Side::Outside, &udp(WEB, 53, HOST, 5353)),
        "idle for 5 minutes"
    );
    assert_eq!(fw.read("conns", "count").trim(), "0");

    // a bad IP checksum, a TTL that runs out
    let mut bad = tcp(HOST, 40000, WEB, 443, SYN);
    bad[10] ^= 0xff;
    assert!(fw.forward(Side::Inside, &bad).is_empty());
    assert_eq!(fw.count("bad_ip"), 1);
    let mut last_hop = tcp(HOST, 40000, WEB, 443, SYN);
    last_hop[8] = 1;
    last_hop[10..12].copy_from_slice(&[0, 0]);
    let sum = nfc_dataplane::checksum::checksum(&last_hop[..20]);
    last_hop[10..12].copy_from_slice(&sum.to_be_bytes());
    assert!(fw.forward(Side::Inside, &last_hop).is_empty());
    assert_eq!(fw.count("ttl_expired"), 1);
    assert_eq!(fw.count("allowed_out"), 2);
}
