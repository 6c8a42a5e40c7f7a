//! The functions a query can call: their names, arities, and which ones aggregate.
//!
//! **Invariant:** names are matched without case, as in Cypher (`toLower`, `TOLOWER`).

/// A scalar function: one value per row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Function {
    Id,
    Type,
    Labels,
    Keys,
    Properties,
    Length,
    Nodes,
    Relationships,
    StartNode,
    EndNode,
    Size,
    Head,
    Last,
    Tail,
    Range,
    Coalesce,
    ToLower,
    ToUpper,
    ToString,
    ToInteger,
    ToFloat,
    ToBoolean,
    Trim,
    LTrim,
    RTrim,
    Split,
    Substring,
    Replace,
    Left,
    Right,
    Reverse,
    Abs,
    Round,
    Floor,
    Ceil,
    Sqrt,
    Sign,
    Exists,
    Date,
}

/// An aggregating function: one value per group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AggFunction {
    Count,
    Sum,
    Avg,
    Min,
    Max,
    Collect,
}

/// Name as users write it, function, fewest and most arguments.
const SCALARS: &[(&str, Function, usize, usize)] = &[
    ("id", Function::Id, 1, 1),
    ("type", Function::Type, 1, 1),
    ("labels", Function::Labels, 1, 1),
    ("keys", Function::Keys, 1, 1),
    ("properties", Function::Properties, 1, 1),
    ("length", Function::Length, 1, 1),
    ("nodes", Function::Nodes, 1, 1),
    ("relationships", Function::Relationships, 1, 1),
    ("startNode", Function::StartNode, 1, 1),
    ("endNode", Function::EndNode, 1, 1),
    ("size", Function::Size, 1, 1),
    ("head", Function::Head, 1, 1),
    ("last", Function::Last, 1, 1),
    ("tail", Function::Tail, 1, 1),
    ("range", Function::Range, 2, 3),
    ("coalesce", Function::Coalesce, 1, usize::MAX),
    ("toLower", Function::ToLower, 1, 1),
    ("toUpper", Function::ToUpper, 1, 1),
    ("toString", Function::ToString, 1, 1),
    ("toInteger", Function::ToInteger, 1, 1),
    ("toFloat", Function::ToFloat, 1, 1),
    ("toBoolean", Function::ToBoolean, 1, 1),
    ("trim", Function::Trim, 1, 1),
    ("lTrim", Function::LTrim, 1, 1),
    ("rTrim", Function::RTrim, 1, 1),
    ("split", Function::Split, 2, 2),
    ("substring", Function::Substring, 2, 3),
    ("replace", Function::Replace, 3, 3),
    ("left", Function::Left, 2, 2),
    ("right", Function::Right, 2, 2),
    ("reverse", Function::Reverse, 1, 1),
    ("abs", Function::Abs, 1, 1),
    ("round", Function::Round, 1, 1),
    ("floor", Function::Floor, 1, 1),
    ("ceil", Function::Ceil, 1, 1),
    ("sqrt", Function::Sqrt, 1, 1),
    ("sign", Function::Sign, 1, 1),
    ("exists", Function::Exists, 1, 1),
    ("date", Function::Date, 0, 1),
];

const AGGREGATES: &[(&str, AggFunction)] = &[
    ("count", AggFunction::Count),
    ("sum", AggFunction::Sum),
    ("avg", AggFunction::Avg),
    ("min", AggFunction::Min),
    ("max", AggFunction::Max),
    ("collect", AggFunction::Collect),
];

/// What a name in call position refers to.
pub(crate) enum Callee {
    Scalar {
        function: Function,
        min_args: usize,
        max_args: usize,
    },
    Aggregate(AggFunction),
}

pub(crate) fn resolve(name: &str) -> Option<Callee> {
    if let Some((_, f)) = AGGREGATES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        return Some(Callee::Aggregate(*f));
    }
    SCALARS
        .iter()
        .find(|(n, ..)| n.eq_ignore_ascii_case(name))
        .map(|(_, function, min_args, max_args)| Callee::Scalar {
            function: *function,
            min_args: *min_args,
            max_args: *max_args,
        })
}

/// Every function name, as written in documentation, for suggestions and completion.
pub fn names() -> impl Iterator<Item = &'static str> {
    AGGREGATES
        .iter()
        .map(|(n, _)| *n)
        .chain(SCALARS.iter().map(|(n, ..)| *n))
}

impl AggFunction {
    pub(crate) fn name(self) -> &'static str {
        AGGREGATES
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(n, _)| n)
    }
}

impl Function {
    pub(crate) fn name(self) -> &'static str {
        SCALARS
            .iter()
            .find(|(_, f, ..)| *f == self)
            .map_or("?", |(n, ..)| n)
    }
}
