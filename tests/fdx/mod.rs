//! `tally link fdx` end to end: against the sandbox bank's FDX surface (deposit, credit card
//! and loan accounts, offset paging, signed ID tokens, revocation on unlink), and against
//! `strict.rs`, an authorization server of our own that refuses what the standards let it
//! refuse, with an FDX API that misbehaves on demand.

mod strict;

use self::strict::{IdToken, RefreshIdToken, StrictServer};
use crate::common::{Run, TestEnv, approve};

/// `tally link fdx --all` at the sandbox, as a user who approves everything.
fn link_sandbox(env: &TestEnv, extra: &[&str]) -> Run {
    let url = env.sandbox.url().to_string();
    let api = format!("{url}/fdx");
    let mut args = vec![
        "link",
        "fdx",
        "--all",
        "--no-browser",
        "--timeout",
        "20",
        "--issuer",
        &url,
        "--client-id",
        "tally-cli",
        "--api",
        &api,
        "--scope",
        "accounts transactions",
    ];
    args.extend_from_slice(extra);
    env.run_consenting(&args, approve)
}

/// Posted rows per account name since `since`: count and sum, from one connection.
fn posted(env: &TestEnv, connection: &str, since: &str) -> Vec<String> {
    env.rows(
        "SELECT a.name, count(*), sum(t.amount) FROM \"transaction\" t JOIN account a ON a.id = t.account_id
         JOIN connection c ON c.id = a.connection_id
         WHERE c.name = ?1 AND t.status = 'posted' AND t.booked_date >= ?2 GROUP BY a.name ORDER BY a.name",
        (connection, since),
    )
}

#[test]
fn links_the_sandbox_as_an_oidc_bank_and_syncs_every_page_of_every_account_type() {
    let env = TestEnv::new();
    let run = link_sandbox(&env, &[]).ok();
    for part in
        ["prompt=consent", "nonce=", "scope=openid+offline_access+accounts+transactions", "code_challenge_method=S256"]
    {
        assert!(run.stderr.contains(part), "{part} missing:\n{}", run.stderr);
    }
    assert!(run.stderr.contains("Linked fdx (127.0.0.1): tracking 5 of 5 accounts"), "{}", run.stderr);
    // What link said it asks for is the scope the authorization URL carries.
    let grant = "tally asks 127.0.0.1 for: read accounts, balances and transactions \
                 (read-only; scope: openid offline_access accounts transactions), valid for as long as the bank allows";
    assert!(run.stderr.contains(grant), "{}", run.stderr);
    let kinds = env.rows("SELECT kind, identity FROM account ORDER BY kind, identity", ());
    let url = env.sandbox.url();
    assert!(kinds.iter().any(|k| k.contains("loan") && k.contains(&format!("fdx:{url}:loan-auto-1"))), "{kinds:?}");
    assert!(kinds.iter().any(|k| k.contains("credit")), "{kinds:?}");
    assert!(kinds.iter().any(|k| k.contains("checking")), "{kinds:?}");

    env.run(&["sync"]).ok();
    // The loan: three payments of 350.00 in, a late fee of 0.80 out: the bank's own figures.
    let loan: i64 = env
        .query("SELECT sum(amount) FROM \"transaction\" t JOIN account a ON a.id = t.account_id WHERE a.kind = 'loan'");
    assert_eq!(loan, 3 * 35_000 - 80);
    // Accounts hold more rows than one FDX page (25): paging went on to the last page.
    let most: i64 = env.query("SELECT max(n) FROM (SELECT count(*) AS n FROM \"transaction\" GROUP BY account_id)");
    assert!(most > 3 * tally::sandbox::fdx::PAGE_LIMIT as i64, "{most}");

    // The same bank read through its other API agrees, row for row and cent for cent: the
    // absolute amounts and debitCreditMemo became the same signed minor units.
    env.link_with(&["--name", "plaid-style"], approve).ok();
    env.run(&["sync", "plaid-style"]).ok();
    let since = "2025-01-01";
    let fdx = posted(&env, "fdx", since);
    let mut other = posted(&env, "plaid-style", since);
    other.retain(|r| fdx.iter().any(|f| f.split(' ').next() == r.split(' ').next()));
    assert_eq!(fdx.len(), 5, "{fdx:?}");
    assert_eq!(fdx.iter().filter(|r| !r.starts_with("Car loan")).cloned().collect::<Vec<_>>(), other);
    // And so do the balances (owed amounts negative in both), by account name.
    let balances = |connection: &str| {
        env.rows(
            "SELECT a.name, a.balance_current FROM account a JOIN connection c ON c.id = a.connection_id
             WHERE c.name = ?1 AND a.kind != 'loan' ORDER BY a.name",
            [connection],
        )
    };
    assert_eq!(balances("fdx"), balances("plaid-style"));
    let with_balance: i64 = env.query(
        "SELECT count(*) FROM account a JOIN connection c ON c.id = a.connection_id
         WHERE c.name = 'fdx' AND a.balance_current IS NOT NULL",
    );
    assert_eq!(with_balance, 5);
    let owed: i64 = env.query("SELECT balance_current FROM account WHERE kind = 'loan'");
    assert_eq!(owed, -(1_500_000 - (3 * 35_000 - 80)));

    // A second sync changes nothing; replay from the raw records gives the same rows.
    let before = env.rows("SELECT external_id, amount, status, booked_date FROM \"transaction\" ORDER BY 1", ());
    env.run(&["sync", "fdx"]).ok();
    env.run(&["sync", "fdx", "--replay"]).ok();
    assert_eq!(env.rows("SELECT external_id, amount, status, booked_date FROM \"transaction\" ORDER BY 1", ()), before);
}

