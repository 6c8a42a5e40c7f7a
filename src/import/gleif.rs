//! GLEIF's Level 1 and Level 2 data: LEI records (LEI-CDF 3.1), relationship records (RR-CDF
//! 2.1) and reporting exceptions, as the golden-copy CSV files and the GLEIF API's JSON give
//! them. A file's kind is told by its header (CSV) or its records' `type` (JSON).
//!
//! Each LEI becomes an entity with `ids.lei`; an accounting-consolidation parent becomes a
//! `controls` tie from the parent to the child (direct or ultimate kept in `holding`), a fund
//! manager, umbrella fund or head office a `controls` tie too, a feeder fund an `invests-in` tie
//! to its master fund. A reporting exception (why no parent is reported) is kept on its entity.
//! Fields the model has no home for are kept as free properties when they are one scalar, and
//! counted as losses otherwise. This file reads inputs only; it never touches a graph.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde_json::Value as Json;

use super::{Builder, ImportFormat, ImportOptions, InputFile, Origin, Place, RecordProblem};
use crate::model::{
    Date, Entity, Kind, RelType, Relationship, Source, Value, Vocabulary, fold_name, slugify,
};

pub(super) static FORMAT: ImportFormat = ImportFormat {
    name: "gleif",
    describes: "a GLEIF file (LEI-CDF, RR-CDF or reporting exceptions, as golden-copy CSV or API JSON)",
    extensions: &["csv", "json"],
    recognise,
    read,
    read_in_batches: None,
    add_in_bulk: None,
};

/// What a GLEIF file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FileKind {
    LeiCsv,
    RrCsv,
    RepexCsv,
    ApiJson,
    Xml,
}

impl FileKind {
    fn describes(self) -> &'static str {
        match self {
            FileKind::LeiCsv => "a GLEIF LEI-CDF file",
            FileKind::RrCsv => "a GLEIF RR-CDF relationship file",
            FileKind::RepexCsv => "a GLEIF reporting-exceptions file",
            FileKind::ApiJson => "a GLEIF API JSON document",
            FileKind::Xml => "a GLEIF golden-copy XML file",
        }
    }
}

/// How much of a file's start is looked at to tell its kind.
const SNIFF: usize = 64 * 1024;

fn kind_of(file: &InputFile) -> Option<FileKind> {
    let head = &file.bytes[..file.bytes.len().min(SNIFF)];
    let head = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default(),
    };
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('{') || head.starts_with('[') {
        let compact: String = head.chars().filter(|c| !c.is_whitespace()).collect();
        return [
            "lei-records",
            "relationship-records",
            "reporting-exceptions",
        ]
        .iter()
        .any(|t| compact.contains(&format!("\"type\":\"{t}\"")))
        .then_some(FileKind::ApiJson);
    }
    if head.starts_with('<') {
        return (head.contains("www.gleif.org/data/schema/leidata")
            || head.contains("www.gleif.org/data/schema/rr")
            || head.contains("www.gleif.org/data/schema/repex"))
        .then_some(FileKind::Xml);
    }
    let header = head.lines().next().unwrap_or_default();
    let columns: Vec<&str> = header
        .split(',')
        .map(|c| c.trim().trim_matches('"'))
        .collect();
    let has = |name: &str| columns.contains(&name);
    if has("Relationship.StartNode.NodeID") && has("Relationship.EndNode.NodeID") {
        Some(FileKind::RrCsv)
    } else if has("LEI") && has("Entity.LegalName") {
        Some(FileKind::LeiCsv)
    } else if has("LEI") && has("Exception.Category") {
        Some(FileKind::RepexCsv)
    } else {
        None
    }
}

fn recognise(file: &InputFile) -> Option<String> {
    kind_of(file).map(|k| k.describes().to_owned())
}

/// One LEI record, before ids and names are settled across the files.
struct LeiRecord {
    lei: String,
    name: String,
    aliases: Vec<String>,
    kind: &'static str,
    country: Option<String>,
    ids: BTreeMap<String, String>,
    extra: BTreeMap<String, Value>,
    source: String,
    /// Where it was read, for the rules' problems.
    origin: Option<Origin>,
}

/// One relationship record: `child` is the start node, `parent` the end node.
struct RrRecord {
    child: String,
    parent: String,
    rel_type: String,
    ended: bool,
    start: Option<Date>,
    end: Option<Date>,
    stake_pct: Option<f64>,
    extra: BTreeMap<String, Value>,
    source: String,
    /// Where it was read, for a loss's example.
    at: String,
    /// Where it was read, for the rules' problems.
    origin: Option<Origin>,
}

/// One reporting exception: why `lei` reports no parent of `category`.
struct Exception {
    lei: String,
    category: String,
    reasons: Vec<String>,
    references: Vec<String>,
}

#[derive(Default)]
struct Gathered {
    entities: Vec<LeiRecord>,
    by_lei: HashMap<String, usize>,
    relationships: Vec<RrRecord>,
    exceptions: Vec<Exception>,
}

impl Gathered {
    fn add_entity(&mut self, record: LeiRecord, at: &str, builder: &mut Builder) {
        if let Some(&first) = self.by_lei.get(&record.lei) {
            let kept = &self.entities[first];
            if kept.name != record.name || kept.extra != record.extra || kept.ids != record.ids {
                builder.lose("GLEIF LEI record read twice (the first is kept)", || {
                    format!("{} at {at}", record.lei)
                });
            }
            return;
        }
        self.by_lei.insert(record.lei.clone(), self.entities.len());
        self.entities.push(record);
    }
}

/// Problems of one file, each placed.
struct Problems<'a> {
    file: &'a Path,
    list: Vec<RecordProblem>,
}

impl Problems<'_> {
    fn push(&mut self, place: Place, message: impl Into<String>, help: Option<String>) {
        let mut problem = RecordProblem::new(self.file, place, message);
        problem.help = help;
        self.list.push(problem);
    }
}

fn read(
    files: &[InputFile],
    _options: &ImportOptions,
    builder: &mut Builder,
) -> Result<(), Vec<RecordProblem>> {
    let mut gathered = Gathered::default();
    let mut problems = Vec::new();
    let mut source_ids = HashSet::new();
    for file in files {
        let mut found = Problems {
            file: &file.path,
            list: Vec::new(),
        };
        let text = match file.text() {
            Ok(text) => text.trim_start_matches('\u{feff}'),
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        match kind_of(file) {
            Some(FileKind::Xml) => found.push(
                Place::File,
                "this is a GLEIF golden-copy XML file, which this importer does not read",
                Some("download the golden copy as CSV, or the records as JSON from the GLEIF API, and import that".to_owned()),
            ),
            None => found.push(
                Place::File,
                "this is not a GLEIF file: a CSV needs a header naming `LEI` and `Entity.LegalName` (LEI-CDF), `Relationship.StartNode.NodeID` and `Relationship.EndNode.NodeID` (RR-CDF), or `LEI` and `Exception.Category` (reporting exceptions); a JSON document needs `data` records of type `lei-records`, `relationship-records` or `reporting-exceptions`",
                Some("import the GLEIF golden-copy CSV or the GLEIF API's JSON as published".to_owned()),
            ),
            Some(FileKind::ApiJson) => {
                read_api(text, file, &mut gathered, &mut found, builder, &mut source_ids);
            }
            Some(kind) => {
                let source = csv_source(&file.path, kind, &mut source_ids);
                let source_id = source.id.clone();
                builder.source(source);
                read_csv(text, kind, &source_id, &mut gathered, &mut found, builder);
            }
        }
        problems.append(&mut found.list);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    emit(gathered, builder);
    Ok(())
}

// ----- sources ---------------------------------------------------------------------------------

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn unique_source_id(path: &Path, taken: &mut HashSet<String>) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut base = slugify(&stem);
    if base.is_empty() {
        base = "gleif-file".to_owned();
    }
    let mut id = base.clone();
    let mut n = 2;
    while !taken.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// The publication date a golden-copy file name starts with: `20250515-0800-gleif-goldencopy-…`.
fn golden_copy_date(path: &Path) -> Option<Date> {
    let name = file_name(path);
    let digits = name.get(..8)?;
    if !name.contains("gleif-goldencopy") || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..8])
        .parse()
        .ok()
}

