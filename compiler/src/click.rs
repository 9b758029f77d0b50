//! `nfc click`: Click's `click` driver on dataplane's generic runner.
//!
//! The configuration comes from `-e 'CONFIG'`, a file, or standard input;
//! it is checked as `nfc check` does, built with [`crate::generic`] on the
//! linux platform, and run until it stops: an element asks to (`STOP
//! true`), a driver script ends or writes `stop`, a control client writes
//! `stop`, or SIGINT/SIGTERM arrives. Then the `-h ELEMENT.HANDLER` read
//! handlers are printed on standard output in Click's format:
//!
//! - one handler: its value alone, with a newline added when it has none;
//! - several handlers, or an element part that is a glob pattern (`c*`) or
//!   a class name (`Counter`): `NAME.HANDLER:` on a line, the value (with
//!   its newline), and an empty line, for each;
//! - a handler name without a dot is a global handler (`list`, `version`).
//!
//! The exit status is Click's: 1 when the configuration has errors, cannot
//! be initialized, or a `-h` handler cannot be read; the value of the
//! `-x` handler when given (an integer, or a boolean: true is 0); else 0.
//!
//! Errors in the language (syntax, a redeclared element, a compound
//! class used wrongly) are printed as Click's lexer prints them, one
//! `FILE:LINE: message` line each, lines counted as `cpp`'s line
//! directives say; errors found by checking the elements are shown as
//! `nfc check` shows them, with the source line and a caret.
//!
//! Unlike a compiled program, `nfc click` prints no `nfc: ready` or `nfc:
//! stopped` line and no counters: standard output holds what Click's
//! would. Element messages (Print, a script's `read`) go to standard
//! error; a script's `print` goes to standard output, as in Click
//! ([`ClickConsole`]).
//!
//! `--simtime[=T]` runs on simulated time from T seconds (Click's default,
//! 1,000,000,000): time stands still while elements work and jumps to the
//! next [`next_event`](nfc_dataplane::element::Element::next_event) when
//! they have none, so timed tests run in milliseconds with exact counts.

use std::fmt::Write as _;

use nfc_dataplane::packet::PacketPool;
use nfc_dataplane::parse;
use nfc_dataplane::pipeline::{self, Pipeline};
use nfc_elements::standard::control_protocol::{read_handler, ReadError};
use nfc_elements::standard::control_socket::Endpoint;
use nfc_graph::export;
use nfc_platform_linux::platform::ClickConsole;
use nfc_platform_linux::Linux;

use crate::cli::{self, Input};
use crate::generic;

/// Where the configuration comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Config {
    /// `-e CONFIG`: the text itself, reported as `<expr>`.
    Expression(String),
    /// A file name; `-` is standard input.
    File(String),
}

/// What the command line asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The configuration.
    pub config: Config,
    /// `-D NAME=VALUE` overrides of the configuration's `define`s.
    pub defines: Vec<(String, String)>,
    /// `-h ELEMENT.HANDLER`: read handlers printed after the run, in order.
    pub handlers: Vec<String>,
    /// `-x ELEMENT.HANDLER`: the handler whose value is the exit status.
    pub exit_handler: Option<String>,
    /// `-q`: initialize the configuration but do not run it.
    pub quit: bool,
    /// `--simtime[=TIME]`: run on simulated time starting at TIME
    /// (nanoseconds), as Click's option does.
    pub simtime: Option<u64>,
    /// `-p PORT` and `-u PATH`: control sockets to serve while running.
    pub control: Vec<Endpoint>,
    /// `-o FILE`: write the flattened configuration there (`-`: standard
    /// output).
    pub output: Option<String>,
    /// Colour diagnostics.
    pub color: bool,
}

/// Sorts `nfc click`'s positional words as Click's driver does: a word
/// `NAME=VALUE` whose NAME is a variable name (letters, digits and `_`,
/// not starting with a digit; a leading `$` is allowed) sets the
/// configuration's `define` NAME; any other word names the configuration
/// file. Returns the file words and the settings, in order.
pub fn split_words(words: Vec<String>) -> (Vec<String>, Vec<(String, String)>) {
    let mut files = Vec::new();
    let mut defines = Vec::new();
    for word in words {
        let define = word.split_once('=').and_then(|(name, value)| {
            let name = name.strip_prefix('$').unwrap_or(name);
            let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            valid.then(|| (name.to_string(), value.to_string()))
        });
        match define {
            Some(d) => defines.push(d),
            None => files.push(word),
        }
    }
    (files, defines)
}

