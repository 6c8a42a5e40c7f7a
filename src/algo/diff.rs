//! What changed between two dates: the ties that began, ended, or changed (a later tie of the
//! same type between the same two entities began while an earlier one held: a stake raised),
//! judged by the one rule of `model::standing`.
//!
//! A tie began in the window when it had not begun on the first date and had on the second;
//! it ended when it had not ended on the first date and had on the second (so one that began
//! and ended within the window is in both lists). A tie whose `end_date` is a month or a year
//! that includes the second date may still hold, so it is not listed as ended. A cancelled deal
//! never held and is only counted.
//!
//! **Invariant:** the lists are in date order, ties broken by element ids, so the same graph
//! gives the same listing.

use std::collections::HashMap;

use crate::model::{Date, Standing, Value};
use crate::store::{EdgeId, Graph};

/// Why two dates do not make a window.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// A text given as a date is not one; `which` is 1 for the first date, 2 for the second.
    #[error("the {} date \"{text}\" is not a date: {reason}", if *which == 1 { "first" } else { "second" })]
    BadDate {
        which: usize,
        text: String,
        reason: String,
    },
    /// The second date is before the first.
    #[error("the second date {to} is before the first {from}; give the earlier date first")]
    Reversed { from: Date, to: Date },
}

/// One tie as the listing shows it: owned, so a front end needs no graph to show it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Tie {
    #[serde(skip)]
    pub edge: EdgeId,
    /// The entity the tie starts at, by its display name.
    pub from: String,
    /// The relationship type as stored (`INVESTS_IN`).
    #[serde(rename = "type")]
    pub rel_type: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stake_pct: Option<f64>,
    /// Source ids.
    pub sources: Vec<String>,
}

/// A later tie that began while an earlier one of the same type between the same two entities
/// held.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Changed {
    pub tie: Tie,
    pub earlier: Tie,
}

/// What changed between `from` and `to`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Diff {
    pub from: Date,
    pub to: Date,
    /// Ties that began in the window, other than changes; by date.
    pub began: Vec<Tie>,
    /// Ties that ended in the window; by end date.
    pub ended: Vec<Tie>,
    /// Ties that began in the window while an earlier one like them held; by date.
    pub changed: Vec<Changed>,
    /// Cancelled deals dated in the window, which never held and are not listed.
    pub cancelled: usize,
}

impl Diff {
    /// Whether nothing began, ended or changed.
    pub fn is_empty(&self) -> bool {
        self.began.is_empty() && self.ended.is_empty() && self.changed.is_empty()
    }
}

/// Reads the two dates of a window, as a user wrote them.
///
/// # Errors
/// When either text is not a date, or the second is before the first.
pub fn parse_window(first: &str, second: &str) -> Result<(Date, Date), DiffError> {
    let parse = |which, text: &str| {
        text.parse::<Date>().map_err(|e| DiffError::BadDate {
            which,
            text: text.to_owned(),
            reason: e.to_string(),
        })
    };
    let (from, to) = (parse(1, first)?, parse(2, second)?);
    if to < from {
        return Err(DiffError::Reversed { from, to });
    }
    Ok((from, to))
}

/// The ties that began, ended or changed between `from` and `to`.
///
/// # Errors
/// When `to` is before `from`.
pub fn diff(graph: &Graph, from: Date, to: Date) -> Result<Diff, DiffError> {
    if to < from {
        return Err(DiffError::Reversed { from, to });
    }
    let date_of = |edge: EdgeId, key: &str| match graph.edge_prop(edge, key) {
        Some(Value::Date(d)) => Some(d),
        _ => None,
    };
    let mut result = Diff {
        from,
        to,
        began: Vec::new(),
        ended: Vec::new(),
        changed: Vec::new(),
        cancelled: 0,
    };
    // The ties between each pair of entities, by type, for finding what a new one changed.
    let mut alike: HashMap<(crate::store::NodeId, crate::store::NodeId, &str), Vec<EdgeId>> =
        HashMap::new();
    let mut edges: Vec<EdgeId> = graph.edges().collect();
    edges.sort_unstable();
    for &edge in &edges {
        if let Some((a, b)) = graph.edge_endpoints(edge) {
            alike
                .entry((a, b, graph.edge_type(edge)))
                .or_default()
                .push(edge);
        }
    }
    let mut began = Vec::new();
    let mut ended = Vec::new();
    for &edge in &edges {
        let (first, second) = (
            graph.edge_standing(edge, from),
            graph.edge_standing(edge, to),
        );
        if first == Standing::Cancelled {
            if date_of(edge, "date").is_some_and(|d| from < d && d <= to) {
                result.cancelled += 1;
            }
            continue;
        }
        if first == Standing::NotBegun && second != Standing::NotBegun {
            began.push(edge);
        }
        if first != Standing::Ended && second == Standing::Ended {
            ended.push(edge);
        }
    }
    began.sort_by_key(|e| (date_of(*e, "date"), *e));
    ended.sort_by_key(|e| (date_of(*e, "end_date"), date_of(*e, "date"), *e));
    for edge in began {
        let Some(start) = date_of(edge, "date") else {
            result.began.push(tie(graph, edge));
            continue;
        };
        let earlier = graph.edge_endpoints(edge).and_then(|(a, b)| {
            alike[&(a, b, graph.edge_type(edge))]
                .iter()
                .copied()
                .filter(|other| {
                    *other != edge
                        && date_of(*other, "date").is_none_or(|d| d < start)
                        && graph.edge_standing(*other, start).holds()
                })
                .max_by_key(|other| (date_of(*other, "date"), *other))
        });
        match earlier {
            Some(earlier) => result.changed.push(Changed {
                tie: tie(graph, edge),
                earlier: tie(graph, earlier),
            }),
            None => result.began.push(tie(graph, edge)),
        }
    }
    result.ended = ended.into_iter().map(|e| tie(graph, e)).collect();
    Ok(result)
}

