//! [`Linux`]: what the poll loop and the elements get from the host.

use std::cell::{Cell, RefCell};
use std::io::Write;
use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nfc_dataplane::element::Console;
use nfc_dataplane::packet::PacketPool;
use nfc_dataplane::pipeline::{Pipeline, Platform};
use nfc_elements::devices::{encap, Encap};
use nfc_elements::standard::control_socket::Endpoint;

use crate::control::Control;
use crate::files::Disk;
use crate::net::HostDevice;
use crate::sys;

/// A host device shared by the elements that use it.
pub type SharedDevice = Rc<RefCell<HostDevice>>;

/// Idle rounds in a row after which [`Linux::idle`] starts to sleep.
const IDLE_ROUNDS: u32 = 1000;

/// How long an idle round sleeps once the loop has been idle a while; the
/// sleep doubles every [`IDLE_ROUNDS`] further idle rounds, up to
/// [`IDLE_SLEEP_MAX`].
const IDLE_SLEEP: Duration = Duration::from_micros(50);

/// The longest idle sleep (reached after about 1.5 s without work).
const IDLE_SLEEP_MAX: Duration = Duration::from_millis(1);

/// How often control sockets are polled while the loop is busy, in ns
/// (every idle round polls them).
const CONTROL_PERIOD: u64 = 1_000_000;

/// The console of the linux platform: one line at a time to stderr. A
/// script's `print` goes there too, as on every platform's console, or to
/// the file it names.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stderr;

impl Console for Stderr {
    fn line(&self, line: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }

    fn print(&self, file: Option<&str>, append: bool, text: &str) -> Result<(), String> {
        match file {
            None => {
                for line in text.split_inclusive('\n') {
                    self.line(line.strip_suffix('\n').unwrap_or(line));
                }
                Ok(())
            }
            Some(path) => write_file(path, append, text),
        }
    }

    /// The file, read whole (bytes that are not UTF-8 replaced).
    fn read_file(&self, path: &str) -> Result<String, String> {
        std::fs::read(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| format!("{path}: {e}"))
    }
}

/// The console of `nfc click`: Click's driver's. Messages go to stderr, as
/// [`Stderr`]'s; a script's `print` goes to standard output, flushed at
/// once, as Click's Script does.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClickConsole;

impl Console for ClickConsole {
    fn line(&self, line: &str) {
        Stderr.line(line);
    }

    fn print(&self, file: Option<&str>, append: bool, text: &str) -> Result<(), String> {
        match file {
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes())
                    .and_then(|()| out.flush())
                    .map_err(|e| format!("standard output: {e}"))
            }
            Some(path) => write_file(path, append, text),
        }
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        Stderr.read_file(path)
    }
}

/// Writes `text` to file `path` (a script's `print >FILE`, `>>FILE`).
fn write_file(path: &str, append: bool, text: &str) -> Result<(), String> {
    std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("{path}: {e}"))
}

/// A device opened for a logical name.
#[derive(Debug)]
struct Opened {
    /// The name the configuration uses (`eth0`).
    name: String,
    device: SharedDevice,
}

/// A ToDump waiting for `USE_ENCAP_FROM` to be resolved.
#[derive(Debug)]
struct EncapRequest {
    /// The elements whose `encap` handlers decide.
    names: Vec<String>,
    /// Where the answer goes.
    cell: Rc<Cell<Option<Encap>>>,
}

/// The linux platform: the packet pool, the host devices the
/// configuration opened, the control sockets, the clocks and signals.
///
/// Elements are built with a `&mut Linux` ([`crate::FromDevice::new`],
/// …); [`crate::main`] then runs the pipeline with it as its
/// [`Platform`].
#[derive(Debug)]
pub struct Linux {
    pool: &'static PacketPool,
    /// `--dev NAME=IFACE` mappings.
    dev_map: Vec<(String, String)>,
    devices: Vec<Opened>,
    control: Control,
    encaps: Vec<EncapRequest>,
    /// Rounds seen by `poll_control`.
    rounds: u64,
    /// The round of the last idle call, and how many idle rounds in a row.
    last_idle: u64,
    idle_streak: u32,
    /// When control sockets are polled next (monotonic ns).
    next_control: u64,
    /// The simulated clock, when time is simulated (`nfc click --simtime`).
    sim: Option<SimClock>,
    /// Where elements read the files their configurations name.
    files: Disk,
}

