//! Properties by column: one column per key, one 8-byte cell per element.
//!
//! Most graphs give most elements the same few keys (every relationship of a bulk import has an
//! amount, a date and a stake), so a column per key indexed by element number stores each value
//! in 8 bytes with no per-element header, where a list of `(key, Value)` pairs per element costs
//! 40 bytes a value plus an allocation. A key that few elements carry keeps a sparse column, so
//! one odd property on one node of a million costs a few bytes, not a million cells.
//!
//! A cell holds a float as itself and anything else in the payload of a NaN the arithmetic
//! never produces (NaN-boxing): booleans, integers of up to 48 bits, dates, strings (an id in
//! the graph's string pool), a list of one string (a relationship's `sources`, most often:
//! millions of ties citing one source cost a cell each, not a boxed list each) and, for the
//! rare rest (larger integers, other lists, maps), an index into a side table of boxed values.
//!
//! **Invariants:** a cell is `ABSENT` exactly when the element lacks the key (Cypher stores no
//! nulls); every `BOXED` cell owns its slot in `boxed`, and freed slots are on `free_boxed`.

use std::collections::HashMap;

use super::snapshot::{Hashed, In, Out, SnapshotError};
use super::strings::{StrId, StringPool};
use super::symbols::Sym;
use super::threads::on_threads;
use crate::model::{Date, Value};

type FastHash = foldhash::fast::RandomState;

/// One stored value, or its absence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cell(u64);

// Tagged cells are negative quiet NaNs; every NaN a float brings is stored as the positive
// canonical NaN, so no float is ever read back as a tag.
const TAG_SPACE: u64 = 0xFFF8_0000_0000_0000;
const TAG_MASK: u64 = 0xFFFF_0000_0000_0000;
const PAYLOAD: u64 = 0x0000_FFFF_FFFF_FFFF;
const ABSENT: u64 = 0xFFF8 << 48;
const BOOL: u64 = 0xFFF9 << 48;
const INT: u64 = 0xFFFA << 48;
const DATE: u64 = 0xFFFB << 48;
const STRING: u64 = 0xFFFC << 48;
const BOXED: u64 = 0xFFFD << 48;
const ONE_STRING_LIST: u64 = 0xFFFE << 48;
const INT_LIMIT: i64 = 1 << 47;

impl Cell {
    const ABSENT: Cell = Cell(ABSENT);

    /// The cell in `bytes`, 8 little-endian bytes as a snapshot stores them.
    fn from_le_bytes(bytes: &[u8]) -> Cell {
        Cell(u64::from_le_bytes(bytes.try_into().expect("8 bytes")))
    }

    fn is_absent(self) -> bool {
        self.0 == ABSENT
    }

    fn tag(self) -> Option<u64> {
        (self.0 & TAG_SPACE == TAG_SPACE).then_some(self.0 & TAG_MASK)
    }

    fn payload(self) -> u64 {
        self.0 & PAYLOAD
    }
}

/// A column: sparse while few elements have the key, dense after. A dense column of a snapshot
/// stays where it lies in the file's bytes (`Mapped`, 8 little-endian bytes a cell, every cell
/// checked when the file was read) until it is first written to.
#[derive(Clone, Debug)]
enum Column {
    Sparse(HashMap<u32, Cell, FastHash>),
    Dense(Vec<Cell>),
    Mapped(bytes::Bytes),
}

impl Column {
    fn get(&self, index: usize) -> Cell {
        match self {
            Column::Sparse(cells) => cells.get(&(index as u32)).copied().unwrap_or(Cell::ABSENT),
            Column::Dense(cells) => cells.get(index).copied().unwrap_or(Cell::ABSENT),
            Column::Mapped(bytes) => bytes
                .get(8 * index..8 * index + 8)
                .map_or(Cell::ABSENT, Cell::from_le_bytes),
        }
    }

    fn set(&mut self, index: usize, cell: Cell) {
        match self {
            Column::Sparse(cells) if cell.is_absent() => {
                cells.remove(&(index as u32));
            }
            Column::Sparse(cells) => {
                cells.insert(index as u32, cell);
            }
            Column::Dense(cells) => {
                if index >= cells.len() {
                    if cell.is_absent() {
                        return;
                    }
                    cells.resize(index + 1, Cell::ABSENT);
                }
                cells[index] = cell;
            }
            Column::Mapped(bytes) => {
                let cells = bytes.chunks_exact(8).map(Cell::from_le_bytes).collect();
                *self = Column::Dense(cells);
                self.set(index, cell);
            }
        }
    }

