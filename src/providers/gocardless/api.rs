//! GoCardless Bank Account Data over HTTP: the access token kept fresh (`POST /token/new/`
//! with the secret id and key, `POST /token/refresh/` while the refresh token lives, a new
//! pair once it has expired, and one renewal when a call says "Invalid token"), bounded
//! retries, the rate-limit headers (`X-RateLimit-*`, and the `HTTP_X_RATELIMIT_*` names the
//! live API sends) and the documented `ErrorResponse` turned into the kinds sync branches on.

use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};
use reqwest::blocking::{Client, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::wire::TokenAnswer;
use crate::error::{Exit, UserError};
use crate::providers::{ProviderError, http};

pub const TOKEN_NEW: &str = "/api/v2/token/new/";
pub const TOKEN_REFRESH: &str = "/api/v2/token/refresh/";
const UNREACHABLE_HINT: &str =
    "check your connection; for a test server set TALLY_GOCARDLESS_URL or [providers.gocardless] url";
const KEYS_HINT: &str = "check the secret id and key at https://bankaccountdata.gocardless.com/user-secrets/ \
     and give them again with `tally link --relink NAME`";
/// Attempts for one call (429 with a short wait, 5xx, a connection failure).
const TRIES: u32 = 3;
/// A longer wait than this is not waited out: the call fails for this run (exit 75).
const MAX_WAIT_SECS: u64 = 30;
/// A token this close to its expiry is renewed before use.
const MARGIN_SECS: i64 = 60;

/// The user's credentials and the tokens they bought; all of it lives in the secret store.
#[derive(Clone, Serialize, Deserialize)]
pub struct Auth {
    pub secret_id: String,
    pub secret_key: String,
    #[serde(default)]
    pub tokens: Option<Tokens>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth").finish_non_exhaustive()
    }
}

#[derive(Clone, Serialize, Deserialize)]
pub struct Tokens {
    pub access: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh: String,
    pub refresh_expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

/// What the rate-limit headers of an answer said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Successful calls left today for this account and scope.
    pub account_remaining: Option<u64>,
    /// Seconds until the tightest limit resets.
    pub reset_secs: Option<u64>,
}

/// The base URL, the client, and tally's clock.
pub struct Api {
    pub url: String,
    pub http: Client,
    pub now: DateTime<Utc>,
}

impl Api {
    /// Make sure `auth` holds an access token good for a while; `force`: the server refused the
    /// current one. Returns whether the tokens changed (the caller persists them).
    pub fn fresh(&self, auth: &mut Auth, force: bool) -> Result<bool> {
        let soon = self.now + chrono::Duration::seconds(MARGIN_SECS);
        if let Some(t) = &auth.tokens
            && !force
            && t.access_expires_at > soon
        {
            return Ok(false);
        }
        if let Some(t) = auth.tokens.clone()
            && t.refresh_expires_at > soon
        {
            let (status, text, _) = self.post_token(TOKEN_REFRESH, &json!({"refresh": t.refresh}))?;
            if status == 200 {
                let answer: TokenAnswer = parse(TOKEN_REFRESH, &text)?;
                let expires = self.now + chrono::Duration::seconds(answer.access_expires.unwrap_or(86_400));
                auth.tokens = Some(Tokens { access: answer.access, access_expires_at: expires, ..t });
                return Ok(true);
            }
            if status != 401 {
                return Err(error_for(status, &text, None, auth));
            }
            tracing::debug!("GoCardless refused the refresh token; asking for a new pair");
        }
        let body = json!({"secret_id": auth.secret_id, "secret_key": auth.secret_key});
        let (status, text, _) = self.post_token(TOKEN_NEW, &body)?;
        if status != 200 {
            if status == 401 {
                return Err(UserError::failure(format!(
                    "GoCardless refused the secret id and key ({})",
                    describe(&text, auth)
                ))
                .hint(KEYS_HINT)
                .into());
            }
            return Err(error_for(status, &text, None, auth));
        }
        let answer: TokenAnswer = parse(TOKEN_NEW, &text)?;
        let refresh = answer.refresh.ok_or_else(|| ProviderError::Malformed(format!("{TOKEN_NEW}: no refresh")))?;
        auth.tokens = Some(Tokens {
            access: answer.access,
            access_expires_at: self.now + chrono::Duration::seconds(answer.access_expires.unwrap_or(86_400)),
            refresh,
            refresh_expires_at: self.now + chrono::Duration::seconds(answer.refresh_expires.unwrap_or(2_592_000)),
        });
        Ok(true)
    }

