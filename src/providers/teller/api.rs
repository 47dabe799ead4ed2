//! Teller over HTTP: mutual TLS with the application's client certificate (from the user's
//! `teller.zip`), HTTP Basic with the enrollment's access token as the user name and an empty
//! password, and `Teller-Version` pinned. A failed call carries `{"error": {"code",
//! "message"}}`; [`refusal`] turns it into one message with its exit code and a hint.

use std::sync::Mutex;

use anyhow::Result;
use reqwest::blocking::{Client, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::wire::sanitize;
use crate::error::{Exit, UserError};
use crate::providers::{HttpOptions, ProviderError, http, retry};
use crate::secrets::SecretString;

/// The API version this client was built against (Teller's latest dated version).
pub const VERSION: &str = "2020-10-12";
const UNREACHABLE_HINT: &str = "check your connection; Teller's status: https://status.teller.io";
const CERT_HINT: &str = "give tally the certificate.pem and private_key.pem from your teller.zip (a new pair \
     from the Certificates page of the Teller dashboard if they were revoked): \
     `tally link --relink CONNECTION --cert certificate.pem --key private_key.pem`";

/// What a connection keeps in the secret store: the enrollment's access token and the
/// application's certificate and key, which every call needs (never in the database).
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Keys {
    pub access_token: String,
    #[serde(default)]
    pub enrollment_id: String,
    /// The application it was enrolled in (not secret), for a relink.
    #[serde(default)]
    pub application_id: String,
    /// The client certificate and its private key, PEM; empty in Teller's sandbox, which
    /// needs none.
    #[serde(default)]
    pub certificate: String,
    #[serde(default)]
    pub key: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("enrollment_id", &self.enrollment_id).finish_non_exhaustive()
    }
}

impl Keys {
    pub fn parse(secret: &SecretString) -> Result<Keys> {
        serde_json::from_str(secret.expose())
            .map_err(|_| ProviderError::NeedsRelink("the stored Teller enrollment is not readable".into()).into())
    }

    pub fn to_secret(&self) -> SecretString {
        SecretString::new(serde_json::to_string(self).expect("serializes"))
    }

    /// The certificate and key as one PEM, for the TLS client; `None` without a certificate.
    pub fn identity(&self) -> Option<SecretString> {
        (!self.certificate.is_empty()).then(|| SecretString::new(format!("{}\n{}\n", self.certificate, self.key)))
    }
}

/// Teller's base URL, and clients for it by the certificate they present.
pub struct Api {
    pub base: String,
    pub http: HttpOptions,
    client: Mutex<Option<([u8; 32], Client)>>,
}

impl Api {
    pub fn new(base: String, http: HttpOptions) -> Api {
        Api { base, http, client: Mutex::new(None) }
    }

    /// The client presenting `keys`' certificate, built once per certificate.
    pub fn client(&self, keys: &Keys) -> Result<Client> {
        let identity = keys.identity();
        let digest: [u8; 32] = Sha256::digest(identity.as_ref().map_or("", |i| i.expose())).into();
        let mut cached = self.client.lock().expect("not poisoned");
        if let Some((d, client)) = cached.as_ref()
            && *d == digest
        {
            return Ok(client.clone());
        }
        let options = match identity {
            Some(pem) => self.http.clone().with_identity(pem),
            None => self.http.clone(),
        };
        let client = options.client().map_err(|e| {
            e.context(UserError::usage("the Teller certificate and key cannot be used").hint(CERT_HINT))
        })?;
        *cached = Some((digest, client.clone()));
        Ok(client)
    }

    fn request(&self, client: &Client, method: reqwest::Method, url: &str, keys: &Keys) -> RequestBuilder {
        client
            .request(method, url)
            .basic_auth(&keys.access_token, Some(""))
            .header("Teller-Version", VERSION)
            .header("Accept", "application/json")
    }

    /// GET `path` (retried on a time-out, a 429 or a 5xx: Teller's first transactions call can
    /// time out on a large account); `before` runs before every attempt (the quota ledger).
    pub fn get<T: DeserializeOwned>(
        &self,
        keys: &Keys,
        path: &str,
        before: &mut dyn FnMut() -> Result<()>,
    ) -> Result<T> {
        let client = self.client(keys)?;
        let url = format!("{}{path}", self.base);
        let sent =
            retry::send(|| self.request(&client, reqwest::Method::GET, &url, keys), &url, UNREACHABLE_HINT, before);
        let response = sent.map_err(|e| tls_refusal(e, &self.base))?;
        let status = response.status().as_u16();
        let text =
            response.text().map_err(|e| tls_refusal(http::unreachable(&url, e, UNREACHABLE_HINT), &self.base))?;
        let text = redact(text, keys);
        if status == 200 {
            return serde_json::from_str(&text)
                .map_err(|e| ProviderError::Malformed(format!("Teller {path}: {e}")).into());
        }
        Err(refusal(status, &text, path))
    }

    /// DELETE `path`; a resource already gone (404, 410) is what was wanted.
    pub fn delete(&self, keys: &Keys, path: &str) -> Result<()> {
        let client = self.client(keys)?;
        let url = format!("{}{path}", self.base);
        let response = self
            .request(&client, reqwest::Method::DELETE, &url, keys)
            .send()
            .map_err(|e| tls_refusal(http::unreachable(&url, e, UNREACHABLE_HINT), &self.base))?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) || status == 404 || status == 410 {
            return Ok(());
        }
        let text = redact(response.text().unwrap_or_default(), keys);
        Err(refusal(status, &text, path))
    }
}

/// A server that echoes the token must not make us print it.
fn redact(text: String, keys: &Keys) -> String {
    if keys.access_token.is_empty() { text } else { text.replace(&keys.access_token, "***") }
}

