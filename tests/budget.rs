//! `tally budget`: set, list and remove; a month's status on sandbox data (pending apart);
//! rollover across months; yearly budgets (year to date, rollover across years); parents
//! summing children; committed recurring charges; `--over`
//! for cron; bad input with hints.

use serde_json::Value;

use crate::common::TestEnv;

/// An account `name` in USD with rows (date, amount, description) imported; rules file the
/// rows (GROCER → Food:Groceries, BISTRO → Food:Restaurants, STREAMFLIX → Streaming).
fn imported(rows: &[(&str, &str, &str)]) -> TestEnv {
    let env = TestEnv::new();
    for (text, category) in
        [("GROCER", "Food:Groceries"), ("BISTRO", "Food:Restaurants"), ("STREAMFLIX", "Subscriptions:Streaming")]
    {
        env.run(&["rules", "add", "--description-contains", text, "--category", category]).ok();
    }
    env.run(&["accounts", "add", "Card", "--currency", "USD"]).ok();
    let mut csv = String::from("Date,Amount,Description\n");
    for (d, a, t) in rows {
        csv.push_str(&format!("{d},{a},{t}\n"));
    }
    std::fs::create_dir_all(env.home()).unwrap();
    let path = env.home().join("card.csv");
    std::fs::write(&path, csv).unwrap();
    env.run(&["import", path.to_str().unwrap(), "--account", "Card"]).ok();
    env
}

fn status(env: &TestEnv, month: &str) -> Vec<Value> {
    env.run(&["budget", "status", "--month", month, "--format", "json"]).ok().json().as_array().unwrap().clone()
}

fn line<'a>(lines: &'a [Value], category: &str) -> &'a Value {
    lines.iter().find(|l| l["category"] == category).unwrap_or_else(|| panic!("no {category} in {lines:#?}"))
}

/// (budgeted, carried, spent, pending, committed, remaining, status) of a line.
fn figures(l: &Value) -> [&str; 7] {
    ["budgeted", "carried", "spent", "pending", "committed", "remaining", "status"].map(|k| l[k].as_str().unwrap())
}

