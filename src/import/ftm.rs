//! FollowTheMoney entities, one JSON object a line (`{"id", "schema", "properties": {name:
//! [values]}, "datasets"}`), as Aleph, OpenSanctions and `ftm` export them.
//!
//! Things (Company, Organization, PublicBody, LegalEntity, Person) become entities; links
//! (Ownership, Directorship, Membership, Employment, Payment, Representation) become the
//! relationship type the model has for them. Every property is multi-valued in FtM: the first
//! value goes where the model holds one; names beyond the first become aliases; other extra
//! values, schemata and links with no home are counted as losses. Properties the model has no
//! field for are kept as free properties. This file reads inputs only; it never touches a graph.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde_json::{Map, Value as Json};

use super::origin::{Side, Target};
use super::{Builder, ImportFormat, ImportOptions, InputFile, Origin, Place, RecordProblem};
use crate::model::{
    Date, Entity, Kind, RelType, Relationship, Source, Value, Vocabulary, fold_name, slugify,
};

pub(super) static FORMAT: ImportFormat = ImportFormat {
    name: "ftm",
    describes: "a FollowTheMoney entities file (JSON lines)",
    extensions: &["json", "jsonl", "ndjson", "ftm", "ijson"],
    recognise,
    read,
    read_in_batches: None,
    add_in_bulk: None,
};

fn recognise(file: &InputFile) -> Option<String> {
    let text = std::str::from_utf8(&file.bytes).ok()?;
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .find(|l| !l.trim().is_empty())?;
    let record: Json = serde_json::from_str(first).ok()?;
    (record.get("schema").is_some_and(Json::is_string)
        && record.get("properties").is_some_and(Json::is_object))
    .then(|| "a FollowTheMoney entities file".to_owned())
}

/// The kind each FtM thing schema becomes.
fn kind_of_schema(schema: &str) -> Option<&'static str> {
    Some(match schema {
        "Company" | "LegalEntity" => "company",
        "Organization" => "organization",
        "PublicBody" => "government",
        "Person" => "person",
        _ => return None,
    })
}

/// A link schema: its two ends (the tie runs from the first to the second).
fn link_ends(schema: &str) -> Option<(&'static str, &'static str)> {
    Some(match schema {
        "Ownership" => ("owner", "asset"),
        "Directorship" => ("director", "organization"),
        "Membership" => ("member", "organization"),
        "Employment" => ("employee", "employer"),
        "Payment" => ("payer", "beneficiary"),
        "Representation" => ("agent", "client"),
        "UnknownLink" => ("subject", "object"),
        "Family" => ("person", "relative"),
        "Associate" => ("person", "associate"),
        _ => return None,
    })
}

/// Keys a relationship's free property may not take: the vocabulary's properties and the
/// record's own fields. An FtM property of such a name is kept as `ftm_NAME`.
const RESERVED: &[&str] = &[
    "amount",
    "currency",
    "amount_usd",
    "amount_qualifier",
    "amount_min",
    "amount_max",
    "stake_pct",
    "stake_min",
    "stake_max",
    "holding",
    "shares",
    "instrument",
    "product",
    "role",
    "interest",
    "agreement",
    "date",
    "end_date",
    "status",
    "note",
    "sources",
    "type",
    "from",
    "to",
    "extra",
    "id",
    "name",
    "kind",
    "aliases",
    "country",
    "sector",
    "ids",
];

/// Identifier properties: (FtM property, scheme).
const ID_PROPERTIES: &[(&str, &str)] = &[
    ("leiCode", "lei"),
    ("wikidataId", "wikidata"),
    ("isinCode", "isin"),
    ("swiftBic", "bic"),
    ("innCode", "inn"),
    ("ogrnCode", "ogrn"),
    ("dunsCode", "duns"),
    ("permId", "permid"),
    ("cikCode", "cik"),
    ("bvdId", "bvd"),
    ("icijId", "icij"),
    ("uniqueEntityId", "uei"),
    ("npiCode", "npi"),
    ("okpoCode", "okpo"),
];

/// Schemes whose format the model checks, so that a bad value is placed on its line.
const CHECKED: &[&str] = &["lei", "wikidata", "isin"];

/// `sharesCount` → `shares_count`.
fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    out
}

