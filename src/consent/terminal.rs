//! The conversation with a person at a terminal: status on stderr through `Output`, prompts
//! through dialoguer (no echo for secrets), or a secret from a file or stdin for scripts.
//! Without a terminal (or with `--no-input`) a prompt is a usage error that says what to pass.

use std::io::{BufRead as _, Read as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};

use super::{Callback, Conversation, Listener};
use crate::error::UserError;
use crate::output::Output;
use crate::secrets::SecretString;

/// Where a secret comes from when it is not typed at a prompt.
#[derive(Debug, Clone)]
pub enum SecretSource {
    /// Ask at the terminal, without echo.
    Prompt,
    /// The first line of this file (`--token-file PATH`).
    File(PathBuf),
    /// The first line of stdin (`--token-file -`).
    Stdin,
}

#[derive(Debug)]
pub struct Terminal {
    out: Arc<Output>,
    /// A terminal on both ends and no `--no-input`.
    interactive: bool,
    /// Open the browser for URLs (a display exists, no `--no-browser`).
    browser: bool,
    secrets: SecretSource,
    /// Where a pasted redirect URL comes from (`--redirect-url-file`).
    pasted: SecretSource,
}

impl Terminal {
    pub fn new(out: Arc<Output>, interactive: bool, browser: bool) -> Terminal {
        Terminal { out, interactive, browser, secrets: SecretSource::Prompt, pasted: SecretSource::Prompt }
    }

    /// Read pasted redirect URLs from a file or stdin instead of a prompt.
    pub fn with_pasted_urls_from(mut self, source: SecretSource) -> Terminal {
        self.pasted = source;
        self
    }

    pub fn with_secrets_from(mut self, source: SecretSource) -> Terminal {
        self.secrets = source;
        self
    }

    fn need_terminal(&self, what: &str, hint: &str) -> Result<()> {
        if self.interactive {
            return Ok(());
        }
        Err(UserError::usage(format!("{what} needs a terminal")).hint(hint).into())
    }

    /// Show the URL, maybe open it, and say how long we wait.
    fn send_to_browser(&mut self, url: &str, timeout: Duration) {
        self.show_url(url, false);
        if self.browser {
            self.open_browser(url);
        }
        self.say(&format!("Waiting for the bank to send you back (up to {} s)…", timeout.as_secs()));
    }
}

impl Conversation for Terminal {
    fn say(&mut self, message: &str) {
        self.out.status(message);
    }

    fn show_url(&mut self, url: &str, qr: bool) {
        self.out.status(&format!("Open this URL in a browser to give consent:\n\n  {url}\n"));
        // Only a person at a terminal can scan it; in a log it would be noise.
        if qr
            && self.interactive
            && let Some(code) = qr_code(url)
        {
            self.out.status(&code);
        }
    }

    fn open_browser(&mut self, url: &str) {
        // `--no-browser`, or no display: the URL is shown already.
        if !self.browser {
            return;
        }
        let spawned = std::process::Command::new("xdg-open")
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if spawned.is_err() {
            self.say("(could not start a browser; open the URL yourself)");
        }
    }

    fn secret(&mut self, prompt: &str) -> Result<SecretString> {
        let text = match &self.secrets {
            SecretSource::File(path) => std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the secret from {}", path.display()))?,
            SecretSource::Stdin => {
                let mut text = String::new();
                std::io::stdin()
                    .take(64 * 1024)
                    .read_to_string(&mut text)
                    .context("cannot read the secret from stdin")?;
                text
            }
            SecretSource::Prompt => {
                self.need_terminal(
                    &format!("asking for {prompt}"),
                    "pass --token-file FILE (or --token-file - to read it from stdin)",
                )?;
                dialoguer::Password::new().with_prompt(prompt).interact()?
            }
        };
        first_line(&text).ok_or_else(|| {
            UserError::usage(format!("{prompt} is empty")).hint("paste the whole value, on one line").into()
        })
    }

