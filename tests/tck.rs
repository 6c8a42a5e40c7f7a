//! The openCypher conformance suite (TCK), run as data.
//!
//! Reads the `.feature` files of `../shared/tck/features` (or of `$OPENCYPHER_TCK/features`),
//! runs every scenario on a fresh graph under the open schema, and prints passed, failed and
//! skipped counts per feature file and in total, plus the pass rate over the scenarios the
//! TCK folder's README lists as in scope. Exits with failure when fewer scenarios pass, over
//! the whole suite or over the in-scope list, than `tests/tck-baseline.txt` records (`total N`
//! and `in-scope N`), so conformance only ratchets up. Every skipped scenario prints its reason.
//!
//! `TCK_VERBOSE=1` prints why each scenario failed; `TCK_FILTER=text` runs the feature files
//! whose path contains `text`.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alliances::query::{
    self, ErrorKind, Params, ProcedureDef, Procedures, QueryError, QueryResult, QueryValue,
    ResultValue,
};
use alliances::{Graph, Schema, Value};

// ----- the feature files ---------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Step {
    text: String,
    doc: Option<String>,
    table: Vec<Vec<String>>,
}

#[derive(Clone, Debug)]
struct Scenario {
    /// `[k]` of the scenario title.
    number: String,
    title: String,
    /// The example row of an outline, from 1.
    example: Option<usize>,
    ignored: bool,
    steps: Vec<Step>,
}

/// Gherkin table-cell unescaping: `\\` → `\`, `\|` → `|`, `\n` → newline; other backslashes stay.
fn unescape_cell(cell: &str) -> String {
    let mut out = String::new();
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('\\') => {
                    out.push('\\');
                    chars.next();
                }
                Some('|') => {
                    out.push('|');
                    chars.next();
                }
                Some('n') => {
                    out.push('\n');
                    chars.next();
                }
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn split_row(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cell.push(c);
                if let Some(n) = chars.next() {
                    cell.push(n);
                }
            }
            '|' => cells.push(unescape_cell(cell.trim())),
            _ => {
                cell.push(c);
                continue;
            }
        }
        if c == '|' {
            cell.clear();
        }
    }
    cells
}

/// Whether a line continues a table: a row, or a comment (`#| <> |` comments out one example
/// row of `Precedence1` and must not end the table; a comment read past the last row is
/// skipped all the same).
fn is_table_line(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.starts_with('|') || trimmed.starts_with('#')
}

