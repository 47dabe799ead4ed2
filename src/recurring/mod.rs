//! Recurring series (issue 11 item 9): subscriptions, bills and salary, found offline in the
//! stored rows. Rows are grouped by normalized payee, account, currency and direction; a
//! group is a series when the days between its rows fit one cadence (weekly to yearly, with a
//! tolerance). Each series has a typical amount (the median), its last and next expected
//! date, whether it is still active, and flags ([`Flag`]: a new subscription, a price change)
//! that alerts can read through [`flags`]. Transfers are not series; reading rows is
//! `store::recurring`'s part, printing `commands::recurring`'s.

mod cadence;

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::store::Db;
use crate::store::recurring::{self as store, Occurrence};
pub use cadence::Cadence;

/// How far back series are looked for: two years and a bit, so a yearly charge shows 2-3 times.
pub const LOOKBACK_DAYS: u64 = 800;
/// A series that began within this many days (while the account is older) is new.
pub const NEW_WITHIN_DAYS: u64 = 90;
/// A last amount this many percent away from the typical one is a price change.
pub const PRICE_CHANGE_PERCENT: i64 = 5;

/// Money out (a subscription, a bill) or in (salary, interest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Expense,
    Income,
}

/// Something worth telling about a series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Flag {
    /// A charge that started recently, in an account with older history.
    NewSubscription { since: NaiveDate },
    /// The last amount differs from the steady amount before it.
    PriceChange { from: i64, to: i64 },
}

/// One recurring series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// The payee as the latest row names it.
    pub payee: String,
    pub account_id: i64,
    pub account: String,
    pub currency: String,
    pub direction: Direction,
    pub cadence: Cadence,
    /// The median amount (minor units, signed like the rows).
    pub typical: i64,
    pub occurrences: usize,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub last_amount: i64,
    pub next_expected: NaiveDate,
    /// Whether the next one is not overdue yet (with the cadence's tolerance).
    pub active: bool,
    pub flags: Vec<Flag>,
}

/// The flags of a series: what an alert about it would say.
pub fn flags(series: &Series) -> &[Flag] {
    &series.flags
}

/// Every series in the stored rows as of `today`, by payee.
pub fn load(db: &Db, today: NaiveDate) -> Result<Vec<Series>> {
    let rows = store::since(db, today - Days::new(LOOKBACK_DAYS))?;
    let history = store::first_dates(db)?;
    Ok(detect(&rows, &history, today))
}

