//! Pending to posted when the provider does not say which pending row a posted one replaces:
//! an explained heuristic, and the expiry of pending rows that never post.
//!
//! A posted transaction takes over a live pending row of the same account when all hold:
//! - the amount has the same sign and grew by at most `TIP_PERCENT` (a tip), or is equal;
//! - it was booked 0 to `MAX_DRIFT_DAYS` days after the pending one;
//! - their payees or descriptions share most of their words.
//!
//! The closest candidate wins (date, then amount). Each pending row is claimed once, so two
//! identical coffees on one day stay two rows.

use anyhow::Result;
use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::model::NewTransaction;
use crate::money::{Currency, format_amount};
use crate::store::{Db, transactions as txs};

pub const TIP_PERCENT: i64 = 30;
pub const MAX_DRIFT_DAYS: u64 = 5;
/// A pending row older than this that never posted is dropped.
pub const EXPIRY_DAYS: u64 = 14;

/// The pending row `posted` most likely replaces, and why.
pub fn find(db: &Db, account_id: i64, posted: &NewTransaction) -> Result<Option<(txs::Transaction, String)>> {
    if posted.pending {
        return Ok(None);
    }
    let from = posted.booked_date - Days::new(MAX_DRIFT_DAYS);
    let candidates = txs::pending_between(db, account_id, from, posted.booked_date)?;
    let best = candidates
        .into_iter()
        .filter(|p| p.currency == posted.currency.code() && tip_ok(p.amount, posted.amount))
        .filter_map(|p| similar(&p, posted).map(|words| (p, words)))
        .min_by_key(|(p, _)| ((posted.booked_date - p.booked_date).num_days(), (posted.amount - p.amount).abs(), p.id));
    Ok(best.map(|(p, words)| {
        let reason = explain(p.amount, p.booked_date, posted, &words);
        (p, reason)
    }))
}

/// Why `posted` took over the pending row booked on `pending_date` for `pending_amount`.
fn explain(pending_amount: i64, pending_date: NaiveDate, posted: &NewTransaction, words: &str) -> String {
    let days = (posted.booked_date - pending_date).num_days();
    let amount = if pending_amount == posted.amount {
        "same amount".to_string()
    } else {
        let grew = (i128::from(posted.amount) - i128::from(pending_amount)).abs() * 100
            / i128::from(pending_amount).abs().max(1);
        format!("{} (+{grew}%)", amount_change(pending_amount, posted.amount, posted.currency))
    };
    format!(
        "matched by heuristic: same account, {amount}, posted {days} day{} later, shared words: {words}",
        if days == 1 { "" } else { "s" }
    )
}

/// `amount changed from -37.28 to -43.99`: in the currency's units, as people read amounts
/// everywhere else (the rows hold minor units).
pub fn amount_change(pending: i64, posted: i64, currency: Currency) -> String {
    format!("amount changed from {} to {}", format_amount(pending, currency), format_amount(posted, currency))
}

/// Same sign, and the posted amount is the pending one plus at most `TIP_PERCENT`.
fn tip_ok(pending: i64, posted: i64) -> bool {
    // Widened: a lying server's amounts must not overflow the arithmetic.
    let (p, q) = (i128::from(pending).abs(), i128::from(posted).abs());
    pending.signum() == posted.signum() && q >= p && (q - p) * 100 <= p * i128::from(TIP_PERCENT)
}

/// The words two descriptions (or payees) share, when they share most of the shorter one's.
fn similar(pending: &txs::Transaction, posted: &NewTransaction) -> Option<String> {
    let pairs = [
        (pending.payee.as_deref(), posted.payee.as_deref()),
        (Some(pending.description.as_str()), Some(posted.description.as_str())),
    ];
    pairs.into_iter().find_map(|pair| match pair {
        (Some(a), Some(b)) => shared_words(a, b),
        _ => None,
    })
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 2 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

fn shared_words(a: &str, b: &str) -> Option<String> {
    let (wa, wb) = (words(a), words(b));
    let shared: Vec<&String> = wa.iter().filter(|w| wb.contains(w)).collect();
    let shorter = wa.len().min(wb.len());
    (shorter > 0 && shared.len() * 2 >= shorter)
        .then(|| shared.iter().map(|w| w.as_str()).collect::<Vec<_>>().join(" "))
}

/// Drop pending rows that have waited longer than `EXPIRY_DAYS` without posting.
pub fn expire(db: &Db, account_id: i64, today: NaiveDate, now: DateTime<Utc>) -> Result<usize> {
    Ok(expire_ids(db, account_id, today, now)?.len())
}

/// [`expire`], returning the ids of the rows it dropped.
pub fn expire_ids(db: &Db, account_id: i64, today: NaiveDate, now: DateTime<Utc>) -> Result<Vec<i64>> {
    let before = today - Days::new(EXPIRY_DAYS);
    let Some(last) = before.pred_opt() else { return Ok(Vec::new()) };
    let ever = NaiveDate::from_ymd_opt(1, 1, 1).expect("a valid date");
    let ids: Vec<i64> = txs::pending_between(db, account_id, ever, last)?.iter().map(|t| t.id).collect();
    let reason = format!("pending for more than {EXPIRY_DAYS} days without posting: expired");
    txs::expire_pending(db, account_id, before, &reason, now)?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::{amount_change, explain};
    use crate::model::NewTransaction;
    use crate::money::Currency;

    fn posted(day: u32, amount: i64, currency: &str) -> NewTransaction {
        NewTransaction {
            external_id: "q".into(),
            pending_external_id: None,
            booked_date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            value_date: None,
            amount,
            currency: Currency::parse(currency).unwrap(),
            payee: None,
            description: "SQ *NOPA".into(),
            pending: false,
            provider_category: None,
        }
    }

    #[test]
    fn the_heuristic_s_reason_speaks_currency_units() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let reason = explain(-3728, day(20), &posted(22, -4399, "USD"), "nopa");
        assert_eq!(
            reason,
            "matched by heuristic: same account, amount changed from -37.28 to -43.99 (+17%), posted 2 days \
             later, shared words: nopa"
        );
        let reason = explain(-1500, day(21), &posted(22, -1800, "JPY"), "nopa");
        assert!(reason.contains("amount changed from -1500 to -1800 (+20%), posted 1 day later"), "{reason}");
        let reason = explain(-12345, day(22), &posted(22, -12345, "KWD"), "nopa");
        assert!(reason.contains("same amount, posted 0 days later"), "{reason}");
    }

    #[test]
    fn amount_changes_speak_the_currency_s_units() {
        let at = |code| Currency::parse(code).unwrap();
        assert_eq!(amount_change(-3728, -4399, at("USD")), "amount changed from -37.28 to -43.99");
        assert_eq!(amount_change(-1500, -1800, at("JPY")), "amount changed from -1500 to -1800");
        assert_eq!(amount_change(-12345, -12500, at("KWD")), "amount changed from -12.345 to -12.500");
    }
}
