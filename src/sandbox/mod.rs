//! The sandbox bank: a real HTTP server on 127.0.0.1 that behaves like a bank's OAuth 2.0
//! authorization server plus a bearer-token JSON API, with deterministic synthetic data, a
//! clock, and fault switches. `tally sandbox serve`, `tally demo` and the tests all run it
//! through [`serve`].
//!
//! # OAuth 2.0 (RFC 6749, PKCE RFC 7636, loopback redirects RFC 8252, revocation RFC 7009)
//! - `GET /.well-known/openid-configuration`: the endpoints below.
//! - `GET /authorize`: `response_type=code`, `client_id=tally-cli`,
//!   `redirect_uri=http://127.0.0.1:{any port}/callback`, `state`, `code_challenge` with
//!   `code_challenge_method=S256` (required), optional `nonce` and `scope`. Answers the HTML
//!   consent page (sign in as `user_good` / `pass_good`, tick accounts, approve or deny).
//! - `POST /authorize` (the page's form): redirects to `redirect_uri` with `code`, `state` and
//!   `iss`, or `error=access_denied`.
//! - `POST /token`: `grant_type=authorization_code` (`code`, `redirect_uri`, `client_id`,
//!   `code_verifier`) or `refresh_token` (rotated on every use; presenting a spent one revokes
//!   the whole grant). Answers `access_token`, `token_type`, `expires_in`, `refresh_token`,
//!   `id_token` (`iss`, `aud`, `sub`, `nonce`, `exp`: unsigned, or signed RS256 with the key at
//!   `GET /jwks` when `scope` has `openid`) and `consent_expires_at`.
//!   A code used twice is refused and the tokens issued from it are revoked.
//! - `POST /revoke`: `token`; revoking a refresh token ends the consent.
//!
//! # Data API (header `Authorization: Bearer <access_token>`)
//! - `GET /api/accounts` → `{"accounts": [{"account_id" (scoped to the consent: a new consent
//!   sees the same accounts under new ids), "name", "official_name", "type"
//!   ("depository"|"credit"), "subtype", "mask", "iban", "iso_currency_code", "balances":
//!   {"current", "available", "as_of"}}], "consent_expires_at"}`
//! - `GET /api/transactions/sync?cursor=C&count=N` (N ≤ 500, default 100; no cursor = from the
//!   start) → `{"added": [Tx], "modified": [Tx], "removed": [{"transaction_id", "account_id"}],
//!   "next_cursor", "has_more"}`, where `Tx` is `{"transaction_id", "account_id", "date",
//!   "authorized_date", "amount", "iso_currency_code", "name", "merchant_name", "pending",
//!   "pending_transaction_id", "category"}`. Amounts are decimal strings, negative = money out.
//!   A posted transaction that replaces a pending one names it in `pending_transaction_id`, and
//!   the pending one is removed. Within a page, changes to one transaction are merged.
//! - `GET /api/transactions?account_id=A&start_date=YYYY-MM-DD` (the cursorless API) →
//!   `{"transactions": [Tx]}`: the account's current transactions from that date to the bank's
//!   today. It never sets `pending_transaction_id`, and removed transactions are just absent.
//! - Errors: 401 `invalid_token` (expired or unknown token: refresh), 403 `consent_revoked` /
//!   `consent_expired` (link again), 429 with `Retry-After`, 500.
//!
//! # FDX (Core Exchange) API, for `tally link fdx`: see [`fdx`].
//!
//! # Admin (tests and demos; no auth, loopback only)
//! - `POST /admin/clock?advance_days=N` or `?set=YYYY-MM-DD`: move the sandbox clock.
//! - `POST /admin/fault?kind=K[&count=N][&retry_after=S][&ms=M][&secs=S]`, kinds:
//!   `rate_limit` (429 + Retry-After), `server_error` (500), `slow` (delay M ms),
//!   `malformed` (garbage JSON from the API), `malformed_token` (garbage from `/token`),
//!   `token_ttl` (access tokens live S seconds), `revoke` (revoke every consent now),
//!   `revoke_error` (`/revoke` answers 503 and revokes nothing), `clear`.
//!   `after=N` lets N API calls through before the fault starts.
//! - `POST /admin/accounts?order=reverse` lists every consent's accounts in reverse order;
//!   `?rename=ID&name=N` renames the bank's account `ID` (its ids and identity stay).

mod admin;
mod api;
pub mod data;
pub mod fdx;
mod http;
mod oauth;
mod page;
pub mod robot;

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use anyhow::Result;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The one client the sandbox knows: a public client (no secret), loopback redirects only.
pub const CLIENT_ID: &str = "tally-cli";
pub const REDIRECT_PATH: &str = "/callback";
pub const DEFAULT_USER: &str = "user_good";
pub const DEFAULT_PASSWORD: &str = "pass_good";
/// How long a consent lasts (PSD2's 180 days).
pub const CONSENT_DAYS: i64 = 180;
const WORKERS: usize = 4;

