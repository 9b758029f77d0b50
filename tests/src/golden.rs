//! The golden tests' input packets.
//!
//! Every `tests/golden/<name>/input.pcap` is made here, from the packet
//! lists below, the same way on every machine: fixed addresses, ports,
//! payloads and timestamps (one millisecond apart from 2023-11-14
//! 22:13:20 UTC). `tests/tests/golden.rs` checks that each committed file
//! equals what this module makes, and rewrites it with `NFC_BLESS=1`, so a
//! change to a list shows up as a change of its pcap.
//!
//! Headers are built with etherparse (correct lengths and checksums);
//! malformed packets are valid ones changed afterwards, byte by byte, so
//! each says what is wrong with it.

use etherparse::{
    ArpEthIpv4Packet, ArpOperation, ArpPacket, IcmpEchoHeader, Icmpv4Header, Icmpv4Type,
    IpFragOffset, IpNumber, Ipv4Header, Ipv4Options, TcpHeader, UdpHeader,
};
use nfc_dataplane::checksum;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::DataLink;
use std::time::Duration;

/// The link type of an input file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Ethernet frames (LINKTYPE_ETHERNET).
    Ether,
    /// IPv4 packets with no link header (LINKTYPE_RAW).
    Raw,
}

/// The input of one golden test.
#[derive(Clone, Debug)]
pub struct Input {
    /// The golden's directory name under `tests/golden/`.
    pub golden: &'static str,
    /// The file's link type.
    pub link: Link,
    /// The packets, in order.
    pub packets: Vec<Vec<u8>>,
}

/// Every golden input, in the order of the goldens' names.
pub fn inputs() -> Vec<Input> {
    vec![
        Input {
            golden: "arp",
            link: Link::Ether,
            packets: arp_packets(),
        },
        Input {
            golden: "checksums",
            link: Link::Raw,
            packets: checksum_packets(),
        },
        Input {
            golden: "classify",
            link: Link::Ether,
            packets: classify_packets(),
        },
        Input {
            golden: "ether",
            link: Link::Ether,
            packets: ether_packets(),
        },
        Input {
            golden: "fragment",
            link: Link::Raw,
            packets: fragment_packets(),
        },
        Input {
            golden: "ip-checks",
            link: Link::Ether,
            packets: ip_check_packets(),
        },
        Input {
            golden: "l4-checks",
            link: Link::Raw,
            packets: l4_check_packets(),
        },
        Input {
            golden: "options",
            link: Link::Raw,
            packets: option_packets(),
        },
        Input {
            golden: "paint",
            link: Link::Ether,
            packets: paint_packets(),
        },
        Input {
            golden: "queues",
            link: Link::Ether,
            packets: queue_packets(),
        },
        Input {
            golden: "rewriter-links",
            link: Link::Raw,
            packets: rewriter_link_packets(),
        },
        Input {
            golden: "rewriters",
            link: Link::Raw,
            packets: rewriter_packets(),
        },
        Input {
            golden: "routes",
            link: Link::Raw,
            packets: route_packets(),
        },
        Input {
            golden: "strip",
            link: Link::Ether,
            packets: strip_packets(),
        },
        Input {
            golden: "ttl-icmp",
            link: Link::Raw,
            packets: ttl_icmp_packets(),
        },
    ]
}

/// The first packet's timestamp, in seconds since the epoch.
const EPOCH: u64 = 1_700_000_000;

/// The pcap file of `input`: microsecond timestamps, snap length 65535.
pub fn pcap(input: &Input) -> Vec<u8> {
    let header = PcapHeader {
        datalink: match input.link {
            Link::Ether => DataLink::ETHERNET,
            Link::Raw => DataLink::RAW,
        },
        snaplen: 65535,
        ..Default::default()
    };
    let mut writer = PcapWriter::with_header(Vec::new(), header).expect("pcap header");
    for (i, data) in input.packets.iter().enumerate() {
        let ts = Duration::from_secs(EPOCH) + Duration::from_millis(i as u64);
        writer
            .write_packet(&PcapPacket::new(ts, data.len() as u32, data))
            .expect("pcap record");
    }
    writer.into_writer()
}

// ---------------------------------------------------------------------------
// Addresses

/// The router's (or host's) own Ethernet address in every golden.
const ME: [u8; 6] = [2, 0, 0, 0, 0, 1];
/// A neighbour.
const PEER: [u8; 6] = [2, 0, 0, 0, 0, 2];
/// A machine that is neither.
const OTHER: [u8; 6] = [2, 0, 0, 0, 0, 0x99];
const BROADCAST: [u8; 6] = [0xff; 6];

const ETHERTYPE_IP: u16 = 0x0800;
const ETHERTYPE_ARP: u16 = 0x0806;
const ETHERTYPE_IP6: u16 = 0x86dd;

/// 10.0.0.N.
fn net10(n: u8) -> [u8; 4] {
    [10, 0, 0, n]
}

// ---------------------------------------------------------------------------
// Builders

/// An IPv4 header to build, with the fields the goldens vary.
#[derive(Clone, Debug)]
struct Ip {
    src: [u8; 4],
    dst: [u8; 4],
    ttl: u8,
    id: u16,
    df: bool,
    mf: bool,
    /// Fragment offset, in 8-byte units.
    frag: u16,
    /// Options, padded by the caller to a multiple of 4 bytes.
    options: Vec<u8>,
}

