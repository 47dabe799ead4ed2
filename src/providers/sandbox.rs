//! The sandbox provider: the reference OAuth flow (loopback + PKCE) against the built-in
//! sandbox bank, and its cursor feed. Wire structs mirror the API documented in `crate::sandbox`.

use std::sync::OnceLock;

use anyhow::{Context as _, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::grants::{ACCOUNTS_BALANCES_TRANSACTIONS, Grants, Validity};
use super::window::WindowPosition;
use super::{
    FetchRequest, LinkOptions, Linked, Page, Provider, ProviderEnv, ProviderError, ProviderKind, Quota, Session, retry,
};
use crate::config::ProviderConfig;
use crate::consent::Conversation;
use crate::model::{AccountChange, AccountKind, Change, NewTransaction, RemoteAccount};
use crate::money::{Currency, parse_decimal};
use crate::oauth;

const INSTITUTION: &str = "Tally Sandbox Bank";
/// What the sandbox consent asks for (its OAuth scope).
const SCOPES: [&str; 2] = ["accounts", "transactions"];
/// The sandbox bank's documented default port (`tally sandbox serve` listens there).
pub const DEFAULT_PORT: u16 = 8765;
/// What to do when the sandbox cannot be reached.
const UNREACHABLE_HINT: &str =
    "is the server running? For the sandbox: `tally sandbox serve` in another terminal, or set TALLY_SANDBOX_URL";
const PAGE_SIZE: u32 = 500;
/// Window mode re-reads this many days before the last sync, to catch late and changed rows.
const OVERLAP_DAYS: u64 = 14;
/// Window mode's first sync reaches this far back.
const HISTORY_DAYS: u64 = 730;

/// The sandbox's documented limits, modelled on real providers'.
pub fn quota(mode: Mode) -> Quota {
    match mode {
        // Like Plaid's /transactions/sync: no documented daily cap; the bank refreshes hourly.
        Mode::Cursor => Quota { per_day: None, interval: chrono::Duration::hours(1) },
        // Like GoCardless since 2025-03: 4 requests a day per account and scope.
        Mode::Window => Quota { per_day: Some(4), interval: chrono::Duration::hours(6) },
    }
}

/// Which of the sandbox's two transaction APIs to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `/api/transactions/sync`: added / modified / removed after a cursor.
    Cursor,
    /// `/api/transactions`: the current state of a date window, one account per page.
    Window,
}

/// The sandbox's settings: `[providers.sandbox] url` (or the older `[sandbox] url`), or
/// `TALLY_SANDBOX_URL`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the sandbox bank listens, without a trailing `/`.
    pub url: String,
}

impl Settings {
    pub fn load(config: &ProviderConfig) -> Result<Settings> {
        config.only_keys(&["url"])?;
        let url = config.string("url")?.unwrap_or_else(|| format!("http://127.0.0.1:{DEFAULT_PORT}"));
        Ok(Settings { url: url.trim_end_matches('/').to_string() })
    }

    pub fn shown(&self) -> Vec<(&'static str, String)> {
        vec![("url", self.url.clone())]
    }
}

pub struct Sandbox {
    env: ProviderEnv,
    settings: Settings,
    http: reqwest::blocking::Client,
    /// The sandbox's OAuth side: tokens, refresh, revocation.
    issuer: oauth::Issuer,
    mode: Mode,
    /// Window mode lists accounts once per command: its quota is per day, like the bank's.
    accounts: OnceLock<Vec<RemoteAccount>>,
}

impl Sandbox {
    pub fn new(env: ProviderEnv, mode: Mode) -> Result<Sandbox> {
        let settings = Settings::load(&env.settings)?;
        let http = env.http.client()?;
        let client = oauth::ClientConfig {
            client_id: crate::sandbox::CLIENT_ID.to_string(),
            auth: oauth::ClientAuth::None,
            scopes: SCOPES.join(" "),
            redirect_path: crate::sandbox::REDIRECT_PATH.to_string(),
        };
        let issuer = oauth::Issuer::new(http.clone(), &settings.url, client, UNREACHABLE_HINT, env.now);
        Ok(Sandbox { env, settings, http, issuer, mode, accounts: OnceLock::new() })
    }

    /// GET an API path with the bearer token (the issuer refreshes and retries on a 401).
    /// Each attempt is charged to `scope` of the quota first.
    fn get<T: DeserializeOwned>(
        &self,
        session: &mut Session<'_>,
        path: &str,
        scope: &str,
    ) -> Result<(T, serde_json::Value)> {
        let url = format!("{}{path}", self.settings.url);
        let response = self.issuer.send(session, |session, bearer| {
            retry::send(|| self.http.get(&url).bearer_auth(bearer), &url, UNREACHABLE_HINT, &mut || {
                session.spend(scope)
            })
        })?;
        let status = response.status().as_u16();
        let body = response.text().with_context(|| format!("cannot read the answer from {url}"))?;
        match status {
            200 => {
                let value: serde_json::Value =
                    serde_json::from_str(&body).map_err(|e| ProviderError::Malformed(format!("{path}: {e}")))?;
                let parsed = T::deserialize(&value).map_err(|e| ProviderError::Malformed(format!("{path}: {e}")))?;
                Ok((parsed, value))
            }
            401 | 403 => Err(ProviderError::NeedsRelink(oauth::error_detail(&body)).into()),
            _ => Err(ProviderError::Upstream { status, message: oauth::error_detail(&body) }.into()),
        }
    }
}

