//! The subcommands behind `nfc check`, `nfc graph` and `nfc elements`.
//!
//! Each returns what goes to standard output, or the text for standard
//! error (rendered diagnostics) when the command fails.

use crate::registry::Elements;
use nfc_elements::standard::address_info::{self, AddressInfo};
use nfc_graph::graph::Graph;
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

/// A problem with a file an element's configuration names, and the text
/// it is shown in: the file itself (a zone's line and column, with a
/// caret) or the configuration (a file that cannot be read, under the
/// element that names it).
#[derive(Clone, Debug)]
pub struct FileProblem {
    /// The text the diagnostic's spans are in.
    pub source: Source,
    /// What is wrong.
    pub diagnostic: Diagnostic,
}

/// Reads the files the elements of `graph` (loaded from `input`) name,
/// relative to the configuration's directory, and configures those
/// elements with them ([`nfc_elements::classes::build_with_files`]):
/// every problem found. An element's error that says `FILE:LINE:COL:
/// what` (FILE one the element read; after a keyword, as `ZONE:
/// a.zone:3:9: bad TTL`) is shown at that place in that file, with a
/// caret; its other errors under its configuration.
pub fn file_problems(input: &Input, graph: &Graph) -> Vec<FileProblem> {
    let disk = nfc_platform_linux::files::Disk::beside(&input.source.name);
    let mut problems = Vec::new();
    for e in &graph.elements {
        let Some(built) = nfc_elements::classes::build_with_files(&e.class, &e.config.text, &disk)
        else {
            continue;
        };
        let in_config = |message: String, span| FileProblem {
            source: input.source.clone(),
            diagnostic: Diagnostic::error(
                message,
                span,
                format!("in the configuration of `{}`", e.name),
            ),
        };
        let errors = built.element.err().map(|e| e.0).unwrap_or_default();
        // A file that could not be read, unless the element's own error
        // says so (at its argument).
        for (name, read) in &built.read {
            if let Err(why) = read {
                if !errors.iter().any(|err| err.message.contains(name.as_str())) {
                    problems.push(in_config(format!("{}: cannot read {why}", e.class), e.span));
                }
            }
        }
        for err in errors {
            let in_file = built.read.iter().find_map(|(name, r)| {
                let text = r.as_ref().ok()?;
                let (line, col, message) = file_position(&err.message, name)?;
                Some((name, text, line, col, message))
            });
            let mut problem = match in_file {
                Some((name, text, line, col, message)) => {
                    let source = Source::new(
                        shown_path(&input.source.name, name),
                        String::from_utf8_lossy(text),
                    );
                    let span = line_col_span(&source.text, line, col);
                    FileProblem {
                        source,
                        diagnostic: Diagnostic::error(
                            format!("{}: {message}", e.class),
                            span,
                            format!("read by `{}` :: {}", e.name, e.class),
                        ),
                    }
                }
                None => {
                    let span = match err.span.clone() {
                        Some(r) => e.config.source_span(r, e.span),
                        None => e.span,
                    };
                    in_config(format!("{}: {}", e.class, err.message), span)
                }
            };
            if let Some(hint) = err.hint {
                problem.diagnostic = problem.diagnostic.with_hint(hint);
            }
            problems.push(problem);
        }
    }
    problems
}

/// `Err` with every problem with the files `outcome`'s elements name
/// rendered, then `NAME: N errors found`, as [`failure`] renders the
/// configuration's.
pub fn check_files(input: &Input, outcome: &Outcome, color: bool) -> Result<(), String> {
    let Some(graph) = outcome.graph.as_ref() else {
        return Ok(());
    };
    let problems = file_problems(input, graph);
    if problems.is_empty() {
        return Ok(());
    }
    let mut out = String::new();
    for p in &problems {
        out.push_str(&p.source.render(std::slice::from_ref(&p.diagnostic), color));
    }
    let _ = writeln!(
        out,
        "{}: {} error{} found",
        input.source.name,
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    Err(out)
}

/// The line, column and message of an element's error `message` that
/// says `NAME:LINE:COL: what` for file `name`, at its start or after a
/// keyword's `KEYWORD: ` (`ZONE: a.zone:3:9: bad TTL` gives 3, 9 and
/// `ZONE: bad TTL`).
fn file_position(message: &str, name: &str) -> Option<(usize, usize, String)> {
    let at = format!("{name}:");
    let start = if message.starts_with(&at) {
        0
    } else {
        message.find(&format!(": {at}"))? + 2
    };
    let rest = &message[start + at.len()..];
    let (line, rest) = rest.split_once(':')?;
    let (col, rest) = rest.split_once(':')?;
    Some((
        line.parse().ok()?,
        col.parse().ok()?,
        format!("{}{}", &message[..start], rest.trim_start()),
    ))
}

/// The span of the word at 1-based `line` and `col` (in bytes) of
/// `text`: to the next blank, at least one character where there is one.
fn line_col_span(text: &str, line: usize, col: usize) -> nfc_graph::ast::Span {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line_text = text[line_start..].split('\n').next().unwrap_or_default();
    let mut start = line_start + col.saturating_sub(1).min(line_text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let word = text[start..]
        .find(char::is_whitespace)
        .unwrap_or(text.len() - start);
    let first = text[start..].chars().next().map_or(0, char::len_utf8);
    nfc_graph::ast::Span::new(start, start + word.max(first))
}

/// The path of file `name` a configuration read from `config` names, as
/// the user can open it: beside the configuration, unless absolute or
/// the configuration is no file.
fn shown_path(config: &str, name: &str) -> String {
    let dir = std::path::Path::new(config).parent();
    match dir {
        Some(dir)
            if !dir.as_os_str().is_empty()
                && !config.starts_with('<')
                && !std::path::Path::new(name).is_absolute() =>
        {
            dir.join(name).to_string_lossy().into_owned()
        }
        _ => name.to_string(),
    }
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
    if !syntax {
        check_files(input, &outcome, color)?;
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
    check_files(input, &outcome, color)?;
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
    check_files(input, &outcome, color)?;
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
