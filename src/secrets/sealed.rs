//! The encrypted secrets file (`secrets.sealed`): the plaintext store's map sealed with
//! XChaCha20-Poly1305 under a 256-bit key derived from `TALLY_PASSPHRASE` (argon2id) or read
//! from a key file (for cron). Written atomically, 0600; a wrong key is one clear error.
//!
//! The file is JSON: `{"format", "version", "kdf": {...}, "nonce", "ciphertext"}` (base64);
//! the KDF description is authenticated as associated data, so it cannot be swapped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Result;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use super::SecretString;
use super::file::{decode_map, encode_map, read_private};
use crate::error::UserError;

const FORMAT: &str = "tally-sealed-secrets";
const VERSION: u32 = 1;
/// A key file shorter than this is a password in a file, not a key.
const MIN_KEY_FILE: usize = 32;

/// Where the sealing key comes from.
#[derive(Debug, Clone)]
pub enum KeySource {
    Passphrase(SecretString),
    KeyFile(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "alg", rename_all = "kebab-case")]
enum Kdf {
    /// argon2id over the passphrase; costs as written, so they can grow without a format change.
    Argon2id { m_kib: u32, t: u32, p: u32, salt: String },
    /// SHA-256 over the salt and the key file's bytes (already random: no stretching needed).
    KeyFileSha256 { salt: String },
}

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    format: String,
    version: u32,
    kdf: Kdf,
    nonce: String,
    ciphertext: String,
}

/// The sealed store at one path; the key is derived once per process and kept for writes.
#[derive(Debug)]
pub struct SealedFile {
    path: PathBuf,
    source: KeySource,
    key: Mutex<Option<(Kdf, [u8; 32])>>,
}

