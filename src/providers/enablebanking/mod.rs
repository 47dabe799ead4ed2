//! Enable Banking (EU/EEA banks through PSD2): the app-JWT client, its consent step (pick a
//! bank, `POST /auth`, the user pastes the HTTPS address the bank sent them to, `state` is
//! checked, `POST /sessions`), and a date-window feed per account (at most 90 days a request,
//! `continuation_key` followed to the end). Wire structs live in `wire`, HTTP and errors in
//! `api`. What happens to the rows afterwards is sync's business.
//!
//! The connection's secret holds the application id and key (read from `key_file` once, at
//! link time, so the file may go afterwards), the session id, and the accounts `POST
//! /sessions` listed (Enable Banking lists them only there). PSU-present headers are never
//! sent: every read counts as unattended against the PSD2 budget of about 4 a day.

mod api;
mod wire;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::{Context as _, Result};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;

use self::api::{Api, App, Method};
use super::window::WindowPosition;
use super::{
    FetchRequest, LinkOptions, Linked, Page, Provider, ProviderEnv, ProviderError, ProviderKind, Quota, Session,
};
use crate::config::ProviderConfig;
use crate::consent::Conversation;
use crate::error::UserError;
use crate::model::{AccountChange, Change, RemoteAccount};
use crate::secrets::{SecretString, random_hex};

const DEFAULT_URL: &str = "https://api.enablebanking.com";
/// Enable Banking refuses longer ranges (`WRONG_TRANSACTIONS_PERIOD`).
const WINDOW_DAYS: u64 = 90;
/// Later syncs re-read this many days before the last one, for late and changed rows.
const OVERLAP_DAYS: u64 = 14;
/// A first sync reaches this far back (two windows): PSD2 banks often give no more without
/// a fresh strong authentication anyway.
const HISTORY_DAYS: u64 = 179;
/// More pages than this for one window means a server that never stops paging.
const MAX_PAGES: usize = 200;
const REGISTER_HINT: &str = "register an application at https://enablebanking.com/cp/applications (free for \
     personal use in restricted mode), then set [providers.enablebanking] app_id and key_file";

/// PSD2 lets an unattended app read an account about 4 times a day; a sync spends one call
/// on balances and one (or a page more) on transactions per account.
pub fn quota() -> Quota {
    Quota { per_day: Some(4), interval: chrono::Duration::hours(12) }
}

/// `[providers.enablebanking]`: `url`, `app_id`, `key_file`, `redirect_url` (each also
/// `TALLY_ENABLEBANKING_<KEY>`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub url: String,
    pub app_id: Option<String>,
    pub key_file: Option<PathBuf>,
    /// Where the bank sends the user; default: the first one registered with the application.
    pub redirect_url: Option<String>,
}

impl Settings {
    pub fn load(config: &ProviderConfig) -> Result<Settings> {
        config.only_keys(&["url", "app_id", "key_file", "redirect_url"])?;
        let url = config.string("url")?.unwrap_or_else(|| DEFAULT_URL.to_string());
        let parsed = url::Url::parse(&url).map_err(|e| {
            UserError::usage(format!("the Enable Banking url {url:?} is not a URL ({e})"))
                .hint("for example https://api.enablebanking.com")
        })?;
        let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
        if parsed.scheme() != "https" && !loopback {
            return Err(UserError::usage(format!("the Enable Banking url {url:?} is not HTTPS"))
                .hint("bank data only travels over HTTPS (plain HTTP is for 127.0.0.1 test servers)")
                .into());
        }
        Ok(Settings {
            url: url.trim_end_matches('/').to_string(),
            app_id: config.string("app_id")?,
            key_file: config.string("key_file")?.map(PathBuf::from),
            redirect_url: config.string("redirect_url")?,
        })
    }

    pub fn shown(&self) -> Vec<(&'static str, String)> {
        let or_unset = |v: Option<String>| v.unwrap_or_else(|| "(not set)".into());
        vec![
            ("url", self.url.clone()),
            ("app_id", or_unset(self.app_id.clone())),
            ("key_file", or_unset(self.key_file.as_ref().map(|p| p.display().to_string()))),
            ("redirect_url", or_unset(self.redirect_url.clone())),
        ]
    }

    /// The application's credentials, for a new consent.
    fn app(&self) -> Result<App> {
        let (Some(id), Some(path)) = (&self.app_id, &self.key_file) else {
            return Err(UserError::usage("linking Enable Banking needs your application's id and key")
                .hint(REGISTER_HINT)
                .into());
        };
        let key = std::fs::read_to_string(path).map_err(|e| {
            UserError::usage(format!("cannot read the application key {} ({e})", path.display())).hint(REGISTER_HINT)
        })?;
        Ok(App { id: id.clone(), key: SecretString::new(key) })
    }
}

