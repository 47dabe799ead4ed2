//! `tally report`: each report's table on the sandbox's deterministic data (insta snapshots),
//! period columns, `--depth`, and JSON that adds up.

use crate::common::TestEnv;

fn json(env: &TestEnv, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["report"];
    all.extend(args);
    all.extend(["--format", "json"]);
    env.run(&all).ok().json().as_array().unwrap().clone()
}

/// The row of `category` (or `Total`) in `currency`.
fn row<'a>(rows: &'a [serde_json::Value], key: &str, name: &str, currency: &str) -> &'a serde_json::Value {
    rows.iter().find(|r| r[key] == name && r["currency"] == currency).unwrap_or_else(|| panic!("no {name} {currency}"))
}

#[test]
fn every_report_as_a_table() {
    let env = TestEnv::new();
    env.linked_and_synced();
    crate::common::snapshot_settings().bind(|| {
        for (name, args) in [
            ("report_spending_months", &["report", "spending", "--from", "2026-09-01"][..]),
            ("report_spending_quarters", &["report", "spending", "--period", "quarter", "--from", "2026-01-01"]),
            ("report_spending_years_depth", &["report", "spending", "--period", "year", "--depth", "1"]),
            ("report_cashflow", &["report", "cashflow", "--from", "2026-07-01"]),
            ("report_networth", &["report", "networth", "--period", "quarter", "--from", "2026-01-01"]),
            ("report_merchants", &["report", "merchants", "--limit", "5", "--from", "2026-10-01"]),
            ("report_trends", &["report", "trends", "--last", "3"]),
        ] {
            let run = env.run(args).ok();
            insta::assert_snapshot!(name, env.shown(&run), &args.join(" "));
        }
    });
}

#[test]
fn spending_is_categories_by_period_with_exact_totals() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let rows = json(&env, &["spending", "--from", "2026-10-01", "--to", "2026-10-31"]);
    let rent = row(&rows, "category", "Housing:Rent", "USD");
    assert_eq!((rent["2026-10"].as_str(), rent["total"].as_str()), (Some("1850.00"), Some("1850.00")));
    for r in &rows {
        let c = r["category"].as_str().unwrap();
        assert!(!c.starts_with("Income") && !c.starts_with("Transfer"), "{r}");
    }
    // Each currency's total row is the sum of its rows, and shares are of that total.
    let usd = tally::money::Currency::parse("USD").unwrap();
    let minor = |v: &serde_json::Value| tally::money::parse_amount(v.as_str().unwrap(), usd).unwrap();
    let total = row(&rows, "category", "Total", "USD");
    let sum: i64 =
        rows.iter().filter(|r| r["currency"] == "USD" && r["category"] != "Total").map(|r| minor(&r["total"])).sum();
    assert_eq!(sum, minor(&total["total"]));
    assert_eq!(total["share"], "100.0%");
    assert!(row(&rows, "category", "Total", "EUR")["total"].as_str().is_some(), "EUR is its own group");
    // CSV holds the same rows.
    let csv = env.run(&["report", "spending", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "csv"]).ok();
    assert_eq!(csv::Reader::from_reader(csv.stdout.as_bytes()).records().count(), rows.len());
}

#[test]
fn periods_are_months_quarters_or_years_and_depth_folds_categories() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let quarters = json(&env, &["spending", "--period", "quarter", "--from", "2026-01-01", "--to", "2026-12-31"]);
    let keys: Vec<&String> = quarters[0].as_object().unwrap().keys().collect();
    assert_eq!(keys[2..6], ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
    let months = json(&env, &["spending", "--from", "2026-01-01", "--to", "2026-12-31"]);
    let usd = tally::money::Currency::parse("USD").unwrap();
    let minor = |v: &serde_json::Value| tally::money::parse_amount(v.as_str().unwrap(), usd).unwrap();
    let groceries = row(&months, "category", "Food:Groceries", "USD");
    let q1: i64 = ["2026-01", "2026-02", "2026-03"].iter().map(|m| minor(&groceries[*m])).sum();
    assert_eq!(q1, minor(&row(&quarters, "category", "Food:Groceries", "USD")["2026-Q1"]));
    let years =
        json(&env, &["spending", "--period", "year", "--depth", "1", "--from", "2026-01-01", "--to", "2026-12-31"]);
    assert!(years.iter().all(|r| !r["category"].as_str().unwrap().contains(':')), "{years:?}");
    let food: i64 = months
        .iter()
        .filter(|r| r["currency"] == "USD" && r["category"].as_str().unwrap().starts_with("Food:"))
        .map(|r| minor(&r["total"]))
        .sum();
    assert_eq!(minor(&row(&years, "category", "Food", "USD")["2026"]), food);
}

#[test]
fn net_worth_ends_at_each_accounts_reported_balance() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let rows = json(&env, &["networth", "--from", "2026-10-01"]);
    let accounts = env.run(&["accounts", "--format", "json"]).ok().json();
    for account in accounts.as_array().unwrap() {
        let name = account["name"].as_str().unwrap();
        let r = row(&rows, "account", name, account["currency"].as_str().unwrap());
        assert_eq!(r["2026-11"], account["balance"], "{name}: today's column is the bank's balance");
        assert_ne!(r["2026-10"], r["2026-11"], "{name}: October ends before November's rows");
    }
    let run = env.run(&["report", "networth", "--category", "Food"]).fails_with(2);
    assert!(run.stderr.contains("--category does not apply"), "{}", run.stderr);
}

#[test]
fn merchants_rank_by_spend_or_count_and_trends_compare_with_the_average() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let by_spend = json(&env, &["merchants", "--currency", "USD", "--limit", "3"]);
    assert_eq!(by_spend.len(), 3);
    assert_eq!(by_spend[0]["payee"], "OAKWOOD PROPERTY MGMT RENT");
    let by_count = json(&env, &["merchants", "--currency", "USD", "--by", "count", "--limit", "0"]);
    let counts: Vec<i64> = by_count.iter().map(|r| r["transactions"].as_i64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]) && counts.len() > 3, "{counts:?}");
    let trends = json(&env, &["trends", "--to", "2026-10-31", "--last", "2"]);
    let rent = row(&trends, "category", "Housing:Rent", "USD");
    assert_eq!((rent["period"].as_str(), rent["change"].as_str()), (Some("2026-10"), Some("0.00")));
    let changes: Vec<i64> = trends
        .iter()
        .filter(|r| r["currency"] == "USD")
        .map(|r| {
            tally::money::parse_amount(r["change"].as_str().unwrap(), tally::money::Currency::parse("USD").unwrap())
                .unwrap()
                .abs()
        })
        .collect();
    assert!(changes.windows(2).all(|w| w[0] >= w[1]), "biggest changes first: {changes:?}");
}
