//! Validating an OpenID Connect ID token (OIDC Core §3.1.3.7): its signature against the
//! issuer's published keys (JWKS, with jsonwebtoken), then `iss`, `aud` (and `azp`), `nonce`
//! and `exp` against tally's own clock. Unsigned tokens and shared-secret algorithms are
//! refused: a public client has no secret to check an HMAC with. Which flows need this is the
//! caller's business (`super::authorize`: every request with the `openid` scope).

use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use super::Endpoints;

/// Clock skew allowed on `exp`.
const LEEWAY_SECS: i64 = 60;

/// What the token must say to be ours.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The request's nonce; `None` for a refresh's ID token (OIDC Core §12.2 wants none).
    pub nonce: Option<&'a str>,
    /// The `sub` of the link's ID token, which a refresh's must repeat (§12.2).
    pub subject: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// Fetch the issuer's JWKS and check `id_token` with it; its `sub`, if it has one.
pub fn verify(
    http: &reqwest::blocking::Client,
    endpoints: &Endpoints,
    id_token: &str,
    expected: Expected<'_>,
) -> Result<Option<String>> {
    let jwks_uri = endpoints
        .jwks_uri
        .as_deref()
        .context("the bank's discovery document names no jwks_uri, so its ID token cannot be checked")?;
    let url = super::checked_url(jwks_uri, "key set (jwks_uri)")?;
    let response = http
        .get(url)
        .send()
        .map_err(|e| anyhow::Error::new(e.without_url()).context(format!("cannot reach {jwks_uri}")))?;
    if !response.status().is_success() {
        anyhow::bail!("{jwks_uri} answered {}", response.status());
    }
    let keys: JwkSet = response.json().with_context(|| format!("{jwks_uri} did not return a JSON Web Key Set"))?;
    check(id_token, &keys, expected)
}

/// Check `id_token` against `keys` and `expected`; its `sub`, if it has one.
pub fn check(id_token: &str, keys: &JwkSet, expected: Expected<'_>) -> Result<Option<String>> {
    let refused = |why: String| anyhow::anyhow!("the bank's ID token was refused: {why}");
    let header = jsonwebtoken::decode_header(id_token).map_err(|e| refused(format!("it is not a signed JWT ({e})")))?;
    if !matches!(
        header.alg,
        Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512
            | Algorithm::ES256
            | Algorithm::ES384
            | Algorithm::EdDSA
    ) {
        return Err(refused(format!("it is signed with {:?}, which a public client cannot verify", header.alg)));
    }
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid).ok_or_else(|| refused(format!("its key {kid:?} is not in the bank's key set")))?,
        None if keys.keys.len() == 1 => &keys.keys[0],
        None => return Err(refused("it names no key (kid) and the bank publishes several".into())),
    };
    let key = DecodingKey::from_jwk(jwk).map_err(|e| refused(format!("the bank's key is not usable ({e})")))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[expected.issuer]);
    validation.set_audience(&[expected.client_id]);
    // `exp` is checked below against tally's clock (TALLY_NOW in tests), not the system's.
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(id_token, &key, &validation)
        .map_err(|e| refused(format!("{e}")))?
        .claims;
    let exp =
        claims.get("exp").and_then(serde_json::Value::as_i64).ok_or_else(|| refused("`exp` is not a number".into()))?;
    if exp + LEEWAY_SECS < expected.now.timestamp() {
        return Err(refused("it has expired".into()));
    }
    super::check_id_token_claims(&claims, expected.issuer, expected.client_id, expected.nonce)
        .map_err(|e| refused(format!("{e:#}")))?;
    let subject = claims.get("sub").and_then(serde_json::Value::as_str).map(str::to_string);
    if let Some(original) = expected.subject
        && subject.as_deref() != Some(original)
    {
        return Err(refused("it names another user (`sub`) than the one who consented".into()));
    }
    Ok(subject)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use serde_json::json;

    const KEY: &str = include_str!("../sandbox/fdx_key.pem");

    fn sign(claims: serde_json::Value, kid: &str) -> String {
        let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
        header.kid = Some(kid.into());
        jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_rsa_pem(KEY.as_bytes()).unwrap())
            .unwrap()
    }

    fn keys() -> JwkSet {
        serde_json::from_value(crate::sandbox::fdx::jwks()).unwrap()
    }

    fn expected() -> Expected<'static> {
        Expected {
            issuer: "https://bank.test",
            client_id: "tally-cli",
            nonce: Some("n1"),
            subject: None,
            now: chrono::DateTime::from_timestamp(1_000_000, 0).unwrap(),
        }
    }

    fn claims() -> serde_json::Value {
        json!({"iss": "https://bank.test", "aud": "tally-cli", "nonce": "n1", "sub": "u", "exp": 1_000_600, "iat": 1_000_000})
    }

    #[test]
    fn a_token_signed_with_the_published_key_is_accepted() {
        check(&sign(claims(), crate::sandbox::fdx::KEY_ID), &keys(), expected()).unwrap();
    }

    #[test]
    fn unsigned_foreign_keyed_expired_or_misaddressed_tokens_are_refused() {
        let kid = crate::sandbox::fdx::KEY_ID;
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let unsigned = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(claims().to_string().as_bytes()));
        assert!(check(&unsigned, &keys(), expected()).is_err(), "alg none");
        let hs = jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims(),
            &jsonwebtoken::EncodingKey::from_secret(b"x").unwrap(),
        )
        .unwrap();
        assert!(check(&hs, &keys(), expected()).unwrap_err().to_string().contains("HS256"));
        assert!(check(&sign(claims(), "other-key"), &keys(), expected()).is_err(), "unknown kid");
        // A signature over other claims: flip the payload.
        let token = sign(claims(), kid);
        let parts: Vec<&str> = token.split('.').collect();
        let mut other = claims();
        other["sub"] = json!("mallory");
        let forged = format!("{}.{}.{}", parts[0], b64(other.to_string().as_bytes()), parts[2]);
        assert!(check(&forged, &keys(), expected()).is_err(), "bad signature");
        for (field, value) in [
            ("iss", json!("https://evil.test")),
            ("aud", json!("someone")),
            ("nonce", json!("n2")),
            ("exp", json!(999_000)),
        ] {
            let mut c = claims();
            c[field] = value;
            assert!(check(&sign(c, kid), &keys(), expected()).is_err(), "{field}");
        }
        let mut no_exp = claims();
        no_exp.as_object_mut().unwrap().remove("exp");
        assert!(check(&sign(no_exp, kid), &keys(), expected()).is_err(), "exp is required");
    }
}
