//! `tally link fdx`: any bank that speaks OpenID Connect and an FDX (Plaid Core Exchange 6.x)
//! data API. Which bank is configuration, not code: its issuer (OIDC discovery), the client id
//! tally is registered under there (a public client), scopes and API base URL, from
//! `[providers.fdx]`, `TALLY_FDX_*` or `tally link fdx --issuer --client-id --api --scope`,
//! or by name from an `[fdx.NAME]` section with `tally link fdx --bank NAME` ([`banks`]).
//! The link keeps them with the tokens ([`Bank`], in the connection's secret), so each FDX
//! connection syncs from the bank it was linked with, whatever the config says later.
//! The consent (code + PKCE, `state`, `nonce`, a signed ID token, refresh with rotation,
//! revocation) is `oauth`'s; this module only reads accounts (with their balances from
//! `GET /accounts/{id}`) and transactions, a window per
//! account ([`WindowPosition`]), paging by `offset` until `page.nextOffset` is absent.

mod banks;
pub(super) mod wire;

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use super::grants::{ACCOUNTS_BALANCES_TRANSACTIONS, Grants, Validity};
use super::window::WindowPosition;
use super::{
    FetchRequest, LinkOptions, Linked, Page, Provider, ProviderEnv, ProviderError, ProviderKind, Quota, Session, retry,
};
use crate::config::{Origin, ProviderConfig};
use crate::consent::Conversation;
use crate::error::UserError;
use crate::model::{AccountChange, AccountKind, Change, RemoteAccount};
use crate::oauth;

/// Scopes every FDX link asks for; `scope` adds the bank's own (`accounts transactions`…).
const BASE_SCOPES: &str = "openid offline_access";
const UNREACHABLE_HINT: &str =
    "check the bank's --issuer / --api URL and your connection; if the bank is down, retry later";
/// The largest page tally asks for (Core Exchange's default is 100).
const PAGE_LIMIT: u32 = 100;
/// No account has more pages than this in one window; a bank that keeps paging is stopped.
const MAX_PAGES: usize = 1000;
const OVERLAP_DAYS: u64 = 14;
/// FDX banks commonly keep 24 months of history.
const HISTORY_DAYS: u64 = 730;
/// The loopback redirect path to register with the bank: `http://127.0.0.1/callback`, any port.
pub const REDIRECT_PATH: &str = "/callback";

/// No documented daily cap (Core Exchange leaves limits to each bank); a bank refreshes its
/// data a few times a day at most.
pub fn quota() -> Quota {
    Quota { per_day: None, interval: chrono::Duration::hours(6) }
}

/// `[providers.fdx]`: the bank to link when the flags do not say.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub api: Option<String>,
    /// Scopes beyond `openid offline_access`, space-separated.
    pub scope: Option<String>,
    /// The bank's name as tally shows it (default: the issuer's host).
    pub name: Option<String>,
    /// `[fdx.NAME]`: banks by name, for `--bank NAME`.
    pub banks: BTreeMap<String, banks::Named>,
    /// The keys given as flags: they beat a named bank's section and a relinked bank's values.
    pub flagged: Vec<&'static str>,
}

impl Settings {
    pub fn load(config: &ProviderConfig) -> Result<Settings> {
        config.only_keys(&["issuer", "client_id", "api", "scope", "name"])?;
        let trim = |s: Option<String>| s.map(|s| s.trim_end_matches('/').to_string());
        Ok(Settings {
            issuer: trim(config.string("issuer")?),
            client_id: config.string("client_id")?,
            api: trim(config.string("api")?),
            scope: config.string("scope")?,
            name: config.string("name")?,
            banks: banks::load(config)?,
            flagged: ["issuer", "client_id", "api", "scope"]
                .into_iter()
                .filter(|k| config.origin(k) == Origin::Flag)
                .collect(),
        })
    }

