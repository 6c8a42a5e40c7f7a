//! A writing statement's changes checked against the graph's rules before it commits.
//!
//! The rules themselves live in `crate::rules`, shared with data-file loads and CSV import;
//! this places each broken rule in the statement, where the element or property was written.
//!
//! **Invariant:** only elements the statement created or changed are checked, so the cost
//! follows the size of the change, not of the graph.

use super::error::{ErrorCode, ErrorKind, QueryError};
use super::exec::Places;
use crate::store::Graph;

/// Every rule the running statement's changes break, one located error each; the first is
/// the error, the rest its `others`.
pub(crate) fn check_changes(graph: &Graph, text: &str, places: &Places) -> Result<(), QueryError> {
    let Err(violations) = crate::rules::check_changes(graph) else {
        return Ok(());
    };
    let mut placed: Vec<(usize, crate::rules::RuleViolation)> = violations
        .into_iter()
        .map(|v| (places.of(v.element, v.key.as_deref()), v))
        .collect();
    // In the order the statement reads.
    placed.sort_by_key(|(offset, _)| *offset);
    let mut errors = placed.into_iter().map(|(offset, v)| {
        let code = if v.broken.kind == crate::rules::ProblemKind::UniqueConstraint {
            ErrorCode::ConstraintValidationFailed
        } else {
            ErrorCode::SchemaViolation
        };
        let mut error = QueryError::at(
            ErrorKind::Constraint,
            code,
            text,
            offset,
            v.broken.message,
            v.broken.help,
        );
        error.problem = Some(v.broken.kind);
        error
    });
    let mut first = errors.next().expect("a failed check names a rule");
    first.others = errors.collect();
    Err(first)
}