    /// Bytes of this process's own memory: a mapped column's are the file's, which the
    /// operating system may drop and read again.
    fn heap_bytes(&self) -> usize {
        match self {
            Column::Sparse(cells) => cells.capacity() * 17,
            Column::Dense(cells) => cells.capacity() * 8,
            Column::Mapped(_) => 0,
        }
    }
}

/// The properties of one kind of element (nodes, or relationships), by element number.
#[derive(Clone, Debug, Default)]
pub(super) struct Properties {
    /// Keys in the order their column was made: the order an element's properties are listed.
    keys: Vec<Sym>,
    columns: Vec<Column>,
    /// Column position by key symbol index; `u32::MAX` for a key with no column.
    position: Vec<u32>,
    boxed: Vec<Value>,
    free_boxed: Vec<u32>,
    /// One more than the largest element number given a property.
    bound: usize,
    /// How many elements to make room for when a column turns dense.
    expected: usize,
}

impl Properties {
    /// Makes room for `elements` elements in every column that turns dense.
    pub fn reserve(&mut self, elements: usize) {
        self.expected = self.expected.max(elements);
        for column in &mut self.columns {
            if let Column::Dense(cells) = column {
                cells.reserve_exact(elements.saturating_sub(cells.len()));
            }
        }
    }

    fn column(&self, key: Sym) -> Option<&Column> {
        let at = *self.position.get(key.index())?;
        self.columns.get(at as usize)
    }

    /// Whether element `index` has `key`.
    pub fn has(&self, index: usize, key: Sym) -> bool {
        self.column(key).is_some_and(|c| !c.get(index).is_absent())
    }

    pub fn get(&self, index: usize, key: Sym, pool: &StringPool) -> Option<Value> {
        let cell = self.column(key)?.get(index);
        self.decode(cell, pool)
    }

    /// A string property without copying it.
    pub fn get_str<'a>(&'a self, index: usize, key: Sym, pool: &'a StringPool) -> Option<&'a str> {
        let cell = self.column(key)?.get(index);
        match cell.tag() {
            Some(STRING) => Some(pool.get(StrId::from_offset(cell.payload()))),
            Some(BOXED) => self.boxed[cell.payload() as usize].as_str(),
            _ => None,
        }
    }

    /// A number property as a float, without building a `Value`.
    pub fn get_f64(&self, index: usize, key: Sym) -> Option<f64> {
        let cell = self.column(key)?.get(index);
        match cell.tag() {
            None => Some(f64::from_bits(cell.0)),
            Some(INT) => Some(decode_int(cell) as f64),
            Some(BOXED) => self.boxed[cell.payload() as usize].as_f64(),
            _ => None,
        }
    }

