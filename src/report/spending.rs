//! The spending report: categories as rows and periods as columns (the way hledger's
//! `balance -M` reads), with each row's total, average per period and share of the
//! currency's spending, and a total row per currency. Income, transfers and removed rows stay
//! out (see [`super::flow`]).

use anyhow::Result;
use serde::Serialize;

use super::{Converter, Grid, Period, Span, average, flow, fold, money, percent};
use crate::store::{Db, reports};

/// The row of an uncategorized outflow.
pub const UNCATEGORIZED: &str = "Uncategorized";
/// The row that sums a currency's rows.
pub const TOTAL: &str = "Total";

#[derive(Debug, Serialize, Default)]
pub struct Row {
    pub category: String,
    pub currency: String,
    /// One column per period label, oldest first.
    #[serde(flatten)]
    pub periods: serde_json::Map<String, serde_json::Value>,
    pub total: String,
    pub average: String,
    pub share: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted_from: Option<String>,
}

/// A row with every column of a report over `spans` (the CSV header of an empty report).
pub fn template(spans: &[Span]) -> Row {
    Row { periods: spans.iter().map(|s| (s.label.clone(), "".into())).collect(), ..Row::default() }
}

/// Net spending per category (folded to `depth` levels) and period.
pub fn grid(
    db: &Db,
    scope: &reports::Scope,
    period: Period,
    depth: Option<usize>,
    mut convert: Option<&mut Converter<'_>>,
) -> Result<Grid> {
    let mut grid = Grid::default();
    for s in reports::monthly(db, scope)? {
        let f = flow(&s);
        if f.n_spent == 0 {
            continue;
        }
        let category = fold(s.category.as_deref().unwrap_or(UNCATEGORIZED), depth);
        let column = period.of_month(&s.month)?;
        let day = super::period::month_end(&s.month)?;
        grid.add(convert.as_deref_mut(), (&s.currency, &category, &column), day, f.spent, f.n_spent)?;
    }
    Ok(grid)
}

pub fn spending(grid: &Grid, spans: &[Span]) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    for currency in grid.currencies() {
        let mut rows: Vec<(&(String, String), i64)> = grid
            .cells
            .iter()
            .filter(|((c, _), _)| *c == currency)
            .map(|(key, cells)| (key, cells.values().map(|c| c.amount).sum()))
            .collect();
        rows.sort_by(|(a, x), (b, y)| y.cmp(x).then(a.1.cmp(&b.1)));
        let whole: i64 = rows.iter().map(|(_, t)| t).sum();
        let mut totals = vec![0i64; spans.len()];
        for (key, total) in &rows {
            let cells = &grid.cells[*key];
            let mut periods = serde_json::Map::new();
            for (i, span) in spans.iter().enumerate() {
                let amount = cells.get(&span.label).map_or(0, |c| c.amount);
                totals[i] += amount;
                periods.insert(span.label.clone(), money(amount, &currency)?.into());
            }
            out.push(Row {
                category: key.1.clone(),
                currency: currency.clone(),
                periods,
                total: money(*total, &currency)?,
                average: money(average(*total, spans.len()), &currency)?,
                share: percent(*total, whole),
                converted_from: grid.converted_from(key),
            });
        }
        let mut periods = serde_json::Map::new();
        for (span, amount) in spans.iter().zip(&totals) {
            periods.insert(span.label.clone(), money(*amount, &currency)?.into());
        }
        out.push(Row {
            category: TOTAL.into(),
            currency: currency.clone(),
            periods,
            total: money(whole, &currency)?,
            average: money(average(whole, spans.len()), &currency)?,
            share: percent(whole, whole),
            converted_from: grid.all_sources(),
        });
    }
    Ok(out)
}
