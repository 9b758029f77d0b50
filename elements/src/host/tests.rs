//! Two TCPIPHosts wired back to back in memory: TCP and UDP through both
//! stacks, their limits, and frames from outside (ARP, ping, garbage).

use alloc::string::ToString;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, SocketAddrV4};

use nfc_dataplane::batch::Batch;
use nfc_dataplane::checksum::checksum;
use nfc_dataplane::element::{Context, Element, TaskResult};
use nfc_dataplane::packet::PacketPool;

use super::tcpip_host::{settings, TCPIPHost};
use super::*;

const A_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const A_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
const B_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];
/// One step of simulated time: 1 ms.
const TICK: u64 = 1_000_000;

/// Two hosts, A and B, on one wire, on simulated time.
struct Pair {
    a: TCPIPHost,
    b: TCPIPHost,
    pool: &'static PacketPool,
    now: u64,
    /// Frames that crossed the wire.
    frames: usize,
}

impl Pair {
    /// A at 10.0.0.1, B at 10.0.0.2, both with `extra` keywords.
    fn new(extra: &str) -> Pair {
        let host = |ip: Ipv4Addr, mac: [u8; 6]| {
            let m = mac.map(|b| alloc::format!("{b:02x}")).join(":");
            TCPIPHost::configure(&alloc::format!("ADDR {ip}/24, ETH {m}{extra}")).unwrap()
        };
        Pair {
            a: host(A_IP, A_MAC),
            b: host(B_IP, B_MAC),
            pool: PacketPool::new(512),
            now: 1_000 * TICK,
            frames: 0,
        }
    }

    fn cx(&self, seed: u64) -> Context {
        Context {
            seed,
            ..Context::at(self.pool, self.now)
        }
    }

    fn a(&self) -> core::cell::RefMut<'_, HostStack> {
        self.a.stack().borrow_mut()
    }

    fn b(&self) -> core::cell::RefMut<'_, HostStack> {
        self.b.stack().borrow_mut()
    }

    /// Runs both tasks and carries frames across until none is left;
    /// true when any frame moved.
    fn round(&mut self) -> bool {
        let (ca, cb) = (self.cx(1), self.cx(2));
        let mut to_b = Batch::new();
        let mut to_a = Batch::new();
        self.a.run_task(&ca, &mut to_b, &mut []);
        self.b.run_task(&cb, &mut to_a, &mut []);
        let mut moved = false;
        while !to_a.is_empty() || !to_b.is_empty() {
            moved = true;
            self.frames += to_a.len() + to_b.len();
            // What A receives, it answers into the same batch: to B.
            self.a.push(&ca, 0, &mut to_a, &mut []);
            self.b.push(&cb, 0, &mut to_b, &mut []);
            core::mem::swap(&mut to_a, &mut to_b);
        }
        moved
    }

    /// Runs rounds, 1 ms apart, until `done` (at most `max_ms`).
    fn until(&mut self, max_ms: u64, mut done: impl FnMut(&mut Pair) -> bool) {
        for _ in 0..max_ms {
            self.round();
            if done(self) {
                return;
            }
            self.now += TICK;
        }
        panic!("not done after {max_ms} ms");
    }

    /// Rounds for `ms` milliseconds.
    fn settle(&mut self, ms: u64) {
        for _ in 0..ms {
            self.round();
            self.now += TICK;
        }
    }
}

/// A repeatable byte pattern.
fn pattern(n: usize, salt: u8) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8 ^ salt).collect()
}