    /// One authorized call: a fresh token first, one renewal if the server calls it invalid,
    /// bounded retries. `before` runs before every attempt (the quota ledger) and may stop it.
    /// Returns the JSON answer (`Null` for an empty one), the rate-limit headers, and whether
    /// the tokens in `auth` changed.
    pub fn call(
        &self,
        auth: &mut Auth,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
        before: &mut dyn FnMut() -> Result<()>,
    ) -> Result<(serde_json::Value, Limits, bool)> {
        let mut changed = self.fresh(auth, false)?;
        let mut renewed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            before()?;
            let bearer = auth.tokens.as_ref().map(|t| t.access.clone()).unwrap_or_default();
            let (status, text, limits) = match self.send_with(method, path, query, body, Some(&bearer)) {
                Ok(answer) => answer,
                Err(e) if attempt < TRIES && method == Method::Get => {
                    tracing::debug!(path, "cannot reach GoCardless; backing off: {e:#}");
                    std::thread::sleep(backoff(attempt));
                    continue;
                }
                Err(e) => return Err(e),
            };
            match status {
                200..=299 => {
                    let value = if text.trim().is_empty() { serde_json::Value::Null } else { parse(path, &text)? };
                    return Ok((value, limits, changed));
                }
                401 if !renewed && invalid_token(&text) => {
                    renewed = true;
                    changed |= self.fresh(auth, true)?;
                }
                429 => match limits.reset_secs {
                    Some(s) if s <= MAX_WAIT_SECS && attempt < TRIES => {
                        tracing::debug!(path, s, "rate limited; waiting as asked");
                        std::thread::sleep(Duration::from_secs(s));
                    }
                    wait => return Err(error_for(status, &text, wait, auth)),
                },
                500.. if attempt < TRIES && method == Method::Get => std::thread::sleep(backoff(attempt)),
                _ => return Err(error_for(status, &text, limits.reset_secs, auth)),
            }
        }
    }

    /// POST to a token endpoint, without a bearer token as the live API wants it. The spec
    /// puts its global `jwtAuth` on these too, so a server generated from it (a validating
    /// mock) may refuse that with a 401 that is not GoCardless' own `ErrorResponse`; only then
    /// the request goes once more with a placeholder bearer (never a credential), which such a
    /// server accepts. The live API never sees it: a placeholder there would be refused.
    fn post_token(&self, path: &str, body: &serde_json::Value) -> Result<(u16, String, Limits)> {
        let answer = self.send_with(Method::Post, path, &[], Some(body), None)?;
        let theirs = serde_json::from_str::<serde_json::Value>(&answer.1).is_ok_and(|v| v.get("summary").is_some());
        if answer.0 != 401 || theirs {
            return Ok(answer);
        }
        tracing::debug!(path, "the server wants a bearer token even here; sending a placeholder");
        self.send_with(Method::Post, path, &[], Some(body), Some("no-token-yet"))
    }

    fn send_with(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
        bearer: Option<&str>,
    ) -> Result<(u16, String, Limits)> {
        let url = format!("{}{path}", self.url);
        let mut request = match method {
            Method::Get => self.http.get(&url),
            Method::Post => self.http.post(&url),
            Method::Delete => self.http.delete(&url),
        }
        .header("Accept", "application/json");
        if !query.is_empty() {
            request = request.query(query);
        }
        if let Some(b) = bearer {
            request = request.bearer_auth(b);
        }
        if let Some(b) = body {
            request = request.json(b);
        }
        let response = request.send().map_err(|e| http::unreachable(&url, e, UNREACHABLE_HINT))?;
        let status = response.status().as_u16();
        let limits = limits(&response);
        let text = response.text().map_err(|e| http::unreachable(&url, e, UNREACHABLE_HINT))?;
        Ok((status, text, limits))
    }
}