fn csv_source(path: &Path, kind: FileKind, taken: &mut HashSet<String>) -> Source {
    let name = file_name(path);
    let date = golden_copy_date(path);
    let what = match kind {
        FileKind::RrCsv => "relationship records (RR-CDF)",
        FileKind::RepexCsv => "reporting exceptions",
        _ => "LEI records (LEI-CDF)",
    };
    let title = match date {
        Some(date) => format!("GLEIF golden copy of {date}: {what} ({name})"),
        None => format!("Imported from {name}"),
    };
    Source {
        id: unique_source_id(path, taken),
        title,
        publisher: "GLEIF".to_owned(),
        date,
        url: None,
        language: None,
    }
}

// ----- values ----------------------------------------------------------------------------------

/// A GLEIF date-time (`2018-04-13T15:30:00Z`, `2012-06-06T15:53:00.000+00:00`) as its day, or a
/// plain date.
fn gleif_date(text: &str) -> Option<Date> {
    let day = match text.find('T') {
        Some(10) => &text[..10],
        Some(_) => return None,
        None => text,
    };
    day.parse().ok()
}

fn bad_date(value: &str) -> String {
    format!("\"{value}\" is not a date")
}

const DATE_HELP: &str = "GLEIF dates are ISO 8601: 2018-04-13 or 2018-04-13T15:30:00Z";

fn lei_problem(value: &str) -> Option<(String, Option<String>)> {
    let vocabulary = Vocabulary::built_in();
    crate::rules::identifier("lei", vocabulary.identifier("lei"), value)
        .map(|b| (b.message, b.help))
}

fn kind_of_category(category: &str) -> Option<&'static str> {
    Some(match category {
        "" | "GENERAL" | "BRANCH" | "SOLE_PROPRIETOR" => "company",
        "FUND" => "fund",
        "RESIDENT_GOVERNMENT_ENTITY" => "government",
        "INTERNATIONAL_ORGANIZATION" => "organization",
        _ => return None,
    })
}

const CATEGORIES: &str = "GENERAL, BRANCH, FUND, SOLE_PROPRIETOR, RESIDENT_GOVERNMENT_ENTITY or INTERNATIONAL_ORGANIZATION";

const RELATIONSHIP_TYPES: &[&str] = &[
    "IS_DIRECTLY_CONSOLIDATED_BY",
    "IS_ULTIMATELY_CONSOLIDATED_BY",
    "IS_INTERNATIONAL_BRANCH_OF",
    "IS_FUND-MANAGED_BY",
    "IS_SUBFUND_OF",
    "IS_FEEDER_TO",
];

/// A field's name with its repeat numbers as `N`, so that losses count one kind per field:
/// `Entity.LegalAddress.AdditionalAddressLine.2` is `Entity.LegalAddress.AdditionalAddressLine.N`.
fn field_kind(column: &str) -> String {
    column
        .split('.')
        .map(|part| {
            if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                "N"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

// ----- CSV -------------------------------------------------------------------------------------

/// One CSV row's non-empty cells; what is taken has a home, what is left is lost.
struct Cells<'a> {
    cells: BTreeMap<&'a str, &'a str>,
    row: usize,
}

impl<'a> Cells<'a> {
    fn take(&mut self, column: &str) -> Option<&'a str> {
        self.cells.remove(column)
    }

    /// Cells whose column matches `pattern`, where `N` stands for a repeat number, in the
    /// order of their numbers.
    fn take_numbered(&mut self, prefix: &str, suffix: &str) -> Vec<(&'a str, &'a str)> {
        let mut found: Vec<(usize, &'a str, &'a str)> = self
            .cells
            .iter()
            .filter_map(|(column, value)| {
                let number = column.strip_prefix(prefix)?.strip_suffix(suffix)?;
                let n: usize = number.parse().ok()?;
                Some((n, *column, *value))
            })
            .collect();
        found.sort_by_key(|(n, _, _)| *n);
        for (_, column, _) in &found {
            self.cells.remove(column);
        }
        found.into_iter().map(|(_, c, v)| (c, v)).collect()
    }

    fn place(&self, column: &str) -> Place {
        Place::Cell {
            row: self.row,
            column: column.to_owned(),
        }
    }

    fn date(&mut self, column: &str, problems: &mut Problems) -> Option<Date> {
        let value = self.take(column)?;
        let date = gleif_date(value);
        if date.is_none() {
            problems.push(
                self.place(column),
                bad_date(value),
                Some(DATE_HELP.to_owned()),
            );
        }
        date
    }

    /// Counts every cell left as a loss.
    fn lose_rest(self, file: &Path, builder: &mut Builder) {
        for (column, value) in self.cells {
            builder.lose(format!("GLEIF field `{}`", field_kind(column)), || {
                format!("{} row {}: {value}", file.display(), self.row)
            });
        }
    }
}

fn read_csv(
    text: &str,
    kind: FileKind,
    source: &str,
    gathered: &mut Gathered,
    problems: &mut Problems,
    builder: &mut Builder,
) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(e) => {
            problems.push(
                Place::Cell {
                    row: 1,
                    column: String::new(),
                },
                format!("the header cannot be read: {e}"),
                None,
            );
            return;
        }
    };
    let file = problems.file.to_owned();
    for (index, record) in reader.records().enumerate() {
        let row = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(row, |p| p.line() as usize);
                problems.push(
                    Place::LineColumn { line, column: 1 },
                    format!("the row cannot be read as CSV: {e}"),
                    Some("quote fields that hold commas or line breaks with \"".to_owned()),
                );
                continue;
            }
        };
        if record.len() != headers.len() {
            let column = headers
                .get(record.len().min(headers.len().saturating_sub(1)))
                .unwrap_or_default();
            problems.push(
                Place::Cell { row, column: column.to_owned() },
                format!("the row has {} fields where the header names {}", record.len(), headers.len()),
                Some("every row needs one field per column of the header; quote fields that hold commas".to_owned()),
            );
            continue;
        }
        let mut cells = Cells {
            cells: headers
                .iter()
                .zip(record.iter())
                .map(|(c, v)| (c, v.trim()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
            row,
        };
        let at = format!("{} row {row}", file.display());
        // Owned copies: `cells` borrows `record`, which lives for this iteration only.
        match kind {
            FileKind::LeiCsv => {
                if let Some(mut record) = lei_row(&mut cells, source, problems) {
                    cells.lose_rest(&file, builder);
                    record.origin = Some(cell_origin(&file, row, "LEI", LEI_FIELDS));
                    gathered.add_entity(record, &at, builder);
                }
            }
            FileKind::RrCsv => {
                if let Some(mut record) = rr_row(&mut cells, source, &at, problems, builder) {
                    cells.lose_rest(&file, builder);
                    record.origin = Some(cell_origin(
                        &file,
                        row,
                        "Relationship.RelationshipType",
                        RR_FIELDS,
                    ));
                    gathered.relationships.push(record);
                }
            }
            _ => {
                if let Some(exception) = repex_row(&mut cells, problems) {
                    cells.lose_rest(&file, builder);
                    gathered.exceptions.push(exception);
                }
            }
        }
    }
}

