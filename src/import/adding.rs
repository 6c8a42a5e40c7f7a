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
    let incoming = &imported.dataset;
    if graph.schema() == crate::model::Schema::Open
        || !incoming.fx_rate.is_empty()
        || !incoming.constraint.is_empty()
        || !graph.constraints().is_empty()
        || !imported.origins.references.is_empty()
        || incoming.vocabulary != Default::default()
    {
        return false;
    }
    let mut sources: HashMap<&str, &crate::model::Source> = HashMap::default();
    for source in &incoming.source {
        let there = graph
            .source(&source.id)
            .or(sources.get(source.id.as_str()).copied());
        if there.is_some_and(|there| there != source) {
            return false;
        }
        sources.insert(&source.id, source);
    }
    let capacity = incoming.entity.len();
    let mut ids: HashSet<&str> = HashSet::with_capacity_and_hasher(capacity, Default::default());
    let mut identifiers: HashSet<(&str, &str)> = HashSet::default();
    let mut names: HashSet<String> =
        HashSet::with_capacity_and_hasher(capacity, Default::default());
    for entity in &incoming.entity {
        if !ids.insert(&entity.id) || graph.node_by_id(&entity.id).is_some() {
            return false;
        }
        for (scheme, value) in &entity.ids {
            if !identifiers.insert((scheme, value))
                || !graph.nodes_by_identifier(scheme, value).is_empty()
            {
                return false;
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
                return false;
            }
            if own.first() == Some(&folded) {
                continue;
            }
            if names.contains(&folded) || !graph.nodes_by_name(name).is_empty() {
                return false;
            }
            own.push(folded);
        }
        names.extend(own);
    }
    if graph.edge_count() > 0 {
        for tie in &incoming.relationship {
            let (Some(from), Some(to)) = (graph.node_by_id(&tie.from), graph.node_by_id(&tie.to))
            else {
                continue;
            };
            let edge_type = tie.rel_type.edge_type();
            if graph
                .edges_of(from, Direction::Outgoing)
                .any(|(edge, other)| other == to && graph.edge_type(edge) == edge_type)
            {
                return false;
            }
        }
    }
    true
}

/// Adds `imported` (of which `only_adds` holds) to a copy of `graph`: the merged graph and
/// what the merge did, or the rules its records break, placed where the input wrote them.
pub(crate) fn add(graph: &Graph, imported: Imported) -> Result<(MergeReport, Graph), ImportError> {
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
    let mut graph = graph.clone();
    if added.allow_unsourced {
        graph.set_allow_unsourced(true);
    }
    match datafile::add_records(&mut graph, added, "the merged records") {
        Ok(()) => Ok((report, graph)),
        Err(e @ LoadError::Invalid { .. }) => {
            Err(ImportError::RulesAt(super::place_problems(&e, &kept)))
        }
        Err(e) => Err(ImportError::Rules(e)),
    }
}
