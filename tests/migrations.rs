//! Each schema migration step, run on a database the version before it left behind.
//!
//! `tests/fixtures/db/schema_vN.sql` is a dump of a database at schema version N (reviewable
//! text, loaded by `common::fixture_db`). Opening it through the store runs every later step.
//! Adding migration 000M means adding `schema_v{M-1}.sql`, dumped from a database of the
//! version before it, and one `step_000M_*` test here; `every_step_has_a_fixture` fails
//! until the fixture exists, and the schema snapshot shows what the step changed.

use std::path::PathBuf;

use tally::store::{SCHEMA_VERSION, Store};

use crate::common::{self, TableRows, TestEnv, open_store};

/// A database made from fixture `version`, what it held, and the store that migrated it.
struct Migrated {
    env: TestEnv,
    path: PathBuf,
    before: Vec<TableRows>,
    store: Store,
}

fn migrate_from(version: i64) -> Migrated {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.home()).unwrap();
    let path = env.home().join(format!("from_v{version}.db"));
    let before = common::fixture_db(version, &path);
    let store = open_store(&path);
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    Migrated { env, path, before, store }
}

impl Migrated {
    /// Every row the old database held is still there, unchanged in the columns it had.
    /// (A step that rewrites rows on purpose says so in its own test.)
    fn assert_rows_kept(&self) {
        for old in &self.before {
            let now = common::rows(&self.path, &common::select_rows(&old.table, &old.columns), []);
            let lost: Vec<&String> = old.rows.iter().filter(|r| !now.contains(r)).collect();
            assert!(lost.is_empty(), "{}: rows lost or changed by the migration: {lost:#?}", old.table);
        }
    }