    /// The bank to link: `[fdx.NAME]` when `--bank NAME` says so, else on a relink the bank
    /// the connection was linked with, else `[providers.fdx]` and the flags; flags beat the
    /// first two.
    fn chosen(&self, name: Option<&str>, renewing: Option<&Bank>) -> Result<Bank> {
        let base = match (name, renewing) {
            (Some(name), _) => {
                let named = self.banks.get(name).ok_or_else(|| banks::unknown(name, &self.banks))?;
                Settings {
                    issuer: named.issuer.clone(),
                    client_id: named.client_id.clone(),
                    api: named.api.clone(),
                    scope: named.scopes.clone(),
                    name: named.name.clone().or_else(|| Some(name.to_string())),
                    ..Settings::default()
                }
            }
            (None, Some(bank)) => Settings {
                issuer: Some(bank.issuer.clone()),
                client_id: Some(bank.client_id.clone()),
                api: Some(bank.api.clone()),
                scope: Some(bank.scopes.clone()),
                name: Some(bank.institution.clone()),
                ..Settings::default()
            },
            (None, None) => return self.bank(),
        };
        let pick = |key: &'static str, ours: &Option<String>, theirs: Option<String>| {
            if self.flagged.contains(&key) { ours.clone() } else { theirs }
        };
        let settings = Settings {
            issuer: pick("issuer", &self.issuer, base.issuer),
            client_id: pick("client_id", &self.client_id, base.client_id),
            api: pick("api", &self.api, base.api),
            scope: pick("scope", &self.scope, base.scope),
            name: base.name,
            ..Settings::default()
        };
        let section = name.map_or("the relinked connection".to_string(), |n| format!("[fdx.{n}]"));
        settings.bank().map_err(|e| match crate::error::user_error(&e) {
            Some(u) if name.is_some() => UserError::usage(u.message.clone())
                .hint(format!("set it in {section}, or pass the flag; `tally link fdx --help` says where to find it"))
                .into(),
            _ => e,
        })
    }

    pub fn shown(&self) -> Vec<(&'static str, String)> {
        let or_unset = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".into());
        vec![
            ("issuer", or_unset(&self.issuer)),
            ("client_id", or_unset(&self.client_id)),
            ("api", or_unset(&self.api)),
            ("scope", format!("{BASE_SCOPES} {}", self.scope.as_deref().unwrap_or("")).trim_end().to_string()),
            ("name", or_unset(&self.name)),
        ]
    }

    /// The bank these settings name; a usage error saying what is missing.
    fn bank(&self) -> Result<Bank> {
        let need = |v: &Option<String>, flag: &str, key: &str| {
            v.clone().ok_or_else(|| {
                UserError::usage(format!("tally link fdx needs the bank's {flag}")).hint(format!(
                    "pass {flag}, or set `{key}` in [providers.fdx]; `tally link fdx --help` says where to find it"
                ))
            })
        };
        let issuer = need(&self.issuer, "--issuer", "issuer")?;
        let api = need(&self.api, "--api", "api")?;
        let client_id = need(&self.client_id, "--client-id", "client_id")?;
        for (url, what) in [(&issuer, "issuer"), (&api, "API base URL")] {
            oauth::checked_url(url, what)
                .map_err(|e| UserError::usage(format!("{e:#}")).hint("use the bank's https:// URL"))?;
        }
        let mut scopes: Vec<&str> = BASE_SCOPES.split(' ').collect();
        for s in self.scope.as_deref().unwrap_or("").split_whitespace() {
            if !scopes.contains(&s) {
                scopes.push(s);
            }
        }
        let institution = match &self.name {
            Some(n) => n.clone(),
            None => reqwest::Url::parse(&issuer)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or(issuer.clone()),
        };
        Ok(Bank { issuer, client_id, api, scopes: scopes.join(" "), institution })
    }
}

/// The bank a connection was linked with, kept beside its tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bank {
    pub issuer: String,
    pub client_id: String,
    pub api: String,
    pub scopes: String,
    pub institution: String,
}

pub struct Fdx {
    env: ProviderEnv,
    settings: Settings,
    http: reqwest::blocking::Client,
    /// The connection's bank and its issuer, from the first session seen.
    issuer: OnceLock<(Bank, oauth::Issuer)>,
    /// Listed once per command: the window pass needs the bank's order and each currency.
    accounts: OnceLock<Vec<RemoteAccount>>,
}

impl Fdx {
    pub fn new(env: ProviderEnv) -> Result<Fdx> {
        let settings = Settings::load(&env.settings)?;
        let http = env.http.client()?;
        Ok(Fdx { env, settings, http, issuer: OnceLock::new(), accounts: OnceLock::new() })
    }

    fn issuer_for(&self, bank: &Bank) -> oauth::Issuer {
        let client = oauth::ClientConfig {
            client_id: bank.client_id.clone(),
            auth: oauth::ClientAuth::None,
            scopes: bank.scopes.clone(),
            redirect_path: REDIRECT_PATH.to_string(),
        };
        oauth::Issuer::new(self.http.clone(), &bank.issuer, client, UNREACHABLE_HINT, self.env.now)
    }