/// A header under any of the names GoCardless has used for it.
fn header_number(response: &Response, names: &[&str]) -> Option<u64> {
    names.iter().find_map(|n| {
        response.headers().get(*n).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok())
    })
}

fn limits(response: &Response) -> Limits {
    let account_remaining = header_number(
        response,
        &["x-ratelimit-account-success-remaining", "http_x_ratelimit_account_success_remaining"],
    );
    // `Retry-After` first; else the reset of the limit that is used up (the account's, when
    // it is the one at zero).
    let account_reset =
        header_number(response, &["x-ratelimit-account-success-reset", "http_x_ratelimit_account_success_reset"]);
    let reset = header_number(response, &["x-ratelimit-reset", "http_x_ratelimit_reset"]);
    let reset_secs = header_number(response, &["retry-after"])
        .or(if account_remaining == Some(0) { account_reset } else { None })
        .or(reset)
        .or(account_reset);
    Limits { account_remaining, reset_secs }
}

fn parse<T: serde::de::DeserializeOwned>(path: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| ProviderError::Malformed(format!("GoCardless {path}: {e}")).into())
}

/// 250 ms, 500 ms…
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250u64 << (attempt - 1).min(4))
}

/// The documented `ErrorResponse`; `type` names the account errors.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    summary: Option<String>,
    detail: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

fn invalid_token(text: &str) -> bool {
    let e: ErrorBody = serde_json::from_str(text).unwrap_or_default();
    e.kind.is_none()
        && (e.summary.as_deref() == Some("Invalid token")
            || e.detail.as_deref().is_some_and(|d| d.contains("Token is invalid or expired")))
}

