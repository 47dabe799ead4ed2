//! Tokens as kept in the secret store, refreshing them (with rotation), and revoking them
//! (RFC 7009, sent by us rather than by oauth2, see [`revoke`]).

use anyhow::Result;
use chrono::{DateTime, Utc};
use oauth2::basic::BasicErrorResponseType;
use oauth2::{RefreshToken, RequestTokenError, TokenResponse as _};
use serde::{Deserialize, Serialize};

use super::{Client, ClientAuth, ClientConfig, TokenResponse, http_fn};
use crate::secrets::SecretString;

/// What the secret store holds for an OAuth connection (as JSON). `Debug` hides the tokens.
#[derive(Clone, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub consent_expires_at: Option<DateTime<Utc>>,
    /// What the provider keeps with the consent that is not a token (FDX: which bank, by its
    /// issuer, client id and API), carried across refreshes. Not secret, but per connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank: Option<serde_json::Value>,
    /// The `sub` of the link's verified ID token: who consented. A refresh's ID token must
    /// name the same (OIDC Core §12.2). Kept here, with the tokens, never in the database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The ID token of the answer these tokens came from, to be checked; never stored.
    #[serde(skip)]
    pub id_token: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

/// Why a token request failed, in the terms sync acts on.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// `invalid_grant`: the consent is gone (revoked, expired, replayed). Link again.
    #[error("the bank no longer accepts this connection's consent: {0}")]
    Revoked(String),
    #[error("the bank's token endpoint failed: {0}")]
    Other(String),
}

impl Tokens {
    pub fn from_response(r: &TokenResponse, now: DateTime<Utc>) -> Tokens {
        Tokens {
            access_token: r.access_token().secret().clone(),
            refresh_token: r.refresh_token().map(|t| t.secret().clone()),
            expires_at: r.expires_in().and_then(|d| chrono::Duration::from_std(d).ok()).map(|d| now + d),
            consent_expires_at: r.extra_fields().consent_expires_at,
            bank: None,
            subject: None,
            id_token: r.extra_fields().id_token.clone(),
        }
    }

    pub fn to_secret(&self) -> SecretString {
        SecretString::new(serde_json::to_string(self).expect("tokens serialize"))
    }

    pub fn from_secret(s: &SecretString) -> Result<Tokens> {
        serde_json::from_str(s.expose()).map_err(|_| anyhow::anyhow!("the stored tokens are damaged; link again"))
    }

    /// Expired, or about to be (a minute's margin for clock skew and slow calls).
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|t| t <= now + chrono::Duration::seconds(60))
    }
}

/// Turn oauth2's error into one a person can read (and never echo a token).
pub fn describe<E: std::error::Error + Send + Sync + 'static>(
    e: RequestTokenError<E, oauth2::basic::BasicErrorResponse>,
) -> anyhow::Error {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let detail = r.error_description().cloned().unwrap_or_default();
            if *r.error() == BasicErrorResponseType::InvalidGrant {
                TokenError::Revoked(detail).into()
            } else {
                TokenError::Other(format!("{} {detail}", r.error())).into()
            }
        }
        RequestTokenError::Request(e) => anyhow::Error::new(e).context("cannot reach the bank's token endpoint"),
        RequestTokenError::Parse(e, _body) => {
            TokenError::Other(format!("its answer is not a valid token response ({e})")).into()
        }
        RequestTokenError::Other(msg) => TokenError::Other(msg).into(),
    }
}

/// Exchange the refresh token for new tokens; the bank rotates the refresh token.
pub fn refresh(http: &reqwest::blocking::Client, client: &Client, old: &Tokens, now: DateTime<Utc>) -> Result<Tokens> {
    let Some(refresh) = &old.refresh_token else {
        return Err(TokenError::Revoked("the access token expired and there is no refresh token".into()).into());
    };
    let response =
        client.exchange_refresh_token(&RefreshToken::new(refresh.clone())).request(&http_fn(http)).map_err(describe)?;
    let mut tokens = Tokens::from_response(&response, now);
    // A bank that does not rotate keeps the old refresh token valid.
    if tokens.refresh_token.is_none() {
        tokens.refresh_token = old.refresh_token.clone();
    }
    tokens.consent_expires_at = tokens.consent_expires_at.or(old.consent_expires_at);
    tokens.bank = old.bank.clone();
    tokens.subject = old.subject.clone();
    Ok(tokens)
}

/// RFC 7009: revoking the refresh token ends the consent at the bank (the access token when
/// there is no refresh token). Sent here rather than through oauth2, which refuses any `http:`
/// revocation URL, so that unlinking a loopback issuer (the sandbox) failed while saying the
/// consent was revoked (issue 8 item 9). Any answer but 2xx is an error: the consent may live on.
pub fn revoke(
    http: &reqwest::blocking::Client,
    endpoint: Option<&str>,
    client: &ClientConfig,
    tokens: &Tokens,
) -> Result<()> {
    let endpoint = endpoint.ok_or_else(|| anyhow::anyhow!("the bank publishes no revocation endpoint"))?;
    let url = super::checked_url(endpoint, "revocation endpoint")?;
    let (token, hint) = match &tokens.refresh_token {
        Some(refresh) => (refresh.as_str(), "refresh_token"),
        None => (tokens.access_token.as_str(), "access_token"),
    };
    let mut form = vec![("token", token), ("token_type_hint", hint)];
    let mut request = http.post(url);
    // Client authentication as at the token endpoint (RFC 7009 §2.1, RFC 6749 §2.3).
    match &client.auth {
        ClientAuth::None => form.push(("client_id", &client.client_id)),
        ClientAuth::SecretPost(secret) => {
            form.push(("client_id", &client.client_id));
            form.push(("client_secret", secret.expose()));
        }
        ClientAuth::SecretBasic(secret) => {
            // RFC 6749 §2.3.1: both parts form-urlencoded, then HTTP Basic.
            let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            request = request.basic_auth(encode(&client.client_id), Some(encode(secret.expose())));
        }
    }
    let response = request
        .form(&form)
        .send()
        .map_err(|e| anyhow::Error::new(e.without_url()).context(format!("cannot reach {endpoint}")))?;
    let status = response.status();
    if !status.is_success() {
        let detail = super::error_detail(&response.text().unwrap_or_default());
        anyhow::bail!("{endpoint} answered {status} ({detail})");
    }
    Ok(())
}