    /// The bank and issuer of the session's connection.
    fn bank(&self, session: &Session<'_>) -> Result<&(Bank, oauth::Issuer)> {
        if let Some(b) = self.issuer.get() {
            return Ok(b);
        }
        let tokens = oauth::Tokens::from_secret(session.secret())?;
        let bank: Bank = tokens
            .bank
            .and_then(|b| serde_json::from_value(b).ok())
            .ok_or_else(|| ProviderError::NeedsRelink("the stored tokens do not say which bank they are for".into()))?;
        let issuer = self.issuer_for(&bank);
        Ok(self.issuer.get_or_init(|| (bank, issuer)))
    }

    /// GET `{api}{path}` with the bearer token (refreshed, and retried once on a 401, by the
    /// issuer), each attempt charged to `scope` first; the body of a 200.
    fn get(&self, session: &mut Session<'_>, path: &str, scope: &str) -> Result<String> {
        let (bank, issuer) = self.bank(session)?;
        let url = format!("{}{path}", bank.api);
        let response = issuer.send(session, |session, bearer| {
            retry::send(
                || self.http.get(&url).bearer_auth(bearer).header("Accept", "application/json"),
                &url,
                UNREACHABLE_HINT,
                &mut || session.spend(scope),
            )
        })?;
        let status = response.status().as_u16();
        let body = response.text().with_context(|| format!("cannot read the answer from {url}"))?;
        match status {
            200 => Ok(body),
            // FDX 403s (602 customer not authorized, 603 consent revoked…) end the consent.
            403 => Err(ProviderError::NeedsRelink(wire::error_detail(&body)).into()),
            _ => Err(ProviderError::Upstream { status, message: wire::error_detail(&body) }.into()),
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(body: &str, what: &str) -> Result<T> {
        serde_json::from_str(body).map_err(|e| ProviderError::Malformed(format!("{what}: {e}")).into())
    }

    /// Every page of one account's window, in order: pages follow `page.nextOffset` until it is
    /// absent. A bank that sends an offset twice, or pages without end, is stopped with an
    /// error for this account and nothing of it is kept.
    fn window_rows(
        &self,
        session: &mut Session<'_>,
        account: &RemoteAccount,
        from: chrono::NaiveDate,
    ) -> Result<Vec<AccountChange>> {
        let id = &account.external_id;
        let segment = segment(id);
        let today = self.env.now.date_naive();
        let scope = session.account_scope(id);
        let mut offset: Option<String> = None;
        let mut seen = HashSet::new();
        let mut rows = Vec::new();
        for _ in 0..MAX_PAGES {
            let mut path =
                format!("/accounts/{segment}/transactions?startTime={from}&endTime={today}&limit={PAGE_LIMIT}");
            if let Some(o) = &offset {
                path.push_str("&offset=");
                path.push_str(&url::form_urlencoded::byte_serialize(o.as_bytes()).collect::<String>());
            }
            let body = self.get(session, &path, &scope)?;
            let page: wire::Transactions = Self::parse(&body, &format!("transactions of account {id}"))?;
            for raw in &page.transactions {
                let record =
                    wire::Record { account_id: id.clone(), currency: account.currency.to_string(), transaction: raw };
                rows.push(wire::to_change(&record)?);
            }
            match page.page.and_then(|p| p.next_offset) {
                None => return Ok(rows),
                Some(next) if !seen.insert(next.clone()) => {
                    return Err(ProviderError::Malformed(format!(
                        "account {id}: the bank sent page offset {next:?} twice; stopped so as not to loop"
                    ))
                    .into());
                }
                Some(next) => offset = Some(next),
            }
        }
        Err(ProviderError::Malformed(format!("account {id}: the bank sent more than {MAX_PAGES} pages; stopped"))
            .into())
    }
}

/// An account id as one URL path segment.
fn segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>().replace('+', "%20")
}

impl Provider for Fdx {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Fdx
    }

