//! The sandbox's OAuth 2.0 authorization server: discovery, the consent page, codes with PKCE
//! S256, refresh-token rotation with replay detection, and revocation.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::Duration;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::http::{Params, Reply, all, get};
use super::{AuthRequest, CLIENT_ID, CONSENT_DAYS, Code, Grant, REDIRECT_PATH, State, Token, page, random_token};

const ACCESS_TTL_SECS: i64 = 3600;
const CODE_TTL_SECS: i64 = 600;

pub fn discovery(state: &State) -> Reply {
    let iss = &state.issuer;
    Reply::json(
        200,
        &json!({
            "issuer": iss,
            "authorization_endpoint": format!("{iss}/authorize"),
            "token_endpoint": format!("{iss}/token"),
            "revocation_endpoint": format!("{iss}/revoke"),
            "jwks_uri": format!("{iss}/jwks"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "authorization_response_iss_parameter_supported": true,
            "id_token_signing_alg_values_supported": ["RS256", "none"],
            "scopes_supported": ["openid", "offline_access", "accounts", "transactions"],
        }),
    )
}

/// RFC 8252 §7.3: loopback redirects match exactly except for the port.
fn redirect_allowed(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    let loopback = matches!(url.host_str(), Some("127.0.0.1") | Some("[::1]"));
    url.scheme() == "http"
        && loopback
        && url.path() == REDIRECT_PATH
        && url.query().is_none()
        && url.fragment().is_none()
}

/// Where the browser goes back to, with the response parameters and our `iss` (RFC 9207).
fn back_to(redirect_uri: &str, state: &State, params: &[(&str, &str)]) -> Reply {
    let mut url = url::Url::parse(redirect_uri).expect("validated on the way in");
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
        q.append_pair("iss", &state.issuer);
    }
    Reply::redirect(url.into())
}

pub fn authorize_page(state: &mut State, query: &Params) -> Reply {
    // Errors about the client or redirect must not redirect (RFC 6749 §4.1.2.1).
    if get(query, "client_id") != Some(CLIENT_ID) {
        return Reply::html(400, page::error("Unknown client", "This application is not registered with the bank."));
    }
    let Some(redirect_uri) = get(query, "redirect_uri").filter(|u| redirect_allowed(u)) else {
        return Reply::html(400, page::error("Bad redirect", "The redirect_uri is not registered for this client."));
    };
    let st = get(query, "state").unwrap_or("");
    let fail = |code: &str, why: &str| {
        back_to(redirect_uri, state, &[("error", code), ("error_description", why), ("state", st)])
    };
    if get(query, "response_type") != Some("code") {
        return fail("unsupported_response_type", "only response_type=code is supported");
    }
    let Some(challenge) = get(query, "code_challenge").filter(|c| c.len() >= 43) else {
        return fail("invalid_request", "PKCE is required: send code_challenge");
    };
    if get(query, "code_challenge_method") != Some("S256") {
        return fail("invalid_request", "code_challenge_method must be S256");
    }
    let request = AuthRequest {
        redirect_uri: redirect_uri.to_string(),
        state: st.to_string(),
        code_challenge: challenge.to_string(),
        nonce: get(query, "nonce").map(str::to_string),
        scope: get(query, "scope").map(str::to_string),
    };
    let id = random_token();
    state.requests.insert(id.clone(), request);
    Reply::html(200, page::consent(&id, &state.bank.accounts, None))
}

pub fn authorize_submit(state: &mut State, form: &Params) -> Reply {
    let Some(request) = get(form, "request_id").and_then(|id| state.requests.get(id)).cloned() else {
        return Reply::html(
            400,
            page::error("Expired", "This sign-in request is unknown or already used. Start again."),
        );
    };
    let id = get(form, "request_id").unwrap_or_default().to_string();
    if get(form, "decision") != Some("approve") {
        state.requests.remove(&id);
        return back_to(
            &request.redirect_uri,
            state,
            &[("error", "access_denied"), ("error_description", "the user denied access"), ("state", &request.state)],
        );
    }
    let user = get(form, "username").unwrap_or("");
    if user != super::DEFAULT_USER || get(form, "password") != Some(super::DEFAULT_PASSWORD) {
        return Reply::html(401, page::consent(&id, &state.bank.accounts, Some("Wrong username or password.")));
    }
    let accounts: Vec<usize> =
        all(form, "account").filter_map(|a| state.bank.accounts.iter().position(|acc| acc.id == a)).collect();
    if accounts.is_empty() {
        return Reply::html(400, page::consent(&id, &state.bank.accounts, Some("Choose at least one account.")));
    }
    state.requests.remove(&id);
    let code = random_token();
    let expires = state.clock.now() + Duration::seconds(CODE_TTL_SECS);
    let st = request.state.clone();
    let redirect_uri = request.redirect_uri.clone();
    state.codes.insert(code.clone(), Code { request, user: user.to_string(), accounts, expires, grant: None });
    back_to(&redirect_uri, state, &[("code", &code), ("state", &st)])
}

pub fn token(state: &mut State, form: &Params) -> Reply {
    if state.faults.malformed_token > 0 {
        state.faults.malformed_token -= 1;
        return Reply { content_type: "application/json", ..Reply::html(200, "{\"access_token\": ".into()) };
    }
    if get(form, "client_id") != Some(CLIENT_ID) {
        return Reply::error(401, "invalid_client", "unknown client");
    }
    match get(form, "grant_type") {
        Some("authorization_code") => exchange_code(state, form),
        Some("refresh_token") => refresh(state, form),
        _ => Reply::error(400, "unsupported_grant_type", "use authorization_code or refresh_token"),
    }
}

