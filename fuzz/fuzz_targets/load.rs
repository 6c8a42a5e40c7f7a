//! Any bytes into the data-file loader, as TOML and as JSON: an error is fine, a panic is a
//! bug.
#![no_main]

use alliances::datafile::{Format, TextInput, load_texts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for format in [Format::Toml, Format::Json] {
        let input = TextInput { name: "fuzz", text: &text, format };
        let _ = load_texts(&[input], alliances::Schema::Alliance);
    }
});
