//! The journal's text form: a header naming the data file it applies to, then one line per
//! committed statement, each `LENGTH CRC32 JSON` so that a torn or damaged record is caught.
//!
//! **Invariant:** values keep their type through the journal: integers stay integers, floats
//! floats (NaN and infinities included), dates dates, maps maps.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::model::{Date, Value};
use crate::store::Change;

/// The format this version writes; a journal of a later version is refused.
pub const VERSION: u32 = 1;

/// The first line: `alliances-journal 1 base SIZE CRC`.
pub fn header(base_size: u64, base_crc: u32) -> String {
    format!("alliances-journal {VERSION} base {base_size} {base_crc:08x}\n")
}

/// (version, base size, base crc) of a header line.
pub fn parse_header(line: &str) -> Option<(u32, u64, u32)> {
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
    Some((version, size, crc))
}

/// One record line: the statement's text (for people) and its changes.
pub fn record(statement: &str, changes: &[Change]) -> String {
    let body = json!({
        "statement": statement,
        "changes": changes.iter().map(change_to_json).collect::<Vec<_>>(),
    })
    .to_string();
    format!(
        "{} {:08x} {body}\n",
        body.len(),
        crc32fast::hash(body.as_bytes())
    )
}

/// What reading a record line found.
pub enum Read {
    Record(Vec<Change>),
    /// The line is incomplete or does not match its checksum.
    Damaged(String),
}

pub fn read_record(line: &str) -> Read {
    let mut parts = line.splitn(3, ' ');
    let (Some(len), Some(crc), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
        return Read::Damaged("the record is cut short".to_owned());
    };
    let (Ok(len), Ok(crc)) = (len.parse::<usize>(), u32::from_str_radix(crc, 16)) else {
        return Read::Damaged("the record's length or checksum is unreadable".to_owned());
    };
    if body.len() != len {
        return Read::Damaged(format!(
            "the record holds {} bytes, not the {len} it announces",
            body.len()
        ));
    }
    if crc32fast::hash(body.as_bytes()) != crc {
        return Read::Damaged("the record does not match its checksum".to_owned());
    }
    let Ok(json) = serde_json::from_str::<Json>(body) else {
        return Read::Damaged("the record is not JSON".to_owned());
    };
    match json["changes"].as_array().map(|list| {
        list.iter()
            .map(change_from_json)
            .collect::<Option<Vec<_>>>()
    }) {
        Some(Some(changes)) => Read::Record(changes),
        _ => Read::Damaged("the record's changes are unreadable".to_owned()),
    }
}

fn value_to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(f) if f.is_finite() => json!(f),
        Value::Float(f) => json!({ "float": f.to_string() }),
        Value::String(s) => json!(s),
        Value::Date(d) => json!({ "date": d.to_string() }),
        Value::List(items) => Json::Array(items.iter().map(value_to_json).collect()),
        Value::Map(map) => {
            json!({ "map": map.iter().map(|(k, v)| (k.clone(), value_to_json(v))).collect::<serde_json::Map<_, _>>() })
        }
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

fn props_to_json(props: &[(String, Value)]) -> Json {
    Json::Array(
        props
            .iter()
            .map(|(k, v)| json!([k, value_to_json(v)]))
            .collect(),
    )
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

fn change_to_json(change: &Change) -> Json {
    match change {
        Change::AddNode { id, labels, props } => {
            json!({"op": "add-node", "id": id, "labels": labels, "props": props_to_json(props)})
        }
        Change::AddEdge {
            id,
            from,
            to,
            rel_type,
            props,
        } => {
            json!({"op": "add-edge", "id": id, "from": from, "to": to, "type": rel_type, "props": props_to_json(props)})
        }
        Change::RemoveNode { id } => json!({"op": "remove-node", "id": id}),
        Change::RemoveEdge { id } => json!({"op": "remove-edge", "id": id}),
        Change::SetNodeProp { node, key, value } => {
            json!({"op": "set-node", "id": node, "key": key, "value": value_to_json(value)})
        }
        Change::SetEdgeProp { edge, key, value } => {
            json!({"op": "set-edge", "id": edge, "key": key, "value": value_to_json(value)})
        }
        Change::AddLabel { node, label } => json!({"op": "add-label", "id": node, "label": label}),
        Change::RemoveLabel { node, label } => {
            json!({"op": "remove-label", "id": node, "label": label})
        }
    }
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
                    ("s".into(), Value::String("line\nbreak \"quoted\"".into())),
                    ("l".into(), Value::List(vec![Value::Int(1), Value::Null])),
                ],
            },
            Change::SetEdgeProp {
                edge: 1,
                key: "k".into(),
                value: Value::Null,
            },
        ];
        let line = record("CREATE …", &changes);
        let Read::Record(back) = read_record(line.trim_end_matches('\n')) else {
            panic!("the record reads back");
        };
        // NaN is not equal to itself; compare its text form.
        assert_eq!(format!("{back:?}"), format!("{changes:?}"));
    }

    #[test]
    fn a_damaged_record_is_caught() {
        let line = record("x", &[Change::RemoveNode { id: 1 }]);
        let line = line.trim_end_matches('\n');
        assert!(matches!(
            read_record(&line[..line.len() - 3]),
            Read::Damaged(_)
        ));
        let flipped = line.replacen("remove-node", "remove-nodf", 1);
        assert!(matches!(read_record(&flipped), Read::Damaged(_)));
        assert_eq!(parse_header(&header(12, 0xabc)), Some((1, 12, 0xabc)));
    }
}
