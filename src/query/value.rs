//! Values as the query engine sees them: property values plus graph elements (nodes,
//! relationships and paths, held by id), with Cypher's three comparison regimes.
//!
//! - `equals` is `=`: ternary, `null` when either side is or holds `null`.
//! - `compare` is `<`, `<=`, `>`, `>=`: defined within one type only, else `null`.
//! - `order` is the total order of ORDER BY, `min` and `max`; `Key` is the equivalence of
//!   DISTINCT and grouping, where `null` equals `null` and `1` equals `1.0`.
//!
//! **Invariant:** `order` and `Key` agree: two keys are equal exactly when `order` says
//! `Equal`, so grouping and sorting never disagree about duplicates.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use crate::model::{Date, Temporal, Value};
use crate::store::{EdgeId, NodeId};

/// A path: `nodes.len() == relationships.len() + 1`, each relationship joining its neighbours.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Path {
    pub nodes: Vec<NodeId>,
    pub relationships: Vec<EdgeId>,
}

/// A relationship the running statement deleted: what is left of it to read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DeletedRelationship {
    pub id: EdgeId,
    pub rel_type: String,
    pub start: NodeId,
    pub end: NodeId,
}

/// One value during evaluation.
///
/// A node or relationship that the running statement deleted becomes `DeletedNode` or
/// `DeletedRelationship` once its `DELETE` clause ends (openCypher: it may still be returned,
/// and a relationship's type read, but its labels and properties are gone). Its id is no
/// longer the graph's to keep: a later `CREATE` may reuse it, and the separate variants keep
/// the two apart.
#[derive(Clone, Debug, PartialEq)]
pub enum QueryValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Date(Date),
    /// A time, a date time or a duration.
    Temporal(Temporal),
    List(Vec<QueryValue>),
    Map(BTreeMap<String, QueryValue>),
    Node(NodeId),
    Relationship(EdgeId),
    Path(Path),
    DeletedNode(NodeId),
    DeletedRelationship(DeletedRelationship),
}

impl QueryValue {
    /// About how many bytes the value occupies, its own slot included: what the memory
    /// budget counts.
    pub(crate) fn estimated_bytes(&self) -> usize {
        const SLOT: usize = std::mem::size_of::<QueryValue>();
        SLOT + match self {
            QueryValue::String(s) => s.capacity(),
            QueryValue::List(items) => items.iter().map(QueryValue::estimated_bytes).sum(),
            // A B-tree entry: the key string and value, and a share of its node.
            QueryValue::Map(map) => map
                .iter()
                .map(|(k, v)| k.capacity() + std::mem::size_of::<String>() + v.estimated_bytes())
                .sum(),
            QueryValue::Path(path) => 4 * (path.nodes.len() + path.relationships.len()),
            _ => 0,
        }
    }

    /// The value's type as a message names it.
    pub fn type_name(&self) -> &'static str {
        match self {
            QueryValue::Null => "null",
            QueryValue::Bool(_) => "a boolean",
            QueryValue::Int(_) => "an integer",
            QueryValue::Float(_) => "a float",
            QueryValue::String(_) => "a string",
            QueryValue::Date(_) => "a date",
            QueryValue::Temporal(t) => match t {
                Temporal::LocalTime(_) => "a localtime",
                Temporal::Time(_) => "a time",
                Temporal::LocalDateTime(_) => "a localdatetime",
                Temporal::DateTime(_) => "a datetime",
                Temporal::Duration(_) => "a duration",
            },
            QueryValue::List(_) => "a list",
            QueryValue::Map(_) => "a map",
            QueryValue::Node(_) => "a node",
            QueryValue::Relationship(_) => "a relationship",
            QueryValue::Path(_) => "a path",
            QueryValue::DeletedNode(_) => "a deleted node",
            QueryValue::DeletedRelationship(_) => "a deleted relationship",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, QueryValue::Null)
    }

    /// A stored property value, or `None` for graph elements (which cannot be stored).
    pub fn to_property(&self) -> Option<Value> {
        Some(match self {
            QueryValue::Null => Value::Null,
            QueryValue::Bool(b) => Value::Bool(*b),
            QueryValue::Int(i) => Value::Int(*i),
            QueryValue::Float(f) => Value::Float(*f),
            QueryValue::String(s) => Value::String(s.clone()),
            QueryValue::Date(d) => Value::Date(*d),
            QueryValue::Temporal(t) => Value::Temporal(Box::new(t.clone())),
            QueryValue::List(items) => Value::List(
                items
                    .iter()
                    .map(QueryValue::to_property)
                    .collect::<Option<_>>()?,
            ),
            QueryValue::Map(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| Some((k.clone(), v.to_property()?)))
                    .collect::<Option<_>>()?,
            ),
            QueryValue::Node(_)
            | QueryValue::Relationship(_)
            | QueryValue::Path(_)
            | QueryValue::DeletedNode(_)
            | QueryValue::DeletedRelationship(_) => {
                return None;
            }
        })
    }
}

