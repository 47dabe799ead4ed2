//! The net-worth report: each account's balance at the end of every period (today for the
//! current one) and a total per currency. A balance comes from the newest balance the account
//! reported (the bank's live balance or a statement's closing balance, each with its date)
//! and the live rows booked between that date and the period's end. An account that never
//! reported a balance is the sum of its rows, which the caller is told about.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{Datelike as _, NaiveDate};
use serde::Serialize;

use super::{Converter, Grid, Span, money};
use crate::store::{Db, accounts, reports};

#[derive(Debug, Serialize, Default)]
pub struct Row {
    pub account: String,
    pub currency: String,
    /// One column per period label: the balance at its end.
    #[serde(flatten)]
    pub periods: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted_from: Option<String>,
}

/// A row with every column of a report over `spans` (the CSV header of an empty report).
pub fn template(spans: &[Span]) -> Row {
    Row { periods: spans.iter().map(|s| (s.label.clone(), "".into())).collect(), ..Row::default() }
}

/// The rows, and the names of accounts without a reported balance.
pub fn networth(
    db: &Db,
    scope: &reports::Scope,
    spans: &[Span],
    today: NaiveDate,
    mut convert: Option<&mut Converter<'_>>,
) -> Result<(Vec<Row>, Vec<String>)> {
    let mut grid = Grid::default();
    let mut unanchored = Vec::new();
    for account in accounts::list(db)? {
        let wanted = account.tracked
            && scope.account_id.is_none_or(|id| id == account.id)
            && scope.currency.as_ref().is_none_or(|c| *c == account.currency);
        if !wanted {
            continue;
        }
        let running = Running::of(db, account.id)?;
        let (base, base_sum) = match anchor(&account) {
            Some((amount, day)) => (amount, running.upto(db, day)?),
            None => {
                unanchored.push(account.name.clone());
                (0, 0)
            }
        };
        let label = account.name.clone();
        for span in spans {
            let day = span.end.min(today);
            let balance = base + running.upto(db, day)? - base_sum;
            grid.add(convert.as_deref_mut(), (&account.currency, &label, &span.label), day, balance, 1)?;
        }
    }
    let mut rows = Vec::new();
    for currency in grid.currencies() {
        let mut totals = vec![0i64; spans.len()];
        for key in grid.cells.keys().filter(|(c, _)| *c == currency) {
            let cells = &grid.cells[key];
            let mut periods = serde_json::Map::new();
            for (i, span) in spans.iter().enumerate() {
                let amount = cells.get(&span.label).map_or(0, |c| c.amount);
                totals[i] += amount;
                periods.insert(span.label.clone(), money(amount, &currency)?.into());
            }
            rows.push(Row {
                account: key.1.clone(),
                currency: currency.clone(),
                periods,
                converted_from: grid.converted_from(key),
            });
        }
        let mut periods = serde_json::Map::new();
        for (span, amount) in spans.iter().zip(&totals) {
            periods.insert(span.label.clone(), money(*amount, &currency)?.into());
        }
        rows.push(Row {
            account: super::spending::TOTAL.into(),
            currency,
            periods,
            converted_from: grid.all_sources(),
        });
    }
    Ok((rows, unanchored))
}

/// The newest balance `account` reported (the bank's live balance or a statement's closing
/// balance) and the day it was true at the end of; `None` when it never reported one.
pub fn anchor(account: &accounts::Account) -> Option<(i64, NaiveDate)> {
    [account.balance_current.zip(account.balance_as_of), account.statement_balance.zip(account.statement_balance_as_of)]
        .into_iter()
        .flatten()
        .max_by_key(|(_, at)| *at)
        .map(|(amount, at)| (amount, at.date_naive()))
}

/// An account's live rows summed up to a day: per-month sums from the rollup, and the base
/// table for the days of a month a day cuts into.
struct Running {
    account_id: i64,
    /// Sum of all months before each month (`YYYY-MM`), and that month's own sum.
    months: BTreeMap<String, (i64, i64)>,
}

impl Running {
    fn of(db: &Db, account_id: i64) -> Result<Running> {
        let mut months = BTreeMap::new();
        let mut before = 0;
        for (_, month, sum) in reports::account_months(db, Some(account_id))? {
            months.insert(month, (before, sum));
            before += sum;
        }
        Ok(Running { account_id, months })
    }

    /// The sum of rows booked on or before `day`.
    fn upto(&self, db: &Db, day: NaiveDate) -> Result<i64> {
        let month = day.format("%Y-%m").to_string();
        let before: i64 = match self.months.range(..month.clone()).next_back() {
            Some((_, (b, s))) => b + s,
            None => 0,
        };
        let Some((_, own)) = self.months.get(&month) else {
            return Ok(before);
        };
        if day == super::Period::Month.end(day) {
            return Ok(before + own);
        }
        let first = day.with_day(1).expect("day 1 exists");
        Ok(before + reports::account_between(db, self.account_id, first, day)?)
    }
}
