//! Network namespaces for tests with real clients: the tools they need
//! (each named with its Debian package when missing), `ip` and commands
//! run inside a namespace with a deadline, [`within`] (a thread of the
//! test moved into a namespace, for the test's own sockets there),
//! [`Scene`] (namespaces made for one test and removed after it, TAP
//! devices moved into them), and the counters a VNF prints when it stops.
//!
//! Needs root. Every wait has a deadline.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Builds the `nfc` binary in the calling test's profile and returns its
/// path: the tests crate links nfc as a library, so Cargo does not build
/// the program for it (`nfc click` tests run it as a process).
pub fn nfc_binary() -> PathBuf {
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .args(["build", "--quiet", "-p", "nfc", "--bin", "nfc"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if !cfg!(debug_assertions) {
        cargo.arg("--release");
    }
    let status = cargo.status().expect("cargo runs");
    assert!(status.success(), "cargo build -p nfc failed");
    // target/<profile>/deps/<test>-… → target/<profile>/nfc
    let exe = std::env::current_exe().expect("the test knows its path");
    let nfc = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps")
        .join("nfc");
    assert!(nfc.is_file(), "no nfc at {}", nfc.display());
    nfc
}

/// Sends SIGINT to `child` (a VNF's clean stop: it prints its counters or
/// handlers) and waits at most `secs` for it to exit.
pub fn interrupt(child: &mut Child, what: &str, secs: u64) -> std::process::ExitStatus {
    let pid = i32::try_from(child.id())
        .ok()
        .and_then(rustix::process::Pid::from_raw)
        .unwrap_or_else(|| panic!("{what} has no pid"));
    rustix::process::kill_process(pid, rustix::process::Signal::INT)
        .unwrap_or_else(|e| panic!("SIGINT to {what}: {e}"));
    wait_exit(child, what, secs)
}

/// Fails, naming the Debian package, when a command `test` needs (of
/// `tools`: command and package) is not installed.
pub fn require_tools(tools: &[(&str, &str)], test: &str) {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .collect();
    let missing: Vec<String> = tools
        .iter()
        .filter(|(cmd, _)| !dirs.iter().any(|d| d.join(cmd).is_file()))
        .map(|(cmd, pkg)| format!("`{cmd}` (Debian package {pkg})"))
        .collect();
    assert!(
        missing.is_empty(),
        "the {test} test needs {}: run scripts/setup.sh as root",
        missing.join(", ")
    );
}

/// Runs `ip args…`, failing loudly when it cannot.
pub fn ip(args: &[&str]) -> String {
    let out = Command::new("ip").args(args).output().unwrap_or_else(|e| {
        panic!("cannot run `ip` ({e}): the test needs iproute2's `ip` command")
    });
    assert!(
        out.status.success(),
        "ip {}: {}(the test needs root to create network namespaces)",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A command run inside network namespace `ns`, killed after `secs`
/// seconds if it has not finished (coreutils' `timeout`).
pub fn in_ns(ns: &str, secs: u32, args: &[&str]) -> Command {
    let mut c = Command::new("timeout");
    c.args(["-k", "2", &secs.to_string(), "ip", "netns", "exec", ns])
        .args(args);
    c
}

/// Runs `args` in `ns` to completion (at most `secs` seconds) and returns
/// its output.
pub fn run_in(ns: &str, secs: u32, args: &[&str]) -> Output {
    in_ns(ns, secs, args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {args:?} in {ns}: {e}"))
}

/// `ping -n -c COUNT -W 2 EXTRA… DST` in `ns`; its standard output.
pub fn ping(ns: &str, count: u32, extra: &[&str], dst: &str) -> String {
    let count = count.to_string();
    let mut args = vec!["ping", "-n", "-c", &count, "-i", "0.2", "-W", "2"];
    args.extend_from_slice(extra);
    args.push(dst);
    let out = run_in(ns, 20, &args);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `f` on a thread of its own moved into network namespace `ns` (one
/// `ip netns add` made) and returns what `f` returns. Sockets `f` opens
/// belong to `ns` wherever they are used afterwards, and threads it
/// spawns start in `ns`: so the test's own clients and servers, written
/// with std's sockets, run in the namespaces it made.
pub fn within<T: Send>(ns: &str, f: impl FnOnce() -> T + Send) -> T {
    thread::scope(|scope| {
        let moved = scope.spawn(|| {
            let path = Path::new("/run/netns").join(ns);
            let handle = File::open(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (a namespace made with `ip netns add`)",
                    path.display()
                )
            });
            rustix::thread::move_into_link_name_space(
                handle.as_fd(),
                Some(rustix::thread::LinkNameSpaceType::Network),
            )
            .unwrap_or_else(|e| panic!("setns into {ns}: {e} (the test needs root)"));
            f()
        });
        moved
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Polls `ready` every 20 ms until it holds; fails with `what` after
/// `secs` seconds.
pub fn wait_for(what: &str, secs: u64, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// Waits at most `secs` seconds for `child` to exit.
pub fn wait_exit(child: &mut Child, what: &str, secs: u64) -> std::process::ExitStatus {
    let mut status = None;
    wait_for(&format!("{what} to exit"), secs, || {
        status = child.try_wait().expect("try_wait");
        status.is_some()
    });
    status.expect("exited")
}

/// The text of file `path`, or nothing when it cannot be read (yet).
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Network namespaces and a scratch directory, removed on drop.
pub struct Scene {
    /// The namespaces, in the order asked for.
    pub names: Vec<String>,
    /// The scratch directory.
    pub dir: PathBuf,
}

impl Scene {
    /// Namespaces `nfc-<test>-<role>-<pid>` for each of `roles`, each with its
    /// loopback up, and a scratch directory named after `test`.
    pub fn new(test: &str, roles: &[&str]) -> Scene {
        let id = std::process::id();
        let dir = std::env::temp_dir().join(format!("nfc-{test}-{id}"));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        let scene = Scene {
            names: roles
                .iter()
                .map(|r| format!("nfc-{test}-{r}-{id}"))
                .collect(),
            dir,
        };
        for ns in &scene.names {
            ip(&["netns", "add", ns]);
            ip(&["-n", ns, "link", "set", "lo", "up"]);
        }
        scene
    }

    /// Moves TAP `tap` from namespace `from` into `ns`, gives it `addr`
    /// (with its prefix length) and a default route through `gateway`.
    pub fn attach(&self, from: &str, tap: &str, ns: &str, addr: &str, gateway: &str) {
        ip(&["-n", from, "link", "set", tap, "netns", ns]);
        ip(&["-n", ns, "addr", "add", addr, "dev", tap]);
        ip(&["-n", ns, "link", "set", tap, "up"]);
        ip(&["-n", ns, "route", "add", "default", "via", gateway]);
    }
}

impl Drop for Scene {
    fn drop(&mut self) {
        for ns in &self.names {
            let _ = Command::new("ip")
                .args(["netns", "del", ns])
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A process running in the background, killed on drop if still running.
pub struct Background(pub Child);

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `program` (a configuration compiled for linux) with `args` in
/// namespace `ns`, its console (standard error) going to file `log`, and
/// waits at most 10 s for it to print `ready` (`nfc: ready <stem> <n>
/// nics`).
pub fn start_vnf(ns: &str, program: &Path, args: &[&str], log: &Path, ready: &str) -> Background {
    let vnf = Background(
        Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(File::create(log).expect("the VNF's log"))
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", program.display())),
    );
    wait_for(&format!("`{ready}`"), 10, || read(log).contains(ready));
    vnf
}

/// The counters a VNF printed after `nfc: stopped`: `name.handler`
/// to value.
pub fn counters(log: &str) -> BTreeMap<String, u64> {
    log.lines()
        .skip_while(|l| !l.starts_with("nfc: stopped"))
        .skip(1)
        .filter_map(|l| l.split_once(' '))
        .filter_map(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
        .collect()
}
