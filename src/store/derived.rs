//! What the store derives while a statement runs: a relationship's `amount_usd` kept in step
//! with its `amount`, read from the statement's undo log (what it wrote, what was there
//! before).

use super::undo::Undo;
use super::{EdgeId, Graph};
use crate::model::Value;

impl Graph {
    /// Whether `edge` had the property `key` before the running statement changed it.
    fn had_before_statement(&self, edge: EdgeId, key: &str) -> bool {
        let Some(key) = self.symbols.get(key) else {
            return false;
        };
        // The first change the statement made to it holds the value from before.
        self.undo
            .iter()
            .flatten()
            .find_map(|undo| match undo {
                Undo::EdgeProp {
                    edge: e,
                    key: k,
                    old,
                    ..
                } if *e == edge && *k == key => Some(old.is_some()),
                _ => None,
            })
            .unwrap_or_else(|| self.edge_prop(edge, self.symbols.name(key)).is_some())
    }

    /// Whether the running statement gave `edge` the property `key`: created it with one, or
    /// set or removed it.
    pub fn statement_wrote(&self, edge: EdgeId, key: &str) -> bool {
        let Some(key) = self.symbols.get(key) else {
            return false;
        };
        self.undo.iter().flatten().any(|undo| match undo {
            Undo::EdgeAdded { id, props, .. } => {
                *id == edge && props.iter().any(|(k, _)| *k == key)
            }
            Undo::EdgeProp {
                edge: e, key: k, ..
            } => *e == edge && *k == key,
            _ => false,
        })
    }

    /// Brings `amount_usd` in step with `amount` on the relationships the running statement
    /// changed, as loading does: the amount itself in USD, converted at the graph's rate
    /// otherwise, removed when no rate converts it. An `amount_usd` the statement wrote itself
    /// is left for the rules to judge, so that a wrong one is refused rather than replaced.
    pub fn derive_amounts_usd(&mut self) {
        if self.schema != crate::model::Schema::Alliance {
            return;
        }
        for edge in self.changes().edges {
            self.derive_amount_usd(edge);
        }
    }

    /// As `derive_amounts_usd`, for one relationship: a write calls it as it sets a property,
    /// so that the statement's own later clauses read the new `amount_usd`.
    pub fn derive_amount_usd(&mut self, edge: EdgeId) {
        if self.schema != crate::model::Schema::Alliance {
            return;
        }
        let Some(derived) = self.derived_usd(edge) else {
            // The amount a dollar value was derived from is gone: so is the dollar value, or it
            // would read as an amount in US dollars. A tie written in dollars alone keeps it.
            if self.statement_wrote(edge, "amount")
                && self.had_before_statement(edge, "amount")
                && !self.statement_wrote(edge, "amount_usd")
                && self.edge_prop(edge, "amount_usd").is_some()
            {
                self.set_edge_prop(edge, "amount_usd", Value::Null);
            }
            return;
        };
        let current = self.edge_f64(edge, "amount_usd");
        if current == derived || self.statement_wrote(edge, "amount_usd") {
            return;
        }
        let value = derived.map_or(Value::Null, Value::money);
        self.set_edge_prop(edge, "amount_usd", value);
    }
}
