//! `tx list --search` through the full-text (trigram) index that triggers keep: a new row and
//! an edited row are found at once, a removed row is not, and short terms still work; a common
//! word (walked newest first) and a rare one (matches sorted) list the same rows a full listing
//! does; an import indexes its rows in one statement at its end (`store::search::deferred`).

use chrono::{NaiveDate, Utc};
use tally::model::NewTransaction;
use tally::store::transactions;

use crate::common::TestEnv;

fn found(env: &TestEnv, text: &str) -> Vec<String> {
    let rows = env.run(&["tx", "list", "--search", text, "--format", "json"]).ok().json();
    rows.as_array().unwrap().iter().map(|r| r["description"].as_str().unwrap().to_string()).collect()
}

#[test]
fn search_finds_new_and_edited_rows_and_not_removed_ones() {
    let env = TestEnv::new();
    env.linked_and_synced();
    assert!(found(&env, "zebra crossing").is_empty());
    let mut row = NewTransaction {
        external_id: "search-test".into(),
        pending_external_id: None,
        booked_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        value_date: None,
        amount: -1234,
        currency: tally::money::Currency::parse("USD").unwrap(),
        payee: None,
        description: "ZEBRA CROSSING CAFE".into(),
        pending: false,
        provider_category: None,
    };
    let id = {
        let store = env.store();
        transactions::insert(store.db(), 1, &row, None, None, Utc::now()).unwrap()
    };
    assert_eq!(found(&env, "zebra crossing"), ["ZEBRA CROSSING CAFE"], "a new row, case aside");
    assert_eq!(found(&env, "ing ca"), ["ZEBRA CROSSING CAFE"], "any substring");
    row.description = "OKAPI BAKERY".into();
    transactions::update(env.store().db(), id, &row, None, None, Utc::now()).unwrap();
    assert!(found(&env, "zebra").is_empty(), "the old text is gone from the index");
    assert_eq!(found(&env, "okapi"), ["OKAPI BAKERY"]);
    assert!(found(&env, "KA").contains(&"OKAPI BAKERY".to_string()), "two letters: no trigram, still a match");
    transactions::mark_removed(env.store().db(), id, Utc::now()).unwrap();
    assert!(found(&env, "okapi").is_empty(), "a removed row is not listed");
}

/// Rows inserted for a search test: (id, account, date), the removed ones left out.
type Inserted = Vec<(i64, i64, NaiveDate)>;

/// `n` rows in accounts 1 and 2 whose description is `text` plus a number, on dates that do
/// not follow their ids (as after importing an older statement), every 97th one removed.
fn insert_rows(env: &TestEnv, text: &str, n: usize) -> Inserted {
    let first = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let now = Utc::now();
    let mut store = env.store();
    store
        .atomic(|db| {
            let mut live = Vec::new();
            for i in 0..n {
                let account = 1 + (i % 2) as i64;
                let day = first + chrono::Days::new((i * 7919 % 1500) as u64);
                let row = NewTransaction {
                    external_id: format!("{text}-{i}"),
                    pending_external_id: None,
                    booked_date: day,
                    value_date: None,
                    amount: -100 - i as i64,
                    currency: tally::money::Currency::parse("USD").unwrap(),
                    payee: None,
                    description: format!("{text} {i:04}"),
                    pending: false,
                    provider_category: None,
                };
                let id = transactions::insert(db, account, &row, None, None, now)?;
                match i % 97 {
                    0 => transactions::mark_removed(db, id, now)?,
                    _ => live.push((id, account, day)),
                }
            }
            Ok(live)
        })
        .unwrap()
}

/// What `tx list` must show: newest first, then the higher id first.
fn newest(mut rows: Inserted, keep: impl Fn(&(i64, i64, NaiveDate)) -> bool, limit: usize) -> Vec<i64> {
    rows.retain(keep);
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(b.0.cmp(&a.0)));
    rows.into_iter().take(limit).map(|r| r.0).collect()
}

fn listed(env: &TestEnv, args: &[&str]) -> Vec<i64> {
    let mut all = vec!["tx", "list", "--format", "json"];
    all.extend_from_slice(args);
    let rows = env.run(&all).ok().json();
    rows.as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

#[test]
fn a_common_word_lists_the_same_newest_rows_as_a_full_listing() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let rows = insert_rows(&env, "WALRUS TACO", 2600);
    let all = |_: &(i64, i64, NaiveDate)| true;
    assert_eq!(listed(&env, &["--search", "walrus", "--limit", "50"]), newest(rows.clone(), all, 50));
    assert_eq!(listed(&env, &["--search", "Walrus Taco", "--limit", "0"]), newest(rows.clone(), all, usize::MAX));
    let from = NaiveDate::from_ymd_opt(2020, 4, 1).unwrap();
    assert_eq!(
        listed(&env, &["--search", "walrus", "--limit", "30", "--account", "2", "--from", "2020-04-01"]),
        newest(rows.clone(), |r| r.1 == 2 && r.2 >= from, 30),
        "with the account and date filters"
    );
    let to = NaiveDate::from_ymd_opt(2020, 3, 1).unwrap();
    assert_eq!(
        listed(&env, &["--search", "taco", "--limit", "50", "--to", "2020-03-01"]),
        newest(rows.clone(), |r| r.2 <= to, 50),
        "few of the matches in the date range"
    );
    let table = env.run(&["tx", "list", "--search", "walrus"]).ok();
    assert!(table.stderr.contains("showing the newest 50 of more than 1000;"), "{}", table.stderr);
}

#[test]
fn a_rare_word_lists_its_rows_and_counts_them_exactly() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let rows = insert_rows(&env, "NARWHAL", 40);
    assert_eq!(listed(&env, &["--search", "narwhal", "--limit", "10"]), newest(rows.clone(), |_| true, 10));
    assert_eq!(
        listed(&env, &["--search", "NARWHAL 00", "--account", "1", "--limit", "50"]),
        newest(rows.clone(), |r| r.1 == 1, 50)
    );
    let table = env.run(&["tx", "list", "--search", "narwhal", "--limit", "10"]).ok();
    assert!(table.stderr.contains(&format!("showing the newest 10 of {};", rows.len())), "{}", table.stderr);
}

#[test]
fn imported_rows_are_found_and_the_index_matches_them() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let file = crate::import::fixture("us-checking.csv");
    let (joes, flix) = (found(&env, "trader joe").len(), found(&env, "etflix").len());
    env.run(&["import", &file, "--profile", "us-checking", "--create-account", "--dry-run"]).ok();
    assert_eq!(found(&env, "trader joe").len(), joes, "a dry run indexes nothing");
    env.run(&["import", &file, "--profile", "us-checking", "--create-account"]).ok();
    assert_eq!(found(&env, "trader joe").len(), joes + 1);
    assert_eq!(found(&env, "etflix").len(), flix + 1);
    env.run(&["import", &file, "--account", "us-checking"]).ok();
    assert_eq!(found(&env, "trader joe").len(), joes + 1, "a re-import adds no row");
    // FTS5 compares its index with the rows themselves; an error here means a row is missing
    // from the index or indexed with the wrong text.
    env.store().db().execute("INSERT INTO tx_search (tx_search, rank) VALUES ('integrity-check', 1)", []).unwrap();
}
