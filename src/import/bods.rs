//! Open Ownership's Beneficial Ownership Data Standard: statements about entities, persons and
//! the interests one holds in another, as a JSON array or JSON lines. Version 0.4 (records with
//! `recordType`, `recordDetails`, `recordStatus`) is read in full; 0.2 and 0.3 (`statementType`
//! `entityStatement`, `personStatement`, `ownershipOrControlStatement`) as far as they share it.
//!
//! A record's statements are its history: an entity takes its latest details (earlier names
//! become aliases); an interest that a later statement of its record no longer declares, or
//! whose record is closed, is kept as a relationship that ended, never dropped. Interests map
//! onto the vocabulary's ownership and control types (`shareholding` is `invests-in` with its
//! stake and holding; voting rights and board appointment are `controls`), so look-through
//! ownership follows them. A field with no home in the model is a counted loss; a field this
//! file does not know is counted too, so nothing is dropped silently.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::Value as Json;

use super::{Builder, ImportFormat, ImportOptions, InputFile, Place, RecordProblem};
use crate::model::{Date, Entity, Kind, RelType, Relationship, Source, Value, slugify};

pub(super) static FORMAT: ImportFormat = ImportFormat {
    name: "bods",
    describes: "a BODS file (Beneficial Ownership Data Standard 0.4, 0.3 or 0.2 statements)",
    extensions: &["json", "jsonl"],
    recognise,
    read,
    read_in_batches: None,
    add_in_bulk: None,
};

/// The standard's versions, as far as reading goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    /// 0.4: records with `recordId`, `recordType` and `recordDetails`.
    Records,
    /// 0.2 and 0.3: statements with `statementType`, linked by statement id.
    Statements,
}

/// The version a statement declares (`publicationDetails.bodsVersion`) or its shape implies.
fn statement_version(statement: &Json) -> Option<(Version, String)> {
    let declared = statement
        .pointer("/publicationDetails/bodsVersion")
        .and_then(Json::as_str);
    if statement.get("recordType").is_some() && statement.get("recordDetails").is_some() {
        return Some((Version::Records, declared.unwrap_or("0.4").to_owned()));
    }
    match statement.get("statementType").and_then(Json::as_str) {
        Some("entityStatement" | "personStatement" | "ownershipOrControlStatement") => {
            Some((Version::Statements, declared.unwrap_or("0.2").to_owned()))
        }
        _ => None,
    }
}

/// How much of a file `recognise` reads: enough for a first statement, however detailed.
const RECOGNISE_BYTES: usize = 1 << 20;

fn recognise(file: &InputFile) -> Option<String> {
    // Only the start is looked at, and only the first statement read: the file is parsed in
    // full once, by `read`.
    let start = &file.bytes[..file.bytes.len().min(RECOGNISE_BYTES)];
    let text = match std::str::from_utf8(start) {
        Ok(text) => text,
        // Cut inside a character: the text before it.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&start[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    }
    .trim_start();
    let first = if text.starts_with('[') {
        first_array_element(text)?
    } else if text.starts_with('{') {
        serde_json::from_str::<Json>(text.lines().next()?).ok()?
    } else {
        return None;
    };
    statement_version(&first).map(|(_, version)| format!("a BODS {version} file"))
}

/// The first element of a JSON array whose later text may be broken.
fn first_array_element(text: &str) -> Option<Json> {
    let mut stream = serde_json::Deserializer::from_str(text[1..].trim_start()).into_iter::<Json>();
    stream.next()?.ok()
}

/// Where a statement sits: its index in a JSON array, or its line in JSON lines.
#[derive(Clone, Debug)]
enum At {
    Index(usize),
    Line(usize),
}

impl At {
    fn place(&self, pointer: &str) -> Place {
        match self {
            At::Index(i) => Place::Pointer(format!("/{i}{pointer}")),
            At::Line(line) => Place::LinePointer {
                line: *line,
                pointer: pointer.to_owned(),
            },
        }
    }

    fn describe(&self, file: &Path, pointer: &str) -> String {
        let place = self.place(pointer);
        match place {
            Place::LinePointer { .. } => format!("{}:{place}", file.display()),
            _ => format!("{} at {place}", file.display()),
        }
    }
}

/// One statement, as read.
struct Statement<'a> {
    file: &'a Path,
    at: At,
    json: &'a Json,
    version: Version,
    /// `entity`, `person` or `relationship`.
    record_type: &'static str,
    /// The record the statement is about: its `recordId` (0.4) or its own statement id.
    key: String,
    date: Option<String>,
    closed: bool,
    /// Where the record's own fields are: `recordDetails` (0.4) or the statement itself.
    details: &'a Json,
    details_pointer: &'static str,
    source_id: String,
}

