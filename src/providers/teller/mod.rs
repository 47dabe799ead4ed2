//! The Teller provider (US banks). Link: the application's client certificate and key from the
//! user's `teller.zip` (paths given once, kept in the secret store with the enrollment's access
//! token, never in the database), then Teller Connect in a page served on 127.0.0.1
//! (`link.rs`). Sync: per tracked account, `/accounts/{id}/transactions` paged newest first
//! with `count`/`from_id` back to the account's window (two weeks before its last sync, or
//! its whole history the first time); the page is the account's whole state from that date,
//! so the shared window reconciler derives what vanished. `api.rs` has the HTTP side (mTLS,
//! Basic auth, `Teller-Version`, errors), `wire.rs` the payloads.

mod api;
mod link;
pub(super) mod wire;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context as _, Result};
use chrono::{Days, NaiveDate};
use serde_json::value::RawValue;

use self::api::{Api, Keys};
use super::window::WindowPosition;
use super::{FetchRequest, LinkOptions, Linked, Page, Provider, ProviderEnv, ProviderKind, Quota, Session, Window};
use crate::config::ProviderConfig;
use crate::consent::Conversation;
use crate::error::UserError;
use crate::model::{AccountChange, Change, RemoteAccount};
use crate::providers::ProviderError;

const DEFAULT_URL: &str = "https://api.teller.io";
/// Transactions asked for per call.
const COUNT: u32 = 250;
/// Calls for one account in one sync before tally decides the server never stops (50,000 rows).
const MAX_PAGES: u32 = 200;
/// An account's window starts this many days before its last sync: pending rows post, late
/// rows arrive.
const OVERLAP_DAYS: u64 = 14;

/// Teller documents no daily call limit; the bank is read live on each call.
pub fn quota() -> Quota {
    Quota { per_day: None, interval: chrono::Duration::hours(6) }
}

/// `[providers.teller]`: `url` (`TALLY_TELLER_URL`), `environment` for Teller Connect
/// (sandbox | development | production), `application_id`, `certificate` and `key` (paths,
/// read at link only), `ca_file` (roots to trust instead of the system's: a proxy's, a test's).
#[derive(Debug, Clone)]
pub struct Settings {
    pub url: String,
    pub environment: String,
    pub application_id: Option<String>,
    pub certificate: Option<String>,
    pub key: Option<String>,
    pub ca_file: Option<String>,
}

impl Settings {
    pub fn load(config: &ProviderConfig) -> Result<Settings> {
        config.only_keys(&["url", "environment", "application_id", "certificate", "key", "ca_file"])?;
        let url = config.string("url")?.unwrap_or_else(|| DEFAULT_URL.to_string());
        let parsed = url::Url::parse(&url).map_err(|e| {
            UserError::usage(format!("the Teller url {url:?} is not a URL ({e})"))
                .hint(format!("set [providers.teller] url (or TALLY_TELLER_URL) to {DEFAULT_URL}"))
        })?;
        if parsed.scheme() != "https" {
            return Err(UserError::usage(format!("the Teller url {url:?} is not HTTPS"))
                .hint("Teller is reached over HTTPS only: its client certificate needs TLS")
                .into());
        }
        let environment = config.string("environment")?.unwrap_or_else(|| "development".to_string());
        if !["sandbox", "development", "production"].contains(&environment.as_str()) {
            return Err(UserError::usage(format!(
                "the Teller environment {environment:?} is not sandbox, development or production"
            ))
            .hint("set [providers.teller] environment (or TALLY_TELLER_ENVIRONMENT)")
            .into());
        }
        let text = |key: &str| -> Result<Option<String>> {
            Ok(config.string(key)?.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()))
        };
        Ok(Settings {
            url: url.trim_end_matches('/').to_string(),
            environment,
            application_id: text("application_id")?,
            certificate: text("certificate")?,
            key: text("key")?,
            ca_file: text("ca_file")?,
        })
    }

    pub fn shown(&self) -> Vec<(&'static str, String)> {
        let mut shown = vec![("url", self.url.clone()), ("environment", self.environment.clone())];
        if let Some(a) = &self.application_id {
            shown.push(("application_id", a.clone()));
        }
        shown
    }
}

