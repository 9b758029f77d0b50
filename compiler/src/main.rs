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
    /// kvm as an image booted in QEMU, its serial console on this terminal
    /// (arguments after `--` go to QEMU). Ctrl-C stops it cleanly.
    Run {
        /// The configuration file (`-` for standard input).
        config: String,
        /// The platform.
        #[arg(long, value_enum, default_value_t = PlatArg::Linux)]
        plat: PlatArg,
        /// kvm: the QEMU machine: microvm (virtio-mmio), q35 or pc (PCI).
        #[arg(long, default_value = "microvm", value_parser = str::parse::<nfc::qemu::Machine>)]
        machine: nfc::qemu::Machine,
        /// kvm: the accelerator, tcg or kvm (default: NFC_ACCEL, else tcg).
        #[arg(long, value_parser = str::parse::<nfc::qemu::Accel>)]
        accel: Option<nfc::qemu::Accel>,
        /// kvm: guest memory in MiB.
        #[arg(long, default_value_t = 32)]
        memory: u32,
        /// kvm: a NIC, eth0 first: `tap:NAME` or `dgram:LOCAL_PORT:REMOTE_PORT`
        /// (UDP on 127.0.0.1), optionally `,mac=XX:XX:XX:XX:XX:XX`.
        #[arg(long = "nic", value_name = "SPEC")]
        nics: Vec<String>,
        /// Arguments for the program (linux) or QEMU (kvm).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Benchmark a configuration on linux: compile, run several times,
    /// report the median rate (the config prints a RESULT line).
    Bench {
        /// The configuration file (`-` for standard input).
        config: String,
        /// How many timed runs.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Packets per run: sets the InfiniteSource's LIMIT (Click's and
        /// FastClick's figures were measured with 20,000,000).
        #[arg(long)]
        packets: Option<u64>,
        /// Also count instructions per packet with valgrind's callgrind.
        #[arg(long)]
        callgrind: bool,
    },
    /// Run a configuration as Click's `click` driver does, on nfc's generic
    /// runner: until it stops (or SIGINT), then print the `-h` handlers.
    #[command(disable_help_flag = true)]
    Click {
        /// The configuration file (`-` or none: standard input).
        file: Option<String>,
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

#[derive(Clone, Copy, ValueEnum)]
enum PlatArg {
    /// A Linux process (development, tests, benchmarks).
    Linux,
    /// A single-core x86_64 image (PVH ELF) for KVM/QEMU.
    Kvm,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
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
            let plat = match plat {
                PlatArg::Linux => nfc::codegen::Plat::Linux,
                PlatArg::Kvm => nfc::codegen::Plat::Kvm,
            };
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
            plat: PlatArg::Kvm,
            machine,
            accel,
            memory,
            nics,
            args,
        } => {
            let run = || -> Result<ExitCode, String> {
                let input = Input::read(&config)?;
                let mut vm = nfc::qemu::Vm::new(
                    std::env::temp_dir().join(format!("nfc-run-{}.kvm", input.stem)),
                );
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
                let out = cli::compile(
                    &input,
                    &cli.defines,
                    nfc::codegen::Plat::Kvm,
                    None,
                    &vm.kernel,
                    color,
                )?;
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
        Command::Bench {
            config,
            runs,
            packets,
            callgrind,
        } => Input::read(&config)
            .and_then(|input| cli::bench(&input, &cli.defines, runs, packets, callgrind, color)),
        Command::Click {
            file,
            file_option,
            expression,
            handlers,
            exit_handler,
            quit,
            ports,
            unix_sockets,
            output,
            help: _,
        } => {
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
                defines: cli.defines,
                handlers,
                exit_handler,
                quit,
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
