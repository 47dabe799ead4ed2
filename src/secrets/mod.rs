//! Where tokens live: the store the user chose (`TALLY_SECRETS`, `secrets.backend`), never
//! another in its place: the OS keyring (the default: Secret Service on Linux, the Keychain on
//! macOS, the Credential Manager on Windows), the Linux kernel keyring (until reboot), a 0600
//! file sealed with a passphrase or a key file (`sealed.rs`), or a plaintext 0600 file
//! (`file.rs`); an in-memory store serves the demo's throwaway database.
//! Secrets never reach the database, logs, error messages or command lines.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};

use crate::config::{Config, SecretsBackend};
use crate::error::UserError;
use crate::output::Output;

pub mod file;
pub mod sealed;

use sealed::KeySource;

/// The OS keyring `TALLY_SECRETS=keyring` (the default) means on this platform.
pub const OS_KEYRING: &str = if cfg!(target_os = "macos") {
    "macOS Keychain"
} else if cfg!(target_os = "windows") {
    "Windows Credential Manager"
} else {
    "Secret Service"
};

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
    /// An OS keyring through keyring-core: the Secret Service, or the Linux kernel keyring.
    Keyring(Arc<keyring_core::CredentialStore>, SecretsBackend),
    /// The plaintext 0600 file, by explicit choice only.
    File(PathBuf),
    /// The encrypted 0600 file, unlocked by a passphrase or a key file.
    Sealed(sealed::SealedFile),
    Memory(Mutex<BTreeMap<String, String>>),
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Secrets::Keyring(..) => "Secrets::Keyring",
            Secrets::File(_) => "Secrets::File",
            Secrets::Sealed(_) => "Secrets::Sealed",
            Secrets::Memory(_) => "Secrets::Memory",
        })
    }
}

impl Secrets {
    /// The store the user chose; never another one in its place (no silent downgrade).
    pub fn from_config(config: &Config) -> Result<Secrets> {
        match config.secrets_backend {
            SecretsBackend::Keyring => Self::secret_service(),
            SecretsBackend::Keyutils => Self::keyutils(),
            SecretsBackend::File => Ok(Secrets::File(config.secrets_path.clone())),
            SecretsBackend::FilePassphrase => {
                let pass = config.secrets_passphrase.clone().ok_or_else(|| {
                    UserError::failure("the secret store is the passphrase-sealed file, but TALLY_PASSPHRASE is not set")
                        .hint("export TALLY_PASSPHRASE (from a password manager, not your shell history); for cron, use a key file: TALLY_SECRETS=file-keyfile")
                })?;
                Ok(Secrets::Sealed(sealed::SealedFile::new(config.secrets_path.clone(), KeySource::Passphrase(pass))))
            }
            SecretsBackend::FileKeyfile => {
                let key = config.secrets_key_file.clone().ok_or_else(|| {
                    UserError::failure("the secret store is the key-file-sealed file, but no key file is set")
                        .hint("set TALLY_KEY_FILE (or secrets.key_file in the config) to a 0600 file of 32 random bytes: `head -c 32 /dev/urandom > key && chmod 600 key`")
                })?;
                Ok(Secrets::Sealed(sealed::SealedFile::new(config.secrets_path.clone(), KeySource::KeyFile(key))))
            }
        }
    }

    /// Which store this is, in words, for `tally doctor`.
    pub fn describe(&self) -> String {
        match self {
            Secrets::Keyring(_, SecretsBackend::Keyutils) => "Linux kernel keyring (kept until reboot)".into(),
            Secrets::Keyring(..) => format!("OS keyring ({})", OS_KEYRING),
            Secrets::File(path) => format!("plaintext file {}", path.display()),
            Secrets::Sealed(s) => format!("encrypted file {} (unlocked by {})", s.path().display(), s.unlocked_by()),
            Secrets::Memory(_) => "in memory (this run only)".into(),
        }
    }

    /// Whether the store can be read now: for the files, that they are private and open.
    pub fn check(&self) -> Result<()> {
        match self {
            Secrets::File(path) => file::read_map(path).map(|_| ()),
            Secrets::Sealed(s) => s.read().map(|_| ()),
            _ => Ok(()),
        }
    }

    /// The loud warning owed when tokens are about to go where they are less safe than in a
    /// keyring: a plaintext file, or a kernel keyring that forgets them at reboot.
    pub fn warn_if_plaintext(&self, out: &Output) {
        match self {
            Secrets::File(path) => out.warn(&format!(
                "your bank tokens go to a plaintext file ({}) because you chose TALLY_SECRETS=file; \
                 anyone who can read your files can use them",
                path.display()
            )),
            Secrets::Keyring(_, SecretsBackend::Keyutils) => out.warn(
                "your bank tokens go to the Linux kernel keyring, which forgets them at reboot \
                 (you chose TALLY_SECRETS=keyutils); link again after a reboot",
            ),
            _ => {}
        }
    }

    pub fn memory() -> Secrets {
        Secrets::Memory(Mutex::new(BTreeMap::new()))
    }

    #[cfg(target_os = "linux")]
    fn secret_service() -> Result<Secrets> {
        let store: Arc<keyring_core::CredentialStore> =
            dbus_secret_service_keyring_store::Store::new().map_err(|e| no_keyring(&e))?;
        Self::probed(store, SecretsBackend::Keyring)
    }

