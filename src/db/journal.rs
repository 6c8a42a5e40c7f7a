//! The journal's form: a header naming the data file it applies to, then one line per
//! committed statement, each `LENGTH CRC32 JSON` so that a torn or damaged record is caught.
//! A checkpoint appends one more record naming the data file it is about to write, so that a
//! journal already folded into its data file is told apart from a data file edited by hand.
//!
//! **Invariant:** values keep their type through the journal: integers stay integers, floats
//! floats (NaN and infinities included), dates dates, maps maps.
//! **Invariant:** only the bytes after the last newline can be torn; a complete line that does
//! not read back is damage, never silently dropped.

use std::collections::BTreeMap;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value as Json, json};

use crate::model::{Date, Value};
use crate::store::{Change, Witness};

/// The format this version writes; a journal of a later version is refused. Version 1 had no
/// witnesses and no checkpoint records; it is still read.
pub const VERSION: u32 = 2;

/// Size and CRC-32 of a data file's bytes: what a header and a checkpoint name.
pub type Fingerprint = (u64, u32);

/// Size and checksum of `bytes`. A snapshot's checksum comes from the one it ends with
/// (`snapshot::file_checksum`), which reading it checks, so opening one reads its bytes once.
pub fn fingerprint(bytes: &[u8]) -> Fingerprint {
    (
        bytes.len() as u64,
        crate::store::snapshot::file_checksum(bytes),
    )
}

/// The first line: `alliances-journal 2 base SIZE CRC`.
pub fn header(base: Fingerprint) -> String {
    format!(
        "alliances-journal {VERSION} base {} {:08x}\n",
        base.0, base.1
    )
}

/// (version, base) of a header line.
pub fn parse_header(line: &str) -> Option<(u32, Fingerprint)> {
    let mut parts = line.split_whitespace();
    if parts.next()? != "alliances-journal" {
        return None;
    }
    let version = parts.next()?.parse().ok()?;
    if parts.next()? != "base" {
        return None;
    }
    let size = parts.next()?.parse().ok()?;
    let crc = u32::from_str_radix(parts.next()?, 16).ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some((version, (size, crc)))
}

fn frame(body: &str) -> String {
    format!(
        "{} {:08x} {body}\n",
        body.len(),
        crc32fast::hash(body.as_bytes())
    )
}

/// One statement's record: its text (for people), the elements it touched as they were before
/// it (checked before a replay), and its changes.
pub fn record(statement: &str, witnesses: &[Witness], changes: &[Change]) -> String {
    // Written straight from the changes, without a JSON tree: this runs once per statement.
    let body = serde_json::to_string(&RecordOut {
        statement,
        expect: witnesses,
        changes,
    })
    .expect("a record of strings, numbers and lists always serializes");
    frame(&body)
}

/// The record a checkpoint appends before it replaces the data file with `target`.
pub fn checkpoint(target: Fingerprint) -> String {
    frame(
        &json!({"checkpoint": {"size": target.0, "crc": format!("{:08x}", target.1)}}).to_string(),
    )
}

/// A record read back.
#[derive(Debug)]
pub enum Record {
    Statement {
        text: String,
        witnesses: Vec<Witness>,
        changes: Vec<Change>,
    },
    /// The data file was about to be replaced by one with this fingerprint.
    Checkpoint(Fingerprint),
}

/// Reads one complete record line (without its newline).
///
/// # Errors
/// Says why the line is not a sound record.
pub fn read_record(line: &[u8]) -> Result<Record, String> {
    let mut parts = line.splitn(3, |b| *b == b' ');
    let (Some(len), Some(crc), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("the record is cut short".to_owned());
    };
    let parsed = std::str::from_utf8(len)
        .ok()
        .and_then(|l| l.parse::<usize>().ok())
        .zip(
            std::str::from_utf8(crc)
                .ok()
                .filter(|c| c.len() == 8)
                .and_then(|c| u32::from_str_radix(c, 16).ok()),
        );
    let Some((len, crc)) = parsed else {
        return Err("the record's length or checksum is unreadable".to_owned());
    };
    if body.len() != len {
        return Err(format!(
            "the record holds {} bytes, not the {len} it announces",
            body.len()
        ));
    }
    if crc32fast::hash(body) != crc {
        return Err("the record does not match its checksum".to_owned());
    }
    let Ok(json) = serde_json::from_slice::<Json>(body) else {
        return Err("the record is not JSON".to_owned());
    };
    if let Some(point) = json.get("checkpoint") {
        let size = point["size"].as_u64();
        let crc = point["crc"]
            .as_str()
            .and_then(|c| u32::from_str_radix(c, 16).ok());
        return match size.zip(crc) {
            Some(fp) => Ok(Record::Checkpoint(fp)),
            None => Err("the checkpoint record is unreadable".to_owned()),
        };
    }
    let changes = json["changes"].as_array().and_then(|list| {
        list.iter()
            .map(change_from_json)
            .collect::<Option<Vec<_>>>()
    });
    let witnesses = match json.get("expect") {
        None => Some(Vec::new()),
        Some(list) => list.as_array().and_then(|list| {
            list.iter()
                .map(witness_from_json)
                .collect::<Option<Vec<_>>>()
        }),
    };
    match (changes, witnesses) {
        (Some(changes), Some(witnesses)) => Ok(Record::Statement {
            text: json["statement"].as_str().unwrap_or_default().to_owned(),
            witnesses,
            changes,
        }),
        _ => Err("the record's changes are unreadable".to_owned()),
    }
}

