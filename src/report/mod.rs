//! Reports: each returns rows for `Output`, never prints. This module owns what every report
//! shares: what counts as spending or income ([`flow`]), the grid that sums amounts per
//! currency, row and period (converting them first with `--convert-to`), and how figures are
//! written (exact decimal strings, shares in per cent).

pub mod cashflow;
pub mod chart;
pub mod convert;
pub mod html;
pub mod merchants;
pub mod networth;
pub mod period;
pub mod spending;
pub mod svg;
pub mod trends;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use chrono::NaiveDate;

use crate::money::{Currency, format_amount};
use crate::store::reports::Sums;
pub use convert::Converter;
pub use period::{Period, Span};

/// What a group of rows adds to spending and to income.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flow {
    /// Net money out (a refund subtracts), positive for spending.
    pub spent: i64,
    pub n_spent: i64,
    pub income: i64,
    pub n_income: i64,
}

/// Transfers (a paired row, or a transfer category) are neither spending nor income. An
/// expense category nets its refunds; an income category nets its reversals. Uncategorized
/// money in is income and money out is spending: a salary never nets into spending.
pub fn flow(s: &Sums) -> Flow {
    let (net, n) = (s.sum_in + s.sum_out, s.n_in + s.n_out);
    match (s.transfer, s.kind.as_deref()) {
        (true, _) | (false, Some("transfer")) => Flow::default(),
        (false, Some("income")) => Flow { income: net, n_income: n, ..Flow::default() },
        (false, Some(_)) => Flow { spent: -net, n_spent: n, ..Flow::default() },
        (false, None) => Flow { spent: -s.sum_out, n_spent: s.n_out, income: s.sum_in, n_income: s.n_in },
    }
}

/// A category's name folded to its first `depth` levels (`Food:Groceries` at 1 is `Food`).
pub fn fold(category: &str, depth: Option<usize>) -> String {
    match depth {
        Some(d) => category.split(':').take(d.max(1)).collect::<Vec<_>>().join(":"),
        None => category.to_string(),
    }
}

/// One cell of a [`Grid`]: an amount and how many rows made it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cell {
    pub amount: i64,
    pub count: i64,
}

/// Amounts summed per (currency, row) and column. Amounts of different currencies never meet:
/// each currency is its own group, unless a converter turns them into its one currency first.
#[derive(Debug, Default)]
pub struct Grid {
    pub cells: BTreeMap<(String, String), BTreeMap<String, Cell>>,
    /// The currencies each converted row was made from.
    pub sources: BTreeMap<(String, String), BTreeSet<String>>,
}

impl Grid {
    /// Add `amount` of `currency` to a row's column; with a converter, as of `day`.
    pub fn add(
        &mut self,
        convert: Option<&mut Converter<'_>>,
        (currency, row, column): (&str, &str, &str),
        day: NaiveDate,
        amount: i64,
        count: i64,
    ) -> Result<()> {
        let (currency, amount) = match convert {
            Some(c) => {
                let converted = c.convert(amount, currency, day)?;
                let key = (c.target.code().to_string(), row.to_string());
                self.sources.entry(key).or_default().insert(currency.to_string());
                (c.target.code().to_string(), converted)
            }
            None => (currency.to_string(), amount),
        };
        let cell = self.cells.entry((currency, row.to_string())).or_default().entry(column.to_string()).or_default();
        cell.amount += amount;
        cell.count += count;
        Ok(())
    }

    /// What a converted row says it was made from (`None` without conversion).
    pub fn converted_from(&self, key: &(String, String)) -> Option<String> {
        self.sources.get(key).map(|s| s.iter().cloned().collect::<Vec<_>>().join(","))
    }

    /// Every currency any converted row was made from (`None` without conversion).
    pub fn all_sources(&self) -> Option<String> {
        let all: BTreeSet<&String> = self.sources.values().flatten().collect();
        (!all.is_empty()).then(|| all.into_iter().cloned().collect::<Vec<_>>().join(","))
    }

    /// The currencies the grid holds, in order.
    pub fn currencies(&self) -> BTreeSet<String> {
        self.cells.keys().map(|(c, _)| c.clone()).collect()
    }
}

/// `-1234.56` in the currency's decimals: the exact form CSV and JSON carry.
pub fn money(minor: i64, currency: &str) -> Result<String> {
    Ok(format_amount(minor, Currency::parse(currency)?))
}

/// `part` as a share of `whole` in per cent with one decimal (`12.3%`), rounded half to even;
/// empty when the whole is not positive.
pub fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return String::new();
    }
    let tenths = convert::div_half_even(i128::from(part) * 1000, i128::from(whole));
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{}%", tenths.abs() / 10, tenths.abs() % 10)
}

/// `sum / n` rounded half to even (an average in minor units).
pub fn average(sum: i64, n: usize) -> i64 {
    if n == 0 {
        return 0;
    }
    convert::div_half_even(i128::from(sum), n as i128) as i64
}

/// The periods a report's columns span: its dates where given, else the months with data.
pub fn columns(db: &crate::store::Db, scope: &crate::store::reports::Scope, period: Period) -> Result<Vec<Span>> {
    let span = crate::store::reports::month_span(db)?;
    let first = match (scope.from, &span) {
        (Some(from), _) => from,
        (None, Some((min, _))) => period::month_start(min)?,
        (None, None) => return Ok(Vec::new()),
    };
    let last = match (scope.to, &span) {
        (Some(to), _) => to,
        (None, Some((_, max))) => period::month_end(max)?,
        (None, None) => first,
    };
    Ok(period.span(first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(kind: Option<&str>, transfer: bool, sum_in: i64, sum_out: i64) -> Sums {
        Sums { kind: kind.map(str::to_string), transfer, sum_in, sum_out, n_in: 1, n_out: 1, ..Sums::default() }
    }

    #[test]
    fn refunds_reduce_spending_and_income_is_never_spending() {
        let expense = flow(&sums(Some("expense"), false, 2000, -5000));
        assert_eq!((expense.spent, expense.income), (3000, 0), "a refund nets into its category");
        let uncategorized = flow(&sums(None, false, 300_000, -5000));
        assert_eq!((uncategorized.spent, uncategorized.income), (5000, 300_000), "a salary is income");
        assert_eq!(flow(&sums(Some("income"), false, 300_000, 0)).income, 300_000);
        assert_eq!(flow(&sums(Some("expense"), true, 0, -5000)), Flow::default(), "a paired transfer");
        assert_eq!(flow(&sums(Some("transfer"), false, 0, -5000)), Flow::default());
    }

    #[test]
    fn shares_and_averages_round_half_to_even() {
        assert_eq!(percent(1, 8), "12.5%");
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(-1, 3), "-33.3%");
        assert_eq!(percent(1, 0), "");
        assert_eq!(average(5, 2), 2);
        assert_eq!(average(7, 2), 4);
        assert_eq!(fold("Food:Groceries:Organic", Some(2)), "Food:Groceries");
        assert_eq!(fold("Food:Groceries", Some(1)), "Food");
    }
}
