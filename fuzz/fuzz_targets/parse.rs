//! Any bytes into the query parser, then into planning and running on the built-in dataset:
//! an error is fine, a panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(statements) = alliances::query::parse(&text) {
        let graph = alliances::default_graph();
        for statement in &statements {
            let _ = alliances::query::run_statement(&graph, &text, statement, &alliances::Params::new());
        }
    }
});
