//! The subcommands behind `nfc check`, `nfc graph` and `nfc elements`.
//!
//! Each returns what goes to standard output, or the text for standard
//! error (rendered diagnostics) when the command fails.

use crate::registry::Elements;
use nfc_elements::standard::address_info::{self, AddressInfo};
use nfc_graph::{export, Diagnostic, Outcome, Registry, Source};
use std::fmt::Write;

/// A configuration read from a file or standard input.
pub struct Input {
    /// The text and the name diagnostics use for it.
    pub source: Source,
    /// The file stem (`firewall` for `configs/firewall.click`).
    pub stem: String,
}

impl Input {
    /// Reads `path`, or standard input for `-`.
    pub fn read(path: &str) -> Result<Input, String> {
        let text = if path == "-" {
            std::io::read_to_string(std::io::stdin())
                .map_err(|e| format!("nfc: cannot read standard input: {e}\n"))?
        } else {
            std::fs::read_to_string(path)
                .map_err(|e| format!("nfc: cannot read `{path}`: {e}\n"))?
        };
        let stem = std::path::Path::new(path)
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|s| *s != "-")
            .unwrap_or("config")
            .to_string();
        Ok(Input {
            source: Source::new(if path == "-" { "<stdin>" } else { path }, text),
            stem,
        })
    }
}

/// Parses, expands and checks `input`; with `syntax`, the language only.
///
/// AddressInfo names used in other elements' configurations (`foo`,
/// `foo:ipnet`) are resolved here, for every command alike: a
/// configuration that does not configure as written is tried with the
/// names replaced by their addresses ([`Named`]), and the graph keeps the
/// configuration that worked, so the runners and generated code see
/// addresses only.
pub fn load(input: &Input, defines: &[(String, String)], syntax: bool) -> Outcome {
    if syntax {
        return nfc_graph::load(&input.source, defines, None);
    }
    let infos: Vec<AddressInfo> = nfc_graph::load(&input.source, defines, None)
        .graph
        .iter()
        .flat_map(|g| &g.elements)
        .filter(|e| e.class == "AddressInfo")
        .filter_map(|e| AddressInfo::configure(&e.config.text).ok())
        .collect();
    if infos.is_empty() {
        return nfc_graph::load(&input.source, defines, Some(&Elements));
    }
    let named = Named { infos };
    let mut outcome = nfc_graph::load(&input.source, defines, Some(&named));
    if let Some(graph) = outcome.graph.as_mut() {
        for e in &mut graph.elements {
            if let Some(config) = named.resolve(&e.class, &e.config.text) {
                e.config.text = config;
            }
        }
    }
    outcome
}

/// The element registry with AddressInfo names resolved: an element whose
/// configuration fails as written is configured with the names replaced
/// by their addresses ([`nfc_elements::standard::address_info::substitute`]),
/// each choice of meaning for bare names in turn, as Click's parsers look
/// a name up where a word is no address.
pub struct Named {
    /// The configuration's AddressInfo elements.
    pub infos: Vec<AddressInfo>,
}

impl Named {
    /// The configuration element `class` should have instead of `config`:
    /// `None` when `config` configures as written or names no address.
    pub fn resolve(&self, class: &str, config: &str) -> Option<String> {
        if class == "AddressInfo" || Elements.configure(class, config).is_ok() {
            return None;
        }
        let tries: Vec<String> = (0..address_info::MAX_CANDIDATES)
            .map_while(|k| address_info::substitute(config, &self.infos, k))
            .collect();
        tries
            .iter()
            .find(|c| Elements.configure(class, c).is_ok())
            .or(tries.first())
            .cloned()
    }
}

impl Registry for Named {
    fn lookup(&self, class: &str) -> Option<nfc_graph::ClassInfo<'_>> {
        Elements.lookup(class)
    }

    fn class_names(&self) -> Vec<&str> {
        Elements.class_names()
    }

    fn configure(
        &self,
        class: &str,
        config: &str,
    ) -> Result<nfc_graph::ConfigPorts, Vec<nfc_graph::ConfigIssue>> {
        match self.resolve(class, config) {
            Some(resolved) => Elements.configure(class, &resolved),
            None => Elements.configure(class, config),
        }
    }
}

/// The text for standard error when `input` has errors: every diagnostic
/// rendered, then `NAME: N errors found`.
pub fn failure(input: &Input, diagnostics: &[Diagnostic], color: bool) -> String {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == nfc_graph::Severity::Error)
        .count();
    let mut out = input.source.render(diagnostics, color);
    let _ = writeln!(
        out,
        "{}: {errors} error{} found",
        input.source.name,
        if errors == 1 { "" } else { "s" }
    );
    out
}

/// `nfc check`: a one-line summary, or every diagnostic.
pub fn check(
    input: &Input,
    defines: &[(String, String)],
    syntax: bool,
    color: bool,
) -> Result<String, String> {
    let outcome = load(input, defines, syntax);
    if !outcome.ok() {
        return Err(failure(input, &outcome.diagnostics, color));
    }
    let mut out = input.source.render(&outcome.diagnostics, color);
    let graph = outcome
        .graph
        .as_ref()
        .expect("a run without errors has a graph");
    let _ = write!(
        out,
        "{}: ok, {} elements, {} connections",
        input.source.name,
        graph.elements.len(),
        graph.connections.len()
    );
    if let Some(ports) = &outcome.ports {
        let pull = ports
            .iter()
            .flat_map(|p| p.inputs.iter())
            .filter(|x| **x == nfc_graph::Processing::Pull)
            .count();
        let _ = write!(out, ", {pull} pull inputs");
    } else {
        out.push_str(" (syntax only)");
    }
    out.push('\n');
    Ok(out)
}

