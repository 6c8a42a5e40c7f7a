//! The handlers of `/api/…`. Each reads its request, runs on a blocking thread within the
//! server's bounds (the statement or search stopped at the time limit), and answers JSON: a
//! statement's result as `QueryResult::to_json` writes it, the map's elements as `json.rs`
//! writes them, or an error with its place and a 4xx status.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json_, json};

use super::json::{self, error_response, query_error};
use super::{MAX_ELEMENTS, Shared};
use crate::model::Date;
use crate::query::{self, Params};
use crate::store::{Direction, EdgeId, Graph, NodeId};

type Answer = Result<Response, (StatusCode, Json<Json_>)>;
type Fields = Result<Query<HashMap<String, String>>, QueryRejection>;

fn bad(message: impl std::fmt::Display) -> (StatusCode, Json<Json_>) {
    error_response(StatusCode::BAD_REQUEST, &message.to_string(), None)
}

fn not_found(message: impl std::fmt::Display) -> (StatusCode, Json<Json_>) {
    error_response(StatusCode::NOT_FOUND, &message.to_string(), None)
}

fn ok(value: Json_) -> Answer {
    Ok(Json(value).into_response())
}

/// The fields of a query string, or the reason they cannot be read.
fn fields(query: Fields) -> Result<HashMap<String, String>, (StatusCode, Json<Json_>)> {
    query.map(|Query(q)| q).map_err(|e| bad(e.body_text()))
}

/// A JSON body, or an error that says where it is not JSON (or that it is too large).
fn body<T: serde::de::DeserializeOwned>(
    bytes: Result<Bytes, BytesRejection>,
) -> Result<T, (StatusCode, Json<Json_>)> {
    let bytes = bytes.map_err(|e| {
        let status = e.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!(
                "the request body is larger than {} bytes, the most the server reads",
                super::MAX_BODY_BYTES
            )
        } else {
            e.body_text()
        };
        error_response(status, &message, None)
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        let mut answer = bad(format!("the request body is not the JSON expected: {e}"));
        answer.1.0["error"]["line"] = json!(e.line());
        answer.1.0["error"]["column"] = json!(e.column());
        answer
    })
}

fn as_of(text: Option<&String>) -> Result<Option<Date>, (StatusCode, Json<Json_>)> {
    match text.map(|t| t.trim()).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t
            .parse::<Date>()
            .map(Some)
            .map_err(|e| bad(format!("as_of: {e}; write YYYY-MM-DD, YYYY-MM or YYYY"))),
    }
}

fn number(
    fields: &HashMap<String, String>,
    name: &str,
    default: usize,
    max: usize,
) -> Result<usize, (StatusCode, Json<Json_>)> {
    match fields.get(name) {
        None => Ok(default),
        Some(t) => t.parse::<usize>().map(|n| n.clamp(1, max)).map_err(|_| {
            bad(format!(
                "{name} takes a whole number from 1 to {max}, not \"{t}\""
            ))
        }),
    }
}

/// Runs `work` on a blocking thread with a flag the server's time limit sets.
async fn blocking<T: Send + 'static>(
    shared: &Arc<Shared>,
    work: impl FnOnce(Arc<Shared>, Arc<AtomicBool>) -> T + Send + 'static,
) -> Result<T, (StatusCode, Json<Json_>)> {
    let stop = Arc::new(AtomicBool::new(false));
    let timer = {
        let (stop, limit) = (Arc::clone(&stop), shared.options.timeout);
        tokio::spawn(async move {
            tokio::time::sleep(limit).await;
            stop.store(true, Ordering::Relaxed);
        })
    };
    let shared = Arc::clone(shared);
    let done = tokio::task::spawn_blocking(move || work(shared, stop)).await;
    timer.abort();
    done.map_err(|e| {
        error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the request failed inside the server: {e}"),
            None,
        )
    })
}

/// The body of `POST /api/query`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct QueryRequest {
    query: String,
    #[serde(default)]
    params: serde_json::Map<String, Json_>,
    /// Run on the graph as it stood on this date.
    #[serde(default)]
    as_of: Option<String>,
    /// Also list the nodes and relationships the rows hold, for the map.
    #[serde(default)]
    graph: bool,
    /// Fewer rows than the server's bound.
    #[serde(default)]
    max_rows: Option<usize>,
}