fn parse_feature(text: &str) -> Vec<Scenario> {
    let lines: Vec<&str> = text.lines().collect();
    let mut scenarios = Vec::new();
    let mut background: Vec<Step> = Vec::new();
    let mut current: Option<(String, String, bool, Vec<Step>, bool)> = None;
    let mut in_background = false;
    let mut pending_ignore = false;
    let mut examples: Option<Vec<Vec<String>>> = None;
    let mut i = 0;
    let finish = |current: &mut Option<(String, String, bool, Vec<Step>, bool)>,
                  examples: &mut Option<Vec<Vec<String>>>,
                  background: &[Step],
                  scenarios: &mut Vec<Scenario>| {
        let Some((number, title, ignored, steps, outline)) = current.take() else {
            return;
        };
        let mut all = background.to_vec();
        all.extend(steps);
        if outline {
            let table = examples.take().unwrap_or_default();
            let Some((header, rows)) = table.split_first() else {
                return;
            };
            for (k, row) in rows.iter().enumerate() {
                let fill = |s: &str| {
                    let mut s = s.to_owned();
                    for (name, value) in header.iter().zip(row) {
                        s = s.replace(&format!("<{name}>"), value);
                    }
                    s
                };
                scenarios.push(Scenario {
                    number: number.clone(),
                    title: fill(&title),
                    example: Some(k + 1),
                    ignored,
                    steps: all
                        .iter()
                        .map(|step| Step {
                            text: fill(&step.text),
                            doc: step.doc.as_deref().map(fill),
                            table: step
                                .table
                                .iter()
                                .map(|r| r.iter().map(|c| fill(c)).collect())
                                .collect(),
                        })
                        .collect(),
                });
            }
        } else {
            scenarios.push(Scenario {
                number,
                title,
                example: None,
                ignored,
                steps: all,
            });
        }
    };
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        i += 1;
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with('@') {
            if trimmed.split_whitespace().any(|t| t == "@ignore") {
                pending_ignore = true;
            }
            continue;
        }
        if trimmed.starts_with("Feature:") {
            continue;
        }
        if trimmed.starts_with("Background:") {
            in_background = true;
            continue;
        }
        if let Some(rest) = trimmed
            .strip_prefix("Scenario Outline:")
            .map(|r| (r, true))
            .or_else(|| trimmed.strip_prefix("Scenario:").map(|r| (r, false)))
        {
            finish(&mut current, &mut examples, &background, &mut scenarios);
            in_background = false;
            let (rest, outline) = rest;
            let rest = rest.trim();
            let (number, title) = match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
                Some((n, t)) => (n.to_owned(), t.trim().to_owned()),
                None => (String::new(), rest.to_owned()),
            };
            current = Some((number, title, pending_ignore, Vec::new(), outline));
            pending_ignore = false;
            continue;
        }
        if trimmed.starts_with("Examples:") {
            let mut table = Vec::new();
            while i < lines.len() && is_table_line(lines[i]) {
                if lines[i].trim().starts_with('|') {
                    table.push(split_row(lines[i]));
                }
                i += 1;
            }
            examples = Some(table);
            continue;
        }
        for keyword in ["Given ", "When ", "Then ", "And ", "But "] {
            if let Some(text) = trimmed.strip_prefix(keyword) {
                let mut step = Step {
                    text: text.trim().to_owned(),
                    doc: None,
                    table: Vec::new(),
                };
                if i < lines.len() && lines[i].trim() == "\"\"\"" {
                    let indent = lines[i].len() - lines[i].trim_start().len();
                    i += 1;
                    let mut doc = Vec::new();
                    while i < lines.len() && lines[i].trim() != "\"\"\"" {
                        let l = lines[i];
                        let cut = l.len() - l.trim_start().len();
                        doc.push(&l[cut.min(indent)..]);
                        i += 1;
                    }
                    i += 1;
                    step.doc = Some(doc.join("\n"));
                }
                while i < lines.len() && is_table_line(lines[i]) {
                    if lines[i].trim().starts_with('|') {
                        step.table.push(split_row(lines[i]));
                    }
                    i += 1;
                }
                if in_background {
                    background.push(step);
                } else if let Some(c) = &mut current {
                    c.3.push(step);
                }
                break;
            }
        }
    }
    finish(&mut current, &mut examples, &background, &mut scenarios);
    scenarios
}

// ----- the value notation --------------------------------------------------------------------

