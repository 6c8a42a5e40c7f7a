//! The `csv` importer's way for a large file: one file whose mapping the bulk reader
//! (`datafile::append_mapped`) can read, read on every core with its header renamed to the
//! fields the mapping names, then checked by the element rules. Any file it cannot take, and
//! any file with a problem, goes the importer's usual way, which gives the same graph and
//! report and places each problem at its row and column.
//!
//! **Invariant:** what this way accepts, it adds exactly as the usual way would: the same
//! entities, relationships, sources and report (the tests compare the two on random files).
//! Anything it is not sure of (a fixed value, an identifier, a source column, a tie the graph
//! holds, a row the merge would settle) it declines.

use super::{ENTITY_FIELDS, Mapping, file_source, free_key, mapping, reserved_key, sniff};
use crate::datafile;
use crate::import::adding::Batched;
use crate::import::{ImportOptions, InputFile, Losses, MergeReport};
use crate::model::{Schema, Vocabulary};
use crate::rules;
use crate::store::{EdgeId, Graph, NodeId};

/// The entity fields this way reads: those a bulk nodes file has.
const ENTITY_COLUMNS: &[&str] = &["id", "name", "kind", "country", "sector"];

/// `files` added to a copy of `graph` on every core, or None when this way cannot take them
/// or they have a problem.
pub(crate) fn add(graph: &Graph, files: &[InputFile], options: &ImportOptions) -> Option<Batched> {
    let [file] = files else {
        return None;
    };
    if graph.schema() != Schema::Alliance
        || !graph.constraints().is_empty()
        || *graph.vocabulary() != *Vocabulary::built_in()
    {
        return None;
    }
    let mapping = mapping(options).ok()?;
    let text = file.text().ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if mapping.delimiter.unwrap_or_else(|| sniff(text)) != b',' {
        return None;
    }
    let plan = Plan::of(&mapping, text)?;
    let source = file_source(&file.path);
    let sources_added = match graph.source(&source.id) {
        Some(there) if *there != source => return None,
        Some(_) => 0,
        None => 1,
    };
    let mut base = graph.clone();
    base.add_source(source.clone());
    let cites = plan.ties.then(|| source.id.clone());
    let appended = datafile::append_mapped(
        base,
        &file.path.display().to_string(),
        file.bytes.as_slice(),
        plan.header,
        plan.ties,
        cites,
    )
    .ok()?;
    let added = appended.graph;
    let (nodes, edges) = new_elements(graph, &added);
    // A file of no rows cites no source; the importer's usual way reads it at once.
    if nodes.is_empty() && edges.is_empty() {
        return None;
    }
    if rules::check_elements(&added, &nodes, &edges).is_err() {
        return None;
    }
    let relationships = edges.len() + appended.same_ties;
    Some(Batched {
        merge: MergeReport {
            entities_added: nodes.len(),
            relationships_added: edges.len(),
            relationships_present: appended.same_ties,
            sources_added,
            ..MergeReport::default()
        },
        entities: nodes.len(),
        relationships,
        sources: 1,
        losses: Losses::default(),
        in_bulk: true,
        graph: added,
    })
}

/// How the bulk reader is to read a file: the header it is given and whether it holds ties.
struct Plan {
    header: Vec<String>,
    ties: bool,
}