#[test]
fn the_bank_can_come_from_the_config_and_the_link_keeps_it_whatever_the_config_says_later() {
    let env = TestEnv::new();
    let url = env.sandbox.url().to_string();
    let config = format!(
        "[providers.fdx]\nissuer = \"{url}\"\nclient_id = \"tally-cli\"\napi = \"{url}/fdx\"\nscope = \"accounts transactions\"\nname = \"Sandbox FDX\"\n"
    );
    std::fs::create_dir_all(env.home()).unwrap();
    std::fs::write(env.home().join("config.toml"), config).unwrap();
    let shown = env.run(&["config", "show"]).ok();
    assert!(shown.stdout.contains("openid offline_access accounts transactions"), "{}", shown.stdout);
    let run = env.run_consenting(&["link", "fdx", "--all", "--no-browser", "--timeout", "20"], approve).ok();
    assert!(run.stderr.contains("Linked fdx (Sandbox FDX)"), "{}", run.stderr);
    // The config now names another bank: the connection still syncs from the one it linked.
    std::fs::write(env.home().join("config.toml"), "[providers.fdx]\nissuer = \"https://elsewhere.example\"\n")
        .unwrap();
    env.run(&["sync"]).ok();
    assert!(env.query::<i64>("SELECT count(*) FROM \"transaction\"") > 0);
}