    fn pasted_url(&mut self, prompt: &str) -> Result<url::Url> {
        let text: String = match &self.pasted {
            SecretSource::File(path) => std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the address from {}", path.display()))?,
            SecretSource::Stdin => {
                // One line, so a script can answer while tally waits.
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .take(64 * 1024)
                    .read_line(&mut line)
                    .context("cannot read the address from stdin")?;
                line
            }
            SecretSource::Prompt => {
                self.need_terminal(
                    "pasting the address the bank sent you to",
                    "run `tally link` in a terminal, without --no-input, or pass --redirect-url-file FILE (`-`: stdin)",
                )?;
                dialoguer::Input::new().with_prompt(prompt).interact_text()?
            }
        };
        let text = text.lines().next().unwrap_or("");
        url::Url::parse(text.trim()).map_err(|e| {
            UserError::usage(format!("that is not a URL ({e})"))
                .hint("copy the whole address from the browser's address bar, starting with https://")
                .into()
        })
    }

    fn choose(&mut self, prompt: &str, items: &[String], instead: &str) -> Result<usize> {
        self.need_terminal(&format!("choosing {prompt}"), instead)?;
        Ok(dialoguer::FuzzySelect::new()
            .with_prompt(format!("Choose {prompt} (type to filter)"))
            .items(items)
            .interact()?)
    }

    fn polling(&mut self, status: &str) {
        self.out.status(status);
    }

    fn redirect(&mut self, authorize_url: &str, listener: Listener, timeout: Duration) -> Result<Callback> {
        self.send_to_browser(authorize_url, timeout);
        listener.wait(timeout, &|| false)
    }

    fn page(&mut self, html: &str, listener: Listener, timeout: Duration) -> Result<Callback> {
        let url = listener.url();
        self.send_to_browser(&url, timeout);
        listener.wait_for_post(html, timeout, &|| false)
    }
}

/// `text` as a QR code in Unicode half blocks (two rows a line), light on dark as terminals
/// usually are, with its quiet zone; `None` when it does not fit in a QR code.
fn qr_code(text: &str) -> Option<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(code.render::<Dense1x2>().dark_color(Dense1x2::Light).light_color(Dense1x2::Dark).quiet_zone(true).build())
}

/// The secret is the first line, without surrounding blanks; `None` when there is none.
fn first_line(text: &str) -> Option<SecretString> {
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| SecretString::new(line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Exit, user_error};
    use crate::output::{ColorWhen, Format};

    fn terminal(interactive: bool) -> Terminal {
        Terminal::new(Arc::new(Output::new(Format::Table, ColorWhen::Never, true)), interactive, false)
    }

    #[test]
    fn without_a_terminal_prompts_are_usage_errors_with_a_way_out() {
        let err = terminal(false).secret("the setup token").unwrap_err();
        let user = user_error(&err).unwrap();
        assert_eq!(user.exit, Exit::Usage);
        assert!(user.message.contains("asking for the setup token needs a terminal"), "{}", user.message);
        assert!(user.hint.as_deref().unwrap().contains("--token-file"));

        let err = terminal(false).pasted_url("the address").unwrap_err();
        assert_eq!(user_error(&err).unwrap().exit, Exit::Usage);
        assert!(user_error(&err).unwrap().hint.as_deref().unwrap().contains("--no-input"));
    }

    #[test]
    fn a_qr_code_is_drawn_in_half_blocks() {
        let code = qr_code("https://hosted.plaid.com/link/lt-abc").unwrap();
        assert!(code.lines().count() > 10, "{code}");
        assert!(code.chars().all(|c| matches!(c, ' ' | '\u{2580}' | '\u{2584}' | '\u{2588}' | '\n')), "{code}");
    }

    #[test]
    fn a_secret_from_a_file_needs_no_terminal_and_loses_its_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "  aHR0cHM6Ly9icmlkZ2U=\n").unwrap();
        let mut t = terminal(false).with_secrets_from(SecretSource::File(path.clone()));
        assert_eq!(t.secret("the setup token").unwrap().expose(), "aHR0cHM6Ly9icmlkZ2U=");

        std::fs::write(&path, "\n").unwrap();
        let err = t.secret("the setup token").unwrap_err();
        assert!(err.to_string().contains("the setup token is empty"), "{err}");
    }
}
