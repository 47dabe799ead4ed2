//! `tally doctor`: check everything a sync depends on and say what to do about each problem.

use anyhow::Result;
use serde::Serialize;

use crate::config::SecretsBackend;
use crate::context::Ctx;
use crate::error::UserError;
use crate::model::ConnectionStatus;
use crate::providers::ProviderKind;
use crate::secrets::Secrets;
use crate::store::{self, connections, sync_runs};

/// Check the database, the keyring, consents and syncs, with a hint for each problem
///
/// Also says whether the database is encrypted and which secret store holds the tokens.
///
/// Exits non-zero when any check fails; warnings (a consent expiring soon, a stale sync)
/// leave the exit code at 0.
#[derive(Debug, clap::Args)]
pub struct Args {}

#[derive(Debug, Serialize, Default)]
struct Finding {
    check: &'static str,
    subject: String,
    status: &'static str,
    detail: String,
    hint: Option<String>,
}

impl Finding {
    fn new(check: &'static str, subject: impl Into<String>, status: &'static str, detail: impl Into<String>) -> Self {
        Finding { check, subject: subject.into(), status, detail: detail.into(), hint: None }
    }
    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// A failed check from an error, with the error's own hint when it has one.
    fn failed(check: &'static str, subject: impl Into<String>, e: &anyhow::Error) -> Self {
        let f = Finding::new(check, subject, "fail", format!("{e:#}"));
        match crate::error::user_error(e).and_then(|u| u.hint.clone()) {
            Some(h) => f.hint(h),
            None => f,
        }
    }
}

/// What the last syncs of one account say: never synced, stale, or a newer run that failed or
/// was interrupted (its error says what it kept).
fn last_sync(name: &str, runs: sync_runs::LastRuns, now: chrono::DateTime<chrono::Utc>) -> Result<Finding> {
    let subject = format!("{name} / {}", runs.account);
    let ok = runs.ok.as_deref().map(crate::store::parse_ts).transpose()?;
    let failed_since = runs.latest.filter(|(_, status, _)| status != "ok");
    Ok(match (ok, failed_since) {
        (None, None) => Finding::new("last sync", subject, "warn", "never synced").hint(format!("tally sync {name}")),
        (ok, Some((at, _, error))) => {
            let last_ok =
                ok.map_or_else(|| "never completed".to_string(), |t| format!("last ok {}", crate::store::ts(t)));
            let error = error.unwrap_or_else(|| "failed".into());
            Finding::new("last sync", subject, "warn", format!("{at}: {error} ({last_ok})"))
                .hint(format!("tally sync {name}; `tally sync --history` shows every run"))
        }
        (Some(t), None) if (now - t).num_days() > STALE_DAYS => {
            Finding::new("last sync", subject, "warn", format!("{} days ago", (now - t).num_days()))
                .hint(format!("tally sync {name}; `tally sync --history` shows what failed"))
        }
        (Some(t), None) => Finding::new("last sync", subject, "ok", crate::store::ts(t)),
    })
}

/// A row for each of the database's files (and its directory) that others may read.
fn private_files(db: &std::path::Path) -> Vec<Finding> {
    let mut paths = vec![db.to_path_buf()];
    paths.extend(["-wal", "-shm"].map(|s| std::path::PathBuf::from(format!("{}{s}", db.display()))));
    paths.extend(db.parent().filter(|d| !d.as_os_str().is_empty()).map(std::path::Path::to_path_buf));
    paths
        .iter()
        .filter_map(|p| {
            let mode = crate::files::open_to_others(p)?;
            let fix = if p.is_dir() { 700 } else { 600 };
            Some(
                Finding::new(
                    "permissions",
                    p.display().to_string(),
                    "warn",
                    format!("readable by others (mode {mode:o})"),
                )
                .hint(format!("chmod {fix} {}", p.display())),
            )
        })
        .collect()
}

/// A sync older than this is worth a warning.
const STALE_DAYS: i64 = 7;

