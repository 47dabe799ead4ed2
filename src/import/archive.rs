//! A zip of statement files, as some banks ship their CAMT files: each member is read as a
//! file of its own (its format detected from its content), and the zip imports as one file,
//! all of it or none: a member that cannot be read fails the whole zip, naming the member.
//! Sizes are bounded whatever the zip's directory claims (a zip bomb is refused), and only
//! stored and deflated members are read. What the members mean is their importers' business.

use std::io::{Cursor, Read};

use anyhow::{Result, anyhow, bail};

use super::{AccountHint, Balance, Format, Importer, Input, Options, RowStream};
use crate::error::UserError;
use crate::money::Currency;

/// At most this many members...
const MAX_MEMBERS: usize = 1000;
/// ...each at most this large once unpacked...
const MAX_MEMBER: u64 = 64 << 20;
/// ...and all of them together at most this large.
const MAX_TOTAL: u64 = 256 << 20;

/// Whether `head` starts like a zip file (a local file header, or an empty archive).
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// The members of a zip, each opened as its format's importer.
pub struct Archive {
    name: &'static str,
    /// (member name, its importer, how many statements it has).
    members: Vec<(String, Box<dyn Importer>, usize)>,
}

impl Archive {
    /// The zip called `label`, all of it in `bytes`; its members are opened with `options`.
    pub fn read(label: &str, bytes: &[u8], options: &Options) -> Result<Archive> {
        let refuse = |why: String| -> anyhow::Error {
            UserError::failure(format!("{label}: {why}"))
                .hint("unpack it and import its files one by one (`tally import DIR/*.xml`)")
                .into()
        };
        let mut zip =
            zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| refuse(format!("not a readable zip: {e}")))?;
        if zip.len() > MAX_MEMBERS {
            return Err(refuse(format!("it holds {} files; tally reads at most {MAX_MEMBERS} from a zip", zip.len())));
        }
        let mut members = Vec::new();
        let mut total = 0u64;
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).map_err(|e| refuse(format!("member {}: {e}", i + 1)))?;
            let name = file.name().map_err(|e| refuse(format!("member {}: {e}", i + 1)))?.into_owned();
            // Folders, and the resource forks macOS adds beside each file.
            let base = name.rsplit('/').next().unwrap_or("");
            if file.is_dir() || name.starts_with("__MACOSX/") || base.starts_with('.') || base.is_empty() {
                continue;
            }
            let at = format!("{label}/{name}");
            // Read at most one byte past the bound: the size the directory claims is not trusted.
            let mut body = Vec::new();
            let limit = MAX_MEMBER.min(MAX_TOTAL - total);
            (&mut file).take(limit + 1).read_to_end(&mut body).map_err(|e| match e.kind() {
                std::io::ErrorKind::Unsupported => refuse(format!("{name} is compressed in a way tally does not read")),
                _ => anyhow!("{at}: cannot unpack it: {e}"),
            })?;
            if body.len() as u64 > limit {
                let what = if limit < MAX_MEMBER { "its files together unpack" } else { "it unpacks" };
                return Err(refuse(format!(
                    "{name}: {what} to more than {} MiB; tally refuses it (a zip bomb?)",
                    limit.max(MAX_MEMBER) >> 20
                )));
            }
            total += body.len() as u64;
            let stem = base.rsplit_once('.').map_or(base, |(s, _)| s).to_string();
            let mut input = Input::from_reader(at.clone(), Some(stem), Box::new(Cursor::new(body)))?;
            if is_zip(input.head()) {
                return Err(refuse(format!("{name} is a zip inside the zip")));
            }
            let importer = super::open(&mut input, Format::Auto, options)?;
            let statements = importer.statements().len();
            members.push((name, importer, statements));
        }
        let Some((_, first, _)) = members.first() else { return Err(refuse("it holds no files".into())) };
        let name = first.name();
        if let Some((other, importer, _)) = members.iter().find(|(_, m, _)| m.name() != name) {
            return Err(refuse(format!(
                "it mixes {name} files with {} files ({other}); tally imports a zip of one kind",
                importer.name()
            )));
        }
        Ok(Archive { name, members })
    }

    /// Member and statement within it for the zip's statement `index`.
    fn locate(&mut self, mut index: usize) -> Result<(&mut Box<dyn Importer>, usize)> {
        for (_, importer, count) in &mut self.members {
            if index < *count {
                return Ok((importer, index));
            }
            index -= *count;
        }
        bail!("no statement {index} in the zip")
    }
}

impl Importer for Archive {
    fn name(&self) -> &'static str {
        self.name
    }

    fn statements(&self) -> Vec<(AccountHint, Option<Balance>)> {
        self.members.iter().flat_map(|(_, m, _)| m.statements()).collect()
    }

    fn warnings(&self) -> Vec<String> {
        self.members.iter().flat_map(|(_, m, _)| m.warnings()).collect()
    }

    fn rows(&mut self, index: usize, currency: Currency) -> Result<Box<dyn RowStream + '_>> {
        let (member, index) = self.locate(index)?;
        member.rows(index, currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    /// A zip of `files`, each `(name, body, times)`: its body written `times` times, deflated.
    fn zip_of(files: &[(&str, &[u8], usize)]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, body, times) in files {
            let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            out.start_file(*name, options).unwrap();
            for _ in 0..*times {
                out.write_all(body).unwrap();
            }
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_bomb_is_refused_at_the_bound() {
        let mib = vec![b' '; 1 << 20];
        let bomb = zip_of(&[("a.xml", &mib, 65)]);
        assert!(bomb.len() < 1 << 20, "a small zip: {}", bomb.len());
        let err = Archive::read("b.zip", &bomb, &Options::default()).err().unwrap();
        assert!(err.to_string().contains("a.xml: it unpacks to more than 64 MiB"), "{err}");
    }

    #[test]
    fn nothing_but_folders_and_mac_forks_is_no_files() {
        let err = Archive::read(
            "e.zip",
            &zip_of(&[("__MACOSX/._a.xml", b"x", 1), (".DS_Store", b"x", 1)]),
            &Options::default(),
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("it holds no files"), "{err}");
    }
}
