//! `tally connections [list]` and `tally connections show NAME`.

use anyhow::Result;
use serde::Serialize;

use crate::context::Ctx;
use crate::model::ConnectionStatus;
use crate::providers::ProviderKind;
use crate::store::{accounts, connections};

#[derive(Debug, Serialize, Default)]
struct Row {
    name: String,
    provider: String,
    institution: String,
    status: ConnectionStatus,
    accounts: usize,
    consent_expires: Option<String>,
    days_left: Option<i64>,
    last_synced: Option<String>,
    /// Calls left today in the tightest scope of the provider's documented quota.
    calls_left_today: Option<u32>,
    next_due: Option<String>,
}

fn row(ctx: &mut Ctx, c: connections::Connection) -> Result<Row> {
    let now = ctx.now();
    let store = ctx.store()?;
    let n = accounts::for_connection(store.db(), c.id)?.iter().filter(|a| a.tracked).count();
    let kind = ProviderKind::parse(&c.provider);
    let calls_left_today = match kind {
        Some(k) => crate::sync::allowance_for(store, k, c.id, now)?.left(),
        None => None,
    };
    let next_due = kind.zip(c.last_synced_at).map(|(k, t)| crate::store::ts((t + k.quota().interval).max(now)));
    Ok(Row {
        calls_left_today,
        next_due,
        accounts: n,
        consent_expires: c.consent_expires_at.map(|t| t.date_naive().to_string()),
        days_left: c.consent_expires_at.map(|t| (t - now).num_days()),
        last_synced: c.last_synced_at.map(crate::store::ts),
        name: c.name,
        provider: c.provider,
        institution: c.institution,
        status: c.status,
    })
}

pub fn list(ctx: &mut Ctx) -> Result<()> {
    let all = connections::list(ctx.store()?.db())?;
    let rows = all.into_iter().map(|c| row(ctx, c)).collect::<Result<Vec<_>>>()?;
    ctx.out.rows(&rows)
}

pub fn show(ctx: &mut Ctx, name: &str) -> Result<()> {
    let c = super::resolve(ctx.store()?.db(), name)?;
    let r = row(ctx, c)?;
    ctx.out.record(&r)
}
