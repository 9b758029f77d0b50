//! `xen-probe`: dom0's side of the Xen tests (`tests/tests/xen.rs` boots
//! Xen in QEMU with it in dom0's initramfs; `tests/xen/init` runs it).
//!
//! - `xen-probe setup`: the two bridges, `xenbr0` (inside: dom0 is the
//!   firewall's inside host 198.51.100.20) and `xenbr1` (outside: dom0 is
//!   its gateway 203.0.113.1), each with the MAC the firewall tests give
//!   that host, so that dom0's own ARP answers agree with the probe's.
//!   The NAT's neighbours (10.0.0.0/24 inside, gateway 198.51.100.254) are
//!   none of dom0's addresses: dom0 answers none of its ARP requests.
//! - `xen-probe all` / `xen-probe run NAME…`: the tests, each in a child
//!   process with a deadline, every domain destroyed between two; each
//!   prints `@@RESULT <name> PASS` or `@@RESULT <name> FAIL <reason>`, and
//!   figures as `@@FIGURE <name> <n>`.
//!
//! The tests, on `/guests/<name>.xen` with `/guests/<name>.cfg`:
//! `firewall` (boot lines, ping from dom0, then the firewall scenario
//! shared with the KVM tests over the vifs and the PV console), `nat`
//! (configs/nat.click: boot lines, then the NAT scenario shared with the
//! KVM tests, likewise), `two-vifs` (bridge.click: frames cross both
//! ways, counted; frames per second), `recreate` (ten create/destroy
//! rounds leave nothing behind),
//! `malformed` (garbage into both vifs; the domain still answers),
//! `shutdown` (`xl shutdown` stops it cleanly, reason poweroff), `crash`
//! (a fault on purpose: the report on the console, reason crash), and
//! `min-memory` (the smallest `memory =` with which the firewall boots and
//! forwards).

mod console;
mod dom0;
mod vif;
mod vnf;

use std::net::Ipv4Addr;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use nfc_dataplane::parse::EtherAddress;
use nfc_tests::filter_gen::Rng;
use nfc_tests::firewall_scenario;
use nfc_tests::frames::*;
use nfc_tests::golden::ether;
use nfc_tests::nat_scenario::{self, NAT_IN_MAC, NAT_OUT_MAC};
use nfc_tests::wire::{crosses, numbered, Wire};

use dom0::{domains, free_memory, run, wait, Domain};
use vif::Vif;
use vnf::XenVnf;

/// How long a first boot may take (TCG, nested).
const READY: Duration = Duration::from_secs(60);
/// How long a reply or a state change may take.
const WAIT: Duration = Duration::from_secs(30);
/// How long both vifs must stay quiet before the test takes it that
/// nothing more will come out.
const QUIET: Duration = Duration::from_millis(800);

/// The tests: name, function, deadline in seconds (each takes a few
/// seconds to 20 under TCG, its deadline several times that: a deadline
/// catches a test that hangs; tests/xen/init's `timeout 660` bounds them
/// all).
const TESTS: [(&str, fn(), u64); 8] = [
    ("firewall", firewall, 150),
    ("nat", nat, 90),
    ("two-vifs", two_vifs, 90),
    ("recreate", recreate, 180),
    ("malformed", malformed, 120),
    ("shutdown", shutdown, 60),
    ("crash", crash, 60),
    ("min-memory", min_memory, 120),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["setup"] => match setup() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("xen-probe setup: {e}");
                ExitCode::FAILURE
            }
        },
        ["all"] => run_tests(&TESTS.map(|(name, _, _)| name)),
        ["run", names @ ..] if !names.is_empty() => run_tests(names),
        ["one", name] => one(name),
        _ => {
            eprintln!(
                "usage: xen-probe setup | all | run NAME... | one NAME\n  tests: {}",
                TESTS.map(|(name, _, _)| name).join(" ")
            );
            ExitCode::from(2)
        }
    }
}

