//! `tally link teller` (Teller Connect in a page served on 127.0.0.1, the enrollment posted
//! back as a browser would) and its sync, against a scripted Teller server (`server.rs`) that
//! requires a client certificate from a throwaway CA and checks every request.

mod server;

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::Stdio;

use serde_json::{Value, json};

use self::server::{ACCESS_TOKEN, Pki, TellerServer};
use crate::common::{Run, TestEnv};

const APP_ID: &str = "app_ou4r1rmeb6j3tmk4fu000";

/// A Teller server, its PKI, and the files a user has from teller.zip.
struct Bank {
    pki: Pki,
    teller: TellerServer,
}

impl Bank {
    /// A checking account and a card at one bank.
    fn new() -> Bank {
        let pki = Pki::new();
        let teller = TellerServer::start(&pki);
        {
            let mut s = teller.state();
            s.accounts = vec![
                account("acc_chk", "Checking", "depository", "checking", "1234"),
                account("acc_card", "Platinum Card", "credit", "credit_card", "7890"),
            ];
            s.balances.insert("acc_chk".into(), balances("acc_chk", "1234.56", "1200.06"));
            s.balances.insert("acc_card".into(), balances("acc_card", "410.10", "9589.90"));
            s.transactions.insert("acc_chk".into(), Vec::new());
            s.transactions.insert("acc_card".into(), Vec::new());
        }
        Bank { pki, teller }
    }

    /// `tally ARGS` pointed at this server and trusting its CA (and only it).
    fn command(&self, env: &TestEnv, args: &[&str]) -> std::process::Command {
        std::fs::create_dir_all(env.home()).unwrap();
        let ca = env.home().join("teller-ca.pem");
        std::fs::write(&ca, &self.pki.ca).unwrap();
        let mut cmd = env.command(args);
        cmd.env("TALLY_TELLER_URL", &self.teller.url).env("TALLY_TELLER_CA_FILE", &ca);
        cmd
    }

    fn run(&self, env: &TestEnv, args: &[&str]) -> Run {
        let out = self.command(env, args).output().unwrap();
        Run {
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
            code: out.status.code().unwrap_or(-1),
        }
    }

    /// The certificate and key files, as unzipped from teller.zip (or the stranger's pair).
    fn cert_files(&self, env: &TestEnv, stranger: bool) -> (String, String) {
        std::fs::create_dir_all(env.home()).unwrap();
        let (cert, key) = if stranger {
            (&self.pki.stranger_cert, &self.pki.stranger_key)
        } else {
            (&self.pki.client_cert, &self.pki.client_key)
        };
        let (c, k) = (env.home().join("certificate.pem"), env.home().join("private_key.pem"));
        std::fs::write(&c, cert).unwrap();
        std::fs::write(&k, key).unwrap();
        (c.display().to_string(), k.display().to_string())
    }

    /// `tally link teller --all --no-browser ARGS`; once the page's URL is printed, `browser`
    /// gets it (and plays Teller Connect).
    fn link_with(&self, env: &TestEnv, args: &[&str], browser: impl FnOnce(&str)) -> Run {
        self.link_in(env, args, &[], browser)
    }

    /// [`Bank::link_with`] with more environment variables.
    fn link_in(&self, env: &TestEnv, args: &[&str], vars: &[(&str, &str)], browser: impl FnOnce(&str)) -> Run {
        let mut all = vec!["link", "teller", "--all"];
        all.extend_from_slice(args);
        self.consenting(env, &all, vars, browser)
    }

    /// `tally ARGS --no-browser --timeout 20`, with `browser` playing the page once its URL is
    /// printed.
    fn consenting(&self, env: &TestEnv, args: &[&str], vars: &[(&str, &str)], browser: impl FnOnce(&str)) -> Run {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--no-browser", "--timeout", "20"]);
        let mut command = self.command(env, &all);
        command.envs(vars.iter().copied());
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let (mut seen, mut url) = (String::new(), None);
        while url.is_none() {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap() == 0 {
                break;
            }
            seen.push_str(&line);
            url = line.split_whitespace().find(|w| w.starts_with("http://127.0.0.1:")).map(str::to_string);
        }
        if let Some(url) = url {
            browser(&url);
        }
        stderr.read_to_string(&mut seen).unwrap();
        let mut stdout = String::new();
        child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
        let status = child.wait().unwrap();
        Run { stdout, stderr: seen, code: status.code().unwrap_or(-1) }
    }

