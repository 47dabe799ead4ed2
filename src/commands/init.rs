//! `tally init`: create an empty database, plain or (`--encrypt`) encrypted with a new random
//! key kept in the secret store. Other commands create a plain database when they need one.

use anyhow::Result;

use crate::context::Ctx;
use crate::error::UserError;
use crate::store::{OpenMode, OpenOptions, Store, cipher};

/// Create an empty database (encrypted with --encrypt)
///
/// With --encrypt, a random 256-bit key is made and kept in the secret store (entry
/// `tally-db-key`), never shown; every later command, cron included, unlocks the database from
/// there. Encrypt an existing database with `tally encrypt` instead.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Encrypt the database (SQLCipher) with a key kept in the secret store
    #[arg(long)]
    pub encrypt: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    let path = ctx.config.db_path.clone();
    if cipher::file_kind(&path) != cipher::FileKind::Missing {
        let hint = if args.encrypt {
            "`tally encrypt` encrypts the existing database in place"
        } else {
            "it is ready to use; point --db (or TALLY_DB) elsewhere for a new one"
        };
        return Err(UserError::usage(format!("a database already exists at {}", path.display())).hint(hint).into());
    }
    let key = if args.encrypt {
        ctx.warn_if_plaintext_secrets()?;
        Some(ctx.database_key_or_new()?)
    } else {
        None
    };
    drop(Store::open_with(&path, OpenOptions { mode: OpenMode::Create, key: key.as_ref() })?);
    let what = if args.encrypt { "an encrypted database (its key is in the secret store)" } else { "a database" };
    ctx.out.status(&format!("created {what} at {}", path.display()));
    Ok(())
}
