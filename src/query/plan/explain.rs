//! `EXPLAIN`: a plan printed as text, one line per operation, naming where each pattern
//! starts and how it is searched.

use super::*;

impl Plan {
    /// How the statement will run, one line per step: where each pattern search starts (an
    /// index, a label, a bound variable, or every node) and in which direction it goes.
    pub(crate) fn explain(&self) -> String {
        let mut out = String::new();
        for (q, query) in self.queries.iter().enumerate() {
            if self.queries.len() > 1 {
                let join = if self.union_all { "UNION ALL" } else { "UNION" };
                out.push_str(&format!("part {} of a {join}:\n", q + 1));
            }
            for segment in &query.segments {
                for op in &segment.ops {
                    match op {
                        Op::Match(m) => {
                            let clause = if m.optional {
                                "OPTIONAL MATCH"
                            } else {
                                "MATCH"
                            };
                            for pattern in &m.patterns {
                                out.push_str(&format!("{clause} {}\n", explain_pattern(pattern)));
                            }
                            if m.filter.is_some() {
                                out.push_str("  then filter with WHERE\n");
                            }
                        }
                        Op::Unwind { .. } => out.push_str("UNWIND a list into rows\n"),
                        Op::LoadCsv(load) => out.push_str(if load.headers {
                            "LOAD CSV: one map per record, read as it goes\n"
                        } else {
                            "LOAD CSV: one list per record, read as it goes\n"
                        }),
                        Op::TypeCounts { types, .. } => out.push_str(&format!(
                            "count relationships of {} from the store's counts, no scan\n",
                            if types.is_empty() {
                                "each type".to_owned()
                            } else {
                                types.join(", ")
                            }
                        )),
                        Op::CallSubquery { body, outputs, .. } => out.push_str(&format!(
                            "CALL a subquery of {} part(s) per row, binding {} column(s)\n",
                            body.queries.len(),
                            outputs.len()
                        )),
                        Op::Call { procedure, .. } => {
                            out.push_str(&format!("CALL {procedure:?} and bind what it yields\n"));
                        }
                        Op::Filter(_) => out.push_str("filter with WHERE\n"),
                        Op::Create(patterns) => {
                            out.push_str(&format!("CREATE {} pattern(s) per row\n", patterns.len()))
                        }
                        Op::Merge(m) => out.push_str(&format!(
                            "MERGE: {}, or create it\n",
                            explain_pattern(&m.find)
                        )),
                        Op::Set(items) => out.push_str(&format!("SET {} item(s)\n", items.len())),
                        Op::Remove(items) => {
                            out.push_str(&format!("REMOVE {} item(s)\n", items.len()));
                        }
                        Op::Delete { detach, targets } => out.push_str(&format!(
                            "{}DELETE {} item(s)\n",
                            if *detach { "DETACH " } else { "" },
                            targets.len()
                        )),
                    }
                }
                let p = &segment.projection;
                let mut steps = vec![format!("project {} column(s)", p.items.len())];
                if p.aggregating() {
                    steps.push(format!(
                        "aggregate {} function(s) grouped by {} key(s)",
                        p.aggregates.len(),
                        p.key_items.len()
                    ));
                }
                if p.distinct {
                    steps.push("drop duplicates".to_owned());
                }
                if !p.order_by.is_empty() {
                    steps.push(format!("sort by {} key(s)", p.order_by.len()));
                }
                if p.skip.is_some() {
                    steps.push("skip".to_owned());
                }
                if p.limit.is_some() {
                    steps.push("limit".to_owned());
                }
                out.push_str(&format!("{}\n", steps.join(", then ")));
            }
        }
        out
    }
}

fn explain_pattern(pattern: &PatternPlan) -> String {
    let start = &pattern.start;
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
    let mut text = format!("start at {} {how}", start.text);
    match pattern.search {
        PathSearch::All => {
            for hop in &pattern.hops {
                let arrow = match hop.rel.arrow {
                    Arrow::Right => "out along",
                    Arrow::Left => "in along",
                    Arrow::Both => "either way along",
                };
                text.push_str(&format!(
                    ", go {arrow} {} to {}",
                    hop.rel.text, hop.node.text
                ));
                if hop.rel.count_reached.is_some() {
                    text.push_str(
                        " (breadth first, counting each node once: only the count matters)",
                    );
                } else if hop.rel.reach_only {
                    text.push_str(" (breadth first, each node once: the paths do not matter)");
                }
            }
            if pattern.reversed {
                text.push_str(" (searched right to left)");
            }
        }
        search => {
            let hop = &pattern.hops[0];
            let kind = if search == PathSearch::Shortest {
                "shortest path"
            } else {
                "all shortest paths"
            };
            text.push_str(&format!(
                ", breadth-first {kind} along {} to {}",
                hop.rel.text, hop.node.text
            ));
        }
    }
    text
}
