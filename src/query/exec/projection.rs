//! A segment's projection: output rows, `DISTINCT`, grouping and aggregate states, `ORDER BY`
//! (keeping only about `SKIP + LIMIT` rows when both are given), `SKIP` and `LIMIT`, with what
//! it holds charged to the statement's memory budget.

use super::*;
use crate::query::profile::PartKind;

/// One segment's projection: computes output rows, groups, sorts, and cuts with SKIP/LIMIT.
pub(super) struct Projector<'p, 'c, 'g> {
    pub(super) cx: &'c Context<'g>,
    pub(super) plan: &'p ProjectionPlan,
    pub(super) skip: usize,
    pub(super) limit: Option<usize>,
    /// The LIMIT was reached: nothing more is wanted.
    pub(super) done: bool,
    pub(super) emitted: usize,
    pub(super) skipped: usize,
    pub(super) seen: HashSet<Vec<Key>>,
    /// ORDER BY without aggregation: (sort keys, output row).
    pub(super) sorted: Vec<(Vec<QueryValue>, Row)>,
    pub(super) groups: HashMap<Vec<Key>, usize>,
    pub(super) group_list: Vec<Group>,
    /// Bytes charged to the memory budget for what this projection holds.
    pub(super) held: usize,
}

pub(super) struct Group {
    /// The first input row of the group: grouping keys and what they determine.
    pub(super) first: Row,
    pub(super) keys: Vec<QueryValue>,
    pub(super) states: Vec<AggState>,
}

impl<'p, 'c, 'g> Projector<'p, 'c, 'g> {
    pub(super) fn new(cx: &'c Context<'g>, plan: &'p ProjectionPlan) -> Result<Self, QueryError> {
        let count = |e: &Option<PExpr>, what: &str| -> Result<Option<usize>, QueryError> {
            let Some(e) = e else { return Ok(None) };
            match cx.eval(e, &[], &[])? {
                QueryValue::Int(n) if n >= 0 => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
                other => Err(QueryError::at(
                    ErrorKind::Argument,
                    if matches!(other, QueryValue::Int(_)) {
                        ErrorCode::NegativeIntegerArgument
                    } else {
                        ErrorCode::InvalidArgumentType
                    },
                    cx.text,
                    e.span.start,
                    format!(
                        "{what} takes a whole number of rows, 0 or more, not {}",
                        describe(cx.graph, &other)
                    ),
                    None,
                )),
            }
        };
        Ok(Projector {
            cx,
            plan,
            skip: count(&plan.skip, "SKIP")?.unwrap_or(0),
            limit: count(&plan.limit, "LIMIT")?,
            done: false,
            emitted: 0,
            skipped: 0,
            seen: HashSet::default(),
            sorted: Vec::new(),
            groups: HashMap::default(),
            group_list: Vec::new(),
            held: 0,
        })
    }

    /// Where a memory error of this projection points: its first item.
    pub(super) fn at(&self) -> usize {
        self.plan.items.first().map_or(0, |e| e.span.start)
    }

    /// Counts `bytes` more as held until the projection's input ends.
    pub(super) fn hold(&mut self, bytes: usize) -> Result<(), QueryError> {
        self.cx.charge(bytes, self.at())?;
        self.held += bytes;
        Ok(())
    }

    /// The output row: the items, then the qualifier and currency of each amount column
    /// (`ProjectionPlan::amount_notes`).
    pub(super) fn outputs(&self, row: &Row, aggregates: &[QueryValue]) -> Result<Row, QueryError> {
        let notes = &self.plan.amount_notes;
        let mut outputs = Vec::with_capacity(self.plan.items.len() + 2 * notes.len());
        for item in &self.plan.items {
            outputs.push(self.cx.eval(item, row, aggregates)?);
        }
        for note in notes {
            outputs.push(self.cx.eval(&note.qualifier, row, aggregates)?);
            outputs.push(match &note.currency {
                Some(currency) => self.cx.eval(currency, row, aggregates)?,
                None => QueryValue::Null,
            });
        }
        Ok(outputs)
    }

