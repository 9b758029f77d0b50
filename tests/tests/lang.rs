//! The language corpus in `tests/lang/`: every config is read by the front
//! end and its outcome compared with a stored expectation beside it.
//!
//! - `valid/X.click` must check cleanly; `X.expected` holds the flattened
//!   graph with each element's resolved processing (and any warnings).
//! - `invalid/X.click` must fail; `X.expected` holds the rendered
//!   diagnostics (file:line:col, caret line, hint).
//! - `syntax/X.click` must pass `nfc check --syntax`; `X.expected` holds the
//!   flattened graph.
//!
//! A config's second line may be `// defines: NAME=VALUE ...` (as `-D`).
//! Run with `NFC_BLESS=1` to write the expectations after a deliberate
//! change, then review the diff.

use nfc::registry::Elements;
use nfc_graph::{export, load, Registry, Source};
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("lang")
}

fn defines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .take(3)
        .filter_map(|l| l.trim().strip_prefix("// defines:"))
        .flat_map(|l| l.split_whitespace())
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// What the front end says about one corpus file, and whether that is the
/// kind of outcome its folder demands.
fn outcome(folder: &str, path: &Path) -> (String, Result<(), String>) {
    let text = std::fs::read_to_string(path).expect("readable config");
    let name = format!("{folder}/{}", path.file_name().unwrap().to_string_lossy());
    let src = Source::new(name, text);
    let registry: Option<&dyn Registry> = if folder == "syntax" {
        None
    } else {
        Some(&Elements)
    };
    let out = load(&src, &defines(&src.text), registry);
    let rendered = src.render(&out.diagnostics, false);
    match (folder, out.ok()) {
        ("invalid", false) => (rendered, Ok(())),
        ("invalid", true) => (
            rendered,
            Err("expected errors, but the config checked cleanly".into()),
        ),
        (_, true) => {
            let graph = out.graph.as_ref().expect("graph without errors");
            (
                format!(
                    "{rendered}{}",
                    export::to_click(graph, out.ports.as_deref())
                ),
                Ok(()),
            )
        }
        (_, false) => (
            rendered.clone(),
            Err(format!("expected success, got:\n{rendered}")),
        ),
    }
}

#[test]
fn language_corpus_matches_expectations() {
    let bless = std::env::var_os("NFC_BLESS").is_some();
    let mut failures = Vec::new();
    let mut count = 0;
    for folder in ["valid", "invalid", "syntax"] {
        let dir = corpus().join(folder);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "click"))
            .collect();
        files.sort();
        for path in files {
            count += 1;
            let (actual, kind) = outcome(folder, &path);
            let expected_path = path.with_extension("expected");
            if let Err(e) = kind {
                failures.push(format!("{}: {e}", path.display()));
                continue;
            }
            if bless {
                std::fs::write(&expected_path, &actual).expect("write expectation");
                continue;
            }
            match std::fs::read_to_string(&expected_path) {
                Ok(expected) if expected == actual => {}
                Ok(expected) => failures.push(format!(
                    "{}: output differs from {}\n--- expected\n{expected}\n--- actual\n{actual}",
                    path.display(),
                    expected_path.display()
                )),
                Err(_) => failures.push(format!(
                    "{}: no expectation (run with NFC_BLESS=1 and review it)",
                    path.display()
                )),
            }
        }
    }
    assert!(
        count >= 80,
        "the corpus should hold at least 80 configs, found {count}"
    );
    assert!(
        failures.is_empty(),
        "{} of {count} corpus files failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
