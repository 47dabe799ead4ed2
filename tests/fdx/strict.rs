//! A strict OpenID Connect authorization server with an FDX API, on 127.0.0.1:0: stricter
//! than the sandbox in what the standards let a server refuse. Redirect URIs match exactly
//! (loopback, `/callback`, any port: RFC 8252 §7.3) and the token request must repeat the very
//! same one; PKCE S256 and a `nonce` are required; `offline_access` yields a refresh token
//! only with `prompt=consent` (OIDC Core §11); refresh tokens rotate and a spent one revokes
//! its whole grant (RFC 9700 §4.14.2); the client is public (a `client_secret` is refused).
//! ID tokens are signed RS256 with the key at `/jwks`, or deliberately wrong ([`IdToken`]).
//! What breaks the rules goes to `violations` and gets a 4xx.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "strict-client";
/// FDX rows per page of `/fdx/accounts/{id}/transactions`.
const PAGE: usize = 2;

/// What the ID token the server sends is like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdToken {
    #[default]
    Signed,
    /// `alg: none`.
    Unsigned,
    WrongNonce,
    WrongAudience,
    Expired,
}

/// What the ID token sent with refreshed tokens is like (OIDC Core §12.2: same `iss`, `sub`,
/// `aud` as the link's, signed, no nonce).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RefreshIdToken {
    #[default]
    Same,
    OtherSubject,
    BadSignature,
}

#[derive(Debug, Clone)]
struct Auth {
    redirect_uri: String,
    challenge: String,
    nonce: String,
    offline: bool,
}

#[derive(Debug, Default)]
pub struct State {
    pub id_token: IdToken,
    pub refresh_id_token: RefreshIdToken,
    /// The redirect path registered for the client (tally's is `/callback`).
    pub registered_path: &'static str,
    /// The token endpoint compares redirect_uri against another than the authorization
    /// request's (as a bank that rewrote 127.0.0.1 to localhost would).
    pub redirect_mismatch: bool,
    /// Seconds an access token lives.
    pub access_ttl: i64,
    /// Every page of transactions names the same `nextOffset`.
    pub repeat_offset: bool,
    /// The FDX API answers this status, FDX error code and `Retry-After` instead.
    pub api_error: Option<(u16, u32, Option<&'static str>)>,
    pub seen: Vec<String>,
    pub violations: Vec<String>,
    codes: HashMap<String, Auth>,
    /// Refresh token -> (grant, still current).
    refresh: HashMap<String, (u32, bool)>,
    access: HashMap<String, u32>,
    revoked: Vec<u32>,
    next: u32,
    /// The transactions of account `chk-1`, as the bank writes them.
    pub transactions: Vec<String>,
}

pub struct StrictServer {
    pub url: String,
    pub state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for StrictServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn tx(id: &str, amount: &str, dcm: &str, status: &str, day: &str) -> String {
    format!(
        r#"{{"accountCategory":"DEPOSIT_ACCOUNT","transactionId":"{id}","postedTimestamp":"{day}T12:00:00.000Z","transactionTimestamp":"{day}T09:30:00-05:00","description":"row {id}","debitCreditMemo":"{dcm}","status":"{status}","amount":{amount},"category":"5812"}}"#
    )
}

impl StrictServer {
    pub fn start() -> StrictServer {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        // The Core Exchange example rows, and one more: 400.00 pending, 0.80 and 101.80 posted.
        let transactions = vec![
            tx("t1", "400.00", "DEBIT", "PENDING", "2026-11-20"),
            tx("t2", "0.80", "DEBIT", "POSTED", "2026-11-07"),
            tx("t3", "101.80", "CREDIT", "POSTED", "2026-11-08"),
        ];
        let state = Arc::new(Mutex::new(State {
            access_ttl: 3600,
            transactions,
            registered_path: "/callback",
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st, base) = (state.clone(), stop.clone(), url.clone());
        let thread = std::thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                let Ok(Some(mut request)) = server.recv_timeout(Duration::from_millis(50)) else { continue };
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let (status, answer, location) = handle(&mut s.lock().unwrap(), &base, &request, &body);
                let retry_after = s.lock().unwrap().api_error.and_then(|e| e.2).filter(|_| status == 429);
                let mut response = tiny_http::Response::from_string(answer)
                    .with_status_code(status)
                    .with_header(tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap());
                if let Some(secs) = retry_after {
                    response.add_header(tiny_http::Header::from_bytes("Retry-After", secs).unwrap());
                }
                if let Some(l) = location {
                    response.add_header(tiny_http::Header::from_bytes("Location", l).unwrap());
                }
                let _ = request.respond(response);
            }
        });
        StrictServer { url, state, stop, thread: Some(thread) }
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    #[track_caller]
    pub fn assert_clean(&self) {
        let v = self.with(|s| s.violations.clone());
        assert!(v.is_empty(), "the server saw: {v:#?}");
    }

