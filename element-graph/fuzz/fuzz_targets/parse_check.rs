//! Any text, through the parser, the expander and the checker with nfc's
//! real registry (so every element's configure sees it too): diagnostics
//! are fine, a panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nfc::registry::Elements;
use nfc_graph::{load, Source};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let src = Source::new("fuzz.click", text);
    for registry in [None, Some(&Elements as &dyn nfc_graph::Registry)] {
        let out = load(&src, &[("X".into(), "1".into())], registry);
        let _ = src.render(&out.diagnostics, false);
        if let Some(g) = &out.graph {
            let _ = nfc_graph::export::to_dot(g, "f", out.ports.as_deref());
        }
    }
});
