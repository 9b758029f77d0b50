//! The NAT of `configs/nat.click` between real hosts: compiled for linux
//! and run as a process, and compiled for kvm and booted in QEMU (TCG,
//! microvm), each with its two NICs on TAP devices between network
//! namespaces the test creates:
//!
//! ```text
//!  netns inside               netns nat (nfc / QEMU)            netns outside
//!  natin 10.0.0.2/24 ==TAP== eth0 [ nat ] eth1 ==TAP== natout 198.51.100.254/24
//!  default via 10.0.0.1                                 (the provider gateway)
//!                                                       lo 192.0.2.80/32 (servers)
//! ```
//!
//! The config is compiled with short timeouts (`-D UDP_TIMEOUT=3s -D
//! TCP_DONE_TIMEOUT=3s` and no guarantees), its other defines as shipped.
//! The NAT creates both TAP devices in its namespace; once it prints `nfc:
//! ready nat 2 nics`, the test moves each into `inside` or `outside`,
//! where the host kernel plays the customer's host and the provider
//! gateway. The servers on the outside (a small web server and a UDP
//! responder) and the many-connection client on the inside are the test's
//! own threads, moved into those namespaces ([`within`]). Then:
//!
//! - `curl` from inside gets a page from the web server, which says it was
//!   asked by the public address 198.51.100.1;
//! - `ping` from inside to the server is answered through the NAT (one
//!   ping mapping, `ping_rw.nmappings`), and the NAT answers pings to its
//!   own inside address;
//! - a UDP question from inside is answered; an answer sent after 1.5 s
//!   idle still gets in and `rw.udp_table` lists the mapping; once the
//!   flow has been idle for longer than its 3 s timeout the mapping is
//!   gone, and an answer sent then reaches the NAT but not the inside
//!   host;
//! - 1,000 TCP connections from inside, all open at once, each get their
//!   page; the server saw each from the public address, `rw.nmappings`
//!   counts them; once they are closed their mappings last until
//!   TCP_DONE_TIMEOUT and are gone after it;
//! - `tcpdump -w` on the outside link captured all of it: every IPv4
//!   packet the NAT sent there has source 198.51.100.1, and no packet
//!   carries an address of the customer's 10.0.0.0/24;
//! - the NAT stops cleanly (SIGINT on linux, `WRITE stop` on the kvm
//!   console) with no bad IP header and nothing untranslated counted.
//!
//! Needs root (namespaces, TAP devices) and iproute2, iputils-ping, curl,
//! tcpdump, coreutils' `timeout` and QEMU (scripts/setup.sh installs
//! them): where any is missing the test fails and names the Debian
//! package; it never passes without running. Every wait has a deadline;
//! the namespaces, the NAT and QEMU are removed even when a check fails.

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use etherparse::{Icmpv4Type, NetSlice, SlicedPacket, TransportSlice};
use nfc::codegen::Plat;
use nfc::qemu::{Accel, Backend, Nic, Vm};
use nfc_tests::netns::{
    counters, in_ns, ip, ping, read, require_tools, run_in, start_vnf, wait_exit, wait_for, within,
    Background, Scene,
};
use nfc_tests::vm::{self, Reply, Running};
use pcap_file::pcap::PcapReader;
use rustix::process::{Pid, Signal};

/// The commands the test runs, with the Debian package of each.
const TOOLS: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("ping", "iputils-ping"),
    ("curl", "curl"),
    ("tcpdump", "tcpdump"),
    ("timeout", "coreutils"),
];

/// The `-D` overrides the NAT is compiled with: short timeouts, and no
/// guarantee to outlast them.
const DEFINES: &[(&str, &str)] = &[
    ("UDP_TIMEOUT", "3s"),
    ("UDP_GUARANTEE", "0s"),
    ("TCP_DONE_TIMEOUT", "3s"),
    ("TCP_GUARANTEE", "0s"),
];
/// `$UDP_TIMEOUT` and `$TCP_DONE_TIMEOUT` as compiled.
const TIMEOUT: Duration = Duration::from_secs(3);

