//! The one conversion of a pest error into a `ParseError`: what the grammar expected, named in
//! user words ("expected a relationship type"), and a keyword suggested for a typo.

use super::Rule;
use crate::query::error::{ErrorCode, ErrorKind, ParseError, QueryError};

/// What a grammar rule is called in a message.
pub(super) fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "end of input",
        statement | single_query => "a clause such as MATCH or RETURN",
        match_clause | kw_match => "MATCH",
        kw_optional => "OPTIONAL MATCH",
        kw_return => "RETURN",
        kw_with => "WITH",
        kw_unwind => "UNWIND",
        unwind_clause => "UNWIND",
        load_csv_clause | kw_load => "LOAD CSV",
        kw_csv => "CSV",
        with_headers | kw_headers => "WITH HEADERS",
        kw_from => "FROM",
        kw_fieldterminator => "FIELDTERMINATOR",
        kw_constraint | kw_constraints => "CONSTRAINT",
        create_constraint => "CREATE CONSTRAINT",
        drop_constraint | kw_drop => "DROP CONSTRAINT",
        show_constraints | kw_show => "SHOW CONSTRAINTS",
        kw_for => "FOR",
        kw_require => "REQUIRE",
        kw_unique => "UNIQUE",
        constraint_keys | constraint_key => "a property such as n.id",
        if_not_exists | if_exists | kw_if => "IF",
        with_clause => "WITH",
        return_clause => "RETURN",
        kw_order => "ORDER BY",
        kw_skip => "SKIP",
        kw_limit => "LIMIT",
        where_clause | kw_where => "WHERE",
        kw_as => "AS",
        pattern | pattern_chain | node_pattern => "a node pattern such as (n)",
        rel_pattern => "a relationship such as -[r]->",
        rel_detail => "`[`",
        rel_types | rel_type_name => "a relationship type",
        label_list => "a label",
        symbolic_name => "a name",
        variable => "a variable",
        var_length => "`*`",
        properties | map_literal => "a map such as {name: 'Nvidia'}",
        map_entry => "a key such as name:",
        expr | expr_only | parenthesized => "an expression",
        projection | projection_items | projection_item => "what to return",
        order_by => "ORDER BY",
        skip => "SKIP",
        limit => "LIMIT",
        sort_direction => "ASC or DESC",
        union | kw_union => "UNION",
        infix_op | op_or | op_xor | op_and | op_eq | op_ne | op_le | op_ge | op_lt | op_gt
        | op_regex | op_starts_with | op_ends_with | op_contains | op_in | op_add | op_sub
        | op_mul | op_div | op_mod | op_pow => "an operator",
        string | single_quoted | double_quoted => "a string",
        integer | decimal_integer | range_min | range_max | range_exact => "a whole number",
        kw_then => "THEN",
        kw_end => "END",
        kw_when | case_branch => "WHEN",
        kw_in => "IN",
        kw_by => "BY",
        create_clause | kw_create => "CREATE",
        call_clause | kw_call => "CALL",
        kw_yield => "YIELD",
        procedure_name => "a procedure such as algo.pageRank",
        merge_clause | kw_merge => "MERGE",
        set_clause | kw_set => "SET",
        remove_clause | kw_remove => "REMOVE",
        delete_clause | kw_delete => "DELETE",
        kw_detach => "DETACH DELETE",
        kw_on => "ON CREATE or ON MATCH",
        set_item | set_property | set_replace | set_merge | set_labels => {
            "what to set, such as n.name = 'x'"
        }
        remove_item | remove_property => "what to remove, such as n.note",
        _ => return None,
    })
}

pub(super) fn syntax_error(text: &str, error: pest::error::Error<Rule>) -> ParseError {
    let offset = match error.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    if let Some(error) = malformed_number(text, offset).or_else(|| lookalike(text, offset)) {
        return error;
    }
    let word: String = text[offset..]
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let help = keyword_suggestion(&word);
    let message = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut wanted: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
            wanted.sort_unstable();
            wanted.dedup();
            // "an operator" is noise when something more specific is expected too.
            if wanted.len() > 1 {
                wanted.retain(|w| *w != "an operator" && *w != "end of input");
            }
            // The ways an expression can start are all "an expression".
            if wanted.contains(&"an expression") {
                wanted.retain(|w| !EXPRESSION_STARTS.contains(w));
            }
            let found = text[offset..]
                .split_whitespace()
                .next()
                .map_or("the end of the query".to_owned(), |w| {
                    format!("`{}`", w.chars().take(20).collect::<String>())
                });
            match wanted.as_slice() {
                [] => format!("unexpected {found}"),
                [one] => format!("expected {one}, found {found}"),
                [init @ .., last] => {
                    format!("expected {} or {last}, found {found}", init.join(", "))
                }
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    ParseError::new(text, offset, message, help)
}

/// A parse that stopped inside a word that starts with a digit (`9223372h54775808`, `0x`,
/// `0x1A2b3j`) stopped at a number literal that is malformed.
fn malformed_number(text: &str, offset: usize) -> Option<ParseError> {
    let before = text.get(..offset)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
        .last()
        .map(|(i, _)| i)?;
    let word_before_start = before[..start].chars().next_back();
    let inside_word = text[offset..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
    if !inside_word
        || !text[start..].starts_with(|c: char| c.is_ascii_digit())
        || word_before_start.is_some_and(|c| c == '.' || c == '$' || c == '`')
    {
        return None;
    }
    let word: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    Some(QueryError::at(
        ErrorKind::Syntax,
        ErrorCode::InvalidNumberLiteral,
        text,
        start,
        format!("`{word}` is not a number"),
        Some(
            "write a decimal (42, 4.2, 4.2e1), hexadecimal (0x2A) or octal (0o52) number"
                .to_owned(),
        ),
    ))
}

/// A parse that stopped at a character that looks like an operator but is another one: a
/// dash or minus sign from outside ASCII (`—`, `−`) where `-` was meant.
fn lookalike(text: &str, offset: usize) -> Option<ParseError> {
    let c = text.get(offset..)?.chars().next()?;
    matches!(
        c,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe58}' | '\u{fe63}' | '\u{ff0d}'
    )
    .then(|| {
        QueryError::at(
            ErrorKind::Syntax,
            ErrorCode::InvalidUnicodeCharacter,
            text,
            offset,
            format!("`{c}` (U+{:04X}) is not an operator", c as u32),
            Some("write the ASCII hyphen-minus `-` to subtract or negate".to_owned()),
        )
    })
}

/// Descriptions of rules that begin an expression.
const EXPRESSION_STARTS: &[&str] = &[
    "a map such as {name: 'Nvidia'}",
    "a node pattern such as (n)",
    "a string",
    "a variable",
    "a whole number",
    "a name",
];

/// Clause words a typo most often hits.
const KEYWORDS: &[&str] = &[
    "MATCH", "OPTIONAL", "WHERE", "WITH", "RETURN", "UNWIND", "UNION", "ORDER", "SKIP", "LIMIT",
    "DISTINCT", "CONTAINS", "STARTS", "ENDS", "CREATE", "MERGE", "DELETE", "DETACH", "REMOVE",
    "EXPLAIN", "PROFILE",
];

/// "did you mean RETURN?" for a misspelled keyword such as `RETUN`.
pub(super) fn keyword_suggestion(word: &str) -> Option<String> {
    if word.len() < 4 || KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word)) {
        return None;
    }
    let upper = word.to_ascii_uppercase();
    crate::model::did_you_mean(&crate::model::suggest(&upper, KEYWORDS.iter().copied()))
}
