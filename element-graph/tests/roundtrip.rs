//! Printing a parsed configuration back as Click text and parsing that again
//! gives the same graph: for generated configurations (a property test) and
//! for every configuration in the corpora.

use nfc_graph::{export, load, parser, print, Source};
use proptest::prelude::*;
use std::path::PathBuf;

/// The flattened graph (syntax mode) and the diagnostics' messages.
fn flatten(text: &str) -> (String, Vec<String>) {
    let out = load(&Source::new("t.click", text), &[], None);
    let graph = out
        .graph
        .map(|g| export::to_click(&g, None))
        .unwrap_or_default();
    (
        graph,
        out.diagnostics.into_iter().map(|d| d.message).collect(),
    )
}

fn round_trip(text: &str) -> Result<(), TestCaseError> {
    let file = parser::parse(text)
        .map_err(|d| TestCaseError::fail(format!("does not parse: {}\n{text}", d.message)))?;
    let printed = print::print(&file);
    let reparsed = parser::parse(&printed).map_err(|d| {
        TestCaseError::fail(format!(
            "printed text does not parse: {}\n{printed}",
            d.message
        ))
    })?;
    prop_assert_eq!(&print::print(&reparsed), &printed, "printing is not stable");
    prop_assert_eq!(
        flatten(text),
        flatten(&printed),
        "graphs differ; printed:\n{}",
        printed
    );
    Ok(())
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "c", "src", "q", "t/x"]).prop_map(String::from)
}

fn class() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Counter", "Queue", "Tee", "Paint", "Discard", "Idle", "Comp",
    ])
    .prop_map(String::from)
}

fn config() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        "()",
        "(1)",
        "(LIMIT 10, STOP true)",
        "(\"a, b\", 'c)')",
        "(\\<0a 0b>, f(x, y))",
        "($X)",
        "(${X-5} // note\n)",
        "(/* c */ 12/0800, -)",
    ])
    .prop_map(String::from)
}

fn port() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", "[0] ", "[1] ", "[2] "]).prop_map(String::from)
}

fn element() -> impl Strategy<Value = String> {
    prop_oneof![
        (name(), class(), config()).prop_map(|(n, c, k)| format!("{n} :: {c}{k}")),
        (class(), config()).prop_map(|(c, k)| format!("{c}{k}")),
        name(),
    ]
}

fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec((port(), element(), port()), 1..5).prop_map(|parts| {
            parts
                .iter()
                .enumerate()
                .map(|(i, (pi, e, po))| {
                    let pi = if i == 0 { "" } else { pi.as_str() };
                    let po = if i + 1 == parts.len() { "" } else { po.as_str() };
                    format!("{pi}{e} {po}")
                })
                .collect::<Vec<_>>()
                .join("-> ")
        }),
        1 => (config(), class()).prop_map(|(k, c)| format!(
            "elementclass Comp {{ $X | input -> {c}{k} -> output || input -> output || ... }}"
        )),
        1 => Just("define($X 7, $Y eth0)".to_string()),
        1 => Just("require(package \"x\")".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn generated_configs_round_trip(stmts in prop::collection::vec(statement(), 0..12),
                                    sep in prop::sample::select(vec![";\n", "\n", "; ", " /* c */ ;"])) {
        round_trip(&stmts.join(sep))?;
    }
}

#[test]
fn corpus_configs_round_trip() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let shared =
        std::env::var_os("NFC_SHARED").map_or_else(|| root.join("../shared"), PathBuf::from);
    let mut dirs = vec![root.join("configs")];
    for sub in ["valid", "invalid", "syntax"] {
        dirs.push(root.join("tests/lang").join(sub));
    }
    let conf = shared.join("corpus/click-conf");
    assert!(
        conf.is_dir(),
        "NOT RUN: Click's configs are missing at {} — set NFC_SHARED",
        conf.display()
    );
    dirs.push(conf);
    let mut n = 0;
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            if p.extension().is_none_or(|x| x != "click") {
                continue;
            }
            let text = std::fs::read_to_string(&p).expect("readable");
            // Configs that are meant to be syntax errors have nothing to print.
            if parser::parse(&text).is_err() {
                continue;
            }
            if let Err(e) = round_trip(&text) {
                panic!("{}: {e}", p.display());
            }
            n += 1;
        }
    }
    assert!(n >= 48, "only {n} configs round-tripped");
}
