//! `tally encrypt` and `tally decrypt`: convert the database in place, safely. The conversion
//! itself (new file, row-for-row check, atomic rename) is `store::cipher::convert`.

use anyhow::Result;

use crate::context::Ctx;
use crate::error::UserError;
use crate::store::cipher::{self, FileKind};

/// Encrypt the database with a key kept in the secret store
///
/// Writes an encrypted copy beside the database, checks that every table holds the same rows,
/// then puts it in place of the original in one rename: if anything stops it, the original is
/// untouched. The key (random, 256 bits) goes to the secret store as `tally-db-key`; keep that
/// store backed up, the database cannot be read without it. Run it while no sync is running.
#[derive(Debug, clap::Args)]
pub struct EncryptArgs {}

/// Turn an encrypted database back into plain SQLite
///
/// The same safe conversion as `tally encrypt`, the other way; the key stays in the secret store.
#[derive(Debug, clap::Args)]
pub struct DecryptArgs {}

pub fn encrypt(ctx: &mut Ctx, _args: EncryptArgs) -> Result<()> {
    let path = ctx.config.db_path.clone();
    match cipher::file_kind(&path) {
        FileKind::Plain => {}
        FileKind::Encrypted => {
            ctx.out.status(&format!("{} is already encrypted", path.display()));
            return Ok(());
        }
        FileKind::Missing => return Err(missing(&path, "tally init --encrypt creates an encrypted one")),
        FileKind::Other => {
            ctx.store()?; // the store explains what the file is
        }
    }
    ctx.close_store();
    ctx.warn_if_plaintext_secrets()?;
    let key = ctx.database_key_or_new()?;
    cipher::convert(&path, None, Some(&key))?;
    ctx.out.status(&format!("encrypted {}; its key is in the secret store", path.display()));
    Ok(())
}

pub fn decrypt(ctx: &mut Ctx, _args: DecryptArgs) -> Result<()> {
    let path = ctx.config.db_path.clone();
    match cipher::file_kind(&path) {
        FileKind::Encrypted => {}
        FileKind::Plain => {
            ctx.out.status(&format!("{} is not encrypted", path.display()));
            return Ok(());
        }
        FileKind::Missing => return Err(missing(&path, "there is nothing to decrypt")),
        FileKind::Other => {
            ctx.store()?;
        }
    }
    ctx.close_store();
    let key = ctx.secrets()?.get(cipher::KEY_ENTRY)?;
    cipher::convert(&path, key.as_ref(), None)?;
    ctx.out.status(&format!("decrypted {}: it is plain SQLite now", path.display()));
    Ok(())
}

fn missing(path: &std::path::Path, hint: &str) -> anyhow::Error {
    UserError::failure(format!("no tally database at {}", path.display())).hint(hint).into()
}
