//! dom0's side of a domain: commands run with a deadline (`xl`,
//! `xenstore-*`, `ip`, `ping`: busybox and Xen's tools in the
//! initramfs), domains created from `/guests/<name>.cfg`, their console
//! logs (xenconsoled writes `/var/log/xen/console/guest-<name>.log`), the
//! backend state of their vifs, and Xen's free memory.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::console::PvConsole;
use crate::vif::Vif;

/// How often waits look again.
const POLL: Duration = Duration::from_millis(20);

/// Runs `program` with `args` to its end, killed after `timeout` (busybox
/// `timeout`); its standard output, or an error that says what failed,
/// with what it printed. Output a child of `program` still holds open
/// once `program` ended is not waited for. A program that crashes
/// (SIGSEGV, or SIGABRT from a failed assertion) runs once more: xl 4.17
/// does, now and then, when it looks up a domain by name while another
/// one is being destroyed (a segfault in `xl domid`, or libxl_fork.c's
/// `atfork_lock: Assertion '!r' failed`).
pub fn run(program: &str, args: &[&str], timeout: Duration) -> Result<String, String> {
    match run_once(program, args, timeout) {
        Err((e, Some(libc::SIGSEGV | libc::SIGABRT))) => {
            println!("nfc-probe: {e}; running it once more");
            run_once(program, args, timeout).map_err(|(e, _)| e)
        }
        other => other.map_err(|(e, _)| e),
    }
}

/// [`run`] without the second try: the error, and the signal that ended
/// the program, if one did.
fn run_once(
    program: &str,
    args: &[&str],
    timeout: Duration,
) -> Result<String, (String, Option<i32>)> {
    let secs = timeout.as_secs().max(1).to_string();
    let mut child = Command::new("timeout")
        .args(["-s", "KILL", &secs, program])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| (format!("{program}: {e}"), None))?;
    let (tx, rx) = mpsc::channel();
    let readers: [Box<dyn Read + Send>; 2] = [
        Box::new(child.stdout.take().expect("piped")),
        Box::new(child.stderr.take().expect("piped")),
    ];
    for (i, mut stream) in readers.into_iter().enumerate() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stream.read_to_end(&mut text);
            let _ = tx.send((i, String::from_utf8_lossy(&text).into_owned()));
        });
    }
    let status = child
        .wait()
        .map_err(|e| (format!("{program}: {e}"), None))?;
    let mut out = [String::new(), String::new()];
    for _ in 0..2 {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok((i, text)) => out[i] = text,
            Err(_) => break,
        }
    }
    let [stdout, stderr] = out;
    if status.success() {
        return Ok(stdout);
    }
    Err((
        format!(
            "`{program} {}` failed ({status}): {}{}",
            args.join(" "),
            stdout.trim(),
            stderr.trim()
        ),
        std::os::unix::process::ExitStatusExt::signal(&status),
    ))
}

/// Polls `found` until it gives a value, for at most `timeout`; `Err`
/// saying no `what` came otherwise.
pub fn wait<T>(
    what: &str,
    timeout: Duration,
    mut found: impl FnMut() -> Option<T>,
) -> Result<T, String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = found() {
            return Ok(v);
        }
        if Instant::now() > deadline {
            return Err(format!("no {what} in {timeout:?}"));
        }
        std::thread::sleep(POLL);
    }
}

/// `xenstore-read path`, `None` when it is not there.
pub fn xenstore_read(path: &str) -> Option<String> {
    run("xenstore-read", &[path], Duration::from_secs(10))
        .ok()
        .map(|s| s.trim().to_string())
}

/// The domains `xl list` shows: (name, id, state) each.
pub fn domains() -> Result<Vec<(String, u32, String)>, String> {
    let list = run("xl", &["list"], Duration::from_secs(20))?;
    Ok(list
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some((
                f.first()?.to_string(),
                f.get(1)?.parse().ok()?,
                f.get(4)?.to_string(),
            ))
        })
        .collect())
}

/// Xen's free memory in MiB, as `xl info` says.
pub fn free_memory() -> Result<u64, String> {
    let info = run("xl", &["info"], Duration::from_secs(20))?;
    info.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == "free_memory").then(|| v.trim().parse().ok())?
        })
        .ok_or_else(|| format!("no free_memory in `xl info`:\n{info}"))
}

/// Destroys every domain but dom0 (what an earlier test left).
pub fn destroy_all() {
    for (name, id, _) in domains().unwrap_or_default() {
        if id != 0 {
            let _ = run("xl", &["destroy", &id.to_string()], Duration::from_secs(30));
            println!("nfc-probe: destroyed leftover domain {id} ({name})");
        }
    }
}

/// A domain created from `/guests/<name>.cfg`.
pub struct Domain {
    /// Its name (the config's).
    pub name: String,
    /// Its domain id.
    pub id: u32,
    /// How far its console log went before it was created.
    log_from: u64,
}

