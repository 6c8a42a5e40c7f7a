//! `alliances bench DIR`: the peer benchmark's workloads on the generator's output, printed as
//! the peers print them (one JSON object per line), so that `run_peers.sh` puts us in its
//! table and cross-checks our answers.
//!
//! Each workload also runs through the query language, and its time is reported beside the
//! direct call's (`query_seconds`), so the cost of the engine shows.

use std::convert::Infallible;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use serde_json::{Value as Json, json};

use crate::algo::search;
use crate::query::{self, Params};
use crate::session::{Request, Session};
use crate::store::{Graph, NodeId};

/// Marks for breadth-first searches, reused across searches (the searches' own).
pub use crate::algo::search::Marks;

/// Undirected hop distance, by a search from both ends that widens the smaller frontier.
pub fn hop_distance(graph: &Graph, from: NodeId, to: NodeId, marks: &mut Marks) -> Option<u32> {
    let adjacency = graph.adjacency();
    let found = search::meet(
        marks,
        graph.node_index_bound(),
        (from, to),
        None,
        |node, meet| {
            for &other in adjacency.neighbors(node) {
                if meet.add(other) {
                    break;
                }
            }
            Ok::<_, Infallible>(())
        },
    );
    let Ok(meeting) = found;
    meeting.map(|m| u32::try_from(m.nodes.len() - 1).unwrap_or(u32::MAX))
}

/// How many distinct nodes lie within two undirected hops of `source`, itself left out.
pub fn two_hop_count(graph: &Graph, source: NodeId, marks: &mut Marks) -> usize {
    let adjacency = graph.adjacency();
    let mut count = 0;
    let searched = search::reach(
        marks,
        graph.node_index_bound(),
        source,
        2,
        || Ok::<_, Infallible>(()),
        |node, reach| {
            for &other in adjacency.neighbors(node) {
                reach.add(other);
            }
            Ok(())
        },
        |_| count += 1,
    );
    let Ok(()) = searched;
    count
}

/// Resident memory now and at its peak, in MiB (Linux; zero elsewhere).
fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn read_queries(dir: &Path) -> std::io::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(dir.join("queries.txt"))?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            match (parts.next(), parts.next()) {
                (Some(a), Some(b)) if !a.starts_with('#') => Some((a.to_owned(), b.to_owned())),
                _ => None,
            }
        })
        .collect())
}

