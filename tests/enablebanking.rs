//! `tally link enablebanking` and its sync, against a scripted Enable Banking server that
//! checks what it is sent (tests/servers/enablebanking.rs): the app JWT, the consent request,
//! the pasted redirect's `state`, 90-day windows, `continuation_key` paging, pending and
//! booked rows, signs, documented errors, re-consent under new uids, and unlink.

#[path = "servers/enablebanking.rs"]
mod server;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::Stdio;

use serde_json::{Value, json};
use server::{APP_ID, BankAccount, EbServer, Fault, KEY_FILE};

use crate::common::{Run, TestEnv};

const IBAN: &str = "FI2112345600000785";

fn tx(reference: Option<&str>, status: &str, cdi: &str, amount: &str, date: &str, party: &str, text: &str) -> Value {
    let mut t = json!({ "transaction_amount": { "currency": "EUR", "amount": amount }, "credit_debit_indicator": cdi,
        "status": status, "remittance_information": [text] });
    t[if cdi == "DBIT" { "creditor" } else { "debtor" }] = json!({ "name": party });
    t[if status == "BOOK" { "booking_date" } else { "transaction_date" }] = json!(date);
    if let Some(r) = reference {
        t["entry_reference"] = json!(r);
    }
    t
}

fn bank() -> Vec<BankAccount> {
    let checking = BankAccount {
        resource: json!({ "account_id": { "iban": IBAN }, "name": "Ann Holder", "details": "Everyday account",
            "product": "Nordea Current", "cash_account_type": "CACC", "currency": "EUR",
            "identification_hash": "hash-a1", "identification_hashes": ["hash-a1"] }),
        transactions: vec![
            tx(Some("E1"), "BOOK", "DBIT", "12.30", "2026-11-20", "Cafe Aroma", "Card purchase Cafe Aroma"),
            tx(Some("E2"), "BOOK", "CRDT", "2500.00", "2026-11-01", "Employer Oy", "Salary November"),
            tx(None, "PDNG", "DBIT", "45.00", "2026-11-22", "K-Market", "K-Market Helsinki"),
            // This bank also writes a minus on debits: the indicator must still count once.
            tx(Some("E3"), "BOOK", "DBIT", "-7.50", "2026-10-15", "HSL", "HSL ticket"),
            tx(Some("E-R"), "RJCT", "DBIT", "99.00", "2026-11-10", "Nobody", "Rejected"),
            // In the first of the two 90-day windows a first sync reads.
            tx(Some("E4"), "BOOK", "DBIT", "0.8", "2026-07-01", "Nordea", "Fee"),
        ],
        booked: "2479.40",
        available: "2434.40",
    };
    let savings = BankAccount {
        resource: json!({ "account_id": { "other": { "identification": "0139562", "scheme_name": "BBAN" } },
            "product": "Savings", "cash_account_type": "SVGS", "currency": "EUR",
            "identification_hash": "hash-a2", "identification_hashes": ["hash-a2"] }),
        transactions: vec![tx(Some("E9"), "BOOK", "CRDT", "100.00", "2026-11-15", "Nordea", "Interest")],
        booked: "100.00",
        available: "100.00",
    };
    vec![checking, savings]
}

/// `tally ARGS` with the Enable Banking settings pointing at `server`.
fn command(env: &TestEnv, server: &EbServer, args: &[&str]) -> std::process::Command {
    let mut cmd = env.command(args);
    cmd.env("TALLY_ENABLEBANKING_URL", &server.url)
        .env("TALLY_ENABLEBANKING_APP_ID", APP_ID)
        .env("TALLY_ENABLEBANKING_KEY_FILE", KEY_FILE);
    cmd
}

