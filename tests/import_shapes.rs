//! `tally import` of the amount and date shapes real exports write (issue 14 item 1): currency
//! marks beside amounts, signs after them, CR/DR, month names, compact dates, datetimes.

use crate::common::TestEnv;
use crate::import::fixture;

/// (date, amount) of `account`'s rows, oldest first.
pub fn dated_amounts(env: &TestEnv, account: &str) -> Vec<(String, String)> {
    let json = env.run(&["tx", "list", "--account", account, "--format", "json"]).ok().json();
    let mut rows: Vec<(String, String)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["date"].as_str().unwrap().to_string(), t["amount"].as_str().unwrap().to_string()))
        .collect();
    rows.sort();
    rows
}

fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter().map(|(d, a)| (d.to_string(), a.to_string())).collect()
}

#[test]
fn currency_marks_parentheses_and_month_names() {
    let env = TestEnv::new();
    let inspect = env.run(&["import", "--inspect", &fixture("us-symbols.csv")]).ok();
    assert!(inspect.stderr.contains("dates look like %b %d, %Y (as \"Jan 23, 2026\")"), "{}", inspect.stderr);
    assert!(inspect.stderr.contains("written with \"$\", \"USD\"; negatives in parentheses"), "{}", inspect.stderr);
    env.run(&["import", &fixture("us-symbols.csv"), "--create-account", "--currency", "USD"]).ok();
    assert_eq!(
        dated_amounts(&env, "us-symbols"),
        pairs(&[("2026-01-23", "1234.56"), ("2026-01-24", "-7.00"), ("2026-02-02", "-120.00"), ("2026-02-03", "5.00")])
    );
    // The code beside an amount is checked against the account's currency, never ignored.
    let run = env.run(&["import", &fixture("us-symbols.csv"), "--create-account", "--currency", "EUR"]).fails_with(1);
    assert!(
        run.stderr.contains("us-symbols.csv:5: amount \"USD 5.00\": \"USD 5.00\" is written in USD, not EUR"),
        "{}",
        run.stderr
    );
}

#[test]
fn signs_after_the_number_apostrophes_and_short_years() {
    let env = TestEnv::new();
    let inspect = env.run(&["import", "--inspect", &fixture("ch-trailing-sign.csv")]).ok();
    assert!(inspect.stderr.contains("%d-%b-%y"), "{}", inspect.stderr);
    assert!(inspect.stderr.contains("negatives with the sign after"), "{}", inspect.stderr);
    env.run(&["import", &fixture("ch-trailing-sign.csv"), "--create-account", "--currency", "CHF"]).ok();
    assert_eq!(
        dated_amounts(&env, "ch-trailing-sign"),
        pairs(&[("2026-01-23", "-12.00"), ("2026-01-24", "1234.50"), ("2026-02-01", "-2100.00")])
    );
}

#[test]
fn cr_dr_marks_and_datetimes_with_zones() {
    let env = TestEnv::new();
    let inspect = env.run(&["import", "--inspect", &fixture("gb-cr-dr.csv")]).ok();
    assert!(inspect.stderr.contains("the time of day after them is ignored"), "{}", inspect.stderr);
    assert!(inspect.stderr.contains("CR/DR"), "{}", inspect.stderr);
    env.run(&["import", &fixture("gb-cr-dr.csv"), "--create-account", "--currency", "GBP"]).ok();
    assert_eq!(
        dated_amounts(&env, "gb-cr-dr"),
        pairs(&[("2026-01-23", "-12.00"), ("2026-01-24", "1234.00"), ("2026-01-25", "-150.00")]),
        "the date as the bank wrote it, not moved by its zone"
    );
}

#[test]
fn euro_signs_on_either_side_and_compact_or_slashed_dates() {
    let env = TestEnv::new();
    env.run(&["import", &fixture("nl-euro-signs.csv"), "--create-account", "--currency", "EUR"]).ok();
    assert_eq!(
        dated_amounts(&env, "nl-euro-signs"),
        pairs(&[("2026-01-23", "-12.50"), ("2026-01-24", "-1100.00"), ("2026-01-31", "2345.67")])
    );
    env.run(&["import", &fixture("compact-dates.csv"), "--create-account", "--currency", "EUR"]).ok();
    assert_eq!(dated_amounts(&env, "compact-dates"), pairs(&[("2026-01-23", "-3.80"), ("2026-01-24", "12.50")]));
    // Re-importing the same shapes adds nothing (the ids are stable).
    let again =
        env.run(&["import", &fixture("nl-euro-signs.csv"), "--account", "nl-euro-signs", "--format", "json"]).ok();
    assert_eq!(again.json()[0]["new"], 0);
}
