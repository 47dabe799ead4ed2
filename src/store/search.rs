//! `tx list --search` over a long history: which way to run a trigram-index search, and its
//! total counted only as far as it is cheap. Both ways return the same rows in the same order
//! (newest first); they differ in what they read. The index itself (`tx_search`, kept by
//! triggers) is in the migrations.

use anyhow::Result;
use rusqlite::{params_from_iter, types::Value};

use super::Db;
use super::transactions::{Fts, TxFilter};

/// Matches counted before a search is "common": a listing of `limit` rows walks the date index
/// when at least this many (and at least 20 per listed row) rows match.
pub const COMMON: u64 = 1000;

/// How many rows match: exactly, or only that there are more than some number (counting
/// every match of a common word would cost more than listing the newest of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    Exact(u64),
    MoreThan(u64),
}

/// How `list` joins a trigram search. A limited listing first counts its matches (the other
/// filters included) up to a bound: below it, reading every match and sorting is cheap; at
/// or above it, matches are dense enough that walking the rows newest first and checking each
/// against the set of matches reaches the limit after a few thousand rows, where reading
/// every match (tens of thousands of rows for a common word) and sorting would not.
pub(super) fn plan(db: &Db, filter: &TxFilter) -> Result<Fts> {
    let Some(limit) = filter.limit.filter(|_| filter.fts_query().is_some()) else {
        return Ok(Fts::Drive);
    };
    let bound = limit.saturating_mul(20).max(COMMON);
    if let Total::Exact(n) = matches(db, filter, bound)?
        && n < bound
    {
        return Ok(Fts::Drive);
    }
    // Many matches. The `limit` newest by id (read from the index's end) are all booked on or
    // after their oldest date, `date`; so are the `limit` newest by date, which the listing
    // wants (had one an earlier date, those `limit` rows would all come before it). Those
    // rows' ids are at least the least id booked on or after `date`. Both bounds are exact,
    // and when ids follow dates (rows are mostly added in date order) they keep the walk and
    // the set of matches to the newest part of the history.
    let (clause, args) = filter.clause_with(Fts::Joined);
    let sql = format!(
        "SELECT min(d) FROM (SELECT t.booked_date AS d FROM tx_search s CROSS JOIN \"transaction\" t ON t.id = s.rowid
         JOIN account a ON a.id = t.account_id LEFT JOIN category c ON c.id = t.category_id{clause}
         ORDER BY s.rowid DESC LIMIT {limit})"
    );
    let date: Option<String> = db.query_row(&sql, params_from_iter::<Vec<Value>>(args), |r| r.get(0))?;
    let Some(date) = date else { return Ok(Fts::Drive) };
    let id: i64 = db.query_row(
        "SELECT coalesce(min(id), 0) FROM \"transaction\" INDEXED BY transaction_by_date WHERE booked_date >= ?1",
        [&date],
        |r| r.get(0),
    )?;
    Ok(Fts::Probe { date, id })
}

/// How many rows `list` would return without its limit, exactly up to `cap`. A search by the
/// trigram index stops counting after `cap`; any other listing counts exactly (by the indexes).
pub fn total(db: &Db, filter: &TxFilter, cap: u64) -> Result<Total> {
    match filter.fts_query() {
        Some(_) => matches(db, filter, cap),
        None => Ok(Total::Exact(super::transactions::count(db, filter)?)),
    }
}

/// Rows matching a trigram search and the other filters, counted up to `cap`: the index's
/// matches are read in its own order and joined one by one, so counting stops at `cap + 1`.
fn matches(db: &Db, filter: &TxFilter, cap: u64) -> Result<Total> {
    let (clause, args) = filter.clause_with(Fts::Joined);
    let sql = format!(
        "SELECT count(*) FROM (SELECT 1 FROM tx_search s CROSS JOIN \"transaction\" t ON t.id = s.rowid
         JOIN account a ON a.id = t.account_id LEFT JOIN category c ON c.id = t.category_id{clause}
         LIMIT {})",
        cap.saturating_add(1)
    );
    let n: i64 = db.query_row(&sql, params_from_iter::<Vec<Value>>(args), |r| r.get(0))?;
    let n = n as u64;
    Ok(if n > cap { Total::MoreThan(cap) } else { Total::Exact(n) })
}

/// The triggers that keep `tx_search` in step with `"transaction"` row by row.
const TRIGGERS: [&str; 3] = ["tx_search_insert", "tx_search_update", "tx_search_delete"];