    /// Every property of element `index`, in key order.
    pub fn iter<'a>(
        &'a self,
        index: usize,
        pool: &'a StringPool,
    ) -> impl Iterator<Item = (Sym, Value)> + 'a {
        self.iter_where(index, pool, |_, _| true)
    }

    /// Every property of element `index` but those held in the string pool (a string, a list
    /// of one string), in key order: what a check of numbers reads, without copying text.
    pub fn iter_non_text<'a>(
        &'a self,
        index: usize,
        pool: &'a StringPool,
    ) -> impl Iterator<Item = (Sym, Value)> + 'a {
        self.iter_where(index, pool, |_, cell| {
            !matches!(cell.tag(), Some(STRING | ONE_STRING_LIST))
        })
    }

    /// Every property of element `index` but `skip`, in key order.
    pub fn iter_except<'a>(
        &'a self,
        index: usize,
        skip: Option<Sym>,
        pool: &'a StringPool,
    ) -> impl Iterator<Item = (Sym, Value)> + 'a {
        self.iter_where(index, pool, move |key, _| Some(key) != skip)
    }

    fn iter_where<'a>(
        &'a self,
        index: usize,
        pool: &'a StringPool,
        keep: impl Fn(Sym, Cell) -> bool + 'a,
    ) -> impl Iterator<Item = (Sym, Value)> + 'a {
        self.keys
            .iter()
            .zip(&self.columns)
            .map(move |(key, column)| (*key, column.get(index)))
            .filter(move |(key, cell)| keep(*key, *cell))
            .filter_map(move |(key, cell)| Some((key, self.decode(cell, pool)?)))
    }

    /// The text of a property that is a list of one string held in the pool, without copying
    /// it; `None` for any other value.
    pub fn get_one_text<'a>(
        &'a self,
        index: usize,
        key: Sym,
        pool: &'a StringPool,
    ) -> Option<&'a str> {
        let cell = self.column(key)?.get(index);
        (cell.tag() == Some(ONE_STRING_LIST)).then(|| pool.get(StrId::from_offset(cell.payload())))
    }

    /// Sets `key` on element `index`, or removes it when `value` is null; returns the value it
    /// replaced.
    pub fn set(
        &mut self,
        index: usize,
        key: Sym,
        value: Value,
        pool: &mut StringPool,
    ) -> Option<Value> {
        let old = self.remove(index, key, pool);
        self.set_new(index, key, value, pool);
        old
    }

    /// Sets `key` on element `index`, which has no value for it yet, to `value` (null sets
    /// nothing).
    pub fn set_new(&mut self, index: usize, key: Sym, value: Value, pool: &mut StringPool) {
        if matches!(value, Value::Null) {
            return;
        }
        let cell = self.encode(value, pool);
        self.set_fresh(index, key, cell);
    }

    /// Sets `key` on element `index`, which has no value for it yet, to `text`.
    pub fn set_text(&mut self, index: usize, key: Sym, text: &str, pool: &mut StringPool) {
        self.set_string(index, key, pool.intern(text));
    }

    /// Sets `key` on element `index`, which has no value for it yet, to a list of `text`.
    pub fn set_one_text_list(&mut self, index: usize, key: Sym, text: &str, pool: &mut StringPool) {
        let cell = Cell(ONE_STRING_LIST | pool.intern(text).offset());
        self.set_fresh(index, key, cell);
    }

    /// Sets `key` on element `index`, which has no value for it yet, to a pooled string.
    pub fn set_string(&mut self, index: usize, key: Sym, text: StrId) {
        self.set_fresh(index, key, Cell(STRING | text.offset()));
    }

    /// Sets `key` on element `index`, which has no value for it yet, to `cell`.
    fn set_fresh(&mut self, index: usize, key: Sym, cell: Cell) {
        debug_assert!(!self.has(index, key));
        self.bound = self.bound.max(index + 1);
        let at = self.column_for(key);
        self.columns[at].set(index, cell);
        self.maybe_densify(at);
    }

    /// How many cells `key`'s column holds while it is sparse (0 for a key with no column),
    /// or `None` when it is dense.
    pub(super) fn sparse_cells(&self, key: Sym) -> Option<usize> {
        match self.column(key) {
            None => Some(0),
            Some(Column::Sparse(cells)) => Some(cells.len()),
            Some(Column::Dense(_) | Column::Mapped(_)) => None,
        }
    }

    /// Each column's key, whether it is dense, and how many cells it holds.
    #[cfg(test)]
    pub(super) fn shapes(&self) -> Vec<(Sym, bool, usize)> {
        let shape = |column: &Column| match column {
            Column::Sparse(cells) => (false, cells.len()),
            Column::Dense(cells) => (true, cells.len()),
            Column::Mapped(bytes) => (true, bytes.len() / 8),
        };
        self.keys
            .iter()
            .zip(&self.columns)
            .map(|(key, column)| {
                let (dense, cells) = shape(column);
                (*key, dense, cells)
            })
            .collect()
    }

    /// Makes `key`'s column, empty, if it has none: an element's properties are listed in
    /// the order their columns were made.
    pub(super) fn make_column(&mut self, key: Sym) {
        self.column_for(key);
    }

    /// Puts `new`, the cells of `key` for the elements from `first` on (none of which has
    /// the key yet), in the key's column: the column setting each cell one by one makes.
    pub(super) fn put_cells(&mut self, first: usize, key: Sym, new: NewCells) {
        let Some((_, last)) = new.present else {
            return;
        };
        let end = first + last + 1;
        self.bound = self.bound.max(end);
        let at = self.column_for(key);
        let mut cells = new.cells;
        cells.truncate(last + 1);
        let dense = match std::mem::replace(&mut self.columns[at], Column::Dense(Vec::new())) {
            Column::Sparse(mut held) if new.dense_from.is_none() => {
                for (place, cell) in cells.iter().enumerate() {
                    if !cell.is_absent() {
                        held.insert((first + place) as u32, *cell);
                    }
                }
                self.columns[at] = Column::Sparse(held);
                return;
            }
            // A column made for these cells takes them as they are.
            Column::Sparse(held) if held.is_empty() && first == 0 => {
                if cells.capacity() < self.expected {
                    cells.reserve_exact(self.expected - cells.len());
                }
                self.columns[at] = Column::Dense(cells);
                return;
            }
            Column::Sparse(held) => {
                let held_end = held.keys().map(|&index| index as usize + 1).max();
                let mut dense = Vec::with_capacity(self.expected.max(end));
                dense.resize(first.max(held_end.unwrap_or(0)), Cell::ABSENT);
                for (index, cell) in held {
                    dense[index as usize] = cell;
                }
                dense
            }
            Column::Dense(dense) => dense,
            Column::Mapped(bytes) => bytes.chunks_exact(8).map(Cell::from_le_bytes).collect(),
        };
        self.columns[at] = Column::Dense(dense);
        let Column::Dense(dense) = &mut self.columns[at] else {
            return;
        };
        if dense.len() <= first {
            dense.resize(first, Cell::ABSENT);
            dense.extend_from_slice(&cells);
        } else {
            for (place, cell) in cells.into_iter().enumerate() {
                if !cell.is_absent() {
                    self.columns[at].set(first + place, cell);
                }
            }
        }
    }

    /// Removes every property of element `index`, returning them in key order.
    pub fn take_all(&mut self, index: usize, pool: &StringPool) -> Vec<(Sym, Value)> {
        let mut taken = Vec::new();
        for at in 0..self.columns.len() {
            let cell = self.columns[at].get(index);
            if cell.is_absent() {
                continue;
            }
            self.columns[at].set(index, Cell::ABSENT);
            if let Some(value) = self.take_decoded(cell, pool) {
                taken.push((self.keys[at], value));
            }
        }
        taken
    }

    fn remove(&mut self, index: usize, key: Sym, pool: &StringPool) -> Option<Value> {
        let at = *self.position.get(key.index())? as usize;
        let column = self.columns.get_mut(at)?;
        let cell = column.get(index);
        if cell.is_absent() {
            return None;
        }
        column.set(index, Cell::ABSENT);
        self.take_decoded(cell, pool)
    }

    fn column_for(&mut self, key: Sym) -> usize {
        if self.position.len() <= key.index() {
            self.position.resize(key.index() + 1, u32::MAX);
        }
        if self.position[key.index()] == u32::MAX {
            self.position[key.index()] = self.columns.len() as u32;
            self.keys.push(key);
            self.columns.push(Column::Sparse(HashMap::default()));
        }
        self.position[key.index()] as usize
    }

    fn maybe_densify(&mut self, at: usize) {
        let Column::Sparse(cells) = &self.columns[at] else {
            return;
        };
        if !turns_dense(cells.len(), self.bound) {
            return;
        }
        let mut dense = Vec::with_capacity(self.expected.max(self.bound));
        dense.resize(self.bound, Cell::ABSENT);
        for (index, cell) in cells {
            dense[*index as usize] = *cell;
        }
        self.columns[at] = Column::Dense(dense);
    }

    fn encode(&mut self, value: Value, pool: &mut StringPool) -> Cell {
        if let Some(cell) = scalar_cell(&value) {
            return cell;
        }
        match value {
            Value::String(s) => Cell(STRING | pool.intern(&s).offset()),
            Value::List(items) => match <[Value; 1]>::try_from(items) {
                Ok([Value::String(s)]) => Cell(ONE_STRING_LIST | pool.intern(&s).offset()),
                Ok([other]) => self.boxed(Value::List(vec![other])),
                Err(items) => self.boxed(Value::List(items)),
            },
            other => self.boxed(other),
        }
    }

    fn boxed(&mut self, value: Value) -> Cell {
        let slot = super::put_in_slot(&mut self.boxed, &mut self.free_boxed, value);
        Cell(BOXED | u64::from(slot))
    }

    fn decode(&self, cell: Cell, pool: &StringPool) -> Option<Value> {
        Some(match cell.tag() {
            None => Value::Float(f64::from_bits(cell.0)),
            Some(ABSENT) => return None,
            Some(BOOL) => Value::Bool(cell.payload() != 0),
            Some(INT) => Value::Int(decode_int(cell)),
            Some(DATE) => Value::Date(Date::unpack(cell.payload())),
            Some(STRING) => Value::String(pool.get(StrId::from_offset(cell.payload())).to_owned()),
            Some(ONE_STRING_LIST) => Value::List(vec![Value::String(
                pool.get(StrId::from_offset(cell.payload())).to_owned(),
            )]),
            Some(_) => self.boxed[cell.payload() as usize].clone(),
        })
    }

    /// Decodes a cell that is being cleared, freeing its boxed slot.
    fn take_decoded(&mut self, cell: Cell, pool: &StringPool) -> Option<Value> {
        if cell.tag() == Some(BOXED) {
            let slot = cell.payload() as u32;
            self.free_boxed.push(slot);
            return Some(std::mem::replace(
                &mut self.boxed[slot as usize],
                Value::Null,
            ));
        }
        self.decode(cell, pool)
    }

    /// Bytes held by the columns and boxed values (not counting what boxed values point to).
    pub fn heap_bytes(&self) -> usize {
        self.columns.iter().map(Column::heap_bytes).sum::<usize>()
            + self.boxed.capacity() * std::mem::size_of::<Value>()
    }
}

