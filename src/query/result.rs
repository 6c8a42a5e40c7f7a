//! Query results: columns and rows of owned values, and their three renderings (a table for
//! people, JSON and CSV for programs).
//!
//! Nodes and relationships in a result are snapshots: they carry their labels, type and
//! properties, so a result stays readable after the graph changes.
//!
//! **Invariant:** JSON and CSV keep raw numbers and ISO dates; only the table is for the eye.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use super::error::Warning;
use super::value::QueryValue;
use crate::model::money::{DEFAULT_CURRENCY, human_amount};
use crate::model::{
    Date, Temporal, Value, human_duration, human_money, printable, write_list, write_map,
};
use crate::store::{EdgeId, Graph, ID_KEY, NAME_KEY, NodeId};

/// The answer to one statement.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<ResultValue>>,
    /// Things that were legal but look like mistakes (an unknown label, say).
    pub warnings: Vec<Warning>,
    /// What the statement changed in the graph.
    pub changes: crate::store::ChangeCounts,
    /// Which columns hold amounts of money (`r.amount_usd`, `sum(r.amount_usd)`), shown as
    /// `$8.9B` in tables.
    pub money_columns: Vec<bool>,
    /// The columns that are one relationship's amount (`r.amount_usd`, `r.amount`), with each
    /// row's qualifier and currency, which the table shows (`≤ $100B`, `€1.3B`); JSON and CSV
    /// keep the plain numbers.
    pub amount_columns: Vec<AmountColumn>,
    /// Bounds the statement met that cut its answer, and how to lift them.
    pub notes: Vec<String>,
    /// For `EXPLAIN`: the plan, in place of rows.
    pub plan: Option<super::PlanDescription>,
    /// For `PROFILE`: each operator's rows and time, beside the rows.
    pub profile: Option<super::Profile>,
}

/// A column of one relationship's amounts, and what the table shows beside each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AmountColumn {
    /// The column's index.
    pub column: usize,
    /// One per row, in row order.
    pub rows: Vec<AmountNote>,
}

/// How one amount reads: its tie's `amount_qualifier` and, for `amount`, its `currency` (US
/// dollars when `None`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AmountNote {
    pub qualifier: Option<String>,
    pub currency: Option<String>,
}

impl AmountColumn {
    /// Takes each row's note for the amount column `column` from the two values that follow
    /// the row's `width` columns, the `index`th such pair.
    pub(crate) fn from_rows(
        column: usize,
        index: usize,
        width: usize,
        rows: &[Vec<QueryValue>],
    ) -> AmountColumn {
        let text = |row: &[QueryValue], at: usize| match row.get(at) {
            Some(QueryValue::String(s)) => Some(s.clone()),
            _ => None,
        };
        AmountColumn {
            column,
            rows: rows
                .iter()
                .map(|row| AmountNote {
                    qualifier: text(row, width + 2 * index),
                    currency: text(row, width + 2 * index + 1),
                })
                .collect(),
        }
    }
}

/// How a table is drawn.
#[derive(Clone, Copy, Debug, Default)]
pub struct TableStyle {
    /// Fit the table to this many columns of text, cutting long cells with an ellipsis.
    pub width: Option<u16>,
    /// How long the statement took, shown after the row count.
    pub elapsed: Option<std::time::Duration>,
}

/// `8.9B` in money-literal syntax, as a query would write it.
fn money_literal(amount: f64) -> String {
    human_money(amount).trim_start_matches('$').to_owned()
}

/// A value in a result.
///
/// In JSON each value is its content alone (`null`, a number, an ISO date, a node's object),
/// not tagged with its variant.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum ResultValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(#[serde(serialize_with = "float_json")] f64),
    String(String),
    Date(Date),
    /// A time, a date time or a duration, as its ISO text in JSON.
    Temporal(Temporal),
    List(Vec<ResultValue>),
    Map(BTreeMap<String, ResultValue>),
    Node(NodeValue),
    Relationship(RelationshipValue),
    Path(PathValue),
}

/// In JSON: `{"labels": [...], "properties": {...}}`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NodeValue {
    #[serde(skip)]
    pub id: NodeId,
    pub labels: Vec<String>,
    pub properties: BTreeMap<String, Value>,
}

