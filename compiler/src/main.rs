//! `nfc`: the network function compiler's command line.

use clap::{Parser, Subcommand, ValueEnum};
use nfc::cli::{self, Input};
use nfc_elements::standard::control_socket::Endpoint;
use std::path::PathBuf;
use std::process::ExitCode;

/// nfc compiles Click configurations into network-function unikernels.
#[derive(Parser)]
#[command(name = "nfc", version, about, long_about = None)]
struct Cli {
    /// Override a `define` of the configuration: `-D NAME=VALUE` (repeatable).
    #[arg(short = 'D', long = "define", value_name = "NAME=VALUE", global = true, value_parser = parse_define)]
    defines: Vec<(String, String)>,

    /// Colour diagnostics: auto (when stderr is a terminal), always, never.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    color: Color,

    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Check a configuration: the language, every element's configuration,
    /// ports and push/pull agreement.
    Check {
        /// The configuration file (`-` for standard input).
        config: String,
        /// Check the language only, with no element registry, so any Click
        /// configuration can be validated, whatever classes it uses.
        #[arg(long)]
        syntax: bool,
    },
    /// Print the flattened element graph.
    Graph {
        /// The configuration file (`-` for standard input).
        config: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
    },
    /// Compile a configuration into a program for a platform.
    Compile {
        /// The configuration file (`-` for standard input).
        config: String,
        /// The platform.
        #[arg(long, value_enum, default_value_t = PlatArg::Linux)]
        plat: PlatArg,
        /// Where to write the program (default: the configuration's stem).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Where to write the generated crate (default: under nfc's target/nfc/).
        #[arg(long, value_name = "DIR")]
        emit: Option<PathBuf>,
    },
    /// Compile a configuration and run it: on linux as a program (arguments
    /// after `--` go to it: `--dev eth0=tap0`, `--control tcp:41900`); on
    /// kvm and arm64 as an image booted in QEMU, its serial console on this
    /// terminal (arguments after `--` go to QEMU), Ctrl-C stops it cleanly;
    /// on xen, print the domain's xl configuration and, where Xen's `xl`
    /// is installed, start it with `xl create -c` (arguments after `--` go
    /// to xl create; `xl shutdown` stops it cleanly).
    Run {
        /// The configuration file (`-` for standard input).
        config: String,
        /// The platform.
        #[arg(long, value_enum, default_value_t = PlatArg::Linux)]
        plat: PlatArg,
        /// kvm, arm64: the QEMU machine: microvm (virtio-mmio), q35 or pc
        /// (PCI) for kvm, virt (virtio-mmio) or virt-pci (PCI) for arm64
        /// [default: microvm, virt].
        #[arg(long, value_parser = str::parse::<nfc::qemu::Machine>)]
        machine: Option<nfc::qemu::Machine>,
        /// kvm, arm64: the accelerator, tcg or kvm (default: NFC_ACCEL, else tcg).
        #[arg(long, value_parser = str::parse::<nfc::qemu::Accel>)]
        accel: Option<nfc::qemu::Accel>,
        /// kvm, arm64, xen: guest memory in MiB.
        #[arg(long, default_value_t = 32)]
        memory: u32,
        /// A NIC, eth0 first: kvm, arm64: `tap:NAME` or
        /// `dgram:LOCAL_PORT:REMOTE_PORT` (UDP on 127.0.0.1); xen:
        /// `bridge:NAME` (the dom0 bridge of its vif); optionally
        /// `,mac=XX:XX:XX:XX:XX:XX`.
        #[arg(long = "nic", value_name = "SPEC")]
        nics: Vec<String>,
        /// Arguments for the program (linux) or QEMU (kvm, arm64).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Benchmark a configuration. linux: compile, run several times,
    /// report the median rate (the config prints a RESULT line). kvm,
    /// arm64: compile the image, report its size, its boot time and its
    /// forwarding rate through QEMU (frames sent into eth0 over
    /// `-netdev dgram`), and with --min-memory the smallest memory with
    /// which it boots and forwards.
    Bench {
        /// The configuration file (`-` for standard input).
        config: String,
        /// The platform.
        #[arg(long, value_enum, default_value_t = PlatArg::Linux)]
        plat: PlatArg,
        #[command(flatten)]
        linux: LinuxBenchArgs,
        #[command(flatten)]
        kvm: KvmBenchArgs,
    },
    /// Run a configuration as Click's `click` driver does, on nfc's generic
    /// runner: until it stops (or SIGINT), then print the `-h` handlers.
    #[command(disable_help_flag = true)]
    Click {
        /// The configuration file (`-` or none: standard input), and
        /// `NAME=VALUE` words that set the configuration's `define`s, as
        /// Click's positional parameters do (before or after the file).
        #[arg(value_name = "FILE|NAME=VALUE")]
        words: Vec<String>,
        /// Read the configuration from FILE.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file_option: Option<String>,
        /// Use EXPR as the configuration.
        #[arg(short = 'e', long = "expression", value_name = "EXPR")]
        expression: Option<String>,
        /// Print read handler ELEMENT.H after running (repeatable; ELEMENT
        /// may be a glob pattern or a class name; no dot: a global handler).
        #[arg(short = 'h', long = "handler", value_name = "ELEMENT.H")]
        handlers: Vec<String>,
        /// Use handler ELEMENT.H's value as the exit status.
        #[arg(short = 'x', long = "exit-handler", value_name = "ELEMENT.H")]
        exit_handler: Option<String>,
        /// Initialize the configuration but do not run it.
        #[arg(short = 'q', long = "quit")]
        quit: bool,
        /// Run on simulated time, starting at TIME seconds (default
        /// 1000000000): time stands still while there is work and jumps to
        /// the next timer when there is none.
        #[arg(
            long = "simtime",
            value_name = "TIME",
            num_args = 0..=1,
            require_equals = true,
            default_missing_value = "1000000000"
        )]
        simtime: Option<f64>,
        /// Serve Click's ControlSocket protocol on TCP port PORT of 127.0.0.1
        /// (repeatable).
        #[arg(short = 'p', long = "port", value_name = "PORT")]
        ports: Vec<u16>,
        /// Serve Click's ControlSocket protocol on Unix socket PATH
        /// (repeatable).
        #[arg(short = 'u', long = "unix-socket", value_name = "PATH")]
        unix_sockets: Vec<String>,
        /// Write the flattened configuration to FILE (`-`: standard output).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<String>,
        /// Print help.
        #[arg(long, action = clap::ArgAction::Help)]
        help: Option<bool>,
    },
    /// List the element classes nfc knows, or print one class's manual.
    Elements {
        /// A class name, for its full manual.
        class: Option<String>,
    },
}