/// nat.click's addresses (its defaults).
const NAT_INSIDE: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const PUBLIC_IP: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
const GATEWAY: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 254);
const NAT_INSIDE_MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];
const NAT_PUBLIC_MAC: [u8; 6] = [2, 0, 0, 0, 0, 2];
/// The customer's host, and the servers on the "Internet".
const HOST: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const SERVER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 80);
const WEB_PORT: u16 = 80;
const UDP_PORT: u16 = 5300;
/// TAP device names, in the NAT's namespace first.
const IN_TAP: &str = "natin";
const OUT_TAP: &str = "natout";
/// TCP connections open at once, and the client threads opening them.
const CONNECTIONS: usize = 1000;
const OPENERS: usize = 8;
/// The longest wait for a handler's reply.
const REPLY_WAIT: Duration = Duration::from_secs(30);

#[test]
fn real_clients_through_the_linux_nat() {
    require_tools(TOOLS, "NAT");
    let scene = Scene::new("nat-linux", &["nat", "inside", "outside"]);
    let program = Path::new(env!("CARGO_TARGET_TMPDIR")).join("nat-short-timeouts");
    vm::build_image("configs/nat.click", DEFINES, Plat::Linux, &program);
    let log = scene.dir.join("nat.log");
    let control = scene.dir.join("control.sock");
    let process = start_vnf(
        &scene.names[0],
        &program,
        &[
            "--dev",
            &format!("eth0={IN_TAP}"),
            "--dev",
            &format!("eth1={OUT_TAP}"),
            "--control",
            &format!("unix:{}", control.display()),
        ],
        &log,
        "nfc: ready nat 2 nics",
    );
    through(
        &scene,
        Nat::Linux {
            process,
            log,
            control,
        },
    );
}

#[test]
fn real_clients_through_the_kvm_nat() {
    require_tools(TOOLS, "NAT unikernel");
    let mut vm = Vm::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("nat-short-timeouts.kvm"));
    require_tools(
        &[(vm.machine.program(), vm.machine.package())],
        "NAT unikernel",
    );
    let scene = Scene::new("nat-kvm", &["nat", "inside", "outside"]);
    vm::build_image("configs/nat.click", DEFINES, Plat::Kvm, &vm.kernel);
    vm.accel = Accel::from_env().unwrap();
    vm.nics = [(IN_TAP, NAT_INSIDE_MAC), (OUT_TAP, NAT_PUBLIC_MAC)]
        .into_iter()
        .map(|(tap, mac)| Nic {
            backend: Backend::Tap(tap.into()),
            mac,
        })
        .collect();
    let mut running = Running::start_in(&scene.names[0], &vm);
    running.wait_for("nfc: ready nat 2 nics", Duration::from_secs(60));
    running.wait_for("Click::ControlSocket/1.3", Duration::from_secs(10));
    through(&scene, Nat::Kvm(running));
}

/// The NAT under test, and how to reach its handlers.
enum Nat {
    /// The compiled program: its process, log and control socket.
    Linux {
        process: Background,
        log: PathBuf,
        control: PathBuf,
    },
    /// The image in QEMU, with ControlSocket on its serial console.
    Kvm(Running),
}

impl Nat {
    /// The value of read handler `handler`.
    fn read(&mut self, handler: &str) -> String {
        let command = format!("READ {handler}");
        let reply = match self {
            Nat::Linux { control, .. } => ask(control, &command),
            Nat::Kvm(vm) => vm.ask(&command, REPLY_WAIT),
        };
        assert_eq!(reply.code(), 200, "{command}: {:?}", reply.lines);
        reply.data.expect("a read brings data")
    }

    /// The number read handler `handler` gives.
    fn count(&mut self, handler: &str) -> u64 {
        let text = self.read(handler);
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{handler}: {text:?} is not a count"))
    }

    /// Stops the NAT (SIGINT, or `WRITE stop` on the console) and returns
    /// what it printed, its counters last.
    fn stop(self) -> String {
        match self {
            Nat::Linux {
                mut process, log, ..
            } => {
                signal(&process.0, Signal::INT);
                let status = wait_exit(&mut process.0, "the NAT after SIGINT", 10);
                let log = read(&log);
                assert!(status.success(), "the NAT exited with {status}:\n{log}");
                assert!(log.contains("nfc: stopped signal"), "{log}");
                log
            }
            Nat::Kvm(mut vm) => {
                vm.type_in("WRITE stop\r\n");
                vm.wait_for("nfc: stopped control", REPLY_WAIT);
                let (console, ended) = vm.finish(REPLY_WAIT);
                assert!(ended, "QEMU did not end after the stop:\n{console}");
                console
            }
        }
    }
}