/// The addresses of an LEI record: the LEI-CDF element (the API's is the same in camel case)
/// and the free property that keeps it as one line of text.
const ADDRESSES: &[(&str, &str)] = &[
    ("LegalAddress", "address"),
    ("HeadquartersAddress", "headquarters_address"),
];

/// An address's lines before its postal code and city, in the order they are written.
const ADDRESS_LINES: &[&str] = &[
    "MailRouting",
    "FirstAddressLine",
    "AddressNumber",
    "AddressNumberWithinBuilding",
];

/// An address, as GLEIF gives it in parts.
struct Address<'a> {
    lines: Vec<String>,
    postal: Option<&'a str>,
    city: Option<&'a str>,
    region: Option<&'a str>,
    country: Option<&'a str>,
}

impl Address<'_> {
    /// Keeps the address as `key` (one line: its lines, postal code and city, region,
    /// country) and its postal code as `{key}`'s `postal_code`, when it has anything.
    fn keep(&self, key: &str, extra: &mut BTreeMap<String, Value>) {
        let town = [self.postal, self.city]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let parts: Vec<&str> = self
            .lines
            .iter()
            .map(String::as_str)
            .chain((!town.is_empty()).then_some(town.as_str()))
            .chain(self.region)
            .chain(self.country)
            .collect();
        if !parts.is_empty() {
            extra.insert(key.to_owned(), Value::String(parts.join(", ")));
        }
        if let Some(postal) = self.postal {
            let field = match key.strip_suffix("address") {
                Some(prefix) => format!("{prefix}postal_code"),
                None => format!("{key}_postal_code"),
            };
            extra.insert(field, Value::String(postal.to_owned()));
        }
    }
}

/// The model fields of an entity and the LEI-CDF columns they are read from.
const LEI_FIELDS: &[(&str, &str)] = &[
    ("name", "Entity.LegalName"),
    ("kind", "Entity.EntityCategory"),
    ("country", "Entity.LegalAddress.Country"),
    ("lei", "LEI"),
];

/// The model fields of a relationship and the RR-CDF columns they are read from.
const RR_FIELDS: &[(&str, &str)] = &[
    ("from", "Relationship.EndNode.NodeID"),
    ("to", "Relationship.StartNode.NodeID"),
    ("date", "Relationship.Period.1.startDate"),
    ("end_date", "Relationship.Period.1.endDate"),
    ("stake_pct", "Relationship.Quantifiers.1.QuantifierAmount"),
    ("status", "Relationship.RelationshipStatus"),
];

/// A CSV row's origin: the row at `column`, with the columns its fields were read from.
fn cell_origin(file: &Path, row: usize, column: &str, fields: &[(&str, &str)]) -> Origin {
    let cell = |column: &str| Place::Cell {
        row,
        column: column.to_owned(),
    };
    fields.iter().fold(
        Origin::new(file, cell(column)),
        |origin, (field, column)| origin.field(*field, cell(column)),
    )
}

fn required_lei<'a>(
    cells: &mut Cells<'a>,
    column: &str,
    problems: &mut Problems,
) -> Option<&'a str> {
    let lei = cells.take(column);
    checked_lei(lei, column, cells.place(column), problems)
}

/// `lei`, read from `field` at `place`, when it is there and a well-formed LEI; otherwise the
/// problem is pushed.
fn checked_lei<L: AsRef<str>>(
    lei: Option<L>,
    field: &str,
    place: Place,
    problems: &mut Problems,
) -> Option<L> {
    let Some(lei) = lei else {
        problems.push(
            place,
            format!("`{field}` is empty"),
            Some("every GLEIF record names its LEI".to_owned()),
        );
        return None;
    };
    if let Some((message, help)) = lei_problem(lei.as_ref()) {
        problems.push(place, message, help);
        return None;
    }
    Some(lei)
}

/// Scalar cells kept as free properties: (column, property).
const LEI_EXTRA: &[(&str, &str)] = &[
    ("Entity.LegalName.xmllang", "legal_name_language"),
    ("Entity.LegalAddress.City", "city"),
    ("Entity.LegalAddress.Region", "region"),
    ("Entity.HeadquartersAddress.City", "headquarters_city"),
    ("Entity.HeadquartersAddress.Region", "headquarters_region"),
    ("Entity.HeadquartersAddress.Country", "headquarters_country"),
    (
        "Entity.RegistrationAuthority.RegistrationAuthorityID",
        "registration_authority",
    ),
    (
        "Entity.RegistrationAuthority.OtherRegistrationAuthorityID",
        "other_registration_authority",
    ),
    (
        "Entity.RegistrationAuthority.RegistrationAuthorityEntityID",
        "registration_number",
    ),
    ("Entity.LegalJurisdiction", "jurisdiction"),
    ("Entity.EntityCategory", "entity_category"),
    ("Entity.EntitySubCategory", "entity_subcategory"),
    ("Entity.LegalForm.EntityLegalFormCode", "legal_form"),
    ("Entity.LegalForm.OtherLegalForm", "other_legal_form"),
    ("Entity.AssociatedEntity.type", "associated_entity_type"),
    ("Entity.AssociatedEntity.AssociatedLEI", "associated_lei"),
    (
        "Entity.AssociatedEntity.AssociatedEntityName",
        "associated_entity_name",
    ),
    ("Entity.EntityStatus", "entity_status"),
    ("Entity.EntityExpirationReason", "expiration_reason"),
    ("Registration.RegistrationStatus", "registration_status"),
    ("Registration.ManagingLOU", "managing_lou"),
    ("Registration.ValidationSources", "validation_sources"),
    (
        "Registration.ValidationAuthority.ValidationAuthorityID",
        "validation_authority",
    ),
    (
        "Registration.ValidationAuthority.OtherValidationAuthorityID",
        "other_validation_authority",
    ),
    (
        "Registration.ValidationAuthority.ValidationAuthorityEntityID",
        "validation_number",
    ),
    ("ConformityFlag", "conformity_flag"),
];

/// Date cells kept as free properties.
const LEI_DATES: &[(&str, &str)] = &[
    ("Entity.EntityCreationDate", "creation_date"),
    ("Entity.EntityExpirationDate", "expiration_date"),
    (
        "Registration.InitialRegistrationDate",
        "initial_registration_date",
    ),
    ("Registration.LastUpdateDate", "last_update_date"),
    ("Registration.NextRenewalDate", "next_renewal_date"),
];

