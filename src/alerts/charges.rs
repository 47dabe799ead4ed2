//! The alerts found in charges alone: a charge far above its payee's usual amount, and one
//! charge that looks booked twice. Pure functions over `store::alerts::Charge`s, oldest first.

use std::collections::{BTreeMap, VecDeque};

use chrono::NaiveDate;

use super::{Alert, Kind, Settings};
use crate::recurring::{median, normalize};
use crate::store::alerts::Charge;

/// Charges dated on or after `since` whose amount is more than the factor times the median of
/// at least `min_history` earlier charges of the same payee and currency. A first charge has
/// no usual amount, so it is never unusual.
pub fn unusual(charges: &[Charge], s: &Settings, since: NaiveDate) -> Vec<Alert> {
    let mut earlier: BTreeMap<(String, &str), VecDeque<i64>> = BTreeMap::new();
    let mut out = Vec::new();
    for c in charges {
        let key = normalize(&c.payee);
        if key.is_empty() {
            continue;
        }
        let history = earlier.entry((key, c.currency.as_str())).or_default();
        let amount = c.amount.unsigned_abs();
        if c.date >= since && history.len() >= s.min_history as usize {
            let usual = median(history.make_contiguous());
            if i128::from(amount) * 100 > i128::from(usual) * i128::from(s.unusual_percent) {
                out.push(Alert {
                    kind: Kind::Unusual,
                    subject: c.id.to_string(),
                    date: c.date,
                    message: format!(
                        "{} charged {}, usually {} ({} earlier charges)",
                        c.payee,
                        super::amount_text(c.amount.abs(), &c.currency),
                        super::amount_text(usual, &c.currency),
                        history.len()
                    ),
                    amount: Some(c.amount.abs()),
                    currency: Some(c.currency.clone()),
                    rows: vec![c.clone()],
                });
            }
        }
        // The payee's latest charges say what is usual now (and a busy payee's median costs
        // a sort of at most this many, not of its whole history, for every recent charge).
        if history.len() == USUAL_OF {
            history.pop_front();
        }
        history.push_back(i64::try_from(amount).unwrap_or(i64::MAX));
    }
    out
}

/// How many of a payee's latest charges its usual amount is the median of.
const USUAL_OF: usize = 100;

/// Charges of one account, amount, currency and payee at most `duplicate_days` apart, as one
/// alert per run of them (the latest dated on or after `since`). A pending row and a posted
/// row are never each other's duplicate: the pending one is on its way to being the posted one
/// (sync links those it can), and a refund is money in, so never a charge.
pub fn duplicates(charges: &[Charge], s: &Settings, since: NaiveDate) -> Vec<Alert> {
    let mut groups: BTreeMap<(i64, i64, &str, String, bool), Vec<&Charge>> = BTreeMap::new();
    for c in charges {
        let key = normalize(&c.payee);
        if !key.is_empty() {
            groups.entry((c.account_id, c.amount, c.currency.as_str(), key, c.pending)).or_default().push(c);
        }
    }
    let mut out = Vec::new();
    for rows in groups.values() {
        let mut run: Vec<&Charge> = Vec::new();
        for c in rows.iter().copied() {
            if run.last().is_some_and(|prev| (c.date - prev.date).num_days() > i64::from(s.duplicate_days)) {
                out.extend(duplicate(&run, since));
                run.clear();
            }
            run.push(c);
        }
        out.extend(duplicate(&run, since));
    }
    out.sort_by_key(|a| a.date);
    out
}

