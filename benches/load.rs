//! Load benchmarks: the default dataset from TOML, and a bulk CSV import of a synthetic graph
//! shaped like the benchmark generator's (5 edges per node, three types, parallel edges).
//!
//! Run with `cargo bench --bench load`. Larger graphs: `alliances stats --nodes ... --edges ...`
//! on the generator's output (see docs/performance figures in the issue notes).

mod common;

use alliances::Schema;
use alliances::datafile::{DEFAULT_DATASET, Format, TextInput, import_csv, load_texts};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn load(c: &mut Criterion) {
    c.bench_function("load default dataset (TOML)", |b| {
        b.iter(|| {
            let input = TextInput {
                name: "default",
                text: DEFAULT_DATASET,
                format: Format::Toml,
            };
            load_texts(&[input], Schema::Alliance).unwrap()
        })
    });

    let (nodes, edges) = common::synthetic_csv(20_000);
    let edge_count = edges.lines().count() as u64 - 1;
    let mut group = c.benchmark_group("csv import 20k nodes");
    group.throughput(Throughput::Elements(edge_count));
    group.sample_size(10);
    group.bench_function("import", |b| {
        b.iter(|| {
            import_csv(
                "nodes.csv",
                nodes.as_bytes(),
                "edges.csv",
                edges.as_bytes(),
                Schema::Alliance,
            )
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
