//! Aggregate queries behind `tally report`: they read the rows `transactions.rs` keeps, through
//! the same `TxFilter` (so removed rows are out of every report), and return plain rows in minor
//! units; formatting is `report/`'s.

use anyhow::Result;
use rusqlite::params_from_iter;

use super::Db;
use super::transactions::TxFilter;

#[derive(Debug, Clone)]
pub struct SpendingRow {
    pub month: String,
    pub category: String,
    pub currency: String,
    /// Net money out in minor units (refunds subtract), positive for spending.
    pub spent: i64,
    pub count: i64,
}

/// Expenses by month and category: removed rows, income and transfers left out.
pub fn spending(db: &Db, filter: &TxFilter) -> Result<Vec<SpendingRow>> {
    let (clause, args) = filter.clause();
    let sql = format!(
        "SELECT substr(t.booked_date, 1, 7), coalesce(c.full_name, 'Uncategorized'), t.currency,
                -sum(t.amount), count(*)
         FROM \"transaction\" t JOIN account a ON a.id = t.account_id
         LEFT JOIN category c ON c.id = t.category_id
         {clause} AND coalesce(c.kind, 'expense') = 'expense'
         GROUP BY 1, 2, 3
         ORDER BY 1 DESC, 4 DESC, 2"
    );
    let mut stmt = db.prepare(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(args), |r| {
            Ok(SpendingRow {
                month: r.get(0)?,
                category: r.get(1)?,
                currency: r.get(2)?,
                spent: r.get(3)?,
                count: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
