//! `tally link`: run a provider's consent flow, choose the accounts to track, and save the
//! connection (tokens to the secret store, the rest to the database) all or nothing.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::consent::{Conversation, SecretSource, Terminal};
use crate::context::Ctx;
use crate::error::{UserError, usage};
use crate::model::RemoteAccount;
use crate::providers::{AccountScope, LinkOptions, Linked, ProviderKind, Session};
use crate::secrets::{SecretString, Secrets, random_hex};
use crate::store::{Db, accounts, connections, ledger};

/// Link a bank through its consent flow and choose the accounts to track
///
/// Opens the bank's consent page in your browser (the URL is always printed too, for SSH and
/// headless machines), waits for the bank to send you back to a one-shot listener on
/// 127.0.0.1, and keeps the tokens in the OS keyring.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The provider to link
    #[arg(value_enum, required_unless_present = "relink")]
    pub provider: Option<ProviderKind>,
    /// A name for the connection (default: the provider's name, made unique)
    #[arg(long, conflicts_with = "relink")]
    pub name: Option<String>,
    /// Renew an existing connection's consent in place: its accounts are matched by stable
    /// identity (IBAN, or mask and name), never duplicated, and the next sync backfills the gap
    #[arg(long, value_name = "CONNECTION", conflicts_with = "provider")]
    pub relink: Option<String>,
    /// Only print the consent URL; do not try to open a browser
    #[arg(long)]
    pub no_browser: bool,
    /// Track every account the consent covers without asking (required without a terminal)
    #[arg(long)]
    pub all: bool,
    /// How long to wait for the consent, in seconds
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    pub timeout: u64,
    /// For providers that ask for a secret (a setup token, an API key): read it from this
    /// file, or from stdin with `-`, instead of a prompt (which never echoes it)
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// For providers that list banks by country (enablebanking, gocardless): your bank's country, as its
    /// two-letter code (FI, DE, …)
    #[arg(long, value_name = "XX")]
    pub country: Option<String>,
    /// For providers that front many banks (enablebanking, gocardless): your bank's name as the provider
    /// lists it, in any case; without it a terminal offers a picker. For fdx: the NAME of an
    /// `[fdx.NAME]` section of the config (its issuer, client_id, api, scopes); flags beat it
    #[arg(long, value_name = "NAME")]
    pub bank: Option<String>,
    /// For banks that send you on to a web page tally cannot receive (enablebanking): read the
    /// address you landed on from this file, or from stdin with `-`, instead of a prompt
    #[arg(long, value_name = "FILE")]
    pub redirect_url_file: Option<PathBuf>,
    /// For fdx: the bank's OpenID Connect issuer URL (its discovery document lives under it);
    /// beats `[providers.fdx] issuer`
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// For fdx: the client id the bank gave you when you registered tally (a public client,
    /// no secret, redirect `http://127.0.0.1/callback`)
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// For fdx: the base URL of the bank's FDX API (`GET {api}/accounts`)
    #[arg(long, value_name = "URL")]
    pub api: Option<String>,
    /// For fdx: scopes to ask for besides `openid offline_access`, as the bank names them
    #[arg(long, value_name = "SCOPES")]
    pub scope: Option<String>,
    /// For teller: your application id (app_…), from the Application Settings page of the
    /// Teller dashboard; beats `[providers.teller] application_id`
    #[arg(long, value_name = "ID")]
    pub application_id: Option<String>,
    /// For teller: the client certificate from your teller.zip (certificate.pem); kept in the
    /// secret store with the key, so it is needed only once
    #[arg(long, value_name = "PATH")]
    pub cert: Option<PathBuf>,
    /// For teller: the private key from your teller.zip (private_key.pem)
    #[arg(long, value_name = "PATH")]
    pub key: Option<PathBuf>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    // Re-linking keeps the accounts it matches; only a first link must ask which to track.
    if args.relink.is_none() && !args.all && !ctx.interactive() {
        return usage(
            "choosing which accounts to track needs a terminal",
            "pass --all to track every account the consent covers",
        );
    }
    let open = !args.no_browser && ctx.config.has_display;
    let source = |path: Option<&std::path::Path>| match path {
        None => SecretSource::Prompt,
        Some(p) if p.as_os_str() == "-" => SecretSource::Stdin,
        Some(p) => SecretSource::File(p.to_path_buf()),
    };
    let mut terminal = Terminal::new(ctx.out.clone(), ctx.interactive(), open)
        .with_secrets_from(source(args.token_file.as_deref()))
        .with_pasted_urls_from(source(args.redirect_url_file.as_deref()));
    link(ctx, &args, &mut terminal)?;
    Ok(())
}