#[test]
fn banks_by_name_from_fdx_sections_the_flags_beating_them_and_the_link_remembering_them() {
    let env = TestEnv::new();
    let bank = StrictServer::start();
    let url = env.sandbox.url().to_string();
    // The strict bank's section names a dead API: only the --api flag makes its link work.
    let config = format!(
        "[fdx.sandbox]\nissuer = \"{url}\"\nclient_id = \"tally-cli\"\napi = \"{url}/fdx\"\nscopes = \"accounts transactions\"\n\
         [fdx.strict]\nissuer = \"{}\"\nclient_id = \"{}\"\napi = \"http://127.0.0.1:1/fdx\"\nscopes = \"accounts\"\nname = \"Strict Bank\"\n",
        bank.url,
        strict::CLIENT_ID
    );
    std::fs::create_dir_all(env.home()).unwrap();
    std::fs::write(env.home().join("config.toml"), config).unwrap();
    let link = ["link", "fdx", "--all", "--no-browser", "--timeout", "20", "--bank"];
    let run = env.run_consenting(&[&link[..], &["sandbox"]].concat(), approve).ok();
    assert!(run.stderr.contains("Linked fdx (sandbox)"), "{}", run.stderr);
    let api = format!("{}/fdx", bank.url);
    let strict_args = [&link[..], &["strict", "--name", "strict", "--api", &api]].concat();
    let run = env.run_consenting(&strict_args, |u| bank.consent(u)).ok();
    assert!(run.stderr.contains("Linked strict (Strict Bank)"), "{}", run.stderr);
    env.run(&["sync"]).ok();
    let per_connection = env.rows(
        "SELECT c.name, count(*) FROM \"transaction\" t JOIN account a ON a.id = t.account_id
         JOIN connection c ON c.id = a.connection_id GROUP BY c.name ORDER BY c.name",
        (),
    );
    assert_eq!(per_connection.len(), 2, "{per_connection:?}");
    assert_eq!(per_connection[1], "strict|3", "{per_connection:?}");
    // A relink needs no flags: the connection remembers its bank (with the flag's API).
    let relink = ["link", "--relink", "strict", "--no-browser", "--timeout", "20"];
    env.run_consenting(&relink, |u| bank.consent(u)).ok();
    env.run(&["sync", "strict"]).ok();
    bank.assert_clean();
    // An unknown name lists the configured ones.
    let run = env.run(&[&link[..], &["nope"]].concat()).fails_with(2);
    assert!(run.stderr.contains("no FDX bank named \"nope\""), "{}", run.stderr);
    assert!(run.stderr.contains("the configured FDX banks are: sandbox, strict"), "{}", run.stderr);
    // A typo in a section is caught.
    std::fs::write(env.home().join("config.toml"), "[fdx.x]\nisuer = \"https://bank.example\"\n").unwrap();
    let run = env.run(&[&link[..], &["x"]].concat()).fails_with(2);
    assert!(run.stderr.contains("unknown key `isuer` in [fdx.x]"), "{}", run.stderr);
}

#[test]
fn the_link_needs_an_issuer_an_api_and_a_client_id_and_says_which() {
    let env = TestEnv::new();
    let run = env.run(&["link", "fdx", "--all", "--no-browser", "--client-id", "x", "--api", "https://bank.test/fdx"]);
    let run = run.fails_with(2);
    assert!(run.stderr.contains("needs the bank's --issuer"), "{}", run.stderr);
    assert!(run.stderr.contains("[providers.fdx]"), "{}", run.stderr);
    let run = env.run(&[
        "link",
        "fdx",
        "--all",
        "--issuer",
        "http://bank.test",
        "--client-id",
        "x",
        "--api",
        "https://bank.test",
    ]);
    let run = run.fails_with(2);
    assert!(run.stderr.contains("not HTTPS"), "{}", run.stderr);
}

#[test]
fn unlink_revokes_the_consent_at_the_bank() {
    let env = TestEnv::new();
    link_sandbox(&env, &[]).ok();
    let file = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    let table: toml::Table = toml::from_str(&file).unwrap();
    let tokens = table.values().find_map(|v| v.as_str().filter(|s| s.contains("refresh_token"))).unwrap();
    let tokens: serde_json::Value = serde_json::from_str(tokens).unwrap();
    assert_eq!(tokens["bank"]["client_id"], "tally-cli", "the bank is kept with the tokens: {tokens}");
    let run = env.run(&["connections", "unlink", "fdx"]).ok();
    assert!(run.stderr.contains("consent revoked at the bank"), "{}", run.stderr);
    let http = tally::context::http_client().unwrap();
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ("client_id", "tally-cli"),
    ];
    let answer = http.post(format!("{}/token", env.sandbox.url())).form(&form).send().unwrap();
    assert_eq!(answer.status(), 400);
    assert!(answer.text().unwrap().contains("revoked"));
}