/// A value of the TCK's tables, and the canonical text two equal values share.
#[derive(Clone, Debug, PartialEq)]
enum Tv {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Tv>),
    Map(BTreeMap<String, Tv>),
    Node(Vec<String>, BTreeMap<String, Tv>),
    Rel(String, BTreeMap<String, Tv>),
    /// Nodes, and between them (relationship, pointing forward).
    Path(Vec<Tv>, Vec<(Tv, bool)>),
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn name(&mut self) -> Option<String> {
        self.ws();
        if self.s.get(self.i) == Some(&b'`') {
            let start = self.i + 1;
            let end = start + self.s[start..].iter().position(|c| *c == b'`')?;
            self.i = end + 1;
            return Some(String::from_utf8_lossy(&self.s[start..end]).into_owned());
        }
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
        {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn value(&mut self) -> Option<Tv> {
        match self.peek()? {
            b'\'' => {
                self.i += 1;
                let mut out = Vec::new();
                while self.i < self.s.len() {
                    let c = self.s[self.i];
                    self.i += 1;
                    match c {
                        b'\\' if self.i < self.s.len() => {
                            out.push(self.s[self.i]);
                            self.i += 1;
                        }
                        b'\'' => {
                            return Some(Tv::String(String::from_utf8_lossy(&out).into_owned()));
                        }
                        _ => out.push(c),
                    }
                }
                None
            }
            b'[' => {
                self.i += 1;
                if self.eat(b':') {
                    let t = self.name()?;
                    let props = self.props()?;
                    self.eat(b']').then_some(Tv::Rel(t, props))
                } else {
                    let mut items = Vec::new();
                    if self.eat(b']') {
                        return Some(Tv::List(items));
                    }
                    loop {
                        items.push(self.value()?);
                        if self.eat(b']') {
                            return Some(Tv::List(items));
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
            }
            b'{' => Some(Tv::Map(self.props()?)),
            b'(' => self.node(),
            b'<' => {
                self.i += 1;
                let mut nodes = vec![self.node()?];
                let mut rels = Vec::new();
                while !self.eat(b'>') {
                    let backward = self.eat(b'<');
                    if !self.eat(b'-') || !self.eat(b'[') || !self.eat(b':') {
                        return None;
                    }
                    let t = self.name()?;
                    let props = self.props()?;
                    if !self.eat(b']') || !self.eat(b'-') {
                        return None;
                    }
                    let forward = self.eat(b'>');
                    if forward == backward {
                        return None;
                    }
                    rels.push((Tv::Rel(t, props), forward));
                    nodes.push(self.node()?);
                }
                Some(Tv::Path(nodes, rels))
            }
            _ => {
                self.ws();
                let start = self.i;
                while self.i < self.s.len() && !matches!(self.s[self.i], b',' | b']' | b'}' | b' ')
                {
                    self.i += 1;
                }
                let word = std::str::from_utf8(&self.s[start..self.i]).ok()?;
                Some(match word {
                    "null" => Tv::Null,
                    "true" => Tv::Bool(true),
                    "false" => Tv::Bool(false),
                    "NaN" => Tv::Float(f64::NAN),
                    "Inf" | "Infinity" => Tv::Float(f64::INFINITY),
                    "-Inf" | "-Infinity" => Tv::Float(f64::NEG_INFINITY),
                    w if w.contains(['.', 'e', 'E']) && !w.starts_with("0x") => {
                        Tv::Float(w.parse().ok()?)
                    }
                    w => Tv::Int(w.parse().ok()?),
                })
            }
        }
    }
    fn props(&mut self) -> Option<BTreeMap<String, Tv>> {
        let mut map = BTreeMap::new();
        if !self.eat(b'{') {
            return Some(map);
        }
        if self.eat(b'}') {
            return Some(map);
        }
        loop {
            let key = self.name()?;
            if !self.eat(b':') {
                return None;
            }
            map.insert(key, self.value()?);
            if self.eat(b'}') {
                return Some(map);
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }
    fn node(&mut self) -> Option<Tv> {
        if !self.eat(b'(') {
            return None;
        }
        let mut labels = Vec::new();
        while self.eat(b':') {
            labels.push(self.name()?);
        }
        labels.sort();
        let props = self.props()?;
        self.eat(b')').then_some(Tv::Node(labels, props))
    }
}

fn parse_value(text: &str) -> Option<Tv> {
    let mut reader = Reader {
        s: text.as_bytes(),
        i: 0,
    };
    let value = reader.value()?;
    reader.ws();
    (reader.i == reader.s.len()).then_some(value)
}

fn from_property(value: &Value) -> Tv {
    match value {
        Value::Null => Tv::Null,
        Value::Bool(b) => Tv::Bool(*b),
        Value::Int(i) => Tv::Int(*i),
        Value::Float(f) => Tv::Float(*f),
        Value::String(s) => Tv::String(s.clone()),
        Value::Date(d) => Tv::String(d.to_string()),
        Value::Temporal(t) => Tv::String(t.to_string()),
        Value::List(items) => Tv::List(items.iter().map(from_property).collect()),
        Value::Map(m) => Tv::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), from_property(v)))
                .collect(),
        ),
    }
}

fn from_result(value: &ResultValue) -> Tv {
    match value {
        ResultValue::Null => Tv::Null,
        ResultValue::Bool(b) => Tv::Bool(*b),
        ResultValue::Int(i) => Tv::Int(*i),
        ResultValue::Float(f) => Tv::Float(*f),
        ResultValue::String(s) => Tv::String(s.clone()),
        ResultValue::Date(d) => Tv::String(d.to_string()),
        ResultValue::Temporal(t) => Tv::String(t.to_string()),
        ResultValue::List(items) => Tv::List(items.iter().map(from_result).collect()),
        ResultValue::Map(m) => {
            Tv::Map(m.iter().map(|(k, v)| (k.clone(), from_result(v))).collect())
        }
        ResultValue::Node(n) => {
            let mut labels = n.labels.clone();
            labels.sort();
            Tv::Node(
                labels,
                n.properties
                    .iter()
                    .map(|(k, v)| (k.clone(), from_property(v)))
                    .collect(),
            )
        }
        ResultValue::Relationship(r) => Tv::Rel(
            r.rel_type.clone(),
            r.properties
                .iter()
                .map(|(k, v)| (k.clone(), from_property(v)))
                .collect(),
        ),
        ResultValue::Path(p) => Tv::Path(
            p.nodes
                .iter()
                .map(|n| from_result(&ResultValue::Node(n.clone())))
                .collect(),
            p.relationships
                .iter()
                .zip(&p.nodes)
                .map(|(r, n)| {
                    (
                        from_result(&ResultValue::Relationship(r.clone())),
                        r.start == n.id,
                    )
                })
                .collect(),
        ),
    }
}

/// The parameter value a table cell gives.
fn to_query_value(value: &Tv) -> QueryValue {
    match value {
        Tv::Null => QueryValue::Null,
        Tv::Bool(b) => QueryValue::Bool(*b),
        Tv::Int(i) => QueryValue::Int(*i),
        Tv::Float(f) => QueryValue::Float(*f),
        Tv::String(s) => QueryValue::String(s.clone()),
        Tv::List(items) => QueryValue::List(items.iter().map(to_query_value).collect()),
        Tv::Map(m) => QueryValue::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), to_query_value(v)))
                .collect(),
        ),
        Tv::Node(..) | Tv::Rel(..) | Tv::Path(..) => QueryValue::Null,
    }
}

