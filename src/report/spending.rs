//! The spending report: net expenses by month and category, per currency. Income, transfers
//! between own accounts and removed rows stay out.

use anyhow::Result;
use serde::Serialize;

use crate::money::{Currency, format_amount};
use crate::store::{Db, reports, transactions};

#[derive(Debug, Serialize, Default)]
pub struct Row {
    pub month: String,
    pub category: String,
    pub spent: String,
    pub currency: String,
    pub transactions: i64,
}

pub fn spending(db: &Db, filter: &transactions::TxFilter) -> Result<Vec<Row>> {
    reports::spending(db, filter)?
        .into_iter()
        .map(|r| {
            let currency = Currency::parse(&r.currency)?;
            Ok(Row {
                month: r.month,
                category: r.category,
                spent: format_amount(r.spent, currency),
                currency: r.currency,
                transactions: r.count,
            })
        })
        .collect()
}