fn exchange_code(state: &mut State, form: &Params) -> Reply {
    let invalid = |why: &str| Reply::error(400, "invalid_grant", why);
    let now = state.clock.now();
    let Some(code) = get(form, "code").and_then(|c| state.codes.get_mut(c)) else {
        return invalid("unknown authorization code");
    };
    if let Some(grant) = code.grant {
        // RFC 6749 §4.1.2: a code used twice revokes what it granted.
        if let Some(g) = state.grants.get_mut(&grant) {
            g.revoked = true;
        }
        return invalid("authorization code already used; the tokens issued for it are revoked");
    }
    if code.expires < now {
        return invalid("authorization code expired");
    }
    if get(form, "redirect_uri") != Some(code.request.redirect_uri.as_str()) {
        return invalid("redirect_uri does not match the authorization request");
    }
    let Some(verifier) = get(form, "code_verifier") else {
        return Reply::error(400, "invalid_request", "code_verifier is required (PKCE)");
    };
    if B64.encode(Sha256::digest(verifier.as_bytes())) != code.request.code_challenge {
        return invalid("code_verifier does not match code_challenge");
    }
    let grant_id = state.next_grant;
    state.next_grant += 1;
    code.grant = Some(grant_id);
    let (user, nonce, accounts) = (code.user.clone(), code.request.nonce.clone(), code.accounts.clone());
    let openid = code.request.scope.as_deref().is_some_and(|s| s.split(' ').any(|s| s == "openid"));
    let expires = now + Duration::days(CONSENT_DAYS);
    state.grants.insert(grant_id, Grant { id: grant_id, accounts, expires, revoked: false });
    issue(state, grant_id, Some((&user, nonce.as_deref(), openid)))
}

fn refresh(state: &mut State, form: &Params) -> Reply {
    let invalid = |why: &str| Reply::error(400, "invalid_grant", why);
    let Some(token) = get(form, "refresh_token") else {
        return Reply::error(400, "invalid_request", "refresh_token is required");
    };
    let Some(&(grant_id, current)) = state.refresh.get(token) else {
        return invalid("unknown refresh token");
    };
    let Some(grant) = state.grants.get_mut(&grant_id) else {
        return invalid("unknown grant");
    };
    if !current {
        // A rotated token came back: someone else may hold it. End the whole consent.
        grant.revoked = true;
        return invalid("refresh token was already used; the consent is revoked");
    }
    if grant.revoked {
        return invalid("the consent was revoked");
    }
    if grant.expires < state.clock.now() {
        return invalid("the consent expired");
    }
    state.refresh.insert(token.to_string(), (grant_id, false));
    issue(state, grant_id, None)
}

/// A new access token and a new refresh token for a grant.
fn issue(state: &mut State, grant_id: u64, id_token_for: Option<(&str, Option<&str>, bool)>) -> Reply {
    let now = state.clock.now();
    let ttl = state.faults.token_ttl.unwrap_or(ACCESS_TTL_SECS);
    let access = random_token();
    let refresh = random_token();
    state.access.insert(access.clone(), Token { grant: grant_id, expires: now + Duration::seconds(ttl) });
    state.refresh.insert(refresh.clone(), (grant_id, true));
    let consent_expires = state.grants[&grant_id].expires;
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ttl,
        "refresh_token": refresh,
        "scope": "accounts transactions",
        "consent_expires_at": consent_expires.to_rfc3339(),
    });
    if let Some((user, nonce, openid)) = id_token_for {
        let claims = json!({
            "iss": state.issuer, "sub": user, "aud": CLIENT_ID, "nonce": nonce,
            "iat": now.timestamp(), "exp": (now + Duration::seconds(ttl)).timestamp(),
        });
        body["id_token"] = if openid {
            json!(super::fdx::sign(&claims))
        } else {
            let header = B64.encode(br#"{"alg":"none","typ":"JWT"}"#);
            json!(format!("{header}.{}.", B64.encode(claims.to_string())))
        };
    }
    Reply::json(200, &body)
}

/// RFC 7009: always 200; a refresh token ends the consent, an access token just itself.
pub fn revoke(state: &mut State, form: &Params) -> Reply {
    if state.faults.revoke_error > 0 {
        state.faults.revoke_error -= 1;
        return Reply::error(503, "temporarily_unavailable", "revocation is down for maintenance");
    }
    if let Some(token) = get(form, "token") {
        if let Some(g) = state.refresh.get(token).and_then(|(grant, _)| state.grants.get_mut(grant)) {
            g.revoked = true;
        }
        state.access.remove(token);
    }
    Reply::json(200, &json!({}))
}

/// The grant behind a bearer token, or the 401/403 reply the API owes.
pub fn authenticate(state: &State, bearer: Option<&str>) -> Result<u64, Reply> {
    let unauthorized = |why: &str| {
        Reply::error(401, "invalid_token", why)
            .with_header("WWW-Authenticate", format!("Bearer error=\"invalid_token\", error_description=\"{why}\""))
    };
    let Some(token) = bearer.and_then(|b| state.access.get(b)) else {
        return Err(unauthorized("unknown access token"));
    };
    let grant = &state.grants[&token.grant];
    if grant.revoked {
        return Err(Reply::error(403, "consent_revoked", "the user's consent was revoked; link again"));
    }
    if grant.expires < state.clock.now() {
        return Err(Reply::error(403, "consent_expired", "the user's consent expired; link again"));
    }
    if token.expires <= state.clock.now() {
        return Err(unauthorized("access token expired"));
    }
    Ok(token.grant)
}
