//! The Plaid provider. Link: the user's own developer keys (client id + secret, asked
//! without echo or read from `--token-file`), then Hosted Link (`link.rs`): a URL and QR code
//! to open anywhere, polled to completion, exchanged for the Item's access token; all of it is
//! the connection's secret. Sync: `/transactions/sync` with the stored cursor, 500 updates a
//! page; a mutation during pagination restarts from the first page's cursor. `api.rs` has the
//! HTTP side and the error classes, `wire.rs` the payloads.

mod api;
mod link;
pub(super) mod wire;

use std::time::Duration;

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};
use serde_json::json;

use self::api::{Api, Keys};
use super::{FetchRequest, LinkOptions, Linked, Page, Provider, ProviderEnv, ProviderKind, Quota, Session};
use crate::config::ProviderConfig;
use crate::consent::Conversation;
use crate::error::{Exit, UserError};
use crate::model::{AccountChange, Change, RemoteAccount};
use crate::providers::ProviderError;

const SANDBOX_URL: &str = "https://sandbox.plaid.com";
const PRODUCTION_URL: &str = "https://production.plaid.com";
/// Every call is charged to the connection (one Item).
const SCOPE: &str = "connection";
/// The most updates `/transactions/sync` sends a page.
const COUNT: u32 = 500;
/// Restarts after `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION` before giving up for now.
const RESTARTS: u32 = 3;
/// Pages in one pagination before tally decides the server never stops (5 million updates).
const MAX_PAGES: u32 = 10_000;

/// Plaid refreshes an Item one to four times a day; it documents no daily call limit for
/// `/transactions/sync`.
pub fn quota() -> Quota {
    Quota { per_day: None, interval: chrono::Duration::hours(6) }
}

/// `[providers.plaid]`: `env` (sandbox | production), `url` (overrides the env's base URL;
/// `TALLY_PLAID_URL`), `client_id` (else asked at link), `poll_ms` (Hosted Link polling).
#[derive(Debug, Clone)]
pub struct Settings {
    pub env: String,
    pub url: String,
    pub client_id: Option<String>,
    pub poll: Duration,
}

impl Settings {
    pub fn load(config: &ProviderConfig) -> Result<Settings> {
        config.only_keys(&["env", "url", "client_id", "poll_ms"])?;
        let env = config.string("env")?.unwrap_or_else(|| "sandbox".to_string());
        let default = match env.as_str() {
            "sandbox" => SANDBOX_URL,
            "production" => PRODUCTION_URL,
            other => {
                return Err(UserError::usage(format!("the Plaid env {other:?} is not sandbox or production"))
                    .hint("set [providers.plaid] env (or TALLY_PLAID_ENV) to sandbox or production")
                    .into());
            }
        };
        let url = config.string("url")?.unwrap_or_else(|| default.to_string());
        let parsed = url::Url::parse(&url).map_err(|e| {
            UserError::usage(format!("the Plaid url {url:?} is not a URL ({e})"))
                .hint(format!("set [providers.plaid] url (or TALLY_PLAID_URL) to {default}"))
        })?;
        let loopback = matches!(parsed.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
            || matches!(parsed.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
        if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
            return Err(UserError::usage(format!("the Plaid url {url:?} is not HTTPS"))
                .hint("tally speaks to Plaid over HTTPS only (plain HTTP only on 127.0.0.1)")
                .into());
        }
        let poll_ms = match config.string("poll_ms")? {
            None => 3000,
            Some(ms) => ms.trim().parse::<u64>().ok().filter(|ms| *ms > 0).ok_or_else(|| {
                UserError::usage(format!("poll_ms {ms:?} is not a positive whole number of milliseconds"))
            })?,
        };
        let client_id = config.string("client_id")?.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
        Ok(Settings {
            env,
            url: url.trim_end_matches('/').to_string(),
            client_id,
            poll: Duration::from_millis(poll_ms),
        })
    }

    pub fn shown(&self) -> Vec<(&'static str, String)> {
        let mut shown = vec![("env", self.env.clone()), ("url", self.url.clone())];
        if let Some(c) = &self.client_id {
            shown.push(("client_id", c.clone()));
        }
        shown
    }
}

/// Where a sync stands: the cursor to send next, and the cursor its pagination started from
/// (to restart from after a mutation during pagination).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Position {
    cursor: Option<String>,
    start: Option<String>,
    /// Pages read since `start`; 0 when no pagination is under way.
    pages: u32,
}

const PREFIX: &str = "plaid1:";

impl Position {
    fn parse(position: Option<&str>) -> Result<Position> {
        let Some(position) = position else { return Ok(Position::default()) };
        let json = position.strip_prefix(PREFIX).context("the stored Plaid position is not one; link again")?;
        serde_json::from_str(json).context("the stored Plaid position is damaged; link again")
    }

