//! Click's test-file format (testie) and a runner that plays the files
//! against `nfc click`.
//!
//! A file is a sequence of sections, each opened by a line that starts
//! with `%`: `%info` and `%desc` (prose), `%require` (a shell script that
//! must succeed for the test to run), `%script` (the shell script under
//! test), `%file [-d] [+LENGTH] NAME…` and `%stdin` (input files; `stdin`
//! is the script's standard input), `%expect`, `%expectx`, `%expectv`
//! (expected output files; `stdout` and `stderr` are the script's) and
//! `%ignore`, `%ignorex`, `%ignorev` (output lines to skip before
//! comparing). `%eof` ends the file.
//!
//! Comparison follows testie: `%expectv` data must equal the output byte
//! for byte; `%expect` and `%expectx` compare line by line, ignoring blank
//! lines and trailing whitespace, after dropping the output lines that an
//! `%ignore` pattern matches (whole-line). In `%expect`, `{{regex}}` spans
//! are regular expressions and the rest is literal; in `%expectx` every
//! line is a regular expression; `{{?comment}}` spans are comments. `-w`
//! ignores differences in the amount of whitespace within a line, `-i`
//! makes the regular expressions case-insensitive, `-a` marks an
//! alternative (any alternative for a file may match).
//!
//! [`Runner::run`] writes the files into a fresh directory, puts `click`
//! and `click-buildtool` first on `PATH` (links to nfc, which answers
//! under those names: `click` is `nfc click`, `click-buildtool provides
//! CLASS…` succeeds when nfc's registry has every class), runs `%require` and `%script` with `sh` under a
//! time limit, and compares. [`not_applicable`] applies issue 8's rules
//! for files nfc does not aim to pass.

use std::fmt;
use std::fs;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use regex::Regex;

/// How an expected or ignored section's lines are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `%expectv`, `%ignorev`: exact text.
    Verbatim,
    /// `%expect`, `%ignore`: literal text with `{{regex}}` spans.
    Braces,
    /// `%expectx`, `%ignorex`: every line is a regular expression.
    Regex,
}

/// One `%expect*` section for one output file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    /// The output file: a name in the test directory, `stdout` or `stderr`.
    pub file: String,
    /// How the data is read.
    pub mode: Mode,
    /// `-w`: differences in the amount of whitespace within a line do not
    /// count.
    pub loose_space: bool,
    /// `-i`: regular expressions ignore case.
    pub ignore_case: bool,
    /// `-a`: one of several alternatives for the file.
    pub alternate: bool,
    /// The expected data.
    pub data: String,
}

/// One `%ignore*` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignore {
    /// The output file it applies to; `all` for every file.
    pub file: String,
    /// How the patterns are read; a pattern matches a whole line.
    pub mode: Mode,
    /// `-i`: regular expressions ignore case.
    pub ignore_case: bool,
    /// The patterns, a line each.
    pub data: String,
}

/// A parsed test file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestFile {
    /// `%info`: what the test is about.
    pub info: String,
    /// `%require` scripts, in order.
    pub require: Vec<String>,
    /// `%script`.
    pub script: String,
    /// `%file` and `%stdin` sections: name and contents, in order.
    pub files: Vec<(String, String)>,
    /// `%expect*` sections.
    pub expects: Vec<Expect>,
    /// `%ignore*` sections.
    pub ignores: Vec<Ignore>,
}

/// A malformed test file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line of the offending section header.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A section header's options and arguments.
struct Header {
    delete_first: bool,
    length: Option<usize>,
    loose_space: bool,
    ignore_case: bool,
    alternate: bool,
    names: Vec<String>,
}