impl Ip {
    fn new(src: [u8; 4], dst: [u8; 4]) -> Ip {
        Ip {
            src,
            dst,
            ttl: 64,
            id: 1,
            df: false,
            mf: false,
            frag: 0,
            options: Vec::new(),
        }
    }

    fn ttl(mut self, ttl: u8) -> Ip {
        self.ttl = ttl;
        self
    }

    fn id(mut self, id: u16) -> Ip {
        self.id = id;
        self
    }

    fn df(mut self) -> Ip {
        self.df = true;
        self
    }

    fn fragment(mut self, offset: u16, more: bool) -> Ip {
        self.frag = offset;
        self.mf = more;
        self
    }

    fn options(mut self, options: &[u8]) -> Ip {
        self.options = options.to_vec();
        self
    }

    /// The header of a packet with `payload_len` bytes of protocol
    /// `proto` after it, checksum set.
    fn header(&self, proto: u8, payload_len: usize) -> Ipv4Header {
        let mut h = Ipv4Header::new(0, self.ttl, IpNumber(proto), self.src, self.dst)
            .expect("an empty payload fits");
        h.identification = self.id;
        h.dont_fragment = self.df;
        h.more_fragments = self.mf;
        h.fragment_offset = IpFragOffset::try_new(self.frag).expect("fragment offset");
        h.options = Ipv4Options::try_from(&self.options[..]).expect("options are a multiple of 4");
        h.set_payload_len(payload_len).expect("payload fits");
        h.header_checksum = h.calc_header_checksum();
        h
    }

    /// The packet: this header, then `payload` (protocol `proto`).
    fn packet(&self, proto: u8, payload: &[u8]) -> Vec<u8> {
        let mut p = self.header(proto, payload.len()).to_bytes().to_vec();
        p.extend_from_slice(payload);
        p
    }
}

const PROTO_ICMP: u8 = 1;
const PROTO_TCP: u8 = 6;
const PROTO_UDP: u8 = 17;
const PROTO_GRE: u8 = 47;

/// An IP packet holding a UDP datagram with a correct checksum.
fn udp(ip: &Ip, sport: u16, dport: u16, data: &[u8]) -> Vec<u8> {
    let h = ip.header(PROTO_UDP, 8 + data.len());
    let u = UdpHeader::with_ipv4_checksum(sport, dport, &h, data).expect("udp length");
    let mut p = h.to_bytes().to_vec();
    p.extend_from_slice(&u.to_bytes());
    p.extend_from_slice(data);
    p
}

/// TCP flags of a segment.
#[derive(Clone, Copy)]
enum Flags {
    Syn,
    Ack,
    PshAck,
}

/// An IP packet holding a TCP segment (sequence number 1000, window
/// 8192) with a correct checksum.
fn tcp(ip: &Ip, sport: u16, dport: u16, flags: Flags, data: &[u8]) -> Vec<u8> {
    let mut t = TcpHeader::new(sport, dport, 1000, 8192);
    match flags {
        Flags::Syn => t.syn = true,
        Flags::Ack => t.ack = true,
        Flags::PshAck => {
            t.psh = true;
            t.ack = true;
        }
    }
    if t.ack {
        t.acknowledgment_number = 5000;
    }
    let h = ip.header(PROTO_TCP, t.header_len() + data.len());
    t.checksum = t.calc_checksum_ipv4(&h, data).expect("tcp length");
    let mut p = h.to_bytes().to_vec();
    p.extend_from_slice(&t.to_bytes());
    p.extend_from_slice(data);
    p
}

/// An IP packet holding an ICMP echo request (or reply) with a correct
/// checksum.
fn echo(ip: &Ip, request: bool, id: u16, seq: u16, data: &[u8]) -> Vec<u8> {
    let echo = IcmpEchoHeader { id, seq };
    let kind = if request {
        Icmpv4Type::EchoRequest(echo)
    } else {
        Icmpv4Type::EchoReply(echo)
    };
    icmp(ip, kind, data)
}

/// An IP packet holding an ICMP message of `kind` with a correct checksum.
fn icmp(ip: &Ip, kind: Icmpv4Type, data: &[u8]) -> Vec<u8> {
    let i = Icmpv4Header::with_checksum(kind, data);
    let mut payload = i.to_bytes().to_vec();
    payload.extend_from_slice(data);
    ip.packet(PROTO_ICMP, &payload)
}

/// An Ethernet frame.
pub fn ether(dst: [u8; 6], src: [u8; 6], ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(14 + payload.len());
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// An IPv4 packet in an Ethernet frame from PEER to ME.
fn ether_ip(packet: &[u8]) -> Vec<u8> {
    ether(ME, PEER, ETHERTYPE_IP, packet)
}

/// An ARP packet (IPv4 over Ethernet): `op` 1 request, 2 reply.
pub fn arp(op: u16, sha: [u8; 6], spa: [u8; 4], tha: [u8; 6], tpa: [u8; 4]) -> Vec<u8> {
    ArpPacket::from(ArpEthIpv4Packet {
        operation: ArpOperation(op),
        sender_mac: sha,
        sender_ipv4: spa,
        target_mac: tha,
        target_ipv4: tpa,
    })
    .to_bytes()
    .to_vec()
}

/// An ARP request from PEER (10.0.0.2) for `tpa`, broadcast.
fn arp_request(tpa: [u8; 4]) -> Vec<u8> {
    ether(
        BROADCAST,
        PEER,
        ETHERTYPE_ARP,
        &arp(1, PEER, net10(2), [0; 6], tpa),
    )
}

/// Recomputes the IPv4 header checksum of the header at `off`.
fn fix_ip_checksum(p: &mut [u8], off: usize) {
    let hl = usize::from(p[off] & 0xf) * 4;
    p[off + 10] = 0;
    p[off + 11] = 0;
    let sum = checksum::checksum(&p[off..off + hl]);
    p[off + 10..off + 12].copy_from_slice(&sum.to_be_bytes());
}

/// `n` bytes of payload, `a`, `b`, `c`, … cycling.
fn payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| b'a' + (i % 26) as u8).collect()
}