#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub scale: u32,
    /// Pin the sandbox clock here (`TALLY_NOW`); otherwise it follows the system clock.
    pub now: Option<DateTime<Utc>>,
}

impl Default for Options {
    fn default() -> Self {
        Options { seed: 42, scale: 1, now: None }
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    url: String,
    server: Arc<tiny_http::Server>,
    state: Arc<Mutex<State>>,
    workers: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("url", &self.url).finish()
    }
}

impl Sandbox {
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Move the sandbox clock forward (what `POST /admin/clock` does).
    pub fn advance_days(&self, days: i64) {
        self.state.lock().expect("sandbox state").clock.offset += Duration::days(days);
    }

    /// Set a fault switch (what `POST /admin/fault` does).
    pub fn fault(&self, query: &str) -> Result<()> {
        let mut state = self.state.lock().expect("sandbox state");
        admin::set_fault(&mut state, &http::parse_query(query)).map_err(anyhow::Error::msg)
    }

    /// Change the account list (what `POST /admin/accounts` does).
    pub fn accounts(&self, query: &str) -> Result<()> {
        let mut state = self.state.lock().expect("sandbox state");
        admin::set_accounts(&mut state, &http::parse_query(query)).map_err(anyhow::Error::msg)
    }

    /// How many injected faults have not fired yet: a test that injects one checks it fired.
    pub fn faults_left(&self) -> u32 {
        let state = self.state.lock().expect("sandbox state");
        let f = &state.faults;
        f.rate_limit + f.server_error + f.slow + f.malformed + f.malformed_token + f.revoke_error
    }

    /// Block until the server stops (for `tally sandbox serve`).
    pub fn wait(mut self) {
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for _ in 0..self.workers.len() {
            self.server.unblock();
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// Serve the sandbox on `listener` (bind `127.0.0.1:0` in tests) from a few worker threads.
pub fn serve(listener: TcpListener, options: Options) -> Result<Sandbox> {
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    let server = Arc::new(tiny_http::Server::from_listener(listener, None).map_err(anyhow::Error::msg)?);
    let clock = Clock { pinned: options.now, offset: Duration::zero() };
    let bank = data::generate(options.seed, options.scale, clock.now().date_naive());
    let state = Arc::new(Mutex::new(State::new(url.clone(), clock, bank)));
    let workers = (0..WORKERS)
        .map(|_| {
            let (server, state) = (server.clone(), state.clone());
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    http::handle(&state, request);
                }
            })
        })
        .collect();
    Ok(Sandbox { url, server, state, workers })
}

#[derive(Debug, Clone)]
pub struct Clock {
    pinned: Option<DateTime<Utc>>,
    offset: Duration,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        self.pinned.unwrap_or_else(Utc::now) + self.offset
    }
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// An authorization request waiting on the consent page.
#[derive(Debug, Clone)]
struct AuthRequest {
    redirect_uri: String,
    state: String,
    code_challenge: String,
    nonce: Option<String>,
    /// `openid` in it: the ID token is signed (OpenID Connect).
    scope: Option<String>,
}

#[derive(Debug)]
struct Code {
    request: AuthRequest,
    user: String,
    accounts: Vec<usize>,
    expires: DateTime<Utc>,
    /// Set on first use; a second use revokes this grant.
    grant: Option<u64>,
}

#[derive(Debug)]
struct Grant {
    id: u64,
    accounts: Vec<usize>,
    expires: DateTime<Utc>,
    revoked: bool,
}

#[derive(Debug)]
struct Token {
    grant: u64,
    expires: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Faults {
    /// API calls to let through before the faults below apply.
    after: u32,
    rate_limit: u32,
    retry_after: u32,
    server_error: u32,
    slow: u32,
    slow_ms: u64,
    malformed: u32,
    malformed_token: u32,
    /// `/revoke` answers 503 this many times (and revokes nothing).
    revoke_error: u32,
    token_ttl: Option<i64>,
}

#[derive(Debug)]
struct State {
    issuer: String,
    clock: Clock,
    bank: data::Bank,
    requests: HashMap<String, AuthRequest>,
    codes: HashMap<String, Code>,
    grants: HashMap<u64, Grant>,
    access: HashMap<String, Token>,
    /// Refresh tokens: `true` while current, `false` once rotated (a replay revokes the grant).
    refresh: HashMap<String, (u64, bool)>,
    next_grant: u64,
    faults: Faults,
}

impl State {
    fn new(issuer: String, clock: Clock, bank: data::Bank) -> State {
        State {
            issuer,
            clock,
            bank,
            requests: HashMap::new(),
            codes: HashMap::new(),
            grants: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            next_grant: 1,
            faults: Faults::default(),
        }
    }
}

/// An unguessable code or token.
fn random_token() -> String {
    crate::secrets::random_hex().unwrap_or_else(|_| format!("{:032x}", rand_fallback()))
}

/// Only if /dev/urandom is unreadable: the clock's nanoseconds mixed with a counter. The
/// sandbox is a local test bank, so this is good enough and better than failing a request.
fn rand_fallback() -> u128 {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as u128;
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    t.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ n
}