fn free_key(name: &str) -> String {
    let key = snake(name);
    if RESERVED.contains(&key.as_str()) {
        format!("ftm_{key}")
    } else {
        key
    }
}

/// An FtM date (`2015`, `2015-03`, `2015-03-01`, `2015-03-01T10:00:00`) as a model date.
fn ftm_date(text: &str) -> Option<Date> {
    let day = text.split('T').next().unwrap_or(text);
    day.get(..10.min(day.len()))?.parse().ok()
}

/// One record read from a line, with its properties still to be taken.
struct Record {
    file: std::path::PathBuf,
    line: usize,
    id: String,
    schema: String,
    properties: BTreeMap<String, Vec<String>>,
    source: String,
    /// Top-level keys kept as free properties (`first_seen`…).
    extra: BTreeMap<String, Value>,
}

impl Record {
    fn take(&mut self, property: &str) -> Vec<String> {
        self.properties.remove(property).unwrap_or_default()
    }

    /// The first value; others are counted as losses.
    fn first(&mut self, property: &str, builder: &mut Builder, at: &str) -> Option<String> {
        let mut values = self.take(property).into_iter();
        let first = values.next();
        for more in values {
            builder.lose(
                format!("FtM property `{property}` beyond its first value"),
                || format!("{at}: {more}"),
            );
        }
        first
    }

    fn pointer_to(&self, pointer: &str) -> Place {
        Place::LinePointer {
            line: self.line,
            pointer: pointer.to_owned(),
        }
    }

    fn pointer(&self, property: &str) -> Place {
        Place::LinePointer {
            line: self.line,
            pointer: format!("/properties/{property}/0"),
        }
    }

    /// What is left, as free properties (first values; more counted).
    fn rest_into(&mut self, extra: &mut BTreeMap<String, Value>, builder: &mut Builder, at: &str) {
        let properties = std::mem::take(&mut self.properties);
        for (property, values) in properties {
            let mut values = values.into_iter();
            if let Some(first) = values.next() {
                extra
                    .entry(free_key(&property))
                    .or_insert(Value::String(first));
            }
            for more in values {
                builder.lose(
                    format!("FtM property `{property}` beyond its first value"),
                    || format!("{at}: {more}"),
                );
            }
        }
    }
}

struct Problems<'a> {
    file: &'a Path,
    list: Vec<RecordProblem>,
}

impl Problems<'_> {
    fn push(&mut self, place: Place, message: impl Into<String>, help: Option<&str>) {
        let mut problem = RecordProblem::new(self.file, place, message);
        problem.help = help.map(str::to_owned);
        self.list.push(problem);
    }
}