/// Teller's error object.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error: ErrorObject,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorObject {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// What an error answer means to the user: its exit code, message and hint.
pub fn refusal(status: u16, body: &str, path: &str) -> anyhow::Error {
    let e = serde_json::from_str::<ErrorBody>(body).unwrap_or_default().error;
    let (code, said) = (sanitize(&e.code), sanitize(&e.message));
    let text = if code.is_empty() {
        format!("Teller answered {status} to {path}: {}", sanitize(body))
    } else {
        format!("Teller answered {status} to {path}: {code} ({said})")
    };
    if let Some(reason) = code.strip_prefix("enrollment.disconnected") {
        let why = match reason.trim_start_matches('.') {
            "user_action.mfa_required" => "the bank asks for a one-time code (MFA) again",
            "credentials_invalid" => "the bank no longer accepts the saved sign-in (a changed password?)",
            "account_locked" => "the bank locked the account: call the bank before you link again",
            "enrollment_inactive" => "the enrollment was inactive too long",
            "user_action.web_login_required" => {
                "the bank wants you to sign in on its website once (a notice to accept)"
            }
            "user_action.captcha_required" => "the bank asks for a CAPTCHA",
            "user_action.contact_information_required" => "the bank wants your contact details confirmed",
            "user_action.insufficient_permissions" => "the bank login lacks permission for this data",
            _ => "the bank disconnected the enrollment",
        };
        return ProviderError::NeedsRelink(format!("{text}; {why}: reconnect it in Teller Connect")).into();
    }
    match status {
        400 if code == "bad_request" && said.to_ascii_lowercase().contains("certificate") => {
            UserError::failure(format!("Teller refused the call without a client certificate ({said})"))
                .hint(CERT_HINT)
                .into()
        }
        // 401: no token; 403: an invalid or revoked token (the user disconnected tally).
        401 | 403 => ProviderError::NeedsRelink(format!("{text}; the access token is not valid any more")).into(),
        // About that account alone (`one_account_only` sees the `Upstream` under the message).
        410 => anyhow::Error::new(ProviderError::Upstream { status, message: format!("{path}: {code} ({said})") })
            .context(
                UserError::failure(format!("{text}; the account was closed at the bank"))
                    .hint("Teller cannot read a closed account; its rows stay in tally"),
            ),
        429 => anyhow::Error::new(ProviderError::RateLimited { retry_after: None }).context(text),
        500.. => UserError::new(Exit::TempFail, text)
            .hint("Teller or the bank is having trouble; sync again later (https://status.teller.io)")
            .into(),
        _ => ProviderError::Upstream {
            status,
            message: format!("{path}: {}", if code.is_empty() { sanitize(body) } else { format!("{code} ({said})") }),
        }
        .into(),
    }
}

/// A call that failed in the TLS handshake gets a message that says what to do: Teller refused
/// tally's certificate, or tally could not verify Teller's.
fn tls_refusal(e: anyhow::Error, base: &str) -> anyhow::Error {
    // An `io::Error` hides the error it wraps from `source()`: look inside it too.
    let tls = e.chain().find_map(|c| {
        c.downcast_ref::<rustls::Error>().or_else(|| c.downcast_ref::<std::io::Error>()?.get_ref()?.downcast_ref())
    });
    let Some(tls) = tls else { return e };
    let (message, hint) = match tls {
        rustls::Error::InvalidCertificate(why) => (
            format!("cannot verify the certificate of {base} ({why:?})"),
            "set [providers.teller] ca_file (TALLY_TELLER_CA_FILE) only if you reach Teller through a proxy with its own CA",
        ),
        other => (format!("Teller refused tally's client certificate ({other})"), CERT_HINT),
    };
    UserError::new(Exit::Failure, message).hint(hint).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_documented_error_has_its_exit_code() {
        let disconnected = r#"{"error":{"code":"enrollment.disconnected.user_action.mfa_required","message":"Enrollment is not healthy"}}"#;
        let e = refusal(403, disconnected, "/accounts");
        assert!(crate::sync::needs_relink(&e));
        assert!(e.to_string().contains("one-time code (MFA)"), "{e}");
        assert!(crate::sync::needs_relink(&refusal(403, r#"{"error":{"code":"forbidden","message":"x"}}"#, "/a")));
        let e = refusal(429, "{}", "/accounts");
        assert!(e.chain().any(|c| matches!(c.downcast_ref(), Some(ProviderError::RateLimited { .. }))));
        let e = refusal(
            400,
            r#"{"error":{"code":"bad_request","message":"Missing certificate: Retry request using your Teller client certificate."}}"#,
            "/accounts",
        );
        let user = crate::error::user_error(&e).unwrap();
        assert!(
            user.message.contains("without a client certificate") && user.hint.as_deref().unwrap().contains("--cert")
        );
        let e = refusal(502, r#"{"error":{"code":"bad_gateway","message":"bank down"}}"#, "/accounts");
        assert_eq!(crate::error::user_error(&e).unwrap().exit, Exit::TempFail);
    }

    #[test]
    fn the_secret_round_trips_and_its_identity_joins_certificate_and_key() {
        let keys = Keys {
            access_token: "tok".into(),
            enrollment_id: "enr_1".into(),
            application_id: "app_1".into(),
            certificate: "C".into(),
            key: "K".into(),
        };
        let back = Keys::parse(&keys.to_secret()).unwrap();
        assert_eq!((back.identity().unwrap().expose(), back.application_id.as_str()), ("C\nK\n", "app_1"));
        assert!(Keys { certificate: String::new(), ..back }.identity().is_none());
        assert!(crate::sync::needs_relink(&Keys::parse(&SecretString::new("not json")).unwrap_err()));
    }
}
