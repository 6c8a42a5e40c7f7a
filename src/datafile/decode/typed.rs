//! Records that arrive typed (what an importer made, and the graph an import merges into)
//! rather than as a file's text: each checked by the same per-record rules a data file's
//! tables are (`rules::records`), every problem placed at its record (`Location::of_record`),
//! then assembled as a file's records are. A record's type already says what a file's tree
//! must be checked for (text where text belongs, a list of text), so those checks have no
//! counterpart here; free properties keep their types (a date stays a date).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Decoded, Located};
use crate::datafile::problem::{Location, Problem, Record};
use crate::model::{Entity, RelType, Relationship, Source, Value, Vocabulary};
use crate::rules::{self, Broken};
use crate::store::DataSet;

/// The records of `dataset`, checked, reported under `name`. Moves every record: nothing is
/// copied.
pub(crate) fn decode_records(
    dataset: DataSet,
    name: &Arc<str>,
    vocabulary: &Vocabulary,
    problems: &mut Vec<Problem>,
) -> Decoded {
    let mut typed = Typed {
        vocabulary,
        problems,
        decoded: Decoded {
            allow_unsourced: dataset.allow_unsourced,
            ..Decoded::default()
        },
    };
    typed.decoded.sources.reserve(dataset.source.len());
    for (i, source) in dataset.source.into_iter().enumerate() {
        typed.source(source, Location::of_record(name, Record::Source(i)));
    }
    for (i, rate) in dataset.fx_rate.into_iter().enumerate() {
        typed.fx_rate(rate, Location::of_record(name, Record::FxRate(i)));
    }
    for (i, constraint) in dataset.constraint.into_iter().enumerate() {
        let at = Location::of_record(name, Record::Constraint(i));
        match rules::constraint_keys(&constraint.keys) {
            Some(broken) => typed.broken(broken, &at, "keys"),
            None if constraint.name.trim().is_empty() => {
                typed.broken(rules::empty("name"), &at, "name");
            }
            None => {
                if let Some(broken) = rules::required_text("label", &constraint.label) {
                    typed.broken(broken, &at, "label");
                } else {
                    typed.decoded.constraints.push(located(constraint, at));
                }
            }
        }
    }
    typed.decoded.entities.reserve(dataset.entity.len());
    for (i, entity) in dataset.entity.into_iter().enumerate() {
        typed.entity(entity, Location::of_record(name, Record::Entity(i)));
    }
    typed
        .decoded
        .relationships
        .reserve(dataset.relationship.len());
    for (i, rel) in dataset.relationship.into_iter().enumerate() {
        typed.relationship(rel, Location::of_record(name, Record::Relationship(i)));
    }
    typed.decoded
}

fn located<T>(record: T, at: Location) -> Located<T> {
    Located {
        record,
        at,
        fields: std::collections::HashMap::new(),
    }
}

struct Typed<'a> {
    vocabulary: &'a Vocabulary,
    problems: &'a mut Vec<Problem>,
    decoded: Decoded,
}

