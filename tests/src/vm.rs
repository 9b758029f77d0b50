//! Images booted in QEMU for tests: build an image from a configuration
//! ([`build_image`]), boot it with [`nfc::qemu::Vm`]'s command line
//! ([`Running::start`]), watch its serial console, type into it, talk to
//! QEMU's monitor, and collect everything it printed; push frames through
//! its NICs with [`Link`] (the benchmark's, from `nfc::qemu`).
//!
//! If QEMU is missing the test fails and names the Debian package; it
//! never skips. Every wait has a deadline.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nfc::cli::{self, Input};
use nfc::codegen::Plat;
pub use nfc::qemu::Link;
use nfc::qemu::Vm;

/// The source tree.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The image of `config` (a path under the source tree) for `plat`,
/// built once per test program into `dir` (the test's
/// `CARGO_TARGET_TMPDIR`).
pub fn image(dir: &str, config: &str, plat: Plat) -> PathBuf {
    static BUILT: Mutex<Vec<(String, &str, PathBuf)>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, _, path)) = built
        .iter()
        .find(|(c, p, _)| c == config && *p == plat.name())
    {
        return path.clone();
    }
    let stem = Path::new(config).file_stem().unwrap().to_string_lossy();
    let out = Path::new(dir).join(format!("{stem}.{}", plat.name()));
    build_image(config, &[], plat, &out);
    built.push((config.to_string(), plat.name(), out.clone()));
    out
}

/// Compiles `config` (a path under the source tree) for `plat` with
/// `defines`, into `out`; panics with the diagnostics on failure.
pub fn build_image(config: &str, defines: &[(&str, &str)], plat: Plat, out: &Path) {
    let path = root().join(config);
    let input = Input::read(path.to_str().unwrap()).unwrap();
    let defines: Vec<(String, String)> = defines
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let outcome = cli::load(&input, &defines, false);
    assert!(
        outcome.ok(),
        "{}",
        cli::failure(&input, &outcome.diagnostics, false)
    );
    nfc::compile::generate_and_build(&outcome, &input.stem, config, plat, None, out)
        .unwrap_or_else(|e| panic!("{e}"));
}

/// A booted VM: QEMU with the image's serial console on its standard
/// input and output.
pub struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Everything the console printed so far (CRLF made LF).
    console: Arc<Mutex<String>>,
    monitor: Option<PathBuf>,
    /// Where in `console` [`Running::wait_for`] looks from next.
    seen: usize,
}

impl Running {
    /// Boots `vm`.
    pub fn start(vm: &Vm) -> Running {
        Running::spawn(vm, vm.command())
    }

    /// Boots `vm` in network namespace `ns` (`ip netns exec`), where its
    /// TAP devices are made.
    pub fn start_in(ns: &str, vm: &Vm) -> Running {
        let mut command = std::process::Command::new("ip");
        command
            .args(["netns", "exec", ns, vm.machine.program()])
            .args(vm.args());
        Running::spawn(vm, command)
    }

