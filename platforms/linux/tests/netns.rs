//! FromDevice and ToDevice on real host devices — a TAP device and a veth
//! pair — inside a network namespace each test creates for itself, so
//! that no frame leaves it. The host kernel at the other end answers
//! pings.
//!
//! These tests need root (to create the namespace and the devices) and
//! the `ip` command (iproute2). Where either is missing they fail, saying
//! what is missing; they never pass without running.

use std::io;
use std::process::{Command, ExitCode};
use std::thread;
use std::time::{Duration, Instant};

use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Captured, Context, Element, TaskResult};
use nfc_dataplane::packet::{PacketPool, PacketType};
use nfc_dataplane::router::Router;
use nfc_platform_linux::net::tap_mac;
use nfc_platform_linux::{run, FromDevice, Linux, Options, ToDevice};

/// Runs `f` on a thread moved into a new, empty network namespace (the
/// namespace is per thread; commands it starts inherit it).
fn in_new_netns<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    thread::spawn(move || {
        // SAFETY: unshare(2) takes no pointers; CLONE_NEWNET moves only
        // this thread into a new network namespace.
        if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
            panic!(
                "cannot create a network namespace (unshare CLONE_NEWNET): {}; \
                 the device tests need root or CAP_SYS_ADMIN",
                io::Error::last_os_error()
            );
        }
        ip(&["link", "set", "lo", "up"]);
        f()
    })
    .join()
    .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// Runs `ip args…`, failing loudly when it cannot.
fn ip(args: &[&str]) -> String {
    let out = Command::new("ip").args(args).output().unwrap_or_else(|e| {
        panic!("cannot run `ip` ({e}): the device tests need iproute2's `ip` command")
    });
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The Ethernet address of interface `dev`, from `ip -o link show`.
fn mac_of(dev: &str) -> [u8; 6] {
    let out = ip(&["-o", "link", "show", dev]);
    let text = out
        .split("link/ether ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no link/ether address in {out:?}"));
    let mut mac = [0u8; 6];
    for (m, h) in mac.iter_mut().zip(text.split(':')) {
        *m = u8::from_str_radix(h, 16).unwrap();
    }
    mac
}

fn mac_text(mac: [u8; 6]) -> String {
    mac.map(|b| format!("{b:02x}")).join(":")
}

fn checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An ICMP echo request frame.
fn echo_request(dst: [u8; 6], src: [u8; 6], from: [u8; 4], to: [u8; 4], id: u16) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&[0x08, 0x00]);
    let mut ip = vec![0x45, 0, 0, 84, 0, 1, 0x40, 0, 64, 1, 0, 0];
    ip.extend_from_slice(&from);
    ip.extend_from_slice(&to);
    let sum = checksum(&ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    let mut icmp = vec![8, 0, 0, 0];
    icmp.extend_from_slice(&id.to_be_bytes());
    icmp.extend_from_slice(&[0, 1]);
    icmp.extend((0..56).map(|i| i as u8));
    let sum = checksum(&icmp);
    icmp[2..4].copy_from_slice(&sum.to_be_bytes());
    f.extend(ip);
    f.extend(icmp);
    f
}

/// Sends `frame` through `to`.
fn send(to: &mut ToDevice, pool: &'static PacketPool, frame: &[u8]) {
    let mut b = Batch::new();
    b.push(pool.alloc_with(frame).unwrap()).unwrap();
    to.push(&Context::at(pool, 1), 0, &mut b, &mut []);
}

/// Runs `from` until a frame matching `want` arrives (at most 5 s);
/// returns its packet type and device annotation, and every frame seen.
fn receive(
    from: &mut FromDevice,
    pool: &'static PacketPool,
    want: impl Fn(&[u8]) -> bool,
) -> (Option<(PacketType, u8)>, Vec<Vec<u8>>) {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        let mut got = Batch::new();
        let r = from.run_task(&Context::at(pool, 1), &mut got, &mut []);
        for p in got.iter() {
            seen.push(p.data().to_vec());
            if want(p.data()) {
                return (Some((p.packet_type(), p.device())), seen);
            }
        }
        if r == TaskResult::Idle {
            thread::sleep(Duration::from_millis(1));
        }
    }
    (None, seen)
}

/// An ICMP echo reply to `id`.
fn is_reply(f: &[u8], id: u16) -> bool {
    f.len() >= 42
        && f[12..14] == [0x08, 0x00]
        && f[23] == 1
        && f[34] == 0
        && f[38..40] == id.to_be_bytes()
}

/// An ARP request for `ip`.
fn is_arp_for(f: &[u8], ip: [u8; 4]) -> bool {
    f.len() >= 42 && f[12..14] == [0x08, 0x06] && f[20..22] == [0, 1] && f[38..42] == ip
}

