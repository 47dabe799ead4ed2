//! A scripted Enable Banking server on 127.0.0.1:0 that answers as the API reference and the
//! official Postman collection show, and checks what it is sent: every request's app JWT
//! (RS256 signature against the test key's public half, `kid`, `iss`, `aud`, a one-hour
//! `exp`), `POST /auth`'s body (bank, state, redirect URL, a consent no longer than the bank's
//! maximum), the authorization code, the session behind each account, and that no transaction
//! range exceeds 90 days. What it finds wrong goes to `violations` (and gets a 4xx).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use serde_json::{Value, json};

pub const APP_ID: &str = "0b6b6c1d-test-app";
pub const REDIRECT: &str = "https://tally.example/eb-callback";
/// Nordea's documented maximum consent validity (180 days).
pub const MAX_CONSENT_SECS: i64 = 15_552_000;
pub const KEY_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/enablebanking/TEST-ONLY-app-key.pem");
const PUBLIC_KEY: &str = include_str!("../fixtures/enablebanking/TEST-ONLY-app-key.pub.pem");

/// How an account's transaction reads go wrong, when they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Every page names the same next `continuation_key`.
    RepeatKey,
    /// The documented body for an expired session (HTTP 401).
    ExpiredSession,
    /// 429 with a long `Retry-After`.
    RateLimited,
}

/// One account as the bank holds it: its resource (without `uid`) and its rows.
#[derive(Debug, Clone)]
pub struct BankAccount {
    pub resource: Value,
    pub transactions: Vec<Value>,
    /// The bank's own figures: its booked (`CLBD`) and available (`ITAV`) balances.
    pub booked: &'static str,
    pub available: &'static str,
}

/// The `Psu-Ip-Address` and `Psu-User-Agent` of one request.
pub type Psu = (Option<String>, Option<String>);

#[derive(Debug, Default)]
pub struct State {
    pub accounts: Vec<BankAccount>,
    /// Rows per page of `/transactions`.
    pub page_size: usize,
    /// The redirect URL registered with the application (`GET /application`).
    pub redirect: String,
    pub fault: Option<Fault>,
    /// The account (index) the fault hits; `None`: all of them.
    pub fault_for: Option<usize>,
    /// Every request: `METHOD path?query`.
    pub seen: Vec<String>,
    /// Every account read (`GET /accounts/…`): its `Psu-Ip-Address` and `Psu-User-Agent`.
    pub psu: Vec<Psu>,
    pub violations: Vec<String>,
    /// The `state` of the last `POST /auth`, and the code the bank will hand back.
    pub auth_state: Option<String>,
    code: Option<String>,
    /// Sessions by id: their account uids (index into `accounts`) and whether deleted.
    sessions: HashMap<String, (Vec<(String, usize)>, bool)>,
    next_session: u32,
    /// The last `POST /auth` body, for the tests to look at.
    pub auth_body: Option<Value>,
    pub jwt_claims: Option<Value>,
}

pub struct EbServer {
    pub url: String,
    pub state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for EbServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl EbServer {
    pub fn start(accounts: Vec<BankAccount>) -> EbServer {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let state =
            Arc::new(Mutex::new(State { accounts, page_size: 3, redirect: REDIRECT.into(), ..State::default() }));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st, base) = (state.clone(), stop.clone(), url.clone());
        let thread = std::thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                let Ok(Some(mut request)) = server.recv_timeout(Duration::from_millis(50)) else { continue };
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let (status, answer, headers) = handle(&mut s.lock().unwrap(), &base, &request, &body);
                let mut response = tiny_http::Response::from_string(answer.to_string()).with_status_code(status);
                for (k, v) in headers {
                    response.add_header(tiny_http::Header::from_bytes(k, v).unwrap());
                }
                let _ = request.respond(response);
            }
        });
        EbServer { url, state, stop, thread: Some(thread) }
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    /// Nothing the server was sent broke the documented rules.
    #[track_caller]
    pub fn assert_clean(&self) {
        let v = self.with(|s| s.violations.clone());
        assert!(v.is_empty(), "the server saw: {v:#?}");
    }

    /// Play the bank's consent page: follow the URL tally printed to the redirect it answers.
    pub fn consent(&self, bank_url: &str) -> String {
        let http = tally::context::http_client().unwrap();
        let answer = http.get(bank_url).send().unwrap();
        assert_eq!(answer.status(), 302, "{bank_url}");
        answer.headers()["location"].to_str().unwrap().to_string()
    }
}

