//! Hostile and careless input a person can type or a bank can send: escapes in tables, huge
//! fields, filters that cannot match, negative limits, accounts added and removed by hand.

use crate::common::TestEnv;

/// A manual EUR account "Cash" fed by a CSV whose rows are written by `rows` (`date,amount,text`).
fn cash_with(env: &TestEnv, rows: &[(&str, &str, &str)]) -> String {
    env.run(&["accounts", "add", "Cash", "--currency", "EUR"]).ok();
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["Date", "Amount", "Description"]).unwrap();
    for (d, a, t) in rows {
        csv.write_record([d, a, t]).unwrap();
    }
    let path = env.home().join("cash.csv");
    std::fs::write(&path, csv.into_inner().unwrap()).unwrap();
    env.run(&["import", path.to_str().unwrap(), "--account", "Cash"]).ok();
    path.display().to_string()
}

#[test]
fn tables_escape_control_and_bidi_characters_but_json_keeps_them() {
    let env = TestEnv::new();
    // (A NUL makes the file binary to the importer; synced text can carry one, tables escape it too.)
    let evil = "PAY\u{1b}[2J\u{1b}]0;pwned\u{7}ME \u{202e}evil\u{9b}";
    cash_with(&env, &[("2026-11-02", "-5.00", evil)]);
    let table = env.run(&["tx", "list"]).ok().stdout;
    for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}'] {
        assert!(!table.contains(bad), "{bad:?} reached the terminal:\n{table:?}");
    }
    assert!(table.contains("PAY\\x1b[2J"), "shown escaped:\n{table}");
    let shown = env.run(&["tx", "show", "1"]).ok().stdout;
    assert!(!shown.contains('\u{1b}') && shown.contains("\\u{202e}"), "{shown:?}");
    let json = env.run(&["tx", "list", "--format", "json"]).ok().json();
    assert_eq!(json[0]["description"], evil, "JSON keeps the stored text exactly");
    let accounts = env.run(&["accounts"]).ok().stdout;
    assert!(!accounts.contains('\u{1b}'));
}

#[test]
fn a_huge_description_is_cut_in_tables_and_whole_elsewhere() {
    let env = TestEnv::new();
    // Within the importer's 64 KiB detection head; a longer first row is the importer's problem.
    let huge = "A".repeat(60_000);
    cash_with(&env, &[("2026-11-02", "-5.00", &huge)]);
    let table = env.run(&["tx", "list"]).ok().stdout;
    let widest = table.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 200, "COLUMNS is 200, the widest line has {widest} characters");
    assert!(table.contains('…'));
    let json = env.run(&["tx", "list", "--format", "json"]).ok().json();
    assert_eq!(json[0]["description"].as_str().unwrap().len(), 60_000);
}

#[test]
fn names_have_a_length_limit() {
    let env = TestEnv::new();
    let long = "N".repeat(101);
    let run = env.run(&["accounts", "add", &long, "--currency", "EUR"]).fails_with(2);
    assert!(run.stderr.contains("101 characters") && run.stderr.contains("hint:"), "{}", run.stderr);
    env.run(&["accounts", "add", "Cash", "--currency", "EUR"]).ok();
    env.run(&["accounts", "rename", "Cash", &long]).fails_with(2);
    env.run(&["accounts", "rename", "Cash", "  "]).fails_with(2);
    env.run(&["accounts", "rename", "Cash", &"n".repeat(100)]).ok();
}

#[test]
fn filters_that_cannot_match_are_usage_errors() {
    let env = TestEnv::new();
    cash_with(&env, &[("2026-11-02", "-5.00", "Coffee")]);
    let run = env.run(&["tx", "list", "--from", "2026-11-10", "--to", "2026-11-01"]).fails_with(2);
    assert!(run.stderr.contains("after --to") && run.stderr.contains("hint:"), "{}", run.stderr);
    env.run(&["report", "spending", "--from", "2026-11-10", "--to", "2026-11-01"]).fails_with(2);
    let run = env.run(&["tx", "list", "--category", "Fodo"]).fails_with(2);
    assert!(run.stderr.contains("no category named \"Fodo\"") && run.stderr.contains("Food"), "{}", run.stderr);
    env.run(&["tx", "list", "--category", "food"]).ok();
    env.run(&["tx", "list", "--category", "Food:Groceries"]).ok();
    env.run(&["tx", "list", "--category", "Foo"]).fails_with(2);
}

