//! `tally link simplefin` and its sync against a scripted SimpleFIN server (`server.rs`)
//! that checks every request: the claim, Basic credentials, versions, 90-day windows.

mod server;

use std::io::Write as _;
use std::process::Stdio;

use chrono::{Days, NaiveDate};
use serde_json::json;
use tally::store::{connections, ledger};

use self::server::{Bridge, PASSWORD};
use crate::common::{NOW, Run, TestEnv};

fn today() -> NaiveDate {
    NOW[..10].parse().unwrap()
}

/// Midnight UTC `days` before today, as an epoch (`-1`: tomorrow).
fn epoch(days_ago: i64) -> i64 {
    let day =
        if days_ago >= 0 { today() - Days::new(days_ago as u64) } else { today() + Days::new((-days_ago) as u64) };
    day.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp()
}

/// Two banks, three accounts: Jill's checking with a year of history, her card, and an
/// airline's miles in a unit that is neither ISO 4217 nor a custom-currency URL. Returns the checking account's total in cents.
fn bank() -> (Bridge, i64) {
    let bridge = Bridge::start();
    let mut total = 0;
    {
        let mut s = bridge.state();
        s.connections = vec![
            json!({"conn_id": "CON-1", "name": "My Bank - Jill", "org_id": "ORG-1", "sfin_url": bridge.root}),
            json!({"conn_id": "CON-2", "name": "Fly Air", "org_id": "ORG-2", "sfin_url": bridge.root}),
        ];
        let account = |id: &str, name: &str, conn: &str, currency: &str, balance: &str| {
            json!({"id": id, "name": name, "conn_id": conn, "currency": currency, "balance": balance,
                   "available-balance": balance, "balance-date": epoch(0) + 3600})
        };
        s.accounts = vec![
            account("ACT-1", "Everyday Checking", "CON-1", "USD", "1520.07"),
            account("ACT-2", "Rewards Visa Card", "CON-1", "USD", "-310.50"),
            account("ACT-3", "Miles", "CON-2", "ZZZ", "80000"),
        ];
        // Every third day for 300 days: amounts with cents, some as JSON numbers.
        let mut txs = Vec::new();
        for i in 0..100i64 {
            let cents = -(i * 137 % 9000 + 101);
            total += cents;
            let amount = format!("{}.{:02}", cents / 100, (cents % 100).abs());
            let amount = if cents / 100 == 0 { format!("-0.{:02}", -cents) } else { amount };
            let amount = if i % 10 == 0 { json!(amount.parse::<f64>().unwrap()) } else { json!(amount) };
            txs.push(json!({"id": format!("TRN-{i}"), "posted": epoch(i * 3 + 1) + 43_200, "amount": amount,
                            "description": format!("SHOP {i}"), "mcc": "5411"}));
        }
        s.transactions.insert("ACT-1".into(), txs);
        s.transactions.insert(
            "ACT-3".into(),
            vec![json!({"id": "M1", "posted": epoch(2), "amount": "500", "description": "Flight"})],
        );
    }
    (bridge, total)
}

fn token_file(env: &TestEnv, token: &str) -> String {
    std::fs::create_dir_all(env.home()).unwrap();
    let path = env.home().join("token.txt");
    std::fs::write(&path, format!("{token}\n")).unwrap();
    path.to_str().unwrap().to_string()
}

fn link(env: &TestEnv, bridge: &Bridge, token: &str, extra: &[&str]) -> Run {
    let file = token_file(env, &bridge.token(token));
    let mut args = vec!["link", "simplefin", "--all", "--token-file", &file];
    args.extend_from_slice(extra);
    env.run(&args)
}

/// The access URL's password appears nowhere: not in the database, not in any output.
#[track_caller]
fn assert_secret_kept(env: &TestEnv, runs: &[&Run]) {
    let db = std::fs::read(env.db()).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains(PASSWORD), "the access URL's password is in the database");
    for run in runs {
        assert!(!run.stderr.contains(PASSWORD) && !run.stdout.contains(PASSWORD), "{run:#?}");
    }
}

