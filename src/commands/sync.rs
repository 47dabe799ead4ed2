//! `tally sync`: pull new, changed and removed transactions for each connection, and print
//! what changed per account. One failing connection never stops the others.

use anyhow::Result;
use serde::Serialize;

use crate::context::Ctx;
use crate::error::{Exit, UserError};
use crate::providers::ProviderKind;
use crate::store::connections;
use crate::sync::{self, Outcome};

/// Fetch new transactions from the banks
///
/// Follows each connection's cursor from where the last sync stopped. Each page commits
/// with its cursor in one transaction, so an interrupted sync loses nothing and the next one
/// carries on. Running it twice in a row changes nothing the second time.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Connections to sync (default: every connection that is not unlinked)
    #[arg(value_name = "CONNECTION")]
    pub connections: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Row {
    connection: String,
    account: String,
    added: u64,
    modified: u64,
    removed: u64,
    status: &'static str,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    let outcomes = sync_named(ctx, &args.connections)?;
    report(ctx, &outcomes)
}

/// Sync the named connections (or all), returning each outcome.
pub fn sync_named(ctx: &mut Ctx, names: &[String]) -> Result<Vec<Outcome>> {
    let store = ctx.store_or_create()?;
    let chosen: Vec<connections::Connection> = if names.is_empty() {
        connections::list(store.db())?.into_iter().filter(|c| c.status != "revoked").collect()
    } else {
        names.iter().map(|n| super::connections::resolve(store.db(), n)).collect::<Result<_>>()?
    };
    if chosen.is_empty() {
        return Err(UserError::usage("there is nothing to sync: no connections yet")
            .hint("link a bank first: `tally link sandbox`")
            .into());
    }
    let now = ctx.now();
    let mut outcomes = Vec::new();
    for c in chosen {
        if c.status == "revoked" {
            ctx.out.warn(&format!("{} is unlinked; skipping it", c.name));
            continue;
        }
        let Some(kind) = ProviderKind::parse(&c.provider) else {
            ctx.out.warn(&format!(
                "{} uses provider {:?}, which this tally does not know; skipping it",
                c.name, c.provider
            ));
            continue;
        };
        let provider = ctx.provider(kind)?;
        let bar = ctx.out.progress(&format!("syncing {}", c.name));
        let (store, secrets) = ctx.store_and_secrets()?;
        let outcome = sync::sync_connection(store, secrets, provider.as_ref(), &c, now, &|n| {
            bar.set_message(format!("syncing {}: {n} changes", c.name));
        })?;
        bar.finish_and_clear();
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// The per-account summary on stdout; failures as warnings with what to do; the exit code.
pub fn report(ctx: &Ctx, outcomes: &[Outcome]) -> Result<()> {
    let rows: Vec<Row> = outcomes
        .iter()
        .flat_map(|o| {
            o.accounts.iter().map(move |(a, c)| Row {
                connection: o.connection.name.clone(),
                account: a.name.clone(),
                added: c.added,
                modified: c.modified,
                removed: c.removed,
                status: if o.error.is_some() { "failed" } else { "ok" },
            })
        })
        .collect();
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.error.is_some()).collect();
    if !(ctx.out.quiet() && failed.is_empty()) {
        ctx.out.rows(&rows)?;
    }
    for o in &failed {
        let e = o.error.as_ref().expect("failed");
        ctx.out.warn(&format!("sync of {} failed: {e:#}", o.connection.name));
        let hint = match o.exit() {
            Exit::Reconsent => format!(
                "the consent ended; link the bank again with `tally link {}` (your data stays)",
                o.connection.provider
            ),
            Exit::TempFail => "the bank is busy or down; nothing was lost, run `tally sync` again later".into(),
            _ => "nothing past the last good page was saved; run with -v for details".into(),
        };
        ctx.out.hint(&hint);
    }
    let Some(worst) = failed.iter().map(|o| o.exit()).max_by_key(|e| exit_rank(*e)) else {
        return Ok(());
    };
    Err(UserError::new(worst, format!("{} of {} connections failed to sync", failed.len(), outcomes.len())).into())
}

/// Which exit code wins when several connections fail: re-consent needs a person most.
fn exit_rank(e: Exit) -> u8 {
    match e {
        Exit::Reconsent => 3,
        Exit::Failure | Exit::Usage => 2,
        Exit::TempFail => 1,
        Exit::Ok => 0,
    }
}
