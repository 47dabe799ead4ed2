//! The OAuth 2.0 authorization-code flow for a native app (RFC 8252): discovery, PKCE S256,
//! `state` and `nonce`, the loopback redirect (through the consent conversation), the code
//! exchange, and the checks on what comes back. Providers with an OAuth issuer (the sandbox,
//! later FDX) use it.

pub mod token;

use std::time::Duration;

use anyhow::{Context as _, Result};
use base64::Engine as _;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, PkceCodeChallenge,
    RedirectUrl, RevocationUrl, Scope, StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use serde::Deserialize;

pub use token::Tokens;

use crate::consent::{Conversation, Listener};
use crate::error::UserError;

/// What the issuer's discovery document tells us.
#[derive(Debug, Clone, Deserialize)]
pub struct Endpoints {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

/// Fields beyond RFC 6749's that the token endpoint may send.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct ExtraFields {
    #[serde(default)]
    pub id_token: Option<String>,
    #[serde(default)]
    pub consent_expires_at: Option<chrono::DateTime<chrono::Utc>>,
}
impl oauth2::ExtraTokenFields for ExtraFields {}

pub type TokenResponse = StandardTokenResponse<ExtraFields, BasicTokenType>;
pub type Client = oauth2::Client<
    BasicErrorResponse,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointSet,
>;

/// Fetch `{issuer}/.well-known/openid-configuration`; `unreachable_hint` is the provider's
/// advice for when the issuer cannot be reached.
pub fn discover(http: &reqwest::blocking::Client, issuer: &str, unreachable_hint: &str) -> Result<Endpoints> {
    let url = format!("{issuer}/.well-known/openid-configuration");
    let response =
        http.get(&url).send().map_err(|e| crate::providers::http::unreachable(issuer, e, unreachable_hint))?;
    if !response.status().is_success() {
        anyhow::bail!("{url} answered {}", response.status());
    }
    response.json().with_context(|| format!("{url} did not return a discovery document"))
}

pub fn client(endpoints: &Endpoints, client_id: &str) -> Result<Client> {
    let revocation = endpoints.revocation_endpoint.clone().map(RevocationUrl::new).transpose()?;
    Ok(oauth2::Client::new(ClientId::new(client_id.to_string()))
        .set_auth_type(oauth2::AuthType::RequestBody)
        .set_auth_uri(AuthUrl::new(endpoints.authorization_endpoint.clone())?)
        .set_token_uri(TokenUrl::new(endpoints.token_endpoint.clone())?)
        .set_revocation_url_option(revocation))
}

/// oauth2's HTTP hook, over our reqwest client (which never follows redirects).
pub fn http_fn(
    c: &reqwest::blocking::Client,
) -> impl Fn(oauth2::HttpRequest) -> Result<oauth2::HttpResponse, reqwest::Error> + '_ {
    move |req| {
        let resp = c.execute(req.try_into()?)?;
        let mut b = oauth2::http::Response::builder().status(resp.status());
        for (k, v) in resp.headers() {
            b = b.header(k, v);
        }
        Ok(b.body(resp.bytes()?.to_vec()).expect("status and headers came from a valid response"))
    }
}

/// What one authorization asks for.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub client_id: &'a str,
    pub scopes: &'a str,
    /// The loopback redirect's path, as registered with the issuer (`/callback`).
    pub redirect_path: &'a str,
    pub timeout: Duration,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// Run the whole flow, the user's part through `conversation`, and return the tokens.
pub fn authorize(
    http: &reqwest::blocking::Client,
    endpoints: &Endpoints,
    request: &Request<'_>,
    conversation: &mut dyn Conversation,
) -> Result<Tokens> {
    let Request { client_id, scopes, redirect_path, timeout, now } = *request;
    let listener = Listener::bind(redirect_path)?;
    let client = client(endpoints, client_id)?.set_redirect_uri(RedirectUrl::new(listener.url())?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = CsrfToken::new_random();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new(scopes.to_string()))
        .set_pkce_challenge(challenge)
        .add_extra_param("nonce", nonce.secret())
        .url();

    let callback = conversation.redirect(url.as_str(), listener, timeout)?;

    if let Some(error) = callback.get("error") {
        let detail = callback.get("error_description").unwrap_or("");
        let hint = if error == "access_denied" {
            "run `tally link` again and approve access on the bank's page"
        } else {
            "run `tally link` again; if it keeps failing, the bank may be misconfigured"
        };
        return Err(UserError::failure(format!("the bank refused the link: {error} {detail}").trim_end().to_string())
            .hint(hint)
            .into());
    }
    if callback.get("state") != Some(state.secret().as_str()) {
        return Err(UserError::failure("the bank's answer did not carry this request's `state`; it was not accepted")
            .hint("this can mean a forged or stale redirect: run `tally link` again")
            .into());
    }
    match callback.get("iss") {
        Some(iss) if iss != endpoints.issuer => {
            return Err(UserError::failure(format!("the answer came from issuer {iss}, not {}", endpoints.issuer))
                .hint("a mix-up attack or a misconfigured bank: run `tally link` again")
                .into());
        }
        None if endpoints.authorization_response_iss_parameter_supported => {
            anyhow::bail!("the bank's answer lacks the `iss` it promised (RFC 9207)");
        }
        _ => {}
    }
    let code = callback.get("code").context("the bank's answer has neither a code nor an error")?;
    let response = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .set_pkce_verifier(verifier)
        .request(&http_fn(http))
        .map_err(token::describe)?;
    if let Some(id_token) = &response.extra_fields().id_token {
        check_id_token(id_token, endpoints, client_id, nonce.secret())?;
    }
    Ok(Tokens::from_response(&response, now))
}

/// The nonce, issuer and audience of an ID token received straight from the token endpoint
/// over the connection we opened (OIDC Core §3.1.3.7 allows TLS in place of a signature).
fn check_id_token(id_token: &str, endpoints: &Endpoints, client_id: &str, nonce: &str) -> Result<()> {
    #[derive(Deserialize)]
    struct Claims {
        iss: String,
        aud: String,
        nonce: Option<String>,
    }
    let payload = id_token.split('.').nth(1).context("the ID token is not a JWT")?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .context("the ID token's payload is not base64url")?;
    let claims: Claims = serde_json::from_slice(&bytes).context("the ID token's claims are not readable")?;
    if claims.iss != endpoints.issuer || claims.aud != client_id || claims.nonce.as_deref() != Some(nonce) {
        anyhow::bail!("the ID token does not match this request (issuer, audience or nonce differ)");
    }
    Ok(())
}
