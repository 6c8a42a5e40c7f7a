//! Counts that describe a graph at a glance.

use std::collections::BTreeMap;
use std::fmt;

use super::Graph;

/// Entities by label, relationships by type, and sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    pub nodes: usize,
    pub relationships: usize,
    pub by_label: BTreeMap<String, usize>,
    pub by_type: BTreeMap<String, usize>,
    pub sources: usize,
    /// Relationships with no `sources` property: bulk imports may lack them.
    pub unsourced: usize,
}

impl Graph {
    pub fn stats(&self) -> Stats {
        let unsourced = self
            .edges()
            .filter(|e| self.edge_prop(*e, "sources").is_none())
            .count();
        Stats {
            nodes: self.node_count(),
            relationships: self.edge_count(),
            by_label: self
                .label_counts()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            by_type: self
                .type_counts()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            sources: self.source_count(),
            unsourced,
        }
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .by_label
            .keys()
            .chain(self.by_type.keys())
            .map(String::len)
            .max()
            .unwrap_or(0)
            .max(12);
        writeln!(f, "entities       {:>10}", self.nodes)?;
        for (label, count) in &self.by_label {
            writeln!(f, "  {label:<width$} {count:>10}")?;
        }
        writeln!(f, "relationships  {:>10}", self.relationships)?;
        for (rel_type, count) in &self.by_type {
            writeln!(f, "  {rel_type:<width$} {count:>10}")?;
        }
        writeln!(f, "sources        {:>10}", self.sources)?;
        write!(f, "unsourced relationships {:>1}", self.unsourced)
    }
}