/// What the connection keeps in the secret store.
#[derive(Serialize, Deserialize)]
struct Stored {
    app_id: String,
    key: String,
    session_id: String,
    accounts: Vec<wire::Account>,
}

impl Stored {
    fn read(secret: &SecretString) -> Result<Stored> {
        serde_json::from_str(secret.expose()).map_err(|_| {
            ProviderError::NeedsRelink("the stored Enable Banking session is not one this tally can read".into()).into()
        })
    }

    fn app(&self) -> App {
        App { id: self.app_id.clone(), key: SecretString::new(self.key.clone()) }
    }

    fn uids(&self) -> Vec<String> {
        self.accounts.iter().filter_map(|a| a.uid.clone()).collect()
    }
}

pub struct EnableBanking {
    env: ProviderEnv,
    settings: Settings,
    api: Api,
    /// Accounts with balances, once per command (balances are a call per account).
    accounts: OnceLock<Vec<RemoteAccount>>,
}

impl EnableBanking {
    /// Builds without app credentials: sync and unlink use the ones kept with the connection.
    pub fn new(env: ProviderEnv) -> Result<EnableBanking> {
        let settings = Settings::load(&env.settings)?;
        let api = Api::new(settings.url.clone(), env.http.client()?, env.now);
        Ok(EnableBanking { env, settings, api, accounts: OnceLock::new() })
    }

    /// A call on behalf of the connection, charged to `scope`.
    fn get(
        &self,
        session: &mut Session<'_>,
        path: &str,
        query: &[(&str, &str)],
        scope: &str,
    ) -> Result<serde_json::Value> {
        let stored = Stored::read(session.secret())?;
        self.api.call(&stored.app(), Method::Get, path, query, None, &mut || session.spend(scope))
    }

    fn choose_bank(
        &self,
        app: &App,
        conversation: &mut dyn Conversation,
        options: &LinkOptions,
    ) -> Result<(String, String, i64)> {
        let country = options.country.as_deref().map(str::trim).unwrap_or_default().to_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(UserError::usage("Enable Banking lists banks by country: pass --country XX")
                .hint("the two-letter code of your bank's country, e.g. --country FI or --country DE")
                .into());
        }
        let query = [("country", country.as_str()), ("psu_type", "personal"), ("service", "AIS")];
        let answer = self.api.call(app, Method::Get, "/aspsps", &query, None, &mut || Ok(()))?;
        let banks: Vec<Bank> = serde_json::from_value(answer.get("aspsps").cloned().unwrap_or_default())
            .map_err(|e| ProviderError::Malformed(format!("/aspsps: {e}")))?;
        if banks.is_empty() {
            return Err(UserError::usage(format!("Enable Banking lists no banks in {country}"))
                .hint("check the country code (ISO 3166, e.g. FI, DE, SE)")
                .into());
        }
        let names: Vec<String> = banks.iter().map(|b| b.name.clone()).collect();
        let index = match options.bank.as_deref() {
            Some(wanted) => pick_bank(&names, wanted, &country)?,
            None => conversation.choose("your bank", &names, "pass --bank NAME")?,
        };
        let bank = &banks[index];
        Ok((
            bank.name.clone(),
            bank.country.clone().unwrap_or(country),
            bank.maximum_consent_validity.unwrap_or(90 * 86400),
        ))
    }

    fn redirect_url(&self, app: &App) -> Result<String> {
        if let Some(url) = &self.settings.redirect_url {
            return Ok(url.clone());
        }
        let answer = self.api.call(app, Method::Get, "/application", &[], None, &mut || Ok(()))?;
        answer.get("redirect_urls").and_then(|u| u.get(0)).and_then(|u| u.as_str()).map(str::to_string).ok_or_else(
            || {
                UserError::usage("the Enable Banking application has no redirect URL registered")
                    .hint("add one (HTTPS) to the application, or set [providers.enablebanking] redirect_url")
                    .into()
            },
        )
    }
}

#[derive(Debug, Deserialize)]
struct Bank {
    name: String,
    country: Option<String>,
    maximum_consent_validity: Option<i64>,
}

