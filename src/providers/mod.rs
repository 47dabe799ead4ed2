//! `trait Provider`: what every bank connection speaks, in domain types. Wire structs stay in
//! each provider's file; [`ProviderKind::build`] makes the `Box<dyn Provider>`.

pub mod enablebanking;
pub mod fdx;
pub mod gocardless;
pub mod grants;
pub mod http;
pub mod plaid;
mod retry;
pub mod sandbox;
pub mod simplefin;
pub mod teller;
pub mod window;

use std::collections::HashMap;

use anyhow::Result;
use chrono::{DateTime, Utc};

pub use self::http::HttpOptions;
use crate::config::ProviderConfig;
use crate::consent::Conversation;
use crate::model::{AccountChange, Change, RemoteAccount};
use crate::secrets::{SecretString, Secrets};

/// The providers tally can link. (More arrive with their issues: Enable Banking…)
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProviderKind {
    /// The built-in sandbox bank (OAuth 2.0 + PKCE on a loopback redirect)
    Sandbox,
    /// The same sandbox bank read through its cursorless date-window API, the way
    /// GoCardless-style providers work
    SandboxWindow,
    /// SimpleFIN Bridge (US and Canadian banks): paste a setup token made at
    /// bridge.simplefin.org/simplefin/create; the Bridge costs $1.50 a month or $15 a year
    #[value(name = "simplefin")]
    SimpleFin,
    /// Enable Banking: EU/EEA banks through PSD2. Needs your own application at
    /// enablebanking.com (free for personal use in restricted mode): set
    /// `[providers.enablebanking] app_id` and `key_file`, then `--country XX [--bank NAME]`
    #[value(name = "enablebanking")]
    EnableBanking,
    /// Plaid (US, Canada, some EU banks) with your own developer keys from
    /// dashboard.plaid.com: give `CLIENT_ID:SECRET` when asked (or with --token-file), open the
    /// printed Hosted Link URL (or scan its QR code) on any device; `[providers.plaid] env`
    Plaid,
    /// Any bank with OpenID Connect and an FDX (Plaid Core Exchange) API: register tally with
    /// the bank as a public client (redirect `http://127.0.0.1/callback`), then pass
    /// `--issuer --client-id --api` (or set them in `[providers.fdx]`); free, as your bank allows
    Fdx,
    /// GoCardless Bank Account Data (EU/EEA and UK banks; ex-Nordigen), for people who still
    /// have keys (sign-ups closed in 2025): give `SECRET_ID:SECRET_KEY` from its user-secrets
    /// page when asked (or with --token-file), then `--country XX [--bank NAME]`; open the
    /// printed link (or scan its QR code) on any device. 4 calls a day per account and scope
    #[value(name = "gocardless")]
    GoCardless,
    /// Teller (US banks) with your own application: pass `--application-id` and the
    /// certificate and key from your teller.zip (`--cert --key`) once; Teller Connect opens in a
    /// page tally serves on 127.0.0.1. Sandbox and 100 real enrollments are free
    Teller,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Sandbox => "sandbox",
            ProviderKind::SandboxWindow => "sandbox-window",
            ProviderKind::SimpleFin => "simplefin",
            ProviderKind::EnableBanking => "enablebanking",
            ProviderKind::Plaid => "plaid",
            ProviderKind::Fdx => "fdx",
            ProviderKind::GoCardless => "gocardless",
            ProviderKind::Teller => "teller",
        }
    }

    pub fn parse(s: &str) -> Option<ProviderKind> {
        match s {
            "sandbox" => Some(ProviderKind::Sandbox),
            "sandbox-window" => Some(ProviderKind::SandboxWindow),
            "simplefin" => Some(ProviderKind::SimpleFin),
            "enablebanking" => Some(ProviderKind::EnableBanking),
            "plaid" => Some(ProviderKind::Plaid),
            "fdx" => Some(ProviderKind::Fdx),
            "gocardless" => Some(ProviderKind::GoCardless),
            "teller" => Some(ProviderKind::Teller),
            _ => None,
        }
    }

    /// The provider's documented limits.
    pub fn quota(self) -> Quota {
        match self {
            ProviderKind::Sandbox => sandbox::quota(sandbox::Mode::Cursor),
            ProviderKind::SandboxWindow => sandbox::quota(sandbox::Mode::Window),
            ProviderKind::SimpleFin => simplefin::quota(),
            ProviderKind::EnableBanking => enablebanking::quota(),
            ProviderKind::Plaid => plaid::quota(),
            ProviderKind::Fdx => fdx::quota(),
            ProviderKind::GoCardless => gocardless::quota(),
            ProviderKind::Teller => teller::quota(),
        }
    }

    /// The name of the provider's config section (`[providers.<name>]`) and environment
    /// prefix (`TALLY_<NAME>_`). Two kinds of one bank share one.
    pub fn settings_name(self) -> &'static str {
        match self {
            ProviderKind::Sandbox | ProviderKind::SandboxWindow => "sandbox",
            ProviderKind::SimpleFin => "simplefin",
            ProviderKind::EnableBanking => "enablebanking",
            ProviderKind::Plaid => "plaid",
            ProviderKind::Fdx => "fdx",
            ProviderKind::GoCardless => "gocardless",
            ProviderKind::Teller => "teller",
        }
    }

    /// Every kind, for listings such as `tally config show`.
    pub fn all() -> &'static [ProviderKind] {
        &[
            ProviderKind::Sandbox,
            ProviderKind::SandboxWindow,
            ProviderKind::SimpleFin,
            ProviderKind::EnableBanking,
            ProviderKind::Plaid,
            ProviderKind::Fdx,
            ProviderKind::GoCardless,
            ProviderKind::Teller,
        ]
    }

    /// The settings in effect for this kind, by key (for `tally config show`); an error when
    /// they are not valid.
    pub fn settings_shown(self, config: &ProviderConfig) -> Result<Vec<(&'static str, String)>> {
        match self {
            ProviderKind::Sandbox | ProviderKind::SandboxWindow => Ok(sandbox::Settings::load(config)?.shown()),
            ProviderKind::SimpleFin => Ok(simplefin::Settings::load(config)?.shown()),
            ProviderKind::EnableBanking => Ok(enablebanking::Settings::load(config)?.shown()),
            ProviderKind::Plaid => Ok(plaid::Settings::load(config)?.shown()),
            ProviderKind::Fdx => Ok(fdx::Settings::load(config)?.shown()),
            ProviderKind::GoCardless => Ok(gocardless::Settings::load(config)?.shown()),
            ProviderKind::Teller => Ok(teller::Settings::load(config)?.shown()),
        }
    }

    /// Build the provider; it reads its own settings from `env.settings` and builds its HTTP
    /// client from `env.http`, so a bad setting fails here, before any network call.
    pub fn build(self, env: ProviderEnv) -> Result<Box<dyn Provider>> {
        Ok(match self {
            ProviderKind::Sandbox => Box::new(sandbox::Sandbox::new(env, sandbox::Mode::Cursor)?),
            ProviderKind::SandboxWindow => Box::new(sandbox::Sandbox::new(env, sandbox::Mode::Window)?),
            ProviderKind::SimpleFin => Box::new(simplefin::SimpleFin::new(env)?),
            ProviderKind::EnableBanking => Box::new(enablebanking::EnableBanking::new(env)?),
            ProviderKind::Plaid => Box::new(plaid::Plaid::new(env)?),
            ProviderKind::Fdx => Box::new(fdx::Fdx::new(env)?),
            ProviderKind::GoCardless => Box::new(gocardless::GoCardless::new(env)?),
            ProviderKind::Teller => Box::new(teller::Teller::new(env)?),
        })
    }
}

