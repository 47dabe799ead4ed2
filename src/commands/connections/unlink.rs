//! `tally connections unlink NAME [--purge]`: revoke at the provider, delete the tokens, keep
//! the data (or, with `--purge`, erase it after a yes), and say truthfully which happened.

use anyhow::Result;

use crate::context::Ctx;
use crate::error::usage;
use crate::model::ConnectionStatus;
use crate::providers::{ProviderKind, Session};
use crate::store::connections;

const REVOKE_AT_THE_BANK: &str =
    "end tally's access in the bank's own settings (online banking or its app: connected apps or third-party access)";

/// When revocation fails, the local unlink still completes and the exit code stays 0: the
/// tokens are gone, so running the command again cannot revoke either (it would say "unlinked
/// already"), and what is left to do is the user's, in the bank's settings. The warning and its
/// hint say so, even with `-q`.
pub fn run(ctx: &mut Ctx, name: &str, purge: bool, yes: bool) -> Result<()> {
    let (store, _) = ctx.store_and_secrets()?;
    let c = super::resolve(store.db(), name)?;
    if purge && !yes {
        let what = format!("connection {} with its accounts, transactions and raw records", c.name);
        if !ctx.interactive() {
            return usage(format!("erasing {what} needs a yes"), "pass --yes to erase it without asking");
        }
        let sure = dialoguer::Confirm::new().with_prompt(format!("Erase {what}? This cannot be undone")).interact()?;
        if !sure {
            ctx.out.status("Nothing was unlinked or erased.");
            return Ok(());
        }
    }
    if c.is(ConnectionStatus::Revoked) {
        ctx.out.status(&format!("{} is unlinked already.", c.name));
    } else {
        let revoked = revoke_and_forget(ctx, &c)?;
        let what = if revoked { "consent revoked at the bank and tokens deleted" } else { "tokens deleted" };
        let kept = if purge { "" } else { " Its accounts and transactions stay in the database." };
        ctx.out.status(&format!("Unlinked {}: {what}.{kept}", c.name));
    }
    if purge {
        let purged = crate::store::purge::connection(ctx.store()?, c.id)?;
        ctx.out.status(&format!(
            "Erased {}: {} accounts and {} transactions, with their raw records and sync history.",
            c.name, purged.accounts, purged.transactions
        ));
    }
    Ok(())
}

/// Revoke `c` at its provider where it can be, delete its tokens and mark it revoked; whether
/// the provider confirmed the revocation.
pub fn revoke_and_forget(ctx: &mut Ctx, c: &connections::Connection) -> Result<bool> {
    let kind = ProviderKind::parse(&c.provider);
    let secret = ctx.secrets()?.get(&c.secret_ref)?;
    let revoked = match (kind, secret) {
        (Some(kind), Some(secret)) => {
            // A provider that cannot even be built (a bad setting) must not keep the tokens here.
            let revoked = ctx.provider(kind).and_then(|provider| {
                let mut session = Session::new(ctx.secrets()?, &c.secret_ref, secret);
                provider.revoke(&mut session)
            });
            if let Err(e) = &revoked {
                let until = c.consent_expires_at.map(|t| format!(" (until {} at the latest)", t.date_naive()));
                ctx.out.warn(&format!(
                    "could not revoke the consent for {} at the bank: {e:#}\n\
                     its tokens are deleted here, but the consent may still be alive at the bank{}",
                    c.name,
                    until.unwrap_or_default()
                ));
                ctx.out.hint(REVOKE_AT_THE_BANK);
            }
            revoked.is_ok()
        }
        _ => {
            ctx.out.warn("no tokens for this connection, so nothing to revoke at the provider");
            false
        }
    };
    let (store, secrets) = ctx.store_and_secrets()?;
    secrets.delete(&c.secret_ref)?;
    connections::set_status(store.db(), c.id, ConnectionStatus::Revoked)?;
    Ok(revoked)
}
