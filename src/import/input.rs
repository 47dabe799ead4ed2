//! One statement file as `tally import` reads it: opened once, its head kept for detecting
//! the format and a CSV profile, the rest read after the head from the same handle. So a
//! pipe (`-` for stdin, `<(cmd)`, `/dev/stdin`, a FIFO) reads like a file: nothing is opened
//! twice. A CSV streams (head, then the rest); the formats parsed whole read all of it once.
//! What the bytes mean is the importers' business.

use std::io::{Cursor, Read};
use std::path::Path;

use anyhow::{Context as _, Result, bail};

use crate::error::UserError;

/// The head is at least this long...
const HEAD_BYTES: usize = 64 * 1024;
/// ...and holds at least this many whole lines (a header, a preamble and some rows), so a
/// CSV with 100,000-character descriptions is still detected from whole rows...
const HEAD_LINES: usize = 24;
/// ...unless its lines are longer than this in all.
const HEAD_MAX: usize = 16 * 1024 * 1024;

/// An input being read.
pub struct Input {
    name: String,
    /// For a new account's name: the file name without its extension; none for a pipe.
    stem: Option<String>,
    head: Vec<u8>,
    /// The head is all there is.
    complete: bool,
    /// What follows the head, until it is streamed or read whole.
    rest: Option<Box<dyn Read>>,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input").field("name", &self.name).field("complete", &self.complete).finish_non_exhaustive()
    }
}

/// How an input is called in messages: `stdin` for `-`, a regular file by its name, anything
/// else (`/dev/fd/63`, a FIFO) by its path.
pub fn name_of(path: &Path) -> String {
    if path == Path::new("-") {
        return "stdin".into();
    }
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => path.display().to_string(),
        _ => super::display_name(path),
    }
}

impl Input {
    /// Open `path` (`-` is stdin) and read its head.
    pub fn open(path: &Path) -> Result<Input> {
        let name = name_of(path);
        if path == Path::new("-") {
            return Input::from_reader(name, None, Box::new(std::io::stdin()));
        }
        let meta = std::fs::metadata(path).with_context(|| format!("cannot open {}", path.display()))?;
        if meta.is_dir() {
            return Err(UserError::failure(format!("{} is a directory", path.display()))
                .hint(format!("import the files in it: `tally import {}/*.csv`", path.display()))
                .into());
        }
        let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let stem = meta.is_file().then(|| name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s).to_string());
        Input::from_reader(name, stem, Box::new(file))
    }

    /// An input read from `reader`, called `name`.
    pub fn from_reader(name: String, stem: Option<String>, mut reader: Box<dyn Read>) -> Result<Input> {
        let (head, complete) = read_head(&mut reader).with_context(|| format!("cannot read {name}"))?;
        if head.iter().all(u8::is_ascii_whitespace) {
            bail!("{name} is empty");
        }
        Ok(Input { name, stem, head, complete, rest: (!complete).then_some(reader) })
    }

    /// The name for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name a new account gets when the file gives none.
    pub fn stem(&self) -> &str {
        self.stem.as_deref().unwrap_or("Imported")
    }

    /// The first bytes: at least 64 KiB and two dozen whole lines, or all of it.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// Whether the head is all the input holds.
    pub fn complete(&self) -> bool {
        self.complete
    }

    /// All of it, for the formats parsed whole (read once, then kept).
    pub fn bytes(&mut self) -> Result<&[u8]> {
        if let Some(mut rest) = self.rest.take() {
            rest.read_to_end(&mut self.head).with_context(|| format!("cannot read {}", self.name))?;
            self.complete = true;
        }
        if !self.complete {
            bail!("{} was read already: a pipe can be read once", self.name);
        }
        Ok(&self.head)
    }

    /// All of it as a stream: the head, then the rest. A pipe streams once.
    pub fn stream(&mut self) -> Result<Box<dyn Read>> {
        if self.complete {
            return Ok(Box::new(Cursor::new(self.head.clone())));
        }
        let Some(rest) = self.rest.take() else {
            bail!("{} was read already: a pipe can be read once", self.name);
        };
        Ok(Box::new(Cursor::new(std::mem::take(&mut self.head)).chain(rest)))
    }
}

/// Read until the head is long enough (see [`HEAD_BYTES`]), or the input ends (`true`).
fn read_head(reader: &mut dyn Read) -> std::io::Result<(Vec<u8>, bool)> {
    let mut head = Vec::new();
    let mut chunk = vec![0; HEAD_BYTES];
    let mut lines = 0;
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok((head, true)),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        lines += chunk[..n].iter().filter(|b| **b == b'\n').count();
        head.extend_from_slice(&chunk[..n]);
        if head.len() >= HEAD_BYTES && (lines >= HEAD_LINES || head.len() >= HEAD_MAX) {
            return Ok((head, false));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per read, as a pipe does.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn input(bytes: &'static [u8], step: usize) -> Input {
        Input::from_reader("t".into(), None, Box::new(Trickle(bytes, step))).unwrap()
    }

    #[test]
    fn the_head_then_the_rest_is_all_of_it_once() {
        let text: &'static [u8] = Box::leak(
            (0..20_000)
                .map(|i| format!("2026-11-02,row {i},-1.00\n"))
                .collect::<String>()
                .into_bytes()
                .into_boxed_slice(),
        );
        let mut streamed = input(text, 1000);
        assert!(!streamed.complete() && streamed.head().len() >= HEAD_BYTES);
        let mut all = Vec::new();
        streamed.stream().unwrap().read_to_end(&mut all).unwrap();
        assert_eq!(all, text);
        assert!(streamed.stream().is_err(), "a pipe streams once");
        let mut whole = input(text, 7000);
        assert_eq!(whole.bytes().unwrap(), text);
        assert_eq!(whole.bytes().unwrap(), text, "kept");
        let mut again = Vec::new();
        whole.stream().unwrap().read_to_end(&mut again).unwrap();
        assert_eq!(again, text);
    }

    #[test]
    fn the_head_holds_whole_lines_however_long() {
        let long: &'static [u8] = Box::leak(
            format!(
                "Date,Description,Amount\n{}",
                "2026-11-02,\"x\",1\n".replace('x', &"y".repeat(100_000)).repeat(30)
            )
            .into_bytes()
            .into_boxed_slice(),
        );
        let i = input(long, 4096);
        assert!(i.head().iter().filter(|b| **b == b'\n').count() >= HEAD_LINES, "{}", i.head().len());
        assert!(Input::from_reader("e".into(), None, Box::new(&b" \n"[..])).is_err());
    }
}
