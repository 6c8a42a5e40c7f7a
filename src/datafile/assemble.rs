//! Builds a graph from decoded records, checking the rules that span records: unique ids and
//! names, relationships between known entities, `member-of` aimed at a consortium, cited
//! sources that exist.

use std::collections::{HashMap, HashSet};

use super::decode::{Decoded, Located};
use super::problem::{Location, Problem, ProblemKind};
use crate::model::{Schema, Vocabulary, did_you_mean, fold_name, suggest};
use crate::rules::{self, Broken};
use crate::store::{Graph, NodeId};

/// Adds every file's records to a new graph. Problems are pushed to `problems`; the caller
/// must discard the graph when there are any.
pub(crate) fn assemble(
    files: &[Decoded],
    schema: Schema,
    vocabulary: &Vocabulary,
    problems: &mut Vec<Problem>,
) -> Graph {
    let entity_count = files.iter().map(|f| f.entities.len()).sum();
    let relationship_count = files.iter().map(|f| f.relationships.len()).sum();
    let mut graph = Graph::with_capacity(schema, entity_count, relationship_count);
    graph.set_allow_unsourced(files.iter().any(|f| f.allow_unsourced));
    // A file that says `schema = "open"` holds a graph no alliance rule applies to.
    if files.iter().any(|f| f.open.is_some()) {
        graph.set_schema(Schema::Open);
    }

    let incomplete: HashSet<&str> = files
        .iter()
        .flat_map(|f| &f.incomplete_ids)
        .map(String::as_str)
        .collect();
    let mut source_at: HashMap<&str, &Location> = HashMap::new();
    for source in files.iter().flat_map(|f| &f.sources) {
        let id = source.record.id.as_str();
        if let Some(first) = source_at.get(id) {
            problems.push(
                Problem::new(
                    ProblemKind::DuplicateId,
                    source.field("id").clone(),
                    format!("the source id \"{id}\" is defined twice"),
                )
                .help(Some(format!("the first definition is at {first}"))),
            );
            continue;
        }
        source_at.insert(id, source.field("id"));
        graph.add_source(source.record.clone());
    }

    let mut rate_at: HashMap<(&str, crate::model::Date), &Location> = HashMap::new();
    for rate in files.iter().flat_map(|f| &f.fx_rates) {
        let record = &rate.record;
        if !source_at.contains_key(record.source.as_str())
            && !incomplete.contains(record.source.as_str())
        {
            let broken = rules::unknown_source(&record.source, source_at.keys().copied());
            problems.push(placed(broken, rate.field("source")));
        }
        let key = (record.currency.as_str(), record.date);
        if let Some(first) = rate_at.get(&key) {
            let broken =
                rules::duplicate_fx_rate(&record.currency, record.date, &format!("at {first}"));
            problems.push(placed(broken, rate.field("date")));
            continue;
        }
        rate_at.insert(key, rate.field("date"));
        graph.add_fx_rate(record.clone());
    }

    let mut entity_at: HashMap<&str, &Location> = HashMap::new();
    // Folded name or alias → (entity id, where it was written).
    let mut name_at: HashMap<String, (&str, &Location)> = HashMap::new();
    let mut nodes: HashMap<&str, NodeId> = HashMap::new();
    for entity in files.iter().flat_map(|f| &f.entities) {
        let record = &entity.record;
        if let Some(first) = entity_at.get(record.id.as_str()) {
            let broken = rules::duplicate_entity_id(&record.id, &format!("at {first}"));
            problems.push(placed(broken, entity.field("id")));
            continue;
        }
        entity_at.insert(&record.id, entity.field("id"));
        let names = std::iter::once(("name".to_owned(), &record.name)).chain(
            record
                .aliases
                .iter()
                .enumerate()
                .map(|(i, a)| (format!("aliases.{i}"), a)),
        );
        for (field, name) in names {
            let folded = fold_name(name);
            match name_at.get(&folded) {
                Some((owner, _)) if *owner == record.id => {}
                Some((owner, first)) => problems.push(placed(
                    rules::name_clash(name, owner, &format!(" at {first}")),
                    entity.field(&field),
                )),
                None => {
                    name_at.insert(folded, (&record.id, entity.field(&field)));
                }
            }
        }
        check_sources(entity, &record.sources, &source_at, &incomplete, problems);
        nodes.insert(&record.id, graph.insert_entity(record));
    }

    for file in files {
        open_graph(file, &mut graph, problems);
    }

    let ids: Vec<&str> = entity_at.keys().copied().collect();
    for rel in files.iter().flat_map(|f| &f.relationships) {
        let record = &rel.record;
        let known = Known {
            nodes: &nodes,
            ids: &ids,
            incomplete: &incomplete,
            graph: &graph,
        };
        let from = endpoint(rel, "from", &record.from, &known, problems);
        let to = endpoint(rel, "to", &record.to, &known, problems);
        check_sources(rel, &record.sources, &source_at, &incomplete, problems);
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        // The type was read against this vocabulary, so it is defined.
        if let Some(def) = vocabulary.relationship(record.rel_type.as_str()) {
            let mut fits = true;
            for (node, at_from, field, id) in [
                (from, true, "from", &record.from),
                (to, false, "to", &record.to),
            ] {
                let kind = graph
                    .node_labels(node)
                    .find_map(|l| vocabulary.kind_by_label(l))
                    .map_or("unlabelled", |k| k.name.as_str());
                if !Vocabulary::may_join(def, kind, at_from) {
                    let broken = rules::wrong_endpoint(def, at_from, id, kind);
                    problems.push(placed(broken, rel.field(field)));
                    fits = false;
                }
            }
            if !fits {
                continue;
            }
        }
        match usd_of(record, graph.fx_rates()) {
            Ok(None) => {
                graph.insert_relationship(record, from, to);
            }
            Ok(Some(usd)) => {
                let mut record = record.clone();
                record.properties.insert("amount_usd".to_owned(), usd);
                graph.insert_relationship(&record, from, to);
            }
            Err(broken) => {
                let at = if record.properties.contains_key("amount_usd") {
                    rel.field("amount_usd")
                } else {
                    rel.field("amount")
                };
                problems.push(placed(broken, at));
            }
        }
    }
    graph
}