// ---------------------------------------------------------------------------
// The inputs, one function per golden; each packet's comment says what it
// exercises.

/// `queues`: ten UDP datagrams whose source port (1001…1010) numbers them.
fn queue_packets() -> Vec<Vec<u8>> {
    (1..=10)
        .map(|i| {
            ether_ip(&udp(
                &Ip::new(net10(2), net10(1)),
                1000 + i,
                2000,
                b"queued",
            ))
        })
        .collect()
}

/// `paint`: one packet of each protocol, twice, so each paint value is
/// seen more than once.
fn paint_packets() -> Vec<Vec<u8>> {
    let ip = Ip::new(net10(2), net10(1));
    vec![
        // UDP: paint 0.
        ether_ip(&udp(&ip, 1001, 2000, b"paint")),
        // TCP: paint 1.
        ether_ip(&tcp(&ip.clone().id(2), 1002, 80, Flags::Syn, b"")),
        // ICMP: paint 255.
        ether_ip(&echo(&ip.clone().id(3), true, 7, 1, b"ping")),
        // Other (GRE): paint 2.
        ether_ip(&ip.clone().id(4).packet(PROTO_GRE, &[0, 0, 0x08, 0])),
        // UDP, TCP and ICMP again.
        ether_ip(&udp(&ip.clone().id(5), 1005, 2000, b"paint")),
        ether_ip(&tcp(&ip.clone().id(6), 1006, 80, Flags::Ack, b"")),
        ether_ip(&echo(&ip.clone().id(7), true, 7, 2, b"ping")),
    ]
}

/// `strip`: frames of several lengths, one too short for an Ethernet
/// header.
fn strip_packets() -> Vec<Vec<u8>> {
    let ip = Ip::new(net10(2), net10(1));
    let mut short_udp = ether_ip(&udp(&ip, 1001, 2000, b"hi"));
    // Padded to Ethernet's 60-byte minimum, as a NIC would.
    short_udp.resize(60, 0);
    vec![
        short_udp,
        // 154 bytes.
        ether_ip(&tcp(
            &ip.clone().id(2),
            1002,
            80,
            Flags::PshAck,
            &payload(100),
        )),
        // An IP header with options (a NOP and an end of list, 24 bytes).
        ether_ip(&udp(
            &ip.clone().id(3).options(&[1, 0, 0, 0]),
            1003,
            2000,
            b"opts",
        )),
        // A 10-byte runt.
        vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0],
    ]
}

/// `ether`: frames for this host, for others, broadcast, multicast, one
/// this host sent itself, and a runt.
fn ether_packets() -> Vec<Vec<u8>> {
    let ip = Ip::new(net10(2), net10(1));
    vec![
        // For this host.
        ether(ME, PEER, ETHERTYPE_IP, &udp(&ip, 1001, 2000, b"host")),
        // For another host.
        ether(
            OTHER,
            PEER,
            ETHERTYPE_IP,
            &udp(&ip.clone().id(2), 1002, 2000, b"other"),
        ),
        // Link-level broadcast: an ARP request.
        arp_request(net10(1)),
        // Link-level multicast: IP multicast to 224.0.0.1.
        ether(
            [1, 0, 0x5e, 0, 0, 1],
            PEER,
            ETHERTYPE_IP,
            &udp(
                &Ip::new(net10(2), [224, 0, 0, 1]).id(4),
                1004,
                2000,
                b"mcast",
            ),
        ),
        // A broadcast this host sent itself, looping back.
        ether(
            BROADCAST,
            ME,
            ETHERTYPE_IP,
            &udp(&ip.clone().id(5), 1005, 2000, b"own"),
        ),
        // A 10-byte runt.
        vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0],
    ]
}

/// `arp`: requests for this host and another, IP packets for neighbours
/// known and unknown, a reply that teaches one, broadcast and multicast
/// destinations, an IPv6 frame and a cut request.
fn arp_packets() -> Vec<Vec<u8>> {
    let to =
        |n: [u8; 4], id: u16| ether_ip(&udp(&Ip::new(net10(1), n).id(id), 1000 + id, 2000, b"arp"));
    let mut cut = arp_request(net10(1));
    cut.truncate(30);
    vec![
        // 1. Who has 10.0.0.1 (this host)? Answered.
        arp_request(net10(1)),
        // 2. Who has 10.0.0.77? Not ours.
        arp_request(net10(77)),
        // 3. IP for 10.0.0.2, not known yet: held, query.
        to(net10(2), 3),
        // 4. 10.0.0.2 is at PEER: the held packet leaves.
        ether(
            ME,
            PEER,
            ETHERTYPE_ARP,
            &arp(2, PEER, net10(2), ME, net10(1)),
        ),
        // 5. IP for 10.0.0.2, known now.
        to(net10(2), 5),
        // 6. IP for 10.0.0.3, unknown: held, query.
        to(net10(3), 6),
        // 7. IP for the limited broadcast address.
        to([255, 255, 255, 255], 7),
        // 8. IP for multicast group 224.0.0.5.
        to([224, 0, 0, 5], 8),
        // 9. IPv6: neither ARP nor IPv4.
        ether(ME, PEER, ETHERTYPE_IP6, &[0x60, 0, 0, 0, 0, 0, 59, 64]),
        // 10. A request cut after 30 bytes.
        cut,
    ]
}