/// The canonical text of a value; with `unordered_lists`, list elements are sorted.
fn canonical(value: &Tv, unordered_lists: bool) -> String {
    let props = |m: &BTreeMap<String, Tv>| {
        if m.is_empty() {
            String::new()
        } else {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k}: {}", canonical(v, unordered_lists)))
                .collect();
            format!(" {{{}}}", parts.join(", "))
        }
    };
    match value {
        Tv::Null => "null".to_owned(),
        Tv::Bool(b) => b.to_string(),
        Tv::Int(i) => i.to_string(),
        Tv::Float(f) if f.is_nan() => "NaN".to_owned(),
        // -0.0 = 0.0 in Cypher, and the TCK writes either as 0.0.
        Tv::Float(f) if *f == 0.0 => "0.0".to_owned(),
        Tv::Float(f) => format!("{f:?}"),
        Tv::String(s) => format!("{s:?}"),
        Tv::List(items) => {
            let mut parts: Vec<String> = items
                .iter()
                .map(|v| canonical(v, unordered_lists))
                .collect();
            if unordered_lists {
                parts.sort();
            }
            format!("[{}]", parts.join(", "))
        }
        Tv::Map(m) => format!(
            "{{{}}}",
            props(m)
                .trim()
                .trim_start_matches('{')
                .trim_end_matches('}')
        ),
        Tv::Node(labels, m) => {
            let labels: String = labels.iter().map(|l| format!(":{l}")).collect();
            format!("({labels}{})", props(m))
        }
        Tv::Rel(t, m) => format!("[:{t}{}]", props(m)),
        Tv::Path(nodes, rels) => {
            let mut out = format!("<{}", canonical(&nodes[0], unordered_lists));
            for ((rel, forward), node) in rels.iter().zip(&nodes[1..]) {
                let rel = canonical(rel, unordered_lists);
                if *forward {
                    let _ = write!(out, "-{rel}->");
                } else {
                    let _ = write!(out, "<-{rel}-");
                }
                out.push_str(&canonical(node, unordered_lists));
            }
            out + ">"
        }
    }
}

// ----- running a scenario --------------------------------------------------------------------

/// What can be counted as side effects.
struct Snapshot {
    nodes: HashSet<usize>,
    edges: HashSet<usize>,
    labels: HashSet<String>,
    properties: Vec<String>,
}

fn snapshot(graph: &Graph) -> Snapshot {
    let mut labels = HashSet::new();
    let mut properties = Vec::new();
    for node in graph.nodes() {
        labels.extend(graph.node_labels(node).map(str::to_owned));
        for (k, v) in graph.node_props(node) {
            properties.push(format!("n{}.{k}={v:?}", node.index()));
        }
    }
    for edge in graph.edges() {
        for (k, v) in graph.edge_props(edge) {
            properties.push(format!("r{}.{k}={v:?}", edge.index()));
        }
    }
    properties.sort();
    Snapshot {
        nodes: graph.nodes().map(|n| n.index()).collect(),
        edges: graph.edges().map(|e| e.index()).collect(),
        labels,
        properties,
    }
}