    fn link(&self, conversation: &mut dyn Conversation, options: &LinkOptions) -> Result<Linked> {
        let renewing = match &options.renew {
            Some(secret) => oauth::Tokens::from_secret(secret)?.bank.and_then(|b| serde_json::from_value(b).ok()),
            None => None,
        };
        let bank = self.settings.chosen(options.bank.as_deref(), renewing.as_ref())?;
        let scopes: Vec<&str> = bank.scopes.split(' ').collect();
        Grants::new(&bank.institution, ACCOUNTS_BALANCES_TRANSACTIONS, &scopes, Validity::BankDecides)
            .tell(conversation);
        let mut tokens = self.issuer_for(&bank).authorize(conversation, options.timeout)?;
        if tokens.refresh_token.is_none() {
            conversation.say(
                "warning: the bank gave no refresh token, so this link lasts only as long as its first access token",
            );
        }
        tokens.bank = Some(serde_json::to_value(&bank).expect("a bank serializes"));
        Ok(Linked {
            consent_expires_at: tokens.consent_expires_at,
            secret: tokens.to_secret(),
            institution: bank.institution,
        })
    }

    fn accounts(&self, session: &mut Session<'_>) -> Result<Vec<RemoteAccount>> {
        if let Some(cached) = self.accounts.get() {
            return Ok(cached.clone());
        }
        let issuer = self.bank(session)?.0.issuer.clone();
        let mut accounts = Vec::new();
        let mut offset: Option<String> = None;
        let mut seen = HashSet::new();
        loop {
            let path = match &offset {
                None => "/accounts".to_string(),
                Some(o) => format!(
                    "/accounts?offset={}",
                    url::form_urlencoded::byte_serialize(o.as_bytes()).collect::<String>()
                ),
            };
            let body = self.get(session, &path, "accounts")?;
            let page: wire::Accounts = Self::parse(&body, "accounts")?;
            for a in page.accounts {
                // Closed accounts have nothing new to sync; FDX lists them all the same.
                if a.status.as_deref().is_none_or(|s| s == "OPEN") {
                    accounts.push(wire::to_remote(a, &issuer, self.env.now)?);
                }
            }
            match page.page.and_then(|p| p.next_offset) {
                None => break,
                Some(next) if !seen.insert(next.clone()) || seen.len() > MAX_PAGES => {
                    return Err(
                        ProviderError::Malformed(format!("the account list repeats page offset {next:?}")).into()
                    );
                }
                Some(next) => offset = Some(next),
            }
        }
        // Balances are in each account's details (one call per account that has them).
        for account in &mut accounts {
            if !matches!(
                account.kind,
                AccountKind::Checking | AccountKind::Savings | AccountKind::Credit | AccountKind::Loan
            ) {
                continue;
            }
            let scope = session.account_scope(&account.external_id);
            let body = self.get(session, &format!("/accounts/{}", segment(&account.external_id)), &scope)?;
            let details: wire::Details = Self::parse(&body, &format!("account {}", account.external_id))?;
            wire::apply_details(account, &details)?;
        }
        let _ = self.accounts.set(accounts.clone());
        Ok(accounts)
    }

    /// One tracked account per page: its whole window, every FDX page of it. An account whose
    /// window cannot be read (a repeated offset, endless paging, a row tally cannot read, a
    /// 4xx about it) is reported to sync as failed alone; the pass goes on with the next one
    /// and reads it again next time.
    fn fetch(&self, session: &mut Session<'_>, request: &FetchRequest<'_>) -> Result<Page> {
        let mut position = WindowPosition::parse(request.position, request.accounts)?;
        let listed = self.accounts(session)?;
        let order: Vec<String> = listed.iter().map(|a| a.external_id.clone()).collect();
        let today = self.env.now.date_naive();
        loop {
            let Some(id) = position.next(&order, request.accounts).cloned() else {
                let next = WindowPosition { done: Default::default(), ..position };
                return Ok(Page { changes: Vec::new(), next_position: next.encode(), has_more: false, window: None });
            };
            let account = listed.iter().find(|a| a.external_id == id).expect("listed");
            let from = position.window_start(&id, today, OVERLAP_DAYS, HISTORY_DAYS);
            let changes = match self.window_rows(session, account, from) {
                Ok(changes) => changes,
                Err(e) if super::one_account_only(&e) => {
                    session.account_failed(&id, e);
                    position.done.insert(id);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let (next, has_more) = position.after(&id, today, &order, request.accounts);
            let window = super::Window { account_external_id: id, from };
            return Ok(Page { changes, next_position: next.encode(), has_more, window: Some(window) });
        }
    }

    fn revoke(&self, session: &mut Session<'_>) -> Result<()> {
        self.bank(session)?.1.revoke(session)
    }

    fn normalize(&self, raw: &str) -> Result<Change> {
        let record: wire::Record<'_> =
            serde_json::from_str(raw).map_err(|e| ProviderError::Malformed(format!("stored record: {e}")))?;
        Ok(wire::to_change(&record)?.change)
    }
}