/// Sends `command` to the ControlSocket at Unix socket `path` and returns
/// its reply (at most 10 s).
fn ask(path: &Path, command: &str) -> Reply {
    let mut sock = UnixStream::connect(path)
        .unwrap_or_else(|e| panic!("control socket {}: {e}", path.display()));
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    sock.write_all(format!("{command}\r\n").as_bytes())
        .expect("send a control command");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let got = String::from_utf8_lossy(&text).replace('\r', "");
        if let Some((reply, _)) = Reply::parse(&got, Reply::brings_data(command)) {
            return reply;
        }
        assert!(
            Instant::now() < deadline,
            "no reply to `{command}`: {got:?}"
        );
        match sock.read(&mut buf) {
            Ok(0) => panic!("the control socket closed before replying to `{command}`: {got:?}"),
            Ok(n) => text.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("control socket: {e}"),
        }
    }
}

/// Sends `sig` to `child`.
fn signal(child: &Child, sig: Signal) {
    rustix::process::kill_process(Pid::from_child(child), sig)
        .unwrap_or_else(|e| panic!("signal {sig:?} to {}: {e}", child.id()));
}

/// Lets this process hold `n` open files (the client's and the server's
/// sockets), raising the soft limit, and the hard one as root, if needed.
fn allow_open_files(n: u64) {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current.is_some_and(|c| c < n) {
        let maximum = limit.maximum.map(|m| m.max(n));
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(n),
                maximum,
            },
        )
        .unwrap_or_else(|e| panic!("cannot allow {n} open files: {e}"));
    }
}

/// The whole check, with the NAT `nat` started in `scene`'s first
/// namespace and its TAP devices still there.
fn through(scene: &Scene, mut nat: Nat) {
    let (nat_ns, inside, outside) = (
        scene.names[0].as_str(),
        scene.names[1].as_str(),
        scene.names[2].as_str(),
    );
    scene.attach(
        nat_ns,
        IN_TAP,
        inside,
        &format!("{HOST}/24"),
        &NAT_INSIDE.to_string(),
    );
    scene.attach(
        nat_ns,
        OUT_TAP,
        outside,
        &format!("{GATEWAY}/24"),
        &PUBLIC_IP.to_string(),
    );
    ip(&[
        "-n",
        outside,
        "addr",
        "add",
        &format!("{SERVER}/32"),
        "dev",
        "lo",
    ]);
    allow_open_files(4 * CONNECTIONS as u64);

    let pcap = scene.dir.join("outside.pcap");
    let capture = Capture::start(outside, OUT_TAP, &pcap, &scene.dir.join("tcpdump.log"));
    let web = Web::start(outside);

    // curl: a page, asked for by the public address.
    let url = format!("http://{SERVER}:{WEB_PORT}/curl");
    let out = run_in(inside, 15, &["curl", "-sS", "-m", "10", &url]);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && page.starts_with(&format!("/curl from {PUBLIC_IP}:")),
        "curl {url} from inside: {page:?} {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // ping: through the NAT to the server, and to the NAT itself.
    let out = ping(inside, 3, &[], &SERVER.to_string());
    assert!(out.contains("3 received"), "ping inside → server:\n{out}");
    let out = ping(inside, 2, &[], &NAT_INSIDE.to_string());
    assert!(out.contains("2 received"), "ping the NAT:\n{out}");
    assert_eq!(nat.count("ping_rw.nmappings"), 1, "one ping flow");

    let late = udp_exchange(&mut nat, inside, outside);
    many_connections(&mut nat, &web, inside);
    assert_eq!(nat.count("rw.mapping_failures"), 0);
    drop(web);

    let seen = capture.finish();
    check_capture(&pcap, late, &seen);

    let report = nat.stop();
    let c = counters(&report);
    for (name, want) in [("bad_ip.count", 0), ("untranslated.count", 0)] {
        assert_eq!(c.get(name), Some(&want), "{name}:\n{report}");
    }
}