fn side_effects(before: &Snapshot, after: &Snapshot) -> BTreeMap<&'static str, usize> {
    let multiset_minus = |a: &[String], b: &[String]| {
        let mut counts: BTreeMap<&String, i64> = BTreeMap::new();
        for x in a {
            *counts.entry(x).or_default() += 1;
        }
        for x in b {
            *counts.entry(x).or_default() -= 1;
        }
        counts.values().filter(|c| **c > 0).sum::<i64>() as usize
    };
    BTreeMap::from([
        ("+nodes", after.nodes.difference(&before.nodes).count()),
        ("-nodes", before.nodes.difference(&after.nodes).count()),
        (
            "+relationships",
            after.edges.difference(&before.edges).count(),
        ),
        (
            "-relationships",
            before.edges.difference(&after.edges).count(),
        ),
        ("+labels", after.labels.difference(&before.labels).count()),
        ("-labels", before.labels.difference(&after.labels).count()),
        (
            "+properties",
            multiset_minus(&after.properties, &before.properties),
        ),
        (
            "-properties",
            multiset_minus(&before.properties, &after.properties),
        ),
    ])
}

enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
}

/// The result of the query under test: which phase failed, if any.
enum Ran {
    Result(QueryResult),
    CompileError(QueryError),
    RuntimeError(QueryError),
}

fn run_query(graph: &mut Graph, text: &str, params: &Params, procedures: &Procedures) -> Ran {
    let statements = match query::parse(text) {
        Ok(s) => s,
        Err(e) => return Ran::CompileError(e),
    };
    let mut last = None;
    for statement in &statements {
        let prepared = match query::prepare_with(graph, text, statement, procedures) {
            Ok(p) => p,
            Err(e) => return Ran::CompileError(e),
        };
        match prepared.run_mut(graph, params) {
            Ok(r) => last = Some(r),
            Err(e) => return Ran::RuntimeError(e),
        }
    }
    match last {
        Some(r) => Ran::Result(r),
        None => Ran::CompileError(
            query::parse("")
                .err()
                .unwrap_or_else(|| query::parse("(").expect_err("an empty query is an error")),
        ),
    }
}

fn error_matches(expected: &str, error: &QueryError, compile_time: bool) -> Result<(), String> {
    // "a SyntaxError should be raised at compile time: UndefinedVariable"
    let words: Vec<&str> = expected.split_whitespace().collect();
    let kind = words.get(1).copied().unwrap_or("");
    let phase = if expected.contains("compile time") {
        Some(true)
    } else if expected.contains("runtime") {
        Some(false)
    } else {
        None
    };
    let detail = expected.rsplit(':').next().unwrap_or("*").trim();
    if phase.is_some_and(|p| p != compile_time) {
        return Err(format!(
            "raised at {} instead: {}",
            if compile_time {
                "compile time"
            } else {
                "runtime"
            },
            error.message
        ));
    }
    let kind_ok = match kind {
        "Error" => true,
        "SyntaxError" | "SemanticError" => {
            matches!(error.kind, ErrorKind::Syntax | ErrorKind::Semantic) || !compile_time
        }
        "TypeError" => matches!(
            error.kind,
            ErrorKind::Type | ErrorKind::Semantic | ErrorKind::Syntax
        ),
        "ArgumentError" => matches!(error.kind, ErrorKind::Argument | ErrorKind::Type),
        "ParameterMissing" => error.kind == ErrorKind::ParameterMissing,
        "ConstraintVerificationFailed" => error.kind == ErrorKind::Constraint,
        "EntityNotFound" => true,
        "ProcedureError" => error.kind == ErrorKind::Semantic,
        _ => false,
    };
    let ours = format!("{:?}", error.code);
    if !kind_ok {
        return Err(format!(
            "wanted {kind}, got {:?} {ours}: {}",
            error.kind, error.message
        ));
    }
    if detail != "*" && detail != ours {
        return Err(format!("wanted {detail}, got {ours}: {}", error.message));
    }
    Ok(())
}

/// Registers the procedure a step declares (`test.my.proc(in :: INTEGER?) :: (out ::
/// STRING?):`), yielding the rows of its table (the arguments, then the outputs; a table of
/// one empty cell declares none).
fn declare_procedure(
    procedures: &mut Procedures,
    signature: &str,
    table: &[Vec<String>],
) -> Result<(), String> {
    let signature = signature.trim_end().trim_end_matches(':');
    let def = ProcedureDef::parse(signature).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for row in table.iter().skip(1) {
        let mut values = Vec::new();
        for cell in row {
            let value =
                parse_value(cell).ok_or_else(|| format!("cannot read the table value {cell}"))?;
            values.push(to_query_value(&value));
        }
        rows.push(values);
    }
    let def = def.with_rows(rows).map_err(|e| e.to_string())?;
    procedures.add(def).map_err(|e| e.to_string())
}

