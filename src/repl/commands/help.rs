//! `:help` and `:schema`: the help topics, every command, function and procedure read from
//! their registries, and the graph's labels, types and keys.

use crate::model::{did_you_mean, suggest};
use crate::query;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::*;

pub(super) fn help(topic: &str) -> Result<(), String> {
    out!("{}", help_text(topic)?);
    Ok(())
}

/// What `:help TOPIC` prints: the overview, a topic, a command, a function or a procedure.
pub(super) fn help_text(topic: &str) -> Result<String, String> {
    let mut out = String::new();
    // `:help :set` is the command, `:help set` the clause.
    let command_first = topic.trim().starts_with(':');
    let topic = topic.trim().trim_start_matches(':').to_ascii_lowercase();
    let command = COMMANDS
        .iter()
        .find(|c| c.name.trim_start_matches(':') == topic);
    if let Some(c) = command.filter(|_| command_first) {
        let _ = writeln!(out, "{} {}: {}", c.name, c.usage, c.help);
        if let Some(more) = c.more {
            out.push_str(&more());
        }
        return Ok(out);
    }
    if topic.is_empty() {
        out.push_str("Type a statement ending with ;, for example:\n");
        out.push_str(
            "  MATCH (i)-[r:INVESTS_IN]->(c {name: 'Intel'}) RETURN i.name, r.amount_usd;\n",
        );
        out.push_str(
            "It may span lines. Tab completes names, labels, types, keys, functions and procedures.\n\n",
        );
        out.push_str("Commands:\n");
        for c in COMMANDS {
            let _ = writeln!(
                out,
                "  {:<28} {}",
                format!("{} {}", c.name, c.usage),
                c.help
            );
        }
        out.push('\n');
        let topics: Vec<&str> = TOPICS.iter().map(|(t, ..)| *t).collect();
        let _ = writeln!(out, "Help topics (:help TOPIC): {}", topics.join(", "));
        out.push_str("The full language is described in docs/query-language.md.\n");
        return Ok(out);
    }
    let topic = match topic.as_str() {
        "optional match" => "optional",
        "order by" => "order",
        "limit" => "skip",
        "detach" => "delete",
        "allshortestpaths" => "shortestpath",
        "call" => "procedures",
        other => other,
    };
    if let Some((name, what, example)) = TOPICS.iter().find(|(t, ..)| *t == topic) {
        let _ = writeln!(out, "{what}");
        match *name {
            "functions" => list_functions(&mut out, false),
            "aggregation" => list_functions(&mut out, true),
            "procedures" => {
                for p in query::procedures::entries() {
                    let _ = writeln!(out, "  {}\n      {}", p.usage(), p.help);
                }
            }
            _ => {}
        }
        let _ = writeln!(out, "Example:\n  {example};");
        return Ok(out);
    }
    // A bare word that names a function and a command (`sources`) is the function, as it is
    // the clause for `set`; the command follows.
    if let Some(c) = command.filter(|_| query::functions::lookup(topic).is_none()) {
        let _ = writeln!(out, "{} {}: {}", c.name, c.usage, c.help);
        if let Some(more) = c.more {
            out.push_str(&more());
        }
        return Ok(out);
    }
    if let Some(f) = query::functions::lookup(topic) {
        let (kind, example_topic) = if f.is_aggregate() {
            ("an aggregate function", "aggregation")
        } else {
            ("a function", "functions")
        };
        let (_, _, example) = TOPICS
            .iter()
            .find(|(t, ..)| *t == example_topic)
            .expect("the functions and aggregation topics");
        let _ = writeln!(
            out,
            "{}() is {kind}. {}{}: {}.\nExample:\n  {example};",
            f.name, f.name, f.args, f.help
        );
        if let Some(c) = command {
            let _ = writeln!(out, "The command {} {}: {}", c.name, c.usage, c.help);
        }
        return Ok(out);
    }
    if let Some(p) = query::procedures::entries()
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(topic))
    {
        let _ = writeln!(
            out,
            "CALL {}\n{}.\nExample:\n  {};",
            p.usage(),
            p.help,
            p.example
        );
        return Ok(out);
    }
    let candidates: Vec<&str> = TOPICS
        .iter()
        .map(|(t, ..)| *t)
        .chain(COMMANDS.iter().map(|c| c.name.trim_start_matches(':')))
        .chain(query::functions::names())
        .chain(query::procedures::names())
        .collect();
    let hint = did_you_mean(&suggest(topic, candidates))
        .unwrap_or_else(|| "type :help for the topics".to_owned());
    Err(format!("error: no help on {topic}; {hint}"))
}

/// One line per function of the registry: the aggregates, or the others.
pub(super) fn list_functions(out: &mut String, aggregates: bool) {
    for f in query::functions::entries()
        .iter()
        .filter(|f| f.is_aggregate() == aggregates)
    {
        let _ = writeln!(out, "  {:<44} {}", format!("{}{}", f.name, f.args), f.help);
    }
}

/// Labels, relationship types and property keys, each with how many elements have it.
pub(crate) fn schema(graph: &crate::store::Graph) -> String {
    use crate::model::printable;
    let mut out = String::from("labels:\n");
    for (label, count) in graph.label_counts() {
        out.push_str(&format!("  {:<24} {count:>9}\n", printable(label)));
    }
    out.push_str("relationship types:\n");
    for (rel_type, count) in graph.type_counts() {
        out.push_str(&format!("  {:<24} {count:>9}\n", printable(rel_type)));
    }
    let mut node_keys: BTreeMap<&str, usize> = BTreeMap::new();
    for node in graph.nodes() {
        for (key, _) in graph.node_props(node) {
            *node_keys.entry(key).or_default() += 1;
        }
    }
    let mut edge_keys: BTreeMap<&str, usize> = BTreeMap::new();
    for edge in graph.edges() {
        for (key, _) in graph.edge_props(edge) {
            *edge_keys.entry(key).or_default() += 1;
        }
    }
    out.push_str("node property keys:\n");
    for (key, count) in node_keys {
        out.push_str(&format!("  {:<24} {count:>9}\n", printable(key)));
    }
    out.push_str("relationship property keys:\n");
    for (key, count) in edge_keys {
        out.push_str(&format!("  {:<24} {count:>9}\n", printable(key)));
    }
    out.push_str(&format!("schema: {}", graph.schema()));
    out
}
