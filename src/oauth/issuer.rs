//! [`Issuer`]: everything an OAuth provider does with its tokens, so each provider keeps only
//! its wire format: discovery, the consent flow, refresh when expired, one refresh and retry
//! on a 401, rotation saved at once, `invalid_grant` (a revoked or replayed refresh token) as
//! [`ProviderError::NeedsRelink`], and revocation. Public and confidential clients alike.

use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};
use reqwest::blocking::Response;
use serde::Deserialize;

use super::{ClientConfig, Endpoints, Tokens, token};
use crate::consent::Conversation;
use crate::providers::{ProviderError, Session};

/// One OAuth issuer as one registered client sees it.
pub struct Issuer {
    http: reqwest::blocking::Client,
    url: String,
    client: ClientConfig,
    /// The provider's advice when the issuer cannot be reached.
    unreachable_hint: String,
    now: DateTime<Utc>,
    endpoints: OnceLock<Endpoints>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer").field("url", &self.url).field("client_id", &self.client.client_id).finish()
    }
}

impl Issuer {
    /// The issuer at `url` (its discovery document is read on first use).
    pub fn new(
        http: reqwest::blocking::Client,
        url: &str,
        client: ClientConfig,
        unreachable_hint: &str,
        now: DateTime<Utc>,
    ) -> Issuer {
        Issuer {
            http,
            url: url.to_string(),
            client,
            unreachable_hint: unreachable_hint.to_string(),
            now,
            endpoints: OnceLock::new(),
        }
    }

    /// An issuer whose endpoints are known without discovery (providers that publish none).
    pub fn with_endpoints(mut self, endpoints: Endpoints) -> Issuer {
        self.endpoints = OnceLock::from(endpoints);
        self
    }

    pub fn endpoints(&self) -> Result<&Endpoints> {
        if let Some(e) = self.endpoints.get() {
            return Ok(e);
        }
        let e = super::discover(&self.http, &self.url, &self.unreachable_hint)?;
        Ok(self.endpoints.get_or_init(|| e))
    }

    /// The consent flow (code + PKCE on the loopback redirect); the user speaks through
    /// `conversation`.
    pub fn authorize(&self, conversation: &mut dyn Conversation, timeout: Duration) -> Result<Tokens> {
        super::authorize(&self.http, self.endpoints()?, &self.client, (timeout, self.now), conversation)
    }

    /// New tokens for `old`, saved in `session` at once (the old refresh token is spent). A
    /// refused refresh token means the consent is gone: [`ProviderError::NeedsRelink`].
    pub fn refresh(&self, session: &mut Session<'_>, old: &Tokens) -> Result<Tokens> {
        let endpoints = self.endpoints()?;
        let client = super::client(endpoints, &self.client)?;
        let mut fresh = token::refresh(&self.http, &client, old, self.now).map_err(|e| {
            match e.downcast_ref::<token::TokenError>() {
                Some(token::TokenError::Revoked(why)) => ProviderError::NeedsRelink(why.clone()).into(),
                _ => e,
            }
        })?;
        // OIDC Core §12.2: a refresh's ID token is checked as the link's was (signature, iss,
        // aud), and must name the same user; no nonce. One that fails ends the consent: the
        // new tokens are not kept (the bank has rotated, so the old refresh token is spent too).
        if let Some(id_token) = fresh.id_token.take()
            && self.client.scopes.split_whitespace().any(|s| s == "openid")
        {
            let expected = super::id_token::Expected {
                issuer: &endpoints.issuer,
                client_id: &self.client.client_id,
                nonce: None,
                subject: old.subject.as_deref(),
                now: self.now,
            };
            let subject = super::id_token::verify(&self.http, endpoints, &id_token, expected).map_err(|e| {
                ProviderError::NeedsRelink(format!("the ID token that came with refreshed tokens: {e:#}"))
            })?;
            // Links from before the subject was kept learn it from their first refresh.
            fresh.subject = fresh.subject.or(subject);
        }
        session.replace(fresh.to_secret())?;
        tracing::debug!("access token refreshed; the rotated refresh token is saved");
        Ok(fresh)
    }

    /// Send an API request with the session's access token: `send` builds and sends it given
    /// the bearer token (it may retry and charge the quota; it gets the session for that).
    /// Expired tokens are refreshed first; a 401 refreshes once and sends once more; a second
    /// 401 is [`ProviderError::NeedsRelink`]. Any other answer is the caller's to read.
    pub fn send<'a>(
        &self,
        session: &mut Session<'a>,
        mut send: impl FnMut(&mut Session<'a>, &str) -> Result<Response>,
    ) -> Result<Response> {
        let mut tokens = Tokens::from_secret(session.secret())?;
        if tokens.expired(self.now) {
            tokens = self.refresh(session, &tokens)?;
        }
        let response = send(session, &tokens.access_token)?;
        if response.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        tokens = self.refresh(session, &tokens)?;
        let response = send(session, &tokens.access_token)?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            let body = response.text().unwrap_or_default();
            return Err(ProviderError::NeedsRelink(error_detail(&body)).into());
        }
        Ok(response)
    }

    /// End the consent at the issuer (RFC 7009). An error means it may still be alive there.
    pub fn revoke(&self, session: &Session<'_>) -> Result<()> {
        let endpoint = self.endpoints()?.revocation_endpoint.as_deref();
        token::revoke(&self.http, endpoint, &self.client, &Tokens::from_secret(session.secret())?)
    }
}

/// The `error` and `error_description` of an OAuth-style error body, or a short note when there
/// is none.
pub fn error_detail(body: &str) -> String {
    #[derive(Deserialize)]
    struct E {
        error: String,
        error_description: Option<String>,
    }
    match serde_json::from_str::<E>(body) {
        Ok(e) => format!("{}{}", e.error, e.error_description.map(|d| format!(": {d}")).unwrap_or_default()),
        Err(_) => "no error details".into(),
    }
}

#[cfg(test)]
#[path = "issuer_tests.rs"]
mod tests;
