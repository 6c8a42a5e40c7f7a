//! The text reports the front ends print for the path, loop, centrality, ownership,
//! shared-ties, sources and diff commands (`alliances path`, `:path`, `:cycles`, `:top`,
//! `:owners`, `:holdings`, `:common`, `:sources`, `:diff`), written from what the algorithms
//! return.

use crate::algo::diff::{Diff, Tie};
use crate::algo::{
    EXACT_BETWEENNESS_NODES, FindError, MAX_LOOPS, PathOptions, Route, centrality, common,
    describe_route, describe_source, explain_edges, explain_route, find_entity, k_shortest_paths,
    money_loops, ownership,
};
use crate::model::{Value, Vocabulary, did_you_mean, human_money, suggest};
use crate::store::{Direction, EdgeId, Graph, NodeId};

/// `alliances path` and `:path`: the K shortest paths between two named entities, one per
/// line, with each hop's sources under it when `explain` is set.
///
/// # Errors
/// When a name finds no single entity.
pub fn paths_report(
    graph: &Graph,
    from: &str,
    to: &str,
    options: &PathOptions,
    explain: bool,
    interrupted: &dyn Fn() -> bool,
) -> Result<String, FindError> {
    let (a, b) = (find_entity(graph, from)?, find_entity(graph, to)?);
    let paths = k_shortest_paths(graph, a, b, options, interrupted);
    let (a_name, b_name) = (graph.display_name(a), graph.display_name(b));
    let mut out = String::new();
    if paths.interrupted {
        // Paths found before the stop need not be the shortest: show none.
        out.push_str(&format!(
            "interrupted: the search for paths between {a_name} and {b_name} was stopped before it finished; no path is shown\n"
        ));
        return Ok(out);
    }
    if paths.routes.is_empty() {
        out.push_str(&format!("no path between {a_name} and {b_name}"));
        if paths.cut_by_hops {
            out.push_str(&format!(
                " within {} hops; a longer one exists: raise the hop limit (max-hops)",
                options.max_hops.unwrap_or_default()
            ));
        }
        out.push('\n');
        return Ok(out);
    }
    let width = paths.routes.len().to_string().len();
    for (i, route) in paths.routes.iter().enumerate() {
        let hops = route.hops();
        out.push_str(&format!(
            "{:>width$}. {}  ({hops} hop{})\n",
            i + 1,
            describe_route(graph, route),
            if hops == 1 { "" } else { "s" }
        ));
        if explain {
            out.push_str(&explain_route(graph, route));
        }
    }
    if paths.routes.len() < options.k.max(1) {
        out.push_str(&format!(
            "{} path{} found, fewer than the {} asked{}\n",
            paths.routes.len(),
            if paths.routes.len() == 1 { "" } else { "s" },
            options.k,
            if paths.cut_by_hops {
                format!(
                    "; the hop limit of {} cut the search (max-hops)",
                    options.max_hops.unwrap_or_default()
                )
            } else {
                String::new()
            }
        ));
    }
    Ok(out)
}

/// Relationship types as users write them (`invests-in`, `SUPPLIES`) → stored names.
pub fn parse_types(vocabulary: &Vocabulary, text: &str) -> Result<Vec<String>, String> {
    let names: Vec<&str> = vocabulary
        .relationships()
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match vocabulary.relationship_index(t) {
            Some(i) => Ok(vocabulary.edge_type_at(i).to_owned()),
            None => Err(format!(
                "unknown relationship type \"{t}\"{}",
                did_you_mean(&suggest(t, names.iter().copied()))
                    .map(|h| format!("; {h}"))
                    .unwrap_or_else(|| format!("; use {}", names.join(", ")))
            )),
        })
        .collect()
}