impl Properties {
    /// Writes the table's columns for a snapshot: for each key its symbol and its cells,
    /// element by element in `live` order (the old number of each element, in its new order).
    /// Boxed values are appended to `boxed` and their cells point there. Returns whether a
    /// cell written holds a list of one string, which older formats lack.
    pub(super) fn write_snapshot(
        &self,
        live: &[u32],
        out: &mut Out,
        boxed: &mut Vec<Value>,
    ) -> bool {
        let mut one_string_lists = false;
        out.u32(self.columns.len() as u32);
        for (key, column) in self.keys.iter().zip(&self.columns) {
            out.u32(key.index() as u32);
            let mut export = |cell: Cell| {
                match cell.tag() {
                    Some(BOXED) => {
                        boxed.push(self.boxed[cell.payload() as usize].clone());
                        return Cell(BOXED | (boxed.len() - 1) as u64);
                    }
                    Some(ONE_STRING_LIST) => one_string_lists = true,
                    _ => {}
                }
                cell
            };
            let present = live
                .iter()
                .filter(|i| !column.get(**i as usize).is_absent())
                .count();
            if present * 4 < live.len() {
                out.u8(0);
                out.u32(present as u32);
                for (new, old) in live.iter().enumerate() {
                    let cell = column.get(*old as usize);
                    if !cell.is_absent() {
                        out.u32(new as u32);
                        out.u64(export(cell).0);
                    }
                }
            } else {
                out.u8(1);
                for old in live {
                    out.u64(export(column.get(*old as usize)).0);
                }
            }
        }
        one_string_lists
    }

