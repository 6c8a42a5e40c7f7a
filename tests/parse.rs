//! The query parser: precedence, patterns, literals, statements, and syntax errors.

use alliances::query::ast::{Arrow, BinaryOp, Clause, ExprKind, Length, PathSearch, UnaryOp};
use alliances::query::{parse, parse_expr};

fn binary(text: &str) -> (BinaryOp, ExprKind, ExprKind) {
    match parse_expr(text).unwrap().kind {
        ExprKind::Binary(op, l, r) => (op, l.kind, r.kind),
        other => panic!("{text}: not binary: {other:?}"),
    }
}

#[test]
fn precedence_follows_opencypher() {
    // AND binds tighter than OR, multiplication tighter than addition.
    assert!(matches!(
        binary("a OR b AND c"),
        (
            BinaryOp::Or,
            ExprKind::Variable(_),
            ExprKind::Binary(BinaryOp::And, ..)
        )
    ));
    assert!(matches!(
        binary("1 + 2 * 3"),
        (
            BinaryOp::Add,
            ExprKind::Int(1),
            ExprKind::Binary(BinaryOp::Mul, ..)
        )
    ));
    // NOT applies to the whole comparison.
    let not = parse_expr("NOT a = b").unwrap();
    assert!(
        matches!(not.kind, ExprKind::Unary(UnaryOp::Not, inner) if matches!(inner.kind, ExprKind::Binary(BinaryOp::Eq, ..)))
    );
    // IS NULL applies to the sum; a property lookup binds tightest.
    let is_null = parse_expr("a.x + 1 IS NULL").unwrap();
    assert!(
        matches!(is_null.kind, ExprKind::IsNull { negated: false, expr } if matches!(expr.kind, ExprKind::Binary(BinaryOp::Add, ..)))
    );
    assert!(
        matches!(binary("2 ^ 3 ^ 2").1, ExprKind::Binary(BinaryOp::Pow, ..)),
        "^ is left-associative"
    );
    assert!(matches!(
        binary("x STARTS WITH 'N' AND y IN [1, 2]").0,
        BinaryOp::And
    ));
}

