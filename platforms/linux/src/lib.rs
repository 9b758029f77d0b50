//! nfc's linux platform: a configuration runs as an ordinary process.
//!
//! - [`platform`]: [`Linux`], the
//!   [`Platform`](nfc_dataplane::pipeline::Platform) of the poll loop
//!   (clocks, stderr console, SIGINT/SIGTERM, control sockets, idling) and
//!   the registry of open devices that elements are built against.
//! - [`net`]: host network devices, TAP or AF_PACKET, as `NetDevice`s;
//!   its doc says which one a device name opens.
//! - [`devices`]: FromDevice, PollDevice and ToDevice on those devices.
//! - [`dump`]: FromDump and ToDump, pcap files.
//! - [`ipsumdump`]: FromIPSummaryDump and ToIPSummaryDump, Click's text
//!   packet summaries.
//! - [`control`]: Click's ControlSocket protocol over TCP or Unix sockets,
//!   and the ControlSocket element.
//! - [`files`]: files a configuration names (DNS zones), read from disk
//!   relative to the configuration.
//! - [`classes`]: the platform's element classes by Click name, for the
//!   generic runner.
//! - [`main`]: what a generated pipeline's `fn main` calls.
//!
//! Every element here has `new(plat: &mut Linux, config: &str) ->
//! Result<Self, String>`, parsing `config` with the element's `configure`
//! from `nfc-elements`.
//!
//! Everything the platform prints (`nfc: ready …`, `nfc: stopped …`, the
//! counters, element messages) goes to stderr, one line at a time, so
//! that standard output stays free for `ToDump(-)`.
//!
//! `unsafe` is confined to the private `sys` module.
#![deny(unsafe_code)]

use std::process::ExitCode;

use nfc_dataplane::element::Console;
use nfc_dataplane::packet::PacketPool;
use nfc_dataplane::pipeline::{self, Driver, Pipeline};
use nfc_elements::standard::control_socket::Endpoint;

pub mod classes;
pub mod control;
pub mod devices;
pub mod dump;
pub mod files;
pub mod ipsumdump;
pub mod net;
pub mod platform;
mod sys;

pub use control::ControlSocket;
pub use devices::{FromDevice, PollDevice, ToDevice};
pub use dump::{FromDump, ToDump};
pub use ipsumdump::{FromIPSummaryDump, ToIPSummaryDump};
pub use platform::Linux;
pub use sys::{
    if_index, packet_socket, recv_packet, send_packet, set_recv_buffer, stop_requested, supervised,
};

/// What the command line asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--dev NAME=IFACE`: device name mappings, in order.
    pub devices: Vec<(String, String)>,
    /// `--control tcp:PORT|unix:PATH`: control sockets to open.
    pub control: Vec<Endpoint>,
    /// `--max-rounds N`: stop after N rounds of the poll loop.
    pub max_rounds: Option<u64>,
    /// `--write ELEMENT.HANDLER=VALUE`: handler writes made before the
    /// first round, in order (set a source's `limit`, say).
    pub writes: Vec<(String, String, String)>,
}