fn read(
    files: &[InputFile],
    _options: &ImportOptions,
    builder: &mut Builder,
) -> Result<(), Vec<RecordProblem>> {
    let mut problems = Vec::new();
    let mut documents: Vec<(&Path, Vec<(At, Json)>)> = Vec::new();
    for file in files {
        let text = match file.text() {
            Ok(text) => text,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        match parse_document(&file.path, text) {
            Ok(statements) => documents.push((&file.path, statements)),
            Err(mut found) => problems.append(&mut found),
        }
    }
    let mut reader = Reader::default();
    let mut statements = Vec::new();
    for (path, items) in &documents {
        for (at, json) in items {
            match reader.statement(path, at, json, builder) {
                Ok(statement) => statements.push(statement),
                Err(mut found) => problems.append(&mut found),
            }
        }
    }
    // The sound statements are read on, so that every problem is reported at once.
    reader.records(&statements, builder, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The statements of a file: a JSON array, or one JSON object per line.
fn parse_document(path: &Path, text: &str) -> Result<Vec<(At, Json)>, Vec<RecordProblem>> {
    let json_error = |e: serde_json::Error, line_offset: usize| {
        RecordProblem::new(
            path,
            Place::LineColumn {
                line: e.line() + line_offset,
                column: e.column(),
            },
            {
                let message = e.to_string();
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_owned();
                format!("this is not valid JSON: {message}")
            },
        )
        .help("a BODS file is a JSON array of statements, or one statement per line")
    };
    let start = text.trim_start();
    if !start.starts_with('[') && !start.starts_with('{') {
        return Err(vec![
            RecordProblem::new(
                path,
                Place::LineColumn { line: 1, column: 1 },
                "this is not JSON: it starts with neither `[` nor `{`",
            )
            .help("a BODS file is a JSON array of statements, or one statement per line"),
        ]);
    }
    if start.starts_with('[') {
        let all: Json = serde_json::from_str(text).map_err(|e| vec![json_error(e, 0)])?;
        let Json::Array(items) = all else {
            unreachable!("a document starting with [ parses to an array")
        };
        return Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, json)| (At::Index(i), json))
            .collect());
    }
    let mut statements = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Json>(line) {
            Ok(json) => statements.push((At::Line(n + 1), json)),
            Err(e) => problems.push(json_error(e, n)),
        }
    }
    if statements.is_empty() && problems.is_empty() {
        problems.push(
            RecordProblem::new(path, Place::File, "the file holds no statement")
                .help("a BODS file is a JSON array of statements, or one statement per line"),
        );
    }
    if problems.is_empty() {
        Ok(statements)
    } else {
        Err(problems)
    }
}

/// What reading has gathered: sources by what they say, and the ids given out.
#[derive(Default)]
struct Reader {
    sources: HashMap<String, String>,
    source_ids: HashSet<String>,
}

/// The entity and person fields the party reader maps: in `recordDetails` in 0.4, at the
/// statement's top in 0.2 and 0.3.
const PARTY_FIELDS: &[&str] = &[
    "entityType",
    "entitySubtype",
    "personType",
    "name",
    "names",
    "alternateNames",
    "identifiers",
    "jurisdiction",
    "incorporatedInJurisdiction",
    "foundingDate",
    "dissolutionDate",
    "birthDate",
    "deathDate",
    "uri",
    "nationalities",
    "publicListing",
];

/// The statement-level fields this reader takes into account.
const STATEMENT_FIELDS: &[&str] = &[
    "statementId",
    "statementDate",
    "recordId",
    "recordType",
    "recordStatus",
    "recordDetails",
    "publicationDetails",
    "source",
    "statementType",
    "replacesStatements",
    // Structural: which declaration a statement belongs to, and which statements a
    // relationship summarises; the relationships themselves hold what they say.
    "declarationSubject",
    "isComponent",
    "componentStatementIDs",
    "componentRecords",
    // The entity and person fields (`PARTY_FIELDS`) sit here too in 0.2 and 0.3.
    "subject",
    "interestedParty",
    "interests",
    "addresses",
    "formedByStatute",
    "unspecifiedEntityDetails",
    "unspecifiedPersonDetails",
    "placeOfBirth",
    "taxResidencies",
    "politicalExposure",
    "pepStatus",
    "pepStatusDetails",
];

fn text_at<'a>(json: &'a Json, key: &str) -> Option<&'a str> {
    json.get(key)
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty())
}

