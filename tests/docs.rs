//! The examples in the documentation are valid data files.

use alliances::Schema;
use alliances::datafile::{Format, TextInput, load_texts};

fn code_blocks<'a>(markdown: &'a str, language: &str) -> Vec<&'a str> {
    let fence = format!("```{language}\n");
    markdown
        .split(fence.as_str())
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .collect()
}

#[test]
fn data_format_examples_load() {
    let doc = include_str!("../docs/data-format.md");
    let cases = [("toml", Format::Toml, 3, 3), ("json", Format::Json, 2, 1)];
    for (language, format, entities, relationships) in cases {
        let blocks = code_blocks(doc, language);
        assert_eq!(blocks.len(), 1, "one {language} example");
        let input = TextInput {
            name: language,
            text: blocks[0],
            format,
        };
        let graph = load_texts(&[input], Schema::Alliance).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (graph.node_count(), graph.edge_count()),
            (entities, relationships)
        );
    }
}