    /// Reads what `write_snapshot` wrote for `count` elements, checking every cell: a string
    /// must start in the pool (`strings`, a bit per pool word), a date must be one, a boxed
    /// value must be among `boxed` (read after, so its count is checked by the caller against
    /// the largest index returned).
    ///
    /// Where each column lies follows from its header alone, so the columns are found first
    /// and their cells checked on threads of their own; a problem is reported as reading them
    /// in order would report it, the first in the file.
    pub(super) fn read_snapshot(
        input: &mut In<'_>,
        count: usize,
        symbols: usize,
        cells: &CellChecks<'_>,
        hashed: &Hashed,
        backing: Option<&bytes::Bytes>,
    ) -> Result<(Properties, Option<u32>), SnapshotError> {
        let mut table = Properties {
            bound: count,
            expected: count,
            ..Properties::default()
        };
        let mut laid_out: Vec<(Sym, ColumnBytes<'_>)> = Vec::new();
        let mut layout_problem = None;
        let mut keys_seen = vec![false; symbols];
        for _ in 0..input.count(5)? {
            match ColumnBytes::find(input, count, &mut keys_seen) {
                Ok(column) => laid_out.push(column),
                Err(problem) => {
                    layout_problem = Some(problem);
                    break;
                }
            }
        }
        let decode = |column: &ColumnBytes<'_>| column.decode(count, cells, hashed, backing);
        let columns = laid_out.iter().map(|(_, column)| column);
        let decoded: Vec<Result<(Column, Option<u32>), SnapshotError>> = if count < PARALLEL_FROM {
            columns.map(decode).collect()
        } else {
            on_threads(columns, decode)
        };
        let mut largest_boxed: Option<u32> = None;
        for ((key, _), column) in laid_out.iter().zip(decoded) {
            let (column, boxed) = column?;
            largest_boxed = largest_boxed.max(boxed);
            let at = table.column_for(*key);
            table.columns[at] = column;
        }
        match layout_problem {
            Some(problem) => Err(problem),
            None => Ok((table, largest_boxed)),
        }
    }

    /// Gives a table read from a snapshot the boxed values its cells point to.
    pub(super) fn set_boxed(&mut self, boxed: Vec<Value>) {
        self.boxed = boxed;
    }

    /// The keys that have a column.
    pub(super) fn keys(&self) -> &[Sym] {
        &self.keys
    }
}

/// What a snapshot's property cells are checked against.
/// A sparse column holding `held` cells among `bound` elements costs as much as a dense one
/// once it holds a quarter of them.
fn turns_dense(held: usize, bound: usize) -> bool {
    held >= 32 && held * 4 >= bound
}

/// A value that needs no memory of its own: a number, a boolean or a date. What a property
/// given as a column holds (`EdgeColumn`); small, so that millions pass from one thread's
/// iterator to another's loop in registers, where a `Value` goes through memory.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Float(f64),
    Int(i64),
    Bool(bool),
    Date(Date),
}

