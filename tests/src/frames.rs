//! Frames for the firewall's and the NAT's tests (`tests/tests/firewall.rs`
//! frame by frame on the generic runner, [`crate::firewall_scenario`] and
//! [`crate::nat_scenario`] through the images on QEMU and on Xen): the
//! shipped configs/firewall.click's default addresses, hosts around it,
//! Ethernet, ARP, IPv4, TCP, UDP and ICMP built with etherparse (correct
//! lengths and checksums), and the two traits the image scenarios run on:
//! [`Wires`] (the two sides) and [`Vnf`] (those and the console).

use std::fmt::Display;

use etherparse::{Icmpv4Type, PacketBuilder};

use crate::golden::{self, ether};
use crate::vm::Reply;

/// The firewall's inside MAC ($INSIDE_MAC).
pub const FW_IN_MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];
/// Its outside MAC ($OUTSIDE_MAC).
pub const FW_OUT_MAC: [u8; 6] = [2, 0, 0, 0, 0, 2];
/// Its inside address ($INSIDE_IP).
pub const FW_IN_IP: [u8; 4] = [198, 51, 100, 1];
/// Its outside address ($OUTSIDE_IP).
pub const FW_OUT_IP: [u8; 4] = [203, 0, 113, 2];
/// The upstream router ($GATEWAY).
pub const GATEWAY: [u8; 4] = [203, 0, 113, 1];
/// The upstream router's MAC.
pub const GATEWAY_MAC: [u8; 6] = [2, 0, 0, 0, 0, 0xfe];
/// The published server ($SERVER).
pub const SERVER: [u8; 4] = [198, 51, 100, 10];
/// Another inside host.
pub const HOST: [u8; 4] = [198, 51, 100, 20];
/// A web server on the Internet.
pub const WEB: [u8; 4] = [192, 0, 2, 80];
/// A client on the Internet.
pub const CLIENT: [u8; 4] = [192, 0, 2, 7];
/// A router on the way to them.
pub const ROUTER: [u8; 4] = [192, 0, 2, 1];

/// The Ethernet address of inside host `ip`.
pub fn inside_mac(ip: [u8; 4]) -> [u8; 6] {
    [2, 0, 0, 0, 0x10, ip[3]]
}

/// An ARP frame (IPv4 over Ethernet): `op` 1 request (to broadcast), 2
/// reply (to `tha`).
pub fn arp(op: u16, sha: [u8; 6], spa: [u8; 4], tha: [u8; 6], tpa: [u8; 4]) -> Vec<u8> {
    let dst = if op == 1 { [0xff; 6] } else { tha };
    ether(dst, sha, 0x0806, &golden::arp(op, sha, spa, tha, tpa))
}

/// The IP address an ARP request frame asks for.
pub fn arp_request_for(f: &[u8]) -> Option<[u8; 4]> {
    (f.len() >= 42 && f[12..14] == [8, 6] && f[20..22] == [0, 1]).then(|| ip4(&f[38..42]))
}

/// The sender IP address of an ARP frame.
pub fn sender_ip(f: &[u8]) -> [u8; 4] {
    ip4(&f[28..32])
}

/// Four bytes as an IPv4 address.
pub fn ip4(b: &[u8]) -> [u8; 4] {
    b.try_into().unwrap()
}

/// An IPv4 packet's source address.
pub fn src(ip: &[u8]) -> [u8; 4] {
    ip4(&ip[12..16])
}

/// An IPv4 packet's destination address.
pub fn dst(ip: &[u8]) -> [u8; 4] {
    ip4(&ip[16..20])
}

/// The IP packet of the frame `write` makes (its Ethernet header dropped).
pub fn ip_of(
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), etherparse::err::packet::BuildWriteError>,
) -> Vec<u8> {
    let mut f = Vec::new();
    write(&mut f).expect("a packet etherparse can build");
    f.split_off(14)
}

/// The start of an etherparse packet from `s` to `d` (TTL 64).
pub fn base(s: [u8; 4], d: [u8; 4]) -> etherparse::PacketBuilderStep<etherparse::IpHeaders> {
    PacketBuilder::ethernet2([0; 6], [0; 6]).ipv4(s, d, 64)
}

/// TCP SYN, for [`tcp`].
pub const SYN: u8 = 1;
/// TCP ACK, for [`tcp`].
pub const ACK: u8 = 2;

/// A TCP segment (no data) from `s:sport` to `d:dport` with `flags`
/// ([`SYN`], [`ACK`]).
pub fn tcp(s: [u8; 4], sport: u16, d: [u8; 4], dport: u16, flags: u8) -> Vec<u8> {
    let mut b = base(s, d).tcp(sport, dport, 1000, 8192);
    if flags & SYN != 0 {
        b = b.syn();
    }
    if flags & ACK != 0 {
        b = b.ack(5000);
    }
    ip_of(|f| b.write(f, b""))
}