/// `tally link fdx --all` at the strict server, its user approving.
fn link_strict(env: &TestEnv, bank: &StrictServer) -> Run {
    link_strict_waiting(env, bank, "20")
}

/// [`link_strict`], waiting `timeout` seconds for the redirect.
fn link_strict_waiting(env: &TestEnv, bank: &StrictServer, timeout: &str) -> Run {
    let api = format!("{}/fdx", bank.url);
    let args = [
        "link",
        "fdx",
        "--all",
        "--no-browser",
        "--timeout",
        timeout,
        "--issuer",
        &bank.url,
        "--client-id",
        strict::CLIENT_ID,
        "--api",
        &api,
        "--scope",
        "accounts",
    ];
    env.run_consenting(&args, |url| bank.consent(url))
}

#[test]
fn a_strict_server_sees_nothing_wrong_and_its_rows_arrive_exactly_once_signed_once() {
    let env = TestEnv::new();
    let bank = StrictServer::start();
    let run = link_strict(&env, &bank).ok();
    assert!(run.stderr.contains("Linked fdx (127.0.0.1): tracking 1 of 1 accounts"), "{}", run.stderr);
    env.run(&["sync"]).ok();
    bank.assert_clean();
    let rows = env.rows("SELECT external_id, amount, status, booked_date FROM \"transaction\" ORDER BY 1", ());
    assert_eq!(rows.len(), 3, "{rows:?}");
    // The bank's own figures: -400.00 pending, -0.80 and +101.80 posted.
    assert_eq!(env.query::<i64>("SELECT sum(amount) FROM \"transaction\""), -40_000 - 80 + 10_180);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\" WHERE status = 'pending'"), 1);
    // Two FDX pages for three rows: the second asked for with the first's nextOffset.
    let pages = bank.with(|s| s.seen.iter().filter(|r| r.contains("/transactions?")).cloned().collect::<Vec<_>>());
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages[1].contains("offset=2"), "{pages:?}");
    // The balances from the account's details, exactly.
    let balances = env.rows("SELECT balance_current, balance_available FROM account", ());
    assert_eq!(balances.len(), 1);
    assert!(balances[0].contains("123456") && balances[0].contains("83456"), "{balances:?}");
}

#[test]
fn an_id_token_that_is_unsigned_expired_or_for_another_request_is_refused_and_nothing_kept() {
    for fault in [IdToken::Unsigned, IdToken::WrongNonce, IdToken::WrongAudience, IdToken::Expired] {
        let env = TestEnv::new();
        let bank = StrictServer::start();
        bank.with(|s| s.id_token = fault);
        let run = link_strict(&env, &bank).fails_with(1);
        assert!(run.stderr.contains("ID token was refused"), "{fault:?}: {}", run.stderr);
        assert!(run.stderr.contains("hint:"), "{}", run.stderr);
        assert_eq!(env.query::<i64>("SELECT count(*) FROM connection"), 0, "{fault:?}");
        assert!(
            !env.home().join("secrets.toml").exists()
                || !std::fs::read_to_string(env.home().join("secrets.toml")).unwrap().contains("access_token")
        );
    }
}

/// The one connection's tokens as the secret store holds them.
fn stored_tokens(env: &TestEnv) -> serde_json::Value {
    let file = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    let table: toml::Table = toml::from_str(&file).unwrap();
    let tokens = table.values().find_map(|v| v.as_str().filter(|s| s.contains("refresh_token"))).unwrap();
    serde_json::from_str(tokens).unwrap()
}