/// Simulated time, as Click's `--simtime`: it stands still while the
/// configuration has work and jumps to the next thing an element or a
/// script waits for when it has none, so timers and rated elements run as
/// fast as the work allows. Monotonic and wall-clock time are the same
/// number.
#[derive(Debug, Clone, Copy)]
struct SimClock {
    /// The time, in nanoseconds.
    now: u64,
    /// Idle rounds in a row with nothing waiting for a time.
    empty_rounds: u32,
}

/// Idle rounds in a row with nothing scheduled after which a simulation
/// with no control socket stops: nothing can happen any more (Click would
/// wait forever).
const SIM_EMPTY_ROUNDS: u32 = 16;

impl Linux {
    /// A platform whose packets come from `pool`, with no device open yet.
    pub fn new(pool: &'static PacketPool) -> Linux {
        Linux {
            pool,
            dev_map: Vec::new(),
            devices: Vec::new(),
            control: Control::default(),
            encaps: Vec::new(),
            rounds: 0,
            last_idle: 0,
            idle_streak: 0,
            next_control: 0,
            sim: None,
            files: Disk::default(),
        }
    }

    /// Reads the files configurations name (zones) from `files` from now
    /// on; by default they are relative to the current directory.
    pub fn read_files_from(&mut self, files: Disk) {
        self.files = files;
    }

    /// Where elements read the files their configurations name.
    pub fn files(&self) -> &Disk {
        &self.files
    }

    /// Runs on simulated time from now on, starting at `begin`
    /// nanoseconds (Click's `--simtime` starts at 1,000,000,000 s).
    pub fn simulate_time(&mut self, begin: u64) {
        self.sim = Some(SimClock {
            now: begin,
            empty_rounds: 0,
        });
    }

