//! Transfers between one's own accounts (issue 11 item 8): two rows with opposite amounts in
//! one currency, in two different accounts, a few days apart, paired one-to-one with a
//! confidence and a reason ([`score`]). A pair confident enough marks both rows
//! (`transaction.transfer_id`, each pointing at the other), which is what reports leave out
//! of spending and income; a less confident one is only suggested. What the user decides
//! (confirm, or "not a transfer") is kept by the rows' stable ids and never undone here.
//!
//! Sync and import call [`detect`] on the rows they just wrote, inside their own transaction;
//! it is idempotent (a row in a pair is never paired again). Storage is `store::transfers`.

pub mod score;

use std::collections::{HashMap, HashSet};

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::error::UserError;
use crate::model::{TransferStatus, TxStatus};
use crate::store::transfers::{self as store, Leg, NewPair, Pair};
use crate::store::{Db, accounts};
use score::Rivals;

/// `[transfers]` in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Whether sync and import look for transfers at all.
    pub enabled: bool,
    /// How many days apart the two legs may be booked.
    pub window_days: u64,
    /// From this confidence (percent) on a pair counts without asking; below it, it is suggested.
    pub min_confidence: u8,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { enabled: true, window_days: 4, min_confidence: 70 }
    }
}

impl Settings {
    /// A window of more than a month pairs unrelated rows; a confidence over 100 pairs nothing.
    pub fn check(&self) -> Result<()> {
        if self.window_days > 31 || self.min_confidence > 100 {
            return Err(UserError::usage(format!(
                "[transfers] window_days = {} and min_confidence = {} are out of range",
                self.window_days, self.min_confidence
            ))
            .hint("window_days goes from 0 to 31, min_confidence from 0 to 100")
            .into());
        }
        Ok(())
    }
}

/// What one detection did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// New pairs that count (both rows marked).
    pub detected: u64,
    /// New pairs left for the user to confirm.
    pub suggested: u64,
}

/// Look for transfers among these rows (the ids a sync page touched). Rows that were in a pair
/// detection made and no longer fit it (removed upstream, amount changed) leave it first.
pub fn detect_rows(db: &Db, settings: &Settings, ids: &[i64], now: DateTime<Utc>) -> Result<Found> {
    if !settings.enabled || ids.is_empty() {
        return Ok(Found::default());
    }
    let mut free = Vec::new();
    for leg in store::legs(db, ids)? {
        let mut paired = false;
        for p in store::of_row(db, leg.account_id, &leg.external_id)? {
            if matches!(p.status, TransferStatus::Detected | TransferStatus::Suggested) && !still_fits(&p, &leg) {
                store::delete(db, &p)?;
            } else {
                paired |= p.status != TransferStatus::Rejected;
            }
        }
        if !paired {
            free.push(leg);
        }
    }
    detect(db, settings, free, now)
}

/// Look for transfers among an account's rows booked between two dates (an import's rows).
pub fn detect_between(
    db: &Db,
    settings: &Settings,
    spans: &[(i64, chrono::NaiveDate, chrono::NaiveDate)],
    now: DateTime<Utc>,
) -> Result<Found> {
    if !settings.enabled {
        return Ok(Found::default());
    }
    let currencies = store::accounts(db)?;
    let mut legs = Vec::new();
    for &(account, from, to) in spans {
        // An account alone in its currency has no other side: a big import skips the work.
        let currency = currencies.iter().find(|(id, _)| *id == account).map(|(_, c)| c);
        if currencies.iter().any(|(id, c)| *id != account && Some(c) == currency) {
            legs.extend(store::unpaired_between(db, account, from, to, settings.window_days)?);
        }
    }
    detect(db, settings, legs, now)
}

/// Every stored row (`tally transfers detect`): pairs that count get their marks back (a
/// replay rebuilds rows without them), then every row in no pair is looked at.
pub fn detect_all(db: &Db, settings: &Settings, now: DateTime<Utc>) -> Result<Found> {
    for p in store::unmarked(db)? {
        store::remark(db, &p)?;
    }
    let spans: Vec<_> =
        store::accounts(db)?.into_iter().map(|(id, _)| (id, chrono::NaiveDate::MIN, chrono::NaiveDate::MAX)).collect();
    detect_between(db, settings, &spans, now)
}

/// Whether a row still fits the pair it is in: live, and the amount the pair was made for.
fn still_fits(p: &Pair, leg: &Leg) -> bool {
    let (this, other) = if p.from.account_id == leg.account_id && p.from.external_id == leg.external_id {
        (&p.from, &p.to)
    } else {
        (&p.to, &p.from)
    };
    leg.status == TxStatus::Posted
        && this.amount == Some(leg.amount)
        && other.amount == Some(-leg.amount)
        && other.currency.as_deref() == Some(leg.currency.as_str())
}

/// One possible pair: money out, money in, days apart.
struct Edge {
    from: Leg,
    to: Leg,
    days: u64,
}

