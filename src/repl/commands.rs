//! The shell's meta commands (`:help`, `:schema`, `:load`, …) and its help topics.
//!
//! `COMMANDS` is the registry of meta commands: one entry each (name, other spellings, usage,
//! help line, handler), which the dispatcher, `:help` and Tab completion read; adding a command
//! is adding one entry. Help on functions and procedures comes from their registries in
//! `query::functions` and `query::procedures`.
//!
//! **Invariant:** every help example is a statement that runs on the default dataset (a test
//! runs them all), so help never shows something that fails.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::{Next, Session};
use crate::model::{Schema, did_you_mean, suggest};
use crate::query;
use crate::session::{Origin, OutputFormat};

/// What a command does: the session, the command's name, and the rest of its line.
type Handler = fn(&mut Session, &str, &str) -> Result<Next, String>;

/// One meta command of the registry.
pub(crate) struct Command {
    /// As help lists it, with its colon.
    pub name: &'static str,
    /// Other spellings the dispatcher accepts.
    pub aliases: &'static [&'static str],
    /// Its arguments, as help shows them.
    pub usage: &'static str,
    /// What it does, in one line.
    pub help: &'static str,
    run: Handler,
}

const fn command(
    name: &'static str,
    usage: &'static str,
    help: &'static str,
    run: Handler,
) -> Command {
    Command {
        name,
        aliases: &[],
        usage,
        help,
        run,
    }
}

/// The meta commands, in the order `:help` lists them.
pub(crate) static COMMANDS: &[Command] = &[
    Command {
        aliases: &[":h", ":?"],
        ..command(
            ":help",
            "[TOPIC]",
            "this overview, or help on a clause, function, procedure or command",
            |_, _, rest| help(rest).map(|()| Next::Continue),
        )
    },
    command(
        ":schema",
        "",
        "labels, relationship types and property keys, with counts",
        run_schema,
    ),
    command(
        ":stats",
        "",
        "entities by kind, relationships by type, sources",
        run_stats,
    ),
    command(
        ":load",
        "FILE",
        "open a TOML or JSON data file (or a .alliances snapshot) instead of the current graph",
        run_load,
    ),
    command(
        ":import",
        "NODES_CSV EDGES_CSV",
        "open a bulk CSV import instead of the current graph",
        run_import,
    ),
    command(
        ":save",
        "[FILE]",
        "save the graph (TOML, JSON or a .alliances snapshot, by the file's extension)",
        run_save,
    ),
    command(
        ":path",
        "A B [--k K] [--via TYPES] [--directed] [--max-hops N] [--explain]",
        "the shortest paths between two firms",
        run_path,
    ),
    command(
        ":cycles",
        "[--max-len N]",
        "circular deals: loops of money through investments and purchases",
        run_cycles,
    ),
    command(
        ":top",
        "pagerank|degree|betweenness [N]",
        "who sits at the centre of the web of deals",
        run_top,
    ),
    command(
        ":owners",
        "NAME",
        "who owns an entity, directly or through others (look-through stakes)",
        run_owners_holdings,
    ),
    command(
        ":holdings",
        "NAME",
        "what an entity owns, directly or through others (look-through stakes)",
        run_owners_holdings,
    ),
    command(
        ":common",
        "A B [C ...]",
        "the investors, investees, consortia, suppliers and customers entities share",
        run_common,
    ),
    command(
        ":asof",
        "DATE|off",
        "show the graph as it stood on a date (later relationships hidden)",
        run_asof,
    ),
    command(
        ":export",
        "dot FILE [--around NAME --hops N | --path A B [--k K] | --cycles N | QUERY]",
        "write an alliance diagram as Graphviz DOT",
        run_export_render,
    ),
    command(
        ":render",
        "FILE [--around NAME --hops N | --path A B [--k K] | --cycles N | QUERY]",
        "draw an alliance diagram (SVG, PNG or PDF by the file's extension)",
        run_export_render,
    ),
    command(
        ":format",
        "table|json|csv",
        "how results are printed",
        run_format,
    ),
    command(
        ":timing",
        "on|off",
        "show how long each statement takes",
        run_timing,
    ),
    command(
        ":set",
        "[max-memory MB | max-rows N | max-var-length HOPS]",
        "show or change the bounds on each statement (as the command-line options do)",
        run_set,
    ),
    command(
        ":param",
        "NAME VALUE",
        "give $NAME a value, in Cypher literal syntax (2.4B, 'Intel')",
        run_param,
    ),
    command(":params", "", "list the parameters", run_params),
    command(":clear", "", "clear the screen", run_clear),
    Command {
        aliases: &[":exit", ":q"],
        ..command(
            ":quit",
            "",
            "leave the shell (Ctrl-D also works)",
            |_, _, _| Ok(Next::Quit),
        )
    },
];