    /// Link with the right certificate, Connect succeeding.
    fn link(&self, env: &TestEnv) -> Run {
        let (cert, key) = self.cert_files(env, false);
        self.link_with(env, &["--application-id", APP_ID, "--cert", &cert, "--key", &key], enroll).ok()
    }
}

/// What the page does once Teller Connect's `onSuccess` fires: post the enrollment back.
fn enroll(url: &str) {
    let http = tally::context::http_client().unwrap();
    let page = http.get(url).send().unwrap().text().unwrap();
    assert!(page.contains("https://cdn.teller.io/connect/connect.js"), "{page}");
    assert!(page.contains(&format!("applicationId: \"{APP_ID}\"")), "{page}");
    let form =
        [("access_token", ACCESS_TOKEN), ("enrollment_id", "enr_p0lv582dt0rb4t46fi000"), ("institution", "Chase")];
    assert!(http.post(url).form(&form).send().unwrap().status().is_success());
}

fn account(id: &str, name: &str, kind: &str, subtype: &str, last_four: &str) -> Value {
    json!({"id": id, "enrollment_id": "enr_p0lv582dt0rb4t46fi000", "name": name, "type": kind, "subtype": subtype,
           "currency": "USD", "last_four": last_four, "status": "open",
           "institution": {"id": "chase", "name": "Chase"},
           "links": {"self": format!("https://api.teller.io/accounts/{id}"),
                     "balances": format!("https://api.teller.io/accounts/{id}/balances"),
                     "transactions": format!("https://api.teller.io/accounts/{id}/transactions")}})
}

fn balances(id: &str, ledger: &str, available: &str) -> Value {
    json!({"account_id": id, "ledger": ledger, "available": available,
           "links": {"account": format!("https://api.teller.io/accounts/{id}")}})
}

/// A transaction as Teller's reference shows one.
fn tx(account: &str, id: &str, amount: &str, date: &str, status: &str, category: &str, payee: &str) -> Value {
    json!({"id": id, "account_id": account, "amount": amount, "date": date, "description": payee.to_uppercase(),
           "status": status, "type": "card_payment",
           "details": {"processing_status": "complete", "category": category,
                       "counterparty": {"name": payee, "type": "organization"}},
           "links": {"self": format!("https://api.teller.io/accounts/{account}/transactions/{id}"),
                     "account": format!("https://api.teller.io/accounts/{account}")}})
}

/// `n` posted rows, newest first, one a day back from 2026-11-22, amounts with every kind of
/// decimal Teller writes; and the server's own total of them in cents.
fn history(account: &str, n: usize) -> (Vec<Value>, i64) {
    let amounts = ["-42.50", "2500.00", "-0.8", "-101.80", "-12", "19.99", "-7.05"];
    let (mut rows, mut cents) = (Vec::new(), 0);
    for i in 0..n {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap() - chrono::Days::new((i / 3) as u64);
        let amount = amounts[i % amounts.len()];
        let (whole, frac) = amount.split_once('.').unwrap_or((amount, ""));
        let frac = format!("{frac:0<2}");
        let value = whole.trim_start_matches('-').parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap();
        cents += if amount.starts_with('-') { -value } else { value };
        rows.push(tx(account, &format!("txn_{account}_{i:04}"), amount, &date.to_string(), "posted", "dining", "Cafe"));
    }
    (rows, cents)
}

fn live_rows(env: &TestEnv, account: &str) -> i64 {
    env.query(&format!(
        "SELECT count(*) FROM \"transaction\" t JOIN account a ON a.id = t.account_id \
         WHERE a.external_id = '{account}' AND t.status != 'removed'"
    ))
}

#[track_caller]
fn assert_secrets_kept(env: &TestEnv, bank: &Bank, runs: &[&Run]) {
    let db = String::from_utf8_lossy(&std::fs::read(env.db()).unwrap()).to_string();
    let key_body = bank.pki.client_key.lines().nth(1).unwrap().to_string();
    for secret in [ACCESS_TOKEN, key_body.as_str()] {
        assert!(!db.contains(secret), "{secret} is in the database");
        for run in runs {
            assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret), "{run:#?}");
        }
    }
}

