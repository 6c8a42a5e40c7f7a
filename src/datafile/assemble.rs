//! Builds a graph from decoded records, checking the rules that span records: unique ids and
//! names, relationships between known entities, `member-of` aimed at a consortium, cited
//! sources that exist; and merges the records of one entity that several files describe,
//! known by an identifier they share (`ids.lei`).

// Keyed by the records' own ids and names, hashed once or more a record: the fast hasher.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

use super::decode::{Decoded, Located, OpenNode};
use super::problem::{Location, Problem, ProblemKind};
use crate::model::{Entity, Schema, Vocabulary, did_you_mean, fold_name, suggest};
use crate::rules::{self, Broken};
use crate::store::{Graph, NodeId, UniqueConstraint};

/// Adds every file's records to a new graph. Problems are pushed to `problems`; the caller
/// must discard the graph when there are any.
pub(crate) fn assemble(
    files: &[Decoded],
    schema: Schema,
    vocabulary: &Vocabulary,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Problem>,
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
    let source_at = add_sources(files.iter().flat_map(|f| &f.sources), &mut graph, problems);

    let mut rate_at: HashMap<(&str, crate::model::Date), &Location> = HashMap::default();
    for rate in files.iter().flat_map(|f| &f.fx_rates) {
        let record = &rate.record;
        if !source_at.contains_key(record.source.as_str())
            && !incomplete.contains(record.source.as_str())
        {
            let broken = rules::unknown_source(&record.source, source_at.keys().copied());
            problems.push(placed(broken, &rate.field_at("source")));
        }
        let key = (record.currency.as_str(), record.date);
        if let Some(first) = rate_at.get(&key) {
            let broken =
                rules::duplicate_fx_rate(&record.currency, record.date, &format!("at {first}"));
            problems.push(placed(broken, &rate.field_at("date")));
            continue;
        }
        rate_at.insert(key, rate.field("date"));
        graph.add_fx_rate(record.clone());
    }

    let (merged, rejected) = merge_entities(files, problems);
    let incomplete: HashSet<&str> = incomplete.into_iter().chain(rejected).collect();
    let mut entity_at: HashMap<&str, &Location> = HashMap::default();
    // Folded name or alias → (entity id, where it was written).
    let mut name_at: HashMap<String, (&str, &Location)> = HashMap::default();
    let mut nodes: HashMap<&str, NodeId> = HashMap::default();
    let mut written: HashMap<NodeId, Written<'_, '_>> = HashMap::default();
    for entity in &merged {
        let record = &entity.record;
        // The first record's id is the entity's; a later record's other id names it too.
        let mut clash = false;
        for (id, at) in &entity.slugs {
            match entity_at.get(id) {
                Some(first) if !std::ptr::eq(*first, *at) => {
                    let broken = rules::duplicate_entity_id(id, &format!("at {first}"));
                    problems.push(placed(broken, at));
                    clash |= *id == record.id.as_str();
                }
                Some(_) => {}
                None => {
                    entity_at.insert(id, at);
                }
            }
        }
        if clash {
            continue;
        }
        for (name, at) in &entity.names {
            let folded = fold_name(name);
            match name_at.get(&folded) {
                Some((owner, _)) if *owner == record.id => {}
                Some((owner, first)) => problems.push(placed(
                    rules::name_clash(name, owner, &format!(" at {first}")),
                    at,
                )),
                None => {
                    name_at.insert(folded, (&record.id, at));
                }
            }
        }
        for part in &entity.parts {
            check_sources(
                part,
                &part.record.sources,
                &source_at,
                &incomplete,
                problems,
            );
        }
        let node = graph.insert_entity(record);
        written.insert(node, Written::Entity(&entity.parts));
        for (id, _) in &entity.slugs {
            nodes.entry(id).or_insert(node);
        }
    }
    likely_duplicates(&merged, warnings);

    for file in files {
        open_graph(file, &mut graph, &mut written, problems);
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
        add_relationship(rel, from, to, &mut graph, vocabulary, problems);
    }
    constraints(files, &mut graph, &written, problems);
    graph
}