/// Runs `nfc click` as `options` ask and returns the exit status.
/// Handler values go to standard output, everything else to standard
/// error.
pub fn run(options: &Options) -> u8 {
    let input = match &options.config {
        Config::Expression(text) => Input {
            source: nfc_graph::Source::new("<expr>", text.clone()),
            stem: "expr".into(),
        },
        Config::File(path) => match Input::read(path) {
            Ok(input) => input,
            Err(e) => {
                eprint!("{e}");
                return 1;
            }
        },
    };
    // Errors in the language itself stop Click's lexer before any element
    // is looked at; they are printed as Click prints them.
    let language = cli::load(&input, &options.defines, true);
    if !language.ok() {
        let errors: Vec<_> = language
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == nfc_graph::Severity::Error)
            .collect();
        eprint!("{}", input.source.render_landmarks(&errors));
        return 1;
    }
    let outcome = cli::load(&input, &options.defines, false);
    if !outcome.ok() {
        eprint!(
            "{}",
            cli::failure(&input, &outcome.diagnostics, options.color)
        );
        return 1;
    }
    if let Err(e) = cli::check_files(&input, &outcome, options.color) {
        eprint!("{e}");
        return 1;
    }
    eprint!(
        "{}",
        input.source.render(&outcome.diagnostics, options.color)
    );
    let (Some(graph), Some(ports)) = (outcome.graph.as_ref(), outcome.ports.as_deref()) else {
        unreachable!("a checked configuration has a graph and ports");
    };
    let mut status = 0;
    if let Some(path) = &options.output {
        let flat = export::to_click(graph, Some(ports));
        let written = if path == "-" {
            print!("{flat}");
            Ok(())
        } else {
            std::fs::write(path, flat)
        };
        if let Err(e) = written {
            eprintln!("nfc: {path}: {e}");
            status = 1;
        }
    }
    if let Err(e) = nfc_platform_linux::catch_stop_signals() {
        eprintln!("nfc: cannot catch signals: {e}");
        return 1;
    }

    let pool = PacketPool::new(generic::POOL_SIZE);
    let mut plat = Linux::new(pool);
    plat.read_files_from(nfc_platform_linux::files::Disk::beside(&input.source.name));
    if let Some(begin) = options.simtime {
        plat.simulate_time(begin);
    }
    for endpoint in &options.control {
        if let Err(e) = plat.listen(endpoint, false) {
            eprintln!("nfc: {e}");
            return 1;
        }
    }
    let mut built = match generic::build(graph, ports, &mut plat) {
        Ok(built) => built,
        Err(errors) => {
            let diagnostics: Vec<_> = errors.iter().map(|e| e.diagnostic(graph)).collect();
            eprint!("{}", cli::failure(&input, &diagnostics, options.color));
            return 1;
        }
    };
    if let Err(e) = plat.start(&built.router) {
        eprintln!("nfc: {e}");
        return 1;
    }
    if !options.quit {
        if graph.elements.is_empty() {
            eprintln!(
                "warning: {}: configuration has no elements, exiting",
                input.source.name
            );
        } else {
            pipeline::run(
                &mut built.router,
                &mut plat,
                pool,
                &ClickConsole,
                &mut built.drivers,
                None,
            );
        }
    }

    let text = RouterText::new(&input.source.text, graph);
    let (out, errors) = read_handlers(&built.router, &text, &options.handlers);
    print!("{out}");
    for e in &errors {
        eprintln!("{e}");
    }
    if !errors.is_empty() {
        status = 1;
    }
    if let Some(handler) = &options.exit_handler {
        status = exit_status(&built.router, handler).unwrap_or_else(|e| {
            eprintln!("{e}");
            255
        });
    }
    // ToDump files are flushed, and control sockets closed, here.
    drop(built);
    drop(plat);
    status
}

/// The router's own text, for the global handlers `config` and
/// `flatconfig`, which the runner's elements know nothing of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouterText {
    /// `config`: the configuration as written, or the flattened one when
    /// it says `require(compact_config)`, as Click's router gives it.
    pub config: String,
    /// `flatconfig`: the flattened configuration, in Click's unparsed form.
    pub flat: String,
}

impl RouterText {
    /// The texts of configuration `source`, flattened into `graph`.
    pub fn new(source: &str, graph: &nfc_graph::graph::Graph) -> RouterText {
        let flat = export::unparse(graph);
        let compact = graph
            .requirements
            .iter()
            .flat_map(|r| r.split(','))
            .any(|r| r.trim() == "compact_config");
        RouterText {
            config: if compact { flat.clone() } else { source.into() },
            flat,
        }
    }

    /// Handler `full`'s value when it is one of these global handlers.
    fn read(&self, full: &str) -> Option<String> {
        match full.strip_prefix('.').unwrap_or(full) {
            "config" => Some(self.config.clone()),
            "flatconfig" => Some(self.flat.clone()),
            _ => None,
        }
    }
}