    fn encode(&self) -> String {
        format!("{PREFIX}{}", serde_json::to_string(self).expect("serializes"))
    }
}

pub struct Plaid {
    env: ProviderEnv,
    settings: Settings,
    api: Api,
}

impl Plaid {
    pub fn new(env: ProviderEnv) -> Result<Plaid> {
        let settings = Settings::load(&env.settings)?;
        let api = Api { base: settings.url.clone(), http: env.http.client()? };
        Ok(Plaid { env, settings, api })
    }

    /// The developer keys: `client_id` from the settings or asked, the secret always asked
    /// (or read from `--token-file`). One answer `CLIENT_ID:SECRET` gives both.
    fn credentials(&self, conversation: &mut dyn Conversation) -> Result<Keys> {
        conversation.say(&format!(
            "tally uses your own Plaid keys ({} environment): https://dashboard.plaid.com/developers/keys",
            self.settings.env
        ));
        let keys = |client_id: &str, secret: &str| Keys {
            client_id: client_id.trim().to_string(),
            secret: secret.trim().to_string(),
            access_token: String::new(),
            item_id: String::new(),
        };
        let given = match &self.settings.client_id {
            Some(id) => keys(id, conversation.secret("your Plaid secret")?.expose()),
            None => {
                let answer = conversation.secret("your Plaid client_id and secret, as CLIENT_ID:SECRET")?;
                match answer.expose().split_once(':') {
                    Some((id, secret)) => keys(id, secret),
                    None => keys(answer.expose(), conversation.secret("your Plaid secret")?.expose()),
                }
            }
        };
        if given.client_id.is_empty() || given.secret.is_empty() || given.client_id == given.secret {
            return Err(UserError::usage("the Plaid client_id and secret are both needed")
                .hint("give them as CLIENT_ID:SECRET (in the --token-file, or at the prompt), or set [providers.plaid] client_id")
                .into());
        }
        Ok(given)
    }

    /// One `/transactions/sync` page from `cursor`.
    fn sync_page(
        &self,
        session: &mut Session<'_>,
        keys: &Keys,
        cursor: Option<&str>,
    ) -> Result<Result<wire::SyncPage, api::Refusal>> {
        let mut body = json!({
            "access_token": keys.access_token,
            "count": COUNT,
            "options": {"include_original_description": true, "personal_finance_category_version": "v2"},
        });
        if let Some(c) = cursor {
            body["cursor"] = json!(c);
        }
        self.api.call(keys, "/transactions/sync", &body, true, &mut || session.spend(SCOPE))
    }
}