/// Panics with the error.
fn must<T>(r: Result<T, String>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// dom0's bridges and addresses.
fn setup() -> Result<(), String> {
    let t = Duration::from_secs(10);
    for (bridge, mac, ip) in [
        ("xenbr0", inside_mac(HOST), HOST),
        ("xenbr1", GATEWAY_MAC, GATEWAY),
    ] {
        let mac = EtherAddress(mac).to_string();
        let ip = format!("{}/24", Ipv4Addr::from(ip));
        run("ip", &["link", "add", bridge, "type", "bridge"], t)?;
        run("ip", &["link", "set", bridge, "address", &mac], t)?;
        run("ip", &["addr", "add", &ip, "dev", bridge], t)?;
        run("ip", &["link", "set", bridge, "up"], t)?;
    }
    run("ip", &["link", "set", "lo", "up"], t)?;
    Ok(())
}

/// Runs tests `names`, each as `xen-probe one NAME` killed at its
/// deadline, and reports those that could not report themselves.
fn run_tests(names: &[&str]) -> ExitCode {
    let me = std::env::current_exe().expect("the probe's own path");
    let mut all_passed = true;
    for name in names {
        let Some(&(_, _, secs)) = TESTS.iter().find(|(n, _, _)| n == name) else {
            println!("@@RESULT {name} FAIL no such test");
            all_passed = false;
            continue;
        };
        dom0::destroy_all();
        // Xen's messages from here on are this test's.
        let _ = run("xl", &["dmesg", "-c"], WAIT);
        println!("nfc-probe: test {name}");
        let start = Instant::now();
        let status = Command::new("timeout")
            .args(["-s", "KILL", &secs.to_string()])
            .arg(&me)
            .args(["one", name])
            .status();
        let passed = match status {
            Ok(s) if s.code() == Some(0) => true,
            Ok(s) if s.code() == Some(1) => false,
            Ok(s) => {
                println!("@@RESULT {name} FAIL killed at its deadline of {secs} s ({s})");
                false
            }
            Err(e) => {
                println!("@@RESULT {name} FAIL cannot run the probe: {e}");
                false
            }
        };
        println!(
            "nfc-probe: test {name} took {} ms",
            start.elapsed().as_millis()
        );
        if !passed {
            diagnose();
        }
        all_passed &= passed;
    }
    dom0::destroy_all();
    if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Prints what helps to see why a test failed: the domains, Xen's last
/// lines (a guest's triple fault shows there), the hotplug script's log.
fn diagnose() {
    let tail = |text: &str, n: usize| {
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    };
    let list = run("xl", &["list"], WAIT).unwrap_or_else(|e| e);
    let dmesg = run("xl", &["dmesg"], WAIT).unwrap_or_else(|e| e);
    let hotplug = std::fs::read_to_string("/var/log/xen/vif-bridge.log").unwrap_or_default();
    for text in [list, tail(&dmesg, 40), tail(&hotplug, 12)] {
        for line in text.lines() {
            println!("nfc-probe: | {line}");
        }
    }
}

/// Runs test `name` in this process and prints its result.
fn one(name: &str) -> ExitCode {
    let Some(&(_, test, _)) = TESTS.iter().find(|(n, _, _)| *n == name) else {
        println!("@@RESULT {name} FAIL no such test");
        return ExitCode::FAILURE;
    };
    match std::panic::catch_unwind(test) {
        Ok(()) => {
            println!("@@RESULT {name} PASS");
            ExitCode::SUCCESS
        }
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("a panic");
            let first = message.lines().next().unwrap_or_default();
            // A domain that died of a fault took the test with it: say so.
            let dmesg = run("xl", &["dmesg"], WAIT).unwrap_or_default();
            match dmesg.lines().find(|l| l.contains("Triple fault")) {
                Some(fault) => println!("@@RESULT {name} FAIL {first} [Xen: {}]", fault.trim()),
                None => println!("@@RESULT {name} FAIL {first}"),
            }
            ExitCode::FAILURE
        }
    }
}

/// Creates domain `name`, waits for its ready line and its vifs'
/// backends Connected; returns it, its console so far, and how long it
/// took from `xl create` to the ready line.
fn boot(name: &str) -> (Domain, String, Duration) {
    let start = Instant::now();
    let dom = must(Domain::create(name, &[]));
    let console = must(dom.wait_for(&format!("nfc: ready {name} 2 nics"), READY));
    let took = start.elapsed();
    must(dom.wait_connected(2, WAIT));
    (dom, console, took)
}

/// configs/firewall.click: boot lines, ping from dom0, the scenario.
fn firewall() {
    let (dom, console, took) = boot("firewall");
    println!("@@FIGURE xen-boot-ms {}", took.as_millis());
    netfronts(&console, [FW_IN_MAC, FW_OUT_MAC]);
    let to = Ipv4Addr::from(FW_IN_IP).to_string();
    let ping = must(run("ping", &["-c", "3", "-W", "5", &to], WAIT * 2));
    assert!(ping.contains(" 3 packets received"), "ping {to}:\n{ping}");
    firewall_scenario::run(XenVnf::new(dom, Side::answer_arp), &"xen");
}

/// configs/nat.click: boot lines, the NAT scenario.
fn nat() {
    let (dom, console, _) = boot("nat");
    netfronts(&console, [NAT_IN_MAC, NAT_OUT_MAC]);
    nat_scenario::run(XenVnf::new(dom, nat_scenario::answer_arp), &"xen");
}

/// Checks that `console` shows eth0 and eth1 as netfronts with `macs` on
/// vif 0 and 1.
fn netfronts(console: &str, macs: [[u8; 6]; 2]) {
    for (n, mac) in macs.iter().enumerate() {
        let line = format!("nfc: eth{n}: netfront {} at vif/{n}", EtherAddress(*mac));
        assert!(
            console.lines().any(|l| l.starts_with(&line)),
            "no `{line}…` on the console:\n{console}"
        );
    }
}

/// tests/kvm/bridge.click: frames cross both ways, counted; the rate.
fn two_vifs() {
    let (dom, _, _) = boot("bridge");
    let (a, b) = (must(dom.vif(0)), must(dom.vif(1)));
    crosses(&a, &b, 1, 100, &"xen, vif.0 to vif.1");
    crosses(&b, &a, 2, 100, &"xen, vif.1 to vif.0");
    let (fps, frames) = rate(&a, &b, Duration::from_secs(3));
    println!("@@FIGURE xen-fps {fps}");
    let mut console = must(dom.console());
    for (counter, want) in [("in0", 100 + frames), ("in1", 100)] {
        let reply = must(console.ask(&format!("READ {counter}.count"), WAIT));
        assert_eq!(
            reply.data.as_deref().map(str::trim),
            Some(want.to_string().as_str()),
            "{counter}.count: {:?}",
            reply.lines
        );
    }
    must(dom.destroy());
}

/// Frames per second from `from` through the domain to `to` for `span`:
/// 60-byte frames with at most a window of them on the way, each checked
/// to come out unchanged and in order. Returns the rate and how many
/// frames crossed.
fn rate(from: &Vif, to: &Vif, span: Duration) -> (u64, u64) {
    const WINDOW: u64 = 64;
    let frame = |n: u64| numbered(3, n as u16, 60);
    let (mut sent, mut got) = (0u64, 0u64);
    let start = Instant::now();
    let (mut last, mut stalled_since) = (start, start);
    loop {
        let sending = start.elapsed() < span;
        while sending && sent - got < WINDOW && must(from.try_send(&frame(sent))) {
            sent += 1;
        }
        match to.try_recv() {
            Some(f) => {
                assert!(
                    f == frame(got),
                    "frame {got} of the rate run changed or lost"
                );
                got += 1;
                last = Instant::now();
                stalled_since = last;
            }
            None if !sending && got == sent => break,
            None => {
                assert!(
                    stalled_since.elapsed() < Duration::from_secs(3),
                    "{got} of {sent} frames of the rate run came out"
                );
                std::thread::sleep(Duration::from_micros(200));
            }
        }
    }
    let ms = (last - start).as_millis().max(1) as u64;
    (got * 1000 / ms, got)
}

/// Ten create → ready → destroy rounds leave no domain, no backend and
/// no memory behind.
fn recreate() {
    let only_dom0 = || {
        domains()
            .ok()
            .filter(|d| d.len() == 1 && d[0].1 == 0)
            .map(|_| ())
    };
    must(wait("only Domain-0 before", WAIT, only_dom0));
    let before = must(free_memory());
    for round in 1..=10 {
        let (dom, _, took) = boot("firewall");
        println!("nfc-probe: round {round}: ready in {} ms", took.as_millis());
        must(dom.destroy().map_err(|e| format!("round {round}: {e}")));
    }
    let shown = || run("xl", &["list"], WAIT).unwrap_or_else(|e| e);
    must(
        wait("only Domain-0 in `xl list`", WAIT, only_dom0)
            .map_err(|e| format!("{e}:\n{}", shown())),
    );
    let backends =
        || run("xenstore-ls", &["/local/domain/0/backend/vif"], WAIT).unwrap_or_default();
    must(
        wait("end of backend/vif entries", WAIT, || {
            backends().trim().is_empty().then_some(())
        })
        .map_err(|e| format!("{e}:\n{}", backends())),
    );
    let mut after = 0;
    must(
        wait("free memory back", WAIT, || {
            after = free_memory().unwrap_or(0);
            (after == before).then_some(())
        })
        .map_err(|e| format!("{e}: {before} MiB before, {after} MiB after")),
    );
}

/// Garbage into both vifs: the firewall counts what reached its IP
/// check, keeps running, and still answers ARP and ping.
fn malformed() {
    let (dom, _, _) = boot("firewall");
    let mut fw = XenVnf::new(dom, Side::answer_arp);
    // The seed dom0's command line names (nfc.seed=0x…, to replay a
    // run), else the clock's.
    let cmdline = std::fs::read_to_string("/proc/cmdline").unwrap_or_default();
    let seed = cmdline
        .split_whitespace()
        .find_map(|a| a.strip_prefix("nfc.seed=0x"))
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    println!("nfc-probe: malformed frames from seed {seed:#x} (nfc.seed={seed:#x} replays them)");
    let mut rng = Rng(seed);
    let jumbo = fw
        .vifs
        .iter()
        .all(|v| run("ip", &["link", "set", &v.name, "mtu", "9000"], WAIT).is_ok());
    if !jumbo {
        println!("nfc-probe: the vifs take no MTU of 9000 (no feature-sg): oversized frames are 1514 bytes");
    }
    let bad_before = fw.count("bad_ip");
    let (mut surely_bad, mut maybe_bad) = (0, 0);
    for side in [Side::Inside, Side::Outside] {
        let frames = garbage(side, &mut rng, if jumbo { 9014 } else { 1514 });
        for (i, (frame, ip)) in frames.iter().enumerate() {
            // When the domain dies its vifs go down: say which frames came
            // last.
            if let Err(e) = fw.vifs[side as usize].try_send(frame) {
                let last: Vec<String> = frames[i.saturating_sub(6)..i]
                    .iter()
                    .map(|(f, _)| format!("{} bytes: {:02x?}", f.len(), &f[..f.len().min(48)]))
                    .collect();
                panic!(
                    "{e}, after {i} malformed frames into {side:?}: the domain is {:?}; the last ones:\n{}\nits console:\n{}",
                    fw.dom.state(),
                    last.join("\n"),
                    fw.dom.console_log()
                );
            }
            std::thread::sleep(Duration::from_millis(2));
            match ip {
                Ip::Bad => surely_bad += 1,
                Ip::Maybe => maybe_bad += 1,
                Ip::No => {}
            }
        }
        println!("nfc-probe: {} malformed frames into {side:?}", frames.len());
    }
    std::thread::sleep(QUIET);
    let state = fw.dom.state();
    assert!(
        state
            .as_deref()
            .is_some_and(|s| !s.contains(['s', 'c', 'd'])),
        "the domain is {state:?} after the garbage; its console:\n{}",
        fw.dom.console_log()
    );
    for v in &fw.vifs {
        v.drain(QUIET);
    }
    fw.answers(Side::Inside, SERVER, FW_IN_IP, &"xen");
    fw.answers(Side::Outside, GATEWAY, FW_OUT_IP, &"xen");
    let bad = fw.count("bad_ip") - bad_before;
    assert!(
        (surely_bad..=surely_bad + maybe_bad).contains(&bad),
        "bad_ip counted {bad}: {surely_bad} frames fail the IP check, {maybe_bad} more may"
    );
    let log = fw.dom.console_log();
    assert!(!log.contains("fault") && !log.contains("panic"), "{log}");
    must(fw.dom.destroy());
}

/// Whether a garbage frame reaches the firewall's IP check and fails it.
enum Ip {
    /// It does.
    Bad,
    /// It may (random bytes after an IPv4 header's EtherType).
    Maybe,
    /// It does not reach it.
    No,
}

/// Malformed frames for `side`: truncated and broken IPv4 headers, cut ARP
/// packets, runts (of at least [`vif::SHORTEST`] bytes: the socket sends
/// no shorter frame), random bytes, and frames of `big` bytes.
fn garbage(side: Side, rng: &mut Rng, big: usize) -> Vec<(Vec<u8>, Ip)> {
    let fw = side.fw_mac();
    let (host, to) = match side {
        Side::Inside => (SERVER, WEB),
        Side::Outside => (CLIENT, SERVER),
    };
    let mac = side.host_mac(host);
    let good = udp(host, 40000, to, 53);
    let mut frames = Vec::new();
    for cut in [0, 1, 10, 19] {
        frames.push((ether(fw, mac, 0x0800, &good[..cut]), Ip::Bad));
    }
    for (at, value) in [(0, 0x65), (0, 0x44), (10, good[10] ^ 0xff)] {
        // IPv6's version, a 16-byte header, a wrong checksum.
        let mut ip = good.clone();
        ip[at] = value;
        frames.push((ether(fw, mac, 0x0800, &ip), Ip::Bad));
    }
    // A total length beyond the frame, the checksum right.
    let mut long = good.clone();
    long[2..4].copy_from_slice(&1400u16.to_be_bytes());
    long[10..12].copy_from_slice(&[0, 0]);
    let sum = nfc_dataplane::checksum::checksum(&long[..20]);
    long[10..12].copy_from_slice(&sum.to_be_bytes());
    frames.push((ether(fw, mac, 0x0800, &long), Ip::Bad));
    let request = arp(1, mac, host, [0; 6], FW_IN_IP);
    for cut in [14, 16, 22, 34, 41] {
        frames.push((request[..cut].to_vec(), Ip::No));
    }
    for len in [vif::SHORTEST, 20, 33, 59] {
        let mut f = random_bytes(rng, len);
        f[..6].copy_from_slice(&fw);
        frames.push((f, Ip::No));
    }
    for _ in 0..40 {
        let len = 14 + rng.below(1501) as usize;
        let ethertype = [0x0800u16, 0x0806, rng.next_u64() as u16][rng.below(3) as usize];
        let ip = if ethertype == 0x0800 {
            Ip::Maybe
        } else {
            Ip::No
        };
        frames.push((ether(fw, mac, ethertype, &random_bytes(rng, len - 14)), ip));
    }
    for _ in 0..20 {
        let len = vif::SHORTEST + rng.below(1515 - vif::SHORTEST as u64) as usize;
        frames.push((random_bytes(rng, len), Ip::No));
    }
    for ethertype in [0x0800u16, 0x0806] {
        let ip = if ethertype == 0x0800 {
            Ip::Maybe
        } else {
            Ip::No
        };
        frames.push((ether(fw, mac, ethertype, &random_bytes(rng, big - 14)), ip));
    }
    frames
}

/// `n` random bytes.
fn random_bytes(rng: &mut Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.next_u64() as u8).collect()
}