fn lei_row(cells: &mut Cells, source: &str, problems: &mut Problems) -> Option<LeiRecord> {
    let before = problems.list.len();
    let lei = required_lei(cells, "LEI", problems);
    let name = cells.take("Entity.LegalName");
    if name.is_none() {
        problems.push(
            cells.place("Entity.LegalName"),
            "`Entity.LegalName` is empty",
            Some("every LEI record has a legal name".to_owned()),
        );
    }
    let category = cells
        .cells
        .get("Entity.EntityCategory")
        .copied()
        .unwrap_or_default();
    let kind = kind_of_category(category);
    if kind.is_none() {
        problems.push(
            cells.place("Entity.EntityCategory"),
            format!("\"{category}\" is not an entity category"),
            Some(format!("LEI-CDF 3.1 categories are {CATEGORIES}")),
        );
    }
    let mut aliases: Vec<String> = Vec::new();
    for (_, alias) in cells
        .take_numbered("Entity.OtherEntityNames.OtherEntityName.", "")
        .into_iter()
        .chain(cells.take_numbered(
            "Entity.TransliteratedOtherEntityNames.TransliteratedOtherEntityName.",
            "",
        ))
    {
        push_alias(&mut aliases, alias, name.unwrap_or_default());
    }
    let mut extra = BTreeMap::new();
    for (prefix, key) in ADDRESSES {
        let column = |field: &str| format!("Entity.{prefix}.{field}");
        let mut lines: Vec<String> = ADDRESS_LINES
            .iter()
            .filter_map(|field| cells.take(&column(field)).map(str::to_owned))
            .collect();
        lines.extend(
            cells
                .take_numbered(&column("AdditionalAddressLine."), "")
                .into_iter()
                .map(|(_, line)| line.to_owned()),
        );
        let postal = cells.take(&column("PostalCode"));
        // City, region and country are kept on their own too: only looked at here.
        let seen = |field: &str| cells.cells.get(column(field).as_str()).copied();
        let address = Address {
            lines,
            postal,
            city: seen("City"),
            region: seen("Region"),
            country: seen("Country"),
        };
        address.keep(key, &mut extra);
        if let Some(language) = cells.take(&column("xmllang")) {
            extra.insert(
                format!("{key}_language"),
                Value::String(language.to_owned()),
            );
        }
    }
    let country = cells.take("Entity.LegalAddress.Country").map(str::to_owned);
    for (column, key) in LEI_EXTRA {
        if let Some(value) = cells.take(column) {
            extra.insert((*key).to_owned(), Value::String(value.to_owned()));
        }
    }
    for (column, key) in LEI_DATES {
        if let Some(date) = cells.date(column, problems) {
            extra.insert((*key).to_owned(), Value::Date(date));
        }
    }
    let successors = cells.take_numbered("Entity.SuccessorEntity.", ".SuccessorLEI");
    if let Some((_, lei)) = successors.first() {
        extra.insert("successor_lei".to_owned(), Value::String((*lei).to_owned()));
    }
    if problems.list.len() > before {
        return None;
    }
    Some(LeiRecord {
        lei: lei?.to_owned(),
        name: name?.to_owned(),
        aliases,
        kind: kind?,
        country,
        ids: BTreeMap::new(),
        extra,
        source: source.to_owned(),
        origin: None,
    })
}

fn push_alias(aliases: &mut Vec<String>, alias: &str, name: &str) {
    let folded = fold_name(alias);
    if folded != fold_name(name) && !aliases.iter().any(|a| fold_name(a) == folded) {
        aliases.push(alias.to_owned());
    }
}

fn rr_row(
    cells: &mut Cells,
    source: &str,
    at: &str,
    problems: &mut Problems,
    builder: &mut Builder,
) -> Option<RrRecord> {
    let before = problems.list.len();
    for column in [
        "Relationship.StartNode.NodeIDType",
        "Relationship.EndNode.NodeIDType",
    ] {
        if let Some(kind) = cells.take(column)
            && kind != "LEI"
        {
            builder.lose("GLEIF relationship whose node is not a LEI", || {
                format!("{at}: {column} {kind}")
            });
            return None;
        }
    }
    let child = required_lei(cells, "Relationship.StartNode.NodeID", problems);
    let parent = required_lei(cells, "Relationship.EndNode.NodeID", problems);
    let rel_type = cells
        .take("Relationship.RelationshipType")
        .unwrap_or_default();
    if !RELATIONSHIP_TYPES.contains(&rel_type) {
        problems.push(
            cells.place("Relationship.RelationshipType"),
            format!("\"{rel_type}\" is not a relationship type of RR-CDF 2.1"),
            Some(format!("the types are {}", RELATIONSHIP_TYPES.join(", "))),
        );
    }
    let status = cells.take("Relationship.RelationshipStatus");
    let ended = match status {
        None | Some("ACTIVE") => false,
        Some("INACTIVE") => true,
        Some(other) => {
            problems.push(
                cells.place("Relationship.RelationshipStatus"),
                format!("\"{other}\" is not a relationship status"),
                Some("a relationship is ACTIVE or INACTIVE".to_owned()),
            );
            false
        }
    };
    let mut extra = BTreeMap::new();
    let mut start = None;
    let mut end = None;
    let types = cells.take_numbered("Relationship.Period.", ".periodType");
    for (column, period_type) in types {
        let n = column
            .trim_start_matches("Relationship.Period.")
            .trim_end_matches(".periodType");
        let from = cells.date(&format!("Relationship.Period.{n}.startDate"), problems);
        let to = cells.date(&format!("Relationship.Period.{n}.endDate"), problems);
        period(period_type, from, to, &mut start, &mut end, &mut extra);
    }
    // Dates of a period whose type is not given are the relationship's own.
    for (_, value) in cells.take_numbered("Relationship.Period.", ".startDate") {
        start = start.or_else(|| gleif_date(value));
    }
    for (_, value) in cells.take_numbered("Relationship.Period.", ".endDate") {
        end = end.or_else(|| gleif_date(value));
    }
    let mut stake_pct = None;
    let units = cells.take_numbered("Relationship.Quantifiers.", ".QuantifierUnits");
    for (column, unit) in units {
        let n = column
            .trim_start_matches("Relationship.Quantifiers.")
            .trim_end_matches(".QuantifierUnits");
        let amount_column = format!("Relationship.Quantifiers.{n}.QuantifierAmount");
        let Some(amount) = cells.take(&amount_column) else {
            continue;
        };
        match (unit, amount.parse::<f64>()) {
            ("PERCENTAGE", Ok(pct)) if (0.0..=100.0).contains(&pct) => {
                stake_pct.get_or_insert(pct);
                cells.take(&format!("Relationship.Quantifiers.{n}.MeasurementMethod"));
            }
            ("PERCENTAGE", _) => problems.push(
                cells.place(&amount_column),
                format!("\"{amount}\" is not a percentage from 0 to 100"),
                None,
            ),
            _ => builder.lose("GLEIF relationship quantifier not in percent", || {
                format!("{at}: {amount} {unit}")
            }),
        }
    }
    for (column, key) in [
        ("Registration.RegistrationStatus", "registration_status"),
        ("Registration.ManagingLOU", "managing_lou"),
        ("Registration.ValidationSources", "validation_sources"),
        ("Registration.ValidationDocuments", "validation_documents"),
        ("Registration.ValidationReference", "validation_reference"),
    ] {
        if let Some(value) = cells.take(column) {
            extra.insert(key.to_owned(), Value::String(value.to_owned()));
        }
    }
    for (column, key) in [
        (
            "Registration.InitialRegistrationDate",
            "initial_registration_date",
        ),
        ("Registration.LastUpdateDate", "last_update_date"),
        ("Registration.NextRenewalDate", "next_renewal_date"),
    ] {
        if let Some(date) = cells.date(column, problems) {
            extra.insert(key.to_owned(), Value::Date(date));
        }
    }
    if problems.list.len() > before {
        return None;
    }
    Some(RrRecord {
        child: child?.to_owned(),
        parent: parent?.to_owned(),
        rel_type: rel_type.to_owned(),
        ended,
        start,
        end,
        stake_pct,
        extra,
        source: source.to_owned(),
        at: at.to_owned(),
        origin: None,
    })
}

