//! Merging an import that only adds records into the graph itself: checked against the graph's
//! own indexes (ids, identifiers, names, the relationships between two entities) instead of
//! the whole graph turned into records, merged, and rebuilt. An import that merges with
//! anything there, or whose records merge with each other, takes the general way
//! (`merge::merge_traced`); both give the same graph and the same report.

// Keyed by the import's own ids and names, which are no attacker's choice against this
// process, and hashed once per record: the fast hasher.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

use super::merge::{MergeReport, same_tie};
use super::{ImportError, Imported, Origins};
use crate::datafile::{self, LoadError};
use crate::model::fold_name;
use crate::store::{DataSet, Direction, Graph};

/// Whether every record of `imported` would be added to `graph` as it is: no entity found
/// there or among the others, no source there under its id but the same one, no relationship
/// there between the same ends, and nothing else (rates, constraints, definitions, ends named
/// by identifier or name) to settle.
pub(crate) fn only_adds(graph: &Graph, imported: &Imported) -> bool {
    OnlyAdds::default().admits(graph, graph, imported).is_some()
}

/// What the batches of one import admitted so far hold, so that the next is checked against
/// them as well as against the graph: together they only add when each does. A check that
/// fails leaves it spent.
#[derive(Default)]
pub(crate) struct OnlyAdds {
    ids: HashSet<String>,
    identifiers: HashSet<(String, String)>,
    names: HashSet<String>,
    sources: HashMap<String, crate::model::Source>,
    /// `tie_hash` of each admitted relationship.
    ties: HashSet<u64>,
}

impl OnlyAdds {
    /// Whether `imported` only adds to `graph` (the graph before the import) and to the
    /// batches admitted before it, which `added` holds added to `graph`: the relationships of
    /// `imported` an earlier batch holds already, with all their sources (to be left out), or
    /// None when it does not only add.
    pub(crate) fn admits(
        &mut self,
        graph: &Graph,
        added: &Graph,
        imported: &Imported,
    ) -> Option<Vec<usize>> {
        let incoming = &imported.dataset;
        if !takes_batches(graph)
            || !incoming.fx_rate.is_empty()
            || !incoming.constraint.is_empty()
            || !imported.origins.references.is_empty()
            || incoming.vocabulary != Default::default()
        {
            return None;
        }
        for source in &incoming.source {
            let there = graph
                .source(&source.id)
                .or(self.sources.get(source.id.as_str()));
            if there.is_some_and(|there| there != source) {
                return None;
            }
            self.sources.insert(source.id.clone(), source.clone());
        }
        self.ids.reserve(incoming.entity.len());
        self.names.reserve(incoming.entity.len());
        for entity in &incoming.entity {
            if !self.ids.insert(entity.id.clone()) || graph.node_by_id(&entity.id).is_some() {
                return None;
            }
            for (scheme, value) in &entity.ids {
                if !self.identifiers.insert((scheme.clone(), value.clone()))
                    || !graph.nodes_by_identifier(scheme, value).is_empty()
                {
                    return None;
                }
            }
            let mut own: Vec<String> = Vec::new();
            for (k, name) in std::iter::once(&entity.name)
                .chain(&entity.aliases)
                .enumerate()
            {
                let folded = fold_name(name);
                // An alias written twice is kept once; the name again as an alias is kept.
                if own[k.min(1)..].contains(&folded) {
                    return None;
                }
                if own.first() == Some(&folded) {
                    continue;
                }
                if self.names.contains(&folded) || !graph.nodes_by_name(name).is_empty() {
                    return None;
                }
                own.push(folded);
            }
            self.names.extend(own);
        }
        let mut there = Vec::new();
        for (k, tie) in incoming.relationship.iter().enumerate() {
            if graph.edge_count() > 0 && ties_between(graph, tie).next().is_some() {
                return None;
            }
            // One probe a tie: one seen before in this batch is not in `added`, and adding
            // merges it.
            if self.ties.insert(tie_hash(tie)) {
                continue;
            }
            // The same tie in an earlier batch is merged with this one: nothing to do when
            // it cites every source this one does; adding batch by batch cannot do more.
            let same = ties_between(added, tie).find_map(|edge| {
                added
                    .relationship(edge)
                    .ok()
                    .filter(|earlier| same_tie(earlier, tie))
            });
            match same {
                Some(earlier) if tie.sources.iter().all(|s| earlier.sources.contains(s)) => {
                    there.push(k);
                }
                Some(_) => return None,
                None => {}
            }
        }
        Some(there)
    }
}

