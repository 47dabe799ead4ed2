//! `tally categories`: the default tree, and add, rename, move and remove keeping every row's
//! history (rows follow their category's id).

use crate::common::{Run, TestEnv};

/// The ids of the live rows filed under `category` (and what is under it).
fn ids_in(env: &TestEnv, category: &str) -> Vec<i64> {
    let json = env.run(&["tx", "list", "--category", category, "--limit", "0", "--format", "json"]).ok().json();
    let mut ids: Vec<i64> = json.as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    ids.sort();
    ids
}

fn categories(env: &TestEnv) -> Vec<serde_json::Value> {
    env.run(&["categories", "--format", "json"]).ok().json().as_array().unwrap().clone()
}

fn find<'a>(all: &'a [serde_json::Value], name: &str) -> Option<&'a serde_json::Value> {
    all.iter().find(|c| c["category"] == name)
}

#[track_caller]
fn usage_error(run: Run, says: &str, hint: &str) {
    let run = run.fails_with(2);
    assert!(run.stderr.contains(says), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("hint: {hint}")) || run.stderr.contains(hint), "{}", run.stderr);
}

#[test]
fn the_default_tree_has_about_forty_categories_each_with_a_kind() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let all = categories(&env);
    assert!((40..=45).contains(&all.len()), "{} categories", all.len());
    for c in &all {
        assert!(["expense", "income", "transfer"].contains(&c["kind"].as_str().unwrap()), "{c}");
        if let Some(parent) = c["parent"].as_str() {
            let p = find(&all, parent).unwrap_or_else(|| panic!("{c}: no parent"));
            assert!(c["category"].as_str().unwrap().starts_with(&format!("{parent}:")), "{c}");
            assert!(p["parent"].is_null(), "two levels: {c}");
        }
    }
    let coffee = find(&all, "Food:Coffee").unwrap();
    assert_eq!(coffee["rows"].as_i64().unwrap() as usize, ids_in(&env, "Food:Coffee").len());
    assert!(coffee["rows"].as_i64().unwrap() > 0);
    assert_eq!(find(&all, "Income:Salary").unwrap()["kind"], "income");
    assert_eq!(find(&all, "Transfer:Card Payment").unwrap()["kind"], "transfer");
}

#[test]
fn add_takes_the_parents_kind_unless_told_and_creates_missing_parents() {
    let env = TestEnv::new();
    env.linked_and_synced();
    env.run(&["categories", "add", "Income:Bonus"]).ok();
    env.run(&["categories", "add", "hobbies:Climbing"]).ok();
    env.run(&["categories", "add", "Food:Tips", "--kind", "income"]).ok();
    let all = categories(&env);
    assert_eq!(find(&all, "Income:Bonus").unwrap()["kind"], "income", "a child takes its parent's kind");
    assert_eq!(find(&all, "hobbies").unwrap()["kind"], "expense", "a new top level is an expense");
    assert_eq!(find(&all, "hobbies:Climbing").unwrap()["parent"], "hobbies");
    assert_eq!(find(&all, "Food:Tips").unwrap()["kind"], "income");

    usage_error(env.run(&["categories", "add", "food:coffee"]), "already exists", "rename");
    usage_error(env.run(&["categories", "add", " Food : Coffee "]), "already exists", "rename");
    usage_error(env.run(&["categories", "add", "Pets:Fish", "--kind", "hobby"]), "hobby", "");
    usage_error(env.run(&["categories", "add", "Food::Snacks"]), "cannot be empty", "1 to");
    assert_eq!(categories(&env).len(), all.len(), "nothing added by a refused command");
}

#[test]
fn a_rename_keeps_every_row_and_carries_the_children_along() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let food = ids_in(&env, "Food");
    let coffee = ids_in(&env, "Food:Coffee");
    let run = env.run(&["categories", "rename", "Food", "Eating"]).ok();
    assert!(run.stderr.contains("Renamed Food to Eating"), "{}", run.stderr);
    assert_eq!(ids_in(&env, "Eating"), food);
    assert_eq!(ids_in(&env, "Eating:Coffee"), coffee);
    let shown = env.run(&["tx", "show", &coffee[0].to_string(), "--format", "json"]).ok().json();
    assert_eq!(shown["category"], "Eating:Coffee");
    assert_eq!(shown["category_source"], "provider");

    env.run(&["categories", "rename", "Eating:Coffee", "Eating:Cafés"]).ok();
    assert_eq!(ids_in(&env, "Eating:Cafés"), coffee);
    usage_error(env.run(&["categories", "rename", "Cafés", "Restaurants"]), "already exists", "");
    usage_error(env.run(&["categories", "rename", "Cafés", "Shopping:Cafés"]), "another parent", "move");
    usage_error(env.run(&["categories", "rename", "Food", "Meals"]), "no category named \"Food\"", "");
}