/// Pair `legs` (rows in no pair but perhaps a rejected one) with free rows of other accounts.
fn detect(db: &Db, settings: &Settings, legs: Vec<Leg>, now: DateTime<Utc>) -> Result<Found> {
    let currencies: HashMap<i64, String> = store::accounts(db)?.into_iter().collect();
    let names: HashMap<i64, String> = accounts::list(db)?.into_iter().map(|a| (a.id, a.name)).collect();
    let free: Vec<Leg> =
        legs.into_iter().filter(|l| l.status == TxStatus::Posted && l.transfer_id.is_none() && l.amount != 0).collect();
    let mut edges = Vec::new();
    let mut seen = HashSet::new();
    for leg in &free {
        for other in others(db, &currencies, leg, settings.window_days)? {
            let (from, to) = if leg.amount < 0 { (leg.clone(), other) } else { (other, leg.clone()) };
            if !seen.insert((from.id, to.id))
                || score::ruled_out(&from, &to).is_some()
                || store::rejected(db, &from, &to)?
            {
                continue;
            }
            let days = (to.date - from.date).num_days().unsigned_abs();
            edges.push(Edge { from, to, days });
        }
    }
    // Closest first, then oldest rows: two equal transfers on one day pair in order, not crosswise.
    edges.sort_by_key(|e| (e.days, e.from.date, e.from.id, e.to.id));
    let mut used = HashSet::new();
    let mut chosen = Vec::new();
    for e in edges {
        if used.contains(&e.from.id) || used.contains(&e.to.id) {
            continue;
        }
        used.insert(e.from.id);
        used.insert(e.to.id);
        // Rivals are counted before anything is stored, so equal pairs get equal confidence.
        let rivals = rivals(db, &currencies, &e, settings.window_days)?;
        chosen.push((e, rivals));
    }
    let mut found = Found::default();
    for (e, rivals) in chosen {
        let name = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("account {id}"));
        let (confidence, reason) =
            score::score(&e.from, &e.to, &name(e.from.account_id), &name(e.to.account_id), rivals);
        let status = if confidence >= settings.min_confidence {
            found.detected += 1;
            TransferStatus::Detected
        } else {
            found.suggested += 1;
            TransferStatus::Suggested
        };
        let pair = NewPair { from: &e.from, to: &e.to, status, confidence, reason: &reason };
        store::insert(db, &pair, now)?;
    }
    Ok(found)
}

/// Free rows in the other accounts of `leg`'s currency that could be its other side.
fn others(db: &Db, currencies: &HashMap<i64, String>, leg: &Leg, days: u64) -> Result<Vec<Leg>> {
    let mut out = Vec::new();
    let mut ids: Vec<i64> = currencies.iter().filter(|(_, c)| **c == leg.currency).map(|(id, _)| *id).collect();
    ids.sort_unstable();
    for account in ids.into_iter().filter(|a| *a != leg.account_id) {
        out.extend(store::free_near(db, account, -leg.amount, leg.date, days)?);
    }
    Ok(out)
}

/// Rows as near as the chosen partner that could have been either leg's other side.
fn rivals(db: &Db, currencies: &HashMap<i64, String>, e: &Edge, window: u64) -> Result<Rivals> {
    let mut r = Rivals::default();
    for (leg, partner) in [(&e.from, &e.to), (&e.to, &e.from)] {
        let mut alike = 0;
        for other in others(db, currencies, leg, window.min(e.days))? {
            if other.id == partner.id || other.id == leg.id {
                continue;
            }
            let (from, to) = if leg.amount < 0 { (leg, &other) } else { (&other, leg) };
            if score::ruled_out(from, to).is_some() || store::rejected(db, from, to)? {
                continue;
            }
            if other.account_id == partner.account_id {
                alike += 1;
            } else {
                r.elsewhere += 1;
            }
        }
        // Two equal transfers: each leg has one rival, and they are the same two pairs.
        r.alike = r.alike.max(alike);
    }
    Ok(r)
}

/// `tally transfers confirm`: the pair counts, whatever detection thought of it.
pub fn confirm(db: &Db, id: i64, now: DateTime<Utc>) -> Result<Pair> {
    let p = existing(db, id)?;
    for side in [&p.from, &p.to] {
        if side.row.is_none() {
            return Err(UserError::usage(format!("transfer {id}: the row in {} is gone", side.account))
                .hint("it was removed from the account; nothing is left to pair")
                .into());
        }
        let taken = store::of_row(db, side.account_id, &side.external_id)?
            .into_iter()
            .find(|q| q.id != id && store::counts(q.status));
        if let Some(q) = taken {
            return Err(UserError::usage(format!(
                "transfer {id}: its row in {} is already in transfer {}",
                side.account, q.id
            ))
            .hint(format!("unlink that one first: `tally transfers unlink {}`", q.id))
            .into());
        }
    }
    store::set_status(db, &p, TransferStatus::Confirmed, now)?;
    existing(db, id)
}

/// `tally transfers unlink`: not a transfer; detection will not pair these two rows again.
pub fn unlink(db: &Db, id: i64, now: DateTime<Utc>) -> Result<Pair> {
    let p = existing(db, id)?;
    store::set_status(db, &p, TransferStatus::Rejected, now)?;
    existing(db, id)
}

fn existing(db: &Db, id: i64) -> Result<Pair> {
    store::by_id(db, id)?.ok_or_else(|| {
        UserError::usage(format!("there is no transfer {id}"))
            .hint("`tally transfers list` shows the transfers and their ids")
            .into()
    })
}
