//! The interactive shell: query statements and meta commands over an open graph.
//!
//! Holds no query logic: statements go to the same library entry points as `alliances query`.
//! On a terminal it edits lines with rustyline (history, completion, highlighting); from a
//! pipe or a script file it reads the same input without prompt or colour.
//!
//! **Invariant:** input is cut into statements by one rule (`input::classify`), whatever it
//! comes from, so a script behaves as if it were typed.

mod commands;
mod helper;
mod input;
pub(crate) mod output;

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rustyline::error::ReadlineError;
use rustyline::history::{FileHistory, History};
use rustyline::{Config, Editor};

use crate::query::{self, TableStyle};
use crate::session::{Origin, OutputFormat};
pub use input::{Input, classify};

const PROMPT: &str = "alliances> ";
const CONTINUATION: &str = "        -> ";

/// How the shell was started.
#[derive(Debug, Default)]
pub struct Options {
    /// Run this script instead of reading standard input.
    pub file: Option<PathBuf>,
    /// Go on after a failing statement in a script or a pipe.
    pub continue_on_error: bool,
    /// The bounds the session starts with; `:set` changes the session's copy.
    pub limits: query::Limits,
}

/// What the shell holds between inputs: the library's session (graph, database, parameters,
/// dated view), which it derefs to, and how the shell shows things.
pub(crate) struct Session {
    pub core: crate::session::Session,
    /// Changes since the graph was loaded or last saved.
    pub unsaved: bool,
    pub timing: bool,
    /// Output may be coloured (a terminal, and `NO_COLOR` unset).
    pub colours: bool,
    /// Standard output is a terminal, whose width tables are fitted to.
    pub terminal: bool,
    /// Set by Ctrl-C while a statement runs; the session's limits stop on it.
    pub interrupt: Arc<AtomicBool>,
    /// The script being run, whose name messages give as `FILE:LINE:COLUMN`.
    pub script: Option<String>,
    /// The line of the script or pipe the input being run starts on.
    pub first_line: usize,
}

impl std::ops::Deref for Session {
    type Target = crate::session::Session;

    fn deref(&self) -> &Self::Target {
        &self.core
    }
}

impl std::ops::DerefMut for Session {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.core
    }
}

/// What an input asked the shell to do next.
pub(crate) enum Next {
    Continue,
    Quit,
}

/// Runs the shell until `:quit`, Ctrl-D or the end of its input.
pub fn run(mut core: crate::session::Session, options: Options) -> ExitCode {
    let interactive = options.file.is_none() && io::stdin().is_terminal();
    let colours = interactive
        && io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let interrupt = Arc::new(AtomicBool::new(false));
    core.limits = options
        .limits
        .clone()
        .with_interrupt(Arc::clone(&interrupt));
    core.format = OutputFormat::Table;
    let mut session = Session {
        core,
        unsaved: false,
        timing: interactive,
        colours,
        terminal: options.file.is_none() && io::stdout().is_terminal(),
        interrupt,
        script: options.file.as_ref().map(|path| path.display().to_string()),
        first_line: 1,
    };
    let code = if interactive {
        outln!("{}", banner(&session));
        interactive_loop(&mut session)
    } else {
        let reader: Box<dyn BufRead> = match &options.file {
            Some(path) => match std::fs::File::open(path) {
                Ok(f) => Box::new(io::BufReader::new(f)),
                Err(e) => {
                    errln!("error: cannot read {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            },
            None => Box::new(io::stdin().lock()),
        };
        catch_interrupts(&session.interrupt);
        script_loop(&mut session, reader, options.continue_on_error)
    };
    // A clean exit folds the journal into the data file.
    if let Some(warning) = session.core.close() {
        errln!("{warning}");
    }
    code
}

fn banner(session: &Session) -> String {
    let graph = &session.graph;
    let (what, kept) = match &session.origin {
        Origin::Default => (
            "the built-in AI-infrastructure dataset".to_owned(),
            "changes stay in memory until you :save FILE",
        ),
        Origin::Files(files) => (
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            "changes stay in memory until you :save",
        ),
        Origin::Csv { nodes, edges } => (
            format!("{} + {}", nodes.display(), edges.display()),
            "changes stay in memory until you :save FILE",
        ),
        Origin::Database(path) => (
            format!("the database {}", path.display()),
            if session
                .db
                .as_ref()
                .is_some_and(crate::db::Database::read_only)
            {
                "open for reading only"
            } else {
                "every change is kept as soon as it is made"
            },
        ),
    };
    format!(
        "alliances {}: {what}\n{} nodes, {} relationships, {} sources; {kept}.\n\
         End statements with ;. Type :help for help, Ctrl-D to leave.",
        env!("CARGO_PKG_VERSION"),
        graph.node_count(),
        graph.edge_count(),
        graph.source_count()
    )
}

/// Where the history is kept: `$ALLIANCES_HISTORY`, else the user's data folder.
fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ALLIANCES_HISTORY") {
        return Some(PathBuf::from(path));
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("alliances").join("history"))
}

fn interactive_loop(session: &mut Session) -> ExitCode {
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_dups(true)
        .and_then(|b| b.max_history_size(10_000))
        .map(|b| b.completion_type(rustyline::CompletionType::List).build());
    let Ok(config) = config else {
        errln!("error: cannot configure line editing");
        return ExitCode::FAILURE;
    };
    let mut editor: Editor<helper::ShellHelper, FileHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            errln!("error: cannot open the terminal for line editing: {e}");
            return ExitCode::FAILURE;
        }
    };
    editor.set_helper(Some(helper::ShellHelper::new(
        &session.graph,
        session.colours,
    )));
    // After the editor, whose terminal set-up takes SIGINT over for itself.
    catch_interrupts(&session.interrupt);
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let mut pending = String::new();
    loop {
        if let Some(h) = editor.helper_mut() {
            h.set_pending(&pending);
        }
        let prompt = if pending.is_empty() {
            PROMPT
        } else {
            CONTINUATION
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if !pending.is_empty() {
                    pending.push('\n');
                }
                pending.push_str(&line);
                match classify(&pending) {
                    Input::Incomplete => continue,
                    Input::Empty => {
                        pending.clear();
                        continue;
                    }
                    Input::Command | Input::Statements => {}
                }
                let text = std::mem::take(&mut pending);
                let _ = editor.add_history_entry(text.trim());
                if let Some(path) = &history {
                    save_history(&mut editor, path);
                }
                let next = execute(session, &text);
                if let Some(h) = editor.helper_mut() {
                    h.refresh(&session.graph);
                }
                match next {
                    Ok(Next::Continue) => {}
                    Ok(Next::Quit) => break,
                    Err(message) => print_error(session, &message),
                }
            }
            // Ctrl-C while editing drops what was typed, like psql and cypher-shell.
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                errln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if session.unsaved {
        errln!("note: the changes made in this session were not saved (:save FILE keeps them)");
    }
    ExitCode::SUCCESS
}

