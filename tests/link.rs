//! `tally link`: the whole OAuth flow over HTTP, and every way it must refuse.

use tally::sandbox::robot::{self, Decision};

use crate::common::TestEnv;

fn http() -> reqwest::blocking::Client {
    tally::context::http_client().unwrap()
}

#[test]
fn links_through_the_consent_page_and_keeps_tokens_out_of_the_database() {
    let env = TestEnv::new();
    let run = env.link();
    assert!(run.stderr.contains("/authorize?"), "the URL is always printed:\n{}", run.stderr);
    assert!(run.stderr.contains("code_challenge_method=S256"));
    assert!(run.stderr.contains("Linked sandbox"), "{}", run.stderr);

    let conns = env.run(&["connections", "--format", "json"]).ok().json();
    assert_eq!(conns[0]["name"], "sandbox");
    assert_eq!(conns[0]["status"], "active");
    assert_eq!(conns[0]["accounts"], 4);
    assert_eq!(conns[0]["days_left"], 180);

    // Tokens live in the (opted-in) secrets file, 0600, and nowhere in the database.
    let secrets = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    let token = secrets.split("access_token").nth(1).unwrap().split('"').nth(2).unwrap().to_string();
    assert!(token.len() >= 32, "{secrets}");
    let db = std::fs::read(env.db()).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains(&token));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(env.home().join("secrets.toml")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(run.stderr.contains("warning: your bank tokens go to a plaintext file"), "{}", run.stderr);
}

#[test]
fn denied_consent_saves_nothing() {
    let env = TestEnv::new();
    let run = env.link_with(&[], |url| {
        let back = robot::consent(&http(), url, Decision::Deny).unwrap();
        assert!(back.contains("error=access_denied"), "{back}");
        robot::follow(&http(), &back).unwrap();
    });
    let run = run.fails_with(1);
    assert!(run.stderr.contains("access_denied"), "{}", run.stderr);
    assert!(run.stderr.contains("hint:"));
    assert_eq!(env.query::<i64>("SELECT count(*) FROM connection"), 0);
}

#[test]
fn a_callback_with_the_wrong_state_is_refused() {
    let env = TestEnv::new();
    let run = env.link_with(&[], |url| {
        let back = robot::consent(&http(), url, Decision::Approve).unwrap();
        let forged = regex_free_replace_state(&back, "forged-state");
        robot::follow(&http(), &forged).unwrap();
    });
    let run = run.fails_with(1);
    assert!(run.stderr.contains("`state`"), "{}", run.stderr);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM connection"), 0);
}

fn regex_free_replace_state(url: &str, state: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| (k.to_string(), if k == "state" { state.to_string() } else { v.to_string() }))
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

#[test]
fn a_replayed_code_revokes_what_it_granted() {
    let env = TestEnv::new();
    let mut callback = String::new();
    env.link_with(&[], |url| {
        callback = robot::consent(&http(), url, Decision::Approve).unwrap();
        robot::follow(&http(), &callback).unwrap();
    })
    .ok();
    // An attacker who saw the redirect replays its code at the token endpoint.
    let code = url::Url::parse(&callback).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.to_string();
    let redirect = callback.split('?').next().unwrap().to_string();
    let replay = http()
        .post(format!("{}/token", env.sandbox.url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "tally-cli"),
            ("redirect_uri", &redirect),
            ("code_verifier", "x".repeat(43).as_str()),
        ])
        .send()
        .unwrap();
    assert_eq!(replay.status(), 400);
    assert!(replay.text().unwrap().contains("invalid_grant"));
    // The bank revoked the consent: sync says so with the re-consent exit code.
    let run = env.run(&["sync"]).fails_with(77);
    assert!(run.stderr.contains("consent"), "{}", run.stderr);
    assert!(run.stderr.contains("tally link --relink sandbox"), "{}", run.stderr);
    let conns = env.run(&["connections", "--format", "json"]).ok().json();
    assert_eq!(conns[0]["status"], "needs_relink");
}

#[test]
fn choosing_accounts_without_a_terminal_needs_all() {
    let env = TestEnv::new();
    let run = env.run(&["link", "sandbox", "--no-browser"]).fails_with(2);
    assert!(run.stderr.contains("--all"), "{}", run.stderr);
}