fn run(env: &TestEnv, server: &EbServer, args: &[&str]) -> Run {
    let out = command(env, server, args).output().unwrap();
    Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Run `tally link ARGS` (plus the country and pasting flags); once it prints the bank's URL, `paste` plays the user (given that URL) and
/// its answer is typed on stdin as the address the bank sent the browser to.
fn link_pasting(env: &TestEnv, server: &EbServer, extra: &[&str], paste: impl FnOnce(&str) -> String) -> Run {
    let mut args = vec!["link"];
    args.extend_from_slice(extra);
    // A relink finds the country (and bank) the connection was made with.
    if !extra.contains(&"--relink") {
        args.extend_from_slice(&["--country", "fi"]);
    }
    args.extend_from_slice(&["--all", "--no-browser", "--redirect-url-file", "-"]);
    let mut child = command(env, server, &args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let consent = format!("{}/consent", server.url);
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break; // ended before showing the bank's URL
        }
        seen.push_str(&line);
        if line.trim() == consent {
            let mut stdin = child.stdin.take().unwrap();
            writeln!(stdin, "{}", paste(line.trim())).unwrap();
            break;
        }
    }
    drop(child.stdin.take());
    stderr.read_to_string(&mut seen).unwrap();
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    Run { stdout, stderr: seen, code: child.wait().unwrap().code().unwrap_or(-1) }
}

fn link(env: &TestEnv, server: &EbServer) -> Run {
    link_pasting(env, server, &["enablebanking", "--bank", "NORDEA"], |url| server.consent(url))
}

/// (external id, amount, status) of one account's live rows.
fn rows_of(env: &TestEnv, identity: &str) -> Vec<String> {
    env.rows(
        "SELECT t.external_id, t.amount, t.status FROM \"transaction\" t JOIN account a ON a.id = t.account_id
         WHERE a.identity = ?1 AND t.status != 'removed' ORDER BY t.booked_date, t.external_id",
        [identity],
    )
}

#[test]
fn link_sync_and_unlink_speak_the_documented_api() {
    let env = TestEnv::new();
    let server = EbServer::start(bank());
    let linked = link(&env, &server).ok();
    assert!(linked.stderr.contains("Linked enablebanking (Nordea): tracking 2 of 2 accounts"), "{linked:?}");
    // What link said the consent grants is what the bank was asked for, said before its URL.
    let sent = server.with(|s| s.auth_body.clone()).expect("POST /auth");
    let until = sent["access"]["valid_until"].as_str().unwrap().get(..10).unwrap().to_string();
    let grant = format!(
        "tally asks Nordea through Enable Banking for: read accounts, balances and transactions (read-only), \
         valid 180 days, until {until}."
    );
    let said = linked.stderr.find(&grant).unwrap_or_else(|| panic!("{grant:?} not in {}", linked.stderr));
    assert!(said < linked.stderr.find(&format!("{}/consent", server.url)).unwrap(), "{}", linked.stderr);
    let claims = server.with(|s| s.jwt_claims.clone()).unwrap();
    let now = tally::config::parse_now(crate::common::NOW).unwrap().timestamp();
    assert_eq!((claims["iat"].as_i64(), claims["exp"].as_i64()), (Some(now), Some(now + 3600)));
    let identities = env.rows("SELECT identity, external_id, kind, name FROM account ORDER BY id", []);
    assert_eq!(
        identities,
        [
            format!("iban:{IBAN}|uid-1-0|checking|Everyday account"),
            "eb:BBAN:0139562|uid-1-1|savings|Savings".to_string()
        ]
    );
    let expires: String = env.query("SELECT consent_expires_at FROM connection");
    assert!(expires.starts_with("2027-05-22"), "180 days after 2026-11-23: {expires}");

    run(&env, &server, &["sync"]).ok();
    let checking = rows_of(&env, &format!("iban:{IBAN}"));
    let pending_id = checking.iter().find(|r| r.ends_with("|pending")).expect("the pending row").clone();
    assert!(pending_id.starts_with("h:") && pending_id.contains("|-4500|"), "{pending_id}");
    assert_eq!(
        checking.iter().filter(|r| !r.starts_with("h:")).cloned().collect::<Vec<_>>(),
        ["E4|-80|posted", "E3|-750|posted", "E2|250000|posted", "E1|-1230|posted"],
        "the rejected row is not kept"
    );
    // The rows add up to the bank's own figures: booked rows to its booked balance, all
    // live rows to the available one.
    let sums: String = env.query(&format!(
        "SELECT sum(CASE WHEN t.status = 'posted' THEN t.amount END) || '|' || sum(t.amount) || '|' ||
         a.balance_current || '|' || a.balance_available FROM \"transaction\" t JOIN account a ON a.id = t.account_id
         WHERE a.identity = 'iban:{IBAN}' AND t.status != 'removed'"
    ));
    assert_eq!(sums, "247940|243440|247940|243440");
    assert_eq!(rows_of(&env, "eb:BBAN:0139562"), ["E9|10000|posted"]);
    // The kept raw records rebuild the same rows without the network.
    run(&env, &server, &["sync", "--replay"]).ok();
    assert_eq!(rows_of(&env, &format!("iban:{IBAN}")), checking);
    let reads = server.with(|s| s.seen.clone());
    let checking_reads: Vec<&String> = reads.iter().filter(|r| r.contains("/accounts/uid-1-0/transactions")).collect();
    assert_eq!(
        checking_reads,
        [
            "GET /accounts/uid-1-0/transactions?date_from=2026-05-28&date_to=2026-08-25",
            "GET /accounts/uid-1-0/transactions?date_from=2026-08-26&date_to=2026-11-23",
            "GET /accounts/uid-1-0/transactions?date_from=2026-08-26&date_to=2026-11-23&continuation_key=page-1",
        ]
    );

    run(&env, &server, &["connections", "unlink", "enablebanking"]).ok();
    assert_eq!(server.with(|s| s.seen.last().cloned()).unwrap(), "DELETE /sessions/session-1");
    server.assert_clean();
}