/// In JSON: `{"type": ..., "start": ..., "end": ..., "properties": {...}}`, the ends by their
/// keys.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RelationshipValue {
    #[serde(skip)]
    pub id: EdgeId,
    #[serde(rename = "type")]
    pub rel_type: String,
    #[serde(skip)]
    pub start: NodeId,
    #[serde(skip)]
    pub end: NodeId,
    /// The `id` property of the start and end nodes (their number when they have none).
    #[serde(rename = "start")]
    pub start_key: Value,
    #[serde(rename = "end")]
    pub end_key: Value,
    pub properties: BTreeMap<String, Value>,
}

/// In JSON: `{"nodes": [...], "relationships": [...]}`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PathValue {
    pub nodes: Vec<NodeValue>,
    pub relationships: Vec<RelationshipValue>,
}

impl ResultValue {
    /// Snapshots an engine value.
    pub(crate) fn from_query(graph: &Graph, value: QueryValue) -> ResultValue {
        match value {
            QueryValue::Null => ResultValue::Null,
            QueryValue::Bool(b) => ResultValue::Bool(b),
            QueryValue::Int(i) => ResultValue::Int(i),
            QueryValue::Float(f) => ResultValue::Float(f),
            QueryValue::String(s) => ResultValue::String(s),
            QueryValue::Date(d) => ResultValue::Date(d),
            QueryValue::Temporal(t) => ResultValue::Temporal(t),
            QueryValue::List(items) => ResultValue::List(
                items
                    .into_iter()
                    .map(|v| ResultValue::from_query(graph, v))
                    .collect(),
            ),
            QueryValue::Map(map) => ResultValue::Map(
                map.into_iter()
                    .map(|(k, v)| (k, ResultValue::from_query(graph, v)))
                    .collect(),
            ),
            QueryValue::Node(n) => ResultValue::Node(node_value(graph, n)),
            // Every relationship a statement deleted became `DeletedRelationship` at the end
            // of its clause, so a relationship that is gone here has nothing left to show.
            QueryValue::Relationship(r) => match graph.edge_endpoints(r) {
                Some(ends) => ResultValue::Relationship(relationship_value(graph, r, ends)),
                None => ResultValue::Null,
            },
            QueryValue::Path(p) => ResultValue::Path(PathValue {
                nodes: p.nodes.iter().map(|n| node_value(graph, *n)).collect(),
                relationships: p
                    .relationships
                    .iter()
                    .zip(p.nodes.windows(2))
                    .map(|(r, ends)| {
                        let ends = graph.edge_endpoints(*r).unwrap_or((ends[0], ends[1]));
                        relationship_value(graph, *r, ends)
                    })
                    .collect(),
            }),
            // What is left of a deleted element: its identity, and a relationship's type and
            // ends.
            QueryValue::DeletedNode(id) => ResultValue::Node(NodeValue {
                id,
                labels: Vec::new(),
                properties: BTreeMap::new(),
            }),
            QueryValue::DeletedRelationship(r) => ResultValue::Relationship(RelationshipValue {
                id: r.id,
                rel_type: r.rel_type,
                start: r.start,
                end: r.end,
                start_key: node_key(graph, r.start),
                end_key: node_key(graph, r.end),
                properties: BTreeMap::new(),
            }),
        }
    }
}

/// The `id` property of a node, or its number when it has none (or is gone).
fn node_key(graph: &Graph, node: NodeId) -> Value {
    graph
        .node_prop(node, ID_KEY)
        .unwrap_or(Value::Int(node.index() as i64))
}

fn node_value(graph: &Graph, node: NodeId) -> NodeValue {
    NodeValue {
        id: node,
        labels: graph.node_labels(node).map(str::to_owned).collect(),
        properties: graph
            .node_props(node)
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .collect(),
    }
}

/// A relationship joining `start` to `end` as it stands (with no type or properties when it
/// is gone: a path keeps the ends of a relationship deleted under it).
fn relationship_value(
    graph: &Graph,
    edge: EdgeId,
    (start, end): (NodeId, NodeId),
) -> RelationshipValue {
    RelationshipValue {
        id: edge,
        rel_type: graph.edge_type(edge).to_owned(),
        start,
        end,
        start_key: node_key(graph, start),
        end_key: node_key(graph, end),
        properties: graph
            .edge_props(edge)
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .collect(),
    }
}

// ----- text forms ------------------------------------------------------------------------