#[test]
fn an_unknown_provider_is_a_usage_error() {
    let env = TestEnv::new();
    let run = env.run(&["link", "plaid-classic"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("possible values: sandbox"), "{}", run.stderr);
}

#[test]
fn a_sandbox_that_is_down_is_a_temporary_failure_with_a_hint() {
    let env = TestEnv::new();
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let run = env
        .command(&["link", "sandbox", "--all", "--no-browser"])
        .env("TALLY_SANDBOX_URL", format!("http://{dead}"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(75));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("cannot reach"), "{stderr}");
    assert!(stderr.contains("hint: is the server running?"), "{stderr}");
}

#[test]
fn a_malformed_token_response_is_a_clear_error() {
    let env = TestEnv::new();
    env.sandbox.fault("kind=malformed_token").unwrap();
    let run = env.link_with(&[], |url| {
        let back = robot::consent(&http(), url, Decision::Approve).unwrap();
        robot::follow(&http(), &back).unwrap();
    });
    let run = run.fails_with(1);
    assert!(run.stderr.contains("not a valid token response"), "{}", run.stderr);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM connection"), 0);
}

#[test]
fn nobody_consenting_times_out_with_a_hint() {
    let env = TestEnv::new();
    let run = env.run(&["link", "sandbox", "--all", "--no-browser", "--timeout", "1"]).fails_with(75);
    assert!(run.stderr.contains("/authorize?"), "the URL was printed: {}", run.stderr);
    assert!(run.stderr.contains("timed out waiting for the bank"), "{}", run.stderr);
    assert!(run.stderr.contains("--timeout"), "{}", run.stderr);
}

#[test]
fn the_sandbox_url_comes_from_its_provider_section_or_the_old_one() {
    for section in ["[providers.sandbox]", "[sandbox]"] {
        let env = TestEnv::new();
        std::fs::create_dir_all(env.home()).unwrap();
        let config = format!("{section}\nurl = \"{}/\"\n", env.sandbox.url());
        std::fs::write(env.home().join("config.toml"), config).unwrap();
        let mut cmd = env.command(&["config", "show", "--format", "json"]);
        let out = cmd.env_remove("TALLY_SANDBOX_URL").output().unwrap();
        let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(shown["sandbox_url"], env.sandbox.url(), "{section}: the trailing / goes");
        // The provider, not `config show`, reads the section: sync reaches the bank there.
        env.link();
        let out = env.command(&["sync"]).env_remove("TALLY_SANDBOX_URL").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{section}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn a_typo_in_the_provider_section_is_a_usage_error_before_any_consent() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.home()).unwrap();
    std::fs::write(env.home().join("config.toml"), "[providers.sandbox]\nulr = \"http://127.0.0.1:1\"\n").unwrap();
    let run = env.run(&["link", "sandbox", "--all", "--no-browser"]).fails_with(2);
    assert!(run.stderr.contains("unknown key `ulr` in [providers.sandbox]"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: provider sandbox knows: url;"), "{}", run.stderr);
    assert!(!run.stderr.contains("/authorize?"), "{}", run.stderr);
}

#[test]
fn a_link_whose_provider_settings_broke_can_still_be_unlinked() {
    let env = TestEnv::new();
    env.link();
    std::fs::write(env.home().join("config.toml"), "[providers.sandbox]\nulr = \"x\"\n").unwrap();
    let run = env.run(&["connections", "unlink", "sandbox"]).ok();
    assert!(run.stderr.contains("warning: could not revoke") && run.stderr.contains("ulr"), "{}", run.stderr);
    let secrets = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    assert!(!secrets.contains("refresh_token"), "the tokens are deleted all the same: {secrets}");
}

/// An HTTPS server on 127.0.0.1 whose certificate is self-signed: it completes no handshake
/// with a client that verifies certificates. Its URL; the thread ends with the test process.
fn self_signed_server() -> String {
    use std::sync::Arc;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(made.signing_key.serialize_der().into());
    let config = Arc::new(
        rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![made.cert.der().clone()], key)
            .unwrap(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
            let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
            // The client aborts the handshake: an error here is the expected end.
            while conn.is_handshaking() {
                if conn.complete_io(&mut stream).is_err() {
                    break;
                }
            }
        }
    });
    url
}

/// One line naming the server and why, with a hint, and no `caused by:` trail of TLS internals.
#[track_caller]
fn assert_untrusted(stderr: &str, url: &str) {
    let host = url.trim_start_matches("https://");
    let line =
        format!("the server's certificate is not trusted: {host} presents a certificate no trusted authority signed");
    assert!(stderr.contains(&line), "{stderr}");
    assert!(stderr.contains("hint: check the address"), "{stderr}");
    assert!(!stderr.contains("caused by") && !stderr.contains("rustls"), "{stderr}");
}

#[test]
fn a_simplefin_claim_at_a_self_signed_server_is_refused_in_one_line() {
    use base64::Engine as _;
    let env = TestEnv::new();
    let url = self_signed_server();
    std::fs::create_dir_all(env.home()).unwrap();
    let file = env.home().join("token.txt");
    std::fs::write(&file, base64::engine::general_purpose::STANDARD.encode(format!("{url}/claim/demo"))).unwrap();
    let run = env.run(&["link", "simplefin", "--all", "--token-file", file.to_str().unwrap()]).fails_with(1);
    assert_untrusted(&run.stderr, &url);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM connection"), 0);
}

#[test]
fn an_fdx_discovery_at_a_self_signed_server_is_refused_in_one_line() {
    let env = TestEnv::new();
    let url = self_signed_server();
    let api = format!("{url}/fdx");
    let run = env
        .run(&["link", "fdx", "--all", "--no-browser", "--issuer", &url, "--client-id", "tally-cli", "--api", &api])
        .fails_with(1);
    assert_untrusted(&run.stderr, &url);
}