impl Typed<'_> {
    fn broken(&mut self, broken: Broken, at: &Location, field: &str) {
        self.problems
            .push(Problem::new(broken.kind, at.at_field(field), broken.message).help(broken.help));
    }

    /// A text the record must have: `false` when it is blank (reported).
    fn required(&mut self, key: &str, text: &str, at: &Location) -> bool {
        match rules::required_text(key, text) {
            Some(broken) => {
                self.broken(broken, at, key);
                false
            }
            None => true,
        }
    }

    /// The record's id: present and a slug.
    fn id(&mut self, id: &str, at: &Location) -> bool {
        if !self.required("id", id, at) {
            return false;
        }
        match rules::slug(id) {
            Some(broken) => {
                self.broken(broken, at, "id");
                false
            }
            None => true,
        }
    }

    fn source(&mut self, source: Source, at: Location) {
        let id = self.id(&source.id, &at);
        let title = self.required("title", &source.title, &at);
        let publisher = self.required("publisher", &source.publisher, &at);
        match (id, title && publisher) {
            (true, true) => self.decoded.sources.push(located(source, at)),
            (true, false) => self.decoded.incomplete_ids.push(source.id),
            _ => {}
        }
    }

    fn fx_rate(&mut self, rate: crate::model::FxRate, at: Location) {
        let mut fine = true;
        if let Some(broken) = rules::fx_rate_currency(&rate.currency) {
            self.broken(broken, &at, "currency");
            fine = false;
        }
        if let Some(broken) = rules::fx_rate_value(rate.rate) {
            self.broken(broken, &at, "rate");
            fine = false;
        }
        fine &= self.required("source", &rate.source, &at);
        if fine {
            self.decoded.fx_rates.push(located(rate, at));
        }
    }

    fn entity(&mut self, mut entity: Entity, at: Location) {
        let vocabulary = self.vocabulary;
        let id = self.id(&entity.id, &at);
        let name = self.required("name", &entity.name, &at);
        let kind = match rules::kind(vocabulary, entity.kind.as_str()) {
            Ok(kind) => Some(kind),
            Err(broken) => {
                self.broken(broken, &at, "kind");
                None
            }
        };
        let ids = std::mem::take(&mut entity.ids);
        for (scheme, value) in ids {
            let check = rules::identifier_entry(vocabulary, &scheme, &value);
            let field = format!("ids.{scheme}");
            if let Some(warning) = check.warning {
                let problem = Problem::new(warning.kind, at.at_field(&field), warning.message)
                    .help(warning.help);
                self.decoded.warnings.push(problem);
            }
            match check.broken {
                Some((_, broken)) => self.broken(broken, &at, &field),
                None => {
                    entity.ids.insert(scheme, value);
                }
            }
        }
        self.free(&mut entity.extra, &at, |key| {
            rules::entity_free_property(vocabulary, key)
        });
        match (id, name, kind) {
            (true, true, Some(kind)) => {
                entity.kind = kind;
                self.decoded.entities.push(located(entity, at));
            }
            (true, _, _) => self.decoded.incomplete_ids.push(entity.id),
            _ => {}
        }
    }

    /// Free properties: any value, under a key that is not the model's.
    fn free(
        &mut self,
        extra: &mut BTreeMap<String, Value>,
        at: &Location,
        model: impl Fn(&str) -> Option<Broken>,
    ) {
        if extra.keys().all(|key| model(key).is_none()) {
            return;
        }
        let keys: Vec<String> = extra.keys().cloned().collect();
        for key in keys {
            if let Some(broken) = model(&key) {
                extra.remove(&key);
                self.broken(broken, at, &format!("extra.{key}"));
            }
        }
    }

    fn relationship(&mut self, mut rel: Relationship, at: Location) {
        let vocabulary = self.vocabulary;
        let def = match rules::rel_type(vocabulary, rel.rel_type.as_str()) {
            Ok(def) => Some(def),
            Err(broken) => {
                self.broken(broken, &at, "type");
                None
            }
        };
        let from = self.required("from", &rel.from, &at);
        let to = self.required("to", &rel.to, &at);
        let written = std::mem::take(&mut rel.properties);
        for (key, value) in written {
            let Some(prop) = vocabulary.property(&key) else {
                let known = rules::relationship_keys(vocabulary, def);
                let broken = rules::unknown_key(&key, &known, "in a relationship");
                self.broken(broken, &at, &key);
                continue;
            };
            match rules::tie_property(vocabulary, def, prop, value) {
                Ok(Some(value)) => {
                    rel.properties.insert(prop.name.clone(), value);
                }
                Ok(None) => {}
                Err((_, broken)) => self.broken(broken, &at, &key),
            }
        }
        let properties = &rel.properties;
        for (key, broken) in rules::tie_properties(&|key| properties.get(key).cloned()) {
            self.broken(broken, &at, key);
        }
        if rel.sources.is_empty() && !self.decoded.allow_unsourced {
            self.broken(rules::unsourced(), &at, "sources");
        }
        self.free(&mut rel.extra, &at, |key| {
            rules::relationship_free_property(vocabulary, key)
        });
        if let (Some(def), true, true) = (def, from, to) {
            rel.rel_type = RelType::new(def.name.as_str());
            self.decoded.relationships.push(located(rel, at));
        }
    }
}
