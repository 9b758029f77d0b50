//! The firewall unikernel between real clients: `configs/firewall.click`
//! compiled with `--plat kvm` and booted in QEMU (TCG, microvm), and
//! compiled with `--plat arm64` and booted on arm64's virt, each with its
//! two NICs on TAP devices, between two network namespaces the test
//! creates:
//!
//! ```text
//!  netns inside                 netns fw (QEMU)                  netns outside
//!  fwin 198.51.100.10/24 ==TAP== eth0 [ firewall.kvm ] eth1 ==TAP== fwout 203.0.113.1/24
//!       198.51.100.20/24                                         (the upstream router,
//!  default via 198.51.100.1                                       $GATEWAY)
//! ```
//!
//! QEMU creates both TAP devices in the firewall's namespace; once the
//! image prints `nfc: ready firewall 2 nics`, the test moves each into
//! `inside` or `outside`, where the host kernel plays the hosts. With the
//! firewall's shipped rules ($SERVER is 198.51.100.10):
//!
//! - `curl` from inside to a web server outside (port 80) gets its page;
//!   to port 8080 outside it times out (not on the outbound allow-list);
//! - `curl` from outside to the published server's port 80 gets its page;
//!   to its port 8081 it times out (not published);
//! - `ping` from inside to outside and from outside to the server is
//!   answered; from outside to 198.51.100.20 (not published) it is not;
//!   the firewall answers pings to its own address;
//! - a listener waits behind every denied port, so a timeout can only be
//!   the firewall's doing;
//! - `WRITE stop` on the serial console stops the VNF, which prints its
//!   counters: allowed and denied in both directions.
//!
//! Needs root, iproute2, curl, netcat-openbsd, iputils-ping, coreutils'
//! `timeout` and QEMU (scripts/setup.sh installs them); a missing one
//! fails the test with its Debian package named.

use std::process::Stdio;
use std::time::Duration;

use nfc::qemu::{Backend, Machine, Nic, Vm};
use nfc_tests::netns::{
    counters, in_ns, ip, ping, require_tools, run_in, wait_for, Background, Scene,
};
use nfc_tests::vm::{self, Running};

const TOOLS: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("ss", "iproute2"),
    ("ping", "iputils-ping"),
    ("nc.openbsd", "netcat-openbsd"),
    ("curl", "curl"),
    ("timeout", "coreutils"),
];

const SERVER: &str = "198.51.100.10";
const OTHER_INSIDE: &str = "198.51.100.20";
const FW_INSIDE: &str = "198.51.100.1";
const FW_OUTSIDE: &str = "203.0.113.2";
const OUTSIDE_HOST: &str = "203.0.113.1";
const IN_TAP: &str = "fwin";
const OUT_TAP: &str = "fwout";

/// A one-shot web server: `nc` answers the first connection to `port` in
/// `ns` with a page saying `body`.
fn web_server(ns: &str, port: u16, body: &str) -> Background {
    let port = port.to_string();
    let page = format!(
        "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut child = in_ns(ns, 60, &["nc.openbsd", "-l", &port])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nc -l");
    use std::io::Write;
    let _ = child.stdin.take().unwrap().write_all(page.as_bytes());
    let filter = format!("sport = :{port}");
    wait_for(&format!("nc to listen on port {port} in {ns}"), 5, || {
        !run_in(ns, 5, &["ss", "-Hltn", &filter]).stdout.is_empty()
    });
    Background(child)
}

