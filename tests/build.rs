//! Compiles filter patterns to Rust as generated pipelines do
//! ([`Program::to_rust`]), for `tests/compiled_filters.rs`: every pattern
//! of the manual's forms and of Ethernet addresses as a one-rule IPFilter,
//! random patterns, and ten-rule IPFilters of them with mixed actions.

use std::fmt::Write as _;
use std::path::PathBuf;

use nfc_elements::ip::ip_filter::IPFilter;

#[allow(dead_code)] // the packet half is the tests' own
#[path = "src/filter_gen.rs"]
mod filter_gen;

use filter_gen::{random_pattern, rule, Rng, ETHER_PATTERNS, HAND_PATTERNS};

/// Random patterns besides the hand-written ones.
const RANDOM: usize = 200;

fn main() {
    println!("cargo::rerun-if-changed=src/filter_gen.rs");
    let mut r = Rng(0x636F_6D70_696C_6564);
    let mut patterns: Vec<String> = HAND_PATTERNS
        .iter()
        .chain(ETHER_PATTERNS)
        .map(|s| s.to_string())
        .collect();
    patterns.extend((0..RANDOM).map(|_| random_pattern(&mut r, 3)));
    let mut configs: Vec<String> = patterns.iter().map(|p| rule("allow", p)).collect();
    let actions = ["allow", "deny", "1", "2", "drop", "3"];
    for (g, group) in patterns.chunks(10).enumerate() {
        let rules: Vec<String> = group
            .iter()
            .enumerate()
            .map(|(k, p)| rule(actions[(g + k) % actions.len()], p))
            .collect();
        configs.push(rules.join(", "));
    }

    let mut code = String::new();
    let mut table = String::new();
    for (i, config) in configs.iter().enumerate() {
        let filter = IPFilter::configure(config)
            .unwrap_or_else(|e| panic!("IPFilter({config}) is not valid: {e}"));
        let name = format!("P{i}");
        code.push_str(&filter.program().to_rust(&name));
        let _ = writeln!(
            table,
            "    ({config:?}, <{name} as Compiled>::PROGRAM, <{name} as Compiled>::run),"
        );
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let file = format!(
        "/// Every IPFilter configuration compiled here: its text, the listing of\n\
         /// its program and the compiled code.\n\
         pub const COMPILED: &[(&str, &str, fn(&Headers) -> Option<Option<usize>>)] = &[\n{table}];\n\n{code}"
    );
    std::fs::write(out.join("compiled_filters.rs"), file).expect("OUT_DIR is writable");
}