impl Options {
    /// Parses command-line arguments (without the program name); `None`
    /// when help was asked for.
    pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Option<Options>, String> {
        let mut options = Options::default();
        let mut args = args.iter().map(AsRef::as_ref);
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v)),
                _ => (arg, None),
            };
            let mut value = || {
                inline
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag {
                "-h" | "--help" => return Ok(None),
                "--dev" => {
                    let v = value()?;
                    let (name, iface) = v
                        .split_once('=')
                        .filter(|(n, i)| !n.is_empty() && !i.is_empty())
                        .ok_or_else(|| format!("--dev {v}: expected NAME=IFACE, like eth0=tap3"))?;
                    options.devices.push((name.into(), iface.into()));
                }
                "--control" => {
                    let v = value()?;
                    let endpoint = match v.split_once(':') {
                        Some(("tcp", port)) => Endpoint::Tcp(
                            port.parse()
                                .map_err(|_| format!("--control {v}: bad TCP port {port:?}"))?,
                        ),
                        Some(("unix", path)) if !path.is_empty() => Endpoint::Unix(path.into()),
                        _ => return Err(format!("--control {v}: expected tcp:PORT or unix:PATH")),
                    };
                    options.control.push(endpoint);
                }
                "--max-rounds" => {
                    let v = value()?;
                    options.max_rounds = Some(
                        v.parse()
                            .map_err(|_| format!("--max-rounds {v}: expected a number"))?,
                    );
                }
                "--write" => {
                    let v = value()?;
                    let parsed = v.split_once('=').and_then(|(h, value)| {
                        let (element, handler) = h.rsplit_once('.')?;
                        Some((element.to_string(), handler.to_string(), value.to_string()))
                    });
                    options.writes.push(parsed.ok_or_else(|| {
                        format!("--write {v}: expected ELEMENT.HANDLER=VALUE, like src.limit=1000")
                    })?);
                }
                _ => return Err(format!("unknown argument {arg:?}")),
            }
        }
        Ok(Some(options))
    }
}

/// The `--help` text for the program running configuration `stem`.
pub fn usage(stem: &str) -> String {
    format!(
        "usage: {stem} [--dev NAME=IFACE]... [--control tcp:PORT|unix:PATH]... [--max-rounds N] [--write E.H=VALUE]...

Runs the nfc configuration `{stem}` until an element stops it, SIGINT or
SIGTERM arrives, a control client writes `stop`, or N rounds have run.

  --dev NAME=IFACE   the configuration's device NAME is host interface
                     IFACE (default: NAME itself). An existing interface
                     that is not a TUN/TAP device is used through an
                     AF_PACKET socket; any other name is a TAP device,
                     attached to or created (root or CAP_NET_ADMIN).
  --control ADDR     serve Click's ControlSocket protocol on a TCP port of
                     127.0.0.1 (tcp:PORT) or a Unix socket (unix:PATH).
  --max-rounds N     stop after N rounds of the poll loop.
  --write E.H=VALUE  write VALUE to handler H of element E before starting.
  -h, --help         print this text.
"
    )
}

/// Makes the first SIGINT or SIGTERM stop the poll loop at the end of its
/// round (the platform stops with reason `signal`); a second one ends the
/// process at once, with status 130.
pub fn catch_stop_signals() -> std::io::Result<()> {
    sys::catch_stop_signals()
}

/// The configuration's driver scripts (Script, DriverManager), made after
/// the pipeline.
pub type Drivers = Vec<Box<dyn Driver>>;

/// The entry point of a generated pipeline on linux.
///
/// Parses the command line ([`Options`], `--help`), catches SIGINT and
/// SIGTERM, and runs the configuration with [`run`]: `build` makes the
/// pipeline, `drivers` its scripts. Returns 0 once the configuration
/// stopped, 1 when it could not be built, 2 for a bad command line.
pub fn main<P: Pipeline>(
    stem: &str,
    pool_size: usize,
    build: impl FnOnce(&mut Linux) -> Result<P, String>,
    drivers: impl FnOnce() -> Result<Drivers, String>,
) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    main_with(stem, &args, pool_size, build, drivers)
}

/// [`main`] with the command-line arguments given (without the program
/// name): the entry of one pipeline of a program that holds several, whose
/// first argument chose it.
pub fn main_with<P: Pipeline>(
    stem: &str,
    args: &[String],
    pool_size: usize,
    build: impl FnOnce(&mut Linux) -> Result<P, String>,
    drivers: impl FnOnce() -> Result<Drivers, String>,
) -> ExitCode {
    let options = match Options::parse(args) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{}", usage(stem));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("nfc: {e}");
            eprint!("{}", usage(stem));
            return ExitCode::from(2);
        }
    };
    if let Err(e) = catch_stop_signals() {
        eprintln!("nfc: cannot catch signals: {e}");
        return ExitCode::from(1);
    }
    run(stem, pool_size, &options, &platform::Stderr, build, drivers)
}

