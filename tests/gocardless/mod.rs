//! `tally link gocardless` (agreement, requisition, statuses polled to `LN`) and its sync
//! (date windows, booked and pending rows, the daily limit per account and scope, rate-limit
//! headers, expiry), against a scripted server built from the spec (`server.rs`).

mod server;

use serde_json::{Value, json};

use self::server::{Account, GcServer, SECRET_ID, SECRET_KEY, TOKEN_PREFIX, error};
use crate::common::{Run, TestEnv};

const IBAN: &str = "DE89370400440532013000";

fn run(env: &TestEnv, gc: &GcServer, args: &[&str]) -> Run {
    let out = env
        .command(args)
        .env("TALLY_GOCARDLESS_URL", &gc.url)
        .env("TALLY_GOCARDLESS_POLL_MS", "5")
        .env("TALLY_LOG", "debug")
        .output()
        .unwrap();
    Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn booked(id: &str, amount: &str, date: &str, party: &str) -> Value {
    let mut t = json!({"transactionId": id, "transactionAmount": {"currency": "EUR", "amount": amount},
        "bookingDate": date, "valueDate": date, "remittanceInformationUnstructured": format!("{party} {id}"),
        "proprietaryBankTransactionCode": "PMNT-ICDT"});
    t[if amount.starts_with('-') { "creditorName" } else { "debtorName" }] = json!(party);
    t
}

fn pending(amount: &str, date: &str, text: &str) -> Value {
    json!({"transactionAmount": {"currency": "EUR", "amount": amount}, "valueDate": date,
           "remittanceInformationUnstructured": text})
}

/// The page's amounts, as the bank writes them.
const AMOUNTS: [&str; 4] = ["2500.00", "-12.30", "-0.8", "-101.80"];

fn bank() -> Vec<Account> {
    let checking = Account {
        id: "acc-0001-checking".into(),
        iban: IBAN.into(),
        name: "Girokonto".into(),
        booked: vec![
            booked("T1", AMOUNTS[0], "2026-11-01", "Employer GmbH"),
            booked("T2", AMOUNTS[1], "2026-11-20", "Cafe Aroma"),
            booked("T3", AMOUNTS[2], "2026-10-15", "N26"),
            booked("T4", AMOUNTS[3], "2026-09-02", "Stadtwerke"),
        ],
        pending: vec![pending("-45.00", "2026-11-22", "REWE Markt Berlin")],
        // The server's own figures: the month opened at 100.00 and closed after the page.
        balances: json!([
            {"balanceAmount": {"amount": "100.00", "currency": "EUR"}, "balanceType": "openingBooked", "referenceDate": "2026-08-31"},
            {"balanceAmount": {"amount": "2485.10", "currency": "EUR"}, "balanceType": "closingBooked", "referenceDate": "2026-11-22"},
            {"balanceAmount": {"amount": "2440.10", "currency": "EUR"}, "balanceType": "interimAvailable"}
        ]),
    };
    let savings = Account {
        id: "acc-0002-savings".into(),
        iban: "DE02120300000000202051".into(),
        name: "Tagesgeld".into(),
        booked: vec![booked("S1", "10.00", "2026-11-15", "N26")],
        pending: vec![],
        balances: json!([{"balanceAmount": {"amount": "10.00", "currency": "EUR"}, "balanceType": "closingBooked"}]),
    };
    vec![checking, savings]
}

fn link(env: &TestEnv, gc: &GcServer, extra: &[&str]) -> Run {
    std::fs::create_dir_all(env.home()).unwrap();
    let keys = env.home().join("gocardless-keys");
    std::fs::write(&keys, format!("{SECRET_ID}:{SECRET_KEY}\n")).unwrap();
    let mut args = vec!["link", "gocardless", "--all", "--no-browser", "--country", "de", "--bank", "n26"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--token-file", keys.to_str().unwrap()]);
    run(env, gc, &args)
}

#[track_caller]
fn assert_secrets_kept(env: &TestEnv, runs: &[&Run]) {
    let db = String::from_utf8_lossy(&std::fs::read(env.db()).unwrap()).to_string();
    for secret in [SECRET_KEY, TOKEN_PREFIX] {
        assert!(!db.contains(secret), "{secret} is in the database");
        for run in runs {
            assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret), "{secret} was printed: {run:#?}");
        }
    }
}