/// What a journal's bytes hold.
#[derive(Debug, Default)]
pub struct Scan {
    /// The header's version and base, when the first line is a header.
    pub header: Option<(u32, Fingerprint)>,
    /// Where the records start (just past the header).
    pub body_start: usize,
    /// Every sound record with its byte offset.
    pub records: Vec<(usize, Record)>,
    /// Complete lines that are not sound records: offset and reason.
    pub damaged: Vec<(usize, String)>,
    /// The offset of bytes after the last newline: a record cut off while it was appended.
    pub torn: Option<usize>,
}

impl Scan {
    /// Where the journal's sound part ends: the start of the torn tail, or the end.
    pub fn good_end(&self, len: usize) -> usize {
        self.torn.unwrap_or(len)
    }

    /// Whether a statement's record was cut short: a torn tail after a whole header. A
    /// journal without one (none, empty, or cut while its header was written) held no
    /// statement.
    pub fn cut_record(&self) -> bool {
        self.torn.is_some() && self.header.is_some()
    }
}

/// Reads a journal's bytes line by line. Nothing here decides what to do with damage.
pub fn scan(bytes: &[u8]) -> Scan {
    let mut scan = Scan::default();
    let Some(header_end) = bytes.iter().position(|b| *b == b'\n') else {
        // Not even a whole header: cut off while the journal was started, when it is the start
        // of one; anything else is damage, however short.
        let start = b"alliances-journal ";
        let torn_header = bytes.len() < 64
            && (start.starts_with(bytes) || bytes.starts_with(start))
            && bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
        if torn_header {
            scan.torn = Some(0);
        } else if !bytes.is_empty() {
            scan.damaged
                .push((0, "its first line is not a journal header".to_owned()));
        }
        return scan;
    };
    match std::str::from_utf8(&bytes[..header_end])
        .ok()
        .and_then(parse_header)
    {
        Some(header) => scan.header = Some(header),
        None => {
            scan.damaged
                .push((0, "its first line is not a journal header".to_owned()));
        }
    }
    let mut offset = header_end + 1;
    scan.body_start = offset;
    while offset < bytes.len() {
        let Some(len) = bytes[offset..].iter().position(|b| *b == b'\n') else {
            if is_cut_short(&bytes[offset..]) {
                scan.torn = Some(offset);
            } else {
                scan.damaged.push((
                    offset,
                    "the last record is whole but does not end its line".to_owned(),
                ));
            }
            break;
        };
        let line = &bytes[offset..offset + len];
        match read_record(line) {
            Ok(record) => scan.records.push((offset, record)),
            Err(reason) => {
                scan.damaged.push((offset, reason));
                // A damaged newline joins a record to the next: find where a sound one starts.
                if let Some((at, record)) = resync(line) {
                    scan.records.push((offset + at, record));
                }
            }
        }
        offset += len + 1;
    }
    scan
}

/// The first sound record that starts inside a damaged line, with its place in the line.
fn resync(line: &[u8]) -> Option<(usize, Record)> {
    (1..line.len())
        .filter(|&p| line[p].is_ascii_digit() && !line[p - 1].is_ascii_digit())
        .find_map(|p| read_record(&line[p..]).ok().map(|record| (p, record)))
}

