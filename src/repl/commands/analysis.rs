//! Shell commands that run an analysis or draw a diagram: `:path`, `:cycles`, `:top`,
//! `:owners`, `:holdings`, `:common`, `:sources`, `:diff`, `:export`, `:render`.

use super::{Next, Outcome, Session};
use crate::query;
use std::path::{Path, PathBuf};

/// Runs an analysis that Ctrl-C stops, prints its report in the shell's terms, and its time
/// when `:timing` is on.
fn interruptible_report(
    session: &mut Session,
    analysis: impl FnOnce(&crate::store::Graph, &dyn Fn() -> bool) -> Result<String, String>,
) -> Outcome {
    let flag = std::sync::Arc::clone(&session.interrupt);
    flag.store(false, std::sync::atomic::Ordering::Relaxed);
    let stop = move || flag.load(std::sync::atomic::Ordering::Relaxed);
    let started = std::time::Instant::now();
    let report = analysis(&session.graph, &stop)?;
    out!("{}", crate::repl::shell_terms(report));
    if session.timing {
        errln!("({})", query::human_duration(started.elapsed()));
    }
    Ok(Next::Continue)
}

pub(super) fn run_path(session: &mut Session, _command: &str, rest: &str) -> Outcome {
    let args = crate::session::report::split_args(rest);
    let mut names = Vec::new();
    let mut options = crate::algo::PathOptions {
        max_hops: Some(8),
        k: 1,
        ..Default::default()
    };
    let mut explain = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next()
                .ok_or_else(|| format!("error: {flag} needs a value"))
        };
        match arg.as_str() {
            "--k" => {
                options.k = value("--k")?
                    .parse()
                    .map_err(|_| "error: --k takes a number".to_owned())?
            }
            "--max-hops" => {
                options.max_hops = Some(
                    value("--max-hops")?
                        .parse()
                        .map_err(|_| "error: --max-hops takes a number".to_owned())?,
                );
            }
            "--via" => {
                options.via = crate::session::report::parse_types(
                    session.graph.vocabulary(),
                    &value("--via")?,
                )
                .map_err(|e| format!("error: {e}"))?
            }
            "--directed" => options.directed = true,
            "--explain" => explain = true,
            _ if arg.starts_with("--") => {
                return Err(format!("error: :path has no option {arg}"));
            }
            _ => names.push(arg),
        }
    }
    let [from, to] = names.as_slice() else {
        return Err("error: :path takes two names, for example :path BlackRock Intel (quote names with spaces)".to_owned());
    };
    interruptible_report(session, |graph, stop| {
        crate::session::report::paths_report(graph, from, to, &options, explain, stop)
            .map_err(|e| format!("error: {e}"))
    })
}

pub(super) fn run_sources(session: &mut Session, _command: &str, rest: &str) -> Outcome {
    let args = crate::session::report::split_args(rest);
    let name = match args.as_slice() {
        [] => None,
        [name] => Some(name.as_str()),
        _ => {
            return Err(
                "error: :sources takes at most one name, for example :sources Intel (quote names with spaces)"
                    .to_owned(),
            );
        }
    };
    let report = crate::session::report::sources_report(&session.graph, name)
        .map_err(|e| format!("error: {e}"))?;
    out!("{report}");
    Ok(Next::Continue)
}

pub(super) fn run_cycles(session: &mut Session, _command: &str, rest: &str) -> Outcome {
    let args = crate::session::report::split_args(rest);
    let max_len = match args.as_slice() {
        [] => 4,
        [flag, n] if flag == "--max-len" => n
            .parse()
            .map_err(|_| "error: --max-len takes a number".to_owned())?,
        _ => return Err("error: usage: :cycles [--max-len N]".to_owned()),
    };
    interruptible_report(session, |graph, stop| {
        Ok(crate::session::report::cycles_report(graph, max_len, stop))
    })
}

