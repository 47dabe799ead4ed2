//! `Issuer` against a scripted issuer and API on 127.0.0.1: what it sends, how often, and
//! what it makes of the answers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;

use super::*;
use crate::oauth::ClientAuth;
use crate::secrets::{SecretString, Secrets};

const NOW: &str = "2026-11-23T12:00:00Z";

#[derive(Debug, Clone)]
struct Seen {
    path: String,
    authorization: Option<String>,
    body: String,
}

/// A server that answers each request with `answer(request)` and remembers them all.
struct Scripted {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
}

impl Scripted {
    fn start(answer: impl FnMut(&Seen) -> (u16, String) + Send + 'static) -> Scripted {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut answer = answer;
            while !stop2.load(Ordering::Relaxed) {
                let Ok(Some(mut request)) = server.recv_timeout(std::time::Duration::from_millis(20)) else {
                    continue;
                };
                let mut body = String::new();
                request.as_reader().read_to_string(&mut body).unwrap();
                let authorization = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Authorization"))
                    .map(|h| h.value.as_str().to_string());
                let s = Seen { path: request.url().split('?').next().unwrap().to_string(), authorization, body };
                let (status, text) = answer(&s);
                seen2.lock().unwrap().push(s);
                let header = tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap();
                let _ = request
                    .respond(tiny_http::Response::from_string(text).with_status_code(status).with_header(header));
            }
        });
        Scripted { url, seen, stop }
    }

    fn seen(&self, path: &str) -> Vec<Seen> {
        self.seen.lock().unwrap().iter().filter(|s| s.path == path).cloned().collect()
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn fresh_tokens() -> (u16, String) {
    (200, r#"{"access_token":"new-access","token_type":"Bearer","expires_in":3600,"refresh_token":"r2"}"#.into())
}

fn issuer(server: &Scripted, auth: ClientAuth) -> Issuer {
    let client = ClientConfig {
        client_id: "tally-cli".into(),
        auth,
        scopes: "accounts".into(),
        redirect_path: "/callback".into(),
    };
    let endpoints = Endpoints {
        issuer: server.url.clone(),
        authorization_endpoint: format!("{}/authorize", server.url),
        token_endpoint: format!("{}/token", server.url),
        revocation_endpoint: Some(format!("{}/revoke", server.url)),
        jwks_uri: None,
        authorization_response_iss_parameter_supported: false,
    };
    let now = crate::config::parse_now(NOW).unwrap();
    Issuer::new(crate::context::http_client().unwrap(), &server.url, client, "is it running?", now)
        .with_endpoints(endpoints)
}

/// Tokens that are `expired` or valid for an hour.
fn tokens(expired: bool) -> SecretString {
    let now = crate::config::parse_now(NOW).unwrap();
    let expires_at = now + chrono::Duration::seconds(if expired { -10 } else { 3600 });
    Tokens {
        access_token: "old-access".into(),
        refresh_token: Some("r1".into()),
        expires_at: Some(expires_at),
        consent_expires_at: None,
        bank: Some(serde_json::json!({"issuer": "kept"})),
        subject: None,
        id_token: None,
    }
    .to_secret()
}

fn get(server: &Scripted) -> impl FnMut(&mut Session<'_>, &str) -> Result<Response> + '_ {
    let url = format!("{}/api", server.url);
    move |_, bearer| Ok(crate::context::http_client()?.get(&url).bearer_auth(bearer).send()?)
}

fn needs_relink(err: &anyhow::Error) -> bool {
    matches!(err.downcast_ref::<ProviderError>(), Some(ProviderError::NeedsRelink(_)))
}

#[test]
fn a_confidential_client_sends_its_secret_the_way_it_was_registered() {
    let server = Scripted::start(|_| fresh_tokens());
    let secrets = Secrets::memory();

    let basic = issuer(&server, ClientAuth::SecretBasic(SecretString::new("s3cret")));
    basic
        .refresh(&mut Session::new(&secrets, "k", tokens(true)), &Tokens::from_secret(&tokens(true)).unwrap())
        .unwrap();
    let post = issuer(&server, ClientAuth::SecretPost(SecretString::new("s3cret")));
    post.refresh(&mut Session::new(&secrets, "k", tokens(true)), &Tokens::from_secret(&tokens(true)).unwrap()).unwrap();
    let public = issuer(&server, ClientAuth::None);
    public
        .refresh(&mut Session::new(&secrets, "k", tokens(true)), &Tokens::from_secret(&tokens(true)).unwrap())
        .unwrap();

    let seen = server.seen("/token");
    assert_eq!(seen.len(), 3);
    let expected = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("tally-cli:s3cret"));
    assert_eq!(seen[0].authorization.as_deref(), Some(expected.as_str()), "client_secret_basic");
    assert!(!seen[0].body.contains("s3cret"), "{}", seen[0].body);
    assert_eq!(seen[1].authorization, None, "client_secret_post");
    assert!(
        seen[1].body.contains("client_secret=s3cret") && seen[1].body.contains("client_id=tally-cli"),
        "{}",
        seen[1].body
    );
    assert_eq!(seen[2].authorization, None, "a public client");
    assert!(
        seen[2].body.contains("client_id=tally-cli") && !seen[2].body.contains("client_secret"),
        "{}",
        seen[2].body
    );
    assert!(seen.iter().all(|s| s.body.contains("refresh_token=r1")));
}

#[test]
fn a_401_refreshes_once_and_retries_once_not_twice() {
    let server =
        Scripted::start(
            |s| if s.path == "/token" { fresh_tokens() } else { (401, r#"{"error":"invalid_token"}"#.into()) },
        );
    let secrets = Secrets::memory();
    let mut session = Session::new(&secrets, "k", tokens(false));
    let err = issuer(&server, ClientAuth::None).send(&mut session, get(&server)).unwrap_err();
    assert!(needs_relink(&err), "{err:#}");
    assert!(err.to_string().contains("invalid_token"), "{err}");
    assert_eq!(server.seen("/token").len(), 1, "one refresh");
    let api = server.seen("/api");
    assert_eq!(api.len(), 2, "the request and one retry");
    assert_eq!(api[0].authorization.as_deref(), Some("Bearer old-access"));
    assert_eq!(api[1].authorization.as_deref(), Some("Bearer new-access"), "the retry uses the new token");
    let saved = Tokens::from_secret(&secrets.get("k").unwrap().unwrap()).unwrap();
    assert_eq!(saved.refresh_token.as_deref(), Some("r2"), "the rotated refresh token is saved at once");
    assert_eq!(saved.bank, Some(serde_json::json!({"issuer": "kept"})), "what the provider keeps survives rotation");
}

#[test]
fn a_401_then_success_returns_the_answer() {
    let mut first = true;
    let server = Scripted::start(move |s| match s.path.as_str() {
        "/token" => fresh_tokens(),
        _ if std::mem::take(&mut first) => (401, String::new()),
        _ => (200, r#"{"ok":true}"#.into()),
    });
    let secrets = Secrets::memory();
    let mut session = Session::new(&secrets, "k", tokens(false));
    let response = issuer(&server, ClientAuth::None).send(&mut session, get(&server)).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.seen("/api").len(), 2);
}

#[test]
fn an_expired_token_is_refreshed_before_the_request() {
    let server = Scripted::start(|s| if s.path == "/token" { fresh_tokens() } else { (200, "{}".into()) });
    let secrets = Secrets::memory();
    let mut session = Session::new(&secrets, "k", tokens(true));
    issuer(&server, ClientAuth::None).send(&mut session, get(&server)).unwrap();
    let api = server.seen("/api");
    assert_eq!(api.len(), 1);
    assert_eq!(api[0].authorization.as_deref(), Some("Bearer new-access"));
}

#[test]
fn a_refused_refresh_token_means_relink_and_no_api_call() {
    let server = Scripted::start(|s| {
        if s.path == "/token" {
            (400, r#"{"error":"invalid_grant","error_description":"refresh token replayed"}"#.into())
        } else {
            (200, "{}".into())
        }
    });
    let secrets = Secrets::memory();
    let mut session = Session::new(&secrets, "k", tokens(true));
    let err = issuer(&server, ClientAuth::None).send(&mut session, get(&server)).unwrap_err();
    assert!(needs_relink(&err), "{err:#}");
    assert!(err.to_string().contains("refresh token replayed"), "{err}");
    assert!(server.seen("/api").is_empty());
    assert_eq!(secrets.get("k").unwrap(), None, "nothing was saved");
}

#[test]
fn revocation_posts_the_refresh_token_with_the_clients_own_authentication() {
    let server = Scripted::start(|s| if s.path == "/revoke" { (200, "{}".into()) } else { (500, String::new()) });
    let secrets = Secrets::memory();
    let session = Session::new(&secrets, "k", tokens(false));
    issuer(&server, ClientAuth::None).revoke(&session).unwrap();
    issuer(&server, ClientAuth::SecretBasic(SecretString::new("s3cret"))).revoke(&session).unwrap();
    issuer(&server, ClientAuth::SecretPost(SecretString::new("s3cret"))).revoke(&session).unwrap();
    let seen = server.seen("/revoke");
    assert_eq!(seen.len(), 3, "plain HTTP to 127.0.0.1 is allowed");
    assert!(seen.iter().all(|s| s.body.contains("token=r1") && s.body.contains("token_type_hint=refresh_token")));
    assert!(seen[0].body.contains("client_id=tally-cli") && seen[0].authorization.is_none(), "{:?}", seen[0]);
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("tally-cli:s3cret"));
    assert_eq!(seen[1].authorization.as_deref(), Some(basic.as_str()));
    assert!(!seen[1].body.contains("s3cret"), "{}", seen[1].body);
    assert!(seen[2].body.contains("client_secret=s3cret") && seen[2].authorization.is_none(), "{:?}", seen[2]);
}

#[test]
fn a_refused_revocation_is_an_error_that_says_what_the_bank_answered() {
    let server = Scripted::start(|_| (503, r#"{"error":"temporarily_unavailable"}"#.into()));
    let secrets = Secrets::memory();
    let err = issuer(&server, ClientAuth::None).revoke(&Session::new(&secrets, "k", tokens(false))).unwrap_err();
    assert!(format!("{err:#}").contains("503") && format!("{err:#}").contains("temporarily_unavailable"), "{err:#}");
}

#[test]
fn tokens_go_over_plain_http_only_to_loopback() {
    for ok in ["https://bank.test/revoke", "http://127.0.0.1:8080/revoke", "http://[::1]:9/revoke"] {
        assert!(crate::oauth::checked_url(ok, "revocation endpoint").is_ok(), "{ok}");
    }
    for refused in ["http://bank.test/revoke", "http://localhost.evil.test/revoke", "ftp://127.0.0.1/x", "nonsense"] {
        assert!(crate::oauth::checked_url(refused, "revocation endpoint").is_err(), "{refused}");
    }
    // Refused before anything is sent: no token leaves in the clear.
    let server = Scripted::start(|_| (200, "{}".into()));
    let plain = Endpoints {
        issuer: "http://bank.test".into(),
        authorization_endpoint: "http://bank.test/authorize".into(),
        token_endpoint: "http://bank.test/token".into(),
        revocation_endpoint: Some("http://bank.test/revoke".into()),
        jwks_uri: None,
        authorization_response_iss_parameter_supported: false,
    };
    let secrets = Secrets::memory();
    let err = issuer(&server, ClientAuth::None)
        .with_endpoints(plain)
        .revoke(&Session::new(&secrets, "k", tokens(false)))
        .unwrap_err();
    assert!(err.to_string().contains("not HTTPS"), "{err:#}");
}
