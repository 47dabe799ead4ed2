//! `tally sync`: idempotent, incremental, one row per purchase, and honest about failures.

use chrono::NaiveDate;
use tally::sandbox::data::{self, Change};

use crate::common::{NOW, TestEnv};

/// Every live and removed row, as scripts would export them.
fn snapshot(env: &TestEnv) -> String {
    env.rows(
        "SELECT id, account_id, external_id, booked_date, amount, status, coalesce(payee, '')
           FROM \"transaction\" ORDER BY id",
        [],
    )
    .join("\n")
}

/// Added, modified and removed over every account of the JSON summary.
fn totals(run: &crate::common::Run) -> (u64, u64, u64) {
    let summary = run.json();
    let accounts = summary["connections"].as_array().unwrap().iter().flat_map(|c| c["accounts"].as_array().unwrap());
    accounts.fold((0, 0, 0), |(a, m, r), row| {
        (
            a + row["added"].as_u64().unwrap(),
            m + row["modified"].as_u64().unwrap(),
            r + row["removed"].as_u64().unwrap(),
        )
    })
}

#[test]
fn syncing_twice_changes_nothing_the_second_time() {
    let env = TestEnv::new();
    env.link();
    let first = env.run(&["sync", "--format", "json"]).ok();
    let (added, _, _) = totals(&first);
    assert!(added > 1000, "two years of history: {}", first.stdout);
    let before = snapshot(&env);
    let raw_before: i64 = env.query("SELECT count(*) FROM raw_record");

    let second = env.run(&["sync", "--format", "json"]).ok();
    assert_eq!(totals(&second), (0, 0, 0), "{}", second.stdout);
    assert_eq!(snapshot(&env), before);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM raw_record"), raw_before);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM sync_run"), 8, "one audit row per account per sync");
}

#[test]
fn advancing_the_clock_brings_only_the_new_days() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let before = snapshot(&env);
    env.sandbox.advance_days(3);
    let run = env.run(&["sync", "--format", "json"]).ok();
    let (added, modified, removed) = totals(&run);
    assert!((1..60).contains(&added), "three days of data, not the history again: {}", run.stdout);
    let after = snapshot(&env);
    // Old rows are untouched, except pending ones that posted (modified in place) or were
    // reversed (removed) meanwhile.
    let changed = before.lines().filter(|l| !after.contains(*l)).count() as u64;
    assert!(changed <= modified + removed, "only modified or removed rows may differ ({changed})");
    let newest: String = env.query("SELECT max(booked_date) FROM \"transaction\"");
    assert!(newest.as_str() > "2026-11-23" && newest.as_str() <= "2026-11-26", "{newest}");
}

/// Sync once a day for `days` days. Within one page the bank merges a pending row that posted
/// or was reversed, so links and removals show up across syncs, as they do in real life.
fn sync_daily(env: &TestEnv, days: u32) {
    for _ in 0..days {
        env.sandbox.advance_days(1);
        env.run(&["sync"]).ok();
    }
}

#[test]
fn a_posted_purchase_replaces_its_pending_row() {
    let env = TestEnv::new();
    env.linked_and_synced();
    sync_daily(&env, 10);
    // Each posting that names a pending id took over that row: no row keeps a pending id
    // that a posted row claims.
    let doubled: i64 = env.query(
        "SELECT count(*) FROM \"transaction\" p JOIN \"transaction\" q
           ON q.pending_external_id = p.external_id AND q.account_id = p.account_id",
    );
    assert_eq!(doubled, 0);
    let tipped: i64 =
        env.query("SELECT id FROM \"transaction\" WHERE link_reason LIKE '%amount changed%' ORDER BY id LIMIT 1");
    let show = env.run(&["tx", "show", &tipped.to_string(), "--format", "json"]).ok().json();
    assert_eq!(show["status"], "posted");
    let pending_id = show["replaced_pending"].as_str().unwrap();
    assert!(pending_id.starts_with("tx-"), "{show}");
    // The bank's own records, independently of what tally stored: the posting as it stands
    // after the last sync, and the authorization it names.
    let start = NOW[..10].parse::<NaiveDate>().unwrap();
    let bank = data::generate(42, 1, start);
    let today = start + chrono::Days::new(10);
    let latest = |id: &str| {
        bank.events.iter().filter(|e| e.visible <= today).fold(None, |found, e| match &e.change {
            Change::Added(t) | Change::Modified(t) if t.id == id => Some(t.clone()),
            _ => found,
        })
    };
    let posting = latest(show["external_id"].as_str().unwrap()).expect("the bank posted it");
    let authorization = latest(pending_id).expect("the bank authorized it first");
    assert_eq!(posting.pending_id.as_deref(), Some(pending_id), "the stored link is the bank's");
    assert!(authorization.pending && !posting.pending);
    assert_ne!(authorization.amount, posting.amount, "a tip or a correction");
    // The row carries the posted amount (tip included), not the authorization's, and the
    // reason speaks the currency's units.
    let usd = tally::money::Currency::parse(show["currency"].as_str().unwrap()).unwrap();
    let amount = |minor| tally::money::format_amount(minor, usd);
    assert_eq!(show["amount"], amount(posting.amount));
    let reason = show["link_reason"].as_str().unwrap();
    let expected = format!("(amount changed from {} to {})", amount(authorization.amount), amount(posting.amount));
    assert!(reason.contains("replaces pending") && reason.contains(&expected), "{reason}");
}