#[test]
fn pending_posts_in_place_and_a_relink_keeps_the_accounts_under_new_uids() {
    let env = TestEnv::new();
    let server = EbServer::start(bank());
    link(&env, &server).ok();
    run(&env, &server, &["sync"]).ok();
    // The bank books the groceries two days later, under a reference of its own.
    server.with(|s| {
        s.accounts[0].transactions[2] =
            tx(Some("E5"), "BOOK", "DBIT", "45.00", "2026-11-24", "K-Market", "K-Market Helsinki")
    });
    env.pass_days(1);
    run(&env, &server, &["sync"]).ok();
    let checking = rows_of(&env, &format!("iban:{IBAN}"));
    assert!(checking.contains(&"E5|-4500|posted".to_string()), "{checking:?}");
    assert!(!checking.iter().any(|r| r.ends_with("|pending")), "one row for one purchase: {checking:?}");
    assert_eq!(checking.len(), 5, "{checking:?}");

    let relinked = link_pasting(&env, &server, &["--relink", "enablebanking"], |url| server.consent(url));
    let relinked = relinked.ok();
    assert!(relinked.stderr.contains("2 accounts matched by identity, 0 new"), "{relinked:?}");
    let uids = env.rows("SELECT external_id FROM account ORDER BY id", []);
    assert_eq!(uids, ["uid-2-0", "uid-2-1"]);
    env.pass_days(1);
    run(&env, &server, &["sync"]).ok();
    assert_eq!(rows_of(&env, &format!("iban:{IBAN}")), checking, "the same history, no duplicates");
    server.assert_clean();
}

