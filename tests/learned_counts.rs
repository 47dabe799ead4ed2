//! The learned model retrained incrementally (issue 11 item 5): its counts live in the database
//! and follow every change to a confirmed row (a choice made, changed, moved to another
//! category, a row removed), and after any mix of changes they equal a model trained from
//! scratch on the same rows.

use tally::categorize::learned::{Model, key as learned_key};
use tally::store::learned;

use crate::common::TestEnv;
use crate::learned::{id_of, statement};

/// The stored counts (after counting the queued rows, as a run does) and those of a model
/// trained from scratch on every confirmed row: they must be equal.
fn stored_and_rebuilt(env: &TestEnv) -> (learned::Counts, learned::Counts) {
    let store = env.store();
    let stored = Model::load(store.db()).unwrap().counts();
    assert_eq!(stored, learned::counts(store.db()).unwrap(), "the model is what the tables say");
    let rebuilt = Model::train(&learned::confirmed(store.db(), usize::MAX).unwrap()).counts();
    (stored, rebuilt)
}

fn assert_exact(env: &TestEnv, step: &str) {
    let (stored, rebuilt) = stored_and_rebuilt(env);
    assert_eq!(stored, rebuilt, "after {step}: the counts differ from a rebuild");
}

fn show(env: &TestEnv, id: &str) -> serde_json::Value {
    env.run(&["tx", "show", id, "--format", "json"]).ok().json()
}

fn coffee_shop(env: &TestEnv, name: &str, days: std::ops::Range<u32>) -> String {
    let rows: Vec<_> = days.map(|day| (day, "SQ *BLUE BOTTLE", "-4.50")).collect();
    statement(env, name, &rows)
}

#[test]
fn a_changed_choice_takes_back_what_the_old_one_taught() {
    let env = TestEnv::new();
    let file = coffee_shop(&env, "first", 1..5);
    env.run(&["import", &file, "--profile", "us-checking", "--create-account"]).ok();
    env.run(&["tx", "categorize", "--search", "blue bottle", "Food:Coffee"]).ok();

    env.run(&["import", &coffee_shop(&env, "second", 20..21), "--account", "first"]).ok();
    let second = show(&env, &id_of(&env, "SQ *BLUE BOTTLE")[4]);
    assert_eq!((&second["category"], &second["category_source"]), (&"Food:Coffee".into(), &"learned".into()));

    // The user changes their mind about the four rows they filed: were the old choices still
    // counted, four coffees against four restaurants would leave the model in doubt.
    let mine = id_of(&env, "SQ *BLUE BOTTLE");
    env.run(&["tx", "categorize", &mine[0], &mine[1], &mine[2], &mine[3], "Food:Restaurants"]).ok();
    assert_exact(&env, "a changed choice");
    env.run(&["import", &coffee_shop(&env, "third", 25..26), "--account", "first"]).ok();
    let third = show(&env, &id_of(&env, "SQ *BLUE BOTTLE")[5]);
    assert_eq!(third["category"], "Food:Restaurants", "{third}");
    assert_eq!(third["category_source"], "learned");
    assert!(third["category_reason"].as_str().unwrap().ends_with("from 4 rows like \"BLUE BOTTLE\""), "{third}");
}

#[test]
fn removing_an_account_leaves_nothing_of_its_rows_in_the_model() {
    let env = TestEnv::new();
    let file = coffee_shop(&env, "first", 1..5);
    env.run(&["import", &file, "--profile", "us-checking", "--create-account"]).ok();
    env.run(&["tx", "categorize", "--search", "blue bottle", "Food:Coffee"]).ok();
    env.run(&["categorize"]).ok();
    assert_eq!(env.query::<i64>("SELECT count(*) FROM learned_seen"), 4, "a run counts the user's rows");
    let merchant = format!("SELECT n FROM learned_count WHERE feature = {}", learned_key("m:blue bottle"));
    assert_eq!(env.query::<i64>(&merchant), 4, "counted by the hash of its name");
    assert!(!env.rows("SELECT * FROM learned_count", []).concat().contains("blue"), "no names in the counts");

    env.run(&["accounts", "remove", "first", "--yes"]).ok();
    // At once, in the removal's own transaction: no run is needed for the words to go.
    for table in ["learned_seen", "learned_count", "learned_class", "learned_dirty"] {
        assert_eq!(env.query::<i64>(&format!("SELECT count(*) FROM {table}")), 0, "{table} keeps a removed row");
    }
    assert_exact(&env, "removing the account");
}

