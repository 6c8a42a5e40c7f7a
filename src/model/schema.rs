//! Which rules a graph's data must keep.
//!
//! The store itself is a general labelled property multigraph, as in Cypher. A schema is the
//! set of rules checked on top of it: the alliance schema (kinds as labels, three relationship
//! types, unique ids and names, sourced facts) or the open schema, which allows anything, as
//! plain Cypher does and as the openCypher conformance tests expect.

use std::fmt;

/// The rules data files and writes are checked against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Schema {
    /// The alliance model: `Company`/`Fund`/`Government`/`Consortium` nodes with a unique `id`
    /// slug and unique names, `INVESTS_IN`/`MEMBER_OF`/`SUPPLIES` relationships.
    #[default]
    Alliance,
    /// Any label, relationship type and property, as in plain Cypher.
    Open,
}

impl Schema {
    pub fn parse(text: &str) -> Option<Schema> {
        match text {
            "alliance" => Some(Schema::Alliance),
            "open" => Some(Schema::Open),
            _ => None,
        }
    }
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Schema::Alliance => "alliance",
            Schema::Open => "open",
        })
    }
}