/// Topic, what it is, an example that runs on the default dataset.
pub(crate) const TOPICS: &[(&str, &str, &str)] = &[
    (
        "match",
        "MATCH pattern, ... [WHERE condition]: every way the patterns fit the graph.",
        "MATCH (c:Company)-[:MEMBER_OF]->(k:Consortium) RETURN c.name, k.name LIMIT 5",
    ),
    (
        "optional",
        "OPTIONAL MATCH: as MATCH, but keeps the row with nulls when nothing fits.",
        "MATCH (c:Company) OPTIONAL MATCH (c)-[:MEMBER_OF]->(k) RETURN c.name, k.name LIMIT 5",
    ),
    (
        "where",
        "WHERE condition: keeps the rows where it is true (null counts as false).",
        "MATCH (i)-[r:INVESTS_IN]->(t) WHERE r.amount_usd >= 10B RETURN i.name, t.name",
    ),
    (
        "with",
        "WITH items [ORDER BY] [SKIP] [LIMIT] [WHERE]: projects and aggregates between clauses.",
        "MATCH (i)-[r:INVESTS_IN]->() WITH i, count(*) AS deals WHERE deals > 1 RETURN i.name, deals",
    ),
    (
        "unwind",
        "UNWIND list AS x: one row per element.",
        "UNWIND ['Nvidia', 'Intel'] AS name MATCH (c {name: name}) RETURN c.id",
    ),
    (
        "return",
        "RETURN [DISTINCT] items | *: the result columns; AS names a column.",
        "MATCH (c:Consortium) RETURN c.name AS consortium",
    ),
    (
        "order",
        "ORDER BY expr [ASC|DESC], ...: sorts rows; nulls come last.",
        "MATCH (i)-[r:INVESTS_IN]->() RETURN i.name, r.amount_usd ORDER BY r.amount_usd DESC LIMIT 3",
    ),
    (
        "skip",
        "SKIP n, LIMIT n: leave out the first n rows, keep at most n rows.",
        "MATCH (c:Company) RETURN c.name ORDER BY c.name SKIP 2 LIMIT 3",
    ),
    (
        "union",
        "q1 UNION q2 (no duplicates), q1 UNION ALL q2 (all rows).",
        "MATCH (f:Fund) RETURN f.name AS name UNION MATCH (g:Government) RETURN g.name AS name",
    ),
    (
        "create",
        "CREATE pattern: adds nodes and relationships (alliance rules apply).",
        "CREATE (:Company {name: 'Mistral AI', country: 'FR'})",
    ),
    (
        "merge",
        "MERGE pattern [ON CREATE SET ...] [ON MATCH SET ...]: finds the pattern or creates it.",
        "MERGE (c:Company {name: 'Nvidia'}) ON MATCH SET c.checked = true RETURN c.id",
    ),
    (
        "set",
        "SET n.key = v, n = {map}, n += {map}, n:Label: changes properties and labels.",
        "MATCH (c {name: 'Intel'}) SET c.note = 'chips' RETURN c.note",
    ),
    (
        "remove",
        "REMOVE n.key, n:Label: removes a property or a label.",
        "MATCH (c {name: 'Intel'}) REMOVE c.sector RETURN keys(c)",
    ),
    (
        "delete",
        "DELETE r, DETACH DELETE n: deletes; a node with relationships needs DETACH.",
        "MATCH ({name: 'Windsurf'})-[r:SUPPLIES]->() DELETE r",
    ),
    (
        "shortestpath",
        "shortestPath((a)-[*]-(b)), allShortestPaths(...): the fewest hops between two nodes.",
        "MATCH p = shortestPath((a {name: 'BlackRock'})-[*]-(b {name: 'Intel'})) RETURN [n IN nodes(p) | n.name]",
    ),
    (
        "patterns",
        "(n:Label {k: v}), -[r:T1|T2]->, <-[]-, -[*1..3]-, p = ...: the shapes MATCH looks for.",
        "MATCH p = (a)-[:INVESTS_IN*1..2]->(b {name: 'OpenAI'}) RETURN a.name, length(p)",
    ),
    (
        "money",
        "30K, 500M, 2.4B, 1T: amounts in dollars; tables show them as $2.4B.",
        "MATCH (i)-[r:INVESTS_IN]->(t) WHERE r.amount_usd > 12.5B RETURN i.name, t.name, r.amount_usd",
    ),
    (
        "dates",
        "date('2025-08-22'), date('2025-08'), date('2025'): compare in calendar order.",
        "MATCH (a)-[r]->(b) WHERE r.date >= date('2025-10') RETURN a.name, type(r), b.name, r.date ORDER BY r.date",
    ),
    (
        "aggregation",
        "Aggregates give one value per group of rows, grouped by the other columns; count(*) counts rows, count(DISTINCT x) different values.",
        "MATCH (k:Consortium)<-[:MEMBER_OF]-(m) RETURN k.name, count(m) AS members, collect(m.name) AS who",
    ),
    (
        "functions",
        "Functions give one value per row; a null first argument gives null, except for coalesce, exists and date. all/any/none/single(x IN list WHERE ...) test a list's items.",
        "RETURN toUpper('nvidia'), size(['a', 'b']), round(2.4B / 1B), coalesce(null, 'x')",
    ),
    (
        "procedures",
        "CALL name(arguments) YIELD columns: the graph algorithms, one row per answer.",
        "CALL algo.degree() YIELD node, score RETURN node.name, score ORDER BY score DESC LIMIT 3",
    ),
    (
        "parameters",
        "$name in a query; give values with :param name VALUE (or --param on the command line).",
        "MATCH (c {name: 'Intel'}) RETURN c.id",
    ),
    (
        "errors",
        "A failed statement changes nothing; messages give the line, the column and a fix.",
        "MATCH (c:Company {name: 'Arm'}) RETURN c.country",
    ),
];