/// `:cycles`: every money loop of at most `max_len` legs, each with its legs, longest last.
pub fn cycles_report(graph: &Graph, max_len: usize, interrupted: &dyn Fn() -> bool) -> String {
    let found = money_loops(graph, max_len, MAX_LOOPS, interrupted);
    if found.loops.is_empty() && found.interrupted {
        return "interrupted: the search for money loops was stopped before it finished; none was found before\n".to_owned();
    }
    if found.loops.is_empty() {
        return format!("no money loop of at most {max_len} legs\n");
    }
    let width = found.loops.len().to_string().len();
    let mut out = String::new();
    for (i, money_loop) in found.loops.iter().enumerate() {
        let mut nodes = money_loop.nodes.clone();
        nodes.push(money_loop.nodes[0]);
        let route = Route {
            nodes,
            edges: money_loop.legs.clone(),
        };
        let legs = money_loop.legs.len();
        out.push_str(&format!(
            "{:>width$}. {}  ({legs} legs)\n",
            i + 1,
            describe_route(graph, &route)
        ));
    }
    out.push_str(&format!(
        "{} loop{} of money: investments flow to the investee, purchases to the supplier",
        found.loops.len(),
        if found.loops.len() == 1 { "" } else { "s" }
    ));
    out.push('\n');
    if let Some(note) = found.cut_note() {
        out.push_str(&format!(
            "note: {note}; lower the loop length for a whole list (max-len)\n"
        ));
    }
    if found.interrupted {
        out.push_str(
            "interrupted: the search was stopped before it finished, so this list is partial\n",
        );
    }
    out
}

/// Splits command arguments on white space, keeping quoted parts ("NVIDIA Corporation") whole.
pub fn split_args(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => current.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                started = true;
            }
            None if c.is_whitespace() => {
                if started {
                    args.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            None => {
                current.push(c);
                started = true;
            }
        }
    }
    if started {
        args.push(current);
    }
    args
}

/// `:top MEASURE [N]`: the N highest scores of `pagerank`, `degree` or `betweenness`.
///
/// # Errors
/// When the measure is not one of those.
pub fn top_report(
    graph: &Graph,
    measure: &str,
    n: usize,
    interrupted: &dyn Fn() -> bool,
) -> Result<String, String> {
    let mut note = String::new();
    let scores = match measure {
        "pagerank" => centrality::pagerank(graph, interrupted),
        "degree" => Some(centrality::degree(graph)),
        "betweenness" => {
            if graph.node_count() > EXACT_BETWEENNESS_NODES {
                let nodes: Vec<NodeId> = graph.nodes().collect();
                let step = (nodes.len() / 500).max(1);
                let sample: Vec<NodeId> = nodes.iter().step_by(step).copied().collect();
                note = format!(
                    "estimated from {} evenly spread start nodes ({} nodes is too many for the exact measure)\n",
                    sample.len(),
                    graph.node_count()
                );
                centrality::betweenness(graph, Some(&sample), interrupted)
            } else {
                centrality::betweenness(graph, None, interrupted)
            }
        }
        other => {
            return Err(format!(
                "no measure \"{other}\"{}",
                did_you_mean(&suggest(other, ["pagerank", "degree", "betweenness"]))
                    .map(|h| format!("; {h}"))
                    .unwrap_or_else(|| "; use pagerank, degree or betweenness".to_owned())
            ));
        }
    };
    let Some(scores) = scores else {
        return Ok(format!(
            "interrupted: {measure} was stopped before it finished; no score is shown\n"
        ));
    };
    let mut out = String::new();
    let width = n.min(scores.len()).to_string().len();
    for (i, (node, score)) in scores.iter().take(n).enumerate() {
        let shown = if measure == "degree" {
            format!("{score:.0}")
        } else {
            format!("{score:.6}")
        };
        out.push_str(&format!(
            "{:>width$}. {:<32} {shown}\n",
            i + 1,
            graph.display_name(*node)
        ));
    }
    out.push_str(&note);
    Ok(out)
}

