//! The `csv` importer: any CSV file, with a mapping that says which column holds which field
//! of the model. A file is an entities file (its mapping names `name`) or a relationships
//! file (its mapping names both ends); every column the mapping does not name is kept as a
//! free property, typed as `datafile::cell_value` types it, so that nothing is lost.
//!
//! The mapping comes from `ImportOptions::mapping` (`FIELD=COLUMN` pairs: `id=LEI`,
//! `ids.lei=LEI`, `fixed.kind=company`, `delimiter=;`) and from a TOML file
//! (`ImportOptions::mapping_file`, with `[columns]`, `[fixed]` and `[ids]` tables), the pairs
//! winning. Every problem is reported at its row and column; a mapping naming a column the
//! header lacks is reported at the header, with the nearest column.

pub(crate) mod bulk;

use std::collections::BTreeMap;
// Keyed by the records' own ids and names, hashed once or more a record: the fast hasher.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
use std::path::Path;
use std::sync::Arc;

use super::origin::{Side, Target};
use super::{Builder, ImportFormat, ImportOptions, InputFile, Origin, Place, RecordProblem};
use crate::datafile::{cell_value, url_source};
use crate::model::fields;
use crate::model::{
    Entity, Kind, RelType, Source, Vocabulary, did_you_mean, is_slug, slugify, suggest,
};
use crate::rules;

pub(super) static FORMAT: ImportFormat = ImportFormat {
    name: "csv",
    describes: "a CSV file with a mapping (--map FIELD=COLUMN or a mapping file)",
    extensions: &["csv", "tsv", "txt"],
    recognise: |_| None,
    read,
    read_in_batches: Some(read_in_batches),
    add_in_bulk: Some(bulk::add),
};

/// The fields a mapping may name besides the vocabulary's tie properties and `ids.SCHEME`.
const ENTITY_FIELDS: &[&str] = &["id", "name", "kind", "country", "sector", "note", "aliases"];
const TIE_FIELDS: &[&str] = &[
    "from",
    "to",
    "type",
    "from_name",
    "to_name",
    "from_kind",
    "to_kind",
];
const BOTH_FIELDS: &[&str] = &["source", "source_url"];
const SETTINGS: &[&str] = &["delimiter", "separator"];

/// The mapping, as read from the file and the command line.
#[derive(Debug, Default)]
struct Mapping {
    /// Field → column.
    columns: BTreeMap<String, String>,
    /// Field → the value every row has.
    fixed: BTreeMap<String, String>,
    /// Identifier scheme → column.
    ids: BTreeMap<String, String>,
    delimiter: Option<u8>,
    /// What separates aliases in a cell.
    separator: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    delimiter: Option<String>,
    separator: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    fixed: BTreeMap<String, String>,
    #[serde(default)]
    ids: BTreeMap<String, String>,
}