/// `xl shutdown -w`: the image says it stopped, and Xen's reason is
/// poweroff (0).
fn shutdown() {
    let (dom, _, _) = boot("firewall");
    must(run("xl", &["shutdown", "-w", &dom.name], WAIT * 2));
    must(dom.wait_gone(WAIT));
    let console = dom.console_log();
    let stopped = console.lines().find(|l| l.starts_with("nfc: stopped"));
    assert!(
        stopped.is_some(),
        "no `nfc: stopped` on the console:\n{console}"
    );
    println!("nfc-probe: {}", stopped.unwrap_or_default());
    assert_eq!(
        shutdown_reason(&dom),
        "0",
        "Xen's shutdown reason (0 is poweroff)"
    );
}

/// A fault on purpose (`nfc.crash=page-fault` on the command line): the
/// report reaches the PV console and the domain shuts down as crashed.
fn crash() {
    let dom = must(Domain::create(
        "firewall",
        &["extra=\"nfc.crash=page-fault\""],
    ));
    let console = must(wait("`nfc: stopped fault`", WAIT, || {
        let log = dom.console_log();
        log.contains("nfc: stopped fault").then_some(log)
    }));
    assert!(
        console.contains("nfc: fault: page fault (vector 14"),
        "the fault report:\n{console}"
    );
    assert_eq!(
        shutdown_reason(&dom),
        "3",
        "Xen's shutdown reason (3 is crash)"
    );
}

