//! Talking to the Enable Banking API: the application's RS256 JWT (signed with jsonwebtoken,
//! `kid` = application id, `iss` "enablebanking.com", `aud` "api.enablebanking.com"), one
//! request with bounded retries for reads, and the documented error body (`ErrorResponse`:
//! `message`, `code`, `error`, `detail`) turned into the error kinds sync branches on.

use std::sync::Mutex;

use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::super::{ProviderError, retry};
use crate::error::UserError;
use crate::secrets::SecretString;

/// The application's credentials: its id and RSA private key (PEM).
#[derive(Clone)]
pub struct App {
    pub id: String,
    pub key: SecretString,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("id", &self.id).finish_non_exhaustive()
    }
}

/// How long a signed JWT is valid; the official samples use an hour.
const JWT_SECS: i64 = 3600;

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

impl App {
    /// The app JWT as of `now`.
    pub fn jwt(&self, now: DateTime<Utc>) -> Result<String> {
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(self.key.expose().as_bytes()).map_err(|_| {
            // Never echo the key: say what it should be.
            UserError::usage("the Enable Banking application key is not an RSA private key in PEM form")
                .hint("use the .pem file Enable Banking gave you when you registered the application")
        })?;
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(self.id.clone());
        let iat = now.timestamp();
        let claims = Claims { iss: "enablebanking.com", aud: "api.enablebanking.com", iat, exp: iat + JWT_SECS };
        jsonwebtoken::encode(&header, &claims, &key).context("cannot sign the Enable Banking application token")
    }
}