/// A UDP question from inside and its answers: one right away, one after
/// 1.5 s idle (the mapping is listed), and one once the flow has been idle
/// longer than its timeout (the mapping is gone and the answer does not
/// get in). Returns the late answer's destination on the outside.
fn udp_exchange(nat: &mut Nat, inside: &str, outside: &str) -> SocketAddr {
    let server = within(outside, || UdpSocket::bind((SERVER, UDP_PORT))).expect("UDP server");
    let client = within(inside, || UdpSocket::bind((HOST, 0))).expect("UDP client");
    let wait = Some(Duration::from_secs(5));
    server.set_read_timeout(wait).unwrap();
    client.set_read_timeout(wait).unwrap();
    let host_port = client.local_addr().unwrap().port();
    let mut buf = [0u8; 64];
    let answer = |text: &str, to: SocketAddr| {
        server.send_to(text.as_bytes(), to).expect("UDP answer");
        let mut buf = [0u8; 64];
        match client.recv_from(&mut buf) {
            Ok((n, from)) => {
                assert_eq!(&buf[..n], text.as_bytes(), "answer from {from}");
                assert_eq!(from, SocketAddr::from((SERVER, UDP_PORT)));
            }
            Err(e) => panic!("UDP answer {text:?} did not come back: {e}"),
        }
    };

    client
        .send_to(b"question", (SERVER, UDP_PORT))
        .expect("UDP question");
    let (n, public) = server.recv_from(&mut buf).expect("the question arrives");
    assert_eq!(&buf[..n], b"question");
    assert_eq!(public.ip(), PUBLIC_IP, "the question's source");
    answer("answer", public);
    let mapping = format!(
        "({HOST}, {host_port}, {SERVER}, {UDP_PORT}) => ({PUBLIC_IP}, {}, {SERVER}, {UDP_PORT})",
        public.port()
    );

    // Idle for half the timeout: still there.
    thread::sleep(TIMEOUT / 2);
    let last = Instant::now();
    answer("still here", public);
    let table = nat.read("rw.udp_table");
    assert!(
        last.elapsed() < TIMEOUT,
        "reading rw.udp_table took longer than the timeout"
    );
    assert!(
        table.contains(&mapping),
        "rw.udp_table within the timeout should list {mapping}:\n{table}"
    );

    // Idle for longer than the timeout: gone, and an answer now is not
    // let in.
    thread::sleep(
        (last + TIMEOUT + Duration::from_millis(1500)).saturating_duration_since(Instant::now()),
    );
    let table = nat.read("rw.udp_table");
    assert!(
        !table.contains(&format!("({HOST}, {host_port}, ")),
        "rw.udp_table after the timeout should not list {mapping}:\n{table}"
    );
    server.send_to(b"late", public).expect("late UDP answer");
    client
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    if let Ok((n, from)) = client.recv_from(&mut buf) {
        panic!(
            "an answer after the timeout got in: {:?} from {from}",
            String::from_utf8_lossy(&buf[..n])
        );
    }
    public
}

