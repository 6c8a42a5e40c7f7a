//! Merging imported records into the records of a graph that is already there: an entity that
//! shares an identifier (any scheme: `lei`, `bods`, `wikidata`, `opencorporates`…) or its id
//! with one already there is the same entity, filled where the one there is silent; a
//! relationship already there (same type, ends and properties) is not added twice.
//!
//! **Invariant:** merging the same records twice changes nothing the second time, so importing
//! a file again is harmless. Nothing already there is overwritten: where the two disagree (two
//! values of one identifier scheme, two kinds), the one there is kept and the disagreement
//! reported.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::model::{Entity, Relationship, Value};
use crate::store::DataSet;

/// What a merge did: counts, and the first few examples of each thing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    pub entities_added: usize,
    /// Imported entities found already there, and merged with them.
    pub entities_merged: usize,
    pub relationships_added: usize,
    /// Imported relationships already there (their sources added to the one there).
    pub relationships_present: usize,
    pub sources_added: usize,
    /// Examples of merges: `merged "X" with existing "Y" by lei 5493…`.
    pub merges: Vec<String>,
    /// Where the imported records and those there disagreed, the latter being kept.
    pub conflicts: Vec<String>,
    /// Imported entities given another id because theirs was taken by a different entity.
    pub renamed: Vec<String>,
}

/// How many examples of each thing a report keeps.
const EXAMPLES: usize = 5;

fn keep(list: &mut Vec<String>, example: impl FnOnce() -> String) {
    if list.len() < EXAMPLES {
        list.push(example());
    }
}

impl fmt::Display for MergeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} added, {} merged with entities already there; {} added, {} already there; {} added",
            counted(self.entities_added, "entity", "entities"),
            self.entities_merged,
            counted(self.relationships_added, "relationship", "relationships"),
            self.relationships_present,
            counted(self.sources_added, "source", "sources"),
        )?;
        for merge in &self.merges {
            writeln!(f, "  {merge}")?;
        }
        if self.entities_merged > self.merges.len() {
            writeln!(
                f,
                "  … and {} more",
                self.entities_merged - self.merges.len()
            )?;
        }
        for renamed in &self.renamed {
            writeln!(f, "  {renamed}")?;
        }
        for conflict in &self.conflicts {
            writeln!(f, "  kept what was there: {conflict}")?;
        }
        Ok(())
    }
}

fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Merges `incoming` into `base`, reporting what it did.
pub fn merge(base: &mut DataSet, incoming: DataSet) -> MergeReport {
    let mut report = MergeReport::default();
    let mut source_ids: HashMap<String, String> = HashMap::new();
    for mut source in incoming.source {
        let wanted = source.id.clone();
        match base.source.iter().find(|s| s.id == source.id) {
            Some(there) if *there == source => {}
            Some(_) => {
                // Another source under the same id: the import's gets a free one, unless one
                // of those is this very source (an import done before).
                let mut n = 2;
                loop {
                    let id = format!("{wanted}-{n}");
                    match base.source.iter().find(|s| s.id == id) {
                        Some(there)
                            if there.title == source.title
                                && there.publisher == source.publisher
                                && there.date == source.date
                                && there.url == source.url =>
                        {
                            source.id = id;
                            break;
                        }
                        Some(_) => n += 1,
                        None => {
                            source.id = id;
                            base.source.push(source.clone());
                            report.sources_added += 1;
                            break;
                        }
                    }
                }
            }
            None => {
                base.source.push(source.clone());
                report.sources_added += 1;
            }
        }
        source_ids.insert(wanted, source.id);
    }
    let rename_sources = |sources: &mut Vec<String>| {
        for s in sources.iter_mut() {
            if let Some(id) = source_ids.get(s) {
                s.clone_from(id);
            }
        }
    };
    for rate in incoming.fx_rate {
        if !base.fx_rate.contains(&rate) {
            base.fx_rate.push(rate);
        }
    }
    merge_definitions(base, incoming.vocabulary);
    base.allow_unsourced |= incoming.allow_unsourced;

    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut by_identifier: HashMap<(String, String), usize> = HashMap::new();
    for (i, e) in base.entity.iter().enumerate() {
        by_id.insert(e.id.clone(), i);
        for (scheme, value) in &e.ids {
            by_identifier.insert((scheme.clone(), value.clone()), i);
        }
    }
    let mut entity_ids: HashMap<String, String> = HashMap::new();
    for mut entity in incoming.entity {
        rename_sources(&mut entity.sources);
        let shared = entity.ids.iter().find_map(|(s, v)| {
            by_identifier
                .get(&(s.clone(), v.clone()))
                .map(|&i| (i, format!("{s} {v}")))
        });
        let same_id = by_id.get(&entity.id).copied().filter(|&i| {
            // Two entities whose identifiers of one scheme differ are different entities.
            let there = &base.entity[i];
            !entity
                .ids
                .iter()
                .any(|(s, v)| there.ids.get(s).is_some_and(|w| w != v))
        });
        let found = shared.or_else(|| same_id.map(|i| (i, format!("id {}", entity.id))));
        match found {
            Some((i, by)) => {
                let there = &mut base.entity[i];
                if there.name == entity.name {
                    keep(&mut report.merges, || {
                        format!(
                            "merged \"{}\" with the entity already there by {by}",
                            entity.name
                        )
                    });
                } else {
                    keep(&mut report.merges, || {
                        format!(
                            "merged \"{}\" with existing \"{}\" by {by}",
                            entity.name, there.name
                        )
                    });
                }
                report.entities_merged += 1;
                entity_ids.insert(entity.id.clone(), there.id.clone());
                let added = fill(there, entity, &mut report.conflicts);
                for (scheme, value) in added {
                    by_identifier.insert((scheme, value), i);
                }
            }
            None => {
                let wanted = entity.id.clone();
                if by_id.contains_key(&wanted) {
                    let mut n = 2;
                    while by_id.contains_key(&format!("{wanted}-{n}")) {
                        n += 1;
                    }
                    entity.id = format!("{wanted}-{n}");
                    keep(&mut report.renamed, || {
                        format!(
                            "\"{}\" is a different entity from the one with id {wanted} (their identifiers differ): it is {}",
                            entity.name, entity.id
                        )
                    });
                }
                entity_ids.insert(wanted, entity.id.clone());
                let i = base.entity.len();
                by_id.insert(entity.id.clone(), i);
                for (scheme, value) in &entity.ids {
                    by_identifier
                        .entry((scheme.clone(), value.clone()))
                        .or_insert(i);
                }
                base.entity.push(entity);
                report.entities_added += 1;
            }
        }
    }
    for mut tie in incoming.relationship {
        rename_sources(&mut tie.sources);
        for end in [&mut tie.from, &mut tie.to] {
            if let Some(id) = entity_ids.get(end.as_str()) {
                end.clone_from(id);
            }
        }
        match base.relationship.iter_mut().find(|t| same_tie(t, &tie)) {
            Some(there) => {
                report.relationships_present += 1;
                for s in tie.sources {
                    if !there.sources.contains(&s) {
                        there.sources.push(s);
                    }
                }
            }
            None => {
                base.relationship.push(tie);
                report.relationships_added += 1;
            }
        }
    }
    report
}

