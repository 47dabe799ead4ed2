//! Plaid over HTTP: every call is a JSON POST with the credentials in the `PLAID-CLIENT-ID`
//! and `PLAID-SECRET` headers and the API version pinned in `Plaid-Version`. A non-200 answer
//! carries a `PlaidError`, which becomes one message with its exit code and a hint: the
//! Item needs the user (77), try again later (75), or a failure.

use anyhow::Result;
use reqwest::blocking::Client;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::wire::{PlaidError, sanitize};
use crate::error::{Exit, UserError};
use crate::providers::{ProviderError, http, retry};
use crate::secrets::SecretString;

/// The API version this client speaks (the spec it was built from).
pub const VERSION: &str = "2020-09-14";
const UNREACHABLE_HINT: &str = "check your connection; Plaid's status: https://status.plaid.com";

/// What a connection keeps in the secret store: the developer credentials it was linked with
/// and the Item's access token (which does not expire; `/item/remove` ends it).
#[derive(Clone, Serialize, Deserialize)]
pub struct Keys {
    pub client_id: String,
    pub secret: String,
    #[serde(default)]
    pub access_token: String,
    #[serde(default)]
    pub item_id: String,
}

impl Keys {
    pub fn parse(secret: &SecretString) -> Result<Keys> {
        serde_json::from_str(secret.expose())
            .map_err(|_| ProviderError::NeedsRelink("the stored Plaid credentials are not readable".into()).into())
    }

    pub fn to_secret(&self) -> SecretString {
        SecretString::new(serde_json::to_string(self).expect("serializes"))
    }
}

/// A call that Plaid answered with an error.
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    pub error: PlaidError,
}

/// Plaid's base URL and the client to reach it.
pub struct Api {
    pub base: String,
    pub http: Client,
}

impl Api {
    /// POST `body` to `path`; `Ok(Err(refusal))` when Plaid answers with an error object.
    /// `retry`: the call reads only, so a 429 or 5xx may be sent again.
    pub fn call<T: DeserializeOwned>(
        &self,
        keys: &Keys,
        path: &str,
        body: &serde_json::Value,
        retry: bool,
        before: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Result<T, Refusal>> {
        let url = format!("{}{path}", self.base);
        let make = || {
            self.http
                .post(&url)
                .header("PLAID-CLIENT-ID", &keys.client_id)
                .header("PLAID-SECRET", &keys.secret)
                .header("Plaid-Version", VERSION)
                .json(body)
        };
        let response = if retry {
            retry::send(make, &url, UNREACHABLE_HINT, before)?
        } else {
            before()?;
            make().send().map_err(|e| http::unreachable(&url, e, UNREACHABLE_HINT))?
        };
        let status = response.status().as_u16();
        let text = response.text().map_err(|e| http::unreachable(&url, e, UNREACHABLE_HINT))?;
        // A server that echoes the credentials must not make us print them.
        let text = [&keys.secret, &keys.access_token]
            .into_iter()
            .filter(|s| !s.is_empty())
            .fold(text, |text, s| text.replace(s.as_str(), "***"));
        if status == 200 {
            return serde_json::from_str(&text)
                .map(Ok)
                .map_err(|e| ProviderError::Malformed(format!("Plaid {path}: {e}")).into());
        }
        match serde_json::from_str::<PlaidError>(&text) {
            Ok(error) if !error.error_code.is_empty() => Ok(Err(Refusal { status, error })),
            _ => Err(ProviderError::Upstream { status, message: format!("{path}: {}", sanitize(&text)) }.into()),
        }
    }
}

/// The error codes after which only the user can help, in Plaid Link's update mode.
const RELINK: &[&str] = &[
    "ITEM_LOGIN_REQUIRED",
    "PENDING_EXPIRATION",
    "PENDING_DISCONNECT",
    "ACCESS_NOT_GRANTED",
    "USER_PERMISSION_REVOKED",
    "ITEM_LOCKED",
    "ITEM_NOT_FOUND",
    "INVALID_ACCESS_TOKEN",
    "NO_ACCOUNTS",
    "INSUFFICIENT_CREDENTIALS",
    "INVALID_CREDENTIALS",
    "INVALID_MFA",
    "INVALID_UPDATED_USERNAME",
    "USER_SETUP_REQUIRED",
    "MFA_NOT_SUPPORTED",
];

/// The error codes that pass on their own.
const LATER: &[&str] = &[
    "INSTITUTION_DOWN",
    "INSTITUTION_NOT_RESPONDING",
    "INSTITUTION_NOT_AVAILABLE",
    "INSTITUTION_NO_LONGER_SUPPORTED",
    "PRODUCT_NOT_READY",
    "INTERNAL_SERVER_ERROR",
    "PLANNED_MAINTENANCE",
    "ITEM_PRODUCT_NOT_READY",
    // Still changing after tally's restarts: the next sync starts the pagination again.
    "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
];

impl Refusal {
    pub fn code(&self) -> &str {
        &self.error.error_code
    }