/// `ip-checks`: valid and broken IPv4 headers, in Ethernet frames.
fn ip_check_packets() -> Vec<Vec<u8>> {
    let ip = Ip::new(net10(2), net10(1));
    let good = |id: u16| ether_ip(&udp(&ip.clone().id(id), 1000 + id, 2000, b"check"));
    let mut bad_sum = good(2);
    bad_sum[24] ^= 0xff;
    let mut version6 = good(3);
    version6[14] = 0x65;
    fix_ip_checksum(&mut version6, 14);
    let mut short_hl = good(4);
    short_hl[14] = 0x44;
    let mut long_total = good(5);
    long_total[16..18].copy_from_slice(&100u16.to_be_bytes());
    fix_ip_checksum(&mut long_total, 14);
    let mut padded = good(6);
    padded.resize(60, 0);
    let bad_src = ether_ip(&udp(
        &Ip::new([255; 4], net10(9)).id(7),
        1007,
        2000,
        b"check",
    ));
    let mut cut = good(8);
    cut.truncate(14 + 12);
    let zero_src = ether_ip(&udp(
        &Ip::new([0; 4], net10(9)).id(10),
        1010,
        2000,
        b"check",
    ));
    vec![
        // 1. Valid.
        good(1),
        // 2. Header checksum wrong.
        bad_sum,
        // 3. Version 6 (checksum right).
        version6,
        // 4. Header length 16 bytes.
        short_hl,
        // 5. Total length 100, longer than the packet.
        long_total,
        // 6. Ethernet padding after the IP packet: trimmed.
        padded,
        // 7. Source 255.255.255.255 (to 10.0.0.9, not an interface).
        bad_src,
        // 8. Cut inside the IP header.
        cut,
        // 9. Options (a NOP and an end of list): valid.
        ether_ip(&udp(
            &ip.clone().id(9).options(&[1, 0, 0, 0]),
            1009,
            2000,
            b"opts",
        )),
        // 10. Source 0.0.0.0 (to 10.0.0.9).
        zero_src,
        // 11. Source 10.0.0.255, the broadcast address of 10.0.0.1/24
        //     (to 10.0.0.9).
        ether_ip(&udp(
            &Ip::new(net10(255), net10(9)).id(11),
            1011,
            2000,
            b"check",
        )),
        // 12. Source 0.0.0.0 to 10.0.0.1, an interface's own address
        //     (a GOODDST): accepted even with INTERFACES (DHCP, RFC 1812).
        ether_ip(&udp(
            &Ip::new([0; 4], net10(1)).id(12),
            1012,
            2000,
            b"check",
        )),
    ]
}

/// `l4-checks`: TCP, UDP and ICMP, valid and broken, as raw IP.
fn l4_check_packets() -> Vec<Vec<u8>> {
    let ip = |id: u16| Ip::new(net10(2), net10(1)).id(id);
    let mut tcp_bad_sum = tcp(&ip(2), 1002, 80, Flags::PshAck, b"data");
    tcp_bad_sum[36] ^= 0xff;
    let mut tcp_cut = tcp(&ip(3), 1003, 80, Flags::Syn, b"");
    // A 12-byte TCP header: total length 32, checksum fixed.
    tcp_cut.truncate(32);
    tcp_cut[2..4].copy_from_slice(&32u16.to_be_bytes());
    fix_ip_checksum(&mut tcp_cut, 0);
    let mut tcp_offset = tcp(&ip(4), 1004, 80, Flags::Syn, b"");
    // Data offset 15 (60 bytes) in a 20-byte header.
    tcp_offset[32] = 0xf0;
    let mut udp_bad_sum = udp(&ip(6), 1006, 2000, b"data");
    udp_bad_sum[26] ^= 0xff;
    let mut udp_no_sum = udp(&ip(7), 1007, 2000, b"data");
    udp_no_sum[26] = 0;
    udp_no_sum[27] = 0;
    let mut udp_long = udp(&ip(8), 1008, 2000, b"data");
    // UDP length 40, longer than the IP payload.
    udp_long[24..26].copy_from_slice(&40u16.to_be_bytes());
    let mut icmp_bad_sum = echo(&ip(10), true, 7, 1, b"ping");
    icmp_bad_sum[22] ^= 0xff;
    // An unreachable quoting only 4 bytes of an IP header.
    let short_error = icmp(
        &ip(11),
        Icmpv4Type::DestinationUnreachable(etherparse::icmpv4::DestUnreachableHeader::Port),
        &[0x45, 0, 0, 28],
    );
    vec![
        // 1. TCP, valid.
        tcp(&ip(1), 1001, 80, Flags::Syn, b""),
        // 2. TCP, checksum wrong.
        tcp_bad_sum,
        // 3. TCP header cut at 12 bytes.
        tcp_cut,
        // 4. TCP data offset past the packet.
        tcp_offset,
        // 5. UDP, valid.
        udp(&ip(5), 1005, 2000, b"data"),
        // 6. UDP, checksum wrong.
        udp_bad_sum,
        // 7. UDP without checksum (0): valid.
        udp_no_sum,
        // 8. UDP length past the IP payload.
        udp_long,
        // 9. ICMP echo request, valid.
        echo(&ip(9), true, 7, 1, b"ping"),
        // 10. ICMP, checksum wrong.
        icmp_bad_sum,
        // 11. ICMP error quoting too little.
        short_error,
        // 12. GRE: none of the three.
        ip(12).packet(PROTO_GRE, &[0, 0, 0x08, 0]),
    ]
}

