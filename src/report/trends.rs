//! The trends report: each category's spending in one period (the one holding `--to`, else
//! today's, so far) against its average over the `N` periods before, biggest changes first.

use anyhow::Result;
use chrono::{Months, NaiveDate};
use serde::Serialize;

use super::{Converter, Period, Span, average, money, percent};
use crate::store::{Db, reports};

#[derive(Debug, Serialize, Default)]
pub struct Row {
    pub category: String,
    pub currency: String,
    /// The period compared (its label).
    pub period: String,
    pub current: String,
    /// Average per period over the ones before.
    pub average: String,
    pub change: String,
    /// The change as a share of the average; empty when there was no average.
    pub change_pct: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted_from: Option<String>,
}

/// The scope and periods a trend over `last` periods before the one holding `day` reads.
pub fn window(scope: &reports::Scope, period: Period, day: NaiveDate, last: u32) -> (reports::Scope, Vec<Span>) {
    let current = period.start(day);
    let first = current - Months::new(period.months() * last);
    let spans = period.span(first, day);
    (reports::Scope { from: Some(first), to: Some(day), ..scope.clone() }, spans)
}

pub fn trends(
    db: &Db,
    scope: &reports::Scope,
    period: Period,
    spans: &[Span],
    depth: Option<usize>,
    convert: Option<&mut Converter<'_>>,
) -> Result<Vec<Row>> {
    let grid = super::spending::grid(db, scope, period, depth, convert)?;
    let Some((current, before)) = spans.split_last() else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    for (key, cells) in &grid.cells {
        let (currency, category) = key;
        let now = cells.get(&current.label).map_or(0, |c| c.amount);
        let earlier: i64 = before.iter().map(|s| cells.get(&s.label).map_or(0, |c| c.amount)).sum();
        let avg = average(earlier, before.len());
        let change = now - avg;
        rows.push((
            change.abs(),
            Row {
                category: category.clone(),
                currency: currency.clone(),
                period: current.label.clone(),
                current: money(now, currency)?,
                average: money(avg, currency)?,
                change: money(change, currency)?,
                change_pct: match percent(change, avg) {
                    p if change > 0 && !p.is_empty() => format!("+{p}"),
                    p => p,
                },
                converted_from: grid.converted_from(key),
            },
        ));
    }
    rows.sort_by(|(a, x), (b, y)| x.currency.cmp(&y.currency).then(b.cmp(a)).then(x.category.cmp(&y.category)));
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}