/// Adds one set of decoded records to `graph`, checking the rules that span records against
/// the graph as well as against each other. The caller has made sure the records only add:
/// no entity shares an id, an identifier or a name with one there or with another of them,
/// no source is there already, and there are no rates, constraints or open nodes. Problems
/// are pushed to `problems`; the caller must discard the graph when there are any.
pub(crate) fn assemble_into(
    decoded: &Decoded,
    graph: &mut Graph,
    vocabulary: &Vocabulary,
    problems: &mut Vec<Problem>,
) {
    let incomplete: HashSet<&str> = decoded.incomplete_ids.iter().map(String::as_str).collect();
    add_sources(&decoded.sources, graph, &mut *problems);
    let sourced =
        |graph: &Graph, record: &dyn AtField, sources: &[String], problems: &mut Vec<Problem>| {
            for (i, source) in sources.iter().enumerate() {
                if graph.source(source).is_none() && !incomplete.contains(source.as_str()) {
                    let ids: Vec<&str> = graph.sources().map(|s| s.id.as_str()).collect();
                    let broken = rules::unknown_source(source, ids);
                    problems.push(placed(broken, &record.at_field(&format!("sources.{i}"))));
                }
            }
        };
    let mut nodes: HashMap<&str, NodeId> =
        HashMap::with_capacity_and_hasher(decoded.entities.len(), Default::default());
    for entity in &decoded.entities {
        let record = &entity.record;
        sourced(graph, entity, &record.sources, problems);
        let node = graph.insert_entity(record);
        nodes.insert(record.id.as_str(), node);
    }
    // Every end is looked up before any relationship is added: independent lookups, one after
    // another, overlap their memory reads, where one between two insertions waits for its own.
    let found: Vec<[Option<NodeId>; 2]> = decoded
        .relationships
        .iter()
        .map(|rel| {
            [&rel.record.from, &rel.record.to].map(|id| {
                nodes
                    .get(id.as_str())
                    .copied()
                    .or_else(|| graph.node_by_id(id))
            })
        })
        .collect();
    let mut ids: Option<Vec<String>> = None;
    for (rel, [from, to]) in decoded.relationships.iter().zip(found) {
        let record = &rel.record;
        let mut end =
            |field: &str, id: &str, found: Option<NodeId>, problems: &mut Vec<Problem>| {
                if found.is_some() {
                    return found;
                }
                if incomplete.contains(id) {
                    return None;
                }
                let near_ids = || {
                    let ids = ids.get_or_insert_with(|| graph.ids().map(str::to_owned).collect());
                    did_you_mean(&suggest(id, ids.iter().map(String::as_str)))
                };
                unknown_end(rel, field, id, graph, near_ids, problems);
                None
            };
        let from = end("from", &record.from, from, problems);
        let to = end("to", &record.to, to, problems);
        sourced(graph, rel, &record.sources, problems);
        if let (Some(from), Some(to)) = (from, to) {
            add_relationship(rel, from, to, graph, vocabulary, problems);
        }
    }
}

/// A record that problems can be placed at, by field.
trait AtField {
    fn at_field(&self, field: &str) -> Location;
}

impl<T> AtField for Located<T> {
    fn at_field(&self, field: &str) -> Location {
        self.field_at(field)
    }
}