/// What a provider gets from its surroundings. Nothing in it names a particular provider:
/// each one finds its own settings in `settings`.
#[derive(Debug, Clone)]
pub struct ProviderEnv {
    /// The HTTP settings from the config; the provider adds what it needs and builds a client.
    pub http: HttpOptions,
    /// The provider's `[providers.<name>]` section and `TALLY_<NAME>_*` variables.
    pub settings: ProviderConfig,
    pub now: DateTime<Utc>,
    /// Whether a person runs this command: a provider whose API has PSU-present headers
    /// (PSD2) sends them only when one does.
    pub presence: Presence,
}

/// Who is behind a command, as far as tally can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// A person at a terminal (stdin and stderr are terminals, no `--no-input`).
    Terminal,
    /// No terminal, but not a scheduled run either (a script, a wrapper, a test).
    NoTerminal,
    /// A scheduled run (`sync --if-due`, for cron): never a person.
    Unattended,
}

/// Errors sync branches on: each has its own exit code and advice.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("the consent is no longer valid ({0})")]
    NeedsRelink(String),
    #[error("rate limited by the bank{}", .retry_after.map(|s| format!(" (retry after {s} s)")).unwrap_or_default())]
    RateLimited { retry_after: Option<u64> },
    #[error("the bank answered {status}: {message}")]
    Upstream { status: u16, message: String },
    #[error("the bank sent something tally cannot read: {0}")]
    Malformed(String),
    #[error(
        "today's quota is used up: {limit} calls for {scope} (the provider's documented limit); tally sends no more until tomorrow (UTC)"
    )]
    QuotaExhausted { scope: String, limit: u32 },
}

