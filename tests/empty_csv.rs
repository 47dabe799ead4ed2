//! Issue 8 item 7: a listing with no rows still prints its CSV header (JSON prints `[]`, a
//! table says so on stderr), so a script reading columns by name works on an empty result.

use crate::common::{Run, TestEnv};

fn csv(env: &TestEnv, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--format", "csv"]);
    env.run(&all).ok()
}

/// Exactly one line: the header the same listing starts with when it has rows.
#[track_caller]
fn header_only(empty: &Run, full: &Run) {
    let header = full.stdout.lines().next().unwrap_or_else(|| panic!("no rows to compare with: {full:#?}"));
    assert!(full.stdout.lines().count() > 1, "the listing with data has rows: {full:#?}");
    assert_eq!(empty.stdout, format!("{header}\n"), "{empty:#?}");
}

#[test]
fn empty_listings_print_their_csv_header() {
    let env = TestEnv::new();
    env.link();
    // A fresh link: no transactions and no sync history yet.
    // A report's period columns come from its dates when there is no data to span.
    let spending = &["report", "spending", "--from", "2026-10-01", "--to", "2026-11-30"];
    let listings: [&[&str]; 3] = [&["tx", "list"], spending, &["sync", "--history"]];
    let empty: Vec<Run> = listings.iter().map(|args| csv(&env, args)).collect();

    let synced = csv(&env, &["sync"]);
    for (args, empty) in listings.iter().zip(&empty) {
        header_only(empty, &csv(&env, args));
    }
    // Just synced, so nothing is due: the cron mode syncs nothing and still prints the header.
    let not_due = csv(&env, &["sync", "--if-due"]);
    assert!(not_due.stderr.contains("skipped, not due"), "{not_due:#?}");
    header_only(&not_due, &synced);
}

#[test]
fn an_empty_listing_is_an_empty_array_in_json_and_a_note_in_a_table() {
    let env = TestEnv::new();
    env.link();
    let json = env.run(&["tx", "list", "--format", "json"]).ok();
    assert_eq!(json.stdout, "[]\n");
    let table = env.run(&["sync", "--history"]).ok();
    assert_eq!((table.stdout.as_str(), table.stderr.as_str()), ("", "(nothing to show)\n"));
}