/// `:owners X` (upward) and `:holdings X`: effective stakes through chains of investments,
/// as a percent when exact and a range (`25–50%`) when a stake is; links through control
/// apart, as `controls`; indirect statements that direct ties repeat, and totals above 100%.
///
/// # Errors
/// When the name finds no single entity.
pub fn ownership_report(graph: &Graph, name: &str, upward: bool) -> Result<String, FindError> {
    let subject = find_entity(graph, name)?;
    let on = graph.judged_on();
    let found = ownership::look_through(graph, subject, upward, on);
    let subject_name = graph.display_name(subject);
    let mut out = String::new();
    if found.entries.is_empty() {
        out.push_str(&if upward {
            format!("no stake in {subject_name} is recorded\n")
        } else {
            format!("{subject_name} holds no recorded stake\n")
        });
    }
    // Written from holder to held, whichever way the search went.
    let written = |chain: &ownership::Chain| {
        let mut nodes = chain.nodes.clone();
        let mut steps = chain.steps.clone();
        if upward {
            nodes.reverse();
            steps.reverse();
        }
        let mut text: Vec<String> = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            let label = match step {
                ownership::Step::Stake {
                    share,
                    indirect: false,
                } => share.to_string(),
                ownership::Step::Stake {
                    share,
                    indirect: true,
                } => format!("{share} indirect"),
                ownership::Step::Control => "control".to_owned(),
            };
            text.push(format!("{} -[{label}]->", graph.display_name(nodes[i])));
        }
        text.push(graph.display_name(*nodes.last().expect("a chain has nodes")));
        text.join(" ")
    };
    for entry in &found.entries {
        let other = graph.display_name(entry.node);
        if let Some(share) = entry.share {
            out.push_str(&format!(
                "{:>8}  {other}{}\n",
                share.to_string(),
                if entry.chains.len() > 1 {
                    format!("  ({} chains)", entry.chains.len())
                } else {
                    String::new()
                }
            ));
            for chain in &entry.chains {
                let share = chain.share.expect("a share chain has a share");
                out.push_str(&format!("            {}  = {share}\n", written(chain)));
            }
        }
        for chain in &entry.control {
            out.push_str(&format!(
                "controls  {other}  (through {})\n",
                written(chain)
            ));
        }
    }
    for declared in &found.declared {
        let Some((holder, held)) = graph.edge_endpoints(declared.edge) else {
            continue;
        };
        let through: Vec<String> = declared
            .through
            .iter()
            .map(|n| graph.display_name(*n))
            .collect();
        out.push_str(&format!(
            "declared indirect stake {} of {} held by {}, also reached through {}: not added\n",
            declared.share,
            graph.display_name(held),
            graph.display_name(holder),
            through.join(" \u{2192} ")
        ));
    }
    for entry in found.over_whole() {
        let other = graph.display_name(entry.node);
        let (holder, held) = if upward {
            (other, subject_name.clone())
        } else {
            (subject_name.clone(), other)
        };
        if let Some(share) = entry.share {
            out.push_str(&format!(
                "warning: {holder}'s stakes in {held} add up to {share}, more than 100%: the recorded stakes disagree; check the chains above\n"
            ));
        }
    }
    if found.unknown_stakes > 0 {
        out.push_str(&format!(
            "{} investment{} without a stake left out\n",
            found.unknown_stakes,
            if found.unknown_stakes == 1 { "" } else { "s" }
        ));
    }
    if found.ended > 0 {
        out.push_str(&format!(
            "{} tie{} that had ended or been cancelled by {on} left out\n",
            found.ended,
            if found.ended == 1 { "" } else { "s" }
        ));
    }
    if found.later > 0 {
        out.push_str(&format!(
            "{} tie{} dated after {on} left out\n",
            found.later,
            if found.later == 1 { "" } else { "s" }
        ));
    }
    if found.cut {
        out.push_str(&format!("stopped after {} chains\n", ownership::MAX_CHAINS));
    }
    Ok(out)
}

