//! The DOT text of an alliance map, built with graphviz-rust's structures and printer.
//!
//! How it looks: left to right; consortia are clusters around their members; kinds have their
//! shape and colour; `invests-in` is solid green with its amount and stake, `member-of` dashed
//! grey with the role, `supplies` bold blue with the product; tooltips carry dates and sources;
//! a legend explains it all. A tie that has ended or was cancelled (on the view's date, or
//! today for the whole graph, by `model::standing`) is dashed and grey whatever its type, with
//! its end in its label, so a diagram of the whole history still shows what holds now.
//!
//! Which cluster: a firm in several consortia sits in the one it joined first (by the
//! `member-of` date, undated last, then by consortium name) and its other memberships are
//! dashed lines to those clusters.
//!
//! **Invariant:** output is deterministic (nodes by id, relationships by their ends, type and
//! id) and any text is escaped, so names with quotes, backslashes, newlines or `<>{}` are safe.

use std::collections::{BTreeMap, BTreeSet};

use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph as DotGraph, GraphAttributes, Id, Node, NodeId as DotNodeId,
    Stmt, Subgraph, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};

use super::Selection;
use crate::algo::describe_relationship;
use crate::model::vocabulary::{Drawing, RelDef};
use crate::model::{Date, Standing, Value};
use crate::store::{EdgeId, Graph, ID_KEY, NAME_KEY, NodeId};

/// What goes around the diagram.
#[derive(Clone, Debug, Default)]
pub struct DotOptions {
    /// The title at the top.
    pub title: Option<String>,
    /// The date the graph is shown as of, for the caption.
    pub as_of: Option<Date>,
    /// Draw the legend.
    pub legend: bool,
}

/// Text as a quoted DOT string: quotes and backslashes escaped, newlines as `\n`.
pub fn quoted(text: &str) -> Id {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    Id::Escaped(out)
}

fn attr(key: &str, value: &str) -> Attribute {
    Attribute(Id::Plain(key.to_owned()), quoted(value))
}

fn node_id(node: NodeId) -> DotNodeId {
    DotNodeId(Id::Plain(format!("n{}", node.index())), None)
}

