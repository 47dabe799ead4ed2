//! The sandbox's HTTP plumbing: request parsing, routing, and replies.

use std::io::Read as _;
use std::sync::Mutex;

use serde_json::Value;

use super::{State, admin, api, oauth};

/// Query-string or form parameters, in order (a form repeats `account`).
pub type Params = Vec<(String, String)>;

pub fn parse_query(query: &str) -> Params {
    url::form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

pub fn get<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

pub fn all<'a>(params: &'a Params, name: &str) -> impl Iterator<Item = &'a str> {
    params.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// What a handler answers; turned into a tiny_http response outside the state lock.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
    pub delay_ms: u64,
}

impl Reply {
    pub fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: value.to_string(),
            headers: vec![("Cache-Control", "no-store".into())],
            delay_ms: 0,
        }
    }

    /// An OAuth/API error body: `{"error": code, "error_description": text}`.
    pub fn error(status: u16, code: &str, description: &str) -> Reply {
        Reply::json(status, &serde_json::json!({ "error": code, "error_description": description }))
    }

    pub fn html(status: u16, body: String) -> Reply {
        Reply { status, content_type: "text/html; charset=utf-8", body, headers: Vec::new(), delay_ms: 0 }
    }

    pub fn redirect(location: String) -> Reply {
        Reply {
            status: 302,
            content_type: "text/plain",
            body: String::new(),
            headers: vec![("Location", location)],
            delay_ms: 0,
        }
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }
}

/// The parts of a request a handler needs.
#[derive(Debug)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Params,
    pub form: Params,
    pub bearer: Option<String>,
}

pub fn handle(state: &Mutex<State>, mut request: tiny_http::Request) {
    let reply = match read(&mut request) {
        Ok(req) => {
            let mut state = state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            route(&mut state, &req)
        }
        Err(reply) => reply,
    };
    if reply.delay_ms > 0 {
        std::thread::sleep(std::time::Duration::from_millis(reply.delay_ms));
    }
    let mut response = tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
    let headers = std::iter::once(("Content-Type", reply.content_type.to_string())).chain(reply.headers);
    for (name, value) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    // The client may have gone away; nothing to do about it here.
    let _ = request.respond(response);
}

fn read(request: &mut tiny_http::Request) -> Result<Req, Reply> {
    let bad = |msg: &str| Reply::error(400, "invalid_request", msg);
    let url = url::Url::parse(&format!("http://sandbox{}", request.url())).map_err(|_| bad("bad request target"))?;
    let mut body = String::new();
    request.as_reader().take(1 << 20).read_to_string(&mut body).map_err(|_| bad("the body is not UTF-8"))?;
    let bearer = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))
        .and_then(|h| h.value.as_str().strip_prefix("Bearer ").map(str::to_string));
    Ok(Req {
        method: request.method().as_str().to_ascii_uppercase(),
        path: url.path().to_string(),
        query: parse_query(url.query().unwrap_or("")),
        form: parse_query(&body),
        bearer,
    })
}

fn route(state: &mut State, req: &Req) -> Reply {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/") => Reply::html(200, super::page::index(&state.issuer)),
        ("GET", "/.well-known/openid-configuration") => oauth::discovery(state),
        ("GET", "/authorize") => oauth::authorize_page(state, &req.query),
        ("POST", "/authorize") => oauth::authorize_submit(state, &req.form),
        ("POST", "/token") => oauth::token(state, &req.form),
        ("POST", "/revoke") => oauth::revoke(state, &req.form),
        ("GET", "/jwks") => Reply::json(200, &super::fdx::jwks()),
        ("GET", path) if path.starts_with("/fdx/") => super::fdx::route(state, req),
        ("GET", "/api/accounts") => api::with_faults(state, req, api::accounts),
        ("GET", "/api/transactions/sync") => api::with_faults(state, req, api::transactions_sync),
        ("GET", "/api/transactions") => api::with_faults(state, req, api::transactions_window),
        ("POST", "/admin/clock") => admin::clock(state, &req.query),
        ("POST", "/admin/fault") => match admin::set_fault(state, &req.query) {
            Ok(()) => Reply::json(200, &serde_json::json!({ "ok": true })),
            Err(msg) => Reply::error(400, "invalid_request", &msg),
        },
        ("POST", "/admin/accounts") => match admin::set_accounts(state, &req.query) {
            Ok(()) => Reply::json(200, &serde_json::json!({ "ok": true })),
            Err(msg) => Reply::error(400, "invalid_request", &msg),
        },
        _ => Reply::error(404, "not_found", "no such endpoint"),
    }
}