    /// The packet pool.
    pub fn pool(&self) -> &'static PacketPool {
        self.pool
    }

    /// The console elements write to (stderr).
    pub fn console(&self) -> &'static dyn Console {
        &Stderr
    }

    /// Maps the configuration's device `name` to host interface `host`
    /// (`--dev eth0=tap3`). Unmapped names are host names themselves.
    pub fn map_device(&mut self, name: &str, host: &str) {
        self.dev_map.retain(|(n, _)| n != name);
        self.dev_map.push((name.into(), host.into()));
    }

    /// The host interface the configuration's device `name` maps to.
    pub fn host_name<'a>(&'a self, name: &'a str) -> &'a str {
        self.dev_map
            .iter()
            .find(|(n, _)| n == name)
            .map_or(name, |(_, h)| h.as_str())
    }

    /// The device for the configuration's name `name` and its index (the
    /// device annotation of the packets it receives), opening it the first
    /// time (see [`crate::net`] for which kind of device a name opens).
    /// With `allow_absent`, a device that cannot be opened is replaced by
    /// one that drops everything, and a warning is printed.
    pub fn device(&mut self, name: &str, allow_absent: bool) -> Result<(SharedDevice, u8), String> {
        if let Some(i) = self.devices.iter().position(|d| d.name == name) {
            return Ok((self.devices[i].device.clone(), i as u8));
        }
        if self.devices.len() > usize::from(u8::MAX) {
            return Err(format!("{name}: too many devices (at most 256)"));
        }
        let host = self.host_name(name).to_string();
        let device = match HostDevice::open(&host) {
            Ok(d) => d,
            Err(e) if allow_absent => {
                self.console().line(&format!(
                    "nfc: warning: {e}; {name} drops what is sent to it (ALLOW_NONEXISTENT)"
                ));
                HostDevice::absent(&host)
            }
            Err(e) => {
                return Err(if host == name {
                    format!("device {name}: {e}")
                } else {
                    format!("device {name} (--dev {name}={host}): {e}")
                })
            }
        };
        let device = Rc::new(RefCell::new(device));
        self.devices.push(Opened {
            name: name.into(),
            device: device.clone(),
        });
        Ok((device, (self.devices.len() - 1) as u8))
    }

    /// How many host devices are open (missing ones not counted).
    pub fn nics(&self) -> usize {
        self.devices
            .iter()
            .filter(|d| d.device.borrow().kind() != "absent")
            .count()
    }

    /// Opens a control socket at `endpoint` (a TCP port on 127.0.0.1, or a
    /// Unix socket path) that speaks Click's ControlSocket protocol;
    /// `read_only` refuses write handlers.
    pub fn listen(&mut self, endpoint: &Endpoint, read_only: bool) -> Result<(), String> {
        self.control.listen(endpoint, read_only, false)
    }

    /// [`Linux::listen`], logging connections when `verbose`; a verbose
    /// socket also says where it listens.
    pub(crate) fn listen_verbose(
        &mut self,
        endpoint: &Endpoint,
        read_only: bool,
        verbose: bool,
    ) -> Result<(), String> {
        self.control.listen(endpoint, read_only, verbose)?;
        if verbose {
            let at = self.control.addresses().pop().unwrap_or_default();
            Stderr.line(&format!("nfc: ControlSocket listening on {at}"));
        }
        Ok(())
    }

    /// Where the control sockets listen: `tcp:127.0.0.1:PORT` (the port
    /// the system chose for port 0) or `unix:PATH`.
    pub fn control_addresses(&self) -> Vec<String> {
        self.control.addresses()
    }

    /// A cell that [`Linux::start`] fills with the encapsulation of the
    /// elements named `names` (ToDump's `USE_ENCAP_FROM`).
    pub(crate) fn encap_from(&mut self, names: Vec<String>) -> Rc<Cell<Option<Encap>>> {
        let cell = Rc::new(Cell::new(None));
        self.encaps.push(EncapRequest {
            names,
            cell: cell.clone(),
        });
        cell
    }

    /// Finishes setting up once the whole pipeline is built: resolves
    /// ToDump's `USE_ENCAP_FROM` by reading the named elements' `encap`
    /// handlers. [`crate::main`] calls it before running.
    pub fn start(&mut self, pipeline: &dyn Pipeline) -> Result<(), String> {
        for req in self.encaps.drain(..) {
            let mut found: Option<(Encap, &str)> = None;
            for name in &req.names {
                let text = pipeline
                    .read(name, "encap")
                    .map_err(|_| format!("USE_ENCAP_FROM: element {name} has no encap handler"))?;
                let e = encap(text.trim()).map_err(|e| format!("USE_ENCAP_FROM {name}: {e}"))?;
                match found {
                    Some((f, other)) if f != e => {
                        return Err(format!(
                            "USE_ENCAP_FROM: {other} and {name} have different encapsulations"
                        ))
                    }
                    _ => found = Some((e, name)),
                }
            }
            req.cell.set(found.map(|(e, _)| e));
        }
        Ok(())
    }
}

impl Platform for Linux {
    fn now(&self) -> u64 {
        match &self.sim {
            Some(sim) => sim.now,
            None => sys::monotonic_ns(),
        }
    }

    fn wall(&self) -> u64 {
        if let Some(sim) = &self.sim {
            return sim.now;
        }
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    }

    fn entropy(&mut self) -> u64 {
        // getrandom(2) fails only on kernels older than 3.17; the clock
        // then stands in, mixed, and never as a constant.
        sys::random_u64().unwrap_or_else(|_| self.now().rotate_left(29) ^ self.wall())
    }

    fn poll_control(&mut self, pipeline: &mut dyn Pipeline) -> Option<String> {
        self.rounds += 1;
        if sys::stop_requested() {
            return Some("signal".into());
        }
        if self
            .sim
            .is_some_and(|sim| sim.empty_rounds >= SIM_EMPTY_ROUNDS && self.control.is_empty())
        {
            return Some("simulated time: nothing is scheduled".into());
        }
        if self.control.is_empty() {
            return None;
        }
        let now = self.now();
        if now < self.next_control && self.last_idle + 1 != self.rounds {
            return None;
        }
        self.next_control = now + CONTROL_PERIOD;
        self.control.poll(pipeline, &Stderr)
    }