#[test]
fn tcp_through_two_stacks_both_ways_with_half_close() {
    let mut p = Pair::new("");
    let l = p.b().tcp_listen(80, 4, 8).unwrap();
    let cx = p.cx(1);
    let c = p.a().tcp_connect(&cx, SocketAddrV4::new(B_IP, 80)).unwrap();
    assert_eq!(p.a().tcp_state(c), Ok(TcpState::Connecting));
    p.until(100, |p| p.a().tcp_state(c) == Ok(TcpState::Open));
    let s = p.b().tcp_accept(l).expect("accepted");
    assert_eq!(p.b().tcp_accept(l), None, "one connection");
    let peer = p.b().tcp_peer(s).unwrap().unwrap();
    assert_eq!(*peer.ip(), A_IP);
    assert!(peer.port() >= stack::EPHEMERAL_FIRST, "ephemeral {peer}");
    assert_eq!(p.a().tcp_peer(c), Ok(Some(SocketAddrV4::new(B_IP, 80))));

    // 100 kB from A to B through 16 kB buffers: back-pressure on both.
    let up = pattern(100_000, 0x5a);
    let (mut sent, mut got) = (0, Vec::new());
    let mut buf = [0u8; 4096];
    let mut saw_full = false;
    p.until(5_000, |p| {
        let n = p.a().tcp_send(c, &up[sent..]).unwrap();
        saw_full |= n < up.len() - sent;
        sent += n;
        loop {
            match p.b().tcp_recv(s, &mut buf).unwrap() {
                0 => break,
                n => got.extend_from_slice(&buf[..n]),
            }
        }
        got.len() == up.len()
    });
    assert!(saw_full, "the send buffer filled");
    assert_eq!(got, up, "A's bytes arrived in order");

    // A half-closes; B reads the end, then still sends 30 kB back.
    p.a().tcp_shutdown(c).unwrap();
    p.until(200, |p| p.b().tcp_recv(s, &mut buf) == Err(TcpError::Eof));
    assert_eq!(p.b().tcp_state(s), Ok(TcpState::PeerClosed));
    assert_eq!(p.a().tcp_state(c), Ok(TcpState::Closing));
    let down = pattern(30_000, 0xa5);
    let (mut sent, mut got) = (0, Vec::new());
    p.until(5_000, |p| {
        sent += p.b().tcp_send(s, &down[sent..]).unwrap();
        while let Ok(n @ 1..) = p.a().tcp_recv(c, &mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
        got.len() == down.len()
    });
    assert_eq!(got, down, "B's bytes arrived after A's half-close");

    // B closes: A sees the end, closes too; both sockets go back.
    p.b().tcp_close(s).unwrap();
    assert_eq!(p.b().tcp_recv(s, &mut buf), Err(TcpError::BadHandle));
    p.until(200, |p| p.a().tcp_recv(c, &mut buf) == Err(TcpError::Eof));
    p.a().tcp_close(c).unwrap();
    p.until(200, |p| p.a().tcp_active() == 0 && p.b().tcp_active() == 0);
    let (ca, cb) = (p.a().counters(), p.b().counters());
    assert_eq!((ca.tcp_total, cb.tcp_total, cb.tcp_refused), (1, 1, 0));
    assert!(
        ca.frames_out > 50 && cb.frames_in == ca.frames_out,
        "{ca:?} {cb:?}"
    );
    assert_eq!(p.b.read_handler("tcp_total").unwrap(), "1");
    assert_eq!(p.b.read_handler("tcp_active").unwrap(), "0");
}

#[test]
fn the_listener_serves_connection_after_connection() {
    // MAX_TCP 3: one armed socket and two connections at most; the
    // sockets come back after each close.
    let mut p = Pair::new(", MAX_TCP 3, TCP_BUF 2k");
    let l = p.b().tcp_listen(7, 2, 8).unwrap();
    let mut buf = [0u8; 64];
    for i in 0..10u8 {
        let cx = p.cx(1);
        let c = p.a().tcp_connect(&cx, SocketAddrV4::new(B_IP, 7)).unwrap();
        p.until(100, |p| {
            // Accept, and close at once.
            let accepted = p.b().tcp_accept(l);
            accepted.is_some_and(|s| p.b().tcp_close(s).is_ok())
        });
        p.a().tcp_send(c, &[i]).unwrap();
        p.until(200, |p| {
            matches!(p.a().tcp_recv(c, &mut buf), Err(TcpError::Eof))
        });
        p.a().tcp_close(c).unwrap();
        p.until(200, |p| p.a().tcp_active() == 0 && p.b().tcp_active() == 0);
    }
    assert_eq!(p.b().counters().tcp_total, 10);
    assert_eq!(p.b().counters().tcp_refused, 0);
}

#[test]
fn a_hundred_connections_at_once_are_all_served() {
    // The SYNs come in batches of 32: a socket is armed after each.
    let mut p = Pair::new(", MAX_TCP 101, TCP_BUF 1k");
    let l = p.b().tcp_listen(853, 100, 100).unwrap();
    let cx = p.cx(1);
    let conns: Vec<_> = (0..100)
        .map(|_| {
            p.a()
                .tcp_connect(&cx, SocketAddrV4::new(B_IP, 853))
                .unwrap()
        })
        .collect();
    let mut served = Vec::new();
    let mut buf = [0u8; 16];
    p.until(200, |p| {
        while let Some(s) = p.b().tcp_accept(l) {
            served.push(s);
        }
        served.len() == 100
    });
    for (i, &c) in conns.iter().enumerate() {
        assert_eq!(p.a().tcp_send(c, &[i as u8]), Ok(1));
    }
    // B echoes every byte back on its connection.
    let mut echoed = 0;
    p.until(200, |p| {
        for &s in &served {
            let got = p.b().tcp_recv(s, &mut buf);
            if got == Ok(1) {
                assert_eq!(p.b().tcp_send(s, &buf[..1]), Ok(1));
                echoed += 1;
            }
        }
        echoed == 100
    });
    p.settle(20);
    for (i, &c) in conns.iter().enumerate() {
        assert_eq!(p.a().tcp_recv(c, &mut buf), Ok(1));
        assert_eq!(buf[0], i as u8, "each answer on its own connection");
    }
    assert_eq!(p.b().tcp_active(), 100);
    assert_eq!(p.b().counters().tcp_refused, 0);
    assert_eq!(p.b().counters().tcp_total, 100);
}

#[test]
fn connections_beyond_a_listeners_limit_are_refused_with_a_reset() {
    let mut p = Pair::new(", MAX_TCP 16, TCP_BUF 2k");
    let l = p.b().tcp_listen(443, 8, 2).unwrap();
    let cx = p.cx(1);
    let conns: Vec<_> = (0..4)
        .map(|_| {
            p.a()
                .tcp_connect(&cx, SocketAddrV4::new(B_IP, 443))
                .unwrap()
        })
        .collect();
    p.settle(100);
    let states: Vec<_> = conns.iter().map(|&c| p.a().tcp_state(c).unwrap()).collect();
    let open = states.iter().filter(|s| **s == TcpState::Open).count();
    let closed = states.iter().filter(|s| **s == TcpState::Closed).count();
    assert_eq!((open, closed), (2, 2), "{states:?}");
    assert_eq!(p.b().counters().tcp_refused, 2);
    assert_eq!(p.b.read_handler("tcp_refused").unwrap(), "2");
    // Both accepted ones can be had; a refused client connects later,
    // once one of them is closed.
    let s1 = p.b().tcp_accept(l).unwrap();
    let _s2 = p.b().tcp_accept(l).unwrap();
    p.b().tcp_abort(s1).unwrap();
    p.settle(10);
    let again = p
        .a()
        .tcp_connect(&cx, SocketAddrV4::new(B_IP, 443))
        .unwrap();
    p.until(100, |p| p.a().tcp_state(again) == Ok(TcpState::Open));
    assert!(p.b().tcp_accept(l).is_some());
    // A closed port refuses too.
    let nobody = p.a().tcp_connect(&cx, SocketAddrV4::new(B_IP, 9)).unwrap();
    p.until(100, |p| p.a().tcp_state(nobody) == Ok(TcpState::Closed));
    assert_eq!(p.b().counters().tcp_refused, 3);
}

#[test]
fn sockets_run_out_cleanly() {
    let mut p = Pair::new(", MAX_TCP 2, MAX_UDP 1, TCP_BUF 1k, UDP_BUF 1k");
    let cx = p.cx(1);
    let to = SocketAddrV4::new(B_IP, 1);
    let c1 = p.a().tcp_connect(&cx, to).unwrap();
    let _c2 = p.a().tcp_connect(&cx, to).unwrap();
    assert_eq!(p.a().tcp_connect(&cx, to), Err(HostError::NoSocket));
    p.a().tcp_abort(c1).unwrap();
    assert_eq!(p.a().tcp_state(c1), Err(TcpError::BadHandle), "stale");
    assert_eq!(
        p.a().tcp_connect(&cx, to),
        Err(HostError::NoSocket),
        "reset unsent"
    );
    p.settle(5);
    let c3 = p.a().tcp_connect(&cx, to).unwrap();
    assert_ne!(c1, c3, "a reused socket has a new handle");
    let u = p.a().udp_bind(&cx, 5353).unwrap();
    assert_eq!(p.a().udp_bind(&cx, 0), Err(HostError::NoSocket));
    assert_eq!(
        p.a().udp_send_to(u, &[0; 2000], to),
        Err(UdpError::TooLarge),
        "bigger than UDP_BUF"
    );
    p.a().udp_close(u).unwrap();
    assert_eq!(p.a().udp_port(u), Err(UdpError::BadHandle));
    assert_eq!(p.a().udp_bind(&cx, 5353).map(|_| ()), Ok(()));
    assert_eq!(p.a().udp_bind(&cx, 5353), Err(HostError::PortInUse));
    assert_eq!(p.a().udp_bind(&cx, 5354), Err(HostError::NoSocket));
    assert_eq!(p.b().tcp_listen(0, 1, 1), Err(HostError::Unaddressable));
    p.b().tcp_listen(22, 1, 1).unwrap();
    assert_eq!(p.b().tcp_listen(22, 1, 1), Err(HostError::PortInUse));
}

#[test]
fn udp_round_trip_from_a_random_port() {
    let mut p = Pair::new("");
    let (ca, cb) = (p.cx(1), p.cx(2));
    let server = p.b().udp_bind(&cb, 53).unwrap();
    assert_eq!(p.b().udp_bind(&cb, 53), Err(HostError::PortInUse));
    let client = p.a().udp_bind(&ca, 0).unwrap();
    let port = p.a().udp_port(client).unwrap();
    assert!(port >= stack::EPHEMERAL_FIRST);
    let other = p.a().udp_bind(&ca, 0).unwrap();
    assert_ne!(p.a().udp_port(other).unwrap(), port, "ports differ");
    p.a()
        .udp_send_to(client, b"query", SocketAddrV4::new(B_IP, 53))
        .unwrap();
    let mut buf = [0u8; 512];
    let mut from = None;
    p.until(100, |p| match p.b().udp_recv_from(server, &mut buf) {
        Some(Ok((n, f))) => {
            assert_eq!(&buf[..n], b"query");
            from = Some(f);
            true
        }
        None => false,
        Some(Err(e)) => panic!("{e}"),
    });
    assert_eq!(from, Some(SocketAddrV4::new(A_IP, port)));
    p.b().udp_send_to(server, b"answer", from.unwrap()).unwrap();
    p.until(100, |p| p.a().udp_recv_from(client, &mut buf).is_some());
    let mut small = [0u8; 2];
    p.b().udp_send_to(server, b"answer", from.unwrap()).unwrap();
    p.until(100, |p| {
        p.a().udp_recv_from(client, &mut small) == Some(Err(UdpError::TooLarge))
    });
    assert_eq!(p.a().udp_recv_from(other, &mut buf), None);
    let (a, b) = (p.a().counters(), p.b().counters());
    assert_eq!((a.udp_out, a.udp_in, b.udp_in, b.udp_out), (1, 1, 1, 2));
}

#[test]
fn the_seed_picks_the_ephemeral_ports() {
    let ports = |seed: u64| {
        let p = Pair::new("");
        let cx = p.cx(seed);
        let u = p.a().udp_bind(&cx, 0).unwrap();
        let port = p.a().udp_port(u).unwrap();
        port
    };
    assert_eq!(ports(7), ports(7), "one seed, one port");
    assert!(
        (1..20)
            .map(ports)
            .collect::<alloc::collections::BTreeSet<_>>()
            .len()
            > 10
    );
}

#[test]
fn next_event_is_smoltcps_retransmission_time() {
    let mut p = Pair::new("");
    let cx = p.cx(1);
    assert_eq!(p.a.next_event(), None, "nothing to do");
    let c = p.a().tcp_connect(&cx, SocketAddrV4::new(B_IP, 80)).unwrap();
    assert_eq!(p.a.next_event(), Some(p.now), "a connect is work now");
    // Nobody answers: A sends its ARP request, and waits.
    let mut out = Batch::new();
    assert_eq!(p.a.run_task(&cx, &mut out, &mut []), TaskResult::Busy);
    assert_eq!(out.len(), 1, "an ARP request");
    assert_eq!(&out.iter().next().unwrap().data()[12..14], &[0x08, 0x06]);
    drop(out);
    let next = p.a.next_event().expect("a timer");
    assert!(next > p.now, "{next} after {}", p.now);
    let mut out = Batch::new();
    assert_eq!(
        p.a.run_task(&cx, &mut out, &mut []),
        TaskResult::Idle,
        "not yet"
    );
    // At that time the stack works again.
    p.now = next;
    let cx = p.cx(1);
    p.a.run_task(&cx, &mut out, &mut []);
    assert!(p.a.next_event().unwrap() > next);
    assert_eq!(p.a().tcp_state(c), Ok(TcpState::Connecting));
}

/// An Ethernet header from `src` to `dst` of `ty`.
fn ether(dst: [u8; 6], src: [u8; 6], ty: u16) -> Vec<u8> {
    let mut f = Vec::from(dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&ty.to_be_bytes());
    f
}

const PEER_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x99];
const PEER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 9);

