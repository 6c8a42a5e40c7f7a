//! Counting relationships from the store's counts instead of scanning them.
//!
//! `MATCH ()-[r]->() RETURN type(r), count(*)` is how people size a graph, and a scan of
//! millions of relationships to answer it is wasted: the store keeps a count per type. When a
//! query segment has exactly that shape (one directed relationship between two unconstrained
//! nodes, no filter, grouped by `type(r)` or not at all, counting rows or `r`), its match is
//! replaced by one row per type holding the type and its count, and `count` becomes a `sum`
//! of those counts. Neo4j's planner does the same with its count store.
//!
//! **Invariant:** the rewritten segment returns what the scan would: the same groups with the
//! same counts (group order aside, which Cypher leaves open without ORDER BY).

use super::{Aggregate, Arrow, Lookup, NodeStep, Op, PExpr, PKind, PathSearch, Segment};
use crate::query::functions::AggFunction;

/// Rewrites the first segment of a query when it counts relationships by type.
pub(super) fn use_type_counts(segment: &mut Segment) {
    let Some(plan) = fits(segment) else {
        return;
    };
    let projection = &mut segment.projection;
    for item in &mut projection.items {
        if matches!(item.kind, PKind::Call(f, _) if f.name() == "type") {
            item.kind = PKind::Slot(plan.type_slot);
        }
    }
    for aggregate in &mut projection.aggregates {
        let span = aggregate
            .arg
            .as_ref()
            .map_or_else(Default::default, |a| a.span.clone());
        *aggregate = Aggregate {
            function: AggFunction::Sum,
            distinct: false,
            arg: Some(PExpr {
                kind: PKind::Slot(plan.count_slot),
                span,
            }),
            percentile: None,
        };
    }
    segment.width = segment
        .width
        .max(plan.type_slot + 1)
        .max(plan.count_slot + 1);
    segment.ops = vec![Op::TypeCounts {
        types: plan.types,
        type_slot: plan.type_slot,
        count_slot: plan.count_slot,
    }];
}

struct CountPlan {
    types: Vec<String>,
    type_slot: usize,
    count_slot: usize,
}

fn fits(segment: &Segment) -> Option<CountPlan> {
    let [Op::Match(m)] = segment.ops.as_slice() else {
        return None;
    };
    let [pattern] = m.patterns.as_slice() else {
        return None;
    };
    let [hop] = pattern.hops.as_slice() else {
        return None;
    };
    let rel = &hop.rel;
    if m.optional
        || m.filter.is_some()
        || pattern.path_slot.is_some()
        || pattern.search != PathSearch::All
        || !unconstrained(&pattern.start)
        || !unconstrained(&hop.node)
        || rel.bound
        || rel.length.is_some()
        || !rel.props.is_empty()
        || rel.props_map.is_some()
        || rel.arrow == Arrow::Both
    {
        return None;
    }
    let rel_slot = rel.slot;
    let is_rel =
        |e: &PExpr| rel_slot.is_some() && matches!(e.kind, PKind::Slot(s) if Some(s) == rel_slot);
    let p = &segment.projection;
    if p.aggregates.is_empty() || p.filter.is_some() {
        return None;
    }
    let counts_rows = p.aggregates.iter().all(|a| {
        a.function == AggFunction::Count && !a.distinct && a.arg.as_ref().is_none_or(is_rel)
    });
    let items_fit = p.items.iter().all(|item| match &item.kind {
        PKind::Aggregate(_) => true,
        PKind::Call(f, args) if f.name() == "type" => {
            matches!(args.as_slice(), [arg] if is_rel(arg))
        }
        _ => false,
    });
    // Sort keys must name output columns, which the rewrite leaves alone.
    let order_fits = p
        .order_by
        .iter()
        .all(|(e, _)| matches!(e.kind, PKind::Slot(s) if s >= p.out_base));
    let constant = |e: &Option<PExpr>| {
        e.as_ref()
            .is_none_or(|e| matches!(e.kind, PKind::Const(_) | PKind::Param(_)))
    };
    if !counts_rows || !items_fit || !order_fits || !constant(&p.skip) || !constant(&p.limit) {
        return None;
    }
    // The type and the count go in slots the projection no longer reads, or in new ones past
    // the end of the row.
    let mut free = [rel_slot, pattern.start.slot, hop.node.slot]
        .into_iter()
        .flatten()
        .filter(|s| *s < p.out_base)
        .chain(segment.width..);
    let (type_slot, count_slot) = (free.next()?, free.next()?);
    Some(CountPlan {
        types: rel.types.clone(),
        type_slot,
        count_slot,
    })
}

fn unconstrained(step: &NodeStep) -> bool {
    !step.bound
        && step.labels.is_empty()
        && step.props.is_empty()
        && step.props_map.is_none()
        && matches!(step.lookup, Lookup::Scan)
}