/// Runs a `:command` line.
pub(crate) fn run(session: &mut Session, line: &str) -> Result<Next, String> {
    let typed = line.split_whitespace().next().unwrap_or("");
    let rest = line[typed.len()..].trim();
    match find(typed) {
        Some(command) => (command.run)(session, command.name, rest),
        None => {
            let names = COMMANDS.iter().map(|c| c.name);
            let hint = did_you_mean(&suggest(typed, names))
                .unwrap_or_else(|| "type :help for the list".to_owned());
            Err(format!("error: unknown command {typed}; {hint}"))
        }
    }
}

/// The command a word names, by its name or another spelling.
pub(crate) fn find(typed: &str) -> Option<&'static Command> {
    COMMANDS
        .iter()
        .find(|c| c.name == typed || c.aliases.contains(&typed))
}

/// Opening another graph is refused while a dated view or a database is open.
fn may_replace(session: &Session) -> Result<(), String> {
    if session.as_of.is_some() {
        return Err("error: type :asof off before opening another graph".to_owned());
    }
    if session.db.is_some() {
        return Err(
            "error: a database is open; start another shell to open another graph".to_owned(),
        );
    }
    Ok(())
}

fn run_schema(session: &mut Session, _command: &str, _rest: &str) -> Result<Next, String> {
    outln!("{}", schema(&session.graph));
    Ok(Next::Continue)
}

fn run_stats(session: &mut Session, _command: &str, _rest: &str) -> Result<Next, String> {
    outln!("{}", session.graph.stats());
    Ok(Next::Continue)
}

fn run_load(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    may_replace(session)?;
    let path = one_path(rest, ":load FILE")?;
    let mut graph = crate::datafile::load_files(std::slice::from_ref(&path), Schema::Alliance)
        .map_err(|e| e.to_string())?;
    crate::datafile::check_schema(&graph, session.graph.schema(), &path)
        .map_err(|e| format!("error: {e}"))?;
    graph.set_schema(session.graph.schema());
    replace_graph(session, graph, Origin::Files(vec![path]));
    Ok(Next::Continue)
}

fn run_import(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    may_replace(session)?;
    let paths: Vec<&str> = rest.split_whitespace().collect();
    let [nodes, edges] = paths.as_slice() else {
        return Err(
            "error: :import takes two files, for example :import nodes.csv edges.csv".to_owned(),
        );
    };
    let (nodes, edges) = (PathBuf::from(nodes), PathBuf::from(edges));
    let mut graph = super::output::load_csv(&nodes, &edges).map_err(|e| e.to_string())?;
    graph.set_schema(session.graph.schema());
    replace_graph(session, graph, Origin::Csv { nodes, edges });
    Ok(Next::Continue)
}

