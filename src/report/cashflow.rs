//! The cash-flow report: per period and currency, income, expenses, net and the savings rate
//! (net as a share of income). What counts as either is [`super::flow`]'s call.

use anyhow::Result;
use serde::Serialize;

use super::{Converter, Grid, Period, Span, flow, money, percent};
use crate::store::{Db, reports};

#[derive(Debug, Serialize, Default)]
pub struct Row {
    pub period: String,
    pub currency: String,
    pub income: String,
    pub expenses: String,
    pub net: String,
    pub savings_rate: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted_from: Option<String>,
}

const INCOME: &str = "income";
const EXPENSES: &str = "expenses";

pub fn grid(db: &Db, scope: &reports::Scope, period: Period, mut convert: Option<&mut Converter<'_>>) -> Result<Grid> {
    let mut grid = Grid::default();
    for s in reports::monthly(db, scope)? {
        let f = flow(&s);
        let column = period.of_month(&s.month)?;
        let day = super::period::month_end(&s.month)?;
        if f.n_income > 0 {
            grid.add(convert.as_deref_mut(), (&s.currency, INCOME, &column), day, f.income, f.n_income)?;
        }
        if f.n_spent > 0 {
            grid.add(convert.as_deref_mut(), (&s.currency, EXPENSES, &column), day, f.spent, f.n_spent)?;
        }
    }
    Ok(grid)
}

/// A row per currency and period, then a `Total` row per currency.
pub fn cashflow(grid: &Grid, spans: &[Span]) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    for currency in grid.currencies() {
        let of = |row: &str, label: &str| {
            grid.cells.get(&(currency.clone(), row.to_string())).and_then(|c| c.get(label)).map_or(0, |c| c.amount)
        };
        let converted_from = grid.all_sources();
        let row = |period: &str, income: i64, expenses: i64| -> Result<Row> {
            Ok(Row {
                period: period.to_string(),
                currency: currency.clone(),
                income: money(income, &currency)?,
                expenses: money(expenses, &currency)?,
                net: money(income - expenses, &currency)?,
                savings_rate: percent(income - expenses, income),
                converted_from: converted_from.clone(),
            })
        };
        let (mut income, mut expenses) = (0, 0);
        let mut rows = Vec::new();
        for span in spans {
            let (i, e) = (of(INCOME, &span.label), of(EXPENSES, &span.label));
            (income, expenses) = (income + i, expenses + e);
            rows.push(row(&span.label, i, e)?);
        }
        rows.push(row(super::spending::TOTAL, income, expenses)?);
        out.extend(rows);
    }
    Ok(out)
}