/// The shutdown reason code xl logged for `dom`.
fn shutdown_reason(dom: &Domain) -> String {
    let shut = format!("Domain {} has shut down, reason code ", dom.id);
    let path = format!("/var/log/xen/xl-{}.log", dom.name);
    must(wait(&format!("`{shut}` in {path}"), WAIT, || {
        let log = std::fs::read_to_string(&path).ok()?;
        let line = log.lines().find(|l| l.contains(&shut))?;
        Some(
            line.split(&shut)
                .nth(1)?
                .split_whitespace()
                .next()?
                .to_string(),
        )
    }))
}

/// The smallest `memory =`, in MiB, with which the firewall boots (a
/// bisection between 4 and 16, where it must boot); every size that boots
/// must also forward.
fn min_memory() {
    let boots = |mib: u32| -> bool {
        let Ok(dom) = Domain::create("firewall", &[&format!("memory={mib}")]) else {
            println!("nfc-probe: memory = {mib}: xl create refused it");
            return false;
        };
        let ready = dom.wait_for("nfc: ready firewall 2 nics", WAIT);
        println!(
            "nfc-probe: memory = {mib}: {}",
            ready.as_ref().map_or("no ready line", |_| "ready")
        );
        if ready.is_err() {
            let _ = dom.destroy();
            return false;
        }
        must(dom.wait_connected(2, WAIT));
        let mut fw = XenVnf::new(dom, Side::answer_arp);
        assert!(
            fw.passes(Side::Inside, &udp(SERVER, 40000, WEB, 53)),
            "memory = {mib}: ready, but DNS out does not cross"
        );
        must(fw.dom.destroy());
        true
    };
    let (mut low, mut high) = (4, 16);
    assert!(boots(high), "the firewall does not boot in {high} MiB");
    if boots(low) {
        high = low;
    }
    while high - low > 1 {
        let mid = (low + high) / 2;
        if boots(mid) {
            high = mid;
        } else {
            low = mid;
        }
    }
    println!("@@FIGURE xen-min-memory-mib {high}");
}