    /// What the refusal means to the user: its exit code, message and hint.
    pub fn into_error(self, what: &str) -> anyhow::Error {
        let e = &self.error;
        let code = sanitize(&e.error_code);
        let said = e.display_message.as_deref().filter(|m| !m.is_empty()).unwrap_or(&e.error_message);
        let said = sanitize(said);
        let request = e.request_id.as_deref().map(|r| format!(", request {}", sanitize(r))).unwrap_or_default();
        let text = format!("Plaid refused {what}: {code} ({said}{request})");
        if RELINK.contains(&code.as_str()) {
            // Sync's hint names the connection to relink; this says why.
            let why = match code.as_str() {
                "ITEM_LOGIN_REQUIRED" => "the bank wants you to sign in again",
                "PENDING_EXPIRATION" | "PENDING_DISCONNECT" => "the bank's consent is about to end",
                "ACCESS_NOT_GRANTED" => "the consent does not cover the data tally needs",
                "USER_PERMISSION_REVOKED" => "the access was revoked at the bank or at my.plaid.com",
                _ => "the bank needs you again",
            };
            return ProviderError::NeedsRelink(format!("{text}; {why}, in Plaid Link's update mode")).into();
        }
        if code == "RATE_LIMIT_EXCEEDED" || e.error_type == "RATE_LIMIT_EXCEEDED" {
            return anyhow::Error::new(ProviderError::RateLimited { retry_after: None }).context(text);
        }
        if LATER.contains(&code.as_str()) || e.error_type == "INSTITUTION_ERROR" || self.status >= 500 {
            return UserError::new(Exit::TempFail, text)
                .hint("the bank or Plaid is having trouble; sync again later (https://status.plaid.com)")
                .into();
        }
        let hint = match (e.error_type.as_str(), code.as_str()) {
            (_, "INVALID_API_KEYS") => {
                "the client_id or secret is wrong for this Plaid environment (sandbox or production): \
                 check them at https://dashboard.plaid.com/developers/keys and link again"
            }
            (_, "INVALID_PRODUCT" | "PRODUCTS_NOT_SUPPORTED" | "PRODUCT_NOT_ENABLED") => {
                "your Plaid account is not enabled for Transactions here: request access in the Plaid dashboard"
            }
            (_, "INVALID_LINK_TOKEN") => "the link session expired: run `tally link plaid` again",
            (_, "INVALID_PUBLIC_TOKEN") => "the public token expired (30 minutes): run `tally link plaid` again",
            ("INVALID_REQUEST" | "INVALID_INPUT", _) => "this is a bug in tally; please report it with `tally -v`",
            _ => "see https://plaid.com/docs/errors/ for this error code",
        };
        UserError::failure(text).hint(hint).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(code: &str, kind: &str, status: u16) -> anyhow::Error {
        let error = PlaidError {
            error_type: kind.into(),
            error_code: code.into(),
            error_message: "m".into(),
            display_message: None,
            request_id: Some("r1".into()),
        };
        Refusal { status, error }.into_error("the sync")
    }

    #[test]
    fn each_error_class_has_its_exit_code() {
        for code in ["ITEM_LOGIN_REQUIRED", "PENDING_EXPIRATION", "ACCESS_NOT_GRANTED"] {
            assert!(crate::sync::needs_relink(&refusal(code, "ITEM_ERROR", 400)), "{code}");
        }
        for code in ["INSTITUTION_DOWN", "INSTITUTION_NOT_RESPONDING"] {
            let e = refusal(code, "INSTITUTION_ERROR", 400);
            assert_eq!(crate::error::user_error(&e).unwrap().exit, Exit::TempFail, "{code}");
        }
        let e = refusal("RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED", 429);
        assert!(e.chain().any(|c| matches!(c.downcast_ref(), Some(ProviderError::RateLimited { .. }))));
        let e = refusal("INVALID_API_KEYS", "INVALID_INPUT", 400);
        let user = crate::error::user_error(&e).unwrap();
        assert_eq!(user.exit, Exit::Failure);
        assert!(user.hint.as_deref().unwrap().contains("dashboard.plaid.com"));
        assert!(user.message.contains("INVALID_API_KEYS") && user.message.contains("request r1"));
    }
}