    /// The output values that are columns, without what only the table reads.
    fn columns<'o>(&self, outputs: &'o [QueryValue]) -> &'o [QueryValue] {
        &outputs[..self.plan.items.len().min(outputs.len())]
    }

    /// Stores the output values beside the input's, where sort keys and WITH's WHERE read them.
    pub(super) fn place_outputs(&self, row: &mut Row, outputs: &Row) {
        let outputs = self.columns(outputs);
        let base = self.plan.out_base;
        if row.len() < base + outputs.len() {
            row.resize(base + outputs.len(), QueryValue::Null);
        }
        row[base..base + outputs.len()].clone_from_slice(outputs);
    }

    pub(super) fn sort_keys(
        &self,
        row: &mut Row,
        outputs: &Row,
    ) -> Result<Vec<QueryValue>, QueryError> {
        self.place_outputs(row, outputs);
        self.plan
            .order_by
            .iter()
            .map(|(e, _)| self.cx.eval(e, row, &[]))
            .collect()
    }

    /// Takes one input row.
    pub(super) fn accept(
        &mut self,
        row: &mut Row,
        out: &mut dyn FnMut(Row) -> Result<Flow, QueryError>,
    ) -> Result<Flow, QueryError> {
        if self.done || self.limit == Some(0) {
            self.done = true;
            return Ok(Flow::Stop);
        }
        if self.plan.aggregating() {
            self.group(row)?;
            return Ok(Flow::Continue);
        }
        let outputs = self.outputs(row, &[])?;
        self.cx.count(self.plan, PartKind::Projection);
        if let Some(filter) = &self.plan.filter {
            self.place_outputs(row, &outputs);
            if self
                .cx
                .truth(self.cx.eval(filter, row, &[])?, &filter.span)?
                != Some(true)
            {
                return Ok(Flow::Continue);
            }
            self.cx.count(self.plan, PartKind::Where);
        }
        if !self.plan.order_by.is_empty() {
            let keys = self.sort_keys(row, &outputs)?;
            self.hold(row_bytes(&keys) + row_bytes(&outputs))?;
            self.sorted.push((keys, outputs));
            self.trim_sorted();
            return Ok(Flow::Continue);
        }
        self.pass(outputs, out)
    }

    /// Hands an output row on, after DISTINCT, SKIP and LIMIT.
    pub(super) fn pass(
        &mut self,
        outputs: Row,
        out: &mut dyn FnMut(Row) -> Result<Flow, QueryError>,
    ) -> Result<Flow, QueryError> {
        // LIMIT 0 passes nothing on, not even the one row an aggregate over no input makes.
        if self.done || self.limit == Some(0) {
            self.done = true;
            return Ok(Flow::Stop);
        }
        if self.plan.distinct {
            if !self
                .seen
                .insert(self.columns(&outputs).iter().cloned().map(Key).collect())
            {
                return Ok(Flow::Continue);
            }
            self.hold(row_bytes(&outputs))?;
            self.cx.count(self.plan, PartKind::Distinct);
        }
        if self.skipped < self.skip {
            self.skipped += 1;
            return Ok(Flow::Continue);
        }
        self.cx.count(self.plan, PartKind::Skip);
        self.emitted += 1;
        self.cx.count(self.plan, PartKind::Limit);
        let flow = out(outputs)?;
        if self.limit.is_some_and(|l| self.emitted >= l) {
            self.done = true;
            return Ok(Flow::Stop);
        }
        Ok(flow)
    }

    /// With ORDER BY and LIMIT, only the first SKIP + LIMIT rows can ever be output: keep the
    /// buffer near that size instead of holding every row.
    pub(super) fn trim_sorted(&mut self) {
        let Some(limit) = self.limit else { return };
        if self.plan.distinct {
            return;
        }
        let keep = self.skip.saturating_add(limit);
        if self.sorted.len() > keep.saturating_mul(2).max(1024) {
            self.sort_buffer();
            let dropped: usize = self.sorted[keep..]
                .iter()
                .map(|(k, o)| row_bytes(k) + row_bytes(o))
                .sum();
            self.sorted.truncate(keep);
            self.cx.release(dropped);
            self.held -= dropped.min(self.held);
        }
    }

    pub(super) fn sort_buffer(&mut self) {
        let _entered = self.cx.enter(self.plan, PartKind::Sort);
        let directions: Vec<bool> = self.plan.order_by.iter().map(|(_, d)| *d).collect();
        self.sorted
            .sort_by(|(a, _), (b, _)| compare_keys(a, b, &directions));
    }

    pub(super) fn group(&mut self, row: &Row) -> Result<(), QueryError> {
        // Without grouping keys there is one group: no key to build or hash per row.
        if self.plan.key_items.is_empty() && !self.group_list.is_empty() {
            return self.update(0, row);
        }
        let keys: Vec<QueryValue> = self
            .plan
            .key_items
            .iter()
            .map(|&i| self.cx.eval(&self.plan.items[i], row, &[]))
            .collect::<Result<_, _>>()?;
        let lookup: Vec<Key> = keys.iter().cloned().map(Key).collect();
        let index = match self.groups.get(&lookup) {
            Some(i) => *i,
            None => {
                // The first row, the keys and their hashed copy.
                self.hold(
                    row_bytes(row)
                        + 2 * row_bytes(&keys)
                        + self.plan.aggregates.len() * std::mem::size_of::<AggState>(),
                )?;
                self.group_list.push(Group {
                    first: row.clone(),
                    keys,
                    states: self.plan.aggregates.iter().map(AggState::new).collect(),
                });
                self.groups.insert(lookup, self.group_list.len() - 1);
                self.group_list.len() - 1
            }
        };
        self.update(index, row)
    }

    pub(super) fn update(&mut self, index: usize, row: &Row) -> Result<(), QueryError> {
        for (state, aggregate) in self.group_list[index]
            .states
            .iter_mut()
            .zip(&self.plan.aggregates)
        {
            let value = match &aggregate.arg {
                None => None,
                Some(arg) => Some((self.cx.eval(arg, row, &[])?, arg)),
            };
            if aggregate.function == AggFunction::Sum
                && let Some((QueryValue::Null, arg)) = &value
                && let crate::query::plan::PKind::Property(base, key) = &arg.kind
                && key == "amount_usd"
                && let QueryValue::Relationship(edge) = self.cx.eval(base, row, &[])?
            {
                state.missing_usd(self.cx, edge);
            }
            if let Some(percentile) = &aggregate.percentile {
                state.fraction = fraction(self.cx, percentile, row)?;
            }
            state.add(self.cx, aggregate, value)?;
        }
        Ok(())
    }

    /// The input has ended: output what was held back.
    pub(super) fn finish(
        &mut self,
        out: &mut dyn FnMut(Row) -> Result<Flow, QueryError>,
    ) -> Result<(), QueryError> {
        if self.plan.aggregating() {
            // With no grouping keys, an empty input still makes one group: count(*) is 0.
            if self.group_list.is_empty() && self.plan.key_items.is_empty() {
                self.group_list.push(Group {
                    first: Vec::new(),
                    keys: Vec::new(),
                    states: self.plan.aggregates.iter().map(AggState::new).collect(),
                });
            }
            let groups = std::mem::take(&mut self.group_list);
            for mut group in groups {
                let results: Vec<QueryValue> = group
                    .states
                    .into_iter()
                    .map(|s| s.finish(self.cx))
                    .collect::<Result<_, _>>()?;
                let mut keys = group.keys.into_iter();
                let mut outputs = Vec::with_capacity(self.plan.items.len());
                for (i, item) in self.plan.items.iter().enumerate() {
                    if self.plan.key_items.contains(&i) {
                        outputs.push(keys.next().unwrap_or(QueryValue::Null));
                    } else {
                        outputs.push(self.cx.eval(item, &group.first, &results)?);
                    }
                }
                self.cx.count(self.plan, PartKind::Projection);
                if self.plan.order_by.is_empty() {
                    if self.pass(outputs, out)? == Flow::Stop {
                        return Ok(());
                    }
                } else {
                    let sort = self.sort_keys(&mut group.first, &outputs)?;
                    self.hold(row_bytes(&sort) + row_bytes(&outputs))?;
                    self.sorted.push((sort, outputs));
                }
            }
        }
        if self.plan.order_by.is_empty() {
            return Ok(());
        }
        self.sort_buffer();
        for (_, outputs) in std::mem::take(&mut self.sorted) {
            self.cx.count(self.plan, PartKind::Sort);
            if self.pass(outputs, out)? == Flow::Stop {
                break;
            }
        }
        // What was held has been handed on (and is counted where it is kept next).
        self.cx.release(self.held);
        self.held = 0;
        Ok(())
    }
}