    fn count(&self, sql: &str) -> i64 {
        self.store.db().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn tally(&self, args: &[&str]) -> crate::common::Run {
        let mut all = args.to_vec();
        all.extend(["--db", self.path.to_str().unwrap()]);
        self.env.run(&all)
    }
}

/// The schema as SQLite stores it: every table, index and trigger with its SQL.
fn schema(store: &Store) -> String {
    let mut stmt = store
        .db()
        .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
        .unwrap();
    let rows = stmt.query_map([], |r| {
        Ok(format!("-- {} {}\n{};\n", r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
    });
    rows.unwrap().map(Result::unwrap).collect()
}

#[test]
fn every_step_has_a_fixture() {
    for version in 0..SCHEMA_VERSION {
        let path = format!("{}/tests/fixtures/db/schema_v{version}.sql", env!("CARGO_MANIFEST_DIR"));
        assert!(
            std::path::Path::new(&path).exists(),
            "migration {} has no database to run on: add {path} (a dump of a version-{version} database)",
            version + 1
        );
    }
}

/// Migrating any old database ends in exactly the schema a new one gets: a shipped migration
/// edited in place (they are forward-only) would show here. The snapshot shows each change.
#[test]
fn every_fixture_migrates_to_the_schema_of_a_new_database() {
    let fresh = schema(&Store::in_memory().unwrap());
    for version in 0..SCHEMA_VERSION {
        let migrated = migrate_from(version);
        assert_eq!(schema(&migrated.store), fresh, "migrated from version {version}");
    }
    common::snapshot_settings().bind(|| insta::assert_snapshot!("schema", fresh));
}

#[test]
fn step_0001_init_creates_the_domain_on_an_empty_database() {
    let db = migrate_from(0);
    assert!(db.before.is_empty(), "version 0 has no tables");
    for table in ["connection", "account", "raw_record", "transaction", "category", "sync_run", "call_ledger"] {
        assert_eq!(
            db.count(&format!("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'")),
            1
        );
    }
    assert_eq!(db.count("SELECT count(*) FROM \"transaction\""), 0);
    let run = db.tally(&["tx", "list", "--format", "json"]).ok();
    assert_eq!(run.json(), serde_json::json!([]));
}

#[test]
fn step_0002_default_categories_fills_the_tree_and_keeps_the_rows() {
    let db = migrate_from(1);
    let before = |table: &str| db.before.iter().find(|t| t.table == table).unwrap().rows.len();
    assert_eq!(before("category"), 0, "version 1 had no categories");
    assert_eq!(before("transaction"), 10);
    db.assert_rows_kept();
    // The step's effect: the default tree, each branch with its kind.
    assert_eq!(db.count("SELECT count(*) FROM category WHERE full_name = 'Food:Groceries' AND kind = 'expense'"), 1);
    assert_eq!(db.count("SELECT count(*) FROM category WHERE full_name = 'Income:Salary' AND kind = 'income'"), 1);
    assert_eq!(
        db.count(
            "SELECT count(*) FROM category WHERE kind = 'transfer'
             AND full_name IN ('Transfer', 'Transfer:Internal', 'Transfer:Card Payment')"
        ),
        3
    );
    assert_eq!(db.count("SELECT count(*) FROM category c LEFT JOIN category p ON p.id = c.parent_id WHERE c.parent_id IS NOT NULL AND p.id IS NULL"), 0);
    // This tally reads the old rows: the live ones are listed, the removed one is not.
    let listed = db.tally(&["tx", "list", "--format", "json"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 9);
    let linked = db.tally(&["tx", "show", "279", "--format", "json"]).ok().json();
    assert_eq!(linked["replaced_pending"], "tx-0-0000383");
    assert_eq!(linked["amount"], "-83.30");
    let accounts = db.tally(&["accounts", "--format", "json"]).ok().json();
    assert_eq!(accounts.as_array().unwrap().len(), 3);
}

#[test]
fn step_0003_adds_statement_balances_and_posted_counts_and_keeps_the_rows() {
    let db = migrate_from(2);
    db.assert_rows_kept();
    // The step's effect: new columns, empty on old rows (posted counts start at 0).
    assert_eq!(
        db.count("SELECT count(*) FROM account WHERE statement_balance IS NULL AND statement_balance_as_of IS NULL"),
        3
    );
    assert_eq!(db.count("SELECT count(*) FROM sync_run WHERE posted = 0"), db.count("SELECT count(*) FROM sync_run"));
    // The user's category survives, and this tally reads every old row.
    let shown = db.tally(&["tx", "show", "279", "--format", "json"]).ok().json();
    assert_eq!(shown["category"], "Food:Groceries");
    assert_eq!(shown["category_source"], "user");
    let listed = db.tally(&["tx", "list", "--format", "json"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 9);
    db.tally(&["sync", "--history", "--format", "json"]).ok();
}

#[test]
fn step_0004_more_categories_grows_the_tree_and_keeps_the_rows() {
    let db = migrate_from(3);
    db.assert_rows_kept();
    // The step's effect: about forty categories, each child under its parent with its kind.
    let total = db.count("SELECT count(*) FROM category");
    assert!((40..=45).contains(&total), "{total} categories");
    assert_eq!(db.count("SELECT count(*) FROM category WHERE full_name = 'Health:Pharmacy' AND kind = 'expense'"), 1);
    assert_eq!(db.count("SELECT count(*) FROM category WHERE full_name = 'Income:Refunds' AND kind = 'income'"), 1);
    assert_eq!(db.count("SELECT count(*) FROM category WHERE full_name = 'Transfer:Savings' AND kind = 'transfer'"), 1);
    assert_eq!(
        db.count(
            "SELECT count(*) FROM category c JOIN category p ON p.id = c.parent_id
             WHERE c.full_name != p.full_name || ':' || c.name"
        ),
        0,
        "every child's full name is its parent's, then its own"
    );
    // The user's category survives, and this tally reads every old row.
    let shown = db.tally(&["tx", "show", "279", "--format", "json"]).ok().json();
    assert_eq!((shown["category"].as_str(), shown["category_source"].as_str()), (Some("Food:Groceries"), Some("user")));
    let listed = db.tally(&["categories", "--format", "json"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len() as i64, total);
}

#[test]
fn step_0005_rules_take_many_conditions_and_keep_the_old_rules_in_order() {
    let db = migrate_from(4);
    // Every table but `rule` (which the step rebuilds) keeps its rows.
    for old in db.before.iter().filter(|t| t.table != "rule") {
        let now = common::rows(&db.path, &common::select_rows(&old.table, &old.columns), []);
        assert!(old.rows.iter().all(|r| now.contains(r)), "{}: rows lost or changed", old.table);
    }
    // The old rules, lower priority first, as conditions of the new shape.
    let listed = db.tally(&["rules", "list", "--format", "json"]).ok().json();
    let summary: Vec<(i64, &str, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_i64().unwrap(), r["conditions"].as_str().unwrap(), r["category"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            (2, "description matches \"^SQ \\\\*NOPA\"", "Food:Restaurants"),
            (1, "payee contains \"Blue Bottle\"", "Food:Coffee"),
        ]
    );
    let shown = db.tally(&["tx", "show", "279", "--format", "json"]).ok().json();
    assert_eq!(shown["category_source"], "user", "the user's choice is untouched");
}

#[test]
fn step_0006_transfers_adds_the_pair_table_and_keeps_the_rows() {
    let db = migrate_from(5);
    db.assert_rows_kept();
    // The step's effect: an empty table of pairs; no row is marked until detection runs.
    assert_eq!(db.count("SELECT count(*) FROM transfer"), 0);
    assert_eq!(db.count("SELECT count(*) FROM \"transaction\" WHERE transfer_id IS NOT NULL"), 0);
    let listed = db.tally(&["transfers", "list", "--format", "json"]).ok().json();
    assert_eq!(listed, serde_json::json!([]));
    // Detection reads every old row; whatever it pairs, both rows point at each other.
    db.tally(&["transfers", "detect"]).ok();
    assert_eq!(
        db.count(
            "SELECT count(*) FROM \"transaction\" t JOIN \"transaction\" o ON o.id = t.transfer_id
             WHERE o.transfer_id != t.id"
        ),
        0
    );
    let shown = db.tally(&["tx", "show", "279", "--format", "json"]).ok().json();
    assert_eq!(shown["category_source"], "user", "the user's choice is untouched");
}

#[test]
fn step_0007_fills_the_report_rollups_and_the_search_index_from_the_rows() {
    let db = migrate_from(6);
    db.assert_rows_kept();
    let live = "FROM \"transaction\" WHERE status != 'removed'";
    let grouped = db.count(&format!(
        "SELECT count(*) FROM (SELECT substr(booked_date, 1, 7), account_id, coalesce(category_id, 0), currency,
                transfer_id IS NOT NULL, sum(max(amount, 0)), sum(min(amount, 0)), sum(amount > 0), sum(amount <= 0)
         {live} GROUP BY 1, 2, 3, 4, 5
         EXCEPT SELECT * FROM tx_month)"
    ));
    assert_eq!(grouped, 0, "every group of the old rows is in the rollup");
    assert_eq!(db.count("SELECT count(*) FROM tx_month"), db.count(&format!("SELECT count(DISTINCT substr(booked_date, 1, 7) || account_id || '|' || coalesce(category_id, 0) || currency || (transfer_id IS NOT NULL)) {live}")));
    assert!(db.count("SELECT sum(n_in + n_out) FROM tx_month_payee") == db.count(&format!("SELECT count(*) {live}")));
    let description: String = db
        .store
        .db()
        .query_row("SELECT description FROM \"transaction\" ORDER BY id LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let listed = db.tally(&["tx", "list", "--search", &description, "--format", "json"]).ok().json();
    assert!(!listed.as_array().unwrap().is_empty(), "old rows are in the search index: {description}");
}

#[test]
fn step_0008_adds_the_budget_rollover_flag_off_for_existing_budgets() {
    let db = migrate_from(7);
    db.assert_rows_kept();
    assert_eq!(db.count("SELECT count(*) FROM budget"), 1);
    assert_eq!(db.count("SELECT count(*) FROM budget WHERE rollover = 0"), 1, "an old budget does not roll over");
    let listed = db.tally(&["budget", "list", "--format", "json"]).ok().json();
    assert_eq!(listed[0]["category"], "Food:Groceries");
    assert_eq!((&listed[0]["amount"], &listed[0]["rollover"]), (&"250.00".into(), &false.into()));
}

#[test]
fn step_0009_adds_the_dismissed_alerts_table_empty() {
    let db = migrate_from(8);
    db.assert_rows_kept();
    assert_eq!(db.count("SELECT count(*) FROM alert_dismissed"), 0);
    let run = db.tally(&["alerts", "--format", "json", "--since", "2020-01-01"]);
    assert!(run.code == 0 || run.code == 3, "{run:#?}");
    assert!(run.json().is_array());
}

#[test]
fn step_0010_queues_the_confirmed_rows_for_the_learned_model_to_count() {
    let db = migrate_from(9);
    db.assert_rows_kept();
    // Rows 279 (the user's) and 1288 (a rule's); 1290 is the user's but removed upstream.
    assert_eq!(db.count("SELECT count(*) FROM learned_dirty"), 2);
    assert_eq!(db.count("SELECT min(tx_id) * 10000 + max(tx_id) FROM learned_dirty"), 279 * 10000 + 1288);
    // The first run counts them; what it files by rule (row 280) the next run counts.
    db.tally(&["categorize"]).ok();
    db.tally(&["categorize"]).ok();
    assert_eq!(db.count("SELECT count(*) FROM learned_dirty"), 0);
    let confirmed = "SELECT count(*) FROM \"transaction\"
                     WHERE category_source IN ('user', 'rule') AND status != 'removed'";
    assert_eq!(db.count("SELECT count(*) FROM learned_seen"), db.count(confirmed));
    assert_eq!(db.count("SELECT sum(rows) FROM learned_class"), db.count(confirmed));
    let nopa = tally::categorize::learned::key("m:nopa");
    assert_eq!(db.count(&format!("SELECT n FROM learned_count WHERE feature = {nopa} AND category_id = 21")), 1);
}
