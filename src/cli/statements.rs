//! `alliances query`: statements from the command line or a file, run through a session, their
//! results printed as a table, JSON lines or CSV.

use std::path::Path;
use std::process::ExitCode;

use super::*;
use crate::model::printable_json;

/// The switches of `alliances query`.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub(super) struct QueryOptions {
    /// Describe how each statement would run (which index or scan each pattern starts
    /// from) instead of running it, as if each began with EXPLAIN.
    #[arg(long)]
    pub(super) explain: bool,
    /// Print each statement's row count and running time on standard error.
    #[arg(long)]
    pub(super) timing: bool,
    /// Save the changes the statements make back into the data file (with one --data FILE).
    #[arg(long)]
    pub(super) write: bool,
    /// Go on with the next statement when one fails (the failed one changes nothing).
    #[arg(long)]
    pub(super) continue_on_error: bool,
    /// Stop a statement that runs longer than this many seconds (it then changes nothing).
    #[arg(long, value_name = "SECONDS")]
    pub(super) timeout: Option<f64>,
}

pub(super) fn query(
    data: &DataArgs,
    format: OutputFormat,
    params: &[String],
    options: &QueryOptions,
    limits: query::Limits,
    file: Option<&Path>,
    statements: Option<&str>,
) -> ExitCode {
    let &QueryOptions {
        explain,
        timing,
        write,
        continue_on_error,
        timeout,
    } = options;
    let timeout = match timeout_arg(timeout) {
        Ok(limit) => limit,
        Err(code) => return code,
    };
    if write && data.as_of.is_some() {
        errln!(
            "error: --write and --as-of cannot go together: saving would drop the relationships --as-of hides"
        );
        return ExitCode::from(2);
    }
    let save_to = match (write, data.data.as_slice()) {
        (false, _) => None,
        (true, [one]) => Some(one.clone()),
        (true, _) => {
            errln!("error: --write saves into the data file, so it needs exactly one --data FILE");
            return ExitCode::from(2);
        }
    };
    let text = match (file, statements) {
        (Some(path), _) => match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                errln!("error: cannot read {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        },
        (None, Some(text)) => text.to_owned(),
        (None, None) => unreachable!("clap requires statements or --file"),
    };
    let started = std::time::Instant::now();
    if write && data.db.is_some() {
        errln!("error: a database keeps every change as it is made; --write is for --data files");
        return ExitCode::from(2);
    }
    if let Some(path) = &save_to
        && let Err(e) = crate::db::refuse_database(
            path,
            &format!(
                "saving it whole would bypass its journal; open it with --db {} instead of --data",
                path.display()
            ),
        )
    {
        errln!("error: {}", flags(&e));
        return ExitCode::from(2);
    }
    let mut session = match data.open_session() {
        Ok(session) => session,
        Err(code) => return code,
    };
    session.format = format;
    if timing {
        errln!(
            "loaded {} nodes and {} relationships in {:.3} s",
            session.graph.node_count(),
            session.graph.edge_count(),
            started.elapsed().as_secs_f64()
        );
    }
    for param in params {
        let Some((name, value)) = param.split_once('=') else {
            errln!("error: --param takes NAME=VALUE, for example --param name='\"Intel\"'");
            return ExitCode::from(2);
        };
        let name = name.trim().trim_start_matches('$');
        match query::parse_value(&session.graph, value) {
            Ok(v) => {
                session.params.insert(name.to_owned(), v);
            }
            Err(e) => {
                errln!("error in --param {name}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    // Messages about a script name its file, as `FILE:LINE:COLUMN`.
    let file_name = file.map(|path| path.display().to_string());
    let shown = |e: &query::QueryError| match &file_name {
        Some(name) => flags(e.in_file(name)),
        None => flags(e),
    };
    let parsed = match query::parse(&text) {
        Ok(parsed) => parsed,
        Err(e) => {
            errln!("{}", shown(&e));
            return ExitCode::FAILURE;
        }
    };
    let width = terminal_width();
    let all_started = std::time::Instant::now();
    let mut failed = 0;
    let mut changed = false;
    for (i, statement) in parsed.iter().enumerate() {
        let started = std::time::Instant::now();
        // A timer stops the statement at --timeout; it is told to stand down when it ends.
        let timer = Timer::start(timeout);
        session.limits = limits
            .clone()
            .with_interrupt(std::sync::Arc::clone(&timer.stop));
        let outcome = session.prepare(&text, statement).and_then(|prepared| {
            let prepared = if explain {
                prepared.with_mode(query::ast::Mode::Explain)
            } else {
                prepared
            };
            for warning in prepared.warnings() {
                match &file_name {
                    Some(name) => errln!("{}", warning.in_file(name)),
                    None => errln!("{warning}"),
                }
            }
            let ran = session.run(&text, &prepared)?;
            for warning in &ran.warnings {
                errln!("{warning}");
            }
            Ok(ran.result)
        });
        if timing && let Ok(result) = &outcome {
            errln!(
                "statement {}: {} row{} in {:.3} ms",
                i + 1,
                result.rows.len(),
                if result.rows.len() == 1 { "" } else { "s" },
                started.elapsed().as_secs_f64() * 1e3
            );
        }
        drop(timer);
        let outcome = outcome.map_err(|e| match (e.kind, timeout) {
            (query::ErrorKind::Interrupted, Some(limit)) => query::QueryError {
                message: format!(
                    "the statement ran past --timeout {}s and was stopped; it changed nothing",
                    limit.as_secs_f64()
                ),
                ..e
            },
            _ => e,
        });
        if let Ok(result) = &outcome {
            changed |= !result.changes.is_empty();
            for note in &result.notes {
                errln!("note: {}", flags(note));
            }
        }
        match outcome {
            Ok(result) => match session.format {
                OutputFormat::Table => {
                    if i > 0 {
                        outln!();
                    }
                    outln!("{}", result.to_table(width));
                }
                OutputFormat::Json => println!("{}", printable_json(&result.to_json())),
                // An EXPLAIN has no rows: its plan is the answer. CSV has no room for a
                // profile, which goes to standard error.
                OutputFormat::Csv if result.plan.is_some() => {
                    if i > 0 {
                        outln!();
                    }
                    outln!("{}", result.to_table(width));
                }
                OutputFormat::Csv => {
                    if i > 0 {
                        outln!();
                    }
                    print_csv(&result.to_csv());
                    if let Some(profile) = &result.profile {
                        errln!("{profile}");
                    }
                }
            },
            Err(e) => {
                if parsed.len() > 1 {
                    errln!("statement {} of {} failed:", i + 1, parsed.len());
                }
                errln!("{}", shown(&e));
                failed += 1;
                if !continue_on_error {
                    if let Some(path) = &save_to {
                        errln!(
                            "nothing was saved to {}; fix the statement and run the script again",
                            path.display()
                        );
                    }
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    if let Some(warning) = session.close() {
        errln!("{warning}");
    }
    if let Some(path) = &save_to {
        if let Err(e) = crate::datafile::save(&session.graph, path) {
            errln!("{}", flags(&e));
            return ExitCode::FAILURE;
        }
        errln!("saved to {}", path.display());
    } else if changed && data.data.len() == 1 {
        errln!(
            "the changes were not saved; add --write to save them into {}",
            data.data[0].display()
        );
    }
    if failed > 0 {
        return ExitCode::FAILURE;
    }
    if timing && parsed.len() > 1 {
        errln!(
            "{} statements in {:.3} s",
            parsed.len(),
            all_started.elapsed().as_secs_f64()
        );
    }
    ExitCode::SUCCESS
}
