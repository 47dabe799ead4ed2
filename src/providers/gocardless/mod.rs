//! GoCardless Bank Account Data (ex-Nordigen; EU/EEA and UK banks through PSD2), for people
//! who still have keys (sign-ups closed in 2025). Link: the user's secret id and key (asked
//! without echo, or `--token-file`), then an end-user agreement and a requisition polled until
//! linked (`link.rs`). Sync: per account a date window of transactions (`feed.rs`), then the
//! details (read once, kept) and balances. GoCardless allows 4 calls a day per account and
//! scope (details, balances, transactions); the quota ledger holds that. `api.rs` has HTTP,
//! tokens and errors, `wire.rs` the payloads. What happens to the rows afterwards is sync's.
//!
//! The connection's secret holds the secret id and key, the current token pair, the
//! requisition, its accounts and their details.

mod api;
mod feed;
mod link;
pub(super) mod wire;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use self::api::{Api, Auth, Method};
use super::{
    FetchRequest, LinkOptions, Linked, Page, Provider, ProviderEnv, ProviderError, ProviderKind, Quota, Session,
};
use crate::config::ProviderConfig;
use crate::consent::Conversation;
use crate::error::UserError;
use crate::model::{Change, RemoteAccount};
use crate::secrets::SecretString;

const DEFAULT_URL: &str = "https://bankaccountdata.gocardless.com";
/// Where the bank sends the user's browser after consenting. tally polls the requisition
/// instead of receiving it, so the page need not exist (and a phone may open the link).
const DEFAULT_REDIRECT: &str = "http://127.0.0.1/tally/gocardless/linked";
/// GoCardless' limit since 2025-03-10: 4 calls a day per account and scope.
const PER_DAY: u32 = 4;

/// A sync spends one call per account on transactions and one on balances (details are read
/// once); three unattended syncs a day leave room for one by hand.
pub fn quota() -> Quota {
    Quota { per_day: Some(PER_DAY), interval: chrono::Duration::hours(8) }
}

/// `[providers.gocardless]`: `url`, `secret_id`, `redirect_url`, `poll_ms` (each also
/// `TALLY_GOCARDLESS_<KEY>`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub url: String,
    pub secret_id: Option<String>,
    pub redirect_url: String,
    pub poll: Duration,
}

impl Settings {
    pub fn load(config: &ProviderConfig) -> Result<Settings> {
        config.only_keys(&["url", "secret_id", "redirect_url", "poll_ms"])?;
        let url = config.string("url")?.unwrap_or_else(|| DEFAULT_URL.to_string());
        let parsed = url::Url::parse(&url).map_err(|e| {
            UserError::usage(format!("the GoCardless url {url:?} is not a URL ({e})"))
                .hint(format!("for example {DEFAULT_URL}"))
        })?;
        let loopback = matches!(parsed.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
            || matches!(parsed.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
        if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
            return Err(UserError::usage(format!("the GoCardless url {url:?} is not HTTPS"))
                .hint("bank data only travels over HTTPS (plain HTTP is for 127.0.0.1 test servers)")
                .into());
        }
        let redirect_url = config.string("redirect_url")?.unwrap_or_else(|| DEFAULT_REDIRECT.to_string());
        url::Url::parse(&redirect_url).map_err(|e| {
            UserError::usage(format!("the GoCardless redirect_url {redirect_url:?} is not a URL ({e})"))
        })?;
        let poll_ms = match config.string("poll_ms")? {
            None => 3000,
            Some(ms) => ms.trim().parse::<u64>().ok().filter(|ms| *ms > 0).ok_or_else(|| {
                UserError::usage(format!("poll_ms {ms:?} is not a positive whole number of milliseconds"))
            })?,
        };
        Ok(Settings {
            url: url.trim_end_matches('/').to_string(),
            secret_id: config.string("secret_id")?.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
            redirect_url,
            poll: Duration::from_millis(poll_ms),
        })
    }

    pub fn shown(&self) -> Vec<(&'static str, String)> {
        vec![
            ("url", self.url.clone()),
            ("secret_id", self.secret_id.clone().unwrap_or_else(|| "(asked at link)".into())),
            ("redirect_url", self.redirect_url.clone()),
            ("poll_ms", self.poll.as_millis().to_string()),
        ]
    }
}

/// What the connection keeps in the secret store.
#[derive(Serialize, Deserialize)]
struct Stored {
    auth: Auth,
    requisition_id: String,
    /// The agreement's history, the furthest back a window may start.
    max_historical_days: u32,
    consent_expires_at: Option<DateTime<Utc>>,
    /// The requisition's account ids, in its order.
    accounts: Vec<String>,
    /// `DetailSchema` per account, read once.
    #[serde(default)]
    details: BTreeMap<String, wire::Detail>,
}

impl Stored {
    fn read(secret: &SecretString) -> Result<Stored> {
        serde_json::from_str(secret.expose()).map_err(|_| {
            ProviderError::NeedsRelink("the stored GoCardless connection is not one this tally can read".into()).into()
        })
    }

