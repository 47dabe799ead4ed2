//! `tally categorize`: every live row that has no choice of the user's goes through the layers
//! again, and the layers' answer replaces what was stored, whichever layer made it (a rule
//! since removed, a provider map since fixed). The user's choices are not read, let alone
//! touched. Running it twice changes nothing the second time. Printing is the command's part.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;

use super::Categorizer;
use crate::model::CategorySource;
use crate::store::{Db, categories, transactions as txs};

/// One row whose category changed.
#[derive(Debug, Clone)]
pub struct Change {
    pub row: txs::Transaction,
    /// The new category's full name, source and reason; `None` when no layer decides any more.
    pub to: Option<(String, CategorySource, String)>,
}

/// What a run looked at and what it changed.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Live rows without a choice of the user's.
    pub considered: usize,
    /// The rows whose category or source changed, oldest first.
    pub changes: Vec<Change>,
}

/// Re-derive and store every row's category. Wrap it in `Store::rehearse` for a dry run.
pub fn run(db: &Db) -> Result<Outcome> {
    run_where(db, |_| true)
}

/// Re-derive only the rows `pick` chooses among those without a choice of the user's: the rows
/// a rule decided, after the rules changed (`rules apply`, `rules remove`).
pub fn run_where(db: &Db, pick: impl Fn(&txs::Transaction) -> bool) -> Result<Outcome> {
    let names: HashMap<i64, String> = categories::all(db)?.into_iter().map(|(name, id)| (id, name)).collect();
    let model = Arc::new(super::learned::Model::load(db)?);
    let mut by_source: HashMap<String, Categorizer> = HashMap::new();
    let mut changes = Vec::new();
    let rows: Vec<_> = txs::without_users_choice(db)?.into_iter().filter(|(row, _)| pick(row)).collect();
    let considered = rows.len();
    for (row, source) in rows {
        if !by_source.contains_key(&source) {
            let categorizer = Categorizer::without_learned(db, &source)?.with_model(model.clone());
            by_source.insert(source.clone(), categorizer);
        }
        let decided = by_source[&source].categorize_in(row.account_id, &row.as_stated()?);
        let before = (row.category_id, row.category_source);
        let after = decided.as_ref().map_or((None, None), |c| (Some(c.category_id), Some(c.source)));
        let reworded = decided.as_ref().is_some_and(|c| row.category_reason.as_deref() != Some(c.reason.as_str()));
        if before == after && !reworded {
            continue;
        }
        match &decided {
            Some(c) => txs::set_category(db, row.id, c)?,
            None => txs::clear_category(db, row.id)?,
        }
        if before != after {
            let to = decided.map(|c| (names.get(&c.category_id).cloned().unwrap_or_default(), c.source, c.reason));
            changes.push(Change { row, to });
        }
    }
    Ok(Outcome { considered, changes })
}