    /// Play the user: the server approves at once; follow its redirect to tally's listener.
    pub fn consent(&self, authorize_url: &str) {
        let http = tally::context::http_client().unwrap();
        let answer = http.get(authorize_url).send().unwrap();
        if let Some(location) = answer.headers().get("location") {
            http.get(location.to_str().unwrap()).send().unwrap();
        }
    }
}

type Answer = (u16, String, Option<String>);

fn oauth_error(status: u16, code: &str, why: &str) -> Answer {
    (status, json!({ "error": code, "error_description": why }).to_string(), None)
}

fn random() -> String {
    tally::secrets::random_hex().unwrap()
}

fn handle(s: &mut State, base: &str, request: &tiny_http::Request, body: &str) -> Answer {
    let url = url::Url::parse(&format!("http://x{}", request.url())).unwrap();
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let method = request.method().to_string();
    s.seen.push(format!("{method} {}", request.url()));
    let bearer = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))
        .and_then(|h| h.value.as_str().strip_prefix("Bearer ").map(str::to_string));
    match (method.as_str(), url.path()) {
        ("GET", "/.well-known/openid-configuration") => (
            200,
            json!({
                "issuer": base, "authorization_endpoint": format!("{base}/authorize"),
                "token_endpoint": format!("{base}/token"), "revocation_endpoint": format!("{base}/revoke"),
                "jwks_uri": format!("{base}/jwks"), "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"], "token_endpoint_auth_methods_supported": ["none"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "authorization_response_iss_parameter_supported": true,
            })
            .to_string(),
            None,
        ),
        ("GET", "/jwks") => (200, tally::sandbox::fdx::jwks().to_string(), None),
        ("GET", "/authorize") => authorize(s, base, &query),
        ("POST", "/token") => token(s, base, &form),
        ("POST", "/revoke") => {
            if let Some(&(grant, _)) = form.get("token").and_then(|t| s.refresh.get(t)) {
                s.revoked.push(grant);
            }
            (200, "{}".into(), None)
        }
        ("GET", path) if path.starts_with("/fdx/") => {
            let grant = bearer.and_then(|b| s.access.get(&b).copied()).filter(|g| !s.revoked.contains(g));
            if grant.is_none() {
                return (401, json!({"code": 601, "message": "invalid or expired token"}).to_string(), None);
            }
            if let Some((status, code, _)) = s.api_error {
                let message = format!("documented error {code}");
                return (status, json!({"code": code, "message": message}).to_string(), None);
            }
            fdx(s, path, &query)
        }
        _ => (404, json!({"code": 404, "message": "no such endpoint"}).to_string(), None),
    }
}