/// A relationship period: the relationship's own is its `date` and `end_date`, another (an
/// accounting period, a filing period) a free property `accounting_period = "2022-01-01/2022-12-31"`.
fn period(
    period_type: &str,
    from: Option<Date>,
    to: Option<Date>,
    start: &mut Option<Date>,
    end: &mut Option<Date>,
    extra: &mut BTreeMap<String, Value>,
) {
    if period_type == "RELATIONSHIP_PERIOD" {
        *start = start.or(from);
        *end = end.or(to);
        return;
    }
    let text = format!(
        "{}/{}",
        from.map(|d| d.to_string()).unwrap_or_default(),
        to.map(|d| d.to_string()).unwrap_or_default()
    );
    extra
        .entry(period_type.to_ascii_lowercase())
        .or_insert(Value::String(text));
}

fn repex_row(cells: &mut Cells, problems: &mut Problems) -> Option<Exception> {
    let lei = required_lei(cells, "LEI", problems)?;
    let Some(category) = cells.take("Exception.Category") else {
        problems.push(cells.place("Exception.Category"), "`Exception.Category` is empty", Some("a reporting exception names the parent it is about, e.g. DIRECT_ACCOUNTING_CONSOLIDATION_PARENT".to_owned()));
        return None;
    };
    let mut reasons: Vec<String> = cells
        .take_numbered("Exception.Reason.", "")
        .into_iter()
        .map(|(_, v)| v.to_owned())
        .collect();
    if let Some(reason) = cells.take("Exception.Reason") {
        reasons.push(reason.to_owned());
    }
    let mut references: Vec<String> = cells
        .take_numbered("Exception.Reference.", "")
        .into_iter()
        .map(|(_, v)| v.to_owned())
        .collect();
    if let Some(reference) = cells.take("Exception.Reference") {
        references.push(reference.to_owned());
    }
    Some(Exception {
        lei: lei.to_owned(),
        category: category.to_owned(),
        reasons,
        references,
    })
}

// ----- API JSON --------------------------------------------------------------------------------

/// A JSON object whose fields are taken as they find a home; what is left is lost.
struct Fields {
    value: Json,
}

impl Fields {
    /// Removes the value at `path` (keys separated by `/`), unless it is null.
    fn take(&mut self, path: &str) -> Option<Json> {
        let mut parts: Vec<&str> = path.split('/').collect();
        let last = parts.pop()?;
        let mut at = &mut self.value;
        for part in parts {
            at = at.get_mut(part)?;
        }
        let taken = at.as_object_mut()?.remove(last)?;
        (!taken.is_null()).then_some(taken)
    }

    fn text(&mut self, path: &str) -> Option<String> {
        match self.take(path)? {
            Json::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Json::String(_) => None,
            other => Some(other.to_string()),
        }
    }

    /// Every leaf left that holds something, as (dotted field, value).
    fn rest(&self) -> Vec<(String, String)> {
        fn walk(value: &Json, path: &str, out: &mut Vec<(String, String)>) {
            match value {
                Json::Null => {}
                Json::String(s) if s.trim().is_empty() => {}
                Json::Object(map) => {
                    for (key, value) in map {
                        let path = if path.is_empty() {
                            key.clone()
                        } else {
                            format!("{path}.{key}")
                        };
                        walk(value, &path, out);
                    }
                }
                Json::Array(items) => {
                    for item in items {
                        walk(item, path, out);
                    }
                }
                Json::String(s) => out.push((path.to_owned(), s.clone())),
                other => out.push((path.to_owned(), other.to_string())),
            }
        }
        let mut out = Vec::new();
        walk(&self.value, "", &mut out);
        out
    }

    fn lose_rest(&self, at: &str, builder: &mut Builder) {
        for (field, value) in self.rest() {
            builder.lose(format!("GLEIF API field `{field}`"), || {
                format!("{at}: {value}")
            });
        }
    }
}

fn read_api(
    text: &str,
    file: &InputFile,
    gathered: &mut Gathered,
    problems: &mut Problems,
    builder: &mut Builder,
    source_ids: &mut HashSet<String>,
) {
    let document: Json = match serde_json::from_str(text) {
        Ok(document) => document,
        Err(e) => {
            problems.push(
                Place::LineColumn {
                    line: e.line(),
                    column: e.column(),
                },
                format!("the JSON cannot be read: {e}"),
                Some("import the GLEIF API's response as it was served".to_owned()),
            );
            return;
        }
    };
    let (records, pointer): (Vec<&Json>, fn(usize) -> String) = match document.get("data") {
        Some(Json::Array(items)) => (items.iter().collect(), |i| format!("/data/{i}")),
        Some(item @ Json::Object(_)) => (vec![item], |_| "/data".to_owned()),
        _ => {
            problems.push(
                Place::Pointer("/data".to_owned()),
                "the document has no `data` records",
                Some(
                    "a GLEIF API document is {\"data\": [records]} or {\"data\": record}"
                        .to_owned(),
                ),
            );
            return;
        }
    };
    let date = document
        .pointer("/meta/goldenCopy/publishDate")
        .and_then(Json::as_str)
        .and_then(gleif_date);
    let name = file_name(&file.path);
    let url = match document.get("data") {
        Some(Json::Object(_)) => document
            .pointer("/data/links/self")
            .and_then(Json::as_str)
            .map(str::to_owned),
        _ => None,
    };
    let source = Source {
        id: unique_source_id(&file.path, source_ids),
        title: match date {
            Some(date) => format!("GLEIF API records, golden copy of {date} ({name})"),
            None => format!("Imported from {name}"),
        },
        publisher: "GLEIF".to_owned(),
        date,
        url,
        language: None,
    };
    let source_id = source.id.clone();
    builder.source(source);
    for (index, record) in records.into_iter().enumerate() {
        let at = pointer(index);
        let where_ = format!("{}:{at}", file.path.display());
        let record_type = record
            .get("type")
            .and_then(Json::as_str)
            .unwrap_or_default();
        let Some(attributes) = record.get("attributes").filter(|a| a.is_object()) else {
            problems.push(
                Place::Pointer(format!("{at}/attributes")),
                "the record has no `attributes`",
                None,
            );
            continue;
        };
        let mut fields = Fields {
            value: attributes.clone(),
        };
        let place = |field: &str| Place::Pointer(format!("{at}/attributes/{field}"));
        match record_type {
            "lei-records" => {
                if let Some(mut entity) =
                    api_lei(&mut fields, &source_id, &place, problems, &where_, builder)
                {
                    fields.lose_rest(&where_, builder);
                    entity.origin = Some(Origin::new(&file.path, Place::Pointer(at.clone())));
                    gathered.add_entity(entity, &where_, builder);
                }
            }
            "relationship-records" => {
                if let Some(mut rel) =
                    api_rr(&mut fields, &source_id, &place, problems, &where_, builder)
                {
                    fields.lose_rest(&where_, builder);
                    rel.origin = Some(Origin::new(&file.path, Place::Pointer(at.clone())));
                    gathered.relationships.push(rel);
                }
            }
            "reporting-exceptions" => {
                if let Some(exception) = api_repex(&mut fields, &place, problems) {
                    fields.lose_rest(&where_, builder);
                    gathered.exceptions.push(exception);
                }
            }
            other => problems.push(
                Place::Pointer(format!("{at}/type")),
                format!("\"{other}\" is not a record type this importer reads"),
                Some(
                    "the types read are lei-records, relationship-records and reporting-exceptions"
                        .to_owned(),
                ),
            ),
        }
    }
}