fn run_asof(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    if rest == "off" || rest.is_empty() {
        match session.as_of.take() {
            Some((_, full)) => {
                session.graph = full;
                errln!("the whole graph is shown again");
            }
            None if rest.is_empty() => {
                errln!("the whole graph is shown; :asof DATE shows it as of a date")
            }
            None => {}
        }
        return Ok(Next::Continue);
    }
    let date: crate::model::Date = rest
        .parse()
        .map_err(|e| format!("error: {e}; write :asof 2025-01-01, :asof 2025-01 or :asof off"))?;
    let full = match session.as_of.take() {
        Some((_, full)) => full,
        None => std::mem::take(&mut session.graph),
    };
    let (view, hidden, undated) = full.as_of(date);
    session.graph = view;
    session.as_of = Some((date, full));
    errln!("{}", crate::session::as_of_note(date, hidden, undated));
    Ok(Next::Continue)
}

fn run_save(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    if let Some((date, _)) = &session.as_of {
        return Err(format!(
            "error: the graph is shown as of {date}; type :asof off before saving it"
        ));
    }
    if rest.is_empty()
        && let Some(path) = session.db.as_ref().map(|db| db.path().to_owned())
    {
        session.core.fold().map_err(|e| format!("error: {e}"))?;
        errln!("saved the journal into {}", path.display());
        return Ok(Next::Continue);
    }
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
        PathBuf::from(rest)
    };
    if let Some(db) = &session.db
        && db.owns(&path)
    {
        return Err(format!(
            "error: {} is this database's own file; type :save without a file name to fold the journal into it",
            path.display()
        ));
    }
    crate::db::refuse_database(
        &path,
        "saving over it would bypass its journal; open it with --db to change it",
    )
    .map_err(|e| format!("error: {e}"))?;
    crate::datafile::save(&session.graph, &path).map_err(|e| e.to_string())?;
    session.unsaved = false;
    errln!("saved to {}", path.display());
    Ok(Next::Continue)
}

fn run_format(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    session.format = match rest {
        "table" => OutputFormat::Table,
        "json" => OutputFormat::Json,
        "csv" => OutputFormat::Csv,
        "" => {
            outln!("{:?}", session.format);
            return Ok(Next::Continue);
        }
        other => {
            return Err(format!(
                "error: :format takes table, json or csv, not {other}"
            ));
        }
    };
    Ok(Next::Continue)
}

fn run_set(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    let limits = &mut session.limits;
    let args = crate::session::report::split_args(rest);
    let number = |value: &str, what: &str| -> Result<u64, String> {
        value
            .parse::<u64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("error: {what} takes a whole number of at least 1, not {value}"))
    };
    match args.as_slice() {
        [] => {}
        [name, value] if name == "max-memory" => {
            limits.set_max_memory_mb(number(value, "max-memory")?);
        }
        [name, value] if name == "max-rows" => {
            limits.set_max_rows(usize::try_from(number(value, "max-rows")?).unwrap_or(usize::MAX));
        }
        [name, value] if name == "max-var-length" => {
            limits.set_max_var_length(number(value, "max-var-length")?);
        }
        _ => {
            return Err(
                "error: usage: :set [max-memory MB | max-rows N | max-var-length HOPS]".to_owned(),
            );
        }
    }
    println!(
        "max-memory {} MB, max-rows {}, max-var-length {}",
        limits.max_memory_mb(),
        limits.max_rows(),
        limits.max_var_length()
    );
    Ok(Next::Continue)
}

fn run_timing(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    session.timing = match rest {
        "on" => true,
        "off" => false,
        "" => !session.timing,
        other => return Err(format!("error: :timing takes on or off, not {other}")),
    };
    errln!("timing {}", if session.timing { "on" } else { "off" });
    Ok(Next::Continue)
}

fn run_param(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    let Some((name, value)) = rest.split_once(char::is_whitespace) else {
        return Err("error: :param takes a name and a value, for example :param min 1B".to_owned());
    };
    let name = name.trim_start_matches('$');
    let value = query::parse_value(&session.graph, value.trim()).map_err(|e| e.to_string())?;
    session.params.insert(name.to_owned(), value);
    Ok(Next::Continue)
}