/// The bank named `wanted` (any case), else the one name that contains it, else an error
/// naming the closest.
fn pick_bank(names: &[String], wanted: &str, country: &str) -> Result<usize> {
    let wanted_lower = wanted.trim().to_lowercase();
    if let Some(i) = names.iter().position(|n| n.to_lowercase() == wanted_lower) {
        return Ok(i);
    }
    let containing: Vec<usize> =
        (0..names.len()).filter(|&i| names[i].to_lowercase().contains(&wanted_lower)).collect();
    if let [only] = containing.as_slice() {
        return Ok(*only);
    }
    let mut closest: Vec<&String> = names.iter().collect();
    closest.sort_by_key(|n| (!n.to_lowercase().contains(&wanted_lower), distance(&n.to_lowercase(), &wanted_lower)));
    let shown: Vec<String> = closest.iter().take(5).map(|n| format!("{n:?}")).collect();
    Err(UserError::usage(format!("Enable Banking lists no bank {wanted:?} in {country}"))
        .hint(format!("closest: {}; pass one of them with --bank", shown.join(", ")))
        .into())
}

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The port and path of a redirect URL on this machine's loopback (`http://127.0.0.1:PORT/...`
/// or `localhost`), which tally can receive itself; `None` for any other (HTTPS) URL.
fn loopback(redirect_url: &str) -> Option<(u16, String)> {
    let url = url::Url::parse(redirect_url).ok()?;
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost"));
    (url.scheme() == "http" && local).then(|| (url.port_or_known_default().unwrap_or(80), url.path().to_string()))
}

/// `from`..=`to` in windows of at most [`WINDOW_DAYS`] days.
fn windows(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = (start + Days::new(WINDOW_DAYS - 1)).min(to);
        out.push((start, end));
        start = end + Days::new(1);
    }
    out
}

impl EnableBanking {
    /// Every row of one account from `from` to `to`, all windows and pages, or an error and
    /// nothing: a page is only useful with the rest of its window.
    fn read_account(
        &self,
        session: &mut Session<'_>,
        uid: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<serde_json::Value>> {
        let scope = session.account_scope(uid);
        let path = format!(
            "/accounts/{}/transactions",
            url::form_urlencoded::byte_serialize(uid.as_bytes()).collect::<String>()
        );
        let mut rows = Vec::new();
        for (start, end) in windows(from, to) {
            let (start, end) = (start.to_string(), end.to_string());
            let mut keys = HashSet::new();
            let mut key: Option<String> = None;
            for page in 1.. {
                if page > MAX_PAGES {
                    return Err(paging_error(uid, format!("it sent more than {MAX_PAGES} pages for one window")));
                }
                let mut query = vec![("date_from", start.as_str()), ("date_to", end.as_str())];
                if let Some(k) = &key {
                    query.push(("continuation_key", k.as_str()));
                }
                let answer = self.get(session, &path, &query, &scope)?;
                let transactions = answer
                    .get("transactions")
                    .and_then(|t| t.as_array())
                    .ok_or_else(|| ProviderError::Malformed(format!("{path}: no transactions list")))?;
                rows.extend(transactions.iter().cloned());
                match answer.get("continuation_key").and_then(|k| k.as_str()).filter(|k| !k.is_empty()) {
                    None => break,
                    Some(k) if !keys.insert(k.to_string()) => {
                        return Err(paging_error(uid, format!("it sent the continuation_key {k:?} twice")));
                    }
                    Some(k) => key = Some(k.to_string()),
                }
            }
        }
        Ok(rows)
    }
}

fn paging_error(uid: &str, why: String) -> anyhow::Error {
    ProviderError::Malformed(format!(
        "Enable Banking kept paging account {uid}: {why}; tally stopped reading it and kept nothing of this read"
    ))
    .into()
}

/// A stored raw record: the transaction as received, with the id tally gave it.
fn to_change(account: &str, id: String, raw: serde_json::Value) -> Result<Option<AccountChange>> {
    let t: wire::Transaction =
        serde_json::from_value(raw.clone()).map_err(|e| ProviderError::Malformed(format!("transaction: {e}")))?;
    let Some(t) = wire::to_transaction(&t, id.clone())? else { return Ok(None) };
    Ok(Some(AccountChange {
        account_external_id: account.to_string(),
        raw: json!({ "id": id, "transaction": raw }).to_string(),
        change: Change::Upsert(t),
    }))
}

impl Provider for EnableBanking {
    fn kind(&self) -> ProviderKind {
        ProviderKind::EnableBanking
    }

