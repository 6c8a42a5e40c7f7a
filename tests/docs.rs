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
        assert!(!blocks.is_empty(), "a {language} example");
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

#[test]
fn the_open_schema_example_loads_under_the_open_schema() {
    let doc = include_str!("../docs/data-format.md");
    let blocks = code_blocks(doc, "toml");
    let open: Vec<&str> = blocks
        .iter()
        .copied()
        .filter(|b| b.contains("schema = \"open\""))
        .collect();
    assert_eq!(open.len(), 1, "one open-schema example");
    let input = TextInput {
        name: "open",
        text: open[0],
        format: Format::Toml,
    };
    let graph = load_texts(&[input], Schema::Open).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(graph.schema(), Schema::Open);
    assert_eq!((graph.node_count(), graph.edge_count()), (2, 1));
    assert_eq!(graph.source_count(), 1);
}

#[test]
fn the_vocabulary_example_extends_the_vocabulary_and_is_saved_with_the_graph() {
    let doc = include_str!("../docs/data-format.md");
    let blocks = code_blocks(doc, "toml");
    let example = blocks
        .iter()
        .find(|b| b.contains("[[vocabulary.kind]]"))
        .expect("an example extending the vocabulary");
    let load = |text: &str| {
        let input = TextInput {
            name: "vocabulary",
            text,
            format: Format::Toml,
        };
        load_texts(&[input], Schema::Alliance).unwrap_or_else(|e| panic!("{e}"))
    };
    let graph = load(example);
    assert!(graph.vocabulary().kind_by_label("ResearchLab").is_some());
    assert_eq!(graph.type_count("LICENSES_TO"), 1);
    let saved = alliances::datafile::to_text(&graph, Format::Toml).unwrap();
    assert!(saved.contains("[[vocabulary.kind]]"), "{saved}");
    let again = load(&saved);
    assert_eq!(again.type_count("LICENSES_TO"), 1);
    assert_eq!(again.vocabulary().added(), graph.vocabulary().added());
    // Diagrams draw the new kind and type as the example says.
    let (selection, _) = alliances::export::select(
        &graph,
        &alliances::export::Scope::Whole,
        &alliances::query::Params::new(),
    )
    .unwrap();
    let options = alliances::export::DotOptions {
        title: None,
        as_of: None,
        legend: true,
    };
    let dot = alliances::export::to_dot(&graph, &selection, &options);
    assert!(dot.contains("shape=\"component\""), "{dot}");
    assert!(dot.contains("arrowhead=\"open\""), "{dot}");
    assert!(
        dot.contains("licenses to"),
        "the legend names the new type: {dot}"
    );
}

#[test]
fn the_identifiers_example_loads_with_its_identifiers() {
    let doc = include_str!("../docs/data-format.md");
    let section = doc
        .split("## Identifiers")
        .nth(1)
        .expect("an identifiers section");
    let block = code_blocks(section, "toml")[0];
    let input = TextInput {
        name: "ids",
        text: block,
        format: Format::Toml,
    };
    let graph = load_texts(&[input], Schema::Alliance).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        graph
            .nodes_by_identifier("lei", "ZZ00ALPHACOMPUTE0030")
            .len(),
        1
    );
    assert_eq!(graph.nodes_by_identifier("registry_no", "R-7").len(), 1);
}

#[test]
fn every_query_in_the_language_reference_runs_on_the_default_dataset() {
    let doc = concat!(
        include_str!("../docs/query-language.md"),
        include_str!("../docs/algorithms.md")
    );
    let graph = alliances::default_graph();
    let mut count = 0;
    for block in doc.split("```cypher\n").skip(1) {
        let query = block.split("```").next().unwrap_or("");
        let results = alliances::query::execute(&graph, query, &alliances::Params::new())
            .unwrap_or_else(|e| panic!("{query}\n{e}"));
        let last = results.last().expect("a statement ran");
        assert!(
            !last.rows.is_empty(),
            "the example finds something: {query}"
        );
        assert!(last.warnings.is_empty(), "{query}: {:?}", last.warnings);
        count += 1;
    }
    assert!(count >= 6, "the reference has examples");
}

#[test]
fn the_constraint_example_loads_with_its_constraint_and_is_refused_with_a_duplicate() {
    let doc = include_str!("../docs/data-format.md");
    let block = code_blocks(doc, "toml")
        .into_iter()
        .find(|b| b.contains("[[constraint]]"))
        .expect("a constraint example");
    let load = |text: &str| {
        load_texts(
            &[TextInput {
                name: "firms.toml",
                text,
                format: Format::Toml,
            }],
            Schema::Alliance,
        )
    };
    let graph = load(block).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(graph.constraints().len(), 1);
    assert_eq!(graph.constraints()[0].name, "company_ticker");
    let error = load(&block.replace("INTC", "NVDA"))
        .unwrap_err()
        .to_string();
    let shown = doc
        .split("```text\nerror[unique-constraint]")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the refusal is shown");
    assert!(
        error.contains(
            &format!("error[unique-constraint]{shown}")
                .trim_end()
                .to_owned()
        ),
        "the docs show what loading prints:\n{error}"
    );
}