/// The whole link; `tally demo` calls it with a scripted conversation. Returns the
/// connection's name.
pub fn link(ctx: &mut Ctx, args: &Args, conversation: &mut dyn Conversation) -> Result<String> {
    // The bank an fdx link is for: flags beat `[providers.fdx]` (the provider keeps what it
    // linked with; other providers ignore these).
    for (key, value) in
        [("issuer", &args.issuer), ("client_id", &args.client_id), ("api", &args.api), ("scope", &args.scope)]
    {
        if let Some(v) = value {
            ctx.config.providers.set_override(ProviderKind::Fdx.settings_name(), key, v);
        }
    }
    // Teller's application and certificate, read by the provider at link time only.
    let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
    for (key, value) in
        [("application_id", args.application_id.clone()), ("certificate", path(&args.cert)), ("key", path(&args.key))]
    {
        if let Some(v) = value {
            ctx.config.providers.set_override(ProviderKind::Teller.settings_name(), key, &v);
        }
    }
    if let Some(name) = &args.relink {
        return super::relink::relink(ctx, name, args, conversation);
    }
    let kind = args.provider.expect("clap requires a provider without --relink");
    // Fail on an unusable database or keyring now, not after the user has consented.
    let (store, _) = ctx.store_and_secrets()?;
    if let Some(name) = &args.name
        && connections::by_name(store.db(), name)?.is_some()
    {
        return usage(
            format!("a connection named {name:?} exists already"),
            "choose another --name, or `tally connections unlink` the old one first",
        );
    }
    let Consented { linked, remote, secret, calls } = consent(ctx, kind, args, conversation, None)?;
    if remote.is_empty() {
        return Err(UserError::failure("the consent covers no accounts")
            .hint("link again and tick at least one account")
            .into());
    }
    let tracked = if args.all { vec![true; remote.len()] } else { choose(&remote)? };

    let now = ctx.now();
    let name = save_with_secret(ctx, kind, &secret, |db, secret_ref| {
        let name = match &args.name {
            Some(n) => n.clone(),
            None => connections::free_name(db, kind.as_str())?,
        };
        let id = connections::insert(
            db,
            &connections::NewConnection {
                name: &name,
                provider: kind.as_str(),
                institution: &linked.institution,
                consent_expires_at: linked.consent_expires_at,
                secret_ref,
                created_at: now,
            },
        )?;
        let mut ids = Vec::with_capacity(remote.len());
        for (r, &track) in remote.iter().zip(&tracked) {
            ids.push((r, accounts::insert(db, &accounts::NewAccount::from_remote(r, id, track), now)?));
        }
        record_link_calls(db, id, &ids, &calls, now)?;
        Ok(name)
    })
    .map_err(|e| e.context("cannot save the new connection; nothing was kept"))?;
    let n = tracked.iter().filter(|t| **t).count();
    ctx.out.status(&format!(
        "Linked {name} ({}): tracking {n} of {} accounts. Next: `tally sync {name}`.",
        linked.institution,
        remote.len()
    ));
    Ok(name)
}

/// Keep `secret` under a new keyring name, then save the rest in one transaction that knows
/// that name. If the save fails the secret is deleted again: no orphaned tokens, no
/// connection without its tokens.
pub fn save_with_secret<T>(
    ctx: &mut Ctx,
    kind: ProviderKind,
    secret: &SecretString,
    save: impl FnOnce(&rusqlite::Transaction<'_>, &str) -> Result<T>,
) -> Result<T> {
    ctx.warn_if_plaintext_secrets()?;
    let (store, secrets) = ctx.store_and_secrets()?;
    let secret_ref = format!("{}-{}", kind.as_str(), random_hex()?);
    secrets.set(&secret_ref, secret)?;
    store.atomic(|db| save(db, &secret_ref)).inspect_err(|_| {
        let _ = secrets.delete(&secret_ref);
    })
}

/// What a finished consent flow gives: the consent, its accounts, the secret to keep, and the
/// calls the provider's link made that its daily limit counts (by quota scope).
pub struct Consented {
    pub linked: Linked,
    pub remote: Vec<RemoteAccount>,
    pub secret: SecretString,
    pub calls: HashMap<String, u32>,
}

/// Write the calls a link spent to the connection's ledger, so `sync --if-due` counts them
/// against the provider's daily limit. A call about one account was charged under the
/// provider's id for it (the account had no tally id yet): it moves to the account's own
/// scope, where sync will look for it.
pub fn record_link_calls(
    db: &Db,
    connection_id: i64,
    accounts: &[(&RemoteAccount, i64)],
    calls: &HashMap<String, u32>,
    now: DateTime<Utc>,
) -> Result<()> {
    for (scope, &n) in calls {
        let scope = accounts
            .iter()
            .find_map(|(r, id)| {
                let by_provider = format!("provider account {}", r.external_id);
                let rest = scope.strip_prefix(&by_provider).filter(|rest| rest.is_empty() || rest.starts_with(' '))?;
                Some(format!("{}{rest}", AccountScope::of(*id, &r.name).key))
            })
            .unwrap_or_else(|| scope.clone());
        ledger::add(db, connection_id, &scope, now.date_naive(), n)?;
    }
    Ok(())
}

/// Run the provider's consent flow and list the accounts it covers (a scratch session: the
/// bank may rotate tokens even now, and nothing is saved until the caller says so).
pub fn consent(
    ctx: &mut Ctx,
    kind: ProviderKind,
    args: &Args,
    conversation: &mut dyn Conversation,
    renew: Option<SecretString>,
) -> Result<Consented> {
    let provider = ctx.provider(kind)?;
    let options = LinkOptions {
        timeout: Duration::from_secs(args.timeout),
        country: args.country.clone(),
        bank: args.bank.clone(),
        renew,
    };
    let linked = provider.link(conversation, &options)?;
    let scratch = Secrets::memory();
    let mut session = Session::new(&scratch, "consent", linked.secret.clone());
    let remote = provider.accounts(&mut session)?;
    let secret = session.secret().clone();
    let calls = session.take_link_calls();
    Ok(Consented { linked, remote, secret, calls })
}

/// Ask which accounts to track (all ticked to start with).
pub fn choose(remote: &[RemoteAccount]) -> Result<Vec<bool>> {
    let labels: Vec<String> = remote
        .iter()
        .map(|r| format!("{} ····{} ({}, {})", r.name, r.mask.as_deref().unwrap_or("?"), r.kind.as_str(), r.currency))
        .collect();
    let picked = dialoguer::MultiSelect::new()
        .with_prompt("Which accounts should tally track? (space toggles, enter accepts)")
        .items(&labels)
        .defaults(&vec![true; labels.len()])
        .interact()?;
    Ok((0..remote.len()).map(|i| picked.contains(&i)).collect())
}
