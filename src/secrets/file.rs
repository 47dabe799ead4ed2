//! The secrets files on disk: reading one only when it is a private regular file, and the
//! plaintext store's TOML map (the sealed store keeps the same map, encrypted: `sealed.rs`).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{Context as _, Result};

use crate::error::UserError;

/// The file's bytes, `None` when it does not exist; refused when it is not a regular file or
/// when others could have read or written it (like ssh with its keys).
pub fn read_private(path: &Path, what: &str) -> Result<Option<Vec<u8>>> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {what} {}", path.display())),
    };
    if !meta.is_file() {
        return Err(UserError::failure(format!("{what} {} is not a file (a directory?)", path.display()))
            .hint(format!(
                "move it out of the way: tally keeps the {what} there (or set TALLY_HOME elsewhere); \
                 e.g. `mv {0} {0}.bak`",
                path.display()
            ))
            .into());
    }
    if let Some(mode) = crate::files::open_to_others(path) {
        return Err(UserError::failure(format!(
            "{what} {} is readable by other users (mode {mode:o})",
            path.display()
        ))
        .hint(format!("run `chmod 600 {}`, then consider re-linking: the tokens may be exposed", path.display()))
        .into());
    }
    fs::read(path).map(Some).with_context(|| format!("cannot read {what} {}", path.display()))
}

/// The plaintext store's entries (empty when the file does not exist yet).
pub fn read_map(path: &Path) -> Result<BTreeMap<String, String>> {
    let Some(bytes) = read_private(path, "secrets file")? else { return Ok(BTreeMap::new()) };
    decode_map(&bytes).ok_or_else(|| damaged(path))
}

pub fn write_map(path: &Path, all: &BTreeMap<String, String>) -> Result<()> {
    crate::files::write_private_atomic(path, encode_map(all)?.as_bytes())
}

pub fn encode_map(all: &BTreeMap<String, String>) -> Result<String> {
    toml::to_string(all).context("cannot encode secrets")
}

/// The parser's message could quote a token: callers say where, never what.
pub fn decode_map(bytes: &[u8]) -> Option<BTreeMap<String, String>> {
    toml::from_str(std::str::from_utf8(bytes).ok()?).ok()
}

pub fn damaged(path: &Path) -> anyhow::Error {
    UserError::failure(format!("secrets file {} is damaged", path.display()))
        .hint("remove the broken entry by hand, or delete the file and link the connections again")
        .into()
}