    fn idle(&mut self, next_event: Option<u64>) {
        if let Some(sim) = &mut self.sim {
            match next_event {
                // Never backwards, and always on: an event that is due
                // and still found nothing to do must not hold time still.
                Some(at) => {
                    sim.now = at.max(sim.now + 1);
                    sim.empty_rounds = 0;
                    return;
                }
                // Counted in a row: a busy round (no idle call) between
                // two idle ones starts the count again.
                None if self.last_idle + 1 == self.rounds => sim.empty_rounds += 1,
                None => sim.empty_rounds = 1,
            }
            if self.control.is_empty() {
                self.last_idle = self.rounds;
                return;
            }
        }
        if self.last_idle == self.rounds {
            return;
        }
        self.idle_streak = if self.last_idle + 1 == self.rounds {
            self.idle_streak.saturating_add(1)
        } else {
            1
        };
        self.last_idle = self.rounds;
        if self.idle_streak >= IDLE_ROUNDS {
            let doublings = (self.idle_streak / IDLE_ROUNDS - 1).min(5);
            std::thread::sleep((IDLE_SLEEP * (1 << doublings)).min(IDLE_SLEEP_MAX));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS_PER_S: u64 = 1_000_000_000;

    #[test]
    fn names_map_to_host_interfaces() {
        let mut l = Linux::new(PacketPool::new(1));
        assert_eq!(l.host_name("eth0"), "eth0");
        l.map_device("eth0", "tap3");
        l.map_device("eth0", "tap4");
        assert_eq!(l.host_name("eth0"), "tap4");
        assert_eq!(l.host_name("eth1"), "eth1");
        assert_eq!(l.nics(), 0);
    }

    #[test]
    fn idle_sleeps_only_after_many_idle_rounds() {
        let mut l = Linux::new(PacketPool::new(1));
        let mut r = nfc_dataplane::router::Router::new();
        let t = std::time::Instant::now();
        for _ in 0..IDLE_ROUNDS - 1 {
            assert!(l.poll_control(&mut r).is_none());
            l.idle(None);
        }
        assert_eq!(l.idle_streak, IDLE_ROUNDS - 1);
        // A busy round breaks the streak.
        l.poll_control(&mut r);
        l.poll_control(&mut r);
        l.idle(None);
        assert_eq!(l.idle_streak, 1);
        assert!(t.elapsed() < Duration::from_millis(500), "no sleep yet");
        for _ in 0..IDLE_ROUNDS + 10 {
            l.poll_control(&mut r);
            l.idle(None);
        }
        assert!(
            t.elapsed() >= IDLE_SLEEP * 10,
            "slept once idle long enough"
        );
        assert!(l.now() > 0 && l.wall() > 1_600_000_000_000_000_000);
    }

    #[test]
    fn simulated_time_jumps_to_the_next_event_and_ends_when_none_is_left() {
        let mut l = Linux::new(PacketPool::new(1));
        let mut r = nfc_dataplane::router::Router::new();
        l.simulate_time(1_000_000_000 * NS_PER_S);
        let start = l.now();
        assert_eq!(start, l.wall(), "one clock, as Click's");
        assert!(l.poll_control(&mut r).is_none());
        l.idle(Some(start + 5_000));
        assert_eq!(l.now(), start + 5_000, "jumped to the event");
        // A busy round (no idle call) leaves time where it is.
        assert!(l.poll_control(&mut r).is_none());
        assert_eq!(l.now(), start + 5_000);
        // A due event still moves time on, never back.
        assert!(l.poll_control(&mut r).is_none());
        l.idle(Some(start));
        assert_eq!(l.now(), start + 5_001);
        // With nothing scheduled, a run of idle rounds ends it.
        let t = std::time::Instant::now();
        let mut stopped = None;
        for _ in 0..=SIM_EMPTY_ROUNDS {
            if let Some(reason) = l.poll_control(&mut r) {
                stopped = Some(reason);
                break;
            }
            l.idle(None);
        }
        assert_eq!(
            stopped.as_deref(),
            Some("simulated time: nothing is scheduled")
        );
        assert!(t.elapsed() < Duration::from_millis(100), "and never slept");
    }
}
