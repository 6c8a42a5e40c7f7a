//! Parquet files as Spark GraphFrames, DuckDB and Polars read them, into a folder:
//! `nodes.parquet` (`id`, `labels`, then one typed column per node property) and
//! `edges.parquet` (`id`, `src`, `dst`, `type`, then one column per relationship property),
//! uncompressed, in row groups of `ROW_GROUP` rows.
//!
//! Column types: booleans `BOOLEAN`, integers `INT64`, floats `DOUBLE`, full dates `DATE`,
//! text (partial dates as written) `STRING`, lists of text `LIST<STRING>`, and anything else
//! JSON text in a `STRING` column. Temporal values of one kind are typed: local times
//! `TIME(NANOS)`, local date times `TIMESTAMP(NANOS)` (Arrow's `time64[ns]` and `timestamp[ns]`),
//! and, as Arrow has no type that keeps an offset or a zone per value nor a duration of
//! months, days and seconds, the others are structs of typed fields: a time
//! `{time: TIME(NANOS), offset_seconds: INT32}` (the local time of day and its offset east of
//! UTC), a date time `{instant: TIMESTAMP(NANOS, UTC), offset_seconds: INT32, zone: STRING}`
//! (`zone` the IANA name, null at a fixed offset) and a duration `{months: INT64, days: INT64,
//! seconds: INT64, nanoseconds: INT32}` (as Neo4j keeps them). A date time column with an
//! instant outside the nanosecond timestamp's years (1677 to 2262) is ISO 8601 text
//! instead, as `toString` writes it. A property whose name is taken by one of the fixed columns
//! is written as `property_NAME`. **Invariant:** the same graph and selection give the same
//! files.

use std::path::Path;
use std::sync::Arc;

use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{Type, TypePtr};

use std::sync::atomic::AtomicBool;

use super::columns::TemporalKind;
use super::columns::{ColumnType, Elements, json_text, text};
use super::{AtomicFile, Selection};
use crate::model::{Date, Temporal, Value};
use crate::store::Graph;

/// Rows per row group.
pub const ROW_GROUP: usize = 100_000;

/// Why the Parquet files could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParquetError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The Parquet writer refused the data (a bug, or a column it cannot hold).
    #[error("cannot write {path} as Parquet: {message}")]
    Writer {
        path: std::path::PathBuf,
        message: String,
    },
}

/// One column: its name, its type, and how to read its value for a row.
struct Column<'a, R> {
    name: String,
    ty: Kind,
    value: Box<dyn Fn(R) -> Option<Value> + 'a>,
}

/// The Parquet shape of a column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A typed property column.
    Prop(ColumnType),
    /// Required text (ids, types).
    RequiredText,
    /// A required 64-bit integer (relationship numbers).
    RequiredInt,
    /// A required list of text (labels).
    RequiredTexts,
    /// Temporal values as their ISO 8601 text (those a typed column cannot hold).
    IsoText,
}

/// The leaf fields of a struct column of temporal values: name, physical type, logical type,
/// and whether the field may be null.
fn struct_fields(kind: TemporalKind) -> &'static [(&'static str, Physical, Leaf)] {
    match kind {
        TemporalKind::Time => &[
            ("time", Physical::INT64, Leaf::LocalTime),
            ("offset_seconds", Physical::INT32, Leaf::Plain),
        ],
        TemporalKind::DateTime => &[
            ("instant", Physical::INT64, Leaf::Instant),
            ("offset_seconds", Physical::INT32, Leaf::Plain),
            ("zone", Physical::BYTE_ARRAY, Leaf::OptionalText),
        ],
        TemporalKind::Duration => &[
            ("months", Physical::INT64, Leaf::Plain),
            ("days", Physical::INT64, Leaf::Plain),
            ("seconds", Physical::INT64, Leaf::Plain),
            ("nanoseconds", Physical::INT32, Leaf::Plain),
        ],
        TemporalKind::LocalTime | TemporalKind::LocalDateTime => &[],
    }
}