fn run_scenario(tck: &Path, scenario: &Scenario) -> Outcome {
    if scenario.ignored {
        return Outcome::Skipped("tagged @ignore in the TCK".to_owned());
    }
    let mut graph = Graph::new(Schema::Open);
    let mut params = Params::new();
    let mut procedures = Procedures::new();
    let mut ran: Option<Ran> = None;
    let mut before: Option<Snapshot> = None;
    let mut after: Option<Snapshot> = None;
    for step in &scenario.steps {
        let t = step.text.as_str();
        if t.starts_with("an empty graph") || t.starts_with("any graph") {
            graph = Graph::new(Schema::Open);
        } else if let Some(name) = t
            .strip_prefix("the ")
            .and_then(|r| r.strip_suffix(" graph"))
        {
            let path = tck.join("graphs").join(name).join(format!("{name}.cypher"));
            let Ok(text) = std::fs::read_to_string(&path) else {
                return Outcome::Failed(format!("cannot read {}", path.display()));
            };
            if let Err(e) = query::execute_mut(&mut graph, &text, &Params::new()) {
                return Outcome::Failed(format!("setting up the {name} graph failed:\n{e}"));
            }
        } else if t.starts_with("having executed") {
            let text = step.doc.as_deref().unwrap_or("");
            if let Err(e) = query::execute_mut(&mut graph, text, &params) {
                return Outcome::Failed(format!("a setup query failed:\n{text}\n{e}"));
            }
        } else if t.starts_with("parameters are") {
            for row in &step.table {
                let [name, value] = row.as_slice() else {
                    return Outcome::Failed("a parameter row needs two cells".to_owned());
                };
                let Some(v) = parse_value(value) else {
                    return Outcome::Failed(format!("cannot read the parameter value {value}"));
                };
                params.insert(name.clone(), to_query_value(&v));
            }
        } else if let Some(signature) = t.strip_prefix("there exists a procedure ") {
            if let Err(why) = declare_procedure(&mut procedures, signature, &step.table) {
                return Outcome::Failed(why);
            }
        } else if t.starts_with("executing query") {
            before = Some(snapshot(&graph));
            ran = Some(run_query(
                &mut graph,
                step.doc.as_deref().unwrap_or(""),
                &params,
                &procedures,
            ));
            after = Some(snapshot(&graph));
        } else if t.starts_with("executing control query") {
            ran = Some(run_query(
                &mut graph,
                step.doc.as_deref().unwrap_or(""),
                &params,
                &procedures,
            ));
        } else if t.starts_with("the result should be empty") {
            match &ran {
                Some(Ran::Result(r)) if r.columns.is_empty() && r.rows.is_empty() => {}
                Some(Ran::Result(r)) => {
                    return Outcome::Failed(format!(
                        "expected no result, got columns {:?} and {} rows",
                        r.columns,
                        r.rows.len()
                    ));
                }
                Some(Ran::CompileError(e) | Ran::RuntimeError(e)) => {
                    return Outcome::Failed(format!("unexpected error:\n{e}"));
                }
                None => return Outcome::Failed("no query ran".to_owned()),
            }
        } else if t.starts_with("the result should be") {
            let ordered = t.contains("in order");
            let unordered_lists = t.contains("ignoring element order for lists");
            let result = match &ran {
                Some(Ran::Result(r)) => r,
                Some(Ran::CompileError(e) | Ran::RuntimeError(e)) => {
                    return Outcome::Failed(format!("unexpected error:\n{e}"));
                }
                None => return Outcome::Failed("no query ran".to_owned()),
            };
            let Some((header, rows)) = step.table.split_first() else {
                return Outcome::Failed("a result table needs a header".to_owned());
            };
            if *header != result.columns {
                return Outcome::Failed(format!(
                    "columns {:?}, expected {header:?}",
                    result.columns
                ));
            }
            let mut expected = Vec::new();
            for row in rows {
                let mut cells = Vec::new();
                for cell in row {
                    match parse_value(cell) {
                        Some(v) => cells.push(canonical(&v, unordered_lists)),
                        None => {
                            return Outcome::Failed(format!(
                                "cannot read the expected value {cell}"
                            ));
                        }
                    }
                }
                expected.push(cells.join(" | "));
            }
            let mut actual: Vec<String> = result
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|v| canonical(&from_result(v), unordered_lists))
                        .collect::<Vec<_>>()
                        .join(" | ")
                })
                .collect();
            if !ordered {
                expected.sort();
                actual.sort();
            }
            if expected != actual {
                return Outcome::Failed(format!(
                    "rows differ:\n  expected {expected:?}\n  actual   {actual:?}"
                ));
            }
        } else if t.contains("should be raised at") {
            match &ran {
                Some(Ran::CompileError(e)) => {
                    if let Err(why) = error_matches(t, e, true) {
                        return Outcome::Failed(why);
                    }
                }
                Some(Ran::RuntimeError(e)) => {
                    if let Err(why) = error_matches(t, e, false) {
                        return Outcome::Failed(why);
                    }
                }
                Some(Ran::Result(r)) => {
                    return Outcome::Failed(format!(
                        "expected an error ({t}), got {} rows",
                        r.rows.len()
                    ));
                }
                None => return Outcome::Failed("no query ran".to_owned()),
            }
        } else if t.starts_with("no side effects") || t.starts_with("the side effects should be") {
            let (Some(b), Some(a)) = (&before, &after) else {
                return Outcome::Failed("no query ran".to_owned());
            };
            let actual = side_effects(b, a);
            let mut expected: BTreeMap<&str, usize> = actual.keys().map(|k| (*k, 0)).collect();
            for row in &step.table {
                if let [name, count] = row.as_slice()
                    && let Some(slot) = expected.get_mut(name.as_str())
                {
                    *slot = count.parse().unwrap_or(usize::MAX);
                }
            }
            if expected != actual {
                return Outcome::Failed(format!("side effects {actual:?}, expected {expected:?}"));
            }
        } else {
            return Outcome::Skipped(format!("unknown step: {t}"));
        }
    }
    Outcome::Passed
}

