//! Any bytes into the loaders: as a TOML and a JSON data file, and, cut in two at the first
//! blank line, as a nodes CSV and an edges CSV. An error is fine, a panic is a bug.
#![no_main]

use alliances::datafile::{Format, TextInput, import_csv, load_texts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for format in [Format::Toml, Format::Json] {
        let input = TextInput { name: "fuzz", text: &text, format };
        let _ = load_texts(&[input], alliances::Schema::Alliance);
    }
    let cut = data.windows(2).position(|w| w == b"\n\n").unwrap_or(data.len() / 2);
    let (nodes, edges) = data.split_at(cut);
    for schema in [alliances::Schema::Alliance, alliances::Schema::Open] {
        let _ = import_csv("nodes.csv", nodes, "edges.csv", edges, schema);
    }
});