pub(super) fn compare_keys(a: &[QueryValue], b: &[QueryValue], descending: &[bool]) -> Ordering {
    for ((x, y), desc) in a.iter().zip(b).zip(descending) {
        let o = order(x, y);
        if o != Ordering::Equal {
            return if *desc { o.reverse() } else { o };
        }
    }
    Ordering::Equal
}

/// The running state of one aggregate in one group.
pub(super) struct AggState {
    pub(super) function: AggFunction,
    pub(super) distinct: Option<HashSet<Key>>,
    pub(super) count: i64,
    pub(super) int_sum: i64,
    pub(super) float_sum: f64,
    pub(super) floats: bool,
    pub(super) best: Option<QueryValue>,
    pub(super) items: Vec<QueryValue>,
    /// `percentileDisc` and `percentileCont`'s fraction, from the latest row.
    pub(super) fraction: f64,
    /// What a money total left out or counted at a bound (`usdTotal`, `sum(r.amount_usd)`).
    pub(super) money: MoneyTally,
}

/// What an honest money total tells beside its sum.
#[derive(Default)]
pub(super) struct MoneyTally {
    /// Amounts left out for want of an exchange rate, by currency.
    no_rate: std::collections::BTreeMap<String, usize>,
    /// Ties without any amount.
    no_amount: usize,
    /// Amounts counted at the bound their qualifier gives.
    up_to: usize,
    at_least: usize,
    about: usize,
}