/// Adds a relationship whose ends are known, unless its ends' kinds or its amounts break the
/// rules (reported where it was written).
fn add_relationship(
    rel: &Located<crate::model::Relationship>,
    from: NodeId,
    to: NodeId,
    graph: &mut Graph,
    vocabulary: &Vocabulary,
    problems: &mut Vec<Problem>,
) {
    let record = &rel.record;
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
                problems.push(placed(broken, &rel.field_at(field)));
                fits = false;
            }
        }
        if !fits {
            return;
        }
    }
    match usd_of(record, graph.fx_rates()) {
        Ok(None) => {
            graph.insert_relationship(record, from, to);
        }
        Ok(Some(usd)) => {
            graph.insert_relationship_with(record, from, to, Some(("amount_usd", usd)));
        }
        Err(broken) => {
            let at = if record.properties.contains_key("amount_usd") {
                rel.field_at("amount_usd")
            } else {
                rel.field_at("amount")
            };
            problems.push(placed(broken, &at));
        }
    }
}

/// Where a node of the graph was written: an entity's records, or an open node.
enum Written<'m, 'a> {
    Entity(&'m [&'a Located<Entity>]),
    Node(&'a Located<OpenNode>),
}

impl Written<'_, '_> {
    /// `entity "nvidia"` or `node ref 3`.
    fn words(&self) -> String {
        match self {
            Written::Entity(parts) => format!("entity \"{}\"", parts[0].record.id),
            Written::Node(node) => format!("node ref {}", node.record.reference),
        }
    }

    /// Where the first of `keys` the file wrote was written, or the table.
    fn place(&self, keys: &[String]) -> &Location {
        match self {
            Written::Entity(parts) => keys
                .iter()
                .find_map(|k| parts.iter().find_map(|p| p.property(k)))
                .unwrap_or(&parts[0].at),
            Written::Node(node) => keys
                .iter()
                .find_map(|k| node.property(k))
                .unwrap_or(&node.at),
        }
    }
}

/// Adds the files' `[[constraint]]`s to the graph: each name once, each rule (label and keys)
/// once, and every node that shares a constraint's values with an earlier one a problem
/// placed where the later one's value was written.
fn constraints(
    files: &[Decoded],
    graph: &mut Graph,
    written: &HashMap<NodeId, Written<'_, '_>>,
    problems: &mut Vec<Problem>,
) {
    let mut kept: Vec<&Located<UniqueConstraint>> = Vec::new();
    for constraint in files.iter().flat_map(|f| &f.constraints) {
        let record = &constraint.record;
        if let Some(first) = kept.iter().find(|k| k.record.name == record.name) {
            problems.push(
                Problem::new(
                    ProblemKind::DuplicateId,
                    constraint.field_at("name"),
                    format!("the constraint name \"{}\" is used twice", record.name),
                )
                .help(Some(format!(
                    "the first constraint of this name is at {}; give this one another name",
                    first.field("name")
                ))),
            );
            continue;
        }
        if let Some(first) = kept.iter().find(|k| k.record.same_rule(record)) {
            problems.push(
                Problem::new(
                    ProblemKind::DuplicateId,
                    constraint.field_at("keys"),
                    format!(
                        "constraint {} requires {} to be unique, as constraint {} does already",
                        record.name,
                        record.describe(),
                        first.record.name
                    ),
                )
                .help(Some(format!(
                    "remove one of them; the other is at {}",
                    first.at
                ))),
            );
            continue;
        }
        kept.push(constraint);
    }
    for constraint in kept {
        let record = &constraint.record;
        for (values, nodes) in graph.constraint_duplicates(record) {
            let (Some(first), Some(_)) = (written.get(&nodes[0]), nodes.get(1)) else {
                continue;
            };
            for node in &nodes[1..] {
                let Some(other) = written.get(node) else {
                    continue;
                };
                problems.push(
                    Problem::new(
                        ProblemKind::UniqueConstraint,
                        other.place(&record.keys).clone(),
                        format!(
                            "constraint {} requires {} to be unique, and {} shares {} with {} at {}",
                            record.name,
                            record.describe(),
                            other.words(),
                            rules::values_words(record, &values),
                            first.words(),
                            first.place(&record.keys)
                        ),
                    )
                    .help(Some(format!(
                        "give one of them another value, or remove the [[constraint]] at {}",
                        constraint.at
                    ))),
                );
            }
        }
        graph.add_constraint(record.clone());
    }
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
    let near_ids = || did_you_mean(&suggest(id, ids.iter().copied()));
    unknown_end(rel, field, id, graph, near_ids, problems);
    None
}