fn text_prop(graph: &Graph, node: NodeId, key: &str) -> Option<String> {
    match graph.node_prop(node, key) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Shape and colours of a node of this kind, as the vocabulary draws it; plain otherwise.
fn kind_style(graph: &Graph, kind: Option<&str>) -> Vec<(&'static str, String)> {
    let drawing = kind
        .and_then(|k| graph.vocabulary().kind(k))
        .and_then(|k| k.draw.as_ref());
    let pick = |value: Option<&Option<String>>, plain: &str| {
        value
            .and_then(Option::as_ref)
            .map_or_else(|| plain.to_owned(), Clone::clone)
    };
    vec![
        ("shape", pick(drawing.map(|d| &d.shape), "box")),
        ("style", pick(drawing.map(|d| &d.line), "filled")),
        ("fillcolor", pick(drawing.map(|d| &d.fill), "#f3f4f6")),
    ]
}

/// Graphviz attributes of a line drawn as `drawing`, in one order whatever the type.
fn line_attributes(drawing: &Drawing) -> Vec<(&'static str, String)> {
    [
        ("style", &drawing.line),
        ("color", &drawing.color),
        ("fontcolor", &drawing.font),
        ("penwidth", &drawing.width),
        ("arrowhead", &drawing.arrowhead),
        ("dir", &drawing.dir),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.clone().map(|v| (key, v)))
    .collect()
}

/// A tie that has ended or was cancelled, whatever its type.
fn ended_drawing() -> Drawing {
    Drawing {
        line: Some("dashed".to_owned()),
        color: Some("#9ca3af".to_owned()),
        font: Some("#9ca3af".to_owned()),
        ..Drawing::default()
    }
}

/// Line and colour of a tie of this type, as the vocabulary draws it; plain otherwise.
fn tie_drawing(graph: &Graph, rel_type: Option<&str>) -> Drawing {
    rel_type
        .and_then(|t| graph.vocabulary().relationship(t))
        .and_then(|r| r.draw.clone())
        .unwrap_or_else(|| Drawing {
            color: Some("#374151".to_owned()),
            ..Drawing::default()
        })
}

fn node_kind(graph: &Graph, node: NodeId) -> Option<&str> {
    graph
        .node_labels(node)
        .find_map(|l| graph.vocabulary().kind_by_label(l))
        .map(|k| k.name.as_str())
}

fn tie_type(graph: &Graph, edge: EdgeId) -> Option<&str> {
    graph
        .vocabulary()
        .relationship(graph.edge_type(edge))
        .map(|r| r.name.as_str())
}

fn node_stmt(graph: &Graph, node: NodeId) -> Stmt {
    let name = graph.display_name(node);
    let mut tooltip = name.clone();
    for key in [ID_KEY, "country", "sector"] {
        if let Some(v) = text_prop(graph, node, key) {
            tooltip.push_str(&format!("\n{key}: {v}"));
        }
    }
    if let Some(aliases) = graph
        .node_prop(node, "aliases")
        .as_ref()
        .and_then(Value::string_list)
    {
        tooltip.push_str(&format!("\nalso: {}", aliases.join(", ")));
    }
    let mut attributes = vec![attr("label", &name), attr("tooltip", &tooltip)];
    for (k, v) in kind_style(graph, node_kind(graph, node)) {
        attributes.push(attr(k, &v));
    }
    Stmt::Node(Node::new(node_id(node), attributes))
}

/// The short label on a relationship: `$8.9B · 9.9%`, a role, or a product.
fn edge_label(graph: &Graph, edge: EdgeId) -> String {
    let mut parts = Vec::new();
    if let Some(amount) = crate::model::money::tie_amount(&|key| graph.edge_prop(edge, key)) {
        parts.push(amount);
    }
    if let Some(stake) = graph.edge_f64(edge, "stake_pct") {
        parts.push(format!("{stake}%"));
    } else if let (Some(min), Some(max)) = (
        graph.edge_f64(edge, "stake_min"),
        graph.edge_f64(edge, "stake_max"),
    ) {
        parts.push(format!("{min}–{max}%"));
    }
    for key in ["role", "product", "agreement", "interest"] {
        if let Some(Value::String(text)) = graph.edge_prop(edge, key) {
            parts.push(text.clone());
        }
    }
    parts.join(" · ")
}

/// Whether a tie is drawn as over, and the words its label ends with: "ended 2021-06",
/// "ended", "cancelled".
fn over(graph: &Graph, edge: EdgeId, on: Date) -> Option<String> {
    match graph.edge_standing(edge, on) {
        Standing::Ended => Some(match graph.edge_prop(edge, "end_date") {
            Some(Value::Date(end)) => format!("ended {end}"),
            _ => "ended".to_owned(),
        }),
        Standing::Cancelled => Some("cancelled".to_owned()),
        Standing::NotBegun | Standing::Holds | Standing::MayHold => None,
    }
}

fn edge_stmt(
    graph: &Graph,
    edge: EdgeId,
    cluster_of: &BTreeMap<NodeId, NodeId>,
    on: Date,
) -> Option<Stmt> {
    let (from, to) = graph.edge_endpoints(edge)?;
    let mut tooltip = describe_relationship(graph, edge);
    for id in graph
        .edge_prop(edge, "sources")
        .as_ref()
        .and_then(Value::string_list)
        .unwrap_or_default()
    {
        match graph.source(&id) {
            Some(s) => tooltip.push_str(&format!(
                "\nsource: {} ({}, {})",
                s.title,
                s.publisher,
                s.date
                    .map_or_else(|| "undated".to_owned(), |d| d.to_string())
            )),
            None => tooltip.push_str(&format!("\nsource: {id}")),
        }
    }
    let ended = over(graph, edge, on);
    let label = match (&ended, edge_label(graph, edge)) {
        (Some(end), label) if label.is_empty() => end.clone(),
        (Some(end), label) => format!("{label} · {end}"),
        (None, label) => label,
    };
    if let Some(end) = &ended {
        tooltip.push_str(&format!("\n{end}"));
    }
    let mut attributes = vec![attr("label", &label), attr("tooltip", &tooltip)];
    let drawing = if ended.is_some() {
        ended_drawing()
    } else {
        tie_drawing(graph, tie_type(graph, edge))
    };
    for (k, v) in line_attributes(&drawing) {
        attributes.push(attr(k, &v));
    }
    // A membership of a consortium the firm is not drawn inside points at that cluster.
    if tie_type(graph, edge) == Some("member-of")
        && cluster_of.get(&from) != Some(&to)
        && cluster_of.values().any(|c| *c == to)
    {
        attributes.push(Attribute(
            Id::Plain("lhead".to_owned()),
            quoted(&format!("cluster_{}", to.index())),
        ));
    }
    Some(Stmt::Edge(Edge {
        ty: EdgeTy::Pair(Vertex::N(node_id(from)), Vertex::N(node_id(to))),
        attributes,
    }))
}

/// For each member of a drawn consortium, the consortium whose cluster it sits in.
fn clusters(graph: &Graph, selection: &Selection) -> BTreeMap<NodeId, NodeId> {
    let mut choices: BTreeMap<NodeId, Vec<(Option<Date>, String, NodeId)>> = BTreeMap::new();
    for &edge in &selection.edges {
        if tie_type(graph, edge) != Some("member-of") {
            continue;
        }
        let Some((member, consortium)) = graph.edge_endpoints(edge) else {
            continue;
        };
        if node_kind(graph, consortium) != Some("consortium") {
            continue;
        }
        let date = graph
            .edge_prop(edge, "date")
            .as_ref()
            .and_then(Value::as_date);
        choices
            .entry(member)
            .or_default()
            .push((date, graph.display_name(consortium), consortium));
    }
    let mut home = BTreeMap::new();
    for (member, mut options) in choices {
        // Earliest membership first; undated ones after the dated, then by name.
        options.sort_by(|a, b| match (a.0, b.0) {
            (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.1.cmp(&b.1)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.1.cmp(&b.1),
        });
        home.insert(member, options[0].2);
    }
    // A consortium is drawn inside its own cluster.
    let consortia: BTreeSet<NodeId> = home.values().copied().collect();
    for consortium in consortia {
        home.insert(consortium, consortium);
    }
    home
}

/// The legend: the four kinds and three ties every diagram explains, any other kind or tie the
/// diagram draws, and the look of an ended tie when one is drawn.
fn legend(graph: &Graph, selection: &Selection, with_ended: bool) -> Subgraph {
    let mut stmts = vec![
        Stmt::Attribute(attr("label", "Legend")),
        Stmt::Attribute(attr("style", "rounded")),
        Stmt::Attribute(attr("color", "#9ca3af")),
        Stmt::Attribute(attr("fontsize", "10")),
    ];
    let vocabulary = graph.vocabulary();
    let drawn_kinds: BTreeSet<&str> = selection
        .nodes
        .iter()
        .filter_map(|n| node_kind(graph, *n))
        .collect();
    let drawn_ties: BTreeSet<&str> = selection
        .edges
        .iter()
        .filter_map(|e| tie_type(graph, *e))
        .collect();
    let always_kinds = ["company", "fund", "government", "consortium"];
    let always_ties = ["invests-in", "member-of", "supplies"];
    let ties: Vec<&RelDef> = vocabulary
        .relationships()
        .iter()
        .filter(|r| always_ties.contains(&r.name.as_str()) || drawn_ties.contains(r.name.as_str()))
        .collect();
    // A sample node for each kind shown, and for each end kind a sample tie needs.
    let ends = |r: &RelDef, at_from: bool| -> String {
        let allowed = if at_from { &r.from } else { &r.to };
        let preferred = match (r.name.as_str(), at_from) {
            ("invests-in", true) => Some("fund"),
            ("supplies", true) => Some("government"),
            _ => None,
        };
        preferred
            .map(str::to_owned)
            .or_else(|| {
                allowed
                    .iter()
                    .find(|k| {
                        always_kinds.contains(&k.as_str()) || drawn_kinds.contains(k.as_str())
                    })
                    .cloned()
            })
            .or_else(|| allowed.first().cloned())
            .unwrap_or_else(|| "company".to_owned())
    };
    let mut kinds: Vec<&str> = vocabulary
        .kinds()
        .iter()
        .map(|k| k.name.as_str())
        .filter(|k| always_kinds.contains(k) || drawn_kinds.contains(k))
        .collect();
    let tie_ends: Vec<(String, String)> = ties
        .iter()
        .map(|r| (ends(r, true), ends(r, false)))
        .collect();
    for (from, to) in &tie_ends {
        for kind in [from, to] {
            if !kinds.contains(&kind.as_str())
                && let Some(def) = vocabulary.kind(kind)
            {
                kinds.push(def.name.as_str());
            }
        }
    }
    let sample = |kind: &str| format!("legend_{}", kind.replace('-', "_"));
    for kind in &kinds {
        let mut attributes = vec![attr("label", kind), attr("fontsize", "10")];
        for (k, v) in kind_style(graph, Some(kind)) {
            attributes.push(attr(k, &v));
        }
        stmts.push(Stmt::Node(Node::new(
            DotNodeId(Id::Plain(sample(kind)), None),
            attributes,
        )));
    }
    let mut samples: Vec<(String, String, String, Drawing)> = ties
        .iter()
        .zip(&tie_ends)
        .map(|(rel, (from, to))| {
            let label = match rel.name.as_str() {
                "invests-in" => "invests in ($ · stake)".to_owned(),
                "member-of" => "member of (role)".to_owned(),
                "supplies" => "supplies (product)".to_owned(),
                other => other.replace('-', " "),
            };
            (
                from.clone(),
                to.clone(),
                label,
                tie_drawing(graph, Some(rel.name.as_str())),
            )
        })
        .collect();
    if with_ended {
        samples.push((
            "fund".to_owned(),
            "consortium".to_owned(),
            "ended or cancelled".to_owned(),
            ended_drawing(),
        ));
    }
    for (i, (from, to, label, drawing)) in samples.into_iter().enumerate() {
        // A tie between two entities of one kind would be a loop on its sample, and loops pile
        // up unreadably: it is drawn between two points of its own instead.
        let (from, to) = if from == to {
            let ends = [format!("legend_tie_{i}_from"), format!("legend_tie_{i}_to")];
            for end in &ends {
                stmts.push(Stmt::Node(Node::new(
                    DotNodeId(Id::Plain(end.clone()), None),
                    vec![attr("shape", "point"), attr("width", "0.05")],
                )));
            }
            let [from, to] = ends;
            (from, to)
        } else {
            (sample(&from), sample(&to))
        };
        let mut attributes = vec![attr("label", &label)];
        // A sample's label is in its line's colour, and its line solid unless drawn otherwise.
        let colour = drawing.color.as_deref();
        let shown = [
            ("color", colour),
            ("fontcolor", colour),
            ("style", Some(drawing.line.as_deref().unwrap_or("solid"))),
            ("arrowhead", drawing.arrowhead.as_deref()),
            ("dir", drawing.dir.as_deref()),
        ];
        for (key, value) in shown {
            if let Some(value) = value {
                attributes.push(attr(key, value));
            }
        }
        attributes.push(attr("fontsize", "9"));
        stmts.push(Stmt::Edge(Edge {
            ty: EdgeTy::Pair(
                Vertex::N(DotNodeId(Id::Plain(from), None)),
                Vertex::N(DotNodeId(Id::Plain(to), None)),
            ),
            attributes,
        }));
    }
    Subgraph {
        id: Id::Plain("cluster_legend".to_owned()),
        stmts,
    }
}

/// The DOT text of `selection`.
pub fn to_dot(graph: &Graph, selection: &Selection, options: &DotOptions) -> String {
    let mut stmts = vec![
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("rankdir", "LR"),
            attr("compound", "true"),
            attr("newrank", "true"),
            attr("fontname", "Helvetica"),
            attr("labelloc", "t"),
            attr(
                "label",
                &[
                    options.title.clone().unwrap_or_default(),
                    options
                        .as_of
                        .map(|d| format!("as of {d}"))
                        .unwrap_or_default(),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" — "),
            ),
        ])),
        Stmt::GAttribute(GraphAttributes::Node(vec![
            attr("fontname", "Helvetica"),
            attr("fontsize", "11"),
        ])),
        Stmt::GAttribute(GraphAttributes::Edge(vec![
            attr("fontname", "Helvetica"),
            attr("fontsize", "9"),
        ])),
    ];
    let cluster_of = clusters(graph, selection);
    // Nodes in a stable order: by entity id, then by internal number.
    let mut nodes: Vec<NodeId> = selection.nodes.iter().copied().collect();
    nodes.sort_by_cached_key(|n| {
        (
            text_prop(graph, *n, ID_KEY).or_else(|| text_prop(graph, *n, NAME_KEY)),
            *n,
        )
    });
    let mut by_cluster: BTreeMap<NodeId, Vec<NodeId>> = BTreeMap::new();
    for &node in &nodes {
        match cluster_of.get(&node) {
            Some(c) => by_cluster.entry(*c).or_default().push(node),
            None => stmts.push(node_stmt(graph, node)),
        }
    }
    let mut cluster_list: Vec<(NodeId, Vec<NodeId>)> = by_cluster.into_iter().collect();
    cluster_list.sort_by_cached_key(|(c, _)| (text_prop(graph, *c, ID_KEY), *c));
    for (consortium, members) in cluster_list {
        let mut sub = vec![
            Stmt::Attribute(attr("label", &graph.display_name(consortium))),
            Stmt::Attribute(attr("style", "rounded,filled")),
            Stmt::Attribute(attr("fillcolor", "#f9fafb")),
            Stmt::Attribute(attr("color", "#9ca3af")),
        ];
        sub.extend(members.into_iter().map(|n| node_stmt(graph, n)));
        stmts.push(Stmt::Subgraph(Subgraph {
            id: Id::Plain(format!("cluster_{}", consortium.index())),
            stmts: sub,
        }));
    }
    let mut edges: Vec<EdgeId> = selection.edges.iter().copied().collect();
    edges.sort_by_cached_key(|e| {
        let (a, b) = graph.edge_endpoints(*e).unzip();
        (
            a.and_then(|a| text_prop(graph, a, ID_KEY)),
            b.and_then(|b| text_prop(graph, b, ID_KEY)),
            graph.edge_type(*e).to_owned(),
            *e,
        )
    });
    let on = options.as_of.unwrap_or_else(|| graph.judged_on());
    let any_ended = edges.iter().any(|e| over(graph, *e, on).is_some());
    stmts.extend(
        edges
            .into_iter()
            .filter_map(|e| edge_stmt(graph, e, &cluster_of, on)),
    );
    if options.legend {
        stmts.push(Stmt::Subgraph(legend(graph, selection, any_ended)));
    }
    let dot = DotGraph::DiGraph {
        id: Id::Plain("alliances".to_owned()),
        strict: false,
        stmts,
    };
    let mut context = PrinterContext::default();
    dot.print(&mut context) + "\n"
}