impl MoneyTally {
    /// Reads one tie: its US-dollar value if it has one, and what to tell about it.
    fn tie(&mut self, graph: &crate::store::Graph, edge: crate::store::EdgeId) -> Option<f64> {
        let usd = graph.edge_f64(edge, "amount_usd");
        if usd.is_none() {
            if graph.edge_f64(edge, "amount").is_some() {
                let currency = graph
                    .edge_str(edge, "currency")
                    .unwrap_or(crate::model::money::DEFAULT_CURRENCY);
                *self.no_rate.entry(currency.to_owned()).or_default() += 1;
            } else {
                self.no_amount += 1;
            }
            return None;
        }
        match graph.edge_str(edge, "amount_qualifier") {
            Some("up-to") => self.up_to += 1,
            Some("at-least") => self.at_least += 1,
            Some("about") => self.about += 1,
            _ => {}
        }
        usd
    }

    /// `usdTotal: left out 1 amount in JPY (no exchange rate); counted 1 "up to" amount at
    /// its maximum`, or nothing when the total is whole and exact.
    fn note(&self, what: &str, with_bounds: bool) -> Option<String> {
        let plural = |n: usize, one: &str| {
            if n == 1 {
                format!("{n} {one}")
            } else {
                format!("{n} {one}s")
            }
        };
        let mut left: Vec<String> = self
            .no_rate
            .iter()
            .map(|(c, n)| format!("{} in {c} (no exchange rate)", plural(*n, "amount")))
            .collect();
        if self.no_amount > 0 && with_bounds {
            left.push(format!("{} with no amount", plural(self.no_amount, "tie")));
        }
        let mut counted = Vec::new();
        if with_bounds {
            if self.up_to > 0 {
                counted.push(format!(
                    "{} at its maximum",
                    plural(self.up_to, "\"up to\" amount")
                ));
            }
            if self.at_least > 0 {
                counted.push(format!(
                    "{} at its minimum",
                    plural(self.at_least, "\"at least\" amount")
                ));
            }
            if self.about > 0 {
                counted.push(format!(
                    "{} as estimated",
                    plural(self.about, "\"about\" amount")
                ));
            }
        }
        let mut parts = Vec::new();
        if !left.is_empty() {
            parts.push(format!("left out {}", left.join(", ")));
        }
        if !counted.is_empty() {
            parts.push(format!("counted {}", counted.join(", ")));
        }
        (!parts.is_empty()).then(|| format!("{what}: {}", parts.join("; ")))
    }
}

