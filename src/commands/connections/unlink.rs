//! `tally connections unlink NAME`: revoke at the provider, delete the tokens, keep the data.

use anyhow::Result;

use crate::context::Ctx;
use crate::model::ConnectionStatus;
use crate::providers::{ProviderKind, Session};
use crate::store::connections;

pub fn run(ctx: &mut Ctx, name: &str) -> Result<()> {
    let (store, _) = ctx.store_and_secrets()?;
    let c = super::resolve(store.db(), name)?;
    if c.is(ConnectionStatus::Revoked) {
        ctx.out.status(&format!("{} is unlinked already.", c.name));
        return Ok(());
    }
    let kind = ProviderKind::parse(&c.provider);
    let secret = ctx.secrets()?.get(&c.secret_ref)?;
    match (kind, secret) {
        (Some(kind), Some(secret)) => {
            // A provider that cannot even be built (a bad setting) must not keep the tokens here.
            let revoked = ctx.provider(kind).and_then(|provider| {
                let mut session = Session::new(ctx.secrets()?, &c.secret_ref, secret);
                provider.revoke(&mut session)
            });
            if let Err(e) = revoked {
                ctx.out.warn(&format!(
                    "could not revoke the consent at the provider ({e:#}); it stays valid there until it expires"
                ));
            }
        }
        _ => ctx.out.warn("no tokens for this connection, so nothing to revoke at the provider"),
    }
    let (store, secrets) = ctx.store_and_secrets()?;
    secrets.delete(&c.secret_ref)?;
    connections::set_status(store.db(), c.id, ConnectionStatus::Revoked)?;
    ctx.out.status(&format!(
        "Unlinked {}: consent revoked and tokens deleted. Its accounts and transactions stay in the database.",
        c.name
    ));
    Ok(())
}
