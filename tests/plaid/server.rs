//! A scripted Plaid server on 127.0.0.1:0, built from the 2020-09-14 spec's schemas: every
//! call must be a JSON POST with `PLAID-CLIENT-ID`, `PLAID-SECRET` and `Plaid-Version`, and
//! carry the body fields the spec requires. Anything else is recorded as a violation, which
//! the tests assert never happens. `/transactions/sync` answers from a script of pages keyed
//! by the cursor sent (`""`: none), with one-shot errors before a page.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};

pub const CLIENT_ID: &str = "5f1c0ffee0ddba11c0ffee01";
/// The developer secret and the access token: a test greps the database and outputs for them.
pub const SECRET: &str = "plaid-s3cret-9c1e4b7d20aa";
pub const ACCESS_TOKEN: &str = "access-sandbox-de3ce8ef-33f8-4ba1";

#[derive(Debug, Default)]
pub struct State {
    /// `/link/token/get` answers with no session this many times, then a finished one.
    pub polls_before_done: u32,
    pub polls: u32,
    /// What the finished session says (`results`, or `exit` with an error).
    pub session: Option<Value>,
    pub accounts: Vec<Value>,
    /// `/transactions/sync` pages by the cursor sent.
    pub pages: HashMap<String, Value>,
    /// Errors (status, body) to answer for a cursor, one a call, before its page.
    pub fail: HashMap<String, Vec<(u16, Value)>>,
    /// The secret accepted instead of [`SECRET`] (rotated in the dashboard).
    pub secret: Option<String>,
    /// Paths in the order called, with their bodies.
    pub seen: Vec<(String, Value)>,
    pub violations: Vec<String>,
}

pub struct PlaidServer {
    pub url: String,
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
}

impl Drop for PlaidServer {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

impl PlaidServer {
    pub fn start() -> PlaidServer {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let (s, st) = (server.clone(), state.clone());
        std::thread::spawn(move || {
            for mut request in s.incoming_requests() {
                let (status, body) = answer(&mut st.lock().unwrap(), &mut request);
                let header = tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap();
                let _ = request.respond(
                    tiny_http::Response::from_string(body.to_string()).with_status_code(status).with_header(header),
                );
            }
        });
        PlaidServer { url, state, server }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    pub fn calls(&self, path: &str) -> Vec<Value> {
        self.state().seen.iter().filter(|(p, _)| p == path).map(|(_, b)| b.clone()).collect()
    }

    #[track_caller]
    pub fn assert_no_violations(&self) {
        let v = &self.state().violations;
        assert!(v.is_empty(), "the server was sent what the spec does not allow: {v:#?}");
    }
}

/// Plaid's error object, as the spec's `PlaidError`.
pub fn plaid_error(kind: &str, code: &str) -> Value {
    json!({"error_type": kind, "error_code": code, "error_message": format!("{code} happened"),
           "display_message": null, "request_id": "req-err-1"})
}

fn header<'r>(request: &'r tiny_http::Request, name: &'static str) -> Option<&'r str> {
    request.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str())
}

fn answer(state: &mut State, request: &mut tiny_http::Request) -> (u16, Value) {
    let path = request.url().to_string();
    let mut text = String::new();
    let _ = request.as_reader().read_to_string(&mut text);
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    state.seen.push((path.clone(), body.clone()));
    let mut bad = |why: String| state.violations.push(format!("{path}: {why}"));
    if request.method() != &tiny_http::Method::Post {
        bad("not a POST".into());
    }
    if !header(request, "Content-Type").is_some_and(|c| c.starts_with("application/json")) {
        bad("not JSON".into());
    }
    if header(request, "Plaid-Version") != Some("2020-09-14") {
        bad("no Plaid-Version: 2020-09-14".into());
    }
    let secret = state.secret.clone().unwrap_or_else(|| SECRET.to_string());
    if header(request, "PLAID-CLIENT-ID") != Some(CLIENT_ID) || header(request, "PLAID-SECRET") != Some(secret.as_str())
    {
        return (400, plaid_error("INVALID_INPUT", "INVALID_API_KEYS"));
    }
    let needs =
        |fields: &[&str]| fields.iter().filter(|f| body.get(**f).is_none()).map(|f| f.to_string()).collect::<Vec<_>>();
    let access = |state: &mut State, path: &str| {
        if body["access_token"] != ACCESS_TOKEN {
            state.violations.push(format!("{path}: wrong access_token {}", body["access_token"]));
        }
    };
    match path.as_str() {
        "/link/token/create" => {
            let missing = needs(&["client_name", "language", "country_codes", "user", "hosted_link"]);
            if !missing.is_empty() {
                state.violations.push(format!("{path}: missing {missing:?}"));
            }
            let update = body.get("access_token").is_some();
            if update == body.get("products").is_some() {
                state.violations.push(format!("{path}: products must be given exactly when not in update mode"));
            }
            if !update && body["products"] != json!(["transactions"]) {
                state.violations.push(format!("{path}: products {}", body["products"]));
            }
            (
                200,
                json!({"link_token": "link-sandbox-af1a0311", "expiration": "2026-11-23T16:00:00Z",
                         "request_id": "req-1", "hosted_link_url": "https://hosted.plaid.com/link/lt-af1a0311"}),
            )
        }
        "/link/token/get" => {
            if body["link_token"] != "link-sandbox-af1a0311" {
                state.violations.push(format!("{path}: link_token {}", body["link_token"]));
            }
            state.polls += 1;
            let sessions = if state.polls > state.polls_before_done {
                json!([state.session.clone().unwrap_or(json!({}))])
            } else {
                json!([{"link_session_id": "ls-1", "started_at": "2026-11-23T12:00:00Z", "finished_at": null}])
            };
            (
                200,
                json!({"link_token": "link-sandbox-af1a0311", "created_at": "2026-11-23T12:00:00Z",
                         "expiration": "2026-11-23T16:00:00Z", "metadata": {}, "request_id": "req-2",
                         "link_sessions": sessions}),
            )
        }
        "/item/public_token/exchange" => {
            if body["public_token"] != "public-sandbox-b0e2c4ee" {
                return (400, plaid_error("INVALID_INPUT", "INVALID_PUBLIC_TOKEN"));
            }
            (200, json!({"access_token": ACCESS_TOKEN, "item_id": "item-M5eVJ", "request_id": "req-3"}))
        }
        "/accounts/get" => {
            access(state, &path);
            (
                200,
                json!({"accounts": state.accounts, "item": {"item_id": "item-M5eVJ", "institution_id": "ins_109508"},
                         "request_id": "req-4"}),
            )
        }
        "/transactions/sync" => {
            access(state, &path);
            if body["count"] != 500 || body["options"]["personal_finance_category_version"] != "v2" {
                state.violations.push(format!("{path}: count 500 and PFC v2 expected: {body}"));
            }
            let cursor = body["cursor"].as_str().unwrap_or("").to_string();
            if let Some(errors) = state.fail.get_mut(&cursor).filter(|e| !e.is_empty()) {
                return errors.remove(0);
            }
            match state.pages.get(&cursor) {
                Some(page) => (200, page.clone()),
                None => {
                    state.violations.push(format!("{path}: unknown cursor {cursor:?}"));
                    (400, plaid_error("INVALID_INPUT", "INVALID_FIELD"))
                }
            }
        }
        "/item/remove" => {
            access(state, &path);
            (200, json!({"request_id": "req-5"}))
        }
        _ => {
            state.violations.push(format!("{path}: no such endpoint"));
            (404, plaid_error("INVALID_REQUEST", "UNKNOWN_FIELDS"))
        }
    }
}