fn authorize(s: &mut State, base: &str, q: &HashMap<String, String>) -> Answer {
    let get = |k: &str| q.get(k).map(String::as_str);
    let redirect = get("redirect_uri").unwrap_or("");
    let exact = url::Url::parse(redirect).is_ok_and(|u| {
        u.scheme() == "http"
            && u.host_str() == Some("127.0.0.1")
            && u.path() == s.registered_path
            && u.query().is_none()
    });
    if get("client_id") != Some(CLIENT_ID) || !exact {
        s.violations.push(format!("authorize: client or redirect_uri {redirect:?}"));
        return oauth_error(400, "invalid_request", "unknown client or unregistered redirect_uri");
    }
    let scopes: Vec<&str> = get("scope").unwrap_or("").split(' ').collect();
    let mut problems = Vec::new();
    if get("response_type") != Some("code") {
        problems.push("response_type");
    }
    if get("code_challenge_method") != Some("S256") || get("code_challenge").is_none_or(|c| c.len() != 43) {
        problems.push("PKCE S256");
    }
    if get("nonce").is_none_or(str::is_empty) || get("state").is_none_or(str::is_empty) {
        problems.push("nonce and state");
    }
    if !scopes.contains(&"openid") {
        problems.push("scope openid");
    }
    let offline = scopes.contains(&"offline_access") && get("prompt") == Some("consent");
    if scopes.contains(&"offline_access") && !offline {
        problems.push("prompt=consent with offline_access");
    }
    let mut back = url::Url::parse(redirect).unwrap();
    if !problems.is_empty() {
        s.violations.push(format!("authorize: {problems:?}"));
        back.query_pairs_mut().append_pair("error", "invalid_request").append_pair("state", get("state").unwrap_or(""));
        return (302, String::new(), Some(back.into()));
    }
    let code = random();
    let registered = if s.redirect_mismatch { redirect.replace("127.0.0.1", "localhost") } else { redirect.into() };
    let auth = Auth {
        redirect_uri: registered,
        challenge: get("code_challenge").unwrap().into(),
        nonce: get("nonce").unwrap().into(),
        offline,
    };
    s.codes.insert(code.clone(), auth);
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", get("state").unwrap())
        .append_pair("iss", base);
    (302, String::new(), Some(back.into()))
}

fn token(s: &mut State, base: &str, f: &HashMap<String, String>) -> Answer {
    let get = |k: &str| f.get(k).map(String::as_str);
    if get("client_secret").is_some() || get("client_id") != Some(CLIENT_ID) {
        s.violations.push("token: not a public client request".into());
        return oauth_error(401, "invalid_client", "public client: client_id, no secret");
    }
    match get("grant_type") {
        Some("authorization_code") => {
            let Some(auth) = get("code").and_then(|c| s.codes.remove(c)) else {
                return oauth_error(400, "invalid_grant", "unknown or used code");
            };
            if get("redirect_uri") != Some(auth.redirect_uri.as_str()) {
                if !s.redirect_mismatch {
                    s.violations.push("token: redirect_uri differs from the authorization request's".into());
                }
                return oauth_error(400, "invalid_grant", "redirect_uri mismatch");
            }
            let verifier = get("code_verifier").unwrap_or("");
            let challenge =
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if challenge != auth.challenge {
                s.violations.push("token: PKCE verifier".into());
                return oauth_error(400, "invalid_grant", "code_verifier does not match");
            }
            s.next += 1;
            let grant = s.next;
            issue(s, base, grant, Some(&auth.nonce), auth.offline)
        }
        Some("refresh_token") => {
            let token = get("refresh_token").unwrap_or("");
            let Some(&(grant, current)) = s.refresh.get(token) else {
                return oauth_error(400, "invalid_grant", "unknown refresh token");
            };
            if !current {
                s.revoked.push(grant);
                return oauth_error(400, "invalid_grant", "refresh token replayed; the grant is revoked");
            }
            if s.revoked.contains(&grant) {
                return oauth_error(400, "invalid_grant", "the grant is revoked");
            }
            s.refresh.insert(token.into(), (grant, false));
            issue(s, base, grant, None, true)
        }
        _ => oauth_error(400, "unsupported_grant_type", "code or refresh_token"),
    }
}