/// Whether the bytes after the last newline can be the start of a record that a crash cut off:
/// shorter than the record they announce. As long as it or longer, they are a record whose
/// newline was damaged, which was acknowledged and must not be dropped.
fn is_cut_short(tail: &[u8]) -> bool {
    let Some(space) = tail.iter().position(|b| *b == b' ') else {
        return true;
    };
    let announced = std::str::from_utf8(&tail[..space])
        .ok()
        .and_then(|l| l.parse::<usize>().ok());
    match announced {
        // LEN, a space, eight hex digits, a space, the body, the newline.
        Some(len) => tail.len() < (space + 1 + 8 + 1).saturating_add(len).saturating_add(1),
        None => !tail[..space].iter().all(u8::is_ascii_digit) || space == 0,
    }
}

/// How a record is written: the JSON `read_record` reads back.
struct RecordOut<'a> {
    statement: &'a str,
    expect: &'a [Witness],
    changes: &'a [Change],
}

impl Serialize for RecordOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("statement", self.statement)?;
        map.serialize_entry("expect", &Seq(self.expect.iter().map(WitnessOut)))?;
        map.serialize_entry("changes", &Seq(self.changes.iter().map(ChangeOut)))?;
        map.end()
    }
}

/// A sequence written from an iterator, once.
struct Seq<I>(I);

impl<I> Serialize for Seq<I>
where
    I: Iterator + Clone,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

struct WitnessOut<'a>(&'a Witness);

impl Serialize for WitnessOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Witness::Node { node, id } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("node", node)?;
                map.serialize_entry("id", id)?;
                map.end()
            }
            Witness::Edge {
                edge,
                from,
                to,
                rel_type,
            } => {
                let mut map = s.serialize_map(Some(4))?;
                map.serialize_entry("edge", edge)?;
                map.serialize_entry("from", from)?;
                map.serialize_entry("to", to)?;
                map.serialize_entry("type", rel_type)?;
                map.end()
            }
        }
    }
}

/// A value with its type kept: finite floats and integers as numbers, the rest tagged.
struct ValueOut<'a>(&'a Value);

impl Serialize for ValueOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let tagged = |s: S, tag: &str, text: String| {
            let mut map = s.serialize_map(Some(1))?;
            map.serialize_entry(tag, &text)?;
            map.end()
        };
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) if f.is_finite() => s.serialize_f64(*f),
            Value::Float(f) => tagged(s, "float", f.to_string()),
            Value::String(text) => s.serialize_str(text),
            Value::Date(d) => tagged(s, "date", d.to_string()),
            Value::Temporal(t) => tagged(s, t.type_name(), t.to_string()),
            Value::List(items) => s.collect_seq(items.iter().map(ValueOut)),
            Value::Map(entries) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("map", &MapOut(entries))?;
                map.end()
            }
        }
    }
}

struct MapOut<'a>(&'a BTreeMap<String, Value>);

impl Serialize for MapOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, ValueOut(v))))
    }
}

/// Properties as `[key, value]` pairs, in order.
struct PropsOut<'a>(&'a [(String, Value)]);

impl Serialize for PropsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|(k, v)| (k, ValueOut(v))))
    }
}

struct ChangeOut<'a>(&'a Change);

impl Serialize for ChangeOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        // Each change: its op, the element it is about (constraints have names, not element
        // numbers), then what it says.
        match self.0 {
            Change::AddNode { id, labels, props } => {
                map.serialize_entry("op", "add-node")?;
                map.serialize_entry("id", id)?;
                map.serialize_entry("labels", labels)?;
                map.serialize_entry("props", &PropsOut(props))?;
            }
            Change::AddEdge {
                id,
                from,
                to,
                rel_type,
                props,
            } => {
                map.serialize_entry("op", "add-edge")?;
                map.serialize_entry("id", id)?;
                map.serialize_entry("from", from)?;
                map.serialize_entry("to", to)?;
                map.serialize_entry("type", rel_type)?;
                map.serialize_entry("props", &PropsOut(props))?;
            }
            Change::RemoveNode { id } => {
                map.serialize_entry("op", "remove-node")?;
                map.serialize_entry("id", id)?;
            }
            Change::RemoveEdge { id } => {
                map.serialize_entry("op", "remove-edge")?;
                map.serialize_entry("id", id)?;
            }
            Change::SetNodeProp { node, key, value } => {
                map.serialize_entry("op", "set-node")?;
                map.serialize_entry("id", node)?;
                map.serialize_entry("key", key)?;
                map.serialize_entry("value", &ValueOut(value))?;
            }
            Change::SetEdgeProp { edge, key, value } => {
                map.serialize_entry("op", "set-edge")?;
                map.serialize_entry("id", edge)?;
                map.serialize_entry("key", key)?;
                map.serialize_entry("value", &ValueOut(value))?;
            }
            Change::AddLabel { node, label } => {
                map.serialize_entry("op", "add-label")?;
                map.serialize_entry("id", node)?;
                map.serialize_entry("label", label)?;
            }
            Change::RemoveLabel { node, label } => {
                map.serialize_entry("op", "remove-label")?;
                map.serialize_entry("id", node)?;
                map.serialize_entry("label", label)?;
            }
            Change::AddConstraint(c) => {
                map.serialize_entry("op", "add-constraint")?;
                map.serialize_entry("name", &c.name)?;
                map.serialize_entry("label", &c.label)?;
                map.serialize_entry("keys", &c.keys)?;
            }
            Change::DropConstraint { name } => {
                map.serialize_entry("op", "drop-constraint")?;
                map.serialize_entry("name", name)?;
            }
        }
        map.end()
    }
}