/// Whether an error met while reading one account concerns that account alone (something
/// unreadable in its answer, endless paging, its own quota, a 4xx about it), so the
/// provider reports it with [`Session::account_failed`] and goes on with the others. A refused
/// consent, a rate limit or a bank that is down concern every account.
pub fn one_account_only(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<ProviderError>(),
        Some(ProviderError::Malformed(_) | ProviderError::QuotaExhausted { .. })
            | Some(ProviderError::Upstream { status: 400..=499, .. })
    )
}

/// A provider's documented limits, which tally never exceeds.
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    /// Calls per UTC day for each scope (the connection, or one account); `None`: no limit.
    pub per_day: Option<u32>,
    /// How often an unattended sync (`sync --if-due`) should run.
    pub interval: chrono::Duration,
}

/// What a sync may still spend today, and what it has spent: the provider's documented daily
/// limit, counted per scope in the call ledger (`store::ledger`). A scope is the connection, an
/// API (`accounts`), or one account under its [`Allowance::account_scope`].
#[derive(Debug, Default)]
pub struct Allowance {
    pub limit: Option<u32>,
    /// Calls made today before this sync, by scope.
    pub used: HashMap<String, u32>,
    /// Calls made by this sync and not yet written to the ledger, by scope.
    pub spent: HashMap<String, u32>,
    /// The scope of each tracked account, by the provider's id for it, and how to name it in a
    /// message. Filled by sync from the stored accounts.
    pub accounts: HashMap<String, AccountScope>,
}

/// The ledger scope of one account, and its name for people.
#[derive(Debug, Clone)]
pub struct AccountScope {
    pub key: String,
    pub label: String,
}

impl AccountScope {
    /// Keyed by tally's own account id: a rename (`tally accounts rename`, or the bank's)
    /// changes the name, and a relink changes the provider's consent-scoped id, but neither
    /// changes this, so neither resets the count. It also keeps account numbers (an IBAN in
    /// the identity) out of the ledger and of error messages.
    pub fn of(account_id: i64, name: &str) -> AccountScope {
        AccountScope { key: format!("account {account_id}"), label: format!("account {account_id} ({name})") }
    }
}

impl Allowance {
    /// Calls left today in the tightest scope seen so far (the limit itself when none was used).
    pub fn left(&self) -> Option<u32> {
        let limit = self.limit?;
        Some(limit.saturating_sub(self.used.values().copied().max().unwrap_or(0)))
    }

    /// The scope to charge a call about one account to. An account sync does not know (only
    /// during `link`) is keyed by the provider's id.
    pub fn account_scope(&self, external_id: &str) -> String {
        self.accounts.get(external_id).map_or_else(|| format!("provider account {external_id}"), |s| s.key.clone())
    }

    fn label<'s>(&'s self, scope: &'s str) -> &'s str {
        self.accounts.values().find(|s| s.key == scope).map_or(scope, |s| s.label.as_str())
    }
}

/// The outcome of linking: the secret to keep and what the consent covers.
#[derive(Debug)]
pub struct Linked {
    pub secret: SecretString,
    pub institution: String,
    pub consent_expires_at: Option<DateTime<Utc>>,
}

/// What sync asks a provider for: the page after `position`, for these accounts.
#[derive(Debug, Clone, Copy)]
pub struct FetchRequest<'a> {
    /// Where the last committed page ended, as the provider wrote it (`None`: the beginning).
    /// Its shape is the provider's: a cursor per connection, or a position per account.
    pub position: Option<&'a str>,
    /// The provider's ids of the accounts the user tracks. A provider that fetches per account
    /// fetches (and spends calls on) these only; a feed that returns every account anyway may
    /// ignore it, and sync skips the rows of the others.
    pub accounts: &'a [String],
}

