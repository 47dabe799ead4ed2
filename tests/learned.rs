//! The learned layer: its precision and coverage on held-back generated data, and through the
//! binary: it learns from the user's choices, says why, and leaves a doubtful row alone unless
//! the configured threshold lets it decide.

#[path = "../benches/support/learned_data.rs"]
mod data;

use crate::common::TestEnv;

#[test]
fn on_held_back_rows_it_is_right_at_least_95_percent_of_the_time() {
    let rows = data::generate(7, 4000, 0.2);
    let (all, seen, unseen) = data::evaluate(&rows, 0.2, tally::categorize::learned::DEFAULT_THRESHOLD);
    assert!(all.rows == 800 && unseen.rows > 0, "{all:?} {unseen:?}");
    assert!(all.precision() >= 0.95, "precision {all:?}");
    assert!(all.coverage() > 0.5, "coverage {all:?}");
    assert!(seen.coverage() > unseen.coverage(), "seen {seen:?} unseen {unseen:?}");
}

/// A statement in the `us-checking` profile's layout: (day of November, description, amount).
pub fn statement(env: &TestEnv, name: &str, rows: &[(u32, &str, &str)]) -> String {
    let mut csv = String::from("Details,Posting Date,Description,Amount,Type,Balance,Reference\n");
    for (i, (day, description, amount)) in rows.iter().enumerate() {
        csv.push_str(&format!("DEBIT,11/{day:02}/2026,\"{description}\",{amount},DEBIT_CARD,0,{name}{i}\n"));
    }
    std::fs::create_dir_all(env.home()).unwrap();
    let path = env.home().join(format!("{name}.csv"));
    std::fs::write(&path, csv).unwrap();
    path.display().to_string()
}

pub fn id_of(env: &TestEnv, description: &str) -> Vec<String> {
    env.rows("SELECT id FROM \"transaction\" WHERE description = ?1 ORDER BY id", [description])
}

fn show(env: &TestEnv, id: &str) -> serde_json::Value {
    env.run(&["tx", "show", id, "--format", "json"]).ok().json()
}

#[test]
fn it_learns_from_your_choices_says_why_and_leaves_doubtful_rows_alone() {
    let env = TestEnv::new();
    let mut first = vec![(2, "SQ *BLUE BOTTLE", "-4.50"), (3, "SQ *BLUE BOTTLE", "-5.00")];
    first.extend([(4, "SQ *BLUE BOTTLE", "-4.75"), (5, "SQ *BLUE BOTTLE", "-6.00")]);
    for day in 6..12 {
        first.push((day, "TARGET #1234 SEATTLE WA", "-25.00"));
    }
    let file = statement(&env, "first", &first);
    env.run(&["import", &file, "--profile", "us-checking", "--create-account"]).ok();
    env.run(&["tx", "categorize", "--search", "blue bottle", "Food:Coffee"]).ok();
    let target = id_of(&env, "TARGET #1234 SEATTLE WA");
    env.run(&["tx", "categorize", &target[0], &target[1], &target[2], "Shopping"]).ok();
    env.run(&["tx", "categorize", &target[3], &target[4], &target[5], "Food:Groceries"]).ok();

    let second = [(20, "SQ *BLUE BOTTLE", "-5.25"), (21, "TARGET #987 SEATTLE WA", "-30.00"), (22, "ZEPHYR", "-9.00")];
    let file = statement(&env, "second", &second);
    let run = env.run(&["import", &file, "--account", "first", "--format", "json"]).ok().json();
    assert_eq!(run[0]["categorized"], 1, "the import's summary counts the learned row: {run}");

    let coffee = show(&env, &id_of(&env, "SQ *BLUE BOTTLE")[4]);
    assert_eq!(coffee["category"], "Food:Coffee", "{coffee}");
    assert_eq!(coffee["category_source"], "learned", "{coffee}");
    let reason = coffee["category_reason"].as_str().unwrap();
    assert!(reason.starts_with("learned 0.") && reason.ends_with("from 4 rows like \"BLUE BOTTLE\""), "{reason}");

    // Half the user's Target rows are shopping, half groceries: too doubtful to file.
    let doubtful = id_of(&env, "TARGET #987 SEATTLE WA")[0].clone();
    assert!(show(&env, &doubtful)["category"].is_null(), "below the threshold it stays uncategorized");
    assert!(show(&env, &id_of(&env, "ZEPHYR")[0])["category"].is_null(), "a payee never seen is left alone");

    // A lower threshold in the config lets the model file it; the user's rows stay theirs.
    std::fs::write(env.home().join("config.toml"), "[categorize]\nlearned_threshold = 0.3\n").unwrap();
    env.run(&["categorize"]).ok();
    let filed = show(&env, &doubtful);
    assert_eq!(filed["category_source"], "learned", "{filed}");
    assert!(["Shopping", "Food:Groceries"].contains(&filed["category"].as_str().unwrap()), "{filed}");
    assert_eq!(show(&env, &target[0])["category_source"], "user");

    std::fs::write(env.home().join("config.toml"), "[categorize]\nlearned_threshold = 2\n").unwrap();
    let run = env.run(&["categorize"]).fails_with(2);
    assert!(run.stderr.contains("learned_threshold") && run.stderr.contains("hint:"), "{}", run.stderr);
}