/// `:common A B [C ...]`: what two or more of the named entities share.
///
/// # Errors
/// When a name finds no single entity.
pub fn common_report(graph: &Graph, names: &[String]) -> Result<String, FindError> {
    let entities = names
        .iter()
        .map(|n| find_entity(graph, n))
        .collect::<Result<Vec<_>, _>>()?;
    let shared = common::common_ties(graph, &entities);
    let mut out = String::new();
    if shared.is_empty() {
        out.push_str("they share no investor, investee, consortium, supplier or customer\n");
    }
    let width = shared.len().to_string().len();
    for (i, item) in shared.iter().enumerate() {
        let ties: Vec<String> = item
            .ties
            .iter()
            .map(|t| {
                let amount = graph
                    .edge_f64(t.edge, "amount_usd")
                    .map(|a| format!(" {}", human_money(a)))
                    .unwrap_or_default();
                format!("{}'s {}{amount}", graph.display_name(t.entity), t.role)
            })
            .collect();
        out.push_str(&format!(
            "{:>width$}. {}  shared by {}{}: {}\n",
            i + 1,
            graph.display_name(item.node),
            item.entities,
            if item.amount > 0.0 {
                format!(", {}", human_money(item.amount))
            } else {
                String::new()
            },
            ties.join("; ")
        ));
    }
    Ok(out)
}

/// `:sources`: every source of the graph by id, one a line with its publisher, date, title and
/// URL when it has one. `:sources NAME`: each tie of the entity (and its own fields, when
/// they cite sources) with the sources it cites.
///
/// # Errors
/// When the name finds no single entity.
pub fn sources_report(graph: &Graph, name: Option<&str>) -> Result<String, FindError> {
    let Some(name) = name else {
        return Ok(all_sources(graph));
    };
    let entity = find_entity(graph, name)?;
    let entity_name = graph.display_name(entity);
    let mut out = String::new();
    let own = graph
        .node_prop(entity, "sources")
        .as_ref()
        .and_then(Value::string_list)
        .unwrap_or_default();
    // A relationship from the entity to itself is one tie, listed once.
    let mut ties: Vec<EdgeId> = graph
        .edges_of(entity, Direction::Outgoing)
        .chain(graph.edges_of(entity, Direction::Incoming))
        .map(|(edge, _)| edge)
        .collect();
    ties.sort_unstable();
    ties.dedup();
    if ties.is_empty() && own.is_empty() {
        return Ok(format!("{entity_name} has no ties and cites no source\n"));
    }
    let mut cited: Vec<String> = own.clone();
    for edge in &ties {
        cited.extend(
            graph
                .edge_prop(*edge, "sources")
                .as_ref()
                .and_then(Value::string_list)
                .unwrap_or_default(),
        );
    }
    cited.sort_unstable();
    cited.dedup();
    out.push_str(&format!(
        "{entity_name}: {} tie{}, citing {} source{}\n",
        ties.len(),
        if ties.len() == 1 { "" } else { "s" },
        cited.len(),
        if cited.len() == 1 { "" } else { "s" }
    ));
    if !own.is_empty() {
        out.push_str(&format!("  {entity_name} (its own fields)\n"));
        for id in &own {
            out.push_str(&format!("      source: {}\n", describe_source(graph, id)));
        }
    }
    out.push_str(&explain_edges(graph, &ties));
    Ok(out)
}