/// What the user asked of a link, whatever the provider.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// How long to wait for the user to finish consenting.
    pub timeout: std::time::Duration,
    /// The bank's country (ISO 3166 alpha-2), for aggregators that list banks by country.
    pub country: Option<String>,
    /// The bank to link, by name, for aggregators that front many banks; `None`: ask.
    pub bank: Option<String>,
    /// For `link --relink`: the connection's current secret, for providers that renew a
    /// consent in place (Plaid's update mode); `None` for a new link.
    pub renew: Option<SecretString>,
}

/// One page of upstream changes and where to continue.
#[derive(Debug)]
pub struct Page {
    pub changes: Vec<AccountChange>,
    /// Stored with the page's rows in one transaction; the next request starts here.
    pub next_position: String,
    pub has_more: bool,
    /// For providers without a cursor: `changes` is the whole current state of one account
    /// from a date on, and the reconciler derives what was removed (`sync::window`).
    pub window: Option<Window>,
}

/// The account and dates a window page covers (from `from` to the provider's today).
#[derive(Debug, Clone)]
pub struct Window {
    pub account_external_id: String,
    pub from: chrono::NaiveDate,
}

/// A connection's secret during one command; replacing it (token rotation) persists at once,
/// because the old refresh token is already spent.
pub struct Session<'a> {
    secret: SecretString,
    store: &'a Secrets,
    key: String,
    allowance: Allowance,
    /// Accounts this command could not read, reported by the provider (see
    /// [`Session::account_failed`]) and not yet taken by sync.
    failures: Vec<(String, anyhow::Error)>,
    /// Calls `Provider::link` made that the provider's daily limit counts (it has no session
    /// then), by scope: `tally link` writes them to the new connection's ledger.
    link_calls: HashMap<String, u32>,
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("key", &self.key).finish_non_exhaustive()
    }
}