fn parse_header(args: &str, line: usize) -> Result<Header, ParseError> {
    let mut header = Header {
        delete_first: false,
        length: None,
        loose_space: false,
        ignore_case: false,
        alternate: false,
        names: Vec::new(),
    };
    for word in args.split_whitespace() {
        if let Some(flags) = word.strip_prefix('-').filter(|f| !f.is_empty()) {
            for flag in flags.chars() {
                match flag {
                    'd' => header.delete_first = true,
                    'w' => header.loose_space = true,
                    'i' => header.ignore_case = true,
                    'a' => header.alternate = true,
                    'q' => {}
                    other => {
                        return Err(ParseError {
                            line,
                            message: format!("unknown section flag `-{other}`"),
                        })
                    }
                }
            }
        } else if let Some(n) = word.strip_prefix('+') {
            header.length = Some(n.parse().map_err(|_| ParseError {
                line,
                message: format!("bad length `{word}`"),
            })?);
        } else {
            header.names.push(word.to_string());
        }
    }
    Ok(header)
}

/// Parses a test file's text.
pub fn parse(text: &str) -> Result<TestFile, ParseError> {
    let mut test = TestFile::default();
    let mut rest = text;
    let mut line_no = 1;
    // Text before the first section is ignored, as testie does.
    while let Some(pos) = find_section(rest) {
        line_no += rest[..pos].matches('\n').count();
        rest = &rest[pos..];
        let header_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let header_line = rest[..header_end].trim_end();
        rest = &rest[header_end..];
        let header_at = line_no;
        line_no += 1;
        let (kind, args) = header_line[1..]
            .split_once(char::is_whitespace)
            .unwrap_or((&header_line[1..], ""));
        if kind == "eof" {
            break;
        }
        let header = parse_header(args, header_at)?;
        let body_len = match header.length {
            Some(n) if n <= rest.len() => n,
            Some(n) => {
                return Err(ParseError {
                    line: header_at,
                    message: format!("+{n} runs past the end of the file"),
                })
            }
            None => find_section(rest).unwrap_or(rest.len()),
        };
        let mut body = rest[..body_len].to_string();
        rest = &rest[body_len..];
        if header.length.is_some() {
            line_no += body.matches('\n').count();
            // The next section starts at a line start: skip to it.
            let skip = find_section(rest).unwrap_or(rest.len());
            line_no += rest[..skip].matches('\n').count();
            rest = &rest[skip..];
        }
        if header.delete_first {
            body = body
                .split_inclusive('\n')
                .map(|l| l.get(1..).unwrap_or(""))
                .collect();
        }
        let names = if header.names.is_empty() {
            None
        } else {
            Some(header.names.clone())
        };
        let need_names = |what: &str| {
            names.clone().ok_or(ParseError {
                line: header_at,
                message: format!("`%{what}` needs a file name"),
            })
        };
        match kind {
            "info" | "desc" | "cut" => test.info.push_str(&body),
            "require" => test.require.push(body),
            "script" => test.script.push_str(&body),
            "stdin" => test.files.push(("stdin".into(), body)),
            "file" => {
                for name in need_names("file")? {
                    test.files.push((name, body.clone()));
                }
            }
            "expect" | "expectx" | "expectv" | "stdout" | "stderr" => {
                let files = match kind {
                    "stdout" | "stderr" => vec![kind.to_string()],
                    _ => need_names(kind)?,
                };
                let mode = match kind {
                    "expectx" => Mode::Regex,
                    "expectv" => Mode::Verbatim,
                    _ => Mode::Braces,
                };
                for file in files {
                    test.expects.push(Expect {
                        file,
                        mode,
                        loose_space: header.loose_space,
                        ignore_case: header.ignore_case,
                        alternate: header.alternate,
                        data: body.clone(),
                    });
                }
            }
            "ignore" | "ignorex" | "ignorev" => {
                let mode = match kind {
                    "ignorex" => Mode::Regex,
                    "ignorev" => Mode::Verbatim,
                    _ => Mode::Braces,
                };
                for file in names.clone().unwrap_or_else(|| vec!["all".into()]) {
                    test.ignores.push(Ignore {
                        file,
                        mode,
                        ignore_case: header.ignore_case,
                        data: body.clone(),
                    });
                }
            }
            other => {
                return Err(ParseError {
                    line: header_at,
                    message: format!("unknown section `%{other}`"),
                })
            }
        }
    }
    Ok(test)
}