fn issue(s: &mut State, base: &str, grant: u32, nonce: Option<&str>, offline: bool) -> Answer {
    let access = random();
    s.access.insert(access.clone(), grant);
    let mut body = json!({ "access_token": access, "token_type": "Bearer", "expires_in": s.access_ttl });
    if offline {
        let refresh = random();
        s.refresh.insert(refresh.clone(), (grant, true));
        body["refresh_token"] = json!(refresh);
    }
    let now = tally::config::parse_now(crate::common::NOW).unwrap().timestamp();
    let Some(nonce) = nonce else {
        // A refresh: an ID token without a nonce, for the same user unless told otherwise.
        let sub = if s.refresh_id_token == RefreshIdToken::OtherSubject { "user-2" } else { "user-1" };
        let claims = json!({"iss": base, "sub": sub, "aud": CLIENT_ID, "iat": now, "exp": now + 300});
        let mut signed = tally::sandbox::fdx::sign(&claims);
        if s.refresh_id_token == RefreshIdToken::BadSignature {
            // The signature of these claims over other ones: the user-2 claims, user-1's signature.
            let other = tally::sandbox::fdx::sign(
                &json!({"iss": base, "sub": "user-2", "aud": CLIENT_ID, "iat": now, "exp": now + 300}),
            );
            let parts: Vec<&str> = signed.split('.').collect();
            let other_payload = other.split('.').nth(1).unwrap().to_string();
            signed = format!("{}.{other_payload}.{}", parts[0], parts[2]);
        }
        body["id_token"] = json!(signed);
        return (200, body.to_string(), None);
    };
    let mut claims =
        json!({"iss": base, "sub": "user-1", "aud": CLIENT_ID, "nonce": nonce, "iat": now, "exp": now + 300});
    match s.id_token {
        IdToken::WrongNonce => claims["nonce"] = json!("not-the-nonce"),
        IdToken::WrongAudience => claims["aud"] = json!("another-client"),
        IdToken::Expired => claims["exp"] = json!(now - 3600),
        IdToken::Signed | IdToken::Unsigned => {}
    }
    body["id_token"] = json!(if s.id_token == IdToken::Unsigned {
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), b64(claims.to_string().as_bytes()))
    } else {
        tally::sandbox::fdx::sign(&claims)
    });
    (200, body.to_string(), None)
}

fn fdx(s: &mut State, path: &str, q: &HashMap<String, String>) -> Answer {
    if path == "/fdx/accounts" {
        let accounts = json!({"page": {}, "accounts": [{
            "accountCategory": "DEPOSIT_ACCOUNT", "accountId": "chk-1", "accountType": "CHECKING",
            "accountNumberDisplay": "xxxx5820", "productName": "Checking", "nickname": "Main Checking",
            "status": "OPEN", "currency": {"currencyCode": "USD"}}]});
        return (200, accounts.to_string(), None);
    }
    if path == "/fdx/accounts/chk-1" {
        let details = r#"{"accountCategory":"DEPOSIT_ACCOUNT","accountId":"chk-1","currentBalance":1234.56,"availableBalance":834.56,"balanceAsOf":"2026-11-23T11:00:00Z"}"#;
        return (200, details.into(), None);
    }
    if path != "/fdx/accounts/chk-1/transactions" {
        return (404, json!({"code": 701, "message": "Account not found"}).to_string(), None);
    }
    if q.get("startTime").is_none() || q.get("endTime").is_none() {
        s.violations.push("transactions without startTime and endTime".into());
    }
    let offset: usize = q.get("offset").map_or(0, |o| o.parse().unwrap_or(usize::MAX));
    if offset == usize::MAX {
        return (400, json!({"code": 703, "message": "bad offset"}).to_string(), None);
    }
    let rows: Vec<&String> = s.transactions.iter().skip(offset).take(PAGE).collect();
    let next = if s.repeat_offset {
        Some(PAGE.to_string())
    } else {
        (offset + rows.len() < s.transactions.len()).then(|| (offset + rows.len()).to_string())
    };
    let page = match next {
        Some(n) => format!(r#"{{"nextOffset":"{n}"}}"#),
        None => "{}".into(),
    };
    let list: Vec<&str> = rows.iter().map(|r| r.as_str()).collect();
    (200, format!(r#"{{"page":{page},"transactions":[{}]}}"#, list.join(",")), None)
}
