//! The shell's meta commands (`:help`, `:schema`, `:load`, …) and its help topics.
//!
//! `COMMANDS` is the registry of meta commands: one entry each (name, other spellings, usage,
//! help line, handler), which the dispatcher, `:help` and Tab completion read; adding a command
//! is adding one entry. Help on functions and procedures comes from their registries in
//! `query::functions` and `query::procedures`.
//!
//! **Invariant:** every help example is a statement that runs on the default dataset (a test
//! runs them all), so help never shows something that fails.

use super::{Next, Session};
use crate::model::{did_you_mean, suggest};
use crate::query;
use crate::session::OutputFormat;

/// What a command does: the session, the command's name, and the rest of its line.
type Handler = fn(&mut Session, &str, &str) -> Result<Next, String>;

mod analysis;
mod graphs;
mod help;

use analysis::{
    run_common, run_cycles, run_diff, run_export_render, run_owners_holdings, run_path,
    run_sources, run_top,
};
#[cfg(test)]
use graphs::one_path;
use graphs::{run_asof, run_import, run_load, run_save};
use help::help;
#[cfg(test)]
use help::help_text;
pub(crate) use help::schema;

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
    /// What `:help :NAME` adds to that line, for a command with more to say.
    pub more: Option<fn() -> String>,
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
        more: None,
        run,
    }
}

/// As `command`, with more for `:help :NAME` to say.
const fn command_with_more(
    name: &'static str,
    usage: &'static str,
    help: &'static str,
    more: fn() -> String,
    run: Handler,
) -> Command {
    Command {
        more: Some(more),
        ..command(name, usage, help, run)
    }
}

/// What a command's handler returns: what the shell does next, or the error to show.
pub(super) type Outcome = Result<Next, String>;

/// The meta commands, in the order `:help` lists them.
pub(crate) static COMMANDS: &[Command] = &[
    Command {
        aliases: &[":h", ":?"],
        ..command(
            ":help",
            "[TOPIC]",
            "this overview, or help on a clause, function, procedure, command, or a kind, relationship type or property of the vocabulary",
            run_help,
        )
    },
    command(
        ":schema",
        "[NAME]",
        "the vocabulary's kinds, relationship types and properties, and the labels, types and keys the graph holds, with counts; NAME shows one in full",
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
    command_with_more(
        ":import",
        "FORMAT PATH... [--accept-losses] | NODES_CSV EDGES_CSV",
        "import files of a format (bods…) into the graph, merging entities by identifier; or open a bulk CSV import instead of the current graph",
        graphs::import_help,
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
        "who owns or controls an entity, directly or through others (look-through stakes)",
        run_owners_holdings,
    ),
    command(
        ":holdings",
        "NAME",
        "what an entity owns or controls, directly or through others (look-through stakes)",
        run_owners_holdings,
    ),
    command(
        ":common",
        "A B [C ...]",
        "the investors, investees, consortia, suppliers and customers entities share",
        run_common,
    ),
    command(
        ":sources",
        "[NAME]",
        "the graph's sources (id, publisher, date, title, URL), or those an entity's ties cite",
        run_sources,
    ),
    command(
        ":asof",
        "DATE|off",
        "show the graph as it stood on a date (later, ended and cancelled ties hidden)",
        run_asof,
    ),
    command(
        ":diff",
        "DATE1 DATE2",
        "the ties that began, ended or changed between two dates",
        run_diff,
    ),
    command(
        ":export",
        "FORMAT FILE [--around NAME --hops N | --path A B [--k K] | --cycles N | QUERY]",
        "write the graph or a part as dot, graphml, jsonl, cypher, neo4j-admin or parquet",
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
        "CREATE (:Company {name: 'Aleph Alpha', country: 'DE'})",
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
        "MATCH ({name: 'Windsurf'})-[r:PARTNERS_WITH]->() DELETE r",
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
        "date('2025-08-22'), period('2025-08'), period('2025'): compare in calendar order.",
        "MATCH (a)-[r]->(b) WHERE r.date >= period('2025-10') RETURN a.name, type(r), b.name, r.date ORDER BY r.date",
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
/// Whether the session may open another graph, in the shell's words.
fn may_replace(session: &Session) -> Result<(), String> {
    use crate::session::SessionError;
    match session.core.may_replace() {
        Ok(()) => Ok(()),
        Err(SessionError::DatedView { .. }) => {
            Err("error: type :asof off before opening another graph".to_owned())
        }
        Err(SessionError::DatabaseOpen) => {
            Err("error: a database is open; start another shell to open another graph".to_owned())
        }
        Err(e) => Err(format!("error: {e}")),
    }
}

/// `:help TOPIC`: the shell's topics first; a name of the vocabulary (`:help holds-position`)
/// shows its definition, as `:schema NAME` does.
fn run_help(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    match help(rest) {
        Ok(()) => Ok(Next::Continue),
        Err(e) => {
            let name = rest.trim();
            match crate::session::report::vocabulary_report(&session.graph, Some(name)) {
                Ok(text) if session.graph.schema() == crate::model::Schema::Alliance => {
                    out!("{text}");
                    Ok(Next::Continue)
                }
                _ => Err(e),
            }
        }
    }
}

fn run_schema(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    let name = rest.trim();
    let alliance = session.graph.schema() == crate::model::Schema::Alliance;
    if !name.is_empty() {
        if !alliance {
            return Err(
                "error: the open schema has no vocabulary; :schema alone lists what the graph holds"
                    .to_owned(),
            );
        }
        out!(
            "{}",
            crate::session::report::vocabulary_report(&session.graph, Some(name))?
        );
        return Ok(Next::Continue);
    }
    if alliance {
        out!(
            "{}",
            crate::session::report::vocabulary_report(&session.graph, None)?
        );
    }
    outln!("{}", schema(&session.graph));
    Ok(Next::Continue)
}

fn run_stats(session: &mut Session, _command: &str, _rest: &str) -> Result<Next, String> {
    outln!("{}", session.graph.stats());
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

fn run_clear(_session: &mut Session, _command: &str, _rest: &str) -> Result<Next, String> {
    // The one escape sequence meant for the terminal: `:clear` itself.
    print!("\x1b[2J\x1b[H");
    Ok(Next::Continue)
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
    fn help_on_import_explains_both_forms_every_format_losses_and_merging() {
        let help = help_text(":import").unwrap();
        assert!(help.contains(":import FORMAT PATH..."), "{help}");
        assert!(help.contains(":import NODES_CSV EDGES_CSV"), "{help}");
        for f in crate::import::FORMATS {
            assert!(
                help.contains(&format!("  {:<8} {}", f.name, f.describes)),
                "{} is missing:\n{help}",
                f.name
            );
        }
        assert!(help.contains("--accept-losses: "), "{help}");
        assert!(help.contains("Merging: "), "{help}");
        assert!(help.contains("plain_name"), "{help}");
        assert!(help.contains("Example:\n  :import bods "), "{help}");
        assert_eq!(help_text("import").unwrap(), help);
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
        let both = help_text("sources").unwrap();
        assert!(both.starts_with("sources() is a function"), "{both}");
        assert!(both.contains("The command :sources [NAME]: "), "{both}");
        assert!(
            help_text(":sources")
                .unwrap()
                .starts_with(":sources [NAME]: ")
        );
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
