//! TCPIPHost, the smoltcp host stack element, on a TAP device, answering
//! the Linux kernel in a network namespace the test creates — under `nfc
//! click` (the generic runner) and compiled for `--plat linux` (generated
//! code):
//!
//! ```text
//!  netns vnf (nfc click)                          netns client
//!  FromDevice(nfch0) -> host -> ToDevice  ==TAP==  nfch0 10.202.0.1/24
//!  host :: TCPIPHost(ADDR 10.202.0.2/24, …)
//! ```
//!
//! - the kernel resolves the host's address with ARP (its neighbour table
//!   holds the host's MAC) and `ping` gets every echo answered;
//! - a TCP connection to a port nobody listens on is refused with a reset
//!   (`nc` says "refused" at once, not after a time-out), and the host
//!   counts it in `tcp_refused`;
//! - SIGINT stops `nfc click`, which prints the host's handlers, or the
//!   compiled program, which prints its counters (Counters on either side
//!   of the host).
//!
//! TCP data through the stack is shown by the element's unit tests (two
//! stacks back to back); an application element that serves TCP (the DNS
//! server's TCP side) brings its own test with a Linux client.
//!
//! Needs root (namespaces, TAP devices) and iproute2, iputils-ping,
//! netcat-openbsd and coreutils' `timeout` (scripts/setup.sh installs
//! them); where any is missing the test fails naming the Debian package.
//! Every wait has a deadline; the namespaces and `nfc click` are removed
//! even when a check fails.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};

use nfc::cli::{self, Input};
use nfc::codegen::Plat;
use nfc_tests::netns::{
    counters, interrupt, ip, nfc_binary, ping, read, require_tools, run_in, start_vnf, wait_for,
    Background, Scene,
};

const HOST: &str = "10.202.0.2";
const CLIENT: &str = "10.202.0.1";
const HOST_MAC: &str = "52:54:00:12:34:56";
const TAP: &str = "nfch0";

/// The commands the test runs, with the Debian package of each.
const TOOLS: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("ping", "iputils-ping"),
    ("nc.openbsd", "netcat-openbsd"),
    ("timeout", "coreutils"),
];

/// The handlers `nfc click -h` printed: `NAME.HANDLER:`, the value, an
/// empty line, for each.
fn handlers(out: &str) -> BTreeMap<String, String> {
    let mut lines = out.lines().filter(|l| !l.is_empty());
    let mut found = BTreeMap::new();
    while let Some(line) = lines.next() {
        if let (Some(name), Some(value)) = (line.strip_suffix(':'), lines.next()) {
            found.insert(name.to_string(), value.to_string());
        }
    }
    found
}

/// What a person would try from the client namespace: ping the host
/// (ARP first), and a TCP connection to a port nothing listens on.
fn talk_to_the_host(client: &str, log: &Path) {
    let out = ping(client, 3, &[], HOST);
    assert!(
        out.contains("3 received"),
        "ping the host:\n{out}\n{}",
        read(log)
    );
    let neigh = ip(&["-n", client, "neigh", "show", HOST]);
    assert!(
        neigh.contains(HOST_MAC),
        "ARP learnt the host's MAC: {neigh}"
    );

    let nc = run_in(
        client,
        10,
        &["nc.openbsd", "-z", "-v", "-w", "3", HOST, "80"],
    );
    let said = String::from_utf8_lossy(&nc.stderr);
    assert!(!nc.status.success(), "nothing listens on port 80: {said}");
    assert!(said.contains("refused"), "a reset, not a time-out: {said}");
}

