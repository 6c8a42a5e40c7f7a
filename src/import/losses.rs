//! What an import could not put anywhere: counts per kind of loss, with the first example of
//! each, so that a user sees what the model did not hold before accepting it.

use std::collections::BTreeMap;
use std::fmt;

/// Counts of what had no home, by kind ("BODS interest type `rightsToSurplusAssetsOnDissolution`",
/// "GLEIF field `Entity.LegalForm.OtherLegalForm`"), each with its first example.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Losses {
    kinds: BTreeMap<String, Loss>,
}

/// One kind of loss.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loss {
    pub count: usize,
    /// The first record it happened to, with where it sits.
    pub example: String,
}

impl Losses {
    /// Counts one loss of `kind`; `example` is called only for the first.
    pub fn add(&mut self, kind: impl Into<String>, example: impl FnOnce() -> String) {
        self.kinds
            .entry(kind.into())
            .and_modify(|loss| loss.count += 1)
            .or_insert_with(|| Loss {
                count: 1,
                example: example(),
            });
    }

    /// Counts `other`'s losses too, keeping the first example of each kind.
    pub fn absorb(&mut self, other: Losses) {
        for (kind, loss) in other.kinds {
            self.kinds
                .entry(kind)
                .and_modify(|there| there.count += loss.count)
                .or_insert(loss);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// How many things were lost in all.
    pub fn total(&self) -> usize {
        self.kinds.values().map(|l| l.count).sum()
    }

    /// Each kind with its count and example, by kind.
    pub fn kinds(&self) -> impl Iterator<Item = (&str, &Loss)> {
        self.kinds.iter().map(|(k, l)| (k.as_str(), l))
    }

    /// The count for one kind, 0 when none was lost.
    pub fn count(&self, kind: &str) -> usize {
        self.kinds.get(kind).map_or(0, |l| l.count)
    }
}

impl fmt::Display for Losses {
    /// One line per kind: count, kind, and the example indented below it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kinds.is_empty() {
            return writeln!(
                f,
                "nothing was lost: every field read has a home in the model"
            );
        }
        writeln!(
            f,
            "{} thing{} had no home in the model:",
            self.total(),
            if self.total() == 1 { "" } else { "s" }
        )?;
        for (kind, loss) in &self.kinds {
            writeln!(f, "  {:>6}  {kind}", loss.count)?;
            writeln!(f, "          e.g. {}", loss.example)?;
        }
        Ok(())
    }
}