/// The byte offset of the next line that opens a section (`%` and a
/// letter at a line start).
fn find_section(text: &str) -> Option<usize> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let mut chars = line.chars();
        if chars.next() == Some('%') && chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
            return Some(at);
        }
        at += line.len();
    }
    None
}

/// Translates one expectation or ignore line into an anchored regular
/// expression, or says why it cannot.
fn line_regex(
    line: &str,
    mode: Mode,
    loose_space: bool,
    ignore_case: bool,
) -> Result<Regex, String> {
    let mut pattern = String::from("^");
    let literal = |text: &str, out: &mut String| {
        if loose_space {
            let words: Vec<String> = text.split_whitespace().map(regex::escape).collect();
            let lead = text.starts_with(char::is_whitespace);
            let trail = text.ends_with(char::is_whitespace) && !words.is_empty();
            if lead {
                out.push_str(r"\s*");
            }
            out.push_str(&words.join(r"\s+"));
            if trail {
                out.push_str(r"\s*");
            }
        } else {
            out.push_str(&regex::escape(text));
        }
    };
    let mut rest = line;
    let mut case_group = false;
    while let Some(open) = rest.find("{{") {
        let Some(len) = rest[open + 2..].find("}}") else {
            break;
        };
        let inner = &rest[open + 2..open + 2 + len];
        let before = &rest[..open];
        if let Some(_comment) = inner.strip_prefix('?') {
            match mode {
                Mode::Regex => pattern.push_str(before.trim_end()),
                _ => literal(before.trim_end(), &mut pattern),
            }
            rest = rest[open + 4 + len..].trim_start();
            continue;
        }
        match mode {
            Mode::Regex => {
                // In %expectx braces are ordinary regex text.
                pattern.push_str(&rest[..open + 4 + len]);
            }
            _ => {
                literal(before, &mut pattern);
                if ignore_case {
                    pattern.push_str("(?i:");
                    case_group = true;
                } else {
                    pattern.push_str("(?:");
                }
                pattern.push_str(inner);
                pattern.push(')');
            }
        }
        rest = &rest[open + 4 + len..];
    }
    match mode {
        Mode::Regex => {
            if ignore_case && !case_group {
                pattern.insert_str(1, "(?i)");
            }
            pattern.push_str(rest);
        }
        Mode::Braces => literal(rest, &mut pattern),
        Mode::Verbatim => pattern.push_str(&regex::escape(rest)),
    }
    pattern.push('$');
    Regex::new(&pattern).map_err(|e| format!("bad pattern `{line}`: {e}"))
}

/// The lines testie compares: trailing whitespace gone, blank lines gone.
fn meaningful_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Compares an output file's text with one expectation, after the
/// ignore patterns that apply to it; `Err` holds the first difference.
pub fn compare(expect: &Expect, ignores: &[Ignore], actual: &str) -> Result<(), String> {
    if expect.mode == Mode::Verbatim {
        if actual == expect.data {
            return Ok(());
        }
        let line = expect
            .data
            .split_inclusive('\n')
            .zip(actual.split_inclusive('\n'))
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expect.data.lines().count().min(actual.lines().count()));
        return Err(format!(
            "`{}` line {}: expected `{}`, got `{}` (exact comparison)",
            expect.file,
            line + 1,
            expect.data.lines().nth(line).unwrap_or("<end of file>"),
            actual.lines().nth(line).unwrap_or("<end of file>")
        ));
    }
    let mut skip = Vec::new();
    for ignore in ignores
        .iter()
        .filter(|i| i.file == expect.file || i.file == "all")
    {
        for line in meaningful_lines(&ignore.data) {
            skip.push(line_regex(line, ignore.mode, false, ignore.ignore_case)?);
        }
    }
    let got: Vec<&str> = meaningful_lines(actual)
        .into_iter()
        .filter(|l| !skip.iter().any(|r| r.is_match(l)))
        .collect();
    let want = meaningful_lines(&expect.data);
    for (i, line) in want.iter().enumerate() {
        let re = line_regex(line, expect.mode, expect.loose_space, expect.ignore_case)?;
        match got.get(i) {
            Some(g) if re.is_match(g) => {}
            Some(g) => {
                return Err(format!(
                    "`{}` line {}: expected `{line}`, got `{g}`",
                    expect.file,
                    i + 1
                ))
            }
            None => {
                return Err(format!(
                    "`{}` line {}: expected `{line}`, got end of output",
                    expect.file,
                    i + 1
                ))
            }
        }
    }
    if let Some(extra) = got.get(want.len()) {
        return Err(format!(
            "`{}` line {}: expected end of output, got `{extra}`",
            expect.file,
            want.len() + 1
        ));
    }
    Ok(())
}