/// Ctrl-C while a statement runs stops the statement, not the shell. While a line is being
/// edited the terminal is in raw mode and the editor reads Ctrl-C as a key instead.
fn catch_interrupts(interrupt: &Arc<AtomicBool>) {
    let flag = Arc::clone(interrupt);
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed));
}

fn save_history(editor: &mut Editor<helper::ShellHelper, FileHistory>, path: &PathBuf) {
    if let Some(folder) = path.parent() {
        let _ = std::fs::create_dir_all(folder);
    }
    let _ = editor.history_mut().ignore_dups(true);
    let _ = editor.save_history(path);
}

fn script_loop(
    session: &mut Session,
    reader: Box<dyn BufRead>,
    continue_on_error: bool,
) -> ExitCode {
    let mut failed = false;
    let mut pending = String::new();
    let mut lines = reader.lines();
    let mut line_number = 0;
    loop {
        let line = match lines.next() {
            Some(Ok(line)) => Some(line),
            Some(Err(_)) => {
                errln!("error: the input is not UTF-8 text");
                return ExitCode::FAILURE;
            }
            None => None,
        };
        let at_end = line.is_none();
        if let Some(line) = line {
            line_number += 1;
            // A command line ends a statement left without `;`.
            if line.trim_start().starts_with(':') && classify(&pending) == Input::Incomplete {
                let text = std::mem::take(&mut pending);
                if let Err(message) = execute(session, &text) {
                    errln!("{message}");
                    failed = true;
                    if !continue_on_error {
                        break;
                    }
                }
            }
            if pending.is_empty() {
                session.first_line = line_number;
            } else {
                pending.push('\n');
            }
            pending.push_str(&line);
        }
        let ready = match classify(&pending) {
            Input::Empty => {
                pending.clear();
                false
            }
            Input::Command | Input::Statements => true,
            // A last statement without `;` still runs.
            Input::Incomplete => at_end,
        };
        if ready {
            let text = std::mem::take(&mut pending);
            match execute(session, &text) {
                Ok(Next::Continue) => {}
                Ok(Next::Quit) => break,
                Err(message) => {
                    errln!("{message}");
                    failed = true;
                    if !continue_on_error {
                        break;
                    }
                }
            }
        }
        if at_end {
            break;
        }
    }
    let _ = io::stdout().flush();
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn print_error(session: &Session, message: &str) {
    if session.colours {
        // The first line (what and where) in red; the query line and caret as they are.
        let mut lines = message.lines();
        if let Some(first) = lines.next() {
            // The shell's own colour codes go around the escaped text, never through it.
            eprintln!("\x1b[31m{}\x1b[0m", crate::model::printable(first));
        }
        for line in lines {
            errln!("{line}");
        }
    } else {
        errln!("{message}");
    }
}

/// Runs one input: a meta command, or statements. Its error speaks of the shell's commands.
fn execute(session: &mut Session, text: &str) -> Result<Next, String> {
    if classify(text) == Input::Command {
        return commands::run(session, text.trim()).map_err(shell_terms);
    }
    run_statements(session, text)
        .map(|()| Next::Continue)
        .map_err(shell_terms)
}

/// Library messages name a setting in parentheses, in the engine's terms (`(max-rows)`); in
/// the shell each is a command or an option of one, which this writes in their place.
pub(crate) fn shell_terms(message: impl std::fmt::Display) -> String {
    const COMMANDS: [(&str, &str); 9] = [
        ("(max-rows)", "(`:set max-rows N`)"),
        ("(max-var-length)", "(`:set max-var-length N`)"),
        ("(max-memory)", "(`:set max-memory MB`)"),
        ("(max-hops)", "(`:path ... --max-hops N`)"),
        ("(max-len)", "(`:cycles --max-len N`)"),
        ("(schema open)", "(start the shell with --schema open)"),
        ("(not read-only)", "(start the shell without --read-only)"),
        ("(read-only)", "(start the shell with --read-only)"),
        ("(as-of off)", "(`:asof off`)"),
    ];
    let mut text = COMMANDS
        .iter()
        .fold(message.to_string(), |text, (setting, command)| {
            text.replace(setting, command)
        });
    // `(param NAME=VALUE)` becomes `:param NAME VALUE`.
    let mut from = 0;
    while let Some(start) = text[from..].find("(param ").map(|i| from + i) {
        let Some(end) = text[start..].find(')').map(|i| start + i) else {
            break;
        };
        let inner = text[start + "(param ".len()..end].replacen('=', " ", 1);
        let command = format!("(`:param {inner}`)");
        text.replace_range(start..=end, &command);
        from = start + command.len();
    }
    text
}

/// Runs the statements of one input, printing each result.
fn run_statements(session: &mut Session, text: &str) -> Result<(), String> {
    // Messages give the line of the script or pipe, and the script's name.
    let (script, first_line) = (session.script.clone(), session.first_line);
    let shown = |e: query::QueryError| {
        let e = e.starting_at_line(first_line);
        match &script {
            Some(name) => e.in_file(name).to_string(),
            None => e.to_string(),
        }
    };
    // `EXPLAIN` and `PROFILE` are the statement's own prefixes: its result carries the plan
    // or the profile, which the table shows.
    let statements = query::parse(text).map_err(shown)?;
    for statement in &statements {
        let started = Instant::now();
        let prepared = session.core.prepare(text, statement).map_err(shown)?;
        for warning in prepared.warnings() {
            let warning = warning.clone().starting_at_line(first_line);
            match &script {
                Some(name) => errln!("{}", warning.in_file(name)),
                None => errln!("{warning}"),
            }
        }
        if let Some((date, _)) = &session.as_of
            && prepared.writes()
        {
            return Err(format!(
                "error: the graph is shown as of {date}; type :asof off before changing it"
            ));
        }
        session.interrupt.store(false, Ordering::Relaxed);
        let ran = session.core.run(text, &prepared);
        session.interrupt.store(false, Ordering::Relaxed);
        let ran = ran.map_err(shown)?;
        for warning in &ran.warnings {
            errln!("{warning}");
        }
        let result = ran.result;
        for note in &result.notes {
            errln!("note: {}", shell_terms(note));
        }
        if session.db.is_none() {
            session.unsaved |= !result.changes.is_empty();
        }
        let elapsed = started.elapsed();
        match session.format {
            OutputFormat::Table => {
                let width = if session.terminal {
                    output::terminal_width()
                } else {
                    None
                };
                outln!(
                    "{}",
                    result.to_table_styled(TableStyle {
                        width,
                        elapsed: session.timing.then_some(elapsed),
                    })
                );
            }
            OutputFormat::Json => {
                println!("{}", crate::model::printable_json(&result.to_json()));
                if session.timing {
                    errln!("{}", query::human_duration(elapsed));
                }
            }
            // An EXPLAIN has no rows: its plan is the answer. CSV has no room for a profile,
            // which goes to standard error.
            OutputFormat::Csv if result.plan.is_some() => {
                outln!("{}", result.to_table(None));
            }
            OutputFormat::Csv => {
                output::print_csv(&result.to_csv());
                if let Some(profile) = &result.profile {
                    errln!("{profile}");
                }
                if session.timing {
                    errln!("{}", query::human_duration(elapsed));
                }
            }
        }
    }
    Ok(())
}
