//! The cron contract of `tally sync`: quiet success, a JSON summary, exit codes, one sync at a
//! time, consent-expiry warnings ahead of time, and the audit history.

use crate::common::TestEnv;

#[test]
fn quiet_success_prints_nothing_and_json_is_one_summary_object() {
    let env = TestEnv::new();
    env.link();
    let run = env.run(&["sync", "-q"]).ok();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));

    env.sandbox.advance_days(1);
    let summary = env.run(&["sync", "--format", "json"]).ok().json();
    assert_eq!(summary["ok"], true);
    assert_eq!(summary["exit_code"], 0);
    let conn = &summary["connections"][0];
    assert_eq!((conn["connection"].as_str(), conn["status"].as_str()), (Some("sandbox"), Some("ok")));
    assert_eq!(conn["consent_days_left"], 180);
    assert_eq!(conn["accounts"].as_array().unwrap().len(), 4);

    env.sandbox.fault("kind=rate_limit&count=9&retry_after=3600").unwrap();
    let failed = env.run(&["sync", "--format", "json", "-q"]).fails_with(75);
    let summary = failed.json();
    assert_eq!((summary["ok"].as_bool(), summary["exit_code"].as_u64()), (Some(false), Some(75)));
    // The bank said when: the hint says so, in UTC (tally's clock is pinned at NOW).
    let hint = summary["connections"][0]["hint"].as_str().unwrap();
    assert!(hint.contains("wait 3600 s") && hint.contains("again after 2026-11-23T13:00:00Z"), "{hint}");
}

#[test]
fn a_failing_quiet_sync_prints_its_errors_and_hints_but_no_table() {
    let env = TestEnv::new();
    env.link();
    env.sandbox.fault("kind=malformed&count=2").unwrap();
    let run = env.run(&["sync", "-q"]).fails_with(1);
    assert_eq!(run.stdout, "", "quiet prints data asked for and errors, not the summary table");
    assert!(run.stderr.contains("warning: sync of sandbox failed"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: nothing past the last good page was saved"), "{}", run.stderr);
    assert!(run.stderr.contains("error: 1 of 1 connections failed to sync"), "{}", run.stderr);
    // Without -q the table is there, saying which accounts failed.
    let loud = env.run(&["sync"]).fails_with(1);
    assert!(loud.stdout.contains("failed"), "{}", loud.stdout);
}

#[test]
fn a_second_sync_waits_for_the_first_or_says_why_not() {
    let env = TestEnv::new();
    env.link();
    // Hold the lock as a running sync would.
    let _held = tally::sync::lock::SyncLock::acquire(&env.db(), std::time::Duration::ZERO).unwrap();
    let run = env.run(&["sync", "--wait", "0"]).fails_with(75);
    assert!(run.stderr.contains("another sync is running"), "{}", run.stderr);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\""), 0);
    // Reads do not wait for it.
    env.run(&["accounts"]).ok();
}

#[test]
fn consents_near_expiry_are_warned_about_ahead_of_time() {
    let env = TestEnv::new();
    env.link();
    let late = env.command(&["sync", "-q"]).env("TALLY_NOW", "2027-05-10T12:00:00Z").output().unwrap();
    let stderr = String::from_utf8_lossy(&late.stderr);
    assert!(stderr.contains("the consent for sandbox expires in 12 days"), "{stderr}");
    assert!(stderr.contains("tally link --relink sandbox"), "{stderr}");
    // The warning window is configurable.
    std::fs::write(env.home().join("config.toml"), "[sync]\nconsent_warn_days = 5\n").unwrap();
    let quiet = env.command(&["sync", "-q"]).env("TALLY_NOW", "2027-05-10T12:00:00Z").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
}

#[test]
fn history_lists_each_sync_per_account() {
    let env = TestEnv::new();
    env.linked_and_synced();
    env.sandbox.fault("kind=revoke").unwrap();
    env.run(&["sync"]).fails_with(77);
    let rows = env.run(&["sync", "--history", "--format", "json"]).ok().json();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 8);
    assert_eq!(rows[0]["status"], "failed");
    assert!(rows[0]["error"].as_str().unwrap().contains("consent"));
    assert_eq!(rows[7]["status"], "ok");
    assert!(rows.iter().any(|r| r["added"].as_u64().unwrap() > 100));
}
