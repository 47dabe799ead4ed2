//! `tally sync`: pull new, changed and removed transactions for each connection, and report
//! what changed per account in a way cron can act on. One failing connection never stops the
//! others; the exit code says what happened (0, 1, 75 retry later, 77 link again, 130
//! interrupted). Ctrl-C or SIGTERM stops at the next page boundary and keeps what was done.

use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::context::Ctx;
use crate::error::{Exit, UserError};
use crate::model::ConnectionStatus;
use crate::output::Format;
use crate::providers::{Presence, ProviderError, ProviderKind};
use crate::store::{connections, sync_runs};
use crate::sync::{self, Outcome, exit_rank, lock::SyncLock};

/// Fetch new transactions from the banks
///
/// Follows each connection's cursor from where the last sync stopped. Each page commits with
/// its cursor in one transaction, so an interrupted sync loses nothing and the next one carries
/// on. Running it twice in a row changes nothing the second time. For cron: `-q` prints
/// nothing on success (only warnings, such as a consent about to expire), `--format json`
/// prints one summary object, and the exit code is 0 ok, 1 failure, 75 temporary failure
/// (retry later), 77 a consent needs renewing, 130 interrupted. Ctrl-C stops after the page in
/// flight and keeps what was fetched; the next sync resumes from there.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Connections to sync (default: every connection that is not unlinked)
    #[arg(value_name = "CONNECTION")]
    pub connections: Vec<String>,
    /// Wait up to SECS for another sync of this database to finish
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub wait: u64,
    /// List past syncs, newest first, instead of syncing
    #[arg(long, conflicts_with = "connections")]
    pub history: bool,
    /// With --history: how many rows, 0 for all
    #[arg(long, default_value_t = 20, requires = "history", value_parser = crate::cli::parse_limit, allow_hyphen_values = true, value_name = "N")]
    pub limit: u64,
    /// The cron mode: sync only connections that are due (by the provider's interval) and
    /// have calls left today under its documented quota; skip the rest quietly
    #[arg(long)]
    pub if_due: bool,
    /// Rebuild the connections' transactions from their stored raw records, without the
    /// network (after an upgrade changed how payloads are read or matched)
    #[arg(long, conflicts_with_all = ["history", "if_due"])]
    pub replay: bool,
}

/// A connection `--if-due` left alone, and why.
#[derive(Debug, Serialize)]
pub struct Skipped {
    connection: String,
    reason: String,
}

/// What `sync_named` did: outcomes of the connections synced, and those skipped.
#[derive(Debug, Default)]
pub struct Synced {
    pub outcomes: Vec<Outcome>,
    pub skipped: Vec<Skipped>,
    /// Connections a Ctrl-C or SIGTERM kept from starting.
    pub not_started: Vec<String>,
}

/// One account's line of the summary (tables and CSV).
#[derive(Debug, Serialize, Default)]
struct Row {
    connection: String,
    account: String,
    added: u64,
    /// Added rows that got a category as they landed.
    categorized: u64,
    modified: u64,
    posted: u64,
    removed: u64,
    status: &'static str,
}

/// The JSON summary: one object a script can read.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    ok: bool,
    exit_code: u8,
    connections: Vec<ConnectionSummary>,
    skipped: &'a [Skipped],
}

#[derive(Debug, Serialize)]
struct ConnectionSummary {
    connection: String,
    provider: String,
    status: &'static str,
    error: Option<String>,
    hint: Option<String>,
    consent_expires: Option<String>,
    consent_days_left: Option<i64>,
    accounts: Vec<AccountCounts>,
}

#[derive(Debug, Serialize)]
struct AccountCounts {
    account: String,
    added: u64,
    /// Added rows that got a category as they landed.
    categorized: u64,
    modified: u64,
    /// Pending rows replaced by their posted rows.
    posted: u64,
    removed: u64,
    /// Why this account alone failed (the connection's other accounts went on).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    if args.history {
        return history(ctx, args.limit);
    }
    if args.replay {
        return replay(ctx, &args.connections, Duration::from_secs(args.wait));
    }
    let mark = super::alerts::mark(ctx);
    let synced = sync_named(ctx, &args.connections, Duration::from_secs(args.wait), args.if_due)?;
    let result = report(ctx, &synced);
    super::alerts::after_run(ctx, mark);
    result
}

/// The named connections, or every one that is not unlinked.
fn choose(store: &crate::store::Store, names: &[String]) -> Result<Vec<connections::Connection>> {
    if names.is_empty() {
        Ok(connections::list(store.db())?.into_iter().filter(|c| !c.is(ConnectionStatus::Revoked)).collect())
    } else {
        names.iter().map(|n| super::connections::resolve(store.db(), n)).collect()
    }
}