/// Reads `handlers` as Click's `-h` does: returns what goes to standard
/// output and one message per handler that could not be read.
pub fn read_handlers(
    pipeline: &dyn Pipeline,
    text: &RouterText,
    handlers: &[String],
) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut errors = Vec::new();
    let print_names = handlers.len() > 1;
    for full in handlers {
        if let Some(value) = text.read(full) {
            print_value(full, Ok(value), print_names, &mut out, &mut errors);
            continue;
        }
        match read_handler(pipeline, full) {
            Err(ReadError::NoElement(element)) => {
                let handler = &full[full.find('.').map_or(full.len(), |i| i + 1)..];
                expand(pipeline, &element, handler, &mut out, &mut errors);
            }
            result => print_value(full, result, print_names, &mut out, &mut errors),
        }
    }
    (out, errors)
}

/// Prints handler `pattern.handler` for every element whose name matches
/// the glob `pattern`, or whose class is `pattern`, and that has a
/// readable `handler`.
fn expand(
    pipeline: &dyn Pipeline,
    pattern: &str,
    handler: &str,
    out: &mut String,
    errors: &mut Vec<String>,
) {
    let is_pattern = pattern.contains(['?', '*', '[']);
    let matching: Vec<&str> = pipeline
        .elements()
        .into_iter()
        .filter(|(name, class)| {
            if is_pattern {
                glob_match(name, pattern)
            } else {
                *class == pattern
            }
        })
        .map(|(name, _)| name)
        .collect();
    if matching.is_empty() {
        errors.push(if is_pattern {
            format!("no element matching '{pattern}'")
        } else {
            format!("no element '{pattern}'")
        });
        return;
    }
    for name in matching {
        let full = format!("{name}.{handler}");
        match read_handler(pipeline, &full) {
            Err(ReadError::NoHandler | ReadError::WriteOnly) => {}
            result => print_value(&full, result, true, out, errors),
        }
    }
}

/// Appends one handler's value to `out` in Click's format, or its error
/// to `errors`.
fn print_value(
    full: &str,
    result: Result<String, ReadError>,
    print_name: bool,
    out: &mut String,
    errors: &mut Vec<String>,
) {
    let value = match result {
        Ok(value) => value,
        Err(ReadError::NoElement(element)) => {
            return errors.push(format!("no element '{element}'"));
        }
        Err(ReadError::NoHandler) => return errors.push(format!("no '{full}' handler")),
        Err(ReadError::WriteOnly) => return errors.push(format!("'{full}' is a write handler")),
        Err(ReadError::Failed(why)) => return errors.push(format!("'{full}': {why}")),
    };
    if print_name {
        let _ = writeln!(out, "{full}:");
    }
    out.push_str(&value);
    if !value.is_empty() && !value.ends_with('\n') {
        out.push('\n');
    }
    if print_name {
        out.push('\n');
    }
}

/// The exit status handler `full` gives, as Click's `-x`: an integer
/// (modulo 256), or a boolean (true is 0, false 1).
fn exit_status(pipeline: &dyn Pipeline, full: &str) -> Result<u8, String> {
    let value = read_handler(pipeline, full).map_err(|e| match e {
        ReadError::NoElement(element) => format!("no element '{element}'"),
        ReadError::NoHandler => format!("no '{full}' handler"),
        ReadError::WriteOnly => format!("'{full}' is a write handler"),
        ReadError::Failed(why) => format!("'{full}': {why}"),
    })?;
    let value = value.trim();
    if let Ok(n) = parse::integer::<i64>(value) {
        Ok(n.rem_euclid(256) as u8)
    } else if let Ok(b) = parse::boolean(value) {
        Ok(u8::from(!b))
    } else {
        Err("exit handler value should be integer".into())
    }
}