fn write_props(f: &mut impl fmt::Write, props: &BTreeMap<String, Value>) -> fmt::Result {
    if props.is_empty() {
        return Ok(());
    }
    f.write_str(" ")?;
    write_map(f, props.iter().map(|(k, v)| (key_text(k), v)))
}

/// A key as Cypher would need it written: backquoted unless it is a plain name.
fn key_text(key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        key.to_owned()
    } else {
        format!("`{}`", key.replace('`', "``"))
    }
}

impl fmt::Display for NodeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for label in &self.labels {
            write!(f, ":{}", key_text(label))?;
        }
        if self.labels.is_empty() {
            write_props(&mut Trim(f), &self.properties)?;
        } else {
            write_props(f, &self.properties)?;
        }
        f.write_str(")")
    }
}

/// Drops the space that separates labels from properties when there is no label.
struct Trim<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl fmt::Write for Trim<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write_str(s.strip_prefix(' ').unwrap_or(s))
    }
}

impl fmt::Display for RelationshipValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[:{}", key_text(&self.rel_type))?;
        write_props(f, &self.properties)?;
        f.write_str("]")
    }
}

impl fmt::Display for PathValue {
    /// `<(a)-[:T]->(b)<-[:U]-(c)>`, each arrow as the relationship points.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<")?;
        for (i, node) in self.nodes.iter().enumerate() {
            if i > 0 {
                let rel = &self.relationships[i - 1];
                if rel.start == self.nodes[i - 1].id {
                    write!(f, "-{rel}->")?;
                } else {
                    write!(f, "<-{rel}-")?;
                }
            }
            write!(f, "{node}")?;
        }
        f.write_str(">")
    }
}

impl fmt::Display for ResultValue {
    /// Cypher literal syntax: strings quoted, dates as `date("…")`, nodes as `(:Label {…})`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResultValue::Null => f.write_str("null"),
            ResultValue::Bool(b) => write!(f, "{b}"),
            ResultValue::Int(i) => write!(f, "{i}"),
            ResultValue::Float(x) if !x.is_finite() => f.write_str(non_finite(*x)),
            ResultValue::Float(x) => write!(f, "{}", Value::Float(*x)),
            ResultValue::String(s) => write!(f, "{}", Value::String(s.clone())),
            ResultValue::Date(d) => write!(f, "{}(\"{d}\")", d.function()),
            ResultValue::Temporal(t) => f.write_str(&t.literal()),
            ResultValue::List(items) => write_list(f, items),
            ResultValue::Map(map) => write_map(f, map.iter().map(|(k, v)| (key_text(k), v))),
            ResultValue::Node(n) => write!(f, "{n}"),
            ResultValue::Relationship(r) => write!(f, "{r}"),
            ResultValue::Path(p) => write!(f, "{p}"),
        }
    }
}

impl ResultValue {
    /// A snapshot of a query value (a parameter, say) against `graph`.
    pub fn from_query_value(graph: &Graph, value: &QueryValue) -> ResultValue {
        ResultValue::from_query(graph, value.clone())
    }
}

/// A float that is no finite number, as Cypher writes it: `Infinity`, `-Infinity`, `NaN`.
pub(crate) fn non_finite(x: f64) -> &'static str {
    if x.is_nan() {
        "NaN"
    } else if x > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

/// A float in JSON: a number, or for one that is not finite (which JSON numbers cannot
/// write) the string `"Infinity"`, `"-Infinity"` or `"NaN"`, never `null`.
fn float_json<S: serde::Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        serializer.serialize_f64(*x)
    } else {
        serializer.serialize_str(non_finite(*x))
    }
}

/// An engine value in literal syntax, for messages.
pub(crate) fn literal(graph: &Graph, value: &QueryValue) -> String {
    ResultValue::from_query(graph, value.clone()).to_string()
}

/// An engine value as `toString` and string concatenation write it: text unquoted.
pub(crate) fn plain_text(graph: &Graph, value: &QueryValue) -> String {
    match value {
        QueryValue::String(s) => s.clone(),
        QueryValue::Date(d) => d.to_string(),
        QueryValue::Temporal(t) => t.to_string(),
        QueryValue::Float(x) if !x.is_finite() => non_finite(*x).to_owned(),
        other => literal(graph, other),
    }
}