/// An ICMP echo request from the peer to B.
fn echo_request(id: u16) -> Vec<u8> {
    let mut icmp = alloc::vec![8, 0, 0, 0];
    icmp.extend_from_slice(&id.to_be_bytes());
    icmp.extend_from_slice(&[0, 1]);
    icmp.extend_from_slice(b"ping data");
    let sum = checksum(&icmp);
    icmp[2..4].copy_from_slice(&sum.to_be_bytes());
    let mut ip = alloc::vec![0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 1, 0, 0];
    ip[2..4].copy_from_slice(&(20 + icmp.len() as u16).to_be_bytes());
    ip.extend_from_slice(&PEER_IP.octets());
    ip.extend_from_slice(&B_IP.octets());
    let sum = checksum(&ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    let mut f = ether(B_MAC, PEER_MAC, 0x0800);
    f.extend_from_slice(&ip);
    f.extend_from_slice(&icmp);
    f
}

/// Pushes `frames` into B; returns what it sent at once.
fn into_b(p: &mut Pair, frames: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let cx = p.cx(2);
    let mut b = Batch::new();
    for f in frames {
        b.push(p.pool.alloc_with(f).unwrap()).unwrap();
    }
    p.b.push(&cx, 0, &mut b, &mut []);
    b.iter().map(|f| f.data().to_vec()).collect()
}

#[test]
fn arp_and_ping_for_the_hosts_address_are_answered() {
    let mut p = Pair::new("");
    let mut arp = ether([0xff; 6], PEER_MAC, 0x0806);
    arp.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
    arp.extend_from_slice(&PEER_MAC);
    arp.extend_from_slice(&PEER_IP.octets());
    arp.extend_from_slice(&[0; 6]);
    arp.extend_from_slice(&B_IP.octets());
    let out = into_b(&mut p, &[arp.clone()]);
    assert_eq!(out.len(), 1);
    let reply = &out[0];
    assert_eq!(&reply[..6], &PEER_MAC);
    assert_eq!(&reply[12..14], &[0x08, 0x06]);
    assert_eq!(&reply[20..22], &[0, 2], "an ARP reply");
    assert_eq!(&reply[22..28], &B_MAC);
    assert_eq!(&reply[28..32], &B_IP.octets());
    // ARP for another address: no answer.
    let mut other = arp.clone();
    other[38..42].copy_from_slice(&[10, 0, 0, 77]);
    assert!(into_b(&mut p, &[other]).is_empty());

    let out = into_b(&mut p, &[echo_request(0x1234)]);
    assert_eq!(out.len(), 1, "{out:?}");
    let r = &out[0];
    assert_eq!(&r[..6], &PEER_MAC);
    assert_eq!(&r[26..30], &B_IP.octets());
    assert_eq!(&r[30..34], &PEER_IP.octets());
    assert_eq!(r[34], 0, "echo reply");
    assert_eq!(&r[38..40], &[0x12, 0x34]);
    assert_eq!(checksum(&r[34..]), 0, "ICMP checksum");
    assert_eq!(checksum(&r[14..34]), 0, "IP checksum");
    assert_eq!(p.b.read_handler("frames_in").unwrap(), "3");
    assert_eq!(p.b.read_handler("frames_out").unwrap(), "2");
}

#[test]
fn garbage_frames_are_dropped_without_harm() {
    let mut p = Pair::new("");
    let l = p.b().tcp_listen(80, 4, 4).unwrap();
    let mut rng = 0x1234_5678_9abc_def1u64;
    let mut next = || crate::tcpudp::rewriter::next_random(&mut rng);
    let valid = echo_request(1);
    for round in 0..200 {
        let frames: Vec<Vec<u8>> = (0..32)
            .map(|i| {
                if (round + i) % 2 == 0 {
                    // Random bytes, sometimes with B's MAC and IPv4's type.
                    let len = (next() % 120) as usize;
                    let mut f: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                    if len >= 14 && next() % 2 == 0 {
                        f[..6].copy_from_slice(&B_MAC);
                        f[12..14].copy_from_slice(&[8, 0]);
                    }
                    f
                } else {
                    // A valid ping with a few bytes changed or cut.
                    let mut f = valid.clone();
                    for _ in 0..3 {
                        let k = 14 + (next() as usize) % (f.len() - 14);
                        f[k] = next() as u8;
                    }
                    f.truncate(14 + (next() as usize) % (f.len() - 13));
                    f
                }
            })
            .collect();
        into_b(&mut p, &frames);
    }
    assert_eq!(p.b().counters().frames_in, 200 * 32);
    // B still works.
    let cx = p.cx(1);
    let c = p.a().tcp_connect(&cx, SocketAddrV4::new(B_IP, 80)).unwrap();
    p.until(100, |p| p.a().tcp_state(c) == Ok(TcpState::Open));
    assert!(p.b().tcp_accept(l).is_some());
}

#[test]
fn configuration_is_checked_and_read_back() {
    let cfg = "ADDR 10.0.0.2/24, ETH 52:54:00:12:34:56, GW 10.0.0.1, MAX_TCP 8, TCP_BUF 4k";
    let host = TCPIPHost::configure(cfg).unwrap();
    let shown = host.read_handler("config").unwrap();
    assert_eq!(
        shown,
        "ADDR 10.0.0.2/24, ETH 52:54:00:12:34:56, GW 10.0.0.1, MTU 1500, MAX_TCP 8, \
         TCP_BUF 4096, MAX_UDP 8, UDP_BUF 16384, UDP_QUEUE 32"
    );
    assert_eq!(settings(&shown), settings(cfg), "config reads back");
    let error = |cfg: &str| {
        let e = settings(cfg).unwrap_err().0;
        let first = &e[0];
        (
            first.message.clone(),
            first.span.clone().map(|s| cfg[s].to_string()),
        )
    };
    let (m, at) = error("ADDR 10.0.0.2/24, ETH 01:00:5e:00:00:01");
    assert!(m.contains("not a unicast"), "{m}");
    assert_eq!(at.as_deref(), Some("01:00:5e:00:00:01"));
    let (m, _) = error("ADDR 10.0.0.2/24, ETH 02:00:00:00:00:01, GW 10.0.1.1");
    assert!(m.contains("gateway"), "{m}");
    let (m, _) = error("ADDR 10.0.0.2/24, ETH 02:00:00:00:00:01, MTU 9000");
    assert!(m.contains("MTU"), "{m}");
    let (m, _) = error("ADDR 10.0.0.2/24, ETH 02:00:00:00:00:01, TCP_BUF 10");
    assert!(m.contains("TCP_BUF"), "{m}");
    let (m, _) = error("ETH 02:00:00:00:00:01");
    assert!(m.contains("ADDR"), "{m}");
    assert!(settings("ADDR 10.0.0.2/24, ETH 02:00:00:00:00:01, BOGUS 1").is_err());
    let spec = crate::lookup("TCPIPHost").unwrap();
    assert!((spec.check)(cfg).is_ok());
    assert!(spec.manual().next().unwrap().contains("TCPIPHost"));
    assert_eq!(
        host.read_handler("nope"),
        Err(nfc_dataplane::element::HandlerError::NoSuchHandler)
    );
}

#[test]
fn applications_find_the_stack_by_name() {
    use alloc::rc::Rc;
    use nfc_dataplane::element::Shared;
    let host = TCPIPHost::configure("ADDR 10.0.0.2/24, ETH 02:00:00:00:00:01").unwrap();
    let other: Shared = Rc::new(5u32);
    let lent: [(&str, Shared); 2] = [("h", host.shared().unwrap()), ("n", other)];
    let stack = find_stack(&lent, "h").unwrap();
    assert!(Rc::ptr_eq(&stack, host.stack()));
    assert_eq!(
        find_stack(&lent, "n").unwrap_err(),
        "HOST: 'n' is not a TCPIPHost"
    );
    assert_eq!(
        find_stack(&lent, "x").unwrap_err(),
        "HOST: no element named 'x'"
    );
}
