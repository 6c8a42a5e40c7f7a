//! Data-file validation, as data: each file in `tests/cases/invalid/` holds one kind of
//! mistake (or several), its `.expect` file lists the problems it must produce as
//! `code line:column`, in order, and a snapshot pins the full message a user reads.

use std::fs;
use std::path::Path;

use alliances::Schema;
use alliances::datafile::{Format, ProblemKind, TextInput, load_files, load_texts};

fn problems_of(path: &Path) -> alliances::LoadError {
    let text = fs::read_to_string(path).expect("case file is readable");
    let name = format!(
        "cases/invalid/{}",
        path.file_name().unwrap().to_string_lossy()
    );
    let format = Format::from_path(path).expect("case files are .toml or .json");
    load_texts(
        &[TextInput {
            name: &name,
            text: &text,
            format,
        }],
        Schema::Alliance,
    )
    .expect_err("an invalid case must not load")
}

fn toml<'a>(name: &'a str, text: &'a str) -> TextInput<'a> {
    TextInput {
        name,
        text,
        format: Format::Toml,
    }
}

#[test]
fn each_invalid_file_reports_every_problem_with_its_place() {
    insta::glob!("cases/invalid/*.{toml,json}", |path| {
        let error = problems_of(path);
        let expected = fs::read_to_string(path.with_extension("expect")).expect(".expect file");
        let got: Vec<String> = error
            .problems()
            .iter()
            .map(|p| {
                format!(
                    "{} {}:{}",
                    p.kind.code(),
                    p.location.line,
                    p.location.column.expect("data files give columns")
                )
            })
            .collect();
        let expected: Vec<&str> = expected.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(got, expected, "problems of {}", path.display());
        insta::assert_snapshot!(error.to_string());
    });
}

#[test]
fn five_mistakes_give_five_located_messages_and_load_nothing() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/invalid/18_five_mistakes.toml");
    let error = load_files(&[path], Schema::Alliance).expect_err("invalid");
    assert_eq!(error.problems().len(), 5);
    let text = error.to_string();
    assert!(
        text.ends_with("5 problems found; nothing was loaded"),
        "{text}"
    );
    assert_eq!(text.matches("18_five_mistakes.toml:").count(), 5);
}

#[test]
fn a_file_that_is_not_utf8_is_a_located_syntax_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("binary.toml");
    fs::write(&path, b"[[source]]\nid = \"s\xff\xfe\"\n").unwrap();
    let error = load_files(&[path], Schema::Alliance).expect_err("not UTF-8");
    let [problem] = error.problems() else {
        panic!("one problem expected: {error}")
    };
    assert_eq!(problem.kind, ProblemKind::Syntax);
    assert_eq!(
        (problem.location.line, problem.location.column),
        (2, Some(8))
    );
    assert!(problem.message.contains("not UTF-8"), "{}", problem.message);
}

#[test]
fn relationships_may_name_entities_of_another_file() {
    let sources = r#"
[[source]]
id = "s1"
title = "T"
publisher = "P"
date = "2025"
[[entity]]
id = "a"
name = "A"
kind = "fund"
"#;
    let deals = r#"
[[entity]]
id = "b"
name = "B"
kind = "company"
[[relationship]]
type = "invests-in"
from = "a"
to = "b"
sources = ["s1"]
[[relationship]]
type = "invests-in"
from = "a"
to = "c"
sources = ["s1"]
"#;
    let error = load_texts(
        &[toml("one.toml", sources), toml("two.toml", deals)],
        Schema::Alliance,
    )
    .expect_err("c is unknown");
    let [problem] = error.problems() else {
        panic!("one problem expected: {error}")
    };
    assert_eq!(problem.kind, ProblemKind::UnknownEntity);
    assert_eq!(&*problem.location.file, "two.toml");
    assert_eq!(problem.location.line, 14);

    let valid = deals.replace("to = \"c\"", "to = \"b\"");
    let graph = load_texts(
        &[toml("one.toml", sources), toml("two.toml", &valid)],
        Schema::Alliance,
    )
    .expect("valid across files");
    assert_eq!(graph.edge_count(), 2);
}

#[test]
fn a_name_written_where_an_id_belongs_points_at_the_id() {
    let text = r#"
[[source]]
id = "s1"
title = "T"
publisher = "P"
date = "2025"
[[entity]]
id = "us-government"
name = "US government"
kind = "government"
aliases = ["United States"]
[[entity]]
id = "intel"
name = "Intel"
kind = "company"
[[relationship]]
type = "invests-in"
from = "United States"
to = "intel"
sources = ["s1"]
"#;
    let error =
        load_texts(&[toml("x.toml", text)], Schema::Alliance).expect_err("a name is not an id");
    let help = error.problems()[0].help.as_deref().unwrap_or_default();
    assert_eq!(
        help,
        "`from` takes an entity id; did you mean \"us-government\"?"
    );
}

#[test]
fn a_file_that_cannot_be_read_as_text_causes_no_reports_in_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let unreadable = dir.path().join("entities.toml");
    fs::write(
        &unreadable,
        b"[[source]]\nid = \"s1\"\ntitle = \"T\xff\"\npublisher = \"P\"\ndate = \"2025\"\n[[entity]]\nid = \"a\"\nname = \"A\"\nkind = \"fund\"\n",
    )
    .unwrap();
    let deals = dir.path().join("deals.toml");
    fs::write(
        &deals,
        "[[entity]]\nid = \"b\"\nname = \"B\"\nkind = \"company\"\n[[relationship]]\ntype = \"invests-in\"\nfrom = \"a\"\nto = \"b\"\nsources = [\"s1\"]\n",
    )
    .unwrap();
    let error = load_files(&[unreadable, deals], Schema::Alliance).expect_err("not UTF-8");
    let kinds: Vec<ProblemKind> = error.problems().iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [ProblemKind::Syntax], "{error}");
}