/// A UDP datagram saying `question`.
pub fn udp(s: [u8; 4], sport: u16, d: [u8; 4], dport: u16) -> Vec<u8> {
    ip_of(|f| base(s, d).udp(sport, dport).write(f, b"question"))
}

/// An ICMP echo request (or reply) with identifier `id`.
pub fn ping(s: [u8; 4], d: [u8; 4], request: bool, id: u16) -> Vec<u8> {
    let b = if request {
        base(s, d).icmpv4_echo_request(id, 1)
    } else {
        base(s, d).icmpv4_echo_reply(id, 1)
    };
    ip_of(|f| b.write(f, b"ping"))
}

/// An ICMP port-unreachable error from `s` to `d` quoting `quoted`.
pub fn unreachable(s: [u8; 4], d: [u8; 4], quoted: &[u8]) -> Vec<u8> {
    let kind = Icmpv4Type::DestinationUnreachable(etherparse::icmpv4::DestUnreachableHeader::Port);
    icmp_error(s, d, kind, quoted)
}

/// An ICMP error of `kind` from `s` to `d` quoting the IP header and the
/// first 8 bytes of data of `quoted`.
pub fn icmp_error(s: [u8; 4], d: [u8; 4], kind: Icmpv4Type, quoted: &[u8]) -> Vec<u8> {
    ip_of(|f| base(s, d).icmpv4(kind).write(f, &quoted[..28]))
}

/// Sets the header checksum of IPv4 packet `ip` (a 20-byte header).
pub fn set_ip_checksum(ip: &mut [u8]) {
    ip[10..12].copy_from_slice(&[0, 0]);
    let sum = nfc_dataplane::checksum::checksum(&ip[..20]);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
}

/// Three broken copies of IPv4 packet `good` (at least 20 bytes), each
/// named, that an IP header check must drop: the header cut short, a bad
/// header checksum, and a total length beyond the frame (its checksum
/// right).
pub fn broken_ip(good: &[u8]) -> [(&'static str, Vec<u8>); 3] {
    let mut bad_sum = good.to_vec();
    bad_sum[10] ^= 0xff;
    let mut too_long = good.to_vec();
    too_long[2..4].copy_from_slice(&1400u16.to_be_bytes());
    set_ip_checksum(&mut too_long);
    [
        ("an IP header cut short", good[..12].to_vec()),
        ("a bad IP checksum", bad_sum),
        ("an IP length beyond the frame", too_long),
    ]
}

/// A side of the firewall: its hosts' view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// eth0: the protected network.
    Inside = 0,
    /// eth1: the upstream link.
    Outside = 1,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Inside => Side::Outside,
            Side::Outside => Side::Inside,
        }
    }

    /// The firewall's MAC on this side.
    pub fn fw_mac(self) -> [u8; 6] {
        match self {
            Side::Inside => FW_IN_MAC,
            Side::Outside => FW_OUT_MAC,
        }
    }

    /// The MAC of the host on this side that sends or receives IP address
    /// `ip`: the inside host itself, or outside the gateway.
    pub fn host_mac(self, ip: [u8; 4]) -> [u8; 6] {
        match self {
            Side::Inside => inside_mac(ip),
            Side::Outside => GATEWAY_MAC,
        }
    }

    /// IP packet `ip` in a frame from the host on this side that sends it
    /// to the firewall.
    pub fn frame(self, ip: &[u8]) -> Vec<u8> {
        ether(self.fw_mac(), self.host_mac(src(ip)), 0x0800, ip)
    }

    /// The answer the hosts on this side give to frame `f` when it is an
    /// ARP request from the firewall (outside, only the gateway is asked).
    pub fn answer_arp(self, f: &[u8]) -> Option<Vec<u8>> {
        self.answer_arp_via(GATEWAY, f)
    }

    /// The answer the hosts on this side give to frame `f` when it is an
    /// ARP request from a VNF whose outside next hop is `gateway` (outside,
    /// only `gateway` is asked): the inside host asked for, or the gateway,
    /// at [`Side::host_mac`].
    pub fn answer_arp_via(self, gateway: [u8; 4], f: &[u8]) -> Option<Vec<u8>> {
        let ip = arp_request_for(f)?;
        if self == Side::Outside {
            assert_eq!(ip, gateway, "outside, only the gateway is asked");
        }
        Some(arp(2, self.host_mac(ip), ip, self.fw_mac(), sender_ip(f)))
    }

    /// The IP packets of `frames`, which left the firewall on this side,
    /// each checked: IPv4, from the firewall, to the next hop.
    pub fn packets(self, frames: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        frames
            .into_iter()
            .map(|f| {
                assert_eq!(&f[12..14], &[8, 0], "IPv4");
                assert_eq!(&f[6..12], &self.fw_mac(), "from the firewall");
                let ip = f[14..].to_vec();
                assert_eq!(&f[..6], &self.host_mac(dst(&ip)), "to the next hop");
                ip
            })
            .collect()
    }
}