/// [`CONNECTIONS`] TCP connections from inside, all open at once, each
/// with its page; `rw.nmappings` counts them; once closed, their mappings
/// last until TCP_DONE_TIMEOUT and no longer.
fn many_connections(nat: &mut Nat, web: &Web, inside: &str) {
    let before = web.peers().len();
    let streams = within(inside, || {
        thread::scope(|scope| {
            let openers: Vec<_> = (0..OPENERS)
                .map(|first| {
                    scope.spawn(move || {
                        (first..CONNECTIONS)
                            .step_by(OPENERS)
                            .map(get_page)
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            openers
                .into_iter()
                .flat_map(|o| o.join().expect("an opener"))
                .collect::<Vec<_>>()
        })
    });
    assert_eq!(streams.len(), CONNECTIONS);
    let peers = web.peers();
    let ports: std::collections::BTreeSet<u16> = peers[before..]
        .iter()
        .inspect(|p| assert_eq!(p.ip(), PUBLIC_IP, "the server saw {p}"))
        .map(SocketAddr::port)
        .collect();
    assert_eq!(ports.len(), CONNECTIONS, "one public port per connection");
    // The earlier flows (curl's, the UDP one) have timed out by now.
    let open = nat.count("rw.nmappings");
    assert_eq!(
        open, CONNECTIONS as u64,
        "rw.nmappings with {CONNECTIONS} connections open"
    );

    // Closed: each connection's mapping lasts TCP_DONE_TIMEOUT more.
    drop(streams);
    let closed = Instant::now();
    let held = nat.count("rw.nmappings");
    assert!(
        closed.elapsed() < TIMEOUT,
        "reading rw.nmappings took longer than the timeout"
    );
    assert_eq!(
        held, CONNECTIONS as u64,
        "rw.nmappings right after closing, before the timeout"
    );
    wait_for("the closed connections' mappings to time out", 20, || {
        nat.count("rw.nmappings") == 0
    });
    let gone = closed.elapsed();
    assert!(
        gone >= TIMEOUT,
        "mappings gone {gone:?} after closing, before TCP_DONE_TIMEOUT"
    );
    eprintln!(
        "nat: {CONNECTIONS} connections open at once, rw.nmappings {open}; \
         closed, {held} held, none {:.1} s later",
        gone.as_secs_f64()
    );
}

/// Connection `i` from inside: connects to the web server, asks for
/// `/conn/i`, checks the page (asked for by the public address), and
/// returns the connection, still open.
fn get_page(i: usize) -> TcpStream {
    let server = SocketAddr::from((SERVER, WEB_PORT));
    let mut s = TcpStream::connect_timeout(&server, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("connection {i}: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET /conn/{i} HTTP/1.0\r\n\r\n").expect("send the request");
    let mut response = Vec::new();
    let mut buf = [0u8; 512];
    let page = loop {
        if let Some(page) = body(&response) {
            break page;
        }
        match s.read(&mut buf) {
            Ok(n) if n > 0 => response.extend_from_slice(&buf[..n]),
            other => panic!(
                "connection {i}: {other:?} after {:?}",
                String::from_utf8_lossy(&response)
            ),
        }
    };
    let want = format!("/conn/{i} from {PUBLIC_IP}:");
    assert!(page.starts_with(&want), "connection {i}: page {page:?}");
    s
}

/// The body of HTTP response `r` once it has all come (its
/// Content-Length), else `None`.
fn body(r: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(r).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))?
        .parse()
        .ok()?;
    (body.len() >= len).then(|| body.to_string())
}

/// The web server on the outside, on [`SERVER`]:[`WEB_PORT`]: answers
/// `GET PATH` with a page `PATH from ADDR:PORT` (the client as the server
/// saw it), then holds the connection until the client closes it. Stops
/// when dropped.
struct Web {
    stop: Arc<AtomicBool>,
    peers: Arc<Mutex<Vec<SocketAddr>>>,
    acceptor: Option<JoinHandle<()>>,
}

/// How long the web server holds a connection at most.
const HOLD: Duration = Duration::from_secs(120);

impl Web {
    fn start(ns: &str) -> Web {
        let listener =
            within(ns, || TcpListener::bind((SERVER, WEB_PORT))).expect("web server's socket");
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let peers = Arc::new(Mutex::new(Vec::new()));
        let (stop2, peers2) = (stop.clone(), peers.clone());
        let acceptor = thread::spawn(move || {
            while !stop2.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((s, peer)) => {
                        peers2.lock().unwrap().push(peer);
                        let stop = stop2.clone();
                        thread::Builder::new()
                            .stack_size(64 * 1024)
                            .spawn(move || serve(s, peer, &stop))
                            .expect("a server thread");
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        thread::sleep(Duration::from_millis(2))
                    }
                    Err(e) => panic!("web server: accept: {e}"),
                }
            }
        });
        Web {
            stop,
            peers,
            acceptor: Some(acceptor),
        }
    }

    /// Every client address the server has seen, in order.
    fn peers(&self) -> Vec<SocketAddr> {
        self.peers.lock().unwrap().clone()
    }
}

impl Drop for Web {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// One connection of the web server: the request's head, the page, then
/// whatever comes until the client closes (or the server stops, or
/// [`HOLD`] passes).
fn serve(mut s: TcpStream, peer: SocketAddr, stop: &AtomicBool) {
    let deadline = Instant::now() + HOLD;
    let _ = s.set_nonblocking(false);
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 1024];
    // Some(n): n bytes read; None: the connection is over.
    let mut next = |s: &mut TcpStream| loop {
        match s.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => return Some(buf[..n].to_vec()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if stop.load(Ordering::Relaxed) || Instant::now() > deadline {
                    return None;
                }
            }
            Err(_) => return None,
        }
    };
    let mut head = Vec::new();
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match next(&mut s) {
            Some(bytes) if head.len() < 8192 => head.extend_from_slice(&bytes),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split(' ').nth(1).unwrap_or("?");
    let page = format!("{path} from {peer}\n");
    let response = format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{page}",
        page.len()
    );
    if s.write_all(response.as_bytes()).is_err() {
        return;
    }
    while next(&mut s).is_some() {}
}

