//! A scripted GoCardless Bank Account Data server on 127.0.0.1:0, built from the v2 spec
//! (`specs/gocardless/swagger.json`): its paths (with their trailing slash), the request
//! schemas (`JWTObtainPairRequest`, `JWTRefreshRequest`, `EndUserAgreementRequest`,
//! `RequisitionRequest`: required fields, bounds, no unknown fields), bearer tokens it issued,
//! `date_from`/`date_to`, the documented `ErrorResponse` examples, and the limit of 4 calls a
//! day per account and scope (with the `HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_*` headers). Anything
//! the spec does not allow is recorded as a violation, which the tests assert never happens.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};

pub const SECRET_ID: &str = "8a1f6f5e-1b9c-4c0e-9d1e-6f0a4c2b7d31";
/// The secret key and every token: tests grep the database and outputs for them.
pub const SECRET_KEY: &str = "gc-s3cret-key-4f1d9be07c5a2e66";
pub const TOKEN_PREFIX: &str = "gc-t0ken-";

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub iban: String,
    pub name: String,
    pub booked: Vec<Value>,
    pub pending: Vec<Value>,
    pub balances: Value,
}

/// A one-shot answer for the next call whose path starts with `path`.
#[derive(Debug, Clone)]
pub struct Fault {
    pub path: String,
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(&'static str, String)>,
}

#[derive(Debug, Default)]
pub struct State {
    pub institutions: Vec<Value>,
    /// The statuses `GET /requisitions/{id}/` walks through, one a poll; the last one stays.
    pub statuses: Vec<&'static str>,
    pub polls: usize,
    pub accounts: Vec<Account>,
    /// Tokens issued and still good.
    pub access: HashSet<String>,
    pub refresh: HashSet<String>,
    issued: u32,
    pub agreements: Vec<Value>,
    pub requisitions: Vec<Value>,
    pub deleted: Vec<String>,
    /// Successful calls per (account, scope), as GoCardless counts them.
    pub counts: HashMap<(String, String), u32>,
    pub faults: Vec<Fault>,
    /// Act as a mock generated from the spec, whose global `jwtAuth` covers the token
    /// endpoints too: refuse them without a bearer, as Prism does.
    pub bearer_everywhere: bool,
    /// (method, path with query, body) in the order received.
    pub seen: Vec<(String, String, Value)>,
    pub violations: Vec<String>,
}

pub struct GcServer {
    pub url: String,
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
}

impl Drop for GcServer {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

impl GcServer {
    pub fn start(accounts: Vec<Account>) -> GcServer {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let state = State {
            // The spec's example institution, and one more.
            institutions: vec![
                json!({"id": "N26_NTSBDEB1", "name": "N26 Bank", "bic": "NTSBDEB1", "transaction_total_days": "540",
                       "countries": ["DE", "AT"], "logo": "https://cdn-logos.gocardless.com/ais/N26.png",
                       "identification_codes": [], "max_access_valid_for_days": "180"}),
                json!({"id": "DKB_BYLADEM1", "name": "DKB", "bic": "BYLADEM1001", "transaction_total_days": "90",
                       "countries": ["DE"], "logo": "https://cdn-logos.gocardless.com/ais/DKB.png"}),
            ],
            statuses: vec!["CR", "GC", "UA", "SA", "GA", "LN"],
            accounts,
            ..State::default()
        };
        let state = Arc::new(Mutex::new(state));
        let (s, st) = (server.clone(), state.clone());
        std::thread::spawn(move || {
            for mut request in s.incoming_requests() {
                let (status, body, headers) = answer(&mut st.lock().unwrap(), &mut request);
                let mut response = tiny_http::Response::from_string(body.to_string()).with_status_code(status);
                response.add_header(tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap());
                for (name, value) in headers {
                    response.add_header(tiny_http::Header::from_bytes(name, value.as_bytes()).unwrap());
                }
                let _ = request.respond(response);
            }
        });
        GcServer { url, state, server }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// The paths called, without their queries, as `METHOD path`.
    pub fn calls(&self) -> Vec<String> {
        self.state().seen.iter().map(|(m, p, _)| format!("{m} {}", p.split('?').next().unwrap())).collect()
    }

    pub fn fail_next(&self, path: &str, status: u16, body: Value, headers: Vec<(&'static str, String)>) {
        self.state().faults.push(Fault { path: path.to_string(), status, body, headers });
    }

    #[track_caller]
    pub fn assert_no_violations(&self) {
        let v = &self.state().violations;
        assert!(v.is_empty(), "the server was sent what the spec does not allow: {v:#?}");
    }
}

/// An `ErrorResponse` as the spec's examples write it.
pub fn error(summary: &str, detail: &str, kind: Option<&str>, status: u16) -> Value {
    let mut e = json!({"summary": summary, "detail": detail, "status_code": status});
    if let Some(k) = kind {
        e["type"] = json!(k);
    }
    e
}

fn uuid(n: usize) -> String {
    format!("3fa85f64-5717-4562-b3fc-2c963f66a{n:03}")
}

fn header<'r>(request: &'r tiny_http::Request, name: &'static str) -> Option<&'r str> {
    request.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str())
}

type Answer = (u16, Value, Vec<(&'static str, String)>);

fn answer(state: &mut State, request: &mut tiny_http::Request) -> Answer {
    let full = request.url().to_string();
    let (path, query) = full.split_once('?').unwrap_or((full.as_str(), ""));
    let (path, query) = (path.to_string(), query.to_string());
    let method = request.method().to_string().to_uppercase();
    let mut text = String::new();
    let _ = request.as_reader().read_to_string(&mut text);
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    state.seen.push((method.clone(), full.clone(), body.clone()));
    let bad = |state: &mut State, why: String| state.violations.push(format!("{method} {full}: {why}"));
    if !path.ends_with('/') {
        bad(state, "the spec's paths end with a slash".into());
    }
    if matches!(method.as_str(), "POST")
        && !header(request, "Content-Type").is_some_and(|c| c.starts_with("application/json"))
    {
        bad(state, "a body that is not JSON".into());
    }
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    if let Some(i) = state.faults.iter().position(|f| path.starts_with(&f.path)) {
        let f = state.faults.remove(i);
        return (f.status, f.body, f.headers);
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    if segments.len() < 2 || segments[..2] != ["api", "v2"] {
        bad(state, "not under /api/v2/".into());
        return (404, error("Not found.", "Not found.", None, 404), vec![]);
    }
    let rest = &segments[2..];
    // The token endpoints need no bearer token (the live API; see SOURCE.md).
    if state.bearer_everywhere && header(request, "Authorization").is_none() {
        let problem = json!({"type": "https://stoplight.io/prism/errors#UNAUTHORIZED",
                             "title": "Invalid security scheme used", "status": 401, "detail": ""});
        return (401, problem, vec![("WWW-Authenticate", "Bearer".into())]);
    }
    match (method.as_str(), rest) {
        ("POST", ["token", "new"]) => return token_new(state, &body),
        ("POST", ["token", "refresh"]) => return token_refresh(state, &body),
        _ => {}
    }
    let bearer = header(request, "Authorization").and_then(|a| a.strip_prefix("Bearer ")).unwrap_or("");
    if !state.access.contains(bearer) {
        return (401, error("Invalid token", "Token is invalid or expired", None, 401), vec![]);
    }
    match (method.as_str(), rest) {
        ("GET", ["institutions"]) => {
            let known = ["country", "access_scopes_supported", "pending_transactions_supported"];
            if let Some(k) = params.keys().find(|k| !known.contains(&k.as_str())) {
                bad(state, format!("unknown query {k}"));
            }
            let Some(country) = params.get("country") else {
                bad(state, "no country".into());
                return (400, error("Invalid country choice.", "no country", None, 400), vec![]);
            };
            let list: Vec<Value> = state
                .institutions
                .iter()
                .filter(|i| i["countries"].as_array().unwrap().contains(&json!(country)))
                .cloned()
                .collect();
            (200, json!(list), vec![])
        }
        ("POST", ["agreements", "enduser"]) => agreement(state, &body),
        ("POST", ["requisitions"]) => requisition(state, &body),
        ("GET", ["requisitions", id]) => {
            let Some(r) = state.requisitions.iter().position(|r| r["id"] == *id) else {
                return (404, error("Not found.", "Not found.", None, 404), vec![]);
            };
            let status = state.statuses[state.polls.min(state.statuses.len() - 1)];
            state.polls += 1;
            let mut r = state.requisitions[r].clone();
            r["status"] = json!(status);
            if status == "LN" {
                r["accounts"] = json!(state.accounts.iter().map(|a| a.id.clone()).collect::<Vec<_>>());
            }
            (200, r, vec![])
        }
        ("DELETE", ["requisitions", id]) => {
            if !state.requisitions.iter().any(|r| r["id"] == *id) || state.deleted.iter().any(|d| d == id) {
                return (404, error("Not found.", "Not found.", None, 404), vec![]);
            }
            state.deleted.push(id.to_string());
            (
                200,
                json!({"summary": "Requisition deleted", "detail": "Requisition and its end user agreement deleted"}),
                vec![],
            )
        }
        ("GET", ["accounts", id, scope @ ..]) => account(state, id, scope, &params),
        _ => {
            bad(state, "no such endpoint".into());
            (404, error("Not found.", "Not found.", None, 404), vec![])
        }
    }
}

fn only_fields(state: &mut State, what: &str, body: &Value, known: &[&str], required: &[&str]) {
    let Some(fields) = body.as_object() else {
        state.violations.push(format!("{what}: not a JSON object"));
        return;
    };
    for k in fields.keys().filter(|k| !known.contains(&k.as_str())) {
        state.violations.push(format!("{what}: unknown field {k}"));
    }
    for r in required {
        if body[*r].as_str().is_none_or(|s| s.is_empty()) {
            state.violations.push(format!("{what}: {r} is required (a non-empty string)"));
        }
    }
}

fn issue(state: &mut State, refresh: bool) -> Value {
    state.issued += 1;
    let access = format!("{TOKEN_PREFIX}access-{}", state.issued);
    state.access.insert(access.clone());
    if !refresh {
        return json!({"access": access, "access_expires": 86400});
    }
    let refresh = format!("{TOKEN_PREFIX}refresh-{}", state.issued);
    state.refresh.insert(refresh.clone());
    json!({"access": access, "access_expires": 86400, "refresh": refresh, "refresh_expires": 2592000})
}

fn token_new(state: &mut State, body: &Value) -> Answer {
    only_fields(state, "JWTObtainPairRequest", body, &["secret_id", "secret_key"], &["secret_id", "secret_key"]);
    if body["secret_id"] != SECRET_ID || body["secret_key"] != SECRET_KEY {
        let e = error("Authentication failed", "No active account found with the given credentials", None, 401);
        return (401, e, vec![]);
    }
    (200, issue(state, true), vec![])
}

fn token_refresh(state: &mut State, body: &Value) -> Answer {
    only_fields(state, "JWTRefreshRequest", body, &["refresh"], &["refresh"]);
    if !body["refresh"].as_str().is_some_and(|r| state.refresh.contains(r)) {
        return (401, error("Invalid token", "Token is invalid or expired", None, 401), vec![]);
    }
    (200, issue(state, false), vec![])
}

fn agreement(state: &mut State, body: &Value) -> Answer {
    let known = ["institution_id", "max_historical_days", "access_valid_for_days", "access_scope"];
    only_fields(state, "EndUserAgreementRequest", body, &known, &["institution_id"]);
    let Some(bank) = state.institutions.iter().find(|i| i["id"] == body["institution_id"]).cloned() else {
        let e = json!({"institution_id": {"summary": "Unknown Institution ID", "detail": "Get Institution IDs from /institutions/"},
                       "status_code": 400});
        return (400, e, vec![]);
    };
    let days = |v: &Value| v.as_str().and_then(|s| s.parse::<u64>().ok()).unwrap_or(90);
    let history = body["max_historical_days"].as_u64();
    if !history.is_some_and(|h| (1..=730).contains(&h) && h <= days(&bank["transaction_total_days"])) {
        state
            .violations
            .push(format!("max_historical_days {} is not within the institution's", body["max_historical_days"]));
    }
    let access = body["access_valid_for_days"].as_u64();
    if !access.is_some_and(|a| (1..=180).contains(&a) && a <= days(&bank["max_access_valid_for_days"])) {
        state
            .violations
            .push(format!("access_valid_for_days {} is not within the institution's", body["access_valid_for_days"]));
    }
    let scopes = body["access_scope"].as_array().cloned().unwrap_or_default();
    if scopes.is_empty()
        || scopes.iter().any(|s| !["balances", "details", "transactions"].contains(&s.as_str().unwrap_or("")))
    {
        state.violations.push(format!("access_scope {}", body["access_scope"]));
    }
    let id = uuid(100 + state.agreements.len());
    let created = json!({"id": id, "created": "2026-11-23T12:00:00Z", "institution_id": bank["id"],
        "max_historical_days": history, "access_valid_for_days": access, "access_scope": scopes, "accepted": null});
    state.agreements.push(created.clone());
    (201, created, vec![])
}

fn requisition(state: &mut State, body: &Value) -> Answer {
    let known = [
        "redirect",
        "institution_id",
        "agreement",
        "reference",
        "user_language",
        "ssn",
        "account_selection",
        "redirect_immediate",
    ];
    only_fields(state, "RequisitionRequest", body, &known, &["redirect", "institution_id"]);
    if !body["redirect"].as_str().is_some_and(|r| url::Url::parse(r).is_ok() && r.len() <= 1024) {
        let e = json!({"redirect": [{"summary": "Invalid redirect URI", "detail": "Redirect URI must have a valid URI structure"}],
                       "status_code": 400});
        return (400, e, vec![]);
    }
    let agreement = state.agreements.iter().find(|a| a["id"] == body["agreement"]).cloned();
    if agreement.is_none_or(|a| a["institution_id"] != body["institution_id"]) {
        state
            .violations
            .push(format!("agreement {} is not one made for {}", body["agreement"], body["institution_id"]));
    }
    let reference = body["reference"].as_str().unwrap_or("");
    if reference.is_empty() || reference.len() > 256 || state.requisitions.iter().any(|r| r["reference"] == reference) {
        let e = json!({"reference": {"summary": "Client reference must be unique", "detail": "already exists"}, "status_code": 400});
        return (400, e, vec![]);
    }
    let id = uuid(200 + state.requisitions.len());
    let created = json!({"id": id, "created": "2026-11-23T12:00:00Z", "redirect": body["redirect"], "status": "CR",
        "institution_id": body["institution_id"], "agreement": body["agreement"], "reference": reference,
        "accounts": [], "link": format!("https://ob.gocardless.com/psd2/start/{id}/{}", body["institution_id"].as_str().unwrap_or("")),
        "account_selection": false, "redirect_immediate": false});
    state.requisitions.push(created.clone());
    (201, created, vec![])
}

fn account(state: &mut State, id: &str, scope: &[&str], params: &HashMap<String, String>) -> Answer {
    let Some(a) = state.accounts.iter().find(|a| a.id == id).cloned() else {
        let e = error(
            &format!("Account ID {id} not found"),
            "Please check whether you specified a valid Account ID",
            None,
            404,
        );
        return (404, e, vec![]);
    };
    let scope = match scope {
        [] => {
            return (
                200,
                json!({"id": a.id, "created": "2026-11-01T10:00:00Z", "last_accessed": "2026-11-23T11:00:00Z",
                                   "iban": a.iban, "status": "READY", "institution_id": "N26_NTSBDEB1", "owner_name": "Ann Holder"}),
                vec![],
            );
        }
        [s] => s.to_string(),
        _ => return (404, error("Not found.", "Not found.", None, 404), vec![]),
    };
    let used = state.counts.entry((id.to_string(), scope.clone())).or_default();
    if *used >= 4 {
        state.violations.push(format!("a 5th {scope} call for {id} today"));
        let e = error(
            &format!("Couldn't update account {scope}"),
            "Daily request limit set by the Institution has been exceeded.",
            Some("RateLimitError"),
            429,
        );
        return (429, e, vec![("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET", "36000".into())]);
    }
    *used += 1;
    let left = 4 - *used;
    let headers = vec![
        ("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_LIMIT", "4".to_string()),
        ("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING", left.to_string()),
        ("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET", "36000".to_string()),
    ];
    let body = match scope.as_str() {
        "details" => json!({"account": {"resourceId": format!("res-{id}"), "iban": a.iban, "currency": "EUR",
            "ownerName": "Ann Holder", "name": a.name, "product": "Girokonto", "cashAccountType": "CACC"}}),
        "balances" => json!({"balances": a.balances}),
        "transactions" => {
            let day = |k: &str| params.get(k).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let (Some(from), Some(to)) = (day("date_from"), day("date_to")) else {
                state.violations.push(format!("transactions without an ISO date_from and date_to: {params:?}"));
                return (400, error("Incorrect date range", "dates", None, 400), vec![]);
            };
            if from > to {
                let e = error("Incorrect date range", "Starting date is greater than end date", None, 400);
                return (400, e, vec![]);
            }
            let inside = |t: &&Value| {
                let d = t["bookingDate"].as_str().or(t["valueDate"].as_str()).unwrap_or("");
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok_and(|d| from <= d && d <= to)
            };
            json!({"transactions": {"booked": a.booked.iter().filter(inside).collect::<Vec<_>>(),
                                    "pending": a.pending.iter().filter(inside).collect::<Vec<_>>()}})
        }
        other => {
            state.violations.push(format!("no account scope {other}"));
            return (404, error("Not found.", "Not found.", None, 404), vec![]);
        }
    };
    (200, body, headers)
}
