//! `EXPLAIN` and `PROFILE`: a plan as a list of operators in the order rows flow through them,
//! each with its name (Neo4j's where it has one), what it does here, and how deep it sits;
//! with a run's counters, the rows and time of each (`query::Profile`).

use std::time::Duration;

use super::*;
use crate::query::profile::{
    OperatorProfile, Part, PartKind, PlanDescription, PlannedOperator, Profile, Profiler,
};

/// One operator of the description, with the counters that hold its rows and time.
struct Line {
    name: String,
    detail: String,
    depth: usize,
    /// Whose rows this line shows.
    rows: Option<Part>,
    /// Whose time it shows; `None` when it is timed with the line above.
    time: Option<Part>,
}

impl Line {
    fn new(name: &str, detail: String, depth: usize, part: Part, timed: bool) -> Line {
        Line {
            name: name.to_owned(),
            detail,
            depth,
            rows: Some(part),
            time: timed.then_some(part),
        }
    }
}

impl Plan {
    /// How the statement will run, as a table of operators: where each pattern search starts
    /// (an index, a label, a bound variable, or every node) and in which direction it goes.
    pub(crate) fn explain(&self, text: &str) -> String {
        self.describe(text).to_string()
    }

    /// The operators of the plan, in the order rows flow through them.
    pub(crate) fn describe(&self, text: &str) -> PlanDescription {
        PlanDescription {
            operators: self
                .lines(text)
                .into_iter()
                .map(|l| PlannedOperator {
                    name: l.name,
                    detail: l.detail,
                    depth: l.depth,
                })
                .collect(),
        }
    }

    /// The operators with what `profiler` counted for each in one run, which returned `rows`
    /// rows in `time`.
    pub(crate) fn profile(
        &self,
        text: &str,
        profiler: &Profiler,
        rows: usize,
        time: Duration,
    ) -> Profile {
        Profile {
            operators: self
                .lines(text)
                .into_iter()
                .map(|l| OperatorProfile {
                    rows: l.rows.map_or(0, |p| profiler.counts(p).rows),
                    time: l.time.map(|p| profiler.counts(p).time),
                    name: l.name,
                    detail: l.detail,
                    depth: l.depth,
                })
                .collect(),
            rows: rows as u64,
            time,
        }
    }

    fn lines(&self, text: &str) -> Vec<Line> {
        let mut lines = Vec::new();
        if let Some(command) = &self.schema {
            let name = match command {
                SchemaCommand::CreateUnique { .. } => "CreateConstraint",
                SchemaCommand::Drop { .. } => "DropConstraint",
                SchemaCommand::Show => "ShowConstraints",
            };
            lines.push(Line {
                name: name.to_owned(),
                detail: "on the graph's uniqueness constraints".to_owned(),
                depth: 0,
                rows: None,
                time: None,
            });
            return lines;
        }
        let describer = Describer { text };
        describer.queries(&self.queries, self.union_all, 0, &mut lines);
        lines
    }
}

struct Describer<'t> {
    text: &'t str,
}