/// Shell-style glob matching of `name` against `pattern`: `*` any run of
/// characters, `?` one character, `[abc]`, `[a-z]` and `[!a]` (or `[^a]`)
/// one character of a set.
fn glob_match(name: &str, pattern: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    // Positions to resume from after the last `*`: (pattern, name).
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        let step = match pattern.get(p) {
            Some('*') => {
                star = Some((p + 1, n));
                p += 1;
                continue;
            }
            Some('?') => Some(p + 1),
            Some('[') => class_match(&pattern, p, name[n]),
            Some(c) if *c == name[n] => Some(p + 1),
            _ => None,
        };
        match (step, star) {
            (Some(next), _) => {
                p = next;
                n += 1;
            }
            (None, Some((sp, sn))) => {
                p = sp;
                n = sn + 1;
                star = Some((sp, sn + 1));
            }
            (None, None) => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// Matches `c` against the set starting at `pattern[open]` (a `[`);
/// returns the position after the set when it matches. A `[` with no
/// closing `]` matches itself.
fn class_match(pattern: &[char], open: usize, c: char) -> Option<usize> {
    let mut i = open + 1;
    let negate = matches!(pattern.get(i), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let start = i;
    let mut found = false;
    while let Some(&x) = pattern.get(i) {
        if x == ']' && i > start {
            return (found != negate).then_some(i + 1);
        }
        if pattern.get(i + 1) == Some(&'-') && pattern.get(i + 2).is_some_and(|&y| y != ']') {
            found |= (x..=pattern[i + 2]).contains(&c);
            i += 3;
        } else {
            found |= x == c;
            i += 1;
        }
    }
    (c == '[').then_some(open + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nfc_dataplane::router::Router;
    use nfc_elements::standard::counter::Counter;
    use nfc_elements::standard::simple_queue::SimpleQueue;

    fn router() -> Router {
        let mut r = Router::new();
        r.set_registry(nfc_elements::REGISTRY);
        for name in ["c1", "c2", "d"] {
            let c = Counter::configure("").unwrap();
            r.add(name, "Counter", Box::new(c), 1, 1, false);
        }
        let q = SimpleQueue::configure("").unwrap();
        r.add("q", "SimpleQueue", Box::new(q), 1, 1, false);
        r
    }

    fn handlers(names: &[&str]) -> (String, Vec<String>) {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let text = RouterText {
            config: "written".into(),
            flat: "flat".into(),
        };
        read_handlers(&router(), &text, &names)
    }

    #[test]
    fn one_handler_is_its_value_alone() {
        assert_eq!(handlers(&["c1.count"]), ("0\n".into(), vec![]));
        // A value that ends in a newline gets no second one.
        let (out, errors) = handlers(&["list"]);
        assert_eq!(out, "4\nc1\nc2\nd\nq\n");
        assert!(errors.is_empty());
    }

    #[test]
    fn several_handlers_are_named_and_separated() {
        assert_eq!(
            handlers(&["c1.count", "q.length"]),
            ("c1.count:\n0\n\nq.length:\n0\n\n".into(), vec![])
        );
    }

    #[test]
    fn patterns_and_classes_expand_to_every_match() {
        assert_eq!(
            handlers(&["c*.count"]),
            ("c1.count:\n0\n\nc2.count:\n0\n\n".into(), vec![])
        );
        // By class; elements without the handler are skipped.
        assert_eq!(
            handlers(&["Counter.count"]),
            (
                "c1.count:\n0\n\nc2.count:\n0\n\nd.count:\n0\n\n".into(),
                vec![]
            )
        );
        assert_eq!(
            handlers(&["?.length"]).0,
            "q.length:\n0\n\n",
            "d has no length handler"
        );
    }

    #[test]
    fn errors_are_clicks() {
        let (out, errors) = handlers(&["c1.nope", "zz.count", "z*.count", "c1.reset", "nope"]);
        assert_eq!(out, "");
        assert_eq!(
            errors,
            [
                "no 'c1.nope' handler",
                "no element 'zz'",
                "no element matching 'z*'",
                "'c1.reset' is a write handler",
                "no 'nope' handler"
            ]
        );
    }

    #[test]
    fn exit_status_from_a_handler() {
        let r = router();
        assert_eq!(exit_status(&r, "c1.count"), Ok(0));
        assert_eq!(
            exit_status(&r, "list").unwrap_err(),
            "exit handler value should be integer"
        );
        assert_eq!(
            exit_status(&r, "c1.nope").unwrap_err(),
            "no 'c1.nope' handler"
        );
    }

    #[test]
    fn positional_words_are_a_file_and_defines() {
        let words = |w: &[&str]| split_words(w.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            words(&["N=5", "conf.click", "$DEV=eth0", "X="]),
            (
                vec!["conf.click".to_string()],
                vec![
                    ("N".to_string(), "5".to_string()),
                    ("DEV".to_string(), "eth0".to_string()),
                    ("X".to_string(), String::new())
                ]
            )
        );
        // Not a variable name before the `=`: a file name.
        assert_eq!(
            words(&["a/b=c.click", "1N=2", "=x", "-"]),
            (
                vec![
                    "a/b=c.click".to_string(),
                    "1N=2".to_string(),
                    "=x".to_string(),
                    "-".to_string()
                ],
                vec![]
            )
        );
    }

    #[test]
    fn globs() {
        for (name, pattern, matches) in [
            ("c1", "c*", true),
            ("c1", "*1", true),
            ("c1", "*", true),
            ("", "*", true),
            ("c1", "c?", true),
            ("c12", "c?", false),
            ("c1", "c[0-9]", true),
            ("ca", "c[0-9]", false),
            ("ca", "c[!0-9]", true),
            ("c1", "c[^1]", false),
            ("a/b/c", "a*c", true),
            ("abcabd", "*abd", true),
            ("abcabd", "a*c", false),
            ("x[", "x[", true),
            ("c-", "c[a-]", true),
            ("c]", "c[]]", true),
        ] {
            assert_eq!(glob_match(name, pattern), matches, "{name} ~ {pattern}");
        }
    }
}
