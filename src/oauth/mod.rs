//! The OAuth 2.0 authorization-code flow for a native app (RFC 8252): discovery, PKCE S256,
//! `state` and `nonce`, the loopback redirect (through the consent conversation), the code
//! exchange, and the checks on what comes back (an OpenID Connect request's ID token is
//! verified against the issuer's keys: `id_token`). Providers with an OAuth issuer (the
//! sandbox, FDX banks) use it.

mod id_token;
mod issuer;
pub mod token;

use std::time::Duration;

use anyhow::{Context as _, Result};
use base64::Engine as _;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet, PkceCodeChallenge,
    RedirectUrl, Scope, StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use serde::Deserialize;

pub use issuer::{Issuer, error_detail};
pub use token::Tokens;

use crate::consent::{Conversation, Listener};
use crate::error::UserError;
use crate::secrets::SecretString;

/// What the issuer's discovery document tells us.
#[derive(Debug, Clone, Deserialize)]
pub struct Endpoints {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub revocation_endpoint: Option<String>,
    /// The issuer's signing keys (OpenID Connect Discovery §3), to verify ID tokens with.
    #[serde(default)]
    pub jwks_uri: Option<String>,
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
    EndpointNotSet,
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

/// How the client proves who it is at the token and revocation endpoints (RFC 6749 §2.3).
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// A public client, as a native app is (RFC 8252 §8.4): `client_id` in the form, no secret.
    None,
    /// `client_secret_basic`: HTTP Basic with the id and the secret.
    SecretBasic(SecretString),
    /// `client_secret_post`: the id and the secret in the form body.
    SecretPost(SecretString),
}

/// Who we are to an issuer, as the provider registered us.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub client_id: String,
    pub auth: ClientAuth,
    /// The scopes to ask for, space-separated.
    pub scopes: String,
    /// The loopback redirect's path, as registered with the issuer (`/callback`).
    pub redirect_path: String,
}

/// oauth2's client for the authorization and token endpoints. Revocation is not done through
/// it ([`token::revoke`]).
pub fn client(endpoints: &Endpoints, config: &ClientConfig) -> Result<Client> {
    let client = oauth2::Client::new(ClientId::new(config.client_id.clone()))
        .set_auth_uri(AuthUrl::new(endpoints.authorization_endpoint.clone())?)
        .set_token_uri(TokenUrl::new(endpoints.token_endpoint.clone())?);
    Ok(match &config.auth {
        ClientAuth::None => client.set_auth_type(oauth2::AuthType::RequestBody),
        ClientAuth::SecretBasic(secret) => client
            .set_auth_type(oauth2::AuthType::BasicAuth)
            .set_client_secret(ClientSecret::new(secret.expose().to_string())),
        ClientAuth::SecretPost(secret) => client
            .set_auth_type(oauth2::AuthType::RequestBody)
            .set_client_secret(ClientSecret::new(secret.expose().to_string())),
    })
}

/// `url` if we may send secrets there: HTTPS, or plain HTTP to 127.0.0.1 or ::1 only (a bank's
/// test issuer or the sandbox on this machine); `what` names the endpoint in the error.
pub fn checked_url(url: &str, what: &str) -> Result<reqwest::Url> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("the bank's {what} {url:?} is not a URL"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        _ => {
            anyhow::bail!("the bank's {what} {url} is not HTTPS; tally sends tokens only over HTTPS (or to 127.0.0.1)")
        }
    }
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

