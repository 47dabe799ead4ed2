//! `tally link plaid` (Hosted Link polled to completion) and its sync, against a scripted
//! Plaid server (`server.rs`) that checks every request's credentials, version and body.

mod server;

use serde_json::{Value, json};

use self::server::{ACCESS_TOKEN, CLIENT_ID, PlaidServer, SECRET, plaid_error};
use crate::common::{Run, TestEnv};

fn run(env: &TestEnv, plaid: &PlaidServer, args: &[&str]) -> Run {
    let out = env.command(args).env("TALLY_PLAID_URL", &plaid.url).env("TALLY_PLAID_POLL_MS", "5").output().unwrap();
    Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn account(id: &str, name: &str, mask: &str, kind: &str, subtype: &str, current: &str) -> Value {
    let balances: Value = serde_json::from_str(&format!(
        r#"{{"available": null, "current": {current}, "limit": null, "iso_currency_code": "USD",
            "unofficial_currency_code": null}}"#
    ))
    .unwrap();
    json!({"account_id": id, "balances": balances, "mask": mask, "name": name, "official_name": null,
           "type": kind, "subtype": subtype, "persistent_account_id": format!("persist-{id}")})
}

/// A transaction as the spec's example has it; `amount` is the JSON number's text.
fn tx(id: &str, amount: &str, date: &str, pending: bool, pending_id: Option<&str>) -> Value {
    let amount: Value = serde_json::from_str(amount).unwrap();
    json!({"transaction_id": id, "account_id": "acc-chk", "amount": amount, "iso_currency_code": "USD",
           "unofficial_currency_code": null, "date": date, "authorized_date": date, "name": "Starbucks",
           "merchant_name": "Starbucks", "original_description": format!("STARBUCKS {id}"),
           "pending": pending, "pending_transaction_id": pending_id,
           "personal_finance_category": {"primary": "FOOD_AND_DRINK", "detailed": "FOOD_AND_DRINK_COFFEE",
                                         "confidence_level": "VERY_HIGH", "version": "v2"}})
}

fn page(added: Vec<Value>, modified: Vec<Value>, removed: Vec<Value>, next: &str, more: bool) -> Value {
    json!({"accounts": [], "added": added, "modified": modified, "removed": removed, "next_cursor": next,
           "has_more": more, "request_id": "req-s", "transactions_update_status": "HISTORICAL_UPDATE_COMPLETE"})
}

/// A server whose Hosted Link session finishes after two polls, with a checking account and
/// a card.
fn server() -> PlaidServer {
    let plaid = PlaidServer::start();
    {
        let mut s = plaid.state();
        s.polls_before_done = 2;
        s.session = Some(json!({"link_session_id": "ls-1", "started_at": "2026-11-23T12:00:00Z",
            "finished_at": "2026-11-23T12:03:00Z",
            "results": {"item_add_results": [{"public_token": "public-sandbox-b0e2c4ee", "accounts": [],
                        "institution": {"name": "First Platypus Bank", "institution_id": "ins_109508"}}],
                        "cra_item_add_results": [], "cra_update_results": [], "bank_income_results": [],
                        "payroll_income_results": [], "document_income_results": null}}));
        s.accounts = vec![
            account("acc-chk", "Plaid Checking", "0000", "depository", "checking", "110.25"),
            account("acc-card", "Plaid Credit Card", "3333", "credit", "credit card", "410"),
        ];
    }
    plaid
}

fn link(env: &TestEnv, plaid: &PlaidServer) -> Run {
    std::fs::create_dir_all(env.home()).unwrap();
    let keys = env.home().join("plaid-keys");
    std::fs::write(&keys, format!("{CLIENT_ID}:{SECRET}\n")).unwrap();
    run(env, plaid, &["link", "plaid", "--all", "--no-browser", "--token-file", keys.to_str().unwrap()])
}

#[track_caller]
fn assert_secrets_kept(env: &TestEnv, runs: &[&Run]) {
    let db = String::from_utf8_lossy(&std::fs::read(env.db()).unwrap()).to_string();
    for secret in [SECRET, ACCESS_TOKEN] {
        assert!(!db.contains(secret), "{secret} is in the database");
        for run in runs {
            assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret), "{run:#?}");
        }
    }
}

