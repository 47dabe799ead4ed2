//! `tally transfers` and the detection sync and import run: pairs across accounts, providers and
//! files; the near misses that must not pair; decisions that survive a re-sync; the off switch.

use serde_json::Value;

use crate::common::TestEnv;

/// Import `rows` (`date,amount,description`) into account `name`, created with `kind`.
fn import(env: &TestEnv, name: &str, kind: &str, rows: &[(&str, &str, &str)]) {
    let known = env.run(&["accounts", "--format", "json"]);
    if known.code != 0 || !known.json().as_array().unwrap().iter().any(|a| a["name"] == name) {
        env.run(&["accounts", "add", name, "--currency", "USD", "--kind", kind]).ok();
    }
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["Date", "Amount", "Description"]).unwrap();
    for (d, a, t) in rows {
        csv.write_record([d, a, t]).unwrap();
    }
    std::fs::create_dir_all(env.home()).unwrap();
    let path = env.home().join(format!("{name}.csv"));
    std::fs::write(&path, csv.into_inner().unwrap()).unwrap();
    env.run(&["import", path.to_str().unwrap(), "--account", name]).ok();
}

fn list(env: &TestEnv, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["transfers", "list", "--format", "json"];
    args.extend_from_slice(extra);
    env.run(&args).ok().json().as_array().unwrap().clone()
}

/// The pairs as (from account, to account, amount, status), in listing order.
fn summary(pairs: &[Value]) -> Vec<(String, String, String, String)> {
    pairs
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap().to_string();
            (s("from_account"), s("to_account"), s("amount"), s("status"))
        })
        .collect()
}

/// The row id a transaction's `transfer_id` points at.
fn partner(env: &TestEnv, tx: &Value) -> Option<i64> {
    env.query(&format!("SELECT transfer_id FROM \"transaction\" WHERE id = {tx}"))
}

fn the_books(env: &TestEnv) {
    import(
        env,
        "Checking",
        "checking",
        &[
            ("2026-11-02", "-500.00", "Online transfer to savings"),
            ("2026-11-10", "-100.00", "Transfer to savings ref 1"),
            ("2026-11-10", "-100.00", "Transfer to savings ref 2"),
            ("2026-11-12", "-45.00", "AMAZON MKTPLACE PMTS"),
            ("2026-11-16", "-200.00", "Transfer to savings"),
            ("2026-11-18", "-320.00", "VISA AUTOPAY"),
            ("2026-11-20", "75.00", "Transfer in"),
        ],
    );
    import(
        env,
        "Savings",
        "savings",
        &[
            ("2026-11-03", "500.00", "Transfer from checking"),
            ("2026-11-10", "100.00", "Transfer from checking ref 1"),
            ("2026-11-10", "100.00", "Transfer from checking ref 2"),
            ("2026-11-16", "199.99", "Transfer from checking"),
            ("2026-11-20", "75.00", "Transfer in"),
        ],
    );
    import(
        env,
        "Visa",
        "credit",
        &[
            ("2026-11-13", "45.00", "AMAZON REFUND"),
            ("2026-11-14", "-30.00", "CORNER SHOP"),
            ("2026-11-15", "30.00", "CORNER SHOP"),
            ("2026-11-18", "320.00", "PAYMENT THANK YOU"),
            // Where did it go? Checking and Savings each got $75 that day.
            ("2026-11-20", "-75.00", "BALANCE TRANSFER"),
        ],
    );
}

#[test]
fn imported_files_pair_one_to_one_and_leave_the_near_misses_alone() {
    let env = TestEnv::new();
    the_books(&env);
    let pairs = list(&env, &[]);
    let pair = |f: &str, t: &str, a: &str, s: &str| (f.to_string(), t.to_string(), a.to_string(), s.to_string());
    assert_eq!(
        summary(&pairs),
        [
            pair("Checking", "Savings", "500.00", "detected"),
            pair("Checking", "Savings", "100.00", "detected"),
            pair("Checking", "Savings", "100.00", "detected"),
            pair("Checking", "Visa", "320.00", "detected"),
            // $75 from the card went to checking or to savings: suggested, not counted.
            pair("Visa", "Checking", "75.00", "suggested"),
        ],
        "no refund (same account or a merchant's), no amount off by a cent: {pairs:#?}"
    );
    assert!(pairs[0]["reason"].as_str().unwrap().contains("a day apart"), "{}", pairs[0]);
    assert!(pairs[3]["reason"].as_str().unwrap().starts_with("a payment from Checking to card Visa"), "{}", pairs[3]);
    assert!(pairs[4]["reason"].as_str().unwrap().contains("other accounts"), "{}", pairs[4]);
    // Two equal transfers on one day: ref 1 with ref 1, ref 2 with ref 2, each a little less sure.
    for p in &pairs[1..3] {
        assert_eq!(p["confidence"], 85, "{p}");
        let from: String = env.query(&format!("SELECT description FROM \"transaction\" WHERE id = {}", p["from_tx"]));
        let to: String = env.query(&format!("SELECT description FROM \"transaction\" WHERE id = {}", p["to_tx"]));
        assert_eq!(from.chars().last(), to.chars().last(), "paired in order, not crosswise");
    }
    // Marked both ways, and the suggestion not at all.
    for p in &pairs[..4] {
        assert_eq!(partner(&env, &p["from_tx"]), p["to_tx"].as_i64());
        assert_eq!(partner(&env, &p["to_tx"]), p["from_tx"].as_i64());
    }
    assert_eq!(partner(&env, &pairs[4]["from_tx"]), None);
    let marked: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE transfer_id IS NOT NULL");
    assert_eq!(marked, 8);
    assert_eq!(summary(&list(&env, &["--suggested"])), [pair("Visa", "Checking", "75.00", "suggested")]);

    // The same files again, and a look through everything: nothing new.
    the_books(&env);
    env.run(&["transfers", "detect"]).ok();
    assert_eq!(list(&env, &[]).len(), 5);
}