#[test]
fn set_list_and_remove() {
    let env = imported(&[("2026-11-02", "-20.00", "GROCER 1")]);
    env.run(&["budget", "set", "Groceries", "300"]).ok();
    env.run(&["budget", "set", "Food:Restaurants", "80.5", "--rollover", "--from", "2026-09"]).ok();
    env.run(&["budget", "set", "Food:Restaurants", "100", "--currency", "eur", "--from", "2026-09"]).ok();
    let listed = env.run(&["budget", "list", "--format", "json"]).ok().json();
    let expected = serde_json::json!([
        {"category": "Food:Groceries", "amount": "300.00", "currency": "USD", "period": "month", "from": "2026-11", "rollover": false},
        {"category": "Food:Restaurants", "amount": "100.00", "currency": "EUR", "period": "month", "from": "2026-09", "rollover": false},
        {"category": "Food:Restaurants", "amount": "80.50", "currency": "USD", "period": "month", "from": "2026-09", "rollover": true},
    ]);
    assert_eq!(listed, expected);
    // Setting the same month again replaces it.
    env.run(&["budget", "set", "Groceries", "250"]).ok();
    let listed = env.run(&["budget", "list", "--format", "json"]).ok().json();
    assert_eq!(listed[0]["amount"], "250.00");
    assert_eq!(listed.as_array().unwrap().len(), 3);
    env.run(&["budget", "remove", "Food:Restaurants", "--currency", "EUR"]).ok();
    env.run(&["budget", "remove", "Groceries"]).ok();
    let listed = env.run(&["budget", "list", "--format", "json"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["currency"], "USD");
    let again = env.run(&["budget", "remove", "Groceries"]).fails_with(2);
    assert!(again.stderr.contains("no budget to remove") && again.stderr.contains("budget list"), "{}", again.stderr);
}

#[test]
fn rollover_carries_unspent_and_overspent_across_three_months() {
    let env = imported(&[
        ("2026-09-05", "-60.00", "BISTRO A"),     // 100 budgeted: 40 left
        ("2026-10-03", "-150.00", "BISTRO B"),    // 100 + 40 = 140: 10 over
        ("2026-10-20", "20.00", "BISTRO REFUND"), // a refund reduces spending: 130, 10 left
        ("2026-11-04", "-70.00", "BISTRO C"),     // 100 + 10: 40 left
        ("2026-11-05", "-30.00", "GROCER"),       // another category: never counts
    ]);
    env.run(&["budget", "set", "Restaurants", "100", "--rollover", "--from", "2026-09"]).ok();
    env.run(&["budget", "set", "Groceries", "100", "--from", "2026-09"]).ok();
    let restaurants = |m: &str| figures(line(&status(&env, m), "Food:Restaurants")).map(str::to_string);
    assert_eq!(restaurants("2026-09"), ["100.00", "0.00", "60.00", "0.00", "0.00", "40.00", "ok"]);
    assert_eq!(restaurants("2026-10"), ["100.00", "40.00", "130.00", "0.00", "0.00", "10.00", "ok"]);
    assert_eq!(restaurants("2026-11"), ["100.00", "10.00", "70.00", "0.00", "0.00", "40.00", "ok"]);
    let groceries = line(&status(&env, "2026-11"), "Food:Groceries").clone();
    assert_eq!(figures(&groceries)[1..3], ["0.00", "30.00"], "no rollover: nothing carried");
    // Overspending takes from the next month; a later budget without --rollover stops carrying.
    env.run(&["budget", "set", "Restaurants", "50", "--rollover", "--from", "2026-10"]).ok();
    assert_eq!(restaurants("2026-10")[..3], ["50.00", "40.00", "130.00"]);
    assert_eq!(restaurants("2026-11")[..3], ["50.00", "-40.00", "70.00"]);
    assert_eq!(restaurants("2026-11")[5..], ["-60.00", "over"]);
    env.run(&["budget", "set", "Restaurants", "50", "--from", "2026-11"]).ok();
    assert_eq!(restaurants("2026-11")[1], "0.00");
    // Before any budget holds, there is nothing to show.
    assert!(status(&env, "2026-08").is_empty());
}

#[test]
fn a_parent_sums_its_children_and_its_own_budget_counts_them() {
    let env = imported(&[("2026-11-02", "-20.00", "GROCER"), ("2026-11-03", "-45.50", "BISTRO")]);
    env.run(&["budget", "set", "Groceries", "300"]).ok();
    env.run(&["budget", "set", "Restaurants", "100"]).ok();
    let lines = status(&env, "2026-11");
    let food = line(&lines, "Food (sum)");
    assert_eq!(figures(food)[..3], ["400.00", "0.00", "65.50"]);
    assert_eq!(food["remaining"], "334.50");
    env.run(&["budget", "set", "Food", "50"]).ok();
    let lines = status(&env, "2026-11");
    assert!(lines.iter().all(|l| l["category"] != "Food (sum)"), "Food has its own budget now");
    assert_eq!(figures(line(&lines, "Food"))[2..], ["65.50", "0.00", "0.00", "-15.50", "over"]);
}

#[test]
fn over_exits_1_for_cron_and_0_when_within() {
    let env = imported(&[("2026-11-02", "-120.00", "GROCER")]);
    env.run(&["budget", "set", "Groceries", "200"]).ok();
    env.run(&["budget", "status", "--over"]).ok();
    env.run(&["budget", "set", "Groceries", "100"]).ok();
    let run = env.run(&["budget", "status", "--over"]).fails_with(1);
    assert!(run.stderr.contains("over budget: Food:Groceries by 20.00 USD"), "{}", run.stderr);
    assert!(run.stdout.contains("Food:Groceries"), "the status is still printed: {}", run.stdout);
    // Without --over, being over is no failure.
    env.run(&["budget", "status"]).ok();
}

#[test]
fn a_recurring_charge_still_expected_this_month_is_committed() {
    // Monthly on the 28th; today (TestEnv's clock) is 2026-11-23, so November's is still due.
    let rows: Vec<(String, &str, &str)> =
        (5..=10).map(|m| (format!("2026-{m:02}-28"), "-15.99", "STREAMFLIX.COM")).collect();
    let rows: Vec<(&str, &str, &str)> = rows.iter().map(|(d, a, t)| (d.as_str(), *a, *t)).collect();
    let env = imported(&rows);
    env.run(&["budget", "set", "Subscriptions", "20", "--from", "2026-10"]).ok();
    let lines = status(&env, "2026-11");
    assert_eq!(figures(line(&lines, "Subscriptions")), ["20.00", "0.00", "0.00", "0.00", "15.99", "20.00", "ok"]);
    env.run(&["budget", "set", "Subscriptions", "10"]).ok();
    assert_eq!(line(&status(&env, "2026-11"), "Subscriptions")["status"], "at_risk");
    // October's charge was paid: nothing is still expected there.
    assert_eq!(line(&status(&env, "2026-10"), "Subscriptions")["committed"], "0.00");
}

#[test]
fn status_on_sandbox_data_shows_pending_apart() {
    let env = TestEnv::new();
    env.linked_and_synced();
    // Card purchases are pending for a day or two: sync day by day until some are.
    for _ in 0..10 {
        let pending: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE status = 'pending' AND amount < 0");
        if pending > 0 {
            break;
        }
        env.pass_days(1);
        env.run(&["sync"]).ok();
    }
    let category: String = env.query(
        "SELECT c.full_name FROM \"transaction\" t JOIN category c ON c.id = t.category_id
         WHERE t.status = 'pending' AND t.amount < 0 AND t.transfer_id IS NULL AND c.kind = 'expense'
         GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    );
    let month: String = env.query(&format!(
        "SELECT substr(max(booked_date), 1, 7) FROM \"transaction\" t JOIN category c ON c.id = t.category_id
         WHERE t.status = 'pending' AND c.full_name = '{category}'"
    ));
    let sum = |status: &str| -> i64 {
        env.query(&format!(
            "SELECT coalesce(-sum(t.amount), 0) FROM \"transaction\" t JOIN category c ON c.id = t.category_id
             WHERE t.status = '{status}' AND t.transfer_id IS NULL AND substr(t.booked_date, 1, 7) = '{month}'
               AND (c.full_name = '{category}' OR c.full_name LIKE '{category}:%')"
        ))
    };
    let (posted, pending) = (sum("posted"), sum("pending"));
    assert!(pending > 0, "the sandbox has pending spending in {category} {month}");
    env.run(&["budget", "set", &category, "100", "--currency", "USD", "--from", &month]).ok();
    let lines = status(&env, &month);
    let l = line(&lines, &category);
    let cents = |k: &str| -> i64 { l[k].as_str().unwrap().replace('.', "").parse().unwrap() };
    assert_eq!((cents("spent"), cents("pending")), (posted, pending), "{l:#}");
    assert_eq!(cents("remaining"), 10_000 - posted - pending);
    let table = env.run(&["budget", "status", "--month", &month]).ok();
    assert!(table.stdout.contains(&category) && table.stdout.contains('#'), "a plain bar when piped: {}", table.stdout);
    assert!(!table.stdout.contains('\u{1b}'), "no color when piped");
}

#[test]
fn bad_input_gets_a_hint() {
    let env = imported(&[("2026-11-02", "-20.00", "GROCER")]);
    let run = env.run(&["budget", "set", "Grocerys", "300"]).fails_with(2);
    assert!(
        run.stderr.contains("no category named \"Grocerys\"") && run.stderr.contains("Food:Groceries"),
        "{}",
        run.stderr
    );
    let run = env.run(&["budget", "set", "Groceries", "12.345"]).fails_with(2);
    assert!(run.stderr.contains("more decimals") && run.stderr.contains("hint: write the amount"), "{}", run.stderr);
    let run = env.run(&["budget", "set", "Groceries", "lots"]).fails_with(2);
    assert!(run.stderr.contains("not an amount") && run.stderr.contains("250.00"), "{}", run.stderr);
    let run = env.run(&["budget", "set", "Groceries", "-5"]).fails_with(2);
    assert!(run.stderr.contains("negative"), "{}", run.stderr);
    let run = env.run(&["budget", "status", "--month", "2026-13"]).fails_with(2);
    assert!(run.stderr.contains("YYYY-MM"), "{}", run.stderr);
    let run = env.run(&["budget", "remove", "Nope"]).fails_with(2);
    assert!(run.stderr.contains("no category named"), "{}", run.stderr);
    env.run(&["accounts", "add", "Euro", "--currency", "EUR"]).ok();
    let run = env.run(&["budget", "set", "Groceries", "300"]).fails_with(2);
    assert!(run.stderr.contains("several currencies") && run.stderr.contains("--currency"), "{}", run.stderr);
}

#[test]
fn a_yearly_budget_shows_the_years_spending_so_far_and_rolls_over_year_to_year() {
    let env = imported(&[
        ("2025-03-05", "-600.00", "BISTRO A"), // 2025: 1000 budgeted, 600 ...
        ("2025-11-05", "-100.00", "BISTRO B"), // ... and 100 spent: 300 carried into 2026
        ("2026-02-03", "-500.00", "BISTRO C"),
        ("2026-11-04", "-900.00", "BISTRO D"), // 1400 so far in November: 100 over 1300
        ("2026-12-01", "-50.00", "BISTRO E"),  // after November: not in its status
        ("2026-11-05", "-30.00", "GROCER"),    // another category, budgeted by the month
    ]);
    env.run(&["budget", "set", "Restaurants", "1000", "--yearly", "--rollover", "--from", "2025"]).ok();
    env.run(&["budget", "set", "Groceries", "100", "--from", "2026-09"]).ok();
    let listed = env.run(&["budget", "list", "--format", "json"]).ok().json();
    assert_eq!(listed[1]["period"], "year");
    assert_eq!(listed[1]["from"], "2025");
    assert_eq!(listed[0]["period"], "month");

    let nov = status(&env, "2026-11");
    let restaurants = line(&nov, "Food:Restaurants");
    assert_eq!(restaurants["period"], "year");
    assert_eq!(figures(restaurants), ["1000.00", "300.00", "1400.00", "0.00", "0.00", "-100.00", "over"]);
    assert_eq!(figures(line(&nov, "Food:Groceries"))[2], "30.00", "a monthly budget counts its month");
    assert_eq!(figures(line(&status(&env, "2026-01"), "Food:Restaurants"))[5], "1300.00", "nothing spent in January");
    assert_eq!(figures(line(&status(&env, "2026-02"), "Food:Restaurants"))[5], "800.00", "the year so far");
    assert_eq!(
        figures(line(&status(&env, "2025-06"), "Food:Restaurants")),
        ["1000.00", "0.00", "600.00", "0.00", "0.00", "400.00", "ok"]
    );
    assert!(status(&env, "2024-12").iter().all(|l| l["category"] != "Food:Restaurants"), "before its first year");

    let over = env.run(&["budget", "status", "--month", "2026-11", "--over"]).fails_with(1);
    assert!(over.stderr.contains("Food:Restaurants by 100.00 USD"), "{}", over.stderr);
    env.run(&["budget", "status", "--month", "2026-01", "--over"]).ok();

    // Without rollover each year starts afresh; a year given as a month means its year.
    env.run(&["budget", "set", "Restaurants", "1000", "--yearly", "--from", "2026-06"]).ok();
    assert_eq!(figures(line(&status(&env, "2026-11"), "Food:Restaurants"))[1], "0.00");
    let bad = env.run(&["budget", "set", "Restaurants", "1", "--yearly", "--from", "26"]).fails_with(2);
    assert!(bad.stderr.contains("YYYY (2026)"), "{}", bad.stderr);
}