#[derive(Debug, Deserialize)]
struct WireAccounts {
    accounts: Vec<WireAccount>,
}

#[derive(Debug, Deserialize)]
struct WireAccount {
    account_id: String,
    name: String,
    official_name: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    subtype: Option<String>,
    mask: Option<String>,
    iban: Option<String>,
    iso_currency_code: String,
    balances: WireBalances,
}

#[derive(Debug, Deserialize)]
struct WireBalances {
    current: Option<String>,
    available: Option<String>,
    as_of: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct WireSync {
    added: Vec<serde_json::Value>,
    modified: Vec<serde_json::Value>,
    removed: Vec<WireRemoved>,
    next_cursor: String,
    has_more: bool,
}

#[derive(Debug, Deserialize)]
struct WireWindow {
    transactions: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct WireRemoved {
    transaction_id: String,
    account_id: String,
}

#[derive(Debug, Deserialize)]
struct WireTx {
    transaction_id: String,
    account_id: String,
    date: NaiveDate,
    authorized_date: Option<NaiveDate>,
    amount: String,
    iso_currency_code: String,
    name: String,
    merchant_name: Option<String>,
    pending: bool,
    pending_transaction_id: Option<String>,
    category: Option<String>,
}

fn account_kind(kind: &str, subtype: Option<&str>) -> AccountKind {
    match (kind, subtype) {
        ("depository", Some("savings")) => AccountKind::Savings,
        ("depository", _) => AccountKind::Checking,
        ("credit", _) => AccountKind::Credit,
        ("loan", _) => AccountKind::Loan,
        ("investment", _) => AccountKind::Investment,
        _ => AccountKind::Other,
    }
}

fn to_remote(a: WireAccount) -> Result<RemoteAccount> {
    let currency = Currency::parse(&a.iso_currency_code)?;
    let amount = |s: Option<String>| s.map(|s| parse_decimal(&s, currency)).transpose();
    let identity = match (&a.iban, &a.mask) {
        (Some(iban), _) => format!("iban:{}", iban.replace(' ', "")),
        (None, mask) => format!(
            "mask:{INSTITUTION}:{}:{}",
            mask.as_deref().unwrap_or(""),
            a.official_name.as_deref().unwrap_or(&a.name)
        ),
    };
    Ok(RemoteAccount {
        kind: account_kind(&a.kind, a.subtype.as_deref()),
        balance_current: amount(a.balances.current)?,
        balance_available: amount(a.balances.available)?,
        balance_as_of: a.balances.as_of,
        external_id: a.account_id,
        identity,
        name: a.name,
        official_name: a.official_name,
        currency,
        mask: a.mask,
    })
}

fn to_change(raw: serde_json::Value) -> Result<AccountChange> {
    let t = WireTx::deserialize(&raw).map_err(|e| ProviderError::Malformed(format!("transaction: {e}")))?;
    let currency = Currency::parse(&t.iso_currency_code)?;
    let amount = parse_decimal(&t.amount, currency)
        .map_err(|e| ProviderError::Malformed(format!("transaction {}: {e}", t.transaction_id)))?;
    Ok(AccountChange {
        account_external_id: t.account_id,
        raw: raw.to_string(),
        change: Change::Upsert(NewTransaction {
            external_id: t.transaction_id,
            pending_external_id: t.pending_transaction_id,
            booked_date: t.date,
            value_date: t.authorized_date,
            amount,
            currency,
            payee: t.merchant_name,
            description: t.name,
            pending: t.pending,
            provider_category: t.category,
        }),
    })
}

impl Sandbox {
    /// The bank's feed covers every account of the consent: sync skips the untracked ones.
    fn fetch_cursor(&self, session: &mut Session<'_>, cursor: Option<&str>) -> Result<Page> {
        let mut path = format!("/api/transactions/sync?count={PAGE_SIZE}");
        if let Some(c) = cursor {
            path.push_str("&cursor=");
            path.push_str(&url::form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>());
        }
        let (wire, _): (WireSync, _) = self.get(session, &path, "connection")?;
        let mut changes = Vec::with_capacity(wire.added.len() + wire.modified.len() + wire.removed.len());
        for raw in wire.added.into_iter().chain(wire.modified) {
            changes.push(to_change(raw)?);
        }
        for r in wire.removed {
            let raw = serde_json::json!({ "removed": r.transaction_id, "account_id": r.account_id }).to_string();
            changes.push(AccountChange {
                account_external_id: r.account_id,
                raw,
                change: Change::Remove { external_id: r.transaction_id },
            });
        }
        Ok(Page { changes, next_position: wire.next_cursor, has_more: wire.has_more, window: None })
    }