impl Reader {
    /// Checks one statement's frame and builds its source.
    fn statement<'a>(
        &mut self,
        path: &'a Path,
        at: &'a At,
        json: &'a Json,
        builder: &mut Builder,
    ) -> Result<Statement<'a>, Vec<RecordProblem>> {
        let problem =
            |pointer: &str, message: String| RecordProblem::new(path, at.place(pointer), message);
        if !json.is_object() {
            return Err(vec![
                problem("", "a statement must be a JSON object".to_owned())
                    .help("each element of the array (or each line) is one statement object"),
            ]);
        }
        let Some((version, _)) = statement_version(json) else {
            return Err(vec![problem(
                "",
                "this is not a BODS statement: it has neither `recordType` with `recordDetails` (0.4) nor a `statementType` of entityStatement, personStatement or ownershipOrControlStatement (0.2, 0.3)".to_owned(),
            )]);
        };
        let mut problems = Vec::new();
        let statement_id = text_at(json, "statementId");
        if statement_id.is_none() {
            problems.push(problem(
                "/statementId",
                "the statement has no `statementId`".to_owned(),
            ));
        }
        let (record_type, key, details, details_pointer) = match version {
            Version::Records => {
                let record_type = match json.get("recordType").and_then(Json::as_str) {
                    Some("entity") => "entity",
                    Some("person") => "person",
                    Some("relationship") => "relationship",
                    other => {
                        problems.push(problem(
                            "/recordType",
                            format!(
                                "`recordType` is {}, not one of entity, person, relationship",
                                other.map_or_else(
                                    || json["recordType"].to_string(),
                                    |s| format!("\"{s}\"")
                                )
                            ),
                        ));
                        "entity"
                    }
                };
                let key = text_at(json, "recordId");
                if key.is_none() {
                    problems.push(problem(
                        "/recordId",
                        "the statement has no `recordId`".to_owned(),
                    ));
                }
                let details = &json["recordDetails"];
                if !details.is_object() {
                    problems.push(problem(
                        "/recordDetails",
                        "`recordDetails` must be an object".to_owned(),
                    ));
                }
                (
                    record_type,
                    key.unwrap_or_default().to_owned(),
                    details,
                    "/recordDetails",
                )
            }
            Version::Statements => {
                let record_type = match json["statementType"].as_str() {
                    Some("entityStatement") => "entity",
                    Some("personStatement") => "person",
                    _ => "relationship",
                };
                (
                    record_type,
                    statement_id.unwrap_or_default().to_owned(),
                    json,
                    "",
                )
            }
        };
        let date = text_at(json, "statementDate").map(str::to_owned);
        if let Some(date) = &date
            && parse_date(date).is_none()
        {
            problems.push(problem(
                "/statementDate",
                format!("`statementDate` \"{date}\" is not a date (YYYY-MM-DD)"),
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        for (field, _) in json.as_object().into_iter().flatten() {
            if !STATEMENT_FIELDS.contains(&field.as_str())
                && !PARTY_FIELDS.contains(&field.as_str())
            {
                builder.lose(format!("BODS statement field `{field}`"), || {
                    at.describe(path, &format!("/{field}"))
                });
            }
        }
        let closed = json.get("recordStatus").and_then(Json::as_str) == Some("closed");
        let source_id = self.source(path, at, json, builder);
        Ok(Statement {
            file: path,
            at: at.clone(),
            json,
            version,
            record_type,
            key,
            date,
            closed,
            details,
            details_pointer,
            source_id,
        })
    }

    /// The source a statement's `publicationDetails` and `source` describe, added once.
    fn source(&mut self, path: &Path, at: &At, json: &Json, builder: &mut Builder) -> String {
        let publication = json.get("publicationDetails");
        let publisher = publication
            .and_then(|p| p.get("publisher"))
            .and_then(|p| text_at(p, "name"));
        let date = publication
            .and_then(|p| text_at(p, "publicationDate"))
            .and_then(parse_date);
        let about = json.get("source");
        let description = about.and_then(|s| text_at(s, "description"));
        let url = about.and_then(|s| text_at(s, "url")).or_else(|| {
            publication
                .and_then(|p| p.get("publisher"))
                .and_then(|p| text_at(p, "url"))
        });
        let types: Vec<&str> = about
            .and_then(|s| s.get("type"))
            .map(|t| match t {
                Json::Array(items) => items.iter().filter_map(Json::as_str).collect(),
                Json::String(s) => vec![s.as_str()],
                _ => Vec::new(),
            })
            .unwrap_or_default();
        let asserted: Vec<&str> = about
            .and_then(|s| s.get("assertedBy"))
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(|p| text_at(p, "name")).collect())
            .unwrap_or_default();
        for (field, pointer) in [
            ("license", "/publicationDetails/license"),
            ("retrievedAt", "/source/retrievedAt"),
        ] {
            if json.pointer(pointer).is_some() {
                builder.lose(format!("BODS source field `{field}`"), || {
                    at.describe(path, pointer)
                });
            }
        }
        let file_name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let title = match description {
            Some(description) => description.to_owned(),
            None if publisher.is_none() && about.is_none() => format!("Imported from {file_name}"),
            None => {
                let mut title = "Beneficial ownership statements".to_owned();
                if !types.is_empty() {
                    title.push_str(&format!(" ({})", types.join(", ")));
                }
                if !asserted.is_empty() {
                    title.push_str(&format!(", asserted by {}", asserted.join(", ")));
                }
                if let Some(publisher) = publisher {
                    title.push_str(&format!(", published by {publisher}"));
                }
                title
            }
        };
        let publisher = publisher.map_or_else(|| "BODS".to_owned(), str::to_owned);
        let key = format!("{title}\u{1f}{publisher}\u{1f}{date:?}\u{1f}{url:?}");
        if let Some(id) = self.sources.get(&key) {
            return id.clone();
        }
        let stem = path
            .file_stem()
            .map(|s| slugify(&s.to_string_lossy()))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "file".to_owned());
        let mut base = format!("bods-{stem}");
        if let Some(date) = date {
            base.push_str(&format!("-{}", slugify(&date.to_string())));
        }
        let mut id = base.clone();
        let mut n = 2;
        while !self.source_ids.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.sources.insert(key, id.clone());
        builder.source(Source {
            id: id.clone(),
            title,
            publisher,
            date,
            url: url.map(str::to_owned),
            language: None,
        });
        id
    }

    /// Every record: entities and persons first, then the relationships between them.
    fn records(
        &mut self,
        statements: &[Statement],
        builder: &mut Builder,
        problems: &mut Vec<RecordProblem>,
    ) {
        // 0.2 and 0.3 link a statement to the ones it replaces: they are one record, named
        // by its latest statement.
        let mut replaced_by: HashMap<&str, &str> = HashMap::new();
        for s in statements
            .iter()
            .filter(|s| s.version == Version::Statements)
        {
            for old in s
                .json
                .get("replacesStatements")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
            {
                replaced_by.insert(old, s.key.as_str());
            }
        }
        let record_of = |key: &str| -> String {
            let mut at = key;
            let mut steps = 0;
            while let Some(next) = replaced_by.get(at) {
                at = next;
                steps += 1;
                if steps > replaced_by.len() {
                    break;
                }
            }
            at.to_owned()
        };
        // Each record's statements, in the order of their dates and then of the input.
        let mut records: Vec<(String, Vec<&Statement>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for s in statements {
            let record = match s.version {
                Version::Records => s.key.clone(),
                Version::Statements => record_of(&s.key),
            };
            let i = *index.entry(record.clone()).or_insert_with(|| {
                records.push((record, Vec::new()));
                records.len() - 1
            });
            records[i].1.push(s);
        }
        for (_, list) in &mut records {
            list.sort_by(|a, b| a.date.cmp(&b.date));
        }
        // Entities and persons: an id and a name each, the latest statement's details.
        let mut entities: HashMap<String, (String, Kind)> = HashMap::new();
        let mut unnamed: HashSet<String> = HashSet::new();
        let mut ids_used: HashSet<String> = HashSet::new();
        for (record, list) in &records {
            let last = list[list.len() - 1];
            if last.record_type == "relationship" {
                continue;
            }
            match self.party(record, list, builder, problems, &mut ids_used) {
                Some(entity) => {
                    entities.insert(record.clone(), (entity.id.clone(), entity.kind.clone()));
                    let last = list[list.len() - 1];
                    builder.entity_from(entity, last.file, last.at.place(""));
                }
                None => {
                    unnamed.insert(record.clone());
                }
            }
        }
        for (_, list) in &records {
            if list[list.len() - 1].record_type != "relationship" {
                continue;
            }
            let mut history: Vec<Vec<(Relationship, Place)>> = Vec::new();
            for s in list {
                history.push(self.ties(s, &entities, &unnamed, &record_of, builder, problems));
            }
            // A tie the next statement no longer declares ended with it; the last statement's
            // ties end when the record is closed.
            for (i, ties) in history.iter().enumerate() {
                let next = history.get(i + 1);
                let statement = list[i];
                for (tie, place) in ties {
                    let mut tie = tie.clone();
                    match next {
                        Some(next_ties) if next_ties.iter().any(|(t, _)| same_tie(t, &tie)) => {
                            continue;
                        }
                        Some(_) => end_tie(&mut tie, list[i + 1].date.as_deref()),
                        None if statement.closed => end_tie(&mut tie, statement.date.as_deref()),
                        None => {}
                    }
                    builder.relationship_from(tie, statement.file, place.clone());
                }
            }
        }
    }

    /// The entity or person a record describes, or `None` when it has no name (counted).
    fn party(
        &mut self,
        record: &str,
        list: &[&Statement],
        builder: &mut Builder,
        problems: &mut Vec<RecordProblem>,
        ids_used: &mut HashSet<String>,
    ) -> Option<Entity> {
        let last = list[list.len() - 1];
        let d = last.details;
        let p = last.details_pointer;
        let lose = |builder: &mut Builder, field: &str| {
            builder.lose(format!("BODS {} field `{field}`", last.record_type), || {
                last.at.describe(last.file, &format!("{p}/{field}"))
            });
        };
        let person = last.record_type == "person";
        let mut names: Vec<String> = Vec::new();
        for s in list {
            let name = if person {
                person_names(s.details)
            } else {
                text_at(s.details, "name")
                    .map(|n| vec![n.to_owned()])
                    .unwrap_or_default()
            };
            for n in name {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        let current = if person {
            person_names(d)
        } else {
            text_at(d, "name")
                .map(|n| vec![n.to_owned()])
                .unwrap_or_default()
        };
        let Some(name) = current.first().or(names.first()).cloned() else {
            builder.lose(
                format!(
                    "BODS {} without a name (unspecified or anonymous)",
                    last.record_type
                ),
                || last.at.describe(last.file, p),
            );
            return None;
        };
        let kind = if person {
            Kind::new("person")
        } else {
            let entity_type = d
                .get("entityType")
                .map(|t| t.get("type").unwrap_or(t))
                .and_then(Json::as_str);
            Kind::new(match entity_type {
                Some("state" | "stateBody") => "government",
                Some("legalEntity" | "arrangement") => "organization",
                _ => "company",
            })
        };
        let mut base = slugify(&name);
        if base.is_empty() {
            base = format!("bods-{}", slugify(record));
        }
        let mut id = base.clone();
        let mut n = 2;
        while !ids_used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        let mut entity = Entity::new(id, name.clone(), kind);
        entity.sources.push(last.source_id.clone());
        entity.ids.insert("bods".to_owned(), record.to_owned());
        for alias in names.iter().filter(|n| **n != name) {
            entity.aliases.push(alias.clone());
        }

        // Fields of the statement itself are checked in `statement`; in 0.4 the record's
        // fields are beside `recordDetails`' others.
        if last.version == Version::Records {
            for (field, _) in d.as_object().into_iter().flatten() {
                if field != "isComponent" && !PARTY_FIELDS.contains(&field.as_str()) {
                    lose(builder, field);
                }
            }
        } else {
            for field in [
                "addresses",
                "formedByStatute",
                "placeOfBirth",
                "taxResidencies",
                "politicalExposure",
                "pepStatus",
                "pepStatusDetails",
            ] {
                if d.get(field).is_some() {
                    lose(builder, field);
                }
            }
        }
        for alias in d
            .get("alternateNames")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
        {
            if alias != name && !entity.aliases.iter().any(|a| a == alias) {
                entity.aliases.push(alias.to_owned());
            }
        }
        // The entity type when the kind does not say it all.
        if let Some(t) = d.get("entityType") {
            let (main, sub) = match t {
                Json::String(s) => (
                    Some(s.as_str()),
                    d.get("entitySubtype")
                        .and_then(|s| s.get("generalCategory").or(Some(s)))
                        .and_then(Json::as_str),
                ),
                _ => (
                    t.get("type").and_then(Json::as_str),
                    t.get("subtype").and_then(Json::as_str),
                ),
            };
            if let Some(main) = main.filter(|m| !matches!(*m, "registeredEntity" | "state")) {
                entity
                    .extra
                    .insert("bods_entity_type".to_owned(), Value::from(main));
            }
            if let Some(sub) = sub {
                entity
                    .extra
                    .insert("bods_entity_subtype".to_owned(), Value::from(sub));
            }
            if t.get("details").and_then(Json::as_str).is_some() {
                entity.note = t.get("details").and_then(Json::as_str).map(str::to_owned);
            }
        }
        if let Some(t) = text_at(d, "personType").filter(|t| *t != "knownPerson") {
            entity
                .extra
                .insert("bods_person_type".to_owned(), Value::from(t));
        }
        let jurisdiction = d
            .get("jurisdiction")
            .or_else(|| d.get("incorporatedInJurisdiction"));
        if let Some(code) = jurisdiction.and_then(|j| text_at(j, "code")) {
            entity.country = Some(code.to_owned());
        } else if let Some(name) = jurisdiction.and_then(|j| text_at(j, "name")) {
            entity
                .extra
                .insert("jurisdiction".to_owned(), Value::from(name));
        }
        if let Some(nationalities) = d.get("nationalities").and_then(Json::as_array) {
            let codes: Vec<&str> = nationalities
                .iter()
                .filter_map(|n| text_at(n, "code").or_else(|| text_at(n, "name")))
                .collect();
            if let [only] = codes.as_slice() {
                entity.country = Some((*only).to_owned());
            } else if !codes.is_empty() {
                entity
                    .extra
                    .insert("nationalities".to_owned(), Value::from(codes.join(", ")));
            }
        }
        for (field, key) in [
            ("foundingDate", "founding_date"),
            ("dissolutionDate", "dissolution_date"),
            ("birthDate", "birth_date"),
            ("deathDate", "death_date"),
            ("uri", "uri"),
        ] {
            if let Some(text) = text_at(d, field) {
                let value = parse_date(text).map_or_else(|| Value::from(text), Value::Date);
                entity.extra.insert(key.to_owned(), value);
            }
        }
        if let Some(listing) = d.get("publicListing") {
            if let Some(listed) = listing.get("hasPublicListing").and_then(Json::as_bool) {
                entity
                    .extra
                    .insert("listed".to_owned(), Value::Bool(listed));
            }
            let isin = listing
                .get("securitiesListings")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(|l| l.get("security"))
                .find(|s| text_at(s, "idScheme").is_some_and(|x| x.eq_ignore_ascii_case("isin")))
                .and_then(|s| text_at(s, "id"));
            if let Some(isin) = isin {
                entity.ids.insert("isin".to_owned(), isin.to_owned());
            }
            if listing
                .as_object()
                .is_some_and(|o| o.keys().any(|k| k != "hasPublicListing"))
            {
                builder.lose(
                    "BODS entity field `publicListing` (exchanges, tickers, filings)",
                    || last.at.describe(last.file, &format!("{p}/publicListing")),
                );
            }
        }
        for (i, identifier) in d
            .get("identifiers")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let pointer = format!("{p}/identifiers/{i}");
            let value = text_at(identifier, "id");
            let scheme = text_at(identifier, "scheme")
                .map(scheme_key)
                .or_else(|| text_at(identifier, "schemeName").map(|n| slugify(n).replace('-', "_")))
                .filter(|s| !s.is_empty());
            match (scheme, value) {
                (Some(scheme), Some(value)) => {
                    let value = if scheme == "opencorporates" {
                        value
                            .trim_start_matches("https://opencorporates.com/companies/")
                            .to_owned()
                    } else {
                        value.to_owned()
                    };
                    if let Some(old) = entity.ids.get(&scheme)
                        && *old != value
                    {
                        builder.lose("BODS identifier beyond the first of its scheme", || {
                            last.at.describe(last.file, &pointer)
                        });
                        continue;
                    }
                    entity.ids.insert(scheme, value);
                }
                (None, Some(_)) | (_, None) => {
                    if let Some(uri) = text_at(identifier, "uri")
                        && let Some(oc) = uri.strip_prefix("https://opencorporates.com/companies/")
                    {
                        entity
                            .ids
                            .insert("opencorporates".to_owned(), oc.to_owned());
                        continue;
                    }
                    if value.is_none() && text_at(identifier, "uri").is_none() {
                        problems.push(
                            RecordProblem::new(
                                last.file,
                                last.at.place(&pointer),
                                "an identifier has neither `id` nor `uri`",
                            )
                            .help("give the identifier's `id` with its `scheme`, or leave it out"),
                        );
                    } else {
                        builder.lose("BODS identifier without a scheme", || {
                            last.at.describe(last.file, &pointer)
                        });
                    }
                }
            }
        }
        Some(entity)
    }

    /// The ties one relationship statement declares, one per interest.
    fn ties(
        &mut self,
        s: &Statement,
        entities: &HashMap<String, (String, Kind)>,
        unnamed: &HashSet<String>,
        record_of: &dyn Fn(&str) -> String,
        builder: &mut Builder,
        problems: &mut Vec<RecordProblem>,
    ) -> Vec<(Relationship, Place)> {
        let d = s.details;
        let p = s.details_pointer;
        let place = |pointer: &str| s.at.place(&format!("{p}{pointer}"));
        let describe = |pointer: &str| s.at.describe(s.file, &format!("{p}{pointer}"));
        if s.version == Version::Records {
            for (field, _) in d.as_object().into_iter().flatten() {
                if !matches!(
                    field.as_str(),
                    "isComponent"
                        | "componentRecords"
                        | "subject"
                        | "interestedParty"
                        | "interests"
                ) {
                    builder.lose(format!("BODS relationship field `{field}`"), || {
                        describe(&format!("/{field}"))
                    });
                }
            }
        }
        // Who: a record id (0.4), or an object naming the statement (0.2, 0.3).
        let party = |field: &str| -> Result<Option<String>, RecordProblem> {
            let value = d.get(field);
            let reference = match value {
                Some(Json::String(id)) => Some(id.clone()),
                Some(Json::Object(o)) => o
                    .get("describedByEntityStatement")
                    .or_else(|| o.get("describedByPersonStatement"))
                    .and_then(Json::as_str)
                    .map(str::to_owned),
                _ => None,
            };
            match (value, reference) {
                (None, _) => Err(RecordProblem::new(
                    s.file,
                    place(&format!("/{field}")),
                    format!("the relationship has no `{field}`"),
                )),
                (Some(_), None)
                    if value.is_some_and(|v| {
                        v.get("unspecified").is_some() || v.get("reason").is_some()
                    }) =>
                {
                    Ok(None)
                }
                (Some(_), None) => Err(RecordProblem::new(
                    s.file,
                    place(&format!("/{field}")),
                    format!("`{field}` must be a record id"),
                )),
                (Some(_), Some(id)) => {
                    let record = match s.version {
                        Version::Records => id,
                        Version::Statements => record_of(&id),
                    };
                    Ok(Some(record))
                }
            }
        };
        let (subject, party_id) = match (party("subject"), party("interestedParty")) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                problems.extend(a.err());
                problems.extend(b.err());
                return Vec::new();
            }
        };
        let (Some(subject), Some(holder)) = (subject, party_id) else {
            builder.lose("BODS relationship with an unspecified party", || {
                describe("")
            });
            return Vec::new();
        };
        let mut ends = Vec::new();
        // An unknown party is reported, and the interests are still checked, so that every
        // problem of the statement is found at once.
        let mut unknown = false;
        for (record, field) in [(&holder, "interestedParty"), (&subject, "subject")] {
            match entities.get(record.as_str()) {
                Some(end) => ends.push(end.clone()),
                None if unnamed.contains(record.as_str()) => {
                    builder.lose("BODS relationship with a party without a name", || {
                        describe("")
                    });
                    return Vec::new();
                }
                None => {
                    problems.push(
                        RecordProblem::new(
                            s.file,
                            place(&format!("/{field}")),
                            format!("`{field}` refers to record \"{record}\", which no entity or person statement in the input describes"),
                        )
                        .help("import the statements of that entity or person with this one"),
                    );
                    unknown = true;
                    ends.push((String::new(), Kind::new("company")));
                }
            }
        }
        let (from, from_kind) = &ends[0];
        let (to, to_kind) = &ends[1];
        let Some(interests) = d.get("interests") else {
            builder.lose("BODS relationship without interests", || describe(""));
            return Vec::new();
        };
        let Some(interests) = interests.as_array() else {
            problems.push(RecordProblem::new(
                s.file,
                place("/interests"),
                "`interests` must be an array",
            ));
            return Vec::new();
        };
        let vocabulary = crate::model::Vocabulary::built_in();
        let mut ties = Vec::new();
        for (i, interest) in interests.iter().enumerate() {
            let ip = format!("/interests/{i}");
            let mut bad = |field: &str, message: String| {
                problems.push(RecordProblem::new(
                    s.file,
                    place(&format!("{ip}{field}")),
                    message,
                ));
            };
            if !interest.is_object() {
                bad("", "an interest must be an object".to_owned());
                continue;
            }
            let kind = interest
                .get("type")
                .and_then(Json::as_str)
                .unwrap_or("(none)");
            let person = from_kind.as_str() == "person";
            let (rel_type, interest_word, role): (&str, Option<&str>, Option<&str>) = match kind {
                "shareholding" => ("invests-in", None, None),
                "votingRights" | "voting-rights" => ("controls", Some("voting-rights"), None),
                "appointmentOfBoard" | "appointment-of-board" => {
                    ("controls", Some("board-appointment"), None)
                }
                "otherInfluenceOrControl"
                | "influence-or-control"
                | "controlViaCompanyRulesOrArticles"
                | "controlByLegalFramework" => ("controls", Some("other"), None),
                "seniorManagingOfficial" | "senior-managing-official" if person => {
                    ("holds-position", None, Some("executive"))
                }
                "boardMember" if person => ("holds-position", None, Some("board-member")),
                "boardChair" if person => ("holds-position", None, Some("chair")),
                _ => {
                    let what = if kind == "(none)" {
                        "BODS interest without a type".to_owned()
                    } else {
                        format!("BODS interest type `{kind}`")
                    };
                    builder.lose(what, || describe(&ip));
                    continue;
                }
            };
            let def = vocabulary.relationship(rel_type);
            let joins = def.is_some_and(|d| {
                (d.from.is_empty() || d.from.iter().any(|k| k == from_kind.as_str()))
                    && (d.to.is_empty() || d.to.iter().any(|k| k == to_kind.as_str()))
            });
            if !joins {
                builder.lose(format!("BODS interest `{kind}` of a {from_kind} in a {to_kind} (the model has no such tie)"), || describe(&ip));
                continue;
            }
            let mut tie = Relationship::new(RelType::new(rel_type), from.clone(), to.clone());
            tie.sources.push(s.source_id.clone());
            if let Some(word) = interest_word {
                tie.properties
                    .insert("interest".to_owned(), Value::from(word));
                if word == "other" && kind != "otherInfluenceOrControl" {
                    tie.extra
                        .insert("bods_interest".to_owned(), Value::from(kind));
                }
            }
            if let Some(role) = role {
                tie.properties.insert("role".to_owned(), Value::from(role));
            }
            let takes_stake = def.is_some_and(|d| d.properties.iter().any(|p| p == "stake_pct"));
            let level = interest
                .get("directOrIndirect")
                .or_else(|| interest.get("interestLevel"))
                .and_then(Json::as_str);
            match level {
                Some(h @ ("direct" | "indirect")) if takes_stake => {
                    tie.properties.insert("holding".to_owned(), Value::from(h));
                }
                Some("direct" | "indirect") => {
                    tie.extra.insert(
                        "bods_direct_or_indirect".to_owned(),
                        Value::from(level.unwrap_or_default()),
                    );
                }
                Some("unknown") | None => {}
                Some(other) => bad(
                    "/directOrIndirect",
                    format!(
                        "`directOrIndirect` is \"{other}\", not one of direct, indirect, unknown"
                    ),
                ),
            }
            if let Some(share) = interest.get("share") {
                let Some(fields) = share.as_object() else {
                    bad("/share", "`share` must be an object".to_owned());
                    continue;
                };
                for (field, value) in fields {
                    let key = match field.as_str() {
                        "exact" => "stake_pct",
                        "minimum" | "exclusiveMinimum" => "stake_min",
                        "maximum" | "exclusiveMaximum" => "stake_max",
                        _ => {
                            builder.lose(format!("BODS share field `{field}`"), || {
                                describe(&format!("{ip}/share/{field}"))
                            });
                            continue;
                        }
                    };
                    let Some(pct) = value.as_f64().filter(|v| (0.0..=100.0).contains(v)) else {
                        bad(
                            &format!("/share/{field}"),
                            format!("`share.{field}` is {value}, not a percentage from 0 to 100"),
                        );
                        continue;
                    };
                    if !takes_stake {
                        tie.extra
                            .insert(format!("bods_share_{field}"), Value::Float(pct));
                        continue;
                    }
                    tie.properties.insert(key.to_owned(), Value::Float(pct));
                    if field.starts_with("exclusive") {
                        tie.extra
                            .insert(format!("{key}_exclusive"), Value::Bool(true));
                    }
                }
                if tie.properties.contains_key("stake_pct") {
                    // An exact share says all that bounds would.
                    tie.properties.remove("stake_min");
                    tie.properties.remove("stake_max");
                    tie.extra.remove("stake_min_exclusive");
                    tie.extra.remove("stake_max_exclusive");
                }
            }
            for (field, key) in [("startDate", "date"), ("endDate", "end_date")] {
                if let Some(text) = interest.get(field).and_then(Json::as_str) {
                    match parse_date(text) {
                        Some(date) => {
                            tie.properties.insert(key.to_owned(), Value::Date(date));
                        }
                        None => bad(
                            &format!("/{field}"),
                            format!("`{field}` \"{text}\" is not a date (YYYY-MM-DD)"),
                        ),
                    }
                }
            }
            if let Some(details) = text_at(interest, "details") {
                tie.properties
                    .insert("note".to_owned(), Value::from(details));
            }
            if let Some(b) = interest
                .get("beneficialOwnershipOrControl")
                .and_then(Json::as_bool)
            {
                tie.extra
                    .insert("beneficial_ownership_or_control".to_owned(), Value::Bool(b));
            }
            for (field, _) in interest.as_object().into_iter().flatten() {
                if !matches!(
                    field.as_str(),
                    "type"
                        | "directOrIndirect"
                        | "interestLevel"
                        | "share"
                        | "startDate"
                        | "endDate"
                        | "details"
                        | "beneficialOwnershipOrControl"
                ) {
                    builder.lose(format!("BODS interest field `{field}`"), || {
                        describe(&format!("{ip}/{field}"))
                    });
                }
            }
            ties.push((tie, place(&ip)));
        }
        if unknown { Vec::new() } else { ties }
    }
}