/// A PEM file the user named, with a clear error when it is not one.
fn read_pem(path: &str, what: &str, flag: &str) -> Result<String> {
    let bytes = std::fs::read(Path::new(path)).map_err(|e| {
        UserError::usage(format!("cannot read the Teller {what} {path} ({e})")).hint(format!("pass {flag} PATH"))
    })?;
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(UserError::usage(format!("{path} is a zip archive, not the {what}"))
            .hint("unzip teller.zip and pass --cert certificate.pem --key private_key.pem")
            .into());
    }
    match String::from_utf8(bytes) {
        Ok(text) if text.contains("-----BEGIN ") => Ok(text.trim().to_string()),
        _ => Err(UserError::usage(format!("{path} is not a PEM file, so it cannot be the Teller {what}"))
            .hint("use certificate.pem and private_key.pem from your teller.zip")
            .into()),
    }
}

pub struct Teller {
    env: ProviderEnv,
    settings: Settings,
    api: Api,
    /// The enrollment's accounts, by access token: listed once per command.
    accounts: Mutex<Option<Listed>>,
}

impl Teller {
    pub fn new(env: ProviderEnv) -> Result<Teller> {
        let settings = Settings::load(&env.settings)?;
        let mut http = env.http.clone();
        if let Some(path) = &settings.ca_file {
            let pem = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the root certificates in {path} ([providers.teller] ca_file)"))?;
            http = http.with_roots(pem);
        }
        let api = Api::new(settings.url.clone(), http);
        Ok(Teller { env, settings, api, accounts: Mutex::new(None) })
    }

    /// The certificate and key for a link: given now, or those of the enrollment renewed.
    fn certificate(&self, current: Option<&Keys>) -> Result<(String, String)> {
        match (&self.settings.certificate, &self.settings.key) {
            (Some(cert), Some(key)) => {
                Ok((read_pem(cert, "certificate", "--cert")?, read_pem(key, "private key", "--key")?))
            }
            (Some(_), None) | (None, Some(_)) => Err(UserError::usage("Teller needs both the certificate and its key")
                .hint("pass --cert certificate.pem --key private_key.pem (both from your teller.zip)")
                .into()),
            (None, None) => match current {
                Some(k) if !k.certificate.is_empty() => Ok((k.certificate.clone(), k.key.clone())),
                _ if self.settings.environment == "sandbox" => Ok((String::new(), String::new())),
                _ => Err(UserError::usage("Teller's API needs your application's client certificate")
                    .hint(
                        "pass --cert certificate.pem --key private_key.pem from the teller.zip you downloaded \
                         when you signed up (a new pair: the Certificates page of the Teller dashboard)",
                    )
                    .into()),
            },
        }
    }

    /// Every transaction of `account` from the newest back to `until` (or to the end),
    /// following `from_id`; each row with the paging fields read. A server that repeats a
    /// page, or never stops, stops this account with a clear error and nothing kept.
    fn transactions(
        &self,
        session: &mut Session<'_>,
        keys: &Keys,
        account: &str,
        until: Option<NaiveDate>,
    ) -> Result<Vec<(wire::Head, Box<RawValue>)>> {
        let scope = session.account_scope(account);
        let id = url::form_urlencoded::byte_serialize(account.as_bytes()).collect::<String>();
        let (mut rows, mut seen, mut from_id) = (Vec::new(), HashSet::new(), None::<String>);
        for _ in 0..MAX_PAGES {
            let mut path = format!("/accounts/{id}/transactions?count={COUNT}");
            if let Some(f) = &from_id {
                path.push_str("&from_id=");
                path.extend(url::form_urlencoded::byte_serialize(f.as_bytes()));
            }
            let page: Vec<Box<RawValue>> = self.api.get(keys, &path, &mut || session.spend(&scope))?;
            let (mut fresh, mut last, mut oldest) = (0, None, None::<NaiveDate>);
            for raw in page {
                let head: wire::Head = serde_json::from_str(raw.get())
                    .map_err(|e| ProviderError::Malformed(format!("Teller: a transaction of {account}: {e}")))?;
                // A server that counts `from_id` in its page sends that row again: skip it.
                if from_id.as_deref() == Some(head.id.as_str()) {
                    continue;
                }
                last = Some(head.id.clone());
                if seen.insert(head.id.clone()) {
                    fresh += 1;
                    oldest = Some(oldest.map_or(head.date, |o| o.min(head.date)));
                    rows.push((head, raw));
                }
            }
            let Some(last) = last else { return Ok(rows) };
            if fresh == 0 {
                return Err(ProviderError::Malformed(format!(
                    "Teller sent the same transactions again for account {account} (from_id {}); stopped so as \
                     not to loop, and kept nothing of this account",
                    from_id.as_deref().unwrap_or("none")
                ))
                .into());
            }
            if until.is_some_and(|u| oldest.is_some_and(|o| o < u)) {
                return Ok(rows);
            }
            from_id = Some(last);
        }
        Err(ProviderError::Malformed(format!(
            "Teller kept paging past {MAX_PAGES} pages for account {account}; stopped and kept nothing of it"
        ))
        .into())
    }

