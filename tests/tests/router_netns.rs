//! The router of `configs/router.click`, compiled for linux and run as a
//! process, forwards real traffic between two network namespaces that the
//! test creates:
//!
//! ```text
//!  netns left               netns router (nfc)               netns right
//!  nfcl0 10.201.1.2/24 ==TAP== eth0 [ router ] eth1 ==TAP== nfcr0 10.201.2.2/24
//!        default via 10.201.1.1                       default via 10.201.2.1
//! ```
//!
//! The router runs in a namespace of its own and creates both TAP devices
//! there (`--dev eth0=nfcl0 --dev eth1=nfcr0`); once it prints `nfc:
//! ready`, the test moves each device's host side into `left` or `right`,
//! where the host kernel plays an end host. The config is compiled with
//! `-D` overrides for the addresses above, `$UNROUTED` 10.201.99.0/24 and a
//! link MTU of 1400 (below the hosts' 1500), so that fragmentation and path
//! MTU discovery go through the router too. Then, with the Debian tools a
//! person would use:
//!
//! - `ping` left → right is answered, with TTL 63 (one hop), and the
//!   router answers pings to its own address;
//! - `tcpdump` in `right` sees an echo request sent with TTL 42 arrive with
//!   TTL 41;
//! - a 3,000-byte ping (fragments, which the router fragments again to its
//!   MTU) is answered;
//! - 512 KiB of random bytes cross with `nc` in each direction and arrive
//!   intact; on the way `left`'s kernel learns the path MTU 1400 from the
//!   router's ICMP error;
//! - a 1,450-byte ping with DF set from `right` gets "Frag needed and DF
//!   set (mtu = 1400)" from the router's address on `right`'s side;
//! - a ping into `$UNROUTED` gets "Destination Net Unreachable", and one
//!   with TTL 1 gets "Time to live exceeded", both from the router;
//! - SIGINT stops the router cleanly: `nfc: stopped signal` and its
//!   counters.
//!
//! Needs root (network namespaces, TAP devices) and iproute2, iputils-ping,
//! netcat-openbsd, tcpdump and coreutils' `timeout` (scripts/setup.sh
//! installs them). Where any is missing the test fails and names the
//! Debian package; it never passes without running. Every wait has a
//! deadline; the namespaces and the router process are removed even when
//! a check fails.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::Stdio;

use nfc::cli::{self, Input};
use nfc::codegen::Plat;
use nfc_tests::netns::{
    counters, in_ns, interrupt, ip, ping, read, require_tools, run_in, start_vnf, wait_exit,
    wait_for, Background, Scene,
};

/// The `-D` overrides the router is compiled with.
const DEFINES: &[(&str, &str)] = &[
    ("IP0", "10.201.1.1"),
    ("NET0", "10.201.1.0"),
    ("IP1", "10.201.2.1"),
    ("NET1", "10.201.2.0"),
    ("GATEWAY", "10.201.2.254"),
    ("UNROUTED", "10.201.99.0/24"),
    ("MTU", "1400"),
];
const LEFT_HOST: &str = "10.201.1.2";
const RIGHT_HOST: &str = "10.201.2.2";
const ROUTER_LEFT: &str = "10.201.1.1";
const ROUTER_RIGHT: &str = "10.201.2.1";
const UNROUTED_HOST: &str = "10.201.99.5";
/// TAP device names, in the router's namespace first.
const LEFT_TAP: &str = "nfcl0";
const RIGHT_TAP: &str = "nfcr0";
/// Bytes sent each way over TCP.
const TRANSFER: usize = 512 * 1024;

/// The commands the test runs, with the Debian package of each.
const TOOLS: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("ss", "iproute2"),
    ("ping", "iputils-ping"),
    ("nc.openbsd", "netcat-openbsd"),
    ("tcpdump", "tcpdump"),
    ("timeout", "coreutils"),
];