    /// One requested account per page, in the bank's order, each charged to its own quota
    /// scope. The position ([`WindowPosition`]) names the accounts by id, so an interrupted
    /// sync resumes at an account it has not fetched yet even if the bank reordered its list.
    /// A requested account the bank no longer lists is left alone, as before.
    fn fetch_window(&self, session: &mut Session<'_>, request: &FetchRequest<'_>) -> Result<Page> {
        let position = WindowPosition::parse(request.position, request.accounts)?;
        let order: Vec<String> = self.accounts(session)?.into_iter().map(|a| a.external_id).collect();
        let today = self.env.now.date_naive();
        let Some(account) = position.next(&order, request.accounts) else {
            // Nothing tracked that the bank still lists: no call, and a fresh pass next time.
            let next = WindowPosition { done: Default::default(), ..position };
            return Ok(Page { changes: Vec::new(), next_position: next.encode(), has_more: false, window: None });
        };
        let from = position.window_start(account, today, OVERLAP_DAYS, HISTORY_DAYS);
        let path = format!(
            "/api/transactions?account_id={}&start_date={from}",
            url::form_urlencoded::byte_serialize(account.as_bytes()).collect::<String>()
        );
        let scope = session.account_scope(account);
        let (wire, _): (WireWindow, _) = self.get(session, &path, &scope)?;
        let changes = wire.transactions.into_iter().map(to_change).collect::<Result<Vec<_>>>()?;
        let (next, has_more) = position.after(account, today, &order, request.accounts);
        let window = super::Window { account_external_id: account.clone(), from };
        Ok(Page { changes, next_position: next.encode(), has_more, window: Some(window) })
    }
}

impl Provider for Sandbox {
    fn kind(&self) -> ProviderKind {
        match self.mode {
            Mode::Cursor => ProviderKind::Sandbox,
            Mode::Window => ProviderKind::SandboxWindow,
        }
    }

    fn link(&self, conversation: &mut dyn Conversation, options: &LinkOptions) -> Result<Linked> {
        Grants::new(INSTITUTION, ACCOUNTS_BALANCES_TRANSACTIONS, &SCOPES, Validity::BankDecides).tell(conversation);
        let tokens = self.issuer.authorize(conversation, options.timeout)?;
        Ok(Linked {
            consent_expires_at: tokens.consent_expires_at,
            secret: tokens.to_secret(),
            institution: INSTITUTION.to_string(),
        })
    }

    fn accounts(&self, session: &mut Session<'_>) -> Result<Vec<RemoteAccount>> {
        if let Some(cached) = self.accounts.get() {
            return Ok(cached.clone());
        }
        let scope = if self.mode == Mode::Cursor { "connection" } else { "accounts" };
        let (wire, _): (WireAccounts, _) = self.get(session, "/api/accounts", scope)?;
        let accounts: Vec<RemoteAccount> = wire.accounts.into_iter().map(to_remote).collect::<Result<_>>()?;
        if self.mode == Mode::Window {
            let _ = self.accounts.set(accounts.clone());
        }
        Ok(accounts)
    }

    fn fetch(&self, session: &mut Session<'_>, request: &FetchRequest<'_>) -> Result<Page> {
        match self.mode {
            Mode::Cursor => self.fetch_cursor(session, request.position),
            Mode::Window => self.fetch_window(session, request),
        }
    }

    fn normalize(&self, raw: &str) -> Result<Change> {
        let value: serde_json::Value =
            serde_json::from_str(raw).map_err(|e| ProviderError::Malformed(format!("stored record: {e}")))?;
        if let Some(id) = value.get("removed").and_then(|v| v.as_str()) {
            return Ok(Change::Remove { external_id: id.to_string() });
        }
        Ok(to_change(value)?.change)
    }

    fn revoke(&self, session: &mut Session<'_>) -> Result<()> {
        self.issuer.revoke(session)
    }
}

/// Decode `text` as each response body (or part of one) this provider reads: the names of
/// the structs it decoded as (`providers::decode_wire`, for tests/provider_json.rs).
pub(crate) fn decode_bodies(text: &str) -> Vec<&'static str> {
    use crate::providers::decodes;
    [
        ("WireAccounts", decodes::<WireAccounts>(text)),
        ("WireAccount", decodes::<WireAccount>(text)),
        ("WireBalances", decodes::<WireBalances>(text)),
        ("WireSync", decodes::<WireSync>(text)),
        ("WireWindow", decodes::<WireWindow>(text)),
        ("WireRemoved", decodes::<WireRemoved>(text)),
        ("WireTx", decodes::<WireTx>(text)),
    ]
    .into_iter()
    .filter_map(|(name, ok)| ok.then_some(name))
    .collect()
}
