//! Quotas: a provider's documented daily limit is never exceeded, `sync --if-due` is the cron
//! mode, and `tally connections` shows what is left.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use tally::providers::AccountScope;
use tally::sandbox::{data, robot};
use tally::store::{connections, ledger};

use crate::common::{NOW, TestEnv, approve};

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
    // The hint says when the quota comes back, not that the bank is down.
    assert!(run.stderr.contains("hint: the quota resets at 2026-11-24T00:00:00Z (00:00 UTC)"), "{}", run.stderr);
    assert!(run.stderr.contains("`tally sync --if-due` waits for it"), "{}", run.stderr);
    assert!(!run.stderr.contains("busy or down"), "{}", run.stderr);
    assert_eq!(max_calls(&env), 4);
    let doctor = env.run(&["doctor", "--format", "json"]).ok().json();
    let quota = doctor.as_array().unwrap().iter().find(|r| r["check"] == "quota").unwrap().clone();
    assert!(quota["hint"].as_str().unwrap().contains("resets at 2026-11-24T00:00:00Z"), "{quota}");

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

/// The call ledger of one connection for one day, by scope, read through the store.
pub fn calls_on(env: &TestEnv, connection: &str, day: NaiveDate) -> BTreeMap<String, u32> {
    let store = env.store();
    let c = connections::by_name(store.db(), connection).unwrap().unwrap();
    ledger::today(store.db(), c.id, day).unwrap().into_iter().collect()
}

pub fn today() -> NaiveDate {
    NOW[..10].parse().unwrap()
}

/// An account of a connection as `tally accounts` lists it: (id, tracked).
pub fn account(env: &TestEnv, connection: &str, name: &str) -> (i64, bool) {
    let all = env.run(&["accounts", "--format", "json"]).ok().json();
    let a = all
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["connection"] == connection && a["name"] == name)
        .unwrap_or_else(|| panic!("no account {name} in {all}"));
    (a["id"].as_i64().unwrap(), a["tracked"].as_bool().unwrap())
}

/// The ledger scope of one account, as sync keys it.
pub fn scope_of(env: &TestEnv, connection: &str, name: &str) -> String {
    AccountScope::of(account(env, connection, name).0, name).key
}

#[test]
fn a_rename_on_either_side_keeps_the_accounts_count() {
    let env = TestEnv::new();
    link_window(&env);
    env.run(&["sync", "-q"]).ok();
    env.run(&["sync", "-q"]).ok();
    let before = calls_on(&env, "sandbox-window", today());
    let checking = scope_of(&env, "sandbox-window", "Everyday Checking");
    assert_eq!(before.get(&checking), Some(&2), "{before:?}");

    // The user names the account, and the bank renames it too.
    let (id, _) = account(&env, "sandbox-window", "Everyday Checking");
    env.run(&["accounts", "rename", &id.to_string(), "Bills"]).ok();
    let bank = data::generate(42, 1, today());
    env.sandbox.accounts(&format!("rename={}&name=Household", bank.accounts[0].id)).unwrap();
    env.run(&["sync", "-q"]).ok();
    env.run(&["sync", "-q"]).ok();

    let after = calls_on(&env, "sandbox-window", today());
    assert_eq!(after.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>(), "no scope was started afresh");
    assert!(after.values().all(|n| *n == 4), "{after:?}");
    let run = env.run(&["sync"]).fails_with(75);
    assert!(run.stderr.contains("today's quota is used up"), "{}", run.stderr);
}

#[test]
fn an_untracked_account_is_neither_fetched_nor_charged() {
    let env = TestEnv::new();
    let bank = data::generate(42, 1, today());
    let first_three: Vec<&str> = bank.accounts[..3].iter().map(|a| a.id.as_str()).collect();
    let link = ["link", "sandbox-window", "--all", "--no-browser", "--timeout", "20"];
    env.run_consenting(&link, |url| {
        let http = tally::context::http_client().unwrap();
        let back = robot::consent_to(&http, url, robot::Decision::Approve, Some(&first_three)).unwrap();
        robot::follow(&http, &back).unwrap();
    })
    .ok();
    // A wider consent, given without a terminal: the new account is not tracked.
    let relink = ["link", "--relink", "sandbox-window", "--no-browser", "--timeout", "20"];
    let run = env.run_consenting(&relink, approve).ok();
    assert!(run.stderr.contains("3 accounts matched by identity, 1 new (not tracked yet"), "{}", run.stderr);
    let euro = &bank.accounts[3].name;
    let (euro_id, tracked) = account(&env, "sandbox-window", euro);
    assert!(!tracked);

    env.run(&["sync", "-q"]).ok();
    let calls = calls_on(&env, "sandbox-window", today());
    assert!(!calls.contains_key(&scope_of(&env, "sandbox-window", euro)), "{calls:?}");
    assert_eq!(calls.len(), 4, "the accounts list and three accounts: {calls:?}");
    let rows = env.run(&["tx", "list", "--account", &euro_id.to_string(), "--format", "json"]).ok().json();
    assert_eq!(rows.as_array().unwrap().len(), 0);
    let rows = env.run(&["tx", "list", "--format", "json"]).ok().json();
    assert!(rows.as_array().unwrap().len() > 100, "the tracked accounts were synced");
}
