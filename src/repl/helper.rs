//! The line editor's helper, made of small parts: completion from the live graph, syntax
//! highlighting, hints from history, and a validator for statements recalled whole.
//!
//! **Invariant:** completion reads a snapshot of the graph's names taken after each input, so
//! it never holds a borrow of the graph while a statement changes it.

use std::borrow::Cow;
use std::collections::BTreeSet;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter, MatchingBracketHighlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use super::commands::{COMMANDS, TOPICS};
use super::input::{Input, classify};
use crate::query::{functions, procedures};
use crate::store::{ALIASES_KEY, Graph, NAME_KEY};

const KEYWORDS: &[&str] = &[
    "MATCH", "OPTIONAL", "WHERE", "WITH", "RETURN", "UNWIND", "UNION", "ALL", "AS", "ORDER", "BY",
    "ASC", "DESC", "SKIP", "LIMIT", "DISTINCT", "AND", "OR", "XOR", "NOT", "IN", "IS", "NULL",
    "TRUE", "FALSE", "STARTS", "ENDS", "CONTAINS", "CASE", "WHEN", "THEN", "ELSE", "END", "CREATE",
    "MERGE", "ON", "SET", "REMOVE", "DELETE", "DETACH", "EXPLAIN", "PROFILE",
];

/// Names the completer offers, read from the graph.
#[derive(Default)]
struct Names {
    labels: Vec<String>,
    types: Vec<String>,
    keys: Vec<String>,
    /// Names of nodes.
    entities: Vec<String>,
    /// Their other names with the name each stands for, offered when no name fits.
    aliases: Vec<(String, String)>,
}

pub(crate) struct ShellHelper {
    names: Names,
    /// The lines of the statement typed so far, before the current one.
    pending: String,
    colours: bool,
    hinter: HistoryHinter,
    brackets: MatchingBracketHighlighter,
    files: FilenameCompleter,
}

impl ShellHelper {
    pub fn new(graph: &Graph, colours: bool) -> ShellHelper {
        let mut helper = ShellHelper {
            names: Names::default(),
            pending: String::new(),
            colours,
            hinter: HistoryHinter::new(),
            brackets: MatchingBracketHighlighter::new(),
            files: FilenameCompleter::new(),
        };
        helper.refresh(graph);
        helper
    }

    /// Takes a new snapshot of the graph's names.
    pub fn refresh(&mut self, graph: &Graph) {
        let mut entities = BTreeSet::new();
        let mut aliases = BTreeSet::new();
        // Beyond this many nodes, names are not offered: reading them all would slow the shell.
        if graph.node_count() <= 200_000 {
            for node in graph.nodes() {
                let Some(name) = graph.node_str(node, NAME_KEY) else {
                    continue;
                };
                entities.insert(name.to_owned());
                if let Some(list) = graph
                    .node_prop(node, ALIASES_KEY)
                    .as_ref()
                    .and_then(crate::Value::string_list)
                {
                    aliases.extend(list.into_iter().map(|alias| (alias, name.to_owned())));
                }
            }
        }
        // What the graph holds, and under the alliance schema what its vocabulary allows, so
        // that a first `:Person` or `HOLDS_POSITION` completes too.
        let mut labels: BTreeSet<String> = graph
            .label_counts()
            .keys()
            .map(|s| (*s).to_owned())
            .collect();
        let mut types: BTreeSet<String> = graph
            .type_counts()
            .keys()
            .map(|s| (*s).to_owned())
            .collect();
        let mut keys: BTreeSet<String> = graph
            .property_keys()
            .into_iter()
            .map(str::to_owned)
            .collect();
        if graph.schema() == crate::model::Schema::Alliance {
            let vocabulary = graph.vocabulary();
            labels.extend(vocabulary.labels().iter().cloned());
            types.extend(vocabulary.edge_types().iter().cloned());
            keys.extend(vocabulary.properties().iter().map(|p| p.name.clone()));
        }
        self.names = Names {
            labels: labels.into_iter().collect(),
            types: types.into_iter().collect(),
            keys: keys.into_iter().collect(),
            entities: entities.into_iter().collect(),
            aliases: aliases.into_iter().collect(),
        };
    }

    pub fn set_pending(&mut self, pending: &str) {
        self.pending = pending.to_owned();
    }