/// The HTTP side: base URL, client, and the JWT of the last app used (RSA signing is slow
/// enough not to redo it for every call of one command).
pub struct Api {
    pub url: String,
    pub http: reqwest::blocking::Client,
    pub now: DateTime<Utc>,
    signed: Mutex<Option<(String, String)>>,
    /// The PSU-present headers sent with every read, when a person runs the command.
    psu: Vec<(&'static str, String)>,
}

pub const UNREACHABLE_HINT: &str =
    "check your connection; for a test server set TALLY_ENABLEBANKING_URL or [providers.enablebanking] url";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Api {
    pub fn new(url: String, http: reqwest::blocking::Client, now: DateTime<Utc>) -> Api {
        Api { url, http, now, signed: Mutex::new(None), psu: Vec::new() }
    }

    /// Mark every read as made with the user present (PSD2): `Psu-Ip-Address`, the address
    /// this machine reaches the API from, and `Psu-User-Agent`, tally and its version.
    pub fn user_present(mut self) -> Api {
        if let Some(ip) = local_ip_towards(&self.url) {
            self.psu.push(("Psu-Ip-Address", ip.to_string()));
        }
        self.psu.push(("Psu-User-Agent", format!("tally/{}", env!("CARGO_PKG_VERSION"))));
        self
    }

    /// Whether reads carry the PSU-present headers.
    pub fn is_user_present(&self) -> bool {
        !self.psu.is_empty()
    }

    fn bearer(&self, app: &App) -> Result<String> {
        let mut signed = self.signed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((id, jwt)) = signed.as_ref()
            && *id == app.id
        {
            return Ok(jwt.clone());
        }
        let jwt = app.jwt(self.now)?;
        *signed = Some((app.id.clone(), jwt.clone()));
        Ok(jwt)
    }

    /// Send one request and read its JSON answer. Reads (GET) are retried on 429 and 5xx as
    /// `retry::send` does; POST and DELETE are sent once (an authorization code is single-use).
    /// `before` runs before each attempt (the quota ledger).
    pub fn call(
        &self,
        app: &App,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
        before: &mut dyn FnMut() -> Result<()>,
    ) -> Result<serde_json::Value> {
        let url = format!("{}{path}", self.url);
        let bearer = self.bearer(app)?;
        let make = || {
            let request = match method {
                Method::Get => self.http.get(&url),
                Method::Post => self.http.post(&url),
                Method::Delete => self.http.delete(&url),
            };
            let mut request = request.bearer_auth(&bearer).query(query);
            if method == Method::Get {
                for (name, value) in &self.psu {
                    request = request.header(*name, value);
                }
            }
            match body {
                Some(b) => request.json(b),
                None => request,
            }
        };
        let response = if method == Method::Get {
            retry::send(make, &url, UNREACHABLE_HINT, before)?
        } else {
            before()?;
            make().send().map_err(|e| super::super::http::unreachable(&url, e, UNREACHABLE_HINT))?
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let text = response.text().with_context(|| format!("cannot read the answer from {url}"))?;
        if (200..300).contains(&status) {
            if text.trim().is_empty() {
                return Ok(serde_json::Value::Null);
            }
            return serde_json::from_str(&text).map_err(|e| ProviderError::Malformed(format!("{path}: {e}")).into());
        }
        Err(error_for(status, &text, retry_after))
    }
}

/// The local address of the route to `url`'s host: a UDP socket "connected" there sends
/// nothing, it only picks the interface. `None` when there is no route (or no host).
fn local_ip_towards(url: &str) -> Option<std::net::IpAddr> {
    let parsed = url::Url::parse(url).ok()?;
    let port = parsed.port_or_known_default()?;
    let target =
        std::net::ToSocketAddrs::to_socket_addrs(&(parsed.host_str()?.trim_matches(['[', ']']), port)).ok()?.next()?;
    let any = if target.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
    let socket = std::net::UdpSocket::bind(any).ok()?;
    socket.connect(target).ok()?;
    Some(socket.local_addr().ok()?.ip())
}

/// The documented error body.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// One clear error per documented failure.
pub fn error_for(status: u16, body: &str, retry_after: Option<u64>) -> anyhow::Error {
    let e: ErrorBody = serde_json::from_str(body).unwrap_or_default();
    let code = e.error.as_deref().unwrap_or("");
    let message = e.message.clone().unwrap_or_else(|| "no error details".into());
    let detail = if code.is_empty() { message.clone() } else { format!("{code}: {message}") };
    match code {
        "EXPIRED_SESSION"
        | "CLOSED_SESSION"
        | "REVOKED_SESSION"
        | "SESSION_DOES_NOT_EXIST"
        | "WRONG_SESSION_STATUS"
        | "ASPSP_PSU_ACTION_REQUIRED" => ProviderError::NeedsRelink(detail).into(),
        "ASPSP_RATE_LIMIT_EXCEEDED" => ProviderError::RateLimited { retry_after }.into(),
        // The bank behind Enable Banking is down or slow: a temporary failure, like a 5xx.
        "ASPSP_ERROR" | "ASPSP_TIMEOUT" => ProviderError::Upstream {
            status: 503,
            message: format!("the bank is not answering through Enable Banking ({detail})"),
        }
        .into(),
        "UNAUTHORIZED_ACCESS" | "AUTHORIZATION_NOT_PROVIDED" | "UNAUTHORIZED_IP" => bad_credentials(&detail),
        "REDIRECT_URI_NOT_ALLOWED" => UserError::usage(format!("Enable Banking refused the redirect URL ({detail})"))
            .hint("set [providers.enablebanking] redirect_url to one registered with the application")
            .into(),
        "EXPIRED_AUTHORIZATION_CODE" | "WRONG_AUTHORIZATION_CODE" | "ALREADY_AUTHORIZED" => {
            UserError::failure(format!("Enable Banking did not accept the bank's answer ({detail})"))
                .hint("run `tally link enablebanking` again and paste the address right after consenting")
                .into()
        }
        _ => match status {
            429 => ProviderError::RateLimited { retry_after }.into(),
            401 | 403 => bad_credentials(&detail),
            _ => ProviderError::Upstream { status, message: detail }.into(),
        },
    }
}

fn bad_credentials(detail: &str) -> anyhow::Error {
    UserError::failure(format!("Enable Banking refused the application's credentials ({detail})"))
        .hint(
            "check that [providers.enablebanking] app_id and key_file belong to one application \
             (https://enablebanking.com/cp/applications); after fixing them, `tally link --relink NAME`",
        )
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Exit, user_error};

    fn provider_error(e: &anyhow::Error) -> Option<&ProviderError> {
        e.downcast_ref::<ProviderError>()
    }

    #[test]
    fn documented_errors_become_distinct_kinds() {
        let body = |code: &str| format!(r#"{{"message":"m","code":422,"error":"{code}"}}"#);
        for code in ["EXPIRED_SESSION", "REVOKED_SESSION", "CLOSED_SESSION"] {
            let e = error_for(401, &body(code), None);
            assert!(matches!(provider_error(&e), Some(ProviderError::NeedsRelink(d)) if d.contains(code)), "{e:#}");
        }
        let e = error_for(429, &body("ASPSP_RATE_LIMIT_EXCEEDED"), Some(60));
        assert!(matches!(provider_error(&e), Some(ProviderError::RateLimited { retry_after: Some(60) })));
        let e = error_for(408, &body("ASPSP_TIMEOUT"), None);
        assert!(matches!(provider_error(&e), Some(ProviderError::Upstream { status: 503, .. })));
        let e = error_for(401, &body("UNAUTHORIZED_ACCESS"), None);
        assert!(format!("{e:#}").contains("refused the application's credentials"), "{e:#}");
        assert_eq!(user_error(&e).unwrap().exit, Exit::Failure);
        let e = error_for(422, &body("WRONG_TRANSACTIONS_PERIOD"), None);
        assert!(matches!(provider_error(&e), Some(ProviderError::Upstream { status: 422, .. })));
        let e = error_for(500, "not json", None);
        assert!(matches!(provider_error(&e), Some(ProviderError::Upstream { status: 500, .. })));
    }

    #[test]
    fn the_app_jwt_is_rs256_with_the_documented_header_and_claims() {
        let key = include_str!("../../../tests/fixtures/enablebanking/TEST-ONLY-app-key.pem");
        let public = include_str!("../../../tests/fixtures/enablebanking/TEST-ONLY-app-key.pub.pem");
        let now = crate::config::parse_now("2026-11-23T12:00:00Z").unwrap();
        let jwt = App { id: "app-1".into(), key: SecretString::new(key) }.jwt(now).unwrap();
        let header = jsonwebtoken::decode_header(&jwt).unwrap();
        assert_eq!((header.alg, header.kid.as_deref()), (jsonwebtoken::Algorithm::RS256, Some("app-1")));
        let mut check = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        check.validate_exp = false;
        check.set_audience(&["api.enablebanking.com"]);
        check.set_issuer(&["enablebanking.com"]);
        let decoding = jsonwebtoken::DecodingKey::from_rsa_pem(public.as_bytes()).unwrap();
        let claims = jsonwebtoken::decode::<serde_json::Value>(&jwt, &decoding, &check).unwrap().claims;
        assert_eq!(
            (claims["iat"].as_i64(), claims["exp"].as_i64()),
            (Some(now.timestamp()), Some(now.timestamp() + 3600))
        );
    }

    #[test]
    fn a_key_that_is_not_pem_is_refused_without_being_echoed() {
        let app = App { id: "app".into(), key: SecretString::new("s3cret-not-a-key") };
        let e = app.jwt(Utc::now()).unwrap_err();
        assert!(!format!("{e:#}").contains("s3cret"), "{e:#}");
        assert_eq!(user_error(&e).unwrap().exit, Exit::Usage);
    }
}