/// `checksums`: packets whose checksums are wrong or missing.
fn checksum_packets() -> Vec<Vec<u8>> {
    let ip = |id: u16| Ip::new(net10(2), net10(1)).id(id);
    let mut tcp_both = tcp(&ip(1), 1001, 80, Flags::PshAck, b"data");
    tcp_both[10] ^= 0xff;
    tcp_both[36] ^= 0xff;
    let mut udp_bad = udp(&ip(2), 1002, 2000, b"data");
    udp_bad[26] ^= 0xff;
    let mut udp_zero = udp(&ip(3), 1003, 2000, b"data");
    udp_zero[26] = 0;
    udp_zero[27] = 0;
    let mut udp_fragment = udp(&ip(4).fragment(0, true), 1004, 2000, b"data");
    udp_fragment[26] ^= 0xff;
    let mut udp_long = udp(&ip(5), 1005, 2000, b"data");
    udp_long[24..26].copy_from_slice(&40u16.to_be_bytes());
    let mut icmp_ip_bad = echo(&ip(6), true, 7, 1, b"ping");
    icmp_ip_bad[10] = 0;
    icmp_ip_bad[11] = 0;
    vec![
        // 1. TCP with IP and TCP checksums wrong.
        tcp_both,
        // 2. UDP checksum wrong.
        udp_bad,
        // 3. UDP checksum 0 (none).
        udp_zero,
        // 4. A first fragment (MF) with its UDP checksum wrong.
        udp_fragment,
        // 5. UDP length past the IP payload.
        udp_long,
        // 6. ICMP with its IP checksum zeroed.
        icmp_ip_bad,
    ]
}

/// The `rewriter-links` golden: flows through rewriters that take their
/// patterns from IPRewriterPatterns and RoundRobinIPMapper, their replies,
/// then ICMP errors about them for ICMPRewriter (see its config.click).
fn rewriter_link_packets() -> Vec<Vec<u8>> {
    use etherparse::icmpv4::{DestUnreachableHeader, TimeExceededCode};
    let web = [198, 51, 100, 7];
    let dns = [198, 51, 100, 53];
    let public = [192, 0, 2, 1];
    let vip = [192, 0, 2, 80];
    let lb_src = [192, 0, 2, 99];
    let router = [203, 0, 113, 254];
    let client = |n: u8| [198, 51, 100, n];
    let expired = || Icmpv4Type::TimeExceeded(TimeExceededCode::TtlExceededInTransit);
    let unreachable = Icmpv4Type::DestinationUnreachable;
    // The error `kind` from `from` to `to` (IP ID `id`) quoting `quoted`.
    let error = |from: [u8; 4], to: [u8; 4], id: u16, kind: Icmpv4Type, quoted: &[u8]| {
        icmp(&Ip::new(from, to).id(id), kind, quoted)
    };
    vec![
        // IPRewriter rw and UDPRewriter urw, both `pattern out 0 1`
        // (192.0.2.1 1024-1025#), one allocation cursor between them.
        // 1. TCP SYN from 10.0.0.2 via rw: 1024.
        tcp(&Ip::new(net10(2), web), 40000, 80, Flags::Syn, b""),
        // 2. DNS query from 10.0.0.2 via urw: 1025 (the cursor moved on,
        //    though urw holds no flow).
        udp(&Ip::new(net10(2), dns), 5353, 53, b"query"),
        // 3. DNS query from 10.0.0.3 via urw: the cursor wraps to 1024.
        udp(&Ip::new(net10(3), dns), 5353, 53, b"query"),
        // 4. TCP SYN from 10.0.0.3 via rw: 1025.
        tcp(&Ip::new(net10(3), web), 40000, 80, Flags::Syn, b""),
        // 5. TCP SYN from 10.0.0.4 via rw: both ports taken for the web
        //    server: dropped.
        tcp(&Ip::new(net10(4), web), 40000, 80, Flags::Syn, b""),
        // 6. The web server's answer to 1025: back to 10.0.0.3:40000.
        tcp(&Ip::new(web, public), 80, 1025, Flags::Ack, b""),
        // 7. The DNS answer to 1024: back to 10.0.0.3:5353.
        udp(&Ip::new(dns, public), 53, 1024, b"answer"),
        // ICMPPingRewriter ping, `pattern ping 0 1` (192.0.2.1 7000-7009#).
        // 8-9. An echo request out (identifier 0x1234 -> 7000), its reply.
        echo(&Ip::new(net10(2), web), true, 0x1234, 1, b"ping"),
        echo(&Ip::new(web, public), false, 7000, 1, b"ping"),
        // IPRewriter lb, RoundRobinIPMapper rr.
        // 10-15. Six clients connect to 192.0.2.80:80: patterns 1, 2, 1, 2,
        //    1, then 2 has no port left (2000 and 2001 taken for
        //    10.0.9.2:8080) and 1 takes the sixth.
        tcp(&Ip::new(client(20), vip), 3001, 80, Flags::Syn, b""),
        tcp(&Ip::new(client(21), vip), 3002, 80, Flags::Syn, b""),
        tcp(&Ip::new(client(22), vip), 3003, 80, Flags::Syn, b""),
        tcp(&Ip::new(client(23), vip), 3004, 80, Flags::Syn, b""),
        tcp(&Ip::new(client(24), vip), 3005, 80, Flags::Syn, b""),
        tcp(&Ip::new(client(25), vip), 3006, 80, Flags::Syn, b""),
        // 16. 10.0.9.1 answers the first client: from 192.0.2.80:80.
        tcp(
            &Ip::new([10, 0, 9, 1], client(20)),
            80,
            3001,
            Flags::Ack,
            b"",
        ),
        // 17. 10.0.9.2:8080 answers the fourth (192.0.2.99:2001).
        tcp(&Ip::new([10, 0, 9, 2], lb_src), 8080, 2001, Flags::Ack, b""),
        // ICMPRewriter errors(rw urw ping lb:2).
        // 18. Time exceeded about packet 4 as it left (TTL 1 when it
        //     expired), quoted whole: back to 10.0.0.3, about its own SYN.
        error(
            router,
            public,
            18,
            expired(),
            &tcp(&Ip::new(public, web).ttl(1), 1025, 80, Flags::Syn, b""),
        ),
        // 19. Port unreachable from the DNS server about packet 2 as it
        //     left, quoting its IP header and 8 bytes: back to 10.0.0.2.
        error(
            dns,
            public,
            19,
            unreachable(DestUnreachableHeader::Port),
            &udp(&Ip::new(public, dns), 1025, 53, b"query")[..28],
        ),
        // 20. Time exceeded about the echo request as it left: back to
        //     10.0.0.2, identifier 0x1234.
        error(
            router,
            public,
            20,
            expired(),
            &echo(&Ip::new(public, web).ttl(1), true, 7000, 1, b"ping"),
        ),
        // 21. From inside: 10.0.0.3 says port unreachable about the DNS
        //     answer it got (packet 7 translated): the quoted packet becomes
        //     the answer as the server sent it; the error's own addresses
        //     stay.
        error(
            net10(3),
            dns,
            21,
            unreachable(DestUnreachableHeader::Port),
            &udp(&Ip::new(dns, net10(3)), 53, 5353, b"answer"),
        ),
        // 22. Host unreachable about packet 13 as lb sent it (192.0.2.99:2001
        //     to 10.0.9.2:8080): back to the fourth client, on output
        //     2 + 3 (the flow's reply output).
        error(
            router,
            lb_src,
            22,
            unreachable(DestUnreachableHeader::Host),
            &tcp(&Ip::new(lb_src, [10, 0, 9, 2]), 2001, 8080, Flags::Syn, b""),
        ),
        // 23. The first client says port unreachable about packet 16 as it
        //     got it: to 10.0.9.1, on output 2 + 0 (the forward output).
        error(
            client(20),
            vip,
            23,
            unreachable(DestUnreachableHeader::Port),
            &tcp(&Ip::new(vip, client(20)), 80, 3001, Flags::Ack, b""),
        ),
        // 24. Time exceeded about a datagram of no flow: output 1.
        error(
            router,
            public,
            24,
            expired(),
            &udp(&Ip::new(public, web).ttl(1), 1500, 9, b"no flow"),
        ),
        // 25. An echo request from outside is no error: output 1.
        echo(&Ip::new(web, public).id(25), true, 0x4321, 1, b"ping"),
    ]
}

