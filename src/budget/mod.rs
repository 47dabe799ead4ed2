//! Budgets' status for a month (issue 12 item 1): per budgeted category and currency, what was
//! budgeted, carried over from earlier months (rollover), spent (posted), pending, committed
//! (recurring charges still expected this month) and what remains. Spending is what reports
//! count ([`crate::report::flow`] over the month rollups: transfers and removed rows never
//! count, refunds reduce); a category's spending includes its children's, and a parent with no
//! budget of its own but budgeted children gets a row summing them. A yearly budget is for a
//! calendar year: in a month's status it shows the year's amount against the year's spending
//! so far (year to date, not prorated), and rollover carries from year to year; committed is
//! still what is expected this month. Storage is `store::budgets`, printing
//! `commands::budget`'s.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use chrono::{Datelike as _, Months, NaiveDate};

use crate::recurring::{self, Cadence, Direction};
use crate::report::flow;
use crate::store::Db;
use crate::store::budgets::{self, Budget};
use crate::store::categories::is_under;
use crate::store::reports::{self, Scope, Sums};

/// One category's budget for the month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    pub category: String,
    pub currency: String,
    pub budgeted: i64,
    /// Left over (positive) or overspent (negative) in earlier months, when rolling over.
    pub carried: i64,
    /// Posted spending this month (refunds subtracted).
    pub spent: i64,
    /// Pending spending this month, apart from `spent`.
    pub pending: i64,
    /// Recurring charges still expected this month (a positive amount).
    pub committed: i64,
    pub rollover: bool,
    /// A parent without a budget of its own: the sum of its budgeted children.
    pub summed: bool,
    /// A budget for the calendar year: spent and pending are the year's so far.
    pub yearly: bool,
}

impl Line {
    /// What the month may spend: the budget and what was carried into it.
    pub fn available(&self) -> i64 {
        self.budgeted + self.carried
    }

    /// What is left after posted and pending spending (committed charges not taken off).
    pub fn remaining(&self) -> i64 {
        self.available() - self.spent - self.pending
    }

    /// Spent (posted and pending) more than is available.
    pub fn over(&self) -> bool {
        self.remaining() < 0
    }
}

/// The first day of `day`'s month.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("day 1 exists")
}

fn month_end(month: NaiveDate) -> NaiveDate {
    month + Months::new(1) - chrono::Days::new(1)
}

fn key(month: NaiveDate) -> String {
    month.format("%Y-%m").to_string()
}

/// The first day of the period a budget counts `month` in: the month, or its year.
fn period_of(month: NaiveDate, yearly: bool) -> NaiveDate {
    if yearly { month.with_month(1).expect("January exists") } else { month }
}

/// The sum of `by_month` over the months of the period from `start` up to `upto` (inclusive).
fn through(by_month: &HashMap<String, i64>, start: NaiveDate, yearly: bool, upto: NaiveDate) -> i64 {
    let end = if yearly { start + Months::new(11) } else { start };
    let mut m = start;
    let mut sum = 0;
    while m <= end.min(upto) {
        sum += at(by_month, m);
        m = m + Months::new(1);
    }
    sum
}

/// Every budget in effect in `month` (its first day), as of `today` (which recurring charges
/// are still expected).
pub fn status(db: &Db, month: NaiveDate, today: NaiveDate) -> Result<Vec<Line>> {
    let mut groups: BTreeMap<(String, String, bool), Vec<Budget>> = BTreeMap::new();
    for b in budgets::list(db)? {
        groups.entry((b.category.clone(), b.currency.clone(), b.yearly)).or_default().push(b);
    }
    groups.retain(|_, bs| bs.first().is_some_and(|b| b.starts_on <= month));
    let Some(first) = groups.values().filter_map(|bs| bs.first()).map(|b| b.starts_on).min() else {
        return Ok(Vec::new());
    };
    let scope = Scope { from: Some(first), to: Some(month_end(month)), ..Scope::default() };
    let all = reports::monthly(db, &scope)?;
    let pending = budgets::pending(db, first, month_end(month))?;
    let series = recurring::load(db, today)?;
    let mut committed: Vec<(String, String, i64)> = Vec::new();
    for s in series.iter().filter(|s| s.direction == Direction::Expense && s.active) {
        let times = expected_in(s.cadence, s.next_expected, month);
        if times > 0
            && let Some(category) = budgets::category_of(db, s.account_id, s.last, s.last_amount)?
        {
            committed.push((category, s.currency.clone(), -s.typical * times));
        }
    }
    let mut lines = Vec::new();
    for ((category, currency, yearly), bs) in &groups {
        let yearly = *yearly;
        let spent = spending(&all, category, currency);
        let pending = spending(&pending, category, currency);
        let mut carry = 0;
        let mut p = period_of(bs[0].starts_on, yearly);
        let step = Months::new(if yearly { 12 } else { 1 });
        loop {
            let b = bs.iter().rev().find(|b| period_of(b.starts_on, yearly) <= p).expect("the first starts by p");
            let carried = if b.rollover { carry } else { 0 };
            let (all_p, pending_p) = (through(&spent, p, yearly, month), through(&pending, p, yearly, month));
            if p == period_of(month, yearly) {
                lines.push(Line {
                    category: category.clone(),
                    currency: currency.clone(),
                    budgeted: b.amount,
                    carried,
                    spent: all_p - pending_p,
                    pending: pending_p,
                    committed: committed
                        .iter()
                        .filter(|(c, cur, _)| cur == currency && within(c, category))
                        .map(|(_, _, a)| a)
                        .sum(),
                    rollover: b.rollover,
                    summed: false,
                    yearly,
                });
                break;
            }
            carry = b.amount + carried - all_p;
            p = p + step;
        }
    }
    let (yearly, monthly): (Vec<Line>, Vec<Line>) = lines.iter().cloned().partition(|l| l.yearly);
    lines.extend(parents(&monthly));
    lines.extend(parents(&yearly).into_iter().map(|l| Line { yearly: true, ..l }));
    lines.sort_by(|a, b| (&a.category, &a.currency, a.yearly).cmp(&(&b.category, &b.currency, b.yearly)));
    Ok(lines)
}