impl<'a> Session<'a> {
    pub fn new(store: &'a Secrets, key: &str, secret: SecretString) -> Session<'a> {
        Session {
            secret,
            store,
            key: key.to_string(),
            allowance: Allowance::default(),
            failures: Vec::new(),
            link_calls: HashMap::new(),
        }
    }

    pub fn with_allowance(mut self, allowance: Allowance) -> Self {
        self.allowance = allowance;
        self
    }

    /// The quota scope of one account, by the provider's id for it.
    pub fn account_scope(&self, external_id: &str) -> String {
        self.allowance.account_scope(external_id)
    }

    /// Account for one call in `scope` before it is sent; refuse it if the quota is used up.
    pub fn spend(&mut self, scope: &str) -> Result<()> {
        let b = &mut self.allowance;
        let used = b.used.get(scope).copied().unwrap_or(0) + b.spent.get(scope).copied().unwrap_or(0);
        if let Some(limit) = b.limit
            && used >= limit
        {
            return Err(ProviderError::QuotaExhausted { scope: b.label(scope).to_string(), limit }.into());
        }
        *b.spent.entry(scope.to_string()).or_default() += 1;
        Ok(())
    }

    /// The provider's own count (its rate-limit headers) says `used` calls were made today in
    /// `scope`: count the ones tally did not see (made at link time, or by another client), so
    /// the ledger never believes more calls are left than the provider does.
    pub fn used_at_least(&mut self, scope: &str, used: u32) {
        let b = &mut self.allowance;
        let have = b.used.get(scope).copied().unwrap_or(0) + b.spent.get(scope).copied().unwrap_or(0);
        if used > have {
            *b.spent.entry(scope.to_string()).or_default() += used - have;
        }
    }

    /// Report that one account (by the provider's id) cannot be read in this sync, and why:
    /// sync records it as failed for this run, applies none of its rows from here on, and goes
    /// on with the connection's other accounts. The provider must leave that account's
    /// position where it was, so the next sync reads it again. An error about the whole
    /// connection (consent ended, rate limit, bank down) is returned from `fetch` instead.
    pub fn account_failed(&mut self, external_id: &str, error: anyhow::Error) {
        self.failures.push((external_id.to_string(), error));
    }

    /// The accounts reported failed since the last time.
    pub fn take_failures(&mut self) -> Vec<(String, anyhow::Error)> {
        std::mem::take(&mut self.failures)
    }

    /// Charge `n` calls the provider's `link` made in `scope` to the connection being linked
    /// (the first `accounts()` after `link` reports them). Unlike [`Session::spend`] nothing is
    /// refused: the calls were made already.
    pub fn charge_link_calls(&mut self, scope: &str, n: u32) {
        if n > 0 {
            *self.link_calls.entry(scope.to_string()).or_default() += n;
        }
    }

    /// The calls charged with [`Session::charge_link_calls`], for the new connection's ledger.
    pub fn take_link_calls(&mut self) -> HashMap<String, u32> {
        std::mem::take(&mut self.link_calls)
    }

    /// The calls spent since the last time, for the ledger.
    pub fn take_spent(&mut self) -> HashMap<String, u32> {
        let spent = std::mem::take(&mut self.allowance.spent);
        for (scope, n) in &spent {
            *self.allowance.used.entry(scope.clone()).or_default() += n;
        }
        spent
    }

    pub fn secret(&self) -> &SecretString {
        &self.secret
    }

    pub fn replace(&mut self, secret: SecretString) -> Result<()> {
        self.store.set(&self.key, &secret)?;
        self.secret = secret;
        Ok(())
    }
}

/// Whether `text` decodes as `T`: a wire struct, directly.
pub(crate) fn decodes<'a, T: serde::Deserialize<'a>>(text: &'a str) -> bool {
    serde_json::from_str::<T>(text).is_ok()
}

/// Decode `text` as each wire struct `kind` reads (its response bodies and their parts),
/// directly, not through a request: the names of those it decoded as. For
/// tests/provider_json.rs, which feeds it hostile JSON: a clean error or a value, never a panic.
#[doc(hidden)]
pub fn decode_wire(kind: ProviderKind, text: &str) -> Vec<&'static str> {
    match kind {
        ProviderKind::Sandbox | ProviderKind::SandboxWindow => sandbox::decode_bodies(text),
        ProviderKind::SimpleFin => simplefin::wire::decode_bodies(text),
        ProviderKind::EnableBanking => enablebanking::wire::decode_bodies(text),
        ProviderKind::Fdx => fdx::wire::decode_bodies(text),
        ProviderKind::Plaid => plaid::wire::decode_bodies(text),
        ProviderKind::Teller => teller::wire::decode_bodies(text),
        ProviderKind::GoCardless => gocardless::wire::decode_bodies(text),
    }
}

pub trait Provider {
    fn kind(&self) -> ProviderKind;
    /// Run the consent flow, asking the user through `conversation`.
    fn link(&self, conversation: &mut dyn Conversation, options: &LinkOptions) -> Result<Linked>;
    /// The accounts the consent covers, with balances.
    fn accounts(&self, session: &mut Session<'_>) -> Result<Vec<RemoteAccount>>;
    /// The next page of changes for the request's accounts after its position.
    fn fetch(&self, session: &mut Session<'_>, request: &FetchRequest<'_>) -> Result<Page>;
    /// End the consent at the provider.
    fn revoke(&self, session: &mut Session<'_>) -> Result<()>;
    /// Turn a stored raw record back into the change it carried (for `sync --replay`).
    fn normalize(&self, raw: &str) -> Result<Change>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_charged_under_its_own_id_and_named_in_the_refusal() {
        let secrets = Secrets::memory();
        let mut allowance = Allowance { limit: Some(2), ..Allowance::default() };
        allowance.accounts.insert("acc-1.g7".into(), AccountScope::of(17, "Bills"));
        allowance.used.insert("account 17".into(), 1);
        let mut session = Session::new(&secrets, "k", SecretString::new("s")).with_allowance(allowance);
        let scope = session.account_scope("acc-1.g7");
        assert_eq!(scope, "account 17");
        session.spend(&scope).unwrap();
        let refused = session.spend(&scope).unwrap_err().to_string();
        assert!(refused.contains("2 calls for account 17 (Bills)"), "{refused}");
        assert_eq!(session.take_spent(), HashMap::from([("account 17".to_string(), 1)]));
        // An account sync was not told about (during `link`) is keyed by the provider's id.
        assert_eq!(session.account_scope("acc-2.g7"), "provider account acc-2.g7");
    }
}