#[test]
fn documented_errors_have_their_exit_codes_and_keep_nothing_half_read() {
    let env = TestEnv::new();
    let server = EbServer::start(bank());
    link(&env, &server).ok();

    // The checking account's pages never end; the savings account goes on regardless.
    server.with(|s| (s.fault, s.fault_for) = (Some(Fault::RepeatKey), Some(0)));
    let looped = run(&env, &server, &["sync"]).fails_with(1);
    let checking_id: i64 = env.query(&format!("SELECT id FROM account WHERE identity = 'iban:{IBAN}'"));
    let twice = format!("kept paging account {checking_id}: it sent the continuation_key \"page-1\" twice");
    assert!(looped.stderr.contains(&twice), "{looped:?}");
    assert!(rows_of(&env, &format!("iban:{IBAN}")).is_empty(), "nothing of the looping read is kept");
    assert_eq!(rows_of(&env, "eb:BBAN:0139562"), ["E9|10000|posted"]);
    // Fixed the next day: the next pass reads the account's whole history.
    server.with(|s| (s.fault, s.fault_for) = (None, None));
    env.pass_days(1);
    run(&env, &server, &["sync"]).ok();
    assert_eq!(rows_of(&env, &format!("iban:{IBAN}")).len(), 5);

    server.with(|s| s.fault = Some(Fault::RateLimited));
    env.pass_days(1);
    let limited = run(&env, &server, &["sync"]).fails_with(75);
    assert!(limited.stderr.contains("rate limited"), "{limited:?}");

    server.with(|s| s.fault = Some(Fault::ExpiredSession));
    env.pass_days(1);
    let expired = run(&env, &server, &["sync"]).fails_with(77);
    assert!(expired.stderr.contains("EXPIRED_SESSION"), "{expired:?}");
    let status: String = env.query("SELECT status FROM connection");
    assert_eq!(status, "needs_relink");
    server.assert_clean();
}

/// `tally sync ARGS` with `psu_headers` set; the PSU headers of the account reads it made.
fn sync_psu(env: &TestEnv, server: &EbServer, psu_headers: &str, args: &[&str]) -> (Run, Vec<server::Psu>) {
    server.with(|s| s.psu.clear());
    let mut all = vec!["sync"];
    all.extend_from_slice(args);
    let out = command(env, server, &all).env("TALLY_ENABLEBANKING_PSU_HEADERS", psu_headers).output().unwrap();
    let run = Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
    };
    (run, server.with(|s| s.psu.clone()))
}

#[test]
fn psu_headers_go_only_with_a_person_and_their_reads_are_not_counted() {
    let env = TestEnv::new();
    let server = EbServer::start(bank());
    link(&env, &server).ok();
    let agent = format!("tally/{}", env!("CARGO_PKG_VERSION"));
    let present = (Some("127.0.0.1".to_string()), Some(agent));

    // Cron: never, even when the user asked for the headers without a terminal.
    let (run, reads) = sync_psu(&env, &server, "always", &["--if-due"]);
    run.ok();
    assert!(!reads.is_empty() && reads.iter().all(|r| *r == (None, None)), "{reads:?}");
    // No terminal (as in every test): none by default.
    let (run, reads) = sync_psu(&env, &server, "auto", &[]);
    run.ok();
    assert!(!reads.is_empty() && reads.iter().all(|r| *r == (None, None)), "{reads:?}");
    // A person (the terminal stood in for by `always`): every account read says so.
    let (run, reads) = sync_psu(&env, &server, "always", &[]);
    run.ok();
    assert!(!reads.is_empty() && reads.iter().all(|r| *r == present), "{reads:?}");

    // Unattended reads use up the PSD2 budget of about 4 a day; a person's reads are outside it.
    let mut refused = None;
    for _ in 0..6 {
        let (run, _) = sync_psu(&env, &server, "never", &[]);
        if run.code == 75 {
            refused = Some(run);
            break;
        }
        run.ok();
    }
    let refused = refused.expect("the unattended budget ran out");
    assert!(refused.stderr.contains("today's quota is used up"), "{refused:?}");
    let (run, reads) = sync_psu(&env, &server, "always", &[]);
    run.ok();
    assert!(!reads.is_empty() && reads.iter().all(|r| *r == present), "{reads:?}");
    server.assert_clean();
}