/// A cell of the table: strings bare, nodes by name, amounts of money humanly, a tie's
/// amount with its qualifier and currency (`note`).
fn cell_text(value: &ResultValue, money: bool, note: Option<&AmountNote>) -> String {
    let amount = |x: f64, note: &AmountNote| {
        human_amount(
            x,
            note.currency.as_deref().unwrap_or(DEFAULT_CURRENCY),
            note.qualifier.as_deref(),
        )
    };
    match value {
        ResultValue::Null => String::new(),
        ResultValue::Int(i) if let Some(note) = note => amount(*i as f64, note),
        ResultValue::Float(f) if let Some(note) = note => amount(*f, note),
        ResultValue::Int(i) if money => human_money(*i as f64),
        ResultValue::Float(f) if money => human_money(*f),
        ResultValue::List(items) if money => {
            let items: Vec<String> = items.iter().map(|v| cell_text(v, true, None)).collect();
            format!("[{}]", items.join(", "))
        }
        ResultValue::String(s) => s.clone(),
        ResultValue::Date(d) => d.to_string(),
        ResultValue::Temporal(t) => t.to_string(),
        ResultValue::Node(n) => compact_node(n),
        ResultValue::Relationship(r) => compact_relationship(r),
        ResultValue::Path(p) => {
            let mut out = String::new();
            for (i, node) in p.nodes.iter().enumerate() {
                if i > 0 {
                    let rel = compact_relationship(&p.relationships[i - 1]);
                    let _ = if p.relationships[i - 1].start == p.nodes[i - 1].id {
                        write!(out, "-{rel}->")
                    } else {
                        write!(out, "<-{rel}-")
                    };
                }
                out.push_str(&compact_node(node));
            }
            out
        }
        other => other.to_string(),
    }
}

/// `(:Company {name: "Nvidia"})`: a named node by its name alone.
fn compact_node(node: &NodeValue) -> String {
    match node.properties.get(NAME_KEY) {
        Some(name) => {
            let mut out = String::from("(");
            for label in &node.labels {
                out.push(':');
                out.push_str(&key_text(label));
            }
            let _ = write!(out, " {{name: {name}}})");
            out
        }
        None => node.to_string(),
    }
}

/// `[:INVESTS_IN {amount_usd: 8.9B}]`: the type and the few properties that say what it is.
fn compact_relationship(rel: &RelationshipValue) -> String {
    let mut parts = Vec::new();
    // A qualified or foreign amount reads as people write it (`amount: ≤ $100B`); a plain
    // US-dollar one in money-literal syntax (`amount_usd: 8.9B`).
    let get = |key: &str| rel.properties.get(key).cloned();
    let plain = get("amount_qualifier").is_none()
        && get("currency")
            .as_ref()
            .and_then(|c| {
                c.as_str()
                    .map(|c| c == crate::model::money::DEFAULT_CURRENCY)
            })
            .unwrap_or(true);
    if !plain && let Some(amount) = crate::model::money::tie_amount(&get) {
        parts.push(format!("amount: {amount}"));
    }
    for key in ["amount_usd", "stake_pct", "role", "product"] {
        if key == "amount_usd" && !plain {
            continue;
        }
        match rel.properties.get(key) {
            Some(Value::Int(i)) if key == "amount_usd" => {
                parts.push(format!("{key}: {}", money_literal(*i as f64)))
            }
            Some(Value::Float(f)) if key == "amount_usd" => {
                parts.push(format!("{key}: {}", money_literal(*f)))
            }
            Some(v) => parts.push(format!("{key}: {v}")),
            None => {}
        }
    }
    if parts.is_empty() {
        format!("[:{}]", key_text(&rel.rel_type))
    } else {
        format!("[:{} {{{}}}]", key_text(&rel.rel_type), parts.join(", "))
    }
}

impl QueryResult {
    /// A table for people. Without a width it is drawn at its natural size, as for a pipe.
    pub fn to_table(&self, width: Option<u16>) -> String {
        self.to_table_styled(TableStyle {
            width,
            elapsed: None,
        })
    }

    /// A table for people, fitted to the style's width (long cells end with `…`), with the row
    /// count and, when given, the time taken.
    ///
    /// An `EXPLAIN` shows its plan instead; a `PROFILE` shows its operators' rows and time
    /// after the rows.
    pub fn to_table_styled(&self, style: TableStyle) -> String {
        if let Some(plan) = &self.plan {
            return printable(&plan.to_string()).into_owned();
        }
        let rows = self.rows_table(style);
        match &self.profile {
            Some(profile) => format!("{rows}\n{}", printable(&profile.to_string())),
            None => rows,
        }
    }

