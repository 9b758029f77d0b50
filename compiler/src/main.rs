//! `nfc`: the network function compiler's command line.

use clap::{Parser, Subcommand, ValueEnum};
use nfc::cli::{self, Input};
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
    /// List the element classes nfc knows, or print one class's manual.
    Elements {
        /// A class name, for its full manual.
        class: Option<String>,
    },
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