fn witness_from_json(json: &Json) -> Option<Witness> {
    let number = |key: &str| json[key].as_u64().and_then(|n| u32::try_from(n).ok());
    if json.get("node").is_some() {
        let id = match &json["id"] {
            Json::Null => None,
            Json::String(s) => Some(s.clone()),
            _ => return None,
        };
        Some(Witness::Node {
            node: number("node")?,
            id,
        })
    } else {
        Some(Witness::Edge {
            edge: number("edge")?,
            from: number("from")?,
            to: number("to")?,
            rel_type: json["type"].as_str()?.to_owned(),
        })
    }
}

fn value_from_json(json: &Json) -> Option<Value> {
    Some(match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) if n.is_i64() => Value::Int(n.as_i64()?),
        Json::Number(n) => Value::Float(n.as_f64()?),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => {
            Value::List(items.iter().map(value_from_json).collect::<Option<_>>()?)
        }
        Json::Object(o) => {
            if let Some(d) = o.get("date").and_then(Json::as_str) {
                Value::Date(d.parse::<Date>().ok()?)
            } else if let Some((kind, text)) = o.iter().next().filter(|_| o.len() == 1)
                && let Some(text) = text.as_str()
                && let Ok(t) = crate::model::Temporal::parse(kind, text)
            {
                Value::Temporal(Box::new(t))
            } else if let Some(f) = o.get("float").and_then(Json::as_str) {
                Value::Float(f.parse().ok()?)
            } else {
                let map = o.get("map")?.as_object()?;
                Value::Map(
                    map.iter()
                        .map(|(k, v)| Some((k.clone(), value_from_json(v)?)))
                        .collect::<Option<BTreeMap<_, _>>>()?,
                )
            }
        }
    })
}

fn props_from_json(json: &Json) -> Option<Vec<(String, Value)>> {
    json.as_array()?
        .iter()
        .map(|pair| {
            Some((
                pair.get(0)?.as_str()?.to_owned(),
                value_from_json(pair.get(1)?)?,
            ))
        })
        .collect()
}