impl Provider for Plaid {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Plaid
    }

    fn link(&self, conversation: &mut dyn Conversation, options: &LinkOptions) -> Result<Linked> {
        let country = options.country.as_deref().unwrap_or("US").to_ascii_uppercase();
        let current = options.renew.as_ref().map(Keys::parse).transpose()?;
        let (mut keys, renewing) = match current {
            Some(k) if !k.access_token.is_empty() => (k, true),
            _ => (self.credentials(conversation)?, false),
        };
        let created = match link::create(&self.api, &keys, &country)? {
            Ok(created) => created,
            // Keys rotated in the dashboard since the link: ask for the current ones.
            Err(r) if renewing && r.code() == "INVALID_API_KEYS" => {
                conversation.say("Plaid refused the keys this connection was linked with (INVALID_API_KEYS).");
                let fresh = self.credentials(conversation)?;
                keys = Keys { client_id: fresh.client_id, secret: fresh.secret, ..keys };
                link::create(&self.api, &keys, &country)?.map_err(|r| r.into_error("to start a link session"))?
            }
            Err(r) => return Err(r.into_error("to start a link session")),
        };
        let outcome = link::hosted_link(&self.api, &keys, created, conversation, options.timeout, self.settings.poll)?;
        let (keys, institution) = match outcome {
            link::Outcome::Added { public_token, institution } => {
                (link::exchange(&self.api, &keys, &public_token)?, institution)
            }
            link::Outcome::Updated => (keys, None),
        };
        let institution = institution.map(|i| wire::sanitize(&i)).filter(|i| !i.is_empty());
        conversation.say("Plaid Link finished; the Item's access token is kept in the secret store.");
        Ok(Linked {
            secret: keys.to_secret(),
            institution: crate::model::clip_name(institution.as_deref().unwrap_or("Plaid")),
            consent_expires_at: None,
        })
    }

    fn accounts(&self, session: &mut Session<'_>) -> Result<Vec<RemoteAccount>> {
        let keys = Keys::parse(session.secret())?;
        let got: wire::AccountsGot = self
            .api
            .call(&keys, "/accounts/get", &json!({"access_token": keys.access_token}), true, &mut || {
                session.spend(SCOPE)
            })?
            .map_err(|r| r.into_error("the account listing"))?;
        let mut kept = Vec::new();
        for a in &got.accounts {
            match wire::to_remote(a, got.item.as_ref(), self.env.now)? {
                Ok(r) => kept.push(r),
                Err(why) => tracing::warn!("Plaid account {} is not kept: {why}", wire::sanitize(&a.name)),
            }
        }
        Ok(kept)
    }

    fn fetch(&self, session: &mut Session<'_>, request: &FetchRequest<'_>) -> Result<Page> {
        let keys = Keys::parse(session.secret())?;
        let mut pos = Position::parse(request.position)?;
        let mut restarts = 0;
        let page = loop {
            match self.sync_page(session, &keys, pos.cursor.as_deref())? {
                Ok(page) => break page,
                Err(r) if r.code() == "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION" && restarts < RESTARTS => {
                    // Plaid's rule: start the whole pagination again from its first cursor.
                    // Pages already saved are upserted again, which changes nothing.
                    restarts += 1;
                    tracing::debug!(restarts, "Plaid data changed during pagination; restarting");
                    pos = Position { cursor: pos.start.clone(), start: pos.start.clone(), pages: 0 };
                }
                Err(r) if r.code() == "PRODUCT_NOT_READY" => return Err(still_loading("PRODUCT_NOT_READY")),
                Err(r) => return Err(r.into_error("the transactions sync")),
            }
        };
        let nothing = page.added.is_empty() && page.modified.is_empty() && page.removed.is_empty();
        if nothing && page.transactions_update_status.as_deref() == Some("NOT_READY") {
            return Err(still_loading("transactions_update_status NOT_READY"));
        }
        if page.has_more && (page.next_cursor.is_empty() || pos.cursor.as_deref() == Some(page.next_cursor.as_str())) {
            return Err(ProviderError::Malformed(
                "Plaid sent the same cursor again with more to come; stopped so as not to loop".into(),
            )
            .into());
        }
        if pos.pages >= MAX_PAGES {
            return Err(ProviderError::Malformed(format!("Plaid kept paging past {MAX_PAGES} pages; stopped")).into());
        }
        if !page.has_more && page.transactions_update_status.as_deref() == Some("INITIAL_UPDATE_COMPLETE") {
            // Plaid has the recent days ready and is still gathering the rest: say so, so a
            // short history is not taken for all there is.
            tracing::warn!(
                "Plaid has sent this bank's recent transactions; older history is still loading at Plaid \
                 and a later `tally sync` brings it"
            );
        }
        let mut changes = Vec::new();
        for raw in page.added.iter().chain(&page.modified) {
            let raw = raw.get().to_string();
            let account = wire::account_of(&raw)?;
            changes.push(AccountChange { account_external_id: account, change: wire::normalize(&raw)?, raw });
        }
        for r in &page.removed {
            let (account, raw) = wire::removed_raw(r)?;
            changes.push(AccountChange { account_external_id: account, change: wire::normalize(&raw)?, raw });
        }
        let next = if page.has_more {
            let start = if pos.pages == 0 { pos.cursor.clone() } else { pos.start.clone() };
            Position { cursor: Some(page.next_cursor), start, pages: pos.pages + 1 }
        } else {
            let at = Some(page.next_cursor).filter(|c| !c.is_empty()).or(pos.cursor);
            Position { cursor: at.clone(), start: at, pages: 0 }
        };
        Ok(Page { changes, next_position: next.encode(), has_more: page.has_more, window: None })
    }

    fn revoke(&self, session: &mut Session<'_>) -> Result<()> {
        let keys = Keys::parse(session.secret())?;
        let _: serde_json::Value = self
            .api
            .call(&keys, "/item/remove", &json!({"access_token": keys.access_token}), false, &mut || Ok(()))?
            .map_err(|r| r.into_error("to remove the Item"))?;
        Ok(())
    }

    fn normalize(&self, raw: &str) -> Result<Change> {
        wire::normalize(raw)
    }
}

/// A new Item whose history Plaid has not fetched from the bank yet: not "no transactions",
/// and nothing stored (its cursor is still empty).
fn still_loading(why: &str) -> anyhow::Error {
    UserError::new(Exit::TempFail, format!("Plaid is still loading this bank's history ({why}); nothing to read yet"))
        .hint("a new link takes a few minutes at first: sync again shortly")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_pick_the_environment_and_refuse_plain_http_elsewhere() {
        let s = Settings::load(&ProviderConfig::empty("plaid")).unwrap();
        assert_eq!((s.env.as_str(), s.url.as_str()), ("sandbox", SANDBOX_URL));
        let p = Position { cursor: Some("c2".into()), start: Some("c1".into()), pages: 2 };
        assert_eq!(Position::parse(Some(&p.encode())).unwrap(), p);
        assert!(Position::parse(Some("sf1:{}")).is_err());
    }
}