impl Plan {
    /// The plan for a file with this mapping, or None when the bulk reader cannot read it as
    /// the importer would.
    fn of(mapping: &Mapping, text: &str) -> Option<Plan> {
        if !mapping.fixed.is_empty() || !mapping.ids.is_empty() {
            return None;
        }
        let vocabulary = Vocabulary::built_in();
        let fields: Vec<&str> = mapping.columns.keys().map(String::as_str).collect();
        let ties = fields.contains(&"from") && fields.contains(&"to");
        let allowed = |field: &str| {
            if ties {
                matches!(field, "from" | "to" | "type") || vocabulary.property(field).is_some()
            } else {
                ENTITY_COLUMNS.contains(&field)
            }
        };
        let required: &[&str] = if ties {
            &["from", "to", "type"]
        } else {
            &["id", "name", "kind"]
        };
        if !required.iter().all(|f| fields.contains(f)) || !fields.iter().all(|f| allowed(f)) {
            return None;
        }
        let mut reader = ::csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .ok()?
            .iter()
            .map(|c| c.trim().to_owned())
            .collect();
        let mut field_of: Vec<Option<&str>> = vec![None; header.len()];
        for (field, column) in &mapping.columns {
            let at = header.iter().position(|h| h == column.trim())?;
            if field_of[at].replace(field.as_str()).is_some() {
                return None;
            }
        }
        let reserved = |key: &str| reserved_key(key, mapping);
        let renamed: Vec<String> = header
            .iter()
            .zip(&field_of)
            .map(|(h, field)| field.map_or_else(|| free_key(h, &reserved), str::to_owned))
            .collect();
        let mut sorted: Vec<&String> = renamed.iter().collect();
        sorted.sort();
        // Two columns of one name, or a free column the reader would take for a field.
        let distinct = sorted.windows(2).all(|w| w[0] != w[1]);
        let free_is_free = renamed.iter().zip(&field_of).all(|(name, field)| {
            field.is_some() || !(ENTITY_FIELDS.contains(&name.as_str()) || reserved(name))
        });
        (distinct && free_is_free).then_some(Plan {
            header: renamed,
            ties,
        })
    }
}

/// The nodes and relationships of `added` that `graph` lacks, each list sorted.
fn new_elements(graph: &Graph, added: &Graph) -> (Vec<NodeId>, Vec<EdgeId>) {
    let nodes = added.nodes().filter(|&n| !graph.contains_node(n)).collect();
    let edges = added.edges().filter(|&e| !graph.contains_edge(e)).collect();
    (nodes, edges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(pairs: &[(&str, &str)], text: &str) -> Option<Vec<String>> {
        let mut mapping = Mapping::default();
        for (field, column) in pairs {
            mapping
                .columns
                .insert((*field).to_owned(), (*column).to_owned());
        }
        Plan::of(&mapping, text).map(|plan| plan.header)
    }

    #[test]
    fn mapped_columns_take_their_fields_names_and_the_others_free_keys() {
        let header = plan(
            &[("id", "LEI"), ("name", "Legal name"), ("kind", "Type")],
            "LEI, Legal name ,Type,Legal form,country x\n",
        );
        assert_eq!(
            header.unwrap(),
            ["id", "name", "kind", "legal_form", "country_x"]
        );
        // A free column named as a field is kept under another key, as the importer keeps it.
        let header = plan(
            &[("from", "a"), ("to", "b"), ("type", "t")],
            "a,b,t,amount_usd\n",
        );
        assert_eq!(header.unwrap(), ["from", "to", "type", "csv_amount_usd"]);
    }

    #[test]
    fn what_the_bulk_reader_cannot_read_as_the_importer_would_is_declined() {
        let entity = [("id", "id"), ("name", "name"), ("kind", "kind")];
        assert!(plan(&entity, "id,name,kind\n").is_some());
        // No id column: the importer makes ids from names.
        assert!(plan(&entity[1..], "name,kind\n").is_none());
        // One column for two fields.
        assert!(plan(&[("id", "n"), ("name", "n"), ("kind", "k")], "n,k\n").is_none());
        // A column the header lacks: the importer reports it.
        assert!(plan(&entity, "id,name\n").is_none());
        // Two columns of one name.
        assert!(plan(&entity, "id,name,kind,x,x\n").is_none());
        // A note column is not a bulk nodes file's.
        let noted = [
            ("id", "id"),
            ("name", "name"),
            ("kind", "kind"),
            ("note", "n"),
        ];
        assert!(plan(&noted, "id,name,kind,n\n").is_none());
    }
}
