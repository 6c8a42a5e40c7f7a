//! A `[[constraint]]` table: a uniqueness constraint the file's nodes keep (`name`, `label`,
//! `keys`), as `CREATE CONSTRAINT` makes one. Whether the data holds it, and whether two
//! tables clash, is checked in `assemble`, which sees every file.

use super::{Decoder, Fields, Located};
use crate::store::UniqueConstraint;

/// The fields of a `[[constraint]]` table.
pub(crate) const CONSTRAINT: &[&str] = &["name", "label", "keys"];

impl Decoder<'_> {
    /// A constraint, or nothing when a field is wrong (each problem reported). Without a
    /// `name` it is named as `CREATE CONSTRAINT` names one (`company_ticker`).
    pub(super) fn constraint(&mut self, mut f: Fields<'_>) -> Option<Located<UniqueConstraint>> {
        let what = "constraint";
        let name = self.text(&mut f, "name");
        let empty_name = name.as_ref().is_some_and(|n| n.trim().is_empty());
        if empty_name {
            let span = self.take(&mut f, "name").expect("read above").span.clone();
            self.broken(crate::rules::empty("name"), span);
        }
        let label = self.required_text(&mut f, "label", what);
        let present = f.entries.iter().any(|e| e.key == "keys");
        let keys = self.texts(&mut f, "keys");
        let mut keys_ok = true;
        if !present {
            self.missing(&f, "keys", what);
            keys_ok = false;
        } else if let Some(node) = self.take(&mut f, "keys") {
            let span = node.span.clone();
            if let Some(broken) = crate::rules::constraint_keys(&keys) {
                self.broken(broken, span);
                keys_ok = false;
            }
        }
        let record = match (label, keys_ok, empty_name) {
            (Some(label), true, false) => Some(UniqueConstraint {
                name: name.unwrap_or_else(|| UniqueConstraint::default_name(&label, &keys)),
                label,
                keys,
            }),
            _ => None,
        };
        self.finish(f, CONSTRAINT, "a constraint", record)
    }
}