#[test]
fn links_through_the_connect_page_and_keeps_token_and_key_in_the_secret_store() {
    let env = TestEnv::new();
    let bank = Bank::new();
    let run = bank.link(&env);
    assert!(run.stderr.contains("/teller/"), "the page has a random path: {}", run.stderr);
    assert!(run.stderr.contains("Linked teller (Chase): tracking 2 of 2 accounts"), "{}", run.stderr);
    assert_eq!(
        bank.teller.seen("GET /accounts"),
        ["GET /accounts", "GET /accounts/acc_chk/balances", "GET /accounts/acc_card/balances"]
    );
    bank.teller.assert_no_violations();
    let accounts = bank.run(&env, &["accounts", "--format", "json"]).ok().json();
    assert_eq!(accounts.as_array().unwrap().len(), 2, "{accounts}");
    assert_secrets_kept(&env, &bank, &[&run]);
    let secrets = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    assert!(secrets.contains(ACCESS_TOKEN) && secrets.contains("BEGIN PRIVATE KEY"), "kept in the secret store");
}

#[test]
fn without_an_application_id_nothing_is_served_and_the_hint_says_where_to_find_it() {
    let env = TestEnv::new();
    let bank = Bank::new();
    let (cert, key) = bank.cert_files(&env, false);
    let run = bank.link_with(&env, &["--cert", &cert, "--key", &key], |_| panic!("no page without an app id"));
    let run = run.fails_with(2);
    assert!(run.stderr.contains("--application-id"), "{}", run.stderr);
    assert!(bank.teller.state().seen.is_empty());
}

#[test]
fn syncs_every_page_to_the_end_and_the_rows_add_up_to_the_servers_total() {
    let env = TestEnv::new();
    let bank = Bank::new();
    let (rows, total) = history("acc_chk", 260);
    let last_of_first_page = rows[249]["id"].as_str().unwrap().to_string();
    bank.teller.state().transactions.insert("acc_chk".into(), rows);
    bank.link(&env);
    let out = bank.command(&env, &["sync"]).env("TALLY_LOG", "debug").output().unwrap();
    let sync = Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
    }
    .ok();
    let basic = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, format!("{ACCESS_TOKEN}:"));
    assert!(!sync.stderr.contains(&basic), "the Authorization header is not logged");
    let calls = bank.teller.seen("GET /accounts/acc_chk/transactions");
    assert_eq!(
        calls,
        [
            "GET /accounts/acc_chk/transactions?count=250".to_string(),
            format!("GET /accounts/acc_chk/transactions?count=250&from_id={last_of_first_page}"),
            "GET /accounts/acc_chk/transactions?count=250&from_id=txn_acc_chk_0259".to_string(),
        ]
    );
    bank.teller.assert_no_violations();
    assert_eq!(live_rows(&env, "acc_chk"), 260);
    let sum: i64 = env.query("SELECT sum(amount) FROM \"transaction\" WHERE status = 'posted'");
    assert_eq!(sum, total, "Teller's amounts are tally's sign already: money out is negative");
    // Teller's category is kept as it came and placed in our tree.
    let placed: String = env.query(
        "SELECT t.provider_category || ' -> ' || c.full_name FROM \"transaction\" t \
         JOIN category c ON c.id = t.category_id LIMIT 1",
    );
    assert_eq!(placed, "dining -> Food:Restaurants");
    let payee: String = env.query("SELECT payee FROM \"transaction\" LIMIT 1");
    assert_eq!(payee, "Cafe");
    // A card's ledger balance is what is owed.
    let owed: i64 = env.query("SELECT balance_current FROM account WHERE external_id = 'acc_card'");
    assert_eq!(owed, -41_010);
    assert_secrets_kept(&env, &bank, &[&sync]);
}