/// `tcpdump -w` on one interface of a namespace, writing each packet as
/// it comes.
struct Capture {
    tcpdump: Background,
    log: PathBuf,
}

impl Capture {
    fn start(ns: &str, dev: &str, file: &Path, log: &Path) -> Capture {
        let file = file.to_str().expect("a UTF-8 path");
        let tcpdump = Background(
            in_ns(
                ns,
                300,
                &["tcpdump", "-n", "-U", "-Z", "root", "-i", dev, "-w", file],
            )
            .stdout(Stdio::null())
            .stderr(File::create(log).expect("tcpdump log"))
            .spawn()
            .expect("tcpdump"),
        );
        wait_for("tcpdump to listen", 10, || {
            read(log).contains("listening on")
        });
        Capture {
            tcpdump,
            log: log.to_path_buf(),
        }
    }

    /// Stops the capture (SIGTERM, which `timeout` passes on); returns
    /// what tcpdump said.
    fn finish(mut self) -> String {
        signal(&self.tcpdump.0, Signal::TERM);
        wait_exit(&mut self.tcpdump.0, "tcpdump", 10);
        read(&self.log)
    }
}

impl Drop for Capture {
    /// Stops tcpdump too when a check failed before [`Capture::finish`]
    /// (killing `timeout` would leave it running).
    fn drop(&mut self) {
        if let Ok(None) = self.tcpdump.0.try_wait() {
            let _ = rustix::process::kill_process(Pid::from_child(&self.tcpdump.0), Signal::TERM);
            for _ in 0..250 {
                if !matches!(self.tcpdump.0.try_wait(), Ok(None)) {
                    break;
                }
                thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// Checks the outside capture `pcap`: every IPv4 packet the NAT sent has
/// the public address as its source, no packet carries an inside address,
/// and the NAT sent the connections' SYNs, the UDP question and the pings;
/// the late UDP answer (to `late`) went to the NAT. `log` is tcpdump's.
fn check_capture(pcap: &Path, late: SocketAddr, log: &str) {
    let mut reader = PcapReader::new(File::open(pcap).expect("the capture"))
        .unwrap_or_else(|e| panic!("{}: {e}\n{log}", pcap.display()));
    let inside_net = |a: Ipv4Addr| a.octets()[..3] == [10, 0, 0];
    let (mut syns, mut udp, mut pings, mut late_seen, mut frames) = (0, 0, 0, false, 0);
    while let Some(packet) = reader.next_packet() {
        let packet = packet.unwrap_or_else(|e| panic!("{}: {e}\n{log}", pcap.display()));
        frames += 1;
        let frame = &packet.data;
        let sliced = SlicedPacket::from_ethernet(frame)
            .unwrap_or_else(|e| panic!("frame {frames} of the capture: {e}"));
        let Some(NetSlice::Ipv4(ip)) = &sliced.net else {
            continue;
        };
        let (src, dst) = (ip.header().source_addr(), ip.header().destination_addr());
        assert!(
            !inside_net(src) && !inside_net(dst),
            "frame {frames} outside carries an inside address: {src} → {dst}"
        );
        if frame[6..12] != NAT_PUBLIC_MAC {
            if late.ip() == std::net::IpAddr::V4(dst) {
                if let Some(TransportSlice::Udp(u)) = &sliced.transport {
                    late_seen |= u.destination_port() == late.port() && u.payload() == b"late";
                }
            }
            continue;
        }
        assert_eq!(src, PUBLIC_IP, "frame {frames} from the NAT: {src} → {dst}");
        match &sliced.transport {
            Some(TransportSlice::Tcp(t)) if t.syn() && !t.ack() => syns += 1,
            Some(TransportSlice::Udp(_)) => udp += 1,
            Some(TransportSlice::Icmpv4(i))
                if matches!(i.icmp_type(), Icmpv4Type::EchoRequest(_)) =>
            {
                pings += 1
            }
            _ => {}
        }
    }
    assert!(
        syns > CONNECTIONS && udp >= 1 && pings >= 3,
        "the capture should hold what the NAT sent: {syns} SYNs, {udp} UDP, {pings} pings"
    );
    assert!(
        late_seen,
        "the late UDP answer to {late} is not in the capture"
    );
    eprintln!(
        "nat: outside capture: {frames} frames; from the NAT, all from {PUBLIC_IP}: \
         {syns} SYNs, {udp} UDP, {pings} echo requests"
    );
}