/// Sync the named connections (or all) under the database's sync lock.
pub fn sync_named(ctx: &mut Ctx, names: &[String], wait: Duration, if_due: bool) -> Result<Synced> {
    // Only `link` and `import` create a database: a sync of nothing should not.
    let store = ctx.store()?;
    let _lock = SyncLock::acquire(store.path(), wait)?;
    let chosen = choose(store, names)?;
    if chosen.is_empty() {
        return Err(UserError::usage("there is nothing to sync: no connections yet")
            .hint("link a bank first: `tally link sandbox`")
            .into());
    }
    let now = ctx.now();
    let mut synced = Synced::default();
    // From here on the first Ctrl-C stops at a page boundary instead of killing the process.
    sync::interrupt::watch()?;
    for c in chosen {
        if sync::interrupt::requested().is_some() {
            synced.not_started.push(c.name.clone());
            continue;
        }
        if c.is(ConnectionStatus::Revoked) {
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
        if if_due && let Some(reason) = not_due(ctx, &c, kind)? {
            ctx.out.status(&format!("{}: skipped, {reason}", c.name));
            synced.skipped.push(Skipped { connection: c.name.clone(), reason });
            continue;
        }
        // A scheduled run is never a person, whatever terminal cron leaves it.
        let provider = if if_due { ctx.provider_for(kind, Presence::Unattended)? } else { ctx.provider(kind)? };
        let bar = ctx.out.progress(&format!("syncing {}", c.name));
        let transfers = ctx.config.transfers;
        let (store, secrets) = ctx.store_and_secrets()?;
        let outcome = sync::sync_connection(store, secrets, provider.as_ref(), &c, now, &transfers, &|n| {
            bar.set_message(format!("syncing {}: {n} changes", c.name));
        })?;
        bar.finish_and_clear();
        synced.outcomes.push(outcome);
    }
    Ok(synced)
}

/// `sync --replay`: rebuild from raw records, offline, and print what each account got.
fn replay(ctx: &mut Ctx, names: &[String], wait: Duration) -> Result<()> {
    let store = ctx.store()?;
    let _lock = SyncLock::acquire(store.path(), wait)?;
    let chosen = choose(store, names)?;
    let now = ctx.now();
    let mut rows = Vec::new();
    for c in chosen {
        let Some(kind) = ProviderKind::parse(&c.provider) else {
            ctx.out.warn(&format!(
                "{} uses provider {:?}, which this tally does not know; skipping it",
                c.name, c.provider
            ));
            continue;
        };
        let provider = ctx.provider(kind)?;
        for (a, n) in sync::replay::replay(ctx.store()?, provider.as_ref(), &c, now)? {
            // A replay adds every row anew: those with a category now are the ones it categorized.
            let categorized = crate::store::transactions::categorized_in_account(ctx.store()?.db(), a.id)?;
            rows.push(Row {
                connection: c.name.clone(),
                account: a.name,
                added: n.added,
                categorized,
                modified: n.modified,
                posted: n.posted,
                removed: n.removed,
                status: "replayed",
            });
        }
    }
    // Rebuilt rows come back without their transfer marks; the pairs, kept by the rows' stable
    // ids, give them back (and the rebuilt rows are looked at for new pairs).
    let transfers = ctx.config.transfers;
    if transfers.enabled {
        ctx.store()?.atomic(|db| crate::transfers::detect_all(db, &transfers, now))?;
    }
    ctx.out.rows(&rows)
}

/// Why `--if-due` should leave a connection alone, if it should.
fn not_due(ctx: &mut Ctx, c: &connections::Connection, kind: ProviderKind) -> Result<Option<String>> {
    let now = ctx.now();
    let quota = kind.quota();
    if let Some(due) = c.last_synced_at.map(|t| t + quota.interval).filter(|due| *due > now) {
        return Ok(Some(format!("not due until {}", crate::store::ts(due))));
    }
    let allowance = sync::allowance_for(ctx.store()?, kind, c.id, now)?;
    Ok((allowance.left() == Some(0)).then(|| "no calls left today under the provider's quota".to_string()))
}

/// What to tell the user about a failed connection: what the error means they can do, and
/// when (a quota resets at the next UTC midnight; a rate limit says how long to wait).
fn hint_for(o: &Outcome, now: DateTime<Utc>) -> String {
    match o.error.as_ref().or_else(|| worst_account_error(o)) {
        Some(e) => hint_for_error(&o.connection.name, e, now),
        None => String::new(),
    }
}

/// The account error that decides the connection's exit code.
fn worst_account_error(o: &Outcome) -> Option<&anyhow::Error> {
    o.account_errors.values().max_by_key(|e| exit_rank(sync::exit_of(e)))
}

/// What one error means the user of connection `name` can do.
fn hint_for_error(name: &str, e: &anyhow::Error, now: DateTime<Utc>) -> String {
    let provider_error = e.chain().find_map(|c| c.downcast_ref::<ProviderError>());
    let own_hint = crate::error::user_error(e).and_then(|u| u.hint.clone());
    match (sync::exit_of(e), provider_error) {
        (Exit::Interrupted, _) => "run `tally sync` to finish: it resumes where this one stopped".into(),
        (Exit::Reconsent, _) => {
            format!("the consent ended; renew it with `tally link --relink {name}` (your data stays)")
        }
        (Exit::TempFail, Some(ProviderError::QuotaExhausted { .. })) => {
            format!(
                "the quota resets at {} (00:00 UTC); `tally sync --if-due` waits for it, so cron can run it as often as it likes",
                crate::store::ts(sync::quota_resets_at(now))
            )
        }
        (Exit::TempFail, Some(ProviderError::RateLimited { retry_after: Some(secs) })) => {
            // The number is the server's: checked, so an absurd one cannot overflow the clock.
            let at = i64::try_from(*secs).ok().and_then(chrono::Duration::try_seconds);
            match at.and_then(|d| now.checked_add_signed(d)) {
                Some(at) => format!(
                    "the bank asked tally to wait {secs} s: run `tally sync` again after {}; nothing was lost",
                    crate::store::ts(at)
                ),
                None => format!("the bank asked tally to wait {secs} s; nothing was lost"),
            }
        }
        (Exit::TempFail, Some(ProviderError::RateLimited { retry_after: None })) => {
            "the bank is rate limiting tally; nothing was lost, run `tally sync` again in a few minutes".into()
        }
        // An error that knows what to do says it (a server that cannot be reached, a bad setting).
        (exit, _) => own_hint.unwrap_or_else(|| match exit {
            Exit::TempFail => "the bank is busy or down; nothing was lost, run `tally sync` again later".into(),
            _ => "nothing past the last good page was saved; run with -v for details".into(),
        }),
    }
}

/// The summary's word for how a connection's sync ended: `partial` when some of its accounts
/// failed alone and the others synced.
fn status_of(o: &Outcome) -> &'static str {
    match &o.error {
        None if o.account_errors.is_empty() => "ok",
        None => "partial",
        Some(e) if sync::interrupt::is_interrupted(e) => "interrupted",
        Some(_) => "failed",
    }
}

