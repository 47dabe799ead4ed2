//! The merchants report: payees ranked by what was spent with them (or by how many
//! purchases), per currency. A payee is a rule's name for it, else the bank's, else the row's
//! description. Income and transfers stay out, as in the spending report.

use anyhow::Result;
use serde::Serialize;

use super::{Converter, Grid, average, flow, money, percent};
use crate::store::{Db, reports};

/// How merchants are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Rank {
    /// By net spending, largest first
    #[default]
    Spend,
    /// By number of purchases, most first
    Count,
}

#[derive(Debug, Serialize, Default)]
pub struct Row {
    pub payee: String,
    pub currency: String,
    pub spent: String,
    pub transactions: i64,
    /// Spent per purchase.
    pub average: String,
    /// Of the currency's spending in the report.
    pub share: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted_from: Option<String>,
}

const ALL: &str = "all";

pub fn grid(db: &Db, scope: &reports::Scope, mut convert: Option<&mut Converter<'_>>) -> Result<Grid> {
    let mut grid = Grid::default();
    for s in reports::by_payee(db, scope)? {
        let f = flow(&s);
        if f.n_spent == 0 {
            continue;
        }
        let payee = s.payee.as_deref().unwrap_or_default();
        let day = super::period::month_end(&s.month)?;
        grid.add(convert.as_deref_mut(), (&s.currency, payee, ALL), day, f.spent, f.n_spent)?;
    }
    Ok(grid)
}

/// The top `limit` payees per currency (0: all).
pub fn merchants(grid: &Grid, rank: Rank, limit: usize) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    for currency in grid.currencies() {
        let mut rows: Vec<(&(String, String), super::Cell)> = grid
            .cells
            .iter()
            .filter(|((c, _), _)| *c == currency)
            .map(|(key, cells)| (key, cells.get(ALL).copied().unwrap_or_default()))
            .collect();
        let whole: i64 = rows.iter().map(|(_, c)| c.amount).sum();
        rows.sort_by(|(a, x), (b, y)| {
            let order = match rank {
                Rank::Spend => y.amount.cmp(&x.amount).then(y.count.cmp(&x.count)),
                Rank::Count => y.count.cmp(&x.count).then(y.amount.cmp(&x.amount)),
            };
            order.then(a.1.cmp(&b.1))
        });
        if limit > 0 {
            rows.truncate(limit);
        }
        for (key, cell) in rows {
            out.push(Row {
                payee: key.1.clone(),
                currency: currency.clone(),
                spent: money(cell.amount, &currency)?,
                transactions: cell.count,
                average: money(average(cell.amount, cell.count as usize), &currency)?,
                share: percent(cell.amount, whole),
                converted_from: grid.converted_from(key),
            });
        }
    }
    Ok(out)
}
