//! `CREATE CONSTRAINT`, `DROP CONSTRAINT` and `SHOW CONSTRAINTS`. Creating one checks the data
//! there is (refusing, with the duplicates named, when it does not hold); the writes after it
//! are held to it by `rules/`, as every rule is.

use super::Row;
use crate::model::{did_you_mean, suggest};
use crate::query::ast::SchemaCommand;
use crate::query::error::{ErrorCode, ErrorKind, QueryError};
use crate::query::value::QueryValue;
use crate::rules::{node_words, values_words};
use crate::store::{Graph, UniqueConstraint};

/// The rows of `SHOW CONSTRAINTS`: name, type, entity type, labels, properties.
pub(super) fn show(graph: &Graph) -> Vec<Row> {
    let texts = |items: &[String]| {
        QueryValue::List(items.iter().cloned().map(QueryValue::String).collect())
    };
    graph
        .constraints()
        .iter()
        .map(|c| {
            vec![
                QueryValue::String(c.name.clone()),
                QueryValue::String("UNIQUENESS".to_owned()),
                QueryValue::String("NODE".to_owned()),
                texts(std::slice::from_ref(&c.label)),
                texts(&c.keys),
            ]
        })
        .collect()
}

/// Runs a command that changes the constraints, inside the statement the caller began.
pub(super) fn run_command(
    graph: &mut Graph,
    text: &str,
    command: &SchemaCommand,
) -> Result<(), QueryError> {
    match command {
        SchemaCommand::CreateUnique {
            name,
            if_not_exists,
            label,
            keys,
            span,
            ..
        } => {
            let keys: Vec<String> = keys.iter().map(|(_, k, _)| k.clone()).collect();
            let constraint = UniqueConstraint {
                name: name
                    .clone()
                    .unwrap_or_else(|| UniqueConstraint::default_name(label, &keys)),
                label: label.clone(),
                keys,
            };
            let error = |code, message: String, help: String| {
                QueryError::at(
                    ErrorKind::Constraint,
                    code,
                    text,
                    span.start,
                    message,
                    Some(help),
                )
            };
            if let Some(existing) = graph
                .constraints()
                .iter()
                .find(|c| c.name == constraint.name || c.same_rule(&constraint))
            {
                if *if_not_exists {
                    return Ok(());
                }
                let message = if existing.name == constraint.name {
                    format!("a constraint named {} exists already", existing.name)
                } else {
                    format!(
                        "constraint {} already requires {} to be unique",
                        existing.name,
                        existing.describe()
                    )
                };
                return Err(error(
                    ErrorCode::ConstraintAlreadyExists,
                    message,
                    "write CREATE CONSTRAINT ... IF NOT EXISTS to leave it as it is, or choose another name".to_owned(),
                ));
            }
            let duplicates = graph.constraint_duplicates(&constraint);
            if let Some((values, nodes)) = duplicates.first() {
                let mut named: Vec<String> = nodes
                    .iter()
                    .take(5)
                    .map(|n| node_words(graph, *n))
                    .collect();
                if nodes.len() > 5 {
                    named.push(format!("{} more", nodes.len() - 5));
                }
                let more = match duplicates.len() - 1 {
                    0 => String::new(),
                    1 => "; 1 more value is shared too".to_owned(),
                    n => format!("; {n} more values are shared too"),
                };
                let mut refused = error(
                    ErrorCode::ConstraintValidationFailed,
                    format!(
                        "cannot create constraint {}: {} is not unique in the graph, {} share {}{more}",
                        constraint.name,
                        constraint.describe(),
                        named.join(", "),
                        values_words(&constraint, values),
                    ),
                    format!(
                        "give those nodes values of their own (MATCH (n:{}) WITH n.{} AS v, collect(n) AS ns WHERE size(ns) > 1 RETURN v, ns lists them), then create the constraint",
                        constraint.label, constraint.keys[0]
                    ),
                );
                refused.problem = Some(crate::rules::ProblemKind::UniqueConstraint);
                return Err(refused);
            }
            graph.add_constraint(constraint);
            Ok(())
        }
        SchemaCommand::Drop {
            name,
            if_exists,
            span,
        } => {
            if graph.drop_constraint(name).is_some() || *if_exists {
                return Ok(());
            }
            let names = graph.constraints().iter().map(|c| c.name.as_str());
            let help = did_you_mean(&suggest(name, names)).unwrap_or_else(|| {
                "SHOW CONSTRAINTS lists them; DROP CONSTRAINT ... IF EXISTS does nothing when there is none".to_owned()
            });
            Err(QueryError::at(
                ErrorKind::Semantic,
                ErrorCode::ConstraintNotFound,
                text,
                span.start,
                format!("there is no constraint named {name}"),
                Some(help),
            ))
        }
        SchemaCommand::Show => Ok(()),
    }
}
