//! Records that arrive by import are refused as a data file's are: every case of
//! `tests/cases/invalid/` is read once as a file and once as the typed records an importer
//! would make of it (`datafile::load_records`), and both must report the same kinds of
//! problem. A case a typed record cannot even say (text where a number is, a file that is not
//! TOML) is listed, so that the set of cases compared cannot shrink unnoticed.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use alliances::datafile::{Record, load_files, load_records};
use alliances::model::FxRate;
use alliances::store::{DataSet, UniqueConstraint};
use alliances::{Date, Entity, Kind, RelType, Relationship, Schema, Source, Value};
use serde_json::Value as Json;

/// The cases no typed record can hold: malformed text, a key a typed record has no room for,
/// an identifier that is not text.
const UNSAYABLE: &[&str] = &[
    "01_syntax",
    "02_syntax",
    "24_bad_constraint",
    "ids_bad_identifiers",
];

fn tree(path: &Path) -> Json {
    let text = fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "json") {
        return serde_json::from_str(&text).unwrap_or(Json::Null);
    }
    match text.parse::<toml::Table>() {
        Ok(table) => from_toml(toml::Value::Table(table)),
        Err(_) => Json::Null,
    }
}

fn from_toml(value: toml::Value) -> Json {
    match value {
        toml::Value::String(s) => Json::String(s),
        toml::Value::Integer(i) => Json::from(i),
        toml::Value::Float(x) => serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number),
        toml::Value::Boolean(b) => Json::Bool(b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(items) => Json::Array(items.into_iter().map(from_toml).collect()),
        toml::Value::Table(t) => {
            Json::Object(t.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
        }
    }
}

fn value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => n
            .as_i64()
            .map_or_else(|| Value::Float(n.as_f64().unwrap()), Value::Int),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::List(items.iter().map(value).collect()),
        Json::Object(map) => Value::Map(map.iter().map(|(k, v)| (k.clone(), value(v))).collect()),
    }
}

/// A table's fields as an importer fills a record: a missing text is empty, a field of the
/// wrong type makes the record unsayable (`None`).
struct Table<'a>(&'a serde_json::Map<String, Json>);

impl Table<'_> {
    fn text(&self, key: &str) -> Option<String> {
        match self.0.get(key) {
            None => Some(String::new()),
            Some(Json::String(s)) => Some(s.clone()),
            Some(_) => None,
        }
    }

    fn optional(&self, key: &str) -> Option<Option<String>> {
        match self.0.get(key) {
            None => Some(None),
            Some(Json::String(s)) => Some(Some(s.clone())),
            Some(_) => None,
        }
    }

    fn texts(&self, key: &str) -> Option<Vec<String>> {
        match self.0.get(key) {
            None => Some(Vec::new()),
            Some(Json::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned))
                .collect(),
            Some(_) => None,
        }
    }

    fn map(&self, key: &str) -> Option<BTreeMap<String, Value>> {
        match self.0.get(key) {
            None => Some(BTreeMap::new()),
            Some(Json::Object(map)) => {
                Some(map.iter().map(|(k, v)| (k.clone(), value(v))).collect())
            }
            Some(_) => None,
        }
    }
}

fn tables(root: &Json, key: &str) -> Vec<serde_json::Map<String, Json>> {
    root.get(key)
        .and_then(Json::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_object().cloned())
                .collect()
        })
        .unwrap_or_default()
}