    fn spawn(vm: &Vm, mut command: std::process::Command) -> Running {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{}", vm.machine.missing(&e)));
        let console = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let console = console.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let text = String::from_utf8_lossy(&buf[..n]).replace('\r', "");
                    console.lock().unwrap().push_str(&text);
                }
            });
        }
        Running {
            stdin: child.stdin.take(),
            child,
            console,
            monitor: vm.monitor.clone(),
            seen: 0,
        }
    }

    /// What the console printed so far.
    pub fn console(&self) -> String {
        self.console.lock().unwrap().clone()
    }

    /// Waits until the console prints `text` (after what earlier waits
    /// found), for at most `timeout`; returns what the console printed
    /// from where the previous wait ended up to and including it. Panics with the whole console if it does not come,
    /// or if QEMU ends first.
    pub fn wait_for(&mut self, text: &str, timeout: Duration) -> String {
        self.wait_until(&format!("`{text}`"), timeout, |console| {
            console.find(text).map(|at| {
                let end = at + text.len();
                (console[..end].to_string(), end)
            })
        })
    }

    /// Polls the console after what earlier waits found with `found`
    /// until it gives a value and how many bytes it used, for at most
    /// `timeout`. Panics with the whole console, saying no `what` came, if
    /// none does, or if QEMU ends first.
    fn wait_until<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        mut found: impl FnMut(&str) -> Option<(T, usize)>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            let console = self.console();
            if let Some((value, used)) = found(&console[self.seen..]) {
                self.seen += used;
                return value;
            }
            let exited = self.child.try_wait().unwrap();
            if exited.is_some() || Instant::now() > deadline {
                // Let the readers catch the last words.
                std::thread::sleep(Duration::from_millis(100));
                let _ = self.child.kill();
                panic!(
                    "no {what} on the console ({}):\n{}",
                    match exited {
                        Some(status) => format!("QEMU ended: {status}"),
                        None => format!("waited {timeout:?}"),
                    },
                    self.console()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Types `text` into the serial console.
    pub fn type_in(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("the console's input is open");
        stdin.write_all(text.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    /// Sends `command` to the image's ControlSocket on the serial console
    /// (CRLF added) and waits, at most `timeout`, for its reply after
    /// what earlier waits found: see [`Reply`]. Console lines that are not
    /// part of a reply (the banner, element output) are passed over.
    /// Panics with the whole console if no reply comes, or if QEMU ends
    /// first.
    pub fn ask(&mut self, command: &str, timeout: Duration) -> Reply {
        self.type_in(&format!("{command}\r\n"));
        let reads = Reply::brings_data(command);
        self.wait_until(&format!("reply to `{command}`"), timeout, |console| {
            Reply::parse(console, reads)
        })
    }

    /// Sends `command` to QEMU's human monitor (the VM must have one).
    pub fn monitor(&mut self, command: &str) {
        let path = self.monitor.as_ref().expect("the VM has a monitor socket");
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut sock = loop {
            match UnixStream::connect(path) {
                Ok(s) => break s,
                Err(e) if Instant::now() > deadline => {
                    panic!("monitor {}: {e}", path.display())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        sock.write_all(format!("{command}\n").as_bytes()).unwrap();
        // Read the monitor's answer (prompt and echo) briefly so the
        // command is taken before the socket closes.
        sock.set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let mut buf = [0u8; 1024];
        let _ = sock.read(&mut buf);
    }

    /// Waits for QEMU to end by itself (at most `timeout`, then kills it)
    /// and returns the whole console and whether it ended by itself.
    pub fn finish(mut self, timeout: Duration) -> (String, bool) {
        drop(self.stdin.take());
        let deadline = Instant::now() + timeout;
        let ended = loop {
            if self.child.try_wait().unwrap().is_some() {
                break true;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break false;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        std::thread::sleep(Duration::from_millis(100));
        (self.console(), ended)
    }
}

/// A ControlSocket reply read from the console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The reply's lines, `CODE text` last, `CODE-text` before it.
    pub lines: Vec<String>,
    /// The data of a successful read (`DATA n` and its n bytes).
    pub data: Option<String>,
}

impl Reply {
    /// The code of the reply's last line.
    pub fn code(&self) -> u16 {
        self.lines
            .last()
            .and_then(|l| l.get(..3))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }

    /// Whether a successful reply to `command` brings data (`DATA n`):
    /// it is a read (`READ`, `GET`, `READDATA`, `READUNTIL`).
    pub fn brings_data(command: &str) -> bool {
        let verb = command.split_whitespace().next().unwrap_or_default();
        ["READ", "GET", "READDATA", "READUNTIL"]
            .iter()
            .any(|v| v.eq_ignore_ascii_case(verb))
    }

    /// The first whole reply in `text` (console text, CRs removed) and
    /// how many bytes of `text` it took; `None` until it is all there.
    /// `read` says the command was a read, whose success brings data
    /// ([`Reply::brings_data`]). Lines that are not reply lines before it
    /// are passed over.
    pub fn parse(text: &str, read: bool) -> Option<(Reply, usize)> {
        let is_reply = |l: &str| {
            l.len() >= 4
                && l.as_bytes()[..3].iter().all(u8::is_ascii_digit)
                && matches!(l.as_bytes()[3], b' ' | b'-')
        };
        let mut lines = Vec::new();
        let mut at = 0;
        loop {
            let end = at + text[at..].find('\n')?;
            let line = &text[at..end];
            at = end + 1;
            if !is_reply(line) {
                continue;
            }
            lines.push(line.to_string());
            if line.as_bytes()[3] == b' ' {
                break;
            }
        }
        let mut reply = Reply { lines, data: None };
        if read && reply.code() == 200 {
            let end = at + text[at..].find('\n')?;
            let len: usize = text[at..end].strip_prefix("DATA ")?.parse().ok()?;
            let data = text.get(end + 1..end + 1 + len)?;
            reply.data = Some(data.to_string());
            at = end + 1 + len;
        }
        Some((reply, at))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::Reply;

    #[test]
    fn replies_are_read_past_other_console_lines() {
        let text =
            "Click::ControlSocket/1.3\nnfc: x\n200 Read handler 'c.count' OK\nDATA 3\n123\nrest";
        let (reply, used) = Reply::parse(text, true).unwrap();
        assert_eq!(reply.lines, ["200 Read handler 'c.count' OK"]);
        assert_eq!((reply.code(), reply.data.as_deref()), (200, Some("123")));
        assert_eq!(&text[used..], "\nrest");
        assert_eq!(
            Reply::parse(&text[..text.len() - 7], true),
            None,
            "data cut"
        );
        let (reply, _) = Reply::parse("520-Write handler 'x' error:\n520 bad\n", false).unwrap();
        assert_eq!(
            (reply.lines.len(), reply.code(), reply.data),
            (2, 520, None)
        );
        assert_eq!(Reply::parse("520-Write handler 'x' error:\n", false), None);
        let (reply, _) = Reply::parse("511 No handler named 'c.x'\n", true).unwrap();
        assert_eq!((reply.code(), reply.data), (511, None));
    }
}