#[test]
fn money_literals_are_amounts_in_dollars() {
    assert_eq!(
        parse_expr("2.4B").unwrap().kind,
        ExprKind::Int(2_400_000_000)
    );
    assert_eq!(parse_expr("500M").unwrap().kind, ExprKind::Int(500_000_000));
    assert_eq!(parse_expr("30K").unwrap().kind, ExprKind::Int(30_000));
    assert_eq!(
        parse_expr("1T").unwrap().kind,
        ExprKind::Int(1_000_000_000_000)
    );
    assert_eq!(parse_expr("1.5").unwrap().kind, ExprKind::Float(1.5));
    assert_eq!(parse_expr("0x1F").unwrap().kind, ExprKind::Int(31));
    assert_eq!(
        parse_expr(r#""a\"b\n""#).unwrap().kind,
        ExprKind::String("a\"b\n".to_owned())
    );
    assert!(
        parse_expr("2Bn").is_err(),
        "a scale letter must end the number"
    );
}

#[test]
fn patterns_keep_direction_types_lengths_and_paths() {
    let statements = parse(
        "MATCH p = (a:Company {name: 'Nvidia'})-[r:INVESTS_IN|supplies*1..3]->(b)<-[:member-of]-(c) RETURN p",
    )
    .unwrap();
    let Clause::Match { patterns, .. } = &statements[0].queries[0].clauses[0] else {
        panic!("MATCH first")
    };
    let pattern = &patterns[0];
    assert_eq!(pattern.variable.as_deref(), Some("p"));
    assert_eq!(pattern.chain.start.labels, ["Company"]);
    let (first, _) = &pattern.chain.hops[0];
    assert_eq!(first.types, ["INVESTS_IN", "supplies"]);
    assert_eq!(first.arrow, Arrow::Right);
    assert_eq!(
        first.length,
        Some(Length {
            min: Some(1),
            max: Some(3)
        })
    );
    let (second, _) = &pattern.chain.hops[1];
    assert_eq!(
        (second.arrow, second.types.as_slice()),
        (Arrow::Left, ["member-of".to_owned()].as_slice())
    );

    let lengths = ["*", "*2", "*..4", "*2.."].map(|l| {
        let query = format!("MATCH (a)-[{l}]-(b) RETURN a");
        let Clause::Match { patterns, .. } = &parse(&query).unwrap()[0].queries[0].clauses[0]
        else {
            unreachable!()
        };
        patterns[0].chain.hops[0].0.length.unwrap()
    });
    assert_eq!(
        lengths,
        [
            Length {
                min: None,
                max: None
            },
            Length {
                min: Some(2),
                max: Some(2)
            },
            Length {
                min: None,
                max: Some(4)
            },
            Length {
                min: Some(2),
                max: None
            },
        ]
    );

    let shortest = parse(
        "MATCH p = shortestPath((a {name: 'BlackRock'})-[*]-(b {name: 'Intel'})) RETURN length(p)",
    )
    .unwrap();
    let Clause::Match { patterns, .. } = &shortest[0].queries[0].clauses[0] else {
        unreachable!()
    };
    assert_eq!(patterns[0].search, PathSearch::Shortest);
}

#[test]
fn statements_clauses_comments_and_keywords_in_any_case() {
    let text = "// the investors\nmatch (i)-[r:INVESTS_IN]->(c) /* any firm */ where r.amount_usd >= 1B\n\
                with c, count(*) AS n order by n desc limit 3 return c.name AS firm, n;\n\
                ;UNWIND [1, 2] AS x RETURN x UNION ALL RETURN 3 AS x;";
    let statements = parse(text).unwrap();
    assert_eq!(statements.len(), 2);
    let clauses = &statements[0].queries[0].clauses;
    assert_eq!(clauses.len(), 3);
    let Clause::With { projection, .. } = &clauses[1] else {
        panic!("WITH second")
    };
    assert!(projection.order_by[0].descending);
    assert!(projection.limit.is_some());
    let Clause::Return(ret) = &clauses[2] else {
        panic!("RETURN last")
    };
    assert_eq!(ret.items[0].alias.as_deref(), Some("firm"));
    assert_eq!(statements[1].union_all, [true]);
}

#[test]
fn a_projection_keeps_its_source_text_for_the_column_name() {
    let statements = parse("RETURN cOuNt( * ), n.name + 'x'").unwrap();
    let Clause::Return(ret) = &statements[0].queries[0].clauses[0] else {
        unreachable!()
    };
    let texts: Vec<&str> = ret.items.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(texts, ["cOuNt( * )", "n.name + 'x'"]);
}

#[test]
fn syntax_errors_point_at_the_place_in_user_words() {
    let error = parse("MATCH (a)-[:]->(b)\nRETURN a").unwrap_err();
    assert_eq!((error.line, error.column), (1, 13));
    assert_eq!(
        error.message,
        "expected a relationship type, found `]->(b)`"
    );
    assert_eq!(
        error.to_string(),
        "syntax error at line 1, column 13: expected a relationship type, found `]->(b)`\n  MATCH (a)-[:]->(b)\n              ^"
    );
    let error = parse("MATCH (n)\nRETURN n ORDER n").unwrap_err();
    assert_eq!((error.line, error.column), (2, 16));
    assert!(
        error.message.starts_with("expected BY"),
        "{}",
        error.message
    );
    assert!(
        !error.message.contains("Rule"),
        "no grammar rule names: {}",
        error.message
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("RETURN {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let error = parse(&deep).unwrap_err();
    assert!(
        error.message.contains("nests brackets"),
        "{}",
        error.message
    );
    let fine = format!("RETURN {}1{}", "(".repeat(50), ")".repeat(50));
    assert!(parse(&fine).is_ok());
}

#[test]
fn operands_and_reserved_words_parse_whichever_character_they_start_with() {
    let kind = |text: &str| parse_expr(text).unwrap().kind;
    // One letter is never a reserved word; a reserved word is no variable, in any case, but a
    // longer name that starts with one is.
    assert!(matches!(kind("p"), ExprKind::Variable(v) if v == "p"));
    for word in [
        "where",
        "RETURN",
        "Xor",
        "yield",
        "as",
        "desc",
        "descending",
        "end",
        "or",
    ] {
        assert!(parse_expr(word).is_err(), "{word} is reserved");
    }
    for name in [
        "wherever", "orbit", "ends_at", "_as", "`match`", "inx", "b2",
    ] {
        assert!(
            matches!(kind(name), ExprKind::Variable(_)),
            "{name} is a variable"
        );
    }
    // `as` comes first among the words starting with it, so `asc` stays a variable.
    assert!(matches!(kind("asc"), ExprKind::Variable(_)));
    assert!(matches!(kind("TRUE"), ExprKind::Bool(true)));
    assert!(matches!(kind("null"), ExprKind::Null));
    assert!(matches!(kind("n {.name}"), ExprKind::MapProjection(..)));
    assert!(matches!(
        kind("count { (a)-->(b) }"),
        ExprKind::Subquery(..)
    ));
    assert!(matches!(kind("count(*)"), ExprKind::CountStar));
    assert!(matches!(
        binary("a STARTS WITH 'x'"),
        (
            BinaryOp::StartsWith,
            ExprKind::Variable(_),
            ExprKind::String(_)
        )
    ));
    assert!(matches!(
        binary("a <> .5"),
        (BinaryOp::Ne, ExprKind::Variable(_), ExprKind::Float(_))
    ));
    assert!(matches!(
        binary("[x IN l | x] + [(a)-->(b) | b]"),
        (
            BinaryOp::Add,
            ExprKind::ListComprehension { .. },
            ExprKind::PatternComprehension { .. }
        )
    ));
}