impl SealedFile {
    pub fn new(path: PathBuf, source: KeySource) -> SealedFile {
        SealedFile { path, source, key: Mutex::new(None) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What unlocks it, for `tally doctor` and error messages.
    pub fn unlocked_by(&self) -> String {
        match &self.source {
            KeySource::Passphrase(_) => "TALLY_PASSPHRASE".to_string(),
            KeySource::KeyFile(p) => format!("key file {}", p.display()),
        }
    }

    pub fn read(&self) -> Result<BTreeMap<String, String>> {
        let Some(bytes) = read_private(&self.path, "secrets file")? else { return Ok(BTreeMap::new()) };
        let envelope: Envelope = serde_json::from_slice(&bytes)
            .ok()
            .filter(|e: &Envelope| e.format == FORMAT)
            .ok_or_else(|| super::file::damaged(&self.path))?;
        if envelope.version != VERSION {
            return Err(UserError::failure(format!(
                "secrets file {} has format version {}; this tally reads version {VERSION}",
                self.path.display(),
                envelope.version
            ))
            .hint("use the tally that wrote it, or upgrade this one")
            .into());
        }
        let key = self.key_for(&envelope.kdf)?;
        let nonce: [u8; 24] = decode(&envelope.nonce).and_then(|n| n.try_into().ok()).ok_or_else(|| self.damaged())?;
        let ciphertext = decode(&envelope.ciphertext).ok_or_else(|| self.damaged())?;
        let aad = serde_json::to_vec(&envelope.kdf)?;
        let plain = XChaCha20Poly1305::new(&key.into())
            .decrypt(&XNonce::from(nonce), Payload { msg: &ciphertext, aad: &aad })
            .map_err(|_| self.wrong_key())?;
        decode_map(&plain).ok_or_else(|| self.damaged())
    }

    pub fn write(&self, all: &BTreeMap<String, String>) -> Result<()> {
        let kdf = match self.key.lock().expect("not poisoned").as_ref() {
            Some((kdf, _)) => kdf.clone(),
            None => self.new_kdf()?,
        };
        let key = self.key_for(&kdf)?;
        let nonce: [u8; 24] = super::random_bytes()?;
        let aad = serde_json::to_vec(&kdf)?;
        let plain = encode_map(all)?;
        let ciphertext = XChaCha20Poly1305::new(&key.into())
            .encrypt(&XNonce::from(nonce), Payload { msg: plain.as_bytes(), aad: &aad })
            .map_err(|_| anyhow::anyhow!("cannot encrypt the secrets"))?;
        let envelope = Envelope {
            format: FORMAT.into(),
            version: VERSION,
            kdf,
            nonce: B64.encode(nonce),
            ciphertext: B64.encode(ciphertext),
        };
        crate::files::write_private_atomic(&self.path, &serde_json::to_vec_pretty(&envelope)?)
    }

    fn new_kdf(&self) -> Result<Kdf> {
        let salt = B64.encode(super::random_bytes::<16>()?);
        Ok(match self.source {
            KeySource::Passphrase(_) => {
                let p = argon2::Params::DEFAULT;
                Kdf::Argon2id { m_kib: p.m_cost(), t: p.t_cost(), p: p.p_cost(), salt }
            }
            KeySource::KeyFile(_) => Kdf::KeyFileSha256 { salt },
        })
    }

    /// The key for `kdf`: derived once, then kept (a sync reads and writes the file often).
    fn key_for(&self, kdf: &Kdf) -> Result<[u8; 32]> {
        let mut cached = self.key.lock().expect("not poisoned");
        if let Some((k, key)) = cached.as_ref()
            && k == kdf
        {
            return Ok(*key);
        }
        let key = match (kdf, &self.source) {
            (Kdf::Argon2id { m_kib, t, p, salt }, KeySource::Passphrase(pass)) => {
                let salt = decode(salt).ok_or_else(|| self.damaged())?;
                // Bounded so a hostile file cannot make us allocate without limit (1 GiB).
                let params = argon2::Params::new(*m_kib.min(&(1 << 20)), *t.min(&16), *p.min(&16), Some(32))
                    .map_err(|_| self.damaged())?;
                let mut key = [0u8; 32];
                argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
                    .hash_password_into(pass.expose().as_bytes(), &salt, &mut key)
                    .map_err(|_| self.damaged())?;
                key
            }
            (Kdf::KeyFileSha256 { salt }, KeySource::KeyFile(path)) => {
                use sha2::Digest as _;
                let salt = decode(salt).ok_or_else(|| self.damaged())?;
                let bytes = read_key_file(path)?;
                let mut hash = sha2::Sha256::new();
                hash.update(b"tally sealed secrets key file\0");
                hash.update(&salt);
                hash.update(&bytes);
                hash.finalize().into()
            }
            (Kdf::Argon2id { .. }, KeySource::KeyFile(_)) => return Err(self.sealed_by("a passphrase")),
            (Kdf::KeyFileSha256 { .. }, KeySource::Passphrase(_)) => return Err(self.sealed_by("a key file")),
        };
        *cached = Some((kdf.clone(), key));
        Ok(key)
    }

    fn damaged(&self) -> anyhow::Error {
        super::file::damaged(&self.path)
    }

    fn wrong_key(&self) -> anyhow::Error {
        let hint = match &self.source {
            KeySource::Passphrase(_) => "check TALLY_PASSPHRASE: it must be the passphrase the file was sealed with",
            KeySource::KeyFile(_) => {
                "check the key file (TALLY_KEY_FILE or secrets.key_file): it must be the one the file was sealed with"
            }
        };
        UserError::failure(format!("cannot unlock secrets file {} with {}", self.path.display(), self.unlocked_by()))
            .hint(format!("{hint}; if it is lost, delete the file and link your connections again"))
            .into()
    }

    fn sealed_by(&self, what: &str) -> anyhow::Error {
        let store = if what == "a key file" { "file-keyfile" } else { "file-passphrase" };
        UserError::failure(format!("secrets file {} was sealed with {what}", self.path.display()))
            .hint(format!("set TALLY_SECRETS={store} (or secrets.backend = \"{store}\" in the config)"))
            .into()
    }
}

fn decode(s: &str) -> Option<Vec<u8>> {
    B64.decode(s).ok()
}

/// The key file's bytes: private, and long enough to be a key.
fn read_key_file(path: &Path) -> Result<Vec<u8>> {
    let hint = format!("make one with `head -c 32 /dev/urandom > {0} && chmod 600 {0}`", path.display());
    let bytes = read_private(path, "key file")?
        .ok_or_else(|| UserError::failure(format!("key file {} does not exist", path.display())).hint(hint.clone()))?;
    if bytes.len() < MIN_KEY_FILE {
        return Err(UserError::failure(format!(
            "key file {} holds {} bytes; a key file needs at least {MIN_KEY_FILE} random bytes",
            path.display(),
            bytes.len()
        ))
        .hint(hint)
        .into());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(p: &str) -> KeySource {
        KeySource::Passphrase(SecretString::new(p))
    }

    #[test]
    fn round_trips_and_hides_the_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.sealed");
        let sealed = SealedFile::new(path.clone(), pass("correct horse"));
        assert!(sealed.read().unwrap().is_empty());
        let all = BTreeMap::from([("conn-1".to_string(), "hunter2-token".to_string())]);
        sealed.write(&all).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("hunter2"), "the value is sealed");
        assert_eq!(SealedFile::new(path.clone(), pass("correct horse")).read().unwrap(), all);

        let err = SealedFile::new(path.clone(), pass("wrong")).read().unwrap_err();
        assert!(err.to_string().contains("cannot unlock"), "{err}");
        let user = crate::error::user_error(&err).expect("a user error");
        assert!(user.hint.as_deref().is_some_and(|h| h.contains("TALLY_PASSPHRASE")), "{user:?}");
    }

    #[test]
    fn tampering_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.sealed");
        SealedFile::new(path.clone(), pass("p")).write(&BTreeMap::from([("a".into(), "b".into())])).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        // Weaker argon2 costs written into the header must not decrypt (the header is authenticated).
        let weaker = text.replacen("\"t\": 2", "\"t\": 1", 1);
        assert_ne!(weaker, text);
        crate::files::write_private_atomic(&path, weaker.as_bytes()).unwrap();
        assert!(SealedFile::new(path.clone(), pass("p")).read().is_err());
        crate::files::write_private_atomic(&path, b"{not json").unwrap();
        let err = SealedFile::new(path, pass("p")).read().unwrap_err();
        assert!(err.to_string().contains("damaged"), "{err}");
    }

    #[test]
    fn key_files_must_be_private_and_long() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key");
        let path = dir.path().join("secrets.sealed");
        crate::files::write_private_atomic(&key, b"short").unwrap();
        let err = SealedFile::new(path.clone(), KeySource::KeyFile(key.clone())).write(&BTreeMap::new()).unwrap_err();
        assert!(err.to_string().contains("at least 32"), "{err}");
        crate::files::write_private_atomic(&key, &[7u8; 32]).unwrap();
        let all = BTreeMap::from([("a".to_string(), "b".to_string())]);
        SealedFile::new(path.clone(), KeySource::KeyFile(key.clone())).write(&all).unwrap();
        assert_eq!(SealedFile::new(path.clone(), KeySource::KeyFile(key.clone())).read().unwrap(), all);
        let err = SealedFile::new(path, pass("p")).read().unwrap_err();
        assert!(err.to_string().contains("sealed with a key file"), "{err}");
    }
}