    /// The login keychain (macOS Keychain Services).
    #[cfg(target_os = "macos")]
    fn secret_service() -> Result<Secrets> {
        let store: Arc<keyring_core::CredentialStore> =
            apple_native_keyring_store::keychain::Store::new().map_err(|e| no_keyring(&e))?;
        Self::probed(store, SecretsBackend::Keyring)
    }

    /// The Windows Credential Manager (generic credentials of the signed-in user).
    #[cfg(target_os = "windows")]
    fn secret_service() -> Result<Secrets> {
        let store: Arc<keyring_core::CredentialStore> =
            windows_native_keyring_store::Store::new().map_err(|e| no_keyring(&e))?;
        Self::probed(store, SecretsBackend::Keyring)
    }

    #[cfg(target_os = "linux")]
    fn keyutils() -> Result<Secrets> {
        let store: Arc<keyring_core::CredentialStore> =
            linux_keyutils_keyring_store::Store::new().map_err(|e| no_keyring(&e))?;
        Self::probed(store, SecretsBackend::Keyutils)
    }

    /// Touch the store once, so a locked or absent keyring fails here and not mid-sync.
    #[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
    fn probed(store: Arc<keyring_core::CredentialStore>, kind: SecretsBackend) -> Result<Secrets> {
        let probe = store.build(SERVICE, "probe", None).map_err(|e| no_keyring(&e))?;
        match probe.get_password() {
            Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(Secrets::Keyring(store, kind)),
            Err(e) => Err(no_keyring(&e)),
        }
    }

    #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
    fn secret_service() -> Result<Secrets> {
        Err(UserError::failure("no OS keyring support is built for this platform yet")
            .hint("choose a file store: TALLY_SECRETS=file-passphrase (with TALLY_PASSPHRASE) or file-keyfile")
            .into())
    }

    #[cfg(not(target_os = "linux"))]
    fn keyutils() -> Result<Secrets> {
        Err(UserError::usage("the kernel keyring (TALLY_SECRETS=keyutils) exists only on Linux")
            .hint("choose a file store: TALLY_SECRETS=file-passphrase (with TALLY_PASSPHRASE) or file-keyfile")
            .into())
    }

    pub fn set(&self, key: &str, value: &SecretString) -> Result<()> {
        match self {
            Secrets::Keyring(store, _) => {
                store.build(SERVICE, key, None).and_then(|e| e.set_password(value.expose())).map_err(|e| no_keyring(&e))
            }
            Secrets::File(path) => {
                let mut all = file::read_map(path)?;
                all.insert(key.to_string(), value.expose().to_string());
                file::write_map(path, &all)
            }
            Secrets::Sealed(s) => {
                let mut all = s.read()?;
                all.insert(key.to_string(), value.expose().to_string());
                s.write(&all)
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
            Secrets::Keyring(store, _) => match store.build(SERVICE, key, None).and_then(|e| e.get_password()) {
                Ok(v) => Some(v),
                Err(keyring_core::Error::NoEntry) => None,
                Err(e) => return Err(no_keyring(&e)),
            },
            Secrets::File(path) => file::read_map(path)?.remove(key),
            Secrets::Sealed(s) => s.read()?.remove(key),
            Secrets::Memory(map) => map.lock().expect("not poisoned").get(key).cloned(),
        };
        Ok(value.map(SecretString))
    }

    pub fn delete(&self, key: &str) -> Result<()> {
        match self {
            Secrets::Keyring(store, _) => match store.build(SERVICE, key, None).and_then(|e| e.delete_credential()) {
                Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                Err(e) => Err(no_keyring(&e)),
            },
            Secrets::File(path) => {
                let mut all = file::read_map(path)?;
                if all.remove(key).is_some() {
                    file::write_map(path, &all)?;
                }
                Ok(())
            }
            Secrets::Sealed(s) => {
                let mut all = s.read()?;
                if all.remove(key).is_some() {
                    s.write(&all)?;
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

impl Secrets {
    /// Delete the secrets file when no entry is left in it (`tally purge`); the path deleted.
    pub fn remove_file_if_empty(&self) -> Result<Option<PathBuf>> {
        let (path, empty) = match self {
            Secrets::File(path) => (path.as_path(), file::read_map(path)?.is_empty()),
            Secrets::Sealed(s) => (s.path(), s.read()?.is_empty()),
            _ => return Ok(None),
        };
        if !empty || !path.exists() {
            return Ok(None);
        }
        fs::remove_file(path).with_context(|| format!("cannot delete {}", path.display()))?;
        Ok(Some(path.to_path_buf()))
    }
}

fn no_keyring(e: &keyring_core::Error) -> anyhow::Error {
    UserError::failure(format!("the OS keyring is not usable: {e}"))
        .hint(
            "unlock your keyring (or start a Secret Service such as gnome-keyring); on a server without one, \
             choose a file store: TALLY_SECRETS=file-passphrase (sealed with TALLY_PASSPHRASE), \
             file-keyfile (sealed with a key file, for cron) or file (plaintext, 0600)",
        )
        .into()
}

/// `N` random bytes from the OS.
pub fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    use std::io::Read as _;
    let mut bytes = [0u8; N];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("cannot read randomness from /dev/urandom")?;
    Ok(bytes)
}

/// 128 random bits from the OS, hex-encoded: names for keyring entries, sandbox codes and tokens.
pub fn random_hex() -> Result<String> {
    Ok(random_bytes::<16>()?.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt as _;

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
