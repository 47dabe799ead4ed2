//! The reconciler: applies one upstream change for one account to the stored rows. Shared by
//! every provider and importer; nothing here knows where a change came from.
//!
//! - A known external id is updated in place (or left alone when nothing changed).
//! - A posted row naming a pending one (the provider's own link) takes over that row: one
//!   purchase, one row, the link and its reason kept. It works in either order of arrival.
//! - Without such a link, `pending::find`'s explained heuristic may pair them instead.
//! - A removal keeps the row and marks it removed; it drops out of every listing and report.
//! - A pending row whose posted row already took it over is not stored again (a sync from the
//!   start, after a relink, replays the authorization before its posting).

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension as _;

use crate::categorize::Categorizer;
use crate::model::{Change, NewTransaction, TxStatus};
use crate::store::{Db, transactions as txs};

/// What applying a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Added,
    Modified,
    Removed,
    /// A pending row taken over by its posted row: one purchase, one row.
    Posted,
    /// A removed row the provider lists again: it is back in the user's listings.
    Revived,
    Unchanged,
    /// An imported row that is a row we already had from another source.
    Matched,
}

/// The stored rows one file's rows have already claimed.
#[derive(Debug, Default)]
pub struct Claims {
    ids: std::collections::HashSet<i64>,
    /// An account empty before this file can only match this file's own rows, all of which
    /// are claimed: no lookups needed (a first import of a long history).
    account_had_rows: bool,
}

impl Claims {
    pub fn for_account(db: &Db, account_id: i64) -> Result<Claims> {
        let any: Option<i64> = db
            .query_row("SELECT 1 FROM \"transaction\" WHERE account_id = ?1 LIMIT 1", [account_id], |r| r.get(0))
            .optional()?;
        Ok(Claims { ids: Default::default(), account_had_rows: any.is_some() })
    }
}

/// How far apart a statement's date and a synced row's date may be for the same purchase.
pub const IMPORT_DATE_TOLERANCE_DAYS: u64 = 3;

/// What applying one imported row did, and whether a new row got a category as it landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    pub effect: Effect,
    pub categorized: bool,
}

/// Apply one imported row: [`apply_imported_all`] with one row.
pub fn apply_imported(
    db: &Db,
    account_id: i64,
    t: &NewTransaction,
    raw_record_id: Option<i64>,
    categorizer: &Categorizer,
    claims: &mut Claims,
    now: DateTime<Utc>,
) -> Result<Effect> {
    let applied = apply_imported_all(db, account_id, &[t], raw_record_id, categorizer, claims, now)?;
    Ok(applied[0].effect)
}

/// Apply imported rows of one account, in order. Each row's own id first (re-importing changes
/// nothing); else a stored row of the same amount within a few days that no other row of this
/// file has claimed (the same purchase, synced or from another statement); else a new row.
/// `claims` is per file, so two identical purchases on one day stay two rows.
///
/// The new rows go in together ([`txs::insert_many`]) once their lookups are done, which
/// changes nothing a lookup sees: a file's own rows are claimed, so they never match by
/// amount, and a row repeating the id of a row still waiting sends those in first.
pub fn apply_imported_all(
    db: &Db,
    account_id: i64,
    rows: &[&NewTransaction],
    raw_record_id: Option<i64>,
    categorizer: &Categorizer,
    claims: &mut Claims,
    now: DateTime<Utc>,
) -> Result<Vec<Applied>> {
    let mut out = vec![Applied { effect: Effect::Unchanged, categorized: false }; rows.len()];
    let mut waiting: Vec<usize> = Vec::new();
    let mut waiting_ids: std::collections::HashSet<&str> = Default::default();
    let land = |waiting: &mut Vec<usize>, claims: &mut Claims, out: &mut [Applied]| -> Result<()> {
        let decided: Vec<_> =
            waiting.iter().map(|&i| (rows[i], categorizer.categorize_in(account_id, rows[i]))).collect();
        let batch: Vec<_> = decided.iter().map(|(t, c)| (*t, c.as_ref())).collect();
        let ids = txs::insert_many(db, account_id, &batch, raw_record_id, now)?;
        for ((&i, id), (_, category)) in waiting.iter().zip(ids).zip(&decided) {
            let t = rows[i];
            out[i] = match id {
                Some(id) => {
                    categorizer.land(db, id, account_id, t)?;
                    if claims.account_had_rows {
                        claims.ids.insert(id);
                    }
                    Applied { effect: Effect::Added, categorized: category.is_some() }
                }
                // A row repeating the id of one stored already (the file repeats an id).
                None => {
                    Applied { effect: upsert(db, account_id, t, raw_record_id, categorizer, now)?, categorized: false }
                }
            };
        }
        waiting.clear();
        Ok(())
    };
    for (i, t) in rows.iter().enumerate() {
        if claims.account_had_rows {
            if waiting_ids.contains(t.external_id.as_str()) {
                land(&mut waiting, claims, &mut out)?;
                waiting_ids.clear();
            }
            if let Some(row) = txs::by_external_id(db, account_id, &t.external_id)? {
                claims.ids.insert(row.id);
                out[i].effect = upsert(db, account_id, t, raw_record_id, categorizer, now)?;
                continue;
            }
            let candidates = txs::near(db, account_id, t.amount, t.booked_date, IMPORT_DATE_TOLERANCE_DAYS)?;
            if let Some(row) = candidates.into_iter().find(|r| !claims.ids.contains(&r.id)) {
                claims.ids.insert(row.id);
                out[i].effect = Effect::Matched;
                continue;
            }
            waiting_ids.insert(&t.external_id);
        }
        waiting.push(i);
    }
    land(&mut waiting, claims, &mut out)?;
    Ok(out)
}

