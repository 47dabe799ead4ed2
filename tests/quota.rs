//! Quotas: a provider's documented daily limit is never exceeded, `sync --if-due` is the cron
//! mode, and `tally connections` shows what is left.

use crate::common::{TestEnv, approve};

fn link_window(env: &TestEnv) {
    env.run_consenting(&["link", "sandbox-window", "--all", "--no-browser", "--timeout", "20"], approve).ok();
}

fn max_calls(env: &TestEnv) -> i64 {
    env.query("SELECT coalesce(max(calls), 0) FROM call_ledger")
}

#[test]
fn the_daily_limit_is_never_exceeded_and_cron_skips_when_nothing_is_left() {
    let env = TestEnv::new();
    link_window(&env);
    for _ in 0..4 {
        env.run(&["sync", "-q"]).ok();
    }
    assert_eq!(max_calls(&env), 4, "4 calls a day per account scope, like GoCardless");
    let conn = env.run(&["connections", "--format", "json"]).ok().json();
    assert_eq!(conn[0]["calls_left_today"], 0);

    // A person syncing anyway gets a clear refusal, and no call is sent.
    let run = env.run(&["sync"]).fails_with(75);
    assert!(run.stderr.contains("today's quota is used up"), "{}", run.stderr);
    assert_eq!(max_calls(&env), 4);

    // Cron skips quietly with exit 0 and says why in the summary.
    let summary = env.run(&["sync", "--if-due", "--format", "json"]).ok().json();
    assert_eq!(summary["ok"], true);
    assert_eq!(summary["connections"].as_array().unwrap().len(), 0);
    assert_eq!(summary["skipped"][0]["connection"], "sandbox-window");

    // Tomorrow the quota is back.
    env.pass_days(1);
    let summary = env.run(&["sync", "--if-due", "--format", "json"]).ok().json();
    assert_eq!(summary["connections"][0]["status"], "ok");
}

#[test]
fn if_due_waits_for_the_providers_interval() {
    let env = TestEnv::new();
    link_window(&env);
    env.run(&["sync", "--if-due", "-q"]).ok();
    let synced: i64 = env.query("SELECT count(*) FROM sync_run");
    assert!(synced > 0);
    // Right after a sync, the next is not due for six hours.
    let run = env.run(&["sync", "--if-due"]).ok();
    assert!(run.stderr.contains("skipped, not due until"), "{}", run.stderr);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM sync_run"), synced);
    let conn = env.run(&["connections", "--format", "json"]).ok().json();
    assert!(conn[0]["next_due"].as_str().unwrap().starts_with("2026-11-23T18:00"), "{conn}");
}

#[test]
fn retried_calls_count_against_the_quota() {
    let env = TestEnv::new();
    link_window(&env);
    env.sandbox.fault("kind=server_error&count=1").unwrap();
    env.run(&["sync", "-q"]).ok();
    // The accounts list was tried twice (a 500, then success).
    let accounts: i64 = env.query("SELECT calls FROM call_ledger WHERE scope = 'accounts'");
    assert_eq!(accounts, 2);
}

#[test]
fn doctor_reports_the_quota() {
    let env = TestEnv::new();
    link_window(&env);
    env.run(&["sync", "-q"]).ok();
    let rows = env.run(&["doctor", "--format", "json"]).ok().json();
    let quota = rows.as_array().unwrap().iter().find(|r| r["check"] == "quota").unwrap();
    assert_eq!(quota["detail"], "3 of 4 calls left today in the tightest scope");
}