impl Describer<'_> {
    /// An expression as written, on one line.
    fn written(&self, e: &PExpr) -> String {
        let written = self.text.get(e.span.clone()).unwrap_or("");
        written.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn list(&self, items: &[PExpr]) -> String {
        items
            .iter()
            .map(|e| self.written(e))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn queries(&self, queries: &[QueryPlan], union_all: bool, depth: usize, out: &mut Vec<Line>) {
        if queries.len() == 1 {
            self.query(&queries[0], depth, out);
            return;
        }
        let name = if union_all { "UnionAll" } else { "Union" };
        for (q, query) in queries.iter().enumerate() {
            out.push(Line {
                name: name.to_owned(),
                detail: format!("part {} of {}", q + 1, queries.len()),
                depth,
                rows: query
                    .segments
                    .last()
                    .map(|s| Part::of(&s.projection, PartKind::Limit)),
                time: None,
            });
            self.query(query, depth + 1, out);
        }
    }

    fn query(&self, query: &QueryPlan, depth: usize, out: &mut Vec<Line>) {
        for segment in &query.segments {
            for op in &segment.ops {
                self.op(op, depth, out);
            }
            self.projection(&segment.projection, depth, out);
        }
    }

    fn op(&self, op: &Op, depth: usize, out: &mut Vec<Line>) {
        let part = Part::of(op, PartKind::Op);
        let line = |name: &str, detail: String| Line::new(name, detail, depth, part, true);
        match op {
            Op::Match(m) => {
                for pattern in &m.patterns {
                    self.pattern(pattern, depth, out);
                }
                if let Some(filter) = &m.filter {
                    out.push(Line::new(
                        "Filter",
                        format!("WHERE {}", self.written(filter)),
                        depth,
                        Part::of(m, PartKind::MatchFilter),
                        true,
                    ));
                }
                if m.optional {
                    out.push(line(
                        "Optional",
                        "OPTIONAL MATCH: one row of nulls where nothing matches".to_owned(),
                    ));
                }
            }
            Op::Unwind { list, .. } => {
                out.push(line("Unwind", format!("UNWIND {}", self.written(list))));
            }
            Op::LoadCsv(load) => out.push(line(
                "LoadCSV",
                if load.headers {
                    "one map per record, read as it goes".to_owned()
                } else {
                    "one list per record, read as it goes".to_owned()
                },
            )),
            Op::TypeCounts { types, .. } => out.push(line(
                "RelationshipCountFromCountStore",
                format!(
                    "count relationships of {} from the store's counts, no scan",
                    if types.is_empty() {
                        "each type".to_owned()
                    } else {
                        types.join(", ")
                    }
                ),
            )),
            Op::CallSubquery { body, outputs, .. } => {
                out.push(line(
                    "CallSubquery",
                    format!(
                        "CALL {{ ... }} per row, binding {} column(s)",
                        outputs.len()
                    ),
                ));
                self.queries(&body.queries, body.union_all, depth + 1, out);
            }
            Op::Call { procedure, .. } => out.push(line(
                "ProcedureCall",
                format!("CALL {procedure:?} and bind what it yields"),
            )),
            Op::Filter(filter) => {
                out.push(line("Filter", format!("WHERE {}", self.written(filter))));
            }
            Op::Create(patterns) => {
                let nodes = patterns
                    .iter()
                    .flat_map(|p| &p.nodes)
                    .filter(|n| !n.bound)
                    .count();
                let rels: usize = patterns.iter().map(|p| p.rels.len()).sum();
                out.push(line(
                    "Create",
                    format!("CREATE {nodes} node(s) and {rels} relationship(s) per row"),
                ));
            }
            Op::Merge(m) => out.push(line(
                "Merge",
                format!("MERGE: {}, or create it", explain_pattern(&m.find)),
            )),
            Op::Set(items) => out.push(line("Set", format!("SET {} item(s)", items.len()))),
            Op::Remove(items) => {
                out.push(line("Remove", format!("REMOVE {} item(s)", items.len())));
            }
            Op::Delete { detach, targets } => out.push(line(
                if *detach { "DetachDelete" } else { "Delete" },
                format!(
                    "{}DELETE {}",
                    if *detach { "DETACH " } else { "" },
                    self.list(targets)
                ),
            )),
        }
    }

    fn pattern(&self, pattern: &PatternPlan, depth: usize, out: &mut Vec<Line>) {
        let start = &pattern.start;
        let name = if start.bound {
            "Argument"
        } else {
            match &start.lookup {
                Lookup::Scan => "AllNodesScan",
                Lookup::Label(_) => "NodeByLabelScan",
                Lookup::Id(_) | Lookup::Name(_) | Lookup::Identifier(..) => "NodeIndexSeek",
                Lookup::IdIn(_) | Lookup::NameIn(_) => "ManyNodeIndexSeek",
            }
        };
        let mut detail = start_text(start);
        if pattern.reversed {
            detail.push_str(" (searched right to left)");
        }
        out.push(Line::new(
            name,
            detail,
            depth,
            Part::of(pattern, PartKind::Start),
            true,
        ));
        for hop in &pattern.hops {
            let into = if hop.node.bound { "Into" } else { "All" };
            let name = match (pattern.search, hop.rel.length) {
                (PathSearch::Shortest, _) => "ShortestPath".to_owned(),
                (PathSearch::AllShortest, _) => "AllShortestPaths".to_owned(),
                (PathSearch::All, None) => format!("Expand({into})"),
                (PathSearch::All, Some(_)) if hop.rel.reach_only => {
                    "VarLengthExpand(Pruning)".to_owned()
                }
                (PathSearch::All, Some(_)) => format!("VarLengthExpand({into})"),
            };
            out.push(Line::new(
                &name,
                hop_text(pattern.search, hop),
                depth,
                Part::of(hop, PartKind::Hop),
                true,
            ));
        }
    }

    fn projection(&self, p: &ProjectionPlan, depth: usize, out: &mut Vec<Line>) {
        let at = |kind| Part::of(p, kind);
        if p.aggregating() {
            let keys: Vec<String> = p
                .key_items
                .iter()
                .map(|&i| self.written(&p.items[i]))
                .collect();
            out.push(Line::new(
                "EagerAggregation",
                format!(
                    "{}{}",
                    self.list(&p.items),
                    if keys.is_empty() {
                        String::new()
                    } else {
                        format!(" (grouped by {})", keys.join(", "))
                    }
                ),
                depth,
                at(PartKind::Projection),
                true,
            ));
        } else if !p.items.is_empty() {
            out.push(Line::new(
                "Projection",
                self.list(&p.items),
                depth,
                at(PartKind::Projection),
                true,
            ));
        }
        if let Some(filter) = &p.filter {
            out.push(Line::new(
                "Filter",
                format!("WHERE {}", self.written(filter)),
                depth,
                at(PartKind::Where),
                false,
            ));
        }
        if !p.order_by.is_empty() {
            let keys: Vec<String> = p
                .order_by
                .iter()
                .map(|(e, descending)| {
                    format!(
                        "{}{}",
                        self.written(e),
                        if *descending { " DESC" } else { "" }
                    )
                })
                .collect();
            out.push(Line::new(
                if p.limit.is_some() { "Top" } else { "Sort" },
                format!("ORDER BY {}", keys.join(", ")),
                depth,
                at(PartKind::Sort),
                true,
            ));
        }
        if p.distinct {
            out.push(Line::new(
                "Distinct",
                "drop duplicates".to_owned(),
                depth,
                at(PartKind::Distinct),
                false,
            ));
        }
        if let Some(skip) = &p.skip {
            out.push(Line::new(
                "Skip",
                format!("SKIP {}", self.written(skip)),
                depth,
                at(PartKind::Skip),
                false,
            ));
        }
        if let Some(limit) = &p.limit {
            out.push(Line::new(
                "Limit",
                format!("LIMIT {}", self.written(limit)),
                depth,
                at(PartKind::Limit),
                false,
            ));
        }
    }
}

/// Where a search starts: "start at (c:Company) scanning the nodes labelled Company".
fn start_text(start: &NodeStep) -> String {
    let how = if start.bound {
        "already bound".to_owned()
    } else {
        match &start.lookup {
            Lookup::Scan => "scanning every node".to_owned(),
            Lookup::Label(label) => format!("scanning the nodes labelled {label}"),
            Lookup::Id(_) => "through the id index".to_owned(),
            Lookup::Name(_) => "through the name index".to_owned(),
            Lookup::Identifier(scheme, _) => format!("through the {scheme} identifier index"),
            Lookup::IdIn(_) => "through the id index, once per listed value".to_owned(),
            Lookup::NameIn(_) => "through the name index, once per listed value".to_owned(),
        }
    };
    format!("start at {} {how}", start.text)
}

/// One hop: "go out along -[:MEMBER_OF]-> to (x)".
fn hop_text(search: PathSearch, hop: &Hop) -> String {
    if search != PathSearch::All {
        let kind = if search == PathSearch::Shortest {
            "shortest path"
        } else {
            "all shortest paths"
        };
        return format!(
            "breadth-first {kind} along {} to {}",
            hop.rel.text, hop.node.text
        );
    }
    let arrow = match hop.rel.arrow {
        Arrow::Right => "out along",
        Arrow::Left => "in along",
        Arrow::Both => "either way along",
    };
    let mut text = format!("go {arrow} {} to {}", hop.rel.text, hop.node.text);
    if hop.rel.count_reached.is_some() {
        text.push_str(" (breadth first, counting each node once: only the count matters)");
    } else if hop.rel.reach_only {
        text.push_str(" (breadth first, each node once: the paths do not matter)");
    }
    text
}

/// A pattern on one line, as MERGE looks for it.
fn explain_pattern(pattern: &PatternPlan) -> String {
    let mut text = start_text(&pattern.start);
    for hop in &pattern.hops {
        text.push_str(", ");
        text.push_str(&hop_text(pattern.search, hop));
    }
    if pattern.reversed {
        text.push_str(" (searched right to left)");
    }
    text
}