/// The `rewriters` golden: flows through each class of the IPRewriter
/// family, then their replies (see its config.click for the routes).
fn rewriter_packets() -> Vec<Vec<u8>> {
    let server = [198, 51, 100, 7];
    let dns = [198, 51, 100, 53];
    let out = |last: u8, n: u8| Ip::new([10, 0, n, last], server);
    let back = |to: [u8; 4]| Ip::new(server, to);
    let public = [192, 0, 2, 1];
    let mut no_sum = udp(&Ip::new(net10(5), [198, 51, 100, 9]), 7, 7, b"no checksum");
    no_sum[26..28].copy_from_slice(&[0, 0]);
    vec![
        // IPRewriter(pattern 192.0.2.1 1024-1025# - - 0 1, drop)
        // 1. TCP SYN out: 192.0.2.1:1024.
        tcp(&out(2, 0), 40000, 80, Flags::Syn, b""),
        // 2-4. UDP to one DNS server from three hosts: ports 1025, 1024,
        // then none left for that server: dropped.
        udp(&Ip::new(net10(2), dns), 5353, 53, b"query"),
        udp(&Ip::new(net10(3), dns), 5353, 53, b"query"),
        udp(&Ip::new(net10(4), dns), 5353, 53, b"query"),
        // 5. The DNS answer to 192.0.2.1:1025: back to 10.0.0.2:5353.
        udp(&Ip::new(dns, public), 53, 1025, b"answer"),
        // 6. The SYN-ACK to 192.0.2.1:1024: back to 10.0.0.2:40000.
        tcp(&back(public), 80, 1024, Flags::Ack, b""),
        // 7. A SYN from outside to a port no flow holds: dropped.
        tcp(&back(public), 80, 9999, Flags::Syn, b""),
        // 8. UDP without a checksum to another server: 1025 (free for that
        // server), the checksum stays 0.
        no_sum,
        // ICMPPingRewriter(pattern 192.0.2.1 - - - 0 1, drop)
        // 9-10. An echo request out (identifier kept), its reply back.
        echo(&out(2, 0), true, 0x1234, 1, b"ping"),
        echo(&back(public), false, 0x1234, 1, b"ping"),
        // IPAddrRewriter(pattern 192.0.2.16-192.0.2.17# - 0 1, drop)
        // 11-13. Two hosts get an address each, any protocol (GRE too);
        // 14. a reply to the second address goes to the second host.
        udp(&out(2, 1), 1000, 2000, b"addr"),
        tcp(&out(3, 1), 1000, 80, Flags::Syn, b""),
        Ip::new([10, 0, 1, 2], [198, 51, 100, 8]).packet(PROTO_GRE, b"\0\0\x08\0gre"),
        udp(&back([192, 0, 2, 17]), 2000, 1000, b"addr reply"),
        // IPAddrPairRewriter(pattern 192.0.2.32 - 0 1, drop)
        udp(&out(2, 2), 1, 2, b"pair"),
        udp(&back([192, 0, 2, 32]), 2, 1, b"pair reply"),
        // TCPRewriter(pattern 192.0.2.48 - - - 0 1, drop): ports kept.
        tcp(&out(2, 3), 3000, 80, Flags::Syn, b""),
        tcp(&back([192, 0, 2, 48]), 80, 3000, Flags::Ack, b""),
        // UDPRewriter(pattern 192.0.2.64 5000-5001# - - 0 1, drop)
        udp(&out(2, 4), 3000, 53, b"udp"),
        udp(&back([192, 0, 2, 64]), 53, 5000, b"udp reply"),
    ]
}