/// The `amount_usd` a relationship gets from its `amount`: `Ok(None)` when it keeps what it
/// has (no amount; an amount whose currency no rate converts; an `amount_usd` written equal
/// to the derived one), `Ok(Some)` the derived value, or the broken rule when a written
/// `amount_usd` disagrees.
fn usd_of(
    record: &crate::model::Relationship,
    rates: &[crate::model::FxRate],
) -> Result<Option<crate::model::Value>, Broken> {
    use crate::model::money;
    let props = &record.properties;
    let Some(amount) = props.get("amount").and_then(|v| v.as_f64()) else {
        return Ok(None);
    };
    let currency = props
        .get("currency")
        .and_then(|v| v.as_str())
        .unwrap_or(money::DEFAULT_CURRENCY);
    let date = props.get("date").and_then(|v| v.as_date());
    let derived = money::usd_value(amount, currency, date, rates).map(|(usd, _)| usd);
    let written = props.get("amount_usd").and_then(|v| v.as_f64());
    if written.is_some()
        && let Some(broken) = rules::usd_consistent(written, derived, amount, currency)
    {
        return Err(broken);
    }
    Ok(match (written, derived) {
        (None, Some(usd)) => Some(crate::model::Value::money(usd)),
        _ => None,
    })
}

/// What relationship endpoints can be resolved against.
struct Known<'a> {
    nodes: &'a HashMap<&'a str, NodeId>,
    ids: &'a [&'a str],
    incomplete: &'a HashSet<&'a str>,
    graph: &'a Graph,
}

fn endpoint<T>(
    rel: &Located<T>,
    field: &str,
    id: &str,
    known: &Known<'_>,
    problems: &mut Vec<Problem>,
) -> Option<NodeId> {
    if let Some(node) = known.nodes.get(id) {
        return Some(*node);
    }
    if known.incomplete.contains(id) {
        return None;
    }
    let (graph, ids) = (known.graph, known.ids);
    // A name or alias where an id belongs is the likeliest slip: point at the id.
    let by_name: Vec<&str> = graph
        .nodes_by_name(id)
        .iter()
        .filter_map(|n| graph.node_str(*n, "id"))
        .collect();
    let help = if by_name.is_empty() {
        did_you_mean(&suggest(id, ids.iter().copied()))
    } else {
        Some(format!(
            "`{field}` takes an entity id; {}",
            did_you_mean(&by_name).expect("not empty")
        ))
    };
    problems.push(
        Problem::new(
            ProblemKind::UnknownEntity,
            rel.field(field).clone(),
            format!("`{field}` names no known entity: \"{id}\""),
        )
        .help(help),
    );
    None
}

fn check_sources<T>(
    record: &Located<T>,
    sources: &[String],
    known: &HashMap<&str, &Location>,
    incomplete: &HashSet<&str>,
    problems: &mut Vec<Problem>,
) {
    for (i, source) in sources.iter().enumerate() {
        if !known.contains_key(source.as_str()) && !incomplete.contains(source.as_str()) {
            let broken = rules::unknown_source(source, known.keys().copied());
            problems.push(placed(broken, record.field(&format!("sources.{i}"))));
        }
    }
}

/// A broken rule placed where the file wrote it.
fn placed(broken: Broken, at: &Location) -> Problem {
    Problem::new(broken.kind, at.clone(), broken.message).help(broken.help)
}

/// Adds the nodes and relationships of an open-schema file; a relationship's ends are the
/// `ref`s of nodes of the same file.
fn open_graph(file: &Decoded, graph: &mut Graph, problems: &mut Vec<Problem>) {
    let mut refs: HashMap<i64, (NodeId, &Location)> = HashMap::new();
    for node in &file.nodes {
        let record = &node.record;
        if let Some((_, first)) = refs.get(&record.reference) {
            problems.push(
                Problem::new(
                    ProblemKind::DuplicateId,
                    node.field("ref").clone(),
                    format!("the node ref {} is used twice", record.reference),
                )
                .help(Some(format!(
                    "the first node with this ref is at {first}; give this one another"
                ))),
            );
            continue;
        }
        let id = graph.add_node(
            record.labels.iter().map(String::as_str),
            record
                .properties
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone())),
        );
        refs.insert(record.reference, (id, node.field("ref")));
    }
    for edge in &file.edges {
        let record = &edge.record;
        let mut end = |key: &str, reference: i64| {
            let found = refs.get(&reference).map(|(id, _)| *id);
            if found.is_none() {
                problems.push(
                    Problem::new(
                        ProblemKind::UnknownEntity,
                        edge.field(key).clone(),
                        format!("`{key}` names no node of this file: {reference}"),
                    )
                    .help(Some("`from` and `to` take the `ref` of a [[node]]")),
                );
            }
            found
        };
        let (Some(from), Some(to)) = (end("from", record.from), end("to", record.to)) else {
            continue;
        };
        graph.add_edge(
            from,
            to,
            &record.rel_type,
            record
                .properties
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone())),
        );
    }
}