#[test]
fn removed_transactions_stay_stored_but_leave_every_report() {
    let env = TestEnv::new();
    env.linked_and_synced();
    sync_daily(&env, 30);
    let removed: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE status = 'removed'");
    assert!(removed > 0, "the reversed hotel holds");
    let listed = env.run(&["tx", "list", "--search", "AUTH HOLD", "--format", "json"]).ok().json();
    for row in listed.as_array().unwrap() {
        assert_eq!(row["status"], "pending", "only holds not yet reversed: {row}");
    }
    let all = env.run(&["tx", "list", "--format", "json"]).ok().json();
    let live: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE status != 'removed'");
    assert_eq!(all.as_array().unwrap().len() as i64, live);
    // Reports: net USD spending equals what the listing's own rows add up to. Income and
    // transfers stay out of it (the default tree's `Income` and `Transfer` branches).
    let usd = tally::money::Currency::parse("USD").unwrap();
    let spending = |row: &serde_json::Value| {
        let category = row["category"].as_str().unwrap_or("");
        let outside = ["Income", "Transfer"].iter().any(|top| category.split(':').next() == Some(top));
        (row["currency"] == "USD" && !outside)
            .then(|| tally::money::parse_amount(row["amount"].as_str().unwrap(), usd).unwrap())
    };
    let live_spent: i64 = -all.as_array().unwrap().iter().filter_map(spending).sum::<i64>();
    // The check below can fail: removed rows that would count as spending exist.
    let removed_spending: i64 = env.query(
        "SELECT count(*) FROM \"transaction\" t LEFT JOIN category c ON c.id = t.category_id
          WHERE t.status = 'removed' AND t.currency = 'USD' AND t.amount < 0
            AND coalesce(c.full_name, '') NOT LIKE 'Income%' AND coalesce(c.full_name, '') NOT LIKE 'Transfer%'",
    );
    assert!(removed_spending > 0, "reversed holds or duplicate charges");
    let report = env.run(&["report", "spending", "--format", "json"]).ok().json();
    let spent: i64 = report
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["currency"] == "USD" && r["category"] != "Total")
        .map(|r| tally::money::parse_amount(r["total"].as_str().unwrap(), usd).unwrap())
        .sum();
    assert_eq!(spent, live_spent);
}

#[test]
fn rate_limits_and_server_errors_are_retried() {
    let env = TestEnv::new();
    env.link();
    env.sandbox.fault("kind=rate_limit&count=1&retry_after=1").unwrap();
    env.sandbox.fault("kind=server_error&count=2").unwrap();
    let run = env.run(&["sync", "--format", "json"]).ok();
    assert!(totals(&run).0 > 1000);
    // All three faults reached tally (429, 500, 500), so it did retry, three times in a row.
    assert_eq!(env.sandbox.faults_left(), 0, "a fault never fired: the test proved nothing");
}

#[test]
fn a_long_retry_after_fails_the_connection_for_now() {
    let env = TestEnv::new();
    env.link();
    env.sandbox.fault("kind=rate_limit&count=9&retry_after=3600").unwrap();
    let run = env.run(&["sync"]).fails_with(75);
    assert!(run.stderr.contains("rate limited"), "{}", run.stderr);
    assert!(run.stderr.contains("run `tally sync` again after 2026-11-23T13:00:00Z"), "{}", run.stderr);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\""), 0);
}

#[test]
fn an_expired_access_token_is_refreshed_and_the_rotation_kept() {
    let env = TestEnv::new();
    env.link();
    let secrets = || std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    let linked = secrets();
    // Our clock says the hour-long access token has expired: refresh before calling.
    let run = env.command(&["sync"]).env("TALLY_NOW", "2026-11-23T14:00:00Z").output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let refreshed = secrets();
    assert_ne!(refreshed, linked, "the rotated refresh token was saved");
    // The bank's clock says so but ours does not: the 401 triggers one refresh and a retry.
    env.sandbox.advance_days(1);
    env.run(&["sync"]).ok();
    assert_ne!(secrets(), refreshed);
    // Had the spent refresh token been kept instead, the bank would have ended the consent.
    assert_eq!(env.query::<String>("SELECT status FROM connection"), "active");
}