    fn to_secret(&self) -> SecretString {
        SecretString::new(serde_json::to_string(self).expect("serializes"))
    }
}

pub struct GoCardless {
    env: ProviderEnv,
    settings: Settings,
    api: Api,
    /// Accounts with balances, once per command.
    accounts: OnceLock<Vec<RemoteAccount>>,
    /// Scopes whose rate-limit headers said no successful call is left today.
    exhausted: Mutex<HashSet<String>>,
}

impl GoCardless {
    pub fn new(env: ProviderEnv) -> Result<GoCardless> {
        let settings = Settings::load(&env.settings)?;
        let api = Api { url: settings.url.clone(), http: env.http.client()?, now: env.now };
        Ok(GoCardless { env, settings, api, accounts: OnceLock::new(), exhausted: Mutex::default() })
    }

    /// The secret id and key: the stored ones on a relink, else asked (or read from
    /// `--token-file`). One answer `SECRET_ID:SECRET_KEY` gives both.
    fn credentials(&self, conversation: &mut dyn Conversation) -> Result<Auth> {
        conversation.say(
            "tally uses your own GoCardless Bank Account Data keys: https://bankaccountdata.gocardless.com/user-secrets/",
        );
        let (id, key) = match &self.settings.secret_id {
            Some(id) => (id.clone(), conversation.secret("your GoCardless secret_key")?.expose().to_string()),
            None => {
                let answer =
                    conversation.secret("your GoCardless secret_id and secret_key, as SECRET_ID:SECRET_KEY")?;
                match answer.expose().split_once(':') {
                    Some((id, key)) => (id.to_string(), key.to_string()),
                    None => (
                        answer.expose().to_string(),
                        conversation.secret("your GoCardless secret_key")?.expose().to_string(),
                    ),
                }
            }
        };
        let (id, key) = (id.trim().to_string(), key.trim().to_string());
        if id.is_empty() || key.is_empty() || id == key {
            return Err(UserError::usage("the GoCardless secret_id and secret_key are both needed")
                .hint("give them as SECRET_ID:SECRET_KEY (in the --token-file, or at the prompt), or set [providers.gocardless] secret_id")
                .into());
        }
        Ok(Auth { secret_id: id, secret_key: key, tokens: None })
    }

    /// A GET on behalf of the connection, charged to `scope` (none: not a limited scope). New
    /// tokens are kept at once, whatever became of the call.
    fn get(
        &self,
        session: &mut Session<'_>,
        path: &str,
        query: &[(&str, &str)],
        scope: Option<&str>,
    ) -> Result<serde_json::Value> {
        let mut stored = Stored::read(session.secret())?;
        if let Some(at) = stored.consent_expires_at
            && at <= self.env.now
        {
            return Err(ProviderError::NeedsRelink(format!(
                "the GoCardless end-user agreement expired on {}",
                at.date_naive()
            ))
            .into());
        }
        if let Some(scope) = scope
            && self.exhausted.lock().unwrap_or_else(|p| p.into_inner()).contains(scope)
        {
            return Err(ProviderError::QuotaExhausted { scope: scope.to_string(), limit: PER_DAY }.into());
        }
        let before = stored.auth.tokens.as_ref().map(|t| (t.access.clone(), t.refresh.clone()));
        let result = self.api.call(&mut stored.auth, Method::Get, path, query, None, &mut || match scope {
            Some(s) => session.spend(s),
            None => Ok(()),
        });
        if stored.auth.tokens.as_ref().map(|t| (t.access.clone(), t.refresh.clone())) != before {
            session.replace(stored.to_secret())?;
        }
        if let (Some(scope), Err(e)) = (scope, &result)
            && e.chain().any(|c| matches!(c.downcast_ref::<ProviderError>(), Some(ProviderError::RateLimited { .. })))
            && format!("{e:#}").contains("Daily request limit")
        {
            // The bank's own daily limit for this account is spent: no more calls today.
            session.used_at_least(scope, PER_DAY);
        }
        let (value, limits, _) = result?;
        if let (Some(scope), Some(left)) = (scope, limits.account_remaining) {
            // At most `left` more today, whatever tally counted (a bank's own limit may be lower).
            session.used_at_least(scope, PER_DAY.saturating_sub(u32::try_from(left).unwrap_or(PER_DAY)));
            if left == 0 {
                self.exhausted.lock().unwrap_or_else(|p| p.into_inner()).insert(scope.to_string());
            }
        }
        Ok(value)
    }