#[test]
fn tap_device_talks_to_the_host_kernel() {
    in_new_netns(|| {
        let pool = PacketPool::new(64);
        let mut plat = Linux::new(pool);
        plat.map_device("eth0", "nfctap0");
        let mut from = FromDevice::new(&mut plat, "eth0, PROMISC true").unwrap();
        let mut to = ToDevice::new(&mut plat, "eth0").unwrap();
        assert_eq!(plat.nics(), 1, "FromDevice and ToDevice share one device");
        assert_eq!(from.0.device().borrow().kind(), "tap");
        let nf = tap_mac("nfctap0");
        let host = mac_of("nfctap0");
        assert_ne!(nf, host);
        ip(&["addr", "add", "10.99.0.1/24", "dev", "nfctap0"]);
        ip(&[
            "neigh",
            "add",
            "10.99.0.2",
            "lladdr",
            &mac_text(nf),
            "dev",
            "nfctap0",
        ]);

        // A ping from a known neighbour is answered to our address.
        send(
            &mut to,
            pool,
            &echo_request(host, nf, [10, 99, 0, 2], [10, 99, 0, 1], 0x4e46),
        );
        assert_eq!(to.read_handler("count").unwrap(), "1");
        let (got, seen) = receive(&mut from, pool, |f| is_reply(f, 0x4e46));
        assert_eq!(
            got,
            Some((PacketType::Host, 0)),
            "no echo reply among {seen:?}"
        );

        // A ping from an unknown address makes the kernel broadcast an ARP
        // request first.
        send(
            &mut to,
            pool,
            &echo_request(host, nf, [10, 99, 0, 3], [10, 99, 0, 1], 7),
        );
        let (got, seen) = receive(&mut from, pool, |f| is_arp_for(f, [10, 99, 0, 3]));
        assert_eq!(
            got,
            Some((PacketType::Broadcast, 0)),
            "no ARP request among {seen:?}"
        );
        assert!(from.read_handler("count").unwrap().parse::<u64>().unwrap() >= 2);
        assert_eq!(from.read_handler("kernel_drops").unwrap(), "0");
    });
}

#[test]
fn packet_socket_on_a_veth_interface() {
    in_new_netns(|| {
        ip(&[
            "link", "add", "nfcv0", "type", "veth", "peer", "name", "nfcv1",
        ]);
        ip(&["link", "set", "nfcv0", "up"]);
        ip(&["link", "set", "nfcv1", "up"]);
        ip(&["addr", "add", "10.99.1.1/24", "dev", "nfcv1"]);
        let (ours, peer) = (mac_of("nfcv0"), mac_of("nfcv1"));
        ip(&[
            "neigh",
            "add",
            "10.99.1.2",
            "lladdr",
            &mac_text(ours),
            "dev",
            "nfcv1",
        ]);
        let pool = PacketPool::new(64);
        let mut plat = Linux::new(pool);
        plat.map_device("eth1", "nfcv0");
        let mut to = ToDevice::new(&mut plat, "eth1").unwrap();
        let mut from = FromDevice::new(&mut plat, "eth1").unwrap();
        assert_eq!(from.0.device().borrow().kind(), "packet");
        assert_eq!(plat.nics(), 1);
        send(
            &mut to,
            pool,
            &echo_request(peer, ours, [10, 99, 1, 2], [10, 99, 1, 1], 0x0a0b),
        );
        let (got, seen) = receive(&mut from, pool, |f| is_reply(f, 0x0a0b));
        assert_eq!(
            got,
            Some((PacketType::Host, 0)),
            "no echo reply among {seen:?}"
        );
        assert!(
            !seen.iter().any(|f| f[12..14] == [0x08, 0x00] && f[34] == 8),
            "the request we sent came back to us"
        );
    });
}

#[test]
fn run_counts_the_nics_it_opened() {
    in_new_netns(|| {
        let console = Captured::leak();
        let options = Options {
            devices: vec![("eth0".into(), "nfctap1".into())],
            max_rounds: Some(5),
            ..Options::default()
        };
        let build = |plat: &mut Linux| {
            let mut r = Router::new();
            let from = FromDevice::new(plat, "eth0")?;
            r.add("in", "FromDevice", Box::new(from), 0, 1, false);
            let to = ToDevice::new(plat, "eth0")?;
            r.add("out", "ToDevice", Box::new(to), 1, 0, false);
            Ok(r)
        };
        let code = run("tapcfg", 64, &options, console, build, || Ok(Vec::new()));
        assert_eq!(code, ExitCode::SUCCESS);
        let lines = console.take();
        assert_eq!(
            lines[..2],
            ["nfc: ready tapcfg 1 nics", "nfc: stopped rounds"]
        );
        assert!(lines.contains(&"out.count 0".to_string()), "{lines:?}");
        assert!(lines.contains(&"out.drops 0".to_string()), "{lines:?}");
        // The TAP device nfc created is gone with the process's file (the
        // kernel unregisters it after the last close, not always at once).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut links = ip(&["-o", "link", "show"]);
        while links.contains("nfctap1") && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
            links = ip(&["-o", "link", "show"]);
        }
        assert!(!links.contains("nfctap1"), "{links}");
        // ALLOW_NONEXISTENT on a name that cannot be a device.
        let mut plat = Linux::new(PacketPool::new(4));
        plat.map_device("eth9", "no/such:dev");
        assert!(ToDevice::new(&mut plat, "eth9").is_err());
        let to = ToDevice::new(&mut plat, "eth9, ALLOW_NONEXISTENT true").unwrap();
        assert_eq!(to.0.device().borrow().kind(), "absent");
        assert_eq!(plat.nics(), 0);
    });
}