/// Output formats of `nfc graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// JSON.
    Json,
    /// Flattened Click text.
    Click,
}

/// `nfc graph`: the checked, flattened graph in `format`.
pub fn graph(
    input: &Input,
    defines: &[(String, String)],
    format: GraphFormat,
    color: bool,
) -> Result<String, String> {
    let outcome = load(input, defines, false);
    if !outcome.ok() {
        return Err(failure(input, &outcome.diagnostics, color));
    }
    let graph = outcome
        .graph
        .as_ref()
        .expect("a run without errors has a graph");
    let ports = outcome.ports.as_deref();
    Ok(match format {
        GraphFormat::Dot => export::to_dot(graph, &input.stem, ports),
        GraphFormat::Json => export::to_json(graph, ports),
        GraphFormat::Click => export::to_click(graph, ports),
    })
}

/// `nfc elements`: every class in a table, or one class's manual.
pub fn elements(class: Option<&str>) -> Result<String, String> {
    let mut out = String::new();
    match class {
        None => {
            let _ = writeln!(out, "{:<22} {:<8} {:<8} SUMMARY", "CLASS", "PORTS", "PROC");
            let mut all: Vec<_> = nfc_elements::all().collect();
            all.sort_by_key(|s| s.class);
            for s in all {
                let _ = writeln!(
                    out,
                    "{:<22} {:<8} {:<8} {}",
                    s.class, s.port_count, s.processing, s.summary
                );
            }
        }
        Some(name) => {
            let Some(spec) = nfc_elements::lookup(name) else {
                let names: Vec<&str> = nfc_elements::all().map(|s| s.class).collect();
                let hint = match nfc_graph::suggest(name, names.into_iter()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "`nfc elements` lists them all".to_string(),
                };
                return Err(format!("nfc: no element class `{name}`; {hint}\n"));
            };
            for line in spec.manual() {
                out.push_str(line);
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "\nPorts {} · processing {} · flow {}",
                spec.port_count, spec.processing, spec.flow_code
            );
        }
    }
    Ok(out)
}

/// `nfc compile`: checks `input`, generates its pipeline for `plat` and
/// builds it into `output`.
pub fn compile(
    input: &Input,
    defines: &[(String, String)],
    plat: crate::codegen::Plat,
    emit: Option<&std::path::Path>,
    output: &std::path::Path,
    color: bool,
) -> Result<String, String> {
    let outcome = load(input, defines, false);
    if !outcome.ok() {
        return Err(failure(input, &outcome.diagnostics, color));
    }
    let mut out = input.source.render(&outcome.diagnostics, color);
    let built = crate::compile::generate_and_build(
        &outcome,
        &input.stem,
        &input.source.name,
        plat,
        emit,
        output,
    )?;
    let _ = writeln!(
        out,
        "{}: compiled for --plat {} into {}",
        input.source.name,
        plat.name(),
        built.display()
    );
    Ok(out)
}

/// `nfc bench`: compiles `input` for linux, runs it `runs` times and
/// reports the median rate; with `callgrind`, instructions per packet too.
pub fn bench(
    input: &Input,
    defines: &[(String, String)],
    runs: usize,
    packets: Option<u64>,
    callgrind: bool,
    color: bool,
) -> Result<String, String> {
    use crate::bench;
    let outcome = load(input, defines, false);
    if !outcome.ok() {
        return Err(failure(input, &outcome.diagnostics, color));
    }
    let program = std::env::temp_dir().join(format!("nfc-bench-{}", input.stem));
    crate::compile::generate_and_build(
        &outcome,
        &input.stem,
        &input.source.name,
        crate::codegen::Plat::Linux,
        None,
        &program,
    )?;
    let graph = outcome
        .graph
        .as_ref()
        .expect("a checked outcome has a graph");
    let source = graph.elements.iter().find(|e| e.class == "InfiniteSource");
    let args = match (packets, source) {
        (None, _) => Vec::new(),
        (Some(n), Some(src)) => vec!["--write".to_string(), format!("{}.limit={n}", src.name)],
        (Some(_), None) => {
            return Err("nfc: --packets needs an InfiniteSource whose `limit` it can set\n".into())
        }
    };
    let timed = bench::time_runs(&program, runs.max(1), &args)?;
    let mut out = String::new();
    for (i, r) in timed.iter().enumerate() {
        let _ = writeln!(
            out,
            "run {}: {} packets in {:.4} s: {:.2} Mpps, {:.1} ns/packet{}",
            i + 1,
            r.packets,
            r.seconds,
            r.mpps(),
            r.ns_per_packet(),
            r.out.map(|n| format!(" ({n} out)")).unwrap_or_default()
        );
    }
    let m = bench::median(&timed).expect("at least one run");
    let _ = writeln!(
        out,
        "{}: median of {}: {:.2} Mpps, {:.1} ns/packet (one core, --plat linux)",
        input.stem,
        timed.len(),
        m.mpps(),
        m.ns_per_packet()
    );
    if callgrind {
        let graph = outcome
            .graph
            .as_ref()
            .expect("a checked outcome has a graph");
        let source = graph
            .elements
            .iter()
            .find(|e| e.class == "InfiniteSource")
            .ok_or("nfc: --callgrind needs an InfiniteSource whose `limit` it can set\n")?;
        let ipp = bench::instructions_per_packet(&program, &source.name, 100_000, 300_000)?;
        let _ = writeln!(
            out,
            "{}: {ipp:.1} instructions/packet (callgrind, 300,000 - 100,000 packets)",
            input.stem
        );
    }
    Ok(out)
}
