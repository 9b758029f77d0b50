//! Frames for the firewall's tests (`tests/tests/firewall.rs` frame by
//! frame on the generic runner, [`crate::firewall_scenario`] through the
//! images on QEMU and on Xen): the shipped configs/firewall.click's
//! default addresses, hosts around it, and Ethernet, ARP, IPv4, TCP, UDP
//! and ICMP built with etherparse (correct lengths and checksums).

use etherparse::{Icmpv4Type, PacketBuilder};

use crate::golden::{self, ether};

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
    ip_of(|f| base(s, d).icmpv4(kind).write(f, &quoted[..28]))
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
        let ip = arp_request_for(f)?;
        if self == Side::Outside {
            assert_eq!(ip, GATEWAY, "outside, only the gateway is asked");
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

/// A firewall the tests reach through its two sides.
pub trait Wires {
    /// Sends `frame` in from `side` and returns what leaves each side
    /// (inside, outside), answering the firewall's ARP requests the way
    /// [`Side::answer_arp`] does.
    fn send(&mut self, side: Side, frame: &[u8]) -> [Vec<Vec<u8>>; 2];

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