type Answer = (u16, Value, Vec<(&'static str, String)>);

fn error(status: u16, code: &str, message: &str) -> Answer {
    (status, json!({ "message": message, "code": status, "error": code }), vec![])
}

fn handle(s: &mut State, base: &str, request: &tiny_http::Request, body: &str) -> Answer {
    let url = url::Url::parse(&format!("http://x{}", request.url())).unwrap();
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    let method = request.method().to_string();
    s.seen.push(format!("{method} {}", request.url()));
    if method == "GET" && url.path().starts_with("/accounts/") {
        let header = |name: &'static str| {
            request.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str().to_string())
        };
        s.psu.push((header("Psu-Ip-Address"), header("Psu-User-Agent")));
    }
    let path: Vec<&str> = url.path().trim_start_matches('/').split('/').collect();
    // The bank's own page is not the API: no JWT there.
    if path == ["consent"] {
        let (Some(state), Some(code)) = (s.auth_state.clone(), s.code.clone()) else {
            return error(400, "WRONG_REQUEST_PARAMETERS", "no authorization under way");
        };
        return (302, json!({}), vec![("Location", format!("{}?state={state}&code={code}", s.redirect))]);
    }
    if let Err(why) = check_jwt(s, request) {
        s.violations.push(format!("{method} {}: {why}", url.path()));
        return error(401, "UNAUTHORIZED_ACCESS", &why);
    }
    match (method.as_str(), path.as_slice()) {
        ("GET", ["application"]) => (
            200,
            json!({ "name": "tally test", "kid": APP_ID, "environment": "PRODUCTION",
            "redirect_urls": [s.redirect], "active": true, "countries": ["FI"], "services": ["AIS"] }),
            vec![],
        ),
        ("GET", ["aspsps"]) => {
            if query.get("country").map(String::as_str) != Some("FI") {
                return (200, json!({ "aspsps": [] }), vec![]);
            }
            let bank = |name: &str| {
                json!({ "name": name, "country": "FI", "logo": "https://x/", "psu_types": ["personal"],
                "auth_methods": [], "maximum_consent_validity": MAX_CONSENT_SECS, "beta": false, "bic": "NDEAFIHH" })
            };
            (200, json!({ "aspsps": [bank("Nordea"), bank("Nordea Business"), bank("OP")] }), vec![])
        }
        ("POST", ["auth"]) => start_auth(s, base, body),
        ("POST", ["sessions"]) => authorize(s, body),
        ("DELETE", ["sessions", id]) => match s.sessions.get_mut(*id) {
            Some(session) => {
                session.1 = true;
                (200, json!({ "message": "OK" }), vec![])
            }
            None => error(404, "SESSION_DOES_NOT_EXIST", "no such session"),
        },
        ("GET", ["accounts", uid, what]) => {
            let found = s
                .sessions
                .values()
                .find_map(|(uids, deleted)| uids.iter().find(|(u, _)| u == uid).map(|(_, i)| (*i, *deleted)));
            let Some((index, deleted)) = found else {
                s.violations.push(format!("unknown account uid {uid}"));
                return error(404, "ACCOUNT_DOES_NOT_EXIST", "no such account");
            };
            if deleted {
                return error(401, "CLOSED_SESSION", "Session is closed");
            }
            match *what {
                "balances" => (200, balances(&s.accounts[index]), vec![]),
                "transactions" => transactions(s, index, &query),
                _ => error(404, "WRONG_REQUEST_PARAMETERS", "no such resource"),
            }
        }
        _ => {
            s.violations.push(format!("undocumented request {method} {}", url.path()));
            error(404, "WRONG_REQUEST_PARAMETERS", "not found")
        }
    }
}

