//! `tally review`: refused without a terminal; the walk's logic (accept, change, always → a
//! rule that files the payee's later rows, skip, quit keeping what was answered) through a
//! scripted reviewer, as a terminal would drive it.

use tally::categorize::review::{self, Answer, Scripted};

use crate::common::TestEnv;
use crate::learned::{id_of, statement};

#[test]
fn without_a_terminal_it_refuses_with_a_hint() {
    let env = TestEnv::new();
    let run = env.run(&["review"]).fails_with(2);
    assert!(run.stderr.contains("needs a terminal"), "{}", run.stderr);
    assert!(run.stderr.contains("hint:") && run.stderr.contains("tally tx categorize"), "{}", run.stderr);
}

#[test]
fn the_walk_stores_each_answer_as_given_and_a_rule_files_the_payees_other_rows() {
    let env = TestEnv::new();
    let rows = [
        (1, "ZEPHYR DRY CLEAN", "-12.00"),
        (2, "LUNA BAKERY PORTLAND OR", "-8.00"),
        (3, "KORVA FUEL #88 DENVER CO", "-40.00"),
        (4, "KORVA FUEL #91 DENVER CO", "-42.00"),
        (5, "KORVA FUEL #93 DENVER CO", "-41.00"),
        (6, "MYSTERY SHOP", "-9.99"),
        (7, "OSLO COFFEE #1", "-4.00"),
        (8, "OSLO COFFEE #2", "-4.00"),
        (9, "OSLO COFFEE #3", "-4.00"),
        (10, "OSLO COFFEE #4", "-4.00"),
    ];
    let file = statement(&env, "review", &rows);
    env.run(&["import", &file, "--profile", "us-checking", "--create-account"]).ok();
    let oslo: Vec<String> = (1..=3).map(|n| id_of(&env, &format!("OSLO COFFEE #{n}"))[0].clone()).collect();
    env.run(&["tx", "categorize", &oslo[0], &oslo[1], &oslo[2], "Food:Coffee"]).ok();
    let id = |description: &str| -> i64 { id_of(&env, description)[0].parse().unwrap() };

    let mut store = env.store();
    let limited = review::queue(store.db(), None, Some(2), 0.97).unwrap();
    assert_eq!(limited.len(), 2);
    let items = review::queue(store.db(), None, None, 0.97).unwrap();
    let order: Vec<i64> = items.iter().map(|i| i.row.id).collect();
    assert_eq!(order[0], id("OSLO COFFEE #4"), "newest first");
    assert_eq!(items.len(), 7, "the user's rows are not offered");
    let suggested = items[0].suggestion.as_ref().expect("the model guesses from the user's three rows");
    assert_eq!(suggested.category, "Food:Coffee");

    let mut script = Scripted::new([
        Answer::Accept,
        Answer::Change("Shopping".into()),
        Answer::Always("Transport:Fuel".into()),
        Answer::Skip,
    ]);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let outcome = review::walk(&mut store, &items, &mut script, today).unwrap();
    drop(store);
    let asked = [
        id("OSLO COFFEE #4"),
        id("MYSTERY SHOP"),
        id("KORVA FUEL #93 DENVER CO"),
        id("LUNA BAKERY PORTLAND OR"),
        id("ZEPHYR DRY CLEAN"),
    ];
    assert_eq!(script.asked, asked, "the rule filed the other KORVA rows without asking");
    assert_eq!((outcome.filed, outcome.by_rule, outcome.skipped, outcome.quit), (3, 2, 1, true));
    assert_eq!(outcome.rules.len(), 1);
    assert!(outcome.rules[0].contains("payee contains \"KORVA FUEL\""), "{:?}", outcome.rules);

    let shown = |description: &str| {
        let t = env.run(&["tx", "show", &id(description).to_string(), "--format", "json"]).ok().json();
        (t["category"].as_str().unwrap_or("").to_string(), t["category_source"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(shown("OSLO COFFEE #4"), ("Food:Coffee".into(), "user".into()));
    assert_eq!(shown("MYSTERY SHOP"), ("Shopping".into(), "user".into()));
    assert_eq!(shown("KORVA FUEL #93 DENVER CO"), ("Transport:Fuel".into(), "user".into()));
    assert_eq!(shown("KORVA FUEL #88 DENVER CO"), ("Transport:Fuel".into(), "rule".into()));
    assert_eq!(shown("LUNA BAKERY PORTLAND OR"), (String::new(), String::new()), "skipped");
    assert_eq!(shown("ZEPHYR DRY CLEAN"), (String::new(), String::new()), "quit before answering");
    let rules = env.run(&["rules", "list", "--format", "json"]).ok().json();
    assert_eq!(rules[0]["category"], "Transport:Fuel", "{rules}");
}