pub fn apply(
    db: &Db,
    account_id: i64,
    change: &Change,
    raw_record_id: Option<i64>,
    categorizer: &Categorizer,
    now: DateTime<Utc>,
) -> Result<Effect> {
    match change {
        Change::Upsert(t) => upsert(db, account_id, t, raw_record_id, categorizer, now),
        Change::Remove { external_id } => match txs::by_external_id(db, account_id, external_id)? {
            Some(row) if row.status != TxStatus::Removed => {
                txs::mark_removed(db, row.id, now)?;
                Ok(Effect::Removed)
            }
            // Unknown (never delivered, or already replaced by its posted row) or already removed.
            _ => Ok(Effect::Unchanged),
        },
    }
}

fn upsert(
    db: &Db,
    account_id: i64,
    t: &NewTransaction,
    raw_record_id: Option<i64>,
    categorizer: &Categorizer,
    now: DateTime<Utc>,
) -> Result<Effect> {
    let category = categorizer.categorize_in(account_id, t);
    if let Some(row) = txs::by_external_id(db, account_id, &t.external_id)? {
        if same(&row, t) {
            return Ok(Effect::Unchanged);
        }
        txs::update(db, row.id, t, category.as_ref(), raw_record_id, now)?;
        return Ok(if row.status == TxStatus::Removed { Effect::Revived } else { Effect::Modified });
    }
    if let Some(pending_id) = &t.pending_external_id {
        // The row may be live or already marked removed (the removal arrived first).
        if let Some(pending) = txs::by_external_id(db, account_id, pending_id)? {
            txs::update(db, pending.id, t, category.as_ref(), raw_record_id, now)?;
            let reason = if pending.amount == t.amount {
                format!("the bank says posted {} replaces pending {pending_id}", t.external_id)
            } else {
                let change = super::pending::amount_change(pending.amount, t.amount, t.currency);
                format!("the bank says posted {} replaces pending {pending_id} ({change})", t.external_id)
            };
            txs::set_pending_link(db, pending.id, pending_id, &reason)?;
            return Ok(Effect::Posted);
        }
    }
    // No link from the provider at all: try the explained heuristic. (A provider that names a
    // pending id we never received merged it away; guessing another row would be wrong.)
    if t.pending_external_id.is_none()
        && let Some((pending, reason)) = super::pending::find(db, account_id, t)?
    {
        txs::update(db, pending.id, t, category.as_ref(), raw_record_id, now)?;
        txs::set_pending_link(db, pending.id, &pending.external_id, &reason)?;
        return Ok(Effect::Posted);
    }
    // An authorization we already hold as its posted row: the feed replays history.
    if t.pending && txs::replacing(db, account_id, &t.external_id)?.is_some() {
        return Ok(Effect::Unchanged);
    }
    let id = txs::insert(db, account_id, t, category.as_ref(), raw_record_id, now)?;
    categorizer.land(db, id, account_id, t)?;
    Ok(Effect::Added)
}

