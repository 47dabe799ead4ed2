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
    /// Calls left today in the tightest scope of the provider's documented quota: a number,
    /// or for a provider without a daily limit null in JSON and CSV, "no limit" in tables.
    calls_left_today: serde_json::Value,
    next_due: Option<String>,
}

fn row(ctx: &mut Ctx, c: connections::Connection) -> Result<Row> {
    let now = ctx.now();
    let for_people = ctx.out.format() == crate::output::Format::Table;
    let store = ctx.store()?;
    let n = accounts::for_connection(store.db(), c.id)?.iter().filter(|a| a.tracked).count();
    let kind = ProviderKind::parse(&c.provider);
    let calls_left_today = match kind.map(|k| crate::sync::allowance_for(store, k, c.id, now)).transpose()? {
        Some(allowance) => match allowance.left() {
            Some(n) => n.into(),
            None if for_people => "no limit".into(),
            None => serde_json::Value::Null,
        },
        // A provider this tally does not know: nothing to say about its quota.
        None => serde_json::Value::Null,
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