/// How one file came out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every expectation matched.
    Passed,
    /// The first mismatch (or why the test could not run).
    Failed(String),
    /// Issue 8's rule that excludes the file.
    NotApplicable(String),
}

/// Click tools that nfc does not replace.
const OTHER_TOOLS: &[&str] = &[
    "click-align",
    "click-check",
    "click-combine",
    "click-devirtualize",
    "click-fastclassifier",
    "click-flatten",
    "click-install",
    "click-ipopt",
    "click-mkmindriver",
    "click-pretty",
    "click-uncombine",
    "click-undead",
    "click-uninstall",
    "click-xform",
    "click2xml",
];

/// Handlers that dump Click's internal data structures.
const INTERNAL_HANDLERS: &[&str] = &[".program"];

/// Applies issue 8's rules: a file is not applicable when it needs the
/// kernel module, a Click tool other than `click` and `click-buildtool
/// provides`, a Click-internal test element (a class ending in `Test`, or
/// NotifierDebug), or a handler that dumps internal structures. Returns
/// the rule, or `None` when the file is applicable.
pub fn not_applicable(test: &TestFile) -> Option<String> {
    let shell: String = test.require.concat() + &test.script;
    if shell.contains("linuxmodule") || shell.contains("/proc/click") || shell.contains("whoami") {
        return Some("needs the Linux kernel module".into());
    }
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let shell_words = words(&shell);
    if let Some(tool) = shell_words
        .iter()
        .find(|w| OTHER_TOOLS.contains(&w.as_str()))
    {
        return Some(format!("needs the Click tool `{tool}`"));
    }
    for line in shell.lines() {
        let mut it = line
            .split_whitespace()
            .skip_while(|w| *w != "click-buildtool");
        if it.next().is_some() && it.next() != Some("provides") {
            return Some("needs `click-buildtool` beyond `provides`".into());
        }
    }
    let configs = test.files.iter().map(|(_, body)| body.as_str());
    let mut all_words = shell_words.clone();
    for body in configs {
        all_words.extend(words(body));
    }
    let is_test_element = |w: &str| {
        w == "NotifierDebug"
            || (w.len() > 4
                && w.ends_with("Test")
                && w.starts_with(|c: char| c.is_ascii_uppercase())
                && w.chars().all(|c| c.is_ascii_alphanumeric()))
    };
    if let Some(class) = all_words.iter().find(|w| is_test_element(w)) {
        return Some(format!("needs the Click-internal test element `{class}`"));
    }
    for handler in INTERNAL_HANDLERS {
        if shell_words.iter().any(|w| w.ends_with(handler)) {
            return Some(format!(
                "reads `{handler}`, a handler that dumps Click's internal structures"
            ));
        }
    }
    None
}

/// Where the runner finds `nfc` and how long a test may take.
#[derive(Clone, Debug)]
pub struct Runner {
    /// The `nfc` executable.
    pub nfc: PathBuf,
    /// The time limit for `%require` and for `%script`, each.
    pub timeout: Duration,
}

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

impl Runner {
    /// Runs a parsed test file and says how it came out. `name` only
    /// names the scratch directory.
    pub fn run(&self, name: &str, test: &TestFile) -> Outcome {
        if let Some(rule) = not_applicable(test) {
            return Outcome::NotApplicable(rule);
        }
        match self.play(name, test) {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Failed(format!("runner: {e}")),
        }
    }