#[test]
fn limits_zero_means_all_and_negative_is_refused() {
    let env = TestEnv::new();
    env.linked_and_synced();
    env.run(&["sync"]).ok();
    env.run(&["sync"]).ok();
    let all = env.run(&["sync", "--history", "--limit", "0", "--format", "json"]).ok().json();
    assert_eq!(all.as_array().unwrap().len(), 12, "three syncs of four accounts: {all}");
    let two = env.run(&["sync", "--history", "--limit", "2", "--format", "json"]).ok().json();
    assert_eq!(two.as_array().unwrap().len(), 2);
    for args in [&["sync", "--history", "--limit", "-1"][..], &["tx", "list", "--limit", "-3"]] {
        let run = env.run(args).fails_with(2);
        assert!(run.stderr.contains("cannot be negative"), "{args:?}: {}", run.stderr);
    }
    let txs = env.run(&["tx", "list", "--limit", "0", "--format", "json"]).ok().json();
    assert!(txs.as_array().unwrap().len() > 50);
}

#[test]
fn accounts_added_by_hand_and_removed_with_their_rows() {
    let env = TestEnv::new();
    cash_with(&env, &[("2026-11-02", "-5.00", "Coffee"), ("2026-11-03", "-7.50", "Lunch")]);
    let run = env.run(&["accounts", "add", "cash", "--currency", "EUR"]).fails_with(2);
    assert!(run.stderr.contains("exists already"), "{}", run.stderr);
    env.run(&["accounts", "add", "Wallet", "--currency", "XYZ"]).fails_with(2);
    let accounts = env.run(&["accounts", "--format", "json"]).ok().json();
    assert_eq!(accounts[0]["name"], "Cash");
    assert_eq!(accounts[0]["currency"], "EUR");
    assert_eq!(accounts[0]["connection"], serde_json::Value::Null);

    let run = env.run(&["accounts", "remove", "Cash"]).fails_with(2);
    assert!(run.stderr.contains("--yes"), "no terminal, no yes: {}", run.stderr);
    assert_eq!(env.run(&["tx", "list", "--format", "json"]).ok().json().as_array().unwrap().len(), 2);
    let run = env.run(&["accounts", "remove", "Cash", "--yes"]).ok();
    assert!(run.stderr.contains("its 2 transactions"), "{}", run.stderr);
    assert_eq!(env.run(&["accounts", "--format", "json"]).ok().json(), serde_json::json!([]));
    assert_eq!(env.run(&["tx", "list", "--format", "json"]).ok().json(), serde_json::json!([]));
    assert_eq!(env.query::<i64>("SELECT count(*) FROM raw_record"), 0, "raw records went too");
}

fn doctor_row(env: &TestEnv, check: &str) -> serde_json::Value {
    let run = env.run(&["doctor", "--format", "json"]).fails_with(1);
    let rows = run.json();
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == check && r["status"] == "fail")
        .cloned()
        .unwrap_or_else(|| panic!("no failed {check} row: {rows:#}"))
}

#[test]
fn a_shared_secrets_file_gets_a_doctor_row_with_the_fix() {
    use std::os::unix::fs::PermissionsExt as _;
    let env = TestEnv::new();
    env.linked_and_synced();
    let path = env.home().join("secrets.toml");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let row = doctor_row(&env, "secrets");
    assert!(row["detail"].as_str().unwrap().contains("readable by other users"), "{row}");
    assert!(row["hint"].as_str().unwrap().contains("chmod 600"), "{row}");
    if crate::common::encrypted() {
        // The database key is in that file too: the database row says why it cannot be read.
        let db = doctor_row(&env, "database");
        assert!(db["detail"].as_str().unwrap().contains("readable by other users"), "{db}");
        return;
    }
    let tokens = doctor_row(&env, "tokens");
    assert!(tokens["hint"].as_str().is_some_and(|h| h.contains("chmod 600")), "{tokens}");
}

#[test]
fn a_secrets_path_that_is_a_directory_is_called_one() {
    let env = TestEnv::new();
    cash_with(&env, &[("2026-11-02", "-5.00", "Coffee")]);
    if crate::common::encrypted() {
        std::fs::remove_file(env.home().join("secrets.toml")).unwrap(); // it held the database key
    }
    std::fs::create_dir_all(env.home().join("secrets.toml")).unwrap();
    let row = doctor_row(&env, "secrets");
    assert!(row["detail"].as_str().unwrap().contains("not a file"), "{row}");
    assert!(!row["detail"].as_str().unwrap().contains("readable by other users"), "{row}");
    assert!(row["hint"].as_str().unwrap().contains("mv "), "{row}");
}