/// Every source of the graph, by id.
fn all_sources(graph: &Graph) -> String {
    if graph.source_count() == 0 {
        return "the graph has no sources\n".to_owned();
    }
    let width = graph
        .sources()
        .map(|s| s.id.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for s in graph.sources() {
        out.push_str(&format!(
            "{:<width$}  {}, {}: {}{}\n",
            s.id,
            s.publisher,
            s.date
                .map_or_else(|| "undated".to_owned(), |d| d.to_string()),
            s.title,
            s.url.as_ref().map(|u| format!("  {u}")).unwrap_or_default()
        ));
    }
    let count = graph.source_count();
    out.push_str(&format!(
        "{count} source{}\n",
        if count == 1 { "" } else { "s" }
    ));
    out
}

/// `alliances diff` and `:diff`: the ties that began, ended or changed between two dates,
/// grouped, one a line with its dates, amount, stake and sources.
pub fn diff_report(diff: &Diff) -> String {
    let mut out = format!("between {} and {}:\n", diff.from, diff.to);
    if diff.is_empty() {
        out.push_str("no tie began, ended or changed\n");
    }
    let group = |out: &mut String, title: &str, count: usize| {
        if count > 0 {
            out.push_str(&format!("{title} ({count}):\n"));
        }
    };
    group(&mut out, "began", diff.began.len());
    for tie in &diff.began {
        out.push_str(&format!("  {}\n", tie_line(tie)));
    }
    group(&mut out, "ended", diff.ended.len());
    for tie in &diff.ended {
        out.push_str(&format!("  {}\n", tie_line(tie)));
    }
    group(&mut out, "changed", diff.changed.len());
    for change in &diff.changed {
        out.push_str(&format!("  {}\n", tie_line(&change.tie)));
        out.push_str(&format!("      after {}\n", tie_line(&change.earlier)));
    }
    if diff.cancelled > 0 {
        out.push_str(&format!(
            "{} cancelled deal{} dated in the window left out: a cancelled deal never held\n",
            diff.cancelled,
            if diff.cancelled == 1 { "" } else { "s" }
        ));
    }
    out
}

/// `Nvidia -[invests-in $5B, 4%]-> Intel  from 2025-09-18 until 2026  sources: a, b`.
fn tie_line(tie: &Tie) -> String {
    // The data-file spelling of a vocabulary type (`INVESTS_IN` is `invests-in`).
    let rel_type = tie.rel_type.to_ascii_lowercase().replace('_', "-");
    let mut label = vec![rel_type];
    if let Some(amount) = tie.amount_usd {
        label[0] = format!("{} {}", label[0], human_money(amount));
    }
    if let Some(stake) = tie.stake_pct {
        label.push(format!("{stake}%"));
    }
    let mut line = format!("{} -[{}]-> {}", tie.from, label.join(", "), tie.to);
    match (tie.date, tie.end_date) {
        (Some(start), Some(end)) => line.push_str(&format!("  from {start} until {end}")),
        (Some(start), None) => line.push_str(&format!("  from {start}")),
        (None, Some(end)) => line.push_str(&format!("  until {end}")),
        (None, None) => line.push_str("  undated"),
    }
    if let Some(status) = &tie.status {
        line.push_str(&format!(", {status}"));
    }
    line.push_str(&if tie.sources.is_empty() {
        "  no source given".to_owned()
    } else {
        format!("  sources: {}", tie.sources.join(", "))
    });
    line
}

/// `:schema`'s account of the vocabulary: each kind with its label and how many entities
/// have it, each relationship type with the kinds it joins, its properties and its count,
/// and each property with its type, unit and range. With `name` (a kind, a type in either
/// spelling, or a property), that one alone, in full.
///
/// # Errors
/// When `name` is none of them, with the nearest as a suggestion.
pub fn vocabulary_report(graph: &Graph, name: Option<&str>) -> Result<String, String> {
    use crate::model::label_of;
    use std::fmt::Write as _;
    let vocabulary = graph.vocabulary();
    let kinds_of = |list: &[String]| {
        if list.is_empty() {
            "any kind".to_owned()
        } else {
            list.join(" | ")
        }
    };
    let property_line = |p: &crate::model::vocabulary::PropertyDef| {
        let mut what = p.ty.as_str().to_owned();
        match (p.min, p.max) {
            (Some(min), Some(max)) => what.push_str(&format!(" {min}–{max}")),
            (Some(min), None) => what.push_str(&format!(" ≥ {min}")),
            (None, Some(max)) => what.push_str(&format!(" ≤ {max}")),
            (None, None) => {}
        }
        if let Some(unit) = &p.unit {
            what.push_str(&format!(" ({unit})"));
        }
        if !p.values.is_empty() {
            what.push_str(&format!(": {}", p.values.join(", ")));
        }
        format!("  {:<18} {what}\n  {:<18} {}\n", p.name, "", p.help)
    };
    let rel_block = |r: &crate::model::vocabulary::RelDef, full: bool| {
        let edge_type = crate::model::edge_type_of(&r.name);
        let mut out = format!(
            "  {:<16} {:<16} {:>7}  {} → {}\n",
            r.name,
            edge_type,
            graph.type_count(&edge_type),
            kinds_of(&r.from),
            kinds_of(&r.to)
        );
        if full {
            let _ = writeln!(out, "      {}", r.help);
            let mut traits = Vec::new();
            match r.money {
                Some(crate::model::vocabulary::MoneyFlow::Forward) => {
                    traits.push("money flows from → to")
                }
                Some(crate::model::vocabulary::MoneyFlow::Backward) => {
                    traits.push("money flows to → from")
                }
                None => {}
            }
            if r.ownership {
                traits.push("stakes count in look-through ownership");
            }
            if r.control {
                traits.push("from controls to");
            }
            if !traits.is_empty() {
                let _ = writeln!(out, "      {}", traits.join("; "));
            }
            if let Some([from, to]) = &r.roles {
                let _ = writeln!(out, "      ends: {from} → {to}");
            }
            let mut properties: Vec<&str> = r.properties.iter().map(String::as_str).collect();
            properties.extend(crate::model::vocabulary::COMMON_PROPERTIES);
            let _ = writeln!(out, "      properties: {}, sources", properties.join(", "));
            for (property, values) in &r.values {
                let _ = writeln!(
                    out,
                    "      {property} here is one of: {}",
                    values.join(", ")
                );
            }
        }
        out
    };
    if let Some(name) = name {
        if let Some(k) = vocabulary
            .kind(name)
            .or_else(|| vocabulary.kind_by_label(name))
        {
            let label = label_of(&k.name);
            return Ok(format!(
                "kind {} (label {label}): {}\n  {} entities\n",
                k.name,
                k.help,
                graph.nodes_with_label(&label).len()
            ));
        }
        if let Some(r) = vocabulary.relationship(name) {
            return Ok(format!("relationship type\n{}", rel_block(r, true)));
        }
        if let Some(p) = vocabulary.property(name) {
            return Ok(format!("property of ties\n{}", property_line(p)));
        }
        let known: Vec<&str> = vocabulary
            .kinds()
            .iter()
            .map(|k| k.name.as_str())
            .chain(vocabulary.relationships().iter().map(|r| r.name.as_str()))
            .chain(vocabulary.properties().iter().map(|p| p.name.as_str()))
            .collect();
        let hint = did_you_mean(&suggest(name, known.iter().copied()))
            .unwrap_or_else(|| "type :schema for every kind, type and property".to_owned());
        return Err(format!(
            "error: \"{name}\" is no kind, relationship type or property of the vocabulary; {hint}"
        ));
    }
    let mut out = String::from("kinds (label, entities):\n");
    for k in vocabulary.kinds() {
        let label = label_of(&k.name);
        let _ = writeln!(
            out,
            "  {:<16} {:<16} {:>7}  {}",
            k.name,
            label,
            graph.nodes_with_label(&label).len(),
            k.help
        );
    }
    out.push_str("relationship types (type, relationships, from → to):\n");
    for r in vocabulary.relationships() {
        out.push_str(&rel_block(r, false));
    }
    out.push_str("properties of ties:\n");
    for p in vocabulary.properties() {
        out.push_str(&property_line(p));
    }
    if !vocabulary.added().is_empty() {
        let added = vocabulary.added();
        let _ = writeln!(
            out,
            "this graph's data adds {} kind(s), {} relationship definition(s) and {} property definition(s) to the built-in vocabulary",
            added.kind.len(),
            added.relationship.len(),
            added.property.len()
        );
    }
    Ok(out)
}