fn read(
    files: &[InputFile],
    _options: &ImportOptions,
    builder: &mut Builder,
) -> Result<(), Vec<RecordProblem>> {
    let mut problems = Vec::new();
    let mut records = Vec::new();
    let mut sources = Sources::default();
    for file in files {
        let text = match file.text() {
            Ok(text) => text.trim_start_matches('\u{feff}'),
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let mut found = Problems {
            file: &file.path,
            list: Vec::new(),
        };
        if recognise(file).is_none() && !text.trim().is_empty() {
            found.push(Place::File, "this is not a FollowTheMoney entities file: its first line is not a JSON object with `schema` and `properties`", Some("import the JSON lines `ftm export` or OpenSanctions' entities.ftm.json give"));
            problems.append(&mut found.list);
            continue;
        }
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            if let Some(record) =
                parse_line(line, index + 1, file, &mut found, &mut sources, builder)
            {
                records.push(record);
            }
        }
        if records.is_empty() && found.list.is_empty() {
            found.push(Place::File, "the file holds no FollowTheMoney entity", Some("write one JSON object a line: {\"id\": …, \"schema\": \"Company\", \"properties\": {\"name\": [\"…\"]}}"));
        }
        problems.append(&mut found.list);
    }
    for source in sources.list {
        builder.source(source);
    }
    emit(records, &mut problems, builder);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The sources records cite: one per dataset, per source address, or per file.
#[derive(Default)]
struct Sources {
    list: Vec<Source>,
    by_key: HashMap<String, String>,
    ids: HashSet<String>,
}

impl Sources {
    fn get(&mut self, key: String, base: &str, make: impl FnOnce(String) -> Source) -> String {
        if let Some(id) = self.by_key.get(&key) {
            return id.clone();
        }
        let mut base = slugify(base);
        if base.is_empty() {
            base = "ftm-source".to_owned();
        }
        let mut id = base.clone();
        let mut n = 2;
        while !self.ids.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        let source = make(id.clone());
        self.list.push(source);
        self.by_key.insert(key, id.clone());
        id
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn parse_line(
    line: &str,
    number: usize,
    file: &InputFile,
    problems: &mut Problems,
    sources: &mut Sources,
    builder: &mut Builder,
) -> Option<Record> {
    let at = |pointer: &str| Place::LinePointer {
        line: number,
        pointer: pointer.to_owned(),
    };
    let value: Json = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(e) => {
            problems.push(
                Place::LineColumn {
                    line: number,
                    column: e.column(),
                },
                format!("the line is not JSON: {e}"),
                Some("each line of a FollowTheMoney file is one JSON object"),
            );
            return None;
        }
    };
    let Json::Object(mut object) = value else {
        problems.push(
            at(""),
            "the line is not a JSON object",
            Some("each line of a FollowTheMoney file is one JSON object"),
        );
        return None;
    };
    let id = match object.remove("id") {
        Some(Json::String(id)) if !id.trim().is_empty() => id,
        _ => {
            problems.push(
                at("/id"),
                "the entity has no `id`",
                Some("every FollowTheMoney entity has a text `id`"),
            );
            return None;
        }
    };
    let schema = match object.remove("schema") {
        Some(Json::String(schema)) => schema,
        _ => {
            problems.push(
                at("/schema"),
                "the entity has no `schema`",
                Some("name its FollowTheMoney schema: \"schema\": \"Company\""),
            );
            return None;
        }
    };
    let properties = match object.remove("properties") {
        None => Map::new(),
        Some(Json::Object(properties)) => properties,
        Some(_) => {
            problems.push(
                at("/properties"),
                "`properties` is not an object",
                Some("properties are {\"name\": [\"value\", …]}"),
            );
            return None;
        }
    };
    let mut values = BTreeMap::new();
    let before = problems.list.len();
    for (name, value) in properties {
        let list = match value {
            Json::Array(items) => items,
            other => vec![other],
        };
        let mut texts = Vec::new();
        for (i, item) in list.into_iter().enumerate() {
            match item {
                Json::String(s) if s.trim().is_empty() => {}
                Json::String(s) => texts.push(s.trim().to_owned()),
                Json::Number(n) => texts.push(n.to_string()),
                // A nested entity, as some exports write a link's ends.
                Json::Object(nested) => match nested.get("id").and_then(Json::as_str) {
                    Some(id) => texts.push(id.to_owned()),
                    None => problems.push(
                        at(&format!("/properties/{name}/{i}")),
                        "a nested entity without an `id`",
                        None,
                    ),
                },
                Json::Null => {}
                other => problems.push(
                    at(&format!("/properties/{name}/{i}")),
                    format!("a property value is {}, not text", json_type(&other)),
                    Some("FollowTheMoney property values are lists of text"),
                ),
            }
        }
        if !texts.is_empty() {
            values.insert(name, texts);
        }
    }
    if problems.list.len() > before {
        return None;
    }
    let datasets: Vec<String> = match object.remove("datasets") {
        Some(Json::Array(items)) => items
            .into_iter()
            .filter_map(|d| d.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    let where_ = format!("{}:{number}", file.path.display());
    let mut extra = BTreeMap::new();
    for (key, value) in object {
        match (key.as_str(), value) {
            (_, Json::Null) | ("caption", _) => {}
            ("first_seen" | "last_seen" | "last_change", Json::String(s)) => {
                extra.insert(key, Value::String(s));
            }
            ("target", Json::Bool(b)) => {
                extra.insert("ftm_target".to_owned(), Value::Bool(b));
            }
            (_, other) => builder.lose(format!("FtM record key `{key}`"), || {
                format!("{where_}: {other}")
            }),
        }
    }
    let source_url = values.get("sourceUrl").and_then(|v| v.first()).cloned();
    let publisher = values.get("publisher").and_then(|v| v.first()).cloned();
    let name = file_name(&file.path);
    let source = if let Some(dataset) = datasets.first() {
        for more in &datasets[1..] {
            builder.lose("FtM dataset beyond an entity's first", || {
                format!("{where_}: {more}")
            });
        }
        let publisher = publisher.clone();
        sources.get(
            format!("dataset {dataset}"),
            &format!("ftm-{dataset}"),
            |id| Source {
                id,
                title: format!("FollowTheMoney dataset {dataset} ({name})"),
                publisher: publisher.unwrap_or_else(|| format!("FollowTheMoney dataset {dataset}")),
                date: None,
                url: None,
                language: None,
            },
        )
    } else if let Some(url) = source_url {
        let publisher = publisher.clone();
        sources.get(format!("url {url}"), &url.clone(), |id| Source {
            id,
            title: format!("{} (cited by {name})", url),
            publisher: publisher.unwrap_or_else(|| "FollowTheMoney".to_owned()),
            date: None,
            url: Some(url.clone()),
            language: None,
        })
    } else {
        let stem = file
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        sources.get(format!("file {}", file.path.display()), &stem, |id| {
            Source {
                id,
                title: format!("Imported from {name}"),
                publisher: "FollowTheMoney".to_owned(),
                date: None,
                url: None,
                language: None,
            }
        })
    };
    // The dataset's source names the address; a per-entity one is its own source's.
    if !datasets.is_empty() {
        values
            .remove("sourceUrl")
            .into_iter()
            .flatten()
            .for_each(|url| {
                extra
                    .entry("source_url".to_owned())
                    .or_insert(Value::String(url));
            });
    } else {
        values.remove("sourceUrl");
    }
    values.remove("publisher");
    Some(Record {
        file: file.path.clone(),
        line: number,
        id,
        schema,
        properties: values,
        source,
        extra,
    })
}

fn json_type(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "text",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// The country codes FtM writes in lower case (`gb`, `us`) as the model's (`GB`, `US`).
fn country_code(code: &str) -> String {
    if code.len() == 2 {
        code.to_ascii_uppercase()
    } else {
        code.to_owned()
    }
}

/// The model's holds-position role for an FtM role, and whether it was read as written.
fn position_role(role: Option<&str>, default: &'static str) -> &'static str {
    let Some(role) = role else {
        return default;
    };
    let role = role.to_lowercase();
    let has = |word: &str| role.contains(word);
    if has("chief executive") || role == "ceo" {
        "chief-executive"
    } else if has("chief financial") || role == "cfo" {
        "chief-financial-officer"
    } else if has("chief technology") || role == "cto" {
        "chief-technology-officer"
    } else if has("chief operating") || role == "coo" {
        "chief-operating-officer"
    } else if has("vice") && has("chair") {
        "vice-chair"
    } else if has("chair") {
        "chair"
    } else if has("president") {
        "president"
    } else if has("co-founder") || has("cofounder") {
        "co-founder"
    } else if has("founder") {
        "founder"
    } else if has("board") {
        "board-member"
    } else if has("director") {
        "director"
    } else if has("minister") {
        "minister"
    } else if has("advis") {
        "adviser"
    } else if has("employee") || has("staff") {
        "employee"
    } else {
        default
    }
}

/// A percentage as FtM writes it: `25`, `25.5%`, `25-50`, `25 - 50%`.
fn percentage(text: &str) -> Option<(f64, Option<f64>)> {
    let text = text.trim().trim_end_matches('%').trim();
    let number = |s: &str| {
        s.trim()
            .trim_end_matches('%')
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|p| (0.0..=100.0).contains(p))
    };
    if let Some((low, high)) = text.split_once('-') {
        let (low, high) = (number(low)?, number(high)?);
        return (low <= high).then_some((low, Some(high)));
    }
    Some((number(text)?, None))
}

fn emit(records: Vec<Record>, problems: &mut Vec<RecordProblem>, builder: &mut Builder) {
    let vocabulary = Vocabulary::built_in();
    let (mut things, mut links): (Vec<Record>, Vec<Record>) = records
        .into_iter()
        .partition(|r| kind_of_schema(&r.schema).is_some());
    let mut unmapped = Vec::new();
    links.retain(|r| {
        if link_ends(&r.schema).is_some() {
            true
        } else {
            unmapped.push(r.id.clone());
            builder.lose(format!("FtM schema `{}`", r.schema), || {
                format!("{}:{}: {}", r.file.display(), r.line, r.id)
            });
            false
        }
    });
    // An Organization that others are members of is a body they join: a consortium.
    let joined: HashSet<String> = links
        .iter()
        .filter(|l| l.schema == "Membership")
        .flat_map(|l| {
            l.properties
                .get("organization")
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    // Every record the input holds: a link to one that is no entity is a loss, not a
    // reference to the graph.
    let held: HashSet<String> = things
        .iter()
        .chain(&links)
        .map(|r| r.id.clone())
        .chain(unmapped.iter().cloned())
        .collect();
    let mut ids: HashMap<String, (String, &'static str)> = HashMap::new();
    let mut taken_ids = HashSet::new();
    let mut taken_names = HashSet::new();
    let mut seen = HashSet::new();
    for record in &mut things {
        let at = format!("{}:{}", record.file.display(), record.line);
        if !seen.insert(record.id.clone()) {
            builder.lose("FtM entity given twice (the first is kept)", || {
                format!("{at}: {}", record.id)
            });
            continue;
        }
        let mut names = record.take("name");
        if names.is_empty() {
            let parts: Vec<String> = ["firstName", "middleName", "lastName"]
                .iter()
                .filter_map(|p| record.properties.get(*p).and_then(|v| v.first()).cloned())
                .collect();
            if !parts.is_empty() {
                names.push(parts.join(" "));
            }
        }
        let Some(name) = names.first().cloned() else {
            problems.push(
                RecordProblem::new(
                    &record.file,
                    Place::LinePointer {
                        line: record.line,
                        pointer: "/properties/name".to_owned(),
                    },
                    format!("the {} has no name", record.schema),
                )
                .help("give it \"name\": [\"…\"]"),
            );
            continue;
        };
        let mut kind = kind_of_schema(&record.schema).unwrap_or("company");
        if kind == "organization" && record.schema == "Organization" && joined.contains(&record.id)
        {
            kind = "consortium";
        }
        let mut shown = name.clone();
        if !taken_names.insert(fold_name(&shown)) {
            let short: String = record.id.chars().take(12).collect();
            shown = format!("{name} ({short})");
            taken_names.insert(fold_name(&shown));
        }
        let mut aliases = Vec::new();
        for alias in names
            .into_iter()
            .skip(1)
            .chain(record.take("alias"))
            .chain(record.take("previousName"))
            .chain(record.take("weakAlias"))
        {
            if taken_names.insert(fold_name(&alias)) {
                aliases.push(alias);
            } else if fold_name(&alias) != fold_name(&name) {
                builder.lose("FtM alias that another entity bears", || {
                    format!("{at}: {alias}")
                });
            }
        }
        let base = match slugify(&name) {
            s if s.is_empty() => format!("ftm-{}", slugify(&record.id)),
            s => s,
        };
        let mut id = base.clone();
        if !taken_ids.insert(id.clone()) {
            id = format!("{base}-{}", slugify(&record.id));
            let mut n = 2;
            while !taken_ids.insert(id.clone()) {
                id = format!("{base}-{}-{n}", slugify(&record.id));
                n += 1;
            }
        }
        let mut entity_ids = BTreeMap::new();
        entity_ids.insert("ftm".to_owned(), record.id.clone());
        let mut bad = false;
        for (property, scheme) in ID_PROPERTIES {
            let Some(value) = record.first(property, builder, &at) else {
                continue;
            };
            if CHECKED.contains(scheme)
                && let Some(broken) =
                    crate::rules::identifier(scheme, vocabulary.identifier(scheme), &value)
            {
                let mut problem =
                    RecordProblem::new(&record.file, record.pointer(property), broken.message);
                problem.help = broken.help;
                problems.push(problem);
                bad = true;
                continue;
            }
            entity_ids.insert((*scheme).to_owned(), value);
        }
        let mut extra = std::mem::take(&mut record.extra);
        if let Some(url) = record.first("opencorporatesUrl", builder, &at) {
            match url
                .split_once("opencorporates.com/companies/")
                .map(|(_, rest)| rest.trim_end_matches('/'))
                .filter(|rest| rest.contains('/'))
            {
                Some(number) => {
                    entity_ids.insert("opencorporates".to_owned(), number.to_owned());
                }
                None => {
                    extra.insert("opencorporates_url".to_owned(), Value::String(url));
                }
            }
        }
        if bad {
            continue;
        }
        let mut country = None;
        for property in ["jurisdiction", "country", "mainCountry"] {
            let values = record.take(property);
            let mut values = values.into_iter();
            if let Some(first) = values.next() {
                if country.is_none() {
                    country = Some(country_code(&first));
                } else {
                    extra
                        .entry(free_key(property))
                        .or_insert(Value::String(first));
                }
            }
            for more in values {
                builder.lose(
                    format!("FtM property `{property}` beyond its first value"),
                    || format!("{at}: {more}"),
                );
            }
        }
        let sector = record.first("sector", builder, &at);
        let notes: Vec<String> = ["notes", "description", "summary"]
            .iter()
            .flat_map(|p| record.take(p))
            .collect();
        let note = (!notes.is_empty()).then(|| notes.join(" "));
        if record.schema != "Company" && kind != "person" {
            extra.insert(
                "ftm_schema".to_owned(),
                Value::String(record.schema.clone()),
            );
        }
        record.rest_into(&mut extra, builder, &at);
        ids.insert(record.id.clone(), (id.clone(), kind));
        let mut origin = Origin::new(
            &record.file,
            Place::LinePointer {
                line: record.line,
                pointer: String::new(),
            },
        )
        .field("name", record.pointer("name"))
        .field("kind", record.pointer_to("/schema"));
        for (property, scheme) in ID_PROPERTIES {
            origin = origin.field(*scheme, record.pointer(property));
        }
        builder.entity_at(
            Entity {
                id,
                name: shown,
                kind: Kind::new(kind),
                aliases,
                country,
                sector,
                note,
                sources: vec![record.source.clone()],
                ids: entity_ids,
                extra,
            },
            origin,
        );
    }
    let mut seen_links = HashSet::new();
    for mut link in links {
        let at = format!("{}:{}", link.file.display(), link.line);
        if !seen_links.insert(link.id.clone()) {
            builder.lose("FtM entity given twice (the first is kept)", || {
                format!("{at}: {}", link.id)
            });
            continue;
        }
        let Some((from_key, to_key)) = link_ends(&link.schema) else {
            continue;
        };
        let mut ends = Vec::new();
        for key in [from_key, to_key] {
            let values = link.take(key);
            match values.first() {
                None => {
                    let problem = RecordProblem::new(
                        &link.file,
                        Place::LinePointer {
                            line: link.line,
                            pointer: format!("/properties/{key}"),
                        },
                        format!("the {} names no `{key}`", link.schema),
                    )
                    .help(format!(
                        "the {} link joins its `{from_key}` to its `{to_key}`, each an entity id",
                        link.schema
                    ));
                    problems.push(problem);
                }
                Some(first) => ends.push(first.clone()),
            }
            for more in values.iter().skip(1) {
                builder.lose(
                    format!("FtM property `{key}` beyond its first value"),
                    || format!("{at}: {more}"),
                );
            }
        }
        let [from, to] = ends.as_slice() else {
            continue;
        };
        // An end the input does not hold is named by its FtM id, kept as the `ftm`
        // identifier: the merge finds it in the graph imported into, or refuses the import.
        let end = |id: &String| ids.get(id).map(|(id, kind)| (id.clone(), Some(*kind)));
        let (from_id, from_kind) = end(from).unwrap_or_default();
        let (to_id, to_kind) = end(to).unwrap_or_default();
        if [(from, from_kind), (to, to_kind)]
            .iter()
            .any(|(id, kind)| kind.is_none() && held.contains(*id))
        {
            builder.lose("FtM link to a record imported as no entity", || {
                format!("{at}: {}", link.id)
            });
            continue;
        }
        if from_kind.is_none() && matches!(link.schema.as_str(), "Directorship" | "Representation")
        {
            builder.lose(
                format!(
                    "FtM {} whose `{from_key}` the input does not hold (its kind decides the tie)",
                    link.schema
                ),
                || format!("{at}: {}", link.id),
            );
            continue;
        }
        let role = link.properties.get("role").and_then(|r| r.first()).cloned();
        let rel_type = match (link.schema.as_str(), from_kind.unwrap_or("")) {
            ("Ownership", _) => "invests-in",
            ("Directorship", "person") | ("Employment", _) => "holds-position",
            ("Directorship", _) => "controls",
            ("Membership", _) => "member-of",
            ("Payment", _) => "pays",
            ("Representation", "person") => "holds-position",
            ("Representation", _) => "supplies",
            _ => {
                builder.lose(
                    format!("FtM link `{}` (the model has no such tie)", link.schema),
                    || format!("{at}: {}", link.id),
                );
                continue;
            }
        };
        // An end in the graph is checked by the rules once merged.
        let joins = vocabulary.relationship(rel_type).is_some_and(|def| {
            (def.from.is_empty() || from_kind.is_none_or(|k| def.from.iter().any(|d| d == k)))
                && (def.to.is_empty() || to_kind.is_none_or(|k| def.to.iter().any(|d| d == k)))
        });
        if !joins {
            builder.lose(
                format!(
                    "FtM {} between kinds the model's `{rel_type}` does not join",
                    link.schema
                ),
                || {
                    format!(
                        "{at}: {} to {}",
                        from_kind.unwrap_or_default(),
                        to_kind.unwrap_or_default()
                    )
                },
            );
            continue;
        }
        let mut rel = Relationship::new(RelType::new(rel_type), from_id, to_id);
        let mut bad = false;
        for (property, key) in [
            ("startDate", "date"),
            ("date", "date"),
            ("endDate", "end_date"),
        ] {
            let Some(value) = link.first(property, builder, &at) else {
                continue;
            };
            match ftm_date(&value) {
                Some(date) if !rel.properties.contains_key(key) => {
                    rel.properties.insert(key.to_owned(), Value::Date(date));
                }
                Some(_) => {
                    rel.extra.insert(free_key(property), Value::String(value));
                }
                None => {
                    let problem = RecordProblem::new(
                        &link.file,
                        link.pointer(property),
                        format!("\"{value}\" is not a date"),
                    )
                    .help("FollowTheMoney dates are ISO 8601: 2015, 2015-03 or 2015-03-01");
                    problems.push(problem);
                    bad = true;
                }
            }
        }
        if let (Some(Value::Date(start)), Some(Value::Date(end))) =
            (rel.properties.get("date"), rel.properties.get("end_date"))
            && end < start
        {
            let end = rel.properties.remove("end_date");
            rel.extra.insert(
                "ftm_end_date".to_owned(),
                Value::String(end.map(|e| e.to_string()).unwrap_or_default()),
            );
        }
        match rel_type {
            "invests-in" => {
                if let Some(text) = link.first("percentage", builder, &at) {
                    match percentage(&text) {
                        Some((pct, None)) => {
                            rel.properties
                                .insert("stake_pct".to_owned(), Value::Float(pct));
                        }
                        Some((low, Some(high))) => {
                            rel.properties
                                .insert("stake_min".to_owned(), Value::Float(low));
                            rel.properties
                                .insert("stake_max".to_owned(), Value::Float(high));
                        }
                        None => {
                            rel.extra
                                .insert("percentage".to_owned(), Value::String(text));
                        }
                    }
                }
                if let Some(text) = link.first("sharesCount", builder, &at) {
                    match text.replace([',', ' '], "").parse::<i64>() {
                        Ok(n) if n >= 0 => {
                            rel.properties.insert("shares".to_owned(), Value::Int(n));
                        }
                        _ => {
                            rel.extra
                                .insert("shares_count".to_owned(), Value::String(text));
                        }
                    }
                }
                if let Some(role) = link.first("role", builder, &at) {
                    rel.properties
                        .insert("role".to_owned(), Value::String(role));
                }
                if let Some(kind) = link.first("sharesType", builder, &at) {
                    rel.properties
                        .insert("instrument".to_owned(), Value::String(kind));
                }
            }
            "holds-position" => {
                let default = match link.schema.as_str() {
                    "Employment" => "employee",
                    "Representation" => "adviser",
                    _ => "director",
                };
                let word = position_role(role.as_deref(), default);
                rel.properties
                    .insert("role".to_owned(), Value::String(word.to_owned()));
                if let Some(role) = link.first("role", builder, &at) {
                    rel.extra.insert("ftm_role".to_owned(), Value::String(role));
                }
            }
            "controls" => {
                rel.properties.insert(
                    "interest".to_owned(),
                    Value::String("board-appointment".to_owned()),
                );
                if let Some(role) = link.first("role", builder, &at) {
                    rel.extra.insert("ftm_role".to_owned(), Value::String(role));
                }
            }
            "member-of" => {
                if let Some(role) = link.first("role", builder, &at) {
                    rel.properties
                        .insert("role".to_owned(), Value::String(role));
                }
            }
            "pays" | "supplies" => {
                if let Some(text) = link.first("amount", builder, &at) {
                    match text.replace(',', "").parse::<f64>() {
                        Ok(amount) if amount >= 0.0 && amount.is_finite() => {
                            rel.properties
                                .insert("amount".to_owned(), Value::Float(amount));
                        }
                        _ => {
                            let problem = RecordProblem::new(
                                &link.file,
                                link.pointer("amount"),
                                format!("\"{text}\" is not an amount"),
                            )
                            .help("an amount is a number that is not negative, such as 12500.50");
                            problems.push(problem);
                            bad = true;
                        }
                    }
                }
                if let Some(code) = link.first("currency", builder, &at) {
                    let code = code.to_ascii_uppercase();
                    if crate::model::money::is_currency(&code) {
                        rel.properties
                            .insert("currency".to_owned(), Value::String(code));
                    } else {
                        let problem = RecordProblem::new(
                            &link.file,
                            link.pointer("currency"),
                            format!("\"{code}\" is not an ISO 4217 currency code"),
                        )
                        .help("write the currency's ISO 4217 code, such as EUR or USD");
                        problems.push(problem);
                        bad = true;
                    }
                }
                if let Some(text) = link.first("amountUsd", builder, &at)
                    && let Ok(usd) = text.replace(',', "").parse::<f64>()
                    && usd >= 0.0
                {
                    rel.properties
                        .insert("amount_usd".to_owned(), Value::Float(usd));
                }
                let product = if rel_type == "pays" {
                    link.first("purpose", builder, &at)
                } else {
                    link.first("role", builder, &at)
                        .or_else(|| Some("representation".to_owned()))
                };
                if let Some(product) = product {
                    rel.properties
                        .insert("product".to_owned(), Value::String(product));
                }
            }
            _ => {}
        }
        let notes: Vec<String> = ["description", "summary"]
            .iter()
            .flat_map(|p| link.take(p))
            .collect();
        if !notes.is_empty() {
            rel.properties
                .insert("note".to_owned(), Value::String(notes.join(" ")));
        }
        if bad {
            continue;
        }
        rel.extra
            .insert("ftm_id".to_owned(), Value::String(link.id.clone()));
        rel.extra
            .insert("ftm_schema".to_owned(), Value::String(link.schema.clone()));
        let mut extra = std::mem::take(&mut link.extra);
        link.rest_into(&mut extra, builder, &at);
        for (key, value) in extra {
            rel.extra.entry(key).or_insert(value);
        }
        rel.sources.push(link.source.clone());
        let index = builder.dataset().relationship.len();
        let mut origin = Origin::new(
            &link.file,
            Place::LinePointer {
                line: link.line,
                pointer: String::new(),
            },
        )
        .field("from", link.pointer(from_key))
        .field("to", link.pointer(to_key));
        for (field, property) in [
            ("date", "startDate"),
            ("end_date", "endDate"),
            ("stake_pct", "percentage"),
            ("stake_min", "percentage"),
            ("stake_max", "percentage"),
            ("amount", "amount"),
            ("currency", "currency"),
            ("role", "role"),
        ] {
            origin = origin.field(field, link.pointer(property));
        }
        builder.relationship_at(rel, origin);
        for (side, ftm_id, kind, key) in [
            (Side::From, from, from_kind, from_key),
            (Side::To, to, to_kind, to_key),
        ] {
            if kind.is_none() {
                builder.refer(
                    index,
                    side,
                    Target::Identifier {
                        scheme: "ftm".to_owned(),
                        value: ftm_id.clone(),
                    },
                    &link.file,
                    link.pointer(key),
                    Some(format!(
                        "import the FtM entity {ftm_id} first, or in the same run"
                    )),
                );
            }
        }
    }
}