/// How many charges of a series due next on `next` fall in `month`: weekly and biweekly ones
/// may come more than once; longer cadences come at most once.
fn expected_in(cadence: Cadence, next: NaiveDate, month: NaiveDate) -> i64 {
    let step = match cadence {
        Cadence::Weekly | Cadence::Biweekly => cadence.days(),
        _ => return i64::from(month_of(next) == month),
    };
    let mut day = next.max(month);
    if day > next {
        // Skip to the first charge on or after the month's first day.
        let gaps = (day - next).num_days().unsigned_abs().div_ceil(step);
        day = next + chrono::Days::new(gaps * step);
    }
    let mut n = 0;
    while day <= month_end(month) {
        n += 1;
        day = day + chrono::Days::new(step);
    }
    n
}

fn at(by_month: &HashMap<String, i64>, month: NaiveDate) -> i64 {
    by_month.get(&key(month)).copied().unwrap_or(0)
}

/// Whether a row filed under `row_category` counts toward `budgeted`'s budget.
fn within(row_category: &str, budgeted: &str) -> bool {
    row_category.eq_ignore_ascii_case(budgeted) || is_under(row_category, budgeted)
}

/// Spending per month (`YYYY-MM`) of a category and its children in one currency.
fn spending(sums: &[Sums], category: &str, currency: &str) -> HashMap<String, i64> {
    let mut out = HashMap::new();
    for s in sums.iter().filter(|s| s.currency == currency) {
        if s.category.as_deref().is_some_and(|c| within(c, category)) {
            *out.entry(s.month.clone()).or_default() += flow(s).spent;
        }
    }
    out
}

/// A row for each ancestor of a budgeted category that has no budget of its own (in that
/// currency), summing the budgeted categories under it that no other budgeted one holds.
fn parents(lines: &[Line]) -> Vec<Line> {
    let mut out: BTreeMap<(String, String), Line> = BTreeMap::new();
    let has = |c: &str, cur: &str| lines.iter().any(|l| l.currency == cur && l.category.eq_ignore_ascii_case(c));
    for line in lines {
        let parts: Vec<&str> = line.category.split(':').collect();
        for n in 1..parts.len() {
            let parent = parts[..n].join(":");
            if has(&parent, &line.currency) {
                break;
            }
            let between = lines.iter().any(|m| {
                m.currency == line.currency && is_under(&m.category, &parent) && is_under(&line.category, &m.category)
            });
            if between {
                continue;
            }
            let sum = out.entry((parent.clone(), line.currency.clone())).or_insert_with(|| Line {
                category: parent.clone(),
                currency: line.currency.clone(),
                summed: true,
                ..Line::default()
            });
            sum.budgeted += line.budgeted;
            sum.carried += line.carried;
            sum.spent += line.spent;
            sum.pending += line.pending;
            sum.committed += line.committed;
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(category: &str, budgeted: i64, spent: i64) -> Line {
        Line { category: category.into(), currency: "USD".into(), budgeted, spent, ..Line::default() }
    }

    #[test]
    fn a_parent_without_a_budget_sums_its_topmost_budgeted_children() {
        let lines = [line("Food:Groceries", 300, 100), line("Food:Dining", 200, 250), line("Food:Dining:Bars", 50, 40)];
        let sums = parents(&lines);
        let food = sums.iter().find(|l| l.category == "Food").unwrap();
        assert_eq!((food.budgeted, food.spent, food.summed), (500, 350, true), "Bars is inside Dining already");
        assert!(sums.iter().all(|l| l.category != "Food:Dining"), "Dining has its own budget");
        let with_own = parents(&[line("Food", 600, 0), line("Food:Groceries", 300, 100)]);
        assert!(with_own.is_empty(), "a parent with its own budget is not summed");
    }

    #[test]
    fn weekly_charges_may_come_several_times_a_month_longer_ones_once() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let nov = d("2026-11-01");
        assert_eq!(expected_in(Cadence::Weekly, d("2026-11-10"), nov), 3, "10th, 17th, 24th");
        assert_eq!(expected_in(Cadence::Biweekly, d("2026-11-02"), nov), 3, "2nd, 16th, 30th");
        assert_eq!(expected_in(Cadence::Weekly, d("2026-10-28"), nov), 4, "overdue: 4th, 11th, 18th, 25th");
        assert_eq!(expected_in(Cadence::Monthly, d("2026-11-28"), nov), 1);
        assert_eq!(expected_in(Cadence::Monthly, d("2026-12-01"), nov), 0);
        assert_eq!(expected_in(Cadence::Semimonthly, d("2026-11-15"), nov), 1);
    }

    #[test]
    fn remaining_takes_off_spent_and_pending_but_not_committed() {
        let l = Line { budgeted: 1000, carried: -200, spent: 500, pending: 100, committed: 400, ..Line::default() };
        assert_eq!((l.available(), l.remaining(), l.over()), (800, 200, false));
        assert!(Line { pending: 301, ..l }.over());
    }
}