pub(super) fn run_top(session: &mut Session, _command: &str, rest: &str) -> Outcome {
    let args = crate::session::report::split_args(rest);
    let (measure, n) = match args.as_slice() {
        [m] => (m.as_str(), 10),
        [m, n] => (
            m.as_str(),
            n.parse()
                .map_err(|_| "error: :top takes a number of rows".to_owned())?,
        ),
        _ => return Err("error: usage: :top pagerank|degree|betweenness [N]".to_owned()),
    };
    interruptible_report(session, |graph, stop| {
        crate::session::report::top_report(graph, measure, n, stop)
            .map_err(|e| format!("error: {e}"))
    })
}

pub(super) fn run_owners_holdings(session: &mut Session, command: &str, rest: &str) -> Outcome {
    let args = crate::session::report::split_args(rest);
    let [name] = args.as_slice() else {
        return Err(format!(
            "error: usage: {command} NAME (quote names with spaces)"
        ));
    };
    let report =
        crate::session::report::ownership_report(&session.graph, name, command == ":owners")
            .map_err(|e| format!("error: {e}"))?;
    out!("{report}");
    Ok(Next::Continue)
}

pub(super) fn run_diff(session: &mut Session, command: &str, rest: &str) -> Outcome {
    use crate::algo::diff::{DiffError, diff, parse_window};
    let usage = format!("write {command} 2020-01-01 2025-06 (each YYYY-MM-DD, YYYY-MM or YYYY)");
    let args: Vec<&str> = rest.split_whitespace().collect();
    let [first, second] = args.as_slice() else {
        return Err(format!("error: {command} takes two dates; {usage}"));
    };
    let window = parse_window(first, second).map_err(|e| match &e {
        DiffError::BadDate { which, .. } => {
            // Point at the date in the line as typed.
            let line = format!("{command} {rest}");
            let word = if *which == 1 { first } else { second };
            let skip = if *which == 1 {
                0
            } else {
                rest.find(first).map_or(0, |at| at + first.len())
            };
            let column = command.len() + 1 + skip + rest[skip..].find(word).unwrap_or(0);
            format!(
                "error: {e}\n  {line}\n  {}{}\n  {usage}",
                " ".repeat(column),
                "^".repeat(word.chars().count().max(1))
            )
        }
        DiffError::Reversed { from, to } => {
            format!("error: {e}: {command} {to} {from}")
        }
    })?;
    // The whole history, also while a dated view is shown.
    let graph = session
        .as_of
        .as_ref()
        .map_or(&session.graph, |(_, full)| full);
    let found = diff(graph, window.0, window.1).map_err(|e| format!("error: {e}"))?;
    out!("{}", crate::session::report::diff_report(&found));
    Ok(Next::Continue)
}

pub(super) fn run_common(session: &mut Session, _command: &str, rest: &str) -> Outcome {
    let names = crate::session::report::split_args(rest);
    if names.len() < 2 {
        return Err(
            "error: :common takes two names or more, for example :common Microsoft Nvidia"
                .to_owned(),
        );
    }
    let report = crate::session::report::common_report(&session.graph, &names)
        .map_err(|e| format!("error: {e}"))?;
    out!("{report}");
    Ok(Next::Continue)
}