/// Whether the stored row already says what `t` says.
fn same(row: &txs::Transaction, t: &NewTransaction) -> bool {
    row.status == txs::status_of(t)
        && row.booked_date == t.booked_date
        && row.value_date == t.value_date
        && row.amount == t.amount
        && row.currency == t.currency.code()
        && row.payee == t.payee
        && row.description == t.description
        && row.provider_category == t.provider_category
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::store::{Store, accounts, connections};
    use chrono::NaiveDate;

    fn setup() -> (Store, i64, Categorizer) {
        let store = Store::in_memory().unwrap();
        let now = Utc::now();
        let c = connections::insert(
            store.db(),
            &connections::NewConnection {
                name: "t",
                provider: "sandbox",
                institution: "i",
                consent_expires_at: None,
                secret_ref: "r",
                created_at: now,
            },
        )
        .unwrap();
        let a = accounts::insert(
            store.db(),
            &accounts::NewAccount {
                connection_id: Some(c),
                external_id: "a",
                identity: None,
                name: "A",
                official_name: None,
                kind: "checking",
                currency: "USD",
                mask: None,
                tracked: true,
            },
            now,
        )
        .unwrap();
        let cat = Categorizer::for_provider(store.db(), "sandbox").unwrap();
        (store, a, cat)
    }

    fn tx(id: &str, amount: i64, pending: bool, pending_id: Option<&str>) -> Change {
        Change::Upsert(NewTransaction {
            external_id: id.into(),
            pending_external_id: pending_id.map(Into::into),
            booked_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            value_date: None,
            amount,
            currency: Currency::parse("USD").unwrap(),
            payee: None,
            description: "SQ *NOPA".into(),
            pending,
            provider_category: Some("FOOD_AND_DRINK_RESTAURANT".into()),
        })
    }

    /// A transaction the way a window provider states it: no pending link.
    fn bare(id: &str, day: u32, amount: i64, pending: bool, description: &str) -> Change {
        Change::Upsert(NewTransaction {
            external_id: id.into(),
            pending_external_id: None,
            booked_date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            value_date: None,
            amount,
            currency: Currency::parse("USD").unwrap(),
            payee: None,
            description: description.into(),
            pending,
            provider_category: None,
        })
    }

    fn rows(store: &Store) -> Vec<txs::Transaction> {
        txs::list(store.db(), &Default::default()).unwrap()
    }

    /// Rows applied together land as they would one by one: the same effects, the same rows.
    #[test]
    fn a_block_of_imported_rows_lands_as_rows_one_by_one_would() {
        let stated = |id: &str, day: u32, amount: i64| match bare(id, day, amount, false, "CARD PAYMENT") {
            Change::Upsert(t) => t,
            Change::Remove { .. } => unreachable!(),
        };
        // Before: a synced row (matched by amount), a row the file names by id (updated).
        let before = [stated("s1", 10, -500), stated("x1", 11, -700)];
        // The file: new rows, one repeating an earlier id of its own, one repeating a stored id,
        // one matching the synced row by amount, two identical purchases.
        let file = [
            stated("f1", 10, -100),
            stated("f2", 10, -500),
            stated("f1", 10, -150),
            stated("x1", 11, -750),
            stated("f3", 12, -200),
            stated("f4", 12, -200),
        ];
        let land = |together: bool, fresh: bool| {
            let (store, a, cat) = setup();
            let (db, now) = (store.db(), Utc::now());
            if !fresh {
                for t in &before {
                    apply(db, a, &Change::Upsert(t.clone()), None, &cat, now).unwrap();
                }
            }
            let mut claims = Claims::for_account(db, a).unwrap();
            let effects: Vec<Effect> = if together {
                let rows: Vec<&NewTransaction> = file.iter().collect();
                apply_imported_all(db, a, &rows, None, &cat, &mut claims, now)
                    .unwrap()
                    .iter()
                    .map(|x| x.effect)
                    .collect()
            } else {
                file.iter().map(|t| apply_imported(db, a, t, None, &cat, &mut claims, now).unwrap()).collect()
            };
            let mut stored: Vec<_> =
                rows(&store).into_iter().map(|r| (r.external_id, r.booked_date, r.amount, r.status)).collect();
            stored.sort_by(|x, y| x.0.cmp(&y.0));
            (effects, stored)
        };
        for fresh in [true, false] {
            let (one_by_one, together) = (land(false, fresh), land(true, fresh));
            assert_eq!(one_by_one, together, "fresh account: {fresh}");
            assert_eq!(together.1.iter().filter(|r| r.0 == "f1").count(), 1, "a repeated id is one row");
        }
        let (effects, stored) = land(true, false);
        use Effect::*;
        assert_eq!(effects, [Added, Matched, Modified, Modified, Added, Added]);
        assert_eq!(stored.len(), 5, "s1 matched, x1 updated, f1 once, f3 and f4: {stored:?}");
    }

    #[test]
    fn posted_takes_over_its_pending_row_in_either_order() {
        for removal_first in [false, true] {
            let (store, a, cat) = setup();
            let db = store.db();
            let now = Utc::now();
            assert_eq!(apply(db, a, &tx("p1", -4000, true, None), None, &cat, now).unwrap(), Effect::Added);
            let remove = Change::Remove { external_id: "p1".into() };
            if removal_first {
                assert_eq!(apply(db, a, &remove, None, &cat, now).unwrap(), Effect::Removed);
            }
            assert_eq!(apply(db, a, &tx("q1", -4800, false, Some("p1")), None, &cat, now).unwrap(), Effect::Posted);
            if !removal_first {
                assert_eq!(apply(db, a, &remove, None, &cat, now).unwrap(), Effect::Unchanged);
            }
            let all = rows(&store);
            assert_eq!(all.len(), 1, "one purchase, one row");
            assert_eq!((all[0].amount, all[0].status), (-4800, TxStatus::Posted));
            assert!(all[0].link_reason.as_deref().unwrap().contains("amount changed"));
            assert_eq!(all[0].category.as_deref(), Some("Food:Restaurants"));
        }
    }

    #[test]
    fn a_feed_replayed_from_the_start_leaves_a_posted_purchase_alone() {
        let (store, a, cat) = setup();
        let db = store.db();
        let now = Utc::now();
        apply(db, a, &tx("p1", -4000, true, None), None, &cat, now).unwrap();
        apply(db, a, &tx("q1", -4800, false, Some("p1")), None, &cat, now).unwrap();
        // A relink resets the cursor: the authorization, its posting and its removal again.
        let remove = Change::Remove { external_id: "p1".into() };
        for change in [tx("p1", -4000, true, None), tx("q1", -4800, false, Some("p1")), remove] {
            assert_eq!(apply(db, a, &change, None, &cat, now).unwrap(), Effect::Unchanged, "{change:?}");
        }
        assert_eq!(rows(&store).len(), 1);
        assert_eq!(txs::count_by_status(db, TxStatus::Removed).unwrap(), 0, "no ghost of the authorization");
    }

    #[test]
    fn a_removed_row_listed_again_is_revived() {
        let (store, a, cat) = setup();
        let (db, now) = (store.db(), Utc::now());
        apply(db, a, &tx("hold", -20000, true, None), None, &cat, now).unwrap();
        apply(db, a, &Change::Remove { external_id: "hold".into() }, None, &cat, now).unwrap();
        assert_eq!(apply(db, a, &tx("hold", -20000, true, None), None, &cat, now).unwrap(), Effect::Revived);
        assert_eq!(rows(&store).len(), 1, "listed again");
    }

    #[test]
    fn reapplying_is_a_no_op_and_removed_rows_stay_but_hide() {
        let (store, a, cat) = setup();
        let db = store.db();
        let now = Utc::now();
        apply(db, a, &tx("x", -100, false, None), None, &cat, now).unwrap();
        assert_eq!(apply(db, a, &tx("x", -100, false, None), None, &cat, now).unwrap(), Effect::Unchanged);
        assert_eq!(apply(db, a, &tx("x", -150, false, None), None, &cat, now).unwrap(), Effect::Modified);
        apply(db, a, &Change::Remove { external_id: "x".into() }, None, &cat, now).unwrap();
        assert!(rows(&store).is_empty());
        assert_eq!(txs::count_by_status(db, TxStatus::Removed).unwrap(), 1);
    }

    #[test]
    fn heuristic_links_a_tipped_posting_a_few_days_later_and_says_why() {
        let (store, a, cat) = setup();
        let (db, now) = (store.db(), Utc::now());
        apply(db, a, &bare("p", 20, -4000, true, "SQ *NOPA SAN FRANCISCO"), None, &cat, now).unwrap();
        let effect = apply(db, a, &bare("q", 22, -4800, false, "SQ *NOPA"), None, &cat, now).unwrap();
        assert_eq!(effect, Effect::Posted);
        let all = rows(&store);
        assert_eq!(all.len(), 1);
        let reason = all[0].link_reason.as_deref().unwrap();
        assert!(reason.contains("heuristic") && reason.contains("+20%") && reason.contains("2 days later"), "{reason}");
        assert!(reason.contains("nopa"), "{reason}");
        assert_eq!(all[0].pending_external_id.as_deref(), Some("p"));
    }

    #[test]
    fn heuristic_refuses_too_big_a_change_too_late_or_another_merchant() {
        for posted in [
            bare("q", 21, -6000, false, "SQ *NOPA"),    // +50%: not a tip
            bare("q", 28, -4000, false, "SQ *NOPA"),    // eight days later
            bare("q", 21, -4000, false, "BLUE BOTTLE"), // another merchant
            bare("q", 19, -4000, false, "SQ *NOPA"),    // posted before it was authorized
            bare("q", 21, 4000, false, "SQ *NOPA"),     // a refund, not the purchase
        ] {
            let (store, a, cat) = setup();
            let (db, now) = (store.db(), Utc::now());
            apply(db, a, &bare("p", 20, -4000, true, "SQ *NOPA"), None, &cat, now).unwrap();
            assert_eq!(apply(db, a, &posted, None, &cat, now).unwrap(), Effect::Added, "{posted:?}");
            assert_eq!(rows(&store).len(), 2);
        }
    }

    #[test]
    fn two_identical_coffees_on_one_day_stay_two_rows() {
        let (store, a, cat) = setup();
        let (db, now) = (store.db(), Utc::now());
        apply(db, a, &bare("p1", 20, -450, true, "BLUE BOTTLE COFFEE"), None, &cat, now).unwrap();
        apply(db, a, &bare("p2", 20, -450, true, "BLUE BOTTLE COFFEE"), None, &cat, now).unwrap();
        apply(db, a, &bare("q1", 21, -450, false, "BLUE BOTTLE COFFEE"), None, &cat, now).unwrap();
        apply(db, a, &bare("q2", 21, -450, false, "BLUE BOTTLE COFFEE"), None, &cat, now).unwrap();
        let all = rows(&store);
        assert_eq!(all.len(), 2, "two purchases, two rows");
        assert!(all.iter().all(|r| r.status == TxStatus::Posted));
        let mut replaced: Vec<_> = all.iter().map(|r| r.pending_external_id.clone().unwrap()).collect();
        replaced.sort();
        assert_eq!(replaced, ["p1", "p2"], "each pending claimed once");
    }

    #[test]
    fn a_pending_that_never_posts_expires() {
        let (store, a, cat) = setup();
        let (db, now) = (store.db(), Utc::now());
        apply(db, a, &bare("hold", 1, -20000, true, "MARRIOTT HOLD"), None, &cat, now).unwrap();
        apply(db, a, &bare("fresh", 20, -500, true, "COFFEE"), None, &cat, now).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(crate::sync::pending::expire(db, a, today, now).unwrap(), 1);
        let hold = txs::by_external_id(db, a, "hold").unwrap().unwrap();
        assert_eq!(hold.status, TxStatus::Removed);
        assert!(hold.link_reason.unwrap().contains("expired"));
        assert_eq!(txs::by_external_id(db, a, "fresh").unwrap().unwrap().status, TxStatus::Pending);
    }
}
