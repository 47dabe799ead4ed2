//! Multi-currency reports: currencies are never added together; `--convert-to` converts with
//! the rates of `tally rates`, exactly, and says so; a missing rate is an error with a hint.

use tally::money::{Currency, parse_amount};

use crate::common::TestEnv;

/// Each EUR row of a one-month spending report converted at `num / den`, rounded half to
/// even per row (as the report converts each month's cell), then summed.
fn eur_rows_at(env: &TestEnv, args: &[&str], num: i64, den: i64) -> i64 {
    let rows = env.run(args).ok().json();
    let eur = Currency::parse("EUR").unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["currency"] == "EUR" && r["category"] != "Total")
        .map(|r| {
            let n = parse_amount(r["total"].as_str().unwrap(), eur).unwrap() * num;
            let (q, rem) = (n.div_euclid(den), n.rem_euclid(den));
            match (2 * rem).cmp(&den) {
                std::cmp::Ordering::Less => q,
                std::cmp::Ordering::Greater => q + 1,
                std::cmp::Ordering::Equal => q + (q & 1),
            }
        })
        .sum()
}

fn total(env: &TestEnv, args: &[&str], currency: &str) -> (i64, serde_json::Value) {
    let rows = env.run(args).ok().json();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["category"] == "Total" && r["currency"] == currency)
        .unwrap()
        .clone();
    (parse_amount(row["total"].as_str().unwrap(), Currency::parse(currency).unwrap()).unwrap(), row)
}

#[test]
fn currencies_stay_apart_unless_converted_with_rates() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let october = ["report", "spending", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "json"];
    let (usd, _) = total(&env, &october, "USD");
    let (eur, _) = total(&env, &october, "EUR");
    assert!(usd > 0 && eur > 0);

    let mut converted: Vec<&str> = october.to_vec();
    converted.extend(["--convert-to", "USD"]);
    let run = env.run(&converted).fails_with(1);
    assert!(run.stderr.contains("no EUR→USD exchange rate for 2026-10-31"), "{}", run.stderr);
    assert!(run.stderr.contains("tally rates set EUR USD RATE --date 2026-10-31"), "{}", run.stderr);

    env.run(&["rates", "set", "eur", "USD", "1.10"]).ok();
    let run = env.run(&converted).ok();
    assert!(run.stderr.contains("converted at the rate"), "converted figures say so: {}", run.stderr);
    let (all, row) = total(&env, &converted, "USD");
    assert_eq!(all, usd + eur_rows_at(&env, &october, 110, 100), "EUR at 1.10, rounded half to even per cell");
    assert_eq!(row["converted_from"], "EUR,USD");

    // A dated rate wins from its day on; a CSV of rates is all or nothing.
    let file = env.home().join("rates.csv");
    std::fs::write(&file, "base,quote,rate,date\nEUR,USD,1.20,2026-10-01\n").unwrap();
    env.run(&["rates", "import", file.to_str().unwrap()]).ok();
    let (dated, _) = total(&env, &converted, "USD");
    assert_eq!(dated, usd + eur_rows_at(&env, &october, 120, 100));
    std::fs::write(&file, "base,quote,rate,date\nEUR,GBP,0.85,\nEUR,USD,1.2x,\n").unwrap();
    let run = env.run(&["rates", "import", file.to_str().unwrap()]).fails_with(2);
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
    let listed = env.run(&["rates", "list", "--format", "json"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 2, "the bad file added nothing: {listed}");

    // The other way round uses the inverse of the same rates.
    let mut in_eur: Vec<&str> = october.to_vec();
    in_eur.extend(["--convert-to", "EUR"]);
    let (all_eur, _) = total(&env, &in_eur, "EUR");
    let usd_rows = usd_categories(&env, &october);
    assert!((all_eur - (eur + usd * 10 / 12)).abs() <= usd_rows, "{all_eur}: off by at most a cent per row");
}

#[test]
fn a_rate_must_be_a_positive_decimal_between_two_currencies() {
    let env = TestEnv::new();
    for bad in [
        &["rates", "set", "EUR", "USD", "1,08"][..],
        &["rates", "set", "EUR", "USD", "0"],
        &["rates", "set", "EUR", "EUR", "1"],
    ] {
        let run = env.run(bad).fails_with(2);
        assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    }
}

fn usd_categories(env: &TestEnv, args: &[&str]) -> i64 {
    let rows = env.run(args).ok().json();
    rows.as_array().unwrap().iter().filter(|r| r["currency"] == "USD" && r["category"] != "Total").count() as i64
}
