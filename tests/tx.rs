//! `tally tx list` and `tally tx show`: filters, formats that parse back, clear errors.

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;

use tally::money::Currency;

use crate::common::TestEnv;

#[test]
fn filters_narrow_the_list_and_csv_json_parse_back() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let json = env
        .run(&["tx", "list", "--format", "json", "--from", "2026-11-01", "--to", "2026-11-15", "--category", "Food"])
        .ok()
        .json();
    let rows = json.as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        let date = r["date"].as_str().unwrap();
        assert!(("2026-11-01"..="2026-11-15").contains(&date), "{r}");
        assert!(r["category"].as_str().unwrap().starts_with("Food"), "{r}");
        let amount = r["amount"].as_str().unwrap();
        assert!(is_decimal_for(amount, r["currency"].as_str().unwrap()), "{r}");
    }
    let csv = env.run(&["tx", "list", "--format", "csv", "--search", "netflix"]).ok().stdout;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        headers,
        [
            "id",
            "date",
            "account",
            "payee",
            "description",
            "amount",
            "currency",
            "category",
            "category_source",
            "status"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(records.len() >= 24, "two years of a monthly subscription");
    assert!(records.iter().all(|r| &r[4] == "NETFLIX.COM" && &r[5] == "-15.49"));

    let limited = env.run(&["tx", "list", "--account", "Rewards Visa", "--limit", "3", "--format", "json"]).ok().json();
    assert_eq!(limited.as_array().unwrap().len(), 3);
    assert!(limited.as_array().unwrap().iter().all(|r| r["account"] == "Rewards Visa"));
}

/// `-1234.56`: digits, and exactly as many decimals as the currency has (none for JPY).
fn is_decimal_for(amount: &str, currency: &str) -> bool {
    let decimals = usize::from(Currency::parse(currency).unwrap().exponent());
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let unsigned = amount.strip_prefix('-').unwrap_or(amount);
    match unsigned.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac) && frac.len() == decimals,
        None => digits(unsigned) && decimals == 0,
    }
}

#[test]
fn amounts_are_checked_as_decimals_of_their_currency() {
    assert!(is_decimal_for("-15.49", "USD") && is_decimal_for("0.05", "USD") && is_decimal_for("1500", "JPY"));
    for (amount, currency) in [("-15.5", "USD"), ("-1549", "USD"), ("1,549.00", "USD"), ("", "USD"), ("15.00", "JPY")] {
        assert!(!is_decimal_for(amount, currency), "{amount} {currency}");
    }
}

#[test]
fn tables_say_when_they_are_cut_short() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let run = env.run(&["tx", "list"]).ok();
    // Rows plus the header row.
    assert_eq!(run.stdout.lines().filter(|l| l.starts_with('│')).count(), 50 + 1);
    assert!(run.stderr.contains("showing the newest 50 of"), "{}", run.stderr);
}

#[test]
fn show_explains_the_category_and_unknown_ids_fail() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let id: i64 = env.query("SELECT min(id) FROM \"transaction\" WHERE description = 'NETFLIX.COM'");
    let shown = env.run(&["tx", "show", &id.to_string(), "--format", "json"]).ok().json();
    assert_eq!(shown["category"], "Subscriptions:Streaming");
    assert_eq!(shown["category_source"], "provider");
    assert!(shown["category_reason"].as_str().unwrap().contains("ENTERTAINMENT_TV_AND_MOVIES"));
    assert!(shown["raw_record"].is_i64());

    let run = env.run(&["tx", "show", "999999"]).fails_with(2);
    assert!(run.stderr.contains("no transaction with id 999999"), "{}", run.stderr);
}

/// `tally tx list … | head -1`: the reader leaves after one line; tally stops quietly, exit 0.
#[test]
fn a_reader_that_leaves_early_ends_the_listing_quietly() {
    let env = TestEnv::new();
    env.linked_and_synced();
    for format in ["csv", "json", "table"] {
        let args = ["tx", "list", "--format", format, "--limit", "0"];
        // More than a pipe holds (64 KiB on Linux) and the reader takes, or tally would finish
        // before the reader left and the test could not fail.
        let whole = env.run(&args).ok().stdout;
        assert!(whole.len() > 96 * 1024, "{format}: only {} bytes", whole.len());

        let mut child = env.command(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut first = String::new();
        BufReader::with_capacity(256, child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        assert_eq!(first.trim_end(), whole.lines().next().unwrap(), "{format}");
        // The reader (and with it the pipe) is gone here, as `head -1` is.
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{format}");
    }
}
