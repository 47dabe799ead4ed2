//! Where tokens live: the OS keyring (Secret Service on Linux), or — only by the user's explicit
//! choice — a 0600 file; an in-memory store serves the demo's throwaway database.
//! Secrets never reach the database, logs, error messages or command lines.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};

use crate::config::{Config, SecretsBackend};
use crate::error::UserError;
use crate::output::Output;

/// The keyring service name every tally entry is filed under.
const SERVICE: &str = "tally";

/// A secret value whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(s: impl Into<String>) -> Self {
        SecretString(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

pub enum Secrets {
    Keyring(Arc<keyring_core::CredentialStore>),
    File(PathBuf),
    Memory(Mutex<BTreeMap<String, String>>),
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Secrets::Keyring(_) => "Secrets::Keyring",
            Secrets::File(_) => "Secrets::File",
            Secrets::Memory(_) => "Secrets::Memory",
        })
    }
}

impl Secrets {
    pub fn from_config(config: &Config) -> Result<Secrets> {
        match config.secrets_backend {
            SecretsBackend::Keyring => Self::keyring(),
            SecretsBackend::File => Ok(Secrets::File(config.secrets_path.clone())),
        }
    }

    /// Whether the store can be read now: for the file, that it is a private file that parses.
    pub fn check(&self) -> Result<()> {
        match self {
            Secrets::File(path) => read_file(path).map(|_| ()),
            _ => Ok(()),
        }
    }

    /// The loud warning owed when tokens are about to be written to a plaintext file.
    pub fn warn_if_plaintext(&self, out: &Output) {
        if let Secrets::File(path) = self {
            out.warn(&format!(
                "your bank tokens go to a plaintext file ({}) because you chose TALLY_SECRETS=file; \
                 anyone who can read your files can use them",
                path.display()
            ));
        }
    }

    pub fn memory() -> Secrets {
        Secrets::Memory(Mutex::new(BTreeMap::new()))
    }

    #[cfg(target_os = "linux")]
    fn keyring() -> Result<Secrets> {
        let store: Arc<keyring_core::CredentialStore> =
            dbus_secret_service_keyring_store::Store::new().map_err(|e| no_keyring(&e))?;
        // Touch the store once, so a locked or absent keyring fails here and not mid-sync.
        let probe = store.build(SERVICE, "probe", None).map_err(|e| no_keyring(&e))?;
        match probe.get_password() {
            Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(Secrets::Keyring(store)),
            Err(e) => Err(no_keyring(&e)),
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn keyring() -> Result<Secrets> {
        Err(UserError::failure("no OS keyring support is built for this platform yet")
            .hint("set TALLY_SECRETS=file to keep tokens in a 0600 file instead")
            .into())
    }

    pub fn set(&self, key: &str, value: &SecretString) -> Result<()> {
        match self {
            Secrets::Keyring(store) => {
                store.build(SERVICE, key, None).and_then(|e| e.set_password(value.expose())).map_err(|e| no_keyring(&e))
            }
            Secrets::File(path) => {
                let mut all = read_file(path)?;
                all.insert(key.to_string(), value.expose().to_string());
                write_file(path, &all)
            }
            Secrets::Memory(map) => {
                map.lock().expect("not poisoned").insert(key.to_string(), value.expose().to_string());
                Ok(())
            }
        }
    }

    /// The secret, or `None` when there is no entry for `key`.
    pub fn get(&self, key: &str) -> Result<Option<SecretString>> {
        let value = match self {
            Secrets::Keyring(store) => match store.build(SERVICE, key, None).and_then(|e| e.get_password()) {
                Ok(v) => Some(v),
                Err(keyring_core::Error::NoEntry) => None,
                Err(e) => return Err(no_keyring(&e)),
            },
            Secrets::File(path) => read_file(path)?.remove(key),
            Secrets::Memory(map) => map.lock().expect("not poisoned").get(key).cloned(),
        };
        Ok(value.map(SecretString))
    }

    pub fn delete(&self, key: &str) -> Result<()> {
        match self {
            Secrets::Keyring(store) => match store.build(SERVICE, key, None).and_then(|e| e.delete_credential()) {
                Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                Err(e) => Err(no_keyring(&e)),
            },
            Secrets::File(path) => {
                let mut all = read_file(path)?;
                if all.remove(key).is_some() {
                    write_file(path, &all)?;
                }
                Ok(())
            }
            Secrets::Memory(map) => {
                map.lock().expect("not poisoned").remove(key);
                Ok(())
            }
        }
    }
}

fn no_keyring(e: &keyring_core::Error) -> anyhow::Error {
    UserError::failure(format!("the OS keyring is not usable: {e}"))
        .hint(
            "unlock your keyring (or start a Secret Service such as gnome-keyring); on a server without one, \
             set TALLY_SECRETS=file (or secrets.backend = \"file\" in the config) to keep tokens in a 0600 file",
        )
        .into()
}

fn read_file(path: &PathBuf) -> Result<BTreeMap<String, String>> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read secrets file {}", path.display()));
        }
    };
    if !meta.is_file() {
        return Err(UserError::failure(format!("secrets path {} is not a file (a directory?)", path.display()))
            .hint(format!(
                "move it out of the way: tally keeps the secrets file there (or set TALLY_HOME elsewhere); \
                 e.g. `mv {0} {0}.bak`",
                path.display()
            ))
            .into());
    }
    // Like ssh with its keys: refuse a file others could have read or written.
    if meta.mode() & 0o077 != 0 {
        return Err(UserError::failure(format!(
            "secrets file {} is readable by other users (mode {:o})",
            path.display(),
            meta.mode() & 0o777
        ))
        .hint(format!("run `chmod 600 {}`, then consider re-linking: the tokens may be exposed", path.display()))
        .into());
    }
    let text = fs::read_to_string(path).with_context(|| format!("cannot read secrets file {}", path.display()))?;
    toml::from_str(&text).map_err(|_| {
        // The parser's message could quote a token; say where, not what.
        UserError::failure(format!("secrets file {} is damaged", path.display()))
            .hint("remove the broken entry by hand, or delete the file and link the connections again")
            .into()
    })
}

/// Write atomically: a 0600 temporary file in the same 0700 directory, then rename.
fn write_file(path: &PathBuf, all: &BTreeMap<String, String>) -> Result<()> {
    let dir = path.parent().context("secrets file has no directory")?;
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    let tmp = path.with_extension("toml.tmp");
    let text = toml::to_string(all).context("cannot encode secrets")?;
    let mut f = fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write secrets file {}", path.display()))?;
    Ok(())
}

/// 128 random bits from the OS, hex-encoded: names for keyring entries, sandbox codes and tokens.
pub fn random_hex() -> Result<String> {
    use std::io::Read as _;
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("cannot read randomness from /dev/urandom")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s/secrets.toml");
        let s = Secrets::File(path.clone());
        assert_eq!(s.get("a").unwrap(), None);
        s.set("a", &SecretString::new("tok\"en")).unwrap();
        s.set("b", &SecretString::new("two")).unwrap();
        assert_eq!(s.get("a").unwrap().unwrap().expose(), "tok\"en");
        s.delete("a").unwrap();
        assert_eq!(s.get("a").unwrap(), None);
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o600);

        fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
        let err = s.get("b").unwrap_err();
        assert!(err.to_string().contains("readable by other users"), "{err}");
        let user = crate::error::user_error(&err).expect("a user error");
        assert!(user.hint.as_deref().is_some_and(|h| h.contains("chmod 600")), "{user:?}");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        assert_eq!(format!("{:?}", SecretString::new("hunter2")), "(redacted)");
    }
}