// ----- scope, totals and the baseline --------------------------------------------------------

/// Scenario numbers in scope per feature file: `None` for all of them.
fn in_scope(readme: &str) -> BTreeMap<String, Option<HashSet<String>>> {
    let mut scope = BTreeMap::new();
    for line in readme.lines() {
        let Some(rest) = line.strip_prefix("- `") else {
            continue;
        };
        let Some((file, list)) = rest.split_once("`: ") else {
            continue;
        };
        if !file.ends_with(".feature") {
            continue;
        }
        let name = file.rsplit('/').next().unwrap_or(file).to_owned();
        if list.starts_with("all") {
            scope.insert(name, None);
        } else {
            let numbers = list
                .split_whitespace()
                .map(|t| {
                    t.trim_start_matches('[')
                        .trim_end_matches('+')
                        .trim_end_matches(']')
                        .to_owned()
                })
                .collect();
            scope.insert(name, Some(numbers));
        }
    }
    scope
}

fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            feature_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
}

/// The counts `tests/tck-baseline.txt` records: `total N` (scenarios passed over the whole
/// suite) and `in-scope N` (over the README's list), one a line; `#` lines are comments.
struct Baseline {
    total: usize,
    in_scope: usize,
}

fn read_baseline(text: &str) -> Result<Baseline, String> {
    let (mut total, mut in_scope) = (None, None);
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let value: usize = value
            .trim()
            .parse()
            .map_err(|_| format!("line {}: `{line}` is not `total N` or `in-scope N`", n + 1))?;
        match key {
            "total" => total = Some(value),
            "in-scope" => in_scope = Some(value),
            _ => {
                return Err(format!(
                    "line {}: unknown count `{key}`; write `total N` or `in-scope N`",
                    n + 1
                ));
            }
        }
    }
    match (total, in_scope) {
        (Some(total), Some(in_scope)) => Ok(Baseline { total, in_scope }),
        _ => Err("needs both a `total N` and an `in-scope N` line".to_owned()),
    }
}