impl From<&Value> for QueryValue {
    fn from(value: &Value) -> QueryValue {
        match value {
            Value::Null => QueryValue::Null,
            Value::Bool(b) => QueryValue::Bool(*b),
            Value::Int(i) => QueryValue::Int(*i),
            Value::Float(f) => QueryValue::Float(*f),
            Value::String(s) => QueryValue::String(s.clone()),
            Value::Date(d) => QueryValue::Date(*d),
            Value::Temporal(t) => QueryValue::Temporal((**t).clone()),
            Value::List(items) => QueryValue::List(items.iter().map(QueryValue::from).collect()),
            Value::Map(map) => QueryValue::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), QueryValue::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<Value> for QueryValue {
    fn from(value: Value) -> QueryValue {
        match value {
            Value::String(s) => QueryValue::String(s),
            Value::List(items) => {
                QueryValue::List(items.into_iter().map(QueryValue::from).collect())
            }
            Value::Map(map) => QueryValue::Map(
                map.into_iter()
                    .map(|(k, v)| (k, QueryValue::from(v)))
                    .collect(),
            ),
            other => QueryValue::from(&other),
        }
    }
}

/// `a = b`: `None` stands for `null`.
pub fn equals(a: &QueryValue, b: &QueryValue) -> Option<bool> {
    use QueryValue::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Int(x), Int(y)) => Some(x == y),
        (Int(_) | Float(_), Int(_) | Float(_)) => Some(numeric(a) == numeric(b)),
        (Bool(x), Bool(y)) => Some(x == y),
        (String(x), String(y)) => Some(x == y),
        (Date(x), Date(y)) => Some(x == y),
        (Temporal(x), Temporal(y)) => Some(x == y),
        (Node(x), Node(y)) => Some(x == y),
        (Relationship(x), Relationship(y)) => Some(x == y),
        (Path(x), Path(y)) => Some(x == y),
        (DeletedNode(x), DeletedNode(y)) => Some(x == y),
        (DeletedRelationship(x), DeletedRelationship(y)) => Some(x.id == y.id),
        (List(x), List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_equal(x.iter().zip(y))
        }
        (Map(x), Map(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            all_equal(x.values().zip(y.values()))
        }
        _ => Some(false),
    }
}

fn all_equal<'a>(pairs: impl Iterator<Item = (&'a QueryValue, &'a QueryValue)>) -> Option<bool> {
    let mut unknown = false;
    for (x, y) in pairs {
        match equals(x, y) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    if unknown { None } else { Some(true) }
}

fn numeric(v: &QueryValue) -> f64 {
    match v {
        QueryValue::Int(i) => *i as f64,
        QueryValue::Float(f) => *f,
        _ => f64::NAN,
    }
}

/// `a < b` and friends: the ordering when both are of one comparable type, `None` (`null`)
/// otherwise. A comparison with NaN is `Some(None)`: false whichever way it is asked.
pub fn compare(a: &QueryValue, b: &QueryValue) -> Option<Option<Ordering>> {
    use QueryValue::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Int(x), Int(y)) => Some(Some(x.cmp(y))),
        (Int(_) | Float(_), Int(_) | Float(_)) => Some(numeric(a).partial_cmp(&numeric(b))),
        (String(x), String(y)) => Some(Some(x.cmp(y))),
        (Bool(x), Bool(y)) => Some(Some(x.cmp(y))),
        (Date(x), Date(y)) => Some(Some(x.cmp(y))),
        (Temporal(x), Temporal(y)) => Some(x.compare(y)).filter(Option::is_some),
        (List(x), List(y)) => {
            for (p, q) in x.iter().zip(y) {
                match compare(p, q)? {
                    Some(Ordering::Equal) => {}
                    other => return Some(other),
                }
            }
            Some(Some(x.len().cmp(&y.len())))
        }
        _ => None,
    }
}

