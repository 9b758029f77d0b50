//! Every configuration shipped with Click (`$NFC_SHARED/corpus/click-conf`)
//! passes the language check (`nfc check --syntax`).

use nfc_graph::{load, Source};
use std::path::PathBuf;

/// The shared folder: `$NFC_SHARED`, else `../shared` beside the checkout.
fn shared() -> PathBuf {
    match std::env::var_os("NFC_SHARED") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    }
}

#[test]
fn click_distribution_configs_pass_the_syntax_check() {
    let dir = shared().join("corpus/click-conf");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        panic!(
            "NOT RUN: Click's configs are missing at {} — set NFC_SHARED to the shared folder",
            dir.display()
        );
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "click"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 40,
        "expected Click's 48 configs, found {}",
        files.len()
    );
    let mut failed = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable config");
        let src = Source::new(f.display().to_string(), text);
        let outcome = load(&src, &[], None);
        if !outcome.ok() {
            failed.push(src.render(&outcome.diagnostics, false));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} configs failed:\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
    eprintln!("{} Click configs pass the syntax check", files.len());
}
