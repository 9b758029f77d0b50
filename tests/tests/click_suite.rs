//! Click's own test suite (`$NFC_SHARED/corpus/click-tests`) against `nfc
//! click`: every file is run by [`nfc_tests::clicktest`] and classified as
//! passed, failed (with the first mismatching line) or not applicable (with
//! issue 8's rule). Each file's result must be the one the committed
//! COMPATIBILITY.md at the repository root records, so a regression or a
//! newly passing file shows; `NFC_BLESS=1` rewrites the file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use nfc_tests::clicktest::{self, Outcome, Runner};
use nfc_tests::netns::nfc_binary;

/// The shared folder: `$NFC_SHARED`, else `../shared` beside the checkout.
fn shared() -> PathBuf {
    match std::env::var_os("NFC_SHARED") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    }
}

fn test_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).expect("the corpus is readable") {
            let path = entry.expect("the corpus is readable").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "clicktest") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A table cell: one line, no `|`, at most 300 characters.
fn cell(text: &str) -> String {
    let one_line = text.replace(['\n', '\r'], " ").replace('|', "\\|");
    if one_line.chars().count() > 300 {
        let cut: String = one_line.chars().take(297).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

fn table(results: &[(String, Outcome)]) -> String {
    let count = |f: fn(&Outcome) -> bool| results.iter().filter(|(_, o)| f(o)).count();
    let passed = count(|o| matches!(o, Outcome::Passed));
    let failed = count(|o| matches!(o, Outcome::Failed(_)));
    let na = count(|o| matches!(o, Outcome::NotApplicable(_)));
    let mut out = format!(
        "# Compatibility with Click's test suite\n\n\
         Click's own tests (`$NFC_SHARED/corpus/click-tests`, in Click's test-file\n\
         format) run against `nfc click` by `cargo test -p nfc-tests --test click_suite`,\n\
         which checks that this file is current (`NFC_BLESS=1` rewrites it).\n\
         A file is not applicable when it needs the Linux kernel module, a Click tool\n\
         other than `click` and `click-buildtool provides`, a Click-internal test\n\
         element, or a handler that dumps Click's internal structures (issue 8).\n\n\
         **{passed} passed, {failed} failed, {na} not applicable** of {} files.\n\n\
         | File | Result | First mismatch, or the rule |\n\
         | --- | --- | --- |\n",
        results.len()
    );
    for (name, outcome) in results {
        let (result, detail) = match outcome {
            Outcome::Passed => ("passed", String::new()),
            Outcome::Failed(why) => ("failed", cell(why)),
            Outcome::NotApplicable(rule) => ("not applicable", cell(rule)),
        };
        out.push_str(&format!("| `{name}` | {result} | {detail} |\n"));
    }
    out
}

#[test]
fn click_test_suite_matches_compatibility_md() {
    let dir = shared().join("corpus/click-tests");
    assert!(
        dir.is_dir(),
        "NOT RUN: Click's tests are missing at {} — set NFC_SHARED to the shared folder",
        dir.display()
    );
    let files = test_files(&dir);
    assert!(
        files.len() >= 70,
        "only {} test files in {}",
        files.len(),
        dir.display()
    );
    let runner = Runner {
        nfc: nfc_binary(),
        timeout: Duration::from_secs(5),
    };
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let name = path
                    .strip_prefix(&dir)
                    .unwrap_or(path)
                    .with_extension("")
                    .to_string_lossy()
                    .into_owned();
                let text =
                    String::from_utf8_lossy(&std::fs::read(path).expect("readable")).into_owned();
                let outcome = match clicktest::parse(&text) {
                    Ok(test) => runner.run(&name, &test),
                    Err(e) => Outcome::Failed(format!("malformed test file: {e}")),
                };
                results
                    .lock()
                    .expect("no worker panics")
                    .push((name, outcome));
            });
        }
    });
    let mut results = results.into_inner().expect("no worker panics");
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let computed = table(&results);
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../COMPATIBILITY.md");
    if std::env::var_os("NFC_BLESS").is_some() {
        std::fs::write(&committed_path, &computed).expect("COMPATIBILITY.md is writable");
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    // Each file's result must be the recorded one (a regression, or a file
    // that now passes, shows); a failure's first mismatch may word itself
    // differently from run to run (timing), so only its row's result
    // counts.
    let (now, then) = (results_of(&computed), results_of(&committed));
    if now != then {
        let changed: Vec<String> = now
            .iter()
            .filter(|row| !then.contains(row))
            .map(|(file, result)| format!("{file}: now {result}"))
            .collect();
        panic!(
            "COMPATIBILITY.md is not current (NFC_BLESS=1 rewrites it); changed:\n{}",
            changed.join("\n")
        );
    }
}

/// The table's rows as (file, result), a not-applicable file's rule
/// included in its result.
fn results_of(table: &str) -> Vec<(String, String)> {
    table
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.strip_prefix("| `")?.splitn(3, " | ").collect();
            let file = cells.first()?.strip_suffix('`')?;
            let result = match *cells.get(1)? {
                "not applicable" => {
                    format!("not applicable: {}", cells.get(2)?.trim_end_matches(" |"))
                }
                other => other.to_string(),
            };
            Some((file.to_string(), result))
        })
        .collect()
}
