//! `tally link --relink NAME`: renew a connection's consent in place. The new consent's
//! accounts are matched to the stored ones by stable identity (IBAN, or mask + name +
//! institution), never by the provider's ids, which may be scoped to one consent. Nothing is
//! duplicated; the cursor is reset so the next sync backfills the gap.

use anyhow::Result;

use super::link::Args;
use crate::consent::Conversation;
use crate::context::Ctx;
use crate::error::UserError;
use crate::providers::ProviderKind;
use crate::store::{accounts, connections};

pub fn relink(ctx: &mut Ctx, name: &str, args: &Args, conversation: &mut dyn Conversation) -> Result<String> {
    let (store, _) = ctx.store_and_secrets()?;
    let conn = super::connections::resolve(store.db(), name)?;
    let known = accounts::for_connection(store.db(), conn.id)?;
    let Some(kind) = ProviderKind::parse(&conn.provider) else {
        return Err(UserError::failure(format!(
            "{} uses provider {:?}, which this tally does not know",
            conn.name, conn.provider
        ))
        .into());
    };
    // Providers that renew in place (Plaid's update mode) start from the current secret.
    let current = ctx.secrets()?.get(&conn.secret_ref)?;
    let super::link::Consented { linked, remote, secret, calls } =
        super::link::consent(ctx, kind, args, conversation, current)?;

    // Match by identity; what is left over is new to us.
    let matched: Vec<(usize, Option<&accounts::Account>)> = remote
        .iter()
        .enumerate()
        .map(|(i, r)| (i, known.iter().find(|k| k.identity.as_deref() == Some(r.identity.as_str()))))
        .collect();
    let fresh: Vec<usize> = matched.iter().filter(|(_, k)| k.is_none()).map(|(i, _)| *i).collect();
    let track_fresh = if fresh.is_empty() || args.all {
        vec![true; fresh.len()]
    } else if ctx.interactive() {
        let new_ones: Vec<_> = fresh.iter().map(|&i| remote[i].clone()).collect();
        super::link::choose(&new_ones)?
    } else {
        // Without a terminal, new accounts wait for the user rather than being guessed at.
        vec![false; fresh.len()]
    };

    let now = ctx.now();
    super::link::save_with_secret(ctx, kind, &secret, |db, secret_ref| {
        let mut ids = Vec::with_capacity(remote.len());
        for (i, k) in &matched {
            if let Some(k) = k {
                accounts::set_external_id(db, k.id, &remote[*i].external_id)?;
                ids.push((&remote[*i], k.id));
            }
        }
        for (&i, &track) in fresh.iter().zip(&track_fresh) {
            ids.push((
                &remote[i],
                accounts::insert(db, &accounts::NewAccount::from_remote(&remote[i], conn.id, track), now)?,
            ));
        }
        super::link::record_link_calls(db, conn.id, &ids, &calls, now)?;
        connections::renew(db, conn.id, secret_ref, linked.consent_expires_at)
    })
    .map_err(|e| e.context("cannot save the renewed consent; the old connection is unchanged"))?;
    // The old tokens are dead or superseded.
    ctx.secrets()?.delete(&conn.secret_ref)?;
    let since = conn.last_synced_at.map_or_else(|| "the beginning".to_string(), |t| t.date_naive().to_string());
    ctx.out.status(&format!(
        "Relinked {}: {} accounts matched by identity, {} new{}. The next `tally sync` backfills since {since}.",
        conn.name,
        matched.len() - fresh.len(),
        fresh.len(),
        if track_fresh.iter().any(|t| !t) { " (not tracked yet: choose them in a terminal)" } else { "" },
    ));
    Ok(conn.name)
}