/// `nfc bench --plat linux`'s options.
#[derive(clap::Args)]
struct LinuxBenchArgs {
    /// linux: how many timed runs [default: 3].
    #[arg(long)]
    runs: Option<usize>,
    /// linux: packets per run: sets the InfiniteSource's LIMIT (Click's
    /// and FastClick's figures were measured with 20,000,000).
    #[arg(long)]
    packets: Option<u64>,
    /// linux: also count instructions per packet with valgrind's callgrind.
    #[arg(long)]
    callgrind: bool,
}

impl LinuxBenchArgs {
    /// The first option given, as the command line names it.
    fn given(&self) -> Option<&'static str> {
        [
            (self.runs.is_some(), "--runs"),
            (self.packets.is_some(), "--packets"),
            (self.callgrind, "--callgrind"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }
}

/// `nfc bench --plat kvm`'s options.
#[derive(clap::Args)]
struct KvmBenchArgs {
    /// kvm, arm64: the QEMU machine: microvm (virtio-mmio), q35 or pc
    /// (PCI) for kvm, virt or virt-pci for arm64 [default: microvm, virt].
    #[arg(long, value_parser = str::parse::<nfc::qemu::Machine>)]
    machine: Option<nfc::qemu::Machine>,
    /// kvm, arm64: the accelerator, tcg or kvm [default: NFC_ACCEL, else tcg].
    #[arg(long, value_parser = str::parse::<nfc::qemu::Accel>)]
    accel: Option<nfc::qemu::Accel>,
    /// kvm, arm64: guest memory in MiB; the top of the --min-memory search
    /// [default: 32].
    #[arg(long)]
    memory: Option<u32>,
    /// kvm, arm64: boots the boot-time medians are taken over [default: 5].
    #[arg(long)]
    boots: Option<usize>,
    /// kvm, arm64: seconds the sender sends [default: 5].
    #[arg(long)]
    seconds: Option<f64>,
    /// kvm, arm64: NICs, each on `-netdev dgram` on 127.0.0.1 [default: 2].
    #[arg(long)]
    nics: Option<usize>,
    /// kvm, arm64: a NIC's MAC, eth0 first (repeatable) [default:
    /// 52:54:00:00:00:0N+1].
    #[arg(long = "mac", value_name = "MAC", value_parser = parse_mac)]
    macs: Vec<[u8; 6]>,
    /// kvm, arm64: the frames' length in bytes, Ethernet header to UDP payload
    /// (no FCS) [default: 64].
    #[arg(long)]
    frame_size: Option<usize>,
    /// kvm, arm64: the flow's source [default: 198.51.100.20:40000].
    #[arg(long, value_name = "IP:PORT")]
    src: Option<std::net::SocketAddrV4>,
    /// kvm, arm64: the flow's destination [default: 192.0.2.53:53].
    #[arg(long, value_name = "IP:PORT")]
    dst: Option<std::net::SocketAddrV4>,
    /// kvm, arm64: frames per second to offer [default: as fast as the sender can].
    #[arg(long, value_name = "FPS")]
    rate: Option<f64>,
    /// kvm, arm64: also find the smallest memory (MiB) with which the image boots
    /// and forwards 90 % of 1,000 paced frames.
    #[arg(long)]
    min_memory: bool,
    /// kvm, arm64: more arguments for QEMU (after `--`), e.g. `-trace` events.
    #[arg(last = true, value_name = "QEMU_ARGS")]
    qemu_args: Vec<String>,
}

impl KvmBenchArgs {
    /// The first option given, as the command line names it.
    fn given(&self) -> Option<&'static str> {
        [
            (self.machine.is_some(), "--machine"),
            (self.accel.is_some(), "--accel"),
            (self.memory.is_some(), "--memory"),
            (self.boots.is_some(), "--boots"),
            (self.seconds.is_some(), "--seconds"),
            (self.nics.is_some(), "--nics"),
            (!self.macs.is_empty(), "--mac"),
            (self.frame_size.is_some(), "--frame-size"),
            (self.src.is_some(), "--src"),
            (self.dst.is_some(), "--dst"),
            (self.rate.is_some(), "--rate"),
            (self.min_memory, "--min-memory"),
            (!self.qemu_args.is_empty(), "QEMU arguments (after --)"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }

    /// The options, defaults filled in.
    fn options(self) -> Result<nfc::vmbench::Options, String> {
        let d = nfc::vmbench::Options::new();
        Ok(nfc::vmbench::Options {
            machine: self.machine.unwrap_or(d.machine),
            accel: match self.accel {
                Some(a) => a,
                None => nfc::qemu::Accel::from_env()?,
            },
            memory_mib: self.memory.unwrap_or(d.memory_mib),
            boots: self.boots.unwrap_or(d.boots),
            seconds: self.seconds.unwrap_or(d.seconds),
            nics: self.nics.unwrap_or(d.nics),
            macs: self.macs,
            src: self.src.unwrap_or(d.src),
            dst: self.dst.unwrap_or(d.dst),
            frame_size: self.frame_size.unwrap_or(d.frame_size),
            rate: self.rate,
            min_memory: self.min_memory,
            qemu_args: self.qemu_args,
        })
    }
}

fn parse_mac(s: &str) -> Result<[u8; 6], String> {
    nfc_dataplane::parse::ether(s)
        .map(|m| m.0)
        .map_err(|e| e.to_string())
}

#[derive(Clone, Copy, ValueEnum)]
enum PlatArg {
    /// A Linux process (development, tests, benchmarks).
    Linux,
    /// A single-core x86_64 image (PVH ELF) for KVM/QEMU.
    Kvm,
    /// A single-core arm64 image (Linux arm64 Image) for QEMU's virt.
    Arm64,
    /// A single-core x86_64 Xen PVH domain (ELF) with netfront vifs.
    Xen,
}

impl PlatArg {
    /// The platform code is generated for.
    fn plat(self) -> nfc::codegen::Plat {
        match self {
            PlatArg::Linux => nfc::codegen::Plat::Linux,
            PlatArg::Kvm => nfc::codegen::Plat::Kvm,
            PlatArg::Arm64 => nfc::codegen::Plat::Arm64,
            PlatArg::Xen => nfc::codegen::Plat::Xen,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    /// Graphviz DOT, ports labelled.
    Dot,
    /// JSON, for tools.
    Json,
    /// Flattened Click text.
    Click,
}

fn parse_define(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.is_empty() => {
            Ok((name.trim_start_matches('$').to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, found `{s}`")),
    }
}

/// What the program name asks for: nfc installed (linked) as `click` is
/// `nfc click`, as `click-buildtool` it answers `provides CLASS…` from the
/// element registry, under any other name it is nfc.
fn click_program(mut args: Vec<std::ffi::OsString>) -> Result<Vec<std::ffi::OsString>, ExitCode> {
    let name = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .and_then(|n| n.to_str());
    match name {
        Some("click") => {
            args.insert(1, "click".into());
            Ok(args)
        }
        Some("click-buildtool") => {
            let rest: Vec<String> = args[1..]
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            match rest.split_first() {
                Some((verb, classes)) if verb == "provides" => Err(ExitCode::from(u8::from(
                    !classes.iter().all(|c| nfc_elements::lookup(c).is_some()),
                ))),
                _ => {
                    eprintln!("click-buildtool: nfc answers only `provides CLASS…`");
                    Err(ExitCode::from(1))
                }
            }
        }
        _ => Ok(args),
    }
}

fn main() -> ExitCode {
    let args = match click_program(std::env::args_os().collect()) {
        Ok(args) => args,
        Err(status) => return status,
    };
    let cli = Cli::parse_from(args);
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let result = match cli.command {
        Command::Check { config, syntax } => {
            Input::read(&config).and_then(|input| cli::check(&input, &cli.defines, syntax, color))
        }
        Command::Graph { config, format } => Input::read(&config).and_then(|input| {
            let format = match format {
                GraphFormat::Dot => cli::GraphFormat::Dot,
                GraphFormat::Json => cli::GraphFormat::Json,
                GraphFormat::Click => cli::GraphFormat::Click,
            };
            cli::graph(&input, &cli.defines, format, color)
        }),
        Command::Compile {
            config,
            plat,
            output,
            emit,
        } => Input::read(&config).and_then(|input| {
            let plat = plat.plat();
            let output = output.unwrap_or_else(|| PathBuf::from(&input.stem));
            cli::compile(&input, &cli.defines, plat, emit.as_deref(), &output, color)
        }),
        Command::Run {
            config,
            plat: PlatArg::Linux,
            args,
            ..
        } => {
            return Input::read(&config)
                .and_then(|input| {
                    let output = std::env::temp_dir().join(format!("nfc-run-{}", input.stem));
                    let out = cli::compile(
                        &input,
                        &cli.defines,
                        nfc::codegen::Plat::Linux,
                        None,
                        &output,
                        color,
                    )?;
                    eprint!("{out}");
                    // The program replaces nfc, as `cargo run`'s does, so
                    // that a SIGINT or SIGTERM sent to `nfc run` reaches it
                    // and it stops cleanly, printing its counters.
                    let e = std::os::unix::process::CommandExt::exec(
                        std::process::Command::new(&output).args(&args),
                    );
                    Err::<ExitCode, _>(format!("nfc: cannot run {}: {e}\n", output.display()))
                })
                .unwrap_or_else(|e| {
                    eprint!("{e}");
                    ExitCode::FAILURE
                });
        }
        Command::Run {
            config,
            plat: plat @ (PlatArg::Kvm | PlatArg::Arm64),
            machine,
            accel,
            memory,
            nics,
            args,
        } => {
            let run = || -> Result<ExitCode, String> {
                let plat = plat.plat();
                let arm64 = plat == nfc::codegen::Plat::Arm64;
                let machine = match machine {
                    Some(m) if m.is_arm64() != arm64 => {
                        return Err(format!(
                            "nfc run: machine {m} is not for --plat {}",
                            plat.name()
                        ))
                    }
                    Some(m) => m,
                    None if arm64 => nfc::qemu::Machine::Virt,
                    None => nfc::qemu::Machine::Microvm,
                };
                let input = Input::read(&config)?;
                let mut vm = nfc::qemu::Vm::new(std::env::temp_dir().join(format!(
                    "nfc-run-{}.{}",
                    input.stem,
                    plat.name()
                )));
                vm.machine = machine;
                vm.accel = match accel {
                    Some(a) => a,
                    None => nfc::qemu::Accel::from_env()?,
                };
                vm.memory_mib = memory;
                vm.nics = nics
                    .iter()
                    .enumerate()
                    .map(|(i, spec)| nfc::qemu::Nic::parse(spec, i))
                    .collect::<Result<_, _>>()?;
                vm.extra = args;
                let out = cli::compile(&input, &cli.defines, plat, None, &vm.kernel, color)?;
                eprint!("{out}");
                eprintln!("nfc: $ {}", vm.command_line());
                let status = nfc::qemu::run(&vm)?;
                Ok(if status.success() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                })
            };
            return run().unwrap_or_else(|e| {
                eprintln!("{}", e.trim_end());
                ExitCode::FAILURE
            });
        }
        Command::Run {
            config,
            plat: PlatArg::Xen,
            machine,
            accel,
            memory,
            nics,
            args,
        } => {
            let run = || -> Result<ExitCode, String> {
                if machine.is_some() || accel.is_some() {
                    return Err("nfc run: --machine and --accel are for --plat kvm or arm64".into());
                }
                let input = Input::read(&config)?;
                let dir = std::env::temp_dir();
                let domain = nfc::xl::Domain {
                    name: format!("nfc-{}", input.stem),
                    kernel: dir.join(format!("nfc-run-{}.xen", input.stem)),
                    memory_mib: memory,
                    vifs: nics
                        .iter()
                        .enumerate()
                        .map(|(i, spec)| nfc::xl::Vif::parse(spec, i))
                        .collect::<Result<_, _>>()?,
                    restart_on_reboot: true,
                };
                let out = cli::compile(
                    &input,
                    &cli.defines,
                    nfc::codegen::Plat::Xen,
                    None,
                    &domain.kernel,
                    color,
                )?;
                eprint!("{out}");
                let cfg = dir.join(format!("nfc-run-{}.cfg", input.stem));
                std::fs::write(&cfg, domain.config())
                    .map_err(|e| format!("nfc: cannot write {}: {e}", cfg.display()))?;
                eprintln!("nfc: {}:", cfg.display());
                print!("{}", domain.config());
                let mut xl = std::process::Command::new("xl");
                xl.arg("create").arg("-c").arg(&cfg).args(&args);
                eprintln!("nfc: $ xl create -c {} {}", cfg.display(), args.join(" "));
                let e = std::os::unix::process::CommandExt::exec(&mut xl);
                if e.kind() == std::io::ErrorKind::NotFound {
                    eprintln!(
                        "nfc: no `xl` on this host (package xen-utils-4.17, on a host running \
                         Xen): copy the image and the configuration there and run the command above"
                    );
                    return Ok(ExitCode::SUCCESS);
                }
                Err(format!("nfc: cannot run xl: {e}"))
            };
            return run().unwrap_or_else(|e| {
                eprintln!("{}", e.trim_end());
                ExitCode::FAILURE
            });
        }
        Command::Bench {
            plat: PlatArg::Xen, ..
        } => Err(
            "nfc bench: --plat xen is measured on real Xen by tests/xen (see BENCHMARKS.md)\n"
                .into(),
        ),
        Command::Bench {
            config,
            plat: PlatArg::Linux,
            linux,
            kvm,
        } => match kvm.given() {
            Some(o) => Err(format!("nfc bench: {o} is for --plat kvm or arm64\n")),
            None => Input::read(&config).and_then(|input| {
                let runs = linux.runs.unwrap_or(3);
                cli::bench(
                    &input,
                    &cli.defines,
                    runs,
                    linux.packets,
                    linux.callgrind,
                    color,
                )
            }),
        },
        Command::Bench {
            config,
            plat: plat @ (PlatArg::Kvm | PlatArg::Arm64),
            linux,
            kvm,
        } => {
            let bench = || -> Result<String, String> {
                if let Some(o) = linux.given() {
                    return Err(format!("nfc bench: {o} is for --plat linux\n"));
                }
                let plat = plat.plat();
                let arm64 = plat == nfc::codegen::Plat::Arm64;
                let given = kvm.machine;
                let mut options = kvm.options()?;
                match given {
                    Some(m) if m.is_arm64() != arm64 => {
                        return Err(format!(
                            "nfc bench: machine {m} is not for --plat {}\n",
                            plat.name()
                        ))
                    }
                    Some(_) => {}
                    None if arm64 => options.machine = nfc::qemu::Machine::Virt,
                    None => {}
                }
                options.check()?;
                let input = Input::read(&config)?;
                let image =
                    std::env::temp_dir().join(format!("nfc-bench-{}.{}", input.stem, plat.name()));
                let out = cli::compile(&input, &cli.defines, plat, None, &image, color)?;
                eprint!("{out}");
                nfc::vmbench::bench(&image, &input.stem, &options, &mut std::io::stdout())?;
                Ok(String::new())
            };
            bench()
        }
        Command::Click {
            words,
            file_option,
            expression,
            handlers,
            exit_handler,
            quit,
            simtime,
            ports,
            unix_sockets,
            output,
            help: _,
        } => {
            let (files, mut defines) = nfc::click::split_words(words);
            if files.len() > 1 {
                eprintln!("nfc click: router configuration specified twice");
                return ExitCode::from(1);
            }
            let file = files.into_iter().next();
            // `-D` settings win over positional ones given with them.
            defines.extend(cli.defines);
            let config = match (file, file_option, expression) {
                (None, None, Some(text)) => nfc::click::Config::Expression(text),
                (Some(path), None, None) | (None, Some(path), None) => {
                    nfc::click::Config::File(path)
                }
                (None, None, None) => nfc::click::Config::File("-".into()),
                _ => {
                    eprintln!("nfc click: router configuration specified twice");
                    return ExitCode::from(1);
                }
            };
            let control = ports
                .into_iter()
                .map(Endpoint::Tcp)
                .chain(unix_sockets.into_iter().map(Endpoint::Unix))
                .collect();
            return ExitCode::from(nfc::click::run(&nfc::click::Options {
                config,
                defines,
                handlers,
                exit_handler,
                quit,
                simtime: simtime.map(|s| (s.max(0.0) * 1e9) as u64),
                control,
                output,
                color,
            }));
        }
        Command::Elements { class } => cli::elements(class.as_deref()),
    };
    match result {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<std::ffi::OsString> {
        words.iter().map(Into::into).collect()
    }

    #[test]
    fn named_click_it_is_nfc_click() {
        assert_eq!(
            click_program(args(&["/usr/bin/click", "-e", "Idle"])).unwrap(),
            args(&["/usr/bin/click", "click", "-e", "Idle"])
        );
        assert_eq!(
            click_program(args(&["nfc", "check"])).unwrap(),
            args(&["nfc", "check"])
        );
    }

    #[test]
    fn named_click_buildtool_it_answers_provides() {
        let status = |words: &[&str]| click_program(args(words)).unwrap_err();
        assert_eq!(
            status(&["click-buildtool", "provides", "Counter", "Queue"]),
            ExitCode::SUCCESS
        );
        assert_eq!(
            status(&["click-buildtool", "provides", "Counter", "HeapTest"]),
            ExitCode::from(1)
        );
        assert_eq!(status(&["click-buildtool", "elem2man"]), ExitCode::from(1));
    }
}