impl Scalar {
    /// The scalar `value` is, if it is one.
    pub fn of(value: &Value) -> Option<Scalar> {
        Some(match *value {
            Value::Float(f) => Scalar::Float(f),
            Value::Int(i) => Scalar::Int(i),
            Value::Bool(b) => Scalar::Bool(b),
            Value::Date(d) => Scalar::Date(d),
            _ => return None,
        })
    }

    /// Its cell, unless it is an integer too large for one (which takes the boxed table).
    fn cell(self) -> Option<Cell> {
        Some(match self {
            Scalar::Float(f) if f.is_nan() => Cell(f64::NAN.to_bits()),
            Scalar::Float(f) => Cell(f.to_bits()),
            Scalar::Int(i) if (-INT_LIMIT..INT_LIMIT).contains(&i) => {
                Cell(INT | (i as u64 & PAYLOAD))
            }
            Scalar::Int(_) => return None,
            Scalar::Bool(b) => Cell(BOOL | u64::from(b)),
            Scalar::Date(d) => Cell(DATE | d.pack()),
        })
    }
}

impl From<Scalar> for Value {
    fn from(scalar: Scalar) -> Value {
        match scalar {
            Scalar::Float(f) => Value::Float(f),
            Scalar::Int(i) => Value::Int(i),
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Date(d) => Value::Date(d),
        }
    }
}

/// The cell of a value that needs neither the string pool nor the boxed table.
fn scalar_cell(value: &Value) -> Option<Cell> {
    Scalar::of(value)?.cell()
}

/// One key's cells for a run of new elements, encoded away from the graph (on a thread of
/// their own, while other keys' are) and put in their column at once by
/// `Properties::put_cells`, which leaves the column as setting them one by one would.
pub(super) struct NewCells {
    /// A cell per new element, absent where it has no value.
    cells: Vec<Cell>,
    /// The first and last new elements with a value, by their place in the run.
    present: Option<(usize, usize)>,
    /// The place in the run at which the column turns dense, as setting the values one by one
    /// would turn it.
    dense_from: Option<usize>,
}

impl NewCells {
    /// The cells of `values`, one for each of the `count` new elements from element `first`
    /// on (`None` for none), for a key whose column holds `sparse` cells while sparse (`None`
    /// when it is dense). `None` when some value is an integer too large for a cell, which
    /// takes the boxed table: such a column is set one value at a time among the rows.
    pub(super) fn encode(
        values: impl Iterator<Item = Option<Scalar>>,
        (first, count): (usize, usize),
        sparse: Option<usize>,
    ) -> Option<NewCells> {
        let mut cells = Vec::with_capacity(count);
        let mut present: Option<(usize, usize)> = None;
        let mut dense_from = None;
        let mut held = sparse.unwrap_or(0);
        for (place, value) in values.enumerate() {
            let Some(value) = value else {
                cells.push(Cell::ABSENT);
                continue;
            };
            cells.push(value.cell()?);
            present = Some((present.map_or(place, |(from, _)| from), place));
            held += 1;
            // Setting this cell alone raises the bound to its element.
            if sparse.is_some() && dense_from.is_none() && turns_dense(held, first + place + 1) {
                dense_from = Some(place);
            }
        }
        Some(NewCells {
            cells,
            present,
            dense_from,
        })
    }

    /// The place in the run of the first new element with a value.
    pub(super) fn first_present(&self) -> Option<usize> {
        self.present.map(|(first, _)| first)
    }
}

pub(super) struct CellChecks<'a> {
    /// A bit per word of the string pool, set where a string starts.
    pub(super) string_starts: &'a [u64],
    /// Whether the snapshot's format has cells holding a list of one string.
    pub(super) one_string_lists: bool,
}

/// `part` as a share of `backing`, when it lies within it.
fn within(backing: Option<&bytes::Bytes>, part: &[u8]) -> Option<bytes::Bytes> {
    let backing = backing?;
    let start = (part.as_ptr() as usize).checked_sub(backing.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= backing.len()).then(|| backing.slice(start..end))
}

fn decode_int(cell: Cell) -> i64 {
    // Sign-extend the 48-bit payload.
    ((cell.payload() << 16) as i64) >> 16
}

/// Below this many elements a table's columns are checked on one thread.
const PARALLEL_FROM: usize = 1 << 16;