    fn link(&self, conversation: &mut dyn Conversation, options: &LinkOptions) -> Result<Linked> {
        let app = self.settings.app()?;
        let (bank, country, max_secs) = self.choose_bank(&app, conversation, options)?;
        let redirect_url = self.redirect_url(&app)?;
        // Bound before the consent starts: a busy port fails now, not after the user consented.
        let listener =
            loopback(&redirect_url).map(|(port, path)| crate::consent::Listener::bind_at(port, &path)).transpose()?;
        let state = random_hex()?;
        let valid_until = self.env.now + chrono::Duration::seconds(max_secs);
        let body = json!({
            "access": { "valid_until": valid_until.to_rfc3339() },
            "aspsp": { "name": bank, "country": country },
            "state": state,
            "redirect_url": redirect_url,
            "psu_type": "personal",
        });
        let started = self.api.call(&app, Method::Post, "/auth", &[], Some(&body), &mut || Ok(()))?;
        let url = started
            .get("url")
            .and_then(|u| u.as_str())
            .ok_or_else(|| ProviderError::Malformed("/auth: no url".into()))?;
        let back = match listener {
            // A redirect tally can receive itself: no pasting.
            Some(listener) => {
                let callback = conversation.redirect(url, listener, options.timeout)?;
                ["state", "code", "error", "error_description"]
                    .iter()
                    .filter_map(|k| callback.get(k).map(|v| (k.to_string(), v.to_string())))
                    .collect()
            }
            None => {
                conversation.show_url(url, true);
                conversation.open_browser(url);
                conversation.say(&format!(
                    "After you consent, {bank} sends your browser to {redirect_url}. Copy that whole address from the address bar."
                ));
                let pasted = conversation.pasted_url("the address the bank sent you to")?;
                pasted.query_pairs().into_owned().collect::<std::collections::HashMap<String, String>>()
            }
        };
        let param = |k: &str| back.get(k).cloned();
        if let Some(error) = param("error") {
            let why = param("error_description").map(|d| format!(": {d}")).unwrap_or_default();
            return Err(UserError::failure(format!("the bank did not grant access ({error}{why})"))
                .hint("run `tally link enablebanking` again and approve the access at your bank")
                .into());
        }
        if param("state").as_deref() != Some(state.as_str()) {
            return Err(UserError::failure(
                "that address does not belong to this consent (its state does not match); nothing was linked",
            )
            .hint("paste the address the bank sent you to after this very `tally link`")
            .into());
        }
        let code = param("code").ok_or_else(|| {
            UserError::usage("that address carries no authorization code").hint("copy the whole address, query and all")
        })?;
        let session =
            self.api.call(&app, Method::Post, "/sessions", &[], Some(&json!({ "code": code })), &mut || Ok(()))?;
        let wire_session: SessionAnswer =
            serde_json::from_value(session).map_err(|e| ProviderError::Malformed(format!("/sessions: {e}")))?;
        let stored = Stored {
            app_id: app.id.clone(),
            key: app.key.expose().to_string(),
            session_id: wire_session.session_id,
            accounts: wire_session.accounts,
        };
        let secret = SecretString::new(serde_json::to_string(&stored).context("cannot keep the session")?);
        Ok(Linked {
            secret,
            institution: wire_session.aspsp.map_or(bank, |a| a.name),
            consent_expires_at: wire_session.access.and_then(|a| a.valid_until).or(Some(valid_until)),
        })
    }

    fn accounts(&self, session: &mut Session<'_>) -> Result<Vec<RemoteAccount>> {
        if let Some(cached) = self.accounts.get() {
            return Ok(cached.clone());
        }
        let stored = Stored::read(session.secret())?;
        let mut out = Vec::new();
        for account in &stored.accounts {
            let Some(uid) = &account.uid else { continue };
            let scope = format!("{} balances", session.account_scope(uid));
            let path = format!(
                "/accounts/{}/balances",
                url::form_urlencoded::byte_serialize(uid.as_bytes()).collect::<String>()
            );
            let answer = self.get(session, &path, &[], &scope)?;
            let balances: Vec<wire::Balance> =
                serde_json::from_value(answer.get("balances").cloned().unwrap_or_default())
                    .map_err(|e| ProviderError::Malformed(format!("{path}: {e}")))?;
            out.extend(account.to_remote(&balances, self.env.now)?);
        }
        let _ = self.accounts.set(out.clone());
        Ok(out)
    }