    /// Completions for the word that ends at `pos`: (where it starts, candidates).
    fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        let before = &line[..pos];
        // Inside a string: entity names, closing the string. An alias that fits completes to
        // the name it stands for, which is what `{name: …}` matches.
        if let Some((quote, start)) = open_string(before) {
            let typed = &before[start..];
            let folded = crate::model::fold_name(typed);
            let fits = |text: &str| crate::model::fold_name(text).starts_with(&folded);
            let quoted = |name: &str| {
                let mut text = String::with_capacity(name.len() + 1);
                for c in name.chars() {
                    if c == '\\' || c == quote {
                        text.push('\\');
                    }
                    text.push(c);
                }
                text.push(quote);
                text
            };
            let mut pairs: Vec<Pair> = self
                .names
                .entities
                .iter()
                .filter(|n| fits(n))
                .map(|n| Pair {
                    display: n.clone(),
                    replacement: quoted(n),
                })
                .collect();
            if pairs.is_empty() {
                let mut offered = BTreeSet::new();
                for (alias, name) in &self.names.aliases {
                    if fits(alias) && offered.insert(name) {
                        pairs.push(Pair {
                            display: format!("{alias} ({name})"),
                            replacement: quoted(name),
                        });
                    }
                }
            }
            return (start, pairs);
        }
        // After CALL: procedure names, dots included.
        let dotted = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        if before[..dotted]
            .trim_end()
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("CALL"))
        {
            let typed = &before[dotted..];
            let pairs = procedures::names()
                .filter(|p| starts_with_ignoring_case(p, typed))
                .map(|p| Pair {
                    display: p.to_owned(),
                    replacement: format!("{p}("),
                })
                .collect();
            return (dotted, pairs);
        }
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        let word = &before[start..];
        let previous = before[..start].trim_end();
        let (pool, suffix): (Vec<&str>, &str) = if previous.ends_with(':')
            && previous[..previous.len() - 1]
                .rfind(['[', '|'])
                .is_some_and(|i| !previous[i..].contains(']'))
        {
            (self.names.types.iter().map(String::as_str).collect(), "")
        } else if previous.ends_with(':') || previous.ends_with('|') && previous.contains('[') {
            let labels_or_types: Vec<&str> = if previous.ends_with('|') {
                self.names.types.iter().map(String::as_str).collect()
            } else {
                self.names.labels.iter().map(String::as_str).collect()
            };
            (labels_or_types, "")
        } else if previous.ends_with('.') {
            (self.names.keys.iter().map(String::as_str).collect(), "")
        } else if previous.ends_with('$') {
            return (start, Vec::new());
        } else {
            let statement = format!("{}\n{}", self.pending, before);
            let mut pool: Vec<&str> = KEYWORDS.to_vec();
            pool.extend(functions::names());
            let variables = variables_in(&statement);
            return (
                start,
                pool.into_iter()
                    .map(str::to_owned)
                    .chain(variables)
                    .filter(|c| starts_with_ignoring_case(c, word) && !word.is_empty())
                    .map(|c| {
                        let is_function = functions::names().any(|f| f == c);
                        Pair {
                            display: c.clone(),
                            replacement: if is_function { format!("{c}(") } else { c },
                        }
                    })
                    .collect(),
            );
        };
        let pairs = pool
            .into_iter()
            .filter(|c| starts_with_ignoring_case(c, word))
            .map(|c| Pair {
                display: c.to_owned(),
                replacement: format!("{c}{suffix}"),
            })
            .collect();
        (start, pairs)
    }
}

fn starts_with_ignoring_case(candidate: &str, prefix: &str) -> bool {
    candidate.len() >= prefix.len()
        && candidate
            .chars()
            .zip(prefix.chars())
            .all(|(a, b)| a.eq_ignore_ascii_case(&b))
}

/// The quote and the start of the text of a string left open at the end of `text`.
fn open_string(text: &str) -> Option<(char, usize)> {
    let mut open: Option<(char, usize)> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match open {
            Some((q, _)) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    open = None;
                }
            }
            None if c == '\'' || c == '"' => open = Some((c, i + 1)),
            None => {}
        }
    }
    open
}