/// Run the whole flow, the user's part through `conversation`, and return the tokens.
fn authorize(
    http: &reqwest::blocking::Client,
    endpoints: &Endpoints,
    config: &ClientConfig,
    (timeout, now): (Duration, chrono::DateTime<chrono::Utc>),
    conversation: &mut dyn Conversation,
) -> Result<Tokens> {
    let listener = Listener::bind(&config.redirect_path)?;
    let client = client(endpoints, config)?.set_redirect_uri(RedirectUrl::new(listener.url())?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = CsrfToken::new_random();
    let scopes: Vec<&str> = config.scopes.split_whitespace().collect();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new(config.scopes.clone()))
        .set_pkce_challenge(challenge)
        .add_extra_param("nonce", nonce.secret());
    // OIDC Core §11: without prompt=consent a server may ignore offline_access, and then
    // there is no refresh token and the link dies with its first access token.
    if scopes.contains(&"offline_access") {
        request = request.add_extra_param("prompt", "consent");
    }
    let (url, state) = request.url();

    let redirect_uri = listener.url();
    let callback = conversation
        .redirect(url.as_str(), listener, timeout)
        .map_err(|e| redirect_never_came(e, &redirect_uri, config))?;

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
        .map_err(|e| code_refused(token::describe(e), &redirect_uri, config))?;
    let id_token = response.extra_fields().id_token.as_deref();
    let mut subject = None;
    if scopes.contains(&"openid") {
        // An OpenID Connect request: the ID token is required and must be signed by the issuer.
        let id_token = id_token.context("the bank sent no ID token for an OpenID Connect request")?;
        let expected = id_token::Expected {
            issuer: &endpoints.issuer,
            client_id: &config.client_id,
            nonce: Some(nonce.secret()),
            subject: None,
            now,
        };
        subject = id_token::verify(http, endpoints, id_token, expected).map_err(|e| {
            UserError::failure(format!("{e:#}"))
                .hint("tally refuses a link whose identity it cannot verify; check --issuer, or ask the bank")
        })?;
    } else if let Some(id_token) = id_token {
        check_id_token(id_token, &endpoints.issuer, &config.client_id, nonce.secret())?;
    }
    let mut tokens = Tokens::from_response(&response, now);
    tokens.subject = subject;
    Ok(tokens)
}

/// Where the user registers tally's redirect with the bank, for the hints below.
fn register_hint(redirect_uri: &str, config: &ClientConfig) -> String {
    format!(
        "tally's redirect URI was {redirect_uri}; the bank must accept http://127.0.0.1{} on any port \
         (RFC 8252 §7.3) for client id {:?}: register it in the bank's developer settings for that client",
        config.redirect_path, config.client_id
    )
}

/// The wait for the redirect ended without one (a timeout): say that the bank may have refused
/// the redirect URI outright (RFC 6749 §4.1.2.1: it then shows an error and never redirects).
fn redirect_never_came(e: anyhow::Error, redirect_uri: &str, config: &ClientConfig) -> anyhow::Error {
    match crate::error::user_error(&e) {
        Some(u) if u.exit == crate::error::Exit::TempFail => UserError::new(
            crate::error::Exit::TempFail,
            format!("{}; the bank may have refused the redirect URI {redirect_uri}", u.message),
        )
        .hint(format!(
            "if the bank's page showed an error (such as an unregistered redirect_uri), {}; \
             otherwise run `tally link` again and finish the consent in time (`--timeout` gives more)",
            register_hint(redirect_uri, config)
        ))
        .into(),
        _ => e,
    }
}

/// The code exchange failed: a link, not a consent that ended, so no relink advice; a
/// redirect_uri the bank will not match is the usual cause (RFC 6749 §4.1.3).
fn code_refused(e: anyhow::Error, redirect_uri: &str, config: &ClientConfig) -> anyhow::Error {
    let detail = match e.downcast_ref::<token::TokenError>() {
        Some(token::TokenError::Revoked(why)) => format!("invalid_grant {why}").trim_end().to_string(),
        Some(token::TokenError::Other(why)) => why.clone(),
        None => return e,
    };
    UserError::failure(format!("the bank refused to exchange the consent's code for tokens: {detail}"))
        .hint(format!(
            "tally sent the same redirect URI in the authorization and the token request; if the bank \
             says it differs or is not registered: {}; then run `tally link` again",
            register_hint(redirect_uri, config)
        ))
        .into()
}

