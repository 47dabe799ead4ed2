//! `tally purge`: erase everything tally holds about the user, after a yes: each connection
//! revoked at its provider where it allows it, every token and the database key deleted from
//! the secret store, then the database and its side files. The config file stays (settings,
//! no data about you); the command says so.

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use crate::context::Ctx;
use crate::error::usage;
use crate::model::ConnectionStatus;
use crate::store::{cipher, connections};

/// Erase everything tally holds: the database, every token and the database key
///
/// Revokes each connection at its provider where it allows it, deletes its tokens and the
/// database key from the secret store, then the database with its WAL and side files. Asks first at a terminal; scripts pass --yes. The config file is kept (delete it by hand if
/// you want it gone). The database key is shared by every database you encrypted with tally:
/// another one encrypted with it cannot be opened afterwards.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Do not ask
    #[arg(long)]
    pub yes: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    let db = ctx.config.db_path.clone();
    if !args.yes {
        let what = format!("the database {} and every token tally keeps", db.display());
        if !ctx.interactive() {
            return usage(format!("erasing {what} needs a yes"), "pass --yes to erase everything without asking");
        }
        let sure = dialoguer::Confirm::new().with_prompt(format!("Erase {what}? This cannot be undone")).interact()?;
        if !sure {
            ctx.out.status("Nothing was erased.");
            return Ok(());
        }
    }
    let mut unlinked = 0;
    if db.exists() {
        // Tokens first: if the secret store cannot be reached, the database still says what to
        // revoke, so nothing is deleted.
        let conns = connections::list(ctx.store()?.db())?;
        for c in conns.iter().filter(|c| !c.is(ConnectionStatus::Revoked)) {
            crate::commands::connections::unlink::revoke_and_forget(ctx, c)?;
            unlinked += 1;
        }
        ctx.close_store();
    }
    // The database key goes with the database: a key without it protects nothing, and kept it
    // would be a secret left behind. A plain or missing database may have left one too (a
    // database deleted by hand): look, but an OS keyring out of reach is then no reason to stop.
    let must = cipher::file_kind(&db) == cipher::FileKind::Encrypted || ctx.config.secrets_backend.keeps_a_file();
    match ctx.secrets().and_then(|s| s.delete(cipher::KEY_ENTRY)) {
        Ok(()) => {}
        Err(e) if !must => {
            ctx.out.warn(&format!("could not check the secret store for a database key (`{}`): {e}", cipher::KEY_ENTRY))
        }
        Err(e) => return Err(e),
    }
    let mut removed = Vec::new();
    for path in side_files(&db) {
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot delete {}", path.display())),
        }
    }
    if ctx.config.secrets_backend.keeps_a_file() {
        removed.extend(ctx.secrets()?.remove_file_if_empty()?);
    }
    ctx.out.status(&format!(
        "Erased: {unlinked} connections unlinked, {} files deleted{}.",
        removed.len(),
        if removed.is_empty() { String::new() } else { format!(" ({})", list(&removed)) }
    ));
    if ctx.config.config_path.exists() {
        ctx.out.hint(&format!("the config file {} is kept (settings, no data)", ctx.config.config_path.display()));
    }
    Ok(())
}

/// The database and every file SQLite or tally keeps beside it.
fn side_files(db: &std::path::Path) -> Vec<PathBuf> {
    let mut files = vec![db.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal", ".sync-lock", ".converting"] {
        let mut name = db.as_os_str().to_os_string();
        name.push(suffix);
        files.push(PathBuf::from(name));
    }
    files
}

fn list(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}