impl AggState {
    pub(super) fn new(aggregate: &Aggregate) -> AggState {
        AggState {
            function: aggregate.function,
            distinct: aggregate.distinct.then(HashSet::default),
            count: 0,
            int_sum: 0,
            float_sum: 0.0,
            floats: false,
            best: None,
            items: Vec::new(),
            fraction: 0.0,
            money: MoneyTally::default(),
        }
    }

    pub(super) fn add(
        &mut self,
        cx: &Context<'_>,
        aggregate: &Aggregate,
        value: Option<(QueryValue, &PExpr)>,
    ) -> Result<(), QueryError> {
        let Some((value, expr)) = value else {
            // count(*)
            self.count += 1;
            return Ok(());
        };
        if value.is_null() {
            return Ok(());
        }
        if let Some(seen) = &mut self.distinct {
            if !seen.insert(Key(value.clone())) {
                return Ok(());
            }
            cx.charge(value.estimated_bytes(), expr.span.start)?;
        }
        self.count += 1;
        match aggregate.function {
            AggFunction::Count => {}
            AggFunction::Sum | AggFunction::Avg => match value {
                QueryValue::Int(i) if !self.floats && aggregate.function == AggFunction::Sum => {
                    self.int_sum = self.int_sum.checked_add(i).ok_or_else(|| {
                        cx.arithmetic_error(
                            &expr.span,
                            format!("sum() overflows a 64-bit integer: {} + {i}", self.int_sum),
                        )
                    })?;
                }
                QueryValue::Int(i) => {
                    self.float_sum += i as f64;
                    if aggregate.function == AggFunction::Avg {
                        self.floats = true;
                    }
                }
                QueryValue::Float(f) => {
                    if !self.floats {
                        self.floats = true;
                        self.float_sum = self.int_sum as f64;
                    }
                    self.float_sum += f;
                }
                other => {
                    return Err(cx.type_error(
                        &expr.span,
                        format!(
                            "{}() adds numbers, not {}",
                            aggregate.function.name(),
                            describe(cx.graph, &other)
                        ),
                    ));
                }
            },
            AggFunction::Min | AggFunction::Max => {
                let replace = match &self.best {
                    None => true,
                    Some(best) => {
                        let o = order(&value, best);
                        if aggregate.function == AggFunction::Min {
                            o == Ordering::Less
                        } else {
                            o == Ordering::Greater
                        }
                    }
                };
                if replace {
                    self.best = Some(value);
                }
            }
            AggFunction::Collect => {
                cx.charge(value.estimated_bytes(), expr.span.start)?;
                self.items.push(value);
            }
            AggFunction::PercentileDisc
            | AggFunction::PercentileCont
            | AggFunction::StDev
            | AggFunction::StDevP => match value {
                QueryValue::Int(_) | QueryValue::Float(_) => {
                    cx.charge(value.estimated_bytes(), expr.span.start)?;
                    self.items.push(value);
                }
                other => {
                    return Err(cx.type_error(
                        &expr.span,
                        format!(
                            "{}() takes numbers, not {}",
                            aggregate.function.name(),
                            describe(cx.graph, &other)
                        ),
                    ));
                }
            },
            AggFunction::UsdTotal => match value {
                QueryValue::Relationship(edge) => {
                    if let Some(usd) = self.money.tie(cx.graph, edge) {
                        self.floats = true;
                        self.float_sum += usd;
                    }
                }
                other => {
                    return Err(cx.type_error(
                        &expr.span,
                        format!(
                            "usdTotal() adds the amounts of relationships, not {}; write usdTotal(r) for a relationship r",
                            describe(cx.graph, &other)
                        ),
                    ));
                }
            },
        }
        Ok(())
    }