/// The nonce, issuer and audience of an ID token received straight from the token endpoint
/// over the connection we opened (OIDC Core §3.1.3.7 allows TLS in place of a signature).
/// `aud` may be one string or an array that contains our client id; with several audiences,
/// `azp` must name us (§3.1.3.7, items 3 to 5).
fn check_id_token(id_token: &str, issuer: &str, client_id: &str, nonce: &str) -> Result<()> {
    let payload = id_token.split('.').nth(1).context("the ID token is not a JWT")?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .context("the ID token's payload is not base64url")?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).context("the ID token's claims are not readable")?;
    check_id_token_claims(&claims, issuer, client_id, Some(nonce))
}

/// The claim checks of [`check_id_token`], on claims already decoded (and, for OpenID
/// Connect, verified: `id_token`).
fn check_id_token_claims(claims: &serde_json::Value, issuer: &str, client_id: &str, nonce: Option<&str>) -> Result<()> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Audience {
        One(String),
        Many(Vec<String>),
    }
    #[derive(Deserialize)]
    struct Claims {
        iss: String,
        aud: Audience,
        azp: Option<String>,
        nonce: Option<String>,
    }
    let claims = Claims::deserialize(claims).context("the ID token's claims are not readable")?;
    let audiences = match &claims.aud {
        Audience::One(a) => std::slice::from_ref(a),
        Audience::Many(a) => a.as_slice(),
    };
    let for_us = audiences.iter().any(|a| a == client_id)
        && match claims.azp.as_deref() {
            Some(azp) => azp == client_id,
            None => audiences.len() == 1,
        };
    // A refreshed ID token need carry no nonce (OIDC Core §12.2): `nonce` is `None` then.
    let nonce_ok = nonce.is_none_or(|n| claims.nonce.as_deref() == Some(n));
    if claims.iss != issuer || !for_us || !nonce_ok {
        anyhow::bail!("the ID token does not match this request (issuer, audience or nonce differ)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: serde_json::Value) -> String {
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(claims.to_string().as_bytes()))
    }

    fn check(claims: serde_json::Value) -> Result<()> {
        check_id_token(&token(claims), "https://bank.test", "tally-cli", "n1")
    }

    #[test]
    fn the_audience_may_be_a_string_or_an_array_that_names_us() {
        let iss = "https://bank.test";
        assert!(check(serde_json::json!({"iss": iss, "aud": "tally-cli", "nonce": "n1"})).is_ok());
        assert!(check(serde_json::json!({"iss": iss, "aud": ["tally-cli"], "nonce": "n1"})).is_ok());
        assert!(check(serde_json::json!({"iss": iss, "aud": "someone-else", "nonce": "n1"})).is_err());
        assert!(check(serde_json::json!({"iss": iss, "aud": ["a", "b"], "azp": "a", "nonce": "n1"})).is_err());
    }

    #[test]
    fn with_several_audiences_azp_must_name_us() {
        let iss = "https://bank.test";
        let many = serde_json::json!(["tally-cli", "bank-api"]);
        assert!(check(serde_json::json!({"iss": iss, "aud": many, "azp": "tally-cli", "nonce": "n1"})).is_ok());
        assert!(check(serde_json::json!({"iss": iss, "aud": many, "nonce": "n1"})).is_err(), "azp is missing");
        assert!(check(serde_json::json!({"iss": iss, "aud": many, "azp": "bank-api", "nonce": "n1"})).is_err());
        let one_wrong_azp = serde_json::json!({"iss": iss, "aud": "tally-cli", "azp": "other", "nonce": "n1"});
        assert!(check(one_wrong_azp).is_err(), "an azp that is present must be ours");
    }

    #[test]
    fn issuer_and_nonce_must_match() {
        assert!(check(serde_json::json!({"iss": "https://evil.test", "aud": "tally-cli", "nonce": "n1"})).is_err());
        assert!(check(serde_json::json!({"iss": "https://bank.test", "aud": "tally-cli", "nonce": "n2"})).is_err());
        assert!(check(serde_json::json!({"iss": "https://bank.test", "aud": "tally-cli"})).is_err());
    }
}
