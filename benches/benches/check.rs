//! Front-end speed: parse + expand + check a generated configuration of
//! 10,000 elements against nfc's registry (target: under 100 ms).
//!
//! `cargo bench -p nfc-benches --bench check`

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use nfc::registry::Elements;
use nfc_graph::{load, Source};
use std::hint::black_box;

/// `chains` chains of source → classifier → counter → queue → sink, with
/// a compound element in each, five elements per chain.
fn config(chains: usize) -> String {
    let mut s = String::from(
        "define($LIMIT 1000)\n\
         elementclass Stage { $color | input -> Paint($color) -> output }\n",
    );
    for i in 0..chains {
        s.push_str(&format!(
            "src{i} :: InfiniteSource(LIMIT $LIMIT, BURST 32)\n  \
             -> Stage({})\n  -> c{i} :: Counter\n  -> q{i} :: Queue(CAPACITY 1024)\n  -> Discard;\n",
            i % 256
        ));
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = config(2000);
    let src = Source::new("bench.click", text);
    let out = load(&src, &[], Some(&Elements));
    assert!(out.ok(), "{}", src.render(&out.diagnostics, false));
    assert_eq!(out.graph.as_ref().map(|g| g.elements.len()), Some(10_000));
    let mut group = c.benchmark_group("front-end");
    group.sample_size(20);
    group.bench_function("parse+check 10k elements", |b| {
        b.iter(|| black_box(load(black_box(&src), &[], Some(&Elements))))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