fn mapping(options: &ImportOptions) -> Result<Mapping, Vec<RecordProblem>> {
    let mut problems = Vec::new();
    let mut file = MappingFile::default();
    let mapping_path = options.mapping_file.clone().unwrap_or_default();
    if let Some(path) = &options.mapping_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![RecordProblem::new(
                path,
                Place::File,
                format!("cannot read the mapping file: {e}"),
            )]
        })?;
        file = toml::from_str(&text).map_err(|e| {
            let place = e
                .span()
                .map_or(Place::File, |span| line_column(&text, span.start));
            vec![
                RecordProblem::new(path, place, format!("the mapping file is not valid: {}", e.message()))
                    .help("a mapping file has `delimiter`, `separator`, and tables [columns], [fixed] and [ids] of field = \"column\""),
            ]
        })?;
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    pairs.extend(file.delimiter.map(|d| ("delimiter".to_owned(), d)));
    pairs.extend(file.separator.map(|s| ("separator".to_owned(), s)));
    pairs.extend(file.columns);
    pairs.extend(
        file.fixed
            .into_iter()
            .map(|(k, v)| (format!("fixed.{k}"), v)),
    );
    pairs.extend(file.ids.into_iter().map(|(k, v)| (format!("ids.{k}"), v)));
    pairs.extend(options.mapping.iter().cloned());
    let vocabulary = Vocabulary::built_in();
    let known: Vec<&str> = ENTITY_FIELDS
        .iter()
        .chain(TIE_FIELDS)
        .chain(BOTH_FIELDS)
        .chain(SETTINGS)
        .copied()
        .chain(vocabulary.properties().iter().map(|p| p.name.as_str()))
        .collect();
    let mut out = Mapping {
        separator: ";".to_owned(),
        ..Mapping::default()
    };
    for (field, value) in pairs {
        let field = field.trim().to_owned();
        let bad = |message: String, help: Option<String>| {
            let p = RecordProblem::new(&mapping_path, Place::File, message);
            match help {
                Some(h) => p.help(h),
                None => p,
            }
        };
        if let Some(scheme) = field.strip_prefix("ids.") {
            out.ids.insert(scheme.to_owned(), value);
        } else if let Some(end) = field
            .strip_prefix("from_")
            .or_else(|| field.strip_prefix("to_"))
            && vocabulary.identifier(end).is_some()
        {
            out.columns.insert(field, value);
        } else if let Some(fixed) = field.strip_prefix("fixed.") {
            if !known.contains(&fixed) {
                problems.push(bad(
                    format!("the mapping has no field \"{fixed}\""),
                    did_you_mean(&suggest(fixed, known.iter().copied())),
                ));
            }
            out.fixed.insert(fixed.to_owned(), value);
        } else if field == "delimiter" {
            match value.as_bytes() {
                [b] => out.delimiter = Some(*b),
                _ if value == "\\t" || value == "tab" => out.delimiter = Some(b'\t'),
                _ => problems.push(bad(
                    format!("the delimiter \"{value}\" is not one character"),
                    Some("write delimiter=; or delimiter=tab".to_owned()),
                )),
            }
        } else if field == "separator" {
            out.separator = value;
        } else if known.contains(&field.as_str()) {
            out.columns.insert(field, value);
        } else {
            let help = did_you_mean(&suggest(&field, known.iter().copied())).unwrap_or_else(|| {
                "fields are id, name, kind, country, sector, note, aliases, ids.SCHEME, from, to, type, from_SCHEME, source, a tie property, or fixed.FIELD".to_owned()
            });
            problems.push(bad(
                format!("the mapping has no field \"{field}\""),
                Some(help),
            ));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn line_column(text: &str, offset: usize) -> Place {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Place::LineColumn { line, column }
}

/// The delimiter the first line uses most: `,`, `;`, a tab or `|`.
fn sniff(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    let mut best = (0, b',');
    for d in [b',', b';', b'\t', b'|'] {
        let mut count = 0;
        let mut quoted = false;
        for b in first.bytes() {
            if b == b'"' {
                quoted = !quoted;
            } else if b == d && !quoted {
                count += 1;
            }
        }
        if count > best.0 {
            best = (count, d);
        }
    }
    best.1
}

/// A relationship's end as a row names it, before it is resolved: `by` is 0 for an id, 1 for
/// a name, 2 for an identifier of `scheme`.
struct End {
    file: Arc<Path>,
    by: u8,
    scheme: String,
    value: String,
    name: Option<String>,
    kind: Option<String>,
    place: Place,
    /// The column it was read from, unless a fixed value.
    column: Option<usize>,
}

/// The fields that name one end of a file's relationships (`from`, `from_name`,
/// `from_kind`, `from_lei`…), worked out once per file.
struct EndFields {
    /// `from` or `to`: the end's id, and the field the rules name the end by.
    id: String,
    name: String,
    kind: String,
    /// The identifier schemes the mapping names for the end, in the vocabulary's order:
    /// (scheme, field).
    schemes: Vec<(String, String)>,
}

impl EndFields {
    fn new(side: &str, mapping: &Mapping, column_of: &HashMap<&str, usize>) -> EndFields {
        let named =
            |field: &str| column_of.contains_key(field) || mapping.fixed.contains_key(field);
        EndFields {
            id: side.to_owned(),
            name: format!("{side}_name"),
            kind: format!("{side}_kind"),
            schemes: Vocabulary::built_in()
                .identifiers()
                .iter()
                .map(|d| (d.name.clone(), format!("{side}_{}", d.name)))
                .filter(|(_, field)| named(field))
                .collect(),
        }
    }

    /// The column an end is read from when all its columns are filled: its id's, else its
    /// first identifier's, else its name's.
    fn usual_column(&self, column_of: &HashMap<&str, usize>) -> Option<usize> {
        std::iter::once(&self.id)
            .chain(self.schemes.iter().map(|(_, field)| field))
            .chain(std::iter::once(&self.name))
            .find_map(|field| column_of.get(field.as_str()).copied())
    }
}

/// The sources a file's rows cite, made once each.
#[derive(Default)]
struct Citations {
    by_cell: HashMap<String, String>,
}

impl Citations {
    fn cite(&mut self, builder: &mut Builder, cell: &str) -> String {
        if let Some(id) = self.by_cell.get(cell) {
            return id.clone();
        }
        let mut source = url_source(cell).unwrap_or_else(|| Source {
            id: if is_slug(cell) {
                cell.to_owned()
            } else {
                slugify(cell)
            },
            title: cell.to_owned(),
            publisher: "cited in a CSV file".to_owned(),
            date: None,
            url: None,
            language: None,
        });
        if source.id.is_empty() {
            source.id = "source".to_owned();
        }
        let stem = source.id.clone();
        let mut n = 1;
        while builder.dataset().source.iter().any(|s| s.id == source.id) {
            n += 1;
            source.id = format!("{stem}-{n}");
        }
        let id = source.id.clone();
        builder.source(source);
        self.by_cell.insert(cell.to_owned(), id.clone());
        id
    }
}

/// The source naming the file itself, for rows that cite none.
fn file_source(path: &Path) -> Source {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Source {
        id: format!("import-{}", slugify(&name)),
        title: format!("Imported from {name}"),
        publisher: "a CSV file".to_owned(),
        date: None,
        url: None,
        language: None,
    }
}

/// Whether a free column's key would name a field of the model or of the mapping, and so
/// takes `csv_` before it.
fn reserved_key(key: &str, mapping: &Mapping) -> bool {
    let vocabulary = Vocabulary::built_in();
    fields::ENTITY.contains(&key)
        || fields::RELATIONSHIP.contains(&key)
        || vocabulary.property(key).is_some()
        || vocabulary.identifier(key).is_some()
        || mapping.ids.contains_key(key)
}

/// A free property's key from its column's header: lower case, with `_` for every run of
/// other characters (`Legal form` is `legal_form`); a key the model names gets `csv_` before it.
fn free_key(header: &str, reserved: &dyn Fn(&str) -> bool) -> String {
    let mut key = slugify(header).replace('-', "_");
    if key.is_empty() {
        key = "column".to_owned();
    }
    if reserved(&key) {
        key = format!("csv_{key}");
    }
    key
}

/// The relationships read, each with its two ends as the row names them, resolved once the
/// rows of a batch (or of the whole input) are read.
type Ends = Vec<(usize, End, End)>;

/// What `read_file` does with the records read so far when a batch is full: false to stop.
type HandOver<'a> = dyn FnMut(&mut Builder, &mut Ends, &mut Vec<RecordProblem>) -> bool + 'a;

fn read(
    files: &[InputFile],
    options: &ImportOptions,
    builder: &mut Builder,
) -> Result<(), Vec<RecordProblem>> {
    let mapping = mapping(options)?;
    let mut problems = Vec::new();
    let mut ends = Ends::new();
    for file in files {
        read_file(
            file,
            &mapping,
            builder,
            &mut ends,
            &mut problems,
            (usize::MAX, &mut |_, _, _| true),
        );
    }
    resolve_ends(builder, ends, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// `read`, a batch of `rows` records at a time. A batch resolves its ends among its own
/// entities only: an end it cannot resolve is left to the whole import (`take` refuses the
/// batch, and `read` runs).
fn read_in_batches(
    files: &[InputFile],
    options: &ImportOptions,
    rows: usize,
    take: &mut dyn FnMut(super::Imported) -> bool,
) -> bool {
    let Ok(mapping) = mapping(options) else {
        return false;
    };
    let mut problems = Vec::new();
    let mut builder = Builder::default();
    let mut ends = Ends::new();
    let mut hand_over = |builder: &mut Builder, ends: &mut Ends, problems: &mut Vec<_>| {
        resolve_ends(builder, std::mem::take(ends), problems);
        problems.is_empty() && take(std::mem::take(builder).finish())
    };
    for file in files {
        let batches = (rows.max(1), &mut hand_over as &mut HandOver<'_>);
        if !read_file(
            file,
            &mapping,
            &mut builder,
            &mut ends,
            &mut problems,
            batches,
        ) {
            return false;
        }
    }
    problems.is_empty() && hand_over(&mut builder, &mut ends, &mut problems)
}

/// Reads `file`'s rows into `builder` (and their ends into `ends`), handing the records over
/// whenever `batches.0` have been read. False when a hand-over refused them, or the file
/// cannot be read as the mapping says (the problems pushed).
fn read_file(
    file: &InputFile,
    mapping: &Mapping,
    builder: &mut Builder,
    ends: &mut Ends,
    problems: &mut Vec<RecordProblem>,
    batches: (usize, &mut HandOver<'_>),
) -> bool {
    let (rows_per_batch, hand_over) = batches;
    let text = match file.text() {
        Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text),
        Err(problem) => {
            problems.push(problem);
            return false;
        }
    };
    let path = &file.path;
    let delimiter = mapping.delimiter.unwrap_or_else(|| sniff(text));
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_owned()).collect(),
        Err(e) => {
            problems.push(RecordProblem::new(
                path,
                Place::Byte(0),
                format!("cannot read the header: {e}"),
            ));
            return false;
        }
    };
    let ties = ["from", "to"].iter().all(|end| {
        mapping.columns.keys().any(|f| {
            f == end
                || f == &format!("{end}_name")
                || f.strip_prefix(&format!("{end}_"))
                    .is_some_and(|s| Vocabulary::built_in().identifier(s).is_some())
        })
    });
    // Every column the mapping names must be in the header.
    let mut column_of: HashMap<&str, usize> = HashMap::default();
    let mut used = vec![false; header.len()];
    let mut ok = true;
    let named = mapping
        .columns
        .iter()
        .map(|(f, c)| (f.as_str(), c))
        .chain(mapping.ids.iter().map(|(s, c)| (s.as_str(), c)));
    for (field, column) in named {
        match header.iter().position(|h| h == column.trim()) {
            Some(i) => {
                column_of.insert(field, i);
                used[i] = true;
            }
            None => {
                ok = false;
                let near = suggest(column, header.iter().map(String::as_str));
                let help = did_you_mean(&near)
                    .unwrap_or_else(|| format!("the header is {}", header.join(", ")));
                problems.push(
                    RecordProblem::new(
                        path,
                        Place::Cell {
                            row: 1,
                            column: column.clone(),
                        },
                        format!("the mapping's `{field}` names the column \"{column}\", which the header lacks"),
                    )
                    .help(help),
                );
            }
        }
    }
    let vocabulary = Vocabulary::built_in();
    if !ties && !column_of.contains_key("name") && ok {
        problems.push(
            RecordProblem::new(path, Place::File, "the mapping names no `name` column and no `from` and `to`")
                .help("map an entities file's name (--map name=COLUMN), or a relationships file's ends (--map from=COLUMN --map to=COLUMN)"),
        );
        return false;
    }
    if !ok {
        return false;
    }
    let reserved = |key: &str| reserved_key(key, mapping);
    let free: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter(|(i, _)| !used[*i])
        .map(|(i, h)| (i, free_key(h, &reserved)))
        .collect();
    let file_source = file_source(path);
    let file_path: Arc<Path> = Arc::from(path.as_path());
    // Each field's column, shared by every row's origin: the mapped fields, the ends under
    // the field the rules name them by, and the free columns under their keys.
    let mut field_columns: BTreeMap<String, String> = column_of
        .iter()
        .map(|(field, i)| ((*field).to_owned(), header[*i].clone()))
        .collect();
    let (from_fields, to_fields) = (
        EndFields::new("from", mapping, &column_of),
        EndFields::new("to", mapping, &column_of),
    );
    for side in [&from_fields, &to_fields] {
        if let Some(i) = side.usual_column(&column_of) {
            field_columns.insert(side.id.clone(), header[i].clone());
        }
    }
    for (i, key) in &free {
        field_columns.insert(key.clone(), header[*i].clone());
    }
    let columns = Arc::new(field_columns);
    let record_field = if ties { "type" } else { "name" };
    let record_column = column_of
        .get(record_field)
        .map_or_else(|| format!("fixed.{record_field}"), |i| header[*i].clone());
    let mut citations = Citations::default();
    let kinds: Vec<&str> = vocabulary.kinds().iter().map(|k| k.name.as_str()).collect();
    let spellings: Vec<&str> = vocabulary
        .relationships()
        .iter()
        .map(|r| r.name.as_str())
        .chain(vocabulary.edge_types().iter().map(String::as_str))
        .collect();
    let mut record = ::csv::StringRecord::new();
    loop {
        let read = builder.dataset().relationship.len() + builder.dataset().entity.len();
        if read >= rows_per_batch && !hand_over(builder, ends, problems) {
            return false;
        }
        let row = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                problems.push(RecordProblem::new(
                    path,
                    Place::Cell {
                        row,
                        column: String::new(),
                    },
                    format!("unreadable row: {e}"),
                ));
                continue;
            }
        }
        let row = record.position().map_or(row, |p| p.line() as usize);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let at = |field: &str| Place::Cell {
            row,
            column: column_of
                .get(field)
                .map_or_else(|| format!("fixed.{field}"), |i| header[*i].clone()),
        };
        let cell = |field: &str| -> Option<&str> {
            match column_of.get(field) {
                Some(i) => record.get(*i).map(str::trim).filter(|c| !c.is_empty()),
                None => mapping.fixed.get(field).map(String::as_str),
            }
        };
        // Where each field of the row's record was read, for the rules' problems.
        let origin = Origin::row(file_path.clone(), row, &record_column, columns.clone());
        let mut row_ok = true;
        let mut report = |problem: RecordProblem| {
            row_ok = false;
            problems.push(problem);
        };
        let mut extra = BTreeMap::new();
        for (i, key) in &free {
            if let Some(text) = record.get(*i).map(str::trim).filter(|c| !c.is_empty()) {
                extra.insert(key.clone(), cell_value(text));
            }
        }
        let sources: Vec<String> = match cell("source").or_else(|| cell("source_url")) {
            Some(text) => text
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| citations.cite(builder, s))
                .collect(),
            None => {
                if !builder.has_source(&file_source.id) {
                    builder.source(file_source.clone());
                }
                vec![file_source.id.clone()]
            }
        };
        if !ties {
            let Some(name) = cell("name") else {
                report(RecordProblem::new(path, at("name"), "the name is empty"));
                continue;
            };
            let id = match cell("id") {
                Some(id) if is_slug(id) => id.to_owned(),
                Some(id) => slugify(id),
                None => slugify(name),
            };
            let kind = match cell("kind") {
                None => {
                    report(
                        RecordProblem::new(path, at("kind"), "the kind is empty")
                            .help("map a kind column (--map kind=COLUMN) or give every row one (--map fixed.kind=company)"),
                    );
                    continue;
                }
                Some(kind) => match rules::word(
                    "kind",
                    &kind.to_lowercase(),
                    |k| kinds.contains(&k).then_some(()),
                    &kinds,
                ) {
                    Ok(()) => kind.to_lowercase(),
                    Err(broken) => {
                        report(
                            RecordProblem::new(path, at("kind"), broken.message)
                                .help(broken.help.unwrap_or_default()),
                        );
                        continue;
                    }
                },
            };
            let mut entity = Entity::new(id, name, Kind::new(kind));
            entity.country = cell("country").map(str::to_owned);
            entity.sector = cell("sector").map(str::to_owned);
            entity.note = cell("note").map(str::to_owned);
            if let Some(aliases) = cell("aliases") {
                entity.aliases = aliases
                    .split(mapping.separator.as_str())
                    .map(str::trim)
                    .filter(|a| !a.is_empty() && *a != name)
                    .map(str::to_owned)
                    .collect();
            }
            for scheme in mapping.ids.keys() {
                if let Some(value) = cell(scheme) {
                    entity.ids.insert(scheme.clone(), value.to_owned());
                }
            }
            if cell("source").is_some() || cell("source_url").is_some() {
                entity.sources = sources;
            }
            entity.extra = extra;
            if row_ok {
                builder.entity_at(entity, origin);
            }
            continue;
        }
        // A relationships file.
        let rel_type = match cell("type") {
            None => {
                report(
                    RecordProblem::new(path, at("type"), "the relationship type is empty")
                        .help("map a type column (--map type=COLUMN) or give every row one (--map fixed.type=invests-in)"),
                );
                None
            }
            Some(t) => {
                match rules::word("type", t, |t| vocabulary.relationship_index(t), &spellings) {
                    Ok(i) => Some(&vocabulary.relationships()[i]),
                    Err(broken) => {
                        report(
                            RecordProblem::new(path, at("type"), broken.message)
                                .help(broken.help.unwrap_or_default()),
                        );
                        None
                    }
                }
            }
        };
        let mut properties = BTreeMap::new();
        for def in vocabulary.properties() {
            let Some(text) = cell(&def.name) else {
                continue;
            };
            let value = match crate::datafile::property_cell(def, text) {
                Ok(value) => value,
                Err((_, message, help)) => {
                    let p = RecordProblem::new(path, at(&def.name), message);
                    report(match help {
                        Some(h) => p.help(h),
                        None => p,
                    });
                    continue;
                }
            };
            if let Some(rel) = rel_type {
                if !vocabulary.allows(rel, &def.name) {
                    let broken = rules::property_not_on(&def.name, rel);
                    report(
                        RecordProblem::new(path, at(&def.name), broken.message)
                            .help(broken.help.unwrap_or_default()),
                    );
                    continue;
                }
                if let Some(broken) =
                    rules::property_value(def, vocabulary.words(Some(rel), def), &value)
                {
                    report(
                        RecordProblem::new(path, at(&def.name), broken.message)
                            .help(broken.help.unwrap_or_default()),
                    );
                    continue;
                }
            }
            properties.insert(def.name.clone(), def.canonical(value));
        }
        let mut end = |side: &EndFields| -> Option<End> {
            let name = cell(&side.name).map(str::to_owned);
            let kind = cell(&side.kind).map(str::to_owned);
            let by_scheme = side
                .schemes
                .iter()
                .find_map(|(scheme, field)| cell(field).map(|v| (scheme, v, field.as_str())));
            let (by, scheme, value, field) = if let Some(id) = cell(&side.id) {
                (0, String::new(), id.to_owned(), side.id.as_str())
            } else if let Some((scheme, value, field)) = by_scheme {
                (2, scheme.clone(), value.to_owned(), field)
            } else if let Some(name) = &name {
                (1, String::new(), name.clone(), side.name.as_str())
            } else {
                report(RecordProblem::new(
                    path,
                    at(&side.id),
                    format!("the `{}` end is empty", side.id),
                ));
                return None;
            };
            Some(End {
                file: file_path.clone(),
                by,
                scheme,
                value,
                name,
                kind,
                place: at(field),
                column: column_of.get(field).copied(),
            })
        };
        let (from, to) = (end(&from_fields), end(&to_fields));
        let (Some(rel), Some(from), Some(to)) = (rel_type, from, to) else {
            continue;
        };
        if !row_ok {
            continue;
        }
        let mut relationship =
            crate::model::Relationship::new(RelType::new(rel.name.clone()), "", "");
        relationship.properties = properties;
        relationship.sources = sources;
        relationship.extra = extra;
        // An end read from another column than its file's usual one is placed there.
        let mut origin = origin;
        for (side, end) in [(&from_fields, &from), (&to_fields, &to)] {
            if end.column != side.usual_column(&column_of) {
                origin = origin.field(side.id.clone(), end.place.clone());
            }
        }
        let index = builder.dataset().relationship.len();
        builder.relationship_at(relationship, origin);
        ends.push((index, from, to));
    }
    true
}