#[test]
fn a_move_changes_the_parent_and_keeps_the_rows() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let coffee = ids_in(&env, "Food:Coffee");
    env.run(&["categories", "move", "Food:Coffee", "Shopping"]).ok();
    assert_eq!(ids_in(&env, "Shopping:Coffee"), coffee);
    assert!(ids_in(&env, "Food").iter().all(|id| !coffee.contains(id)));
    env.run(&["categories", "move", "Coffee", "--top"]).ok();
    assert_eq!(ids_in(&env, "Coffee"), coffee);
    usage_error(env.run(&["categories", "move", "Food", "Food:Groceries"]), "cannot go under", "outside");
    let run = env.run(&["categories", "move", "Food"]).fails_with(2);
    assert!(run.stderr.contains("<PARENT>"), "clap names the missing parent: {}", run.stderr);
}

#[test]
fn removing_a_category_in_use_needs_a_destination_and_a_parent_is_refused() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let coffee = ids_in(&env, "Food:Coffee");
    let restaurants = ids_in(&env, "Food:Restaurants");
    usage_error(env.run(&["categories", "remove", "Food:Coffee"]), "holds", "--into");
    usage_error(env.run(&["categories", "remove", "Food"]), "categories under it", "move");
    usage_error(env.run(&["categories", "remove", "Food:Cofee", "--into", "Shopping"]), "no category", "Food:Coffee");
    assert_eq!(ids_in(&env, "Food:Coffee"), coffee, "nothing moved by a refused command");

    let run = env.run(&["categories", "remove", "Food:Coffee", "--into", "Restaurants"]).ok();
    assert!(run.stderr.contains(&format!("{} transactions", coffee.len())), "{}", run.stderr);
    let mut both = [coffee.clone(), restaurants].concat();
    both.sort();
    assert_eq!(ids_in(&env, "Food:Restaurants"), both);
    let shown = env.run(&["tx", "show", &coffee[0].to_string(), "--format", "json"]).ok().json();
    assert_eq!(shown["category_source"], "provider", "the row keeps who decided it");
    assert!(shown["category_reason"].as_str().unwrap().contains("moved from Food:Coffee"), "{shown}");
    assert!(find(&categories(&env), "Food:Coffee").is_none());

    // An unused one goes at once, no questions.
    env.run(&["categories", "add", "Pets:Fish"]).ok();
    env.run(&["categories", "remove", "Pets:Fish"]).ok();
    assert!(find(&categories(&env), "Pets:Fish").is_none());
}

#[test]
fn removing_a_category_into_one_with_a_budget_for_the_same_month_adds_the_two() {
    let env = TestEnv::new();
    env.run(&["accounts", "add", "Checking", "--currency", "USD"]).ok();
    env.run(&["budget", "set", "Food:Coffee", "10", "--currency", "USD", "--from", "2026-10"]).ok();
    env.run(&["budget", "set", "Food:Coffee", "12", "--currency", "USD", "--from", "2026-11"]).ok();
    env.run(&["budget", "set", "Food:Groceries", "20", "--currency", "USD", "--from", "2026-11"]).ok();
    env.run(&["categories", "remove", "Food:Coffee", "--into", "Food:Groceries"]).ok();
    let listed = env.run(&["budget", "list", "--format", "json"]).ok().json();
    let mut got: Vec<(String, String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["category"].to_string(), b["amount"].to_string(), b["from"].to_string()))
        .collect();
    got.sort();
    assert_eq!(got.len(), 2, "{listed}");
    assert!(got.iter().all(|(c, _, _)| c.contains("Food:Groceries")), "{listed}");
    assert!(got.iter().any(|(_, a, f)| a.contains("32") && f.contains("2026-11")), "the clash adds up: {listed}");
    assert!(got.iter().any(|(_, a, f)| a.contains("10") && f.contains("2026-10")), "the rest moves: {listed}");
}
