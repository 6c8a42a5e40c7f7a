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
    /// One count a line, indented by group, numbers right-aligned in one column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rows: Vec<(String, usize)> = vec![("entities".to_owned(), self.nodes)];
        rows.extend(self.by_label.iter().map(|(k, v)| (format!("  {k}"), *v)));
        rows.push(("relationships".to_owned(), self.relationships));
        rows.extend(self.by_type.iter().map(|(k, v)| (format!("  {k}"), *v)));
        rows.push(("sources".to_owned(), self.sources));
        rows.push(("relationships citing no source".to_owned(), self.unsourced));
        let label_width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let number_width = rows
            .iter()
            .map(|(_, v)| v.to_string().len())
            .max()
            .unwrap_or(1);
        for (i, (label, count)) in rows.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{label:<label_width$}  {count:>number_width$}")?;
        }
        Ok(())
    }
}
