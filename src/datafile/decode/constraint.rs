//! A `[[constraint]]` table: a uniqueness constraint the file's nodes keep (`name`, `label`,
//! `keys`), as `CREATE CONSTRAINT` makes one. Whether the data holds it, and whether two
//! tables clash, is checked in `assemble`, which sees every file.

use super::{Decoder, Fields, Located};
use crate::datafile::problem::ProblemKind;
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
            let repeated = keys
                .iter()
                .enumerate()
                .find(|(i, k)| keys[..*i].contains(k));
            let problem = if keys.is_empty() || keys.iter().any(|k| k.trim().is_empty()) {
                Some(
                    "`keys` names the properties that must be unique: at least one, none empty"
                        .to_owned(),
                )
            } else {
                repeated.map(|(_, k)| format!("`keys` names `{k}` twice"))
            };
            if let Some(message) = problem {
                self.report(
                    ProblemKind::WrongType,
                    span,
                    message,
                    Some("write keys = [\"ticker\"], or several for values unique together: keys = [\"lei\", \"isin\"]".to_owned()),
                );
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