/// The logical shape of a struct field.
#[derive(Clone, Copy)]
enum Leaf {
    Plain,
    LocalTime,
    Instant,
    OptionalText,
}

const NANOS: parquet::basic::TimeUnit = parquet::basic::TimeUnit::NANOS;

fn leaf_type(name: &str, physical: Physical, leaf: Leaf) -> Type {
    let (repetition, logical) = match leaf {
        Leaf::Plain => (Repetition::REQUIRED, None),
        Leaf::LocalTime => (
            Repetition::REQUIRED,
            Some(LogicalType::Time {
                is_adjusted_to_u_t_c: false,
                unit: NANOS,
            }),
        ),
        Leaf::Instant => (
            Repetition::REQUIRED,
            Some(LogicalType::Timestamp {
                is_adjusted_to_u_t_c: true,
                unit: NANOS,
            }),
        ),
        Leaf::OptionalText => (Repetition::OPTIONAL, Some(LogicalType::String)),
    };
    Type::primitive_type_builder(name, physical)
        .with_repetition(repetition)
        .with_logical_type(logical)
        .build()
        .expect("a valid struct field")
}

/// Nanoseconds since the epoch as a Parquet timestamp holds them, when they fit.
fn timestamp_nanos(value: &Temporal) -> Option<i64> {
    match value {
        Temporal::LocalDateTime(t) => i64::try_from(t.epoch_nanos()).ok(),
        Temporal::DateTime(t) => i64::try_from(t.instant()).ok(),
        _ => None,
    }
}

/// One struct field's value of a temporal value: an integer, or text (`None` for null).
enum LeafValue {
    Int(i64),
    Text(Option<String>),
}

fn leaf_value(value: &Temporal, field: &str) -> LeafValue {
    let int = LeafValue::Int;
    match (value, field) {
        (Temporal::Time(t), "time") => int(t.time.nanos()),
        (Temporal::Time(t), "offset_seconds") => int(i64::from(t.offset)),
        (Temporal::DateTime(_), "instant") => int(timestamp_nanos(value).unwrap_or_default()),
        (Temporal::DateTime(t), "offset_seconds") => int(i64::from(t.offset)),
        (Temporal::DateTime(t), "zone") => {
            LeafValue::Text(t.zone.as_ref().map(|z| z.name().to_owned()))
        }
        (Temporal::Duration(d), "months") => int(d.months),
        (Temporal::Duration(d), "days") => int(d.days),
        (Temporal::Duration(d), "seconds") => int(d.seconds),
        (Temporal::Duration(d), "nanoseconds") => int(i64::from(d.nanos)),
        _ => LeafValue::Text(None),
    }
}

fn text_type(name: &str, repetition: Repetition) -> Type {
    Type::primitive_type_builder(name, Physical::BYTE_ARRAY)
        .with_repetition(repetition)
        .with_logical_type(Some(LogicalType::String))
        .build()
        .expect("a valid text column")
}

fn list_type(name: &str, repetition: Repetition) -> Type {
    let element = text_type("element", Repetition::REQUIRED);
    let list = Type::group_type_builder("list")
        .with_repetition(Repetition::REPEATED)
        .with_fields(vec![Arc::new(element)])
        .build()
        .expect("a valid list group");
    Type::group_type_builder(name)
        .with_repetition(repetition)
        .with_logical_type(Some(LogicalType::List))
        .with_fields(vec![Arc::new(list)])
        .build()
        .expect("a valid list column")
}