    /// The enrollment's accounts with their live balances, listed once per command. An account
    /// whose balances cannot be read alone (a 4xx about it) is reported failed
    /// (`Session::account_failed`) and kept without balances: the others go on.
    fn listed(&self, session: &mut Session<'_>, keys: &Keys) -> Result<Listed> {
        let mut cached = self.accounts.lock().expect("not poisoned");
        if let Some(listed) = cached.as_ref()
            && listed.token == keys.access_token
        {
            return Ok(listed.clone());
        }
        let mut failed = Vec::new();
        let wire: Vec<wire::WireAccount> = self.api.get(keys, "/accounts", &mut || session.spend("accounts"))?;
        let mut accounts = Vec::with_capacity(wire.len());
        for a in &wire {
            // Balances are read live from the bank: only where the institution offers them.
            let balances = if a.links.balances.is_some() && a.status.as_deref() != Some("closed") {
                let scope = session.account_scope(&a.id);
                let id = url::form_urlencoded::byte_serialize(a.id.as_bytes()).collect::<String>();
                match self.api.get(keys, &format!("/accounts/{id}/balances"), &mut || session.spend(&scope)) {
                    Ok(b) => Some(b),
                    Err(e) if super::one_account_only(&e) => {
                        session.account_failed(&a.id, e);
                        failed.push(a.id.clone());
                        None
                    }
                    Err(e) => return Err(e),
                }
            } else {
                None
            };
            accounts.push(wire::to_remote(a, balances.as_ref(), self.env.now)?);
        }
        let listed = Listed { token: keys.access_token.clone(), accounts, failed };
        *cached = Some(listed.clone());
        Ok(listed)
    }
}

/// The accounts one listing found, for the access token it used, and those that failed in it.
#[derive(Clone)]
struct Listed {
    token: String,
    accounts: Vec<RemoteAccount>,
    failed: Vec<String>,
}