/// `curl` from `ns` to `url` with a 3-second limit: the page, or `None`.
fn curl(ns: &str, url: &str) -> Option<String> {
    let out = run_in(ns, 10, &["curl", "-s", "-m", "3", url]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn real_clients_through_the_kvm_firewall() {
    through(Machine::Microvm);
}

#[test]
fn real_clients_through_the_arm64_firewall() {
    through(Machine::Virt);
}

/// The whole check with the image for `machine`.
fn through(machine: Machine) {
    require_tools(TOOLS, "firewall unikernel");
    require_tools(
        &[(machine.program(), machine.package())],
        "firewall unikernel",
    );
    let scene = Scene::new(&format!("{machine}-firewall"), &["fw", "inside", "outside"]);
    let (fw, inside, outside) = (
        scene.names[0].as_str(),
        scene.names[1].as_str(),
        scene.names[2].as_str(),
    );
    let image = vm::image(
        env!("CARGO_TARGET_TMPDIR"),
        "configs/firewall.click",
        machine.plat(),
    );
    let mut vm = Vm::new(image);
    vm.machine = machine;
    vm.accel = nfc::qemu::Accel::from_env().unwrap();
    vm.nics = [(IN_TAP, [2, 0, 0, 0, 0, 1]), (OUT_TAP, [2, 0, 0, 0, 0, 2])]
        .into_iter()
        .map(|(tap, mac)| Nic {
            backend: Backend::Tap(tap.into()),
            mac,
        })
        .collect();
    let mut running = Running::start_in(fw, &vm);
    running.wait_for("nfc: ready firewall 2 nics", Duration::from_secs(60));
    scene.attach(fw, IN_TAP, inside, &format!("{SERVER}/24"), FW_INSIDE);
    ip(&[
        "-n",
        inside,
        "addr",
        "add",
        &format!("{OTHER_INSIDE}/24"),
        "dev",
        IN_TAP,
    ]);
    scene.attach(
        fw,
        OUT_TAP,
        outside,
        &format!("{OUTSIDE_HOST}/24"),
        FW_OUTSIDE,
    );

    // Pings: to the firewall, across where the rules allow, and not to
    // an inside host that is not published.
    let out = ping(inside, 2, &[], FW_INSIDE);
    assert!(out.contains("2 received"), "ping the firewall:\n{out}");
    let out = ping(inside, 3, &[], OUTSIDE_HOST);
    assert!(out.contains("3 received"), "ping inside → outside:\n{out}");
    let out = ping(outside, 3, &[], SERVER);
    assert!(out.contains("3 received"), "ping outside → server:\n{out}");
    let out = ping(outside, 2, &[], OTHER_INSIDE);
    assert!(
        out.contains(" 0 received"),
        "ping outside → {OTHER_INSIDE}:\n{out}"
    );

    // Web traffic: allowed ports get their page, the others time out
    // while something listens behind them.
    let _web_out = web_server(outside, 80, "outside web");
    let _blocked_out = web_server(outside, 8080, "should not be reached");
    assert_eq!(
        curl(inside, &format!("http://{OUTSIDE_HOST}:80/")).as_deref(),
        Some("outside web"),
        "curl inside → outside port 80"
    );
    assert_eq!(
        curl(inside, &format!("http://{OUTSIDE_HOST}:8080/")),
        None,
        "curl inside → outside port 8080 should be denied"
    );
    let _web_in = web_server(inside, 80, "published server");
    let _blocked_in = web_server(inside, 8081, "should not be reached");
    assert_eq!(
        curl(outside, &format!("http://{SERVER}:80/")).as_deref(),
        Some("published server"),
        "curl outside → server port 80"
    );
    assert_eq!(
        curl(outside, &format!("http://{SERVER}:8081/")),
        None,
        "curl outside → server port 8081 should be denied"
    );

    // A clean stop over the console, with the counters.
    running.type_in("WRITE stop\r\n");
    running.wait_for("nfc: stopped control", Duration::from_secs(30));
    let (console, ended) = running.finish(Duration::from_secs(30));
    assert!(ended, "QEMU did not end after the stop:\n{console}");
    let c = counters(&console);
    let at_least = |name: &str, n: u64| {
        let v = c.get(name).copied();
        assert!(
            v >= Some(n),
            "{name} = {v:?}, expected at least {n}:\n{console}"
        );
    };
    // Pings (3 + 3 requests and replies), the TCP handshakes and pages.
    at_least("allowed_out.count", 6);
    at_least("allowed_in.count", 6);
    // The SYNs to 8080 and 8081 (retried), and the two pings to .20.
    at_least("denied_out.count", 1);
    at_least("denied_in.count", 3);
    assert!(
        !console.contains("fault") && !console.contains("panic"),
        "{console}"
    );
}