#[test]
fn a_pending_row_that_posts_stays_one_row() {
    let env = TestEnv::new();
    let bank = Bank::new();
    {
        let mut s = bank.teller.state();
        let rows = vec![
            tx("acc_chk", "txn_pending_coffee", "-12.00", "2026-11-21", "pending", "dining", "Blue Bottle"),
            tx("acc_chk", "txn_same_id", "-30.00", "2026-11-21", "pending", "groceries", "Whole Foods"),
            tx("acc_chk", "txn_rent", "-1500.00", "2026-11-01", "posted", "home", "Landlord"),
        ];
        s.transactions.insert("acc_chk".into(), rows);
    }
    bank.link(&env);
    bank.run(&env, &["sync"]).ok();
    let pending: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE status = 'pending'");
    assert_eq!(pending, 2);
    {
        // The coffee posts under a new id with a tip; the groceries post under their own id.
        let mut s = bank.teller.state();
        let rows = vec![
            tx("acc_chk", "txn_posted_coffee", "-14.40", "2026-11-22", "posted", "dining", "Blue Bottle"),
            tx("acc_chk", "txn_same_id", "-30.00", "2026-11-21", "posted", "groceries", "Whole Foods"),
            tx("acc_chk", "txn_rent", "-1500.00", "2026-11-01", "posted", "home", "Landlord"),
        ];
        s.transactions.insert("acc_chk".into(), rows);
    }
    bank.run(&env, &["sync"]).ok();
    assert_eq!(live_rows(&env, "acc_chk"), 3, "one row per purchase");
    let rows = env.rows(
        "SELECT external_id, amount, status FROM \"transaction\" WHERE status != 'removed' ORDER BY external_id",
        [],
    );
    assert_eq!(rows, ["txn_posted_coffee|-1440|posted", "txn_rent|-150000|posted", "txn_same_id|-3000|posted"]);
    bank.teller.assert_no_violations();
}

#[test]
fn a_server_that_repeats_a_page_stops_that_account_alone_and_the_next_sync_recovers() {
    let env = TestEnv::new();
    let bank = Bank::new();
    let (chk, _) = history("acc_chk", 300);
    let (card, _) = history("acc_card", 300);
    let (sav, _) = history("acc_sav", 4);
    {
        let mut s = bank.teller.state();
        s.accounts.push(account("acc_sav", "Savings", "depository", "savings", "5555"));
        s.balances.insert("acc_sav".into(), balances("acc_sav", "10.00", "10.00"));
        s.transactions.insert("acc_chk".into(), chk);
        s.transactions.insert("acc_card".into(), card);
        s.transactions.insert("acc_sav".into(), sav);
        // Account 2 of 3 answers every page with its first one: it would page forever.
        s.ignore_from_id.insert("acc_card".into());
    }
    bank.link(&env);
    let partial = bank.run(&env, &["sync", "--format", "json"]).fails_with(1);
    assert!(partial.stderr.contains("account Platinum Card, failed"), "{partial:?}");
    assert!(partial.stderr.contains("1 account(s) failed to sync; the others synced"), "{partial:?}");
    let summary = partial.json();
    let connection = &summary["connections"][0];
    assert_eq!(connection["status"], "partial", "{summary:#}");
    let failed: Vec<&Value> =
        connection["accounts"].as_array().unwrap().iter().filter(|a| a.get("error").is_some()).collect();
    assert_eq!(failed.len(), 1, "{summary:#}");
    let why = failed[0]["error"].as_str().unwrap();
    assert!(why.contains("Teller sent the same transactions again for account acc_card"), "{why}");
    assert_eq!(bank.teller.seen("GET /accounts/acc_card/transactions").len(), 2, "stopped at the repeat");
    let order = bank.teller.seen("GET /accounts/acc_");
    let last_card = order.iter().rposition(|r| r.starts_with("GET /accounts/acc_card/transactions")).unwrap();
    let first_sav = order.iter().position(|r| r.starts_with("GET /accounts/acc_sav/transactions")).unwrap();
    assert!(last_card < first_sav, "the account after the failing one was read after it: {order:#?}");
    assert_eq!(live_rows(&env, "acc_chk"), 300, "account 1 landed");
    assert_eq!(live_rows(&env, "acc_card"), 0, "nothing half-written of account 2");
    assert_eq!(live_rows(&env, "acc_sav"), 4, "account 3 landed");

    // Fixed: the next sync reads account 2's whole history and exits 0.
    bank.teller.state().ignore_from_id.clear();
    env.pass_days(1);
    bank.run(&env, &["sync"]).ok();
    assert_eq!(live_rows(&env, "acc_card"), 300);
    assert_eq!(live_rows(&env, "acc_chk"), 300);
    bank.teller.assert_no_violations();
}