fn field_type(name: &str, kind: Kind) -> Type {
    let optional = Repetition::OPTIONAL;
    let primitive = |physical, logical| {
        Type::primitive_type_builder(name, physical)
            .with_repetition(optional)
            .with_logical_type(logical)
            .build()
            .expect("a valid column")
    };
    match kind {
        Kind::RequiredText => text_type(name, Repetition::REQUIRED),
        Kind::RequiredInt => Type::primitive_type_builder(name, Physical::INT64)
            .with_repetition(Repetition::REQUIRED)
            .build()
            .expect("a valid column"),
        Kind::RequiredTexts => list_type(name, Repetition::REQUIRED),
        Kind::Prop(ColumnType::Bool) => primitive(Physical::BOOLEAN, None),
        Kind::Prop(ColumnType::Int) => primitive(Physical::INT64, None),
        Kind::Prop(ColumnType::Float) => primitive(Physical::DOUBLE, None),
        Kind::Prop(ColumnType::Date) => primitive(Physical::INT32, Some(LogicalType::Date)),
        Kind::Prop(ColumnType::Texts) => list_type(name, optional),
        Kind::Prop(ColumnType::Text | ColumnType::Json) | Kind::IsoText => {
            text_type(name, optional)
        }
        Kind::Prop(ColumnType::Temporal(TemporalKind::LocalTime)) => primitive(
            Physical::INT64,
            Some(LogicalType::Time {
                is_adjusted_to_u_t_c: false,
                unit: NANOS,
            }),
        ),
        Kind::Prop(ColumnType::Temporal(TemporalKind::LocalDateTime)) => primitive(
            Physical::INT64,
            Some(LogicalType::Timestamp {
                is_adjusted_to_u_t_c: false,
                unit: NANOS,
            }),
        ),
        Kind::Prop(ColumnType::Temporal(kind)) => Type::group_type_builder(name)
            .with_repetition(optional)
            .with_fields(
                struct_fields(kind)
                    .iter()
                    .map(|&(field, physical, leaf)| Arc::new(leaf_type(field, physical, leaf)))
                    .collect(),
            )
            .build()
            .expect("a valid struct column"),
    }
}

/// Writes the leaf columns of a struct column of temporal values.
fn write_struct(
    group: &mut parquet::file::writer::SerializedRowGroupWriter<'_, impl std::io::Write + Send>,
    kind: TemporalKind,
    values: &[Option<Value>],
    missing: impl Fn() -> parquet::errors::ParquetError,
) -> Result<(), parquet::errors::ParquetError> {
    let temporal = |v: &Option<Value>| match v {
        Some(Value::Temporal(t)) => Some(t.as_ref().clone()),
        _ => None,
    };
    let values: Vec<Option<Temporal>> = values.iter().map(temporal).collect();
    for &(field, physical, leaf) in struct_fields(kind) {
        let mut out = group.next_column()?.ok_or_else(&missing)?;
        let mut def: Vec<i16> = Vec::with_capacity(values.len());
        let mut ints: Vec<i64> = Vec::new();
        let mut texts: Vec<ByteArray> = Vec::new();
        for value in &values {
            let Some(value) = value else {
                def.push(0);
                continue;
            };
            match leaf_value(value, field) {
                LeafValue::Int(i) => {
                    def.push(1);
                    ints.push(i);
                }
                LeafValue::Text(Some(text)) => {
                    def.push(2);
                    texts.push(bytes(text));
                }
                LeafValue::Text(None) => def.push(1),
            }
        }
        match (physical, leaf) {
            (_, Leaf::OptionalText) => {
                out.typed::<ByteArrayType>()
                    .write_batch(&texts, Some(&def), None)?;
            }
            (Physical::INT32, _) => {
                let data: Vec<i32> = ints.iter().map(|&i| i as i32).collect();
                out.typed::<Int32Type>()
                    .write_batch(&data, Some(&def), None)?;
            }
            _ => {
                out.typed::<Int64Type>()
                    .write_batch(&ints, Some(&def), None)?;
            }
        }
        out.close()?;
    }
    Ok(())
}