fn change_from_json(json: &Json) -> Option<Change> {
    let id = || json["id"].as_u64().and_then(|i| u32::try_from(i).ok());
    let text = |key: &str| json[key].as_str().map(str::to_owned);
    Some(match json["op"].as_str()? {
        "add-node" => Change::AddNode {
            id: id()?,
            labels: json["labels"]
                .as_array()?
                .iter()
                .map(|l| l.as_str().map(str::to_owned))
                .collect::<Option<_>>()?,
            props: props_from_json(&json["props"])?,
        },
        "add-edge" => Change::AddEdge {
            id: id()?,
            from: u32::try_from(json["from"].as_u64()?).ok()?,
            to: u32::try_from(json["to"].as_u64()?).ok()?,
            rel_type: text("type")?,
            props: props_from_json(&json["props"])?,
        },
        "remove-node" => Change::RemoveNode { id: id()? },
        "remove-edge" => Change::RemoveEdge { id: id()? },
        "set-node" => Change::SetNodeProp {
            node: id()?,
            key: text("key")?,
            value: value_from_json(&json["value"])?,
        },
        "set-edge" => Change::SetEdgeProp {
            edge: id()?,
            key: text("key")?,
            value: value_from_json(&json["value"])?,
        },
        "add-label" => Change::AddLabel {
            node: id()?,
            label: text("label")?,
        },
        "remove-label" => Change::RemoveLabel {
            node: id()?,
            label: text("label")?,
        },
        "add-constraint" => Change::AddConstraint(crate::store::UniqueConstraint {
            name: text("name")?,
            label: text("label")?,
            keys: json["keys"]
                .as_array()?
                .iter()
                .map(|k| k.as_str().map(str::to_owned))
                .collect::<Option<_>>()?,
        }),
        "drop-constraint" => Change::DropConstraint {
            name: text("name")?,
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keep_every_value_type() {
        let changes = vec![
            Change::AddNode {
                id: 3,
                labels: vec!["Company".into()],
                props: vec![
                    ("i".into(), Value::Int(5)),
                    ("f".into(), Value::Float(5.0)),
                    ("nan".into(), Value::Float(f64::NAN)),
                    ("d".into(), Value::Date("2025-08".parse().unwrap())),
                    ("s".into(), Value::String("line\nbreak \"quoted\" é".into())),
                    ("l".into(), Value::List(vec![Value::Int(1), Value::Null])),
                ],
            },
            Change::SetEdgeProp {
                edge: 1,
                key: "k".into(),
                value: Value::Null,
            },
        ];
        let witnesses = vec![
            Witness::Node {
                node: 2,
                id: Some("c".into()),
            },
            Witness::Node { node: 4, id: None },
            Witness::Edge {
                edge: 1,
                from: 2,
                to: 4,
                rel_type: "SUPPLIES".into(),
            },
        ];
        let line = record("CREATE …", &witnesses, &changes);
        let Ok(Record::Statement {
            text,
            witnesses: w,
            changes: back,
        }) = read_record(line.trim_end_matches('\n').as_bytes())
        else {
            panic!("the record reads back");
        };
        assert_eq!(text, "CREATE …");
        assert_eq!(w, witnesses);
        // NaN is not equal to itself; compare its text form.
        assert_eq!(format!("{back:?}"), format!("{changes:?}"));
    }

    #[test]
    fn a_damaged_record_is_caught() {
        let line = record("x", &[], &[Change::RemoveNode { id: 1 }]);
        let line = line.trim_end_matches('\n');
        assert!(read_record(&line.as_bytes()[..line.len() - 3]).is_err());
        let flipped = line.replacen("remove-node", "remove-nodf", 1);
        assert!(read_record(flipped.as_bytes()).is_err());
        assert_eq!(parse_header(&header((12, 0xabc))), Some((2, (12, 0xabc))));
        assert_eq!(parse_header("alliances-journal 2 base 12 abc extra"), None);
    }

    #[test]
    fn a_scan_tells_torn_from_damaged() {
        let mut bytes = header((1, 2)).into_bytes();
        bytes.extend(record("a", &[], &[Change::RemoveNode { id: 1 }]).as_bytes());
        let second = bytes.len();
        bytes.extend(b"5 00000000 hello\n");
        bytes.extend(checkpoint((9, 0xff)).as_bytes());
        let tail = bytes.len();
        // A cut inside a multi-byte character is still only a torn tail.
        let cut = record("é", &[], &[]);
        bytes.extend(&cut.as_bytes()[..cut.find('é').unwrap() + 1]);
        let scan = scan(&bytes);
        assert_eq!(scan.header, Some((VERSION, (1, 2))));
        assert_eq!(scan.records.len(), 2);
        assert!(matches!(scan.records[1].1, Record::Checkpoint((9, 0xff))));
        assert_eq!(scan.damaged.len(), 1);
        assert_eq!(scan.damaged[0].0, second);
        assert_eq!(scan.torn, Some(tail));
        assert!(scan.cut_record());
    }

    #[test]
    fn only_a_torn_tail_after_a_whole_header_is_a_record_cut_short() {
        let whole = header((1, 2));
        for (bytes, cut) in [
            (&b""[..], false),
            (&whole.as_bytes()[..10], false),
            (whole.as_bytes(), false),
        ] {
            assert_eq!(super::scan(bytes).cut_record(), cut, "{bytes:?}");
        }
        let mut bytes = whole.into_bytes();
        bytes.extend(b"12 0000");
        assert!(super::scan(&bytes).cut_record());
    }

    #[test]
    fn version_one_records_still_read() {
        let body = r#"{"statement":"x","changes":[{"op":"remove-node","id":1}]}"#;
        let line = format!(
            "{} {:08x} {body}",
            body.len(),
            crc32fast::hash(body.as_bytes())
        );
        assert!(matches!(
            read_record(line.as_bytes()),
            Ok(Record::Statement { ref witnesses, .. }) if witnesses.is_empty()
        ));
    }
}