/// Fills what `there` lacks from `entity`; returns the identifiers added.
fn fill(there: &mut Entity, entity: Entity, conflicts: &mut Vec<String>) -> Vec<(String, String)> {
    let name = there.name.clone();
    if there.kind != entity.kind {
        keep(conflicts, || {
            format!(
                "\"{name}\" is a {} here and a {} in the import",
                there.kind, entity.kind
            )
        });
    }
    for (field, mine, theirs) in [
        ("country", &mut there.country, entity.country),
        ("sector", &mut there.sector, entity.sector),
        ("note", &mut there.note, entity.note),
    ] {
        match (&mine, theirs) {
            (None, Some(v)) => *mine = Some(v),
            (Some(a), Some(b)) if *a != b && field != "note" => keep(conflicts, || {
                format!("\"{name}\" has {field} {a} here and {b} in the import")
            }),
            _ => {}
        }
    }
    let folded = crate::model::fold_name(&there.name);
    for alias in std::iter::once(entity.name).chain(entity.aliases) {
        let f = crate::model::fold_name(&alias);
        if f != folded
            && !there
                .aliases
                .iter()
                .any(|a| crate::model::fold_name(a) == f)
        {
            there.aliases.push(alias);
        }
    }
    let mut added = Vec::new();
    for (scheme, value) in entity.ids {
        match there.ids.get(&scheme) {
            None => {
                added.push((scheme.clone(), value.clone()));
                there.ids.insert(scheme, value);
            }
            Some(v) if *v != value => keep(conflicts, || {
                format!("\"{name}\" has {scheme} {v} here and {value} in the import")
            }),
            Some(_) => {}
        }
    }
    for s in entity.sources {
        if !there.sources.contains(&s) {
            there.sources.push(s);
        }
    }
    for (key, value) in entity.extra {
        there.extra.entry(key).or_insert(value);
    }
    added
}

/// The same tie: type, ends and what it says (whatever source cites it). `amount_usd` is
/// derived on loading, so a tie read before loading lacks it.
fn same_tie(a: &Relationship, b: &Relationship) -> bool {
    a.rel_type == b.rel_type
        && a.from == b.from
        && a.to == b.to
        && same_values(&a.properties, &b.properties, &["amount_usd"])
        && same_values(&a.extra, &b.extra, &[])
}

fn same_values(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>, derived: &[&str]) -> bool {
    let keys = |m: &'_ BTreeMap<String, Value>| {
        m.keys()
            .filter(|k| !derived.contains(&k.as_str()))
            .cloned()
            .collect::<Vec<_>>()
    };
    keys(a) == keys(b) && keys(a).iter().all(|k| same_value(&a[k], &b[k]))
}

/// Equal values, a number being the same whether written as an integer or not.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => *x as f64 == *y,
        _ => a == b,
    }
}

/// Adds the import's vocabulary definitions the base lacks, by name.
fn merge_definitions(base: &mut DataSet, incoming: crate::model::vocabulary::Definitions) {
    let v = &mut base.vocabulary;
    for d in incoming.kind {
        if !v.kind.iter().any(|k| k.name == d.name) {
            v.kind.push(d);
        }
    }
    for d in incoming.relationship {
        if !v.relationship.iter().any(|k| k.name == d.name) {
            v.relationship.push(d);
        }
    }
    for d in incoming.property {
        if !v.property.iter().any(|k| k.name == d.name) {
            v.property.push(d);
        }
    }
    for d in incoming.identifier {
        if !v.identifier.iter().any(|k| k.name == d.name) {
            v.identifier.push(d);
        }
    }
}