/// The relationships of `graph` of `tie`'s type between its ends, if both are there.
fn ties_between<'g>(
    graph: &'g Graph,
    tie: &crate::model::Relationship,
) -> impl Iterator<Item = crate::store::EdgeId> + 'g {
    let ends = graph.node_by_id(&tie.from).zip(graph.node_by_id(&tie.to));
    let edge_type = tie.rel_type.edge_type();
    // Called once at most: both ends found.
    ends.into_iter().flat_map(move |(from, to)| {
        let edge_type = edge_type.clone();
        graph
            .edges_of(from, Direction::Outgoing)
            .filter(move |&(edge, other)| other == to && graph.edge_type(edge) == edge_type)
            .map(|(edge, _)| edge)
    })
}

/// A hash of what makes two relationships the same tie (`same_tie`): equal for any two that
/// are; two that are not may share it.
fn tie_hash(tie: &crate::model::Relationship) -> u64 {
    use crate::model::Value;
    use std::hash::{BuildHasher, Hash, Hasher};
    fn value(v: &Value, h: &mut impl Hasher) {
        match v {
            Value::Null => 0u8.hash(h),
            Value::Bool(b) => b.hash(h),
            // An integer is the same as the float it equals; 0.0 and -0.0 are the same.
            Value::Int(n) => (*n as f64 + 0.0).to_bits().hash(h),
            Value::Float(x) => (x + 0.0).to_bits().hash(h),
            Value::String(s) => s.hash(h),
            Value::Date(d) => d.hash(h),
            Value::Temporal(_) | Value::List(_) | Value::Map(_) => 1u8.hash(h),
        }
    }
    let mut h = foldhash::fast::FixedState::default().build_hasher();
    (tie.rel_type.as_str(), &tie.from, &tie.to).hash(&mut h);
    for (key, v) in &tie.properties {
        if !super::merge::DERIVED_TIE_KEYS.contains(&key.as_str()) {
            key.hash(&mut h);
            value(v, &mut h);
        }
    }
    for (key, v) in &tie.extra {
        key.hash(&mut h);
        value(v, &mut h);
    }
    h.finish()
}

/// Adds `imported` (of which `only_adds` holds) to a copy of `graph`: the merged graph and
/// what the merge did, or the rules its records break, placed where the input wrote them.
pub(crate) fn add(graph: &Graph, imported: Imported) -> Result<(MergeReport, Graph), ImportError> {
    let mut graph = graph.clone();
    add_into(&mut graph, imported).map(|report| (report, graph))
}

/// Adds `imported` (admitted by `OnlyAdds`) to `graph`, which must be discarded when the
/// records break a rule.
fn add_into(graph: &mut Graph, imported: Imported) -> Result<MergeReport, ImportError> {
    let Imported {
        dataset, origins, ..
    } = imported;
    let mut report = MergeReport {
        entities_added: dataset.entity.len(),
        ..MergeReport::default()
    };
    let mut added = DataSet {
        allow_unsourced: dataset.allow_unsourced,
        entity: dataset.entity,
        ..DataSet::default()
    };
    let mut seen: HashSet<String> = HashSet::default();
    for source in dataset.source {
        if graph.source(&source.id).is_none() && seen.insert(source.id.clone()) {
            added.source.push(source);
        }
    }
    report.sources_added = added.source.len();
    let Origins {
        entity: entity_origins,
        relationship: mut relationship_origins,
        stand_ins,
        ..
    } = origins;
    let mut kept = Origins {
        entity: entity_origins,
        stand_ins,
        ..Origins::default()
    };
    // The same tie twice in the import is added once, citing the sources of both. Most ends
    // hold one tie of a type: the first is kept in the map, any others beside it.
    let relationships = &dataset.relationship;
    let mut first: HashMap<(&str, &str, &str), usize> =
        HashMap::with_capacity_and_hasher(relationships.len(), Default::default());
    let mut others: HashMap<usize, Vec<usize>> = HashMap::default();
    let mut merged_into: Vec<Option<usize>> = vec![None; relationships.len()];
    for (k, tie) in relationships.iter().enumerate() {
        let key = (tie.rel_type.as_str(), tie.from.as_str(), tie.to.as_str());
        let Some(&head) = first.get(&key) else {
            first.insert(key, k);
            continue;
        };
        let same = std::iter::once(head)
            .chain(others.get(&head).into_iter().flatten().copied())
            .find(|&i| same_tie(&relationships[i], tie));
        match same {
            Some(i) => merged_into[k] = Some(i),
            None => others.entry(head).or_default().push(k),
        }
    }
    drop((first, others));
    let mut at: Vec<usize> = vec![0; dataset.relationship.len()];
    for (k, tie) in dataset.relationship.into_iter().enumerate() {
        match merged_into[k] {
            Some(i) => {
                report.relationships_present += 1;
                let there: &mut crate::model::Relationship = &mut added.relationship[at[i]];
                for s in tie.sources {
                    if !there.sources.contains(&s) {
                        there.sources.push(s);
                    }
                }
            }
            None => {
                at[k] = added.relationship.len();
                added.relationship.push(tie);
                let origin = relationship_origins.get_mut(k).and_then(Option::take);
                kept.relationship.push(origin);
            }
        }
    }
    report.relationships_added = added.relationship.len();
    if added.allow_unsourced {
        graph.set_allow_unsourced(true);
    }
    match datafile::add_records(graph, added, "the merged records") {
        Ok(()) => Ok(report),
        Err(e @ LoadError::Invalid { .. }) => {
            Err(ImportError::RulesAt(super::place_problems(&e, &kept)))
        }
        Err(e) => Err(ImportError::Rules(e)),
    }
}

