//! The interactive shell: query statements and meta commands over an open graph.
//!
//! Holds no graph logic: every command calls the library. When standard input is not a
//! terminal, lines are read from it without a prompt, so scripts and pipes work.

use std::io::{self, BufRead, IsTerminal, Write};
use std::process::ExitCode;

use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;

use crate::cli::Origin;
use crate::model::{did_you_mean, suggest};
use crate::query;
use crate::store::Graph;

const COMMANDS: &[(&str, &str)] = &[
    (":help", "show this help"),
    (
        ":stats",
        "count entities by kind, relationships by type, and sources",
    ),
    (
        ":save",
        "[FILE] save the graph (TOML or JSON by the file's extension)",
    ),
    (
        ":param",
        "NAME VALUE  give $NAME a value, in Cypher literal syntax",
    ),
    (":params", "list the parameters"),
    (":quit", "leave the shell (Ctrl-D also works)"),
];

/// What the shell holds between lines.
struct Session {
    graph: Graph,
    origin: Origin,
    params: query::Params,
    /// Changes since the graph was loaded or last saved.
    unsaved: bool,
}

/// What a line asked the shell to do next.
enum Next {
    Continue,
    Quit,
}

/// Runs the shell until `:quit` or end of input.
pub fn run(graph: Graph, origin: Origin) -> ExitCode {
    let interactive = io::stdin().is_terminal();
    if interactive {
        println!("{}", banner(&graph, &origin));
    }
    let mut session = Session {
        graph,
        origin,
        params: query::Params::new(),
        unsaved: false,
    };
    let mut failed = false;
    if interactive {
        let Ok(mut editor) = DefaultEditor::new() else {
            eprintln!("error: cannot open the terminal for line editing");
            return ExitCode::FAILURE;
        };
        loop {
            match editor.readline("alliances> ") {
                Ok(line) => {
                    let _ = editor.add_history_entry(line.as_str());
                    match execute(&mut session, &line) {
                        Ok(Next::Continue) => {}
                        Ok(Next::Quit) => break,
                        Err(message) => eprintln!("{message}"),
                    }
                }
                Err(ReadlineError::Interrupted) => {}
                Err(ReadlineError::Eof) => break,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    } else {
        for line in io::stdin().lock().lines() {
            let Ok(line) = line else {
                eprintln!("error: standard input is not UTF-8 text");
                return ExitCode::FAILURE;
            };
            match execute(&mut session, &line) {
                Ok(Next::Continue) => {}
                Ok(Next::Quit) => break,
                Err(message) => {
                    eprintln!("{message}");
                    failed = true;
                }
            }
        }
    }
    let _ = io::stdout().flush();
    if session.unsaved && interactive {
        eprintln!("note: the changes made in this session were not saved (:save FILE keeps them)");
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn banner(graph: &Graph, origin: &Origin) -> String {
    let what = match origin {
        Origin::Default => "the built-in AI-infrastructure dataset (an in-memory copy)".to_owned(),
        Origin::Files(files) => files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        Origin::Csv { nodes, edges } => format!("{} + {}", nodes.display(), edges.display()),
    };
    format!(
        "alliances {}: {what}\n{} entities, {} relationships, {} sources. Type :help for help.",
        env!("CARGO_PKG_VERSION"),
        graph.node_count(),
        graph.edge_count(),
        graph.source_count()
    )
}

fn execute(session: &mut Session, line: &str) -> Result<Next, String> {
    let line = line.trim();
    let command = line.split_whitespace().next().unwrap_or("");
    let rest = line[command.len()..].trim();
    let graph = &session.graph;
    match command {
        ":save" => {
            let path = if rest.is_empty() {
                match &session.origin {
                    Origin::Files(files) if files.len() == 1 => files[0].clone(),
                    _ => {
                        return Err(
                            "error: :save needs a file name here, for example :save alliances.toml"
                                .to_owned(),
                        );
                    }
                }
            } else {
                std::path::PathBuf::from(rest)
            };
            crate::datafile::save(&session.graph, &path).map_err(|e| e.to_string())?;
            session.unsaved = false;
            println!("saved to {}", path.display());
            Ok(Next::Continue)
        }
        ":param" => {
            let Some((name, value)) = rest.split_once(char::is_whitespace) else {
                return Err(
                    "error: :param takes a name and a value, for example :param min 1B".to_owned(),
                );
            };
            let name = name.trim_start_matches('$');
            let value = query::parse_value(graph, value.trim()).map_err(|e| e.to_string())?;
            session.params.insert(name.to_owned(), value);
            Ok(Next::Continue)
        }
        ":params" => {
            for (name, value) in &session.params {
                println!(
                    "${name} = {}",
                    query::ResultValue::from_query_value(graph, value)
                );
            }
            Ok(Next::Continue)
        }
        "" => Ok(Next::Continue),
        ":help" => {
            println!("Type a query, for example:");
            println!(
                "  MATCH (i)-[r:INVESTS_IN]->(c {{name: \"Intel\"}}) RETURN i.name, r.amount_usd"
            );
            println!("(docs/query-language.md describes the language.) Commands:");
            for (name, what) in COMMANDS {
                println!("  {name:<8} {what}");
            }
            Ok(Next::Continue)
        }
        ":stats" => {
            println!("{}", graph.stats());
            Ok(Next::Continue)
        }
        ":quit" | ":exit" | ":q" => Ok(Next::Quit),
        _ if command.starts_with(':') => {
            let names = COMMANDS.iter().map(|(name, _)| *name);
            let hint = did_you_mean(&suggest(command, names))
                .unwrap_or_else(|| "type :help for the list".to_owned());
            Err(format!("error: unknown command {command}; {hint}"))
        }
        _ => run_statements(session, line).map(|()| Next::Continue),
    }
}

/// Runs the query statements of one line, printing each result as a table.
fn run_statements(session: &mut Session, text: &str) -> Result<(), String> {
    let statements = query::parse(text).map_err(|e| e.to_string())?;
    for statement in &statements {
        let prepared =
            query::prepare(&session.graph, text, statement).map_err(|e| e.to_string())?;
        for warning in prepared.warnings() {
            eprintln!("{warning}");
        }
        let result = prepared
            .run_mut(&mut session.graph, &session.params)
            .map_err(|e| e.to_string())?;
        session.unsaved |= !result.changes.is_empty();
        println!("{}", result.to_table(None));
    }
    Ok(())
}
