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
    Ok(match matches(db, filter, bound)? {
        Total::Exact(n) if n < bound => Fts::Drive,
        _ => Fts::Probe,
    })
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
        assert!(matches!(plan(db, &search("walrus", Some(50))).unwrap(), Fts::Probe));
        assert!(matches!(plan(db, &search("narwhal", Some(50))).unwrap(), Fts::Drive));
        assert!(matches!(plan(db, &search("walrus", None)).unwrap(), Fts::Drive), "every row: nothing to stop at");
        assert!(matches!(plan(db, &search("walrus", Some(51))).unwrap(), Fts::Drive), "fewer than 20 per listed row");
        assert!(matches!(plan(db, &search("wa", Some(50))).unwrap(), Fts::Drive), "no trigram: a LIKE scan");
        // The walk must really be one: no sort of every match before the limit.
        let (clause, args) = search("walrus", Some(50)).clause_with(Fts::Probe);
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
}
