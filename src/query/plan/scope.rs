//! Variables and slots while planning: the `Scope` of names bound so far and the slot each
//! holds, what an expression may contain where it is compiled (`ExprContext`), and how slots
//! are reserved and a segment's row width is fixed.

use super::*;

impl<'a> Planner<'a> {
    /// Makes `name` a variable of `kind`, or checks that it already is one.
    pub(super) fn declare(
        &mut self,
        scope: &mut Scope,
        name: Option<&str>,
        kind: VarKind,
        offset: usize,
    ) -> Result<(), QueryError> {
        let Some(name) = name else { return Ok(()) };
        match scope.get(name) {
            None => {
                scope.bind(name, kind);
                Ok(())
            }
            Some((_, existing)) if existing == kind => Ok(()),
            // A value computed by an expression may hold a node; the search checks at run time.
            Some((_, VarKind::Value)) if kind == VarKind::Node => Ok(()),
            Some((_, existing)) => Err(self.error(
                ErrorCode::VariableTypeConflict,
                offset,
                format!(
                    "`{name}` is {} and cannot be used as {}",
                    existing.noun(),
                    kind.noun()
                ),
                Some("use another name".to_owned()),
            )),
        }
    }

    /// Makes `name` a new variable of `kind`; an error at `offset` when it is already defined,
    /// with `help` saying how to name it instead.
    pub(super) fn bind_new(
        &self,
        scope: &mut Scope,
        name: &str,
        kind: VarKind,
        offset: usize,
        help: Option<String>,
    ) -> Result<Slot, QueryError> {
        if scope.get(name).is_some() {
            return Err(self.error(
                ErrorCode::VariableAlreadyBound,
                offset,
                format!("the variable `{name}` is already defined"),
                help,
            ));
        }
        Ok(scope.bind(name, kind))
    }

    /// Comprehension variables take slots beyond their scope's; rows are sized to the widest.
    pub(super) fn reserve(&mut self, next: Slot) {
        self.widest = self.widest.max(next);
    }

    /// The width of a segment's rows, once its last expression is compiled.
    pub(super) fn close_segment(&mut self, scope: &Scope) -> usize {
        // `linenumber()` and `file()` name the record of their own segment only.
        self.load_csv = None;
        std::mem::take(&mut self.widest).max(scope.next)
    }
}

#[derive(Clone, Debug, Default)]
pub(super) struct Scope {
    pub(super) vars: Vec<(String, Slot, VarKind)>,
    pub(super) next: Slot,
    /// Slots a `WITH` filled with a literal that is no map (`WITH 123 AS x`), with its type:
    /// reading a property of one is refused before the statement runs.
    pub(super) literals: Vec<(Slot, &'static str)>,
}

impl Scope {
    pub(super) fn get(&self, name: &str) -> Option<(Slot, VarKind)> {
        self.vars
            .iter()
            .rev()
            .find(|(n, ..)| n == name)
            .map(|(_, s, k)| (*s, *k))
    }

    pub(super) fn bind(&mut self, name: &str, kind: VarKind) -> Slot {
        let slot = self.allocate();
        self.vars.push((name.to_owned(), slot, kind));
        slot
    }

    pub(super) fn allocate(&mut self) -> Slot {
        self.next += 1;
        self.next - 1
    }

    /// The type of the literal `slot` holds, when a `WITH` bound it to one that is no map.
    pub(super) fn literal_type(&self, slot: Slot) -> Option<&'static str> {
        self.literals
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, t)| *t)
    }

    pub(super) fn names(&self) -> Vec<&str> {
        self.vars.iter().map(|(n, ..)| n.as_str()).collect()
    }
}

/// What an expression may contain where it is being compiled.
pub(super) struct ExprContext<'c> {
    /// Where aggregates go, when they are allowed here.
    pub(super) aggregates: Option<&'c mut Vec<Aggregate>>,
    pub(super) inside_aggregate: bool,
    /// Source texts (white space removed) that stand for a projected column.
    pub(super) replacements: &'c [(String, Slot)],
    /// Names the place for "not allowed in ..." messages.
    pub(super) place: &'static str,
}

impl ExprContext<'_> {
    pub(super) fn plain(place: &'static str) -> ExprContext<'static> {
        ExprContext {
            aggregates: None,
            inside_aggregate: false,
            replacements: &[],
            place,
        }
    }

    /// For the expressions inside a list comprehension or predicate, called `place`: they may
    /// hold no aggregate of their own, but may sit inside one.
    pub(super) fn inner(&self, place: &'static str) -> ExprContext<'static> {
        ExprContext {
            inside_aggregate: self.inside_aggregate,
            ..ExprContext::plain(place)
        }
    }
}