/// The summary's word for how one account's sync ended.
fn account_status(o: &Outcome, account_id: i64) -> &'static str {
    match status_of(o) {
        "partial" if o.account_errors.contains_key(&account_id) => "failed",
        "partial" => "ok",
        status => status,
    }
}

/// The connection's error for the summary: its own, or which of its accounts failed.
fn error_text(o: &Outcome) -> Option<String> {
    if let Some(e) = &o.error {
        return Some(format!("{e:#}"));
    }
    let mut names: Vec<&str> =
        o.accounts.iter().filter(|(a, _)| o.account_errors.contains_key(&a.id)).map(|(a, _)| a.name.as_str()).collect();
    names.sort_unstable();
    (!names.is_empty())
        .then(|| format!("{} of {} accounts failed to sync: {}", names.len(), o.accounts.len(), names.join(", ")))
}

/// The summary on stdout, warnings and hints on stderr, and the exit code as the result.
pub fn report(ctx: &Ctx, synced: &Synced) -> Result<()> {
    let outcomes = &synced.outcomes;
    let now = ctx.now();
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.failed()).collect();
    let worst = failed.iter().map(|o| o.exit()).max_by_key(|e| exit_rank(*e)).unwrap_or(Exit::Ok);

    if ctx.out.format() == Format::Json {
        let summary = Summary {
            ok: failed.is_empty(),
            exit_code: worst as u8,
            skipped: &synced.skipped,
            connections: outcomes
                .iter()
                .map(|o| ConnectionSummary {
                    connection: o.connection.name.clone(),
                    provider: o.connection.provider.clone(),
                    status: status_of(o),
                    error: error_text(o),
                    hint: o.failed().then(|| hint_for(o, now)),
                    consent_expires: o.connection.consent_expires_at.map(|t| t.date_naive().to_string()),
                    consent_days_left: o.connection.consent_expires_at.map(|t| (t - now).num_days()),
                    accounts: o
                        .accounts
                        .iter()
                        .map(|(a, c)| AccountCounts {
                            account: a.name.clone(),
                            added: c.added,
                            categorized: c.categorized,
                            modified: c.modified,
                            posted: c.posted,
                            removed: c.removed,
                            error: o.account_errors.get(&a.id).map(|e| format!("{e:#}")),
                            hint: o.account_errors.get(&a.id).map(|e| hint_for_error(&o.connection.name, e, now)),
                        })
                        .collect(),
                })
                .collect(),
        };
        ctx.out.record(&summary)?;
    } else if !ctx.out.quiet() {
        // Quiet means the data asked for and errors: a failure speaks through its warning,
        // hint and error lines below, not a table.
        let rows: Vec<Row> = outcomes
            .iter()
            .flat_map(|o| {
                o.accounts.iter().map(move |(a, c)| Row {
                    connection: o.connection.name.clone(),
                    account: a.name.clone(),
                    added: c.added,
                    categorized: c.categorized,
                    modified: c.modified,
                    posted: c.posted,
                    removed: c.removed,
                    status: account_status(o, a.id),
                })
            })
            .collect();
        ctx.out.rows(&rows)?;
    }
    for o in outcomes {
        let days_left = o.connection.consent_expires_at.map(|t| (t - now).num_days());
        let Some(expires) = o.connection.consent_expires_at else { continue };
        if expires <= now {
            ctx.out.warn(&format!("the consent for {} expired on {}", o.connection.name, expires.date_naive()));
            ctx.out.hint(&format!("renew it: `tally link --relink {}`", o.connection.name));
        } else if let Some(days) = days_left.filter(|d| *d <= ctx.config.consent_warn_days) {
            ctx.out.warn(&format!("the consent for {} expires in {days} days", o.connection.name));
            ctx.out.hint(&format!("renew it before then: `tally link --relink {}`", o.connection.name));
        }
    }
    for o in &failed {
        for (a, _) in &o.accounts {
            if let Some(e) = o.account_errors.get(&a.id) {
                ctx.out.warn(&format!("sync of {}, account {}, failed: {e:#}", o.connection.name, a.name));
                ctx.out.hint(&hint_for_error(&o.connection.name, e, now));
            }
        }
        let Some(e) = o.error.as_ref() else { continue };
        if sync::interrupt::is_interrupted(e) {
            ctx.out.warn(&format!("sync of {} {e:#}", o.connection.name));
            ctx.out.warn(&format!("kept for {}: {}", o.connection.name, kept(o)));
        } else {
            ctx.out.warn(&format!("sync of {} failed: {e:#}", o.connection.name));
        }
        ctx.out.hint(&hint_for(o, now));
    }
    if !synced.not_started.is_empty() {
        ctx.out.warn(&format!("not synced (interrupted before they started): {}", synced.not_started.join(", ")));
    }
    if let Some(by) = sync::interrupt::requested() {
        return Err(UserError::new(Exit::Interrupted, format!("sync interrupted ({by})"))
            .hint("what was fetched is kept; the next `tally sync` resumes where this one stopped")
            .into());
    }
    if failed.is_empty() {
        return Ok(());
    }
    let whole = failed.iter().filter(|o| o.error.is_some()).count();
    let accounts: usize = failed.iter().filter(|o| o.error.is_none()).map(|o| o.account_errors.len()).sum();
    let message = match (whole, accounts) {
        (_, 0) => format!("{whole} of {} connections failed to sync", outcomes.len()),
        (0, n) => format!("{n} account(s) failed to sync; the others synced"),
        (_, n) => format!("{whole} of {} connections failed to sync, and {n} more account(s)", outcomes.len()),
    };
    Err(UserError::new(worst, message).into())
}