#[test]
fn a_refresh_whose_id_token_names_another_user_or_is_forged_needs_a_relink() {
    // Access tokens die at once: every command refreshes, and each refresh brings an ID token.
    let env = TestEnv::new();
    let bank = StrictServer::start();
    bank.with(|s| s.access_ttl = 1);
    link_strict(&env, &bank).ok();
    env.run(&["sync"]).ok();
    assert_eq!(stored_tokens(&env)["subject"], "user-1", "who consented is kept with the tokens");
    assert!(env.rows("SELECT * FROM connection", ()).iter().all(|r| !r.contains("user-1")), "not in the database");
    bank.assert_clean();
    for (fault, says) in
        [(RefreshIdToken::OtherSubject, "names another user"), (RefreshIdToken::BadSignature, "InvalidSignature")]
    {
        let env = TestEnv::new();
        let bank = StrictServer::start();
        bank.with(|s| s.access_ttl = 1);
        link_strict(&env, &bank).ok();
        bank.with(|s| s.refresh_id_token = fault);
        let run = env.run(&["sync"]).fails_with(77);
        assert!(run.stderr.contains("ID token that came with refreshed tokens"), "{fault:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{fault:?}: {}", run.stderr);
        assert!(run.stderr.contains("relink"), "{fault:?}: {}", run.stderr);
        assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\""), 0, "{fault:?}");
    }
}

#[test]
fn a_bank_that_matches_another_redirect_uri_at_the_token_endpoint_is_a_clear_link_error() {
    let env = TestEnv::new();
    let bank = StrictServer::start();
    bank.with(|s| s.redirect_mismatch = true);
    let run = link_strict(&env, &bank).fails_with(1);
    assert!(run.stderr.contains("refused to exchange the consent's code"), "{}", run.stderr);
    assert!(run.stderr.contains("redirect_uri mismatch"), "{}", run.stderr);
    assert!(run.stderr.contains("tally's redirect URI was http://127.0.0.1:"), "{}", run.stderr);
    assert!(run.stderr.contains("http://127.0.0.1/callback on any port"), "{}", run.stderr);
    assert!(!run.stderr.contains("relink"), "a link that failed is no consent to renew: {}", run.stderr);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM connection"), 0);
}

#[test]
fn an_unregistered_redirect_is_refused_with_a_400_and_the_wait_says_the_bank_may_have_refused_it() {
    let env = TestEnv::new();
    let bank = StrictServer::start();
    bank.with(|s| s.registered_path = "/oauth/callback");
    let run = link_strict_waiting(&env, &bank, "2").fails_with(75);
    // The bank answered the authorization request itself (400) and sent no one back.
    let seen = bank.with(|s| s.violations.clone());
    assert!(seen.iter().any(|v| v.contains("authorize: client or redirect_uri")), "{seen:?}");
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
    assert!(run.stderr.contains("may have refused the redirect URI http://127.0.0.1:"), "{}", run.stderr);
    assert!(run.stderr.contains("for client id \"strict-client\""), "{}", run.stderr);
    assert!(run.stderr.contains("register it"), "{}", run.stderr);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM connection"), 0);
}

#[test]
fn a_replayed_refresh_token_is_a_revoked_consent_exit_77() {
    let env = TestEnv::new();
    let bank = StrictServer::start();
    // Access tokens die at once: every command refreshes (and the bank rotates).
    bank.with(|s| s.access_ttl = 1);
    link_strict(&env, &bank).ok();
    // Someone else uses the refresh token tally holds, before tally does.
    let file = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    let table: toml::Table = toml::from_str(&file).unwrap();
    let tokens = table.values().find_map(|v| v.as_str().filter(|s| s.contains("refresh_token"))).unwrap();
    let tokens: serde_json::Value = serde_json::from_str(tokens).unwrap();
    let http = tally::context::http_client().unwrap();
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ("client_id", strict::CLIENT_ID),
    ];
    assert_eq!(http.post(format!("{}/token", bank.url)).form(&form).send().unwrap().status(), 200);
    let run = env.run(&["sync"]).fails_with(77);
    assert!(run.stderr.contains("replayed"), "{}", run.stderr);
    assert!(run.stderr.contains("tally link --relink fdx") || run.stderr.contains("relink"), "{}", run.stderr);
    bank.assert_clean();
}