pub fn run(ctx: &mut Ctx, _args: Args) -> Result<()> {
    let mut found = Vec::new();
    let now = ctx.now();
    let warn_days = ctx.config.consent_warn_days;

    let path = ctx.config.db_path.clone();
    let encrypted = store::cipher::file_kind(&path) == store::cipher::FileKind::Encrypted;
    let key_found =
        !encrypted || ctx.secrets().and_then(|s| s.get(store::cipher::KEY_ENTRY)).is_ok_and(|k| k.is_some());
    let mut database = || -> Result<_> {
        let store = match ctx.store() {
            Ok(store) => store,
            // The key is missing or its store unreadable: say what is wrong there (below), not stop.
            Err(e) if !key_found => {
                found.push(Finding::failed("database", path.display().to_string(), &e));
                return Ok((Vec::new(), Vec::new(), Vec::new()));
            }
            Err(e) => return Err(e),
        };
        let integrity = store.integrity_check()?;
        found.push(if integrity == "ok" {
            Finding::new("database", store.path().display().to_string(), "ok", "integrity check passed")
        } else {
            Finding::new("database", store.path().display().to_string(), "fail", integrity)
                .hint("restore a backup; `sqlite3 tally.db .recover` may save what is left")
        });
        if store.db().is_readonly(rusqlite::MAIN_DB)? {
            found.push(
                Finding::new(
                    "database",
                    store.path().display().to_string(),
                    "fail",
                    "read-only: sync and import cannot write",
                )
                .hint(format!("check the permissions of {} and its directory (`ls -l`)", store.path().display())),
            );
        }
        let version = store.schema_version()?;
        found.push(Finding::new(
            "schema",
            format!("version {version}"),
            "ok",
            format!("this tally writes {}", store::SCHEMA_VERSION),
        ));
        let conns = connections::list(store.db())?;
        let last_syncs: Vec<_> = conns.iter().map(|c| sync_runs::last_runs(store.db(), c.id)).collect::<Result<_>>()?;
        let quotas: Vec<Option<(u32, u32)>> = conns
            .iter()
            .map(|c| {
                let Some(kind) = ProviderKind::parse(&c.provider) else { return Ok(None) };
                let allowance = crate::sync::allowance_for(store, kind, c.id, now)?;
                Ok(allowance.limit.zip(allowance.left()))
            })
            .collect::<Result<_>>()?;
        Ok((conns, last_syncs, quotas))
    };
    let (conns, last_syncs, quotas) = database()?;
    found.push(if encrypted {
        let detail = format!("encrypted (SQLCipher); the key is in the secret store as `{}`", store::cipher::KEY_ENTRY);
        Finding::new("encryption", path.display().to_string(), "ok", detail)
    } else {
        Finding::new("encryption", path.display().to_string(), "ok", "plain SQLite, not encrypted")
            .hint("`tally encrypt` encrypts it with a key kept in the secret store")
    });

    found.extend(private_files(&path));

    let backend = ctx.config.secrets_backend;
    let secrets = match Secrets::from_config(&ctx.config) {
        Ok(s) => {
            let subject = match backend {
                SecretsBackend::Keyring | SecretsBackend::Keyutils => s.describe(),
                _ => ctx.config.secrets_path.display().to_string(),
            };
            found.push(match (backend, s.check()) {
                (_, Err(e)) => Finding::failed("secrets", subject, &e),
                (SecretsBackend::Keyring, Ok(())) => Finding::new("secrets", subject, "ok", "reachable"),
                (SecretsBackend::Keyutils, Ok(())) => {
                    Finding::new("secrets", subject, "warn", "reachable; its tokens are forgotten at reboot")
                        .hint("link again after a reboot; for cron on a server, TALLY_SECRETS=file-keyfile lasts")
                }
                (SecretsBackend::FilePassphrase | SecretsBackend::FileKeyfile, Ok(())) => {
                    Finding::new("secrets", subject, "ok", s.describe())
                }
                (SecretsBackend::File, Ok(())) => {
                    Finding::new("secrets", subject, "warn", "plaintext file (TALLY_SECRETS=file)")
                        .hint("fine for a server without a keyring; protect the file and its backups")
                }
            });
            Some(s)
        }
        Err(e) => {
            let subject = match backend {
                SecretsBackend::Keyring => "OS keyring".to_string(),
                _ => ctx.config.secrets_path.display().to_string(),
            };
            found.push(Finding::failed("secrets", subject, &e));
            None
        }
    };

    for ((c, last), quota) in conns.iter().zip(last_syncs).zip(quotas) {
        let name = &c.name;
        match c.status {
            ConnectionStatus::Revoked => {
                found.push(Finding::new("connection", name, "ok", "unlinked; its data is kept"));
                continue;
            }
            ConnectionStatus::NeedsRelink => found.push(
                Finding::new("connection", name, "fail", "the bank no longer accepts its consent")
                    .hint(format!("tally link --relink {name}")),
            ),
            ConnectionStatus::Active => found.push(Finding::new("connection", name, "ok", "active")),
        }
        if let Some(s) = &secrets {
            match s.get(&c.secret_ref) {
                Ok(Some(_)) => found.push(Finding::new("tokens", name, "ok", "present")),
                Ok(None) => found.push(
                    Finding::new("tokens", name, "fail", "missing from the secret store")
                        .hint(format!("tally link --relink {name}")),
                ),
                Err(e) => found.push(Finding::failed("tokens", name, &e)),
            }
        }
        if let Some(expires) = c.consent_expires_at {
            let days = (expires - now).num_days();
            let f = Finding::new("consent", name, "ok", format!("expires {} ({days} days)", expires.date_naive()));
            found.push(if expires <= now {
                Finding { status: "fail", detail: format!("expired on {}", expires.date_naive()), ..f }
                    .hint(format!("tally link --relink {name}"))
            } else if days <= warn_days {
                Finding { status: "warn", ..f }.hint(format!("renew it soon: tally link --relink {name}"))
            } else {
                f
            });
        }
        if let Some((limit, left)) = quota {
            let f =
                Finding::new("quota", name, "ok", format!("{left} of {limit} calls left today in the tightest scope"));
            found.push(if left == 0 {
                Finding { status: "warn", ..f }
                    .hint(format!(
                        "the quota resets at {} (00:00 UTC); tally sends no call before, and `tally sync --if-due` in cron waits for it",
                        crate::store::ts(crate::sync::quota_resets_at(now))
                    ))
            } else {
                f
            });
        }
        for runs in last {
            found.push(last_sync(name, runs, now)?);
        }
    }

    ctx.out.rows(&found)?;
    let failed = found.iter().filter(|f| f.status == "fail").count();
    if failed > 0 {
        return Err(UserError::failure(format!("doctor found {failed} problem{}", if failed == 1 { "" } else { "s" }))
            .hint("each failed check above has its own hint")
            .into());
    }
    Ok(())
}
