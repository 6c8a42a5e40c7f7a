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

use super::Origins;
use super::origin::{Reference, Side, Target};
use crate::model::{Entity, RelType, Relationship, Value, fold_name};
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
    /// Imported names and aliases that another entity held, told apart by what distinguishes
    /// their entity ("Company B (GB-COH 123)").
    pub names_told_apart: usize,
    /// Examples of those.
    pub told_apart: Vec<String>,
}

impl MergeReport {
    /// Adds what `other` (another part of the same import) did, keeping the first examples.
    pub(crate) fn absorb(&mut self, other: MergeReport) {
        self.entities_added += other.entities_added;
        self.entities_merged += other.entities_merged;
        self.relationships_added += other.relationships_added;
        self.relationships_present += other.relationships_present;
        self.sources_added += other.sources_added;
        self.names_told_apart += other.names_told_apart;
        for (list, more) in [
            (&mut self.merges, other.merges),
            (&mut self.conflicts, other.conflicts),
            (&mut self.renamed, other.renamed),
            (&mut self.told_apart, other.told_apart),
        ] {
            for example in more {
                keep(list, || example);
            }
        }
    }

    fn record_told_apart(&mut self, name: &str, owner: &str, told: &str) {
        self.names_told_apart += 1;
        keep(&mut self.told_apart, || {
            format!("\"{name}\" is already entity {owner}'s: the imported one is \"{told}\"")
        });
    }
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
        if self.names_told_apart > 0 {
            writeln!(
                f,
                "  {} that another entity already has told apart (the plain name kept as `{PLAIN_NAME}`):",
                counted(self.names_told_apart, "name", "names"),
            )?;
            for told in &self.told_apart {
                writeln!(f, "    {told}")?;
            }
            if self.names_told_apart > self.told_apart.len() {
                writeln!(
                    f,
                    "    … and {} more",
                    self.names_told_apart - self.told_apart.len()
                )?;
            }
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
    let origins = Origins::none(&incoming);
    merge_traced(base, incoming, &origins).0
}

/// As `merge`, keeping where each record came from: `origins` are the incoming records'; what
/// comes back are the merged records' (`None` for those only already there). A record already
/// there that an imported one merged with takes the imported one's origin.
pub fn merge_traced(
    base: &mut DataSet,
    incoming: DataSet,
    origins: &Origins,
) -> (MergeReport, Origins) {
    let mut report = MergeReport::default();
    let mut merged_origins = Origins::none(base);
    let mut source_ids: HashMap<String, String> = HashMap::new();
    let mut source_at: HashMap<String, usize> = base
        .source
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    for mut source in incoming.source {
        let wanted = source.id.clone();
        match source_at.get(&source.id).map(|&i| &base.source[i]) {
            Some(there) if *there == source => {}
            Some(_) => {
                // Another source under the same id: the import's gets a free one, unless one
                // of those is this very source (an import done before).
                let mut n = 2;
                loop {
                    let id = format!("{wanted}-{n}");
                    match source_at.get(&id).map(|&i| &base.source[i]) {
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
                            source_at.insert(source.id.clone(), base.source.len());
                            base.source.push(source.clone());
                            report.sources_added += 1;
                            break;
                        }
                    }
                }
            }
            None => {
                source_at.insert(source.id.clone(), base.source.len());
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
    let mut names = Names::default();
    for (i, e) in base.entity.iter().enumerate() {
        by_id.insert(e.id.clone(), i);
        for (scheme, value) in &e.ids {
            by_identifier.insert((scheme.clone(), value.clone()), i);
        }
        names.ids.push(e.id.clone());
        for name in std::iter::once(&e.name).chain(&e.aliases) {
            names.claim(name, i);
        }
    }
    let mut entity_ids: HashMap<String, String> = HashMap::new();
    for (k, mut entity) in incoming.entity.into_iter().enumerate() {
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
            Some((i, by)) if origins.stand_ins.contains(&k) => {
                // A stand-in's name and kind are made up: only its identifiers and free
                // properties say something of the entity.
                let there = &mut base.entity[i];
                keep(&mut report.merges, || {
                    format!(
                        "merged \"{}\" (named only by identifier) with existing \"{}\" by {by}",
                        entity.name, there.name
                    )
                });
                report.entities_merged += 1;
                entity_ids.insert(entity.id.clone(), there.id.clone());
                let said = Entity {
                    ids: std::mem::take(&mut entity.ids),
                    extra: std::mem::take(&mut entity.extra),
                    note: entity.note.take(),
                    ..Entity::new(String::new(), String::new(), there.kind.clone())
                };
                for (scheme, value) in fill(there, said, &mut report.conflicts) {
                    by_identifier.insert((scheme, value), i);
                }
                if merged_origins.entity[i].is_none() {
                    merged_origins.entity[i] = origins.entity(k);
                }
            }
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
                let their_names: Vec<String> = std::iter::once(std::mem::take(&mut entity.name))
                    .chain(std::mem::take(&mut entity.aliases))
                    .collect();
                let added = fill(there, entity, &mut report.conflicts);
                for (scheme, value) in added {
                    by_identifier.insert((scheme, value), i);
                }
                for name in their_names {
                    names.add_alias(there, i, name, &mut report);
                }
                if merged_origins.entity[i].is_none() {
                    merged_origins.entity[i] = origins.entity(k);
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
                names.ids.push(entity.id.clone());
                names.name_newcomer(&mut entity, i, &mut report);
                base.entity.push(entity);
                merged_origins.entity.push(origins.entity(k));
                if origins.stand_ins.contains(&k) {
                    merged_origins.stand_ins.insert(i);
                }
                report.entities_added += 1;
            }
        }
    }
    // Ties already there by type and ends; the few between one pair are compared in full.
    let mut ties: HashMap<(RelType, String, String), Vec<usize>> = HashMap::new();
    for (i, t) in base.relationship.iter().enumerate() {
        ties.entry(tie_key(t)).or_default().push(i);
    }
    let mut references: HashMap<usize, Vec<&Reference>> = HashMap::new();
    for reference in &origins.references {
        references
            .entry(reference.relationship)
            .or_default()
            .push(reference);
    }
    for (k, mut tie) in incoming.relationship.into_iter().enumerate() {
        rename_sources(&mut tie.sources);
        for end in [&mut tie.from, &mut tie.to] {
            if let Some(id) = entity_ids.get(end.as_str()) {
                end.clone_from(id);
            }
        }
        let mut unresolved = Vec::new();
        for &reference in references.get(&k).into_iter().flatten() {
            let found = match &reference.target {
                Target::Identifier { scheme, value } => by_identifier
                    .get(&(scheme.clone(), value.clone()))
                    .map(|&i| base.entity[i].id.clone()),
                Target::Name(name) => names
                    .owner
                    .get(&fold_name(name))
                    .map(|&i| names.ids[i].clone()),
            };
            let end = match reference.side {
                Side::From => &mut tie.from,
                Side::To => &mut tie.to,
            };
            match found {
                Some(id) => *end = id,
                None => unresolved.push(reference.clone()),
            }
        }
        if !unresolved.is_empty() {
            // Kept, its end naming no entity, for the loader to refuse where the input said it.
            for mut reference in unresolved {
                reference.relationship = base.relationship.len();
                merged_origins.references.push(reference);
            }
            base.relationship.push(tie);
            merged_origins.relationship.push(origins.relationship(k));
            report.relationships_added += 1;
            continue;
        }
        let candidates = ties.entry(tie_key(&tie)).or_default();
        match candidates
            .iter()
            .copied()
            .find(|&i| same_tie(&base.relationship[i], &tie))
        {
            Some(i) => {
                report.relationships_present += 1;
                let there = &mut base.relationship[i];
                for s in tie.sources {
                    if !there.sources.contains(&s) {
                        there.sources.push(s);
                    }
                }
                if merged_origins.relationship[i].is_none() {
                    merged_origins.relationship[i] = origins.relationship(k);
                }
            }
            None => {
                candidates.push(base.relationship.len());
                base.relationship.push(tie);
                merged_origins.relationship.push(origins.relationship(k));
                report.relationships_added += 1;
            }
        }
    }
    (report, merged_origins)
}

fn tie_key(tie: &Relationship) -> (RelType, String, String) {
    (tie.rel_type.clone(), tie.from.clone(), tie.to.clone())
}

/// Every name and alias, folded, with the entity it belongs to: names are unique under the
/// folding (`model::fold_name`), so an imported one that another entity holds is told apart.
#[derive(Default)]
struct Names {
    owner: HashMap<String, usize>,
    /// The entities' ids, by index, to say whose a name is.
    ids: Vec<String>,
}

impl Names {
    fn claim(&mut self, name: &str, i: usize) {
        self.owner.entry(fold_name(name)).or_insert(i);
    }

    /// Who holds `name`, other than entity `i`.
    fn other_owner(&self, name: &str, i: usize) -> Option<usize> {
        self.owner
            .get(&fold_name(name))
            .copied()
            .filter(|&o| o != i)
    }

    /// `name` told apart from the one another entity holds: qualified by what distinguishes
    /// `entity` (its country and an identifier), then numbered until free.
    fn told_apart(&self, name: &str, entity: &Entity, i: usize) -> String {
        let qualifier = qualifier(entity);
        let candidate = |n: usize| match (qualifier.is_empty(), n) {
            (false, 1) => format!("{name} ({qualifier})"),
            (false, n) => format!("{name} ({qualifier}, {n})"),
            (true, n) => format!("{name} ({n})"),
        };
        let mut n = if qualifier.is_empty() { 2 } else { 1 };
        loop {
            let c = candidate(n);
            if self.other_owner(&c, i).is_none() {
                return c;
            }
            n += 1;
        }
    }

    /// Names a new entity `i`: a name or alias another entity holds is told apart (the plain
    /// name is kept as the free property `plain_name`), and the renaming reported.
    fn name_newcomer(&mut self, entity: &mut Entity, i: usize, report: &mut MergeReport) {
        if let Some(owner) = self.other_owner(&entity.name, i) {
            let plain = entity.name.clone();
            entity.name = self.told_apart(&plain, entity, i);
            report.record_told_apart(&plain, &self.ids[owner], &entity.name);
            entity
                .extra
                .entry(PLAIN_NAME.to_owned())
                .or_insert_with(|| Value::from(plain.as_str()));
        }
        self.claim(&entity.name, i);
        let aliases = std::mem::take(&mut entity.aliases);
        for alias in aliases {
            let alias = match self.other_owner(&alias, i) {
                Some(owner) => {
                    let told = self.told_apart(&alias, entity, i);
                    report.record_told_apart(&alias, &self.ids[owner], &told);
                    told
                }
                None => alias,
            };
            if self.other_owner(&alias, i).is_none()
                && !entity
                    .aliases
                    .iter()
                    .any(|a| fold_name(a) == fold_name(&alias))
            {
                self.claim(&alias, i);
                entity.aliases.push(alias);
            }
        }
    }

    /// Adds `name` (an imported entity's name or alias) to `there` (entity `i`), which the
    /// imported entity merged with: unless `there` has it, told apart when another entity
    /// holds it, and not again when `there` already has it told apart (an import done before).
    fn add_alias(&mut self, there: &mut Entity, i: usize, name: String, report: &mut MergeReport) {
        let folded = fold_name(&name);
        match self.owner.get(&folded) {
            Some(&o) if o == i => {}
            Some(&owner) => {
                let prefix = fold_name(&format!("{name} ("));
                let told_before = std::iter::once(&there.name)
                    .chain(&there.aliases)
                    .any(|a| fold_name(a).starts_with(&prefix));
                if !told_before {
                    let told = self.told_apart(&name, there, i);
                    report.record_told_apart(&name, &self.ids[owner], &told);
                    self.claim(&told, i);
                    there.aliases.push(told);
                }
            }
            None => {
                self.owner.insert(folded, i);
                there.aliases.push(name);
            }
        }
    }
}

/// The free property that keeps an imported entity's plain name when another entity holds it.
pub const PLAIN_NAME: &str = "plain_name";

/// What tells an entity apart from another of its name: its country, unless its identifier's
/// scheme names it, and its identifier (an LEI first, then a register's, then any other).
fn qualifier(entity: &Entity) -> String {
    let rank = |scheme: &str| match scheme {
        "lei" => 0,
        s if s.starts_with("bods") => 3,
        "wikidata" | "opencorporates" | "isin" => 2,
        _ => 1,
    };
    let identifier = entity
        .ids
        .iter()
        .min_by_key(|(scheme, _)| rank(scheme))
        .map(|(scheme, value)| (scheme.to_ascii_uppercase().replace('_', "-"), value));
    let country = entity.country.as_deref().filter(|c| {
        identifier
            .as_ref()
            .is_none_or(|(scheme, _)| !scheme.starts_with(&c.to_ascii_uppercase()))
    });
    let mut parts = Vec::new();
    parts.extend(country.map(str::to_owned));
    parts.extend(identifier.map(|(scheme, value)| format!("{scheme} {value}")));
    parts.join(", ")
}

/// Fills what `there` lacks from `entity` (but its names, which the caller adds); returns the
/// identifiers added.
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

/// The properties of a tie that loading derives, so that a tie read before loading lacks
/// them: `same_tie` (and the batched import's hash of a tie) leave them out.
pub(super) const DERIVED_TIE_KEYS: &[&str] = &["amount_usd"];

/// The same tie: type, ends and what it says (whatever source cites it), the derived
/// properties aside.
pub(super) fn same_tie(a: &Relationship, b: &Relationship) -> bool {
    a.rel_type == b.rel_type
        && a.from == b.from
        && a.to == b.to
        && same_values(&a.properties, &b.properties, DERIVED_TIE_KEYS)
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

/// Equal values, a number being the same whether written as an integer or not. The batched
/// import's `tie_hash` hashes values alike: a change here goes there too.
fn same_value(a: &Value, b: &Value) -> bool {
    a.same_as(b)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn firm(id: &str, name: &str) -> Entity {
        Entity::new(id.to_owned(), name.to_owned(), Kind::new("company"))
    }

    #[test]
    fn firms_with_nothing_to_tell_them_apart_are_numbered() {
        let mut base = DataSet::default();
        let mut incoming = DataSet::default();
        incoming.entity.push(firm("acme", "ACME LTD"));
        let mut second = firm("acme-2", "Acme  Ltd");
        second.aliases.push("Acme".to_owned());
        incoming.entity.push(second);
        let mut third = firm("acme-3", "Acme Ltd");
        third.country = Some("GB".to_owned());
        third.aliases.push("ACME".to_owned());
        incoming.entity.push(third);
        let report = merge(&mut base, incoming.clone());
        let names: Vec<&str> = base.entity.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["ACME LTD", "Acme  Ltd (2)", "Acme Ltd (GB)"]);
        // The third's alias is the second's: told apart too.
        assert_eq!(base.entity[2].aliases, ["ACME (GB)"]);
        assert_eq!(report.names_told_apart, 3);
        assert_eq!(
            base.entity[1].extra.get(PLAIN_NAME),
            Some(&Value::from("Acme  Ltd"))
        );
        let before = base.clone();
        let again = merge(&mut base, incoming);
        assert_eq!(again.entities_merged, 3);
        assert_eq!(again.names_told_apart, 0);
        assert_eq!(base, before);
    }

    #[test]
    fn a_merged_entity_takes_another_entitys_name_only_told_apart() {
        let mut base = DataSet::default();
        base.entity.push(firm("a", "Alpha"));
        let mut beta = firm("b", "Beta");
        beta.ids.insert("lei".to_owned(), "L1".to_owned());
        base.entity.push(beta);
        let mut incoming = DataSet::default();
        let mut also_beta = firm("x", "Alpha");
        also_beta.ids.insert("lei".to_owned(), "L1".to_owned());
        incoming.entity.push(also_beta);
        let report = merge(&mut base, incoming.clone());
        assert_eq!(report.entities_merged, 1);
        assert_eq!(base.entity[1].aliases, ["Alpha (LEI L1)"]);
        let before = base.clone();
        merge(&mut base, incoming);
        assert_eq!(base, before);
    }
}