pub(super) fn run_export_render(session: &mut Session, command: &str, rest: &str) -> Outcome {
    let mut rest = rest;
    let mut format = "dot";
    if command == ":export" {
        let (first, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        format = match first {
            "dot" => "dot",
            f if crate::export::FORMATS.contains(&f) => f,
            "toml" | "json" => {
                return Err(format!(
                    "error: a data file is what :save writes: :save FILE.{first} (a part of the graph: alliances export {first} --around NAME)"
                ));
            }
            _ => {
                return Err(format!(
                    "error: usage: :export FORMAT FILE [scope], FORMAT being dot, {}",
                    crate::export::FORMATS.join(", ")
                ));
            }
        };
        rest = after.trim_start();
    }
    let (file, scope_text) = match rest.split_once(char::is_whitespace) {
        Some((file, scope)) => (file, scope.trim()),
        None => (rest, ""),
    };
    if file.is_empty() {
        return Err(format!(
            "error: usage: {command} FILE [--around NAME --hops N | --path A B | --cycles N | QUERY]"
        ));
    }
    let scope = diagram_scope(scope_text)?;
    let (selection, title) =
        crate::export::select_until(&session.graph, &scope, &session.params, &{
            session
                .interrupt
                .store(false, std::sync::atomic::Ordering::Relaxed);
            std::sync::Arc::clone(&session.interrupt)
        })?;
    if format != "dot" {
        let written = crate::export::write_to_path(
            format,
            &session.graph,
            &selection,
            Path::new(file),
            &crate::export::CypherOptions::default(),
            &session.interrupt,
        )
        .map_err(|e| format!("error: {e}"))?;
        errln!(
            "{} ({} nodes, {} relationships)",
            written.summary,
            selection.nodes.len(),
            selection.edges.len()
        );
        if let Some(command) = written.command {
            outln!("{command}");
        }
        return Ok(Next::Continue);
    }
    if let Some(warning) = crate::export::size_warning(&selection) {
        errln!("{warning}");
    }
    let options = crate::export::DotOptions {
        title: Some(title),
        as_of: session.as_of.as_ref().map(|(d, _)| *d),
        legend: true,
    };
    let dot = crate::export::to_dot(&session.graph, &selection, &options);
    let path = PathBuf::from(file);
    let bytes = if command == ":export" {
        dot.into_bytes()
    } else {
        let format = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .filter(|e| ["svg", "png", "pdf"].contains(&e.as_str()))
            .ok_or_else(|| "error: :render writes .svg, .png or .pdf files".to_owned())?;
        let flag = std::sync::Arc::clone(&session.interrupt);
        crate::export::render_until(&dot, &format, &|| {
            flag.load(std::sync::atomic::Ordering::Relaxed)
        })
        .map_err(|e| format!("error: {e}"))?
    };
    crate::datafile::write_atomically(&path, &bytes)
        .map_err(|e| format!("error: cannot write {file}: {e}"))?;
    errln!(
        "wrote {} ({} nodes, {} relationships)",
        path.display(),
        selection.nodes.len(),
        selection.edges.len()
    );
    Ok(Next::Continue)
}

/// A diagram's scope from `:export`/`:render` arguments: options, or a query.
pub(super) fn diagram_scope(text: &str) -> Result<crate::export::Scope, String> {
    use crate::export::Scope;
    if text.is_empty() {
        return Ok(Scope::Whole);
    }
    if !text.starts_with("--") {
        return Ok(Scope::Query(text.trim_end_matches(';').to_owned()));
    }
    let args = crate::session::report::split_args(text);
    let number = |v: Option<&String>, flag: &str| -> Result<usize, String> {
        v.and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("error: {flag} takes a number"))
    };
    let find = |flag: &str| args.iter().position(|a| a == flag);
    if let Some(i) = find("--around") {
        let name = args
            .get(i + 1)
            .ok_or("error: --around takes a name")?
            .clone();
        let hops = match find("--hops") {
            Some(j) => number(args.get(j + 1), "--hops")?,
            None => 1,
        };
        return Ok(Scope::Around { name, hops });
    }
    if let Some(i) = find("--path") {
        let (Some(from), Some(to)) = (args.get(i + 1), args.get(i + 2)) else {
            return Err("error: --path takes two names".to_owned());
        };
        let k = match find("--k") {
            Some(j) => number(args.get(j + 1), "--k")?,
            None => 1,
        };
        return Ok(Scope::Path {
            from: from.clone(),
            to: to.clone(),
            k,
        });
    }
    if let Some(i) = find("--cycles") {
        let max_len = args
            .get(i + 1)
            .map_or(Ok(4), |_| number(args.get(i + 1), "--cycles"))?;
        return Ok(Scope::Cycles { max_len });
    }
    Err(format!(
        "error: unknown diagram option {}; use --around, --path, --cycles or a query",
        args[0]
    ))
}