    /// `sum(r.amount_usd)` met a tie without `amount_usd`: one with an amount no rate
    /// converts is told in a note, as `usdTotal` would.
    pub(super) fn missing_usd(&mut self, cx: &Context<'_>, edge: crate::store::EdgeId) {
        if cx.graph.edge_f64(edge, "amount_usd").is_none() {
            self.money.tie(cx.graph, edge);
        }
    }

    pub(super) fn finish(self, cx: &Context<'_>) -> Result<QueryValue, QueryError> {
        let (what, with_bounds) = match self.function {
            AggFunction::UsdTotal => ("usdTotal", true),
            _ => ("sum(amount_usd)", false),
        };
        if let Some(mut note) = self.money.note(what, with_bounds) {
            if !with_bounds {
                note.push_str("; usdTotal(r) adds the same and says what it counted at a bound");
            }
            cx.notes.add(note);
        }
        Ok(match self.function {
            AggFunction::UsdTotal => {
                let total = self.float_sum;
                if total.fract() == 0.0 && total.abs() < 9_007_199_254_740_992.0 {
                    QueryValue::Int(total as i64)
                } else {
                    QueryValue::Float(total)
                }
            }
            AggFunction::Count => QueryValue::Int(self.count),
            AggFunction::Sum if self.floats => QueryValue::Float(self.float_sum),
            AggFunction::Sum => QueryValue::Int(self.int_sum),
            AggFunction::Avg if self.count == 0 => QueryValue::Null,
            AggFunction::Avg => QueryValue::Float(self.float_sum / self.count as f64),
            AggFunction::Min | AggFunction::Max => self.best.unwrap_or(QueryValue::Null),
            AggFunction::Collect => QueryValue::List(self.items),
            AggFunction::PercentileDisc | AggFunction::PercentileCont => {
                percentile(self.function, self.items, self.fraction)
            }
            AggFunction::StDev | AggFunction::StDevP => {
                let xs: Vec<f64> = self.items.iter().map(as_f64).collect();
                let n = xs.len() as f64;
                let sample = self.function == AggFunction::StDev;
                if xs.len() < if sample { 2 } else { 1 } {
                    QueryValue::Float(0.0)
                } else {
                    let mean = xs.iter().sum::<f64>() / n;
                    let squares: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
                    QueryValue::Float((squares / if sample { n - 1.0 } else { n }).sqrt())
                }
            }
        })
    }
}

/// `percentileDisc` and `percentileCont`'s fraction on `row`: a number from 0 to 1.
fn fraction(cx: &Context<'_>, percentile: &PExpr, row: &Row) -> Result<f64, QueryError> {
    match cx.eval(percentile, row, &[])? {
        v @ (QueryValue::Int(_) | QueryValue::Float(_)) if (0.0..=1.0).contains(&as_f64(&v)) => {
            Ok(as_f64(&v))
        }
        other => Err(QueryError {
            code: ErrorCode::NumberOutOfRange,
            ..cx.argument_error(
                &percentile.span,
                format!(
                    "a percentile is a number from 0.0 to 1.0, not {}",
                    describe(cx.graph, &other)
                ),
                Some("write 0.5 for the median, 0.9 for the 90th percentile".to_owned()),
            )
        }),
    }
}

/// The value at `fraction` of the numbers: one of them (`percentileDisc`), or interpolated
/// between the two around it (`percentileCont`); null when there are none.
fn percentile(function: AggFunction, mut items: Vec<QueryValue>, fraction: f64) -> QueryValue {
    if items.is_empty() {
        return QueryValue::Null;
    }
    items.sort_by(|a, b| as_f64(a).total_cmp(&as_f64(b)));
    let n = items.len();
    if function == AggFunction::PercentileDisc {
        let index = ((fraction * n as f64).ceil() as usize).saturating_sub(1);
        return items.swap_remove(index.min(n - 1));
    }
    let position = fraction * (n - 1) as f64;
    let (lower, upper) = (position.floor() as usize, position.ceil() as usize);
    let (low, high) = (as_f64(&items[lower]), as_f64(&items[upper.min(n - 1)]));
    QueryValue::Float(low + (high - low) * (position - lower as f64))
}