fn main() -> ExitCode {
    let tck = std::env::var_os("OPENCYPHER_TCK")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tck"));
    let features = tck.join("features");
    if !features.is_dir() {
        println!(
            "tck: no openCypher TCK at {}; set OPENCYPHER_TCK to a folder holding features/ to run it",
            tck.display()
        );
        return ExitCode::SUCCESS;
    }
    let readme = std::fs::read_to_string(tck.join("README.md")).unwrap_or_default();
    let scope = in_scope(&readme);
    let verbose = std::env::var_os("TCK_VERBOSE").is_some();
    let filter = std::env::var("TCK_FILTER").ok();
    let mut files = Vec::new();
    feature_files(&features, &mut files);

    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let (mut scope_total, mut scope_passed) = (0, 0);
    let mut unreadable = 0;
    let mut failures_by_reason: BTreeMap<String, usize> = BTreeMap::new();
    for file in &files {
        let relative = file
            .strip_prefix(&features)
            .unwrap_or(file)
            .display()
            .to_string();
        if filter.as_deref().is_some_and(|f| !relative.contains(f)) {
            continue;
        }
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) => {
                println!("{relative}: cannot read: {e}");
                unreadable += 1;
                continue;
            }
        };
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file_scope = scope.get(&name);
        let (mut p, mut f, mut s) = (0, 0, 0);
        let mut notes = Vec::new();
        for scenario in parse_feature(&text) {
            let scoped = match file_scope {
                Some(None) => true,
                Some(Some(numbers)) => numbers.contains(&scenario.number),
                None => false,
            };
            let label = format!(
                "[{}] {}{}",
                scenario.number,
                scenario.title,
                scenario
                    .example
                    .map(|e| format!(" (example {e})"))
                    .unwrap_or_default()
            );
            let outcome = std::panic::catch_unwind(|| run_scenario(&tck, &scenario))
                .unwrap_or_else(|_| Outcome::Failed("the engine panicked".to_owned()));
            match outcome {
                Outcome::Passed => {
                    p += 1;
                    if scoped {
                        scope_passed += 1;
                    }
                }
                Outcome::Failed(why) => {
                    f += 1;
                    *failures_by_reason
                        .entry(
                            relative
                                .rsplit_once('/')
                                .map_or(relative.clone(), |(d, _)| d.to_owned()),
                        )
                        .or_default() += 1;
                    if verbose {
                        notes.push(format!("    FAIL {label}: {why}"));
                    }
                }
                Outcome::Skipped(why) => {
                    s += 1;
                    notes.push(format!("    skipped {label}: {why}"));
                }
            }
            if scoped {
                scope_total += 1;
            }
        }
        println!("{relative}: {p} passed, {f} failed, {s} skipped");
        for note in notes {
            println!("{note}");
        }
        passed += p;
        failed += f;
        skipped += s;
    }
    println!();
    println!(
        "tck total: {passed} passed, {failed} failed, {skipped} skipped of {} scenarios, in {} feature files",
        passed + failed + skipped,
        files.len()
    );
    let rate = if scope_total == 0 {
        0.0
    } else {
        100.0 * scope_passed as f64 / scope_total as f64
    };
    println!("tck in scope (README list): {scope_passed} of {scope_total} passed ({rate:.1}%)");
    let mut folders: Vec<(&String, &usize)> =
        failures_by_reason.iter().filter(|(_, n)| **n > 0).collect();
    folders.sort_by(|a, b| b.1.cmp(a.1));
    println!("most failures:");
    for (folder, n) in folders.iter().take(8) {
        println!("  {n:4} {folder}");
    }
    if filter.is_some() {
        return ExitCode::SUCCESS;
    }
    if unreadable > 0 {
        println!("tck: {unreadable} feature files could not be read");
        return ExitCode::FAILURE;
    }
    let baseline_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tck-baseline.txt");
    let baseline = match std::fs::read_to_string(&baseline_path) {
        Ok(text) => match read_baseline(&text) {
            Ok(b) => b,
            Err(why) => {
                println!("tck: {}: {why}", baseline_path.display());
                return ExitCode::FAILURE;
            }
        },
        Err(e) => {
            println!("tck: cannot read {}: {e}", baseline_path.display());
            return ExitCode::FAILURE;
        }
    };
    let mut ok = true;
    for (what, now, recorded) in [
        ("whole-suite", passed, baseline.total),
        ("in-scope", scope_passed, baseline.in_scope),
    ] {
        if now < recorded {
            println!(
                "tck: {now} {what} scenarios passed, fewer than the {recorded} recorded in tests/tck-baseline.txt"
            );
            ok = false;
        } else if now > recorded {
            println!(
                "tck: {now} {what} scenarios passed, more than the baseline of {recorded}: raise tests/tck-baseline.txt"
            );
        }
    }
    if !ok {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
