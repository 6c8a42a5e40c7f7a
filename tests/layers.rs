//! The layers depend one way: front ends (cli, repl, serve, bench) → session → export → query →
//! algo → store → model, with data files, databases and the rule set beside them. This test
//! reads every `crate::` path in `src/` and fails on any edge the table below does not allow,
//! so that a back edge (the query language reaching into the command line, an algorithm into
//! the query language) is caught when it is written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What each top-level module may use. Anything not listed is a back edge or a cycle.
const ALLOWED: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("store", &["model"]),
    ("rules", &["model", "store"]),
    ("datafile", &["model", "store", "rules"]),
    ("db", &["model", "store", "rules", "datafile"]),
    ("import", &["model", "store", "rules", "datafile"]),
    ("algo", &["model", "store"]),
    ("query", &["model", "store", "rules", "algo"]),
    ("export", &["model", "store", "algo", "query"]),
    (
        "session",
        &[
            "model", "store", "rules", "datafile", "db", "algo", "query", "export", "import",
        ],
    ),
    (
        "bench",
        &[
            "model", "store", "rules", "datafile", "db", "algo", "query", "session",
        ],
    ),
    (
        "repl",
        &[
            "model", "store", "rules", "datafile", "db", "algo", "query", "export", "import",
            "session",
        ],
    ),
    (
        "serve",
        &["model", "store", "algo", "query", "export", "session"],
    ),
    (
        "cli",
        &[
            "model", "store", "rules", "datafile", "db", "algo", "query", "export", "import",
            "session", "repl", "bench", "serve",
        ],
    ),
];

/// The top-level modules each module's files name through `crate::`.
fn edges(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = ALLOWED.iter().map(|(m, _)| (*m).to_owned()).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.to_owned()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if !modules.contains(&top) {
            // lib.rs and main.rs are the façade and the binary: above every layer.
            continue;
        }
        // Comments may name any module; only code is a use.
        let text: String = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for (at, _) in text.match_indices("crate::") {
            let name: String = text[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if modules.contains(&name) && name != top {
                edges.entry(top.clone()).or_default().insert(name);
            }
        }
        // `use crate::{a, b}` names several at once.
        for (at, _) in text.match_indices("use crate::{") {
            let list = &text[at + "use crate::{".len()..];
            let list = &list[..list.find('}').unwrap_or(list.len())];
            for name in list
                .split(',')
                .map(|n| n.trim().split("::").next().unwrap_or(""))
            {
                if modules.contains(name) && name != top {
                    edges
                        .entry(top.clone())
                        .or_default()
                        .insert(name.to_owned());
                }
            }
        }
    }
    edges
}

fn back_edges(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    for (from, tos) in edges {
        for to in tos {
            if !allowed[from.as_str()].contains(&to.as_str()) {
                wrong.push(format!("{from} → {to}"));
            }
        }
    }
    wrong
}

#[test]
fn modules_depend_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = edges(&src);
    let wrong = back_edges(&edges);
    assert!(
        wrong.is_empty(),
        "these uses go against the layers (see ARCHITECTURE.md): {wrong:?}"
    );
    // The table itself has no cycle: each module only uses modules listed before it.
    for (i, (module, uses)) in ALLOWED.iter().enumerate() {
        for used in *uses {
            let at = ALLOWED.iter().position(|(m, _)| m == used).unwrap();
            assert!(at < i, "{module} may use {used}, which comes after it");
        }
    }
}

#[test]
fn a_back_edge_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let algo = dir.path().join("algo");
    std::fs::create_dir(&algo).unwrap();
    std::fs::write(algo.join("mod.rs"), "use crate::query::human_money;\n").unwrap();
    std::fs::write(
        dir.path().join("query.rs"),
        "use crate::{algo, store::Graph};\n",
    )
    .unwrap();
    let wrong = back_edges(&edges(dir.path()));
    assert_eq!(wrong, vec!["algo → query".to_owned()]);
}
