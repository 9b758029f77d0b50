//! pcap goldens: every configuration under `tests/golden/<name>/` runs on
//! `--plat linux` twice — through dataplane's generic runner (the library
//! behind `nfc click`, in this process) and through generated code (one
//! program holding every golden's pipeline, built once) — and both runs
//! must print exactly the stored expectation.
//!
//! A golden is a directory holding:
//!
//! - `config.click`: reads `$IN` (the golden's `input.pcap`) with FromDump
//!   and writes each output of interest to `$OUT/portK.pcap` with ToDump;
//! - `input.pcap`: made by `nfc_tests::golden` (checked here to be
//!   exactly what the generator makes); absent when the configuration
//!   makes its own packets;
//! - `expected.txt`: one line per output packet, `K` then tcpdump's line
//!   for it (`tcpdump -nn -vv -e -t`: MACs, TTLs, IDs, options, checksums
//!   as "bad cksum"/"incorrect"), ports in order, then packets in order;
//! - `expected-stderr.txt`, when the run prints anything (Print, IPPrint,
//!   DriverManager's `print`): the console lines, in order.
//!
//! `NFC_BLESS=1` rewrites the inputs and the expectations from the
//! generic runner's output (the generated program must then agree with
//! it); every expectation committed has been checked by hand against
//! Click's documented semantics — tests/golden/README.md says what each
//! shows. tcpdump (Debian package `tcpdump`) prints the lines; without it
//! the test fails and says so.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nfc::cli::{self, Input};
use nfc::codegen::{self, Plat, Shape};
use nfc::compile::{self, MultiRequest};
use nfc_dataplane::element::Captured;
use nfc_dataplane::packet::PacketPool;
use nfc_dataplane::pipeline::{self, Stopped};
use nfc_platform_linux::Linux;

/// Rounds of the poll loop a golden may take (each idle round sleeps at
/// most a millisecond, so a golden that never stops fails within about
/// 20 s).
const MAX_ROUNDS: u64 = 20_000;

/// The longest a run of the generated program may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Every element class the goldens must exercise between them: the
/// classes of issue 3, less the devices (FromDevice, ToDevice, PollDevice),
/// which read and write no pcap, and issue 7's rewriters.
const CLASSES: &[&str] = &[
    "InfiniteSource",
    "RatedSource",
    "TimedSource",
    "Discard",
    "Idle",
    "Queue",
    "SimpleQueue",
    "Unqueue",
    "FromDump",
    "ToDump",
    "Counter",
    "AverageCounter",
    "Tee",
    "Null",
    "Strip",
    "Unstrip",
    "StripToNetworkHeader",
    "Paint",
    "PaintTee",
    "PaintSwitch",
    "CheckPaint",
    "DropBroadcasts",
    "Switch",
    "StaticSwitch",
    "RoundRobinSwitch",
    "Print",
    "Classifier",
    "EtherEncap",
    "EtherMirror",
    "EtherRewrite",
    "HostEtherFilter",
    "ARPResponder",
    "ARPQuerier",
    "CheckIPHeader",
    "MarkIPHeader",
    "GetIPAddress",
    "SetIPAddress",
    "DecIPTTL",
    "IPPrint",
    "IPClassifier",
    "IPFilter",
    "ICMPPingResponder",
    "ICMPError",
    "IPFragmenter",
    "CheckLength",
    "StaticIPLookup",
    "RadixIPLookup",
    "LookupIPRoute",
    "IPGWOptions",
    "FixIPSrc",
    "SetIPChecksum",
    "SetTCPChecksum",
    "SetUDPChecksum",
    "CheckTCPHeader",
    "CheckUDPHeader",
    "CheckICMPHeader",
    // issue 7's rewriters
    "IPRewriter",
    "TCPRewriter",
    "UDPRewriter",
    "ICMPPingRewriter",
    "IPAddrRewriter",
    "IPAddrPairRewriter",
    "ICMPRewriter",
    "IPRewriterPatterns",
    "RoundRobinIPMapper",
];

/// One golden test.
struct Golden {
    name: String,
    dir: PathBuf,
}

impl Golden {
    fn config(&self) -> PathBuf {
        self.dir.join("config.click")
    }

    fn input(&self) -> PathBuf {
        self.dir.join("input.pcap")
    }

