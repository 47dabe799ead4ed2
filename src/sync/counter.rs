//! What a sync tells the user it did: each reconciler [`Effect`] on a row becomes at most one
//! count, by what became of the row over the whole sync. A row new to this sync stays one
//! "added" however often later pages change or post it, and is no count at all when a later
//! page removes it again (the user never had it). A pending row the user already had that is
//! replaced by its posted row is one "posted", not a modify (nor an add and a remove). A
//! removed row listed again is back in the user's listings: one "added" (and nothing at all if
//! the same sync removes it again, as a feed replayed from the start after a relink does).

use std::collections::HashSet;

use super::reconcile::Effect;
use crate::store::sync_runs::Counts;

/// The rows this sync added so far (row ids are unique across accounts).
#[derive(Debug, Default)]
pub struct Counter {
    added_here: HashSet<i64>,
}

impl Counter {
    /// The ids of the rows this sync added (and did not remove again).
    pub fn added(&self) -> impl Iterator<Item = i64> + '_ {
        self.added_here.iter().copied()
    }

    /// Count `effect` on row `row` (its id, when the effect left one) into `counts`.
    pub fn record(&mut self, counts: &mut Counts, effect: Effect, row: Option<i64>) {
        let new_here = row.is_some_and(|id| self.added_here.contains(&id));
        match effect {
            Effect::Added | Effect::Revived => {
                counts.added += 1;
                self.added_here.extend(row);
            }
            Effect::Modified if !new_here => counts.modified += 1,
            Effect::Posted if !new_here => counts.posted += 1,
            Effect::Removed if new_here => {
                counts.added = counts.added.saturating_sub(1);
                self.added_here.remove(&row.expect("new_here has a row"));
            }
            Effect::Removed => counts.removed += 1,
            Effect::Modified | Effect::Posted | Effect::Unchanged | Effect::Matched => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counted(effects: &[(Effect, i64)]) -> Counts {
        let (mut counter, mut counts) = (Counter::default(), Counts::default());
        for &(effect, row) in effects {
            counter.record(&mut counts, effect, Some(row));
        }
        counts
    }

    #[test]
    fn a_row_counts_once_by_what_became_of_it() {
        use Effect::*;
        // Added, then changed and posted within the sync: one added.
        assert_eq!(counted(&[(Added, 1), (Modified, 1), (Posted, 1)]), Counts { added: 1, ..Counts::default() });
        // Added and removed within the sync: nothing the user ever had.
        assert_eq!(counted(&[(Added, 1), (Removed, 1), (Added, 2)]), Counts { added: 1, ..Counts::default() });
        // A removed row replayed and removed again: nothing; listed again for good: added.
        assert_eq!(counted(&[(Revived, 1), (Removed, 1)]), Counts::default());
        assert_eq!(counted(&[(Revived, 1)]), Counts { added: 1, ..Counts::default() });
        // Rows from before: each effect as it is.
        let before = counted(&[(Modified, 1), (Posted, 2), (Removed, 3), (Unchanged, 4), (Matched, 5)]);
        assert_eq!(before, Counts { added: 0, modified: 1, posted: 1, removed: 1, ..Counts::default() });
    }
}