/// What an interrupted connection's sync kept, summed over its accounts.
fn kept(o: &Outcome) -> String {
    let mut sum = sync_runs::Counts::default();
    for (_, c) in &o.accounts {
        sum.added += c.added;
        sum.modified += c.modified;
        sum.posted += c.posted;
        sum.removed += c.removed;
    }
    format!("{} added, {} modified, {} posted, {} removed", sum.added, sum.modified, sum.posted, sum.removed)
}

#[derive(Debug, Serialize, Default)]
struct HistoryRow {
    started_at: String,
    connection: String,
    account: Option<String>,
    status: String,
    added: u64,
    modified: u64,
    posted: u64,
    removed: u64,
    duration_ms: i64,
    error: Option<String>,
}

fn history(ctx: &mut Ctx, limit: u64) -> Result<()> {
    let rows: Vec<HistoryRow> = sync_runs::history(ctx.store()?.db(), limit)?
        .into_iter()
        .map(|r| HistoryRow {
            started_at: r.started_at,
            connection: r.connection,
            account: r.account,
            status: r.status,
            added: r.counts.added,
            modified: r.counts.modified,
            posted: r.counts.posted,
            removed: r.counts.removed,
            duration_ms: r.duration_ms,
            error: r.error,
        })
        .collect();
    ctx.out.rows(&rows)
}