fn api_lei_value(
    fields: &mut Fields,
    path: &str,
    place: &dyn Fn(&str) -> Place,
    problems: &mut Problems,
) -> Option<String> {
    let lei = fields.text(path);
    checked_lei(lei, path, place(path), problems)
}

/// API fields kept as free properties, as the CSV columns they stand for are.
const API_EXTRA: &[(&str, &str)] = &[
    ("entity/legalName/language", "legal_name_language"),
    ("entity/legalAddress/city", "city"),
    ("entity/legalAddress/region", "region"),
    ("entity/headquartersAddress/city", "headquarters_city"),
    ("entity/headquartersAddress/region", "headquarters_region"),
    ("entity/headquartersAddress/country", "headquarters_country"),
    ("entity/registeredAt/id", "registration_authority"),
    ("entity/registeredAt/other", "other_registration_authority"),
    ("entity/registeredAs", "registration_number"),
    ("entity/jurisdiction", "jurisdiction"),
    ("entity/category", "entity_category"),
    ("entity/subCategory", "entity_subcategory"),
    ("entity/legalForm/id", "legal_form"),
    ("entity/legalForm/other", "other_legal_form"),
    ("entity/associatedEntity/lei", "associated_lei"),
    ("entity/associatedEntity/name", "associated_entity_name"),
    ("entity/status", "entity_status"),
    ("entity/expiration/reason", "expiration_reason"),
    ("entity/successorEntity/lei", "successor_lei"),
    ("entity/successorEntity/name", "successor_name"),
    ("registration/status", "registration_status"),
    ("registration/managingLou", "managing_lou"),
    ("registration/corroborationLevel", "validation_sources"),
    ("registration/validatedAt/id", "validation_authority"),
    (
        "registration/validatedAt/other",
        "other_validation_authority",
    ),
    ("registration/validatedAs", "validation_number"),
    ("conformityFlag", "conformity_flag"),
];

const API_DATES: &[(&str, &str)] = &[
    ("entity/creationDate", "creation_date"),
    ("entity/expiration/date", "expiration_date"),
    (
        "registration/initialRegistrationDate",
        "initial_registration_date",
    ),
    ("registration/lastUpdateDate", "last_update_date"),
    ("registration/nextRenewalDate", "next_renewal_date"),
];

/// Identifiers besides the LEI the API gives: (field, scheme).
const API_IDS: &[(&str, &str)] = &[
    ("ocid", "opencorporates"),
    ("bic", "bic"),
    ("mic", "mic"),
    ("qcc", "qcc"),
    ("spglobal", "spglobal"),
];

fn api_date(
    fields: &mut Fields,
    path: &str,
    place: &dyn Fn(&str) -> Place,
    problems: &mut Problems,
) -> Option<Date> {
    let value = fields.text(path)?;
    let date = gleif_date(&value);
    if date.is_none() {
        problems.push(place(path), bad_date(&value), Some(DATE_HELP.to_owned()));
    }
    date
}

fn api_lei(
    fields: &mut Fields,
    source: &str,
    place: &dyn Fn(&str) -> Place,
    problems: &mut Problems,
    at: &str,
    builder: &mut Builder,
) -> Option<LeiRecord> {
    let before = problems.list.len();
    let lei = api_lei_value(fields, "lei", place, problems);
    let name = fields.text("entity/legalName/name");
    if name.is_none() {
        problems.push(
            place("entity/legalName/name"),
            "the record has no legal name",
            Some("every LEI record has entity.legalName.name".to_owned()),
        );
    }
    let category = fields
        .value
        .pointer("/entity/category")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    let kind = kind_of_category(&category);
    if kind.is_none() {
        problems.push(
            place("entity/category"),
            format!("\"{category}\" is not an entity category"),
            Some(format!("LEI-CDF 3.1 categories are {CATEGORIES}")),
        );
    }
    let mut aliases = Vec::new();
    for list in ["entity/otherNames", "entity/transliteratedOtherNames"] {
        let Some(Json::Array(mut names)) = fields.take(list) else {
            continue;
        };
        for other in &mut names {
            if let Some(Json::String(alias)) = other.as_object_mut().and_then(|o| o.remove("name"))
            {
                push_alias(
                    &mut aliases,
                    alias.trim(),
                    name.as_deref().unwrap_or_default(),
                );
            }
        }
        // Their languages and types are left to be counted.
        let rest = Fields {
            value: Json::Array(names),
        };
        for (field, value) in rest.rest() {
            let field = format!("{}.{field}", list.replace('/', "."));
            builder.lose(format!("GLEIF API field `{field}`"), || {
                format!("{at}: {value}")
            });
        }
    }
    let mut extra = BTreeMap::new();
    for (element, key) in ADDRESSES {
        let mut element = (*element).to_owned();
        element[..1].make_ascii_lowercase();
        let path = |field: &str| format!("entity/{element}/{field}");
        let mut lines: Vec<String> = Vec::new();
        for field in [
            "mailRouting",
            "addressLines",
            "addressNumber",
            "addressNumberWithinBuilding",
        ] {
            match fields.take(&path(field)) {
                Some(Json::Array(items)) => lines.extend(items.iter().filter_map(|line| {
                    line.as_str()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned)
                })),
                Some(Json::String(line)) if !line.trim().is_empty() => {
                    lines.push(line.trim().to_owned());
                }
                _ => {}
            }
        }
        let postal = fields.text(&path("postalCode"));
        // City, region and country are kept on their own too: only looked at here.
        let seen = |field: &str| {
            fields
                .value
                .pointer(&format!("/{}", path(field)))
                .and_then(Json::as_str)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let (city, region, country) = (seen("city"), seen("region"), seen("country"));
        Address {
            lines,
            postal: postal.as_deref(),
            city: city.as_deref(),
            region: region.as_deref(),
            country: country.as_deref(),
        }
        .keep(key, &mut extra);
        if let Some(language) = fields.text(&path("language")) {
            extra.insert(format!("{key}_language"), Value::String(language));
        }
    }
    let country = fields.text("entity/legalAddress/country");
    for (path, key) in API_EXTRA {
        if let Some(value) = fields.text(path) {
            extra.insert((*key).to_owned(), Value::String(value));
        }
    }
    for (path, key) in API_DATES {
        if let Some(date) = api_date(fields, path, place, problems) {
            extra.insert((*key).to_owned(), Value::Date(date));
        }
    }
    let mut ids = BTreeMap::new();
    for (field, scheme) in API_IDS {
        match fields.take(field) {
            Some(Json::String(s)) if !s.trim().is_empty() => {
                ids.insert((*scheme).to_owned(), s.trim().to_owned());
            }
            Some(Json::Array(values)) => {
                let mut values = values.into_iter().filter_map(|v| match v {
                    Json::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                    _ => None,
                });
                if let Some(first) = values.next() {
                    ids.insert((*scheme).to_owned(), first);
                }
                for more in values {
                    builder.lose(format!("GLEIF API `{field}` beyond the first"), || {
                        format!("{at}: {more}")
                    });
                }
            }
            _ => {}
        }
    }
    if problems.list.len() > before {
        return None;
    }
    Some(LeiRecord {
        lei: lei?,
        name: name?,
        aliases,
        kind: kind?,
        country,
        ids,
        extra,
        source: source.to_owned(),
        origin: None,
    })
}