    /// One account with its details (read once, then kept) and balances.
    fn account(&self, session: &mut Session<'_>, id: &str) -> Result<RemoteAccount> {
        let scope = session.account_scope(id);
        let path = |what: &str| format!("/api/v2/accounts/{}/{what}", url_part(id));
        let meta: wire::AccountMeta = serde_json::from_value(self.get(session, &path(""), &[], None)?)
            .map_err(|e| ProviderError::Malformed(format!("GoCardless account: {e}")))?;
        if let Some(s @ ("EXPIRED" | "SUSPENDED")) = meta.status.as_deref() {
            return Err(ProviderError::NeedsRelink(format!("GoCardless reports the account as {s}")).into());
        }
        let known = Stored::read(session.secret())?.details.get(id).cloned();
        let detail = match known {
            Some(d) => d,
            None => {
                let answer = self.get(session, &path("details/"), &[], Some(&format!("{scope} details")))?;
                let detail: wire::Detail =
                    serde_json::from_value(answer.get("account").cloned().unwrap_or_default())
                        .map_err(|e| ProviderError::Malformed(format!("GoCardless account details: {e}")))?;
                let mut stored = Stored::read(session.secret())?;
                stored.details.insert(id.to_string(), detail.clone());
                session.replace(stored.to_secret())?;
                detail
            }
        };
        let answer = self.get(session, &path("balances/"), &[], Some(&format!("{scope} balances")))?;
        let balances: Vec<wire::Balance> = serde_json::from_value(answer.get("balances").cloned().unwrap_or_default())
            .map_err(|e| ProviderError::Malformed(format!("GoCardless balances: {e}")))?;
        wire::to_remote(id, &meta, &detail, &balances, self.env.now)
    }
}

/// An id as one path segment.
fn url_part(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

impl Provider for GoCardless {
    fn kind(&self) -> ProviderKind {
        ProviderKind::GoCardless
    }

    fn link(&self, conversation: &mut dyn Conversation, options: &LinkOptions) -> Result<Linked> {
        let mut auth = match options.renew.as_ref().map(Stored::read).transpose().ok().flatten() {
            Some(old) => old.auth,
            None => self.credentials(conversation)?,
        };
        if options.renew.is_some()
            && let Err(e) = self.api.fresh(&mut auth, false)
        {
            // Keys rotated since the link: ask for the current ones.
            conversation.say(&format!("The keys this connection was linked with no longer work ({e:#})."));
            auth = self.credentials(conversation)?;
        }
        self.consent(auth, conversation, options)
    }

    fn accounts(&self, session: &mut Session<'_>) -> Result<Vec<RemoteAccount>> {
        if let Some(cached) = self.accounts.get() {
            return Ok(cached.clone());
        }
        let ids = Stored::read(session.secret())?.accounts;
        // During a sync only the tracked accounts are read: balances cost calls too. (At link
        // time none is known yet, and all are shown.)
        let tracked: Vec<&String> =
            ids.iter().filter(|id| !session.account_scope(id).starts_with("provider ")).collect();
        let wanted: Vec<&String> = if tracked.is_empty() { ids.iter().collect() } else { tracked };
        let mut out = Vec::new();
        for id in wanted {
            out.push(self.account(session, id)?);
        }
        let _ = self.accounts.set(out.clone());
        Ok(out)
    }

    fn fetch(&self, session: &mut Session<'_>, request: &FetchRequest<'_>) -> Result<Page> {
        self.fetch_window(session, request)
    }

    fn revoke(&self, session: &mut Session<'_>) -> Result<()> {
        let mut stored = Stored::read(session.secret())?;
        let path = format!("/api/v2/requisitions/{}/", url_part(&stored.requisition_id));
        match self.api.call(&mut stored.auth, Method::Delete, &path, &[], None, &mut || Ok(())) {
            Ok(_) => Ok(()),
            // Deleted at GoCardless already: nothing left to revoke.
            Err(e)
                if matches!(e.downcast_ref::<ProviderError>(), Some(ProviderError::Upstream { status: 404, .. })) =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    fn normalize(&self, raw: &str) -> Result<Change> {
        feed::normalize(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_url_must_be_https_except_on_loopback() {
        let with = |key: &str, value: &str| {
            let mut sections = crate::config::ProviderSections::default();
            sections.set_override("gocardless", key, value);
            Settings::load(&sections.get("gocardless"))
        };
        let s = Settings::load(&ProviderConfig::empty("gocardless")).unwrap();
        assert_eq!((s.url.as_str(), s.redirect_url.as_str()), (DEFAULT_URL, DEFAULT_REDIRECT));
        assert_eq!(with("url", "http://127.0.0.1:9/").unwrap().url, "http://127.0.0.1:9");
        let err = with("url", "http://bankaccountdata.gocardless.com").unwrap_err();
        assert_eq!(crate::error::user_error(&err).unwrap().exit, crate::error::Exit::Usage);
        assert!(with("poll_ms", "0").is_err());
        assert!(with("redirect_url", "not a url").is_err());
    }
}