#[test]
fn links_through_hosted_link_polled_to_completion_without_a_qr_code_off_a_terminal() {
    let env = TestEnv::new();
    let plaid = server();
    let run = link(&env, &plaid).ok();
    assert!(run.stderr.contains("https://hosted.plaid.com/link/lt-af1a0311"), "{}", run.stderr);
    assert!(!run.stderr.contains(['\u{2580}', '\u{2584}', '\u{2588}']), "no QR code without a terminal");
    assert!(run.stderr.contains("Linked plaid (First Platypus Bank): tracking 2 of 2 accounts"), "{}", run.stderr);
    let paths: Vec<String> = plaid.state().seen.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(
        paths,
        [
            "/link/token/create",
            "/link/token/get",
            "/link/token/get",
            "/link/token/get",
            "/item/public_token/exchange",
            "/accounts/get"
        ]
    );
    let create = &plaid.calls("/link/token/create")[0];
    assert_eq!(create["hosted_link"], json!({}));
    plaid.assert_no_violations();
    let accounts = env.run(&["accounts", "--format", "json"]).ok().json();
    assert_eq!(accounts[1]["kind"], "credit");
    assert_secrets_kept(&env, &[&run]);
    let secrets = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    assert!(secrets.contains(ACCESS_TOKEN) && secrets.contains(SECRET), "kept in the secret store");
}

#[test]
fn a_link_session_that_never_finishes_times_out_clearly() {
    let env = TestEnv::new();
    let plaid = server();
    plaid.state().polls_before_done = u32::MAX;
    std::fs::create_dir_all(env.home()).unwrap();
    let keys = env.home().join("k");
    std::fs::write(&keys, format!("{CLIENT_ID}:{SECRET}")).unwrap();
    let args = ["link", "plaid", "--all", "--timeout", "1", "--token-file", keys.to_str().unwrap()];
    let run = run(&env, &plaid, &args).fails_with(1);
    assert!(run.stderr.contains("Plaid Link was not finished within 1 s"), "{}", run.stderr);
    assert!(plaid.calls("/item/public_token/exchange").is_empty());
}

const AMOUNTS: [&str; 5] = ["12.5", "2307.21", "-500", "0.8", "101.80"];

/// Two pages: four posted rows and a pending coffee, then its posted row (and the pending
/// one removed); then nothing new at `c2`.
fn coffee_pages(plaid: &PlaidServer) {
    let amounts = AMOUNTS;
    {
        let mut s = plaid.state();
        let first: Vec<Value> = amounts[1..]
            .iter()
            .enumerate()
            .map(|(i, a)| tx(&format!("t{i}"), a, "2026-11-20", false, None))
            .chain([tx("p1", "12.5", "2026-11-21", true, None)])
            .collect();
        s.pages.insert(String::new(), page(first, vec![], vec![], "c1", true));
        let posted = tx("t-posted", "12.5", "2026-11-22", false, Some("p1"));
        let removed = json!({"transaction_id": "p1", "account_id": "acc-chk"});
        s.pages.insert("c1".into(), page(vec![posted], vec![], vec![removed], "c2", false));
        s.pages.insert("c2".into(), page(vec![], vec![], vec![], "c2", false));
    }
}