    fn fetch(&self, session: &mut Session<'_>, request: &FetchRequest<'_>) -> Result<Page> {
        let position = WindowPosition::parse(request.position, request.accounts)?;
        let order = Stored::read(session.secret())?.uids();
        let today = self.env.now.date_naive();
        let Some(account) = position.next(&order, request.accounts) else {
            let next = WindowPosition { done: Default::default(), ..position };
            return Ok(Page { changes: Vec::new(), next_position: next.encode(), has_more: false, window: None });
        };
        let from = position.window_start(account, today, OVERLAP_DAYS, HISTORY_DAYS);
        let rows = self.read_account(session, account, from, today)?;
        let ids = wire::assign_ids(&rows);
        let mut changes = Vec::with_capacity(rows.len());
        for (id, raw) in ids.into_iter().zip(rows) {
            changes.extend(to_change(account, id, raw)?);
        }
        let (next, has_more) = position.after(account, today, &order, request.accounts);
        let window = super::Window { account_external_id: account.clone(), from };
        Ok(Page { changes, next_position: next.encode(), has_more, window: Some(window) })
    }

    fn revoke(&self, session: &mut Session<'_>) -> Result<()> {
        let stored = Stored::read(session.secret())?;
        let path = format!(
            "/sessions/{}",
            url::form_urlencoded::byte_serialize(stored.session_id.as_bytes()).collect::<String>()
        );
        match self.api.call(&stored.app(), Method::Delete, &path, &[], None, &mut || Ok(())) {
            Ok(_) => Ok(()),
            // Ended at the bank already: nothing left to revoke.
            Err(e) if super::super::sync::needs_relink(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn normalize(&self, raw: &str) -> Result<Change> {
        let value: serde_json::Value =
            serde_json::from_str(raw).map_err(|e| ProviderError::Malformed(format!("stored record: {e}")))?;
        let (Some(id), Some(t)) = (value.get("id").and_then(|i| i.as_str()), value.get("transaction")) else {
            return Err(ProviderError::Malformed("stored record: not an Enable Banking transaction".into()).into());
        };
        let t: wire::Transaction =
            serde_json::from_value(t.clone()).map_err(|e| ProviderError::Malformed(format!("stored record: {e}")))?;
        match wire::to_transaction(&t, id.to_string())? {
            Some(t) => Ok(Change::Upsert(t)),
            None => Ok(Change::Remove { external_id: id.to_string() }),
        }
    }
}

#[derive(Deserialize)]
struct SessionAnswer {
    session_id: String,
    accounts: Vec<wire::Account>,
    aspsp: Option<Aspsp>,
    access: Option<Access>,
}

#[derive(Deserialize)]
struct Aspsp {
    name: String,
}

#[derive(Deserialize)]
struct Access {
    valid_until: Option<chrono::DateTime<chrono::Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_url_must_be_https_except_on_loopback() {
        let with_url = |url: &str| {
            let mut sections = crate::config::ProviderSections::default();
            sections.set_override("enablebanking", "url", url);
            Settings::load(&sections.get("enablebanking"))
        };
        assert_eq!(with_url("https://api.enablebanking.com/").unwrap().url, "https://api.enablebanking.com");
        assert!(with_url("http://127.0.0.1:9/").is_ok());
        let err = with_url("http://api.enablebanking.com").unwrap_err();
        assert_eq!(crate::error::user_error(&err).unwrap().exit, crate::error::Exit::Usage);
        assert!(Settings::load(&crate::config::ProviderConfig::empty("enablebanking")).unwrap().app().is_err());
    }

    #[test]
    fn windows_are_at_most_ninety_days_and_cover_every_day() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let w = windows(d("2026-05-28"), d("2026-11-23"));
        assert_eq!(w.len(), 2);
        assert_eq!(w[0], (d("2026-05-28"), d("2026-08-25")));
        assert_eq!(w[1], (d("2026-08-26"), d("2026-11-23")));
        assert!(w.iter().all(|(a, b)| (*b - *a).num_days() < 90));
        assert_eq!(windows(d("2026-11-23"), d("2026-11-23")).len(), 1);
    }

    #[test]
    fn a_bank_is_found_in_any_case_or_the_closest_are_named() {
        let names: Vec<String> =
            ["Nordea", "Nordea Business", "OP", "S-Pankki"].iter().map(|s| s.to_string()).collect();
        assert_eq!(pick_bank(&names, "nordea", "FI").unwrap(), 0);
        assert_eq!(pick_bank(&names, "pankki", "FI").unwrap(), 3);
        let err = pick_bank(&names, "Nordia", "FI").unwrap_err();
        let hint = crate::error::user_error(&err).unwrap().hint.clone().unwrap();
        assert!(hint.starts_with("closest: \"Nordea\""), "{hint}");
    }
}