/// The typed records of a case file, or `None` when a typed record cannot say it.
fn records(root: &Json) -> Option<DataSet> {
    root.as_object()?;
    let mut data = DataSet {
        allow_unsourced: root
            .get("allow_unsourced")
            .and_then(Json::as_bool)
            .unwrap_or(false),
        ..DataSet::default()
    };
    for t in tables(root, "source") {
        let t = Table(&t);
        let date = match t.optional("date")? {
            Some(d) => Some(d.parse::<Date>().ok()?),
            None => None,
        };
        data.source.push(Source {
            id: t.text("id")?,
            title: t.text("title")?,
            publisher: t.text("publisher")?,
            date,
            url: t.optional("url")?,
            language: t.optional("language")?,
        });
    }
    for t in tables(root, "fx_rate") {
        let table = Table(&t);
        data.fx_rate.push(FxRate {
            currency: table.text("currency")?,
            date: table.text("date")?.parse().ok()?,
            rate: t.get("rate")?.as_f64()?,
            source: table.text("source")?,
        });
    }
    for t in tables(root, "constraint") {
        // A typed constraint has no room for another key.
        if t.keys()
            .any(|k| !["name", "label", "keys"].contains(&k.as_str()))
        {
            return None;
        }
        let t = Table(&t);
        let label = t.text("label")?;
        let keys = t.texts("keys")?;
        let name = t
            .optional("name")?
            .unwrap_or_else(|| UniqueConstraint::default_name(&label, &keys));
        data.constraint.push(UniqueConstraint { name, label, keys });
    }
    for t in tables(root, "entity") {
        let table = Table(&t);
        let mut entity = Entity::new(
            table.text("id")?,
            table.text("name")?,
            Kind::new(table.text("kind")?),
        );
        entity.aliases = table.texts("aliases")?;
        entity.country = table.optional("country")?;
        entity.sector = table.optional("sector")?;
        entity.note = table.optional("note")?;
        entity.sources = table.texts("sources")?;
        for (scheme, id) in table.map("ids")? {
            entity.ids.insert(scheme, id.as_str()?.to_owned());
        }
        entity.extra = table.map("extra")?;
        data.entity.push(entity);
    }
    for t in tables(root, "relationship") {
        let table = Table(&t);
        let mut rel = Relationship::new(
            RelType::new(table.text("type")?),
            table.text("from")?,
            table.text("to")?,
        );
        rel.sources = table.texts("sources")?;
        rel.extra = table.map("extra")?;
        for (key, v) in &t {
            if !["type", "from", "to", "sources", "extra"].contains(&key.as_str()) {
                rel.properties.insert(key.clone(), value(v));
            }
        }
        data.relationship.push(rel);
    }
    Some(data)
}

fn kinds(error: &alliances::LoadError) -> Vec<&'static str> {
    let mut kinds: Vec<&str> = error.problems().iter().map(|p| p.kind.code()).collect();
    kinds.sort_unstable();
    kinds
}

#[test]
fn every_invalid_case_is_refused_alike_as_a_file_and_as_imported_records() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/invalid");
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml" || e == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() > 20, "the invalid cases are there");
    let mut unsayable = Vec::new();
    for path in &paths {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let from_file = load_files(std::slice::from_ref(path), Schema::Alliance)
            .expect_err("an invalid case must not load");
        let Some(data) = records(&tree(path)) else {
            unsayable.push(stem);
            continue;
        };
        let Err(from_records) = load_records(data, "imported", Schema::Alliance) else {
            panic!("{stem}: invalid records must not load either");
        };
        assert_eq!(
            kinds(&from_records),
            kinds(&from_file),
            "{stem}: as records\n{from_records}\nas a file\n{from_file}"
        );
        for problem in from_records.problems() {
            assert!(
                problem.location.record.is_some(),
                "{stem}: every problem is placed at its record: {problem}"
            );
        }
    }
    assert_eq!(unsayable, UNSAYABLE);
}

#[test]
fn a_free_date_stays_a_date_and_problems_name_their_record() {
    let mut data = DataSet::default();
    data.source.push(Source {
        id: "s1".to_owned(),
        title: "A register".to_owned(),
        publisher: "Registrar".to_owned(),
        date: None,
        url: None,
        language: None,
    });
    let mut a = Entity::new("a".to_owned(), "A".to_owned(), Kind::new("company"));
    let founded = "2001-02-03".parse::<Date>().unwrap();
    a.extra
        .insert("founded_on".to_owned(), Value::Date(founded));
    data.entity.push(a);
    data.entity.push(Entity::new(
        "b".to_owned(),
        "B".to_owned(),
        Kind::new("company"),
    ));
    let mut rel = Relationship::new(RelType::new("invests-in"), "a", "b");
    rel.sources.push("s1".to_owned());
    rel.properties
        .insert("stake_pct".to_owned(), Value::Float(120.0));
    data.relationship.push(rel.clone());
    let error = load_records(data.clone(), "imported", Schema::Alliance).unwrap_err();
    let [problem] = error.problems() else {
        panic!("one problem: {error}");
    };
    assert_eq!(problem.kind.code(), "stake-out-of-range");
    assert_eq!(problem.location.record, Some(Record::Relationship(0)));
    assert_eq!(problem.location.field.as_deref(), Some("stake_pct"));

    data.relationship[0]
        .properties
        .insert("stake_pct".to_owned(), Value::Float(12.0));
    let (graph, _) = load_records(data, "imported", Schema::Alliance).unwrap();
    let node = graph.nodes_with_id("a")[0];
    assert_eq!(
        graph.node_prop(node, "founded_on"),
        Some(Value::Date(founded))
    );
}
