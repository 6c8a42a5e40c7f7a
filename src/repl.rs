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
    (":quit", "leave the shell (Ctrl-D also works)"),
];

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
                    match execute(&graph, &line) {
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
            match execute(&graph, &line) {
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

fn execute(graph: &Graph, line: &str) -> Result<Next, String> {
    let line = line.trim();
    let command = line.split_whitespace().next().unwrap_or("");
    match command {
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
        _ => run_statements(graph, line).map(|()| Next::Continue),
    }
}

/// Runs the query statements of one line, printing each result as a table.
fn run_statements(graph: &Graph, text: &str) -> Result<(), String> {
    let statements = query::parse(text).map_err(|e| e.to_string())?;
    for statement in &statements {
        let prepared = query::prepare(graph, text, statement).map_err(|e| e.to_string())?;
        for warning in prepared.warnings() {
            eprintln!("{warning}");
        }
        let result = prepared
            .run(&query::Params::new())
            .map_err(|e| e.to_string())?;
        println!("{}", result.to_table(None));
    }
    Ok(())
}