#[test]
fn links_through_an_agreement_and_a_requisition_polled_to_linked() {
    let env = TestEnv::new();
    let gc = GcServer::start(bank());
    let run = link(&env, &gc, &[]).ok();
    let said = &run.stderr;
    assert!(said.contains("https://ob.gocardless.com/psd2/start/"), "{said}");
    for step in ["(CR;", "(GC;", "(UA;", "(SA;", "(GA;"] {
        assert!(said.contains(step), "{step} is explained: {said}");
    }
    assert!(said.contains("Linked gocardless (N26 Bank): tracking 2 of 2 accounts"), "{said}");
    let calls = gc.calls();
    assert_eq!(
        calls[..5],
        [
            "POST /api/v2/token/new/",
            "GET /api/v2/institutions/",
            "POST /api/v2/agreements/enduser/",
            "POST /api/v2/requisitions/",
            "GET /api/v2/requisitions/3fa85f64-5717-4562-b3fc-2c963f66a200/",
        ]
    );
    assert_eq!(calls.iter().filter(|c| c.starts_with("GET /api/v2/requisitions/")).count(), 6, "CR to LN, one a poll");
    {
        let s = gc.state();
        // The institution's own maximum history and access, asked for all three scopes.
        let a = &s.agreements[0];
        assert_eq!((a["max_historical_days"].clone(), a["access_valid_for_days"].clone()), (json!(540), json!(180)));
        // What link said the consent grants is what the agreement asked for, before its link.
        let scopes: Vec<&str> = a["access_scope"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let grant = format!(
            "tally asks N26 Bank through GoCardless for: read accounts, balances and transactions \
             (read-only; scope: {}), valid {} days, until 2027-05-22.",
            scopes.join(" "),
            a["access_valid_for_days"]
        );
        let at = said.find(&grant).unwrap_or_else(|| panic!("{grant:?} not in {said}"));
        assert!(at < said.find("https://ob.gocardless.com/psd2/start/").unwrap(), "{said}");
        let r = &s.requisitions[0];
        assert_eq!(r["institution_id"], "N26_NTSBDEB1");
        assert!(r["reference"].as_str().unwrap().starts_with("tally-"));
    }
    gc.assert_no_violations();
    let accounts = env.run(&["accounts", "--format", "json"]).ok().json();
    assert_eq!(accounts[0]["name"], "Girokonto");
    let expires: String = env.query("SELECT consent_expires_at FROM connection");
    assert!(expires.starts_with("2027-05-22"), "180 days of access: {expires}");
    assert_secrets_kept(&env, &[&run]);
    let secrets = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    assert!(secrets.contains(SECRET_KEY) && secrets.contains(TOKEN_PREFIX), "kept in the secret store");
}

#[test]
fn each_status_that_ends_a_requisition_refuses_the_link_and_deletes_it() {
    for (code, says) in [("RJ", "rejected"), ("EX", "expired"), ("SU", "suspended"), ("ER", "error")] {
        let env = TestEnv::new();
        let gc = GcServer::start(bank());
        gc.state().statuses = vec!["CR", "UA", code];
        let run = link(&env, &gc, &[]).fails_with(1);
        assert!(run.stderr.contains(says) && run.stderr.contains(&format!("({code})")), "{code}: {}", run.stderr);
        assert!(run.stderr.contains("hint:"), "{}", run.stderr);
        assert_eq!(gc.state().deleted.len(), 1, "{code}: the unused requisition is deleted");
        let n: i64 = env.query("SELECT count(*) FROM connection");
        assert_eq!(n, 0, "{code}: nothing was kept");
        gc.assert_no_violations();
    }
    let env = TestEnv::new();
    let gc = GcServer::start(bank());
    gc.state().statuses = vec!["CR"];
    let run = link(&env, &gc, &["--timeout", "1"]).fails_with(1);
    assert!(run.stderr.contains("not finished within 1 s (still CR)"), "{}", run.stderr);
}

#[test]
fn sync_reads_a_window_per_account_keeps_signs_and_posts_the_pending_row() {
    let env = TestEnv::new();
    let gc = GcServer::start(bank());
    link(&env, &gc, &[]).ok();
    let sync = run(&env, &gc, &["sync"]).ok();
    let windows: Vec<String> =
        gc.state().seen.iter().filter(|(_, p, _)| p.contains("/transactions/")).map(|(_, p, _)| p.clone()).collect();
    assert_eq!(windows.len(), 2, "one call per account: {windows:?}");
    // The first window reaches the agreement's 540 days back, to today.
    assert!(windows[0].ends_with("?date_from=2025-06-02&date_to=2026-11-23"), "{windows:?}");
    // The page's own sum is the server's own balance change, sign for sign.
    let eur = tally::money::Currency::parse("EUR").unwrap();
    let sum: i64 = AMOUNTS.iter().map(|a| tally::money::parse_decimal(a, eur).unwrap()).sum();
    assert_eq!(sum, 248510 - 10000, "the fixture is consistent");
    let stored: i64 = env.query(
        r#"SELECT sum(t.amount) FROM "transaction" t JOIN account a ON a.id = t.account_id
           WHERE a.external_id = 'acc-0001-checking' AND t.status = 'posted'"#,
    );
    assert_eq!(stored, sum);
    let balance: i64 = env.query("SELECT balance_current FROM account WHERE external_id = 'acc-0001-checking'");
    assert_eq!(balance, 248510);
    let code: String = env.query(r#"SELECT provider_category FROM "transaction" WHERE external_id = 'T2'"#);
    assert_eq!(code, "PMNT-ICDT", "the bank's code is kept as the label");
    let pending: i64 = env.query(r#"SELECT amount FROM "transaction" WHERE status = 'pending'"#);
    assert_eq!(pending, -4500);

    // The pending purchase is booked two days later.
    {
        let mut s = gc.state();
        s.accounts[0].pending.clear();
        s.accounts[0].booked.push(booked("T5", "-45.00", "2026-11-24", "REWE Markt Berlin"));
        s.counts.clear();
    }
    env.pass_days(2);
    let again = run(&env, &gc, &["sync"]).ok();
    let last =
        gc.state().seen.iter().rev().find(|(_, p, _)| p.contains("acc-0001-checking/transactions/")).unwrap().1.clone();
    assert!(last.ends_with("?date_from=2026-11-09&date_to=2026-11-25"), "14 days of overlap: {last}");
    let rows: i64 = env.query(r#"SELECT count(*) FROM "transaction" WHERE amount = -4500 AND status != 'removed'"#);
    assert_eq!(rows, 1, "the pending row became the posted one, never two rows for one purchase");
    let status: String = env.query(r#"SELECT status FROM "transaction" WHERE amount = -4500 AND status != 'removed'"#);
    assert_eq!(status, "posted");
    assert_eq!(gc.calls().iter().filter(|c| c.contains("/details/")).count(), 2, "details are read once, at link");
    assert!(gc.calls().contains(&"POST /api/v2/token/refresh/".to_string()), "a day-old access token is refreshed");
    gc.assert_no_violations();
    assert_secrets_kept(&env, &[&sync, &again]);
}

#[test]
fn the_fifth_call_in_a_day_for_an_account_and_scope_is_never_sent() {
    let env = TestEnv::new();
    let gc = GcServer::start(bank());
    // The link spends a balances call per account: the server's headers tell sync so.
    link(&env, &gc, &[]).ok();
    for _ in 0..3 {
        run(&env, &gc, &["sync"]).ok();
    }
    let fourth = run(&env, &gc, &["sync"]).fails_with(75);
    assert!(fourth.stderr.contains("quota is used up") && fourth.stderr.contains("balances"), "{}", fourth.stderr);
    let fifth = run(&env, &gc, &["sync"]).fails_with(75);
    assert!(fifth.stderr.contains("quota is used up"), "{}", fifth.stderr);
    let counts = gc.state().counts.clone();
    assert_eq!(counts[&("acc-0001-checking".to_string(), "transactions".to_string())], 4);
    assert_eq!(counts[&("acc-0001-checking".to_string(), "balances".to_string())], 4);
    gc.assert_no_violations();
    // A new UTC day starts afresh.
    gc.state().counts.clear();
    env.pass_days(1);
    run(&env, &gc, &["sync"]).ok();
}

#[test]
fn a_rate_limit_is_waited_out_when_short_and_exits_75_when_long() {
    let env = TestEnv::new();
    let gc = GcServer::start(bank());
    link(&env, &gc, &[]).ok();
    let limited = error(
        "Couldn't update account transactions",
        "Daily request limit set by the Institution has been exceeded.",
        Some("RateLimitError"),
        429,
    );
    gc.fail_next(
        "/api/v2/accounts/acc-0001-checking/transactions/",
        429,
        limited.clone(),
        vec![("Retry-After", "0".into())],
    );
    run(&env, &gc, &["sync"]).ok();
    gc.fail_next("/api/v2/accounts/", 429, limited, vec![("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET", "3600".into())]);
    let limited = run(&env, &gc, &["sync"]).fails_with(75);
    assert!(limited.stderr.contains("3600"), "{}", limited.stderr);
    // The bank's daily limit for that account is spent: tally does not ask again today.
    let asked = |gc: &GcServer| gc.calls().iter().filter(|c| c.contains("acc-0001-checking/transactions/")).count();
    let before = asked(&gc);
    let later = run(&env, &gc, &["sync"]).fails_with(75);
    assert!(later.stderr.contains("quota is used up"), "{}", later.stderr);
    assert_eq!(asked(&gc), before);
    gc.assert_no_violations();
}

#[test]
fn an_ended_agreement_needs_a_relink_which_keeps_the_accounts() {
    let cases = [
        (
            401,
            error(
                "Couldn't update account transactions",
                "Access has expired or it has been revoked. To restore access reconnect the account.",
                Some("AccessExpiredError"),
                401,
            ),
        ),
        (
            403,
            error(
                "No valid End User Agreement",
                "Account exists but there is no valid End User Agreement permitting you to access it",
                None,
                403,
            ),
        ),
        (
            409,
            error(
                "Account suspended",
                "This account or its requisition was suspended due to numerous errors that occurred while accessing it.",
                None,
                409,
            ),
        ),
    ];
    for (status, body) in cases {
        let env = TestEnv::new();
        let gc = GcServer::start(bank());
        link(&env, &gc, &[]).ok();
        gc.fail_next("/api/v2/accounts/", status, body, vec![]);
        let run = run(&env, &gc, &["sync"]).fails_with(77);
        assert!(run.stderr.contains("tally link --relink gocardless"), "{status}: {}", run.stderr);
        let state: String = env.query("SELECT status FROM connection");
        assert_eq!(state, "needs_relink");
    }
    // Past the agreement's 180 days, tally knows without asking.
    let env = TestEnv::new();
    let gc = GcServer::start(bank());
    link(&env, &gc, &[]).ok();
    env.pass_days(181);
    let before = gc.calls().len();
    let expired = run(&env, &gc, &["sync"]).fails_with(77);
    assert!(expired.stderr.contains("agreement expired"), "{}", expired.stderr);
    assert!(gc.calls()[before..].iter().all(|c| !c.contains("/accounts/")), "no account call is spent");
    // A relink gives new account ids under the same IBANs: the accounts are kept.
    {
        let mut s = gc.state();
        s.polls = 0;
        for a in &mut s.accounts {
            a.id = a.id.replace("-000", "-100");
        }
    }
    let relinked =
        run(&env, &gc, &["link", "--relink", "gocardless", "--no-browser", "--country", "DE", "--bank", "N26 Bank"])
            .ok();
    assert!(relinked.stderr.contains("2 accounts matched by identity, 0 new"), "{}", relinked.stderr);
    let since: Vec<String> = gc.calls()[before..].to_vec();
    assert!(since.contains(&"POST /api/v2/token/new/".to_string()), "a new pair: {since:?}");
    assert!(!since.contains(&"POST /api/v2/token/refresh/".to_string()), "a month-old refresh token is not used");
    gc.assert_no_violations();
}

#[test]
fn unlink_deletes_the_requisition_and_wrong_keys_are_refused_clearly() {
    let env = TestEnv::new();
    let gc = GcServer::start(bank());
    link(&env, &gc, &[]).ok();
    let unlinked = run(&env, &gc, &["connections", "unlink", "gocardless"]).ok();
    assert!(unlinked.stderr.contains("consent revoked at the bank"), "{}", unlinked.stderr);
    assert_eq!(gc.state().deleted, ["3fa85f64-5717-4562-b3fc-2c963f66a200"]);
    gc.assert_no_violations();

    // A mock generated from the spec wants a bearer token even for /token/new/.
    let env = TestEnv::new();
    let gc = GcServer::start(bank());
    gc.state().bearer_everywhere = true;
    link(&env, &gc, &[]).ok();
    run(&env, &gc, &["sync"]).ok();
    gc.assert_no_violations();

    let env = TestEnv::new();
    let gc = GcServer::start(bank());
    let keys = env.home().join("wrong");
    std::fs::create_dir_all(env.home()).unwrap();
    std::fs::write(&keys, format!("{SECRET_ID}:not-the-key")).unwrap();
    let args =
        ["link", "gocardless", "--all", "--country", "DE", "--bank", "N26", "--token-file", keys.to_str().unwrap()];
    let refused = run(&env, &gc, &args).fails_with(1);
    assert!(refused.stderr.contains("refused the secret id and key"), "{}", refused.stderr);
    assert!(refused.stderr.contains("user-secrets"), "{}", refused.stderr);
}

#[test]
fn a_refused_token_is_renewed_once_and_one_failing_account_does_not_stop_the_other() {
    let env = TestEnv::new();
    let gc = GcServer::start(bank());
    link(&env, &gc, &[]).ok();
    let invalid = error("Invalid token", "Token is invalid or expired", None, 401);
    gc.fail_next("/api/v2/accounts/acc-0001-checking/transactions/", 401, invalid, vec![]);
    let missing = error(
        "Account ID acc-0002-savings not found",
        "Please check whether you specified a valid Account ID",
        None,
        404,
    );
    gc.fail_next("/api/v2/accounts/acc-0002-savings/transactions/", 404, missing, vec![]);
    let failed = run(&env, &gc, &["sync"]).fails_with(1);
    assert!(failed.stderr.contains("acc-0002-savings not found"), "{}", failed.stderr);
    assert_eq!(gc.calls().iter().filter(|c| *c == "POST /api/v2/token/refresh/").count(), 1, "renewed once");
    let checking: i64 = env.query(
        r#"SELECT count(*) FROM "transaction" t JOIN account a ON a.id = t.account_id
           WHERE a.external_id = 'acc-0001-checking'"#,
    );
    assert_eq!(checking, 5, "the other account's rows are in");

    // The next sync reads the failed account; a replay rebuilds the rows without the network.
    run(&env, &gc, &["sync"]).ok();
    let sql = r#"SELECT external_id, booked_date, amount, status, payee, description FROM "transaction"
                 ORDER BY external_id"#;
    let synced = env.rows(sql, []);
    assert_eq!(synced.len(), 6, "{synced:#?}");
    env.damage(r#"UPDATE "transaction" SET amount = 0"#);
    let before = gc.state().seen.len();
    run(&env, &gc, &["sync", "--replay"]).ok();
    assert_eq!(env.rows(sql, []), synced);
    assert_eq!(gc.state().seen.len(), before, "replay needs no network");
    gc.assert_no_violations();
}

#[test]
fn account_two_of_three_that_cannot_be_read_is_reported_alone_and_the_next_sync_recovers() {
    let env = TestEnv::new();
    let mut accounts = bank();
    accounts.push(Account {
        id: "acc-0003-card".into(),
        iban: "DE75512108001245126199".into(),
        name: "Kreditkarte".into(),
        booked: vec![booked("C1", "-5.00", "2026-11-18", "Kiosk")],
        pending: vec![],
        balances: json!([{"balanceAmount": {"amount": "-5.00", "currency": "EUR"}, "balanceType": "closingBooked"}]),
    });
    let gc = GcServer::start(accounts);
    link(&env, &gc, &[]).ok();
    // Account 2 of 3 answers with no `booked` list: unreadable.
    let unreadable = json!({"transactions": {"pending": []}});
    gc.fail_next("/api/v2/accounts/acc-0002-savings/transactions/", 200, unreadable, vec![]);
    let partial = run(&env, &gc, &["sync", "--format", "json"]).fails_with(1);
    assert!(partial.stderr.contains("1 account(s) failed to sync; the others synced"), "{}", partial.stderr);
    let summary = partial.json();
    let connection = &summary["connections"][0];
    assert_eq!(connection["status"], "partial", "{summary:#}");
    let failed: Vec<&Value> =
        connection["accounts"].as_array().unwrap().iter().filter(|a| a.get("error").is_some()).collect();
    assert_eq!(failed.len(), 1, "{summary:#}");
    assert!(failed[0]["error"].as_str().unwrap().contains("no `booked` list"), "{summary:#}");
    let rows = |id: &str| -> i64 {
        env.query(&format!(
            r#"SELECT count(*) FROM "transaction" t JOIN account a ON a.id = t.account_id WHERE a.external_id = '{id}'"#
        ))
    };
    assert_eq!(rows("acc-0001-checking"), 5, "account 1 landed");
    assert_eq!(rows("acc-0002-savings"), 0, "nothing of account 2");
    assert_eq!(rows("acc-0003-card"), 1, "account 3 landed after the failing one");

    // Fixed: the next sync reads account 2 from its first day and exits 0.
    env.pass_days(1);
    run(&env, &gc, &["sync"]).ok();
    assert_eq!(rows("acc-0002-savings"), 1);
    let windows: Vec<String> =
        gc.calls().into_iter().filter(|c| c.contains("acc-0002-savings/transactions/")).collect();
    assert_eq!(windows.len(), 2, "{windows:?}");
    let last =
        gc.state().seen.iter().rev().find(|(_, p, _)| p.contains("acc-0002-savings/transactions/")).unwrap().1.clone();
    assert!(last.contains("date_from=2025-06-03"), "its whole history again: {last}");
    gc.assert_no_violations();
}

/// For the leak test (`tests/leaks.rs`): a linked GoCardless connection; keep the server alive.
pub(crate) fn linked_for_leak_test(env: &TestEnv) -> (Box<dyn std::any::Any>, Run) {
    let gc = GcServer::start(bank());
    env.set_env("TALLY_GOCARDLESS_URL", &gc.url);
    env.set_env("TALLY_GOCARDLESS_POLL_MS", "5");
    let run = link(env, &gc, &[]);
    (Box::new(gc), run)
}
