//! Load benchmarks: the default dataset from TOML, a bulk CSV import of a synthetic graph
//! shaped like the benchmark generator's (5 edges per node, three types, parallel edges), and
//! writing and reading that graph as a snapshot.
//!
//! Run with `cargo bench --bench load`. Larger graphs: `alliances bench DIR` on the
//! generator's output (see docs/performance.md).

mod common;

use alliances::Schema;
use alliances::datafile::{DEFAULT_DATASET, Format, TextInput, load_texts};
use alliances::store::snapshot;
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
    group.bench_function("import", |b| b.iter(|| common::import(&nodes, &edges)));

    // The same graph as a snapshot: written, and read back, in memory.
    let graph = common::import(&nodes, &edges);
    group.bench_function("write a snapshot", |b| b.iter(|| snapshot::write(&graph)));
    let bytes = snapshot::write(&graph);
    group.bench_function("read a snapshot", |b| {
        b.iter(|| snapshot::read(&bytes).unwrap())
    });
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