impl Provider for Teller {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Teller
    }

    fn link(&self, conversation: &mut dyn Conversation, options: &LinkOptions) -> Result<Linked> {
        let current = options.renew.as_ref().map(Keys::parse).transpose()?;
        // A relink uses the application it was linked in unless told otherwise.
        let linked_in = current.as_ref().map(|k| k.application_id.as_str()).filter(|a| !a.is_empty());
        let application_id = link::check_application_id(self.settings.application_id.as_deref().or(linked_in))?;
        let (certificate, key) = self.certificate(current.as_ref())?;
        let mut keys = Keys { application_id: application_id.to_string(), certificate, key, ..Keys::default() };
        // A certificate that cannot be used fails now, before the user goes through Connect.
        self.api.client(&keys)?;
        let repair = current.as_ref().map(|k| k.enrollment_id.as_str()).filter(|e| !e.is_empty());
        let enrolled = link::enroll(conversation, options, application_id, &self.settings.environment, repair)?;
        keys.access_token = enrolled.access_token;
        keys.enrollment_id = enrolled.enrollment_id;
        conversation.say("Teller Connect finished; the access token and certificate are kept in the secret store.");
        Ok(Linked {
            secret: keys.to_secret(),
            institution: crate::model::clip_name(enrolled.institution.as_deref().unwrap_or("Teller")),
            consent_expires_at: None,
        })
    }

    fn accounts(&self, session: &mut Session<'_>) -> Result<Vec<RemoteAccount>> {
        let keys = Keys::parse(session.secret())?;
        Ok(self.listed(session, &keys)?.accounts)
    }

    /// One tracked account per page: all of its transactions in its window, so a failure
    /// keeps nothing of it. An account that cannot be read alone (a repeated or endless
    /// `from_id` page, an unreadable row, a 4xx about it) is reported to sync as failed
    /// (`Session::account_failed`), keeps its window start so the next sync reads the gap, and
    /// the pass goes on with the next account; an error about the whole enrollment stops it.
    fn fetch(&self, session: &mut Session<'_>, request: &FetchRequest<'_>) -> Result<Page> {
        let keys = Keys::parse(session.secret())?;
        let mut position = WindowPosition::parse(request.position, request.accounts)?;
        let today = self.env.now.date_naive();
        loop {
            let Some(account) = position.next(request.accounts, request.accounts).cloned() else {
                // Nothing left in this pass (every account left failed): a fresh pass next time.
                let next = WindowPosition { done: Default::default(), ..position };
                return Ok(Page { changes: Vec::new(), next_position: next.encode(), has_more: false, window: None });
            };
            let listed = self.listed(session, &keys)?;
            // Failed while listing: reported there; its window stays where it was.
            if listed.failed.contains(&account) {
                position.done.insert(account);
                continue;
            }
            let currency = listed.accounts.iter().find(|a| a.external_id == account).map(|a| a.currency);
            let currency = currency.ok_or_else(|| {
                ProviderError::NeedsRelink(format!("Teller no longer lists account {account} in this enrollment"))
            })?;
            let until = position.since.get(&account).map(|d| *d - Days::new(OVERLAP_DAYS));
            let read = self.transactions(session, &keys, &account, until).and_then(|rows| {
                let from = until.or_else(|| rows.iter().map(|(h, _)| h.date).min()).unwrap_or(today);
                let mut changes = Vec::with_capacity(rows.len());
                for (_, raw) in rows {
                    let raw = wire::record(currency, &raw);
                    changes.push(AccountChange {
                        account_external_id: account.clone(),
                        change: wire::normalize(&raw)?,
                        raw,
                    });
                }
                Ok((from, changes))
            });
            let (from, changes) = match read {
                Ok(read) => read,
                Err(e) if super::one_account_only(&e) => {
                    session.account_failed(&account, e);
                    position.done.insert(account);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let (next, has_more) = position.after(&account, today, request.accounts, request.accounts);
            let window = Window { account_external_id: account, from };
            return Ok(Page { changes, next_position: next.encode(), has_more, window: Some(window) });
        }
    }

    /// Teller has no token to revoke: tally's access ends when every account of the
    /// enrollment is deleted from the application (`DELETE /accounts/{id}`).
    fn revoke(&self, session: &mut Session<'_>) -> Result<()> {
        let keys = Keys::parse(session.secret())?;
        let accounts: Vec<wire::WireAccount> = self.api.get(&keys, "/accounts", &mut || Ok(()))?;
        for a in accounts {
            let id = url::form_urlencoded::byte_serialize(a.id.as_bytes()).collect::<String>();
            self.api.delete(&keys, &format!("/accounts/{id}"))?;
        }
        Ok(())
    }

    fn normalize(&self, raw: &str) -> Result<Change> {
        wire::normalize(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_to_the_live_api_and_refuse_plain_http() {
        let s = Settings::load(&ProviderConfig::empty("teller")).unwrap();
        assert_eq!((s.url.as_str(), s.environment.as_str()), (DEFAULT_URL, "development"));
        assert!(s.application_id.is_none() && s.certificate.is_none());
    }

    #[test]
    fn a_zip_or_a_non_pem_file_is_refused_with_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("teller.zip");
        std::fs::write(&zip, b"PK\x03\x04rest").unwrap();
        let err = read_pem(zip.to_str().unwrap(), "certificate", "--cert").unwrap_err();
        let user = crate::error::user_error(&err).unwrap();
        assert!(user.message.contains("zip archive") && user.hint.as_deref().unwrap().contains("unzip"));
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "hello").unwrap();
        assert!(read_pem(text.to_str().unwrap(), "certificate", "--cert").is_err());
    }
}