    fn play(&self, name: &str, test: &TestFile) -> std::io::Result<Outcome> {
        let stem: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let root = std::env::temp_dir().join(format!(
            "nfc-clicktest-{}-{}-{stem}",
            std::process::id(),
            NEXT_DIR.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&root);
        let scratch = Scratch(root);
        let bin = scratch.0.join("bin");
        let work = scratch.0.join("work");
        fs::create_dir_all(&bin)?;
        fs::create_dir_all(&work)?;
        // nfc answers as Click's programs under their names.
        for program in ["click", "click-buildtool"] {
            std::os::unix::fs::symlink(&self.nfc, bin.join(program))?;
        }
        let path = match std::env::var_os("PATH") {
            Some(p) => {
                let mut joined = bin.clone().into_os_string();
                joined.push(":");
                joined.push(p);
                joined
            }
            None => bin.clone().into_os_string(),
        };
        for require in &test.require {
            let status = self.shell(require, &work, &path, None, &scratch.0, "require")?;
            match status {
                Some(s) if s.success() => {}
                Some(_) => {
                    let first = require.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                    return Ok(Outcome::Failed(format!(
                        "requirement failed: `{}`",
                        first.trim()
                    )));
                }
                None => return Ok(Outcome::Failed("requirement timed out".into())),
            }
        }
        let mut stdin = None;
        for (file, body) in &test.files {
            if file == "stdin" {
                stdin = Some(body.clone());
                continue;
            }
            let target = work.join(file);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::write(target, body)?;
        }
        let status = self.shell(
            &test.script,
            &work,
            &path,
            stdin.as_deref(),
            &scratch.0,
            "script",
        )?;
        let Some(status) = status else {
            return Ok(Outcome::Failed(format!(
                "timed out after {:.1} s",
                self.timeout.as_secs_f64()
            )));
        };
        let read = |file: &str| -> Option<String> {
            let p = match file {
                "stdout" | "stderr" => scratch.0.join(format!("script.{file}")),
                other => work.join(other),
            };
            fs::read(p)
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        // The script's first line on standard error, as a hint.
        let said = || {
            read("stderr")
                .and_then(|e| {
                    let line = e.lines().map(str::trim).find(|l| !l.is_empty())?;
                    Some(format!(" (stderr: `{line}`)"))
                })
                .unwrap_or_default()
        };
        // A file that expects no output (or only empty output) passes only
        // when its script succeeds: otherwise a script that cannot even
        // start would pass.
        let expects_nothing = test
            .expects
            .iter()
            .all(|e| e.mode != Mode::Verbatim && meaningful_lines(&e.data).is_empty());
        if expects_nothing && !status.success() {
            return Ok(Outcome::Failed(format!(
                "expects no output, and the script exited with {status}{}",
                said()
            )));
        }
        // Alternatives for a file: any may match; report the first's miss.
        let mut files: Vec<&str> = Vec::new();
        for expect in &test.expects {
            if !files.contains(&expect.file.as_str()) {
                files.push(&expect.file);
            }
        }
        for file in files {
            let Some(actual) = read(file) else {
                return Ok(Outcome::Failed(format!(
                    "`{file}` was not written{}",
                    said()
                )));
            };
            let mut first_miss = None;
            let mut matched = false;
            for expect in test.expects.iter().filter(|e| e.file == file) {
                match compare(expect, &test.ignores, &actual) {
                    Ok(()) => {
                        matched = true;
                        break;
                    }
                    Err(e) => {
                        first_miss.get_or_insert(e);
                    }
                }
            }
            if !matched {
                let why = first_miss.unwrap_or_default();
                // Say what nfc said when the mismatch does not show it.
                let said = if file == "stderr" {
                    String::new()
                } else {
                    said()
                };
                return Ok(Outcome::Failed(why + &said));
            }
        }
        Ok(Outcome::Passed)
    }

    /// Runs `script` with `sh` in `work`, output to files in `root`;
    /// `None` when it ran past the time limit (it is killed, with its
    /// whole process group).
    fn shell(
        &self,
        script: &str,
        work: &Path,
        path: &std::ffi::OsStr,
        stdin: Option<&str>,
        root: &Path,
        what: &str,
    ) -> std::io::Result<Option<ExitStatus>> {
        let script_path = root.join(format!("{what}.sh"));
        fs::write(&script_path, script)?;
        let stdin = match stdin {
            Some(text) => {
                let p = root.join(format!("{what}.stdin"));
                fs::write(&p, text)?;
                Stdio::from(fs::File::open(p)?)
            }
            None => Stdio::null(),
        };
        let mut child = Command::new("sh")
            .arg(&script_path)
            .current_dir(work)
            .env("PATH", path)
            .env_remove("VALGRIND")
            .stdin(stdin)
            .stdout(fs::File::create(root.join(format!("{what}.stdout")))?)
            .stderr(fs::File::create(root.join(format!("{what}.stderr")))?)
            .process_group(0)
            .spawn()
            .map_err(|e| std::io::Error::new(e.kind(), format!("sh (package dash): {e}")))?;
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(Some(status));
            }
            if Instant::now() >= deadline {
                // The group is the child's own (process_group(0) above).
                if let Some(pgid) = i32::try_from(child.id())
                    .ok()
                    .and_then(rustix::process::Pid::from_raw)
                {
                    let _ =
                        rustix::process::kill_process_group(pgid, rustix::process::Signal::KILL);
                }
                let _ = child.wait();
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;
    use std::os::unix::fs::PermissionsExt as _;

    fn write_script(path: &Path, text: &str) -> std::io::Result<()> {
        let mut f = fs::File::create(path)?;
        f.write_all(text.as_bytes())?;
        drop(f);
        fs::set_permissions(path, fs::Permissions::from_mode(0o755))
    }

    const SAMPLE: &str = "%info\nA test.\n\n%require\nclick-buildtool provides Counter\n\n\
%script\nclick CONFIG\n\n%file CONFIG\nIdle -> Discard;\n\n%expect stdout\n\
a {{\\d+}} b\n\n%expectv +3 FILE\n\t\n\t%ignore OUT\n!{{.*}}\n%eof\n%file NOPE\n";

    #[test]
    fn parses_sections() {
        let t = parse(SAMPLE).unwrap();
        assert_eq!(t.info, "A test.\n\n");
        assert_eq!(
            t.require,
            vec!["click-buildtool provides Counter\n\n".to_string()]
        );
        assert_eq!(t.script, "click CONFIG\n\n");
        assert_eq!(
            t.files,
            vec![("CONFIG".into(), "Idle -> Discard;\n\n".into())]
        );
        assert_eq!(t.expects.len(), 2);
        assert_eq!(t.expects[1].mode, Mode::Verbatim);
        assert_eq!(t.expects[1].data, "\t\n\t");
        assert_eq!(t.ignores.len(), 1);
        assert_eq!(t.ignores[0].file, "OUT");
    }

    #[test]
    fn rejects_unknown_sections() {
        assert_eq!(parse("%bogus\n").unwrap_err().line, 1);
        assert!(parse("%file\nx\n").is_err());
    }

    fn expect(data: &str, mode: Mode, loose: bool) -> Expect {
        Expect {
            file: "stdout".into(),
            mode,
            loose_space: loose,
            ignore_case: false,
            alternate: false,
            data: data.into(),
        }
    }

    #[test]
    fn braces_are_regexes_and_the_rest_literal() {
        let e = expect("a.b {{\\d+}}\n\n", Mode::Braces, false);
        assert!(compare(&e, &[], "a.b 12  \n\n").is_ok());
        assert!(compare(&e, &[], "axb 12\n").is_err());
        assert!(compare(&e, &[], "a.b 12\nmore\n").is_err());
        assert!(compare(&e, &[], "").is_err());
    }

    #[test]
    fn loose_space_and_comments() {
        let e = expect("a   b {{? note}}\n", Mode::Braces, true);
        assert!(compare(&e, &[], "a b\n").is_ok());
        assert!(compare(&e, &[], "ab\n").is_err());
        let strict = expect("a   b\n", Mode::Braces, false);
        assert!(compare(&strict, &[], "a b\n").is_err());
    }

    #[test]
    fn regex_mode_and_ignores() {
        let e = expect("x+\n", Mode::Regex, false);
        let ign = Ignore {
            file: "all".into(),
            mode: Mode::Braces,
            ignore_case: false,
            data: "!{{.*}}\n".into(),
        };
        assert!(compare(&e, std::slice::from_ref(&ign), "!comment\nxxx\n").is_ok());
        assert!(compare(&e, &[], "!comment\nxxx\n").is_err());
    }

    #[test]
    fn verbatim_is_exact() {
        let e = expect("\t\n\t", Mode::Verbatim, false);
        assert!(compare(&e, &[], "\t\n\t").is_ok());
        assert!(compare(&e, &[], "\t\n").is_err());
    }

    /// A stand-in for nfc: as `click` it echoes its arguments, as
    /// `click-buildtool` it provides Counter only.
    fn fake_runner(timeout: Duration) -> (Runner, Scratch) {
        let dir = Scratch(std::env::temp_dir().join(format!(
            "nfc-clicktest-fake-{}-{}",
            std::process::id(),
            NEXT_DIR.fetch_add(1, Ordering::Relaxed)
        )));
        fs::create_dir_all(&dir.0).unwrap();
        let nfc = dir.0.join("nfc");
        write_script(
            &nfc,
            "#!/bin/sh\ncase ${0##*/} in\nclick) echo \"args: $*\"; echo oops >&2;;\n\
             click-buildtool) [ \"$*\" = \"provides Counter\" ];;\nesac\n",
        )
        .unwrap();
        (Runner { nfc, timeout }, dir)
    }

    #[test]
    fn runner_plays_a_file() {
        let (runner, _dir) = fake_runner(Duration::from_secs(10));
        let file = |require: &str, expect: &str| {
            parse(&format!(
                "%require\n{require}\n%script\nclick -e X\ncat IN > OUT\n\
                 %file IN\nin\n%expect stdout\n{expect}\n%expect OUT\nin\n"
            ))
            .unwrap()
        };
        let ok = file("click-buildtool provides Counter", "args: -e {{[A-Z]}}");
        assert_eq!(runner.run("ok", &ok), Outcome::Passed);
        let bad = file("true", "args: -q");
        assert_eq!(
            runner.run("bad", &bad),
            Outcome::Failed(
                "`stdout` line 1: expected `args: -q`, got `args: -e X` (stderr: `oops`)".into()
            )
        );
        let silent = parse("%script\nclick -e X >/dev/null\nfalse\n%expect stdout\n").unwrap();
        assert_eq!(
            runner.run("silent", &silent),
            Outcome::Failed(
                "expects no output, and the script exited with exit status: 1 (stderr: `oops`)"
                    .into()
            )
        );
        let missing = file("click-buildtool provides Nope", "");
        assert_eq!(
            runner.run("missing", &missing),
            Outcome::Failed("requirement failed: `click-buildtool provides Nope`".into())
        );
    }

    #[test]
    fn runner_kills_a_script_past_its_time() {
        let (runner, _dir) = fake_runner(Duration::from_millis(300));
        let slow = parse("%script\nsleep 30 &\nsleep 30\n%expect stdout\n").unwrap();
        let start = Instant::now();
        assert_eq!(
            runner.run("slow", &slow),
            Outcome::Failed("timed out after 0.3 s".into())
        );
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn rules() {
        let t = |script: &str| TestFile {
            script: script.into(),
            ..TestFile::default()
        };
        assert!(not_applicable(&t("click -qe HeapTest"))
            .unwrap()
            .contains("HeapTest"));
        assert!(not_applicable(&t("click-flatten X"))
            .unwrap()
            .contains("click-flatten"));
        assert!(not_applicable(&t("click X -qh c.program"))
            .unwrap()
            .contains(".program"));
        assert!(not_applicable(&t("click CONFIG -h c.count")).is_none());
    }
}