/// Run `f`, a bulk insert inside the caller's transaction, with the search index kept by one
/// statement at its end instead of a trigger per row (a quarter of a long import's time went
/// to the index, row by row). While `f` runs, the triggers skip rows newer than the newest
/// row before it; after it, those rows are indexed in one `INSERT … SELECT`, and the triggers
/// are put back as they were. All of it happens in a savepoint of the caller's transaction,
/// so the index is never seen stale: if `f` fails, everything `f` did is rolled back with the
/// savepoint (the caller then fails as it would have). Rows `f` adds are not found by a
/// search until `f` returns.
pub fn deferred<T>(db: &Db, f: impl FnOnce() -> Result<T>) -> Result<T> {
    db.execute_batch("SAVEPOINT search_deferred")?;
    match deferring(db, f) {
        Ok(value) => {
            db.execute_batch("RELEASE search_deferred")?;
            Ok(value)
        }
        Err(e) => {
            db.execute_batch("ROLLBACK TO search_deferred; RELEASE search_deferred")?;
            Err(e)
        }
    }
}

fn deferring<T>(db: &Db, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let last: i64 = db.query_row("SELECT coalesce(max(id), 0) FROM \"transaction\"", [], |r| r.get(0))?;
    let mut saved = Vec::new();
    for name in TRIGGERS {
        let sql: String =
            db.query_row("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1", [name], |r| r.get(0))?;
        // A new row gets an id above every existing one (`INTEGER PRIMARY KEY`), so a trigger
        // that acts only up to `last` leaves exactly the new rows to the statement below; a
        // reused id (the newest row deleted, then a row added) is still indexed by its trigger.
        let row = if name == "tx_search_insert" { "NEW" } else { "OLD" };
        let Some(at) = sql.find(" BEGIN") else { anyhow::bail!("trigger {name} has no BEGIN: {sql}") };
        let guarded = format!("{} WHEN {row}.id <= {last}{}", &sql[..at], &sql[at..]);
        db.execute_batch(&format!("DROP TRIGGER {name}; {guarded};"))?;
        saved.push((name, sql));
    }
    let value = f()?;
    db.execute(
        "INSERT INTO tx_search (rowid, payee, rule_payee, description)
         SELECT id, payee, rule_payee, description FROM \"transaction\" WHERE id > ?1",
        [last],
    )?;
    for (name, sql) in saved {
        db.execute_batch(&format!("DROP TRIGGER {name}; {sql};"))?;
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Utc};

    use super::*;
    use crate::model::NewTransaction;
    use crate::money::Currency;
    use crate::store::{Store, accounts, transactions};

    /// A store with `n` rows that mention "walrus" and 10 that mention "narwhal".
    fn store(n: usize) -> Store {
        let mut store = Store::in_memory().unwrap();
        store
            .atomic(|db| {
                let account = accounts::NewAccount {
                    connection_id: None,
                    external_id: "a",
                    identity: None,
                    name: "A",
                    official_name: None,
                    kind: "checking",
                    currency: "USD",
                    mask: None,
                    tracked: true,
                };
                let id = accounts::insert(db, &account, Utc::now())?;
                for i in 0..n + 10 {
                    let row = NewTransaction {
                        external_id: format!("x{i}"),
                        pending_external_id: None,
                        booked_date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(i as u64 % 300),
                        value_date: None,
                        amount: -100,
                        currency: Currency::parse("USD")?,
                        payee: None,
                        description: if i < n { format!("WALRUS {i}") } else { format!("NARWHAL {i}") },
                        pending: false,
                        provider_category: None,
                    };
                    transactions::insert(db, id, &row, None, None, Utc::now())?;
                }
                Ok(())
            })
            .unwrap();
        store
    }

    fn search(text: &str, limit: Option<u64>) -> TxFilter {
        TxFilter { search: Some(text.into()), limit, ..TxFilter::default() }
    }

    #[test]
    fn a_common_word_walks_the_date_index_and_a_rare_one_sorts_its_matches() {
        let store = store(COMMON as usize);
        let db = store.db();
        assert!(matches!(plan(db, &search("walrus", Some(50))).unwrap(), Fts::Probe { .. }));
        assert!(matches!(plan(db, &search("narwhal", Some(50))).unwrap(), Fts::Drive));
        assert!(matches!(plan(db, &search("walrus", None)).unwrap(), Fts::Drive), "every row: nothing to stop at");
        assert!(matches!(plan(db, &search("walrus", Some(51))).unwrap(), Fts::Drive), "fewer than 20 per listed row");
        assert!(matches!(plan(db, &search("wa", Some(50))).unwrap(), Fts::Drive), "no trigram: a LIKE scan");
        // The walk must really be one: no sort of every match before the limit.
        let probe = plan(db, &search("walrus", Some(50))).unwrap();
        let (clause, args) = search("walrus", Some(50)).clause_with(probe);
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT t.id FROM \"transaction\" t JOIN account a ON a.id = t.account_id
             LEFT JOIN category c ON c.id = t.category_id{clause} ORDER BY t.booked_date DESC, t.id DESC LIMIT 50"
        );
        let mut stmt = db.prepare(&sql).unwrap();
        let steps: Vec<String> =
            stmt.query_map(params_from_iter(args), |r| r.get(3)).unwrap().collect::<rusqlite::Result<_>>().unwrap();
        assert!(steps.iter().any(|s| s.contains("USING INDEX transaction_by_date")), "{steps:?}");
        assert!(!steps.iter().any(|s| s.contains("ORDER BY")), "{steps:?}");
    }

    #[test]
    fn totals_are_exact_up_to_the_cap_and_say_so_beyond() {
        let store = store(30);
        let db = store.db();
        assert_eq!(total(db, &search("walrus", None), 30).unwrap(), Total::Exact(30));
        assert_eq!(total(db, &search("walrus", None), 29).unwrap(), Total::MoreThan(29));
        assert_eq!(total(db, &search("Narwhal", None), 5).unwrap(), Total::MoreThan(5));
        assert_eq!(total(db, &search("al", None), 5).unwrap(), Total::Exact(40), "a LIKE search counts exactly");
    }

    fn row(text: &str) -> NewTransaction {
        NewTransaction {
            external_id: text.into(),
            pending_external_id: None,
            booked_date: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
            value_date: None,
            amount: -100,
            currency: Currency::parse("USD").unwrap(),
            payee: None,
            description: text.into(),
            pending: false,
            provider_category: None,
        }
    }

    fn triggers(db: &Db) -> Vec<String> {
        let mut stmt = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    }

    fn found(db: &Db, text: &str) -> Vec<String> {
        let rows = transactions::list(db, &search(text, None)).unwrap();
        rows.into_iter().map(|t| t.description).collect()
    }

    /// The index holds exactly what the rows say (FTS5 compares it with the content table).
    fn consistent(db: &Db) {
        db.execute("INSERT INTO tx_search (tx_search, rank) VALUES ('integrity-check', 1)", []).unwrap();
    }

    #[test]
    fn a_deferred_bulk_insert_is_indexed_at_its_end_and_the_triggers_come_back() {
        let mut store = store(3);
        let before = triggers(store.db());
        store
            .atomic(|db| {
                deferred(db, || {
                    let old_ids: Vec<i64> =
                        transactions::list(db, &search("walrus", None))?.iter().map(|t| t.id).collect();
                    for i in 0..50 {
                        transactions::insert(db, 1, &row(&format!("OKAPI {i}")), None, None, Utc::now())?;
                    }
                    let new = transactions::insert(db, 1, &row("ZEBRA"), None, None, Utc::now())?;
                    transactions::update(db, new, &row("GIRAFFE"), None, None, Utc::now())?;
                    let gone = transactions::insert(db, 1, &row("HIPPO"), None, None, Utc::now())?;
                    db.execute("DELETE FROM \"transaction\" WHERE id = ?1", [gone])?;
                    transactions::update(db, old_ids[0], &row("LLAMA"), None, None, Utc::now())?;
                    db.execute("DELETE FROM \"transaction\" WHERE id = ?1", [old_ids[1]])?;
                    assert!(found(db, "okapi").is_empty(), "not indexed until the end");
                    Ok(())
                })
            })
            .unwrap();
        let db = store.db();
        consistent(db);
        assert_eq!(found(db, "okapi").len(), 50);
        assert_eq!(found(db, "giraffe"), ["GIRAFFE"]);
        assert!(found(db, "zebra").is_empty() && found(db, "hippo").is_empty());
        assert_eq!(found(db, "llama"), ["LLAMA"], "an old row edited meanwhile");
        assert_eq!(found(db, "walrus").len(), 1, "three old rows: one edited, one deleted");
        assert_eq!(triggers(db), before);
        transactions::insert(db, 1, &row("OCELOT"), None, None, Utc::now()).unwrap();
        assert_eq!(found(db, "ocelot"), ["OCELOT"], "the row trigger is back");
        consistent(db);
    }

    #[test]
    fn a_reused_id_is_indexed_and_a_failed_bulk_insert_leaves_nothing_behind() {
        let mut store = store(2);
        let before = triggers(store.db());
        store
            .atomic(|db| {
                deferred(db, || {
                    db.execute("DELETE FROM \"transaction\" WHERE id = (SELECT max(id) FROM \"transaction\")", [])?;
                    transactions::insert(db, 1, &row("TAPIR"), None, None, Utc::now())?;
                    Ok(())
                })
            })
            .unwrap();
        consistent(store.db());
        assert_eq!(found(store.db(), "tapir"), ["TAPIR"]);
        let failed = store.atomic(|db| {
            let inner: Result<()> = deferred(db, || {
                transactions::insert(db, 1, &row("BISON"), None, None, Utc::now())?;
                anyhow::bail!("the file ended early")
            });
            assert!(inner.is_err());
            Ok(())
        });
        assert!(failed.is_ok());
        let db = store.db();
        assert!(found(db, "bison").is_empty(), "the failed insert is rolled back");
        assert_eq!(triggers(db), before);
        consistent(db);
    }
}