#[test]
fn links_with_a_token_from_a_file_and_keeps_the_access_url_a_secret() {
    let env = TestEnv::new();
    let (bridge, _) = bank();
    let run = link(&env, &bridge, "tok-1", &[]).ok();
    assert!(run.stderr.contains("Miles is not kept: its currency \"ZZZ\" is not an ISO 4217 code"), "{}", run.stderr);
    assert!(
        run.stderr.contains("Linked simplefin (My Bank - Jill, Fly Air): tracking 2 of 2 accounts"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("/claim/…") && !run.stderr.contains("tok-1"), "the one-time token is not shown");

    let calls = bridge.state().seen.clone();
    assert_eq!(calls.len(), 2, "one claim, one listing: {calls:#?}");
    assert_eq!((calls[0].method.as_str(), calls[0].path.as_str()), ("POST", "/simplefin/claim/tok-1"));
    assert_eq!(calls[1].query.get("balances-only").map(String::as_str), Some("1"));
    bridge.assert_no_violations();

    let accounts = env.run(&["accounts", "--format", "json"]).ok().json();
    let names: Vec<&str> = accounts.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Everyday Checking", "Rewards Visa Card"]);
    assert_eq!(accounts[1]["kind"], "credit");
    let secrets = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    assert!(secrets.contains(PASSWORD), "the access URL is the connection's secret");

    // Even the most talkative logs keep it out.
    let out = env.command(&["sync"]).env("TALLY_LOG", "trace").output().unwrap();
    let sync = Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
    }
    .ok();
    assert!(sync.stderr.contains("TRACE") || sync.stderr.contains("DEBUG"), "logs were on: {}", sync.stderr);
    bridge.assert_no_violations();
    assert_secret_kept(&env, &[&run, &sync]);
    let miles: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE description = 'Flight'");
    assert_eq!(miles, 0, "an account in an unknown unit is not kept");
    let grocery: i64 = env.query(
        "SELECT count(*) FROM \"transaction\" t JOIN category c ON c.id = t.category_id WHERE c.full_name = 'Food:Groceries'",
    );
    assert_eq!(grocery, 100, "the merchant category code categorizes");
}