/// Reports that `field` of `rel` names `id`, which no entity has. A name or alias where an id
/// belongs is the likeliest slip, so the help points at that entity's id; otherwise at the
/// ids `near_ids` finds close.
fn unknown_end<T>(
    rel: &Located<T>,
    field: &str,
    id: &str,
    graph: &Graph,
    near_ids: impl FnOnce() -> Option<String>,
    problems: &mut Vec<Problem>,
) {
    let by_name: Vec<&str> = graph
        .nodes_by_name(id)
        .iter()
        .filter_map(|n| graph.node_str(*n, "id"))
        .collect();
    let help = if by_name.is_empty() {
        near_ids()
    } else {
        Some(format!(
            "`{field}` takes an entity id; {}",
            did_you_mean(&by_name).expect("not empty")
        ))
    };
    problems.push(
        Problem::new(
            ProblemKind::UnknownEntity,
            rel.field_at(field),
            format!("`{field}` names no known entity: \"{id}\""),
        )
        .help(help),
    );
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
            problems.push(placed(broken, &record.field_at(&format!("sources.{i}"))));
        }
    }
}

/// A broken rule placed where the file wrote it.
fn placed(broken: Broken, at: &Location) -> Problem {
    Problem::new(broken.kind, at.clone(), broken.message).help(broken.help)
}

