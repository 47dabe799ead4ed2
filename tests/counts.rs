//! What `tally sync` says it did: each row counted once, by what became of it for the user
//! (issue 8, item 12). A first sync only adds; a pending row replaced by its posted row is one
//! "posted"; a sync from the start after a relink adds nothing it already had.

use crate::common::{Run, TestEnv, approve};

/// (added, modified, posted, removed) over every account of the JSON summary.
fn counts(run: &Run) -> (u64, u64, u64, u64) {
    let summary = run.json();
    let accounts = summary["connections"].as_array().unwrap().iter().flat_map(|c| c["accounts"].as_array().unwrap());
    accounts.fold((0, 0, 0, 0), |(a, m, p, r), row| {
        let n = |key: &str| row[key].as_u64().unwrap_or_else(|| panic!("no {key} in {row}"));
        (a + n("added"), m + n("modified"), p + n("posted"), r + n("removed"))
    })
}

fn rows(env: &TestEnv) -> i64 {
    env.query("SELECT count(*) FROM \"transaction\"")
}

fn linked(env: &TestEnv) -> i64 {
    env.query("SELECT count(*) FROM \"transaction\" WHERE pending_external_id IS NOT NULL")
}

#[test]
fn a_first_sync_only_adds_one_row_per_purchase() {
    let env = TestEnv::new();
    env.link();
    let first = env.run(&["sync", "--format", "json"]).ok();
    // The bank's feed authorizes and posts some card purchases on different pages: each is
    // still one new row, not an add and a modify.
    assert_eq!(counts(&first), (1288, 0, 0, 0), "{}", first.stdout);
    let live: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE status != 'removed'");
    assert_eq!(live, 1288);
    assert!(linked(&env) > 0, "some purchases were posted within the first sync");
    let history = env.run(&["sync", "--history", "--format", "json"]).ok().json();
    let posted: Vec<u64> = history.as_array().unwrap().iter().map(|r| r["posted"].as_u64().unwrap()).collect();
    assert_eq!(posted, [0, 0, 0, 0]);
}

#[test]
fn a_pending_row_replaced_by_its_posting_is_one_posted() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let mut posted_total = 0;
    for _ in 0..4 {
        let (rows_before, linked_before) = (rows(&env), linked(&env));
        env.sandbox.advance_days(1);
        let run = env.run(&["sync", "--format", "json"]).ok();
        let (added, _, posted, _) = counts(&run);
        assert_eq!(posted as i64, linked(&env) - linked_before, "each posting took over a row: {}", run.stdout);
        assert_eq!(added as i64, rows(&env) - rows_before, "added is new rows only: {}", run.stdout);
        posted_total += posted;
    }
    assert!(posted_total > 0, "purchases were posted over four days");
    let history = env.run(&["sync", "--history", "--limit", "0", "--format", "json"]).ok().json();
    let stored: u64 = history.as_array().unwrap().iter().map(|r| r["posted"].as_u64().unwrap()).sum();
    assert_eq!(stored, posted_total, "sync --history keeps the posted count");
}

#[test]
fn a_sync_from_the_start_after_a_relink_adds_and_removes_nothing() {
    let env = TestEnv::new();
    env.linked_and_synced();
    // A few days of syncs, so that postings took over pending rows stored earlier.
    for _ in 0..3 {
        env.sandbox.advance_days(1);
        env.run(&["sync", "-q"]).ok();
    }
    let before = env.rows("SELECT id, external_id, status, amount FROM \"transaction\" ORDER BY id", []);
    env.sandbox.fault("kind=revoke").unwrap();
    env.run(&["sync", "-q"]).fails_with(77);
    env.run_consenting(&["link", "--relink", "sandbox", "--no-browser", "--timeout", "20"], approve).ok();

    let run = env.run(&["sync", "--format", "json"]).ok();
    assert_eq!(counts(&run), (0, 0, 0, 0), "the bank's history again is nothing new: {}", run.stdout);
    let after = env.rows("SELECT id, external_id, status, amount FROM \"transaction\" ORDER BY id", []);
    let new: Vec<&String> = after.iter().filter(|r| !before.contains(r)).collect();
    assert_eq!((after.len(), new), (before.len(), vec![]), "no row added or changed, not even a removed one");
}