/// A column of a snapshot's table, found but not yet checked: its cells' bytes, and where
/// they start in the file.
enum ColumnBytes<'a> {
    /// `present` cells of 12 bytes: the element's number, then the cell.
    Sparse {
        at: usize,
        present: usize,
        bytes: &'a [u8],
    },
    /// One cell of 8 bytes for each element.
    Dense { at: usize, bytes: &'a [u8] },
}

impl<'a> ColumnBytes<'a> {
    /// The next column of `input`, with its key; `keys_seen` marks the keys met so far.
    fn find(
        input: &mut In<'a>,
        count: usize,
        keys_seen: &mut [bool],
    ) -> Result<(Sym, ColumnBytes<'a>), SnapshotError> {
        let at = input.offset();
        let key = input.u32()? as usize;
        let Some(seen) = keys_seen.get_mut(key) else {
            return Err(input.error_at(at, format!("property key {key} is not a name")));
        };
        if std::mem::replace(seen, true) {
            return Err(input.error_at(at, "a property key has two columns".to_owned()));
        }
        let column = match input.u8()? {
            0 => {
                let present = input.count(12)?;
                let at = input.offset();
                ColumnBytes::Sparse {
                    at,
                    present,
                    bytes: input.take(12 * present)?,
                }
            }
            1 => {
                let at = input.offset();
                let len = count
                    .checked_mul(8)
                    .ok_or_else(|| input.error_at(at, "too many cells".to_owned()))?;
                ColumnBytes::Dense {
                    at,
                    bytes: input.take(len)?,
                }
            }
            other => {
                return Err(input.error_at(at, format!("column kind {other} is unknown")));
            }
        };
        Ok((Sym::from_index(key), column))
    }