#[test]
fn sync_pages_to_the_end_inverts_the_sign_once_and_posts_the_pending_row() {
    let env = TestEnv::new();
    let plaid = server();
    link(&env, &plaid).ok();
    let amounts = AMOUNTS;
    coffee_pages(&plaid);
    let sync = run(&env, &plaid, &["sync"]).ok();
    // Plaid's positive amounts are money out: the page's own sum, inverted, once.
    let usd = tally::money::Currency::parse("USD").unwrap();
    let plaid_sum: i64 = amounts.iter().map(|a| tally::money::parse_decimal(a, usd).unwrap()).sum();
    let sum: i64 = env.query(r#"SELECT sum(amount) FROM "transaction" WHERE status != 'removed'"#);
    assert_eq!(sum, -plaid_sum);
    let rows: i64 = env.query(r#"SELECT count(*) FROM "transaction" WHERE amount = -1250 AND status != 'removed'"#);
    assert_eq!(rows, 1, "the pending row became the posted one, never two rows for one purchase");
    let linked: String = env.query(r#"SELECT pending_external_id FROM "transaction" WHERE external_id = 't-posted'"#);
    assert_eq!(linked, "p1");
    let payee: String = env.query(r#"SELECT payee FROM "transaction" WHERE external_id = 't0'"#);
    assert_eq!(payee, "Starbucks");

    let cursors: Vec<Value> = plaid.calls("/transactions/sync").iter().map(|b| b["cursor"].clone()).collect();
    assert_eq!(cursors, [Value::Null, json!("c1")]);
    run(&env, &plaid, &["sync"]).ok();
    assert_eq!(plaid.calls("/transactions/sync").last().unwrap()["cursor"], "c2", "the stored cursor is used");
    plaid.assert_no_violations();
    assert_secrets_kept(&env, &[&sync]);
}

#[test]
fn a_mutation_during_pagination_restarts_from_the_first_pages_cursor() {
    let env = TestEnv::new();
    let plaid = server();
    link(&env, &plaid).ok();
    {
        let mut s = plaid.state();
        s.pages.insert(String::new(), page(vec![], vec![], vec![], "c0", false));
        s.pages.insert("c0".into(), page(vec![tx("a", "1.00", "2026-11-20", false, None)], vec![], vec![], "c1", true));
        s.pages
            .insert("c1".into(), page(vec![tx("b", "2.00", "2026-11-20", false, None)], vec![], vec![], "c2", false));
        s.fail.insert(
            "c1".into(),
            vec![(400, plaid_error("TRANSACTIONS_ERROR", "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"))],
        );
    }
    run(&env, &plaid, &["sync"]).ok(); // to c0
    run(&env, &plaid, &["sync"]).ok();
    let cursors: Vec<Value> = plaid.calls("/transactions/sync").iter().map(|b| b["cursor"].clone()).collect();
    assert_eq!(cursors, [Value::Null, json!("c0"), json!("c1"), json!("c0"), json!("c1")]);
    let n: i64 = env.query(r#"SELECT count(*) FROM "transaction""#);
    assert_eq!(n, 2, "the restarted page is not saved twice");
    plaid.assert_no_violations();
}

#[test]
fn a_fresh_item_says_its_history_is_still_loading() {
    let env = TestEnv::new();
    let plaid = server();
    link(&env, &plaid).ok();
    let mut loading = page(vec![], vec![], vec![], "", false);
    loading["transactions_update_status"] = json!("NOT_READY");
    plaid.state().pages.insert(String::new(), loading);
    let first = run(&env, &plaid, &["sync"]).fails_with(75);
    assert!(first.stderr.contains("still loading"), "{}", first.stderr);
    assert!(!first.stderr.contains("no transactions"), "{}", first.stderr);
    // Nothing was stored: the next sync asks from the beginning again.
    plaid.state().fail.insert(String::new(), vec![(400, plaid_error("ITEM_ERROR", "PRODUCT_NOT_READY"))]);
    let second = run(&env, &plaid, &["sync"]).fails_with(75);
    assert!(second.stderr.contains("still loading"), "{}", second.stderr);
    let cursors: Vec<Value> = plaid.calls("/transactions/sync").iter().map(|b| b["cursor"].clone()).collect();
    assert_eq!(cursors, [Value::Null, Value::Null]);
}

#[test]
fn recent_days_first_say_that_older_history_is_still_coming() {
    let env = TestEnv::new();
    let plaid = server();
    link(&env, &plaid).ok();
    let mut recent = page(vec![tx("t-1", "4.50", "2026-11-20", false, None)], vec![], vec![], "c0", false);
    recent["transactions_update_status"] = json!("INITIAL_UPDATE_COMPLETE");
    plaid.state().pages.insert(String::new(), recent);
    let first = run(&env, &plaid, &["sync"]).ok();
    assert!(first.stderr.contains("older history is still loading"), "{}", first.stderr);
    let n: i64 = env.query(r#"SELECT count(*) FROM "transaction""#);
    assert_eq!(n, 1, "the recent days are kept");
    // Once Plaid has the whole history, nothing more is said.
    plaid.state().pages.insert("c0".into(), page(vec![], vec![], vec![], "c1", false));
    let second = run(&env, &plaid, &["sync"]).ok();
    assert!(!second.stderr.contains("older history"), "{}", second.stderr);
}

#[test]
fn each_error_class_has_its_exit_code_and_unlink_removes_the_item() {
    let cases = [
        (400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED", 77),
        (400, "ITEM_ERROR", "PENDING_EXPIRATION", 77),
        (400, "ITEM_ERROR", "ACCESS_NOT_GRANTED", 77),
        (400, "INSTITUTION_ERROR", "INSTITUTION_DOWN", 75),
        (400, "INSTITUTION_ERROR", "INSTITUTION_NOT_RESPONDING", 75),
        (429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED", 75),
        (400, "INVALID_INPUT", "INVALID_ACCOUNT_ID", 1),
    ];
    for (status, kind, code, exit) in cases {
        let env = TestEnv::new();
        let plaid = server();
        link(&env, &plaid).ok();
        // A 429 is retried (up to four tries) before it counts.
        let tries = if status == 429 { 4 } else { 1 };
        plaid.state().fail.insert(String::new(), vec![(status, plaid_error(kind, code)); tries]);
        let run = run(&env, &plaid, &["sync"]).fails_with(exit);
        assert!(run.stderr.contains("hint:"), "{code}: {}", run.stderr);
        if exit == 77 {
            assert!(run.stderr.contains("tally link --relink plaid"), "{code}: {}", run.stderr);
        }
        if exit != 75 || status != 429 {
            assert!(run.stderr.contains(code), "{code}: {}", run.stderr);
        }
    }
    let env = TestEnv::new();
    let plaid = server();
    link(&env, &plaid).ok();
    let run = run(&env, &plaid, &["connections", "unlink", "plaid"]).ok();
    assert!(run.stderr.contains("consent revoked at the bank"), "{}", run.stderr);
    assert_eq!(plaid.calls("/item/remove").len(), 1);
    plaid.assert_no_violations();
}

#[test]
fn relink_opens_link_in_update_mode_with_the_access_token() {
    let env = TestEnv::new();
    let plaid = server();
    link(&env, &plaid).ok();
    {
        let mut s = plaid.state();
        s.polls = 0;
        s.session = Some(json!({"link_session_id": "ls-2", "finished_at": "2026-11-23T13:00:00Z", "results": null}));
    }
    let run = run(&env, &plaid, &["link", "--relink", "plaid", "--no-browser"]).ok();
    assert!(run.stderr.contains("Relinked plaid: 2 accounts matched"), "{}", run.stderr);
    let create = plaid.calls("/link/token/create");
    assert_eq!(create.len(), 2);
    assert_eq!(create[1]["access_token"], ACCESS_TOKEN);
    assert!(create[1].get("products").is_none(), "update mode names no products");
    assert_eq!(plaid.calls("/item/public_token/exchange").len(), 1, "update mode needs no exchange");
    plaid.assert_no_violations();
}

#[test]
fn a_server_that_repeats_its_cursor_is_stopped_with_nothing_half_written() {
    let env = TestEnv::new();
    let plaid = server();
    link(&env, &plaid).ok();
    {
        let mut s = plaid.state();
        s.pages
            .insert(String::new(), page(vec![tx("a", "1.00", "2026-11-20", false, None)], vec![], vec![], "c1", true));
        s.pages.insert("c1".into(), page(vec![tx("b", "2.00", "2026-11-20", false, None)], vec![], vec![], "c1", true));
    }
    let run = run(&env, &plaid, &["sync"]).fails_with(1);
    assert!(run.stderr.contains("same cursor again"), "{}", run.stderr);
    assert_eq!(plaid.calls("/transactions/sync").len(), 2, "no third call");
    let b: i64 = env.query(r#"SELECT count(*) FROM "transaction" WHERE external_id = 'b'"#);
    assert_eq!(b, 0, "the looping page is not saved");
}

#[test]
fn replay_rebuilds_the_same_rows_from_plaids_raw_records() {
    let env = TestEnv::new();
    let plaid = server();
    link(&env, &plaid).ok();
    coffee_pages(&plaid);
    run(&env, &plaid, &["sync"]).ok();
    let sql = r#"SELECT external_id, booked_date, amount, status, payee, pending_external_id, description
                 FROM "transaction" ORDER BY external_id"#;
    let synced = env.rows(sql, []);
    assert_eq!(synced.len(), 5, "{synced:#?}");
    env.damage(r#"UPDATE "transaction" SET amount = 0"#);
    let before = plaid.state().seen.len();
    run(&env, &plaid, &["sync", "--replay"]).ok();
    assert_eq!(env.rows(sql, []), synced);
    assert_eq!(plaid.state().seen.len(), before, "replay needs no network");
}

#[test]
fn relink_after_the_keys_were_rotated_asks_for_the_new_ones() {
    let env = TestEnv::new();
    let plaid = server();
    link(&env, &plaid).ok();
    {
        let mut s = plaid.state();
        s.secret = Some("plaid-rotated-5e6f".into());
        s.polls = 0;
        s.session = Some(json!({"link_session_id": "ls-2", "finished_at": "2026-11-23T13:00:00Z", "results": null}));
    }
    let keys = env.home().join("new-keys");
    std::fs::write(&keys, format!("{CLIENT_ID}:plaid-rotated-5e6f")).unwrap();
    let args = ["link", "--relink", "plaid", "--no-browser", "--token-file", keys.to_str().unwrap()];
    let relinked = run(&env, &plaid, &args).ok();
    let said = &relinked.stderr;
    assert!(said.contains("INVALID_API_KEYS") && said.contains("Relinked plaid"), "{said}");
    // The new keys are the ones kept: a sync with them works.
    plaid.state().pages.insert(String::new(), page(vec![], vec![], vec![], "c0", false));
    run(&env, &plaid, &["sync"]).ok();
    assert!(!std::fs::read_to_string(env.home().join("secrets.toml")).unwrap().contains(SECRET));
}

/// For the leak test (`tests/leaks.rs`): a linked Plaid Item; keep the server alive.
pub(crate) fn linked_for_leak_test(env: &TestEnv) -> (Box<dyn std::any::Any>, Run) {
    let plaid = server();
    coffee_pages(&plaid);
    env.set_env("TALLY_PLAID_URL", &plaid.url);
    env.set_env("TALLY_PLAID_POLL_MS", "5");
    let run = link(env, &plaid);
    (Box::new(plaid), run)
}