/// Adds the nodes and relationships of an open-schema file; a relationship's ends are the
/// `ref`s of nodes of the same file.
fn open_graph<'a>(
    file: &'a Decoded,
    graph: &mut Graph,
    written: &mut HashMap<NodeId, Written<'_, 'a>>,
    problems: &mut Vec<Problem>,
) {
    let mut refs: HashMap<i64, (NodeId, &Location)> = HashMap::default();
    for node in &file.nodes {
        let record = &node.record;
        if let Some((_, first)) = refs.get(&record.reference) {
            problems.push(
                Problem::new(
                    ProblemKind::DuplicateId,
                    node.field_at("ref"),
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
        written.insert(id, Written::Node(node));
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
                        edge.field_at(key),
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

/// One entity as the files describe it: the first record, with what later records of it in
/// other files add (found by a shared identifier).
struct Merged<'a> {
    record: Entity,
    /// The records it was made of, first first.
    parts: Vec<&'a Located<Entity>>,
    /// Its ids with where each was written: the first record's, then the others' (which
    /// relationships may name it by too).
    slugs: Vec<(&'a str, &'a Location)>,
    /// Its name and aliases, with where each was written.
    names: Vec<(String, &'a Location)>,
}

/// Merges the records of every file: a record that shares an identifier with a record of an
/// earlier file is the same entity. Two records of one file sharing one are refused (as is a
/// record that would join two entities). Returns the entities, and the ids of refused records.
fn merge_entities<'a>(
    files: &'a [Decoded],
    problems: &mut Vec<Problem>,
) -> (Vec<Merged<'a>>, Vec<&'a str>) {
    let mut merged: Vec<Merged<'a>> = Vec::new();
    let mut rejected = Vec::new();
    // (scheme, value) → (entity, file, where it was written).
    let mut by_identifier: HashMap<(&str, &str), (usize, usize, &Location)> = HashMap::default();
    for (file, decoded) in files.iter().enumerate() {
        for entity in &decoded.entities {
            let record = &entity.record;
            let mut targets: Vec<usize> = Vec::new();
            let mut refused = false;
            for (scheme, value) in &record.ids {
                let Some(&(target, other_file, first)) =
                    by_identifier.get(&(scheme.as_str(), value.as_str()))
                else {
                    continue;
                };
                if other_file == file {
                    let owner = &merged[target].record.id;
                    let broken =
                        rules::duplicate_identifier(scheme, value, owner, &format!(" at {first}"));
                    problems.push(placed(broken, &entity.field_at(&format!("ids.{scheme}"))));
                    refused = true;
                } else if !targets.contains(&target) {
                    targets.push(target);
                }
            }
            if targets.len() > 1 {
                let names: Vec<String> = targets
                    .iter()
                    .map(|t| format!("\"{}\"", merged[*t].record.id))
                    .collect();
                problems.push(
                    Problem::new(
                        ProblemKind::MergeConflict,
                        entity.field_at("ids"),
                        format!(
                            "these identifiers belong to different entities ({}), so this record cannot be merged with one",
                            names.join(" and ")
                        ),
                    )
                    .help(Some(
                        "an entity's identifiers must all name it; correct the one that belongs to another entity",
                    )),
                );
                refused = true;
            }
            if refused {
                rejected.push(record.id.as_str());
                continue;
            }
            let index =
                match targets.first() {
                    Some(&target) => {
                        if merge_into(&mut merged[target], entity, problems) {
                            target
                        } else {
                            rejected.push(record.id.as_str());
                            continue;
                        }
                    }
                    None => {
                        let names =
                            std::iter::once((record.name.clone(), entity.field("name")))
                                .chain(record.aliases.iter().enumerate().map(|(i, a)| {
                                    (a.clone(), entity.field(&format!("aliases.{i}")))
                                }))
                                .collect();
                        merged.push(Merged {
                            record: record.clone(),
                            parts: vec![entity],
                            slugs: vec![(record.id.as_str(), entity.field("id"))],
                            names,
                        });
                        merged.len() - 1
                    }
                };
            for (scheme, value) in &record.ids {
                by_identifier
                    .entry((scheme.as_str(), value.as_str()))
                    .or_insert((index, file, entity.field(&format!("ids.{scheme}"))));
            }
        }
    }
    (merged, rejected)
}

/// Adds a later record of the entity to it: fields it lacks, aliases, sources and
/// identifiers. A field both give with different values is a conflict, reported with both
/// places; then nothing is merged and this returns false.
fn merge_into<'a>(
    into: &mut Merged<'a>,
    part: &'a Located<Entity>,
    problems: &mut Vec<Problem>,
) -> bool {
    let record = &part.record;
    let shared = record
        .ids
        .iter()
        .find(|(scheme, value)| into.record.ids.get(*scheme) == Some(*value))
        .map(|(scheme, value)| format!("{scheme} \"{value}\""))
        .unwrap_or_default();
    let mut fine = true;
    let mut conflict = |field: &str, first: String, this: String| {
        // The first record that wrote the field is where the merged value came from.
        let at = into
            .parts
            .iter()
            .find(|p| field_text(&p.record, field).is_some())
            .map_or(&into.parts[0].at, |p| p.field(field));
        let broken = rules::merge_conflict(field, &first, &this, &shared, &at.to_string());
        problems.push(placed(broken, &part.field_at(field)));
        fine = false;
    };
    let fields = ["kind", "country", "sector", "note"]
        .into_iter()
        .map(str::to_owned)
        .chain(record.ids.keys().map(|k| format!("ids.{k}")))
        .chain(record.extra.keys().map(|k| format!("extra.{k}")));
    for field in fields {
        if let (Some(first), Some(this)) =
            (field_text(&into.record, &field), field_text(record, &field))
            && first != this
        {
            conflict(&field, first, this);
        }
    }
    if !fine {
        return false;
    }
    let merged = &mut into.record;
    merged.country = merged.country.take().or_else(|| record.country.clone());
    merged.sector = merged.sector.take().or_else(|| record.sector.clone());
    merged.note = merged.note.take().or_else(|| record.note.clone());
    for (scheme, value) in &record.ids {
        merged
            .ids
            .entry(scheme.clone())
            .or_insert_with(|| value.clone());
    }
    for (key, value) in &record.extra {
        merged
            .extra
            .entry(key.clone())
            .or_insert_with(|| value.clone());
    }
    for source in &record.sources {
        if !merged.sources.contains(source) {
            merged.sources.push(source.clone());
        }
    }
    // The later record's name and aliases become aliases, unless the entity has them.
    let names = std::iter::once((&record.name, part.field("name"))).chain(
        record
            .aliases
            .iter()
            .enumerate()
            .map(|(i, a)| (a, part.field(&format!("aliases.{i}")))),
    );
    for (name, at) in names {
        let folded = fold_name(name);
        if into.names.iter().any(|(n, _)| fold_name(n) == folded) {
            continue;
        }
        merged.aliases.push(name.clone());
        into.names.push((name.clone(), at));
    }
    if record.id != merged.id && !into.slugs.iter().any(|(id, _)| *id == record.id) {
        into.slugs.push((record.id.as_str(), part.field("id")));
    }
    into.parts.push(part);
    true
}

/// A field of a record as a conflict message shows it: `kind`, `country`, `sector`, `note`,
/// `ids.SCHEME` or `extra.KEY`.
fn field_text(record: &Entity, field: &str) -> Option<String> {
    let quoted = |s: &String| format!("\"{s}\"");
    match field {
        "kind" => Some(quoted(&record.kind.to_string())),
        "country" => record.country.as_ref().map(quoted),
        "sector" => record.sector.as_ref().map(quoted),
        "note" => record.note.as_ref().map(quoted),
        _ => match field.split_once('.') {
            Some(("ids", scheme)) => record.ids.get(scheme).map(quoted),
            Some(("extra", key)) => record.extra.get(key).map(|v| v.to_string()),
            _ => None,
        },
    }
}

/// Warns about entities that are probably one: names that differ only by legal suffixes
/// ("Nvidia", "NVIDIA Corp."). Entities that carry different identifiers of one scheme are
/// known to be distinct and are not reported.
fn likely_duplicates(merged: &[Merged<'_>], warnings: &mut Vec<Problem>) {
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::default();
    for (i, entity) in merged.iter().enumerate() {
        let key = rules::duplicate_key(&entity.record.name);
        let earlier = by_key.entry(key).or_default();
        let distinct = |other: &Entity| {
            entity
                .record
                .ids
                .iter()
                .any(|(scheme, value)| other.ids.get(scheme).is_some_and(|v| v != value))
        };
        if let Some(&first) = earlier.iter().find(|&&j| !distinct(&merged[j].record)) {
            let other = &merged[first];
            let broken = rules::likely_duplicate(
                &entity.record.name,
                &other.record.id,
                &other.record.name,
                &other.names[0].1.to_string(),
            );
            warnings.push(placed(broken, entity.names[0].1));
        }
        earlier.push(i);
    }
}

/// Adds each source to `graph`, reporting an id defined twice at its second definition; where
/// each id was defined.
fn add_sources<'a>(
    sources: impl IntoIterator<Item = &'a Located<crate::model::Source>>,
    graph: &mut Graph,
    problems: &mut Vec<Problem>,
) -> HashMap<&'a str, &'a Location> {
    let mut source_at: HashMap<&str, &Location> = HashMap::default();
    for source in sources {
        let id = source.record.id.as_str();
        if let Some(first) = source_at.get(id) {
            problems.push(
                Problem::new(
                    ProblemKind::DuplicateId,
                    source.field_at("id"),
                    format!("the source id \"{id}\" is defined twice"),
                )
                .help(Some(format!("the first definition is at {first}"))),
            );
            continue;
        }
        source_at.insert(id, source.field("id"));
        graph.add_source(source.record.clone());
    }
    source_at
}