#[test]
fn one_account_that_fails_alone_is_reported_and_the_others_land() {
    let env = TestEnv::new();
    let mut accounts = bank();
    accounts.push(BankAccount {
        resource: json!({ "account_id": { "iban": "FI5544443333222211" }, "name": "Ann Holder",
            "product": "Household", "cash_account_type": "CACC", "currency": "EUR",
            "identification_hash": "hash-a3", "identification_hashes": ["hash-a3"] }),
        transactions: vec![tx(Some("E20"), "BOOK", "DBIT", "5.00", "2026-11-18", "Kiosk", "Kiosk")],
        booked: "-5.00",
        available: "-5.00",
    });
    let server = EbServer::start(accounts);
    link(&env, &server).ok();
    // Account 2 of 3 (savings) pages without end; 1 and 3 are fine.
    server.with(|s| (s.fault, s.fault_for) = (Some(Fault::RepeatKey), Some(1)));
    let partial = run(&env, &server, &["sync", "--format", "json"]).fails_with(1);
    let savings: i64 = env.query("SELECT id FROM account WHERE identity = 'eb:BBAN:0139562'");
    assert!(partial.stderr.contains("account Savings, failed"), "{partial:?}");
    assert!(partial.stderr.contains("1 account(s) failed to sync; the others synced"), "{partial:?}");
    let summary = partial.json();
    let connection = &summary["connections"][0];
    assert_eq!(connection["status"], "partial", "{summary:#}");
    let failed: Vec<&Value> =
        connection["accounts"].as_array().unwrap().iter().filter(|a| a.get("error").is_some()).collect();
    assert_eq!(failed.len(), 1, "{summary:#}");
    let why = failed[0]["error"].as_str().unwrap();
    assert!(why.contains(&format!("kept paging account {savings}")), "{why}");
    assert!(failed[0]["hint"].is_string(), "{summary:#}");

    assert_eq!(rows_of(&env, &format!("iban:{IBAN}")).len(), 5, "account 1 landed");
    assert_eq!(rows_of(&env, "iban:FI5544443333222211"), ["E20|-500|posted"], "account 3 landed");
    assert!(rows_of(&env, "eb:BBAN:0139562").is_empty(), "nothing of account 2");
    // Each account's audit row says how it went: only account 2 carries an error.
    let audit = env.rows("SELECT account_id, status, error IS NOT NULL FROM sync_run ORDER BY account_id", []);
    let expected: Vec<String> = env
        .rows("SELECT id FROM account ORDER BY id", [])
        .iter()
        .map(|id| if *id == savings.to_string() { format!("{id}|failed|1") } else { format!("{id}|ok|0") })
        .collect();
    assert_eq!(audit, expected);

    // Fixed: the next sync reads account 2 from its first day and exits 0.
    server.with(|s| (s.fault, s.fault_for) = (None, None));
    env.pass_days(1);
    run(&env, &server, &["sync"]).ok();
    assert_eq!(rows_of(&env, "eb:BBAN:0139562"), ["E9|10000|posted"]);
    server.assert_clean();
}

