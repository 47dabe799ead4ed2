//! SimpleFIN over HTTP: the setup token and its one claim, the access URL (whose Basic
//! credentials never appear in a message: requests send them as a header, errors name the
//! URL without them), `/accounts` with its status codes, and `errlist` entries as troubles.

use anyhow::Result;
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use reqwest::blocking::Client;

use super::wire::{AccountSet, WireAccount, sanitize};
use crate::error::{Exit, UserError};
use crate::providers::{ProviderError, http, retry};
use crate::secrets::SecretString;

const UNREACHABLE_HINT: &str = "check your connection; SimpleFIN Bridge status: https://bridge.simplefin.org";

/// HTTPS only, except on this machine (tests, a local bridge).
pub fn check_transport(url: &url::Url, what: &str) -> Result<()> {
    let loopback = matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
        || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
    if url.scheme() == "https" || (url.scheme() == "http" && loopback) {
        return Ok(());
    }
    Err(UserError::usage(format!("{what} uses {}://, and SimpleFIN is spoken over HTTPS only", url.scheme()))
        .hint("check that you copied the right token; tally never sends bank credentials in the clear")
        .into())
}

/// The claim URL inside a setup token (base64, padded or not).
pub fn claim_url(token: &SecretString) -> Result<url::Url> {
    let bad = || {
        UserError::usage("that is not a SimpleFIN setup token")
            .hint("copy the whole token the SimpleFIN Bridge shows after `Create a new setup token`")
    };
    let lenient = GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let text = token.expose().trim();
    let bytes = GeneralPurpose::new(&base64::alphabet::STANDARD, lenient)
        .decode(text)
        .or_else(|_| GeneralPurpose::new(&base64::alphabet::URL_SAFE, lenient).decode(text))
        .map_err(|_| bad())?;
    let decoded = String::from_utf8(bytes).map_err(|_| bad())?;
    let url = url::Url::parse(decoded.trim()).map_err(|_| bad())?;
    check_transport(&url, "the setup token's claim URL")?;
    Ok(url)
}

/// The claim URL for messages: its last segment is the one-time token, so it is left out.
pub fn shown_claim_url(url: &url::Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    if let Ok(mut segments) = shown.path_segments_mut() {
        segments.pop();
    }
    format!("{}/…", shown.as_str().trim_end_matches('/'))
}

/// Claim the access URL: one POST, never retried (the token works once).
pub fn claim(client: &Client, url: &url::Url) -> Result<SecretString> {
    let shown = shown_claim_url(url);
    let response = client
        .post(url.clone())
        .header("Content-Length", "0")
        .send()
        .map_err(|e| http::unreachable(&shown, e.without_url(), UNREACHABLE_HINT))?;
    let status = response.status().as_u16();
    let body = response.text().unwrap_or_default();
    match status {
        200 => {
            let access = SecretString::new(body.trim());
            Access::parse(&access)?;
            Ok(access)
        }
        403 => Err(UserError::failure(
            "SimpleFIN refused the setup token (403): it was claimed already, or it never existed",
        )
        .hint(
            "if you did not claim it yourself, someone else may have: the token may be compromised, so disable \
             it at the SimpleFIN Bridge, then create a new token and link again",
        )
        .into()),
        _ => {
            Err(ProviderError::Upstream { status, message: format!("claiming at {shown}: {}", sanitize(&body)) }.into())
        }
    }
}

/// An access URL, split: where to send requests, and the credentials for the header.
#[derive(Debug)]
pub struct Access {
    /// Without the credentials and without a trailing `/`.
    base: String,
    user: String,
    password: SecretString,
}

impl Access {
    pub fn parse(secret: &SecretString) -> Result<Access> {
        let bad = |why: &str| ProviderError::Malformed(format!("the SimpleFIN access URL {why}"));
        let mut url = url::Url::parse(secret.expose()).map_err(|_| bad("is not a URL"))?;
        check_transport(&url, "the SimpleFIN access URL")?;
        let user = percent(url.username());
        let password = SecretString::new(percent(url.password().unwrap_or("")));
        if user.is_empty() || password.expose().is_empty() {
            return Err(bad("has no credentials in it").into());
        }
        url.set_username("").and_then(|()| url.set_password(None)).map_err(|()| bad("cannot hold credentials"))?;
        url.set_query(None);
        Ok(Access { base: url.as_str().trim_end_matches('/').to_string(), user, password })
    }