/// Rank of each type in the order of ORDER BY (openCypher's orderability), nulls last.
fn type_rank(v: &QueryValue) -> u8 {
    match v {
        QueryValue::Map(_) => 0,
        QueryValue::Node(_) => 1,
        QueryValue::DeletedNode(_) => 2,
        QueryValue::Relationship(_) => 3,
        QueryValue::DeletedRelationship(_) => 4,
        QueryValue::List(_) => 5,
        QueryValue::Path(_) => 6,
        // openCypher: datetime, localdatetime, date, time, localtime, duration.
        QueryValue::Temporal(Temporal::DateTime(_)) => 7,
        QueryValue::Temporal(Temporal::LocalDateTime(_)) => 8,
        QueryValue::Date(_) => 9,
        QueryValue::Temporal(Temporal::Time(_)) => 10,
        QueryValue::Temporal(Temporal::LocalTime(_)) => 11,
        QueryValue::Temporal(Temporal::Duration(_)) => 12,
        QueryValue::String(_) => 13,
        QueryValue::Bool(_) => 14,
        QueryValue::Int(_) | QueryValue::Float(_) => 15,
        QueryValue::Null => 16,
    }
}

/// The total order of ORDER BY: by type, then by value; NaN after every number, null last.
pub fn order(a: &QueryValue, b: &QueryValue) -> Ordering {
    use QueryValue::*;
    let by_type = type_rank(a).cmp(&type_rank(b));
    if by_type != Ordering::Equal {
        return by_type;
    }
    match (a, b) {
        (Int(x), Int(y)) => x.cmp(y),
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            let (x, y) = (numeric(a), numeric(b));
            match (x.is_nan(), y.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                _ => x.partial_cmp(&y).unwrap_or(Ordering::Equal).then_with(|| {
                    // 1 and 1.0 are equal; an integer beyond f64's precision still orders.
                    match (a, b) {
                        (Int(i), Float(f)) => cmp_int_float(*i, *f),
                        (Float(f), Int(i)) => cmp_int_float(*i, *f).reverse(),
                        _ => Ordering::Equal,
                    }
                }),
            }
        }
        (String(x), String(y)) => x.cmp(y),
        (Bool(x), Bool(y)) => x.cmp(y),
        (Date(x), Date(y)) => x.cmp(y),
        (Temporal(x), Temporal(y)) => x.order(y),
        (Node(x), Node(y)) => x.cmp(y),
        (Relationship(x), Relationship(y)) => x.cmp(y),
        (DeletedNode(x), DeletedNode(y)) => x.cmp(y),
        (DeletedRelationship(x), DeletedRelationship(y)) => x.id.cmp(&y.id),
        (List(x), List(y)) => order_lists(x, y),
        (Path(x), Path(y)) => x
            .nodes
            .cmp(&y.nodes)
            .then_with(|| x.relationships.cmp(&y.relationships)),
        (Map(x), Map(y)) => {
            let keys = x.keys().cmp(y.keys());
            if keys != Ordering::Equal {
                return keys;
            }
            for (p, q) in x.values().zip(y.values()) {
                let o = order(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        }
        _ => Ordering::Equal,
    }
}

fn cmp_int_float(i: i64, f: f64) -> Ordering {
    if f.fract() == 0.0 && f.abs() < 9.2e18 {
        i.cmp(&(f as i64))
    } else {
        Ordering::Equal
    }
}

fn order_lists(x: &[QueryValue], y: &[QueryValue]) -> Ordering {
    for (p, q) in x.iter().zip(y) {
        let o = order(p, q);
        if o != Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

/// A value under the equivalence of DISTINCT and grouping.
#[derive(Clone, Debug)]
pub struct Key(pub QueryValue);

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        order(&self.0, &other.0) == Ordering::Equal
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_value(&self.0, state);
    }
}

fn hash_value<H: Hasher>(v: &QueryValue, state: &mut H) {
    type_rank(v).hash(state);
    match v {
        QueryValue::Null => {}
        QueryValue::Bool(b) => b.hash(state),
        // Equal numbers must hash alike whatever their type; hashing the f64 keeps 1 and 1.0
        // together, at the price of collisions between huge neighbouring integers.
        QueryValue::Int(_) | QueryValue::Float(_) => {
            let x = numeric(v);
            let bits = if x.is_nan() {
                u64::MAX
            } else if x == 0.0 {
                0
            } else {
                x.to_bits()
            };
            bits.hash(state);
        }
        QueryValue::String(s) => s.hash(state),
        QueryValue::Date(d) => d.hash(state),
        QueryValue::Temporal(t) => t.hash(state),
        QueryValue::List(items) => {
            items.len().hash(state);
            for item in items {
                hash_value(item, state);
            }
        }
        QueryValue::Map(map) => {
            map.len().hash(state);
            for (k, item) in map {
                k.hash(state);
                hash_value(item, state);
            }
        }
        QueryValue::Node(n) => n.hash(state),
        QueryValue::Relationship(r) => r.hash(state),
        QueryValue::Path(p) => p.hash(state),
        QueryValue::DeletedNode(n) => n.hash(state),
        QueryValue::DeletedRelationship(r) => r.id.hash(state),
    }
}

#[cfg(test)]
mod tests {
    use super::QueryValue::*;
    use super::*;

    #[test]
    fn equality_is_ternary_and_numeric_across_int_and_float() {
        assert_eq!(equals(&Int(1), &Float(1.0)), Some(true));
        assert_eq!(equals(&Int(1), &Null), None);
        assert_eq!(
            equals(&List(vec![Int(1), Null]), &List(vec![Int(2), Null])),
            Some(false)
        );
        assert_eq!(
            equals(&List(vec![Int(1), Null]), &List(vec![Int(1), Null])),
            None
        );
        assert_eq!(equals(&String("1".into()), &Int(1)), Some(false));
        assert_eq!(equals(&Float(f64::NAN), &Float(f64::NAN)), Some(false));
    }

    #[test]
    fn comparison_across_types_is_null() {
        assert_eq!(compare(&Int(1), &String("a".into())), None);
        assert_eq!(compare(&Int(1), &Float(2.5)), Some(Some(Ordering::Less)));
        assert_eq!(compare(&Float(f64::NAN), &Int(1)), Some(None));
    }

    #[test]
    fn ordering_puts_nulls_last_and_numbers_after_strings() {
        let mut values = vec![Null, Int(2), String("b".into()), Float(1.5), Bool(true)];
        values.sort_by(order);
        assert_eq!(
            values,
            vec![String("b".into()), Bool(true), Float(1.5), Int(2), Null]
        );
    }

    #[test]
    fn temporal_values_do_not_make_a_value_larger() {
        // The sizes values had before temporal values: a path's two vectors and a tag, and a
        // string and a tag (so a stored temporal value is boxed).
        assert!(std::mem::size_of::<QueryValue>() <= 48);
        assert!(std::mem::size_of::<crate::model::Value>() <= 32);
    }

    #[test]
    fn keys_treat_equal_numbers_as_one() {
        use std::collections::HashSet;
        let set: HashSet<Key> = [Key(Int(1)), Key(Float(1.0)), Key(Null), Key(Null)]
            .into_iter()
            .collect();
        assert_eq!(set.len(), 2);
    }
}