#[test]
fn links_with_a_token_from_stdin() {
    let env = TestEnv::new();
    let (bridge, _) = bank();
    let token = bridge.token("tok-stdin");
    let mut child = env
        .command(&["link", "simplefin", "--all", "--token-file", "-"])
        .env("TALLY_SIMPLEFIN_URL", &bridge.root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{token}").unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("Linked simplefin"), "{stderr}");
    assert!(stderr.contains(&format!("setup token at {}/create", bridge.root)), "the configured server: {stderr}");
    assert_eq!(bridge.state().tokens.get("tok-stdin"), Some(&true));
}

#[test]
fn a_token_claimed_twice_is_refused_as_possibly_compromised() {
    let env = TestEnv::new();
    let (bridge, _) = bank();
    let file = token_file(&env, &bridge.token("once"));
    env.run(&["link", "simplefin", "--all", "--token-file", &file]).ok();
    let run = env.run(&["link", "simplefin", "--all", "--token-file", &file, "--name", "again"]).fails_with(1);
    assert!(run.stderr.contains("refused the setup token (403): it was claimed already"), "{}", run.stderr);
    assert!(run.stderr.contains("hint:") && run.stderr.contains("compromised"), "{}", run.stderr);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM connection"), 1);
}

#[test]
fn a_first_sync_reads_a_year_in_windows_of_at_most_90_days_and_the_sums_match() {
    let env = TestEnv::new();
    let (bridge, total) = bank();
    link(&env, &bridge, "t", &[]).ok();
    env.run(&["sync"]).ok();
    bridge.assert_no_violations();
    let windows: Vec<(i64, i64)> = bridge
        .account_calls()
        .iter()
        .filter(|c| c.query.contains_key("start-date"))
        .map(|c| (c.query["start-date"].parse().unwrap(), c.query["end-date"].parse().unwrap()))
        .collect();
    assert_eq!(windows.len(), 5, "{windows:?}");
    assert_eq!(windows[0].0, epoch(365));
    assert_eq!(windows[4].1, epoch(-1), "the last window reaches today");
    assert!(windows.windows(2).all(|w| w[0].1 == w[1].0), "no gap, no overlap: {windows:?}");
    assert_eq!(bridge.account_calls().len(), 6, "the sync's listing came with its last window: no extra call");

    let sum: i64 = env.query("SELECT sum(amount) FROM \"transaction\" t JOIN account a ON a.id = t.account_id WHERE a.name = 'Everyday Checking'");
    let count: i64 = env.query("SELECT count(*) FROM \"transaction\"");
    assert_eq!((count, sum), (100, total), "every row, to the cent");
    let balance = env.run(&["accounts", "--format", "json"]).ok().json();
    assert_eq!(balance[0]["balance"], "1520.07");

    // The raw records rebuild the same rows without the network.
    let calls = bridge.account_calls().len();
    env.run(&["sync", "--replay"]).ok();
    let again: i64 = env.query("SELECT sum(amount) FROM \"transaction\" WHERE status != 'removed'");
    assert_eq!((again, bridge.account_calls().len()), (total, calls));

    // The next sync reads one window: two weeks back, for late changes.
    env.run(&["sync"]).ok();
    let last = bridge.account_calls().last().unwrap().clone();
    assert_eq!(last.query["start-date"], epoch(14).to_string());
    assert_eq!(bridge.account_calls().len(), 7);
}

#[test]
fn pending_becomes_posted_without_a_second_row() {
    let env = TestEnv::new();
    let (bridge, _) = bank();
    let pending = json!({"id": "P-1", "posted": 0, "amount": "-23.40", "description": "BLUE BOTTLE COFFEE",
                         "transacted_at": epoch(1) + 30_000, "pending": true});
    bridge.state().transactions.get_mut("ACT-1").unwrap().push(pending);
    link(&env, &bridge, "t", &[]).ok();
    env.run(&["sync"]).ok();
    let row = |sql: &str| env.rows(sql, []);
    let q = "SELECT status, booked_date, value_date FROM \"transaction\" WHERE amount = -2340";
    assert_eq!(row(q), [format!("pending|{}|{}", today() - Days::new(1), today() - Days::new(1))]);

    // The bank posts it under a new id; SimpleFIN says nothing about which pending row it was.
    {
        let mut s = bridge.state();
        let txs = s.transactions.get_mut("ACT-1").unwrap();
        txs.retain(|t| t["id"] != "P-1");
        txs.push(json!({"id": "T-9", "posted": epoch(0) + 40_000, "amount": "-23.40",
                        "description": "BLUE BOTTLE COFFEE", "transacted_at": epoch(1) + 30_000}));
    }
    env.run(&["sync"]).ok();
    assert_eq!(row(q), [format!("posted|{}|{}", today(), today() - Days::new(1))], "one purchase, one row");
    let id: i64 = env.query("SELECT id FROM \"transaction\" WHERE amount = -2340");
    let shown = env.run(&["tx", "show", &id.to_string()]).ok();
    assert!(shown.stdout.contains("matched by heuristic"), "{}", shown.stdout);
}

#[test]
fn con_auth_asks_for_the_user_and_the_other_accounts_still_sync() {
    let env = TestEnv::new();
    let (bridge, _) = bank();
    {
        let mut s = bridge.state();
        s.accounts.push(json!({"id": "ACT-9", "name": "Credit Union Savings", "conn_id": "CON-9", "currency": "USD",
                               "balance": "10.00", "balance-date": epoch(0)}));
        s.connections.push(json!({"conn_id": "CON-9", "name": "Credit Union", "org_id": "ORG-9", "sfin_url": "x"}));
        s.transactions.insert(
            "ACT-9".into(),
            vec![json!({"id": "S1", "posted": epoch(3), "amount": "5.00", "description": "Interest"})],
        );
    }
    link(&env, &bridge, "t", &[]).ok();
    bridge.state().errlist = vec![json!({"code": "con.auth", "msg": "Authentication required", "conn_id": "CON-1"})];
    let run = env.run(&["sync"]).fails_with(77);
    assert!(run.stderr.contains("cannot sign in to My Bank - Jill (Authentication required)"), "{}", run.stderr);
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    let saved: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE description = 'Interest'");
    assert_eq!(saved, 1, "the healthy bank's account was saved");
    let conns = env.run(&["connections", "--format", "json"]).ok().json();
    assert_eq!(conns[0]["status"], "needs_relink");

    // Fixed at the Bridge: the next sync works and the connection is active again.
    bridge.state().errlist.clear();
    env.run(&["sync"]).ok();
    assert_eq!(env.run(&["connections", "--format", "json"]).ok().json()[0]["status"], "active");
}

#[test]
fn payment_required_and_revoked_access_are_explained() {
    let env = TestEnv::new();
    let (bridge, _) = bank();
    link(&env, &bridge, "t", &[]).ok();
    bridge.state().status = Some(402);
    let run = env.run(&["sync"]).fails_with(1);
    assert!(run.stderr.contains("402 Payment Required") && run.stderr.contains("subscription"), "{}", run.stderr);
    bridge.state().status = Some(403);
    let run = env.run(&["sync"]).fails_with(77);
    assert!(run.stderr.contains("access was revoked"), "{}", run.stderr);
    assert!(run.stderr.contains("tally link --relink simplefin"), "{}", run.stderr);
    assert_secret_kept(&env, &[&run]);
}

#[test]
fn the_25th_request_of_the_day_is_never_sent() {
    let env = TestEnv::new();
    let (bridge, _) = bank();
    link(&env, &bridge, "t", &[]).ok();
    {
        // The link listed the accounts with the access URL: that call counts too.
        let store = env.store();
        let c = connections::by_name(store.db(), "simplefin").unwrap().unwrap();
        assert_eq!(ledger::today(store.db(), c.id, today()).unwrap().get("connection"), Some(&1));
    }
    env.run(&["sync", "-q"]).ok(); // five windows
    {
        let store = env.store();
        let c = connections::by_name(store.db(), "simplefin").unwrap().unwrap();
        assert_eq!(ledger::today(store.db(), c.id, today()).unwrap().get("connection"), Some(&6));
    }
    for _ in 0..18 {
        env.run(&["sync", "-q"]).ok(); // one window each
    }
    let sent = bridge.account_calls().len();
    let run = env.run(&["sync"]).fails_with(75);
    assert!(run.stderr.contains("today's quota is used up: 24 calls"), "{}", run.stderr);
    assert_eq!(bridge.account_calls().len(), sent, "refused before it was sent");
    let summary = env.run(&["sync", "--if-due", "--format", "json"]).ok().json();
    assert_eq!(summary["skipped"][0]["connection"], "simplefin");
    assert_eq!(bridge.account_calls().len(), sent);
}

#[test]
fn a_missing_data_report_keeps_the_rows_and_removes_nothing() {
    let env = TestEnv::new();
    let (bridge, _) = bank();
    link(&env, &bridge, "t", &[]).ok();
    env.run(&["sync", "-q"]).ok();
    // The server drops a recent row and says the listing is incomplete: not a removal.
    {
        let mut s = bridge.state();
        s.transactions.get_mut("ACT-1").unwrap().retain(|t| t["id"] != "TRN-0");
        s.errlist = vec![json!({"code": "act.missingdata", "msg": "Incomplete listing", "account_id": "ACT-1"})];
    }
    let run = env.run(&["sync"]).fails_with(75);
    assert!(run.stderr.contains("Everyday Checking: Incomplete listing"), "{}", run.stderr);
    let live: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE status != 'removed'");
    assert_eq!(live, 100);
    // Once the server is whole again, the row that is really gone is removed.
    bridge.state().errlist.clear();
    env.run(&["sync", "-q"]).ok();
    let live: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE status != 'removed'");
    assert_eq!(live, 99);
}

#[test]
fn relinking_with_a_new_token_keeps_the_accounts_and_their_history() {
    let env = TestEnv::new();
    let (bridge, _) = bank();
    link(&env, &bridge, "first", &[]).ok();
    env.run(&["sync", "-q"]).ok();
    // The user revoked tally's access at the Bridge, then made a new token.
    let old = bridge.state().issued[0].clone();
    bridge.state().revoked.push(old.clone());
    env.run(&["sync"]).fails_with(77);
    let file = token_file(&env, &bridge.token("second"));
    let run = env.run(&["link", "--relink", "simplefin", "--token-file", &file]).ok();
    assert!(run.stderr.contains("2 accounts matched by identity, 0 new"), "{}", run.stderr);
    env.run(&["sync", "-q"]).ok();
    let last = bridge.account_calls().last().unwrap().clone();
    assert_eq!(last.password.as_deref(), Some(format!("{PASSWORD}-second").as_str()), "the new access URL is used");
    assert_eq!(env.query::<i64>("SELECT count(*) FROM account"), 2, "no account twice");
    assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\" WHERE status != 'removed'"), 100);
    bridge.assert_no_violations();
}