/// What an error body says, in one line: `summary (detail)`, or each field's summary for the
/// field errors (`{"institution_id": {"summary": …}}`). Never more than 300 characters, no
/// control characters, and never a secret the server might echo.
pub fn describe(text: &str, auth: &Auth) -> String {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
    let one = |v: &serde_json::Value| {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        match (s("summary"), s("detail")) {
            (Some(a), Some(b)) if a != b => Some(format!("{a} ({b})")),
            (Some(a), _) | (None, Some(a)) => Some(a),
            _ => None,
        }
    };
    // `AccountStateError` answers with the account itself: say its state, not its number.
    let state = || {
        let status = value.get("status").and_then(|s| s.as_str())?;
        value.get("iban").map(|_| format!("the account's state is {status}"))
    };
    let said = one(&value).or_else(state).or_else(|| {
        let fields = value.as_object()?;
        let parts: Vec<String> = fields
            .iter()
            .filter(|(k, _)| *k != "status_code")
            .map(|(k, v)| {
                let inner: Vec<String> = match v {
                    serde_json::Value::Array(items) => {
                        items.iter().map(|i| one(i).unwrap_or_else(|| i.as_str().unwrap_or("").to_string())).collect()
                    }
                    other => vec![one(other).unwrap_or_else(|| other.to_string())],
                };
                format!("{k}: {}", inner.join("; "))
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    });
    let mut said = said.unwrap_or_else(|| if text.trim().is_empty() { "no details".into() } else { text.into() });
    let mut secrets = vec![auth.secret_key.as_str(), auth.secret_id.as_str()];
    if let Some(t) = &auth.tokens {
        secrets.extend([t.access.as_str(), t.refresh.as_str()]);
    }
    for s in secrets.into_iter().filter(|s| s.len() >= 4) {
        said = said.replace(s, "***");
    }
    let clean: String = said.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    clean.trim().chars().take(300).collect()
}

/// One clear error per documented failure.
pub fn error_for(status: u16, text: &str, retry_after: Option<u64>, auth: &Auth) -> anyhow::Error {
    let e: ErrorBody = serde_json::from_str(text).unwrap_or_default();
    let said = format!("GoCardless: {}", describe(text, auth));
    let kind = e.kind.as_deref().unwrap_or("");
    let summary = e.summary.as_deref().unwrap_or("");
    let detail = e.detail.as_deref().unwrap_or("");
    let eua = summary.contains("End User Agreement") || detail.contains("EUA");
    match status {
        429 => anyhow::Error::new(ProviderError::RateLimited { retry_after }).context(said),
        // The access ended (expired or revoked at the bank), or GoCardless suspended the
        // requisition after repeated errors: a new agreement and requisition are needed.
        401 if matches!(kind, "AccessExpiredError" | "AccountInactiveError") => ProviderError::NeedsRelink(said).into(),
        403 if eua || kind == "AccountAccessForbidden" => ProviderError::NeedsRelink(said).into(),
        409 if summary.contains("suspended") => ProviderError::NeedsRelink(said).into(),
        _ if eua && detail.contains("expired") => ProviderError::NeedsRelink(said).into(),
        401 => UserError::failure(format!("GoCardless refused tally's access token ({said})")).hint(KEYS_HINT).into(),
        403 if summary.contains("IP address") => UserError::failure(said)
            .hint("this machine's IP address is not on your GoCardless allow list: add it in the GoCardless portal")
            .into(),
        402 => UserError::failure(said)
            .hint("your GoCardless plan's free limit (50 new connections a month) is used up: try again next month")
            .into(),
        500.. => UserError::new(Exit::TempFail, said)
            .hint("the bank or GoCardless is having trouble; sync again later")
            .into(),
        _ => ProviderError::Upstream { status, message: said }.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> Auth {
        Auth { secret_id: "id-1234".into(), secret_key: "key-s3cret".into(), tokens: None }
    }

    fn body(summary: &str, detail: &str, kind: Option<&str>, status: u16) -> String {
        let mut v = json!({"summary": summary, "detail": detail, "status_code": status});
        if let Some(k) = kind {
            v["type"] = json!(k);
        }
        v.to_string()
    }

    #[test]
    fn documented_errors_become_distinct_kinds() {
        let relink = |status, text: String| crate::sync::needs_relink(&error_for(status, &text, None, &auth()));
        let expired = "Access has expired or it has been revoked. To restore access reconnect the account.";
        assert!(relink(401, body("Couldn't update account balances", expired, Some("AccessExpiredError"), 401)));
        let no_eua = "Account exists but there is no valid End User Agreement permitting you to access it";
        assert!(relink(403, body("No valid End User Agreement", no_eua, None, 403)));
        let suspended = "This account or its requisition was suspended due to numerous errors";
        assert!(relink(409, body("Account suspended", suspended, None, 409)));
        assert!(!relink(503, body("Couldn't update account balances", "Institution service unavailable", None, 503)));
        let e = error_for(
            429,
            &body("Rate limit exceeded", "Daily request limit", Some("RateLimitError"), 429),
            Some(3600),
            &auth(),
        );
        assert!(e.chain().any(|c| matches!(
            c.downcast_ref::<ProviderError>(),
            Some(ProviderError::RateLimited { retry_after: Some(3600) })
        )));
        let e = error_for(503, &body("Couldn't update", "Couldn't connect to Institution", None, 503), None, &auth());
        assert_eq!(crate::error::user_error(&e).unwrap().exit, Exit::TempFail);
        let e = error_for(402, &body("Payment Required", "Free usage limit exceeded", None, 402), None, &auth());
        assert!(crate::error::user_error(&e).unwrap().hint.as_deref().unwrap().contains("50 new connections"));
    }

    #[test]
    fn field_errors_are_described_and_secrets_are_never_echoed() {
        let text = json!({"max_historical_days": [{"summary": "Incorrect max_historical_days",
            "detail": "must be > 0"}], "status_code": 400})
        .to_string();
        assert_eq!(describe(&text, &auth()), "max_historical_days: Incorrect max_historical_days (must be > 0)");
        let echo = body("Authentication failed", "No account for key-s3cret", None, 401);
        assert!(!describe(&echo, &auth()).contains("key-s3cret"));
        assert!(invalid_token(&body("Invalid token", "Token is invalid or expired", None, 401)));
        let account = json!({"id": "3fa85f64", "iban": "DE89370400440532013000", "status": "ERROR"}).to_string();
        assert_eq!(describe(&account, &auth()), "the account's state is ERROR");
        let expired = body("Couldn't update", "Access has expired", Some("AccessExpiredError"), 401);
        assert!(!invalid_token(&expired));
    }
}