/// The owned description of `edge`.
pub fn tie(graph: &Graph, edge: EdgeId) -> Tie {
    let (a, b) = graph.edge_endpoints(edge).unzip();
    let date = |key| match graph.edge_prop(edge, key) {
        Some(Value::Date(d)) => Some(d),
        _ => None,
    };
    Tie {
        edge,
        from: a.map(|a| graph.display_name(a)).unwrap_or_default(),
        rel_type: graph.edge_type(edge).to_owned(),
        to: b.map(|b| graph.display_name(b)).unwrap_or_default(),
        date: date("date"),
        end_date: date("end_date"),
        status: graph.edge_str(edge, "status").map(str::to_owned),
        amount_usd: graph.edge_f64(edge, "amount_usd"),
        stake_pct: graph.edge_f64(edge, "stake_pct"),
        sources: graph
            .edge_prop(edge, "sources")
            .as_ref()
            .and_then(Value::string_list)
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Schema;

    fn graph() -> (Graph, Vec<EdgeId>) {
        let mut g = Graph::new(Schema::Alliance);
        let n: Vec<_> = ["a", "b", "c"]
            .iter()
            .map(|id| g.add_node(["Company"], [("id", Value::from(*id))]))
            .collect();
        let d = |s: &str| Value::Date(s.parse().unwrap());
        let stake = |p: f64| Value::Float(p);
        let edges = vec![
            // 0: a 10% stake from 2019, raised to 25% in 2021 (1), which ended in 2023-06.
            g.add_edge(
                n[0],
                n[1],
                "INVESTS_IN",
                [("date", d("2019")), ("stake_pct", stake(10.0))],
            ),
            g.add_edge(
                n[0],
                n[1],
                "INVESTS_IN",
                [
                    ("date", d("2021-04")),
                    ("end_date", d("2023-06-30")),
                    ("stake_pct", stake(25.0)),
                ],
            ),
            // 2: a cancelled deal in 2022.
            g.add_edge(
                n[1],
                n[2],
                "SUPPLIES",
                [("date", d("2022")), ("status", Value::from("cancelled"))],
            ),
            // 3: a supply that began in 2020 and ended in 2022 (month).
            g.add_edge(
                n[2],
                n[0],
                "SUPPLIES",
                [("date", d("2020-02")), ("end_date", d("2022-03"))],
            ),
            // 4: undated membership, always there.
            g.add_edge(n[0], n[2], "MEMBER_OF", []),
        ]
        .into_iter()
        .map(Option::unwrap)
        .collect();
        (g, edges)
    }

    #[test]
    fn lists_what_began_ended_and_changed_in_the_window() {
        let (g, e) = graph();
        let d = |s: &str| s.parse::<Date>().unwrap();
        let found = diff(&g, d("2020-01-01"), d("2024-01-01")).unwrap();
        let edges = |ties: &[Tie]| ties.iter().map(|t| t.edge).collect::<Vec<_>>();
        assert_eq!(edges(&found.began), vec![e[3]]);
        assert_eq!(edges(&found.ended), vec![e[3], e[1]]);
        assert_eq!(found.changed.len(), 1);
        assert_eq!(
            (found.changed[0].tie.edge, found.changed[0].earlier.edge),
            (e[1], e[0])
        );
        assert_eq!(found.cancelled, 1);
        // Within the month of its end, the supply may still hold: not listed as ended.
        let mid = diff(&g, d("2020-01-01"), d("2022-03-15")).unwrap();
        assert_eq!(edges(&mid.ended), vec![]);
        // Before the raise, the first stake began alone.
        let early = diff(&g, d("2018"), d("2020")).unwrap();
        assert_eq!(edges(&early.began), vec![e[0]]);
        assert!(early.changed.is_empty());
        // The same date twice: nothing happened.
        assert!(diff(&g, d("2021"), d("2021")).unwrap().is_empty());
    }

    #[test]
    fn a_window_needs_two_dates_in_order() {
        assert!(matches!(
            parse_window("2024-13", "2025"),
            Err(DiffError::BadDate { which: 1, .. })
        ));
        assert!(matches!(
            parse_window("2024", "soon"),
            Err(DiffError::BadDate { which: 2, .. })
        ));
        let reversed = parse_window("2025", "2024-06").unwrap_err();
        assert_eq!(
            reversed.to_string(),
            "the second date 2024-06 is before the first 2025; give the earlier date first"
        );
        assert!(parse_window("2024", "2024-06").is_ok());
    }
}