/// Variables a statement binds: names after `(`, `[`, `AS` and `p =`.
fn variables_in(statement: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    let chars: Vec<char> = statement.chars().collect();
    let mut i = 0;
    let word_at = |i: usize| -> String {
        chars[i..]
            .iter()
            .take_while(|c| c.is_alphanumeric() || **c == '_')
            .collect()
    };
    while i < chars.len() {
        if chars[i] == '(' || chars[i] == '[' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let word = word_at(j);
            if !word.is_empty() && word.chars().next().is_some_and(|c| c.is_alphabetic()) {
                out.insert(word);
            }
        }
        i += 1;
    }
    let upper = statement.to_ascii_uppercase();
    for (index, _) in upper.match_indices(" AS ") {
        let word = word_at(index + 4);
        if !word.is_empty() {
            out.insert(word);
        }
    }
    out.into_iter()
        .filter(|w| !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w)))
        .collect()
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let trimmed = line.trim_start();
        if self.pending.is_empty() && trimmed.starts_with(':') {
            let command_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
            let offset = line.len() - trimmed.len();
            if pos <= offset + command_end {
                let typed = &line[offset..pos];
                let pairs = COMMANDS
                    .iter()
                    .filter(|c| c.name.starts_with(typed))
                    .map(|c| Pair {
                        display: c.name.to_owned(),
                        replacement: format!("{} ", c.name),
                    })
                    .collect();
                return Ok((offset, pairs));
            }
            let command = &trimmed[..command_end];
            if matches!(command, ":load" | ":save" | ":import") {
                return self.files.complete(line, pos, ctx);
            }
            if command == ":help" {
                let start = line[..pos].rfind(' ').map_or(pos, |i| i + 1);
                let typed = &line[start..pos];
                let pairs = TOPICS
                    .iter()
                    .map(|(t, ..)| *t)
                    .chain(COMMANDS.iter().map(|c| c.name))
                    .chain(functions::names())
                    .chain(procedures::names())
                    .filter(|t| starts_with_ignoring_case(t, typed))
                    .map(|t| Pair {
                        display: t.to_owned(),
                        replacement: t.to_owned(),
                    })
                    .collect();
                return Ok((start, pairs));
            }
            return Ok((pos, Vec::new()));
        }
        Ok(self.candidates(line, pos))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

const RESET: &str = "\x1b[0m";

impl Highlighter for ShellHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        if !self.colours {
            return Cow::Borrowed(line);
        }
        // Brackets first: the matching bracket is bold; then words, strings and comments.
        let bracketed = self.brackets.highlight(line, pos);
        if let Cow::Owned(text) = bracketed {
            return Cow::Owned(text);
        }
        Cow::Owned(colour_tokens(line))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.colours {
            Cow::Owned(format!("\x1b[2m{hint}{RESET}"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, line: &str, pos: usize, kind: CmdKind) -> bool {
        self.colours && (self.brackets.highlight_char(line, pos, kind) || !line.is_empty())
    }
}

/// Keywords bold blue, strings green, numbers yellow, comments dim.
pub(crate) fn colour_tokens(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c == '/' && chars.get(i + 1).is_some_and(|(_, n)| *n == '/') {
            out.push_str("\x1b[2m");
            out.push_str(&line[at..]);
            out.push_str(RESET);
            break;
        }
        if c == '\'' || c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j].1 != c {
                if chars[j].1 == '\\' {
                    j += 1;
                }
                j += 1;
            }
            let end = chars.get(j + 1).map_or(line.len(), |(k, _)| *k);
            out.push_str("\x1b[32m");
            out.push_str(&line[at..end]);
            out.push_str(RESET);
            i = j + 1;
            continue;
        }
        if c.is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && (chars[j].1.is_ascii_alphanumeric() || chars[j].1 == '.') {
                j += 1;
            }
            let end = chars.get(j).map_or(line.len(), |(k, _)| *k);
            out.push_str("\x1b[33m");
            out.push_str(&line[at..end]);
            out.push_str(RESET);
            i = j;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let mut j = i;
            while j < chars.len() && (chars[j].1.is_alphanumeric() || chars[j].1 == '_') {
                j += 1;
            }
            let end = chars.get(j).map_or(line.len(), |(k, _)| *k);
            let word = &line[at..end];
            if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word)) {
                out.push_str("\x1b[1;34m");
                out.push_str(word);
                out.push_str(RESET);
            } else {
                out.push_str(word);
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

impl Validator for ShellHelper {
    /// A statement recalled whole from history, or pasted, stays in the editor until it is
    /// complete; a line typed alone is handed to the shell, which asks for the next line with
    /// a continuation prompt.
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        if input.contains('\n') && classify(input) == Input::Incomplete {
            return Ok(ValidationResult::Incomplete);
        }
        Ok(ValidationResult::Valid(None))
    }
}