/// Gives each relationship its ends' ids: an id as it is (made a slug), a name or identifier
/// by the entity imported with it, or else a new entity when the row says its kind.
fn resolve_ends(
    builder: &mut Builder,
    ends: Vec<(usize, End, End)>,
    problems: &mut Vec<RecordProblem>,
) {
    let mut by_name: HashMap<String, String> = HashMap::default();
    let mut by_ident: HashMap<(String, String), String> = HashMap::default();
    let mut ids: std::collections::HashSet<String> = std::collections::HashSet::default();
    for e in &builder.dataset().entity {
        by_name.insert(crate::model::fold_name(&e.name), e.id.clone());
        for (s, v) in &e.ids {
            by_ident.insert((s.clone(), v.clone()), e.id.clone());
        }
        ids.insert(e.id.clone());
    }
    let kinds: Vec<String> = Vocabulary::built_in()
        .kinds()
        .iter()
        .map(|k| k.name.clone())
        .collect();
    for (index, from, to) in ends {
        let mut resolved = Vec::new();
        let mut references = Vec::new();
        for (side, mut end) in [(Side::From, from), (Side::To, to)] {
            let found = match end.by {
                // An id is the end: it is moved, unless a kind asks for the end to be made.
                0 if end.kind.is_none() && is_slug(&end.value) => {
                    Some(std::mem::take(&mut end.value))
                }
                0 => Some(if is_slug(&end.value) {
                    end.value.clone()
                } else {
                    slugify(&end.value)
                }),
                1 => by_name.get(&crate::model::fold_name(&end.value)).cloned(),
                _ => by_ident
                    .get(&(end.scheme.clone(), end.value.clone()))
                    .cloned(),
            };
            let id = match (found, &end.kind) {
                (Some(id), None) => id,
                (Some(id), Some(_)) if end.by != 0 || ids.contains(&id) => id,
                (found, Some(kind)) => {
                    let kind = kind.to_lowercase();
                    if !kinds.contains(&kind) {
                        let names: Vec<&str> = kinds.iter().map(String::as_str).collect();
                        let help = did_you_mean(&suggest(&kind, names.iter().copied()))
                            .unwrap_or_else(|| format!("write one of {}", names.join(", ")));
                        problems.push(
                            RecordProblem::new(
                                &end.file,
                                end.place.clone(),
                                format!("`kind` cannot be \"{kind}\""),
                            )
                            .help(help),
                        );
                        continue;
                    }
                    let name = end.name.clone().unwrap_or_else(|| end.value.clone());
                    let id = found.unwrap_or_else(|| slugify(&name));
                    let mut entity = Entity::new(id.clone(), name.clone(), Kind::new(kind));
                    if end.by == 2 {
                        entity.ids.insert(end.scheme.clone(), end.value.clone());
                        by_ident.insert((end.scheme.clone(), end.value.clone()), id.clone());
                    }
                    by_name.insert(crate::model::fold_name(&name), id.clone());
                    ids.insert(id.clone());
                    builder.entity_at(entity, Origin::in_file(end.file.clone(), end.place.clone()));
                    id
                }
                (None, None) => {
                    // Not imported with it: the entity already in the graph, found by the merge.
                    let target = if end.by == 1 {
                        Target::Name(end.value.clone())
                    } else {
                        Target::Identifier {
                            scheme: end.scheme.clone(),
                            value: end.value.clone(),
                        }
                    };
                    let help = format!(
                        "import the entities first (or in the same run), or give the end's kind (--map fixed.{}_kind=company) to make one",
                        side.field()
                    );
                    references.push((side, target, end.file, end.place, help));
                    String::new()
                }
            };
            resolved.push(id);
        }
        if let Ok([from, to]) = <[String; 2]>::try_from(resolved) {
            let rel = &mut builder.dataset_mut().relationship[index];
            rel.from = from;
            rel.to = to;
            for (side, target, file, place, help) in references {
                builder.refer(index, side, target, &file, place, Some(help));
            }
        }
    }
}