#[test]
fn unlink_forgets_the_access_url_and_says_who_can_disable_it() {
    let env = TestEnv::new();
    let (bridge, _) = bank();
    link(&env, &bridge, "t", &[]).ok();
    let run = env.run(&["connections", "unlink", "simplefin"]).ok();
    assert!(run.stderr.contains("SimpleFIN lets only you end an app's access"), "{}", run.stderr);
    let secrets = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap_or_default();
    assert!(!secrets.contains(PASSWORD), "{secrets}");
}

#[test]
fn a_row_tally_cannot_read_fails_its_account_only() {
    let env = TestEnv::new();
    let (bridge, total) = bank();
    bridge.state().transactions.insert(
        "ACT-2".into(),
        vec![
            json!({"id": "V1", "posted": epoch(3), "amount": "-10.00", "description": "Fine"}),
            json!({"id": "V2", "posted": epoch(2), "amount": "12.3.4", "description": "Broken"}),
        ],
    );
    link(&env, &bridge, "t", &[]).ok();
    let run = env.run(&["sync"]).fails_with(1);
    assert!(
        run.stderr.contains("account Rewards Visa Card, failed") && run.stderr.contains("\"12.3.4\""),
        "{}",
        run.stderr
    );
    let audit =
        env.rows("SELECT a.name, r.status FROM sync_run r JOIN account a ON a.id = r.account_id ORDER BY a.name", []);
    assert_eq!(audit, ["Everyday Checking|ok", "Rewards Visa Card|failed"], "only the card failed");
    let card: i64 = env.query(
        "SELECT count(*) FROM \"transaction\" t JOIN account a ON a.id = t.account_id WHERE a.name = 'Rewards Visa Card'",
    );
    assert_eq!(card, 0, "nothing half-written for the card");
    let sum: i64 = env.query("SELECT sum(amount) FROM \"transaction\"");
    assert_eq!(sum, total, "the checking account went on");
}