/// Days since 1970-01-01 of a full date (Howard Hinnant's days-from-civil).
pub fn epoch_days(date: Date) -> i32 {
    let (y, m, d) = (
        i64::from(date.year_part()),
        i64::from(date.month_part().unwrap_or(1)),
        i64::from(date.day_part().unwrap_or(1)),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as i32
}

fn bytes(text: String) -> ByteArray {
    ByteArray::from(text.into_bytes())
}

/// Writes one file of `rows`, column by column, a row group at a time.
fn write_file<R: Copy>(
    path: &Path,
    rows: &[R],
    columns: &[Column<'_, R>],
    stop: &Arc<AtomicBool>,
) -> Result<AtomicFile, ParquetError> {
    let io = |source| ParquetError::Io {
        path: path.to_owned(),
        source,
    };
    let writer_error = |e: parquet::errors::ParquetError| ParquetError::Writer {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let fields: Vec<TypePtr> = columns
        .iter()
        .map(|c| Arc::new(field_type(&c.name, c.ty)))
        .collect();
    let schema = Type::group_type_builder("schema")
        .with_fields(fields)
        .build()
        .map_err(writer_error)?;
    let atomic = AtomicFile::create(path).map_err(io)?;
    let file = atomic.writer(stop).map_err(io)?;
    let properties = Arc::new(WriterProperties::builder().build());
    let mut writer =
        SerializedFileWriter::new(file, Arc::new(schema), properties).map_err(writer_error)?;
    for chunk in rows.chunks(ROW_GROUP) {
        let mut group = writer.next_row_group().map_err(writer_error)?;
        for column in columns {
            if let Kind::Prop(ColumnType::Temporal(
                kind @ (TemporalKind::Time | TemporalKind::DateTime | TemporalKind::Duration),
            )) = column.ty
            {
                let values: Vec<Option<Value>> = chunk
                    .iter()
                    .map(|&r| (column.value)(r).filter(|v| !matches!(v, Value::Null)))
                    .collect();
                let missing = || {
                    parquet::errors::ParquetError::General(format!(
                        "the schema has no field in column {}",
                        column.name
                    ))
                };
                write_struct(&mut group, kind, &values, missing).map_err(writer_error)?;
                continue;
            }
            let mut out =
                group
                    .next_column()
                    .map_err(writer_error)?
                    .ok_or_else(|| ParquetError::Writer {
                        path: path.to_owned(),
                        message: format!("the schema has no column {}", column.name),
                    })?;
            let values: Vec<Option<Value>> = chunk
                .iter()
                .map(|&r| (column.value)(r).filter(|v| !matches!(v, Value::Null)))
                .collect();
            let defs: Vec<i16> = values.iter().map(|v| i16::from(v.is_some())).collect();
            match column.ty {
                Kind::RequiredInt => {
                    let data: Vec<i64> = values
                        .iter()
                        .map(|v| match v {
                            Some(Value::Int(i)) => *i,
                            _ => 0,
                        })
                        .collect();
                    out.typed::<Int64Type>()
                        .write_batch(&data, None, None)
                        .map_err(writer_error)?;
                }
                Kind::RequiredText => {
                    let data: Vec<ByteArray> = values
                        .into_iter()
                        .map(|v| match v {
                            Some(Value::String(s)) => bytes(s),
                            _ => bytes(String::new()),
                        })
                        .collect();
                    out.typed::<ByteArrayType>()
                        .write_batch(&data, None, None)
                        .map_err(writer_error)?;
                }
                Kind::RequiredTexts | Kind::Prop(ColumnType::Texts) => {
                    // Definition levels: for an optional list 0 is null, 1 empty, 2 an item;
                    // a required list has no null, so 0 is empty and 1 an item.
                    let base = i16::from(column.ty == Kind::Prop(ColumnType::Texts));
                    let (mut data, mut def, mut rep) = (Vec::new(), Vec::new(), Vec::new());
                    for value in values {
                        match value {
                            Some(Value::List(items)) if !items.is_empty() => {
                                for (i, item) in items.into_iter().enumerate() {
                                    data.push(bytes(match item {
                                        Value::String(s) => s,
                                        other => json_text(&other),
                                    }));
                                    def.push(base + 1);
                                    rep.push(i16::from(i > 0));
                                }
                            }
                            Some(_) => {
                                def.push(base);
                                rep.push(0);
                            }
                            None => {
                                def.push(0);
                                rep.push(0);
                            }
                        }
                    }
                    out.typed::<ByteArrayType>()
                        .write_batch(&data, Some(&def), Some(&rep))
                        .map_err(writer_error)?;
                }
                Kind::Prop(ColumnType::Bool) => {
                    let data: Vec<bool> = values
                        .iter()
                        .filter_map(|v| match v {
                            Some(Value::Bool(b)) => Some(*b),
                            _ => None,
                        })
                        .collect();
                    out.typed::<BoolType>()
                        .write_batch(&data, Some(&defs), None)
                        .map_err(writer_error)?;
                }
                Kind::Prop(ColumnType::Int) => {
                    let data: Vec<i64> = values
                        .iter()
                        .filter_map(|v| match v {
                            Some(Value::Int(i)) => Some(*i),
                            _ => None,
                        })
                        .collect();
                    out.typed::<Int64Type>()
                        .write_batch(&data, Some(&defs), None)
                        .map_err(writer_error)?;
                }
                Kind::Prop(ColumnType::Float) => {
                    let data: Vec<f64> =
                        values.iter().filter_map(|v| v.as_ref()?.as_f64()).collect();
                    out.typed::<DoubleType>()
                        .write_batch(&data, Some(&defs), None)
                        .map_err(writer_error)?;
                }
                Kind::Prop(ColumnType::Date) => {
                    let data: Vec<i32> = values
                        .iter()
                        .filter_map(|v| v.as_ref()?.as_date().map(epoch_days))
                        .collect();
                    out.typed::<Int32Type>()
                        .write_batch(&data, Some(&defs), None)
                        .map_err(writer_error)?;
                }
                Kind::Prop(ColumnType::Temporal(_)) => {
                    let data: Vec<i64> = values
                        .iter()
                        .filter_map(|v| match v.as_ref()? {
                            Value::Temporal(t) => match t.as_ref() {
                                Temporal::LocalTime(t) => Some(t.nanos()),
                                other => timestamp_nanos(other),
                            },
                            _ => None,
                        })
                        .collect();
                    out.typed::<Int64Type>()
                        .write_batch(&data, Some(&defs), None)
                        .map_err(writer_error)?;
                }
                Kind::IsoText => {
                    let data: Vec<ByteArray> = values
                        .iter()
                        .filter_map(|v| match v.as_ref()? {
                            Value::Temporal(t) => Some(bytes(t.to_string())),
                            other => Some(bytes(text(other, ColumnType::Text))),
                        })
                        .collect();
                    out.typed::<ByteArrayType>()
                        .write_batch(&data, Some(&defs), None)
                        .map_err(writer_error)?;
                }
                Kind::Prop(ty @ (ColumnType::Text | ColumnType::Json)) => {
                    let data: Vec<ByteArray> = values
                        .iter()
                        .filter_map(|v| v.as_ref().map(|v| bytes(text(v, ty))))
                        .collect();
                    out.typed::<ByteArrayType>()
                        .write_batch(&data, Some(&defs), None)
                        .map_err(writer_error)?;
                }
            }
            out.close().map_err(writer_error)?;
        }
        group.close().map_err(writer_error)?;
    }
    let mut file = writer.into_inner().map_err(writer_error)?;
    std::io::Write::flush(&mut file).map_err(io)?;
    drop(file);
    Ok(atomic)
}

/// How a property column of type `ty` is written: as its type, but a column of date times
/// with an instant a nanosecond timestamp cannot hold as ISO text.
fn column_kind(ty: ColumnType, values: impl Iterator<Item = Option<Value>>) -> Kind {
    if let ColumnType::Temporal(TemporalKind::LocalDateTime | TemporalKind::DateTime) = ty {
        let mut values = values;
        let fits = values.all(|v| match v {
            Some(Value::Temporal(t)) => timestamp_nanos(&t).is_some(),
            _ => true,
        });
        if !fits {
            return Kind::IsoText;
        }
    }
    Kind::Prop(ty)
}

/// A property column's name, clear of the fixed columns'.
fn column_name(key: &str, fixed: &[&str]) -> String {
    if fixed.contains(&key) {
        format!("property_{key}")
    } else {
        key.to_owned()
    }
}

/// Writes `nodes.parquet` and `edges.parquet` into `dir` (created when missing).
///
/// # Errors
/// When a file cannot be written.
pub fn write_parquet(graph: &Graph, selection: &Selection, dir: &Path) -> Result<(), ParquetError> {
    write_parquet_until(graph, selection, dir, &Arc::default())
}

/// As `write_parquet`, stopping when `stop` is set; both files are put in place only when both
/// are complete, so that a failed or stopped export leaves the folder as it was.
///
/// # Errors
/// When a file cannot be written, or `stop` was set.
pub fn write_parquet_until(
    graph: &Graph,
    selection: &Selection,
    dir: &Path,
    stop: &Arc<AtomicBool>,
) -> Result<(), ParquetError> {
    std::fs::create_dir_all(dir).map_err(|source| ParquetError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let elements = Elements::new(graph, selection);
    let elements = &elements;
    // A node's own `id` is the `id` column when it is the node's key.
    let own_id = !elements.made_up_keys;
    let mut node_columns: Vec<Column<'_, crate::store::NodeId>> = vec![
        Column {
            name: "id".to_owned(),
            ty: Kind::RequiredText,
            value: Box::new(move |n| Some(Value::String(elements.key(n).to_owned()))),
        },
        Column {
            name: "labels".to_owned(),
            ty: Kind::RequiredTexts,
            value: Box::new(move |n| {
                let mut labels: Vec<&str> = graph.node_labels(n).collect();
                labels.sort_unstable();
                Some(Value::List(labels.into_iter().map(Value::from).collect()))
            }),
        },
    ];
    for (key, ty) in elements.node_columns(&elements.nodes) {
        if own_id && key == "id" {
            continue;
        }
        let name = column_name(&key, &["id", "labels"]);
        let ty = column_kind(ty, elements.nodes.iter().map(|&n| graph.node_prop(n, &key)));
        node_columns.push(Column {
            name,
            ty,
            value: Box::new(move |n| graph.node_prop(n, &key)),
        });
    }
    let nodes_path = dir.join("nodes.parquet");
    let nodes_file = write_file(&nodes_path, &elements.nodes, &node_columns, stop)?;
    let mut edge_columns: Vec<Column<'_, crate::store::EdgeId>> = vec![
        Column {
            name: "id".to_owned(),
            ty: Kind::RequiredInt,
            value: Box::new(|e| Some(Value::Int(e.index() as i64))),
        },
        Column {
            name: "src".to_owned(),
            ty: Kind::RequiredText,
            value: Box::new(move |e| {
                Some(Value::String(elements.key(elements.ends(e).0).to_owned()))
            }),
        },
        Column {
            name: "dst".to_owned(),
            ty: Kind::RequiredText,
            value: Box::new(move |e| {
                Some(Value::String(elements.key(elements.ends(e).1).to_owned()))
            }),
        },
        Column {
            name: "type".to_owned(),
            ty: Kind::RequiredText,
            value: Box::new(move |e| Some(Value::String(graph.edge_type(e).to_owned()))),
        },
    ];
    for (key, ty) in elements.edge_columns(&elements.edges) {
        let name = column_name(&key, &["id", "src", "dst", "type"]);
        let ty = column_kind(ty, elements.edges.iter().map(|&e| graph.edge_prop(e, &key)));
        edge_columns.push(Column {
            name,
            ty,
            value: Box::new(move |e| graph.edge_prop(e, &key)),
        });
    }
    let edges_path = dir.join("edges.parquet");
    let edges_file = write_file(&edges_path, &elements.edges, &edge_columns, stop)?;
    for (file, path) in [(nodes_file, nodes_path), (edges_file, edges_path)] {
        file.commit()
            .map_err(|source| ParquetError::Io { path, source })?;
    }
    Ok(())
}