#[test]
fn an_account_teller_does_not_find_fails_alone() {
    let env = TestEnv::new();
    let bank = Bank::new();
    let (chk, _) = history("acc_chk", 3);
    let (card, _) = history("acc_card", 2);
    {
        let mut s = bank.teller.state();
        s.transactions.insert("acc_chk".into(), chk);
        s.transactions.insert("acc_card".into(), card);
    }
    bank.link(&env);
    let gone = json!({"error": {"code": "not_found", "message": "account not found"}});
    bank.teller.state().fail.insert("/accounts/acc_chk/transactions".into(), vec![(404, gone)]);
    let partial = bank.run(&env, &["sync"]).fails_with(1);
    assert!(partial.stderr.contains("account Checking, failed"), "{partial:?}");
    assert_eq!((live_rows(&env, "acc_chk"), live_rows(&env, "acc_card")), (0, 2));
    // A closed account (410) fails alone too, with its own hint.
    let closed = json!({"error": {"code": "gone", "message": "account closed"}});
    bank.teller.state().fail.insert("/accounts/acc_chk/transactions".into(), vec![(410, closed)]);
    let partial = bank.run(&env, &["sync", "--format", "json"]).fails_with(1);
    let accounts = partial.json()["connections"][0]["accounts"].clone();
    let failed: Vec<&Value> = accounts.as_array().unwrap().iter().filter(|a| a.get("error").is_some()).collect();
    assert_eq!(failed.len(), 1, "{accounts:#}");
    assert!(failed[0]["error"].as_str().unwrap().contains("closed at the bank"), "{accounts:#}");
    assert!(failed[0]["hint"].as_str().unwrap().contains("closed account"), "{accounts:#}");
    env.pass_days(1);
    bank.run(&env, &["sync"]).ok();
    assert_eq!(live_rows(&env, "acc_chk"), 3, "read again from its first day");
}

#[test]
fn an_account_whose_balances_are_refused_fails_alone_and_keeps_its_last_balance() {
    let env = TestEnv::new();
    let bank = Bank::new();
    let (chk, _) = history("acc_chk", 3);
    let (card, _) = history("acc_card", 2);
    {
        let mut s = bank.teller.state();
        s.transactions.insert("acc_chk".into(), chk);
        s.transactions.insert("acc_card".into(), card);
    }
    bank.link(&env);
    bank.run(&env, &["sync"]).ok();
    let balance = |name: &str| {
        let listed = env.run(&["accounts", "--format", "json"]).ok().json();
        let account = listed.as_array().unwrap().iter().find(|a| a["name"] == name).cloned();
        account.unwrap_or_else(|| panic!("{name}: {listed}"))["balance"].clone()
    };
    let before = balance("Checking");
    assert!(before.is_string(), "a balance to keep: {before}");
    // A 404 about that account's balances (a 401/403 would be about the whole enrollment).
    let missing = json!({"error": {"code": "not_found", "message": "balances not available for this account"}});
    bank.teller.state().fail.insert("/accounts/acc_chk/balances".into(), vec![(404, missing)]);
    let partial = bank.run(&env, &["sync", "--format", "json"]).fails_with(1);
    let accounts = partial.json()["connections"][0]["accounts"].clone();
    let failed: Vec<&Value> = accounts.as_array().unwrap().iter().filter(|a| a.get("error").is_some()).collect();
    assert_eq!(failed.len(), 1, "only the checking account fails: {accounts:#}");
    assert_eq!(balance("Checking"), before, "its last balance is not wiped");
    assert!(balance("Platinum Card").is_string(), "the card keeps syncing: {accounts:#}");
    assert_eq!(live_rows(&env, "acc_card"), 2);
}

#[test]
fn the_first_transactions_call_that_times_out_is_tried_again() {
    let env = TestEnv::new();
    let bank = Bank::new();
    let (rows, _) = history("acc_chk", 5);
    bank.teller.state().transactions.insert("acc_chk".into(), rows);
    bank.link(&env);
    {
        let mut s = bank.teller.state();
        s.stall = 1;
        let gateway = json!({"error": {"code": "bad_gateway", "message": "the bank took too long"}});
        s.fail.insert("/accounts/acc_chk/transactions".into(), vec![(502, gateway)]);
    }
    let out = bank.command(&env, &["sync"]).env("TALLY_HTTP_TIMEOUT", "1").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(live_rows(&env, "acc_chk"), 5);
}