fn api_rr(
    fields: &mut Fields,
    source: &str,
    place: &dyn Fn(&str) -> Place,
    problems: &mut Problems,
    at: &str,
    builder: &mut Builder,
) -> Option<RrRecord> {
    let before = problems.list.len();
    for path in ["relationship/startNode/type", "relationship/endNode/type"] {
        if let Some(kind) = fields.text(path)
            && kind != "LEI"
        {
            builder.lose("GLEIF relationship whose node is not a LEI", || {
                format!("{at}: {kind}")
            });
            return None;
        }
    }
    let child = api_lei_value(fields, "relationship/startNode/id", place, problems);
    let parent = api_lei_value(fields, "relationship/endNode/id", place, problems);
    let rel_type = fields.text("relationship/type").unwrap_or_default();
    if !RELATIONSHIP_TYPES.contains(&rel_type.as_str()) {
        problems.push(
            place("relationship/type"),
            format!("\"{rel_type}\" is not a relationship type of RR-CDF 2.1"),
            Some(format!("the types are {}", RELATIONSHIP_TYPES.join(", "))),
        );
    }
    let ended = match fields.text("relationship/status").as_deref() {
        None | Some("ACTIVE") => false,
        Some("INACTIVE") => true,
        Some(other) => {
            problems.push(
                place("relationship/status"),
                format!("\"{other}\" is not a relationship status"),
                Some("a relationship is ACTIVE or INACTIVE".to_owned()),
            );
            false
        }
    };
    let mut extra = BTreeMap::new();
    let (mut start, mut end) = (None, None);
    if let Some(Json::Array(periods)) = fields.take("relationship/periods") {
        for (i, period_value) in periods.into_iter().enumerate() {
            let mut one = Fields {
                value: period_value,
            };
            let sub = |f: &str| place(&format!("relationship/periods/{i}/{f}"));
            let from = api_date(&mut one, "startDate", &sub, problems);
            let to = api_date(&mut one, "endDate", &sub, problems);
            let period_type = one
                .text("type")
                .unwrap_or_else(|| "RELATIONSHIP_PERIOD".to_owned());
            period(&period_type, from, to, &mut start, &mut end, &mut extra);
            one.lose_rest(at, builder);
        }
    }
    let mut stake_pct = None;
    if let Some(Json::Array(quantifiers)) = fields.take("relationship/quantifiers") {
        for quantifier in quantifiers {
            let unit = quantifier
                .get("units")
                .and_then(Json::as_str)
                .unwrap_or_default();
            let amount = quantifier.get("amount").map(|a| match a {
                Json::String(s) => s.parse::<f64>().ok(),
                other => other.as_f64(),
            });
            match (unit, amount.flatten()) {
                ("PERCENTAGE", Some(pct)) if (0.0..=100.0).contains(&pct) => {
                    stake_pct.get_or_insert(pct);
                }
                _ => builder.lose("GLEIF relationship quantifier not in percent", || {
                    format!("{at}: {quantifier}")
                }),
            }
        }
    }
    for (path, key) in [
        ("registration/status", "registration_status"),
        ("registration/managingLou", "managing_lou"),
        ("registration/corroborationLevel", "validation_sources"),
        (
            "registration/corroborationDocuments",
            "validation_documents",
        ),
        (
            "registration/corroborationReference",
            "validation_reference",
        ),
    ] {
        if let Some(value) = fields.text(path) {
            extra.insert(key.to_owned(), Value::String(value));
        }
    }
    for (path, key) in [
        (
            "registration/initialRegistrationDate",
            "initial_registration_date",
        ),
        ("registration/lastUpdateDate", "last_update_date"),
        ("registration/nextRenewalDate", "next_renewal_date"),
    ] {
        if let Some(date) = api_date(fields, path, place, problems) {
            extra.insert(key.to_owned(), Value::Date(date));
        }
    }
    if problems.list.len() > before {
        return None;
    }
    Some(RrRecord {
        child: child?,
        parent: parent?,
        rel_type,
        ended,
        start,
        end,
        stake_pct,
        extra,
        source: source.to_owned(),
        at: at.to_owned(),
        origin: None,
    })
}