/// `POST /api/query`: runs the statements in turn and answers the last one's result.
pub(super) async fn query(
    State(shared): State<Arc<Shared>>,
    bytes: Result<Bytes, BytesRejection>,
) -> Answer {
    let request: QueryRequest = body(bytes)?;
    let date = as_of(request.as_of.as_ref())?;
    let text = blocking(&shared, move |shared, stop| {
        run_query(&shared, &request, date, stop)
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}

fn run_query(
    shared: &Shared,
    request: &QueryRequest,
    date: Option<Date>,
    stop: Arc<AtomicBool>,
) -> Result<String, (StatusCode, Json<Json_>)> {
    let text = request.query.as_str();
    let statements = query::parse(text).map_err(|e| query_error(&e))?;
    if statements.is_empty() {
        return Err(bad("the query holds no statement"));
    }
    let params: Params = request
        .params
        .iter()
        .map(|(k, v)| (k.clone(), json::param(v)))
        .collect();
    let mut limits = shared.options.limits.clone().with_interrupt(stop);
    if let Some(rows) = request.max_rows {
        limits.set_max_rows(rows.min(shared.options.limits.max_rows()));
    }
    let read = shared.read(date, |graph, _| {
        let mut last = None;
        for statement in &statements {
            let prepared = query::prepare(graph, text, statement)
                .map_err(|e| query_error(&e))?
                .within(&limits);
            if prepared.writes() {
                return Ok(None);
            }
            let result = prepared.run(graph, &params).map_err(|e| query_error(&e))?;
            last = Some(answer(graph, &result, request.graph));
        }
        Ok(last)
    })?;
    if let Some(done) = read {
        return Ok(done);
    }
    // A statement writes: only on a server started to write, on the whole graph.
    if let Some(date) = date {
        return Err(query_error(&query::QueryError::dated_view(text, date)));
    }
    if !shared.options.write {
        return Err(error_response(
            StatusCode::FORBIDDEN,
            "the statement writes, and this server only reads; start it with `alliances serve --write` to change the graph",
            None,
        ));
    }
    let mut session = shared.session.write().unwrap_or_else(|e| e.into_inner());
    let kept = std::mem::replace(&mut session.params, params);
    session.limits = limits;
    let mut outcome = Ok(String::new());
    let mut changed = false;
    for statement in &statements {
        let ran = session
            .prepare(text, statement)
            .and_then(|prepared| session.run(text, &prepared));
        match ran {
            Ok(ran) => {
                changed |= !ran.result.changes.is_empty();
                outcome = Ok(answer(&session.graph, &ran.result, request.graph));
            }
            Err(e) => {
                outcome = Err(query_error(&e));
                break;
            }
        }
    }
    session.params = kept;
    if changed {
        shared.changed(&session.graph);
    }
    outcome
}

/// A result as `query --format json` prints it, with its notes and warnings when it has any
/// and, when asked, the elements its rows hold.
fn answer(graph: &Graph, result: &query::QueryResult, with_graph: bool) -> String {
    let mut text = result.to_json();
    let mut extra = serde_json::Map::new();
    if !result.notes.is_empty() {
        extra.insert("notes".into(), json!(result.notes));
    }
    if !result.warnings.is_empty() {
        let warnings: Vec<String> = result.warnings.iter().map(|w| w.to_string()).collect();
        extra.insert("warnings".into(), json!(warnings));
    }
    if !result.changes.is_empty() {
        extra.insert("changes".into(), json!(result.changes.to_string()));
    }
    if with_graph {
        extra.insert(
            "graph".into(),
            json::result_graph(graph, &result.rows, MAX_ELEMENTS),
        );
    }
    if !extra.is_empty() && text.ends_with('}') {
        text.pop();
        for (k, v) in extra {
            text.push_str(&format!(",{}:{v}", Json_::String(k)));
        }
        text.push('}');
    }
    text
}

/// `GET /api/search?q=nvi`: entities whose name or an alias holds the text (accents, case
/// and spacing ignored), those starting with it first, at most `limit` (20, up to 100).
pub(super) async fn search(State(shared): State<Arc<Shared>>, query: Fields) -> Answer {
    let fields = fields(query)?;
    let wanted = crate::model::fold_name(fields.get("q").map_or("", String::as_str));
    let limit = number(&fields, "limit", 20, 100)?;
    let names = Arc::clone(&shared.names.read().unwrap_or_else(|e| e.into_inner()));
    let found = blocking(&shared, move |shared, _| {
        let mut starts = Vec::new();
        let mut holds = Vec::new();
        let mut seen = std::collections::HashSet::new();
        if !wanted.is_empty() {
            for name in names.iter() {
                if name.folded.starts_with(&wanted) {
                    starts.push(name);
                } else if name.folded.contains(&wanted) {
                    holds.push(name);
                }
            }
        }
        starts.sort_by_key(|n| (n.folded.len(), n.node));
        holds.sort_by_key(|n| (n.folded.len(), n.node));
        shared.read(None, |graph, _| {
            let mut matches = Vec::new();
            for name in starts.into_iter().chain(holds) {
                if matches.len() == limit {
                    break;
                }
                if graph.contains_node(name.node) && seen.insert(name.node) {
                    let mut node = json::node(graph, name.node, false);
                    node["matched"] = json!(name.text);
                    node.as_object_mut().map(|o| o.remove("properties"));
                    matches.push(node);
                }
            }
            json!({ "matches": matches })
        })
    })
    .await?;
    ok(found)
}

/// A node named by its number (`n12`), id, name or alias.
fn find(graph: &Graph, key: &str) -> Result<NodeId, (StatusCode, Json<Json_>)> {
    if let Some(node) = json::parse_node(graph, key) {
        return Ok(node);
    }
    crate::algo::find_entity(graph, key).map_err(not_found)
}

/// `GET /api/entity/{key}`: a node with its properties and the sources it cites.
pub(super) async fn entity(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    query: Fields,
) -> Answer {
    let date = as_of(fields(query)?.get("as_of"))?;
    let found = blocking(&shared, move |shared, _| {
        shared.read(date, |graph, _| {
            let node = find(graph, &key)?;
            let mut out = json::node(graph, node, true);
            let degree = graph.edges_of(node, Direction::Outgoing).count()
                + graph.edges_of(node, Direction::Incoming).count();
            out["degree"] = json!(degree);
            Ok::<_, (StatusCode, Json<Json_>)>(out)
        })
    })
    .await??;
    ok(found)
}

/// `GET /api/relationship/{id}`: a relationship with its properties and its sources.
pub(super) async fn relationship(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    query: Fields,
) -> Answer {
    let date = as_of(fields(query)?.get("as_of"))?;
    let found = blocking(&shared, move |shared, _| {
        shared.read(date, |graph, note| {
            let edge = json::parse_edge(graph, &key).ok_or_else(|| {
                not_found(match note {
                    Some(_) => format!("no relationship {key} holds on the date asked for"),
                    None => format!("no relationship is numbered {key}; relationships are named e0, e1, … as the API lists them"),
                })
            })?;
            json::edge(graph, edge, true).ok_or_else(|| not_found(format!("no relationship {key}")))
        })
    })
    .await??;
    ok(found)
}

/// The relationship types `types=` names (as `--via` does), or every type.
fn types(
    graph: &Graph,
    fields: &HashMap<String, String>,
) -> Result<Vec<String>, (StatusCode, Json<Json_>)> {
    match fields
        .get("types")
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
    {
        None => Ok(Vec::new()),
        Some(text) => crate::session::report::parse_types(graph.vocabulary(), text).map_err(bad),
    }
}

/// `GET /api/neighbours/{key}`: a node, its ties (of `types`, on `as_of`), the nodes at their
/// other ends, and the members of each consortium among them, at most `limit` elements.
pub(super) async fn neighbours(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    query: Fields,
) -> Answer {
    let fields = fields(query)?;
    let date = as_of(fields.get("as_of"))?;
    let limit = number(&fields, "limit", MAX_ELEMENTS, MAX_ELEMENTS)?;
    let found = blocking(&shared, move |shared, _| {
        shared.read(date, |graph, note| {
            let centre = find(graph, &key)?;
            let via = types(graph, &fields)?;
            let allowed =
                |edge: EdgeId| via.is_empty() || via.iter().any(|t| t == graph.edge_type(edge));
            let mut nodes = vec![centre];
            let mut seen: BTreeSet<NodeId> = BTreeSet::from([centre]);
            let mut edges = BTreeSet::new();
            let mut ties = |node: NodeId, nodes: &mut Vec<NodeId>, only: Option<&str>| {
                for direction in [Direction::Outgoing, Direction::Incoming] {
                    for (edge, other) in graph.edges_of(node, direction) {
                        if !allowed(edge) || only.is_some_and(|t| t != graph.edge_type(edge)) {
                            continue;
                        }
                        edges.insert(edge);
                        if seen.insert(other) {
                            nodes.push(other);
                        }
                    }
                }
            };
            ties(centre, &mut nodes, None);
            // Each consortium shown brings its members, so that it is drawn as a group.
            let member_of = crate::model::edge_type_of("member-of");
            let consortium = crate::model::label_of("consortium");
            let groups: Vec<NodeId> = nodes
                .iter()
                .copied()
                .filter(|n| graph.node_has_label(*n, &consortium))
                .collect();
            for group in groups {
                ties(group, &mut nodes, Some(&member_of));
            }
            let mut out = json::elements(graph, &nodes, &edges, limit);
            out["centre"] = json!(json::node_key(centre));
            if let Some(note) = note {
                out["note"] = json!(note);
            }
            Ok::<_, (StatusCode, Json<Json_>)>(out)
        })
    })
    .await??;
    ok(found)
}

/// The body of `POST /api/ties` and `POST /api/export/dot`: the elements a view shows.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct View {
    #[serde(default)]
    nodes: Vec<String>,
    #[serde(default)]
    edges: Vec<String>,
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    title: Option<String>,
}

impl View {
    fn nodes(&self, graph: &Graph) -> BTreeSet<NodeId> {
        self.nodes
            .iter()
            .filter_map(|k| json::parse_node(graph, k))
            .collect()
    }
}

/// `POST /api/ties`: the relationships among the nodes a view shows, on `as_of`: what the map
/// draws after it adds nodes or moves its date.
pub(super) async fn ties(
    State(shared): State<Arc<Shared>>,
    bytes: Result<Bytes, BytesRejection>,
) -> Answer {
    let view: View = body(bytes)?;
    let date = as_of(view.as_of.as_ref())?;
    let found = blocking(&shared, move |shared, stop| {
        shared.read(date, |graph, note| {
            let nodes = view.nodes(graph);
            let mut edges = BTreeSet::new();
            for &node in &nodes {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                for (edge, other) in graph.edges_of(node, Direction::Outgoing) {
                    if nodes.contains(&other) {
                        edges.insert(edge);
                    }
                }
            }
            let mut out = json::elements(graph, &nodes, &edges, MAX_ELEMENTS);
            if let Some(note) = note {
                out["note"] = json!(note);
            }
            out
        })
    })
    .await?;
    ok(found)
}

/// `GET /api/paths?from=A&to=B`: the `k` shortest paths, each hop explained with its sources.
pub(super) async fn paths(State(shared): State<Arc<Shared>>, query: Fields) -> Answer {
    let fields = fields(query)?;
    let date = as_of(fields.get("as_of"))?;
    let (Some(from), Some(to)) = (fields.get("from").cloned(), fields.get("to").cloned()) else {
        return Err(bad(
            "paths needs from= and to=, each an entity's id, name or alias",
        ));
    };
    let k = number(&fields, "k", 1, 10)?;
    let max_hops = number(&fields, "max_hops", crate::algo::DEFAULT_MAX_HOPS, 15)?;
    let directed = fields
        .get("directed")
        .is_some_and(|d| d == "true" || d == "1");
    let found = blocking(&shared, move |shared, stop| {
        shared.read(date, |graph, note| {
            let (a, b) = (find(graph, &from)?, find(graph, &to)?);
            let options = crate::algo::PathOptions {
                via: types(graph, &fields)?,
                directed,
                max_hops: Some(max_hops),
                k,
            };
            let found = crate::algo::k_shortest_paths(graph, a, b, &options, &|| {
                stop.load(Ordering::Relaxed)
            });
            if found.interrupted {
                return Err(error_response(
                    StatusCode::REQUEST_TIMEOUT,
                    "the path search ran past the server's time limit and was stopped",
                    Some("name closer firms, lower max_hops or k, or restrict types"),
                ));
            }
            let mut nodes = BTreeSet::new();
            let mut edges = BTreeSet::new();
            let routes: Vec<Json_> = found
                .routes
                .iter()
                .map(|route| {
                    nodes.extend(route.nodes.iter().copied());
                    edges.extend(route.edges.iter().copied());
                    json!({
                        "hops": route.hops(),
                        "nodes": route.nodes.iter().map(|n| json::node_key(*n)).collect::<Vec<_>>(),
                        "edges": route.edges.iter().map(|e| json::edge_key(*e)).collect::<Vec<_>>(),
                        "text": crate::algo::describe_route(graph, route),
                        "explained": crate::algo::explain_route(graph, route),
                    })
                })
                .collect();
            let mut out = json::elements(graph, &nodes, &edges, MAX_ELEMENTS);
            out["paths"] = json!(routes);
            out["cut_by_hops"] = json!(found.cut_by_hops);
            if routes.is_empty() {
                out["message"] = json!(format!(
                    "no path between {} and {} within {max_hops} hops",
                    graph.display_name(a),
                    graph.display_name(b)
                ));
            }
            if let Some(note) = note {
                out["note"] = json!(note);
            }
            Ok(out)
        })
    })
    .await??;
    ok(found)
}

/// `GET /api/schema`: the kinds and relationship types (the vocabulary), the labels and types
/// in use with their counts, the property keys, and the server's bounds.
pub(super) async fn schema(State(shared): State<Arc<Shared>>) -> Answer {
    let found = blocking(&shared, |shared, _| {
        shared.read(None, |graph, _| {
            let vocabulary = graph.vocabulary();
            let limits = &shared.options.limits;
            json!({
                "schema": format!("{:?}", graph.schema()).to_lowercase(),
                "kinds": vocabulary.kinds().iter().map(|k| json!({
                    "name": k.name, "label": crate::model::label_of(&k.name), "help": k.help,
                })).collect::<Vec<_>>(),
                "relationship_types": vocabulary.relationships().iter().map(|r| json!({
                    "name": r.name, "type": crate::model::edge_type_of(&r.name), "help": r.help,
                    "from": r.from, "to": r.to,
                })).collect::<Vec<_>>(),
                "labels": graph.label_counts(),
                "types": graph.type_counts(),
                "property_keys": graph.property_keys(),
                "server": {
                    "write": shared.options.write,
                    "max_rows": limits.max_rows(),
                    "max_var_length": limits.max_var_length(),
                    "max_memory_mb": limits.max_memory_mb(),
                    "timeout_seconds": shared.options.timeout.as_secs_f64(),
                    "max_body_bytes": super::MAX_BODY_BYTES,
                    "max_elements": MAX_ELEMENTS,
                },
            })
        })
    })
    .await?;
    ok(found)
}

/// `GET /api/stats`: what `alliances stats` counts.
pub(super) async fn stats(State(shared): State<Arc<Shared>>, query: Fields) -> Answer {
    let date = as_of(fields(query)?.get("as_of"))?;
    let found = blocking(&shared, move |shared, _| {
        shared.read(date, |graph, note| {
            let s = graph.stats();
            json!({
                "nodes": s.nodes,
                "relationships": s.relationships,
                "by_label": s.by_label,
                "by_type": s.by_type,
                "sources": s.sources,
                "unsourced": s.unsourced,
                "note": note,
            })
        })
    })
    .await?;
    ok(found)
}

/// `POST /api/export/dot`: the view's nodes and relationships as a Graphviz diagram, drawn by
/// the same code as `alliances export dot`.
pub(super) async fn export_dot(
    State(shared): State<Arc<Shared>>,
    bytes: Result<Bytes, BytesRejection>,
) -> Answer {
    let view: View = body(bytes)?;
    let date = as_of(view.as_of.as_ref())?;
    let dot = blocking(&shared, move |shared, _| {
        shared.read(date, |graph, _| {
            let mut selection = crate::export::Selection {
                nodes: view.nodes(graph),
                edges: BTreeSet::new(),
            };
            for key in &view.edges {
                if let Some(edge) = json::parse_edge(graph, key) {
                    selection.add_edge(graph, edge);
                }
            }
            let options = crate::export::DotOptions {
                title: Some(view.title.clone().unwrap_or_else(|| "Alliances".to_owned())),
                as_of: date,
                legend: true,
            };
            crate::export::to_dot(graph, &selection, &options)
        })
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/vnd.graphviz; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"alliances.dot\"",
            ),
        ],
        dot,
    )
        .into_response())
}

/// Any other `/api/` path.
pub(super) async fn unknown(uri: axum::http::Uri) -> Answer {
    Err(not_found(format!(
        "no API endpoint is at {}; see docs/http-api.md for the endpoints",
        uri.path()
    )))
}