    fn rows_table(&self, style: TableStyle) -> String {
        let mut table = comfy_table::Table::new();
        table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
        // Text from the data cannot reach the terminal raw (`model::printable`).
        table.set_header(self.columns.iter().map(|c| printable(c).into_owned()));
        table.set_truncation_indicator("…");
        match style.width {
            Some(w) => {
                table.set_width(w);
                table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
            }
            None => {
                table.set_content_arrangement(comfy_table::ContentArrangement::Disabled);
            }
        }
        let mut notes: Vec<Option<&AmountColumn>> = vec![None; self.columns.len()];
        for amounts in &self.amount_columns {
            if let Some(slot) = notes.get_mut(amounts.column) {
                *slot = Some(amounts);
            }
        }
        for (r, row) in self.rows.iter().enumerate() {
            let mut cells = comfy_table::Row::new();
            for (i, v) in row.iter().enumerate() {
                let money = self.money_columns.get(i).copied().unwrap_or(false);
                let note = notes.get(i).copied().flatten().and_then(|c| c.rows.get(r));
                let cell = comfy_table::Cell::new(printable(&cell_text(v, money, note)));
                cells.add_cell(
                    if matches!(v, ResultValue::Int(_) | ResultValue::Float(_)) {
                        cell.set_alignment(comfy_table::CellAlignment::Right)
                    } else {
                        cell
                    },
                );
            }
            if style.width.is_some() {
                cells.max_height(1);
            }
            table.add_row(cells);
        }
        let count = self.rows.len();
        let mut rows = format!("{count} row{}", if count == 1 { "" } else { "s" });
        if let Some(elapsed) = style.elapsed {
            let _ = write!(rows, " ({})", human_duration(elapsed));
        }
        match (self.columns.is_empty(), self.changes.is_empty()) {
            (true, _) => self.changes.to_string(),
            (false, true) => format!("{table}\n{rows}"),
            (false, false) => format!("{table}\n{rows}; {}", self.changes),
        }
    }

    /// One line of JSON: `{"columns": [...], "rows": [[...], ...]}`, with the plan under
    /// `plan` for `EXPLAIN` and the operators' counts under `profile` for `PROFILE`.
    pub fn to_json(&self) -> String {
        let json = JsonResult {
            columns: &self.columns,
            rows: &self.rows,
            plan: self.plan.as_ref(),
            profile: self.profile.as_ref().map(super::Profile::json),
        };
        serde_json::to_string(&json).unwrap_or_else(|e| {
            format!(
                "{{\"error\": {}}}",
                serde_json::Value::String(e.to_string())
            )
        })
    }

    /// CSV with a header line. Strings and numbers are raw; lists, maps and graph elements
    /// are written in literal syntax.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record(&self.columns);
        for row in &self.rows {
            let _ = writer.write_record(row.iter().map(|v| match v {
                ResultValue::Null => String::new(),
                ResultValue::String(s) => s.clone(),
                ResultValue::Date(d) => d.to_string(),
                ResultValue::Temporal(t) => t.to_string(),
                other => other.to_string(),
            }));
        }
        String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

/// The JSON form of a result: `{"columns": [...], "rows": [[...], ...]}`.
#[derive(serde::Serialize)]
struct JsonResult<'r> {
    columns: &'r [String],
    rows: &'r [Vec<ResultValue>],
    #[serde(skip_serializing_if = "Option::is_none")]
    plan: Option<&'r super::PlanDescription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<super::profile::JsonProfile<'r>>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_tells_infinity_and_nan_from_null() {
        let graph = crate::store::Graph::new(crate::Schema::Open);
        let result = crate::query::execute(
            &graph,
            "RETURN 1.0/0 AS a, -1.0/0 AS b, 0.0/0 AS c, null AS d, 1.5 AS e, [1.0/0] AS f",
            &Default::default(),
        )
        .expect("the statement runs");
        assert_eq!(
            result[0].to_json(),
            r#"{"columns":["a","b","c","d","e","f"],"rows":[["Infinity","-Infinity","NaN",null,1.5,["Infinity"]]]}"#
        );
    }
}