#[test]
fn host_under_nfc_click_answers_arp_ping_and_refuses_a_closed_port() {
    require_tools(TOOLS, "host");
    let nfc = nfc_binary();
    let scene = Scene::new("host-click", &["vnf", "client"]);
    let (vnf_ns, client) = (scene.names[0].as_str(), scene.names[1].as_str());
    let config = format!(
        "host :: TCPIPHost(ADDR {HOST}/24, ETH {HOST_MAC}, GW {CLIENT}, MAX_TCP 8);\n\
         FromDevice({TAP}) -> host -> Queue(64) -> ToDevice({TAP});"
    );
    let (out_path, log_path) = (scene.dir.join("click.out"), scene.dir.join("click.log"));
    let mut vnf = Background(
        Command::new("ip")
            .args(["netns", "exec", vnf_ns])
            .arg(&nfc)
            .args(["click", "-e", &config])
            .args(["-h", "host.frames_in", "-h", "host.frames_out"])
            .args(["-h", "host.tcp_refused", "-h", "host.tcp_active"])
            .stdout(File::create(&out_path).expect("output file"))
            .stderr(File::create(&log_path).expect("log file"))
            .stdin(Stdio::null())
            .spawn()
            .expect("nfc click"),
    );
    wait_for("nfc click to open its TAP device", 10, || {
        let shown = run_in(vnf_ns, 5, &["ip", "link", "show", TAP]);
        shown.status.success()
    });
    scene.attach(vnf_ns, TAP, client, &format!("{CLIENT}/24"), HOST);
    talk_to_the_host(client, &log_path);

    // SIGINT: nfc click stops and prints the handlers.
    let status = interrupt(&mut vnf.0, "nfc click", 10);
    assert!(status.success(), "nfc click: {status}\n{}", read(&log_path));
    let h = handlers(&read(&out_path));
    println!("the host's handlers: {h:?}");
    let n = |k: &str| -> u64 {
        h.get(k)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {k} in {h:?}"))
    };
    // ARP request, three echo requests, the SYN (the kernel may add ARP
    // and IPv6 frames of its own); their answers.
    assert!(n("host.frames_in") >= 5, "{h:?}");
    assert!(n("host.frames_out") >= 5, "{h:?}");
    assert_eq!(n("host.tcp_refused"), 1, "{h:?}");
    assert_eq!(n("host.tcp_active"), 0, "{h:?}");
}

#[test]
fn host_compiled_for_linux_answers_arp_ping_and_refuses_a_closed_port() {
    require_tools(TOOLS, "host");
    let scene = Scene::new("host-compiled", &["vnf", "client"]);
    let (vnf_ns, client) = (scene.names[0].as_str(), scene.names[1].as_str());
    let config = scene.dir.join("host.click");
    std::fs::write(
        &config,
        format!(
            "host :: TCPIPHost(ADDR {HOST}/24, ETH {HOST_MAC}, GW {CLIENT});\n\
             FromDevice(eth0) -> seen :: Counter -> host -> sent :: Counter\n    \
             -> Queue(64) -> ToDevice(eth0);\n"
        ),
    )
    .expect("the configuration");
    let input = Input::read(config.to_str().expect("a UTF-8 path")).expect("host.click");
    let program = scene.dir.join("host");
    if let Err(e) = cli::compile(&input, &[], Plat::Linux, None, &program, false) {
        panic!("nfc compile host.click failed:\n{e}");
    }
    let log_path = scene.dir.join("host.log");
    let mut vnf = start_vnf(
        vnf_ns,
        &program,
        &["--dev", &format!("eth0={TAP}")],
        &log_path,
        "nfc: ready host 1 nics",
    );
    scene.attach(vnf_ns, TAP, client, &format!("{CLIENT}/24"), HOST);
    talk_to_the_host(client, &log_path);

    let status = interrupt(&mut vnf.0, "the compiled host", 10);
    let log = read(&log_path);
    assert!(status.success(), "the compiled host: {status}\n{log}");
    assert!(log.contains("nfc: stopped signal"), "{log}");
    let c = counters(&log);
    println!("the compiled host's counters: {c:?}");
    assert!(c["seen.count"] >= 5, "{c:?}");
    assert!(c["sent.count"] >= 5, "{c:?}");
    assert_eq!(c["host.drops"], 0, "{c:?}");
}