#[test]
fn a_bank_that_repeats_a_page_offset_is_stopped_with_a_clear_error_and_nothing_half_written() {
    let env = TestEnv::new();
    let bank = StrictServer::start();
    bank.with(|s| s.repeat_offset = true);
    link_strict(&env, &bank).ok();
    let run = env.run(&["sync"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("page offset \"2\" twice"), "{}", run.stderr);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\""), 0);
    // Only as many pages as it takes to see the repeat: the first, and the one that repeats.
    let pages = bank.with(|s| s.seen.iter().filter(|r| r.contains("/transactions?")).count());
    assert_eq!(pages, 2);
}

#[test]
fn the_fdx_api_errors_exit_as_documented() {
    // 403 (602: customer not authorized) ends the consent; 429 beyond the wait cap and a
    // bank that stays down (5xx after the retries) are retry-later, the FDX code and message shown.
    for (status, code, retry_after, exit, says) in [
        (403, 602, None, 77, "FDX error 602"),
        (429, 1400, Some("3600"), 75, "rate limited"),
        (501, 1200, None, 75, "FDX error 1200: documented error 1200"),
    ] {
        let env = TestEnv::new();
        let bank = StrictServer::start();
        link_strict(&env, &bank).ok();
        bank.with(|s| s.api_error = Some((status, code, retry_after)));
        let run = env.run(&["sync"]).fails_with(exit);
        assert!(run.stderr.contains(says), "{status}: {}", run.stderr);
        assert!(run.stderr.contains("hint:"), "{status}: {}", run.stderr);
        assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\""), 0);
    }
}

#[test]
fn a_relink_keeps_the_accounts_by_the_banks_persistent_ids() {
    let env = TestEnv::new();
    link_sandbox(&env, &[]).ok();
    env.run(&["sync"]).ok();
    let before = env.rows("SELECT id, identity FROM account ORDER BY id", ());
    let rows: i64 = env.query("SELECT count(*) FROM \"transaction\"");
    let url = env.sandbox.url().to_string();
    let api = format!("{url}/fdx");
    let args = [
        "link",
        "--relink",
        "fdx",
        "--no-browser",
        "--timeout",
        "20",
        "--issuer",
        &url,
        "--client-id",
        "tally-cli",
        "--api",
        &api,
        "--scope",
        "accounts transactions",
    ];
    env.run_consenting(&args, approve).ok();
    env.run(&["sync"]).ok();
    assert_eq!(env.rows("SELECT id, identity FROM account ORDER BY id", ()), before);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\""), rows);
}

#[test]
fn a_pending_row_that_posts_under_a_new_id_stays_one_purchase() {
    let env = TestEnv::new();
    let bank = StrictServer::start();
    link_strict(&env, &bank).ok();
    env.run(&["sync"]).ok();
    assert_eq!(env.query::<String>("SELECT status FROM \"transaction\" WHERE external_id = 't1'"), "pending");
    // Core Exchange gives the posted row its own id and says nothing of the pending one.
    bank.with(|s| s.transactions[0] = strict::tx("t1-posted", "400.00", "DEBIT", "POSTED", "2026-11-21"));
    env.run(&["sync"]).ok();
    let live =
        env.rows("SELECT external_id, status FROM \"transaction\" WHERE amount = -40000 AND status != 'removed'", ());
    assert_eq!(live.len(), 1, "{live:?}");
    assert!(live[0].contains("t1-posted") && live[0].contains("posted"), "{live:?}");
    bank.assert_clean();
}

/// For the leak test (`tests/leaks.rs`): the sandbox linked as an FDX bank.
pub(crate) fn linked_for_leak_test(env: &TestEnv) -> (Box<dyn std::any::Any>, Run) {
    (Box::new(()), link_sandbox(env, &[]))
}