    /// `GET /accounts?QUERY`, each attempt first charged through `before`.
    pub fn accounts(
        &self,
        client: &Client,
        query: &[(&str, String)],
        before: &mut dyn FnMut() -> Result<()>,
    ) -> Result<AccountSet> {
        let url = format!("{}/accounts", self.base);
        let make = || client.get(&url).query(query).basic_auth(&self.user, Some(self.password.expose()));
        let response = retry::send(make, &url, UNREACHABLE_HINT, before)?;
        let status = response.status().as_u16();
        let body = response.text().map_err(|e| http::unreachable(&url, e.without_url(), UNREACHABLE_HINT))?;
        match status {
            200 => serde_json::from_str(&body).map_err(|e| ProviderError::Malformed(format!("/accounts: {e}")).into()),
            402 => Err(UserError::failure(
                "SimpleFIN answered 402 Payment Required: the SimpleFIN Bridge subscription has lapsed; renew it \
                 at https://bridge.simplefin.org ($1.50 a month or $15 a year), then sync again",
            )
            .into()),
            403 => Err(ProviderError::NeedsRelink(
                "SimpleFIN refused the access URL (403): the access was revoked at the Bridge, or the credentials \
                 are wrong; create a new setup token and link again"
                    .into(),
            )
            .into()),
            _ => Err(ProviderError::Upstream { status, message: sanitize(&self.redact(&body)) }.into()),
        }
    }

    /// A server that echoes the credentials must not make us print them.
    fn redact(&self, text: &str) -> String {
        text.replace(self.password.expose(), "***")
    }
}

/// A percent-encoded part of a URL (its user name or password), decoded.
fn percent(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// How bad a reported problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Try again later (`act.failed`, `act.missingdata`, unknown codes).
    Later,
    /// The bank connection at SimpleFIN needs the user (`con.auth`).
    Relink,
}

/// One `errlist` entry (or a row tally could not read), with what it is about.
#[derive(Debug, Clone)]
pub struct Trouble {
    pub severity: Severity,
    pub text: String,
    conn_id: Option<String>,
    account_id: Option<String>,
    general: bool,
}

impl Trouble {
    /// Whether it concerns every account (`gen.*`).
    pub fn general(&self) -> bool {
        self.general
    }

    pub fn affects(&self, a: &WireAccount) -> bool {
        if self.general {
            return true;
        }
        let conn = self.conn_id.as_deref().is_none_or(|c| a.conn_id.as_deref() == Some(c));
        let account = self.account_id.as_deref().is_none_or(|id| a.id == id);
        conn && account
    }
}

/// The answer's `errlist` (and v1 `errors`) as troubles. `gen.auth` and `gen.api` end the
/// call at once: nothing in the answer can be trusted.
pub fn troubles(set: &AccountSet) -> Result<Vec<Trouble>> {
    let mut out = Vec::new();
    for e in &set.errlist {
        let msg = sanitize(&e.msg);
        let (prefix, _) = e.code.split_once('.').unwrap_or((e.code.as_str(), ""));
        let conn_name = e
            .conn_id
            .as_deref()
            .and_then(|id| set.connections.iter().find(|c| c.conn_id == id))
            .map(|c| sanitize(&c.name));
        let account_name =
            e.account_id.as_deref().and_then(|id| set.accounts.iter().find(|a| a.id == id)).map(|a| sanitize(&a.name));
        let (severity, text) = match (e.code.as_str(), prefix) {
            ("gen.auth", _) => {
                return Err(ProviderError::NeedsRelink(format!("SimpleFIN refused tally's credentials ({msg})")).into());
            }
            ("gen.api", _) => {
                return Err(UserError::failure(format!("SimpleFIN says tally used its API wrongly: {msg}"))
                    .hint("this is a bug in tally; please report it with the output of `tally -v sync`")
                    .into());
            }
            ("con.auth", _) => (
                Severity::Relink,
                format!(
                    "SimpleFIN cannot sign in to {} ({msg}): sign in to the SimpleFIN Bridge and fix that bank \
                     connection, then sync again",
                    conn_name.as_deref().unwrap_or("a bank")
                ),
            ),
            (_, "con") => (Severity::Later, format!("{}: {msg}", conn_name.as_deref().unwrap_or("a bank connection"))),
            (_, "act") => (Severity::Later, format!("{}: {msg}", account_name.as_deref().unwrap_or("an account"))),
            _ => (Severity::Later, format!("SimpleFIN: {msg}")),
        };
        let general = prefix != "con" && prefix != "act";
        out.push(Trouble { severity, text, conn_id: e.conn_id.clone(), account_id: e.account_id.clone(), general });
    }
    for e in &set.errors {
        out.push(Trouble {
            severity: Severity::Later,
            text: format!("SimpleFIN: {}", sanitize(e)),
            conn_id: None,
            account_id: None,
            general: true,
        });
    }
    Ok(out)
}