/// Runs the workloads on `dir`, writing JSON lines to `out`.
///
/// # Errors
/// When the data cannot be read or a query id is unknown.
pub fn run(dir: &Path, out: &mut dyn Write) -> Result<(), String> {
    let process = Instant::now();
    let pairs = read_queries(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.join("queries.txt").display()))?;
    let meta: Json = std::fs::read_to_string(dir.join("meta.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Json::Null);
    let base = json!({
        "peer": "alliances",
        "version": env!("CARGO_PKG_VERSION"),
        "data": dir.display().to_string(),
        "nodes": meta["nodes"],
        "edges": meta["edges"],
    });
    let mut emit = |workload: &str, seconds: f64, extra: Json| -> Result<(), String> {
        let mut record = base.clone();
        record["workload"] = json!(workload);
        record["seconds"] = json!((seconds * 1e6).round() / 1e6);
        if let (Json::Object(r), Json::Object(e)) = (&mut record, extra) {
            r.extend(e);
        }
        writeln!(out, "{record}").map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())
    };

    let (rss0, _) = memory_mb();
    let started = Instant::now();
    let request = Request {
        csv: Some((dir.join("nodes.csv"), dir.join("edges.csv"))),
        ..Request::default()
    };
    let (mut session, _) = Session::open(&request, &|_| {}).map_err(|e| e.to_string())?;
    let graph = &session.graph;
    let parse_and_build = started.elapsed().as_secs_f64();
    // The traversal index belongs to what loading costs: the peers build theirs while loading.
    let index_started = Instant::now();
    let index_bytes = graph.adjacency().heap_bytes();
    let index = index_started.elapsed().as_secs_f64();
    let load = started.elapsed().as_secs_f64();
    let (rss1, peak) = memory_mb();
    let store = graph.memory_use();
    let mb = |bytes: usize| (bytes as f64 / 1048576.0 * 10.0).round() / 10.0;
    emit(
        "load",
        load,
        json!({
            "peak_rss_mb": (peak * 10.0).round() / 10.0,
            "rss_mb": (rss1 * 10.0).round() / 10.0,
            "rss_delta_mb": ((rss1 - rss0) * 10.0).round() / 10.0,
            "graph_nodes": graph.node_count(),
            "graph_edges": graph.edge_count(),
            "build_s": parse_and_build,
            "index_s": index,
            "store_mb": {
                "topology": mb(store.topology),
                "node_properties": mb(store.node_properties),
                "edge_properties": mb(store.edge_properties),
                "strings": mb(store.strings),
                "indexes": mb(store.indexes - index_bytes),
                "traversal_index": mb(index_bytes),
            },
        }),
    )?;

    // agg: relationships counted by type.
    let started = Instant::now();
    let counts: serde_json::Map<String, Json> = graph
        .type_counts()
        .into_iter()
        .map(|(t, n)| (t.to_owned(), json!(n)))
        .collect();
    let agg = started.elapsed().as_secs_f64();
    let (agg_query, _) = timed_query(
        &mut session,
        "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n",
    )?;
    emit(
        "agg",
        agg,
        json!({"answers": counts, "query_seconds": agg_query}),
    )?;

    let graph = &session.graph;
    let node = |id: &str| {
        graph
            .node_by_id(id)
            .ok_or_else(|| format!("queries.txt names an unknown node {id}"))
    };
    let resolved: Vec<(NodeId, NodeId)> = pairs
        .iter()
        .map(|(a, b)| Ok((node(a)?, node(b)?)))
        .collect::<Result<_, String>>()?;
    let mut marks = Marks::for_graph(graph);

    // sp: undirected hop distances for the 100 pairs.
    let started = Instant::now();
    let answers: Vec<i64> = resolved
        .iter()
        .map(|(a, b)| hop_distance(graph, *a, *b, &mut marks).map_or(-1, i64::from))
        .collect();
    let sp = started.elapsed().as_secs_f64();
    let sp_answers = answers;

    // hop2: distinct nodes within two undirected hops of each source. The direct calls run
    // one after the other, as the peers' do, before the query language's turn.
    let started = Instant::now();
    let hop2_answers: Vec<i64> = resolved
        .iter()
        .map(|(a, _)| two_hop_count(graph, *a, &mut marks) as i64)
        .collect();
    let hop2 = started.elapsed().as_secs_f64();

    let answers = sp_answers;
    let sp_text = |a: &str, b: &str| {
        format!("MATCH p = shortestPath((a {{id: {a}}})-[*]-(b {{id: {b}}})) RETURN length(p)")
    };
    let (sp_query, sp_prepared) = through_queries(
        &mut session,
        &answers,
        &pairs
            .iter()
            .map(|(a, b)| sp_text(&quoted(a), &quoted(b)))
            .collect::<Vec<_>>(),
        &sp_text("$a", "$b"),
        &pairs
            .iter()
            .map(|(a, b)| {
                Params::from([
                    ("a".to_owned(), query::QueryValue::String(a.clone())),
                    ("b".to_owned(), query::QueryValue::String(b.clone())),
                ])
            })
            .collect::<Vec<_>>(),
        -1,
    )?;
    emit(
        "sp",
        sp,
        json!({"answers": answers, "query_seconds": sp_query, "prepared_seconds": sp_prepared}),
    )?;

    let hop2_text = |a: &str| {
        format!("MATCH (s {{id: {a}}})-[*1..2]-(x) WHERE x <> s RETURN count(DISTINCT x)")
    };
    let answers = hop2_answers;
    let (hop2_query, hop2_prepared) = through_queries(
        &mut session,
        &answers,
        &pairs
            .iter()
            .map(|(a, _)| hop2_text(&quoted(a)))
            .collect::<Vec<_>>(),
        &hop2_text("$a"),
        &pairs
            .iter()
            .map(|(a, _)| Params::from([("a".to_owned(), query::QueryValue::String(a.clone()))]))
            .collect::<Vec<_>>(),
        0,
    )?;
    emit(
        "hop2",
        hop2,
        json!({"answers": answers, "query_seconds": hop2_query, "prepared_seconds": hop2_prepared}),
    )?;

    // pagerank: the top 10 ids.
    let started = Instant::now();
    let graph = &session.graph;
    let ranks = crate::algo::centrality::pagerank(graph, &|| false).unwrap_or_default();
    let pagerank = started.elapsed().as_secs_f64();
    let id_of = |n: NodeId| match graph.node_prop(n, "id") {
        Some(crate::model::Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let top10: Vec<String> = ranks.iter().take(10).map(|(n, _)| id_of(*n)).collect();
    let scores: Vec<f64> = ranks
        .iter()
        .take(10)
        .map(|(_, s)| (s * 1e8).round() / 1e8)
        .collect();
    let (pagerank_query, result) = timed_query(
        &mut session,
        "CALL algo.pageRank() YIELD node, score RETURN node.id LIMIT 10",
    )?;
    let query_top: Vec<String> = result
        .rows
        .iter()
        .map(|r| r[0].to_string().trim_matches('"').to_owned())
        .collect();
    if query_top != top10 {
        return Err("the query language's PageRank disagrees with the direct call".to_owned());
    }
    emit(
        "pagerank",
        pagerank,
        json!({"top10": top10, "params": "damping=0.85, L1 tolerance 1e-10, at most 200 rounds", "top10_scores": scores, "query_seconds": pagerank_query}),
    )?;

    let (_, peak) = memory_mb();
    emit(
        "done",
        process.elapsed().as_secs_f64(),
        json!({"peak_rss_mb": (peak * 10.0).round() / 10.0}),
    )?;

    // After `done`, so that the second copy of the graph it opens stays out of the run's peak
    // memory: saving the graph as a snapshot, and opening that as a database.
    let file = tempfile::Builder::new()
        .prefix("alliances-bench-")
        .suffix(".alliances")
        .tempfile()
        .map_err(|e| format!("cannot make a temporary snapshot: {e}"))?;
    let started = Instant::now();
    crate::datafile::save(&session.graph, file.path()).map_err(|e| e.to_string())?;
    let save = started.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(file.path()).map_or(0, |m| m.len());
    let (nodes, edges) = (session.graph.node_count(), session.graph.edge_count());
    drop(session);
    let started = Instant::now();
    let request = Request {
        db: Some(file.path().to_owned()),
        read_only: true,
        ..Request::default()
    };
    let (reopened, _) = Session::open(&request, &|_| {}).map_err(|e| e.to_string())?;
    let open = started.elapsed().as_secs_f64();
    if (reopened.graph.node_count(), reopened.graph.edge_count()) != (nodes, edges) {
        return Err("the snapshot opened with a different number of elements".to_owned());
    }
    emit(
        "snapshot",
        open,
        json!({"save_s": save, "open_s": open, "snapshot_mb": (bytes as f64 / 1048576.0 * 10.0).round() / 10.0}),
    )?;
    Ok(())
}

/// Runs a workload through the query language twice, and checks its answers against the
/// direct calls': each statement as text (parsed, planned and run, as typed in the shell),
/// then one statement with parameters, prepared once and run for each (as a driver runs it).
/// Returns both times. A statement returning no row answers `none`.
fn through_queries(
    session: &mut Session,
    answers: &[i64],
    texts: &[String],
    with_params: &str,
    params: &[Params],
    none: i64,
) -> Result<(f64, f64), String> {
    let first_value = |result: &query::QueryResult| match result.rows.first().map(|r| &r[0]) {
        None => Ok(none),
        Some(query::ResultValue::Int(n)) => Ok(*n),
        Some(other) => Err(format!("a query answered {other:?}, not a whole number")),
    };
    let check = |got: Vec<i64>, how: &str| {
        if got == answers {
            Ok(())
        } else {
            Err(format!(
                "the query language ({how}) disagrees with the direct calls"
            ))
        }
    };
    let started = Instant::now();
    let mut results = Vec::with_capacity(texts.len());
    for text in texts {
        results.push(timed_query(session, text)?.1);
    }
    let as_text = started.elapsed().as_secs_f64();
    check(
        results.iter().map(first_value).collect::<Result<_, _>>()?,
        "as text",
    )?;

    let started = Instant::now();
    let statements = query::parse(with_params).map_err(|e| e.to_string())?;
    let prepared = session
        .prepare(with_params, &statements[0])
        .map_err(|e| e.to_string())?;
    let mut results = Vec::with_capacity(params.len());
    for p in params {
        session.params.clone_from(p);
        let ran = session
            .run(with_params, &prepared)
            .map_err(|e| e.to_string())?;
        results.push(ran.result);
    }
    session.params = Params::new();
    let as_prepared = started.elapsed().as_secs_f64();
    check(
        results.iter().map(first_value).collect::<Result<_, _>>()?,
        "prepared",
    )?;
    Ok((as_text, as_prepared))
}

/// Runs the statement `text` holds through the session, with its time.
fn timed_query(session: &mut Session, text: &str) -> Result<(f64, query::QueryResult), String> {
    let started = Instant::now();
    let mut ran = session.execute(text).map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    Ok((seconds, ran.pop().ok_or("no result")?.result))
}

/// A Cypher string literal.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}