fn run_params(session: &mut Session, _command: &str, _rest: &str) -> Result<Next, String> {
    if session.params.is_empty() {
        outln!("no parameters; set one with :param NAME VALUE");
    }
    for (name, value) in &session.params {
        outln!(
            "${name} = {}",
            query::ResultValue::from_query_value(&session.graph, value)
        );
    }
    Ok(Next::Continue)
}

fn run_path(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
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
                options.via = crate::session::report::parse_types(&value("--via")?)
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
    let flag = std::sync::Arc::clone(&session.interrupt);
    flag.store(false, std::sync::atomic::Ordering::Relaxed);
    let stop = move || flag.load(std::sync::atomic::Ordering::Relaxed);
    let started = std::time::Instant::now();
    let report =
        crate::session::report::paths_report(&session.graph, from, to, &options, explain, &stop)
            .map_err(|e| format!("error: {e}"))?;
    out!("{}", super::shell_terms(report));
    if session.timing {
        errln!("({})", query::human_duration(started.elapsed()));
    }
    Ok(Next::Continue)
}

fn run_cycles(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    let args = crate::session::report::split_args(rest);
    let max_len = match args.as_slice() {
        [] => 4,
        [flag, n] if flag == "--max-len" => n
            .parse()
            .map_err(|_| "error: --max-len takes a number".to_owned())?,
        _ => return Err("error: usage: :cycles [--max-len N]".to_owned()),
    };
    let flag = std::sync::Arc::clone(&session.interrupt);
    flag.store(false, std::sync::atomic::Ordering::Relaxed);
    let stop = move || flag.load(std::sync::atomic::Ordering::Relaxed);
    let started = std::time::Instant::now();
    out!(
        "{}",
        super::shell_terms(crate::session::report::cycles_report(
            &session.graph,
            max_len,
            &stop
        ))
    );
    if session.timing {
        errln!("({})", query::human_duration(started.elapsed()));
    }
    Ok(Next::Continue)
}

fn run_top(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
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
    let flag = std::sync::Arc::clone(&session.interrupt);
    flag.store(false, std::sync::atomic::Ordering::Relaxed);
    let stop = move || flag.load(std::sync::atomic::Ordering::Relaxed);
    let started = std::time::Instant::now();
    let report = crate::session::report::top_report(&session.graph, measure, n, &stop)
        .map_err(|e| format!("error: {e}"))?;
    out!("{report}");
    if session.timing {
        errln!("({})", query::human_duration(started.elapsed()));
    }
    Ok(Next::Continue)
}