/// An import added a batch at a time, or all at once by an importer's faster way.
pub struct Batched {
    pub(crate) graph: Graph,
    pub(crate) merge: MergeReport,
    pub(crate) entities: usize,
    pub(crate) relationships: usize,
    pub(crate) sources: usize,
    pub(crate) losses: super::Losses,
    /// Whether the importer's faster way (`ImportFormat::add_in_bulk`) added it.
    pub(crate) in_bulk: bool,
}

/// Input rows in one batch. A batch's records (a kilobyte or so each) are freed before the
/// next batch's are made, so the allocator hands the same memory out again while it is still
/// in cache: measured on 500k relationships, batches of 256 rows took 1.5 s of CPU, of 4,096
/// rows 3.1 s, of 65,536 rows 4.8 s, and the whole input at once 2.5 s and three times the
/// memory.
const BATCH_ROWS: usize = 256;

/// Imports `files` into a copy of `graph` a batch at a time, when `format` reads in batches
/// and every batch only adds: the records of one batch are added and dropped before the next
/// is read, so an import of millions of rows never holds them all. None when some batch does
/// not only add or breaks a rule, and the import must take the whole-input way, which gives
/// the same graph and reports what is wrong.
pub(crate) fn add_in_batches(
    graph: &Graph,
    format: &super::ImportFormat,
    files: &[super::InputFile],
    options: &super::ImportOptions,
) -> Option<Batched> {
    let read_in_batches = format.read_in_batches?;
    if !takes_batches(graph) {
        return None;
    }
    let rows = match options.batch_rows {
        Some(0) => return None,
        Some(rows) => rows,
        None => BATCH_ROWS,
    };
    let mut check = OnlyAdds::default();
    let mut batched = Batched {
        graph: graph.clone(),
        merge: MergeReport::default(),
        entities: 0,
        relationships: 0,
        sources: 0,
        losses: super::Losses::default(),
        in_bulk: false,
    };
    let mut take = |mut imported: Imported| {
        let Some(there) = check.admits(graph, &batched.graph, &imported) else {
            return false;
        };
        batched.entities += imported.dataset.entity.len();
        batched.relationships += imported.dataset.relationship.len();
        batched.losses.absorb(std::mem::take(&mut imported.losses));
        batched.merge.relationships_present += there.len();
        remove_at(&mut imported.dataset.relationship, &there);
        remove_at(&mut imported.origins.relationship, &there);
        match add_into(&mut batched.graph, imported) {
            Ok(report) => {
                batched.merge.absorb(report);
                true
            }
            Err(_) => false,
        }
    };
    if !read_in_batches(files, options, rows, &mut take) {
        return None;
    }
    batched.sources = check.sources.len();
    Some(batched)
}

/// Adds `files` to a copy of `graph` by `format`'s faster way, when it has one and takes
/// them: never when a batch size is asked for (`Some(0)` asks for the whole input as records).
pub(crate) fn add_in_bulk(
    graph: &Graph,
    format: &super::ImportFormat,
    files: &[super::InputFile],
    options: &super::ImportOptions,
) -> Option<Batched> {
    let add = format.add_in_bulk?;
    if !takes_batches(graph) || options.batch_rows.is_some() {
        return None;
    }
    add(graph, files, options)
}

/// Whether a graph may take an import batch by batch: an open graph or one with constraints
/// refuses every batch, so it is read whole at once, before anything is copied.
fn takes_batches(graph: &Graph) -> bool {
    graph.schema() != crate::model::Schema::Open && graph.constraints().is_empty()
}

/// Removes the items of `list` at `positions` (ascending; those past its end are none), the
/// others keeping their order.
fn remove_at<T>(list: &mut Vec<T>, positions: &[usize]) {
    let mut k = 0;
    let mut gone = positions.iter().peekable();
    list.retain(|_| {
        let keep = gone.next_if_eq(&&k).is_none();
        k += 1;
        keep
    });
}