impl Helper for ShellHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> ShellHelper {
        ShellHelper::new(&crate::default_graph(), false)
    }

    fn replacements(line: &str) -> Vec<String> {
        let (_, pairs) = helper().candidates(line, line.len());
        pairs.into_iter().map(|p| p.replacement).collect()
    }

    #[test]
    fn completes_entity_names_inside_quotes() {
        assert_eq!(replacements("MATCH (n {name: \"Nv"), vec!["Nvidia\""]);
        assert_eq!(replacements("MATCH (n {name: 'black"), vec!["BlackRock'"]);
    }

    #[test]
    fn completes_labels_types_keys_keywords_and_functions() {
        assert_eq!(replacements("MATCH (n:Con"), vec!["Consortium"]);
        assert_eq!(replacements("MATCH ()-[r:INV"), vec!["INVESTS_IN"]);
        assert!(replacements("MATCH (n) RETURN n.amo").contains(&"amount_usd".to_owned()));
        assert!(replacements("MATCH (n) RET").contains(&"RETURN".to_owned()));
        assert!(replacements("RETURN toLo").contains(&"toLower(".to_owned()));
    }

    #[test]
    fn offers_the_vocabulary_before_the_graph_holds_any_of_it() {
        let mut graph = crate::store::Graph::new(crate::model::Schema::Alliance);
        graph.add_node(["Company"], [("id", crate::Value::from("a"))]);
        let h = ShellHelper::new(&graph, false);
        let offered = |line: &str| {
            let (_, pairs) = h.candidates(line, line.len());
            pairs.into_iter().map(|p| p.replacement).collect::<Vec<_>>()
        };
        assert_eq!(offered("MATCH (n:Pers"), vec!["Person"]);
        assert_eq!(offered("MATCH ()-[r:HOLDS"), vec!["HOLDS_POSITION"]);
        assert!(offered("MATCH ()-[r]->() RETURN r.curr").contains(&"currency".to_owned()));
    }

    #[test]
    fn offers_every_function_and_procedure_of_the_registries() {
        for f in functions::entries() {
            let line = format!("RETURN {}", &f.name[..f.name.len().min(3)]);
            assert!(
                replacements(&line).contains(&format!("{}(", f.name)),
                "{} is not offered after {line:?}",
                f.name
            );
        }
        for p in procedures::names() {
            let line = format!("CALL {}", &p[..p.len() - 2]);
            assert_eq!(replacements(&line), vec![format!("{p}(")], "{line}");
        }
        assert!(replacements("CALL algo.").len() >= 2);
        assert!(replacements("MATCH (n) CALL algo.pageR").contains(&"algo.pageRank(".to_owned()));
    }

    #[test]
    fn completes_variables_of_the_statement() {
        let mut h = helper();
        h.set_pending("MATCH (investor)-[deal:INVESTS_IN]->(target)");
        let (_, pairs) = h.candidates("RETURN inv", "RETURN inv".len());
        assert!(
            pairs.iter().any(|p| p.replacement == "investor"),
            "{:?}",
            pairs.iter().map(|p| &p.replacement).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_completed_name_is_one_that_the_name_property_matches() {
        let mut graph = crate::default_graph();
        crate::query::execute_mut(
            &mut graph,
            "CREATE (:Company {name: \"Lovelace's Lab\", aliases: ['LL Labs'], country: 'GB'})",
            &crate::query::Params::new(),
        )
        .unwrap();
        let helper = ShellHelper::new(&graph, false);
        for (typed, name) in [
            ("MATCH (n {name: 'MSF", "Microsoft"),
            ("MATCH (n {name: \"nvidia corp", "Nvidia"),
            ("MATCH (n {name: 'lovel", "Lovelace's Lab"),
            ("MATCH (n {name: 'LL La", "Lovelace's Lab"),
        ] {
            let (start, pairs) = helper.candidates(typed, typed.len());
            let [pair] = pairs.as_slice() else {
                panic!(
                    "{typed}: {:?}",
                    pairs.iter().map(|p| &p.replacement).collect::<Vec<_>>()
                );
            };
            let line = format!(
                "{}{}}}) RETURN n.name AS name",
                &typed[..start],
                pair.replacement
            );
            let results = crate::query::execute(&graph, &line, &crate::query::Params::new())
                .unwrap_or_else(|e| panic!("{line}\n{e}"));
            let found: Vec<String> = results[0].rows.iter().map(|r| r[0].to_string()).collect();
            assert_eq!(found, vec![format!("{name:?}")], "{line}");
        }
    }

    #[test]
    fn finds_an_open_string() {
        assert_eq!(open_string("RETURN 'ab"), Some(('\'', 8)));
        assert_eq!(open_string("RETURN 'ab' + \"c"), Some(('"', 15)));
        assert_eq!(open_string("RETURN 'a\\'b'"), None);
    }

    #[test]
    fn colours_keywords_strings_and_numbers() {
        let text = colour_tokens("MATCH (n {name: 'X'}) RETURN 2.4B // note");
        assert!(text.contains("\x1b[1;34mMATCH"));
        assert!(text.contains("\x1b[32m'X'"));
        assert!(text.contains("\x1b[33m2.4B"));
        assert!(text.contains("\x1b[2m// note"));
    }
}