#[test]
fn a_revoked_consent_marks_the_connection_and_keeps_the_data() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let rows: i64 = env.query("SELECT count(*) FROM \"transaction\"");
    env.sandbox.fault("kind=revoke").unwrap();
    let run = env.run(&["sync"]).fails_with(77);
    assert!(run.stderr.contains("consent_revoked"), "{}", run.stderr);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\""), rows);
    let status: String = env.query("SELECT status FROM connection");
    assert_eq!(status, "needs_relink");
    let failed: i64 = env.query("SELECT count(*) FROM sync_run WHERE status = 'failed'");
    assert_eq!(failed, 4);
}

#[test]
fn a_malformed_page_fails_that_connection_and_writes_nothing() {
    let env = TestEnv::new();
    env.link();
    env.sandbox.fault("kind=malformed").unwrap();
    let run = env.run(&["sync"]).fails_with(1);
    assert!(run.stderr.contains("cannot read"), "{}", run.stderr);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\""), 0);
    assert_eq!(env.query::<Option<String>>("SELECT cursor FROM connection"), None);
    // The next sync completes the work.
    env.run(&["sync"]).ok();
}

#[test]
fn unknown_connection_is_a_usage_error() {
    let env = TestEnv::new();
    env.link();
    let run = env.run(&["sync", "nope"]).fails_with(2);
    assert!(run.stderr.contains("no connection named \"nope\""), "{}", run.stderr);
    assert!(run.stderr.contains("hint: `tally connections` lists them"));
}

#[test]
fn one_failing_connection_does_not_stop_the_others() {
    let env = TestEnv::new();
    env.link();
    env.run_consenting(&["link", "sandbox-window", "--all", "--no-browser", "--timeout", "20"], crate::common::approve)
        .ok();
    // The first API answer is garbage: the first connection (by name, `sandbox`) fails.
    env.sandbox.fault("kind=malformed&count=1").unwrap();
    let run = env.run(&["sync", "--format", "json"]).fails_with(1);
    let summary = run.json();
    let status = |name: &str| {
        summary["connections"].as_array().unwrap().iter().find(|c| c["connection"] == name).unwrap()["status"].clone()
    };
    assert_eq!(status("sandbox"), "failed");
    assert_eq!(status("sandbox-window"), "ok");
    let window_rows: i64 = env.query(
        "SELECT count(*) FROM \"transaction\" t JOIN account a ON a.id = t.account_id JOIN connection c
         ON c.id = a.connection_id WHERE c.name = 'sandbox-window'",
    );
    assert!(window_rows > 1000);
    assert!(run.stderr.contains("1 of 2 connections failed"), "{}", run.stderr);
}

#[test]
fn a_request_that_times_out_is_retried() {
    let env = TestEnv::new();
    env.link();
    // The first answer takes 3 s; tally waits 1 s, gives up on it, and tries again.
    env.sandbox.fault("kind=slow&count=1&ms=3000").unwrap();
    let out = env.command(&["sync", "--format", "json"]).env("TALLY_HTTP_TIMEOUT", "1").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["ok"], true);
    assert_eq!(env.sandbox.faults_left(), 0, "the slow answer was asked for, and given up on");
    // Without the retry the timeout would have failed the connection (exit 75).
    env.sandbox.fault("kind=slow&count=9&ms=3000").unwrap();
    let out = env.command(&["sync"]).env("TALLY_HTTP_TIMEOUT", "1").output().unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn an_expired_consent_asks_for_a_relink() {
    let env = TestEnv::new();
    env.linked_and_synced();
    // 181 days later at the bank (PSD2 consents last 180).
    env.pass_days(181);
    let run = env.run(&["sync"]).fails_with(77);
    assert!(run.stderr.contains("consent expired") || run.stderr.contains("consent_expired"), "{}", run.stderr);
    assert!(run.stderr.contains("the consent for sandbox expired on 2027-05-22"), "{}", run.stderr);
    assert!(run.stderr.contains("tally link --relink sandbox"), "{}", run.stderr);
    assert_eq!(env.query::<String>("SELECT status FROM connection"), "needs_relink");
}

#[test]
fn a_bank_that_cannot_be_reached_gets_its_own_hint() {
    let env = TestEnv::new();
    env.link();
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let out = env.command(&["sync"]).env("TALLY_SANDBOX_URL", format!("http://{dead}")).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(75), "{stderr}");
    assert!(stderr.contains("cannot reach"), "{stderr}");
    // What the provider knows to suggest, not a guess that the bank is busy.
    assert!(stderr.contains("hint: is the server running?"), "{stderr}");
    assert!(!stderr.contains("busy or down"), "{stderr}");
}