impl Domain {
    /// `xl create /guests/<name>.cfg`, with `overrides` of its settings
    /// (`memory=8`).
    pub fn create(name: &str, overrides: &[&str]) -> Result<Domain, String> {
        let log_from = std::fs::metadata(console_log(name)).map_or(0, |m| m.len());
        let cfg = format!("/guests/{name}.cfg");
        let mut args = vec!["create", &cfg];
        args.extend(overrides);
        // Not `run`: a second `xl create` after one that crashed once the
        // domain existed would fail on the name; look for the domain
        // instead, and create again only when there is none.
        match run_once("xl", &args, Duration::from_secs(60)) {
            Ok(_) => {}
            Err((e, Some(libc::SIGSEGV | libc::SIGABRT))) => {
                println!("nfc-probe: {e}");
                if run("xl", &["domid", name], Duration::from_secs(10)).is_err() {
                    println!("nfc-probe: no domain {name}: creating it once more");
                    run("xl", &args, Duration::from_secs(60))?;
                }
            }
            Err((e, _)) => return Err(e),
        }
        let id = run("xl", &["domid", name], Duration::from_secs(10))?;
        let id = id
            .trim()
            .parse()
            .map_err(|_| format!("`xl domid {name}` said {id:?}"))?;
        Ok(Domain {
            name: name.into(),
            id,
            log_from,
        })
    }

    /// What its console printed so far (xenconsoled's log).
    pub fn console_log(&self) -> String {
        let mut text = Vec::new();
        if let Ok(mut f) = File::open(console_log(&self.name)) {
            let _ = f.seek(SeekFrom::Start(self.log_from));
            let _ = f.read_to_end(&mut text);
        }
        String::from_utf8_lossy(&text).replace('\r', "")
    }

    /// Waits, at most `timeout`, for its console to print line `ready`;
    /// the console so far. Gives up early when it stops or ends first.
    pub fn wait_for(&self, ready: &str, timeout: Duration) -> Result<String, String> {
        let mut polls = 0u32;
        wait(&format!("`{ready}` from {}", self.name), timeout, || {
            let log = self.console_log();
            if log.lines().any(|l| l == ready) {
                return Some(Ok(log));
            }
            polls += 1;
            let ended = log.contains("nfc: stopped") || polls % 25 == 0 && self.state().is_none();
            ended.then(|| Err(format!("it ended before `{ready}`")))
        })
        .and_then(|r| r)
        .map_err(|e| {
            format!(
                "{e} ({}); its console:\n{}",
                self.whereabouts(),
                self.console_log()
            )
        })
    }

    /// Where it stands, for messages: its state, or that it is gone.
    pub fn whereabouts(&self) -> String {
        match self.state() {
            Some(state) => format!("domain {} is {state}", self.id),
            None => format!(
                "domain {} is gone: it crashed, or a triple fault rebooted it (xl dmesg)",
                self.id
            ),
        }
    }

    /// Waits, at most `timeout`, until the backends of its first `vifs`
    /// vifs are Connected (xenbus state 4).
    pub fn wait_connected(&self, vifs: u32, timeout: Duration) -> Result<(), String> {
        for n in 0..vifs {
            let path = format!("/local/domain/0/backend/vif/{}/{n}/state", self.id);
            wait(&format!("{path} = 4"), timeout, || {
                (xenstore_read(&path).as_deref() == Some("4")).then_some(())
            })
            .map_err(|e| format!("{e} ({})", self.whereabouts()))?;
        }
        Ok(())
    }

    /// Its vif `n` (eth`n`), seen from dom0.
    pub fn vif(&self, n: u32) -> Result<Vif, String> {
        Vif::open(&format!("vif{}.{n}", self.id))
            .map_err(|e| format!("{e} ({})", self.whereabouts()))
    }

    /// Its PV console, through the pty xenconsoled made.
    pub fn console(&self) -> Result<PvConsole, String> {
        let key = format!("/local/domain/{}/console/tty", self.id);
        let tty = wait(&key, Duration::from_secs(10), || xenstore_read(&key))
            .map_err(|e| format!("{e} ({})", self.whereabouts()))?;
        PvConsole::open(&tty)
    }

    /// Its state letters in `xl list` (`r-----`, `-b----`, `---s--`,
    /// `----c-`, …), `None` once it is gone.
    pub fn state(&self) -> Option<String> {
        domains()
            .ok()?
            .into_iter()
            .find(|(_, id, _)| *id == self.id)
            .map(|(_, _, state)| state)
    }

    /// Waits, at most `timeout`, until it is gone.
    pub fn wait_gone(&self, timeout: Duration) -> Result<(), String> {
        wait(&format!("end of domain {}", self.id), timeout, || {
            self.state().is_none().then_some(())
        })
    }

    /// `xl destroy`, then waits until it is gone.
    pub fn destroy(&self) -> Result<(), String> {
        run(
            "xl",
            &["destroy", &self.id.to_string()],
            Duration::from_secs(30),
        )?;
        self.wait_gone(Duration::from_secs(30))
    }
}

/// Where xenconsoled logs domain `name`'s console.
fn console_log(name: &str) -> PathBuf {
    PathBuf::from(format!("/var/log/xen/console/guest-{name}.log"))
}