fn run_owners_holdings(session: &mut Session, command: &str, rest: &str) -> Result<Next, String> {
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

fn run_common(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
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

fn run_export_render(session: &mut Session, command: &str, rest: &str) -> Result<Next, String> {
    let mut rest = rest;
    if command == ":export" {
        rest = rest
            .strip_prefix("dot")
            .map(str::trim_start)
            .ok_or_else(|| "error: usage: :export dot FILE [scope]".to_owned())?;
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

fn run_clear(_session: &mut Session, _command: &str, _rest: &str) -> Result<Next, String> {
    // The one escape sequence meant for the terminal: `:clear` itself.
    print!("\x1b[2J\x1b[H");
    Ok(Next::Continue)
}

/// A diagram's scope from `:export`/`:render` arguments: options, or a query.
fn diagram_scope(text: &str) -> Result<crate::export::Scope, String> {
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

fn one_path(rest: &str, usage: &str) -> Result<PathBuf, String> {
    if rest.is_empty() {
        return Err(format!("error: usage: {usage}"));
    }
    Ok(PathBuf::from(rest))
}

fn replace_graph(session: &mut Session, graph: crate::store::Graph, origin: Origin) {
    if session.unsaved {
        errln!("note: the unsaved changes to the previous graph are gone");
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    errln!(
        "opened {} and {}",
        plural(graph.node_count(), "node", "nodes"),
        plural(graph.edge_count(), "relationship", "relationships")
    );
    session.graph = graph;
    session.origin = origin;
    session.unsaved = false;
}

fn help(topic: &str) -> Result<(), String> {
    out!("{}", help_text(topic)?);
    Ok(())
}

/// What `:help TOPIC` prints: the overview, a topic, a command, a function or a procedure.
fn help_text(topic: &str) -> Result<String, String> {
    let mut out = String::new();
    // `:help :set` is the command, `:help set` the clause.
    let command_first = topic.trim().starts_with(':');
    let topic = topic.trim().trim_start_matches(':').to_ascii_lowercase();
    let command = COMMANDS
        .iter()
        .find(|c| c.name.trim_start_matches(':') == topic);
    if let Some(c) = command.filter(|_| command_first) {
        let _ = writeln!(out, "{} {}: {}", c.name, c.usage, c.help);
        return Ok(out);
    }
    if topic.is_empty() {
        out.push_str("Type a statement ending with ;, for example:\n");
        out.push_str(
            "  MATCH (i)-[r:INVESTS_IN]->(c {name: 'Intel'}) RETURN i.name, r.amount_usd;\n",
        );
        out.push_str(
            "It may span lines. Tab completes names, labels, types, keys, functions and procedures.\n\n",
        );
        out.push_str("Commands:\n");
        for c in COMMANDS {
            let _ = writeln!(
                out,
                "  {:<28} {}",
                format!("{} {}", c.name, c.usage),
                c.help
            );
        }
        out.push('\n');
        let topics: Vec<&str> = TOPICS.iter().map(|(t, ..)| *t).collect();
        let _ = writeln!(out, "Help topics (:help TOPIC): {}", topics.join(", "));
        out.push_str("The full language is described in docs/query-language.md.\n");
        return Ok(out);
    }
    let topic = match topic.as_str() {
        "optional match" => "optional",
        "order by" => "order",
        "limit" => "skip",
        "detach" => "delete",
        "allshortestpaths" => "shortestpath",
        "call" => "procedures",
        other => other,
    };
    if let Some((name, what, example)) = TOPICS.iter().find(|(t, ..)| *t == topic) {
        let _ = writeln!(out, "{what}");
        match *name {
            "functions" => list_functions(&mut out, false),
            "aggregation" => list_functions(&mut out, true),
            "procedures" => {
                for p in query::procedures::entries() {
                    let _ = writeln!(out, "  {}\n      {}", p.usage(), p.help);
                }
            }
            _ => {}
        }
        let _ = writeln!(out, "Example:\n  {example};");
        return Ok(out);
    }
    if let Some(c) = command {
        let _ = writeln!(out, "{} {}: {}", c.name, c.usage, c.help);
        return Ok(out);
    }
    if let Some(f) = query::functions::lookup(topic) {
        let (kind, example_topic) = if f.is_aggregate() {
            ("an aggregate function", "aggregation")
        } else {
            ("a function", "functions")
        };
        let (_, _, example) = TOPICS
            .iter()
            .find(|(t, ..)| *t == example_topic)
            .expect("the functions and aggregation topics");
        let _ = writeln!(
            out,
            "{}() is {kind}. {}{}: {}.\nExample:\n  {example};",
            f.name, f.name, f.args, f.help
        );
        return Ok(out);
    }
    if let Some(p) = query::procedures::entries()
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(topic))
    {
        let _ = writeln!(
            out,
            "CALL {}\n{}.\nExample:\n  {};",
            p.usage(),
            p.help,
            p.example
        );
        return Ok(out);
    }
    let candidates: Vec<&str> = TOPICS
        .iter()
        .map(|(t, ..)| *t)
        .chain(COMMANDS.iter().map(|c| c.name.trim_start_matches(':')))
        .chain(query::functions::names())
        .chain(query::procedures::names())
        .collect();
    let hint = did_you_mean(&suggest(topic, candidates))
        .unwrap_or_else(|| "type :help for the topics".to_owned());
    Err(format!("error: no help on {topic}; {hint}"))
}

/// One line per function of the registry: the aggregates, or the others.
fn list_functions(out: &mut String, aggregates: bool) {
    for f in query::functions::entries()
        .iter()
        .filter(|f| f.is_aggregate() == aggregates)
    {
        let _ = writeln!(out, "  {:<44} {}", format!("{}{}", f.name, f.args), f.help);
    }
}

/// Labels, relationship types and property keys, each with how many elements have it.
pub(crate) fn schema(graph: &crate::store::Graph) -> String {
    use crate::model::printable;
    let mut out = String::from("labels:\n");
    for (label, count) in graph.label_counts() {
        out.push_str(&format!("  {:<24} {count:>9}\n", printable(label)));
    }
    out.push_str("relationship types:\n");
    for (rel_type, count) in graph.type_counts() {
        out.push_str(&format!("  {:<24} {count:>9}\n", printable(rel_type)));
    }
    let mut node_keys: BTreeMap<&str, usize> = BTreeMap::new();
    for node in graph.nodes() {
        for (key, _) in graph.node_props(node) {
            *node_keys.entry(key).or_default() += 1;
        }
    }
    let mut edge_keys: BTreeMap<&str, usize> = BTreeMap::new();
    for edge in graph.edges() {
        for (key, _) in graph.edge_props(edge) {
            *edge_keys.entry(key).or_default() += 1;
        }
    }
    out.push_str("node property keys:\n");
    for (key, count) in node_keys {
        out.push_str(&format!("  {:<24} {count:>9}\n", printable(key)));
    }
    out.push_str("relationship property keys:\n");
    for (key, count) in edge_keys {
        out.push_str(&format!("  {:<24} {count:>9}\n", printable(key)));
    }
    out.push_str(&format!("schema: {}", graph.schema()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_help_example_runs_on_the_default_dataset() {
        for (topic, _, example) in TOPICS {
            let mut graph = crate::default_graph();
            let results = query::execute_mut(&mut graph, example, &query::Params::new())
                .unwrap_or_else(|e| panic!(":help {topic}: {example}\n{e}"));
            let last = results.last().expect("a statement ran");
            assert!(
                !last.rows.is_empty() || !last.changes.is_empty(),
                ":help {topic} shows an example that finds nothing: {example}"
            );
        }
    }

    #[test]
    fn every_command_has_a_help_line() {
        assert!(help("nope-such-topic").is_err());
        assert!(help("match").is_ok());
        assert!(help("toLower").is_ok());
        assert!(help(":save").is_ok());
    }

    #[test]
    fn every_command_has_a_unique_name_and_a_help_line() {
        let mut seen = std::collections::BTreeSet::new();
        for c in COMMANDS {
            assert!(
                c.name.starts_with(':') && !c.help.trim().is_empty(),
                "{}",
                c.name
            );
            for word in std::iter::once(&c.name).chain(c.aliases) {
                assert!(seen.insert(*word), "{word} names two commands");
                assert!(
                    find(word).is_some_and(|found| std::ptr::eq(found, c)),
                    "{word} does not dispatch to {}",
                    c.name
                );
            }
        }
        assert!(find(":nope").is_none());
    }

    #[test]
    fn help_lists_every_command_and_helps_on_each() {
        let overview = help_text("").unwrap();
        for c in COMMANDS {
            assert!(
                overview.contains(&format!("  {} {}", c.name, c.usage)),
                "{} is missing from :help:\n{overview}",
                c.name
            );
            let one = help_text(c.name).unwrap();
            assert!(one.contains(c.help), "{one}");
        }
        for shown in [":owners", ":holdings", ":common"] {
            assert!(overview.contains(shown), "{shown} is missing from :help");
        }
    }

    #[test]
    fn help_on_functions_and_procedures_comes_from_their_registries() {
        let functions = help_text("functions").unwrap();
        let aggregation = help_text("aggregation").unwrap();
        for f in query::functions::entries() {
            let listing = if f.is_aggregate() {
                &aggregation
            } else {
                &functions
            };
            assert!(
                listing.contains(f.help),
                "{} is missing:\n{listing}",
                f.name
            );
            let one = help_text(f.name).unwrap();
            assert!(one.starts_with(&format!("{}() is", f.name)), "{one}");
            assert!(one.contains(f.help), "{one}");
        }
        let procedures = help_text("procedures").unwrap();
        for p in query::procedures::entries() {
            assert!(procedures.contains(p.name), "{procedures}");
            assert!(help_text(p.name).unwrap().contains(p.help));
        }
        assert!(help_text("tolowr").unwrap_err().contains("toLower"));
    }

    #[test]
    fn schema_counts_labels_types_and_keys() {
        let text = schema(&crate::default_graph());
        assert!(text.contains("Company"), "{text}");
        assert!(text.contains("INVESTS_IN"), "{text}");
        assert!(text.contains("amount_usd"), "{text}");
    }

    #[test]
    fn paths_are_taken_as_written() {
        assert_eq!(
            one_path("a b.toml", "x").unwrap(),
            std::path::Path::new("a b.toml")
        );
        assert!(one_path("", "x").is_err());
    }
}