    /// The configuration, checked, with `$IN` and `$OUT` defined.
    fn load(&self, input: &str, out: &str) -> (Input, nfc_graph::Outcome) {
        let path = self.config();
        let mut loaded =
            Input::read(path.to_str().expect("UTF-8 path")).unwrap_or_else(|e| panic!("{e}"));
        // Diagnostics and generated code name the file from the tree's
        // top, whatever the machine.
        loaded.source.name = format!("tests/golden/{}/config.click", self.name);
        let defines = [
            ("IN".to_string(), input.to_string()),
            ("OUT".to_string(), out.to_string()),
        ];
        let outcome = cli::load(&loaded, &defines, false);
        if !outcome.ok() {
            panic!("{}", cli::failure(&loaded, &outcome.diagnostics, false));
        }
        (loaded, outcome)
    }
}

fn golden_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("golden")
}

/// Every golden, by name.
fn goldens() -> Vec<Golden> {
    let mut all: Vec<Golden> = std::fs::read_dir(golden_root())
        .expect("tests/golden")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("config.click").is_file())
        .map(|dir| Golden {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            dir,
        })
        .collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!all.is_empty(), "no goldens under {:?}", golden_root());
    all
}

fn bless() -> bool {
    std::env::var_os("NFC_BLESS").is_some_and(|v| v == "1")
}

/// A fresh, empty directory for one run's output.
fn fresh_dir(parts: &[&str]) -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("golden");
    for p in parts {
        dir.push(p);
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("output directory");
    dir
}

// ---------------------------------------------------------------------------
// What a run printed

/// What one run of a golden gave.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    /// `expected.txt`'s form: `K line` per packet.
    packets: String,
    /// The console lines, each ending in a newline.
    console: String,
}

/// The `portK.pcap` files of `dir`, by K.
fn port_files(dir: &Path) -> Vec<(u32, PathBuf)> {
    let mut files: Vec<(u32, PathBuf)> = std::fs::read_dir(dir)
        .expect("output directory")
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let k = name
                .strip_prefix("port")?
                .strip_suffix(".pcap")?
                .parse()
                .ok()?;
            Some((k, e.path()))
        })
        .collect();
    files.sort();
    files
}

/// tcpdump's lines for the packets of `pcap`, one per packet, without
/// timestamps. tcpdump numbers the packets (`-#`): a line that starts with
/// the next number begins a packet, and the lines up to the next one
/// (the IP payload, which `-v` prints on a line of its own) are joined to
/// it.
fn tcpdump(pcap: &Path) -> Vec<String> {
    let out = Command::new("tcpdump")
        .args(["-#", "-nn", "-vv", "-e", "-t", "-r"])
        .arg(pcap)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run tcpdump: {e} (install the Debian package `tcpdump`; scripts/setup.sh does)")
        });
    assert!(
        out.status.success(),
        "tcpdump -r {}: {}",
        pcap.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let next = format!("{}  ", lines.len() + 1);
        match line.trim_start().strip_prefix(&next) {
            Some(first) => lines.push(first.trim().to_string()),
            None => {
                let last = lines
                    .last_mut()
                    .unwrap_or_else(|| panic!("tcpdump began with {line:?}"));
                last.push(' ');
                last.push_str(line.trim());
            }
        }
    }
    lines
}

/// The packets a run wrote to `dir`, in `expected.txt`'s form.
fn packets(dir: &Path) -> String {
    let mut s = String::new();
    for (k, file) in port_files(dir) {
        for line in tcpdump(&file) {
            let _ = writeln!(s, "{k} {line}");
        }
    }
    s
}

// ---------------------------------------------------------------------------
// The generic runner

/// Runs `golden` through the generic runner, as `nfc click` does (its
/// output under the test's temporary directory).
fn run_generic(golden: &Golden, pool: &'static PacketPool) -> Result<Outcome, String> {
    let out = fresh_dir(&[&golden.name, "generic"]);
    let input = golden.input();
    let (_, outcome) = golden.load(input.to_str().unwrap(), out.to_str().unwrap());
    let (graph, ports) = (
        outcome.graph.as_ref().unwrap(),
        outcome.ports.as_deref().unwrap(),
    );
    let mut plat = Linux::new(pool);
    let mut built = nfc::generic::build(graph, ports, &mut plat).map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        messages.join("; ")
    })?;
    plat.start(&built.router)?;
    // One small leak per golden: a console lives as long as the program.
    let console = Captured::leak();
    let stopped = pipeline::run(
        &mut built.router,
        &mut plat,
        pool,
        console,
        &mut built.drivers,
        Some(MAX_ROUNDS),
    );
    // ToDump flushes its file when dropped.
    drop(built);
    drop(plat);
    if stopped != Stopped::Elements {
        return Err(format!("stopped by {stopped:?}, not by its elements"));
    }
    let console = console.take().iter().map(|l| format!("{l}\n")).collect();
    Ok(Outcome {
        packets: packets(&out),
        console,
    })
}