#[test]
fn confirm_and_unlink_are_kept_and_detection_does_not_undo_them() {
    let env = TestEnv::new();
    the_books(&env);
    let pairs = list(&env, &[]);
    let (first, suggested) = (pairs[0]["id"].to_string(), pairs[4]["id"].to_string());

    let run = env.run(&["transfers", "confirm", &suggested]).ok();
    assert!(run.stderr.contains("confirmed"), "{}", run.stderr);
    let run = env.run(&["transfers", "unlink", &first]).ok();
    assert!(run.stderr.contains("will not pair them again"), "{}", run.stderr);
    assert_eq!(partner(&env, &pairs[0]["from_tx"]), None, "unlinked rows count as spending again");
    assert_eq!(partner(&env, &pairs[4]["from_tx"]), pairs[4]["to_tx"].as_i64());

    env.run(&["transfers", "detect"]).ok();
    the_books(&env);
    let after = list(&env, &["--all"]);
    let status = |id: &str| after.iter().find(|p| p["id"] == id.parse::<i64>().unwrap()).unwrap()["status"].clone();
    assert_eq!((status(&first), status(&suggested)), ("rejected".into(), "confirmed".into()));
    assert_eq!(after.len(), 5, "the unlinked rows were not paired with anything else");
    assert_eq!(list(&env, &[]).len(), 4, "an unlinked pair is listed only with --all");

    let missing = env.run(&["transfers", "confirm", "999"]).fails_with(2);
    assert!(missing.stderr.contains("hint: `tally transfers list`"), "{}", missing.stderr);
}

#[test]
fn synced_transfers_and_card_payments_pair_and_decisions_survive_a_resync() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let pairs = list(&env, &[]);
    assert!(pairs.len() > 20, "two years of monthly transfers and card payments: {}", pairs.len());
    for p in &pairs {
        assert_eq!(p["from_account"], "Everyday Checking", "{p}");
        assert!(["High-Yield Savings", "Rewards Visa"].contains(&p["to_account"].as_str().unwrap()), "{p}");
        assert_eq!(p["status"], "detected", "{p}");
    }
    let id = pairs[0]["id"].to_string();
    env.run(&["transfers", "unlink", &id]).ok();

    env.pass_days(3);
    env.run(&["sync"]).ok();
    let after = list(&env, &["--all"]);
    let unlinked = after.iter().find(|p| p["id"] == pairs[0]["id"]).unwrap();
    assert_eq!(unlinked["status"], "rejected");
    assert_eq!(partner(&env, &pairs[0]["from_tx"]), None);
    let marked: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE transfer_id IS NOT NULL");
    let counted = after.iter().filter(|p| p["status"] == "detected").count() as i64;
    assert_eq!(marked, 2 * counted, "every counted pair marks its two rows, and nothing else is marked");

    // A replay rebuilds the rows without marks; the pairs give them back, the unlinked one stays so.
    env.run(&["sync", "--replay"]).ok();
    let remarked: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE transfer_id IS NOT NULL");
    assert_eq!(remarked, marked);
    assert_eq!(list(&env, &["--all"]).len(), after.len());
}

#[test]
fn transfers_can_be_switched_off_in_the_config() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.home()).unwrap();
    std::fs::write(env.home().join("config.toml"), "[transfers]\nenabled = false\n").unwrap();
    env.linked_and_synced();
    the_books(&env);
    let run = env.run(&["transfers", "list", "--format", "json"]).ok();
    assert_eq!(run.json(), serde_json::json!([]));
    assert!(run.stderr.contains("detection is off"), "{}", run.stderr);
    let marked: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE transfer_id IS NOT NULL");
    assert_eq!(marked, 0);
    env.run(&["transfers", "detect"]).fails_with(2);

    std::fs::write(env.home().join("config.toml"), "[transfers]\nwindow_days = 90\n").unwrap();
    let run = env.run(&["transfers", "list"]).fails_with(2);
    assert!(run.stderr.contains("window_days goes from 0 to 31"), "{}", run.stderr);
}