fn api_repex(
    fields: &mut Fields,
    place: &dyn Fn(&str) -> Place,
    problems: &mut Problems,
) -> Option<Exception> {
    let lei = api_lei_value(fields, "lei", place, problems)?;
    let Some(category) = fields.text("category") else {
        problems.push(place("category"), "the exception names no category", Some("a reporting exception names the parent it is about, e.g. DIRECT_ACCOUNTING_CONSOLIDATION_PARENT".to_owned()));
        return None;
    };
    let list = |value: Option<Json>| -> Vec<String> {
        match value {
            Some(Json::String(s)) if !s.trim().is_empty() => vec![s.trim().to_owned()],
            Some(Json::Array(items)) => items
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    };
    let reasons = list(fields.take("reason"));
    let references = list(fields.take("reference"));
    Some(Exception {
        lei,
        category,
        reasons,
        references,
    })
}

// ----- records ---------------------------------------------------------------------------------

/// The free property a reporting exception is kept under: `direct_parent_exception`.
fn exception_key(category: &str) -> String {
    let short = match category {
        "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT" => "direct_parent",
        "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT" => "ultimate_parent",
        other => return format!("{}_exception", other.to_ascii_lowercase()),
    };
    format!("{short}_exception")
}

fn exception_sentence(exception: &Exception) -> String {
    let parent = match exception.category.as_str() {
        "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT" => "direct accounting-consolidation parent",
        "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT" => "ultimate accounting-consolidation parent",
        other => other,
    };
    let reasons = if exception.reasons.is_empty() {
        String::new()
    } else {
        format!(" ({})", exception.reasons.join(", "))
    };
    format!("GLEIF reporting exception: no {parent} reported{reasons}.")
}

/// Settles ids and names across every file, then writes the entities and relationships.
fn emit(mut gathered: Gathered, builder: &mut Builder) {
    // Entities only named by relationships and exceptions.
    let mentioned: Vec<String> = gathered
        .relationships
        .iter()
        .flat_map(|r| [r.child.clone(), r.parent.clone()])
        .chain(gathered.exceptions.iter().map(|e| e.lei.clone()))
        .collect();
    // Those stand in for the entity: merged with one that has the LEI (in the graph imported
    // into), they add only the LEI and what the exceptions say.
    let stand_ins = gathered.entities.len();
    for lei in mentioned {
        if gathered.by_lei.contains_key(&lei) {
            continue;
        }
        let named_by = gathered
            .relationships
            .iter()
            .find(|r| r.child == lei || r.parent == lei);
        gathered.by_lei.insert(lei.clone(), gathered.entities.len());
        gathered.entities.push(LeiRecord {
            name: format!("LEI {lei}"),
            lei,
            aliases: Vec::new(),
            kind: "company",
            country: None,
            ids: BTreeMap::new(),
            extra: BTreeMap::new(),
            source: named_by.map(|r| r.source.clone()).unwrap_or_default(),
            origin: named_by.and_then(|r| r.origin.clone()),
        });
    }
    for exception in &gathered.exceptions {
        let entity = &mut gathered.entities[gathered.by_lei[&exception.lei]];
        entity.extra.insert(
            exception_key(&exception.category),
            Value::String(if exception.reasons.is_empty() {
                "UNSPECIFIED".to_owned()
            } else {
                exception.reasons.join(", ")
            }),
        );
        if !exception.references.is_empty() {
            entity.extra.insert(
                format!("{}_reference", exception_key(&exception.category)),
                Value::String(exception.references.join(" ")),
            );
        }
    }
    let mut notes: HashMap<&str, Vec<String>> = HashMap::new();
    for exception in &gathered.exceptions {
        notes
            .entry(exception.lei.as_str())
            .or_default()
            .push(exception_sentence(exception));
    }
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut kinds: HashMap<String, &'static str> = HashMap::new();
    let mut taken_ids = HashSet::new();
    let mut taken_names = HashSet::new();
    for (index, record) in gathered.entities.iter().enumerate() {
        let mut name = record.name.clone();
        if !taken_names.insert(fold_name(&name)) {
            name = format!("{} ({})", record.name, record.lei);
            taken_names.insert(fold_name(&name));
        }
        let base = match slugify(&record.name) {
            slug if slug.is_empty() => format!("lei-{}", record.lei.to_ascii_lowercase()),
            slug => slug,
        };
        let mut id = base.clone();
        if !taken_ids.insert(id.clone()) {
            id = format!("{base}-{}", record.lei.to_ascii_lowercase());
            taken_ids.insert(id.clone());
        }
        let mut aliases = Vec::new();
        for alias in &record.aliases {
            if taken_names.insert(fold_name(alias)) {
                aliases.push(alias.clone());
            } else {
                builder.lose("GLEIF other name that another entity bears", || {
                    format!("{} of {}", alias, record.lei)
                });
            }
        }
        let mut entity_ids = record.ids.clone();
        entity_ids.insert("lei".to_owned(), record.lei.clone());
        ids.insert(record.lei.clone(), id.clone());
        kinds.insert(record.lei.clone(), record.kind);
        let entity = Entity {
            id,
            name,
            kind: Kind::new(record.kind),
            aliases,
            country: record.country.clone(),
            sector: None,
            note: notes.get(record.lei.as_str()).map(|n| n.join(" ")),
            sources: if record.source.is_empty() {
                Vec::new()
            } else {
                vec![record.source.clone()]
            },
            ids: entity_ids,
            extra: record.extra.clone(),
        };
        match &record.origin {
            _ if index >= stand_ins => builder.stand_in_at(entity, record.origin.clone()),
            Some(origin) => builder.entity_at(entity, origin.clone()),
            None => builder.entity(entity),
        }
    }
    // A direct parent that is also the ultimate one is one tie, direct and ultimate.
    let direct: HashSet<(String, String)> = gathered
        .relationships
        .iter()
        .filter(|r| r.rel_type == "IS_DIRECTLY_CONSOLIDATED_BY")
        .map(|r| (r.child.clone(), r.parent.clone()))
        .collect();
    let ultimate: HashMap<(String, String), &RrRecord> = gathered
        .relationships
        .iter()
        .filter(|r| r.rel_type == "IS_ULTIMATELY_CONSOLIDATED_BY")
        .map(|r| ((r.child.clone(), r.parent.clone()), r))
        .collect();
    let mut seen = HashSet::new();
    for record in &gathered.relationships {
        let pair = (record.child.clone(), record.parent.clone());
        if !seen.insert((pair.clone(), record.rel_type.clone())) {
            builder.lose(
                "GLEIF relationship record read twice (the first is kept)",
                || record.at.clone(),
            );
            continue;
        }
        let is_ultimate = record.rel_type == "IS_ULTIMATELY_CONSOLIDATED_BY";
        if is_ultimate && direct.contains(&pair) {
            continue;
        }
        let (child, parent) = (&ids[&record.child], &ids[&record.parent]);
        let feeder = record.rel_type == "IS_FEEDER_TO";
        let (rel_type, from, to, target) = if feeder {
            ("invests-in", child, parent, &record.parent)
        } else {
            ("controls", parent, child, &record.child)
        };
        if kinds[target] == "government" || kinds[target] == "person" {
            builder.lose(
                "GLEIF relationship to a government entity (`controls` and `invests-in` cannot end at one)",
                || record.at.clone(),
            );
            continue;
        }
        let mut rel = Relationship::new(RelType::new(rel_type), from.clone(), to.clone());
        let mut set = |key: &str, value: Value| {
            rel.properties.insert(key.to_owned(), value);
        };
        match record.rel_type.as_str() {
            "IS_DIRECTLY_CONSOLIDATED_BY" => {
                set(
                    "interest",
                    Value::String("accounting-consolidation".to_owned()),
                );
                set("holding", Value::String("direct".to_owned()));
            }
            "IS_ULTIMATELY_CONSOLIDATED_BY" => {
                set(
                    "interest",
                    Value::String("accounting-consolidation".to_owned()),
                );
                set("holding", Value::String("indirect".to_owned()));
            }
            "IS_FEEDER_TO" => {}
            _ => set("interest", Value::String("other".to_owned())),
        }
        if let Some(pct) = record.stake_pct {
            set("stake_pct", Value::Float(pct));
        }
        if let Some(date) = record.start {
            set("date", Value::Date(date));
        }
        match (record.start, record.end) {
            (Some(start), Some(end)) if end < start => {
                builder.lose(
                    "GLEIF relationship period that ends before it starts",
                    || format!("{}: {start} to {end}", record.at),
                );
            }
            (_, Some(end)) => set("end_date", Value::Date(end)),
            _ => {}
        }
        if record.ended {
            set("status", Value::String("ended".to_owned()));
        }
        rel.extra = record.extra.clone();
        rel.extra.insert(
            "gleif_relationship".to_owned(),
            Value::String(record.rel_type.clone()),
        );
        if let Some(ultimate) = ultimate.get(&pair).filter(|_| !is_ultimate) {
            rel.extra
                .insert("ultimate_parent".to_owned(), Value::Bool(true));
            if let Some(date) = ultimate.start {
                rel.extra
                    .insert("ultimate_since".to_owned(), Value::Date(date));
            }
        }
        rel.sources.push(record.source.clone());
        match &record.origin {
            Some(origin) => builder.relationship_at(rel, origin.clone()),
            None => builder.relationship(rel),
        }
    }
}