#[test]
fn after_a_mix_of_changes_the_counts_equal_a_rebuild() {
    let env = TestEnv::new();
    let mut rows = vec![];
    for day in 1..9 {
        rows.push((day, "SQ *BLUE BOTTLE", "-4.50"));
        rows.push((day, "TARGET #1234 SEATTLE WA", "-25.00"));
        rows.push((day, "SAFEWAY #1444 PORTLAND OR", "-61.20"));
    }
    let file = statement(&env, "first", &rows);
    env.run(&["import", &file, "--profile", "us-checking", "--create-account"]).ok();
    env.run(&["categorize"]).ok();
    assert_exact(&env, "the first import");

    env.run(&["tx", "categorize", "--search", "blue bottle", "Food:Coffee"]).ok();
    let target = id_of(&env, "TARGET #1234 SEATTLE WA");
    env.run(&["tx", "categorize", &target[0], &target[1], &target[2], "Shopping"]).ok();
    assert_exact(&env, "choices by hand, not yet counted");
    env.run(&["categorize"]).ok();
    assert_exact(&env, "a run");

    // A rule files Safeway (rule rows count too), then the user overrides one of them.
    env.run(&["rules", "add", "--description-contains", "safeway", "--category", "Food:Groceries"]).ok();
    env.run(&["rules", "apply"]).ok();
    let safeway = id_of(&env, "SAFEWAY #1444 PORTLAND OR");
    env.run(&["tx", "categorize", &safeway[0], "Shopping"]).ok();
    assert_exact(&env, "a rule and an override");

    // Another category takes Coffee's rows: their counts move with them.
    env.run(&["categories", "add", "Food:Cafes"]).ok();
    env.run(&["categories", "remove", "Food:Coffee", "--into", "Food:Cafes"]).ok();
    assert_exact(&env, "moving a category's rows");
    let cafes: i64 = env.query("SELECT id FROM category WHERE name = 'Cafes'");
    let store = env.store();
    let counts = learned::counts(store.db()).unwrap();
    assert!(counts.classes.iter().any(|(id, rows, _)| *id == cafes && *rows == 8), "{:?}", counts.classes);

    // The rule goes, and with it what it filed (the user's override stays theirs).
    env.run(&["rules", "remove", "1"]).ok();
    assert_exact(&env, "removing the rule");
}

#[test]
fn export_all_leaves_the_counts_out_and_a_restore_counts_the_rows_again() {
    let env = TestEnv::new();
    let file = coffee_shop(&env, "first", 1..5);
    env.run(&["import", &file, "--profile", "us-checking", "--create-account"]).ok();
    env.run(&["tx", "categorize", "--search", "blue bottle", "Food:Coffee"]).ok();
    env.run(&["categorize"]).ok();
    let doc = env.home().join("all.json");
    env.run(&["export", "--all", "-o", doc.to_str().unwrap()]).ok();
    let tables: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&doc).unwrap()).unwrap();
    let names: Vec<&String> = tables["tables"].as_object().unwrap().keys().collect();
    assert!(names.iter().any(|t| *t == "transaction"), "{names:?}");
    assert!(!names.iter().any(|t| t.starts_with("learned_")), "derived from the rows, so not carried: {names:?}");

    let fresh = TestEnv::new();
    fresh.run(&["restore", doc.to_str().unwrap()]).ok();
    assert_eq!(fresh.query::<i64>("SELECT count(*) FROM learned_dirty"), 4, "the restored choices wait to be counted");
    let (restored, rebuilt) = stored_and_rebuilt(&fresh);
    assert_eq!(restored, rebuilt);
    assert_eq!(restored, stored_and_rebuilt(&env).0, "the restored model is the exported one");
}

/// A synced sandbox history with the rows of its most common description filed by hand and
/// counted.
fn synced_and_filed() -> TestEnv {
    let env = TestEnv::new();
    env.linked_and_synced();
    let payee: String = env.query(
        "SELECT description FROM \"transaction\" WHERE status != 'removed'
         GROUP BY description ORDER BY count(*) DESC, description LIMIT 1",
    );
    env.run(&["tx", "categorize", "--search", &payee, "Shopping", "--yes"]).ok();
    env.run(&["categorize"]).ok();
    assert!(env.query::<i64>("SELECT count(*) FROM learned_seen") > 0, "{payee}: nothing counted");
    assert_exact(&env, "filing by hand");
    env
}

#[test]
fn a_replay_keeps_the_counts_exact() {
    let env = synced_and_filed();
    env.run(&["sync", "--replay"]).ok();
    assert_exact(&env, "a replay");
}

#[test]
fn unlink_purge_erases_the_counts_of_the_connections_rows() {
    let env = synced_and_filed();
    env.run(&["connections", "unlink", "sandbox", "--purge", "--yes"]).ok();
    for table in ["learned_seen", "learned_count", "learned_class", "learned_dirty"] {
        assert_eq!(env.query::<i64>(&format!("SELECT count(*) FROM {table}")), 0, "{table} outlives the purge");
    }
}