/// A person's names: the legal one (or the first) first, then the others.
fn person_names(details: &Json) -> Vec<String> {
    let mut names: Vec<(bool, String)> = Vec::new();
    for n in details
        .get("names")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let full = text_at(n, "fullName").map(str::to_owned).or_else(|| {
            let parts: Vec<&str> = ["givenName", "patronymicName", "familyName"]
                .iter()
                .filter_map(|k| text_at(n, k))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
        if let Some(full) = full
            && !names.iter().any(|(_, x)| *x == full)
        {
            names.push((text_at(n, "type") == Some("legal"), full));
        }
    }
    names.sort_by_key(|(legal, _)| !*legal);
    names.into_iter().map(|(_, n)| n).collect()
}

/// The `ids` scheme for a BODS identifier scheme (an org-id.guide code).
fn scheme_key(scheme: &str) -> String {
    match scheme.to_ascii_uppercase().as_str() {
        "XI-LEI" => "lei".to_owned(),
        "XI-WIKIDATA" | "WIKIDATA" => "wikidata".to_owned(),
        "OPENCORPORATES" | "XI-OPENCORPORATES" => "opencorporates".to_owned(),
        "XI-ISIN" | "ISIN" => "isin".to_owned(),
        "OPEN-OWNERSHIP-REGISTER" | "OPENOWNERSHIP-REGISTER" => "bods_register".to_owned(),
        other => other.to_ascii_lowercase().replace(['-', ' ', '.'], "_"),
    }
}

/// A BODS date (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`, or a date-time, whose day is kept).
fn parse_date(text: &str) -> Option<Date> {
    let day = text.split('T').next().unwrap_or(text);
    day.parse().ok()
}

/// The same tie, whatever source cites it.
fn same_tie(a: &Relationship, b: &Relationship) -> bool {
    a.rel_type == b.rel_type
        && a.from == b.from
        && a.to == b.to
        && a.properties == b.properties
        && a.extra == b.extra
}

/// Ends a tie on `date` (when it gives no end of its own), or marks it ended.
fn end_tie(tie: &mut Relationship, date: Option<&str>) {
    if tie.properties.contains_key("end_date") {
        return;
    }
    let begun = tie.properties.get("date").and_then(|v| match v {
        Value::Date(d) => Some(*d),
        _ => None,
    });
    match date.and_then(parse_date) {
        Some(end) if begun.is_none_or(|b| b <= end) => {
            tie.properties
                .insert("end_date".to_owned(), Value::Date(end));
        }
        _ => {
            tie.properties
                .insert("status".to_owned(), Value::from("ended"));
        }
    }
}