#[test]
fn a_custom_currency_account_syncs_in_its_own_unit_apart_from_money() {
    let env = TestEnv::new();
    let bridge = Bridge::start();
    {
        let mut s = bridge.state();
        s.connections =
            vec![json!({"conn_id": "CON-1", "name": "My Bank", "org_id": "ORG-1", "sfin_url": bridge.root})];
        let account = |id: &str, name: &str, currency: &str, balance: &str| {
            json!({"id": id, "name": name, "conn_id": "CON-1", "currency": currency, "balance": balance,
                   "balance-date": epoch(0) + 3600})
        };
        s.accounts = vec![
            account("ACT-1", "Everyday Checking", "USD", "100.00"),
            account("ACT-2", "Rewards", "https://www.example.com/flight-miles", "80000"),
        ];
        let tx = |id: &str, amount: &str| json!({"id": id, "posted": epoch(2) + 43_200, "amount": amount, "description": format!("SHOP {id}")});
        s.transactions.insert("ACT-1".into(), vec![tx("T1", "-12.50")]);
        s.transactions.insert("ACT-2".into(), vec![tx("M1", "-5000"), tx("M2", "-0.25")]);
    }
    let run = link(&env, &bridge, "t", &[]).ok();
    assert!(run.stderr.contains("tracking 2 of 2 accounts"), "{}", run.stderr);
    assert!(run.stderr.contains("Rewards is kept in its own unit X"), "{}", run.stderr);
    env.run(&["sync"]).ok();
    env.run(&["sync", "--replay"]).ok();
    bridge.assert_no_violations();

    let units = env.rows(
        "SELECT a.name, a.currency, group_concat(t.currency), sum(t.amount) FROM account a \
         JOIN \"transaction\" t ON t.account_id = a.id GROUP BY a.id ORDER BY a.name",
        [],
    );
    assert_eq!(units.len(), 2, "{units:?}");
    let (card, checking) = (&units[1], &units[0]);
    assert_eq!(checking, "Everyday Checking|USD|USD|-1250", "the ISO account is unaffected");
    let code = tally::money::Currency::custom("https://www.example.com/flight-miles").code().to_string();
    assert_eq!(card, &format!("Rewards|{code}|{code},{code}|-500025"), "rows carry the unit, kept through replay");
    let accounts = env.run(&["accounts", "--format", "json"]).ok().json();
    assert_eq!(accounts[1]["balance"], "80000.00");

    let spending = env.run(&["report", "spending", "--format", "json"]).ok().json();
    let total = |currency: &str| {
        let rows = spending.as_array().unwrap();
        rows.iter().find(|r| r["category"] == "Total" && r["currency"] == currency).map(|r| r["total"].clone())
    };
    assert_eq!(total("USD"), Some(json!("12.50")), "{spending}");
    assert_eq!(total(&code), Some(json!("5000.25")), "miles are reported apart from dollars: {spending}");
}

/// For the leak test (`tests/leaks.rs`): a linked SimpleFIN connection; keep the server alive.
pub(crate) fn linked_for_leak_test(env: &TestEnv) -> (Box<dyn std::any::Any>, Run) {
    let (bridge, _) = bank();
    let run = link(env, &bridge, "tok-1", &[]);
    (Box::new(bridge), run)
}