fn check_jwt(s: &mut State, request: &tiny_http::Request) -> Result<(), String> {
    let header = request.headers().iter().find(|h| h.field.equiv("Authorization")).ok_or("no Authorization header")?;
    let jwt = header.value.as_str().strip_prefix("Bearer ").ok_or("Authorization is not Bearer")?;
    let head = jsonwebtoken::decode_header(jwt).map_err(|e| format!("bad JWT header: {e}"))?;
    if head.kid.as_deref() != Some(APP_ID) {
        return Err(format!("kid {:?} is not the application id", head.kid));
    }
    let mut check = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    // tally's clock is pinned (TALLY_NOW): the lifetime is checked below instead.
    check.validate_exp = false;
    check.set_audience(&["api.enablebanking.com"]);
    check.set_issuer(&["enablebanking.com"]);
    check.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(PUBLIC_KEY.as_bytes()).unwrap();
    let claims = jsonwebtoken::decode::<Value>(jwt, &key, &check).map_err(|e| format!("JWT refused: {e}"))?.claims;
    let (iat, exp) = (claims["iat"].as_i64().unwrap_or(0), claims["exp"].as_i64().unwrap_or(0));
    if !(1..=86_400).contains(&(exp - iat)) {
        return Err(format!("JWT lifetime {} s is not up to a day", exp - iat));
    }
    s.jwt_claims = Some(claims);
    Ok(())
}

fn start_auth(s: &mut State, base: &str, body: &str) -> Answer {
    let Ok(b) = serde_json::from_str::<Value>(body) else { return error(422, "WRONG_REQUEST_PARAMETERS", "not JSON") };
    let mut wrong = Vec::new();
    if b["aspsp"] != json!({ "name": "Nordea", "country": "FI" }) {
        wrong.push(format!("aspsp {}", b["aspsp"]));
    }
    if b["redirect_url"] != s.redirect.as_str() {
        wrong.push(format!("redirect_url {}", b["redirect_url"]));
    }
    if b["psu_type"] != "personal" {
        wrong.push(format!("psu_type {}", b["psu_type"]));
    }
    let state = b["state"].as_str().unwrap_or_default().to_string();
    if state.len() < 16 {
        wrong.push(format!("state {state:?} is too guessable"));
    }
    // tally's clock (TALLY_NOW) as its JWT states it.
    let now = s.jwt_claims.as_ref().and_then(|c| c["iat"].as_i64()).unwrap_or_default();
    match b["access"]["valid_until"].as_str().map(chrono::DateTime::parse_from_rfc3339) {
        Some(Ok(until)) => {
            let secs = until.timestamp() - now;
            if !(MAX_CONSENT_SECS - 86_400..=MAX_CONSENT_SECS).contains(&secs) {
                wrong.push(format!("valid_until is {secs} s away, not the bank's maximum"));
            }
        }
        other => wrong.push(format!("valid_until {other:?} is not RFC 3339")),
    }
    if !wrong.is_empty() {
        s.violations.extend(wrong.iter().map(|w| format!("POST /auth: {w}")));
        return error(422, "WRONG_REQUEST_PARAMETERS", &wrong.join("; "));
    }
    s.auth_body = Some(b);
    s.auth_state = Some(state);
    s.code = Some(format!("code-{}", s.next_session + 1));
    (200, json!({ "url": format!("{base}/consent"), "authorization_id": "73100c65", "psu_id_hash": "h" }), vec![])
}