/// Compiles the router with [`DEFINES`] into `out`.
fn compile_router(out: &Path) {
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/../configs/router.click");
    let input = Input::read(config).expect("configs/router.click");
    let defines: Vec<(String, String)> = DEFINES
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if let Err(e) = cli::compile(&input, &defines, Plat::Linux, None, out, false) {
        panic!("nfc compile configs/router.click failed:\n{e}");
    }
}

/// Sends `data` with `nc` from `from` to `to_addr:port` (a listener in
/// `to`) and returns what the listener received.
fn transfer(scene: &Scene, from: &str, to: &str, to_addr: &str, port: u16, data: &Path) -> Vec<u8> {
    let port = port.to_string();
    let received = scene.dir.join(format!("received-{port}"));
    let mut listener = Background(
        in_ns(to, 30, &["nc.openbsd", "-l", &port])
            .stdout(File::create(&received).expect("received file"))
            .stderr(Stdio::null())
            .spawn()
            .expect("nc -l"),
    );
    let filter = format!("sport = :{port}");
    wait_for(&format!("nc to listen on port {port} in {to}"), 5, || {
        let out = run_in(to, 5, &["ss", "-Hltn", &filter]);
        !out.stdout.is_empty()
    });
    let sent = in_ns(from, 30, &["nc.openbsd", "-N", "-w", "5", to_addr, &port])
        .stdin(File::open(data).expect("data file"))
        .output()
        .expect("nc");
    assert!(
        sent.status.success(),
        "nc {to_addr} {port} from {from} failed: {}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let status = wait_exit(&mut listener.0, "the nc listener", 30);
    assert!(status.success(), "nc -l {port} in {to}: {status}");
    std::fs::read(&received).expect("received data")
}

#[test]
fn router_forwards_between_namespaces() {
    require_tools(TOOLS, "router");
    let scene = Scene::new("router-netns", &["rt", "left", "right"]);
    let (router_ns, left, right) = (
        scene.names[0].as_str(),
        scene.names[1].as_str(),
        scene.names[2].as_str(),
    );
    let program = scene.dir.join("router");
    compile_router(&program);

    // The router, in its own namespace, creating both TAP devices.
    let log_path = scene.dir.join("router.log");
    let mut router = start_vnf(
        router_ns,
        &program,
        &[
            "--dev",
            &format!("eth0={LEFT_TAP}"),
            "--dev",
            &format!("eth1={RIGHT_TAP}"),
        ],
        &log_path,
        "nfc: ready router 2 nics",
    );
    scene.attach(
        router_ns,
        LEFT_TAP,
        left,
        &format!("{LEFT_HOST}/24"),
        ROUTER_LEFT,
    );
    scene.attach(
        router_ns,
        RIGHT_TAP,
        right,
        &format!("{RIGHT_HOST}/24"),
        ROUTER_RIGHT,
    );

    // Ping across: every request answered, one hop on the way back.
    let out = ping(left, 3, &[], RIGHT_HOST);
    assert!(out.contains("3 received"), "ping left → right:\n{out}");
    assert!(out.contains("ttl=63"), "replies cross one router:\n{out}");
    let out = ping(right, 1, &[], ROUTER_RIGHT);
    assert!(out.contains("1 received"), "ping the router:\n{out}");

    // The TTL a receiver sees is one less than sent.
    let capture = scene.dir.join("tcpdump.txt");
    let capture_log = scene.dir.join("tcpdump.log");
    let mut tcpdump = Background(
        in_ns(
            right,
            15,
            &["tcpdump", "-n", "-v", "-l", "-c", "1", "-i", RIGHT_TAP],
        )
        .args(["icmp[icmptype] = icmp-echo"])
        .stdout(File::create(&capture).expect("capture file"))
        .stderr(File::create(&capture_log).expect("capture log"))
        .spawn()
        .expect("tcpdump"),
    );
    wait_for("tcpdump to listen", 10, || {
        read(&capture_log).contains("listening on")
    });
    let out = ping(left, 1, &["-t", "42"], RIGHT_HOST);
    assert!(out.contains("1 received"), "ping with TTL 42:\n{out}");
    wait_exit(&mut tcpdump.0, "tcpdump", 15);
    let seen = read(&capture);
    assert!(
        seen.contains("ttl 41,")
            && seen.contains(&format!("{LEFT_HOST} > {RIGHT_HOST}: ICMP echo request")),
        "the echo request sent with TTL 42 should arrive with TTL 41:\n{seen}"
    );

    // Fragments, fragmented again by the router to its MTU of 1400.
    let out = ping(left, 1, &["-s", "3000"], RIGHT_HOST);
    assert!(
        out.contains("3008 bytes from") && out.contains("1 received"),
        "a 3,000-byte ping:\n{out}"
    );

    // TCP both ways. The router's MTU (1400) is below the hosts' (1500):
    // `left` learns the path MTU from the router's "fragmentation needed"
    // error.
    let mut data = vec![0u8; TRANSFER];
    File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut data))
        .expect("random bytes");
    let data_path = scene.dir.join("data");
    std::fs::write(&data_path, &data).expect("data file");
    let got = transfer(&scene, left, right, RIGHT_HOST, 5001, &data_path);
    assert!(
        got == data,
        "left → right: {} of {TRANSFER} bytes, not the same",
        got.len()
    );
    let route = ip(&["-n", left, "route", "get", RIGHT_HOST]);
    assert!(route.contains("mtu 1400"), "path MTU not learnt: {route}");
    let got = transfer(&scene, right, left, LEFT_HOST, 5002, &data_path);
    assert!(
        got == data,
        "right → left: {} of {TRANSFER} bytes, not the same",
        got.len()
    );

    // Too big, with DF set: the router says which MTU would do, from its
    // address on the sender's side (FixIPSrc).
    let out = ping(right, 1, &["-s", "1450", "-M", "do"], LEFT_HOST);
    assert!(
        out.contains(&format!(
            "From {ROUTER_RIGHT} icmp_seq=1 Frag needed and DF set (mtu = 1400)"
        )),
        "a 1,450-byte ping with DF set:\n{out}"
    );

    // What the router refuses, and says so.
    let out = ping(left, 1, &[], UNROUTED_HOST);
    assert!(
        out.contains(&format!(
            "From {ROUTER_LEFT} icmp_seq=1 Destination Net Unreachable"
        )),
        "a ping into $UNROUTED:\n{out}"
    );
    let out = ping(left, 1, &["-t", "1"], RIGHT_HOST);
    assert!(
        out.contains(&format!(
            "From {ROUTER_LEFT} icmp_seq=1 Time to live exceeded"
        )),
        "a ping with TTL 1:\n{out}"
    );

    // SIGINT: a clean stop, with counters.
    let status = interrupt(&mut router.0, "the router", 10);
    let log = read(&log_path);
    assert!(status.success(), "the router exited with {status}:\n{log}");
    assert!(log.contains("nfc: stopped signal"), "{log}");
    let c = counters(&log);
    let at_least = |name: &str, n: u64| {
        let v = c.get(name).copied();
        assert!(
            v >= Some(n),
            "{name} = {v:?}, expected at least {n}:\n{log}"
        );
    };
    // 2 × 512 KiB in segments of at most 1,400 bytes, plus the acks.
    at_least("ip.count", 2 * (TRANSFER / 1400) as u64);
    at_least("p0/tx.count", (TRANSFER / 1400) as u64);
    at_least("p1/tx.count", (TRANSFER / 1400) as u64);
    at_least("p1/dt.drops", 1);
    assert_eq!(c.get("ip.drops"), Some(&0), "no bad IP headers:\n{log}");
    for queue in ["p0/out.drops", "p1/out.drops"] {
        assert_eq!(c.get(queue), Some(&0), "{queue}:\n{log}");
    }
}