fn duplicate(run: &[&Charge], since: NaiveDate) -> Option<Alert> {
    let (first, last) = (run.first()?, run.last()?);
    if run.len() < 2 || last.date < since {
        return None;
    }
    let when = if first.date == last.date {
        format!("on {}", last.date)
    } else {
        format!("from {} to {}", first.date, last.date)
    };
    let rows: Vec<Charge> = run.iter().map(|c| (*c).clone()).collect();
    Some(Alert {
        kind: Kind::Duplicate,
        subject: super::ids(&rows),
        date: last.date,
        message: format!(
            "{}: {} charges of {} in {} {when}",
            last.payee,
            run.len(),
            super::amount_text(last.amount.abs(), &last.currency),
            last.account
        ),
        amount: Some(last.amount.abs()),
        currency: Some(last.currency.clone()),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn charge(id: i64, date: &str, amount: i64, payee: &str) -> Charge {
        Charge {
            id,
            account_id: 1,
            account: "Card".into(),
            date: d(date),
            amount,
            currency: "USD".into(),
            payee: payee.into(),
            ..Charge::default()
        }
    }

    #[test]
    fn a_charge_is_unusual_above_the_factor_times_the_median_of_enough_history() {
        let s = Settings::default();
        let mut rows: Vec<Charge> =
            (1..=3).map(|i| charge(i, &format!("2026-0{i}-05"), -20_00, "CORNER SHOP #12")).collect();
        rows.push(charge(4, "2026-11-05", -60_00, "CORNER SHOP #99"));
        assert!(unusual(&rows, &s, d("2026-11-01")).is_empty(), "exactly 3x is not above it");
        rows.push(charge(5, "2026-11-06", -60_01, "CORNER SHOP"));
        let found = unusual(&rows, &s, d("2026-11-01"));
        assert_eq!(found.iter().map(|a| a.rows[0].id).collect::<Vec<_>>(), [5]);
        assert!(unusual(&rows[..2], &s, d("2026-01-01")).is_empty(), "too little history");
        assert!(unusual(&rows, &s, d("2026-11-07")).is_empty(), "before the window");
    }

    #[test]
    fn what_is_usual_is_the_payees_latest_charges_not_its_whole_history() {
        // Two hundred charges at 10.00, then a hundred at 50.00 (the price went up): 120.00 is
        // unusual against the whole history's median (10.00) but not against the latest (50.00).
        let s = Settings::default();
        let mut rows: Vec<Charge> = (0..300)
            .map(|i| {
                let day = d("2025-01-01") + chrono::Days::new(i);
                charge(i as i64, &day.to_string(), if i < 200 { -10_00 } else { -50_00 }, "GYM")
            })
            .collect();
        rows.push(charge(300, "2026-11-05", -12_000, "GYM"));
        assert!(unusual(&rows, &s, d("2026-11-01")).is_empty());
        rows.push(charge(301, "2026-11-06", -15_001, "GYM"));
        assert_eq!(unusual(&rows, &s, d("2026-11-01")).len(), 1, "above 3x the latest median");
    }

    #[test]
    fn equal_charges_close_together_are_duplicates_far_apart_or_pending_posted_are_not() {
        let s = Settings::default();
        let two = [charge(1, "2026-11-03", -17_99, "NETFLIX"), charge(2, "2026-11-04", -17_99, "NETFLIX")];
        let found = duplicates(&two, &s, d("2026-11-01"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rows.iter().map(|c| c.id).collect::<Vec<_>>(), [1, 2]);
        let month_apart = [charge(1, "2026-10-03", -17_99, "NETFLIX"), charge(2, "2026-11-03", -17_99, "NETFLIX")];
        assert!(duplicates(&month_apart, &s, d("2026-10-01")).is_empty());
        let pending = [charge(1, "2026-11-03", -17_99, "NETFLIX"), Charge { pending: true, ..two[1].clone() }];
        assert!(duplicates(&pending, &s, d("2026-11-01")).is_empty());
        let other_amount = [two[0].clone(), charge(2, "2026-11-04", -18_00, "NETFLIX")];
        assert!(duplicates(&other_amount, &s, d("2026-11-01")).is_empty());
        let tight = Settings { duplicate_days: 0, ..s };
        assert!(duplicates(&two, &tight, d("2026-11-01")).is_empty(), "a day apart, same day only");
    }
}