fn authorize(s: &mut State, body: &str) -> Answer {
    let code = serde_json::from_str::<Value>(body).ok().and_then(|b| b["code"].as_str().map(str::to_string));
    if code.is_none() || code != s.code {
        s.violations.push(format!("POST /sessions with code {code:?}, issued {:?}", s.code));
        return error(422, "WRONG_AUTHORIZATION_CODE", "Wrong authorization code");
    }
    s.code = None; // single use
    s.next_session += 1;
    let n = s.next_session;
    let session_id = format!("session-{n}");
    // uids are scoped to the session: a new consent sees the same accounts under new ids.
    let uids: Vec<(String, usize)> = (0..s.accounts.len()).map(|i| (format!("uid-{n}-{i}"), i)).collect();
    let accounts: Vec<Value> = uids
        .iter()
        .map(|(uid, i)| {
            let mut r = s.accounts[*i].resource.clone();
            r["uid"] = json!(uid);
            r
        })
        .collect();
    s.sessions.insert(session_id.clone(), (uids, false));
    let valid_until = s.auth_body.as_ref().map(|b| b["access"]["valid_until"].clone()).unwrap_or_default();
    let answer = json!({ "session_id": session_id, "accounts": accounts, "aspsp": { "name": "Nordea", "country": "FI" },
        "psu_type": "personal", "access": { "valid_until": valid_until } });
    (200, answer, vec![])
}

fn balances(a: &BankAccount) -> Value {
    let currency = a.resource["currency"].clone();
    json!({ "balances": [
        { "name": "Booked balance", "balance_amount": { "currency": currency, "amount": a.booked }, "balance_type": "CLBD",
          "reference_date": "2026-11-23" },
        { "name": "Available", "balance_amount": { "currency": currency, "amount": a.available }, "balance_type": "ITAV" },
    ]})
}

fn transactions(s: &mut State, index: usize, query: &HashMap<String, String>) -> Answer {
    let fault = s.fault.clone().filter(|_| s.fault_for.is_none_or(|i| i == index));
    match fault {
        Some(Fault::ExpiredSession) => return error(401, "EXPIRED_SESSION", "Session has expired"),
        Some(Fault::RateLimited) => {
            let (status, body, _) = error(429, "ASPSP_RATE_LIMIT_EXCEEDED", "Rate limit exceeded");
            return (status, body, vec![("Retry-After", "3600".to_string())]);
        }
        _ => {}
    }
    let day = |k: &str| query.get(k).and_then(|d| d.parse::<NaiveDate>().ok());
    let (Some(from), Some(to)) = (day("date_from"), day("date_to")) else {
        s.violations.push(format!("transactions without date_from/date_to: {query:?}"));
        return error(422, "WRONG_REQUEST_PARAMETERS", "dates missing");
    };
    if (to - from).num_days() >= 90 || to < from {
        s.violations.push(format!("transactions for {from}..{to}"));
        return error(422, "WRONG_TRANSACTIONS_PERIOD", "Wrong transactions period requested");
    }
    let rows: Vec<Value> = s.accounts[index]
        .transactions
        .iter()
        .filter(|t| {
            let d =
                ["booking_date", "transaction_date"].iter().find_map(|k| t[*k].as_str()).and_then(|d| d.parse().ok());
            d.is_some_and(|d: NaiveDate| from <= d && d <= to)
        })
        .cloned()
        .collect();
    let page: usize = match query.get("continuation_key") {
        None => 0,
        Some(k) => match k.strip_prefix("page-").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => {
                s.violations.push(format!("unknown continuation_key {k}"));
                return error(422, "WRONG_CONTINUATION_KEY", "Wrong continuation key");
            }
        },
    };
    let size = s.page_size.max(1);
    let chunk: Vec<Value> = rows.iter().skip(page * size).take(size).cloned().collect();
    let next = if fault == Some(Fault::RepeatKey) {
        Some("page-1".to_string())
    } else {
        ((page + 1) * size < rows.len()).then(|| format!("page-{}", page + 1))
    };
    (200, json!({ "transactions": chunk, "continuation_key": next }), vec![])
}