    /// The column, every cell checked (see `read_snapshot`), with the largest boxed slot a
    /// cell points to. A dense column whose bytes lie in `backing` stays there.
    fn decode(
        &self,
        count: usize,
        cells: &CellChecks<'_>,
        hashed: &Hashed,
        backing: Option<&bytes::Bytes>,
    ) -> Result<(Column, Option<u32>), SnapshotError> {
        let mut largest_boxed: Option<u32> = None;
        let mut check = |at: usize, cell: Cell| -> Result<(), SnapshotError> {
            let ok = match cell.tag() {
                None | Some(INT | ABSENT) => true,
                Some(BOOL) => cell.payload() <= 1,
                Some(DATE) => Date::is_packed(cell.payload()),
                Some(ONE_STRING_LIST) if !cells.one_string_lists => false,
                Some(STRING | ONE_STRING_LIST) => {
                    let word = cell.payload() as usize;
                    cells
                        .string_starts
                        .get(word / 64)
                        .is_some_and(|bits| bits & (1 << (word % 64)) != 0)
                }
                Some(BOXED) => {
                    let slot = cell.payload() as u32;
                    largest_boxed = Some(largest_boxed.map_or(slot, |b| b.max(slot)));
                    u32::try_from(cell.payload()).is_ok()
                }
                Some(_) => false,
            };
            if ok {
                Ok(())
            } else {
                Err(SnapshotError {
                    offset: at,
                    reason: format!("a property cell ({:#018x}) holds no value", cell.0),
                })
            }
        };
        let column = match *self {
            ColumnBytes::Sparse { at, present, bytes } => {
                let mut cells = HashMap::with_capacity_and_hasher(present, FastHash::default());
                let mut previous: Option<u32> = None;
                hashed.hash(at, bytes, 12, |start, block| {
                    for (i, entry) in block.chunks_exact(12).enumerate() {
                        let at = at + start + 12 * i;
                        let index = u32::from_le_bytes(entry[..4].try_into().expect("4 bytes"));
                        let cell = Cell::from_le_bytes(&entry[4..]);
                        if index as usize >= count || previous.is_some_and(|p| p >= index) {
                            return Err(SnapshotError {
                                offset: at,
                                reason: format!("element {index} is out of order or out of range"),
                            });
                        }
                        if cell.is_absent() {
                            return Err(SnapshotError {
                                offset: at,
                                reason: "a sparse column lists an absent value".to_owned(),
                            });
                        }
                        check(at, cell)?;
                        previous = Some(index);
                        cells.insert(index, cell);
                    }
                    Ok(())
                })?;
                Column::Sparse(cells)
            }
            ColumnBytes::Dense { at, bytes } => {
                let mapped = within(backing, bytes);
                let mut cells = Vec::with_capacity(if mapped.is_some() { 0 } else { count });
                hashed.hash(at, bytes, 8, |start, block| {
                    for (i, chunk) in block.chunks_exact(8).enumerate() {
                        let cell = Cell::from_le_bytes(chunk);
                        check(at + start + 8 * i, cell)?;
                        if mapped.is_none() {
                            cells.push(cell);
                        }
                    }
                    Ok(())
                })?;
                mapped.map_or(Column::Dense(cells), Column::Mapped)
            }
        };
        Ok((column, largest_boxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sym(i: u32) -> Sym {
        Sym::from_index(i as usize)
    }

    #[test]
    fn every_kind_of_value_comes_back_as_it_went_in() {
        let mut pool = StringPool::default();
        let mut props = Properties::default();
        let values = [
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(0),
            Value::Int(-1),
            Value::Int(INT_LIMIT - 1),
            Value::Int(-INT_LIMIT),
            Value::Int(i64::MAX),
            Value::Int(i64::MIN),
            Value::Float(-0.0),
            Value::Float(f64::INFINITY),
            Value::Float(f64::NEG_INFINITY),
            Value::Float(2.5e-300),
            Value::String("Nvidia".into()),
            Value::String(String::new()),
            Value::Date("2025-08-22".parse().unwrap()),
            Value::Date("2025-08".parse().unwrap()),
            Value::Date("-0044".parse().unwrap_or(Date::year(-44))),
            Value::List(vec![Value::from("a"), Value::Int(1)]),
        ];
        for (i, value) in values.iter().enumerate() {
            props.set(i, sym(0), value.clone(), &mut pool);
        }
        for (i, value) in values.iter().enumerate() {
            assert_eq!(
                props.get(i, sym(0), &pool).as_ref(),
                Some(value),
                "cell {i}"
            );
        }
        props.set(0, sym(1), Value::Float(f64::NAN), &mut pool);
        assert!(matches!(props.get(0, sym(1), &pool), Some(Value::Float(f)) if f.is_nan()));
    }

    #[test]
    fn null_removes_and_boxed_slots_are_reused() {
        let mut pool = StringPool::default();
        let mut props = Properties::default();
        let list = Value::List(vec![Value::Int(1)]);
        props.set(3, sym(0), list.clone(), &mut pool);
        assert_eq!(props.set(3, sym(0), Value::Null, &mut pool), Some(list));
        assert_eq!(props.get(3, sym(0), &pool), None);
        props.set(4, sym(0), Value::List(vec![]), &mut pool);
        assert_eq!(props.boxed.len(), 1, "the freed slot was reused");
    }

    #[test]
    fn columns_turn_dense_when_most_elements_have_the_key() {
        let mut pool = StringPool::default();
        let mut props = Properties::default();
        for i in 0..1000 {
            props.set(i, sym(0), Value::Int(i as i64), &mut pool);
        }
        props.set(999, sym(1), Value::Int(7), &mut pool);
        assert!(matches!(props.columns[0], Column::Dense(_)));
        assert!(matches!(props.columns[1], Column::Sparse(_)));
        assert_eq!(props.get(500, sym(0), &pool), Some(Value::Int(500)));
        assert_eq!(props.get(1500, sym(0), &pool), None);
        let all: Vec<_> = props.iter(999, &pool).collect();
        assert_eq!(
            all,
            vec![(sym(0), Value::Int(999)), (sym(1), Value::Int(7))]
        );
        assert_eq!(props.take_all(999, &pool).len(), 2);
        assert_eq!(props.iter(999, &pool).count(), 0);
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            any::<f64>()
                .prop_filter("NaN is checked apart", |f| !f.is_nan())
                .prop_map(Value::Float),
            ".{0,12}".prop_map(Value::String),
            (-9999i32..9999, 0u8..=12, 0u8..=28).prop_map(|(y, m, d)| Value::Date(match (m, d) {
                (0, _) => Date::year(y),
                (m, 0) => Date::month(y, m).unwrap(),
                (m, d) => Date::day(y, m, d).unwrap(),
            })),
        ]
    }

    proptest! {
        #[test]
        fn the_last_value_set_is_the_one_read(
            writes in proptest::collection::vec((0usize..64, 0u32..4, value()), 0..200)
        ) {
            let mut pool = StringPool::default();
            let mut props = Properties::default();
            let mut model: HashMap<(usize, u32), Value> = HashMap::new();
            for (index, key, value) in writes {
                let old = props.set(index, sym(key), value.clone(), &mut pool);
                prop_assert_eq!(old, model.insert((index, key), value));
            }
            for ((index, key), value) in &model {
                let read = props.get(*index, sym(*key), &pool);
                prop_assert_eq!(read.as_ref(), Some(value));
            }
        }
    }
}