/// Builds and runs a configuration: makes the packet pool of `pool_size`
/// buffers and the platform, builds the pipeline with `build` and its
/// scripts with `drivers`, prints
/// `nfc: ready <stem> <n> nics`, runs the poll loop until it stops, then
/// prints `nfc: stopped <reason>` and one `element.handler value` line per
/// counter (every element's `count`, `drops` and `byte_count` read
/// handlers that exist), all on `console`. The pipeline (and so every
/// ToDump) is dropped before this returns. A build error prints `nfc:
/// <error>` and returns 1.
pub fn run<P: Pipeline>(
    stem: &str,
    pool_size: usize,
    options: &Options,
    console: &'static dyn Console,
    build: impl FnOnce(&mut Linux) -> Result<P, String>,
    drivers: impl FnOnce() -> Result<Drivers, String>,
) -> ExitCode {
    let pool = PacketPool::new(pool_size);
    let mut plat = Linux::new(pool);
    for (name, iface) in &options.devices {
        plat.map_device(name, iface);
    }
    let setup = |plat: &mut Linux| -> Result<(P, Drivers), String> {
        for endpoint in &options.control {
            plat.listen(endpoint, false)?;
        }
        let mut pipeline = build(plat)?;
        for (element, handler, value) in &options.writes {
            pipeline
                .write(element, handler, value)
                .map_err(|e| format!("--write {element}.{handler}={value}: {e:?}"))?;
        }
        let drivers = drivers()?;
        plat.start(&pipeline)?;
        Ok((pipeline, drivers))
    };
    let (mut pipeline, mut drivers) = match setup(&mut plat) {
        Ok(p) => p,
        Err(e) => {
            console.line(&format!("nfc: {e}"));
            return ExitCode::from(1);
        }
    };
    console.line(&format!("nfc: ready {stem} {} nics", plat.nics()));
    let stopped = pipeline::run(
        &mut pipeline,
        &mut plat,
        pool,
        console,
        &mut drivers,
        options.max_rounds,
    );
    pipeline::report_stop(&pipeline, &stopped, console);
    drop(drivers);
    drop(pipeline);
    drop(plat);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines() {
        let o = Options::parse(&[
            "--dev",
            "eth0=tap3",
            "--dev=eth1=veth1",
            "--control",
            "tcp:41900",
            "--control=unix:/tmp/x.sock",
            "--max-rounds",
            "10",
            "--write",
            "src.limit=5",
            "--write=a/b.active=false",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(
            o.devices,
            [
                ("eth0".into(), "tap3".into()),
                ("eth1".into(), "veth1".into())
            ]
        );
        assert_eq!(
            o.control,
            [Endpoint::Tcp(41900), Endpoint::Unix("/tmp/x.sock".into())]
        );
        assert_eq!(o.max_rounds, Some(10));
        assert_eq!(Options::parse(&["-h"]), Ok(None));
        assert_eq!(Options::parse::<&str>(&[]), Ok(Some(Options::default())));
        for bad in [
            &["--dev"][..],
            &["--dev", "eth0"],
            &["--dev", "=x"],
            &["--control", "udp:1"],
            &["--control", "tcp:99999"],
            &["--max-rounds", "many"],
            &["--write", "nodot=1"],
            &["--write", "a.b"],
            &["eth0"],
        ] {
            assert!(Options::parse(bad).is_err(), "{bad:?}");
        }
        assert!(usage("fw").contains("usage: fw"));
        let o = Options::parse(&["--write", "src.limit=5", "--write=a/b.active=x=y"])
            .unwrap()
            .unwrap();
        assert_eq!(
            o.writes,
            [
                ("src".into(), "limit".into(), "5".into()),
                ("a/b".into(), "active".into(), "x=y".into())
            ]
        );
    }
}