/// Checks that packet `out` is `sent` forwarded: TTL one less, addresses
/// kept.
fn forwarded(sent: &[u8], out: &[u8]) {
    assert_eq!(out[8] + 1, sent[8], "TTL decremented");
    assert_eq!(&out[12..20], &sent[12..20], "addresses unchanged");
}

/// A firewall or NAT the tests reach through its two sides.
pub trait Wires {
    /// Sends `frame` in from `side` and returns what leaves each side
    /// (inside, outside), answering the VNF's ARP requests as the hosts on
    /// that side would ([`Side::answer_arp`], [`Side::answer_arp_via`]).
    fn send(&mut self, side: Side, frame: &[u8]) -> [Vec<Vec<u8>>; 2];

    /// Sends each of `frames` in from its side, and returns what leaves
    /// each side, as [`Wires::send`] does. A wire that waits for quiet
    /// after a frame waits once, after the last (what this default, a
    /// [`Wires::send`] each, cannot do).
    fn send_all(&mut self, frames: &[(Side, &[u8])]) -> [Vec<Vec<u8>>; 2] {
        let mut out = [Vec::new(), Vec::new()];
        for &(side, frame) in frames {
            let [inside, outside] = self.send(side, frame);
            out[0].extend(inside);
            out[1].extend(outside);
        }
        out
    }

    /// Sends IP packet `ip` in from `side`, from the host that owns its
    /// source to the firewall's MAC; returns the IP packets that leave the
    /// other side (their Ethernet headers checked), and checks that
    /// nothing leaves by the side it came in.
    fn forward(&mut self, side: Side, ip: &[u8]) -> Vec<Vec<u8>> {
        let mut out = self.send(side, &side.frame(ip));
        let back = std::mem::take(&mut out[side as usize]);
        assert!(back.is_empty(), "nothing goes back: {back:02x?}");
        side.other()
            .packets(std::mem::take(&mut out[side.other() as usize]))
    }

    /// Checks that it answers, on `side`, an ARP request from `host` for
    /// its address `ip`, and a ping from `host` to `ip`, and that nothing
    /// leaves by the other side. `what` names the machine in messages.
    fn answers(&mut self, side: Side, host: [u8; 4], ip: [u8; 4], what: &dyn Display) {
        let mac = side.host_mac(host);
        let mut out = self.send(side, &arp(1, mac, host, [0; 6], ip));
        assert!(
            out[side.other() as usize].is_empty(),
            "{what}: {side:?}: {out:02x?}"
        );
        assert_eq!(
            out[side as usize],
            [arp(2, side.fw_mac(), ip, mac, host)],
            "{what}: {side:?}: ARP for {ip:?}"
        );
        out = self.send(side, &side.frame(&ping(host, ip, true, 11)));
        assert!(
            out[side.other() as usize].is_empty(),
            "{what}: {side:?}: {out:02x?}"
        );
        let replies = side.packets(std::mem::take(&mut out[side as usize]));
        assert!(
            replies.len() == 1
                && (src(&replies[0]), dst(&replies[0])) == (ip, host)
                && replies[0][20] == 0,
            "{what}: {side:?}: one ICMP echo reply from {ip:?}: {replies:02x?}"
        );
    }

    /// Does `ip` cross from `side` to the other side, once, with its TTL
    /// one less and its addresses kept?
    fn passes(&mut self, side: Side, ip: &[u8]) -> bool {
        let out = self.forward(side, ip);
        assert!(out.len() <= 1, "{out:02x?}");
        out.first().is_some_and(|o| {
            forwarded(ip, o);
            true
        })
    }
}

/// A booted image: its two NICs ([`Wires`]) and its console, which
/// speaks Click's ControlSocket protocol.
pub trait Vnf: Wires {
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

    /// Reads handler `element.handler`, a number.
    fn num(&mut self, handler: &str) -> u64 {
        let text = self.read(handler);
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{handler}: {text:?}"))
    }

    /// Counter `counter`'s count.
    fn count(&mut self, counter: &str) -> u64 {
        self.num(&format!("{counter}.count"))
    }

    /// Stops it ([`Vnf::stop`]) and checks that it said it stopped on the
    /// control request, with no fault or panic on its console.
    fn stop_cleanly(self, what: &dyn Display)
    where
        Self: Sized,
    {
        let console = self.stop();
        assert!(
            console.contains("nfc: stopped control"),
            "{what}:\n{console}"
        );
        assert!(
            !console.contains("fault") && !console.contains("panic"),
            "{what}:\n{console}"
        );
    }
}
