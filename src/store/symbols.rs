//! Interned names for labels, relationship types and property keys, and interned label sets.
//!
//! A graph of millions of edges uses a handful of distinct names; storing a 4-byte symbol per
//! use instead of a string keeps elements small and comparisons cheap. Symbols are never zero,
//! so an `Option` of one (or of a record holding one) costs no more than the symbol.

use std::collections::HashMap;
use std::num::NonZeroU32;

type FastHash = foldhash::fast::RandomState;

/// An interned name. Only meaningful with the `Symbols` table that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(NonZeroU32);

impl Sym {
    pub fn index(self) -> usize {
        self.0.get() as usize - 1
    }

    pub fn from_index(index: usize) -> Sym {
        let number = u32::try_from(index + 1).expect("fewer than 2^32 - 1 distinct names");
        Sym(NonZeroU32::new(number).expect("index + 1 is not zero"))
    }
}

#[derive(Clone, Debug, Default)]
pub struct Symbols {
    names: Vec<Box<str>>,
    index: HashMap<Box<str>, Sym, FastHash>,
}

impl Symbols {
    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some(sym) = self.index.get(name) {
            return *sym;
        }
        let sym = Sym::from_index(self.names.len());
        self.names.push(name.into());
        self.index.insert(name.into(), sym);
        sym
    }

    /// The symbol for `name`, if it was ever interned.
    pub fn get(&self, name: &str) -> Option<Sym> {
        self.index.get(name).copied()
    }

    pub fn name(&self, sym: Sym) -> &str {
        &self.names[sym.index()]
    }

    pub fn name_at(&self, index: usize) -> &str {
        &self.names[index]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }
}

/// A set of labels, interned: a million companies share one set, `[Company]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LabelSet(NonZeroU32);

impl LabelSet {
    /// The set's number, from 1: how a snapshot refers to it.
    pub fn number(self) -> u32 {
        self.0.get()
    }
}

/// The label sets in use, each a sorted list of distinct symbols.
#[derive(Clone, Debug, Default)]
pub struct LabelSets {
    sets: Vec<Box<[Sym]>>,
    index: HashMap<Box<[Sym]>, LabelSet, FastHash>,
}

impl LabelSets {
    /// The set holding exactly `labels`, which must be sorted and distinct.
    pub fn intern(&mut self, labels: &[Sym]) -> LabelSet {
        debug_assert!(labels.windows(2).all(|w| w[0] < w[1]));
        if let Some(set) = self.index.get(labels) {
            return *set;
        }
        let number = u32::try_from(self.sets.len() + 1).expect("fewer than 2^32 label sets");
        let set = LabelSet(NonZeroU32::new(number).expect("len + 1 is not zero"));
        self.sets.push(labels.into());
        self.index.insert(labels.into(), set);
        set
    }

    /// The set numbered `number`, if there is one.
    pub fn numbered(&self, number: u32) -> Option<LabelSet> {
        NonZeroU32::new(number)
            .filter(|n| n.get() as usize <= self.sets.len())
            .map(LabelSet)
    }

    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Every set, in number order.
    pub fn all(&self) -> impl Iterator<Item = &[Sym]> {
        self.sets.iter().map(|set| &set[..])
    }

    pub fn labels(&self, set: LabelSet) -> &[Sym] {
        &self.sets[set.0.get() as usize - 1]
    }
}