#[test]
fn a_disconnected_enrollment_needs_a_relink_and_says_why() {
    let env = TestEnv::new();
    let bank = Bank::new();
    bank.link(&env);
    let mfa = json!({"error": {"code": "enrollment.disconnected.user_action.mfa_required",
                               "message": "Enrollment is not healthy"}});
    bank.teller.state().fail.insert("/accounts/acc_chk/transactions".into(), vec![(403, mfa)]);
    let run = bank.run(&env, &["sync"]).fails_with(77);
    assert!(run.stderr.contains("one-time code (MFA)"), "{}", run.stderr);
    assert!(run.stderr.contains("relink"), "{}", run.stderr);
    let status: String = env.query("SELECT status FROM connection");
    assert_eq!(status, "needs_relink");

    // Relinking repairs the same enrollment in Connect and keeps the certificate given before.
    let run = bank.consenting(&env, &["link", "--relink", "teller"], &[], |url| {
        let page = tally::context::http_client().unwrap().get(url).send().unwrap().text().unwrap();
        assert!(page.contains(r#"enrollmentId: "enr_p0lv582dt0rb4t46fi000""#), "{page}");
        enroll(url);
    });
    run.ok();
    bank.run(&env, &["sync"]).ok();
    let status: String = env.query("SELECT status FROM connection");
    assert_eq!(status, "active");
    bank.teller.assert_no_violations();
}

#[test]
fn a_rate_limit_is_a_temporary_failure() {
    let env = TestEnv::new();
    let bank = Bank::new();
    bank.link(&env);
    let limited = json!({"error": {"code": "too_many_requests", "message": "slow down"}});
    bank.teller.state().fail.insert("/accounts/acc_chk/transactions".into(), vec![(429, limited); 4]);
    let run = bank.run(&env, &["sync"]).fails_with(75);
    assert!(run.stderr.contains("rate limited"), "{}", run.stderr);
}

#[test]
fn the_server_refuses_a_request_without_a_client_certificate() {
    let env = TestEnv::new();
    let bank = Bank::new();
    // Teller's sandbox needs no certificate, so tally sends none; the live API refuses that.
    let vars = [("TALLY_TELLER_ENVIRONMENT", "sandbox")];
    let run = bank.link_in(&env, &["--application-id", APP_ID], &vars, enroll).fails_with(1);
    assert!(run.stderr.contains("without a client certificate"), "{}", run.stderr);
    assert!(run.stderr.contains("hint:") && run.stderr.contains("--cert"), "{}", run.stderr);
    assert_eq!(bank.teller.state().uncertified, 1);
    assert!(bank.teller.state().seen.is_empty(), "nothing answered without a certificate");
}

#[test]
fn a_certificate_teller_does_not_trust_fails_the_link_with_one_clear_line() {
    let env = TestEnv::new();
    let bank = Bank::new();
    let (cert, key) = bank.cert_files(&env, true);
    let run = bank.link_with(&env, &["--application-id", APP_ID, "--cert", &cert, "--key", &key], enroll).fails_with(1);
    assert!(run.stderr.contains("Teller refused tally's client certificate"), "{}", run.stderr);
    assert!(run.stderr.contains("Certificates page of the Teller dashboard"), "{}", run.stderr);
    let connections = bank.run(&env, &["connections", "--format", "json"]).ok().json();
    assert_eq!(connections, json!([]), "nothing was kept");
}

#[test]
fn unlink_deletes_every_account_of_the_enrollment_at_teller() {
    let env = TestEnv::new();
    let bank = Bank::new();
    bank.link(&env);
    bank.run(&env, &["connections", "unlink", "teller"]).ok();
    let deleted = bank.teller.seen("DELETE ");
    assert_eq!(deleted, ["DELETE /accounts/acc_chk", "DELETE /accounts/acc_card"]);
    bank.teller.assert_no_violations();
}

/// For the leak test (`tests/leaks.rs`): a linked Teller enrollment with rows to sync; keep
/// the server alive.
pub(crate) fn linked_for_leak_test(env: &TestEnv) -> (Box<dyn std::any::Any>, Run) {
    let bank = Bank::new();
    let (rows, _) = history("acc_chk", 3);
    bank.teller.state().transactions.insert("acc_chk".into(), rows);
    let (cert, key) = bank.cert_files(env, false);
    let ca = env.home().join("teller-ca.pem");
    std::fs::write(&ca, &bank.pki.ca).unwrap();
    env.set_env("TALLY_TELLER_URL", &bank.teller.url);
    env.set_env("TALLY_TELLER_CA_FILE", ca.to_str().unwrap());
    let run = bank.link_with(env, &["--application-id", APP_ID, "--cert", &cert, "--key", &key], enroll);
    (Box::new(bank), run)
}