/// `ttl-icmp`: echo requests, TTLs about to expire, and the packets that
/// must not get an ICMP error.
fn ttl_icmp_packets() -> Vec<Vec<u8>> {
    let from = |src: [u8; 4], id: u16| Ip::new(src, [10, 0, 1, 9]).id(id);
    let peer = net10(2);
    vec![
        // 1. Echo request for the router: answered.
        echo(&Ip::new(peer, net10(1)).id(1), true, 0x1234, 1, b"ping"),
        // 2. An echo reply passing through: TTL 64 -> 63.
        echo(&from(peer, 2), false, 0x1234, 2, b"pong"),
        // 3. UDP passing through: TTL 64 -> 63.
        udp(&from(peer, 3), 1003, 2000, b"through"),
        // 4. UDP with TTL 1: time exceeded.
        udp(&from(peer, 4).ttl(1), 1004, 2000, b"expired"),
        // 5. TCP with TTL 0: time exceeded.
        tcp(&from(peer, 5).ttl(0), 1005, 80, Flags::Syn, b""),
        // 6. TTL 1 from 0.0.0.0: no error.
        udp(&from([0; 4], 6).ttl(1), 1006, 2000, b"no error"),
        // 7. TTL 1 to the limited broadcast address: no error.
        udp(
            &Ip::new(peer, [255; 4]).id(7).ttl(1),
            1007,
            2000,
            b"no error",
        ),
        // 8. An ICMP error with TTL 1: no error about an error.
        icmp(
            &from(peer, 8).ttl(1),
            Icmpv4Type::DestinationUnreachable(etherparse::icmpv4::DestUnreachableHeader::Port),
            &udp(&Ip::new(net10(1), peer), 2000, 1003, b"x")[..28],
        ),
        // 9. TTL 1 in a fragment other than the first: no error.
        udp(
            &from(peer, 9).ttl(1).fragment(2, false),
            1009,
            2000,
            b"later",
        ),
        // 10. Echo request with TTL 1 for someone else: time exceeded.
        echo(&from(peer, 10).ttl(1), true, 0x1234, 3, b"ping"),
    ]
}

/// `fragment`: packets that fit, that must be fragmented (with and
/// without options, already a fragment), and that may not be.
fn fragment_packets() -> Vec<Vec<u8>> {
    let ip = |id: u16| Ip::new(net10(2), [10, 0, 1, 9]).id(id);
    // Record Route (not copied, 7 bytes, one slot) and Loose Source Route
    // (copied, 7 bytes, one address), then an end of list: 16 bytes.
    let options = [
        7, 7, 4, 0, 0, 0, 0, //
        131, 7, 4, 10, 0, 1, 9, //
        0, 0,
    ];
    vec![
        // 1. 60 bytes: fits.
        udp(&ip(1), 1001, 2000, &payload(32)),
        // 2. 250 bytes: three fragments.
        udp(&ip(2), 1002, 2000, &payload(222)),
        // 3. 250 bytes with DF: needs fragmentation, may not.
        udp(&ip(3).df(), 1003, 2000, &payload(222)),
        // 4. 200 bytes with options: only LSRR is copied.
        udp(&ip(4).options(&options), 1004, 2000, &payload(156)),
        // 5. A first fragment (MF) of 180 bytes: all its pieces keep MF.
        ip(5).fragment(0, true).packet(PROTO_UDP, &payload(160)),
        // 6. A last fragment at offset 800 bytes (100 units), 180 bytes long.
        ip(6).fragment(100, false).packet(PROTO_UDP, &payload(160)),
    ]
}