// ---------------------------------------------------------------------------
// Generated code

/// Generates every golden's pipeline as a module of one program and
/// builds it. The configurations name their files relative to the
/// directory the program runs in (`input.pcap`, `./portK.pcap`), so the
/// generated code is the same on every machine and is rebuilt only when a
/// configuration changes.
fn build_program(goldens: &[Golden]) -> Result<PathBuf, String> {
    let mut pipelines = Vec::new();
    for g in goldens {
        let (input, outcome) = g.load("input.pcap", ".");
        let module = codegen::generate(
            outcome.graph.as_ref().unwrap(),
            outcome.ports.as_deref().unwrap(),
            &g.name,
            &input.source.name,
            Plat::Linux,
            Shape::Module,
        )?;
        pipelines.push((g.name.clone(), module));
    }
    let dir = compile::source_tree()?.join("target/nfc/goldens");
    let output = fresh_dir(&["program"]).join("nfc-goldens");
    compile::compile_multi(&MultiRequest {
        pipelines: &pipelines,
        plat: Plat::Linux,
        dir: &dir,
        output: &output,
    })
}

/// Runs `golden`'s pipeline of `program` in a directory of its own.
fn run_generated(golden: &Golden, program: &Path) -> Result<Outcome, String> {
    let out = fresh_dir(&[&golden.name, "generated"]);
    if golden.input().is_file() {
        std::fs::copy(golden.input(), out.join("input.pcap")).map_err(|e| e.to_string())?;
    }
    let mut child = Command::new(program)
        .args([&golden.name, "--max-rounds", &MAX_ROUNDS.to_string()])
        .current_dir(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let start = Instant::now();
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("did not stop within {TIMEOUT:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() || !stderr.contains("\nnfc: stopped elements\n") {
        return Err(format!("exit {}; stderr:\n{stderr}", output.status));
    }
    // The elements' lines: between `nfc: ready` and `nfc: stopped`.
    let mut console = String::new();
    let mut running = false;
    for line in stderr.lines() {
        if line.starts_with("nfc: ready ") {
            running = true;
        } else if line.starts_with("nfc: stopped ") {
            break;
        } else if running {
            console.push_str(line);
            console.push('\n');
        }
    }
    Ok(Outcome {
        packets: packets(&out),
        console,
    })
}

// ---------------------------------------------------------------------------
// Expectations

fn expected(golden: &Golden) -> Outcome {
    let read = |name: &str| std::fs::read_to_string(golden.dir.join(name)).unwrap_or_default();
    Outcome {
        packets: read("expected.txt"),
        console: read("expected-stderr.txt"),
    }
}

fn write_expected(golden: &Golden, outcome: &Outcome) {
    std::fs::write(golden.dir.join("expected.txt"), &outcome.packets).unwrap();
    let stderr = golden.dir.join("expected-stderr.txt");
    if outcome.console.is_empty() {
        let _ = std::fs::remove_file(stderr);
    } else {
        std::fs::write(stderr, &outcome.console).unwrap();
    }
}

/// Where `got` and `want` differ, line by line.
fn diff(what: &str, got: &str, want: &str) -> String {
    let mut s = String::new();
    let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    for i in 0..g.len().max(w.len()) {
        let (a, b) = (g.get(i), w.get(i));
        if a != b {
            let _ = writeln!(
                s,
                "  {what} line {}:\n    got:  {}\n    want: {}",
                i + 1,
                a.unwrap_or(&"(none)"),
                b.unwrap_or(&"(none)")
            );
        }
    }
    s
}

/// The differences between `got` and `want`, or nothing.
fn compare(got: &Outcome, want: &Outcome) -> String {
    diff("expected.txt", &got.packets, &want.packets)
        + &diff("expected-stderr.txt", &got.console, &want.console)
}

// ---------------------------------------------------------------------------
// The tests

/// With `NFC_BLESS=1`, writes every golden's input as the generator makes
/// it. Both tests that read the inputs call it first; each file is
/// replaced whole (written aside, then renamed), so that a test running at
/// the same time never reads half a file.
fn bless_inputs() {
    if !bless() {
        return;
    }
    for input in nfc_tests::golden::inputs() {
        let path = golden_root().join(input.golden).join("input.pcap");
        let aside = path.with_extension(format!("pcap.{:?}", std::thread::current().id()));
        std::fs::write(&aside, nfc_tests::golden::pcap(&input)).unwrap();
        std::fs::rename(&aside, &path).unwrap();
    }
}

#[test]
fn inputs_are_what_the_generator_makes() {
    bless_inputs();
    let inputs = nfc_tests::golden::inputs();
    let mut problems = Vec::new();
    for g in goldens() {
        let config = std::fs::read_to_string(g.config()).unwrap();
        let made = inputs.iter().find(|i| i.golden == g.name);
        match (made, config.contains("$IN")) {
            (Some(input), true) => {
                let bytes = nfc_tests::golden::pcap(input);
                if !bless() && std::fs::read(g.input()).ok() != Some(bytes) {
                    problems.push(format!(
                        "{}: input.pcap is not what nfc_tests::golden makes (NFC_BLESS=1 rewrites it)",
                        g.name
                    ));
                }
            }
            (None, false) => {
                if g.input().exists() {
                    problems.push(format!("{}: input.pcap that nothing reads", g.name));
                }
            }
            (Some(_), false) => {
                problems.push(format!("{}: an input its config does not read", g.name))
            }
            (None, true) => problems.push(format!("{}: reads $IN, but has no input", g.name)),
        }
    }
    for input in &inputs {
        if !golden_root()
            .join(input.golden)
            .join("config.click")
            .is_file()
        {
            problems.push(format!("{}: an input without a golden", input.golden));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_element_class_has_a_golden() {
    let mut used = BTreeSet::new();
    for g in goldens() {
        let (_, outcome) = g.load("input.pcap", ".");
        for e in &outcome.graph.as_ref().unwrap().elements {
            used.insert(e.class.clone());
        }
        assert!(
            g.dir.join("expected.txt").is_file() || bless(),
            "{}: no expected.txt",
            g.name
        );
    }
    let missing: Vec<&str> = CLASSES
        .iter()
        .copied()
        .filter(|c| !used.contains(*c))
        .collect();
    assert!(missing.is_empty(), "no golden uses {missing:?}");
    // README.md says what each golden shows.
    let readme = std::fs::read_to_string(golden_root().join("README.md")).unwrap();
    for g in goldens() {
        assert!(
            readme.contains(&format!("`{}`", g.name)),
            "tests/golden/README.md has no line for `{}`",
            g.name
        );
    }
}

#[test]
fn goldens_through_the_generic_runner_and_generated_code() {
    bless_inputs();
    let all = goldens();
    let started = Instant::now();
    // The one build of generated code runs while the generic runner does
    // its part.
    let names: Vec<(String, PathBuf)> = all
        .iter()
        .map(|g| (g.name.clone(), g.dir.clone()))
        .collect();
    let build = std::thread::spawn(move || {
        let goldens: Vec<Golden> = names
            .into_iter()
            .map(|(name, dir)| Golden { name, dir })
            .collect();
        build_program(&goldens)
    });

    let pool = PacketPool::new(nfc::generic::POOL_SIZE);
    let mut failures = String::new();
    for g in &all {
        match run_generic(g, pool) {
            Ok(got) => {
                if bless() {
                    write_expected(g, &got);
                }
                let d = compare(&got, &expected(g));
                if !d.is_empty() {
                    let _ = write!(failures, "{} (generic runner):\n{d}", g.name);
                }
            }
            Err(e) => {
                let _ = writeln!(failures, "{} (generic runner): {e}", g.name);
            }
        }
    }
    let generic = started.elapsed();

    let program = build
        .join()
        .expect("the build thread")
        .unwrap_or_else(|e| panic!("building the goldens' program failed:\n{e}"));
    let built = started.elapsed();
    for g in &all {
        match run_generated(g, &program) {
            Ok(got) => {
                let d = compare(&got, &expected(g));
                if !d.is_empty() {
                    let _ = write!(failures, "{} (generated code):\n{d}", g.name);
                }
            }
            Err(e) => {
                let _ = writeln!(failures, "{} (generated code): {e}", g.name);
            }
        }
    }
    eprintln!(
        "{} goldens: generic runner {:.1} s, build {:.1} s, generated code {:.1} s",
        all.len(),
        generic.as_secs_f64(),
        built.as_secs_f64(),
        (started.elapsed() - built).as_secs_f64()
    );
    assert!(failures.is_empty(), "goldens differ:\n{failures}");
}