/// The key rows of one series share: payee words without numbers (store numbers, dates,
/// references), the first three of them, in upper case.
pub fn normalize(payee: &str) -> String {
    payee
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().all(char::is_alphabetic))
        .take(3)
        .map(str::to_uppercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Find the series among `rows` (oldest first); `history` is each account's first date.
pub fn detect(rows: &[Occurrence], history: &HashMap<i64, NaiveDate>, today: NaiveDate) -> Vec<Series> {
    let mut groups: BTreeMap<(String, i64, String, Direction), Vec<&Occurrence>> = BTreeMap::new();
    for r in rows {
        let key = normalize(&r.payee);
        if key.is_empty() {
            continue;
        }
        let direction = if r.amount < 0 { Direction::Expense } else { Direction::Income };
        groups.entry((key, r.account_id, r.currency.clone(), direction)).or_default().push(r);
    }
    let mut out: Vec<Series> = groups.into_values().filter_map(|g| series(&g, history, today)).collect();
    out.sort_by(|a, b| (a.direction, &a.payee, &a.account).cmp(&(b.direction, &b.payee, &b.account)));
    out
}

fn series(rows: &[&Occurrence], history: &HashMap<i64, NaiveDate>, today: NaiveDate) -> Option<Series> {
    let dates: Vec<NaiveDate> = rows.iter().map(|r| r.date).collect();
    let cadence = Cadence::of(&dates)?;
    let amounts: Vec<i64> = rows.iter().map(|r| r.amount).collect();
    if cadence == Cadence::Yearly && amounts.len() == 2 && !near(amounts[0], amounts[1], 25) {
        // Two rows a year apart for different sums are a coincidence, not a renewal.
        return None;
    }
    let (first, last) = (*rows.first()?, *rows.last()?);
    let next_expected = cadence.next(&dates);
    let mut s = Series {
        payee: last.payee.clone(),
        account_id: last.account_id,
        account: last.account.clone(),
        currency: last.currency.clone(),
        direction: if last.amount < 0 { Direction::Expense } else { Direction::Income },
        cadence,
        typical: median(&amounts),
        occurrences: rows.len(),
        first: first.date,
        last: last.date,
        last_amount: last.amount,
        next_expected,
        active: today <= next_expected + Days::new(cadence.tolerance_days()),
        flags: Vec::new(),
    };
    let older_history = history.get(&s.account_id).is_some_and(|h| *h + Days::new(cadence.days()) < s.first);
    if s.active && s.direction == Direction::Expense && s.first + Days::new(NEW_WITHIN_DAYS) >= today && older_history {
        s.flags.push(Flag::NewSubscription { since: s.first });
    }
    // A price change: the amounts before the last were steady, and the last is not.
    let before = &amounts[..amounts.len() - 1];
    let steady = median(before);
    if before.len() >= 2
        && before.iter().all(|a| near(*a, steady, PRICE_CHANGE_PERCENT))
        && !near(s.last_amount, steady, PRICE_CHANGE_PERCENT)
    {
        s.flags.push(Flag::PriceChange { from: steady, to: s.last_amount });
    }
    Some(s)
}

/// Whether `a` is within `percent` of `b` (integer arithmetic: money is never a float).
fn near(a: i64, b: i64, percent: i64) -> bool {
    (a - b).abs() * 100 <= percent * b.abs()
}

/// The median (of an even count, the lower middle: an amount some row really had).
pub(crate) fn median(values: &[i64]) -> i64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len().saturating_sub(1) / 2).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rows(payee: &str, amounts_dates: &[(i64, &str)]) -> Vec<Occurrence> {
        amounts_dates
            .iter()
            .map(|(amount, date)| Occurrence {
                account_id: 1,
                account: "Card".into(),
                date: d(date),
                amount: *amount,
                currency: "USD".into(),
                payee: payee.into(),
            })
            .collect()
    }

    #[test]
    fn payees_lose_their_numbers_and_keep_three_words() {
        assert_eq!(normalize("STARBUCKS #1234 SEATTLE WA"), "STARBUCKS SEATTLE WA");
        assert_eq!(normalize("Netflix.com 2026-11"), "NETFLIX COM");
        assert_eq!(normalize("12345"), "");
    }

    #[test]
    fn a_steady_subscription_whose_price_went_up_is_flagged() {
        let r = rows(
            "NETFLIX.COM",
            &[(-15_49, "2026-07-07"), (-15_49, "2026-08-07"), (-15_49, "2026-09-07"), (-17_99, "2026-10-07")],
        );
        let history = HashMap::from([(1, d("2025-01-01"))]);
        let found = detect(&r, &history, d("2026-10-20"));
        assert_eq!(found.len(), 1);
        let s = &found[0];
        assert_eq!(
            (s.cadence, s.typical, s.next_expected, s.active),
            (Cadence::Monthly, -15_49, d("2026-11-07"), true)
        );
        assert_eq!(flags(s), [Flag::PriceChange { from: -15_49, to: -17_99 }]);
        let lapsed = detect(&r, &history, d("2027-01-01"));
        assert!(!lapsed[0].active, "two months overdue");
    }

    #[test]
    fn a_new_subscription_needs_older_history_in_its_account() {
        let r = rows("GYM", &[(-30_00, "2026-08-03"), (-30_00, "2026-09-03"), (-30_00, "2026-10-03")]);
        let old = HashMap::from([(1, d("2025-01-01"))]);
        assert_eq!(flags(&detect(&r, &old, d("2026-10-10"))[0]), [Flag::NewSubscription { since: d("2026-08-03") }]);
        let young = HashMap::from([(1, d("2026-08-03"))]);
        assert!(flags(&detect(&r, &young, d("2026-10-10"))[0]).is_empty(), "the account's data starts with it");
    }

    #[test]
    fn yearly_needs_similar_amounts_when_seen_twice() {
        let history = HashMap::new();
        let renewal = rows("DOMAIN CO", &[(-12_00, "2025-03-10"), (-12_50, "2026-03-12")]);
        assert_eq!(detect(&renewal, &history, d("2026-04-01"))[0].cadence, Cadence::Yearly);
        let chance = rows("HARDWARE", &[(-12_00, "2025-03-10"), (-80_00, "2026-03-12")]);
        assert!(detect(&chance, &history, d("2026-04-01")).is_empty());
    }
}