/// The error of one account a trouble is about: none of its rows was applied this time.
pub fn account_error(t: &Trouble) -> anyhow::Error {
    let text = format!("{}; nothing of this account was saved this time", t.text);
    match t.severity {
        Severity::Relink => ProviderError::NeedsRelink(text).into(),
        Severity::Later => UserError::new(Exit::TempFail, format!("{text} (try again later)"))
            .hint("SimpleFIN often has the data a few hours later; the next sync reads this account again")
            .into(),
    }
}

/// The error a sync ends with when troubles were reported: the worst decides the exit code.
pub fn into_error(troubles: Vec<Trouble>) -> anyhow::Error {
    let worst = troubles.iter().map(|t| t.severity).max().unwrap_or(Severity::Later);
    let text = troubles.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join("; ");
    let text = format!("{text}; every row that could be read was saved");
    match worst {
        Severity::Relink => ProviderError::NeedsRelink(text).into(),
        Severity::Later => UserError::new(Exit::TempFail, format!("{text} (try again later)")).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_token_decodes_to_its_claim_url_and_http_is_refused_off_this_machine() {
        let token = SecretString::new("aHR0cHM6Ly9icmlkZ2Uuc2ltcGxlZmluLm9yZy9zaW1wbGVmaW4vY2xhaW0vZGVtbw==");
        let url = claim_url(&token).unwrap();
        assert_eq!(url.as_str(), "https://bridge.simplefin.org/simplefin/claim/demo");
        assert_eq!(shown_claim_url(&url), "https://bridge.simplefin.org/simplefin/claim/…");
        let unpadded = SecretString::new("aHR0cHM6Ly9icmlkZ2Uuc2ltcGxlZmluLm9yZy9zaW1wbGVmaW4vY2xhaW0vZGVtbw");
        assert_eq!(claim_url(&unpadded).unwrap(), url);

        let http = base64::engine::general_purpose::STANDARD.encode("http://bridge.example/claim/x");
        let err = claim_url(&SecretString::new(http)).unwrap_err();
        assert!(err.to_string().contains("HTTPS only"), "{err}");
        let local = base64::engine::general_purpose::STANDARD.encode("http://127.0.0.1:9/claim/x");
        assert!(claim_url(&SecretString::new(local)).is_ok());
        assert!(claim_url(&SecretString::new("not a token!")).is_err());
    }

    #[test]
    fn an_access_url_loses_its_credentials_to_a_header() {
        let a = Access::parse(&SecretString::new("https://user123:p%40ss456@bridge.simplefin.org/simplefin/")).unwrap();
        assert_eq!(a.base, "https://bridge.simplefin.org/simplefin");
        assert_eq!((a.user.as_str(), a.password.expose()), ("user123", "p@ss456"));
        let err = Access::parse(&SecretString::new("https://bridge.simplefin.org/simplefin")).unwrap_err();
        assert!(err.to_string().contains("no credentials"), "{err}");
        let err = Access::parse(&SecretString::new("http://u:secretpw@bank.example/s")).unwrap_err();
        assert!(!format!("{err:#}").contains("secretpw"));
    }

    #[test]
    fn errlist_codes_become_troubles_about_the_right_accounts() {
        let set: AccountSet = serde_json::from_value(json!({
            "errlist": [
                {"code": "con.auth", "msg": "Authentication failed", "conn_id": "C1"},
                {"code": "act.missingdata", "message": "Incomplete", "account_id": "A2"},
                {"code": "gen.", "msg": "Maintenance tonight"},
            ],
            "connections": [{"conn_id": "C1", "name": "My Bank - Jill"}, {"conn_id": "C2", "name": "Other"}],
            "accounts": [
                {"id": "A1", "name": "Checking", "conn_id": "C1", "currency": "USD", "balance": "1", "balance-date": 1},
                {"id": "A2", "name": "Savings", "conn_id": "C2", "currency": "USD", "balance": "1", "balance-date": 1},
            ],
        }))
        .unwrap();
        let t = troubles(&set).unwrap();
        assert_eq!(t.len(), 3);
        assert!(t[0].text.contains("cannot sign in to My Bank - Jill"), "{}", t[0].text);
        assert!(t[0].affects(&set.accounts[0]) && !t[0].affects(&set.accounts[1]));
        assert!(t[1].text.starts_with("Savings: Incomplete"), "{}", t[1].text);
        assert!(t[1].affects(&set.accounts[1]) && !t[1].affects(&set.accounts[0]));
        assert!(t[2].general());
        let err = into_error(t);
        assert!(crate::sync::needs_relink(&err), "con.auth asks for the user: {err:#}");

        let fatal: AccountSet =
            serde_json::from_value(json!({"errlist": [{"code": "gen.auth", "msg": "No credentials"}]})).unwrap();
        assert!(crate::sync::needs_relink(&troubles(&fatal).unwrap_err()));
    }
}