#[test]
fn a_foreign_state_a_wrong_bank_or_a_wrong_key_links_nothing() {
    let env = TestEnv::new();
    let server = EbServer::start(bank());
    let forged = link_pasting(&env, &server, &["enablebanking", "--bank", "Nordea"], |_| {
        format!("{}?state=not-ours&code=code-1", server::REDIRECT)
    });
    let forged = forged.fails_with(1);
    assert!(forged.stderr.contains("its state does not match"), "{forged:?}");
    assert!(!server.with(|s| s.seen.iter().any(|r| r.starts_with("POST /sessions"))), "the code was never used");

    let unknown =
        run(&env, &server, &["link", "enablebanking", "--country", "FI", "--bank", "Nordia", "--all"]).fails_with(2);
    assert!(unknown.stderr.contains("closest: \"Nordea\""), "{unknown:?}");
    let no_bank = run(&env, &server, &["link", "enablebanking", "--country", "FI", "--all"]).fails_with(2);
    assert!(no_bank.stderr.contains("choosing your bank needs a terminal"), "{no_bank:?}");
    assert!(no_bank.stderr.contains("hint: pass --bank NAME"), "{no_bank:?}");
    let no_country = run(&env, &server, &["link", "enablebanking", "--all"]).fails_with(2);
    assert!(no_country.stderr.contains("--country"), "{no_country:?}");

    let wrong = command(&env, &server, &["link", "enablebanking", "--country", "FI", "--bank", "OP", "--all"])
        .env("TALLY_ENABLEBANKING_APP_ID", "someone-elses-app")
        .output()
        .unwrap();
    let stderr = String::from_utf8(wrong.stderr).unwrap();
    assert_eq!(wrong.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refused the application's credentials"), "{stderr}");
    let connections: i64 = env.query("SELECT count(*) FROM connection");
    assert_eq!(connections, 0);
    // The refused key was the server's only complaint.
    let complaints = server.with(|s| std::mem::take(&mut s.violations));
    assert!(complaints.iter().all(|c| c.contains("someone-elses-app")), "{complaints:?}");
}

#[test]
fn a_loopback_redirect_registered_with_the_app_needs_no_pasting() {
    let env = TestEnv::new();
    let server = EbServer::start(bank());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    server.with(|s| s.redirect = format!("http://127.0.0.1:{port}/eb-back"));
    let linked = link_pasting(&env, &server, &["enablebanking", "--bank", "Nordea", "--timeout", "20"], |url| {
        // The browser follows the bank's redirect to tally's one-shot listener; nothing is pasted.
        let back = server.consent(url);
        let landed = tally::context::http_client().unwrap().get(&back).send().unwrap();
        assert_eq!(landed.status(), 200, "{back}");
        String::new()
    });
    assert!(linked.ok().stderr.contains("Linked enablebanking (Nordea)"));
    server.assert_clean();
}

#[test]
fn without_a_bank_named_the_conversation_offers_the_list() {
    use tally::consent::Scripted;
    use tally::providers::{LinkOptions, Presence, ProviderEnv, ProviderKind};

    let server = EbServer::start(bank());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    server.with(|s| s.redirect = format!("http://127.0.0.1:{port}/eb-back"));
    let mut sections = tally::config::ProviderSections::default();
    for (key, value) in [("url", server.url.as_str()), ("app_id", APP_ID), ("key_file", KEY_FILE)] {
        sections.set_override("enablebanking", key, value);
    }
    let now = tally::config::parse_now(crate::common::NOW).unwrap();
    let env = ProviderEnv {
        http: Default::default(),
        settings: sections.get("enablebanking"),
        now,
        presence: Presence::NoTerminal,
    };
    let provider = ProviderKind::EnableBanking.build(env).unwrap();
    let options = LinkOptions {
        timeout: std::time::Duration::from_secs(20),
        country: Some("FI".into()),
        bank: None,
        renew: None,
    };
    let mut conversation = Scripted::new().with_choice("Nordea").with_browser(|url| {
        let back = server.consent(url);
        tally::context::http_client()?.get(back).send()?;
        Ok(())
    });
    let linked = provider.link(&mut conversation, &options).unwrap();
    assert_eq!(linked.institution, "Nordea");
    assert_eq!(conversation.transcript.first().map(String::as_str), Some("choose: your bank"));
    server.assert_clean();
}

/// For the leak test (`tests/leaks.rs`): a linked Enable Banking session; keep the server alive.
pub(crate) fn linked_for_leak_test(env: &TestEnv) -> (Box<dyn std::any::Any>, Run) {
    let server = EbServer::start(bank());
    env.set_env("TALLY_ENABLEBANKING_URL", &server.url);
    env.set_env("TALLY_ENABLEBANKING_APP_ID", APP_ID);
    env.set_env("TALLY_ENABLEBANKING_KEY_FILE", KEY_FILE);
    let run = link(env, &server);
    (Box::new(server), run)
}
