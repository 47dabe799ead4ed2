//! A scripted SimpleFIN server on 127.0.0.1:0 that answers as protocol v2 says and checks
//! what it is sent: one claim per token (a second is a 403), Basic credentials on every
//! `/accounts` call, `version=2`, and for transactions `pending=1` and a date range of at most
//! 90 days. Anything else is recorded as a violation, which the tests assert never happens.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine as _;
use serde_json::{Value, json};

pub const USER: &str = "demo-user";
/// The start of every access URL's password (each claim gets its own, `PASSWORD-<token>`):
/// a test greps the database and every output for it.
pub const PASSWORD: &str = "s3cret-Pa55-9f2c71";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    /// The Basic password it carried, if any.
    pub password: Option<String>,
}

#[derive(Debug, Default)]
pub struct State {
    /// Claim tokens, and whether each was claimed.
    pub tokens: HashMap<String, bool>,
    pub connections: Vec<Value>,
    /// Accounts without their transactions.
    pub accounts: Vec<Value>,
    /// Transactions by account id.
    pub transactions: HashMap<String, Vec<Value>>,
    pub errlist: Vec<Value>,
    /// Passwords of claimed access URLs, and those the user revoked at the Bridge.
    pub issued: Vec<String>,
    pub revoked: Vec<String>,
    /// Answer `/accounts` with this status instead (402, 403…).
    pub status: Option<u16>,
    pub seen: Vec<Seen>,
    pub violations: Vec<String>,
}

pub struct Bridge {
    /// The server's root, as the Bridge's `https://bridge.simplefin.org/simplefin`.
    pub root: String,
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

impl Bridge {
    pub fn start() -> Bridge {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let root = format!("http://{}/simplefin", server.server_addr().to_ip().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let (s, st, r) = (server.clone(), state.clone(), root.clone());
        std::thread::spawn(move || {
            for request in s.incoming_requests() {
                let (status, body) = answer(&r, &mut st.lock().unwrap(), &request);
                let _ = request.respond(tiny_http::Response::from_string(body).with_status_code(status));
            }
        });
        Bridge { root, state, server }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// A fresh setup token: base64 of this server's claim URL.
    pub fn token(&self, name: &str) -> String {
        self.state().tokens.insert(name.to_string(), false);
        base64::engine::general_purpose::STANDARD.encode(format!("{}/claim/{name}", self.root))
    }

    /// The `/accounts` requests seen so far.
    pub fn account_calls(&self) -> Vec<Seen> {
        self.state().seen.iter().filter(|s| s.path.ends_with("/accounts")).cloned().collect()
    }

    #[track_caller]
    pub fn assert_no_violations(&self) {
        let v = &self.state().violations;
        assert!(v.is_empty(), "the server was sent what the protocol does not allow: {v:#?}");
    }
}

fn answer(root: &str, state: &mut State, request: &tiny_http::Request) -> (u16, String) {
    let (path, query) = request.url().split_once('?').unwrap_or((request.url(), ""));
    let query: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let method = request.method().to_string();
    let password = basic_password(request);
    state.seen.push(Seen {
        method: method.clone(),
        path: path.to_string(),
        query: query.clone(),
        password: password.clone(),
    });
    let prefix = url::Url::parse(root).unwrap().path().to_string();
    let Some(route) = path.strip_prefix(&prefix) else {
        state.violations.push(format!("{method} {path}: outside the server's root"));
        return (404, "not found".into());
    };
    if let Some(token) = route.strip_prefix("/claim/") {
        if method != "POST" {
            state.violations.push(format!("{method} {path}: a claim is a POST"));
            return (405, "POST only".into());
        }
        return match state.tokens.get_mut(token) {
            Some(claimed @ false) => {
                *claimed = true;
                let host = root.strip_prefix("http://").unwrap();
                let password = format!("{PASSWORD}-{token}");
                state.issued.push(password.clone());
                (200, format!("http://{USER}:{password}@{host}"))
            }
            _ => (403, "Forbidden".into()),
        };
    }
    if route != "/accounts" || method != "GET" {
        state.violations.push(format!("{method} {path}: no such endpoint"));
        return (404, "not found".into());
    }
    match password {
        Some(p) if state.revoked.contains(&p) => return (403, "Forbidden".into()),
        Some(p) if state.issued.contains(&p) => {}
        other => {
            state.violations.push(format!("/accounts without the right Basic credentials: {other:?}"));
            return (403, "Forbidden".into());
        }
    }
    if query.get("version").map(String::as_str) != Some("2") {
        state.violations.push(format!("/accounts without version=2: {query:?}"));
    }
    if let Some(status) = state.status {
        return (status, format!("status {status}"));
    }
    let balances_only = query.get("balances-only").map(String::as_str) == Some("1");
    let range = if balances_only {
        None
    } else {
        let date = |k: &str| query.get(k).and_then(|v| v.parse::<i64>().ok());
        match (date("start-date"), date("end-date")) {
            (Some(start), Some(end)) if end > start && end - start <= 90 * 86_400 => Some((start, end)),
            other => {
                state.violations.push(format!("a date range that is missing or over 90 days: {other:?}"));
                return (400, "bad range".into());
            }
        }
    };
    if !balances_only && query.get("pending").map(String::as_str) != Some("1") {
        state.violations.push("transactions asked for without pending=1".into());
    }
    let accounts: Vec<Value> = state
        .accounts
        .iter()
        .map(|a| {
            let mut a = a.clone();
            if let Some((start, end)) = range {
                let id = a["id"].as_str().unwrap().to_string();
                let txs: Vec<Value> = state
                    .transactions
                    .get(&id)
                    .into_iter()
                    .flatten()
                    .filter(|t| in_range(t, start, end))
                    .cloned()
                    .collect();
                a["transactions"] = Value::Array(txs);
            }
            a
        })
        .collect();
    (200, json!({"errlist": state.errlist, "connections": state.connections, "accounts": accounts}).to_string())
}

/// The password of a `Basic` Authorization header for [`USER`].
fn basic_password(request: &tiny_http::Request) -> Option<String> {
    let header = request.headers().iter().find(|h| h.field.equiv("Authorization"))?;
    let encoded = header.value.as_str().strip_prefix("Basic ")?;
    let decoded = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).ok()?).ok()?;
    decoded.strip_prefix(&format!("{USER}:")).map(str::to_string)
}

/// A posted row by its `posted` time; a pending one (`posted: 0`) by when it happened.
fn in_range(t: &Value, start: i64, end: i64) -> bool {
    let posted = t["posted"].as_i64().unwrap_or(0);
    let at = if posted > 0 { posted } else { t["transacted_at"].as_i64().unwrap_or(0) };
    (start..end).contains(&at)
}