/// `routes`: packets for destinations that the route tables send different
/// ways.
fn route_packets() -> Vec<Vec<u8>> {
    let to = |dst: [u8; 4], id: u16| udp(&Ip::new(net10(1), dst).id(id), 1000 + id, 2000, b"route");
    vec![
        // 1. 10.9.9.9: 10.0.0.0/8.
        to([10, 9, 9, 9], 1),
        // 2. 10.1.5.5: 10.1.0.0/16 via 10.1.0.254.
        to([10, 1, 5, 5], 2),
        // 3. 10.1.2.3: 10.1.2.0/24.
        to([10, 1, 2, 3], 3),
        // 4. 192.0.2.1: the default route via 192.168.0.1.
        to([192, 0, 2, 1], 4),
        // 5. 10.1.6.6: 10.1.0.0/16 via 10.1.0.254 again.
        to([10, 1, 6, 6], 5),
        // 6. 10.1.2.255: 10.1.2.0/24.
        to([10, 1, 2, 255], 6),
    ]
}

/// `options`: IP options a router acts on, well formed and not.
fn option_packets() -> Vec<Vec<u8>> {
    let with = |id: u16, options: &[u8]| {
        udp(
            &Ip::new(net10(2), [10, 0, 1, 9]).id(id).options(options),
            1000 + id,
            2000,
            b"opt",
        )
    };
    vec![
        // 1. No options: untouched.
        with(1, &[]),
        // 2. Record Route with two free slots: 10.0.0.254 recorded.
        with(2, &[7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        // 3. Record Route, full (pointer 12 past length 11): untouched.
        with(3, &[7, 11, 12, 10, 9, 9, 1, 10, 9, 9, 2, 0]),
        // 4. Timestamp (flag 0), full: overflow count 0 -> 1.
        with(4, &[68, 12, 13, 0x00, 0, 0, 0, 1, 0, 0, 0, 2]),
        // 5. Timestamp with prespecified addresses (flag 3), the next one
        //    not this router's: untouched.
        with(5, &[68, 12, 5, 0x03, 10, 9, 9, 9, 0, 0, 0, 0]),
        // 6. An option whose length (1) is too short: parameter problem
        //    pointing at the length byte (offset 21).
        with(6, &[7, 1, 0, 0]),
        // 7. Record Route with pointer 2 (below 4): parameter problem
        //    pointing at the pointer byte (offset 22).
        with(7, &[7, 7, 2, 0, 0, 0, 0, 0]),
    ]
}

/// `classify`: IPv4 (TCP, UDP, ICMP, a fragment), ARP and IPv6 frames for
/// Classifier, IPClassifier and IPFilter.
fn classify_packets() -> Vec<Vec<u8>> {
    let from = |src: [u8; 4], id: u16| Ip::new(src, net10(1)).id(id);
    let a = net10(2);
    let b = [10, 0, 5, 7];
    vec![
        // 1. TCP SYN to port 80 from 10.0.0.2.
        ether_ip(&tcp(&from(a, 1), 1001, 80, Flags::Syn, b"")),
        // 2. TCP ACK to port 80 from 10.0.5.7.
        ether_ip(&tcp(&from(b, 2), 1002, 80, Flags::Ack, b"")),
        // 3. TCP SYN to port 22 from 10.0.5.7.
        ether_ip(&tcp(&from(b, 3), 1003, 22, Flags::Syn, b"")),
        // 4. UDP to port 53 from 10.0.0.2.
        ether_ip(&udp(
            &from(a, 4),
            1004,
            53,
            b"\x12\x34\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00",
        )),
        // 5. UDP to port 9 from 10.0.5.7.
        ether_ip(&udp(&from(b, 5), 1005, 9, b"discard")),
        // 6. ICMP echo request from 10.0.5.7.
        ether_ip(&echo(&from(b, 6), true, 7, 1, b"ping")),
        // 7. ICMP echo reply from 10.0.0.2.
        ether_ip(&echo(&from(a, 7), false, 7, 1, b"pong")),
        // 8. A later UDP fragment from 10.0.0.2.
        ether_ip(
            &from(a, 8)
                .fragment(10, false)
                .packet(PROTO_UDP, b"fragment"),
        ),
        // 9. ARP request.
        arp_request(net10(1)),
        // 10. ARP reply.
        ether(
            ME,
            PEER,
            ETHERTYPE_ARP,
            &arp(2, PEER, net10(2), ME, net10(1)),
        ),
        // 11. IPv6.
        ether(ME, PEER, ETHERTYPE_IP6, &[0x60, 0, 0, 0, 0, 0, 59, 64]),
        // 12. GRE from 10.0.0.2.
        ether_ip(&from(a, 12).packet(PROTO_GRE, &[0, 0, 0x08, 0])),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_are_what_they_claim() {
        // Valid packets have valid checksums.
        let p = udp(&Ip::new(net10(2), net10(1)), 1, 2, b"x");
        assert_eq!(checksum::checksum(&p[..20]), 0);
        let mut q = p.clone();
        q[10] ^= 1;
        fix_ip_checksum(&mut q, 0);
        assert_eq!(q, p);
        // Options make the header longer.
        let o = Ip::new(net10(2), net10(1))
            .options(&[1, 0, 0, 0])
            .packet(PROTO_GRE, &[]);
        assert_eq!(o[0], 0x46);
        assert_eq!(checksum::checksum(&o[..24]), 0);
        assert_eq!(arp_request(net10(1)).len(), 42);
        // Every golden has packets and a distinct name.
        let all = inputs();
        let mut names: Vec<_> = all.iter().map(|i| i.golden).collect();
        names.dedup();
        assert_eq!(names.len(), all.len());
        assert!(all.iter().all(|i| !i.packets.is_empty()));
    }

    #[test]
    fn pcaps_are_deterministic() {
        for input in inputs() {
            assert_eq!(pcap(&input), pcap(&input), "{}", input.golden);
        }
    }
}
